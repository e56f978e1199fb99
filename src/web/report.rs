//! The "Download report" button: one self-contained HTML file of every run the page holds
//! ([`crate::report::report_html`]), built on the main thread from the reports it already has
//! (a few milliseconds of string building; the worker is not asked) and offered as a download
//! through a Blob and an object URL — nothing goes over the network.

use leptos::prelude::*;

use super::bridge::download;
use super::state::AppState;
use crate::report::{REPORT_FILE_NAME, report_html};

/// The button, shown once a run exists; the report holds every run, the selected one first.
#[component]
pub fn DownloadReport() -> impl IntoView {
    let state = AppState::get();
    let save = move |_| {
        let runs = state.runs.get_untracked();
        let mut chosen: Vec<u32> = runs.iter().map(|r| r.id).collect();
        let selected = state.selected_run.get_untracked();
        if let Some(k) = chosen.iter().position(|id| Some(*id) == selected) {
            let id = chosen.remove(k);
            chosen.insert(0, id);
        }
        let html = report_html(&runs, &chosen);
        download(
            REPORT_FILE_NAME,
            &wasm_bindgen::JsValue::from_str(&html),
            "text/html;charset=utf-8",
        );
    };
    view! {
        <Show when=move || state.runs.with(|r| !r.is_empty())>
            <div class="buttons left">
                <button class="secondary" data-testid="download-report" on:click=save
                    title="One HTML file with every run: data, settings, curves, tables, indicators and the command to run it again; prints to PDF">
                    "Download report"
                </button>
            </div>
        </Show>
    }
}
