//! Training the beat classifier: a hand-written loop (as in burn's `custom-training-loop`
//! example) that advances one batch per [`Trainer::step`], so the page's worker can report
//! progress and take a Cancel between batches, and the CLI simply loops.
//!
//! Honest by construction:
//! - the validation set is drawn **by record** from the training records ([`pick_validation`]),
//!   never from the test split;
//! - class weights come from the training beats' counts, RR standardisation from the training
//!   beats' statistics ([`crate::features::Normalizer`]);
//! - early stopping watches the validation macro-F1 and keeps the best model; Cancel keeps it too;
//! - everything random (weight init, dropout, shuffling, validation records) follows one seed.
//!
//! Loss: class-weighted cross-entropy, normalised by the batch's total weight as PyTorch's
//! `CrossEntropyLoss(weight=…)` does, optionally focal (Lin et al., ICCV 2017):
//! `−w_y (1 − p_y)^γ log p_y`.

use burn::config::Config;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::dataset::BeatSet;
use crate::dataset::split::{Split, SplitKind};
use crate::dataset::weights::WeightScheme;
use crate::ecg::aami::{AamiClass, ClassCounts, N_CLASSES};
use crate::features::{FeatureMaker, FeatureSpec, Inputs, Normalizer, Templates};
use crate::metrics::ConfusionMatrix;
use crate::model::{Model, ModelConfig};
use crate::record::Record;
use crate::rng::Rng;

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
    pub rebalance: Option<crate::dataset::rebalance::RebalanceConfig>,
    /// Synthetic beats added to the training beats (never validation or test) after the split
    /// and any rebalancing ([`crate::synth_train`]); fitted mode fits the training beats only.
    #[config(default = "None")]
    pub synthetic: Option<crate::synth_train::SynthTrainConfig>,
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
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig::new()
    }
}

/// Beat indices of the three sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sets {
    /// Training beats (training records minus validation records).
    pub train: Vec<u32>,
    /// Validation beats (whole records taken from the training side).
    pub val: Vec<u32>,
    /// Test beats.
    pub test: Vec<u32>,
    /// Names of the validation records.
    pub val_records: Vec<String>,
}

/// Splits `beats` into training, validation and test beats, validation always from the training
/// side of `split`. For a by-patient split, validation is whole records ([`pick_validation`]), so
/// early stopping rewards what generalises to new patients. For a beat-level split (`by_record`
/// false) the test side shares patients with training anyway, so validation is a seeded,
/// class-stratified `fraction` of the training beats.
pub fn make_sets(
    beats: &BeatSet,
    split: &Split,
    fraction: f64,
    seed: u64,
    by_record: bool,
) -> Sets {
    if !by_record {
        let mut rng = Rng::new(seed ^ 0x7A11_DA7E);
        let mut val = Vec::new();
        let mut train = Vec::new();
        for class in AamiClass::ALL {
            let mut idx: Vec<u32> = split
                .train
                .iter()
                .copied()
                .filter(|&i| beats.labels[i as usize] == class)
                .collect();
            rng.shuffle(&mut idx);
            let k = ((idx.len() as f64) * fraction.clamp(0.0, 0.5)).round() as usize;
            val.extend_from_slice(&idx[..k.min(idx.len())]);
            train.extend_from_slice(&idx[k.min(idx.len())..]);
        }
        val.sort_unstable();
        train.sort_unstable();
        return Sets {
            train,
            val,
            test: split.test.clone(),
            val_records: Vec::new(),
        };
    }
    let val_ids = pick_validation(beats, &split.train, fraction, seed);
    let is_val = |i: u32| val_ids.contains(&beats.record_id[i as usize]);
    let (val, train): (Vec<u32>, Vec<u32>) = split.train.iter().partition(|&&i| is_val(i));
    Sets {
        train,
        val,
        test: split.test.clone(),
        val_records: val_ids
            .iter()
            .filter_map(|&r| beats.records.get(r as usize).cloned())
            .collect(),
    }
}

