//! The page's worker protocol, driven natively the way the worker drives it: requests in,
//! responses out, jobs advanced in time slices, Cancel between slices.

use std::cell::Cell;

use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::training::TrainConfig;

const RECORDS: [&str; 6] = ["118", "119", "208", "100", "213", "221"];

fn files(records: &[&str]) -> (Vec<String>, Vec<Vec<u8>>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
    let mut paths = Vec::new();
    let mut bytes = Vec::new();
    for r in records {
        for ext in ["hea", "dat", "atr"] {
            paths.push(format!("mitdb/{r}.{ext}"));
            bytes.push(std::fs::read(format!("{dir}/{r}.{ext}")).expect("mitdb file"));
        }
    }
    (paths, bytes)
}

/// A fake clock advancing 1 ms per reading, so slices end after a fixed amount of work.
fn clock() -> impl Fn() -> f64 {
    let t = Cell::new(0.0);
    move || {
        t.set(t.get() + 1.0);
        t.get()
    }
}

fn loaded_session() -> Session {
    let now = clock();
    let mut s = Session::new();
    let (paths, bytes) = files(&RECORDS);
    let mut out = Vec::new();
    s.handle(Request::LoadFiles { paths }, bytes, &now, &mut |r| {
        out.push(r)
    });
    s.run_to_end(&now, &mut |r| out.push(r));
    let loaded = out.iter().find_map(|r| match r {
        Response::Loaded { report, timing, .. } => Some((report.clone(), timing.clone())),
        _ => None,
    });
    let (report, timing) = loaded.expect("a Loaded response");
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
    s.handle(
        Request::Train {
            source: None,
            config,
        },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    assert!(s.busy());
    let mut epochs_seen = 0;
    while epochs_seen < 1 {
        assert!(s.run_for(5.0, &now, &mut |r| out.push(r)), "still running");
        epochs_seen = out
            .iter()
            .filter_map(|r| match r {
                Response::TrainProgress(p) => Some(p.history.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
    }
    s.handle(Request::Cancel, Vec::new(), &now, &mut |r| out.push(r));
    s.run_to_end(&now, &mut |r| out.push(r));
    assert!(!s.busy());
    let report = out
        .iter()
        .find_map(|r| match r {
            Response::TrainResult(r) => Some(r.clone()),
            _ => None,
        })
        .expect("a result after Cancel");
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
    assert!(matches!(out.last(), Some(Response::Runs { runs }) if runs.len() == 1));

    // Export the model, import it again: the same predictions, so the same evaluation.
    out.clear();
    s.handle(
        Request::ExportModel { id: report.id },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    let bytes = match &out[0] {
        Response::Export { bytes, .. } => bytes.clone(),
        other => panic!("expected a model file, got {other:?}"),
    };
    out.clear();
    s.handle(
        Request::ImportModel {
            name: "run.model".into(),
            split: SplitKind::default(),
        },
        vec![bytes.clone()],
        &now,
        &mut |r| out.push(r),
    );
    s.run_to_end(&now, &mut |r| out.push(r));
    let again = out
        .iter()
        .find_map(|r| match r {
            Response::TrainResult(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the imported model is scored");
    assert_eq!(again.evaluation.confusion, report.evaluation.confusion);

    // A damaged model file is an error, and nothing is lost.
    out.clear();
    s.handle(
        Request::ImportModel {
            name: "bad.model".into(),
            split: SplitKind::default(),
        },
        vec![bytes[..bytes.len() / 2].to_vec()],
        &now,
        &mut |r| out.push(r),
    );
    assert!(
        matches!(&out[0], Response::Error { message } if message.contains("bad.model") && message.contains("damaged"))
    );
    assert_eq!(s.workspace.records().len(), 6);
    s.handle(
        Request::ExportRun {
            id: 1,
            format: "csv".into(),
        },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    assert!(
        matches!(out.last(), Some(Response::Export { bytes, .. }) if bytes.starts_with(b"class,se,ppv,f1,spec,support\nN,"))
    );
}

#[test]
fn busy_session_refuses_a_second_job_and_bad_requests_are_errors() {
    let mut s = loaded_session();
    let now = clock();
    let mut out = Vec::new();
    s.handle(
        Request::Train {
            source: None,
            config: TrainConfig::new().with_epochs(1),
        },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    s.handle(
        Request::LoadFiles { paths: vec![] },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    assert!(matches!(out.last(), Some(Response::Busy { message }) if message.starts_with("busy")));
    s.handle(Request::Cancel, Vec::new(), &now, &mut |r| out.push(r));
    s.run_to_end(&now, &mut |r| out.push(r));
    out.clear();
    s.handle(
        Request::RecordView {
            name: "999".into(),
            start_s: 0.0,
            duration_s: 10.0,
            max_points: 100,
        },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    assert!(matches!(&out[0], Response::Error { .. }));
    out.clear();
    s.handle(
        Request::RecordView {
            name: "208".into(),
            start_s: 0.0,
            duration_s: 4000.0,
            max_points: 1000,
        },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
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
fn demo_set_loads_labelled_synthetic_and_real_files_replace_it() {
    let now = clock();
    let mut s = Session::new();
    let mut out = Vec::new();
    s.handle(
        Request::LoadDemo { seed: 2003 },
        Vec::new(),
        &now,
        &mut |r| out.push(r),
    );
    let view = out
        .iter()
        .find_map(|r| match r {
            Response::Workspace(v) => Some(v.clone()),
            _ => None,
        })
        .expect("a workspace view");
    assert_eq!(view.demo, Some(2003));
    assert_eq!(view.records.len(), 24);
    let c = view.record_counts;
    // The guide's mix of 36,000 beats: N 79.3 %, S 3.0 %, V 6.8 %, F 0.5 %, Q 10.4 %.
    assert_eq!(c.0, [28_548, 1_080, 2_448, 180, 3_744]);

    // The user's own files replace the demo set instead of mixing with it.
    let (paths, bytes) = files(&["100"]);
    out.clear();
    s.handle(Request::LoadFiles { paths }, bytes, &now, &mut |r| {
        out.push(r)
    });
    s.run_to_end(&now, &mut |r| out.push(r));
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
