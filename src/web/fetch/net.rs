//! The network and the browser's cache, through `remote.js`: GET with retries and back-off,
//! and the cache's entries.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::state::FetchState;
use crate::io::remote::{self, Backoff, RemoteError};
use crate::session::Request;
use leptos::prelude::*;

#[wasm_bindgen(module = "/src/web/remote.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchBytes)]
    pub fn fetch_bytes(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = abortFetches)]
    pub fn abort_fetches();
    #[wasm_bindgen(js_name = sleep)]
    pub fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cachePut)]
    pub fn cache_put(
        key: &str,
        label: &str,
        name: &str,
        paths: &js_sys::Array,
        buffers: &js_sys::Array,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheGet)]
    pub fn cache_get(key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheList)]
    pub fn cache_list() -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheClear)]
    pub fn cache_clear() -> js_sys::Promise;
}

/// Property `name` of `v` (`undefined` when missing).
pub fn prop(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn remote_error(e: &JsValue, url: &str) -> RemoteError {
    let kind = prop(e, "kind").as_string().unwrap_or_default();
    let status = prop(e, "status").as_f64().unwrap_or(0.0) as u16;
    let reason = prop(e, "reason").as_string().unwrap_or_default();
    let url = prop(e, "url")
        .as_string()
        .unwrap_or_else(|| url.to_string());
    RemoteError::from_kind(&kind, &url, status, &reason)
}

/// A copy of `buffer` in wasm memory.
pub fn bytes_of(buffer: &js_sys::ArrayBuffer) -> Vec<u8> {
    js_sys::Uint8Array::new(buffer).to_vec()
}

/// GET `url` with retries: transient failures are tried again after 0.5, 1, 2 and 4 s.
pub async fn get(
    fs: FetchState,
    url: &str,
    generation: u32,
) -> Result<js_sys::ArrayBuffer, RemoteError> {
    remote::check_url(url)?;
    let backoff = Backoff::default();
    let mut attempt = 1;
    loop {
        let wait = backoff.delay_ms(attempt).unwrap_or(0);
        if wait > 0 {
            let _ = wasm_bindgen_futures::JsFuture::from(sleep(wait)).await;
        }
        if fs.generation.get_untracked() != generation {
            return Err(RemoteError::Cancelled);
        }
        let err = match wasm_bindgen_futures::JsFuture::from(fetch_bytes(url)).await {
            Ok(v) => {
                return v
                    .dyn_into::<js_sys::ArrayBuffer>()
                    .map_err(|_| RemoteError::BadResponse {
                        url: url.to_string(),
                        reason: "no bytes came back".into(),
                    });
            }
            Err(e) => remote_error(&e, url),
        };
        match backoff.delay_ms(attempt + 1) {
            Some(next) if err.is_transient() && fs.generation.get_untracked() == generation => {
                fs.status.set(Some(format!(
                    "{err} — trying again in {:.1} s (attempt {} of {})",
                    f64::from(next) / 1000.0,
                    attempt + 1,
                    backoff.attempts
                )));
                attempt += 1;
            }
            _ => return Err(err),
        }
    }
}

/// The user cancelled: stop the requests, and the worker if it is assembling.
pub fn cancel(fs: FetchState) {
    fs.generation.update(|g| *g = g.wrapping_add(1));
    abort_fetches();
    if fs.pending.get_untracked().is_some() {
        // The worker may be assembling: stop it too.
        fs.link.send(Request::Cancel, Vec::new());
    }
    fs.pending.set(None);
    fs.awaiting.set(Vec::new());
    fs.running.set(None);
    fs.error.set(Some(RemoteError::Cancelled.to_string()));
}
