//! Finding and classifying the beats of a record nobody annotated: through the worker's session
//! (as the page does) and through `ecg-balance classify`, on real MIT-BIH records.

use std::path::Path;

mod common;

use common::{MITDB, arg, ask, cli_ok, cli_refuses, mitdb_files, temp_dir};
use ecg_balance_lab::classify::BeatPositions;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::detect::PeakMethod;
use ecg_balance_lab::io::wfdb::read_annotations;
use ecg_balance_lab::session::views::ClassifiedView;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::training::TrainConfig;

/// A session with six annotated records (DS1: 118, 119, 208; DS2: 100, 213, 221), record 232
/// without its annotation file, and one short training run (run 1).
fn trained_session() -> Session {
    let mut s = loaded_session();
    let config = TrainConfig::new()
        .with_epochs(1)
        .with_batch_size(512)
        .with_ensemble(1);
    let out = ask(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
    );
    assert!(
        out.iter().any(|r| matches!(r, Response::TrainResult(_))),
        "{out:?}"
    );
    s
}

/// The six annotated records and record 232 without its annotation file, loaded.
fn loaded_session() -> Session {
    let mut s = Session::new();
    let (mut paths, mut bytes) = mitdb_files(
        &["118", "119", "208", "100", "213", "221"],
        &["hea", "dat", "atr"],
    );
    let (p2, b2) = mitdb_files(&["232"], &["hea", "dat"]);
    paths.extend(p2);
    bytes.extend(b2);
    let out = ask(&mut s, Request::LoadFiles { paths, bytes });
    assert!(
        out.iter()
            .any(|r| matches!(r, Response::Loaded { report, .. } if report.loaded.len() == 7)),
        "{out:?}"
    );
    s
}

