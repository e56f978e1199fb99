//! The Train screen: settings, live curves, per-class results, and every run side by side.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::card::Card;
use super::charts::{class_colour, polyline_path, range_of, thousands};
use super::field::number_field;
use super::state::AppState;
use super::table::{Col, Shown, Table, col, num};
use crate::dataset::split::SplitKind;
use crate::dataset::weights::WeightScheme;
use crate::ecg::aami::AamiClass;
use crate::session::views::{RunReport, TrainProgress};
use crate::session::{ExportFormat, Request};
use crate::training::TrainConfig;

/// Most training workers a run may ask for.
const MAX_WORKERS: usize = 16;

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

/// A short description of a run's settings.
pub fn settings_text(c: &TrainConfig) -> String {
    let weights = match c.weights {
        WeightScheme::None => "no weights".to_string(),
        WeightScheme::MaxOverCount => "max/count weights".to_string(),
        WeightScheme::InverseFrequency => "inverse-frequency weights".to_string(),
        WeightScheme::EffectiveNumber { beta } => format!("effective-number weights (β {beta})"),
    };
    let focal = c
        .focal_gamma
        .filter(|g| *g > 0.0)
        .map(|g| format!(", focal γ {g}"))
        .unwrap_or_default();
    let split = match c.split {
        SplitKind::InterPatient { .. } => "inter-patient".to_string(),
        SplitKind::RandomBeats { test_fraction, .. } => {
            format!(
                "random beats {:.0} % test (optimistic)",
                test_fraction * 100.0
            )
        }
        SplitKind::Given => "file split".to_string(),
    };
    let rebalance = c
        .rebalance
        .as_ref()
        .map(|r| format!("; rebalanced: {}", r.plan.describe()))
        .unwrap_or_default();
    let synthetic = c
        .synthetic
        .as_ref()
        .map(|s| format!("; synthetic: {}", s.describe()))
        .unwrap_or_default();
    let workers = match c.worker_count() {
        1 => "1 worker".to_string(),
        n => format!("{n} workers"),
    };
    format!(
        "{weights}{focal}; {split}{rebalance}{synthetic}; ≤{} epochs, batch {}, lr {}, seed {}, {workers}",
        c.epochs, c.batch_size, c.learning_rate, c.seed
    )
}

/// The training form's introduction: the model, and what comes from the training split only.
const TRAIN_INTRO: &str = "A small 1D CNN on each beat (its window, and its difference from the patient's typical beat) joined with RR-interval features, trained here in a background worker. Class weights and RR statistics come from the training split only; a validation set of whole training records decides when to stop.";

/// The Train screen.
#[component]
pub fn TrainPanel() -> impl IntoView {
    let state = AppState::get();
    view! {
        <Settings />
        <Show when=move || state.train_progress.get().is_some()>
            <LiveCurves />
        </Show>
        {move || {
            let runs = state.runs.get();
            let id = state.selected_run.get().or_else(|| runs.last().map(|r| r.id));
            runs.into_iter().find(|r| Some(r.id) == id).map(|r| view! { <RunResults run=r /> })
        }}
        <RunsTable />
        <super::report::DownloadReport />
    }
}

