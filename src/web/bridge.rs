//! The page's side of the worker conversation, and the app state the answers fill.
//!
//! Requests go to the worker as `{ json, buffers }` with the buffers transferred (no copy);
//! answers come back as JSON strings of [`Response`]. Every answer lands in a signal of
//! [`AppState`]; views only read those signals.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::session::{
    DistributionView, GalleryView, LoadTiming, Progress, RecordView, Request, Response,
    WorkspaceView,
};
use crate::workspace::LoadReport;

#[wasm_bindgen(module = "/src/web/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = dropEntries)]
    pub fn drop_entries(data_transfer: &web_sys::DataTransfer) -> JsValue;
    #[wasm_bindgen(js_name = collectDropped)]
    pub fn collect_dropped(dropped: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = fromFileList)]
    pub fn from_file_list(list: &web_sys::FileList) -> JsValue;
    #[wasm_bindgen(js_name = readAll)]
    pub fn read_all(items: &JsValue, on_progress: &js_sys::Function) -> js_sys::Promise;
    #[wasm_bindgen(js_name = fetchDatabase)]
    pub fn fetch_database(base: &str, on_progress: &js_sys::Function) -> js_sys::Promise;
    #[wasm_bindgen(js_name = download)]
    pub fn download(name: &str, bytes: &JsValue, mime: &str);
    #[wasm_bindgen(js_name = localDatabases)]
    pub fn local_databases() -> js_sys::Array;
}

/// A message shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `error`, `warning` or `info`.
    pub kind: &'static str,
    /// File concerned, if any.
    pub file: Option<String>,
    /// Text.
    pub text: String,
}

/// Everything the views read.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Everything loaded.
    pub workspace: RwSignal<WorkspaceView>,
    /// Progress of the running job.
    pub progress: RwSignal<Option<Progress>>,
    /// A job is running.
    pub busy: RwSignal<bool>,
    /// Messages of the last load and of failed requests.
    pub notices: RwSignal<Vec<Notice>>,
    /// Last load report.
    pub last_report: RwSignal<Option<LoadReport>>,
    /// Last load timing.
    pub load_timing: RwSignal<Option<LoadTiming>>,
    /// The distribution tables.
    pub distribution: RwSignal<Option<DistributionView>>,
    /// The split the distribution tables use.
    pub split: RwSignal<crate::dataset::split::SplitKind>,
    /// The record being viewed.
    pub selected_record: RwSignal<Option<String>>,
    /// Its signal.
    pub record_view: RwSignal<Option<RecordView>>,
    /// Example beats.
    pub gallery: RwSignal<Option<GalleryView>>,
    /// The worker is up.
    pub worker_ready: RwSignal<bool>,
    /// Live figures of the running training.
    pub train_progress: RwSignal<Option<crate::session::train::TrainProgress>>,
    /// Finished runs.
    pub runs: RwSignal<Vec<crate::session::train::RunReport>>,
    /// The run whose results are shown.
    pub selected_run: RwSignal<Option<u32>>,
    /// The rebalancing plan's targets.
    pub augment_plan: RwSignal<Option<crate::dataset::rebalance::RebalanceReport>>,
    /// A beat and its augmented copies.
    pub augment_preview: RwSignal<Option<crate::session::AugmentPreview>>,
    /// The last generated rebalanced set: report, time (ms), beats.
    pub rebalanced: RwSignal<Option<(crate::dataset::rebalance::RebalanceReport, f64, usize)>>,
    /// Rebalance the training beats with this configuration when training.
    pub train_rebalance: RwSignal<Option<crate::dataset::rebalance::RebalanceConfig>>,
    /// The last beats found and classified in a record.
    pub classified: RwSignal<Option<crate::session::classify::ClassifiedView>>,
    /// A find-and-classify request is on its way.
    pub classify_pending: RwSignal<bool>,
}