/// Record ids to hold out for validation, chosen among the records of `train` beats only.
///
/// Greedy and seeded: records are taken one at a time, the one that best closes the gap to
/// `fraction` of every class present wins, and no record is taken that would put more than
/// twice `fraction` of a class into validation. A record holding over half of a class's
/// training beats is never taken (MIT-BIH record 208 holds 90 % of DS1's fusion beats: without
/// it there is nothing to learn F from). With a single training record, nothing is held out.
/// For beat-level splits (records on both sides) the same rule applies to the training beats.
pub fn pick_validation(beats: &BeatSet, train: &[u32], fraction: f64, seed: u64) -> Vec<u32> {
    let mut per_record: Vec<(u32, ClassCounts)> = Vec::new();
    for &i in train {
        let r = beats.record_id[i as usize];
        match per_record.iter_mut().find(|(id, _)| *id == r) {
            Some((_, c)) => c.add(beats.labels[i as usize]),
            None => {
                let mut c = ClassCounts::default();
                c.add(beats.labels[i as usize]);
                per_record.push((r, c));
            }
        }
    }
    if per_record.len() < 2 || fraction <= 0.0 {
        return Vec::new();
    }
    let total = per_record
        .iter()
        .fold(ClassCounts::default(), |a, (_, c)| a.merged(c));
    let mut rng = Rng::new(seed ^ 0x005E_ED0F_7A11);
    rng.shuffle(&mut per_record);
    // Classes with too few beats to share out (DS1 has 8 Q beats) do not steer the choice.
    let steering: Vec<AamiClass> = AamiClass::ALL
        .into_iter()
        .filter(|&c| total.get(c) >= 20)
        .collect();
    let gap = |v: &ClassCounts| -> f64 {
        steering
            .iter()
            .map(|&c| (fraction - v.get(c) as f64 / total.get(c) as f64).max(0.0))
            .sum()
    };
    let mut val = ClassCounts::default();
    let mut chosen = Vec::new();
    loop {
        let current = gap(&val);
        let mut best: Option<(usize, f64)> = None;
        for (k, (_, c)) in per_record.iter().enumerate() {
            let dominant = steering
                .iter()
                .any(|&cl| c.get(cl) as f64 > 0.5 * total.get(cl) as f64);
            let next = val.merged(c);
            let overshoot = steering.iter().any(|&cl| {
                c.get(cl) > 0 && next.get(cl) as f64 > 2.0 * fraction * total.get(cl) as f64
            });
            if dominant || overshoot {
                continue;
            }
            let g = gap(&next);
            if g < current - 1e-12 && best.is_none_or(|(_, bg)| g < bg) {
                best = Some((k, g));
            }
        }
        match best {
            Some((k, _)) => {
                let (id, c) = per_record.remove(k);
                val = val.merged(&c);
                chosen.push(id);
            }
            None => break,
        }
        if per_record.len() <= 1 || val.total() as f64 >= fraction * total.total() as f64 {
            break;
        }
    }
    chosen.sort_unstable();
    chosen
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

/// What the loop reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrainEvent {
    /// A batch was trained.
    Batch {
        /// Epoch, from 1.
        epoch: usize,
        /// Batch within the epoch, from 1.
        batch: usize,
        /// Batches per epoch.
        batches: usize,
        /// Mean training loss so far in this epoch.
        loss: f32,
    },
    /// An epoch ended and the validation set was scored.
    Epoch(EpochStats),
}

/// One epoch's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f32,
    /// Validation macro-F1 over the classes present in validation.
    pub val_macro_f1: f64,
    /// True when this epoch's model is the best so far.
    pub best: bool,
}

/// Where the trainer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// More batches to go.
    Running,
    /// Done (epochs exhausted or early stop).
    Finished,
}

/// The training state machine.
pub struct Trainer {
    config: TrainConfig,
    model_config: ModelConfig,
    device: Device,
    model: Option<Model>,
    optim: burn::optim::ModuleOptimizer,
    features: FeatureMaker,
    train: Inputs,
    val: Inputs,
    class_weights: [f32; N_CLASSES],
    order: Vec<usize>,
    rng: Rng,
    epoch: usize,
    batch: usize,
    loss_sum: f64,
    loss_n: usize,
    /// (validation score, epoch, model) of every finished epoch.
    snapshots: Vec<(f64, usize, Model)>,
    best_score: Option<f64>,
    since_best: usize,
    history: Vec<EpochStats>,
    phase: Phase,
    layout: crate::dataset::BeatLayout,
}

