//! The "Synthetic beats" section of the Rebalance screen: a per-class plan (the guide's F 4,000,
//! S 3,000, V 2,000 by default), built-in or fitted class models, a seed; generation in the
//! worker (progress and Cancel in the progress panel); a gallery per class (synthetic beats over
//! the real class-mean beat); the quality report; the generation speed; and the choice to add
//! the beats to the training beats of the next runs (training split only).

use leptos::prelude::*;

use super::card::Card;
use super::charts::{class_colour, polyline_path, range_of, thousands};
use super::state::AppState;
use super::table::{Col, Table, col};
use crate::dataset::synthetic::plan::{SynthMode, SynthTrainConfig};
use crate::ecg::aami::AamiClass;
use crate::session::views::{SynthClassView, SynthView};
use crate::session::{ExportFormat, ExportedBeats, Request};

fn fmt_opt(x: Option<f64>, digits: usize) -> String {
    x.map_or("—".into(), |v| format!("{v:.digits$}"))
}

fn pct_opt(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.1} %", v * 100.0))
}

/// The section.
#[component]
pub fn SynthPanel() -> impl IntoView {
    let state = AppState::get();
    let ss = state.synth;
    let d = SynthTrainConfig::default();
    let counts: [(AamiClass, RwSignal<String>); 3] = [AamiClass::F, AamiClass::S, AamiClass::V]
        .map(|c| (c, RwSignal::new(d.count_of(c).to_string())));
    let fitted = RwSignal::new(false);
    let seed = RwSignal::new(d.seed.to_string());
    let error = RwSignal::new(None::<String>);
    let has_data = move || state.workspace.with(|w| w.record_counts.total() > 0);
    // The form starts from the last set's settings (after a reload, those of the set made
    // again); asking for a set from the form notes them without writing the form back.
    Effect::new(move |_| {
        let Some(made) = ss.settings.get() else {
            return;
        };
        for (c, field) in counts {
            field.set(made.count_of(c).to_string());
        }
        fitted.set(made.mode == SynthMode::Fitted);
        seed.set(made.seed.to_string());
    });
    let plan = move || -> Result<SynthTrainConfig, String> {
        let mut out = Vec::new();
        for (c, s) in counts {
            let text = s.get_untracked();
            let n: usize = text.trim().parse().map_err(|_| {
                format!("the {c} count must be a whole number of beats, not \"{text}\"")
            })?;
            out.push((c, n));
        }
        let seed_text = seed.get_untracked();
        let seed: u64 = seed_text
            .trim()
            .parse()
            .map_err(|_| format!("the seed must be a whole number, not \"{seed_text}\""))?;
        let config = SynthTrainConfig {
            counts: out,
            mode: if fitted.get_untracked() {
                SynthMode::Fitted
            } else {
                SynthMode::Default
            },
            seed,
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    };
    let generate = move |_| match plan() {
        Ok(config) => {
            error.set(None);
            state.notices.set(Vec::new());
            state.busy.set(true);
            ss.running.set(true);
            ss.settings.update_untracked(|s| *s = Some(config.clone()));
            state.send(Request::Synthesize {
                split: state.split.get_untracked(),
                config,
            });
        }
        Err(e) => error.set(Some(e)),
    };
    view! {
        <Card id="synth" title="Synthetic beats (ECGSYN)" testid="synth-section"
            intro="Physiological synthetic beats for the minority classes: McSharry et al.'s ECGSYN (IEEE TBME 50(3), 2003) with class-specific P, Q, R, S, T events and timing (premature S and V beats, compensatory pause, F a blend of N and V), each beat from its own virtual patient with its own rhythm, noise and baseline wander. Fitted models are re-centred on a least-squares fit to the class-mean beat of the training split. Synthetic beats are only ever added to the training beats, never to validation or test.">
            <div class="form-grid">
                <fieldset>
                    <legend>"Beats per class"</legend>
                    {counts.into_iter().map(|(c, s)| {
                        let id = format!("synth-count-{}", c.code());
                        let (for_id, input_id) = (id.clone(), id.clone());
                        view! {
                            <label for=for_id>
                                {format!("{} ({}) ", c.code(), c.name())}
                                <input id=input_id type="number" min="0" step="1" data-testid=id
                                    prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <fieldset class="radios">
                    <legend>"Class models"</legend>
                    <label><input type="radio" name="synth-mode" data-testid="synth-mode-default" prop:checked=move || !fitted.get() on:change=move |_| fitted.set(false) />" Built-in tables"</label>
                    <label><input type="radio" name="synth-mode" data-testid="synth-mode-fitted" prop:checked=move || fitted.get() on:change=move |_| fitted.set(true) />" Fitted to the training split"</label>
                    <label for="synth-seed">"Seed "
                        <input id="synth-seed" type="number" step="1" data-testid="synth-seed" prop:value=move || seed.get() on:input=move |ev| seed.set(event_target_value(&ev)) />
                    </label>
                </fieldset>
            </div>
            {move || error.get().map(|e| view! { <p class="notice error" role="alert" data-testid="synth-error">{e}</p> })}
            <div class="buttons left">
                <button data-testid="synth-generate" disabled=move || state.busy.get() || !has_data() on:click=generate>
                    "Generate synthetic beats"
                </button>
            </div>
            {move || ss.view.get().map(|v| view! { <SynthResults view=v /> })}
        </Card>
    }
}

/// Speed, gallery, quality report and the add-to-training choice of a generated set.
#[component]
fn SynthResults(
    /// The worker's report.
    view: SynthView,
) -> impl IntoView {
    let state = AppState::get();
    let ss = state.synth;
    let export = move |format| {
        state.send(Request::ExportBeats {
            beats: ExportedBeats::Synthetic,
            format,
        });
    };
    let config = view.config.clone();
    let config_for_add = config.clone();
    let added = move || ss.add.get().is_some_and(|a| a == config_for_add);
    let total = view.counts.total();
    let layout = view.layout;
    view! {
        <div data-testid="synth-results">
            <p data-testid="synth-speed" data-beats-per-second=format!("{:.1}", view.beats_per_second)>
                {format!(
                    "{} synthetic beats — {} — in {:.2} s: {} beats/s in this tab's worker; quality report and train-on-synthetic check {:.1} s.",
                    thousands(total),
                    config.describe(),
                    view.generate_ms / 1000.0,
                    thousands(view.beats_per_second.round() as usize),
                    view.quality_ms / 1000.0
                )}
            </p>
            <h3>"Gallery: synthetic beats over the real class-mean beat"</h3>
            <div class="gallery" data-testid="synth-gallery">
                {view.classes.iter().map(|c| view! { <ClassOverlay class=c.clone() fs_hz=f64::from(layout.fs_hz) /> }).collect_view()}
            </div>
            <h3>"Quality report (against the real training-split beats)"</h3>
            <Table class="wrap-head" testid="synth-quality" caption="Quality of the synthetic beats per class" head=quality_columns()>
                {view.classes.iter().map(|c| {
                    let code = c.class.code();
                    view! {
                        <tr data-testid=format!("synth-quality-{code}")>
                            <th scope="row">{format!("{code}{}", match c.fitted { Some(true) => " (fitted)", Some(false) => " (table kept)", None => "" })}</th>
                            <td>{thousands(c.n_synthetic)}</td>
                            <td>{thousands(c.n_real)}</td>
                            <td data-testid=format!("synth-corr-{code}")>{format!("{} [{} – {}]", fmt_opt(c.corr_median, 3), fmt_opt(c.corr_q25, 3), fmt_opt(c.corr_q75, 3))}</td>
                            <td>{fmt_opt(c.real_corr_median, 3)}</td>
                            <td data-testid=format!("synth-nn-{code}")>{fmt_opt(c.nn_synthetic_to_real_mv, 3)}</td>
                            <td>{fmt_opt(c.nn_real_to_real_mv, 3)}</td>
                            <td data-testid=format!("synth-tstr-{code}")>{format!("{} (n {})", pct_opt(c.tstr_sensitivity), thousands(c.tstr_support))}</td>
                        </tr>
                    }
                }).collect_view()}
            </Table>
            <p class="muted small" data-testid="synth-tstr-method">
                {format!("Train on synthetic, test on real: {}; macro-F1 {}.", view.tstr_method, fmt_opt(view.tstr_macro_f1, 3))}
                " Correlation near the real beats' own median and a synthetic→real distance near the real→real one mean the synthetic beats look like real ones; much smaller distances would mean copies."
            </p>
            <label class="check">
                <input type="checkbox" data-testid="synth-add" prop:checked=added
                    on:change=move |ev| {
                        if event_target_checked(&ev) {
                            ss.add.set(Some(config.clone()));
                        } else {
                            ss.add.set(None);
                        }
                    } />
                " Add these synthetic beats to the training beats of the next training runs (training split only)"
            </label>
            <div class="buttons left">
                <button class="secondary" data-testid="export-synth-csv" disabled=move || state.busy.get() on:click=move |_| export(ExportFormat::Csv)>"Export as Kaggle-style CSV"</button>
                <button class="secondary" data-testid="export-synth-parquet" disabled=move || state.busy.get() on:click=move |_| export(ExportFormat::Parquet)>"Export as Parquet"</button>
            </div>
        </div>
    }
}

/// Synthetic beats of one class drawn over the real class-mean beat.
#[component]
fn ClassOverlay(
    /// The class's report.
    class: SynthClassView,
    /// Window rate, Hz (for the time axis label).
    fs_hz: f64,
) -> impl IntoView {
    let (w, h) = (240.0, 140.0);
    let (lo, hi) = range_of(
        class
            .examples
            .iter()
            .flatten()
            .chain(class.real_mean.iter()),
    );
    let colour = class_colour(class.class);
    let code = class.class.code();
    let ms = class.real_mean.len().max(1) as f64 / fs_hz * 1000.0;
    view! {
        <figure class="beat-card" data-testid=format!("synth-gallery-{code}")>
            <svg viewBox=format!("0 0 {w} {h}") width=w height=h role="img"
                aria-label=format!("{} synthetic {} beats (thin) over the real class-mean beat (thick black), {:.0} ms window", class.examples.len(), class.class.name(), ms)>
                {class.examples.iter().map(|b| view! {
                    <path class="beat aug" d=polyline_path(b, w, h, lo, hi) stroke=colour />
                }).collect_view()}
                <path class="beat original" d=polyline_path(&class.real_mean, w, h, lo, hi) />
            </svg>
            <figcaption>{format!("{code}: {} synthetic (thin), real mean of {} beats (thick)", class.examples.len(), thousands(class.n_real))}</figcaption>
        </figure>
    }
}

/// The headings of the synthetic beats' quality report, each saying what its column measures.
fn quality_columns() -> Vec<Col> {
    vec![
        col("Class"),
        col("Synthetic"),
        col("Real"),
        col("Corr. with real mean, median [IQR]")
            .title("Pearson correlation of each synthetic beat with the real class-mean beat"),
        col("Real beats' own")
            .title("Median correlation of the real beats with their own class mean"),
        col("NN synth→real (mV)")
            .title("Median RMS distance of a synthetic beat to its nearest real beat"),
        col("NN real→real (mV)")
            .title("Median RMS distance of a real beat to its nearest other real beat"),
        col("TSTR Se on real").title(
            "Sensitivity on real training-split beats of a model trained on synthetic beats only",
        ),
    ]
}
