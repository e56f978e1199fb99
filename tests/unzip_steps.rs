//! Unzipping in steps: a dropped PhysioNet zip is expanded one entry per job step, with
//! progress, and Cancel between entries keeps what was loaded before.

mod common;

use common::{clock, run_for, send};
use ecg_balance_lab::io::zip::{ZipEntry, write_stored_zip};
use ecg_balance_lab::session::{Request, Response, Session};

fn mitdb_zip(records: &[&str]) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
    let mut entries = Vec::new();
    for r in records {
        for ext in ["hea", "dat", "atr"] {
            entries.push(ZipEntry {
                path: format!("mitdb-1.0.0/{r}.{ext}"),
                bytes: std::fs::read(format!("{dir}/{r}.{ext}")).expect("mitdb file"),
            });
        }
    }
    write_stored_zip(&entries)
}

/// Runs the session's job to its end; every answer.
fn finish(s: &mut Session, now: &dyn Fn() -> f64, out: &mut Vec<Response>) {
    s.run_to_end(now, &mut |r| out.push(r.response));
}

#[test]
fn a_zip_unzips_entry_by_entry_with_progress() {
    let now = clock();
    let mut s = Session::new();
    let mut out = Vec::new();
    out.extend(send(
        &mut s,
        Request::LoadFiles {
            paths: vec!["mitdb.zip".into()],
            bytes: vec![mitdb_zip(&["100", "101", "103"])],
        },
        &now,
    ));
    finish(&mut s, &now, &mut out);
    let unzip: Vec<(f64, f64)> = out
        .iter()
        .filter_map(|r| match r {
            Response::Progress(p) if p.label.starts_with("unzipping mitdb.zip") => {
                Some((p.done, p.total))
            }
            _ => None,
        })
        .collect();
    assert!(unzip.len() >= 9, "one step per entry: {unzip:?}");
    assert!(
        unzip.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress only grows"
    );
    let loaded = out
        .iter()
        .find_map(|r| match r {
            Response::Loaded { report, .. } => Some(report.clone()),
            _ => None,
        })
        .expect("loaded");
    assert_eq!(loaded.loaded, ["100", "101", "103"]);
}

#[test]
fn cancel_while_unzipping_keeps_what_was_loaded() {
    let now = clock();
    let mut s = Session::new();
    let mut out = Vec::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
    let paths: Vec<String> = ["hea", "dat", "atr"]
        .iter()
        .map(|e| format!("mitdb/105.{e}"))
        .collect();
    let bytes: Vec<Vec<u8>> = ["hea", "dat", "atr"]
        .iter()
        .map(|e| std::fs::read(format!("{dir}/105.{e}")).expect("mitdb file"))
        .collect();
    out.extend(send(&mut s, Request::LoadFiles { paths, bytes }, &now));
    finish(&mut s, &now, &mut out);
    assert_eq!(s.workspace_view().records.len(), 1);

    out.clear();
    out.extend(send(
        &mut s,
        Request::LoadFiles {
            paths: vec!["mitdb.zip".into()],
            bytes: vec![mitdb_zip(&["100", "101", "103", "106"])],
        },
        &now,
    ));
    // A few steps: into the archive, not through it.
    for _ in 0..4 {
        out.extend(run_for(&mut s, 0.5, &now).1);
    }
    assert!(s.busy());
    out.extend(send(&mut s, Request::Cancel, &now));
    finish(&mut s, &now, &mut out);
    assert!(!s.busy());
    assert!(
        out.iter().any(|r| matches!(
            r,
            Response::Loaded {
                cancelled: true,
                ..
            }
        ) || matches!(r, Response::Cancelled { .. })),
        "{out:?}"
    );
    let names: Vec<String> = s
        .workspace_view()
        .records
        .iter()
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(
        names,
        ["105"],
        "the record loaded before is kept, nothing half-unzipped is added"
    );
}
