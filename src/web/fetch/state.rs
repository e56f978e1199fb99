//! The panel's state, which lives as long as the page (tabs come and go), and the steps every
//! fetch goes through: start, progress, failure, cancel.

use leptos::prelude::*;

use crate::io::lightwave::{DEFAULT_SERVER, Entry};
use crate::io::remote::RecordFingerprint;
use crate::session::views::Progress;
use crate::web::link::WorkerLink;

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

/// A record whose files are on their way to the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Cache key.
    pub key: String,
    /// Where it came from, for people.
    pub label: String,
    /// How it was fetched (`lightwave`, `url`).
    pub source: &'static str,
}

/// The panel's state.
#[derive(Clone, Copy)]
pub struct FetchState {
    /// The line to the worker.
    pub link: WorkerLink,
    /// The page's "a job is running" flag.
    pub page_busy: RwSignal<bool>,
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
    pub running: RwSignal<Option<Progress>>,
    /// The last failure, in words.
    pub error: RwSignal<Option<String>>,
    /// The last success or note.
    pub status: RwSignal<Option<String>>,
    /// Records in the cache.
    pub cached: RwSignal<Vec<CachedRecord>>,
    /// Fetched records' fingerprints, with where they came from.
    pub fetched: RwSignal<Vec<(String, RecordFingerprint)>>,
    /// The record the worker is assembling.
    pub pending: RwSignal<Option<Pending>>,
    /// Records loading, with how they were fetched, until their fingerprints arrive.
    pub awaiting: RwSignal<Vec<(String, &'static str)>>,
    /// Number of the current fetch: a fetch whose number is no longer current was cancelled.
    pub generation: RwSignal<u32>,
}

impl FetchState {
    /// The panel's state before anything is fetched; `busy` is the page's own flag (a load
    /// waits for the worker to be free), `link` the line to the worker.
    pub fn new(link: WorkerLink, busy: RwSignal<bool>) -> Self {
        Self {
            link,
            page_busy: busy,
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
        }
    }
}

/// Starts a fetch described by `label`; returns its number.
pub fn start(fs: FetchState, label: impl Into<String>) -> u32 {
    let generation = fs.generation.get_untracked().wrapping_add(1);
    fs.generation.set(generation);
    fs.error.set(None);
    fs.status.set(None);
    progress(fs, label.into(), 0.0, 1.0);
    generation
}

/// The fetch is at `done` of `total`, doing `label`.
pub fn progress(fs: FetchState, label: String, done: f64, total: f64) {
    fs.running.set(Some(Progress {
        job: "fetch".into(),
        done,
        total,
        label,
    }));
}

/// The fetch failed with `e`.
pub fn fail(fs: FetchState, e: impl std::fmt::Display) {
    fs.running.set(None);
    fs.pending.set(None);
    fs.status.set(None);
    fs.error.set(Some(e.to_string()));
}
