//! The panel and the parts that show what happened: the catalogue, progress, the cache, the
//! fetched records.

use leptos::prelude::*;

use super::cache::{load_from_cache, refresh_cache};
use super::forms::{BaseUrlForm, LightwaveForm};
use super::net::{cache_clear, cancel};
use super::state::{FetchState, fail, start};
use crate::io::catalogue::{CATALOGUE, LabelKind};
use crate::web::card::Card;
use crate::web::charts::thousands;
use crate::web::table::{Col, Shown, Table, col, num};

/// The "Get data" panel.
#[component]
pub fn GetDataPanel(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    view! {
        <Card id="get" title="Get data from PhysioNet or another server" testid="get-data"
            intro="Nothing is fetched until you click. Records come through PhysioNet's LightWAVE service or from any folder of WFDB files whose server allows other sites to read it (CORS), and are kept in this browser's cache. A server that refuses still leaves you the usual way: download the files and drop them above.">
            <Catalogue fs=fs />
            <div class="fetch-forms">
                <LightwaveForm fs=fs />
                <BaseUrlForm fs=fs />
            </div>
            <FetchProgress fs=fs />
            <CacheView fs=fs />
            <FetchedTable fs=fs />
        </Card>
    }
}

/// The catalogue of databases.
#[component]
fn Catalogue(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    view! {
        <details class="catalogue">
            <summary>"Which databases add minority beats?"</summary>
            <Table testid="catalogue" caption="Public ECG databases: size, rate, labels, licence, what they add" head=catalogue_columns()>
                {CATALOGUE.iter().map(|d| {
                    let lw = d.lightwave_db;
                    let files = d.files_url;
                    view! {
                        <tr data-testid="catalogue-row" data-db=d.id>
                            <th scope="row">{d.title}<br/><span class="muted small">{d.source}</span></th>
                            <td class="num">{d.records}</td>
                            <td>{d.recordings}</td>
                            <td>{d.fs}</td>
                            <td>{d.labels.text()}</td>
                            <td>{d.licence}</td>
                            <td>{d.size}</td>
                            <td>{d.adds}</td>
                            <td>
                                {lw.map(|db| view! {
                                    <button class="link" data-testid="catalogue-use-lightwave" on:click=move |_| {
                                        fs.db.set(db.to_string());
                                        fs.records.set(Vec::new());
                                    }>"LightWAVE"</button>
                                })}
                                {files.map(|u| view! {
                                    <button class="link" data-testid="catalogue-use-url" on:click=move |_| {
                                        fs.base.set(u.to_string());
                                        fs.base_records.set(Vec::new());
                                    }>"Files URL"</button>
                                })}
                                {(d.labels == LabelKind::Records && files.is_none()).then_some("download from the source")}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </Table>
        </details>
    }
}

/// Progress, Cancel, and the last message.
#[component]
fn FetchProgress(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    view! {
        {move || fs.running.get().map(|r| {
            let pct = r.percent();
            view! {
                <div class="progress-row" data-testid="fetch-progress" aria-live="polite">
                    <div class="bar" role="progressbar" aria-label="Fetching" aria-valuemin="0" aria-valuemax="100"
                        aria-valuenow=format!("{pct:.0}")>
                        <div class="fill" style=format!("width:{pct:.1}%")></div>
                    </div>
                    <span class="pct">{format!("{pct:.0} %")}</span>
                    <button class="secondary" data-testid="fetch-cancel" on:click=move |_| cancel(fs)>"Cancel"</button>
                </div>
                <p class="muted small" data-testid="fetch-label">{r.label}</p>
            }
        })}
        {move || fs.error.get().map(|e| view! {
            <p class="notice error" role="alert" data-testid="fetch-error"><strong>"Could not fetch: "</strong>{e}</p>
        })}
        {move || fs.status.get().map(|s| view! {
            <p class="muted small" data-testid="fetch-status">{s}</p>
        })}
    }
}

/// What the cache holds.
#[component]
fn CacheView(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    // A fold from +0.0: an empty f64 sum is −0.0, which would show as "-0".
    let total = move || fs.cached.get().iter().fold(0.0, |a, c| a + c.bytes);
    view! {
        <div class="cache" data-testid="cache">
            <p>
                <span data-testid="cache-size" data-bytes=move || format!("{}", total())>
                    {move || format!("Cache: {} record(s), {:.1} MB in this browser", fs.cached.get().len(), total() / 1e6)}
                </span>
                " "
                <button class="link danger" data-testid="cache-clear" on:click=move |_| {
                    leptos::task::spawn_local(async move {
                        let _ = wasm_bindgen_futures::JsFuture::from(cache_clear()).await;
                        refresh_cache(fs).await;
                        fs.status.set(Some("the cache is empty; loaded records stay loaded".into()));
                    });
                }>"Clear cache"</button>
            </p>
            <ul class="cached-list">
                {move || fs.cached.get().into_iter().map(|c| {
                    let key = c.key.clone();
                    let name = c.name.clone();
                    view! {
                        <li data-testid="cached-record" data-key=c.key.clone() data-name=c.name.clone()>
                            {format!("{} — {:.1} MB ", c.label, c.bytes / 1e6)}
                            <button class="link" data-testid="cached-load" prop:disabled=move || fs.running.get().is_some()
                                on:click=move |_| {
                                    let (key, name) = (key.clone(), name.clone());
                                    leptos::task::spawn_local(async move {
                                        start(fs, format!("loading {name} from the cache"));
                                        if !load_from_cache(fs, &key, &name).await {
                                            fail(fs, format!("record {name} is no longer in the cache"));
                                        }
                                    });
                                }>"Load"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Fetched records with the figures that identify them.
#[component]
fn FetchedTable(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    view! {
        <Show when=move || !fs.fetched.get().is_empty()>
            <Table testid="fetched-table" shown=Shown::Title caption="Fetched records (checksums of the loaded samples and annotations)" head=vec![col("Record"), col("From"), num("Samples"), num("Beats"), col("SHA-256 of the samples")]>
                {move || fs.fetched.get().into_iter().map(|(source, f)| {
                    let source_attr = source.clone();
                    let short_sha = format!("{}…", &f.digital_sha256[..16.min(f.digital_sha256.len())]);
                    view! {
                        <tr data-testid="fetched-record" data-record=f.name.clone() data-source=source_attr
                            data-sig-len=f.sig_len.to_string()
                            data-sha256=f.digital_sha256.clone()
                            data-sum=to_json(&f.digital_sum)
                            data-sum-sq=to_json(&f.digital_sum_sq)
                            data-first=to_json(&f.first_10)
                            data-last=to_json(&f.last_10)
                            data-n-annotations=f.n_annotations.to_string()
                            data-n-beats=f.n_beats.to_string()
                            data-beats-sha256=f.beats_sha256.clone()
                            data-annotations-sha256=f.annotations_sha256.clone()>
                            <td>{f.name.clone()}</td>
                            <td>{source}</td>
                            <td class="num">{thousands(f.sig_len)}</td>
                            <td class="num">{thousands(f.n_beats)}</td>
                            <td><code>{short_sha}</code></td>
                        </tr>
                    }
                }).collect_view()}
            </Table>
        </Show>
    }
}

/// The headings of the catalogue of public databases.
fn catalogue_columns() -> Vec<Col> {
    let words = [
        "Recordings",
        "Rate",
        "Labels",
        "Licence",
        "Size",
        "What it adds",
        "Use",
    ];
    [col("Database"), num("Records")]
        .into_iter()
        .chain(words.map(col))
        .collect()
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