impl AppState {
    fn new() -> Self {
        Self {
            workspace: RwSignal::new(WorkspaceView::default()),
            progress: RwSignal::new(None),
            busy: RwSignal::new(false),
            notices: RwSignal::new(Vec::new()),
            last_report: RwSignal::new(None),
            load_timing: RwSignal::new(None),
            distribution: RwSignal::new(None),
            split: RwSignal::new(crate::dataset::split::SplitKind::default()),
            selected_record: RwSignal::new(None),
            record_view: RwSignal::new(None),
            gallery: RwSignal::new(None),
            worker_ready: RwSignal::new(false),
            train_progress: RwSignal::new(None),
            runs: RwSignal::new(Vec::new()),
            selected_run: RwSignal::new(None),
            augment_plan: RwSignal::new(None),
            augment_preview: RwSignal::new(None),
            rebalanced: RwSignal::new(None),
            train_rebalance: RwSignal::new(None),
            classified: RwSignal::new(None),
            classify_pending: RwSignal::new(false),
        }
    }

    /// The state provided by [`provide_state`].
    pub fn get() -> AppState {
        use_context::<AppState>().unwrap_or_else(AppState::new)
    }

    /// Adds a notice.
    pub fn notify(&self, kind: &'static str, file: Option<String>, text: impl Into<String>) {
        let text = text.into();
        self.notices.update(|n| n.push(Notice { kind, file, text }));
    }

    /// Asks the worker for the distribution under the current split.
    pub fn refresh_distribution(&self) {
        send(
            &Request::Distribution {
                source: None,
                split: self.split.get_untracked(),
            },
            Vec::new(),
        );
    }

