//! Fetching a record through PhysioNet's LightWAVE service: its databases, records and
//! annotators, then the record in windows of samples, assembled by the worker.

use leptos::prelude::*;

use super::cache::load_from_cache;
use super::net::{bytes_of, get};
use super::state::{FetchState, Pending, fail, progress, start};
use crate::io::lightwave::{
    RecordPlan, Server, WINDOW_S, parse_alist, parse_dblist, parse_info, parse_rlist,
};
use crate::session::{LightwavePart, Request};

fn server(fs: FetchState) -> Result<Server, String> {
    Server::new(&fs.server.get_untracked()).map_err(|e| e.to_string())
}

/// Asks the server for its databases.
pub async fn list_databases(fs: FetchState) {
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

/// Asks the server for the records and annotators of the chosen database.
pub async fn list_records(fs: FetchState) {
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

/// Fetches the chosen record (from the cache when it is there) and has the worker assemble it.
pub async fn fetch_lightwave(fs: FetchState) {
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
    if fs.page_busy.get_untracked() {
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
    fs.link.send(
        Request::AssembleLightwave {
            key,
            annotator,
            parts,
            answers: Vec::new(),
        },
        buffers,
    );
}
