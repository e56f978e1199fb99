//! The Rebalance screen: a per-class target plan for the training split, what each augmentation
//! does to a real beat, and generating (and exporting) the rebalanced training set.

use leptos::prelude::*;

use super::card::Card;
use super::charts::{class_colour, polyline_path, range_of, thousands};
use super::distribution::DistributionTable;
use super::field::number_field;
use super::state::AppState;
use crate::dataset::rebalance::{Plan, RebalanceConfig};
use crate::ecg::aami::AamiClass;
use crate::session::views::NamedDistribution;
use crate::session::{ExportFormat, Request};

/// The plans of per-class targets: the value of `kind` and what the choice says.
const TARGETS: [(&str, &str); 4] = [
    (
        "seed",
        " The guide's plan: N 50,000 · S 8,000 · V 12,000 · F 5,000 · Q 20,000",
    ),
    ("balance", " Every class to K"),
    ("ratio", " Cap the ratio at R:1 (raise small classes only)"),
    ("custom", " Custom numbers"),
];

/// The rebalancing form's introduction: what it does, and to which beats.
const PLAN_INTRO: &str = "Classes above their target are randomly down-sampled; classes below keep every real beat and get augmented copies (each from one real beat, two techniques chained, its RR features and record kept). Only the training side of the split is touched — validation and test beats never are.";

