//! The Web Worker: owns the [`Session`] (all loaded data) and runs its jobs off the UI thread.
//!
//! A job runs in slices of about [`SLICE_MS`]; between slices the worker yields to its event
//! loop through a `MessageChannel` round trip (no timer clamping), so a `Cancel` sent by the page
//! is handled at the next slice boundary.
//!
//! Messages are `{ json, buffers }` both ways: a request's bytes are put back into it
//! ([`Request::attach`]) before the session sees it, and an answer's bytes are taken out
//! ([`Response::take_buffers`]) and transferred beside its JSON.
//!
//! The page starts more instances of this worker for data-parallel training
//! ([`crate::session::follower`]): the same session, following the first worker's run. A leader
//! waiting for its followers' gradients is not driven ([`Session::waiting`]); the message that
//! brings the last one starts it again.
//!
//! The leader and each follower talk directly: with each run's `Follow` the leader makes a
//! `MessageChannel`, keeps one port for that follower and sends the other along (the page
//! passes it on with the `Follow`). Every batch's `FollowStep` and `ShardGradient` then go
//! worker to worker without waking the page's thread (two hops each way through it before).
//! Without a port (a follower of another run) they still go through the page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::session::{Envelope, ErrorKind, Forward, Reply, Response, Session};
use crate::web::link::{buffers_of, message, port_of};

/// Work done between two yields to the event loop, ms.
pub const SLICE_MS: f64 = 40.0;

/// What the worker holds: the session, and whether a loop is driving its job.
#[derive(Default)]
struct Worker {
    session: RefCell<Session>,
    driving: Cell<bool>,
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn performance() -> Option<web_sys::Performance> {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
}

fn now_ms() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

/// Milliseconds since the Unix epoch on the clock every worker of the page shares
/// (`timeOrigin + now()`): a stamp one worker writes can be read against another's.
fn shared_clock_ms() -> f64 {
    performance().map_or(0.0, |p| p.time_origin() + p.now())
}

/// What this worker's messages to and from the other training workers cost, for the
/// benchmarks' model of the communication ([`worker_timings`]).
#[derive(Default, Clone, Copy, serde::Serialize)]
struct Timings {
    /// Messages posted to another training worker, and the milliseconds spent posting them
    /// (the JSON, the copy out of the WebAssembly memory and `postMessage`).
    posts: u32,
    post_ms: f64,
    /// Messages received from another training worker; the milliseconds from their posting to
    /// the start of their handling (summed, and the longest); the milliseconds spent handling
    /// them (a follower's step and shard included).
    received: u32,
    delivery_ms: f64,
    delivery_max_ms: f64,
    handle_ms: f64,
    /// Milliseconds of the leader's job run between messages (its shard, sum and step).
    drive_ms: f64,
    /// Milliseconds this worker sat idle before a message from another training worker, and
    /// the part of them after that message was posted (its way between the workers; the rest
    /// is waiting for the other worker to finish its part).
    idle_ms: f64,
    transit_ms: f64,
    /// Messages posted while this worker already sat idle, and their milliseconds from posting
    /// to handling: the latency of a message between two workers, nothing else in the way.
    awaited: u32,
    awaited_ms: f64,
    /// When this worker last finished handling a message or a run of its job.
    #[serde(skip)]
    busy_until: f64,
    /// From the first to the last of those messages, ms.
    first_ms: f64,
    last_ms: f64,
}

impl Timings {
    fn span(&mut self, t: f64) {
        if self.first_ms == 0.0 {
            self.first_ms = t;
        }
        self.last_ms = self.last_ms.max(t);
    }
}

/// A training worker this one talks to directly: its shard (0 for the leader), the port, and
/// the port's message handler (kept as long as the port).
struct Peer {
    shard: usize,
    port: web_sys::MessagePort,
    _handler: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

thread_local! {
    /// The worker, for the handlers of its peers' ports.
    static WORKER: RefCell<Option<Rc<Worker>>> = const { RefCell::new(None) };
    /// The training workers this one talks to directly.
    static PEERS: RefCell<Vec<Peer>> = const { RefCell::new(Vec::new()) };
    /// What the messages between training workers cost.
    static TIMINGS: Cell<Timings> = Cell::new(Timings::default());
}

fn timings(update: impl FnOnce(&mut Timings)) {
    TIMINGS.with(|t| {
        let mut v = t.get();
        update(&mut v);
        t.set(v);
    });
}

/// What this worker's messages to and from the other training workers cost so far, as JSON
/// (the fields of `Timings`), counting again from zero when `reset`. Called from the worker's
/// scope as `wasm_bindgen.workerTimings(true)` (`tests/e2e/bench.mjs` reads it through
/// Playwright after each run on several workers).
#[wasm_bindgen(js_name = workerTimings)]
pub fn worker_timings(reset: bool) -> String {
    let t = TIMINGS.with(|t| if reset { t.take() } else { t.get() });
    serde_json::to_string(&t).unwrap_or_default()
}

/// Talks to the worker of `shard` through `port` from now on (replacing an older port).
fn add_peer(shard: usize, port: web_sys::MessagePort) {
    let Some(worker) = WORKER.with(|w| w.borrow().clone()) else {
        return;
    };
    let handler =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            on_message(&worker, &e)
        });
    port.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    PEERS.with(|p| {
        let mut peers = p.borrow_mut();
        if let Some(old) = peers.iter().position(|q| q.shard == shard) {
            let old = peers.swap_remove(old);
            old.port.set_onmessage(None);
            old.port.close();
        }
        peers.push(Peer {
            shard,
            port,
            _handler: handler,
        });
    });
}

