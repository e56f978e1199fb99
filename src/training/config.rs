//! The settings of a training run ([`TrainConfig`], saved beside the weights), the class
//! weights they imply, and the early-stopping score.

use burn::config::Config;
use serde::{Deserialize, Serialize};

use crate::dataset::pipeline::PipelineConfig;
use crate::dataset::rebalance::RebalanceConfig;
use crate::dataset::split::SplitKind;
use crate::dataset::synthetic::plan::SynthTrainConfig;
use crate::dataset::weights::WeightScheme;
use crate::ecg::aami::{ClassCounts, N_CLASSES};
use crate::metrics::ConfusionMatrix;

/// Everything that defines a training run (saved beside the weights).
#[derive(Config, Debug, PartialEq)]
pub struct TrainConfig {
    /// How beats are split into training and test sets.
    #[config(default = "SplitKind::InterPatient { seed: 0, test_fraction: 0.5 }")]
    pub split: SplitKind,
    /// Class-weight scheme, computed from the training beats.
    #[config(default = "WeightScheme::MaxOverCount")]
    pub weights: WeightScheme,
    /// Largest class weight relative to the smallest (weights above are clipped); `None` keeps
    /// the scheme's weights as they are.
    #[config(default = "Some(100.0)")]
    pub weight_cap: Option<f32>,
    /// Focal-loss γ (`None` or 0: plain cross-entropy). The default 2 is Lin et al.'s; it
    /// down-weights the beats the model already gets right, mostly easy normal beats.
    #[config(default = "Some(2.0)")]
    pub focal_gamma: Option<f32>,
    /// Passes over the training beats at most.
    #[config(default = 16)]
    pub epochs: usize,
    /// Beats per batch.
    #[config(default = 256)]
    pub batch_size: usize,
    /// Adam learning rate.
    #[config(default = 5e-4)]
    pub learning_rate: f64,
    /// Seed of everything random.
    #[config(default = 42)]
    pub seed: u64,
    /// Epochs without a better validation macro-F1 before stopping.
    #[config(default = 4)]
    pub patience: usize,
    /// Rebalance the training beats (never validation or test) before training: a plan of
    /// per-class targets reached by down-sampling and augmentation ([`crate::dataset::rebalance`]).
    #[config(default = "None")]
    pub rebalance: Option<RebalanceConfig>,
    /// Synthetic beats added to the training beats (never validation or test) after the split
    /// and any rebalancing ([`crate::dataset::synthetic::plan`]); fitted mode fits the training beats only.
    #[config(default = "None")]
    pub synthetic: Option<SynthTrainConfig>,
    /// Random jitter of every training beat each time it is drawn (amplitude ×0.8–1.25, shift
    /// by up to 2 samples, 1 % noise; RR features ±0.05 standard deviations): the network sees
    /// 22 patients in DS1 and must not learn them by heart.
    #[config(default = true)]
    pub jitter: bool,
    /// Snapshots averaged at the end: the models of the this many best epochs (by validation
    /// macro-F1) vote with their averaged class probabilities (a snapshot ensemble).
    #[config(default = 3)]
    pub ensemble: usize,
    /// Share of training records (aimed at per minority class) held out for validation.
    #[config(default = 0.2)]
    pub validation_fraction: f64,
    /// Join the rhythm features (RR over the local median and running rhythm, background
    /// irregularity) when the beats have them. Off by default: on DS2 they cost S +P (seed 42:
    /// S F1 0.467 with them, 0.573 without; benches/ablation.rs --mode ds2).
    #[config(default = false)]
    pub rhythm: bool,
    /// How the learning rate changes over the run.
    #[config(default = "LrSchedule::Constant")]
    pub schedule: LrSchedule,
    /// Choose decision offsets on the validation records ([`super::calibrate`]). Runs on a
    /// beat-level split (random or given) always do ([`TrainConfig::calibrates`]).
    #[config(default = false)]
    pub calibrate: bool,
    /// Read a second lead beside the beat lead when every beat has one.
    #[config(default = false)]
    pub second_lead: bool,
    /// Join only the RR features relative to the patient's own rhythm (leave out the intervals
    /// in seconds, which mark every beat of a fast heart as premature).
    #[config(default = false)]
    pub rr_relative_only: bool,
    /// Web Workers training in step (the page's data-parallel training,
    /// [`crate::session::follower`]): each computes the gradient of its share of every batch
    /// and the leader steps with their sum, in worker order. It changes only the order of float
    /// sums, so a run is the same for the same seed and worker count, and 1 is the plain loop.
    /// `None` (settings saved before workers existed, which then read without it) is 1.
    /// Natively, threads play this part (`Session::set_threads`).
    #[config(default = "None")]
    pub workers: Option<usize>,
    /// Decay of an exponential moving average of the weights, updated after every step
    /// (Polyak averaging, with TensorFlow's warm-up `min(d, (1 + t) / (10 + t))`); when set,
    /// validation, the snapshots and the saved model use the averaged weights. `None`: the
    /// weights as trained.
    #[config(default = "None")]
    pub weight_average: Option<f64>,
}

