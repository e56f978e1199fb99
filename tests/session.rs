//! The page's worker protocol, driven natively the way the worker drives it: requests in,
//! responses out, jobs advanced in time slices, Cancel between slices.

mod common;

use common::{ask, clock, find, load_mitdb, run_for, send};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::session::{ErrorKind, ExportFormat, Failure, Request, Response, Session};
use ecg_balance_lab::training::TrainConfig;

const RECORDS: [&str; 6] = ["118", "119", "208", "100", "213", "221"];

fn loaded_session() -> Session {
    let mut s = Session::new();
    let out = ask(&mut s, load_mitdb(&RECORDS));
    let (report, timing) = find(&out, |r| match r {
        Response::Loaded { report, timing, .. } => Some((report.clone(), timing.clone())),
        _ => None,
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.loaded.len(), 6);
    assert!(timing.beats > 10_000);
    s
}

#[test]
fn train_cancel_keeps_best_model_and_model_files_round_trip() {
    let mut s = loaded_session();
    let now = clock();
    let mut out = Vec::new();

    // A long run, cancelled after its first epoch.
    let config = TrainConfig::new().with_epochs(30).with_batch_size(512);
    out.extend(send(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
        &now,
    ));
    assert!(s.busy());
    let mut epochs_seen = 0;
    while epochs_seen < 1 {
        let (more, answers) = run_for(&mut s, 5.0, &now);
        assert!(more, "still running");
        out.extend(answers);
        epochs_seen = out
            .iter()
            .filter_map(|r| match r {
                Response::TrainProgress(p) => Some(p.history.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
    }
    out.extend(send(&mut s, Request::Cancel, &now));
    out.extend(run_for(&mut s, f64::INFINITY, &now).1);
    assert!(!s.busy());
    let report = find(&out, |r| match r {
        Response::TrainResult(r) => Some(r.clone()),
        _ => None,
    });
    assert!(report.cancelled);
    assert!(report.history.len() < 30);
    // The test side is DS2's three records: 100, 213, 221.
    assert_eq!(
        report
            .evaluation
            .per_class
            .iter()
            .map(|m| m.support)
            .sum::<u64>(),
        2273 + 3251 + 2427
    );
    let per_record: Vec<(&str, u64)> = report
        .per_record_confusion
        .iter()
        .map(|(name, m)| (name.as_str(), m.total()))
        .collect();
    assert_eq!(per_record, [("100", 2273), ("213", 3251), ("221", 2427)]);
    assert!(matches!(out.last(), Some(Response::Runs { runs }) if runs.len() == 1));

    // Export the model, import it again: the same predictions, so the same evaluation.
    let out = ask(&mut s, Request::ExportModel { id: report.id });
    let bytes = match &out[0] {
        Response::Export {
            bytes,
            format: ExportFormat::Model,
            ..
        } => bytes.clone(),
        other => panic!("expected a model file, got {other:?}"),
    };
    let out = ask(
        &mut s,
        Request::ImportModel {
            name: "run.model".into(),
            split: SplitKind::default(),
            bytes: bytes.clone(),
        },
    );
    let again = find(&out, |r| match r {
        Response::TrainResult(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(again.evaluation.confusion, report.evaluation.confusion);

    // A damaged model file is an error, and nothing is lost.
    let out = ask(
        &mut s,
        Request::ImportModel {
            name: "bad.model".into(),
            split: SplitKind::default(),
            bytes: bytes[..bytes.len() / 2].to_vec(),
        },
    );
    assert!(
        matches!(&out[0], Response::Error(Failure { kind: ErrorKind::Unreadable, message }) if message.contains("bad.model") && message.contains("damaged")),
        "{out:?}"
    );
    assert_eq!(s.workspace.records().len(), 6);
    let out = ask(
        &mut s,
        Request::ExportRun {
            id: 1,
            format: ExportFormat::Csv,
        },
    );
    assert!(
        matches!(out.last(), Some(Response::Export { bytes, .. }) if bytes.starts_with(b"class,se,ppv,f1,spec,support\nN,"))
    );
    // The JSON export is the run's metrics file (the CLI writes the same).
    let out = ask(
        &mut s,
        Request::ExportRun {
            id: 1,
            format: ExportFormat::Json,
        },
    );
    let json: serde_json::Value = match &out[0] {
        Response::Export {
            file_name, bytes, ..
        } => {
            assert_eq!(file_name, "ecg-balance-run-1-metrics.json");
            serde_json::from_slice(bytes).expect("json")
        }
        other => panic!("{other:?}"),
    };
    // (Exact up to the last digit of a float read back from text.)
    let direct = report.metrics_json();
    for key in [
        "confusion",
        "per_record_confusion",
        "config",
        "validation_records",
    ] {
        assert_eq!(json[key], direct[key], "{key}");
    }
    assert_eq!(json["cancelled"], true);
    assert_eq!(
        json["per_record_confusion"]["213"].as_array().map(Vec::len),
        Some(5)
    );
    // A run's metrics are no beat set.
    let out = ask(
        &mut s,
        Request::ExportRun {
            id: 1,
            format: ExportFormat::EcgBeats,
        },
    );
    assert!(matches!(&out[0], Response::Error(f) if f.kind == ErrorKind::Invalid));
}

#[test]
fn busy_session_refuses_a_second_job_and_bad_requests_are_errors() {
    let mut s = loaded_session();
    let now = clock();
    send(
        &mut s,
        Request::Train {
            source: None,
            config: TrainConfig::new().with_epochs(1),
        },
        &now,
    );
    let out = send(
        &mut s,
        Request::LoadFiles {
            paths: vec![],
            bytes: vec![],
        },
        &now,
    );
    assert!(matches!(out.last(), Some(Response::Busy { message }) if message.starts_with("busy")));
    send(&mut s, Request::Cancel, &now);
    run_for(&mut s, f64::INFINITY, &now);

    // File names and files that do not pair up are a protocol error.
    let out = ask(
        &mut s,
        Request::LoadFiles {
            paths: vec!["a.hea".into()],
            bytes: vec![],
        },
    );
    assert!(
        matches!(&out[0], Response::Error(f) if f.kind == ErrorKind::Protocol),
        "{out:?}"
    );
    let out = ask(
        &mut s,
        Request::RecordView {
            name: "999".into(),
            start_s: 0.0,
            duration_s: 10.0,
            max_points: 100,
        },
    );
    assert!(matches!(&out[0], Response::Error(f) if f.kind == ErrorKind::NotFound));
    let out = ask(
        &mut s,
        Request::RecordView {
            name: "208".into(),
            start_s: 0.0,
            duration_s: 4000.0,
            max_points: 1000,
        },
    );
    match &out[0] {
        Response::RecordView(v) => {
            assert!(v.envelope, "a long stretch is reduced to min/max pairs");
            assert!(v.leads[0].values.len() <= 2 * 1000 + 2);
            assert_eq!(v.marks.iter().filter(|m| m.class.is_some()).count(), 2955);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_answer_names_the_request_it_answers() {
    let mut s = Session::new();
    let now = clock();
    let mut replies = Vec::new();
    s.handle(
        ecg_balance_lab::session::Envelope {
            id: 7,
            request: load_mitdb(&["100"]),
        },
        &now,
        &mut |r| replies.push(r),
    );
    // A second job is refused, and the refusal answers the second request.
    s.handle(
        ecg_balance_lab::session::Envelope {
            id: 8,
            request: Request::LoadDemo { seed: 1 },
        },
        &now,
        &mut |r| replies.push(r),
    );
    s.run_to_end(&now, &mut |r| replies.push(r));
    let ids: Vec<(u64, bool)> = replies
        .iter()
        .map(|r| {
            let to = r.to.expect("every answer names its request");
            (to.id, matches!(r.response, Response::Busy { .. }))
        })
        .collect();
    assert!(ids.contains(&(8, true)), "{ids:?}");
    assert!(ids.iter().filter(|(id, _)| *id == 7).count() > 2, "{ids:?}");
    assert!(ids.iter().all(|&(id, busy)| (id == 8) == busy), "{ids:?}");
    assert!(
        replies
            .iter()
            .any(|r| matches!(r.response, Response::Loaded { .. }))
    );
}

#[test]
fn demo_set_loads_labelled_synthetic_and_real_files_replace_it() {
    let mut s = Session::new();
    let out = ask(&mut s, Request::LoadDemo { seed: 2003 });
    let view = find(&out, |r| match r {
        Response::Workspace(v) => Some(v.clone()),
        _ => None,
    });
    assert_eq!(view.demo, Some(2003));
    assert_eq!(view.records.len(), 24);
    let c = view.record_counts;
    // The guide's mix of 36,000 beats: N 79.3 %, S 3.0 %, V 6.8 %, F 0.5 %, Q 10.4 %.
    assert_eq!(c.0, [28_548, 1_080, 2_448, 180, 3_744]);

    // The user's own files replace the demo set instead of mixing with it.
    let out = ask(&mut s, load_mitdb(&["100"]));
    let last = out
        .iter()
        .rev()
        .find_map(|r| match r {
            Response::Workspace(v) => Some(v.clone()),
            _ => None,
        })
        .expect("a workspace view");
    assert_eq!(last.demo, None);
    let names: Vec<&str> = last.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["100"]);
}

/// A worker the page starts in place of one that stopped numbers its runs after the runs the
/// page kept, so a new run never takes a kept run's number.
#[test]
fn a_restarted_worker_numbers_runs_after_the_kept_ones() {
    let mut s = Session::new();
    ask(&mut s, Request::LoadDemo { seed: 2003 });
    let train_once = |s: &mut Session| {
        let config = TrainConfig::new().with_epochs(1).with_batch_size(512);
        let out = ask(
            s,
            Request::Train {
                source: None,
                config,
            },
        );
        find(&out, |r| match r {
            Response::TrainResult(r) => Some(r.id),
            _ => None,
        })
    };
    let out = ask(&mut s, Request::NumberRunsAfter { last: 7 });
    assert!(out.is_empty(), "no answer: {out:?}");
    assert_eq!(train_once(&mut s), 8);
    // A lower number never moves the count back.
    ask(&mut s, Request::NumberRunsAfter { last: 2 });
    assert_eq!(train_once(&mut s), 9);
}
