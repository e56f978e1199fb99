//! What the panel does with the worker's answers: a rebuilt record is cached and loaded, a
//! load is checked for the records fetched, and their fingerprints are shown.

use leptos::prelude::*;

use super::cache::store_and_load;
use super::state::{FetchState, fail};
use crate::io::remote::{RecordFingerprint, RemoteError};
use crate::session::{ErrorKind, Failure, Request};
use crate::workspace::LoadReport;

impl FetchState {
    /// The worker's answer to [`Request::AssembleLightwave`]: the record's files (in
    /// `buffers`) are cached and loaded, or the fetch fails with the worker's reason.
    pub fn on_assembled(
        &self,
        key: String,
        name: String,
        paths: Vec<String>,
        error: Option<Failure>,
        buffers: Vec<js_sys::ArrayBuffer>,
    ) {
        let fs = *self;
        let Some(pending) = fs.pending.get_untracked().filter(|p| p.key == key) else {
            return;
        };
        fs.pending.set(None);
        if let Some(f) = error {
            return match f.kind {
                ErrorKind::Cancelled => fail(fs, RemoteError::Cancelled),
                _ => fail(fs, f.message),
            };
        }
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
    pub fn on_loaded(&self, report: &LoadReport, cancelled: bool) {
        let fs = *self;
        let awaiting = fs.awaiting.get_untracked();
        if awaiting.is_empty() {
            return;
        }
        let (done, rest): (Vec<_>, Vec<_>) = awaiting
            .into_iter()
            .partition(|(n, _)| report.loaded.contains(n));
        for (name, _) in &done {
            fs.link
                .send(Request::Fingerprint { name: name.clone() }, Vec::new());
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
    pub fn on_fingerprint(&self, fp: RecordFingerprint) {
        let fs = *self;
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
}