/// A trained model with everything needed to use it again.
#[derive(Debug, Clone)]
pub struct TrainedModel {
    /// The networks whose averaged probabilities decide (one per kept epoch), inference device.
    pub models: Vec<Model>,
    /// The epochs they come from.
    pub epochs: Vec<usize>,
    /// Per-epoch figures of the run.
    pub history: Vec<EpochStats>,
    /// Its hyper-parameters.
    pub model_config: ModelConfig,
    /// The run's settings.
    pub train_config: TrainConfig,
    /// Inputs, with the training split's RR statistics.
    pub features: FeatureMaker,
    /// Window layout the model expects.
    pub layout: crate::dataset::BeatLayout,
    /// Class weights used.
    pub class_weights: [f32; N_CLASSES],
}

impl Trainer {
    /// Prepares a run. `train` and `val` are beat sets of the training side only; `templates`
    /// are the per-record templates of the full, real beat set (label-free, each record's from
    /// its own beats).
    pub fn new(
        config: TrainConfig,
        train: &BeatSet,
        val: &BeatSet,
        templates: Templates,
    ) -> Result<Trainer, crate::Error> {
        if train.is_empty() {
            return Err(crate::Error::Invalid(
                "the training set is empty: load records whose split side is training".into(),
            ));
        }
        if config.batch_size == 0
            || config.epochs == 0
            || !(config.learning_rate.is_finite() && config.learning_rate > 0.0)
        {
            return Err(crate::Error::Invalid(
                "epochs, batch size and learning rate must be positive (and the rate finite)"
                    .into(),
            ));
        }
        let spec = FeatureSpec::for_beats(train);
        let all_train: Vec<u32> = (0..train.len() as u32).collect();
        let features = FeatureMaker {
            spec,
            normalizer: Normalizer::fit(train, &all_train),
            templates,
        };
        let class_weights = weights_for(&train.class_counts(), config.weights, config.weight_cap);
        let train_inputs = features.inputs(train, &all_train);
        let all_val: Vec<u32> = (0..val.len() as u32).collect();
        let val_inputs = features.inputs(val, &all_val);
        let model_config =
            ModelConfig::new(train.layout.len, spec.n_rr()).with_channels_in(spec.channels());
        let device = Device::flex().autodiff();
        device.seed(config.seed);
        let model = model_config.init(&device);
        let optim = AdamConfig::new().init();
        let mut rng = Rng::new(config.seed);
        let mut order: Vec<usize> = (0..train.len()).collect();
        rng.shuffle(&mut order);
        Ok(Trainer {
            model_config,
            device,
            model: Some(model),
            optim,
            features,
            train: train_inputs,
            val: val_inputs,
            class_weights,
            order,
            rng,
            epoch: 1,
            batch: 0,
            loss_sum: 0.0,
            loss_n: 0,
            snapshots: Vec::new(),
            best_score: None,
            since_best: 0,
            history: Vec::new(),
            phase: Phase::Running,
            layout: train.layout,
            config,
        })
    }

