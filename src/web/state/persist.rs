//! "A reload loses nothing": the page keeps the person's work in this browser's storage
//! (IndexedDB, `src/web/persist.js`) and brings it back when the page opens again.
//!
//! Kept: the files loaded from disk (the browser's copies of them, not paths), records removed
//! since, the rates given to plain CSVs, and every finished run —
//! its figures and its model file (asked of the worker with [`Request::KeepRun`]). The sets made
//! from the workspace — the rebalanced training set, the synthetic beats, and the beats of a
//! record picked for labelling to adapt a model to that patient with the labels given so far —
//! are kept as the requests that made them: each is seeded, so it is made again bit for bit
//! (their settings are forgotten when the workspace changes under them). On the next
//! visit the files are read again into the worker, then the runs given back
//! ([`Request::RestoreRun`]) and the sets made again; with no file kept the page opens on the
//! demo set as on a first visit (what was made from it comes back too), and the page says what
//! it restored, in how long and how much space it uses. Nothing is kept without the footer saying so; "Forget everything" deletes it all.
//! When the browser refuses to store (its quota is full, private browsing) the session goes on
//! and a notice says what was not kept.

use std::collections::VecDeque;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use serde::{Deserialize, Serialize};

use super::AppState;
use crate::ecg::aami::AamiClass;
use crate::session::Request;
use crate::session::views::RunReport;
use crate::training::TrainConfig;

#[wasm_bindgen(module = "/src/web/persist.js")]
extern "C" {
    #[wasm_bindgen(js_name = keepFiles)]
    fn keep_files_js(items: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = forgetFiles)]
    fn forget_files_js() -> js_sys::Promise;
    #[wasm_bindgen(js_name = setMeta)]
    fn set_meta_js(key: &str, value: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = deleteMeta)]
    fn delete_meta_js(keys: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = keepRun)]
    fn keep_run_js(id: u32, report: &str, model: &js_sys::ArrayBuffer) -> js_sys::Promise;
    #[wasm_bindgen(js_name = forgetRun)]
    fn forget_run_js(id: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = restore)]
    fn restore_js() -> js_sys::Promise;
    #[wasm_bindgen(js_name = summary)]
    fn summary_js() -> js_sys::Promise;
    #[wasm_bindgen(js_name = forgetAll)]
    fn forget_all_js() -> js_sys::Promise;
}

/// What the browser keeps, in short (the footer's line).
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// Files kept.
    pub files: u32,
    /// Runs kept, with their models.
    pub runs: u32,
    /// Bytes of the files and runs.
    pub bytes: f64,
    /// The browser's estimate for the whole page (its own files for offline use included).
    pub usage: f64,
}

/// What [`Persist::restore`] found.
pub enum Restored {
    /// Nothing kept: the page opens on the demo set.
    Nothing,
    /// Files to read into the worker (`{ path, file }` items); the rest follows once they are read.
    Files(JsValue),
    /// Runs of the demo set, given back.
    Done,
}

/// The beats of a record being labelled to adapt a run's model to that patient: the
/// classification they were asked under, the request that picked them and the labels given.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct KeptAdapt {
    classify: Request,
    queries: Request,
    labels: Vec<Option<AamiClass>>,
}

impl KeptAdapt {
    /// The run and record of the queries.
    fn target(&self) -> Option<(u32, &str)> {
        match &self.queries {
            Request::AdaptQueries { run, record, .. } => Some((*run, record.as_str())),
            _ => None,
        }
    }
}

/// The meta keys of what is made from the workspace (`MADE` in `persist.js`).
const REBALANCE: &str = "rebalance";
const SYNTHESIZE: &str = "synthesize";
const ADAPT: &str = "adapt";

/// Runs and facts to give the worker once the kept files are read again.
struct AfterLoad {
    runs: Vec<(RunReport, js_sys::ArrayBuffer)>,
    removed: Vec<String>,
    rates: Vec<(String, f64)>,
    rebalance: Option<Request>,
    synthesize: Option<Request>,
    adapt: Option<KeptAdapt>,
    files: u32,
    bytes: f64,
    started_ms: f64,
}

