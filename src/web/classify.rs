//! "Find and classify beats" for the record being viewed: a QRS detector finds the R peaks
//! (or the record's own annotated beats are taken), a kept run's model labels each beat, and
//! the page shows per-class counts, the beats on the strip, agreement with the record's own
//! annotations when it has any, and saves the labels as a WFDB annotation file.

use leptos::prelude::*;

use super::card::Card;
use super::charts::{class_colour, thousands};
use super::state::AppState;
use super::table::{Table, col, num};
use crate::classify::{BeatPositions, implied_beats};
use crate::ecg::aami::AamiClass;
use crate::ecg::detect::PeakMethod;
use crate::io::ptbxl::BeatHint;
use crate::session::views::ClassifiedView;
use crate::session::{ExportFormat, ExportedBeats, Request};
use crate::workspace::Statement;

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.2} %", v * 100.0))
}

/// Settings, button and result for the selected record.
#[component]
pub fn ClassifyPanel(name: String) -> impl IntoView {
    let state = AppState::get();
    let name_for_summary = name.clone();
    let summary = Memo::new(move |_| {
        state
            .workspace
            .get()
            .records
            .into_iter()
            .find(|r| r.name == name_for_summary)
    });
    let lead = RwSignal::new("auto".to_string());
    let positions = RwSignal::new("lookahead".to_string());
    // The newest kept run by default; "none" runs the detector alone.
    let run = RwSignal::new(String::new());
    let chosen_run = move || {
        let runs = state.runs.get();
        let v = run.get();
        if v == "none" {
            None
        } else if let Some(id) = v
            .parse::<u32>()
            .ok()
            .filter(|id| runs.iter().any(|r| r.id == *id))
        {
            Some(id)
        } else {
            runs.last().map(|r| r.id)
        }
    };
    let name_run = name.clone();
    let start = move |_| {
        let positions = match positions.get_untracked().as_str() {
            "pt1985" => BeatPositions::Detected(PeakMethod::PanTompkins1985),
            "annotated" => BeatPositions::Annotated,
            _ => BeatPositions::Detected(PeakMethod::PanTompkins1985Lookahead),
        };
        state.classify_pending.set(true);
        state.send(Request::Classify {
            name: name_run.clone(),
            lead: lead.get_untracked().parse::<usize>().ok(),
            positions,
            run: chosen_run(),
        });
    };
    let name_view = name.clone();
    let has_annotations = move || summary.get().is_some_and(|s| s.counts.total() > 0);
    view! {
        <Card id="classify" title="Find and classify beats" testid="classify-panel"
            intro="A QRS detector (Pan and Tompkins 1985) finds the R peaks of one lead at the record's own sampling rate, then a trained model labels every beat. It needs no annotation file, so it works on your own recordings; when the record has annotations, the result is compared with them beat by beat (ANSI/AAMI EC57, 150 ms window).">
            <div class="form-grid classify-form">
                <label for="classify-lead">
                    "Lead"
                    <select id="classify-lead" data-testid="classify-lead" on:change=move |ev| lead.set(event_target_value(&ev))>
                        <option value="auto" selected=true>
                            {move || summary.get().map_or("beat lead".into(), |s| format!("{} (beat lead)", s.beat_lead))}
                        </option>
                        {move || summary.get().map(|s| s.leads.into_iter().enumerate().map(|(k, l)| view! {
                            <option value=k.to_string()>{l}</option>
                        }).collect_view())}
                    </select>
                </label>
                <label for="classify-positions">
                    "Beats"
                    <select id="classify-positions" data-testid="classify-positions" on:change=move |ev| positions.set(event_target_value(&ev))>
                        <option value="lookahead" selected=true>"found by Pan–Tompkins 1985 with lookahead"</option>
                        <option value="pt1985">"found by Pan–Tompkins 1985 as published"</option>
                        <option value="annotated" disabled=move || !has_annotations()>"the record's annotated beats"</option>
                    </select>
                </label>
                <label for="classify-model">
                    "Model"
                    <select id="classify-model" data-testid="classify-model" on:change=move |ev| run.set(event_target_value(&ev))>
                        {move || {
                            let runs = state.runs.get();
                            let chosen = chosen_run();
                            let mut options: Vec<_> = runs.iter().rev().map(|r| {
                                let label = format!(
                                    "run {} — macro-F1 (N,S,V,F) {:.3}{}",
                                    r.id,
                                    r.evaluation.macro_f1_nsvf,
                                    if r.cancelled { ", cancelled" } else { "" }
                                );
                                view! { <option value=r.id.to_string() selected=chosen == Some(r.id)>{label}</option> }.into_any()
                            }).collect();
                            options.push(view! { <option value="none" selected=chosen.is_none()>"none — find beats only"</option> }.into_any());
                            options
                        }}
                    </select>
                </label>
            </div>
            {move || summary.get().filter(|s| !s.statements.is_empty()).map(|s| view! { <Statements statements=s.statements /> })}
            <Show when=move || state.runs.get().is_empty()>
                <p class="muted small" data-testid="classify-no-model">
                    "No model yet: train one in the Train tab (or load a saved model there). The detector alone still finds the beats."
                </p>
            </Show>
            <div class="actions">
                <button
                    class="primary"
                    data-testid="classify-run"
                    disabled=move || state.classify_pending.get() || state.busy.get()
                    on:click=start
                >
                    {move || if state.classify_pending.get() { "Working…" } else if chosen_run().is_some() { "Find and classify beats" } else { "Find beats" }}
                </button>
            </div>
            {move || {
                let v = state.classified.get().filter(|v| v.record == name_view)?;
                let statements = summary.get_untracked().map(|s| s.statements).unwrap_or_default();
                Some(view! { <ClassifiedResult v=v statements=statements /> })
            }}
        </Card>
    }
}

