//! Loading dropped or chosen files in parts ([`crate::io::parts`]): the page plans the parts
//! from the files' names and sizes, reads one part while the worker parses the one before, and
//! sends it when the worker asks for it ([`Response::PartRead`](crate::session::Response)).
//! So the page holds at most one part's bytes and the worker one part's beside what it keeps,
//! instead of every file of the load in the page and again in the worker's memory.
//!
//! The loop ends at the worker's `Loaded` answer (after the last part, or a Cancel), at a
//! refusal of a part, or when Cancel is pressed before anything was sent.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::state::AppState;
use crate::io::parts::{LOAD_PART_BYTES, load_parts};
use crate::session::Request;
use crate::session::views::Progress;

#[wasm_bindgen(module = "/src/web/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = sizesOf)]
    fn sizes_of(items: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = readPart)]
    fn read_part(items: &JsValue, indices: Vec<u32>, on_read: &js_sys::Function)
    -> js_sys::Promise;
}

/// One load (or other job) at a time: a second load would leave the first waiting for parts its
/// loop no longer sends. True (and the person told so) when a job is running.
pub fn refused_while_busy(state: AppState) -> bool {
    let busy = state.busy.get_untracked();
    if busy {
        state.notify(
            "info",
            None,
            "Still working on the last files: wait or cancel first.",
        );
    }
    busy
}

/// Reads `{ path, file }` items (from a drop or a file input) and sends them to the worker in
/// parts of about [`LOAD_PART_BYTES`].
///
/// `keep`: the person chose these files now, so the browser keeps them for the next visit
/// ([`super::state::persist`]); false when they are read again from what was kept.
pub async fn load_items(state: AppState, items: JsValue, keep: bool) {
    if refused_while_busy(state) {
        return;
    }
    state.busy.set(true);
    // Kept (as `File` handles) to read again into a worker started in place of one that stops.
    state.restart.loading_files(items.clone());
    if keep {
        state.persist.files_loaded(state, &items);
    }
    state.progress.set(Some(Progress {
        job: "read".into(),
        done: 0.0,
        total: 1.0,
        label: "reading files".into(),
    }));
    let sizes = wasm_bindgen_futures::JsFuture::from(sizes_of(&items))
        .await
        .unwrap_or(JsValue::NULL);
    let files: Vec<(String, u64)> = js_sys::Array::from(&sizes)
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_f64()? as u64))
        })
        .collect();
    state.notices.set(Vec::new());
    if files.is_empty() {
        state.restart.drop_load_in_flight();
        state.idle();
        state.notify("info", None, "No file was given.");
        return;
    }
    let names: Vec<(&str, u64)> = files.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let parts = load_parts(&names, LOAD_PART_BYTES);
    let total_bytes: u64 = files.iter().map(|(_, n)| n).sum();
    let load = state.parts.begin();
    for (k, indices) in parts.iter().enumerate() {
        // The page's own progress until the first part is sent; the worker's after.
        let first_bytes: u64 = indices.iter().map(|&i| files[i].1).sum();
        let mut done = 0.0;
        let on_read = Closure::<dyn FnMut(f64)>::new(move |bytes: f64| {
            if k > 0 {
                return;
            }
            done += bytes;
            state.progress.set(Some(Progress {
                job: "read".into(),
                done,
                total: first_bytes.max(1) as f64,
                label: "reading files".into(),
            }));
        });
        let indices: Vec<u32> = indices.iter().map(|&i| i as u32).collect();
        let read = wasm_bindgen_futures::JsFuture::from(read_part(
            &items,
            indices,
            on_read.as_ref().unchecked_ref(),
        ))
        .await;
        drop(on_read);
        let (paths, buffers) = match read {
            Ok(v) => paths_and_buffers(&v),
            Err(e) => {
                let text = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .or_else(|| e.as_string())
                    .unwrap_or_else(|| "the files could not be read".into());
                stop(state, load, k, &text);
                return;
            }
        };
        // Wait for the worker to be done with the part before (this part was read meanwhile).
        let go_on = if k == 0 {
            state.parts.goes_on(load)
        } else {
            state.parts.part_read(load, k - 1).await
        };
        if !go_on {
            // (A worker that stopped ended the load too: its alert says so.)
            if k == 0 && state.parts.is_current(load) && state.worker_ready.get_untracked() {
                state.restart.drop_load_in_flight();
                state.idle();
                state.notify(
                    "info",
                    None,
                    "Loading cancelled before any file reached the worker; nothing changed.",
                );
            }
            return;
        }
        state.link.send(
            Request::LoadPart {
                part: k,
                last: k + 1 == parts.len(),
                total_bytes,
                paths,
                bytes: Vec::new(),
            },
            buffers,
        );
    }
}

/// The `{ paths, buffers }` a `files.js` reader resolved to.
fn paths_and_buffers(v: &JsValue) -> (Vec<String>, Vec<js_sys::ArrayBuffer>) {
    let paths = js_sys::Reflect::get(v, &"paths".into()).unwrap_or(JsValue::NULL);
    let buffers = js_sys::Reflect::get(v, &"buffers".into()).unwrap_or(JsValue::NULL);
    (
        js_sys::Array::from(&paths)
            .iter()
            .filter_map(|p| p.as_string())
            .collect(),
        js_sys::Array::from(&buffers)
            .iter()
            .filter_map(|b| b.dyn_into().ok())
            .collect(),
    )
}

/// A part could not be read: say so, and end the load — with what the worker read of the
/// parts before, when some were sent (a Cancel makes it finish with them).
fn stop(state: AppState, load: u64, part: usize, text: &str) {
    if !state.parts.is_current(load) {
        return;
    }
    state.parts.end();
    state.notify("error", None, text.to_string());
    if part == 0 {
        // Nothing reached the worker: nothing to read again after a restart either.
        state.restart.drop_load_in_flight();
        state.idle();
    } else {
        state.send(Request::Cancel);
    }
}