fn post(mut reply: Reply) {
    let started = shared_clock_ms();
    let buffers: js_sys::Array = reply
        .response
        .take_buffers()
        .iter()
        .map(|b| js_sys::Uint8Array::from(b.as_slice()).buffer())
        .collect();
    // A batch's message to another training worker: straight to it when they share a port.
    let to_peer = match &reply.response {
        Response::FollowStep(m) => Some(m.shard),
        Response::ShardGradient(_) => Some(0),
        _ => None,
    };
    if let Some(shard) = to_peer {
        let port = PEERS.with(|p| {
            p.borrow()
                .iter()
                .find(|q| q.shard == shard)
                .map(|q| q.port.clone())
        });
        if let Some(port) = port {
            let request = match reply.response.forward() {
                Forward::Follower { request, .. } | Forward::Leader(request) => request,
                Forward::Show(_) => return,
            };
            let Ok(text) = serde_json::to_string(&Envelope { id: 0, request }) else {
                return;
            };
            let msg = message(&text, &buffers, None);
            let sent = shared_clock_ms();
            let _ = js_sys::Reflect::set(&msg, &"sent".into(), &sent.into());
            let _ = port.post_message_with_transferable(&msg, &buffers);
            let done = shared_clock_ms();
            timings(|t| {
                t.posts += 1;
                // The bytes were copied out of the WebAssembly memory before `sent`.
                t.post_ms += done - started;
                t.span(done);
            });
            return;
        }
    }
    // A run's first message to a follower carries the port of their channel.
    let mut port = None;
    if let Response::Follow(m) = &reply.response {
        if let Ok(channel) = web_sys::MessageChannel::new() {
            add_peer(m.shard, channel.port1());
            let other = channel.port2();
            buffers.push(&other);
            port = Some(other);
        }
    }
    let Ok(text) = serde_json::to_string(&reply) else {
        return;
    };
    let _ = scope().post_message_with_transfer(&message(&text, &buffers, port.as_ref()), &buffers);
}

/// Something the worker says unasked.
fn post_unasked(response: Response) {
    post(Reply { to: None, response });
}