    fn on_response(&self, response: Response) {
        match response {
            Response::Ready => {
                self.worker_ready.set(true);
                // Nothing asked for yet (no file dropped while the worker started): open on the
                // built-in synthetic demo set, unless the address says `#nodemo`.
                let idle = !USER_FILES.with(std::cell::Cell::get);
                let no_demo = web_sys::window()
                    .and_then(|w| js_sys::Reflect::get(&w, &"location".into()).ok())
                    .and_then(|l| js_sys::Reflect::get(&l, &"hash".into()).ok())
                    .and_then(|h| h.as_string())
                    .is_some_and(|h| h.contains("nodemo"));
                if idle && !no_demo {
                    send(&Request::LoadDemo { seed: DEMO_SEED }, Vec::new());
                }
                flush_pending();
            }
            Response::Progress(p) => {
                self.busy.set(true);
                self.progress.set(Some(p));
            }
            Response::Workspace(view) => {
                let has_beats = view.record_counts.total() > 0 || !view.beat_files.is_empty();
                self.workspace.set(view);
                if has_beats {
                    self.refresh_distribution();
                } else {
                    self.distribution.set(None);
                }
                // Keep the viewed record only if it is still loaded.
                if let Some(sel) = self.selected_record.get_untracked() {
                    if !self
                        .workspace
                        .get_untracked()
                        .records
                        .iter()
                        .any(|r| r.name == sel)
                    {
                        self.selected_record.set(None);
                        self.record_view.set(None);
                    }
                }
            }
            Response::Loaded {
                report,
                timing,
                cancelled,
            } => {
                self.busy.set(false);
                self.progress.set(None);
                let mut notices = Vec::new();
                for e in &report.errors {
                    notices.push(Notice {
                        kind: "error",
                        file: Some(e.file.clone()),
                        text: e.message.clone(),
                    });
                }
                for w in &report.warnings {
                    notices.push(Notice {
                        kind: "warning",
                        file: None,
                        text: w.clone(),
                    });
                }
                if cancelled {
                    notices.push(Notice {
                        kind: "info",
                        file: None,
                        text: "Loading cancelled; the files read before stay loaded.".into(),
                    });
                }
                self.notices.set(notices);
                super::fetch::on_loaded(&report, cancelled);
                self.last_report.set(Some(report));
                self.load_timing.set(Some(timing));
            }
            Response::Distribution(d) => self.distribution.set(Some(d)),
            Response::RecordView(v) => self.record_view.set(Some(v)),
            Response::Gallery(g) => self.gallery.set(Some(g)),
            Response::TrainProgress(p) => {
                self.busy.set(true);
                self.progress.set(Some(Progress {
                    job: "train".into(),
                    done: ((p.epoch.saturating_sub(1)) * p.batches + p.batch) as f64,
                    total: (p.epochs * p.batches.max(1)) as f64,
                    label: format!(
                        "training: epoch {} of at most {}, batch {} of {} — about {:.0} s left",
                        p.epoch,
                        p.epochs,
                        p.batch,
                        p.batches,
                        p.remaining_ms / 1000.0
                    ),
                }));
                self.train_progress.set(Some(p));
            }
            Response::TrainResult(r) => {
                self.busy.set(false);
                self.progress.set(None);
                self.selected_run.set(Some(r.id));
            }
            Response::Runs { runs } => self.runs.set(runs),
            // Exports are handled where the message arrives (their bytes travel beside it).
            Response::Export { .. } | Response::Assembled { .. } => {}
            Response::Fingerprint(f) => super::fetch::on_fingerprint(f),
            Response::Synthesized(v) => {
                self.busy.set(false);
                self.progress.set(None);
                super::synth::on_synthesized(*v);
            }
            Response::Classified(v) => {
                self.classify_pending.set(false);
                // Redraw the strip of that record with its found beats.
                if let Some(rv) = self
                    .record_view
                    .get_untracked()
                    .filter(|rv| rv.name == v.record)
                {
                    send(
                        &Request::RecordView {
                            name: rv.name,
                            start_s: rv.start_s,
                            duration_s: rv.duration_s,
                            max_points: 2400,
                        },
                        Vec::new(),
                    );
                }
                self.classified.set(Some(v));
            }
            Response::AugmentPlan(r) => self.augment_plan.set(Some(r)),
            Response::AugmentPreview(p) => self.augment_preview.set(Some(p)),
            Response::Rebalanced { report, ms, beats } => {
                self.busy.set(false);
                self.progress.set(None);
                self.rebalanced.set(Some((report, ms, beats)));
            }
            // The running job goes on: only say why the request was refused.
            Response::Busy { message } => self.notify("warning", None, message),
            Response::Cancelled { message } => {
                self.busy.set(false);
                self.progress.set(None);
                super::synth::on_error();
                self.notify("info", None, message);
            }
            Response::Error { message } => {
                self.busy.set(false);
                self.classify_pending.set(false);
                self.progress.set(None);
                super::synth::on_error();
                self.notify("error", None, message);
            }
        }
    }
}

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// Messages sent before the worker said it is ready: a worker whose WebAssembly is still
    /// compiling drops messages, so they wait here (with their transfer lists).
    static PENDING: RefCell<Option<Vec<(js_sys::Object, js_sys::Array)>>> = const { RefCell::new(Some(Vec::new())) };
    /// True once the user's own files were sent: the demo set must not replace them.
    static USER_FILES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn post(msg: &js_sys::Object, transfer: &js_sys::Array) {
    let queued = PENDING.with(|p| {
        if let Some(queue) = p.borrow_mut().as_mut() {
            queue.push((msg.clone(), transfer.clone()));
            true
        } else {
            false
        }
    });
    if !queued {
        WORKER.with(|w| {
            if let Some(worker) = w.borrow().as_ref() {
                let _ = worker.post_message_with_transfer(msg, transfer);
            }
        });
    }
}

/// Seed of the demo set the page opens on.
pub const DEMO_SEED: u64 = 2003;

/// The worker is ready: send what waited, and from now on send at once.
fn flush_pending() {
    let queue = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
    for (msg, transfer) in queue {
        post(&msg, &transfer);
    }
}

