//! Records kept in this browser's cache, and handing fetched (or cached) files to the worker
//! exactly as a drop does.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::net::{cache_get, cache_list, cache_put, prop};
use super::state::{CachedRecord, FetchState, fail, progress};
use crate::session::Request;

/// Reads the list of cached records (no request leaves the browser).
pub async fn refresh_cache(fs: FetchState) {
    let Ok(list) = wasm_bindgen_futures::JsFuture::from(cache_list()).await else {
        return;
    };
    let cached = js_sys::Array::from(&list)
        .iter()
        .map(|e| CachedRecord {
            key: prop(&e, "key").as_string().unwrap_or_default(),
            label: prop(&e, "label").as_string().unwrap_or_default(),
            name: prop(&e, "name").as_string().unwrap_or_default(),
            bytes: prop(&e, "bytes").as_f64().unwrap_or(0.0),
        })
        .collect();
    fs.cached.set(cached);
}

/// Sends WFDB files to the worker exactly as a drop does.
pub fn load_files(
    fs: FetchState,
    name: &str,
    source: &'static str,
    paths: Vec<String>,
    buffers: Vec<js_sys::ArrayBuffer>,
) {
    if fs.page_busy.get_untracked() {
        return fail(
            fs,
            "the page is busy with another job: wait for it or cancel it, then fetch again",
        );
    }
    fs.page_busy.set(true);
    fs.awaiting.update(|a| a.push((name.to_string(), source)));
    progress(fs, format!("loading record {name}"), 1.0, 1.0);
    fs.link.send(
        Request::LoadFiles {
            paths,
            bytes: Vec::new(),
        },
        buffers,
    );
}

/// Loads a cached record if there is one; true when it did.
pub async fn load_from_cache(fs: FetchState, key: &str, name: &str) -> bool {
    let Ok(hit) = wasm_bindgen_futures::JsFuture::from(cache_get(key)).await else {
        return false;
    };
    if hit.is_null() || hit.is_undefined() {
        return false;
    }
    let paths: Vec<String> = js_sys::Array::from(&prop(&hit, "paths"))
        .iter()
        .filter_map(|p| p.as_string())
        .collect();
    let buffers: Vec<js_sys::ArrayBuffer> = js_sys::Array::from(&prop(&hit, "buffers"))
        .iter()
        .filter_map(|b| b.dyn_into().ok())
        .collect();
    if paths.is_empty() || paths.len() != buffers.len() {
        return false;
    }
    fs.status.set(Some(format!(
        "record {name} comes from this browser's cache: nothing was downloaded"
    )));
    load_files(fs, name, "cache", paths, buffers);
    true
}

/// Keeps fetched files in the cache under `key`, then loads them.
pub async fn store_and_load(
    fs: FetchState,
    key: String,
    label: String,
    name: String,
    source: &'static str,
    paths: Vec<String>,
    buffers: Vec<js_sys::ArrayBuffer>,
) {
    let js_paths: js_sys::Array = paths.iter().map(|p| JsValue::from_str(p)).collect();
    let js_buffers: js_sys::Array = buffers.iter().collect();
    if wasm_bindgen_futures::JsFuture::from(cache_put(&key, &label, &name, &js_paths, &js_buffers))
        .await
        .is_err()
    {
        fs.status.set(Some(
            "the browser's cache refused the record (storage full?); it is loaded but not kept"
                .into(),
        ));
    }
    refresh_cache(fs).await;
    load_files(fs, &name, source, paths, buffers);
}
