//! The Leptos page (wasm32 only): components and app state over the core.
//!
//! - [`state`]: the one [`state::AppState`] context (signals, the line to the worker, the fetch
//!   and synthetic-beat sub-states) and where every answer of the worker lands;
//! - [`link`]: numbering requests and dropping stale answers; [`bridge`]: starting the worker,
//!   routing its answers, the browser's file plumbing; [`loading`]: sending a load in parts;
//!   [`worker`]: the Web Worker's side;
//!   [`state::followers`]: the extra workers of data-parallel training, and passing their messages on;
//! - [`fetch`]: the "Get data" panel (network, cache, components);
//! - the screens: [`data`], [`record`], [`classify`] (with [`adapt`], adapting a model to the
//!   record's patient), [`distribution`], [`augment`], [`synth`], [`train`]; [`charts`]: drawing
//!   helpers.
//!
//! Views read signals of [`state::AppState`] and send requests to the worker; they compute no
//! number themselves — every figure is a method on a core type, computed in the worker.

pub mod adapt;
pub mod augment;
pub mod bridge;
pub mod card;
pub mod charts;
pub mod classify;
pub mod data;
pub mod distribution;
pub mod fetch;
pub mod field;
pub mod link;
pub mod loading;
pub mod offline;
pub mod record;
pub mod report;
pub mod state;
pub mod storage;
pub mod synth;
pub mod table;
pub mod train;
pub mod worker;

use leptos::prelude::*;

/// Mounts the page.
pub fn start_app() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The screens of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Loading data and looking at records.
    Data,
    /// The class distribution per split.
    Distribution,
    /// Rebalancing the training split.
    Augment,
    /// Training and per-class results.
    Train,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Data, Tab::Distribution, Tab::Augment, Tab::Train];

    fn label(self) -> &'static str {
        match self {
            Tab::Data => "1 · Data",
            Tab::Distribution => "2 · Class balance",
            Tab::Augment => "3 · Rebalance",
            Tab::Train => "4 · Train & evaluate",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Data => "data",
            Tab::Distribution => "distribution",
            Tab::Augment => "augment",
            Tab::Train => "train",
        }
    }
}

#[component]
fn App() -> impl IntoView {
    let state = bridge::provide_state();
    let tab = RwSignal::new(Tab::Data);
    provide_context(tab);
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <div class="brand">
                <h1>"ECG Balance Lab"</h1>
                <p class="tagline">
                    "Measure and fix class imbalance in heartbeat data, train a weighted classifier, read per-class metrics — in your browser. "
                    <strong>"Nothing leaves this machine."</strong>
                </p>
            </div>
            <nav class="tabs" role="tablist" aria-label="Steps">
                {Tab::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <button
                                role="tab"
                                id=format!("tab-{}", t.id())
                                data-testid=format!("tab-{}", t.id())
                                aria-selected=move || (tab.get() == t).to_string()
                                aria-controls="main"
                                class:active=move || tab.get() == t
                                on:click=move |_| tab.set(t)
                            >
                                {t.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
        </header>
        <main id="main" role="tabpanel" tabindex="-1">
            <data::ProgressPanel />
            {move || state.worker_alert.get().map(|text| view! {
                <section class="card notice error worker-alert" role="alert" data-testid="worker-alert">
                    <p>{text}</p>
                    <button class="link" on:click=move |_| state.worker_alert.set(None)>"Dismiss"</button>
                </section>
            })}
            {move || state.workspace.with(|w| w.demo).map(|seed| view! {
                <section class="card notice demo-banner" role="note" data-testid="demo-banner" data-seed=seed.to_string()>
                    <strong>"Demo set — synthetic data, not patients. "</strong>
                    "24 simulated patients (ECGSYN, McSharry et al., IEEE TBME 50(3), 2003) with beat annotations and the seed guide's MIT-BIH class mix: N 79.3 %, Q 10.4 %, V 6.8 %, S 3.0 %, F 0.5 %. "
                    "Everything on this page works on it; drop your own ECG files on the Data screen to replace it."
                </section>
            })}
            {move || match tab.get() {
                Tab::Data => view! { <data::DataPanel /> }.into_any(),
                Tab::Distribution => view! { <distribution::DistributionPanel /> }.into_any(),
                Tab::Augment => view! { <augment::AugmentPanel /><synth::SynthPanel /> }.into_any(),
                Tab::Train => view! { <train::TrainPanel /> }.into_any(),
            }}
        </main>
        <footer class="credits">
            <p>
                "Runs entirely in this tab (Rust compiled to WebAssembly): files you drop are read here and never uploaded. "
                "MIT-BIH Arrhythmia Database: Moody GB, Mark RG, “The impact of the MIT-BIH Arrhythmia Database”, IEEE Eng Med Biol 20(3):45–50 (2001); "
                "Goldberger AL et al., “PhysioBank, PhysioToolkit, and PhysioNet”, Circulation 101(23):e215–e220 (2000); "
                "ODC Attribution License v1.0. "
                "PTB-XL: Wagner P et al., Scientific Data 7:154 (2020), CC BY 4.0. "
                "Classes follow ANSI/AAMI EC57; the inter-patient split follows de Chazal et al., IEEE TBME 51(7), 2004."
            </p>
            <storage::KeptLine />
            <offline::OfflineStatus />
        </footer>
        {move || (!state.worker_ready.get()).then(|| view! {
            <p class="sr-only" role="status">"Starting the background worker…"</p>
        })}
    }
}
