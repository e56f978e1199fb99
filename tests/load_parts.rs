//! A load sent in parts, driven natively the way the page sends it ([`load_parts`] on names and
//! sizes, one [`Request::LoadPart`] at a time, the next only after [`Response::PartRead`]) on
//! real MIT-BIH files: it ends as one load of every file would, Cancel between parts keeps the
//! parts read, and what the workspace holds is reported exactly.

mod common;

use common::{ask, clock, find, load_mitdb, mitdb_files, run_for, send};
use ecg_balance_lab::io::parts::load_parts;
use ecg_balance_lab::session::{ErrorKind, Request, Response, Session};
use ecg_balance_lab::workspace::LoadReport;

const RECORDS: [&str; 7] = ["100", "101", "103", "105", "106", "118", "208"];

/// The requests the page sends for `records`, in parts of at most `part_bytes`.
fn parts(records: &[&str], part_bytes: u64) -> Vec<Request> {
    let (paths, bytes) = mitdb_files(records, &["hea", "dat", "atr"]);
    let sizes: Vec<(&str, u64)> = paths
        .iter()
        .zip(&bytes)
        .map(|(p, b)| (p.as_str(), b.len() as u64))
        .collect();
    let total_bytes = sizes.iter().map(|(_, n)| n).sum();
    let plan = load_parts(&sizes, part_bytes);
    let n = plan.len();
    plan.iter()
        .enumerate()
        .map(|(part, files)| Request::LoadPart {
            part,
            last: part + 1 == n,
            total_bytes,
            paths: files.iter().map(|&i| paths[i].clone()).collect(),
            bytes: files.iter().map(|&i| bytes[i].clone()).collect(),
        })
        .collect()
}

fn loaded(out: &[Response]) -> (LoadReport, bool) {
    find(out, |r| match r {
        Response::Loaded {
            report, cancelled, ..
        } => Some((report.clone(), *cancelled)),
        _ => None,
    })
}

#[test]
fn a_load_in_parts_ends_as_the_whole_load_does() {
    // Two records (about 3.9 MB) per part: 4 parts.
    let requests = parts(&RECORDS, 4_000_000);
    assert_eq!(requests.len(), 4);
    let now = clock();
    let mut s = Session::new();
    let mut out = Vec::new();
    for (k, request) in requests.into_iter().enumerate() {
        let answers = send(&mut s, request, &now);
        assert!(
            !answers.iter().any(|r| matches!(r, Response::Error(_))),
            "{answers:?}"
        );
        out.extend(answers);
        let (more, answers) = run_for(&mut s, f64::INFINITY, &now);
        assert!(!more);
        let read: Vec<usize> = answers
            .iter()
            .filter_map(|r| match r {
                Response::PartRead { part } => Some(*part),
                _ => None,
            })
            .collect();
        if k < 3 {
            // The part is read; the job waits for the next one, holding no file.
            assert_eq!(read, [k]);
            assert!(s.busy() && s.waiting());
        } else {
            assert!(read.is_empty());
            assert!(!s.busy());
        }
        out.extend(answers);
    }
    let (report, cancelled) = loaded(&out);
    assert!(!cancelled);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.loaded, RECORDS);
    let timing = find(&out, |r| match r {
        Response::Loaded { timing, .. } => Some(timing.clone()),
        _ => None,
    });
    // Progress is over the whole load and never goes back while files are read.
    let reading: Vec<(f64, f64)> = out
        .iter()
        .filter_map(|r| match r {
            Response::Progress(p) if !p.label.starts_with("cutting") => Some((p.done, p.total)),
            _ => None,
        })
        .collect();
    assert!(reading.windows(2).all(|w| w[0].0 <= w[1].0), "{reading:?}");
    assert!(reading.iter().all(|&(_, t)| t == timing.bytes as f64));

    // The same files in one load: the same records, beats and figures.
    let mut whole = Session::new();
    let out_whole = ask(&mut whole, load_mitdb(&RECORDS));
    let timing_whole = find(&out_whole, |r| match r {
        Response::Loaded { timing, .. } => Some(timing.clone()),
        _ => None,
    });
    assert_eq!(timing.bytes, timing_whole.bytes);
    assert_eq!(timing.beats, timing_whole.beats);
    let (a, b) = (s.workspace_view(), whole.workspace_view());
    assert_eq!(a.records, b.records);
    assert_eq!(a.record_counts, b.record_counts);
    assert_eq!(a.held, b.held);
    // Seven records of 650,000 samples of two leads, held as 16-bit samples; every beat cut.
    assert_eq!(a.held.records, 7);
    assert_eq!(a.held.samples, 7 * 650_000 * 2);
    assert_eq!(a.held.sample_bytes, 7 * 650_000 * 2 * 2);
    assert_eq!(a.held.beats, timing.beats as u64);
    assert!(a.held.beat_bytes > 0);
}

#[test]
fn cancel_between_parts_keeps_the_parts_read() {
    let requests = parts(&RECORDS, 4_000_000);
    let now = clock();
    let mut s = Session::new();
    let mut requests = requests.into_iter();
    send(&mut s, requests.next().expect("part 0"), &now);
    run_for(&mut s, f64::INFINITY, &now);
    assert!(s.waiting());
    let out = send(&mut s, Request::Cancel, &now);
    let (report, cancelled) = loaded(&out);
    assert!(cancelled);
    assert_eq!(report.loaded, ["100", "101"]);
    assert!(!s.busy());
    assert_eq!(s.workspace_view().records.len(), 2);
    // A part that comes after the load ended is dropped without an answer.
    let late = send(&mut s, requests.next().expect("part 1"), &now);
    assert!(late.is_empty(), "{late:?}");
    assert_eq!(s.workspace_view().records.len(), 2);
}

#[test]
fn a_part_no_load_waits_for_is_refused() {
    let requests: Vec<Request> = parts(&RECORDS, 4_000_000);
    let now = clock();
    let mut s = Session::new();
    send(&mut s, requests[0].clone(), &now);
    // Part 2 before part 1 was asked for.
    let out = send(&mut s, requests[2].clone(), &now);
    assert!(
        matches!(&out[..], [Response::Error(f)] if f.kind == ErrorKind::Protocol),
        "{out:?}"
    );
    // Part 1 while part 0 is still being read (the job has not asked yet): refused too.
    let out = send(&mut s, requests[1].clone(), &now);
    assert!(matches!(&out[..], [Response::Error(_)]), "{out:?}");
    run_for(&mut s, f64::INFINITY, &now);
    assert!(s.waiting());
    let out = send(&mut s, requests[1].clone(), &now);
    assert!(out.is_empty(), "{out:?}");
}
