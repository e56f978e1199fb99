//! A run on a beat-level split chooses decision offsets on its validation beats without being
//! asked ([`TrainConfig::calibrates`]); a run by patient does not unless asked. The offsets are
//! those that the validation beats' probabilities call for (recomputed here from the kept
//! model), never the test beats'. One `#[test]`: the backend's seeded initialisation is
//! process-global.

use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::training::calibrate::fit_offsets;
use ecg_balance_lab::training::{Phase, TrainConfig, TrainedModel, Trainer, prepare_run};
use ecg_balance_lab::workspace::{BeatSource, Workspace};

#[test]
fn beat_level_splits_calibrate_and_patient_splits_do_not() {
    let mut ws = Workspace::new();
    ws.load_demo(7);
    let beats = ws.beats(BeatSource::Records).clone();
    let train = |split: SplitKind| {
        let config = TrainConfig::new()
            .with_split(split)
            .with_epochs(2)
            .with_batch_size(128)
            .with_seed(3);
        assert!(!config.calibrate, "not asked for");
        let run = prepare_run(&beats, &config, None).expect("prepare");
        let mut t =
            Trainer::new(config, &run.train, &run.val, run.templates.clone()).expect("trainer");
        while t.step(&mut |_| {}) == Phase::Running {}
        let model: TrainedModel = t.finish().expect("a model");
        let val: Vec<u32> = (0..run.val.len() as u32).collect();
        let labels: Vec<usize> = run.val.labels.iter().map(|c| c.index()).collect();
        let wanted = fit_offsets(
            &model.probabilities_of(&run.val, &val, &run.templates),
            &labels,
        );
        (model, wanted)
    };

    let (random, wanted) = train(SplitKind::RandomBeats {
        seed: 3,
        test_fraction: 0.3,
    });
    assert!(random.train_config.calibrates());
    assert_ne!(wanted, [0.0; 5], "the validation beats call for offsets");
    assert_eq!(
        random.offsets, wanted,
        "the offsets of the validation beats"
    );

    let (by_patient, _) = train(SplitKind::default());
    assert!(!by_patient.train_config.calibrates());
    assert_eq!(by_patient.offsets, [0.0; 5]);
}