fn hint_text(h: BeatHint) -> String {
    match h {
        BeatHint::Class(c) => format!("{} beats", c.code()),
        BeatHint::SOrV => "S or V beats".into(),
    }
}

/// The record-level statements of a PTB-XL or Challenge record.
#[component]
fn Statements(statements: Vec<Statement>) -> impl IntoView {
    view! {
        <div class="statements" data-testid="record-statements">
            <h3>"Record-level statements"</h3>
            <p class="muted small">
                "What the database says of the whole recording — not where its beats are nor which class each has. They are shown for screening only and never become beat labels for training."
            </p>
            <ul>
                {statements.into_iter().map(|s| {
                    let likelihood = s.likelihood_percent.map(|l| format!(", likelihood {l:.0} %")).unwrap_or_default();
                    let beats = s.beats.map(|h| format!(" → implies {}", hint_text(h))).unwrap_or_default();
                    view! {
                        <li data-testid="statement" data-code=s.code.clone()>
                            <strong>{s.code.clone()}</strong>
                            {format!(" {}{likelihood} · {}{beats}", s.description.clone().unwrap_or_else(|| "(not described by the tables loaded)".into()), s.system)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// External screening against record-level statements: does the model find the beats a
/// statement implies? A weak check, kept apart from the annotated evaluation.
fn screening(v: &ClassifiedView, statements: &[Statement]) -> Option<String> {
    v.run?;
    let hints: Vec<BeatHint> = statements.iter().filter_map(|s| s.beats).collect();
    if hints.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for h in hints {
        let (found, what) = (implied_beats(h, &v.counts), hint_text(h));
        let word = if found > 0 { "consistent" } else { "not found" };
        parts.push(format!(
            "statements imply {what}: the model labelled {found} — {word}"
        ));
    }
    parts.dedup();
    Some(format!(
        "Screening against the record-level statements (weak labels, not an evaluation): {}.",
        parts.join("; ")
    ))
}

#[component]
fn ClassifiedResult(v: ClassifiedView, statements: Vec<Statement>) -> impl IntoView {
    let state = AppState::get();
    let screen = screening(&v, &statements)
        .map(|t| view! { <p class="weak-check" data-testid="classify-screening">{t}</p> });
    let how = match v.positions {
        BeatPositions::Detected(m) => format!("found by {m}"),
        BeatPositions::Annotated => "taken from the annotations".to_string(),
    };
    let by = v.run.map_or("not classified (no model)".to_string(), |id| {
        format!("classified by run {id}")
    });
    let headline = format!(
        "{} beats in lead {} ({:.0} s), {how}, {by}{} — detection {:.0} ms, classification {:.0} ms.",
        thousands(v.beats),
        v.lead_name,
        v.duration_s,
        v.mean_hr_bpm
            .map(|hr| format!("; mean heart rate {hr:.0} bpm"))
            .unwrap_or_default(),
        v.detect_ms,
        v.classify_ms
    );
    let bars = (v.run.is_some()).then(|| {
        view! {
            <Table class="counts-bars" testid="classify-counts" caption="Beats per predicted class" head=vec![col("Class"), num("Beats"), col("Share")]>
                {AamiClass::ALL.into_iter().map(|c| {
                    let n = v.counts.get(c);
                    let share = v.counts.share(c);
                    view! {
                        <tr data-testid=format!("classify-count-{}", c.code()) data-count=n.to_string()>
                            <th scope="row"><span class="swatch" style=format!("background:{}", class_colour(c))></span>{format!("{} {}", c.code(), c.name())}</th>
                            <td class="num">{thousands(n)}</td>
                            <td class="bar-cell">
                                <span class="cbar" style=format!("width:{:.1}%;background:{}", share * 70.0, class_colour(c))></span>
                                <span class="small">{format!("{:.1} %", share * 100.0)}</span>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </Table>
        }
    });
    let reference = v.reference.clone().map(|r| {
        let d = r.detection;
        let confusion = r.confusion.map(|m| {
            view! {
                <p class="small" id="classify-confusion-caption">{format!(
                    "Classes of the {} matched beats: {} agree with the annotations ({:.1} %). Rows: annotated class; columns: predicted.",
                    thousands(m.total() as usize), thousands(m.correct() as usize), m.accuracy() * 100.0
                )}</p>
                <Table class="confusion small" testid="classify-confusion" describedby="classify-confusion-caption" head=std::iter::once(col("annotated ↓ / predicted →")).chain(AamiClass::ALL.map(|c| num(c.code()))).collect()>
                    {AamiClass::ALL.into_iter().zip(m.counts).map(|(c, row)| view! {
                        <tr><th scope="row">{c.code()}</th>{row.into_iter().map(|x| view! { <td class="num">{thousands(x as usize)}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </Table>
            }
        });
        view! {
            <p data-testid="classify-detection" data-se=d.se().map(|x| format!("{x}")) data-ppv=d.ppv().map(|x| format!("{x}"))>
                {format!(
                    "Against the record's annotated beats: sensitivity {}, positive predictivity {} ({} matched, {} missed, {} extra).",
                    pct(d.se()), pct(d.ppv()), thousands(d.tp), thousands(d.fn_), thousands(d.fp)
                )}
            </p>
            {confusion}
        }
    });
    let adapt = v.run.is_some().then(|| {
        let has_annotations = v.reference.is_some();
        view! { <super::adapt::AdaptPanel v=v.clone() has_annotations=has_annotations /> }
    });
    let name = v.record.clone();
    // The found beats as a beat set (windows, model's classes, RR features), once a model
    // classified them.
    let beats_export = v.run.is_some().then(|| {
        let name = v.record.clone();
        let export = move |format| {
            state.send(Request::ExportBeats {
                beats: ExportedBeats::Record { name: name.clone() },
                format,
            });
        };
        let export_csv = export.clone();
        view! {
            <button class="secondary" data-testid="export-record-beats-csv" disabled=move || state.busy.get() on:click=move |_| export_csv(ExportFormat::Csv)>"Beats as Kaggle-style CSV"</button>
            <button class="secondary" data-testid="export-record-beats-parquet" disabled=move || state.busy.get() on:click=move |_| export(ExportFormat::Parquet)>"Beats as Parquet"</button>
        }
    });
    let file_hint = v.export_name.clone();
    view! {
        <div class="classify-result" data-testid="classify-result" data-beats=v.beats.to_string()>
            <p role="status">{headline}</p>
            {bars}
            {screen}
            {reference}
            <div class="actions">
                <button
                    data-testid="export-labels"
                    on:click=move |_| state.send(Request::ExportLabels { name: name.clone() })
                >
                    {format!("Save beat labels ({file_hint}, WFDB annotations)")}
                </button>
                {beats_export}
                <span class="muted small">"The strip above marks the found beats (▼, coloured by class) above the record's own annotations."</span>
            </div>
            {adapt}
        </div>
    }
}