/// The page's side of its storage (a handle: copies share it).
#[derive(Clone, Copy)]
pub struct Persist {
    /// False once the browser refused to store (the session goes on without it).
    on: StoredValue<bool>,
    /// Run numbers asked of the worker with `KeepRun`, in order: their model files answer them.
    asked: StoredValue<VecDeque<u32>>,
    after_load: StoredValue<Option<AfterLoad>, LocalStorage>,
    /// Records removed since the files were loaded (removed again after a reload).
    removed: StoredValue<Vec<String>>,
    /// What is kept, for the footer.
    pub kept: RwSignal<Option<Kept>>,
    /// Number of the latest summary asked for: an older one that answers late is not shown.
    asking: StoredValue<u64>,
    /// What the page restored when it opened, in words.
    pub restored: RwSignal<Option<String>>,
    /// Why the browser refused to keep the work (nothing more is kept this visit).
    pub refused: RwSignal<Option<String>>,
    /// The training settings of the last run started (the Train form opens with them).
    pub settings: RwSignal<Option<TrainConfig>>,
    /// The last classification asked for (the beats to label for an adaptation are asked under
    /// one).
    classify: StoredValue<Option<Request>>,
    /// The beats being labelled, as kept.
    adapt: StoredValue<Option<KeptAdapt>>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn number(v: &JsValue, name: &str) -> f64 {
    field(v, name).as_f64().unwrap_or(0.0)
}

/// `n` and `noun`, plural when `n` is not 1 ("1 file", "3 files").
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Megabytes, one decimal.
pub fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

impl Persist {
    /// Nothing kept yet.
    pub fn new() -> Self {
        Self {
            on: StoredValue::new(true),
            asked: StoredValue::new(VecDeque::new()),
            after_load: StoredValue::new_local(None),
            removed: StoredValue::new(Vec::new()),
            kept: RwSignal::new(None),
            asking: StoredValue::new(0),
            restored: RwSignal::new(None),
            refused: RwSignal::new(None),
            settings: RwSignal::new(None),
            classify: StoredValue::new(None),
            adapt: StoredValue::new(None),
        }
    }

