//! The Data screen: dropping files, progress, messages, the list of records.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::bridge;
use super::card::Card;
use super::charts::thousands;
use super::state::AppState;
use super::table::{Col, Shown, Table, col, num};
use crate::ecg::aami::AamiClass;
use crate::session::Request;
use crate::session::views::side_text;

/// Progress of the running job, with Cancel.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let state = AppState::get();
    view! {
        <Show when=move || state.busy.get()>
            <section class="progress card" data-testid="progress" aria-live="polite">
                {move || {
                    let (pct, label) = state
                        .progress
                        .get()
                        .map_or((0.0, "working…".into()), |p| (p.percent(), p.label));
                    view! {
                        <div class="progress-row">
                            <div
                                class="bar"
                                role="progressbar"
                                aria-label="Progress"
                                aria-valuemin="0"
                                aria-valuemax="100"
                                aria-valuenow=format!("{pct:.0}")
                            >
                                <div class="fill" style=format!("width:{pct:.1}%")></div>
                            </div>
                            <span class="pct">{format!("{pct:.0} %")}</span>
                            <button
                                class="secondary"
                                data-testid="cancel"
                                on:click=move |_| {
                                    // A load in parts also stops sending.
                                    state.parts.end();
                                    state.send(Request::Cancel);
                                }
                            >
                                "Cancel"
                            </button>
                        </div>
                        <p class="muted small" data-testid="progress-label">{label}</p>
                    }
                }}
            </section>
        </Show>
    }
}

/// The Data screen.
#[component]
pub fn DataPanel() -> impl IntoView {
    let state = AppState::get();
    view! {
        <DropZone />
        <super::fetch::GetDataPanel fs=state.fetch />
        <Notices />
        <CsvRatePrompts />
        <RecordsTable />
        <BeatFilesTable />
        <super::record::RecordDetail />
    }
}

#[component]
fn DropZone() -> impl IntoView {
    let state = AppState::get();
    let over = RwSignal::new(false);
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = folder_input.get() {
            let _ = el.set_attribute("webkitdirectory", "");
        }
    });
    let on_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            let items = bridge::from_file_list(&list);
            leptos::task::spawn_local(bridge::load_items(state, items));
        }
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        over.set(false);
        // Refused before the dropped folders are walked.
        if super::loading::refused_while_busy(state) {
            return;
        }
        let Some(dt) = ev.data_transfer() else {
            return;
        };
        let dropped = bridge::drop_entries(&dt);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(bridge::collect_dropped(&dropped)).await {
                Ok(items) => bridge::load_items(state, items).await,
                Err(_) => state.notify("error", None, "the dropped items could not be read"),
            }
        });
    };
    let local_dbs: Vec<String> = bridge::local_databases()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    let has_mitdb = local_dbs.iter().any(|d| d == "mitdb");
    view! {
        <Card id="add" title="Add ECG data">
            <div
                class="dropzone"
                class:over=move || over.get()
                data-testid="dropzone"
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    over.set(true);
                }
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop
            >
                <p class="drop-title">"Drop files or a folder here"</p>
                <p class="muted small">
                    "PhysioNet WFDB records (" <code>".hea"</code> " + " <code>".dat"</code> " + " <code>".atr"</code>
                    ", formats 212, 16, 61, 80, 310, 311), a PhysioNet " <code>".zip"</code>
                    ", the Kaggle heartbeat CSV (" <code>"mitbih_train.csv"</code> ") or a plain CSV with one column per lead."
                </p>
                <div class="buttons">
                    <label class="button">
                        "Choose files…"
                        <input
                            type="file"
                            multiple
                            class="visually-hidden"
                            data-testid="file-input"
                            accept=".hea,.dat,.atr,.ari,.ann,.qrs,.ecg,.zip,.csv"
                            on:change=on_files
                        />
                    </label>
                    <label class="button secondary">
                        "Choose a folder…"
                        <input
                            type="file"
                            multiple
                            class="visually-hidden"
                            data-testid="folder-input"
                            node_ref=folder_input
                            on:change=on_files
                        />
                    </label>
                    {has_mitdb.then(|| view! {
                        <button
                            class="secondary"
                            data-testid="load-mitdb"
                            on:click=move |_| {
                                if !state.busy.get_untracked() {
                                    leptos::task::spawn_local(bridge::load_remote(state, "./data/mitdb/".into()));
                                }
                            }
                        >
                            "Load MIT-BIH (served locally)"
                        </button>
                    })}
                </div>
            </div>
            <LoadTimingLine />
            <HeldLine />
        </Card>
    }
}

