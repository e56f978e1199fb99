//! The page's side of the worker conversation: starting the worker, handing each answer to the
//! app state ([`AppState::on_response`]) or, for files, to the browser — and the browser
//! plumbing of `files.js` (drops, file inputs, downloads).
//!
//! Answers come back as `{ json, buffers }`: the JSON of a [`Reply`] and the bytes of the files
//! it carries (transferred). A stale answer — to a view request a later one replaced — is
//! dropped here, before anything reads it ([`crate::web::link::WorkerLink::is_stale`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::state::AppState;
use crate::session::views::Progress;
use crate::session::{Forward, Reply, Request, RequestKind, Response};

#[wasm_bindgen(module = "/src/web/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = dropEntries)]
    pub fn drop_entries(data_transfer: &web_sys::DataTransfer) -> JsValue;
    #[wasm_bindgen(js_name = collectDropped)]
    pub fn collect_dropped(dropped: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = fromFileList)]
    pub fn from_file_list(list: &web_sys::FileList) -> JsValue;
    #[wasm_bindgen(js_name = fetchDatabase)]
    pub fn fetch_database(base: &str, on_progress: &js_sys::Function) -> js_sys::Promise;
    #[wasm_bindgen(js_name = download)]
    pub fn download(name: &str, bytes: &JsValue, mime: &str);
    #[wasm_bindgen(js_name = localDatabases)]
    pub fn local_databases() -> js_sys::Array;
}

use super::link::{buffers_of, port_of};

/// One message from the worker.
fn on_message(state: AppState, data: &JsValue) {
    let json = js_sys::Reflect::get(data, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .unwrap_or_default();
    let reply: Reply = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(err) => {
            return state.notify(
                "error",
                None,
                format!("unreadable answer from the worker: {err}"),
            );
        }
    };
    if state.link.is_stale(&reply) {
        return;
    }
    let response = match reply.response.forward() {
        Forward::Show(r) => r,
        // The leader's messages to its followers: passed on, buffers and port and all, unread
        // (after a run's `Follow`, which brings the port, the two talk directly).
        Forward::Follower { shard, request } => {
            return state
                .followers
                .send(shard, request, buffers_of(data), port_of(data));
        }
        Forward::Leader(_) => return,
    };
    match response {
        // A finished run's model file, asked for to keep in the browser, not to download.
        Response::Export { .. } if reply.to.is_some_and(|a| a.kind == RequestKind::KeepRun) => {
            let buffer = buffers_of(data).into_iter().next();
            state.persist.model_file(state, buffer);
        }
        Response::Error(_) | Response::Busy { .. }
            if reply.to.is_some_and(|a| a.kind == RequestKind::KeepRun) =>
        {
            state.persist.model_file(state, None);
        }
        Response::Export {
            file_name, format, ..
        } => {
            if let Some(buffer) = buffers_of(data).first() {
                download(
                    &file_name,
                    &js_sys::Uint8Array::new(buffer).into(),
                    format.mime(),
                );
            }
        }
        Response::Assembled {
            key,
            name,
            paths,
            error,
            ..
        } => {
            // The worker's job is over either way.
            state.idle();
            state
                .fetch
                .on_assembled(key, name, paths, error, buffers_of(data));
        }
        // A refused part ends a load sent in parts (the worker was busy, or could not take it).
        r @ (Response::Busy { .. } | Response::Error(_))
            if reply.to.is_some_and(|a| a.kind == RequestKind::LoadPart) =>
        {
            state.parts.end();
            state.on_response(r);
        }
        // A refused adaptation is explained in its own panel, where the person asked.
        Response::Error(f)
            if reply.to.is_some_and(|a| {
                matches!(a.kind, RequestKind::AdaptQueries | RequestKind::Adapt)
            }) =>
        {
            state.idle();
            state.adapt.on_error(f.message);
        }
        Response::Ready => {
            let open_kept = state.opens_on_kept_work();
            state.on_response(Response::Ready);
            if open_kept {
                leptos::task::spawn_local(open_kept_work(state));
            } else {
                state.persist.refresh();
            }
            resume(state);
        }
        r => state.on_response(r),
    }
}

/// Creates the app state, provides it as context, starts the worker and reads the cache of
/// fetched records.
pub fn provide_state() -> AppState {
    let state = AppState::new();
    provide_context(state);
    leptos::task::spawn_local(super::fetch::cache::refresh_cache(state.fetch));
    if start_leader(state) {
        state.followers.ensure(state, state.workers.get_untracked());
    } else {
        state.notify(
            "error",
            None,
            "this browser could not start a Web Worker; ECG Balance Lab needs one",
        );
    }
    state
}

/// Starts the page's own worker (the one that holds the records and leads training runs).
fn start_leader(state: AppState) -> bool {
    let number = state.link.started() + 1;
    state.link.start(
        "leader",
        move |e: web_sys::MessageEvent| on_message(state, &e.data()),
        move |e: web_sys::ErrorEvent| {
            let why = e.message();
            // Not from inside the worker's own callback, which stopping it frees.
            leptos::task::spawn_local(async move {
                // A late word from a worker already replaced is old news.
                if state.link.started() == number {
                    leader_failed(state, why);
                }
            });
        },
    )
}

