//! One record: a scrollable, zoomable strip of its signal with beat marks coloured by class, and
//! a gallery of example beats per class.

use leptos::prelude::*;

use super::card::Card;
use super::charts::{class_colour, mark_colour, polyline_path, range_of, thousands};
use super::state::AppState;
use crate::ecg::aami::AamiClass;
use crate::session::Request;
use crate::session::views::{GalleryView, RecordView};

const STRIP_W: f64 = 1000.0;
const LEAD_H: f64 = 120.0;

fn request_view(state: AppState, name: &str, start_s: f64, duration_s: f64) {
    state.send(Request::RecordView {
        name: name.to_string(),
        start_s,
        duration_s,
        max_points: 2400,
    });
}

/// The selected record's strip and gallery.
#[component]
pub fn RecordDetail() -> impl IntoView {
    let state = AppState::get();
    move || {
        let name = state.selected_record.get()?;
        Some(view! {
            <section class="card" aria-labelledby="strip-title" data-testid="record-detail">
                <h2 id="strip-title">{format!("Record {name}")}</h2>
                <Strip />
                <Legend />
            </section>
            <super::classify::ClassifyPanel name=name.clone() />
            <Gallery />
        })
    }
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Beat classes">
            {AamiClass::ALL.into_iter().map(|c| view! {
                <li><span class="swatch" style=format!("background:{}", class_colour(c))></span>{format!("{} {}", c.code(), c.name())}</li>
            }).collect_view()}
            <li><span class="swatch" style="background:#6b7280"></span>"other annotation (rhythm, noise…)"</li>
            <li>"dashed line: annotated beat · ▼ on top: beat found by the detector"</li>
        </ul>
    }
}

#[component]
fn Strip() -> impl IntoView {
    let state = AppState::get();
    move || {
        let v: RecordView = state.record_view.get()?;
        let name = v.name.clone();
        let (start, dur, total) = (v.start_s, v.duration_s, v.record_duration_s);
        let (n1, n2, n3, n4, n5) = (
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
        );
        let step = dur * 0.8;
        let n_leads = v.leads.len().max(1);
        let height = LEAD_H * n_leads as f64 + 24.0;
        let lead_paths: Vec<_> = v
            .leads
            .iter()
            .enumerate()
            .map(|(k, lead)| {
                let top = k as f64 * LEAD_H;
                let (lo, hi) = range_of(lead.values.iter());
                let path = if v.envelope {
                    // Min/max pairs: draw as a filled band of vertical strokes.
                    let mins: Vec<f32> = lead.values.chunks(2).map(|c| c[0]).collect();
                    let maxs: Vec<f32> = lead.values.chunks(2).map(|c| *c.get(1).unwrap_or(&c[0])).collect();
                    format!("{} {}", polyline_path(&mins, STRIP_W, LEAD_H - 8.0, lo, hi), polyline_path(&maxs, STRIP_W, LEAD_H - 8.0, lo, hi))
                } else {
                    polyline_path(&lead.values, STRIP_W, LEAD_H - 8.0, lo, hi)
                };
                view! {
                    <g transform=format!("translate(0,{})", top + 4.0)>
                        <text x="4" y="12" class="lead-label">{format!("{} ({})", lead.name, lead.units)}</text>
                        <path d=path class="trace" />
                    </g>
                }
            })
            .collect();
        let marks: Vec<_> = v
            .marks
            .iter()
            .map(|m| {
                let x = (m.t_s - start) / dur.max(1e-9) * STRIP_W;
                let colour = mark_colour(m.class);
                view! {
                    <g class="mark" data-class=m.class.map(|c| c.code()).unwrap_or("-")>
                        <line x1=format!("{x:.1}") x2=format!("{x:.1}") y1="0" y2=format!("{}", height - 20.0) stroke=colour stroke-width="1.2" stroke-dasharray="3 3" />
                        <text x=format!("{x:.1}") y=format!("{}", height - 6.0) fill=colour text-anchor="middle" class="mark-label">{m.symbol.clone()}</text>
                    </g>
                }
            })
            .collect();
        // Beats the detector found (and a model classified): a triangle and letter on top.
        let found: Vec<_> = v
            .found
            .iter()
            .map(|m| {
                let x = (m.t_s - start) / dur.max(1e-9) * STRIP_W;
                let colour = mark_colour(m.class);
                view! {
                    <g class="found" data-class=m.class.map(|c| c.code()).unwrap_or("-")>
                        <path d=format!("M{:.1},2 L{:.1},2 L{x:.1},11 Z", x - 5.0, x + 5.0) fill=colour />
                        <text x=format!("{x:.1}") y="22" fill=colour text-anchor="middle" class="mark-label">{m.symbol.clone()}</text>
                    </g>
                }
            })
            .collect();
        let n_found = v.found.len();
        let n_beats = v.marks.iter().filter(|m| m.class.is_some()).count();
        Some(view! {
            <div class="strip-controls" role="group" aria-label="Navigate the signal">
                <button data-testid="strip-back" disabled={start <= 0.0} on:click=move |_| request_view(state, &n1, (start - step).max(0.0), dur)>"◀ Earlier"</button>
                <button data-testid="strip-forward" disabled={start + dur >= total} on:click=move |_| request_view(state, &n2, start + step, dur)>"Later ▶"</button>
                <button data-testid="strip-zoom-in" disabled={dur <= 1.0} on:click=move |_| request_view(state, &n3, start + dur / 4.0, (dur / 2.0).max(1.0))>"Zoom in"</button>
                <button data-testid="strip-zoom-out" disabled={dur >= total} on:click=move |_| request_view(state, &n4, (start - dur / 2.0).max(0.0), (dur * 2.0).min(total))>"Zoom out"</button>
                <label class="position">
                    "Position "
                    <input
                        type="range"
                        min="0"
                        max=format!("{:.1}", (total - dur).max(0.0))
                        step="0.5"
                        prop:value=format!("{start:.1}")
                        aria-valuetext=format!("{start:.1} s")
                        data-testid="strip-position"
                        on:change=move |ev| {
                            let s = event_target_value(&ev).parse::<f64>().unwrap_or(0.0);
                            request_view(state, &n5, s, dur);
                        }
                    />
                </label>
                <span class="muted small" data-testid="strip-window">
                    {format!("{:.1}–{:.1} s of {:.0} s · {} annotated beats shown", start, start + dur, total, n_beats)}
                    {(n_found > 0).then(|| format!(" · {n_found} found beats{}", v.found_run.map(|r| format!(" (classified by run {r})")).unwrap_or_default()))}
                </span>
            </div>
            <div class="strip-wrap">
                <svg
                    class="strip"
                    viewBox=format!("0 0 {STRIP_W} {height}")
                    preserveAspectRatio="none"
                    role="img"
                    aria-label=format!("Signal of record {} from {:.1} to {:.1} s with {} annotated and {} found beat marks", name, start, start + dur, n_beats, n_found)
                    data-testid="strip"
                >
                    {lead_paths}
                    {marks}
                    {found}
                </svg>
            </div>
        })
    }
}