    /// The run's settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.config.batch_size)
    }

    /// Epochs so far.
    pub fn history(&self) -> &[EpochStats] {
        &self.history
    }

    /// Class weights in use.
    pub fn class_weights(&self) -> [f32; N_CLASSES] {
        self.class_weights
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Trains one batch (and scores validation at the end of an epoch).
    pub fn step(&mut self, on_event: &mut dyn FnMut(TrainEvent)) -> Phase {
        if self.phase == Phase::Finished {
            return Phase::Finished;
        }
        let bs = self.config.batch_size;
        let start = self.batch * bs;
        let end = (start + bs).min(self.order.len());
        let idx: Vec<usize> = self.order[start..end].to_vec();
        let loss = self.train_batch(&idx);
        self.loss_sum += f64::from(loss) * idx.len() as f64;
        self.loss_n += idx.len();
        self.batch += 1;
        let batches = self.batches_per_epoch();
        on_event(TrainEvent::Batch {
            epoch: self.epoch,
            batch: self.batch,
            batches,
            loss: (self.loss_sum / self.loss_n.max(1) as f64) as f32,
        });
        if self.batch >= batches {
            self.end_epoch(on_event);
        }
        self.phase
    }

    fn train_batch(&mut self, idx: &[usize]) -> f32 {
        let Some(model) = self.model.take() else {
            return f32::NAN;
        };
        let (windows, rr, targets, weights) = self.batch_tensors(idx);
        let logits = model.forward(windows, rr); // [b, k]
        let b = idx.len();
        let logp = log_softmax(logits, 1); // [b, k]
        let logp_t: Tensor<1> = logp.gather(1, targets.reshape([b, 1])).reshape([b]); // [b]
        let mut per_beat = logp_t.clone().neg(); // −log p_y
        if let Some(g) = self.config.focal_gamma.filter(|g| *g > 0.0) {
            let one_minus_p = logp_t.exp().neg().add_scalar(1.0).clamp_min(0.0);
            per_beat = per_beat * one_minus_p.powf_scalar(g);
        }
        let w_sum: f32 = idx
            .iter()
            .map(|&i| self.class_weights[self.train.labels[i]])
            .sum();
        let loss = (per_beat * weights).sum().div_scalar(w_sum.max(1e-12)); // scalar
        let value: f32 = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optim.step(self.config.learning_rate, model, grads));
        value
    }

    fn batch_tensors(
        &mut self,
        idx: &[usize],
    ) -> (Tensor<3>, Tensor<2>, Tensor<1, Int>, Tensor<1>) {
        let mut rng = self.rng.fork(0x1177);
        let c = self.features.spec.channels();
        let l = self.layout.len;
        let nr = self.features.spec.n_rr();
        let b = idx.len();
        let mut w = Vec::with_capacity(b * c * l);
        let mut r = Vec::with_capacity(b * nr);
        let mut t = Vec::with_capacity(b);
        let mut wt = Vec::with_capacity(b);
        for &i in idx {
            let start = w.len();
            w.extend_from_slice(&self.train.windows[i * c * l..(i + 1) * c * l]);
            let rr_start = r.len();
            r.extend_from_slice(&self.train.rr[i * nr..(i + 1) * nr]);
            if self.config.jitter {
                jitter_beat(&mut rng, &mut w[start..], c, l, &mut r[rr_start..]);
            }
            let y = self.train.labels[i];
            t.push(y as i64);
            wt.push(self.class_weights[y]);
        }
        let d = &self.device;
        (
            Tensor::from_data(TensorData::new(w, [b, c, l]), d),
            Tensor::from_data(TensorData::new(r, [b, nr]), d),
            Tensor::from_data(TensorData::new(t, [b]), d),
            Tensor::from_data(TensorData::new(wt, [b]), d),
        )
    }

    fn end_epoch(&mut self, on_event: &mut dyn FnMut(TrainEvent)) {
        let train_loss = (self.loss_sum / self.loss_n.max(1) as f64) as f32;
        let val_macro_f1 = match &self.model {
            Some(m) if !self.val.labels.is_empty() => {
                let inference = m.valid();
                let pred =
                    predict_inputs(&inference, &self.val, self.features.spec, self.layout.len);
                validation_score(&ConfusionMatrix::from_predictions(
                    &self.val.labels,
                    &pred,
                    N_CLASSES,
                ))
            }
            // No validation records (a single training record): keep the last model.
            _ => f64::from(self.epoch as u32),
        };
        let improved = self.best_score.is_none_or(|b| val_macro_f1 > b);
        if let Some(m) = &self.model {
            self.snapshots.push((val_macro_f1, self.epoch, m.valid()));
        }
        if improved {
            self.best_score = Some(val_macro_f1);
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        let stats = EpochStats {
            epoch: self.epoch,
            train_loss,
            val_macro_f1,
            best: improved,
        };
        self.history.push(stats.clone());
        on_event(TrainEvent::Epoch(stats));
        self.epoch += 1;
        self.batch = 0;
        self.loss_sum = 0.0;
        self.loss_n = 0;
        self.rng.shuffle(&mut self.order);
        if self.epoch > self.config.epochs || self.since_best >= self.config.patience {
            self.phase = Phase::Finished;
        }
    }

    /// Stops (now or after finishing) and returns the ensemble of the best epochs so far (the
    /// current model when no epoch has ended yet).
    pub fn finish(mut self) -> Option<TrainedModel> {
        // Best first; ties go to the later epoch.
        self.snapshots
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        let k = self.config.ensemble.max(1);
        let mut epochs = Vec::new();
        let models: Vec<Model> = if self.snapshots.is_empty() {
            vec![self.model?.valid()]
        } else {
            self.snapshots
                .into_iter()
                .take(k)
                .map(|(_, e, m)| {
                    epochs.push(e);
                    m
                })
                .collect()
        };
        Some(TrainedModel {
            models,
            epochs,
            history: self.history,
            model_config: self.model_config,
            train_config: self.config,
            features: self.features,
            layout: self.layout,
            class_weights: self.class_weights,
        })
    }
}

