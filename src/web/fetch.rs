//! The "Get data" panel of the Data screen: a catalogue of public databases that add minority
//! beats, fetching records through PhysioNet's LightWAVE service or from any CORS-enabled folder
//! of WFDB files, a cache of fetched records in this browser, and the fingerprints of what was
//! fetched.
//!
//! Only the network is the page's: it fetches what the user asked for (with retries and
//! exponential back-off, and Cancel), parses the few small listings (`dblist`, `rlist`, `info`,
//! `RECORDS`, a header), and hands the large answers to the worker, which assembles the record
//! ([`crate::session::fetch`]). Fetched records end as WFDB files loaded by the same
//! `LoadFiles` request as dropped files, so they appear in the records list and the
//! distribution exactly the same way.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::bridge::{self, AppState};
use super::charts::thousands;
use crate::io::catalogue::{CATALOGUE, LabelKind};
use crate::io::lightwave::{
    DEFAULT_SERVER, Entry, RecordPlan, Server, WINDOW_S, parse_alist, parse_dblist, parse_info,
    parse_rlist,
};
use crate::io::remote::{self, Backoff, RecordFingerprint, RemoteError};
use crate::session::Request;
use crate::session::fetch::LightwavePart;
use crate::workspace::LoadReport;

#[wasm_bindgen(module = "/src/web/remote.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchBytes)]
    fn fetch_bytes(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = abortFetches)]
    fn abort_fetches();
    #[wasm_bindgen(js_name = sleep)]
    fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cachePut)]
    fn cache_put(
        key: &str,
        label: &str,
        name: &str,
        paths: &js_sys::Array,
        buffers: &js_sys::Array,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheGet)]
    fn cache_get(key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheList)]
    fn cache_list() -> js_sys::Promise;
    #[wasm_bindgen(js_name = cacheClear)]
    fn cache_clear() -> js_sys::Promise;
}

/// A record kept in the browser's cache.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedRecord {
    /// Cache key.
    pub key: String,
    /// Where it came from, for people.
    pub label: String,
    /// Record name.
    pub name: String,
    /// Bytes stored.
    pub bytes: f64,
}

/// A fetch in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    /// What is being done.
    pub label: String,
    /// Work done.
    pub done: f64,
    /// Work in all.
    pub total: f64,
}

/// A record whose files are on their way to the worker.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    key: String,
    label: String,
    source: &'static str,
}