#[component]
fn LoadTimingLine() -> impl IntoView {
    let state = AppState::get();
    move || {
        state.load_timing.get().filter(|t| t.records > 0).map(|t| {
            let total = t.group_ms + t.read_ms + t.segment_ms;
            view! {
                <p class="muted small" data-testid="load-timing" data-read-segment-ms=format!("{:.1}", t.read_ms + t.segment_ms)>
                    {format!(
                        "Read {} record(s), {:.1} MB, and cut {} beats in {:.0} ms (reading {:.0} ms, cutting beats {:.0} ms, unpacking {:.0} ms), in this tab.",
                        t.records,
                        t.bytes as f64 / 1e6,
                        thousands(t.beats),
                        total,
                        t.read_ms,
                        t.segment_ms,
                        t.group_ms
                    )}
                </p>
            }
        })
    }
}

/// What the worker holds for the loaded data, and the share of the sample budget in use.
#[component]
fn HeldLine() -> impl IntoView {
    let state = AppState::get();
    move || {
        let held = state.workspace.with(|w| w.held);
        (held.records > 0 || held.beat_bytes > 0).then(|| {
            view! {
                <p
                    class="muted small"
                    data-testid="memory"
                    data-records=held.records.to_string()
                    data-sample-bytes=held.sample_bytes.to_string()
                    data-beat-bytes=held.beat_bytes.to_string()
                    data-budget-bytes=held.sample_budget_bytes().to_string()
                >
                    {held.text()}
                </p>
            }
        })
    }
}