/// Jitters one beat's inputs in place: `win` is `channels × len`.
fn jitter_beat(rng: &mut Rng, win: &mut [f32], channels: usize, len: usize, rr: &mut [f32]) {
    let scale = rng.uniform_range(0.8, 1.25) as f32;
    let shift = rng.below(5) as i64 - 2;
    let mut tmp = vec![0.0f32; len];
    for ch in 0..channels {
        let row = &mut win[ch * len..(ch + 1) * len];
        for (k, t) in tmp.iter_mut().enumerate() {
            let src = (k as i64 - shift).clamp(0, len as i64 - 1) as usize;
            *t = row[src] * scale + 0.01 * rng.normal() as f32;
        }
        row.copy_from_slice(&tmp);
    }
    for v in rr {
        *v += 0.05 * rng.normal() as f32;
    }
}

/// Class probabilities of prepared inputs, averaged over `models`, `[n, k]` row-major.
pub fn probabilities(models: &[Model], inputs: &Inputs, spec: FeatureSpec, len: usize) -> Vec<f32> {
    let device = Device::flex();
    let c = spec.channels();
    let nr = spec.n_rr();
    let n = inputs.labels.len();
    let k = N_CLASSES;
    let mut out = vec![0.0f32; n * k];
    if models.is_empty() {
        return out;
    }
    let chunk = 1024;
    let mut start = 0;
    while start < n {
        let end = (start + chunk).min(n);
        let b = end - start;
        let w = inputs.windows[start * c * len..end * c * len].to_vec();
        let r = inputs.rr[start * nr..end * nr].to_vec();
        let windows: Tensor<3> = Tensor::from_data(TensorData::new(w, [b, c, len]), &device);
        let rr: Tensor<2> = Tensor::from_data(TensorData::new(r, [b, nr]), &device);
        for m in models {
            let p = burn::tensor::activation::softmax(m.forward(windows.clone(), rr.clone()), 1);
            for (o, v) in out[start * k..end * k]
                .iter_mut()
                .zip(p.into_data().iter::<f32>())
            {
                *o += v / models.len() as f32;
            }
        }
        start = end;
    }
    out
}

/// The most probable class of each row of `[n, k]` probabilities.
pub fn argmax_rows(probabilities: &[f32], k: usize) -> Vec<usize> {
    probabilities
        .chunks_exact(k.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
                    if v > bv { (i, v) } else { (bi, bv) }
                })
                .0
        })
        .collect()
}

/// Predicted class indices for prepared inputs.
pub fn predict_inputs(model: &Model, inputs: &Inputs, spec: FeatureSpec, len: usize) -> Vec<usize> {
    argmax_rows(
        &probabilities(std::slice::from_ref(model), inputs, spec, len),
        N_CLASSES,
    )
}

impl TrainedModel {
    /// Predicted classes of the beats at `indices` of `beats`. Templates are fitted on `beats`
    /// itself (each record's from its own beats), RR statistics are the training ones.
    pub fn predict(&self, beats: &BeatSet, indices: &[u32], templates: &Templates) -> Vec<usize> {
        let fm = FeatureMaker {
            templates: templates.clone(),
            ..self.features.clone()
        };
        let inputs = fm.inputs(beats, indices);
        argmax_rows(
            &probabilities(&self.models, &inputs, fm.spec, self.layout.len),
            N_CLASSES,
        )
    }
}

/// The three beat sets of a run and the per-record templates.
#[derive(Debug, Clone)]
pub struct PreparedRun {
    /// Indices into the full beat set.
    pub sets: Sets,
    /// Training beats (training records minus validation records).
    pub train: BeatSet,
    /// Validation beats.
    pub val: BeatSet,
    /// Test beats.
    pub test: BeatSet,
    /// Templates of every record of the full set (each from its own beats, label-free).
    pub templates: Templates,
    /// What rebalancing did to the training beats, when the run rebalances.
    pub rebalance: Option<crate::dataset::rebalance::RebalanceReport>,
    /// Synthetic beats added to the training beats per class, when the run adds them.
    pub synthetic: Option<ClassCounts>,
}