/// Resolves on the next turn of the event loop (a `MessageChannel` message, so pending
/// messages from the page are handled first or in between).
async fn yield_now() {
    let Ok(channel) = web_sys::MessageChannel::new() else {
        return;
    };
    let port = channel.port1();
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        port.set_onmessage(Some(&resolve));
    });
    let _ = channel.port2().post_message(&JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    port.set_onmessage(None);
    port.close();
}

async fn drive(worker: Rc<Worker>) {
    loop {
        let started = shared_clock_ms();
        let posts = TIMINGS.with(Cell::get).posts;
        let more = worker
            .session
            .borrow_mut()
            .run_for(SLICE_MS, &now_ms, &mut post);
        let done = shared_clock_ms();
        timings(|t| {
            // The leader's work between its followers' messages: a run that posted to them, or
            // stopped to wait for them (not its preparation before, nor the scoring after).
            if posts > 0 && (t.posts > posts || !more) {
                t.drive_ms += done - started;
            }
            t.busy_until = done;
        });
        if !more {
            break;
        }
        yield_now().await;
    }
    worker.driving.set(false);
}

fn on_message(worker: &Rc<Worker>, e: &web_sys::MessageEvent) {
    let arrived = shared_clock_ms();
    let data = e.data();
    let sent = js_sys::Reflect::get(&data, &"sent".into())
        .ok()
        .and_then(|s| s.as_f64());
    let json = js_sys::Reflect::get(&data, &"json".into())
        .ok()
        .and_then(|j| j.as_string());
    let Some(json) = json else {
        return post_unasked(Response::error(
            ErrorKind::Protocol,
            "the worker got a message it does not understand",
        ));
    };
    let mut envelope: Envelope = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(err) => {
            return post_unasked(Response::error(
                ErrorKind::Protocol,
                format!("bad request: {err}"),
            ));
        }
    };
    // A run's `Follow` brings the follower its port to the leader.
    if let Some(port) = port_of(&data) {
        add_peer(0, port);
    }
    envelope.request.attach(
        buffers_of(&data)
            .iter()
            .map(|b| js_sys::Uint8Array::new(b).to_vec())
            .collect(),
    );
    worker
        .session
        .borrow_mut()
        .handle(envelope, &now_ms, &mut post);
    let done = shared_clock_ms();
    timings(|t| {
        if let Some(sent) = sent {
            t.received += 1;
            t.delivery_ms += arrived - sent;
            t.delivery_max_ms = t.delivery_max_ms.max(arrived - sent);
            t.handle_ms += done - arrived;
            if t.busy_until > 0.0 {
                t.idle_ms += (arrived - t.busy_until).max(0.0);
                t.transit_ms += (arrived - sent.max(t.busy_until)).max(0.0);
                if sent >= t.busy_until {
                    t.awaited += 1;
                    t.awaited_ms += arrived - sent;
                }
            }
            t.span(done);
        }
        t.busy_until = done;
    });
    if worker.session.borrow().busy() && !worker.driving.get() {
        worker.driving.set(true);
        wasm_bindgen_futures::spawn_local(drive(Rc::clone(worker)));
    }
}

/// Bytes of this worker's WebAssembly memory: what the worker holds at most so far, since a
/// WebAssembly memory grows and never shrinks. Called from the worker's scope as
/// `wasm_bindgen.workerMemoryBytes()` (the browser tests read it through Playwright).
#[wasm_bindgen(js_name = workerMemoryBytes)]
pub fn worker_memory_bytes() -> f64 {
    // `byteLength` read as a number: a full 4 GiB memory does not fit the u32 of js-sys.
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| js_sys::Reflect::get(&m.buffer(), &"byteLength".into()).ok())
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0)
}

/// Starts the worker: installs the message handler and says it is ready.
pub fn start_worker() {
    console_error_panic_hook::set_once();
    let worker = Rc::new(Worker::default());
    WORKER.with(|w| *w.borrow_mut() = Some(Rc::clone(&worker)));
    let handler =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            on_message(&worker, &e)
        });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post_unasked(Response::Ready);
}
