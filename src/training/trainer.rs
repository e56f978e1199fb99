//! The training state machine: a hand-written loop (as in burn's `custom-training-loop`
//! example) that advances one batch per [`Trainer::step`], so the page's worker can report
//! progress and take a Cancel between batches, and the CLI simply loops.
//!
//! Honest by construction:
//! - the validation set is drawn **by record** from the training records
//!   ([`crate::dataset::pipeline::pick_validation`]), never from the test split;
//! - class weights come from the training beats' counts, RR standardisation from the training
//!   beats' statistics ([`crate::features::Normalizer`]);
//! - early stopping watches the validation macro-F1 and keeps the best model; Cancel keeps it too;
//! - everything random (weight init, dropout, shuffling, validation records) follows one seed.
//!
//! Loss: class-weighted cross-entropy, normalised by the batch's total weight as PyTorch's
//! `CrossEntropyLoss(weight=…)` does, optionally focal (Lin et al., ICCV 2017):
//! `−w_y (1 − p_y)^γ log p_y`.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::calibrate::fit_offsets;
use super::config::{TrainConfig, validation_score, weights_for};
use super::gradients;
use super::predict::{predict_inputs, probabilities};
use super::replica;
use super::sets::Batch;
pub use super::trained::{EpochStats, TrainedModel};
use crate::dataset::BeatSet;
use crate::ecg::aami::N_CLASSES;
use crate::features::{FeatureMaker, FeatureSpec, Inputs, Normalizer, Templates};
use crate::metrics::ConfusionMatrix;
use crate::model::{Model, ModelConfig};
use crate::rng::Rng;

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

/// One shard's gradient of a batch, flattened ([`Trainer::shard_gradient`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShardGradient {
    /// Gradient of the shard's part of the batch loss, in the model's parameter order.
    pub gradient: Vec<f32>,
    /// The shard's part of the batch loss.
    pub loss: f32,
    /// Beats in the shard.
    pub beats: usize,
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
    /// Records of the training and validation beats.
    trained_on: Vec<String>,
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
    /// A follower replica of data-parallel training (no validation, no snapshots).
    follower: bool,
    /// The moving average of the weights ([`TrainConfig::weight_average`]) and its steps.
    average: Option<(Vec<f32>, u64)>,
    /// The epoch's last batch was stepped with, and its end waits for the validation
    /// predictions ([`Trainer::apply_deferring`], [`Trainer::finish_epoch`]).
    epoch_pending: bool,
}