#[component]
fn Settings() -> impl IntoView {
    let state = AppState::get();
    // The settings of the last run started, kept across reloads, or the defaults.
    let d = state.persist.settings.get_untracked().unwrap_or_default();
    let (random, s_seed, s_fraction) = match d.split {
        SplitKind::RandomBeats {
            seed,
            test_fraction,
        } => (true, seed, test_fraction),
        _ => (false, 42, 0.2),
    };
    let split_random = RwSignal::new(random);
    let split_seed = RwSignal::new(s_seed.to_string());
    let split_fraction = RwSignal::new(format!("{}", (s_fraction * 100.0).round()));
    let (s_scheme, s_beta) = match d.weights {
        WeightScheme::None => ("none", 0.9999),
        WeightScheme::InverseFrequency => ("inverse", 0.9999),
        WeightScheme::EffectiveNumber { beta } => ("effective", beta),
        WeightScheme::MaxOverCount => ("max-over-count", 0.9999),
    };
    let scheme = RwSignal::new(s_scheme.to_string());
    let beta = RwSignal::new(format!("{s_beta}"));
    let cap_text = |c: Option<f32>| c.map_or("0".into(), |c| format!("{c}"));
    let cap = RwSignal::new(cap_text(d.weight_cap));
    let focal_on = RwSignal::new(d.focal_gamma.is_some());
    let gamma = RwSignal::new(d.focal_gamma.map_or("2".into(), |g| format!("{g}")));
    let epochs = RwSignal::new(format!("{}", d.epochs));
    let batch = RwSignal::new(format!("{}", d.batch_size));
    let lr = RwSignal::new(format!("{}", d.learning_rate));
    let seed = RwSignal::new(format!("{}", d.seed));
    let workers = RwSignal::new(format!("{}", state.workers.get_untracked()));
    // The cap and the most epochs follow the split's defaults ([`TrainConfig::for_split`]) as
    // long as the person has not changed them.
    Effect::new(move |before: Option<bool>| {
        let random = split_random.get();
        if let Some(before) = before.filter(|b| *b != random) {
            let (from, to) = (TrainConfig::defaults(before), TrainConfig::defaults(random));
            if cap.get_untracked() == cap_text(from.weight_cap) {
                cap.set(cap_text(to.weight_cap));
            }
            if epochs.get_untracked() == from.epochs.to_string() {
                epochs.set(to.epochs.to_string());
            }
        }
        random
    });
    let has_data = move || {
        state
            .workspace
            .with(|w| w.record_counts.total() > 0 || !w.beat_files.is_empty())
    };
    let start = move |_| {
        let num = |s: RwSignal<String>, dflt: f64| {
            s.get_untracked().trim().parse::<f64>().unwrap_or(dflt)
        };
        let split = if split_random.get_untracked() {
            SplitKind::RandomBeats {
                seed: num(split_seed, 42.0) as u64,
                test_fraction: (num(split_fraction, 20.0) / 100.0).clamp(0.01, 0.9),
            }
        } else {
            SplitKind::default()
        };
        let weights = match scheme.get_untracked().as_str() {
            "none" => WeightScheme::None,
            "inverse" => WeightScheme::InverseFrequency,
            "effective" => WeightScheme::EffectiveNumber {
                beta: num(beta, 0.9999).clamp(0.0, 0.999_999),
            },
            _ => WeightScheme::MaxOverCount,
        };
        let cap_v = num(cap, 0.0) as f32;
        let config = TrainConfig::for_split(split)
            .with_weights(weights)
            .with_weight_cap((cap_v > 0.0).then_some(cap_v))
            .with_focal_gamma(focal_on.get_untracked().then(|| num(gamma, 2.0) as f32))
            .with_epochs(num(epochs, 12.0).clamp(1.0, 200.0) as usize)
            .with_batch_size(num(batch, 256.0).clamp(8.0, 4096.0) as usize)
            .with_learning_rate(num(lr, 1e-3).clamp(1e-6, 1.0))
            .with_seed(num(seed, 42.0) as u64)
            .with_rebalance(state.train_rebalance.get_untracked())
            .with_synthetic(state.synth.add.get_untracked());
        let n_workers = (num(workers, 1.0) as usize).clamp(1, MAX_WORKERS);
        state.workers.set(n_workers);
        state.followers.ensure(state, n_workers);
        let config = config.with_workers(Some(n_workers));
        state.persist.keep_settings(state, &config);
        state.notices.set(Vec::new());
        state.busy.set(true);
        state.train_progress.set(None);
        state.send(Request::Train {
            source: None,
            config,
        });
    };
    view! {
        <Card id="train" title="Train a class-weighted classifier" intro=TRAIN_INTRO>
            <div class="form-grid">
                <SplitChoice random=split_random seed=split_seed fraction=split_fraction />
                <fieldset>
                    <legend>"Class weights (from the training split)"</legend>
                    <label for="train-weights">"Scheme "
                        <select id="train-weights" data-testid="train-weights" on:change=move |ev| scheme.set(event_target_value(&ev)) prop:value=move || scheme.get()>
                            <option value="none">"none (every class 1)"</option>
                            <option value="max-over-count">"max count / class count (the guide's)"</option>
                            <option value="inverse">"inverse frequency, mean 1"</option>
                            <option value="effective">"effective number of samples (Cui 2019)"</option>
                        </select>
                    </label>
                    <Show when=move || scheme.get() == "effective">{number_field("β ", "train-beta", beta, "0.0001")}</Show>
                    {number_field("Cap (largest : smallest, 0 = none) ", "train-cap", cap, "1")}
                    <label><input type="checkbox" data-testid="train-focal" prop:checked=move || focal_on.get() on:change=move |ev| focal_on.set(event_target_checked(&ev)) />" Focal loss"</label>
                    <Show when=move || focal_on.get()>{number_field("γ ", "train-gamma", gamma, "0.5")}</Show>
                </fieldset>
                <fieldset>
                    <legend>"Training"</legend>
                    {number_field("Epochs (at most) ", "train-epochs", epochs, "1")}
                    {number_field("Batch size ", "train-batch", batch, "1")}
                    {number_field("Learning rate ", "train-lr", lr, "0.0001")}
                    {number_field("Seed ", "train-seed", seed, "1")}
                    <label for="train-workers" title="Web Workers that train in step, each on its share of every batch; the same seed and number give the same run">
                        "Workers "
                        <input id="train-workers" type="number" min="1" max=MAX_WORKERS.to_string() step="1" data-testid="train-workers" prop:value=move || workers.get() on:input=move |ev| workers.set(event_target_value(&ev)) />
                    </label>
                </fieldset>
            </div>
            {move || state.train_rebalance.get().map(|rc| view! {
                <p class="notice info" data-testid="train-rebalance-note">
                    {format!("The training beats will be rebalanced first ({}; set on the Rebalance screen).", rc.plan.describe())}
                    " "
                    <button class="link" on:click=move |_| state.train_rebalance.set(None)>"Train without it"</button>
                </p>
            })}
            {move || state.synth.add.get().map(|sc| view! {
                <p class="notice info" data-testid="train-synth-note">
                    {format!("Synthetic beats will be added to the training beats ({}; set on the Rebalance screen).", sc.describe())}
                    " "
                    <button class="link" on:click=move |_| state.synth.add.set(None)>"Train without them"</button>
                </p>
            })}
            <div class="buttons left">
                <button data-testid="train-start" disabled=move || state.busy.get() || !has_data() on:click=start>"Train"</button>
                <label class="button secondary">
                    "Load a model file…"
                    <input type="file" class="visually-hidden" accept=".model" data-testid="model-input" on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|l| l.get(0)) {
                            let name = file.name();
                            let split = state.split.get_untracked();
                            leptos::task::spawn_local(async move {
                                if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                                    if let Ok(buf) = buf.dyn_into::<js_sys::ArrayBuffer>() {
                                        state.busy.set(true);
                                        state.link.send(Request::ImportModel { name, split, bytes: Vec::new() }, vec![buf]);
                                    }
                                }
                            });
                        }
                        input.set_value("");
                    } />
                </label>
            </div>
            <Show when=move || !has_data()>
                <p class="muted small">"Load data first (Data screen)."</p>
            </Show>
        </Card>
    }
}

