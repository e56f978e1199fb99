//! The page's end of the line to its Web Worker: numbering requests, holding them until the
//! worker is ready, and dropping stale answers.
//!
//! Every request goes out as `{ json, buffers }`: the JSON of an [`Envelope`] and the request's
//! bytes as ArrayBuffers, transferred (not copied) — the page never copies a file into its own
//! memory; the request's byte fields stay empty here and the worker fills them
//! ([`Request::attach`]). Requests are numbered in the order they are sent, and the answers to
//! a view request older than the latest of its kind are dropped ([`Latest::is_stale`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::session::{Envelope, Latest, Reply, Request, RequestId, RequestKind};

/// A message waiting for the worker, with its transfer list.
type Queued = (js_sys::Object, js_sys::Array);

/// The callbacks of a worker the line started, kept as long as the worker.
type Handlers = (
    Closure<dyn FnMut(web_sys::MessageEvent)>,
    Closure<dyn FnMut(web_sys::ErrorEvent)>,
);

/// The line to the worker (a handle: copies share it).
#[derive(Clone, Copy)]
pub struct WorkerLink {
    worker: StoredValue<Option<web_sys::Worker>, LocalStorage>,
    /// Messages sent before the worker said it is ready: a worker whose WebAssembly is still
    /// compiling drops messages, so they wait here. `None` once the worker is ready.
    pending: StoredValue<Option<Vec<Queued>>, LocalStorage>,
    next_id: StoredValue<RequestId>,
    latest: StoredValue<Latest>,
    files_sent: StoredValue<bool>,
    handlers: StoredValue<Option<Handlers>, LocalStorage>,
    /// Workers started on this line so far.
    started: StoredValue<u32>,
}

impl WorkerLink {
    /// A line with no worker yet ([`WorkerLink::connect`]).
    pub fn new() -> Self {
        Self {
            worker: StoredValue::new_local(None),
            pending: StoredValue::new_local(Some(Vec::new())),
            next_id: StoredValue::new(0),
            latest: StoredValue::new(Latest::default()),
            files_sent: StoredValue::new(false),
            handlers: StoredValue::new_local(None),
            started: StoredValue::new(0),
        }
    }

    /// Starts a worker from the page's worker loader, named `name` (the name the browser's
    /// tools show), with its two callbacks, and sends to it from now on — once it says it is
    /// ready. False when the browser could not start it.
    pub fn start(
        &self,
        name: &str,
        on_message: impl FnMut(web_sys::MessageEvent) + 'static,
        on_error: impl FnMut(web_sys::ErrorEvent) + 'static,
    ) -> bool {
        self.started.update_value(|n| *n += 1);
        let options = web_sys::WorkerOptions::new();
        options.set_name(name);
        let Ok(worker) = web_sys::Worker::new_with_options("./worker_loader.js", &options) else {
            return false;
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(on_error);
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.handlers.set_value(Some((on_message, on_error)));
        self.connect(worker);
        true
    }

    /// Workers started on this line so far: the number of the one running, from 1. A callback
    /// that compares it with the number it was started with knows whether its worker is still
    /// the current one.
    pub fn started(&self) -> u32 {
        self.started.get_value()
    }

    /// Stops the worker, whatever it is doing (a worker that failed may be half-way through
    /// anything), and holds what is sent from now on until a new one says it is ready. Never
    /// call it from inside the worker's own callbacks, which it frees: defer it.
    pub fn stop(&self) {
        self.worker.update_value(|w| {
            if let Some(worker) = w.take() {
                worker.set_onmessage(None);
                worker.set_onerror(None);
                worker.terminate();
            }
        });
        self.pending.set_value(Some(Vec::new()));
        self.handlers.set_value(None);
    }

    /// Attaches the worker messages go to.
    pub fn connect(&self, worker: web_sys::Worker) {
        self.worker.set_value(Some(worker));
    }

    /// The worker said it is ready: send what waited, and from now on send at once.
    pub fn ready(&self) {
        let mut queue = None;
        self.pending.update_value(|p| queue = p.take());
        for (msg, transfer) in queue.unwrap_or_default() {
            self.post(&msg, &transfer);
        }
    }

    /// True once the user's own files were sent (the demo set must not replace them).
    pub fn files_sent(&self) -> bool {
        self.files_sent.get_value()
    }

    /// Sends `request` with its bytes in `buffers` (transferred); returns its number.
    pub fn send(&self, request: Request, buffers: Vec<js_sys::ArrayBuffer>) -> RequestId {
        self.send_with_port(request, buffers, None)
    }

    /// As [`WorkerLink::send`], with a `MessagePort` transferred beside the request (a
    /// training run's channel between two workers, [`crate::web::worker`]).
    pub fn send_with_port(
        &self,
        request: Request,
        buffers: Vec<js_sys::ArrayBuffer>,
        port: Option<web_sys::MessagePort>,
    ) -> RequestId {
        let kind = request.kind();
        if matches!(kind, RequestKind::LoadFiles | RequestKind::LoadPart) {
            self.files_sent.set_value(true);
        }
        let mut id = 0;
        self.next_id.update_value(|n| {
            *n += 1;
            id = *n;
        });
        self.latest.update_value(|l| l.sent(id, kind));
        let Ok(json) = serde_json::to_string(&Envelope { id, request }) else {
            return id;
        };
        let transfer: js_sys::Array = buffers.iter().collect();
        let msg = message(&json, &transfer, port.as_ref());
        if let Some(port) = &port {
            transfer.push(port);
        }
        self.post(&msg, &transfer);
        id
    }

    /// True when `reply` answers a view request a later one of its kind replaced.
    pub fn is_stale(&self, reply: &Reply) -> bool {
        self.latest.with_value(|l| l.is_stale(reply))
    }

    fn post(&self, msg: &js_sys::Object, transfer: &js_sys::Array) {
        let mut queued = false;
        self.pending.update_value(|p| {
            if let Some(queue) = p.as_mut() {
                queue.push((msg.clone(), transfer.clone()));
                queued = true;
            }
        });
        if !queued {
            self.worker.with_value(|w| {
                if let Some(worker) = w {
                    let _ = worker.post_message_with_transfer(msg, transfer);
                }
            });
        }
    }
}

/// A message of the page and its workers, both ways: `{ json, buffers }`, and `port` when it
/// brings a training run's channel between two workers ([`crate::web::worker`]). The buffers and
/// the port go in the transfer list beside it.
pub fn message(
    json: &str,
    buffers: &js_sys::Array,
    port: Option<&web_sys::MessagePort>,
) -> js_sys::Object {
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"json".into(), &json.into());
    let _ = js_sys::Reflect::set(&msg, &"buffers".into(), buffers);
    if let Some(port) = port {
        let _ = js_sys::Reflect::set(&msg, &"port".into(), port);
    }
    msg
}

/// The buffers of a [`message`].
pub fn buffers_of(data: &wasm_bindgen::JsValue) -> Vec<js_sys::ArrayBuffer> {
    let buffers =
        js_sys::Reflect::get(data, &"buffers".into()).unwrap_or(wasm_bindgen::JsValue::NULL);
    js_sys::Array::from(&buffers)
        .iter()
        .filter_map(|b| b.dyn_into().ok())
        .collect()
}

/// The port of a [`message`] (a training run's `Follow`), if any.
pub fn port_of(data: &wasm_bindgen::JsValue) -> Option<web_sys::MessagePort> {
    js_sys::Reflect::get(data, &"port".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
}

impl Default for WorkerLink {
    fn default() -> Self {
        Self::new()
    }
}