#[component]
fn Gallery() -> impl IntoView {
    let state = AppState::get();
    move || {
        let g: GalleryView = state.gallery.get()?;
        let layout = g.layout;
        Some(view! {
            <Card id="gallery" title="Example beats per class" testid="gallery">
                <p class="muted small">
                    {format!(
                        "Windows of {} samples at {} Hz ({:.0} ms before the R peak to {:.0} ms after), overlaid.",
                        layout.len,
                        layout.fs_hz,
                        layout.r_index as f32 / layout.fs_hz * 1000.0,
                        (layout.len - layout.r_index) as f32 / layout.fs_hz * 1000.0
                    )}
                </p>
                <div class="gallery">
                    {g.classes.into_iter().map(|c| {
                        let (lo, hi) = range_of(c.beats.iter().flatten());
                        let colour = class_colour(c.class);
                        let r_x = layout.r_index as f64 / (layout.len.max(2) - 1) as f64 * 200.0;
                        view! {
                            <figure class="beat-card" data-testid=format!("gallery-{}", c.class.code())>
                                <svg viewBox="0 0 200 120" role="img" aria-label=format!("{} example {} beats", c.beats.len(), c.class.name())>
                                    <line x1=format!("{r_x:.1}") x2=format!("{r_x:.1}") y1="0" y2="120" class="r-line" />
                                    {c.beats.iter().map(|b| view! {
                                        <path d=polyline_path(b, 200.0, 120.0, lo, hi) stroke=colour class="beat" />
                                    }).collect_view()}
                                </svg>
                                <figcaption>
                                    <strong style=format!("color:{colour}")>{c.class.code()}</strong>
                                    {format!(" {} — {} shown of {}", c.class.name(), c.beats.len(), thousands(c.available))}
                                </figcaption>
                            </figure>
                        }
                    }).collect_view()}
                </div>
            </Card>
        })
    }
}