/// Learning-rate schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum LrSchedule {
    /// The same rate throughout.
    #[default]
    Constant,
    /// Cosine decay from the rate to zero over `epochs` (Loshchilov & Hutter, ICLR 2017,
    /// without restarts), after a linear warm-up over the first epoch.
    Cosine,
}

impl LrSchedule {
    /// The rate at `step` of `total` steps (`per_epoch` steps an epoch) for base rate `lr`.
    pub fn rate(self, lr: f64, step: usize, total: usize, per_epoch: usize) -> f64 {
        match self {
            LrSchedule::Constant => lr,
            LrSchedule::Cosine => {
                let warm = per_epoch.max(1);
                if step < warm {
                    lr * (step + 1) as f64 / warm as f64
                } else {
                    let t = (step - warm) as f64 / (total.saturating_sub(warm)).max(1) as f64;
                    0.5 * lr * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos())
                }
            }
        }
    }
}

/// Class-weight cap of a run on a beat-level split ([`TrainConfig::for_split`]).
pub const BEAT_LEVEL_WEIGHT_CAP: f32 = 5.0;
/// Most epochs of a run on a beat-level split.
pub const BEAT_LEVEL_EPOCHS: usize = 32;
/// Patience of a run on a beat-level split.
pub const BEAT_LEVEL_PATIENCE: usize = 8;

impl TrainConfig {
    /// The default settings of a run on `split`: [`TrainConfig::new`]'s by patient; on a
    /// beat-level split (random or given) a class-weight cap of [`BEAT_LEVEL_WEIGHT_CAP`] and up
    /// to [`BEAT_LEVEL_EPOCHS`] epochs with a patience of [`BEAT_LEVEL_PATIENCE`].
    ///
    /// There the validation beats come from the test beats' own patients: the decision offsets
    /// chosen on them already give back the precision the class weights take
    /// ([`TrainConfig::calibrates`]), so the weights need not be as steep, and the validation
    /// score keeps rising long after an inter-patient run's has stopped, so the run may go on.
    /// Random split (`benches/ablation.rs --mode random`), seeds 42 and 1: accuracy 97.8 / 97.2 %
    /// and macro-F1 (N, S, V, F) 0.85 / 0.82 with the inter-patient defaults; with these, chosen
    /// on those two seeds, 98.9 / 98.7 % and 0.91 / 0.90, and on seeds 2 and 3, not looked at
    /// before, 99.1 / 98.9 % and 0.93 / 0.92 (benches/results-2026-12-07.md, third session).
    /// By patient the steep weights and the early stop stay: a cap of 10 cost F sensitivity on
    /// DS2 (1.5–12 % against 29–42 %), and DS2's figures did not improve with longer runs.
    pub fn for_split(split: SplitKind) -> TrainConfig {
        TrainConfig::defaults(split.is_optimistic()).with_split(split)
    }

