//! No test-split record contributes to training, validation, class weights or normalisation
//! statistics: proved on the whole MIT-BIH database by scrambling every DS2 (test) record —
//! signals, RR features and labels — and checking that everything the training sees is
//! unchanged, down to the loss of the first batches.

mod common;

use common::{mitdb_beats, scrambled};
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::split::{DS1, DS2};
use ecg_balance_lab::features::{Normalizer, Templates};
use ecg_balance_lab::training::{TrainConfig, TrainEvent, Trainer, prepare_run, weights_for};

#[test]
fn test_records_never_reach_training() {
    let beats = mitdb_beats();
    let config = TrainConfig::new().with_epochs(1);
    let run = prepare_run(&beats, &config, None).expect("prepare");

    // Sides: training and validation records are DS1 records, test records DS2 records.
    let records_of = |set: &BeatSet| {
        let mut r: Vec<String> = (0..set.len())
            .map(|i| set.record_of(i).to_string())
            .collect();
        r.sort();
        r.dedup();
        r
    };
    let (train_r, val_r, test_r) = (
        records_of(&run.train),
        records_of(&run.val),
        records_of(&run.test),
    );
    assert!(
        train_r.iter().all(|r| DS1.contains(&r.as_str())),
        "{train_r:?}"
    );
    assert!(val_r.iter().all(|r| DS1.contains(&r.as_str())), "{val_r:?}");
    assert!(!val_r.is_empty() && val_r.iter().all(|r| !train_r.contains(r)));
    assert_eq!(test_r.len(), 22);
    assert!(test_r.iter().all(|r| DS2.contains(&r.as_str())));
    assert_eq!(run.train.len() + run.val.len(), 51_021, "all of DS1");
    assert_eq!(run.test.len(), 49_712, "all of DS2");

    // Scramble every test record: nothing the training sees may change.
    let tampered = scrambled(&beats, 99);
    assert_ne!(
        tampered.windows, beats.windows,
        "the scramble touched the test records"
    );
    let run2 = prepare_run(&tampered, &config, None).expect("prepare");
    assert_eq!(run2.train.windows, run.train.windows);
    assert_eq!(run2.train.labels, run.train.labels);
    assert_eq!(run2.train.rr, run.train.rr);
    assert_eq!(run2.val.windows, run.val.windows);
    assert_eq!(run2.val.labels, run.val.labels);
    assert_eq!(run2.sets.val_records, run.sets.val_records);
    // Class weights and RR statistics come from the training beats only.
    let w = weights_for(&run.train.class_counts(), config.weights, config.weight_cap);
    let w2 = weights_for(
        &run2.train.class_counts(),
        config.weights,
        config.weight_cap,
    );
    assert_eq!(w, w2);
    let all_train: Vec<u32> = (0..run.train.len() as u32).collect();
    assert_eq!(
        Normalizer::fit(&run.train, &all_train),
        Normalizer::fit(&run2.train, &all_train)
    );
    // Templates: each record's from its own beats; every training record's is unchanged.
    let (t1, t2): (Templates, Templates) = (run.templates.clone(), run2.templates.clone());
    for (id, name) in beats.records.iter().enumerate() {
        if DS1.contains(&name.as_str()) {
            assert_eq!(t1.beats[id], t2.beats[id], "template of {name}");
            assert_eq!(t1.scale[id], t2.scale[id]);
        }
    }
    // And the training itself: the same losses, batch for batch.
    let losses = |run: &ecg_balance_lab::training::PreparedRun| {
        let mut t = Trainer::new(config.clone(), &run.train, &run.val, run.templates.clone())
            .expect("trainer");
        let mut out = Vec::new();
        for _ in 0..3 {
            t.step(&mut |e| {
                if let TrainEvent::Batch { loss, .. } = e {
                    out.push(loss);
                }
            });
        }
        (out, t.class_weights())
    };
    assert_eq!(losses(&run), losses(&run2));
}

#[test]
fn rebalancing_touches_the_training_records_only() {
    use ecg_balance_lab::dataset::Origin;
    use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig};
    let beats = mitdb_beats();
    let config = TrainConfig::new().with_rebalance(Some(RebalanceConfig {
        plan: Plan::Seed,
        ..RebalanceConfig::default()
    }));
    let run = prepare_run(&beats, &config, None).expect("prepare");
    let report = run.rebalance.clone().expect("a rebalancing report");
    // Only training records, and the guide's targets reached for the classes DS1 training has.
    assert!((0..run.train.len()).all(|i| DS1.contains(&run.train.record_of(i))));
    assert_eq!(run.train.class_counts(), report.targets);
    assert_eq!(run.test.len(), 49_712, "the test side is untouched");
    assert!(run.test.origin.iter().all(|o| *o == Origin::Real));
    assert!(run.val.origin.iter().all(|o| *o == Origin::Real));
    let augmented = run
        .train
        .origin
        .iter()
        .filter(|o| matches!(o, Origin::Augmented { .. }))
        .count();
    assert_eq!(augmented, report.augmented.total());
    // Scrambled test records change nothing of the rebalanced training set.
    let run2 = prepare_run(&scrambled(&beats, 99), &config, None).expect("prepare");
    assert_eq!(run2.train.windows, run.train.windows);
    assert_eq!(run2.train.labels, run.train.labels);
}