/// What the live chart draws for one progress update (`w` × `h` user units).
#[derive(Clone, PartialEq)]
struct Drawn {
    status: String,
    /// The loss axis' top.
    hi: f64,
    loss: String,
    f1: String,
}

impl Drawn {
    fn of(p: &TrainProgress, w: f64, h: f64) -> Drawn {
        let n = p.epochs.max(2) as f64;
        let x = |e: usize| (e as f64 - 1.0) / (n - 1.0) * w;
        let losses: Vec<f32> = p.history.iter().map(|e| e.train_loss).collect();
        let (_, hi) = range_of(losses.iter().chain(std::iter::once(&p.loss)));
        let points = |y: &dyn Fn(&crate::training::EpochStats) -> f64| {
            p.history
                .iter()
                .map(|e| format!("{:.1},{:.1}", x(e.epoch), y(e)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let best = p.history.iter().rfind(|e| e.best).map(|e| e.val_macro_f1);
        Drawn {
            status: format!(
                "Epoch {} of at most {}, batch {} of {} · loss {:.3} · {:.0} s elapsed, about {:.0} s left{}",
                p.epoch,
                p.epochs,
                p.batch,
                p.batches,
                p.loss,
                p.elapsed_ms / 1000.0,
                p.remaining_ms / 1000.0,
                best.map(|b| format!(" · best validation macro-F1 {b:.3}"))
                    .unwrap_or_default()
            ),
            hi,
            loss: points(&|e| h - f64::from(e.train_loss) / hi * h),
            f1: points(&|e| h - e.val_macro_f1 * h),
        }
    }
}

/// The running job's status line and curves. The card is built once per run; each progress
/// update (every 150 ms) changes only its text and the two lines.
#[component]
fn LiveCurves() -> impl IntoView {
    let state = AppState::get();
    let (w, h) = (600.0, 160.0);
    let drawn = Memo::new(move |_| {
        state
            .train_progress
            .with(|p| p.as_ref().map(|p| Drawn::of(p, w, h)))
    });
    let part = move |f: fn(&Drawn) -> String| {
        move || drawn.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <Show when=move || drawn.with(Option::is_some)>
            <Card id="curves" title="Training" testid="train-live">
                <p data-testid="train-status">{part(|d| d.status.clone())}</p>
                <svg class="curves" viewBox=format!("-40 -10 {} {}", w + 80.0, h + 40.0) role="img" aria-label="Training loss and validation macro-F1 per epoch">
                    <line x1="0" y1=format!("{h}") x2=format!("{w}") y2=format!("{h}") class="axis" />
                    <line x1="0" y1="0" x2="0" y2=format!("{h}") class="axis" />
                    <text x="-6" y="4" text-anchor="end" class="tick">{part(|d| format!("{:.2}", d.hi))}</text>
                    <text x=format!("{}", w + 6.0) y="4" class="tick">"1.0"</text>
                    <text x=format!("{}", w + 6.0) y=format!("{h}") class="tick">"0"</text>
                    <polyline points=part(|d| d.loss.clone()) class="loss-line" />
                    <polyline points=part(|d| d.f1.clone()) class="f1-line" />
                    <text x="0" y=format!("{}", h + 20.0) class="legend-loss">"— training loss (left)"</text>
                    <text x=format!("{}", w / 2.0) y=format!("{}", h + 20.0) class="legend-f1">"— validation macro-F1 (right)"</text>
                </svg>
            </Card>
        </Show>
    }
}

/// The results of one run.
#[component]
pub fn RunResults(
    /// The run.
    run: RunReport,
) -> impl IntoView {
    let state = AppState::get();
    let e = run.evaluation.clone();
    let classes = AamiClass::ALL;
    let id = run.id;
    let max_row: Vec<u64> = e.confusion.iter().map(|r| r.iter().sum()).collect();
    let layout = run.layout;
    let record_rows = run.record_rows();
    let mis_groups = {
        // (true, predicted) → beats, records.
        type Group = ((AamiClass, AamiClass), Vec<Vec<f32>>, Vec<String>);
        let mut groups: Vec<Group> = Vec::new();
        for m in &run.misclassified {
            match groups.iter_mut().find(|g| g.0 == (m.truth, m.predicted)) {
                Some(g) => {
                    g.1.push(m.window.clone());
                    g.2.push(m.record.clone());
                }
                None => groups.push((
                    (m.truth, m.predicted),
                    vec![m.window.clone()],
                    vec![m.record.clone()],
                )),
            }
        }
        groups
    };
    view! {
        <section class="card" aria-labelledby="results-title" data-testid="run-results" data-run=run.id.to_string()>
            <div class="card-head">
                <h2 id="results-title">{format!("Run {} — results on the test set{}", run.id, if run.cancelled { " (cancelled: best model so far)" } else { "" })}</h2>
                <div class="buttons">
                    <button class="secondary" data-testid="export-json" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportRun { id, format: ExportFormat::Json })>"Metrics JSON"</button>
                    <button class="secondary" data-testid="export-csv" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportRun { id, format: ExportFormat::Csv })>"Metrics CSV"</button>
                    <button class="secondary" data-testid="export-model" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportModel { id })>"Model file"</button>
                </div>
            </div>
            <p class="muted small" data-testid="run-settings">{format!("{} · {} · trained in {:.1} s on {} beats (validation records: {}); the {} best epochs ({}) vote.",
                settings_text(&run.config), run.split_text, run.train_seconds, thousands(run.train_counts.total()),
                if run.val_records.is_empty() { "none".to_string() } else { run.val_records.join(", ") },
                run.ensemble_epochs.len(), run.ensemble_epochs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", "))}</p>
            {run.optimistic.then(|| {
                let text = if run.seen_test_records.is_empty() {
                    "Optimistic split: the same patients are in training and test.".to_string()
                } else {
                    format!("Optimistic: this model was trained on {} of the test records ({}); those figures do not describe new patients.",
                        run.seen_test_records.len(), run.seen_test_records.join(", "))
                };
                view! { <p class="warning-banner" data-testid="optimistic-run">{text}</p> }
            })}
            {run.trained_on_unknown.then(|| view! { <p class="warning-banner">"This model file does not say which records it was trained on (it predates that field): if any test record was among them, these figures are optimistic."</p> })}
            <div class="results-grid">
                <div>
                    <h3>"Per class"</h3>
                    <Table testid="per-class-table" head=vec![col("Class"), num("Se %"), num("+P %"), num("F1"), num("Spec %"), num("Support")]>
                        {classes.iter().zip(e.per_class.iter()).map(|(c, m)| view! {
                            <tr data-testid=format!("metric-{}", c.code())>
                                <th scope="row"><span class="swatch" style=format!("background:{}", class_colour(*c))></span>{c.code()}</th>
                                <td class="num" data-testid="se">{pct(m.se)}</td>
                                <td class="num" data-testid="ppv">{pct(m.ppv)}</td>
                                <td class="num" data-testid="f1">{format!("{:.3}", m.f1)}</td>
                                <td class="num" data-testid="spec">{pct(m.spec)}</td>
                                <td class="num" data-testid="support">{thousands(m.support as usize)}</td>
                            </tr>
                        }).collect_view()}
                    </Table>
                    <dl class="overall">
                        <dt>"Accuracy"</dt><dd data-testid="accuracy">{pct(e.accuracy)}" %"</dd>
                        <dt>"Macro-F1"</dt><dd data-testid="macro-f1">{format!("{:.3}", e.macro_f1)}</dd>
                        <dt>"Macro-F1 (N, S, V, F)"</dt><dd data-testid="macro-f1-nsvf">{format!("{:.3}", e.macro_f1_nsvf)}</dd>
                        <dt>"Weighted F1"</dt><dd data-testid="weighted-f1">{format!("{:.3}", e.weighted_f1)}</dd>
                    </dl>
                    <p class="muted small">"Accuracy is shown last on purpose: predicting N for every beat would already score about 90 %."</p>
                </div>
                <div>
                    <h3>"Confusion matrix"</h3>
                    <Table class="heatmap" testid="confusion" shown=Shown::Note caption="Rows: true class · columns: predicted · count and % of the row" head=std::iter::once(col("true \\ predicted")).chain(classes.iter().map(|c| num(c.code()))).collect()>
                        {e.confusion.iter().enumerate().map(|(t, row)| {
                            let c = classes[t];
                            view! {
                                <tr>
                                    <th scope="row">{c.code()}</th>
                                    {row.iter().enumerate().map(|(p, &v)| {
                                        let share = if max_row[t] > 0 { v as f64 / max_row[t] as f64 } else { 0.0 };
                                        let strong = share > 0.5;
                                        let bg = if t == p { format!("rgba(22,101,52,{:.2})", 0.08 + 0.85 * share) } else { format!("rgba(180,35,24,{:.2})", (0.85 * share).min(0.85)) };
                                        view! {
                                            <td class="num cell" class:strong=strong style=format!("background:{bg}") data-testid=format!("cm-{}-{}", t, p)>
                                                <span class="count">{thousands(v as usize)}</span>
                                                <span class="share">{format!("{:.1} %", share * 100.0)}</span>
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </Table>
                </div>
                <div>
                    <h3>"The guide's success indicators"</h3>
                    <ul class="indicators" data-testid="indicators">
                        {e.indicators.iter().map(|i| view! {
                            <li class:pass=i.pass class:fail=!i.pass>
                                <span class="mark-icon" aria-hidden="true">{if i.pass { "✓" } else { "✗" }}</span>
                                <span>{format!("{} > {:.0} %", i.name, i.threshold * 100.0)}</span>
                                <strong>{format!("{:.1} %", i.value * 100.0)}</strong>
                                <span class="visually-hidden">{if i.pass { "pass" } else { "fail" }}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="muted small">{format!("Class weights N {:.2} · S {:.2} · V {:.2} · F {:.2} · Q {:.2}", run.class_weights[0], run.class_weights[1], run.class_weights[2], run.class_weights[3], run.class_weights[4])}</p>
                </div>
            </div>
            <h3>"Per record: where the S, V and F errors live"</h3>
            <p class="muted small">"Each test record's ectopic beats found of those present (Se) and its false alarms, most S and F errors first. In DS2, record 232 holds about three quarters of the S beats and 213 most of the F beats."</p>
            <Table testid="per-record-table" head=per_record_columns()>
                {record_rows.into_iter().map(|r| view! {
                    <tr data-testid=format!("record-row-{}", r.record)>
                        <th scope="row">{r.record.clone()}</th>
                        <td class="num">{thousands(r.beats as usize)}</td>
                        {r.classes.iter().map(|c| view! {
                            <td class="num">{format!("{} / {}", thousands(c.found as usize), thousands(c.support as usize))}</td>
                            <td class="num">{c.se.map_or("–".to_string(), pct)}</td>
                            <td class="num">{thousands(c.false_alarms as usize)}</td>
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </Table>
            <h3>"Misclassified beats"</h3>
            <div class="gallery" data-testid="misclassified">
                {if mis_groups.is_empty() { Some(view! { <p class="muted">"None."</p> }) } else { None }}
                {mis_groups.into_iter().map(|((t, p), beats, records)| {
                    let (lo, hi) = range_of(beats.iter().flatten());
                    let r_x = layout.r_index as f64 / (layout.len.max(2) - 1) as f64 * 200.0;
                    view! {
                        <figure class="beat-card">
                            <svg viewBox="0 0 200 120" role="img" aria-label=format!("{} true {} beats predicted {}", beats.len(), t.name(), p.name())>
                                <line x1=format!("{r_x:.1}") x2=format!("{r_x:.1}") y1="0" y2="120" class="r-line" />
                                {beats.iter().map(|b| view! { <path d=polyline_path(b, 200.0, 120.0, lo, hi) stroke=class_colour(t) class="beat" /> }).collect_view()}
                            </svg>
                            <figcaption>{format!("true {} → predicted {} · records {}", t.code(), p.code(), { let mut r = records.clone(); r.dedup(); r.join(", ") })}</figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

/// How the run splits its beats: by patient (DS1 → DS2) or, labelled optimistic, random beats
/// with their own seed and test share.
#[component]
fn SplitChoice(
    /// Random beats when true.
    random: RwSignal<bool>,
    /// The random split's seed (text of the input).
    seed: RwSignal<String>,
    /// The random split's test share in % (text of the input).
    fraction: RwSignal<String>,
) -> impl IntoView {
    view! {
        <fieldset class="radios">
            <legend>"Split"</legend>
            <label><input type="radio" name="train-split" data-testid="train-split-inter" prop:checked=move || !random.get() on:change=move |_| random.set(false) />" By patient: DS1 → DS2 (de Chazal 2004) "<span class="badge good">"honest"</span></label>
            <label><input type="radio" name="train-split" data-testid="train-split-random" prop:checked=move || random.get() on:change=move |_| random.set(true) />" Random beats "<span class="badge warn">"optimistic"</span></label>
            <Show when=move || random.get()>
                <div class="inline-fields">
                    {number_field("Split seed ", "train-split-seed", seed, "1")}
                    {number_field("Test share (%) ", "train-split-fraction", fraction, "1")}
                </div>
            </Show>
        </fieldset>
    }
}

#[component]
fn RunsTable() -> impl IntoView {
    let state = AppState::get();
    view! {
        <Show when=move || !state.runs.get().is_empty()>
            <Card id="runs" title="All runs, side by side">
                <Table testid="runs-table" head=run_columns()>
                    {move || state.runs.get().into_iter().map(|r| {
                        let id = r.id;
                        let e = r.evaluation.clone();
                        let epoch_ms = r.epoch_seconds.iter().map(|s| format!("{:.0}", s * 1000.0)).collect::<Vec<_>>().join(",");
                        // A run kept from a worker that stopped: its figures, not its model.
                        let kept = state.restart.is_kept_run(id);
                        let remove = move |_| {
                            if kept {
                                state.restart.forget_run(id);
                                state.runs.update(|r| r.retain(|x| x.id != id));
                            } else {
                                state.send(Request::RemoveRun { id });
                            }
                        };
                        view! {
                            <tr data-testid="run-row" data-run=id.to_string() data-epoch-ms=epoch_ms data-kept=kept.to_string() class:selected=move || state.selected_run.get() == Some(id)>
                                <th scope="row">
                                    {format!("#{id}{}", if r.cancelled { " (cancelled)" } else { "" })}
                                    {kept.then(|| view! { <span class="muted small" title="The worker that trained this run stopped: its figures are kept, its model is not.">" figures only"</span> })}
                                </th>
                                <td class="wrap">{settings_text(&r.config)}</td>
                                {e.per_class.iter().map(|m| view! { <td class="num">{format!("{} / {} / {:.2}", pct(m.se), pct(m.ppv), m.f1)}</td> }).collect_view()}
                                <td class="num">{format!("{:.3}", e.macro_f1_nsvf)}</td>
                                <td class="num">{pct(e.accuracy)}" %"</td>
                                <td class="num">{format!("{:.0} s", r.train_seconds)}</td>
                                <td>
                                    <button class="link" on:click=move |_| state.selected_run.set(Some(id))>"show"</button>
                                    <button class="link danger" on:click=remove>"remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </Table>
            </Card>
        </Show>
    }
}

/// The headings of the per-record table: each ectopic class's beats found, sensitivity and
/// false alarms.
fn per_record_columns() -> Vec<Col> {
    let per_class = ["S", "V", "F"].into_iter().flat_map(|c| {
        [
            num(format!("{c} found")),
            num(format!("{c} Se %")),
            num(format!("{c} false alarms")),
        ]
    });
    [col("Record"), num("Beats")]
        .into_iter()
        .chain(per_class)
        .collect()
}

/// The headings of the table of runs.
fn run_columns() -> Vec<Col> {
    let per_class = AamiClass::ALL.map(|c| num(format!("{} Se / +P / F1", c.code())));
    [col("Run"), col("Settings")]
        .into_iter()
        .chain(per_class)
        .chain([
            num("Macro-F1 NSVF"),
            num("Accuracy"),
            num("Time"),
            col("Actions"),
        ])
        .collect()
}
