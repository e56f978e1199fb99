//! Data-parallel training ([`ecg_balance_lab::training::parallel`]) on the built-in demo set:
//! shard gradients add up to the whole batch's, two threads keep their replicas identical and
//! land where one thread does, and a run is deterministic for a fixed seed and thread count.
//! One `#[test]`: the backend's seeded initialisation is process-global, so tests run side by
//! side would race on it.

mod common;

use common::assert_runs_close;
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::training::parallel::{add_into, train_threads};
use ecg_balance_lab::training::{
    Phase, TrainConfig, TrainEvent, TrainedModel, Trainer, evaluate, prepare_run,
};
use ecg_balance_lab::workspace::{BeatSource, Workspace};

fn demo_beats() -> BeatSet {
    let mut ws = Workspace::new();
    ws.load_demo(7);
    ws.beats(BeatSource::Records).clone()
}

fn config() -> TrainConfig {
    TrainConfig::new()
        .with_epochs(3)
        .with_batch_size(128)
        .with_patience(10)
        .with_seed(11)
}

#[test]
fn data_parallel_training() {
    shard_gradients_add_up_to_the_whole_batch();
    two_threads_match_one_and_repeat_exactly();
}

fn shard_gradients_add_up_to_the_whole_batch() {
    let beats = demo_beats();
    let run = prepare_run(&beats, &config(), None).expect("prepare");
    let make = || Trainer::new(config(), &run.train, &run.val, run.templates.clone());
    let mut whole = make().expect("trainer");
    let full = whole.shard_gradient(0, 1);
    let mut sum = vec![0.0f32; full.gradient.len()];
    let mut loss = 0.0;
    for k in 0..3 {
        let mut replica = make().expect("trainer");
        let part = replica.shard_gradient(k, 3);
        add_into(&mut sum, &part.gradient);
        loss += part.loss;
    }
    assert!(
        (loss - full.loss).abs() < 1e-5 * full.loss.abs().max(1.0),
        "{loss} vs {}",
        full.loss
    );
    let scale = full.gradient.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(scale > 0.0, "a gradient");
    let worst = sum
        .iter()
        .zip(&full.gradient)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        worst <= 1e-4 * scale,
        "shards differ from the whole batch by {worst} (scale {scale})"
    );
}

fn two_threads_match_one_and_repeat_exactly() {
    let beats = demo_beats();
    let run = prepare_run(&beats, &config(), None).expect("prepare");
    let make = || Trainer::new(config(), &run.train, &run.val, run.templates.clone());
    let all: Vec<u32> = (0..run.test.len() as u32).collect();
    // Test-beat probabilities, bit for bit (the model's bytes also hold parameter ids, which
    // differ between replicas).
    let probs = |m: &TrainedModel| m.probabilities_of(&run.test, &all, &run.templates);
    let train = |threads: usize| {
        let mut epochs = Vec::new();
        let model = train_threads(
            &make,
            threads,
            &mut |e| {
                if let TrainEvent::Epoch(s) = e {
                    epochs.push(s);
                }
            },
            &mut || false,
        )
        .expect("trains")
        .expect("a model");
        let (cm, _) = evaluate(&model, &run.test, &run.templates);
        (epochs, cm, probs(&model))
    };
    // One thread through train_threads is the plain step loop.
    let (one_epochs, one_cm, one_bytes) = train(1);
    let mut plain = make().expect("trainer");
    while plain.step(&mut |_| {}) == Phase::Running {}
    let plain_probs = probs(&plain.finish().expect("model"));
    assert!(
        plain_probs == one_bytes,
        "1 thread equals the plain loop bit for bit"
    );
    let (two_epochs, two_cm, two_bytes) = train(2);
    let (_, _, again) = train(2);
    assert!(two_bytes == again, "2 threads repeat exactly");
    // Same beats, jitter and dropout per beat: only the order of float sums differs, so the
    // runs stay close.
    assert_runs_close(
        &one_epochs,
        &two_epochs,
        (one_cm.accuracy(), two_cm.accuracy()),
    );
}
