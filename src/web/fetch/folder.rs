//! Fetching a record from a folder of WFDB files at a URL: `RECORDS`, then the record's header,
//! the signal files it names and its annotations.

use leptos::prelude::*;

use super::cache::{load_from_cache, store_and_load};
use super::net::{bytes_of, get};
use super::state::{FetchState, fail, progress, start};
use crate::io::remote::{self, RemoteError};

/// Reads the folder's `RECORDS` list.
pub async fn list_base_records(fs: FetchState) {
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

/// Fetches the chosen record's files (from the cache when they are there) and loads them.
pub async fn fetch_base_record(fs: FetchState) {
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
