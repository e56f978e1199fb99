//! Leakage proofs of patient-adaptive classification ([`ecg_balance_lab::training::patient`]):
//! adapting to record 232 (a DS2 record, 75 % of DS2's S beats) with k = 20 reads the labels of
//! the 20 queried beats and of no other beat, the adapted model keeps the training split's
//! normalisation and decision offsets, and only unqueried beats are scored.
//!
//! "No other label is read" is shown two ways: the oracle's own log equals the queries, and
//! rotating the label of every unqueried beat leaves the adapted predictions identical bit for
//! bit — if any unqueried label reached the fine-tuning, they would move.
//!
//! One `#[test]`: the backend's seeded initialisation is process-global.

mod common;

use common::mitdb_workspace;
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::WindowSpec;
use ecg_balance_lab::training::adapt::{
    AdaptBase, AdaptConfig, PatientLabels, UnlabelledBeats, adapt, select_queries,
};
use ecg_balance_lab::training::patient::{Budget, LabelOracle, adapt_record};
use ecg_balance_lab::training::{Phase, TrainConfig, Trainer, prepare_run};
use ecg_balance_lab::workspace::BeatSource;

const RECORDS: [&str; 5] = ["101", "106", "118", "207", "232"];

#[test]
fn adaptation_reads_only_the_queried_labels() {
    let mut ws = mitdb_workspace(WindowSpec::default(), Some(&RECORDS));
    let beats = ws.beats(BeatSource::Records).clone();
    let config = TrainConfig::new()
        .with_epochs(2)
        .with_patience(10)
        .with_seed(3);
    let run = prepare_run(&beats, &config, None).expect("prepare");
    let mut test_records: Vec<&str> = run
        .test
        .record_id
        .iter()
        .map(|&r| run.test.records[r as usize].as_str())
        .collect();
    test_records.dedup();
    assert_eq!(test_records, ["232"], "232 is the only test record");
    let mut t = Trainer::new(config, &run.train, &run.val, run.templates.clone()).expect("t");
    while t.step(&mut |_| {}) == Phase::Running {}
    let model = t.finish().expect("a model");

    let record: BeatSet = run.test.clone();
    let truth = record.labels.clone();
    let ac = AdaptConfig {
        repeat: 50,
        epochs: 1,
        ..AdaptConfig::default()
    };
    let base = AdaptBase {
        model: &model,
        train: &run.train,
        templates: &run.templates,
    };
    let go = |labels: Vec<AamiClass>| {
        adapt_record(
            base,
            record.clone(),
            LabelOracle::new(labels),
            Budget::Beats { k: 20 },
            &ac,
            360.0,
            &mut |_, _| false,
        )
        .expect("adapts")
        .expect("not cancelled")
    };
    let honest = go(truth.clone());
    assert_eq!(honest.queried.len(), 20);
    // The first round (10 of 20) is the model's own choice from the unlabelled beats; the
    // second, a copy's fine-tuned on the first round's labels (the rotation below shows no
    // other label reaches it).
    let unl = UnlabelledBeats::new(record.clone());
    let tmpl = ecg_balance_lab::dataset::templates::Templates::fit(unl.beats());
    assert_eq!(ac.round_sizes(), [10, 10]);
    assert_eq!(
        honest.queried[..10],
        select_queries(&model, &unl, &tmpl, 10)[..]
    );
    assert_ne!(
        honest.queried[10..],
        select_queries(&model, &unl, &tmpl, 20)[10..],
        "the second round is not the model's own next picks"
    );
    let mut distinct = honest.queried.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 20, "no beat is asked twice");
    // Scored beats are the unqueried ones only.
    let scored: u64 = honest.after.counts.iter().flatten().sum();
    assert_eq!(scored as usize, record.len() - 20);
    assert_ne!(
        honest.predicted_before, honest.predicted_after,
        "fine-tuning on the labelled beats changes some decision"
    );

    // Every unqueried label rotated to another class: nothing the adaptation does may change.
    let mut lied = truth.clone();
    for (i, l) in lied.iter_mut().enumerate() {
        if !honest.queried.contains(&(i as u32)) {
            *l = AamiClass::from_index((l.index() + 1) % 5).unwrap_or(AamiClass::N);
        }
    }
    let other = go(lied);
    assert_eq!(other.queried, honest.queried);
    assert_eq!(
        other.predicted_after, honest.predicted_after,
        "no unqueried label reaches the adapted model"
    );
    // A queried label changed does move it: the test can fail for the reason it names.
    let mut one = truth.clone();
    for &q in &honest.queried {
        one[q as usize] = AamiClass::F;
    }
    let moved = go(one);
    assert_ne!(moved.predicted_after, honest.predicted_after);

    // Normalisation and decision offsets stay the training split's.
    let labelled: Vec<(u32, AamiClass)> = honest
        .queried
        .iter()
        .map(|&i| (i, truth[i as usize]))
        .collect();
    let patient = PatientLabels {
        record: &unl,
        templates: &tmpl,
        labelled: &labelled,
    };
    let adapted = adapt(base, patient, &ac, &mut |_, _| false)
        .expect("adapts")
        .expect("not cancelled");
    assert_eq!(adapted.features, model.features);
    assert_eq!(adapted.offsets, model.offsets);
}