/// Splits `beats` for a run of `config`, and rebalances the training beats when the config asks
/// for it. `given_test` marks test beats for [`SplitKind::Given`].
pub fn prepare_run(
    beats: &BeatSet,
    config: &TrainConfig,
    given_test: Option<&[bool]>,
) -> Result<PreparedRun, crate::Error> {
    prepare_run_with(beats, config, given_test, None)
}

/// As [`prepare_run`]; `generated` is a synthetic set made earlier from training beats with
/// the given [`crate::synth_train::training_fingerprint`], used instead of generating again
/// when this run's plan and training beats are the same (the page generates once, then trains).
pub fn prepare_run_with(
    beats: &BeatSet,
    config: &TrainConfig,
    given_test: Option<&[bool]>,
    generated: Option<(u64, &crate::synth_train::SynthesizedSet)>,
) -> Result<PreparedRun, crate::Error> {
    let split = Split::new(beats, config.split, given_test);
    let by_record = matches!(config.split, SplitKind::InterPatient { .. });
    let sets = make_sets(
        beats,
        &split,
        config.validation_fraction,
        config.seed,
        by_record,
    );
    let mut train = beats.subset(&sets.train);
    let mut report = None;
    if let Some(rc) = &config.rebalance {
        // Only the training subset exists here: validation and test beats cannot be touched.
        let done = crate::dataset::rebalance::rebalance(&train, rc, &mut |_, _| true)?;
        train = done.beats;
        report = Some(done.report);
    }
    let mut templates = Templates::fit(beats);
    let mut synthetic = None;
    if let Some(sc) = &config.synthetic {
        // Generated from (fitted to) the real training beats only, then added to them alone.
        let reuse = generated.filter(|(fingerprint, set)| {
            set.config == *sc
                && set.beats.beats.layout == beats.layout
                && *fingerprint == crate::synth_train::training_fingerprint(beats, &sets.train)
        });
        let made;
        let set = match reuse {
            Some((_, set)) => set,
            None => {
                let real_train = beats.subset(&sets.train);
                made = crate::synth_train::SynthGeneration::new(&real_train, sc)?.run()?;
                &made
            }
        };
        crate::synth_train::add_to_training(&mut train, &mut templates, &set.beats)?;
        synthetic = Some(set.beats.beats.class_counts());
    }
    Ok(PreparedRun {
        train,
        val: beats.subset(&sets.val),
        test: beats.subset(&sets.test),
        templates,
        sets,
        rebalance: report,
        synthetic,
    })
}

/// Confusion matrix and predictions of `model` on `test`.
pub fn evaluate(
    model: &TrainedModel,
    test: &BeatSet,
    templates: &Templates,
) -> (ConfusionMatrix, Vec<usize>) {
    let all: Vec<u32> = (0..test.len() as u32).collect();
    let pred = model.predict(test, &all, templates);
    let truth: Vec<usize> = test.labels.iter().map(|c| c.index()).collect();
    (
        ConfusionMatrix::from_predictions(&truth, &pred, N_CLASSES),
        pred,
    )
}

/// First bytes of a model file.
pub const MODEL_MAGIC: &[u8] = b"ECG-BALANCE-LAB-MODEL\n";

/// What a model file says about itself (JSON, before the weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ModelFileHeader {
    format_version: u32,
    model_config: ModelConfig,
    train_config: TrainConfig,
    features: FeatureMaker,
    layout: crate::dataset::BeatLayout,
    class_weights: [f32; N_CLASSES],
    epochs: Vec<usize>,
    history: Vec<EpochStats>,
    /// Byte length of each model's weights (burnpack), in order.
    weights_bytes: Vec<usize>,
}

/// Why a model file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelFileError {
    /// Not a model file of this project.
    #[error("not an ECG Balance Lab model file (it should start with \"ECG-BALANCE-LAB-MODEL\")")]
    NotAModel,
    /// Cut short or damaged.
    #[error("the model file is damaged or incomplete: {0}")]
    Damaged(String),
    /// Written by a newer version.
    #[error("model file format {0} is newer than this version understands (1)")]
    Version(u32),
}

