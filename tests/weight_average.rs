//! The moving average of the weights ([`TrainConfig::weight_average`]): the model a run keeps is
//! the average of the weights after every step, with the warm-up `min(d, (1 + t) / (10 + t))`,
//! recomputed here from runs stopped after 1, 2, … steps without averaging. One `#[test]`: the
//! backend's seeded initialisation is process-global.

use ecg_balance_lab::training::gradients::{parameters, with_parameters};
use ecg_balance_lab::training::{Phase, TrainConfig, Trainer, prepare_run};
use ecg_balance_lab::workspace::{BeatSource, Workspace};

const STEPS: usize = 4;

#[test]
fn the_kept_model_is_the_moving_average_of_the_steps() {
    let mut ws = Workspace::new();
    ws.load_demo(7);
    let beats = ws.beats(BeatSource::Records).clone();
    let config = |average: Option<f64>| {
        TrainConfig::new()
            .with_epochs(1)
            .with_batch_size(64)
            .with_seed(5)
            .with_weight_average(average)
    };
    let run = prepare_run(&beats, &config(None), None).expect("prepare");
    // The weights after `steps` steps (no epoch ends before STEPS).
    let after = |average: Option<f64>, steps: usize| {
        let mut t = Trainer::new(config(average), &run.train, &run.val, run.templates.clone())
            .expect("trainer");
        assert!(t.batches_per_epoch() > STEPS, "no epoch ends");
        for _ in 0..steps {
            assert_eq!(t.step(&mut |_| {}), Phase::Running);
        }
        let model = t.finish().expect("a model");
        parameters(&model.models[0])
    };

    // Loading a parameter vector into a model reads back the same vector.
    let start = after(None, 0);
    let shifted: Vec<f32> = start.iter().map(|v| v + 1.5).collect();
    let template = Trainer::new(config(None), &run.train, &run.val, run.templates.clone())
        .expect("trainer")
        .finish()
        .expect("a model");
    assert_eq!(
        parameters(&with_parameters(template.models[0].clone(), &shifted)),
        shifted
    );

    let decay: f64 = 0.5;
    let mut oracle: Vec<f32> = Vec::new();
    for step in 1..=STEPS {
        let now = after(None, step);
        if oracle.is_empty() {
            oracle = now;
        } else {
            let t = (step - 1) as f64;
            let d = decay.min((1.0 + t) / (10.0 + t)) as f32;
            for (a, w) in oracle.iter_mut().zip(&now) {
                *a = d * *a + (1.0 - d) * w;
            }
        }
    }
    let averaged = after(Some(decay), STEPS);
    let last = after(None, STEPS);
    assert_ne!(averaged, last, "averaging changes the kept weights");
    let worst = averaged
        .iter()
        .zip(&oracle)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        worst <= 1e-6,
        "averaged weights differ from the oracle by {worst}"
    );
    // Decay 0 keeps the weights as trained, bit for bit.
    assert_eq!(after(Some(0.0), STEPS), last);
}