/// The panel's state; lives as long as the page (tabs come and go).
#[derive(Clone, Copy)]
pub struct FetchState {
    /// LightWAVE server URL.
    pub server: RwSignal<String>,
    /// Databases it offers.
    pub dbs: RwSignal<Vec<Entry>>,
    /// Chosen database.
    pub db: RwSignal<String>,
    /// Its records.
    pub records: RwSignal<Vec<String>>,
    /// Its annotators.
    pub annotators: RwSignal<Vec<Entry>>,
    /// Chosen record.
    pub record: RwSignal<String>,
    /// Base URL of a WFDB folder.
    pub base: RwSignal<String>,
    /// Records its `RECORDS` lists.
    pub base_records: RwSignal<Vec<String>>,
    /// Chosen record there.
    pub base_record: RwSignal<String>,
    /// The fetch in progress.
    pub running: RwSignal<Option<Running>>,
    /// The last failure, in words.
    pub error: RwSignal<Option<String>>,
    /// The last success or note.
    pub status: RwSignal<Option<String>>,
    /// Records in the cache.
    pub cached: RwSignal<Vec<CachedRecord>>,
    /// Fetched records' fingerprints, with where they came from.
    pub fetched: RwSignal<Vec<(String, RecordFingerprint)>>,
    pending: RwSignal<Option<Pending>>,
    awaiting: RwSignal<Vec<(String, &'static str)>>,
    generation: RwSignal<u32>,
}

thread_local! {
    static STATE: RefCell<Option<FetchState>> = const { RefCell::new(None) };
}

impl FetchState {
    fn get() -> Option<FetchState> {
        STATE.with(|s| *s.borrow())
    }
}

/// Creates the panel's state once, at the page's root, and reads the cache's contents (no
/// request leaves the browser).
pub fn provide_fetch_state() {
    let fs = FetchState {
        server: RwSignal::new(DEFAULT_SERVER.to_string()),
        dbs: RwSignal::new(Vec::new()),
        db: RwSignal::new("mitdb".into()),
        records: RwSignal::new(Vec::new()),
        annotators: RwSignal::new(Vec::new()),
        record: RwSignal::new("100".into()),
        base: RwSignal::new("https://physionet.org/files/mitdb/1.0.0/".into()),
        base_records: RwSignal::new(Vec::new()),
        base_record: RwSignal::new("100".into()),
        running: RwSignal::new(None),
        error: RwSignal::new(None),
        status: RwSignal::new(None),
        cached: RwSignal::new(Vec::new()),
        fetched: RwSignal::new(Vec::new()),
        pending: RwSignal::new(None),
        awaiting: RwSignal::new(Vec::new()),
        generation: RwSignal::new(0),
    };
    STATE.with(|s| *s.borrow_mut() = Some(fs));
    leptos::task::spawn_local(refresh_cache(fs));
}

// ---- plumbing ----------------------------------------------------------------------------------

fn prop(v: &JsValue, name: &str) -> JsValue {
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

fn bytes_of(buffer: &js_sys::ArrayBuffer) -> Vec<u8> {
    js_sys::Uint8Array::new(buffer).to_vec()
}

/// GET `url` with retries: transient failures are tried again after 0.5, 1, 2 and 4 s.
async fn get(
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

fn start(fs: FetchState, label: impl Into<String>) -> u32 {
    let generation = fs.generation.get_untracked().wrapping_add(1);
    fs.generation.set(generation);
    fs.error.set(None);
    fs.status.set(None);
    fs.running.set(Some(Running {
        label: label.into(),
        done: 0.0,
        total: 1.0,
    }));
    generation
}

fn progress(fs: FetchState, label: String, done: f64, total: f64) {
    fs.running.set(Some(Running { label, done, total }));
}

fn fail(fs: FetchState, e: impl std::fmt::Display) {
    fs.running.set(None);
    fs.pending.set(None);
    fs.status.set(None);
    fs.error.set(Some(e.to_string()));
}

fn cancel(fs: FetchState) {
    fs.generation.update(|g| *g = g.wrapping_add(1));
    abort_fetches();
    if fs.pending.get_untracked().is_some() {
        // The worker may be assembling: stop it too.
        bridge::send(&Request::Cancel, Vec::new());
    }
    fs.pending.set(None);
    fs.awaiting.set(Vec::new());
    fs.running.set(None);
    fs.error.set(Some(RemoteError::Cancelled.to_string()));
}

async fn refresh_cache(fs: FetchState) {
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
fn load_files(
    fs: FetchState,
    name: &str,
    source: &'static str,
    paths: Vec<String>,
    buffers: Vec<js_sys::ArrayBuffer>,
) {
    let state = AppState::get();
    if state.busy.get_untracked() {
        return fail(
            fs,
            "the page is busy with another job: wait for it or cancel it, then fetch again",
        );
    }
    state.busy.set(true);
    fs.awaiting.update(|a| a.push((name.to_string(), source)));
    progress(fs, format!("loading record {name}"), 1.0, 1.0);
    bridge::send(&Request::LoadFiles { paths }, buffers);
}

/// Loads a cached record if there is one; true when it did.
async fn load_from_cache(fs: FetchState, key: &str, name: &str) -> bool {
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

async fn store_and_load(
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

// ---- LightWAVE ---------------------------------------------------------------------------------

fn server(fs: FetchState) -> Result<Server, String> {
    Server::new(&fs.server.get_untracked()).map_err(|e| e.to_string())
}

async fn list_databases(fs: FetchState) {
    let srv = match server(fs) {
        Ok(s) => s,
        Err(e) => return fail(fs, e),
    };
    let generation = start(fs, "asking the LightWAVE server for its databases");
    match get(fs, &srv.dblist_url(), generation).await {
        Ok(b) => match parse_dblist(&bytes_of(&b)) {
            Ok(list) => {
                fs.running.set(None);
                fs.status
                    .set(Some(format!("{} databases on {}", list.len(), srv.base())));
                fs.dbs.set(list);
            }
            Err(e) => fail(fs, e),
        },
        Err(e) => fail(fs, e),
    }
}

async fn list_records(fs: FetchState) {
    let srv = match server(fs) {
        Ok(s) => s,
        Err(e) => return fail(fs, e),
    };
    let db = fs.db.get_untracked().trim().to_string();
    let generation = start(fs, format!("asking for the records of {db}"));
    let records = match get(fs, &srv.rlist_url(&db), generation).await {
        Ok(b) => match parse_rlist(&bytes_of(&b)) {
            Ok(r) => r,
            Err(e) => return fail(fs, e),
        },
        Err(e) => return fail(fs, e),
    };
    // The annotators are a nicety: a server without an ANNOTATORS file still has `atr`.
    let annotators = match get(fs, &srv.alist_url(&db), generation).await {
        Ok(b) => parse_alist(&bytes_of(&b)).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    fs.running.set(None);
    fs.status
        .set(Some(format!("{} records in {db}", records.len())));
    if let Some(first) = records.first() {
        if !records.contains(&fs.record.get_untracked()) {
            fs.record.set(first.clone());
        }
    }
    fs.records.set(records);
    fs.annotators.set(annotators);
}

fn annotator(fs: FetchState) -> String {
    let list = fs.annotators.get_untracked();
    if list.is_empty() || list.iter().any(|a| a.name == "atr") {
        "atr".into()
    } else {
        list[0].name.clone()
    }
}

async fn fetch_lightwave(fs: FetchState) {
    let srv = match server(fs) {
        Ok(s) => s,
        Err(e) => return fail(fs, e),
    };
    let db = fs.db.get_untracked().trim().to_string();
    let record = fs.record.get_untracked().trim().to_string();
    if db.is_empty() || record.is_empty() {
        return fail(fs, "name a database and a record first");
    }
    let annotator = annotator(fs);
    let key = format!("lightwave {} {db} {record} {annotator}", srv.base());
    let label = format!("{db}/{record} via LightWAVE ({})", srv.base());
    let name = record.rsplit('/').next().unwrap_or(&record).to_string();
    let generation = start(fs, format!("fetching {db}/{record}"));
    if load_from_cache(fs, &key, &name).await {
        return;
    }
    let info_buf = match get(fs, &srv.info_url(&db, &record), generation).await {
        Ok(b) => b,
        Err(e) => return fail(fs, e),
    };
    let plan = match parse_info(&bytes_of(&info_buf)).and_then(|i| RecordPlan::new(&i)) {
        Ok(p) => p,
        Err(e) => return fail(fs, e),
    };
    let windows = plan.windows(WINDOW_S);
    let total = windows.len() as f64 + 2.0;
    progress(
        fs,
        format!("{db}/{record}: annotations ({annotator})"),
        1.0,
        total,
    );
    let ann_buf = match get(
        fs,
        &srv.annotations_url(&db, &record, &[&annotator]),
        generation,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return fail(fs, e),
    };
    let names: Vec<&str> = plan.service_names.iter().map(String::as_str).collect();
    let mut parts = vec![LightwavePart::Info, LightwavePart::Annotations];
    let mut buffers = vec![info_buf, ann_buf];
    for (k, w) in windows.iter().enumerate() {
        progress(
            fs,
            format!(
                "{db}/{record}: samples {}–{} s ({} of {} windows of {WINDOW_S} s)",
                w.t0_frame as f64 / plan.fs_hz,
                ((w.t0_frame + w.frames) as f64 / plan.fs_hz).min(plan.sig_len as f64 / plan.fs_hz),
                k + 1,
                windows.len()
            ),
            2.0 + k as f64,
            total,
        );
        match get(fs, &srv.signals_url(&db, &record, &names, w), generation).await {
            Ok(b) => {
                parts.push(LightwavePart::Signals);
                buffers.push(b);
            }
            Err(e) => return fail(fs, e),
        }
    }
    if fs.generation.get_untracked() != generation {
        return;
    }
    if AppState::get().busy.get_untracked() {
        return fail(
            fs,
            "the page is busy with another job: wait for it or cancel it, then fetch again",
        );
    }
    progress(
        fs,
        format!("{db}/{record}: assembling in the background worker"),
        total,
        total,
    );
    fs.pending.set(Some(Pending {
        key: key.clone(),
        label,
        source: "lightwave",
    }));
    bridge::send(
        &Request::AssembleLightwave {
            key,
            annotator,
            parts,
        },
        buffers,
    );
}

/// The worker's answer to [`Request::AssembleLightwave`] (its files in `buffers`).
pub fn on_assembled(
    key: String,
    name: String,
    paths: Vec<String>,
    error: Option<String>,
    buffers: JsValue,
) {
    let Some(fs) = FetchState::get() else {
        return;
    };
    // The worker's job is over either way.
    AppState::get().busy.set(false);
    AppState::get().progress.set(None);
    let Some(pending) = fs.pending.get_untracked().filter(|p| p.key == key) else {
        return;
    };
    fs.pending.set(None);
    if let Some(e) = error {
        return if e == "cancelled" {
            fail(fs, RemoteError::Cancelled)
        } else {
            fail(fs, e)
        };
    }
    let buffers: Vec<js_sys::ArrayBuffer> = js_sys::Array::from(&buffers)
        .iter()
        .filter_map(|b| b.dyn_into().ok())
        .collect();
    leptos::task::spawn_local(store_and_load(
        fs,
        key,
        pending.label,
        name,
        pending.source,
        paths,
        buffers,
    ));
}

/// A load finished: ask for the fingerprints of the fetched records it loaded.
pub fn on_loaded(report: &LoadReport, cancelled: bool) {
    let Some(fs) = FetchState::get() else {
        return;
    };
    let awaiting = fs.awaiting.get_untracked();
    if awaiting.is_empty() {
        return;
    }
    let (done, rest): (Vec<_>, Vec<_>) = awaiting
        .into_iter()
        .partition(|(n, _)| report.loaded.contains(n));
    for (name, _) in &done {
        bridge::send(&Request::Fingerprint { name: name.clone() }, Vec::new());
    }
    fs.awaiting.set(done);
    if cancelled {
        fs.awaiting.set(Vec::new());
        fs.running.set(None);
        fs.error.set(Some(RemoteError::Cancelled.to_string()));
    } else if !rest.is_empty() {
        let names: Vec<String> = rest.into_iter().map(|(n, _)| n).collect();
        let why = report
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.file, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        fail(
            fs,
            format!("record {} did not load: {why}", names.join(", ")),
        );
    }
}

/// A loaded record's fingerprint arrived.
pub fn on_fingerprint(fp: RecordFingerprint) {
    let Some(fs) = FetchState::get() else {
        return;
    };
    let mut awaiting = fs.awaiting.get_untracked();
    let Some(i) = awaiting.iter().position(|(n, _)| *n == fp.name) else {
        return;
    };
    let (_, source) = awaiting.remove(i);
    fs.awaiting.set(awaiting.clone());
    let name = fp.name.clone();
    fs.fetched.update(|f| {
        f.retain(|(_, x)| x.name != fp.name);
        f.push((source.to_string(), fp));
    });
    if awaiting.is_empty() {
        fs.running.set(None);
        if source != "cache" {
            fs.status.set(Some(format!(
                "record {name} fetched and loaded; it is kept in this browser's cache"
            )));
        }
    }
}

// ---- a folder of WFDB files --------------------------------------------------------------------

async fn list_base_records(fs: FetchState) {
    let base = match remote::base_url(&fs.base.get_untracked()) {
        Ok(b) => b,
        Err(e) => return fail(fs, e),
    };
    let generation = start(fs, format!("reading {base}RECORDS"));
    match get(fs, &format!("{base}RECORDS"), generation).await {
        Ok(b) => {
            let records = remote::parse_records(&bytes_of(&b));
            fs.running.set(None);
            fs.status
                .set(Some(format!("{} records listed at {base}", records.len())));
            if let Some(first) = records.first() {
                if !records.contains(&fs.base_record.get_untracked()) {
                    fs.base_record.set(first.clone());
                }
            }
            fs.base_records.set(records);
        }
        Err(e) => fail(fs, e),
    }
}

async fn fetch_base_record(fs: FetchState) {
    let base = match remote::base_url(&fs.base.get_untracked()) {
        Ok(b) => b,
        Err(e) => return fail(fs, e),
    };
    let record = fs.base_record.get_untracked().trim().to_string();
    if record.is_empty() || record.ends_with('/') {
        return fail(fs, "name a record (a line of RECORDS, not a folder)");
    }
    let key = format!("url {base}{record}");
    let name = record.rsplit('/').next().unwrap_or(&record).to_string();
    let generation = start(fs, format!("fetching {base}{record}"));
    if load_from_cache(fs, &key, &name).await {
        return;
    }
    let header_path = remote::header_path(&record);
    let hea = match get(fs, &format!("{base}{header_path}"), generation).await {
        Ok(b) => b,
        Err(e) => return fail(fs, e),
    };
    let files = match remote::record_files(&record, &bytes_of(&hea), &["atr"]) {
        Ok(f) => f,
        Err(e) => {
            return fail(
                fs,
                RemoteError::BadResponse {
                    url: format!("{base}{header_path}"),
                    reason: format!("it is not a WFDB header ({e})"),
                },
            );
        }
    };
    let mut paths = vec![files.header.clone()];
    let mut buffers = vec![hea];
    let total = (files.signals.len() + files.annotations.len() + 1) as f64;
    for (k, path) in files.signals.iter().chain(&files.annotations).enumerate() {
        progress(fs, format!("fetching {base}{path}"), 1.0 + k as f64, total);
        match get(fs, &format!("{base}{path}"), generation).await {
            Ok(b) => {
                paths.push(path.clone());
                buffers.push(b);
            }
            // A record without annotations is still a record.
            Err(RemoteError::NotFound { .. }) if files.annotations.contains(path) => {}
            Err(e) => return fail(fs, e),
        }
    }
    if fs.generation.get_untracked() != generation {
        return;
    }
    store_and_load(
        fs,
        key,
        format!("{base}{record}"),
        name,
        "url",
        paths,
        buffers,
    )
    .await;
}

// ---- views -------------------------------------------------------------------------------------

/// The "Get data" panel.
#[component]
pub fn GetDataPanel() -> impl IntoView {
    let Some(fs) = FetchState::get() else {
        return ().into_any();
    };
    view! {
        <section class="card" aria-labelledby="get-title" data-testid="get-data">
            <h2 id="get-title">"Get data from PhysioNet or another server"</h2>
            <p class="muted small">
                "Nothing is fetched until you click. Records come through PhysioNet's LightWAVE service or from any folder of WFDB files whose server allows other sites to read it (CORS), and are kept in this browser's cache. A server that refuses still leaves you the usual way: download the files and drop them above."
            </p>
            <Catalogue fs=fs />
            <div class="fetch-forms">
                <LightwaveForm fs=fs />
                <BaseUrlForm fs=fs />
            </div>
            <FetchProgress fs=fs />
            <CacheView fs=fs />
            <FetchedTable fs=fs />
        </section>
    }
    .into_any()
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
            <div class="table-wrap">
                <table data-testid="catalogue">
                    <caption class="visually-hidden">"Public ECG databases: size, rate, labels, licence, what they add"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Database"</th>
                            <th scope="col" class="num">"Records"</th>
                            <th scope="col">"Recordings"</th>
                            <th scope="col">"Rate"</th>
                            <th scope="col">"Labels"</th>
                            <th scope="col">"Licence"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"What it adds"</th>
                            <th scope="col">"Use"</th>
                        </tr>
                    </thead>
                    <tbody>
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
                    </tbody>
                </table>
            </div>
        </details>
    }
}

/// Fetching through LightWAVE.
#[component]
fn LightwaveForm(
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
fn BaseUrlForm(
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

/// Progress, Cancel, and the last message.
#[component]
fn FetchProgress(
    /// Panel state.
    fs: FetchState,
) -> impl IntoView {
    view! {
        {move || fs.running.get().map(|r| {
            let pct = if r.total > 0.0 { (100.0 * r.done / r.total).clamp(0.0, 100.0) } else { 0.0 };
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
            <div class="table-wrap">
                <table data-testid="fetched-table">
                    <caption>"Fetched records (checksums of the loaded samples and annotations)"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Record"</th>
                            <th scope="col">"From"</th>
                            <th scope="col" class="num">"Samples"</th>
                            <th scope="col" class="num">"Beats"</th>
                            <th scope="col">"SHA-256 of the samples"</th>
                        </tr>
                    </thead>
                    <tbody>
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
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