/// Starts the worker and provides the app state as context.
pub fn provide_state() -> AppState {
    let state = AppState::new();
    provide_context(state);
    match web_sys::Worker::new("./worker_loader.js") {
        Ok(worker) => {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |e: web_sys::MessageEvent| {
                    let data = e.data();
                    let (text, buffer) = match data.as_string() {
                        Some(t) => (t, None),
                        None => (
                            js_sys::Reflect::get(&data, &"json".into())
                                .ok()
                                .and_then(|j| j.as_string())
                                .unwrap_or_default(),
                            js_sys::Reflect::get(&data, &"buffer".into()).ok(),
                        ),
                    };
                    match serde_json::from_str::<Response>(&text) {
                        Ok(Response::Export {
                            file_name, mime, ..
                        }) => {
                            if let Some(buffer) = buffer {
                                download(
                                    &file_name,
                                    &js_sys::Uint8Array::new(&buffer).into(),
                                    &mime,
                                );
                            }
                        }
                        Ok(Response::Assembled {
                            key,
                            name,
                            paths,
                            error,
                            ..
                        }) => {
                            let buffers = js_sys::Reflect::get(&data, &"buffers".into())
                                .unwrap_or(JsValue::NULL);
                            super::fetch::on_assembled(key, name, paths, error, buffers);
                        }
                        Ok(r) => state.on_response(r),
                        Err(err) => state.notify(
                            "error",
                            None,
                            format!("unreadable answer from the worker: {err}"),
                        ),
                    }
                },
            );
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
            let on_error =
                Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                    state.busy.set(false);
                    state.notify(
                        "error",
                        None,
                        format!(
                            "the background worker failed: {} — reload the page",
                            e.message()
                        ),
                    );
                });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            WORKER.with(|w| *w.borrow_mut() = Some(worker));
        }
        Err(_) => state.notify(
            "error",
            None,
            "this browser could not start a Web Worker; ECG Balance Lab needs one",
        ),
    }
    state
}

/// Sends `request` to the worker, transferring `buffers`.
pub fn send(request: &Request, buffers: Vec<js_sys::ArrayBuffer>) {
    if matches!(request, Request::LoadFiles { .. }) {
        USER_FILES.with(|f| f.set(true));
    }
    let Ok(json) = serde_json::to_string(request) else {
        return;
    };
    let msg = js_sys::Object::new();
    let bufs = js_sys::Array::new();
    for b in &buffers {
        bufs.push(b);
    }
    let _ = js_sys::Reflect::set(&msg, &"json".into(), &json.into());
    let _ = js_sys::Reflect::set(&msg, &"buffers".into(), &bufs);
    post(&msg, &bufs);
}

/// Reads `{ path, file }` items (from a drop or a file input) and sends them to the worker.
pub async fn load_items(state: AppState, items: JsValue) {
    state.busy.set(true);
    state.notices.set(Vec::new());
    let progress = Closure::<dyn FnMut(f64, f64)>::new(move |done: f64, total: f64| {
        state.progress.set(Some(Progress {
            job: "read".into(),
            done,
            total,
            label: "reading files".into(),
        }));
    });
    let result =
        wasm_bindgen_futures::JsFuture::from(read_all(&items, progress.as_ref().unchecked_ref()))
            .await;
    drop(progress);
    send_read_result(state, result);
}

/// Fetches a database published at `base` and sends it to the worker.
pub async fn load_remote(state: AppState, base: String) {
    state.busy.set(true);
    state.notices.set(Vec::new());
    let progress = Closure::<dyn FnMut(f64, f64)>::new(move |done: f64, total: f64| {
        state.progress.set(Some(Progress {
            job: "fetch".into(),
            done,
            total,
            label: "fetching records".into(),
        }));
    });
    let result = wasm_bindgen_futures::JsFuture::from(fetch_database(
        &base,
        progress.as_ref().unchecked_ref(),
    ))
    .await;
    drop(progress);
    send_read_result(state, result);
}

fn send_read_result(state: AppState, result: Result<JsValue, JsValue>) {
    match result {
        Ok(v) => {
            let paths = js_sys::Reflect::get(&v, &"paths".into()).unwrap_or(JsValue::NULL);
            let buffers = js_sys::Reflect::get(&v, &"buffers".into()).unwrap_or(JsValue::NULL);
            let paths: Vec<String> = js_sys::Array::from(&paths)
                .iter()
                .filter_map(|p| p.as_string())
                .collect();
            let buffers: Vec<js_sys::ArrayBuffer> = js_sys::Array::from(&buffers)
                .iter()
                .filter_map(|b| b.dyn_into().ok())
                .collect();
            if paths.is_empty() {
                state.busy.set(false);
                state.progress.set(None);
                state.notify("info", None, "No file was given.");
                return;
            }
            send(&Request::LoadFiles { paths }, buffers);
        }
        Err(e) => {
            state.busy.set(false);
            state.progress.set(None);
            let text = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "the files could not be read".into());
            state.notify("error", None, text);
        }
    }
}