/// The page's worker failed: an error it did not catch, a panic or a trap of its
/// WebAssembly, memory exhausted. Whatever it held may be half-changed, so it is stopped and a
/// new one started; the page keeps what it holds, says what was lost, and gives the new worker
/// the files again once it is ready ([`resume`]).
fn leader_failed(state: AppState, why: String) {
    let was_ready = state.worker_ready.get_untracked();
    state.link.stop();
    if !was_ready {
        state.idle();
        return state.notify(
            "error",
            None,
            format!("the background worker could not start: {why} — reload the page"),
        );
    }
    let was_loading = state.restart.drop_load_in_flight();
    let had_fetched = state.restart.had_fetched();
    let had_files = state.restart.has_files();
    let had_demo = state.workspace.with_untracked(|w| w.demo.is_some());
    if !state.worker_lost() {
        return state.worker_alert.set(Some(format!(
            "The background worker stopped again ({why}); it has stopped {} times, so the page \
             starts no other: reload the page.",
            super::state::restart::MAX_RESTARTS + 1
        )));
    }
    let mut text = format!(
        "The background worker stopped ({why}). A new one is starting: your settings and the \
         figures of your runs are kept; the runs' models were in the stopped worker and are lost."
    );
    match was_loading {
        Some(true) => text.push_str(
            " It stopped while reading your last files, so those are not read again; \
             the files loaded before them are.",
        ),
        Some(false) => text.push_str(" It stopped while reading fetched records."),
        None => {}
    }
    if had_files {
        text.push_str(" The files you loaded are read again from your disk.");
    } else if had_demo {
        text.push_str(" The demo set is made again.");
    }
    if had_fetched {
        text.push_str(" Records fetched from a server need fetching again (Get data).");
    }
    state.worker_alert.set(Some(text));
    if !start_leader(state) {
        state.notify(
            "error",
            None,
            "this browser could not start a new Web Worker; reload the page",
        );
    }
}

/// A worker started in place of one that stopped is ready: number its runs after the kept
/// ones, and give it the files again (the rates of plain CSVs follow once they are read:
/// [`super::state::restart::Restart::loaded`]).
fn resume(state: AppState) {
    let Some(resume) = state.restart.resume() else {
        return;
    };
    if resume.last_run > 0 {
        state.send(Request::NumberRunsAfter {
            last: resume.last_run,
        });
    }
    if let Some(items) = resume.items {
        leptos::task::spawn_local(super::loading::load_items(state, items, false));
    }
}

/// The page opened: reads again what this browser kept of an earlier visit
/// ([`super::state::persist`]), or else opens on the demo set.
async fn open_kept_work(state: AppState) {
    use super::state::persist::Restored;
    match state.persist.restore(state).await {
        // Read again as a load of the person's, not kept a second time.
        Restored::Files(items) => super::loading::load_items(state, items, false).await,
        Restored::Done => {}
        Restored::Nothing => {
            if !state.link.files_sent() {
                state.send(Request::LoadDemo {
                    seed: super::state::DEMO_SEED,
                });
            }
        }
    }
}

/// Reads `{ path, file }` items (from a drop or a file input) and sends them to the worker, in
/// parts ([`super::loading`]).
pub async fn load_items(state: AppState, items: JsValue) {
    super::loading::load_items(state, items, true).await;
}

/// Fetches a database published at `base` and sends it to the worker.
pub async fn load_remote(state: AppState, base: String) {
    state.restart.loading_fetched();
    read_and_send(state, "fetch", "fetching records", |progress| {
        fetch_database(&base, progress)
    })
    .await;
}

/// Runs `read` (a `files.js` function that reports `(done, total)` and resolves to
/// `{ paths, buffers }`), showing its progress as `job`, and sends what it read to the worker.
async fn read_and_send(
    state: AppState,
    job: &'static str,
    label: &'static str,
    read: impl FnOnce(&js_sys::Function) -> js_sys::Promise,
) {
    state.busy.set(true);
    state.notices.set(Vec::new());
    let progress = Closure::<dyn FnMut(f64, f64)>::new(move |done: f64, total: f64| {
        state.progress.set(Some(Progress {
            job: job.into(),
            done,
            total,
            label: label.into(),
        }));
    });
    let result =
        wasm_bindgen_futures::JsFuture::from(read(progress.as_ref().unchecked_ref())).await;
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
                state.restart.loaded();
                state.busy.set(false);
                state.progress.set(None);
                state.notify("info", None, "No file was given.");
                return;
            }
            state.link.send(
                Request::LoadFiles {
                    paths,
                    bytes: Vec::new(),
                },
                buffers,
            );
        }
        Err(e) => {
            state.restart.loaded();
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