impl TrainedModel {
    /// The model as a file: magic, header length, JSON header, then each network's weights.
    pub fn to_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        let mut weights = Vec::new();
        for m in &self.models {
            let bytes = m
                .clone()
                .into_record()
                .into_bytes()
                .map_err(|e| crate::Error::Invalid(format!("cannot save the model: {e}")))?;
            weights.push(bytes.to_vec());
        }
        let header = ModelFileHeader {
            format_version: 1,
            model_config: self.model_config.clone(),
            train_config: self.train_config.clone(),
            features: FeatureMaker {
                templates: Templates::default(),
                ..self.features.clone()
            },
            layout: self.layout,
            class_weights: self.class_weights,
            epochs: self.epochs.clone(),
            history: self.history.clone(),
            weights_bytes: weights.iter().map(Vec::len).collect(),
        };
        let json = serde_json::to_vec(&header)
            .map_err(|e| crate::Error::Invalid(format!("cannot save the model: {e}")))?;
        let mut out = Vec::with_capacity(
            MODEL_MAGIC.len() + 4 + json.len() + weights.iter().map(Vec::len).sum::<usize>(),
        );
        out.extend_from_slice(MODEL_MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for w in weights {
            out.extend_from_slice(&w);
        }
        Ok(out)
    }

    /// Reads a model file written by [`TrainedModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<TrainedModel, ModelFileError> {
        let rest = bytes
            .strip_prefix(MODEL_MAGIC)
            .ok_or(ModelFileError::NotAModel)?;
        let len_bytes: [u8; 4] = rest
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ModelFileError::Damaged("no header length".into()))?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        let json = rest
            .get(4..4 + len)
            .ok_or_else(|| ModelFileError::Damaged("header cut short".into()))?;
        let header: ModelFileHeader = serde_json::from_slice(json)
            .map_err(|e| ModelFileError::Damaged(format!("unreadable header: {e}")))?;
        if header.format_version > 1 {
            return Err(ModelFileError::Version(header.format_version));
        }
        let device = Device::flex();
        let mut offset = 4 + len;
        let mut models = Vec::new();
        for n in &header.weights_bytes {
            let chunk = rest
                .get(offset..offset + n)
                .ok_or_else(|| ModelFileError::Damaged("weights cut short".into()))?;
            offset += n;
            let record = burn::store::ModuleRecord::from_bytes(
                burn::tensor::Bytes::from_bytes_vec(chunk.to_vec()),
            )
            .map_err(|e| ModelFileError::Damaged(e.to_string()))?;
            let model = header
                .model_config
                .init(&device)
                .try_load_record(record)
                .map_err(|e| ModelFileError::Damaged(e.to_string()))?;
            models.push(model);
        }
        if models.is_empty() {
            return Err(ModelFileError::Damaged("no network weights".into()));
        }
        Ok(TrainedModel {
            models,
            epochs: header.epochs,
            history: header.history,
            model_config: header.model_config,
            train_config: header.train_config,
            features: header.features,
            layout: header.layout,
            class_weights: header.class_weights,
        })
    }
}

/// Classes of the beats of `record` at the R peaks `r_samples` (detected or annotated), by
/// `model`: each beat is cut exactly as training beats were (the model's window layout, resampled
/// from the record's rate, on `lead`), with its RR features from the same peaks and the record's
/// own template — the path the page and `ecg-balance classify` use for records nobody annotated.
pub fn classify_record(
    model: &TrainedModel,
    record: &Record,
    lead: usize,
    r_samples: &[u64],
) -> Result<Vec<AamiClass>, crate::Error> {
    if record.signals.get(lead).is_none() {
        return Err(crate::Error::Invalid(format!(
            "record {} has {} lead(s); lead {} does not exist",
            record.name,
            record.signals.len(),
            lead + 1
        )));
    }
    if !(record.fs_hz.is_finite() && record.fs_hz > 0.0) {
        return Err(crate::Error::Invalid(format!(
            "record {} has no valid sampling rate",
            record.name
        )));
    }
    let resampler = crate::ecg::beats::Resampler::new(record.fs_hz, model.layout);
    // Labels are unknown; N is a placeholder the prediction replaces.
    let cut = crate::ecg::beats::segment_at(
        record,
        lead,
        &resampler,
        r_samples.to_vec(),
        vec![AamiClass::N; r_samples.len()],
    );
    let mut set = BeatSet::new(model.layout);
    set.extend_record(&record.name, &cut);
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let templates = Templates::fit(&set);
    let idx: Vec<u32> = (0..set.len() as u32).collect();
    Ok(model
        .predict(&set, &idx, &templates)
        .into_iter()
        .map(|k| AamiClass::from_index(k).unwrap_or(AamiClass::Q))
        .collect())
}