    /// Runs `promise` (a store operation); refreshes the footer's line after it, or says once
    /// that the browser refused and keeps nothing more this visit.
    fn run(&self, state: AppState, what: &'static str, promise: js_sys::Promise) {
        let this = *self;
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => this.refresh(),
                Err(e) => this.refused(state, what, &e),
            }
        });
    }

    fn refused(&self, state: AppState, what: &str, e: &JsValue) {
        if !self.on.get_value() {
            return;
        }
        self.on.set_value(false);
        let name = field(e, "name").as_string().unwrap_or_default();
        let message = field(e, "message").as_string().unwrap_or_default();
        let why = if name == "QuotaExceededError" {
            "the browser's storage for this page is full".to_string()
        } else {
            format!("the browser refused ({name}: {message})")
        };
        self.refused
            .set(Some(format!("{what} could not be kept: {why}")));
        state.notify(
            "warning",
            None,
            format!(
                "Could not keep {what} in this browser: {why}. Everything goes on working, but \
                 from now on this visit's work is lost on a reload. \"Forget everything\" (at the \
                 foot of the page) frees the space."
            ),
        );
        self.refresh();
    }

    /// Asks the browser what is kept, for the footer.
    pub fn refresh(&self) {
        let kept = self.kept;
        let asking = self.asking;
        let mut this_ask = 0;
        asking.update_value(|n| {
            *n += 1;
            this_ask = *n;
        });
        leptos::task::spawn_local(async move {
            let summary = wasm_bindgen_futures::JsFuture::from(summary_js()).await;
            if asking.get_value() != this_ask {
                return;
            }
            if let Ok(s) = summary {
                kept.set(Some(Kept {
                    files: number(&s, "files") as u32,
                    runs: number(&s, "runs") as u32,
                    bytes: number(&s, "bytes"),
                    usage: number(&s, "usage"),
                }));
            }
        });
    }

    /// Files the person chose or dropped are on their way to the worker.
    pub fn files_loaded(&self, state: AppState, items: &JsValue) {
        if self.on.get_value() {
            self.run(state, "your files", keep_files_js(items));
            self.workspace_changed(state, None);
        }
    }

    /// The workspace changed (`removed`: only that record went): the sets made from it before
    /// are not made again on the next visit.
    fn workspace_changed(&self, state: AppState, removed: Option<&str>) {
        let mut keys = vec![REBALANCE, SYNTHESIZE];
        let adapt_gone = self.adapt.with_value(|a| {
            a.as_ref().is_some_and(|a| {
                removed.is_none_or(|name| a.target().is_some_and(|(_, r)| r == name))
            })
        });
        if adapt_gone {
            self.adapt.set_value(None);
            keys.push(ADAPT);
        }
        let keys: js_sys::Array = keys.into_iter().map(JsValue::from).collect();
        self.run(state, "the change", delete_meta_js(&keys));
    }

    /// Keeps `request` (which made a set from the workspace) under `key`.
    fn keep_request(&self, state: AppState, key: &str, what: &'static str, request: &Request) {
        if let Ok(json) = serde_json::to_string(request) {
            self.run(state, what, set_meta_js(key, &JsValue::from(json)));
        }
    }

    fn keep_adapt(&self, state: AppState) {
        let json = self
            .adapt
            .with_value(|a| a.as_ref().and_then(|a| serde_json::to_string(a).ok()));
        if let Some(json) = json {
            self.run(
                state,
                "the labels",
                set_meta_js(ADAPT, &JsValue::from(json)),
            );
        }
    }

    /// The labels given to the beats being labelled changed.
    pub fn adapt_labels(&self, state: AppState, labels: &[Option<AamiClass>]) {
        if !self.on.get_value() {
            return;
        }
        let mut changed = false;
        self.adapt.update_value(|a| {
            if let Some(a) = a.as_mut() {
                // Fewer beats shown than kept, with the same labels: a reopened page shows the
                // first round again while the later rounds' labels wait in `AdaptState` for their
                // round; they stay kept. A first-round label changed makes the copy pick other
                // beats for the later rounds, so their kept labels go (and a fresh request starts
                // from no label at all).
                let mut merged = labels.to_vec();
                if a.labels.starts_with(labels) {
                    merged.extend(a.labels.iter().skip(labels.len()).copied());
                }
                if a.labels != merged {
                    a.labels = merged;
                    changed = true;
                }
            }
        });
        if changed {
            self.keep_adapt(state);
        }
    }

    /// A request that changes what a reload must rebuild is being sent.
    pub fn on_send(&self, state: AppState, request: &Request) {
        if !self.on.get_value() {
            return;
        }
        match request {
            Request::LoadDemo { .. } => {
                self.removed.set_value(Vec::new());
                self.adapt.set_value(None);
                self.run(state, "the demo set", forget_files_js());
            }
            Request::Clear => {
                self.removed.set_value(Vec::new());
                self.adapt.set_value(None);
                self.run(state, "the removal", forget_files_js());
            }
            Request::RemoveRun { id } => {
                self.run(state, "the removal", forget_run_js(*id));
                if self.adapt.with_value(|a| {
                    a.as_ref()
                        .and_then(KeptAdapt::target)
                        .is_some_and(|(run, _)| run == *id)
                }) {
                    self.adapt.set_value(None);
                    let keys: js_sys::Array = std::iter::once(JsValue::from(ADAPT)).collect();
                    self.run(state, "the removal", delete_meta_js(&keys));
                }
            }
            Request::Rebalance { .. } => {
                self.keep_request(state, REBALANCE, "the rebalanced set's settings", request);
            }
            Request::Synthesize { .. } => {
                self.keep_request(state, SYNTHESIZE, "the synthetic set's settings", request);
            }
            Request::Classify { .. } => self.classify.set_value(Some(request.clone())),
            Request::AdaptQueries { record, .. } => {
                let classify = self
                    .classify
                    .get_value()
                    .filter(|c| matches!(c, Request::Classify { name, .. } if name == record));
                self.adapt.set_value(classify.map(|classify| KeptAdapt {
                    classify,
                    queries: request.clone(),
                    labels: Vec::new(),
                }));
                self.keep_adapt(state);
            }
            Request::Remove { name } => {
                let mut list = Vec::new();
                self.removed.update_value(|r| {
                    if !r.contains(name) {
                        r.push(name.clone());
                    }
                    list = r.clone();
                });
                let list: js_sys::Array = list.iter().map(|s| JsValue::from(s.as_str())).collect();
                self.run(state, "the removal", set_meta_js("removed", &list));
                self.workspace_changed(state, Some(name));
            }
            Request::SetCsvRate { .. } => {
                let rates = state.restart.csv_rates();
                let list: js_sys::Array = rates
                    .iter()
                    .map(|(f, hz)| {
                        let pair = js_sys::Array::new();
                        pair.push(&f.as_str().into());
                        pair.push(&(*hz).into());
                        JsValue::from(pair)
                    })
                    .collect();
                self.run(state, "the sampling rates", set_meta_js("rates", &list));
                self.workspace_changed(state, None);
            }
            _ => {}
        }
    }

    /// A run starts with `config`: the Train form opens with it on the next visit.
    pub fn keep_settings(&self, state: AppState, config: &TrainConfig) {
        self.settings.set(Some(config.clone()));
        if let (true, Ok(json)) = (self.on.get_value(), serde_json::to_string(config)) {
            self.run(
                state,
                "the settings",
                set_meta_js("settings", &JsValue::from(json)),
            );
        }
    }

    /// Run `id` finished: its model file is asked of the worker, to keep beside its figures.
    pub fn run_finished(&self, state: AppState, id: u32) {
        if self.on.get_value() {
            self.asked.update_value(|a| a.push_back(id));
            state.send(Request::KeepRun { id });
        }
    }

    /// The worker answered a `KeepRun` (the model file, or `None` when it refused).
    pub fn model_file(&self, state: AppState, buffer: Option<js_sys::ArrayBuffer>) {
        let mut id = None;
        self.asked.update_value(|a| id = a.pop_front());
        let (Some(id), Some(buffer)) = (id, buffer) else {
            return;
        };
        let report = state
            .runs
            .with_untracked(|runs| runs.iter().find(|r| r.id == id).cloned());
        let Some(report) = report else { return };
        let Ok(json) = serde_json::to_string(&report) else {
            return;
        };
        self.run(state, "the run", keep_run_js(id, &json, &buffer));
    }

    /// The page opened and its worker is ready: restores what was kept. The kept files are for
    /// the caller to read into the worker ([`Restored::Files`]); the runs follow once they are
    /// read ([`Persist::loaded`]).
    pub async fn restore(&self, state: AppState) -> Restored {
        let started_ms = now_ms();
        let Ok(r) = wasm_bindgen_futures::JsFuture::from(restore_js()).await else {
            self.refresh();
            return Restored::Nothing;
        };
        if let Some(config) = field(&r, "settings")
            .as_string()
            .and_then(|s| serde_json::from_str::<TrainConfig>(&s).ok())
        {
            self.settings.set(Some(config));
        }
        let items = field(&r, "items");
        let files = js_sys::Array::from(&items).length();
        let runs: Vec<(RunReport, js_sys::ArrayBuffer)> = js_sys::Array::from(&field(&r, "runs"))
            .iter()
            .filter_map(|run| {
                let report = field(&run, "report").as_string()?;
                let report: RunReport = serde_json::from_str(&report).ok()?;
                let model = field(&run, "model")
                    .dyn_into::<js_sys::ArrayBuffer>()
                    .ok()?;
                Some((report, model))
            })
            .collect();
        let request = |key: &str| {
            field(&r, key)
                .as_string()
                .and_then(|s| serde_json::from_str::<Request>(&s).ok())
        };
        let (rebalance, synthesize) = (
            request(REBALANCE).filter(|q| matches!(q, Request::Rebalance { .. })),
            request(SYNTHESIZE).filter(|q| matches!(q, Request::Synthesize { .. })),
        );
        let adapt = field(&r, ADAPT)
            .as_string()
            .and_then(|s| serde_json::from_str::<KeptAdapt>(&s).ok())
            .filter(|a| {
                matches!(a.classify, Request::Classify { .. })
                    && a.target()
                        .is_some_and(|(run, _)| runs.iter().any(|(report, _)| report.id == run))
            });
        if files == 0 && runs.is_empty() && rebalance.is_none() && synthesize.is_none() {
            self.refresh();
            return Restored::Nothing;
        }
        let rates = js_sys::Array::from(&field(&r, "rates"))
            .iter()
            .filter_map(|pair| {
                let pair = js_sys::Array::from(&pair);
                Some((pair.get(0).as_string()?, pair.get(1).as_f64()?))
            })
            .collect();
        let removed = strings(&field(&r, "removed"));
        self.removed.set_value(removed.clone());
        let after = AfterLoad {
            runs,
            removed,
            rates,
            rebalance,
            synthesize,
            adapt,
            files,
            bytes: number(&r, "bytes"),
            started_ms,
        };
        if files > 0 {
            self.after_load.set_value(Some(after));
            return Restored::Files(items);
        }
        // Runs without files were trained on the demo set, which is made again.
        state.send(Request::LoadDemo {
            seed: super::DEMO_SEED,
        });
        self.give_back(state, after);
        Restored::Done
    }

    /// The worker answered a load: if it was the kept files, gives back the rest.
    pub fn loaded(&self, state: AppState) {
        let mut after = None;
        self.after_load.update_value(|a| after = a.take());
        if let Some(after) = after {
            self.give_back(state, after);
        }
    }

    fn give_back(&self, state: AppState, after: AfterLoad) {
        for (file, fs_hz) in after.rates {
            state.send(Request::SetCsvRate { file, fs_hz });
        }
        for name in after.removed {
            state.send(Request::Remove { name });
        }
        let runs = after.runs.len();
        if let Some(last) = after.runs.last() {
            state.selected_run.set(Some(last.0.id));
        }
        for (report, model) in after.runs {
            state.link.send(
                Request::RestoreRun {
                    report: Box::new(report),
                    bytes: Vec::new(),
                },
                vec![model],
            );
        }
        let mut made = Vec::new();
        if let Some(request) = after.rebalance {
            made.push("the rebalanced training set".to_string());
            if let Request::Rebalance { config, .. } = &request {
                state.rebalance_settings.set(Some(config.clone()));
            }
            state.busy.set(true);
            state.send(request);
        }
        if let Some(adapt) = after.adapt {
            if let Some((run, record)) = adapt.target() {
                let given = adapt.labels.iter().flatten().count();
                made.push(format!(
                    "{} of record {record}'s beats picked to adapt run {run}",
                    count(given, "label")
                ));
                state
                    .adapt
                    .restore_labels(run, record, adapt.labels.clone());
                if let Request::AdaptQueries { budget, rounds, .. } = &adapt.queries {
                    state.adapt.restore_form(*budget, *rounds);
                }
            }
            // Sent past `on_send`: what is kept of them stays as it is.
            state.classify_pending.set(true);
            state.adapt.asking.set(true);
            state.link.send(adapt.classify.clone(), Vec::new());
            state.link.send(adapt.queries.clone(), Vec::new());
            self.classify.set_value(Some(adapt.classify.clone()));
            self.adapt.set_value(Some(adapt));
            // The demo set's load forgets it: kept again.
            self.keep_adapt(state);
        }
        if let Some(request) = after.synthesize {
            // A job: sent last, so that nothing above waits for it.
            made.push("the synthetic beats".to_string());
            if let Request::Synthesize { config, .. } = &request {
                state.synth.settings.set(Some(config.clone()));
            }
            state.busy.set(true);
            state.synth.running.set(true);
            state.send(request);
        }
        let seconds = (now_ms() - after.started_ms) / 1e3;
        let what = if after.files > 0 {
            count(after.files as usize, "file")
        } else {
            "the demo set".to_string()
        };
        let made = if made.is_empty() {
            String::new()
        } else {
            format!("; made again: {}", made.join(", "))
        };
        self.restored.set(Some(format!(
            "Restored from this browser: {what} and {} with {} ({}) in {seconds:.1} s{made}.",
            count(runs, "run"),
            if runs == 1 {
                "its model"
            } else {
                "their models"
            },
            mb(after.bytes),
        )));
        self.refresh();
    }

    /// "Forget everything": deletes what is kept, then opens the page afresh.
    pub fn forget_all(&self, state: AppState) {
        self.on.set_value(false);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(forget_all_js()).await {
                Ok(_) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => state.notify(
                    "error",
                    None,
                    format!(
                        "Could not forget what this browser keeps: {}",
                        field(&e, "message").as_string().unwrap_or_default()
                    ),
                ),
            }
        });
    }
}

impl Default for Persist {
    fn default() -> Self {
        Self::new()
    }
}

fn strings(v: &JsValue) -> Vec<String> {
    js_sys::Array::from(v)
        .iter()
        .filter_map(|s| s.as_string())
        .collect()
}
