//! A model file carries the records it was trained on, and scoring it on any of them is
//! reported as optimistic, naming them (issue 11 §4). The records come from what the trainer
//! actually used (the training and validation beats it was given), read back from the file.

mod common;

use common::{ask, find, load_mitdb};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::session::views::RunReport;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::training::{TrainConfig, TrainedModel};

fn report(out: &[Response]) -> RunReport {
    find(out, |r| match r {
        Response::TrainResult(r) => Some((**r).clone()),
        _ => None,
    })
}

#[test]
fn a_model_file_scored_on_its_own_training_records_is_marked_optimistic() {
    let mut s = Session::new();
    ask(&mut s, load_mitdb(&["101", "106", "232"]));
    let config = TrainConfig::new().with_epochs(1).with_batch_size(512);
    let trained = report(&ask(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
    ));
    assert!(!trained.optimistic, "DS1 → DS2 by patient");
    // The per-record table: one test record, its S row read off the pooled confusion matrix.
    let rows = trained.record_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].record, "232");
    let cm = &trained.evaluation.confusion;
    let s_row = rows[0].classes[0];
    assert_eq!(s_row.support, trained.test_counts.0[1] as u64);
    assert!(s_row.support > 1000, "232 holds most of DS2's S beats");
    assert_eq!(s_row.found, cm[1][1]);
    assert_eq!(
        s_row.false_alarms,
        cm.iter().map(|r| r[1]).sum::<u64>() - cm[1][1]
    );
    assert!(trained.seen_test_records.is_empty());
    let model = s.trained(trained.id).expect("kept").clone();
    let bytes = model.to_bytes().expect("bytes");
    let back = TrainedModel::from_bytes(&bytes).expect("read back");
    assert_eq!(back.trained_on, ["101", "106"], "DS1's records, not 232");

    // Scored by patient: the test side is 232, which it has not seen.
    let by_patient = report(&ask(
        &mut s,
        Request::ImportModel {
            name: "run.model".into(),
            split: SplitKind::default(),
            bytes: bytes.clone(),
        },
    ));
    assert!(!by_patient.optimistic);
    // Scored on a random beat split: its training records are on the test side.
    let random = report(&ask(
        &mut s,
        Request::ImportModel {
            name: "run.model".into(),
            split: SplitKind::RandomBeats {
                seed: 5,
                test_fraction: 0.2,
            },
            bytes,
        },
    ));
    assert!(random.optimistic);
    assert_eq!(random.seen_test_records, ["101", "106"]);
    assert_eq!(
        random.metrics_json()["seen_test_records"],
        serde_json::json!(["101", "106"])
    );
}
