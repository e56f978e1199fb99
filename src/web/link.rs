//! The page's end of the line to its Web Worker: numbering requests, holding them until the
//! worker is ready, and dropping stale answers.
//!
//! Every request goes out as `{ json, buffers }`: the JSON of an [`Envelope`] and the request's
//! bytes as ArrayBuffers, transferred (not copied) — the page never copies a file into its own
//! memory; the request's byte fields stay empty here and the worker fills them
//! ([`Request::attach`]). Requests are numbered in the order they are sent, and the answers to
//! a view request older than the latest of its kind are dropped ([`Latest::is_stale`]).

use leptos::prelude::*;

use crate::session::{Envelope, Latest, Reply, Request, RequestId, RequestKind};

/// A message waiting for the worker, with its transfer list.
type Queued = (js_sys::Object, js_sys::Array);

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
        }
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
        let msg = js_sys::Object::new();
        let transfer: js_sys::Array = buffers.iter().collect();
        let _ = js_sys::Reflect::set(&msg, &"json".into(), &json.into());
        let _ = js_sys::Reflect::set(&msg, &"buffers".into(), &transfer);
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

impl Default for WorkerLink {
    fn default() -> Self {
        Self::new()
    }
}
