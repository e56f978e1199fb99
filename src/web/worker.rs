//! The Web Worker: owns the [`Session`] (all loaded data) and runs its jobs off the UI thread.
//!
//! A job runs in slices of about [`SLICE_MS`]; between slices the worker yields to its event
//! loop through a `MessageChannel` round trip (no timer clamping), so a `Cancel` sent by the page
//! is handled at the next slice boundary.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::session::{Request, Response, Session};

/// Work done between two yields to the event loop, ms.
pub const SLICE_MS: f64 = 40.0;

thread_local! {
    static SESSION: Rc<RefCell<Session>> = Rc::new(RefCell::new(Session::new()));
    static DRIVING: RefCell<bool> = const { RefCell::new(false) };
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

fn post(response: Response) {
    let Ok(text) = serde_json::to_string(&response) else {
        return;
    };
    match response {
        // File contents travel as a transferred buffer beside the JSON.
        Response::Export { bytes, .. } => {
            let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"json".into(), &JsValue::from_str(&text));
            let _ = js_sys::Reflect::set(&msg, &"buffer".into(), &buffer);
            let transfer = js_sys::Array::of1(&buffer);
            let _ = scope().post_message_with_transfer(&msg, &transfer);
        }
        // A fetched record's files travel as transferred buffers beside the JSON.
        Response::Assembled { files, .. } => {
            let msg = js_sys::Object::new();
            let buffers = js_sys::Array::new();
            for f in &files {
                buffers.push(&js_sys::Uint8Array::from(f.as_slice()).buffer());
            }
            let _ = js_sys::Reflect::set(&msg, &"json".into(), &JsValue::from_str(&text));
            let _ = js_sys::Reflect::set(&msg, &"buffers".into(), &buffers);
            let _ = scope().post_message_with_transfer(&msg, &buffers);
        }
        _ => {
            let _ = scope().post_message(&JsValue::from_str(&text));
        }
    }
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

async fn drive(session: Rc<RefCell<Session>>) {
    loop {
        let more = session.borrow_mut().run_for(SLICE_MS, &now_ms, &mut post);
        if !more {
            break;
        }
        yield_now().await;
    }
    DRIVING.with(|d| *d.borrow_mut() = false);
}

fn on_message(e: web_sys::MessageEvent) {
    let data = e.data();
    let json = js_sys::Reflect::get(&data, &"json".into())
        .ok()
        .and_then(|j| j.as_string());
    let Some(json) = json else {
        post(Response::Error {
            message: "the worker got a message it does not understand".into(),
        });
        return;
    };
    let request: Request = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(err) => {
            post(Response::Error {
                message: format!("bad request: {err}"),
            });
            return;
        }
    };
    let buffers = js_sys::Reflect::get(&data, &"buffers".into()).unwrap_or(JsValue::NULL);
    let files: Vec<Vec<u8>> = js_sys::Array::from(&buffers)
        .iter()
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())
        .collect();
    let session = SESSION.with(Rc::clone);
    session
        .borrow_mut()
        .handle(request, files, &now_ms, &mut post);
    let start = session.borrow().busy() && DRIVING.with(|d| !*d.borrow());
    if start {
        DRIVING.with(|d| *d.borrow_mut() = true);
        wasm_bindgen_futures::spawn_local(drive(session));
    }
}

/// Starts the worker: installs the message handler and says it is ready.
pub fn start_worker() {
    console_error_panic_hook::set_once();
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(Response::Ready);
}