/// What a trainer is made from ([`Trainer::start`]): the model and its inputs, without the
/// loop's state.
struct Parts {
    config: TrainConfig,
    trained_on: Vec<String>,
    model_config: ModelConfig,
    device: Device,
    model: Model,
    features: FeatureMaker,
    train: Inputs,
    val: Inputs,
    class_weights: [f32; N_CLASSES],
    layout: crate::dataset::BeatLayout,
    follower: bool,
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
        let mut spec = FeatureSpec::for_beats(train);
        spec.rhythm = spec.rhythm && config.rhythm && (val.is_empty() || val.has_rhythm());
        spec.second_lead =
            spec.second_lead && config.second_lead && (val.is_empty() || val.has_second_lead());
        spec.rr_relative_only = config.rr_relative_only;
        let all_train: Vec<u32> = (0..train.len() as u32).collect();
        let features = FeatureMaker {
            spec,
            normalizer: Normalizer::fit(train, &all_train),
            templates,
        };
        let model_config =
            ModelConfig::new(train.layout.len, spec.n_rr()).with_channels_in(spec.channels());
        let device = Device::flex().autodiff();
        device.seed(config.seed);
        let model = model_config.init(&device);
        Ok(Self::from_parts(
            config,
            features,
            model_config,
            model,
            device,
            train,
            val,
        ))
    }

    /// Continues training network `network` of `model` (fine-tuning) on `train`, with the
    /// model's own input pipeline: its RR standardisation stays the one fitted on its training
    /// split, and `templates` must cover the record ids of `train` and `val`.
    pub fn fine_tune(
        config: TrainConfig,
        model: &TrainedModel,
        network: usize,
        train: &BeatSet,
        val: &BeatSet,
        templates: Templates,
    ) -> Result<Trainer, crate::Error> {
        if train.is_empty() || config.batch_size == 0 || config.epochs == 0 {
            return Err(crate::Error::Invalid(
                "fine-tuning needs beats, and positive epochs and batch size".into(),
            ));
        }
        if train.layout != model.layout {
            return Err(crate::Error::Invalid(
                "the beats to fine-tune on are not cut as the model's were".into(),
            ));
        }
        let start = model
            .models
            .get(network)
            .ok_or_else(|| crate::Error::Invalid(format!("the model has no network {network}")))?;
        let device = Device::flex().autodiff();
        device.seed(config.seed);
        let features = FeatureMaker {
            templates,
            ..model.features.clone()
        };
        let mut t = Self::from_parts(
            config,
            features,
            model.model_config.clone(),
            start.clone().fork(&device).train(),
            device,
            train,
            val,
        );
        t.trained_on.extend(model.trained_on.iter().cloned());
        t.trained_on.sort_unstable();
        t.trained_on.dedup();
        Ok(t)
    }

    fn from_parts(
        config: TrainConfig,
        features: FeatureMaker,
        model_config: ModelConfig,
        model: Model,
        device: Device,
        train: &BeatSet,
        val: &BeatSet,
    ) -> Trainer {
        let mut trained_on = records_present(train);
        trained_on.extend(records_present(val));
        trained_on.sort_unstable();
        trained_on.dedup();
        let class_weights = weights_for(&train.class_counts(), config.weights, config.weight_cap);
        let all_train: Vec<u32> = (0..train.len() as u32).collect();
        let train_inputs = features.inputs(train, &all_train);
        let all_val: Vec<u32> = (0..val.len() as u32).collect();
        let val_inputs = features.inputs(val, &all_val);
        Self::start(Parts {
            layout: train.layout,
            train: train_inputs,
            val: val_inputs,
            class_weights,
            trained_on,
            follower: false,
            config,
            model_config,
            model,
            device,
            features,
        })
    }

    /// A trainer at the start of its first epoch: batches in the seed's first order, a fresh
    /// optimiser, no history. Every way of making a trainer ends here.
    fn start(parts: Parts) -> Trainer {
        let (order, rng) = first_order(&parts.config, parts.train.labels.len());
        Trainer {
            model: Some(parts.model),
            optim: AdamConfig::new().init(),
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
            config: parts.config,
            trained_on: parts.trained_on,
            model_config: parts.model_config,
            device: parts.device,
            features: parts.features,
            train: parts.train,
            val: parts.val,
            class_weights: parts.class_weights,
            layout: parts.layout,
            follower: parts.follower,
            average: None,
            epoch_pending: false,
        }
    }

    /// The run's settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.config.batch_size)
    }

    /// True when the batch in hand is its epoch's last: stepping with it scores validation and
    /// may end the run.
    pub fn ends_epoch(&self) -> bool {
        self.batch + 1 >= self.batches_per_epoch()
    }

    /// True when followers can score shares of the validation beats at an epoch's end
    /// ([`Trainer::validation_share`]): there are validation beats, and the model scored is the
    /// one every replica holds (not a moving average, which only the leader keeps).
    pub fn shares_validation(&self) -> bool {
        !self.val.labels.is_empty() && self.config.weight_average.is_none()
    }

    /// The predicted classes of share `shard` of `shards` of the validation beats (a contiguous
    /// slice, in order) by the model validation scores: concatenated in shard order, the
    /// shares are the predictions [`Trainer::finish_epoch`] takes. A beat's prediction does not
    /// depend on which beats are scored beside it.
    pub fn validation_share(&self, shard: usize, shards: usize) -> Vec<usize> {
        let shards = shards.max(1);
        let n = self.val.labels.len();
        let (lo, hi) = (n * shard / shards, n * (shard + 1) / shards);
        let Some(model) = self.kept_model().filter(|_| hi > lo) else {
            return Vec::new();
        };
        let c = self.features.spec.channels() * self.layout.len;
        let nr = self.features.spec.n_rr();
        let share = Inputs {
            windows: self.val.windows[lo * c..hi * c].to_vec(),
            rr: self.val.rr[lo * nr..hi * nr].to_vec(),
            labels: self.val.labels[lo..hi].to_vec(),
        };
        predict_inputs(&model, &share, self.features.spec, self.layout.len)
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
        let g = self.shard_gradient(0, 1);
        self.apply(&g.gradient, g.loss, on_event)
    }

    /// The beats of the next batch, as indices into the training inputs.
    fn batch_indices(&self) -> &[usize] {
        let bs = self.config.batch_size;
        let start = (self.batch * bs).min(self.order.len());
        let end = (start + bs).min(self.order.len());
        &self.order[start..end]
    }

    /// The gradient of shard `shard` of `shards` of the next batch (a contiguous slice of its
    /// beats), flattened in the model's parameter order, and that shard's part of the batch
    /// loss. The loss of a shard is normalised by the whole batch's total class weight, so the
    /// shards' gradients and losses add up to the whole batch's (data-parallel training sums
    /// them and hands the sum to [`Trainer::apply`] on every replica). Does not step.
    pub fn shard_gradient(&mut self, shard: usize, shards: usize) -> ShardGradient {
        let shards = shards.max(1);
        let idx = self.batch_indices().to_vec();
        let w_sum: f32 = idx
            .iter()
            .map(|&i| self.class_weights[self.train.labels[i]])
            .sum();
        let lo = idx.len() * shard / shards;
        let hi = idx.len() * (shard + 1) / shards;
        // One draw per batch on every replica, whatever its shard, keeps their generators equal.
        let jitter_seed = self.rng.fork(0x1177).next_u64();
        let Some(model) = self.model.as_ref() else {
            return ShardGradient::default();
        };
        if hi <= lo {
            return ShardGradient {
                gradient: vec![0.0; gradients::parameter_count(model)],
                loss: 0.0,
                beats: 0,
            };
        }
        let batch = Batch::assemble(
            &self.train,
            &idx[lo..hi],
            &self.class_weights,
            self.features.spec,
            self.layout.len,
            self.config.jitter.then_some((jitter_seed, lo)),
            Some((
                jitter_seed,
                lo,
                self.model_config.dropout,
                self.model_config.hidden,
            )),
        );
        let mask = batch.dropout_tensor(&self.device);
        let (windows, rr, targets, weights) = batch.tensors(&self.device);
        let logits = model.forward_masked(windows, rr, mask); // [b, k]
        let b = hi - lo;
        let logp = log_softmax(logits, 1); // [b, k]
        let logp_t: Tensor<1> = logp.gather(1, targets.reshape([b, 1])).reshape([b]); // [b]
        let mut per_beat = logp_t.clone().neg(); // −log p_y
        if let Some(g) = self.config.focal_gamma.filter(|g| *g > 0.0) {
            let one_minus_p = logp_t.exp().neg().add_scalar(1.0).clamp_min(0.0);
            per_beat = per_beat * one_minus_p.powf_scalar(g);
        }
        let loss = (per_beat * weights).sum().div_scalar(w_sum.max(1e-12)); // scalar
        let value: f32 = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), model);
        ShardGradient {
            gradient: gradients::flatten(model, &grads),
            loss: value,
            beats: b,
        }
    }

    /// Steps the optimiser with `gradient` (the sum of the shards' gradients of the current
    /// batch, see [`Trainer::shard_gradient`]) and `loss` (the sum of their losses), then moves
    /// to the next batch, scoring validation at the end of an epoch.
    pub fn apply(
        &mut self,
        gradient: &[f32],
        loss: f32,
        on_event: &mut dyn FnMut(TrainEvent),
    ) -> Phase {
        if self.apply_deferring(gradient, loss, on_event) {
            self.epoch_pending = false;
            self.end_epoch(None, on_event);
        }
        self.phase
    }

    /// [`Trainer::apply`], except that an epoch's end is left to [`Trainer::finish_epoch`],
    /// with validation predictions made elsewhere (by the workers, in shares): true when the
    /// batch ended its epoch and the end waits for them.
    pub fn apply_deferring(
        &mut self,
        gradient: &[f32],
        loss: f32,
        on_event: &mut dyn FnMut(TrainEvent),
    ) -> bool {
        if self.phase == Phase::Finished || self.epoch_pending {
            return false;
        }
        let n = self.batch_indices().len();
        if let Some(model) = self.model.take() {
            let grads = gradients::unflatten(&model, gradient);
            let per_epoch = self.batches_per_epoch();
            let lr = self.config.schedule.rate(
                self.config.learning_rate,
                (self.epoch - 1) * per_epoch + self.batch,
                self.config.epochs * per_epoch,
                per_epoch,
            );
            let model = self.optim.step(lr, model, grads);
            if let (Some(d), false) = (self.config.weight_average, self.follower) {
                self.update_average(&model, d);
            }
            self.model = Some(model);
        }
        self.loss_sum += f64::from(loss) * n as f64;
        self.loss_n += n;
        self.batch += 1;
        let batches = self.batches_per_epoch();
        on_event(TrainEvent::Batch {
            epoch: self.epoch,
            batch: self.batch,
            batches,
            loss: (self.loss_sum / self.loss_n.max(1) as f64) as f32,
        });
        self.epoch_pending = self.batch >= batches;
        self.epoch_pending
    }

    /// Ends the epoch [`Trainer::apply_deferring`] left waiting, scored with `predictions` of
    /// the validation beats (in order; the shares of [`Trainer::validation_share`], joined).
    /// Predictions of another length are not used: the trainer then scores validation itself.
    pub fn finish_epoch(
        &mut self,
        predictions: Vec<usize>,
        on_event: &mut dyn FnMut(TrainEvent),
    ) -> Phase {
        if std::mem::take(&mut self.epoch_pending) {
            let given = (predictions.len() == self.val.labels.len()).then_some(predictions);
            self.end_epoch(given, on_event);
        }
        self.phase
    }

    /// Makes this trainer a follower replica of data-parallel training: it keeps stepping with
    /// the gradients it is given but neither scores validation nor keeps snapshots (the leader
    /// does), and finishes only when told ([`Trainer::stop`]).
    pub fn set_follower(&mut self) {
        self.follower = true;
    }

    /// Takes `other`'s current weights (data-parallel replicas start from the leader's
    /// initialisation, whatever another thread did to the device's generator meanwhile).
    pub fn copy_weights_from(&mut self, other: &Trainer) {
        if let Some(m) = &other.model {
            // Forked, not cloned: a clone shares the other trainer's parameter nodes, and
            // burn's autodiff keeps every node that shares a parent in one graph (a global
            // locator), so replicas on other threads would train in one merged graph, whose
            // backward passes clean up each other's entries. A fork gives the same values their
            // own nodes, as burn documents for data parallelism. (Seen before this: a 3-thread
            // run's first epoch differing, once in CI and once in about 60 local runs; too
            // rare to show the fix by repetition.)
            self.model = Some(m.clone().fork(&self.device));
        }
    }

    /// What a follower in another process needs to train in step with this trainer
    /// ([`replica::Replica`]); made before the first batch (the follower starts from the
    /// current weights and the first batch of the seed's order).
    pub fn replica(&self) -> Result<replica::Replica, crate::Error> {
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| crate::Error::Invalid("the trainer has no model to share".into()))?;
        let weights = model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(|e| crate::Error::Invalid(format!("cannot share the weights: {e}")))?
            .to_vec();
        Ok(replica::Replica {
            config: self.config.clone(),
            model_config: self.model_config.clone(),
            features: FeatureMaker {
                templates: Templates::default(),
                ..self.features.clone()
            },
            layout: self.layout,
            class_weights: self.class_weights,
            train: self.train.clone(),
            val: self.val.clone(),
            weights,
        })
    }

    /// A follower replica ([`Trainer::set_follower`]) made from a leader's
    /// [`Trainer::replica`]: the same batches in the same order, the same weights, so that
    /// stepping with the summed gradients keeps it equal to the leader.
    pub fn from_replica(replica: replica::Replica) -> Result<Trainer, crate::Error> {
        let replica::Replica {
            config,
            model_config,
            features,
            layout,
            class_weights,
            train,
            val,
            weights,
        } = replica;
        if config.batch_size == 0 || train.labels.is_empty() {
            return Err(crate::Error::Invalid(
                "the training replica has no beats or no batch size".into(),
            ));
        }
        let record =
            burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
                .map_err(|e| crate::Error::Invalid(format!("the replica's weights: {e}")))?;
        let model = model_config
            .init(&Device::flex())
            .try_load_record(record)
            .map_err(|e| crate::Error::Invalid(format!("the replica's weights: {e}")))?;
        // Not seeded: the weights are the leader's, and the device's generator is process-global
        // (reseeding it here would disturb a leader in the same process).
        let device = Device::flex().autodiff();
        Ok(Self::start(Parts {
            model: model.fork(&device).train(),
            val,
            trained_on: Vec::new(),
            follower: true,
            config,
            model_config,
            device,
            features,
            train,
            class_weights,
            layout,
        }))
    }

    /// Finishes the run now (a follower is told when the leader finished).
    pub fn stop(&mut self) {
        self.phase = Phase::Finished;
    }

    /// Moves the weight average towards `model`'s weights ([`TrainConfig::weight_average`]).
    fn update_average(&mut self, model: &Model, decay: f64) {
        let now = gradients::parameters(model);
        match &mut self.average {
            None => self.average = Some((now, 1)),
            Some((avg, t)) => {
                let d = decay.min((1.0 + *t as f64) / (10.0 + *t as f64)) as f32;
                for (a, w) in avg.iter_mut().zip(&now) {
                    *a = d * *a + (1.0 - d) * w;
                }
                *t += 1;
            }
        }
    }

    /// The model validation scores and snapshots keep: the averaged weights when averaging,
    /// else the current ones.
    fn kept_model(&self) -> Option<Model> {
        let m = self.model.as_ref()?.valid();
        Some(match &self.average {
            Some((avg, _)) => gradients::with_parameters(m, avg),
            None => m,
        })
    }

    fn end_epoch(&mut self, given: Option<Vec<usize>>, on_event: &mut dyn FnMut(TrainEvent)) {
        if self.follower {
            self.epoch += 1;
            self.batch = 0;
            self.loss_sum = 0.0;
            self.loss_n = 0;
            self.rng.shuffle(&mut self.order);
            return;
        }
        let train_loss = (self.loss_sum / self.loss_n.max(1) as f64) as f32;
        let kept = self.kept_model();
        let val_macro_f1 = match &kept {
            Some(m) if !self.val.labels.is_empty() => {
                let pred = given.unwrap_or_else(|| {
                    predict_inputs(m, &self.val, self.features.spec, self.layout.len)
                });
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
        if let Some(m) = kept {
            self.snapshots.push((val_macro_f1, self.epoch, m));
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
            vec![self.kept_model()?]
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
        let offsets = if self.config.calibrates() && !self.val.labels.is_empty() {
            let p = probabilities(&models, &self.val, self.features.spec, self.layout.len);
            fit_offsets(&p, &self.val.labels)
        } else {
            [0.0; N_CLASSES]
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
            offsets,
            trained_on: self.trained_on,
        })
    }
}

/// The first epoch's order of `n` training beats, and the generator after drawing it (every
/// replica draws the same).
fn first_order(config: &TrainConfig, n: usize) -> (Vec<usize>, Rng) {
    let mut rng = Rng::new(config.seed);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    (order, rng)
}

/// Names of the records that have beats in `b`.
fn records_present(b: &BeatSet) -> Vec<String> {
    let mut seen = vec![false; b.records.len()];
    for &r in &b.record_id {
        if let Some(s) = seen.get_mut(r as usize) {
            *s = true;
        }
    }
    b.records
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(n, _)| n.clone())
        .collect()
}