    /// [`TrainConfig::for_split`]'s settings before the split is set: those of a beat-level
    /// split when `beat_level`, else [`TrainConfig::new`].
    pub fn defaults(beat_level: bool) -> TrainConfig {
        let config = TrainConfig::new();
        if beat_level {
            config
                .with_weight_cap(Some(BEAT_LEVEL_WEIGHT_CAP))
                .with_epochs(BEAT_LEVEL_EPOCHS)
                .with_patience(BEAT_LEVEL_PATIENCE)
        } else {
            config
        }
    }

    /// True when the run chooses decision offsets on its validation beats: when asked, and
    /// always on a beat-level split. There the validation beats come from the test beats'
    /// patients, so offsets fitted to them carry over and undo what the class weights did to
    /// precision (random split, seeds 42 and 1: accuracy 92.8 / 90.7 % → 97.9 / 97.2 %,
    /// macro-F1 over N, S, V, F 0.70 / 0.67 → 0.86 / 0.82). Across patients they do not (DS2:
    /// S F1 up on three seeds, down on one, V F1 down on all; benches/results-2026-12-03.md),
    /// so by patient it stays a choice, off by default.
    pub fn calibrates(&self) -> bool {
        self.calibrate || self.split.is_optimistic()
    }

    /// Web Workers the run trains on ([`TrainConfig::workers`]), at least 1.
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or(1).max(1)
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig::new()
    }
}

impl TrainConfig {
    /// What the data pipeline ([`crate::dataset::pipeline::prepare`]) needs of these settings.
    pub fn pipeline(&self) -> PipelineConfig {
        PipelineConfig {
            split: self.split,
            validation_fraction: self.validation_fraction,
            seed: self.seed,
            rebalance: self.rebalance.clone(),
            synthetic: self.synthetic.clone(),
        }
    }
}

/// Class weights for `counts` (training beats) under `scheme`, clipped at `cap` × the smallest
/// non-zero weight.
pub fn weights_for(
    counts: &ClassCounts,
    scheme: WeightScheme,
    cap: Option<f32>,
) -> [f32; N_CLASSES] {
    let mut w = crate::dataset::weights::class_weights(counts, scheme);
    if let Some(cap) = cap.filter(|c| *c > 0.0) {
        let min = w
            .iter()
            .copied()
            .filter(|x| *x > 0.0)
            .fold(f32::INFINITY, f32::min);
        if min.is_finite() {
            w.iter_mut().for_each(|x| *x = x.min(min * cap));
        }
    }
    w
}

/// Classes with fewer validation beats than this do not count in the early-stopping score.
pub const MIN_VALIDATION_SUPPORT: u64 = 10;

/// Early-stopping score: macro-F1 over the classes with at least [`MIN_VALIDATION_SUPPORT`]
/// validation beats (a class with 2 beats would make the score a coin toss).
pub fn validation_score(cm: &ConfusionMatrix) -> f64 {
    let f1s: Vec<f64> = cm
        .per_class()
        .iter()
        .filter(|c| c.support >= MIN_VALIDATION_SUPPORT)
        .map(|c| c.f1)
        .collect();
    if f1s.is_empty() {
        0.0
    } else {
        f1s.iter().sum::<f64>() / f1s.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_saved_before_synthetic_beats_existed_still_load() {
        let mut v = serde_json::to_value(TrainConfig::new()).expect("json");
        let obj = v.as_object_mut().expect("an object");
        assert!(obj.remove("synthetic").is_some());
        let back: TrainConfig = serde_json::from_value(v).expect("loads without the field");
        assert_eq!(back.synthetic, None);
        let with = TrainConfig::new().with_synthetic(Some(SynthTrainConfig::default()));
        let text = serde_json::to_string(&with).expect("json");
        assert!(
            text.contains("\"synthetic\":{\"counts\":[[\"F\",4000]"),
            "{text}"
        );
        let again: TrainConfig = serde_json::from_str(&text).expect("round trip");
        assert_eq!(again, with);
    }
}