/// The Rebalance screen.
#[component]
pub fn AugmentPanel() -> impl IntoView {
    let state = AppState::get();
    let kind = RwSignal::new("seed".to_string());
    let k = RwSignal::new("10000".to_string());
    let ratio = RwSignal::new("10".to_string());
    let custom: [RwSignal<String>; 5] =
        ["50000", "8000", "12000", "5000", "20000"].map(|v| RwSignal::new(v.to_string()));
    let seed = RwSignal::new("0".to_string());
    let preview_class = RwSignal::new(AamiClass::V);
    let preview_seed = RwSignal::new(1u64);
    let plan = move || -> Plan {
        let num = |s: RwSignal<String>| s.get().trim().parse::<f64>().ok();
        match kind.get().as_str() {
            "balance" => Plan::Balance(num(k).unwrap_or(10_000.0).max(0.0) as usize),
            "ratio" => Plan::Ratio(num(ratio).unwrap_or(10.0).max(1.0)),
            "custom" => Plan::Custom(custom.map(|c| num(c).unwrap_or(0.0).max(0.0) as usize)),
            _ => Plan::Seed,
        }
    };
    let config = move || RebalanceConfig {
        plan: plan(),
        seed: seed.get().trim().parse().unwrap_or(0),
        ..RebalanceConfig::default()
    };
    let has_data = move || {
        state
            .workspace
            .with(|w| w.record_counts.total() > 0 || !w.beat_files.is_empty())
    };
    // The form starts from the last set's settings (after a reload, those of the set made
    // again); asking for a set from the form notes them without writing the form back.
    Effect::new(move |_| {
        let Some(made) = state.rebalance_settings.get() else {
            return;
        };
        seed.set(made.seed.to_string());
        match made.plan {
            Plan::Seed => kind.set("seed".into()),
            Plan::Balance(n) => {
                k.set(n.to_string());
                kind.set("balance".into());
            }
            Plan::Ratio(r) => {
                ratio.set(r.to_string());
                kind.set("ratio".into());
            }
            Plan::Custom(targets) => {
                for (field, n) in custom.iter().zip(targets) {
                    field.set(n.to_string());
                }
                kind.set("custom".into());
            }
        }
    });
    // Ask for the plan's targets whenever the plan, the split or the data change.
    Effect::new(move |_| {
        let p = plan();
        let split = state.split.get();
        if has_data() {
            state.send(Request::AugmentPlan { plan: p, split });
        }
    });
    Effect::new(move |_| {
        let (class, s, split) = (preview_class.get(), preview_seed.get(), state.split.get());
        if has_data() {
            state.send(Request::AugmentPreview {
                class,
                per_technique: 8,
                seed: s,
                split,
            });
        }
    });
    view! {
        <Card id="plan" title="Rebalance the training split" intro=PLAN_INTRO>
            <div class="form-grid">
                <fieldset class="radios">
                    <legend>"Targets"</legend>
                    {TARGETS.map(|(value, text)| view! {
                        <label><input type="radio" name="plan" data-testid=format!("plan-{value}") prop:checked=move || kind.get() == value on:change=move |_| kind.set(value.into()) />{text}</label>
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Settings"</legend>
                    <Show when=move || kind.get() == "balance">{number_field("K ", "plan-k", k, "1")}</Show>
                    <Show when=move || kind.get() == "ratio">{number_field("R ", "plan-r", ratio, "1")}</Show>
                    <Show when=move || kind.get() == "custom">
                        {AamiClass::ALL.into_iter().zip(custom).map(|(c, sig)| view! {
                            <label>{format!("{} ", c.code())}<input type="number" min="0" data-testid=format!("plan-custom-{}", c.code()) prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /></label>
                        }).collect_view()}
                    </Show>
                    {number_field("Seed ", "plan-seed-value", seed, "1")}
                    <p class="muted small">"Techniques per class: all but frequency shift; frequency shift only for V and Q (it reshapes P and T, which tell N, S and F apart)."</p>
                </fieldset>
            </div>
            {move || state.augment_plan.get().map(|r| {
                let before = NamedDistribution { title: "Training split now".into(), records: Vec::new(), table: r.before.clone() };
                let after = NamedDistribution { title: "After the plan".into(), records: Vec::new(), table: r.after.clone() };
                view! {
                    <div class="dist-grid">
                        <DistributionTable key="before" data=before />
                        <DistributionTable key="after" data=after />
                    </div>
                    <p class="small" data-testid="plan-summary">
                        {format!("Adds {} augmented beats (N {}, S {}, V {}, F {}, Q {}) and leaves out {} by down-sampling.",
                            thousands(r.augmented.total()), thousands(r.augmented.0[0]), thousands(r.augmented.0[1]), thousands(r.augmented.0[2]), thousands(r.augmented.0[3]), thousands(r.augmented.0[4]), thousands(r.dropped.total()))}
                    </p>
                    <ul class="plan-warnings">
                        {r.warnings.iter().map(|w| view! { <li class="notice warning" data-testid="plan-warning">{w.to_string()}</li> }).collect_view()}
                    </ul>
                }
            })}
            <div class="buttons left">
                <button data-testid="rebalance-generate" disabled=move || state.busy.get() || !has_data() on:click=move |_| {
                    state.busy.set(true);
                    state.rebalanced.set(None);
                    let config = config();
                    state.rebalance_settings.update_untracked(|s| *s = Some(config.clone()));
                    state.send(Request::Rebalance { split: state.split.get_untracked(), config });
                }>"Generate the rebalanced training set"</button>
                <label class="checkbox">
                    <input type="checkbox" data-testid="rebalance-use" prop:checked=move || state.train_rebalance.get().is_some() on:change=move |ev| {
                        state.train_rebalance.set(event_target_checked(&ev).then(config));
                    } />
                    " Use this plan when training"
                </label>
            </div>
            {move || state.rebalanced.get().map(|(r, ms, beats)| view! {
                <p data-testid="rebalance-timing" data-ms=format!("{ms:.1}") data-beats=beats.to_string()>
                    {format!("Generated a training set of {} beats ({} augmented) in {:.2} s, in this tab.", thousands(beats), thousands(r.augmented.total()), ms / 1000.0)}
                </p>
                <div class="buttons left">
                    <button class="secondary" data-testid="export-rebalanced-csv" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportRebalanced { format: ExportFormat::Csv })>"Export as Kaggle-style CSV"</button>
                    <button class="secondary" data-testid="export-rebalanced-parquet" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportRebalanced { format: ExportFormat::Parquet })>"Export as Parquet"</button>
                    <button class="secondary" data-testid="export-rebalanced-native" disabled=move || state.busy.get() on:click=move |_| state.send(Request::ExportRebalanced { format: ExportFormat::EcgBeats })>"Export (.ecgbeats, loads back here)"</button>
                </div>
                <p class="muted small">"The CSV has one beat per row: 187 values at 125 Hz (the whole window, scaled to 0–1, zero-padded; R peak at index 31), then the class 0–4 — the layout of Kaggle's mitbih_train.csv."</p>
                <p class="muted small">"The Parquet file has one row per beat with the window as stored (mV, at the window's rate), the class (label, label_index), record, origin (real or augmented), R-peak position and RR features: pandas.read_parquet, Spark, Dask and Polars read it as it is."</p>
            })}
        </Card>
        <Card id="preview" title="What each technique does to a beat">
            <div class="inline-fields">
                <label for="preview-class">"Class "
                    <select id="preview-class" data-testid="preview-class" on:change=move |ev| {
                        if let Some(c) = AamiClass::from_code(&event_target_value(&ev)) { preview_class.set(c) }
                    }>
                        {AamiClass::ALL.into_iter().map(|c| view! { <option value=c.code() selected=move || preview_class.get() == c>{format!("{} {}", c.code(), c.name())}</option> }).collect_view()}
                    </select>
                </label>
                <button class="secondary" data-testid="preview-another" on:click=move |_| preview_seed.update(|s| *s += 1)>"Another beat"</button>
            </div>
            {move || state.augment_preview.get().map(|p| {
                let colour = class_colour(p.class);
                let (lo, hi) = range_of(p.original.iter().chain(p.techniques.iter().flat_map(|t| t.draws.iter().flat_map(|d| d.1.iter()))));
                let r_x = p.layout.r_index as f64 / (p.layout.len.max(2) - 1) as f64 * 200.0;
                view! {
                    <p class="muted small">{format!("A real {} beat from record {} (thick, dark) and 8 augmented copies per technique (thin).", p.class.name(), p.record)}</p>
                    <div class="gallery" data-testid="preview">
                        {p.techniques.into_iter().map(|t| view! {
                            <figure class="beat-card" data-testid=format!("preview-{}", t.name)>
                                <svg viewBox="0 0 200 120" role="img" aria-label=format!("{} copies of the beat with {}", t.draws.len(), t.label)>
                                    <line x1=format!("{r_x:.1}") x2=format!("{r_x:.1}") y1="0" y2="120" class="r-line" />
                                    {t.draws.iter().map(|(_, w)| view! { <path d=polyline_path(w, 200.0, 120.0, lo, hi) stroke=colour class="beat aug" /> }).collect_view()}
                                    <path d=polyline_path(&p.original, 200.0, 120.0, lo, hi) class="beat original" />
                                </svg>
                                <figcaption><strong>{t.label.clone()}</strong><br />{t.draws.first().map(|d| format!("e.g. {}", d.0)).unwrap_or_default()}</figcaption>
                            </figure>
                        }).collect_view()}
                    </div>
                }
            })}
        </Card>
    }
}
