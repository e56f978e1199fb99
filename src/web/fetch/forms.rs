//! The two forms that fetch a record: through LightWAVE, or from a folder at a URL.

use leptos::prelude::*;

use super::folder::{fetch_base_record, list_base_records};
use super::lightwave::{fetch_lightwave, list_databases, list_records};
use super::state::FetchState;
use crate::io::lightwave::WINDOW_S;

/// Fetching through LightWAVE.
#[component]
pub fn LightwaveForm(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    let busy = move || fs.running.get().is_some();
    view! {
        <fieldset class="fetch-form" data-testid="lightwave-form">
            <legend>"PhysioNet LightWAVE"</legend>
            <label for="lw-server">"Server"</label>
            <input id="lw-server" type="url" data-testid="lw-server" prop:value=move || fs.server.get()
                on:input=move |ev| fs.server.set(event_target_value(&ev)) />
            <div class="row">
                <label for="lw-db">"Database"</label>
                <input id="lw-db" data-testid="lw-db" prop:value=move || fs.db.get()
                    on:input=move |ev| fs.db.set(event_target_value(&ev)) />
                <button class="secondary" data-testid="lw-list-dbs" prop:disabled=busy
                    on:click=move |_| leptos::task::spawn_local(list_databases(fs))>"List databases"</button>
            </div>
            <Show when=move || !fs.dbs.get().is_empty()>
                <select data-testid="lw-db-select" aria-label="Databases on the server"
                    on:change=move |ev| { fs.db.set(event_target_value(&ev)); fs.records.set(Vec::new()); }>
                    {move || fs.dbs.get().into_iter().map(|d| {
                        let selected = d.name == fs.db.get_untracked();
                        view! { <option value=d.name.clone() selected=selected>{format!("{} — {}", d.name, d.desc)}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <div class="row">
                <label for="lw-record">"Record"</label>
                <input id="lw-record" data-testid="lw-record" prop:value=move || fs.record.get()
                    on:input=move |ev| fs.record.set(event_target_value(&ev)) />
                <button class="secondary" data-testid="lw-list-records" prop:disabled=busy
                    on:click=move |_| leptos::task::spawn_local(list_records(fs))>"List records"</button>
            </div>
            <Show when=move || !fs.records.get().is_empty()>
                <select data-testid="lw-record-select" aria-label="Records of the database"
                    on:change=move |ev| fs.record.set(event_target_value(&ev))>
                    {move || fs.records.get().into_iter().map(|r| {
                        let selected = r == fs.record.get_untracked();
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <button data-testid="lw-fetch" prop:disabled=busy
                on:click=move |_| leptos::task::spawn_local(fetch_lightwave(fs))>"Fetch record"</button>
            <p class="muted small">{format!("Fetched in windows of {WINDOW_S} s; failed requests are tried again after 0.5, 1, 2 and 4 s.")}</p>
        </fieldset>
    }
}

/// Fetching from a folder of WFDB files.
#[component]
pub fn BaseUrlForm(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    let busy = move || fs.running.get().is_some();
    view! {
        <fieldset class="fetch-form" data-testid="url-form">
            <legend>"A folder of WFDB files (CORS-enabled)"</legend>
            <label for="url-base">"Base URL"</label>
            <div class="row">
                <input id="url-base" type="url" data-testid="url-base" prop:value=move || fs.base.get()
                    on:input=move |ev| fs.base.set(event_target_value(&ev)) />
                <button class="secondary" data-testid="url-list" prop:disabled=busy
                    on:click=move |_| leptos::task::spawn_local(list_base_records(fs))>"Read RECORDS"</button>
            </div>
            <Show when=move || !fs.base_records.get().is_empty()>
                <select data-testid="url-record-select" aria-label="Records listed in RECORDS"
                    on:change=move |ev| fs.base_record.set(event_target_value(&ev))>
                    {move || fs.base_records.get().into_iter().map(|r| {
                        let selected = r == fs.base_record.get_untracked();
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <div class="row">
                <label for="url-record">"Record"</label>
                <input id="url-record" data-testid="url-record" prop:value=move || fs.base_record.get()
                    on:input=move |ev| fs.base_record.set(event_target_value(&ev)) />
            </div>
            <button data-testid="url-fetch" prop:disabled=busy
                on:click=move |_| leptos::task::spawn_local(fetch_base_record(fs))>"Fetch record"</button>
            <p class="muted small">"Reads RECORDS, then the record's .hea, the signal files it names and its .atr."</p>
        </fieldset>
    }
}