fn classified(out: &[Response]) -> ClassifiedView {
    out.iter()
        .find_map(|r| match r {
            Response::Classified(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected Classified, got {out:?}"))
}

#[test]
fn the_session_finds_classifies_shows_and_exports_the_beats_of_a_record() {
    let mut s = trained_session();
    let detect = BeatPositions::Detected(PeakMethod::default());

    // Record 232 came without annotations: beats are found and classified, no reference.
    let v = classified(&ask(
        &mut s,
        Request::Classify {
            name: "232".into(),
            lead: None,
            positions: detect,
            run: Some(1),
        },
    ));
    assert_eq!(v.lead_name, "MLII");
    assert!(v.reference.is_none());
    // 232 holds 1,780 annotated beats (sinus bradycardia with long pauses).
    assert!((1_700..=1_850).contains(&v.beats), "{} beats", v.beats);
    assert_eq!(v.counts.total(), v.beats);
    assert_eq!(v.run, Some(1));

    // The strip of 232 now carries the found beats, classified.
    let out = ask(
        &mut s,
        Request::RecordView {
            name: "232".into(),
            start_s: 0.0,
            duration_s: 30.0,
            max_points: 2000,
        },
    );
    let view = match &out[0] {
        Response::RecordView(v) => v.clone(),
        other => panic!("{other:?}"),
    };
    assert!(view.marks.is_empty(), "232 was loaded without annotations");
    assert!(view.found.len() >= 10, "{}", view.found.len());
    assert!(view.found.iter().all(|m| m.class.is_some()));
    assert_eq!(view.found_run, Some(1));

    // Export: a WFDB annotation file named 232.atr (the record has none), one beat per label.
    let out = ask(&mut s, Request::ExportLabels { name: "232".into() });
    let (name, bytes) = match &out[0] {
        Response::Export {
            file_name, bytes, ..
        } => (file_name.clone(), bytes.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(name, "232.atr");
    let anns = read_annotations(&bytes).unwrap();
    assert_eq!(anns.len(), v.beats);
    let mut from_file = ecg_balance_lab::ecg::aami::ClassCounts::default();
    for a in &anns {
        from_file.add(ecg_balance_lab::ecg::aami::class_of_code(a.code).unwrap());
    }
    assert_eq!(from_file, v.counts);

    // Record 100 has its annotations: detection is scored against them (EC57) and the
    // classes of matched beats form a confusion matrix; its export does not claim `.atr`.
    let v = classified(&ask(
        &mut s,
        Request::Classify {
            name: "100".into(),
            lead: None,
            positions: detect,
            run: Some(1),
        },
    ));
    let r = v.reference.expect("100 is annotated");
    assert!(r.detection.se().unwrap() > 0.995, "{:?}", r.detection);
    assert!(r.detection.ppv().unwrap() > 0.995, "{:?}", r.detection);
    let m = r.confusion.expect("a model was used");
    assert_eq!(m.total() as usize, r.detection.tp);
    // 100: 2,239 N and 33 S (A), 1 V.
    assert!(m.support(AamiClass::N.index()) > 2_200);
    let out = ask(&mut s, Request::ExportLabels { name: "100".into() });
    assert!(matches!(&out[0], Response::Export { file_name, .. } if file_name == "100.cls"));

    // Annotated positions: every reference beat is classified, none missed.
    let v = classified(&ask(
        &mut s,
        Request::Classify {
            name: "100".into(),
            lead: None,
            positions: BeatPositions::Annotated,
            run: Some(1),
        },
    ));
    assert_eq!(v.beats, 2273);
    let r = v.reference.unwrap();
    assert_eq!(
        (r.detection.tp, r.detection.fn_, r.detection.fp),
        (2273, 0, 0)
    );

    // Detection only: counts stay empty, the export writes every beat as N.
    let v = classified(&ask(
        &mut s,
        Request::Classify {
            name: "232".into(),
            lead: Some(1),
            positions: detect,
            run: None,
        },
    ));
    assert_eq!(v.lead_name, "V1");
    assert_eq!(v.counts.total(), 0);
    assert!(v.beats > 1_000);

    // Bad requests are errors; nothing loaded is lost.
    for bad in [
        Request::Classify {
            name: "999".into(),
            lead: None,
            positions: detect,
            run: None,
        },
        Request::Classify {
            name: "232".into(),
            lead: None,
            positions: detect,
            run: Some(7),
        },
        Request::Classify {
            name: "232".into(),
            lead: Some(5),
            positions: detect,
            run: None,
        },
        Request::Classify {
            name: "232".into(),
            lead: None,
            positions: BeatPositions::Annotated,
            run: None,
        },
        Request::ExportLabels { name: "118".into() },
    ] {
        let out = ask(&mut s, bad.clone());
        assert!(
            matches!(&out[..], [Response::Error(_)]),
            "{bad:?} gave {out:?}"
        );
    }
    assert_eq!(s.workspace.records().len(), 7);
}

/// `ecg-balance classify` of `record` with `model`, written to `out`, summary as JSON.
fn classify_args<'a>(record: &'a str, model: &'a Path, out: &'a Path) -> [&'a str; 8] {
    let (model, out) = (arg(model), arg(out));
    [
        "classify", "--record", record, "--json", "--model", model, "--out", out,
    ]
}

#[test]
fn the_cli_classifies_a_record_with_a_saved_model() {
    let mut s = trained_session();
    let out = ask(&mut s, Request::ExportModel { id: 1 });
    let model = match &out[0] {
        Response::Export { bytes, .. } => bytes.clone(),
        other => panic!("{other:?}"),
    };
    let dir = temp_dir("classify-cli");
    let model_path = dir.join("run1.model");
    std::fs::write(&model_path, &model).unwrap();
    let atr = dir.join("100.atr");
    let record = format!("{MITDB}/100");
    let run = cli_ok(&classify_args(&record, &model_path, &atr));
    let j: serde_json::Value = serde_json::from_slice(&run).unwrap();
    let beats = j["beats"].as_u64().unwrap() as usize;
    let det = &j["reference"]["detection"];
    assert!(det["se_percent"].as_f64().unwrap() > 99.5, "{j}");
    assert!(det["ppv_percent"].as_f64().unwrap() > 99.5, "{j}");
    let counts: u64 = ["N", "S", "V", "F", "Q"]
        .iter()
        .map(|c| j["counts"][c].as_u64().unwrap())
        .sum();
    assert_eq!(counts as usize, beats);
    let anns = read_annotations(&std::fs::read(&atr).unwrap()).unwrap();
    assert_eq!(anns.len(), beats);

    // The same result as the session gives for the same record and model.
    let v = classified(&ask(
        &mut s,
        Request::Classify {
            name: "100".into(),
            lead: None,
            positions: BeatPositions::Detected(PeakMethod::default()),
            run: Some(1),
        },
    ));
    assert_eq!(v.beats, beats);
    for c in AamiClass::ALL {
        assert_eq!(
            j["counts"][c.code()].as_u64().unwrap() as usize,
            v.counts.get(c),
            "{c:?}"
        );
    }

    // A file that is not a model: a clear error, no output written.
    let bad = dir.join("bad.model");
    std::fs::write(&bad, b"not a model").unwrap();
    let out2 = dir.join("x.atr");
    cli_refuses(&classify_args(&record, &bad, &out2), "bad.model");
    assert!(!out2.exists());
}

/// The file bytes of an export answer.
fn exported(out: &[Response]) -> Vec<u8> {
    out.iter()
        .find_map(|r| match r {
            Response::Export { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected Export, got {out:?}"))
}

/// The label the run's model gives every beat of 100 (found beats, then annotated positions) and
/// of 232 (found beats: it came without annotations), as the exported annotation files.
fn labels_of(s: &mut Session, run: u32) -> Vec<Vec<u8>> {
    let detected = BeatPositions::Detected(PeakMethod::default());
    [
        ("100", detected),
        ("100", BeatPositions::Annotated),
        ("232", detected),
    ]
    .into_iter()
    .map(|(record, positions)| {
        classified(&ask(
            s,
            Request::Classify {
                name: record.into(),
                lead: None,
                positions,
                run: Some(run),
            },
        ));
        exported(&ask(
            s,
            Request::ExportLabels {
                name: record.into(),
            },
        ))
    })
    .collect()
}

/// What the page keeps across a reload: `KeepRun` gives the run's model file (stored beside the
/// run's figures in the browser); a new worker given the same files and `RestoreRun` shows the
/// run with the same figures, classifies every beat of a record as before, and numbers the next
/// run after it. A damaged model file or a run number already kept is refused, nothing lost.
#[test]
fn a_kept_run_restored_in_a_new_session_classifies_identically() {
    let mut s = trained_session();
    let report = s.runs().next().expect("run 1").clone();
    let model = exported(&ask(&mut s, Request::KeepRun { id: 1 }));
    let before = labels_of(&mut s, 1);

    let mut t = loaded_session();
    let out = ask(
        &mut t,
        Request::RestoreRun {
            report: Box::new(report.clone()),
            bytes: model.clone(),
        },
    );
    assert!(
        matches!(&out[..], [Response::Runs { runs }] if runs.len() == 1
            && serde_json::to_string(&runs[0]).unwrap() == serde_json::to_string(&report).unwrap()),
        "{out:?}"
    );
    let after = labels_of(&mut t, 1);
    assert_eq!(before.len(), 3);
    assert!(before.iter().all(|b| !b.is_empty()));
    assert_eq!(
        before, after,
        "the restored model labels every beat as before"
    );

    // Refusals: the same number again, a damaged file; run 1 is still there.
    for (bytes, says) in [
        (model.clone(), "already kept"),
        (model[..model.len() / 2].to_vec(), "kept run 1"),
    ] {
        let mut again = report.clone();
        if says == "kept run 1" {
            again.id = 1;
            ask(&mut t, Request::RemoveRun { id: 1 });
        }
        let out = ask(
            &mut t,
            Request::RestoreRun {
                report: Box::new(again),
                bytes,
            },
        );
        assert!(
            matches!(&out[..], [Response::Error(f)] if f.message.contains(says)),
            "{out:?}"
        );
    }
    // Restored at number 5, a new run is number 6.
    let mut five = report.clone();
    five.id = 5;
    ask(
        &mut t,
        Request::RestoreRun {
            report: Box::new(five),
            bytes: model,
        },
    );
    let out = ask(
        &mut t,
        Request::Train {
            source: None,
            config: TrainConfig::new().with_epochs(1).with_batch_size(512),
        },
    );
    assert!(
        out.iter()
            .any(|r| matches!(r, Response::TrainResult(r) if r.id == 6)),
        "{out:?}"
    );
}