#[component]
fn Notices() -> impl IntoView {
    let state = AppState::get();
    view! {
        <Show when=move || !state.notices.get().is_empty()>
            <section class="card notices" aria-live="polite" data-testid="notices">
                <h2 class="visually-hidden">"Messages"</h2>
                <ul>
                    {move || {
                        state
                            .notices
                            .get()
                            .into_iter()
                            .map(|n| {
                                let testid = match n.kind {
                                    "error" => "load-error",
                                    "warning" => "load-warning",
                                    _ => "load-info",
                                };
                                view! {
                                    <li class=format!("notice {}", n.kind) data-testid=testid>
                                        <strong>{match n.kind { "error" => "Error", "warning" => "Warning", _ => "Note" }}</strong>
                                        {n.file.map(|f| view! { <code class="file">{f}</code> })}
                                        <span>{n.text}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <button class="link" on:click=move |_| state.notices.set(Vec::new())>"Dismiss"</button>
            </section>
        </Show>
    }
}

#[component]
fn CsvRatePrompts() -> impl IntoView {
    let state = AppState::get();
    move || {
        state
            .workspace
            .get()
            .pending_csv
            .into_iter()
            .map(|p| {
                let rate = RwSignal::new(p.suggested_fs_hz.map_or(String::new(), |f| format!("{f}")));
                let file = p.file.clone();
                let id = format!("rate-{}", p.file);
                view! {
                    <section class="card prompt" data-testid="csv-rate-prompt">
                        <h2>{format!("Sampling rate of {}", p.file)}</h2>
                        <p class="muted small">
                            {format!(
                                "{} lead(s) ({}) of {} samples. A plain CSV does not say how fast it was sampled{}.",
                                p.leads.len(),
                                p.leads.join(", "),
                                thousands(p.samples),
                                if p.suggested_fs_hz.is_some() { "; its time column suggests the rate below" } else { "" }
                            )}
                        </p>
                        <label for=id.clone()>"Sampling rate (Hz)"</label>
                        <input
                            id=id
                            type="number"
                            min="1"
                            step="any"
                            data-testid="csv-rate"
                            prop:value=move || rate.get()
                            on:input=move |ev| rate.set(event_target_value(&ev))
                        />
                        <button
                            data-testid="csv-rate-apply"
                            on:click=move |_| {
                                match rate.get_untracked().trim().parse::<f64>() {
                                    Ok(fs_hz) => state.send(Request::SetCsvRate { file: file.clone(), fs_hz }),
                                    Err(_) => state.notify("error", Some(file.clone()), "give the sampling rate as a number of Hz, e.g. 360"),
                                }
                            }
                        >
                            "Use this rate"
                        </button>
                    </section>
                }
            })
            .collect_view()
    }
}

/// Rows of the records table added per animation frame. A row costs the main thread about
/// 0.4 ms (headless Chromium, 2 cores): the 288 rows of a large load at once took one task of
/// 110 ms; a few dozen per frame keep every task under the 50 ms the page aims at.
const ROWS_PER_FRAME: usize = 24;

#[component]
fn RecordsTable() -> impl IntoView {
    let state = AppState::get();
    // Rows shown so far; grows frame by frame up to the number of records.
    let shown = RwSignal::new(ROWS_PER_FRAME);
    Effect::new(move |_| {
        let records = state.workspace.with(|w| w.records.len());
        if shown.get() < records {
            request_animation_frame(move || shown.update(|n| *n += ROWS_PER_FRAME));
        }
    });
    let select = move |name: String| {
        state.selected_record.set(Some(name.clone()));
        state.send(Request::RecordView {
            name: name.clone(),
            start_s: 0.0,
            duration_s: 10.0,
            max_points: 2400,
        });
        state.send(Request::Gallery {
            source: None,
            per_class: 12,
            seed: 1,
            record: Some(name),
        });
    };
    view! {
        <Show when=move || state.workspace.with(|w| !w.records.is_empty())>
            <section class="card" aria-labelledby="records-title">
                <div class="card-head">
                    <h2 id="records-title">
                        {move || format!("Records ({})", state.workspace.with(|w| w.records.len()))}
                    </h2>
                    <button
                        class="link danger"
                        data-testid="clear-all"
                        on:click=move |_| state.send(Request::Clear)
                    >
                        "Remove all"
                    </button>
                </div>
                <Table testid="records-table" caption="Loaded records; choose one to see its signal" head=record_columns()>
                            <For
                                each=move || state.workspace.with(|w| {
                                    w.records.iter().take(shown.get()).cloned().collect::<Vec<_>>()
                                })
                                key=|r| (r.name.clone(), r.counts, r.leads.clone())
                                children=move |r| {
                                    let name = r.name.clone();
                                    let name2 = r.name.clone();
                                    let selected = move || state.selected_record.get().as_deref() == Some(name2.as_str());
                                    let mins = (r.duration_s / 60.0).floor();
                                    let secs = r.duration_s - mins * 60.0;
                                    view! {
                                        <tr data-testid="record-row" data-record=r.name.clone() class:selected=selected>
                                            <td>
                                                <button class="link" data-testid="record-open" on:click=move |_| select(name.clone())>
                                                    {r.name.clone()}
                                                </button>
                                            </td>
                                            <td class="num">{format!("{}", r.fs_hz)}</td>
                                            <td class="num">{format!("{mins:.0}:{secs:04.1}")}</td>
                                            <td>{r.leads.join(", ")}</td>
                                            <td class="num" data-testid="record-beats">{thousands(r.counts.total())}</td>
                                            {AamiClass::ALL.into_iter().map(|c| view! {
                                                <td class="num" data-testid=format!("record-count-{}", c.code())>{thousands(r.counts.get(c))}</td>
                                            }).collect_view()}
                                            <td>{side_text(r.side)}</td>
                                        </tr>
                                    }
                                }
                            />
                </Table>
            </section>
        </Show>
    }
}

#[component]
fn BeatFilesTable() -> impl IntoView {
    let state = AppState::get();
    view! {
        <Show when=move || state.workspace.with(|w| !w.beat_files.is_empty())>
            <Card id="beatfiles" title="Beat files (Kaggle heartbeat CSV)"
                intro="Each row is one beat: 187 samples at 125 Hz from the R peak (Kachuee et al. 2018). These have no patient ids, so any split of them is a beat-level split: optimistic.">
                <Table testid="beatfiles-table" shown=Shown::Note caption_testid="beatfile-role-rule"
                    caption="Role: a file whose name contains “test” (as Kaggle's mitbih_test.csv) is the test side of the split the files give, every other file is training; the split follows the files only when both roles are present. Rename a file to change its role."
                    head=counts_columns("File", "Role")>
                            {move || state.workspace.get().beat_files.into_iter().map(|b| view! {
                                <tr data-testid="beatfile-row">
                                    <td>{b.name.clone()}</td>
                                    <td class="num">{thousands(b.counts.total())}</td>
                                    {AamiClass::ALL.into_iter().map(|c| view! { <td class="num">{thousands(b.counts.get(c))}</td> }).collect_view()}
                                    <td>{if b.is_test { "test (name contains “test”)" } else { "train" }}</td>
                                </tr>
                            }).collect_view()}
                </Table>
            </Card>
        </Show>
    }
}

/// Name, figures of each class, and a last column: the headings of a table of beat counts.
fn counts_columns(first: &str, last: &str) -> Vec<Col> {
    std::iter::once(col(first))
        .chain(std::iter::once(num("Beats")))
        .chain(AamiClass::ALL.map(|c| num(c.code())))
        .chain(std::iter::once(col(last)))
        .collect()
}

/// The headings of the records table.
fn record_columns() -> Vec<Col> {
    let mut cols = counts_columns("Record", "Inter-patient side");
    cols.splice(1..1, [num("fs (Hz)"), num("Duration"), col("Leads")]);
    cols
}

/// Reads the value of a `<select>` or `<input>` from its change event.
pub fn input_value(ev: &leptos::ev::Event) -> String {
    ev.target()
        .and_then(|t| {
            t.dyn_into::<web_sys::HtmlInputElement>()
                .ok()
                .map(|i| i.value())
        })
        .unwrap_or_else(|| event_target_value(ev))
}
