//! The page's extra training workers: follower instances of the same worker
//! ([`crate::session::follower`]) that train in step with the page's own worker, the leader.
//!
//! The page passes on each run's first message between them
//! ([`crate::session::Response::forward`]): the leader's `Follow` for follower `shard`, with its
//! replica's ArrayBuffers and the port of the channel the leader made for the two of them; from
//! then on every batch's messages go worker to worker through that channel
//! ([`crate::web::worker`]). Without a port they come through here and are passed on the same
//! way: the main thread reads a few bytes of JSON per message and never a gradient.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::AppState;
use crate::session::{Forward, Reply, Request, Response};
use crate::web::link::{WorkerLink, buffers_of};

/// Most training workers the page starts by itself.
pub const MAX_DEFAULT_WORKERS: usize = 8;

/// Training workers the page starts with: one fewer than the machine's logical processors
/// (the page's own thread needs one), at most [`MAX_DEFAULT_WORKERS`], at least 1.
pub fn default_workers() -> usize {
    let cores = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|c| c.as_f64())
        .unwrap_or(1.0);
    workers_for_cores(cores as usize)
}

/// [`default_workers`] for a machine of `cores` logical processors.
pub fn workers_for_cores(cores: usize) -> usize {
    cores.saturating_sub(1).clamp(1, MAX_DEFAULT_WORKERS)
}

/// The follower workers (a handle: copies share them). Follower `k` (from 0) trains shard
/// `k + 1`.
#[derive(Clone, Copy)]
pub struct Followers {
    links: StoredValue<Vec<WorkerLink>, LocalStorage>,
    /// The owner the app state was made under: a follower started later (from a click) lives
    /// as long as the state, not as long as the component that asked for it.
    owner: StoredValue<Option<Owner>, LocalStorage>,
}

impl Followers {
    /// No followers yet.
    pub fn new() -> Self {
        Self {
            links: StoredValue::new_local(Vec::new()),
            owner: StoredValue::new_local(Owner::current()),
        }
    }

    /// Followers started so far.
    pub fn len(&self) -> usize {
        self.links.with_value(Vec::len)
    }

    /// True when none was started.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts followers until there are enough for `workers` training workers (the leader is
    /// one of them). A follower still starting keeps its messages until it is ready.
    pub fn ensure(&self, state: AppState, workers: usize) {
        while self.len() + 1 < workers {
            let k = self.len();
            let link = match self.owner.get_value() {
                Some(owner) => owner.with(WorkerLink::new),
                None => WorkerLink::new(),
            };
            if !start(state, k, link) {
                state.notify(
                    "error",
                    None,
                    "this browser could not start another Web Worker; train with fewer workers",
                );
                return;
            }
            self.links.update_value(|l| l.push(link));
        }
    }

    /// Follower `k` failed: stops it and starts a fresh one in its place (a failed worker's
    /// WebAssembly may be half-way through anything).
    fn replace(&self, state: AppState, k: usize) {
        let Some(link) = self.links.with_value(|l| l.get(k).copied()) else {
            return;
        };
        link.stop();
        if !start(state, k, link) {
            state.notify(
                "error",
                None,
                "this browser could not start another Web Worker; train with fewer workers",
            );
        }
    }

    /// Sends `request` to the follower of `shard` (from 1), transferring `buffers` and the
    /// port of its channel to the leader, if the leader sent one.
    pub fn send(
        &self,
        shard: usize,
        request: Request,
        buffers: Vec<js_sys::ArrayBuffer>,
        port: Option<web_sys::MessagePort>,
    ) {
        let link = self
            .links
            .with_value(|l| shard.checked_sub(1).and_then(|k| l.get(k).copied()));
        if let Some(link) = link {
            link.send_with_port(request, buffers, port);
        }
    }
}

impl Default for Followers {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts follower `k` on `link`.
fn start(state: AppState, k: usize, link: WorkerLink) -> bool {
    let number = link.started() + 1;
    link.start(
        &format!("follower-{}", k + 1),
        move |e: web_sys::MessageEvent| on_message(state, k, &e.data()),
        move |e: web_sys::ErrorEvent| {
            let why = e.message();
            // Not from inside the worker's own callback, which replacing it frees.
            leptos::task::spawn_local(async move {
                if link.started() == number {
                    failed(state, k, &why);
                    state.followers.replace(state, k);
                }
            });
        },
    )
}

/// A follower's message: `Ready`, a gradient for the leader, or a failure.
fn on_message(state: AppState, k: usize, data: &JsValue) {
    let json = js_sys::Reflect::get(data, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .unwrap_or_default();
    let Ok(reply) = serde_json::from_str::<Reply>(&json) else {
        return failed(state, k, "an unreadable answer");
    };
    match reply.response.forward() {
        Forward::Leader(request) => {
            state.link.send(request, buffers_of(data));
        }
        Forward::Show(Response::Ready) => {
            state.followers.links.with_value(|l| {
                if let Some(link) = l.get(k) {
                    link.ready();
                }
            });
        }
        Forward::Show(Response::Error(f)) => failed(state, k, &f.message),
        _ => {}
    }
}

/// A follower failed: say so and stop the run (the leader would wait for it forever).
fn failed(state: AppState, k: usize, why: &str) {
    state.notify(
        "error",
        None,
        format!("training worker {} failed: {why}; the run stops", k + 2),
    );
    state.send(Request::Cancel);
}
