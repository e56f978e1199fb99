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

fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
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
            let _ = port.post_message_with_transferable(&message(&text, &buffers, None), &buffers);
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
        let more = worker
            .session
            .borrow_mut()
            .run_for(SLICE_MS, &now_ms, &mut post);
        if !more {
            break;
        }
        yield_now().await;
    }
    worker.driving.set(false);
}

fn on_message(worker: &Rc<Worker>, e: &web_sys::MessageEvent) {
    let data = e.data();
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
