//! Training as a session job: one batch per step, validation at each epoch's end, then the test
//! set scored in chunks — so the worker stays responsive to Cancel throughout.

use std::collections::BTreeMap;

use super::follower::Followers;
use super::job::Job;
use super::protocol::{Response, ShardGradient};
use super::views::{Misclassified, Progress, RunReport, TrainProgress};
use crate::dataset::BeatSet;
use crate::ecg::aami::{AamiClass, N_CLASSES};
use crate::metrics::{ConfusionMatrix, Evaluation};
use crate::training::parallel::Team;
use crate::training::{
    EpochStats, Phase, PreparedRun, TrainConfig, TrainEvent, TrainedModel, Trainer, prepare_run,
};
use crate::workspace::{BeatSource, Workspace};

/// Beats scored per step while evaluating the test set.
const EVAL_CHUNK: usize = 2048;
/// Misclassified beats kept per (true, predicted) pair for the gallery.
const MISCLASSIFIED_PER_PAIR: usize = 6;

enum Stage {
    Training(Box<Team>),
    Scoring {
        model: Box<TrainedModel>,
        next: usize,
        predicted: Vec<usize>,
        cancelled: bool,
    },
    Done,
}

/// The training job.
pub struct TrainJob {
    id: u32,
    source: BeatSource,
    run: PreparedRun,
    stage: Stage,
    started_ms: f64,
    train_ms: f64,
    epoch_ends_ms: Vec<f64>,
    last_post_ms: f64,
    last_batch: (usize, usize, usize, f32),
    prepare_ms: f64,
    data_fingerprint: u64,
    /// The other Web Workers training in step, when the run has more than one
    /// ([`TrainConfig::workers`]).
    followers: Option<Followers>,
    /// The model and its report, once done; taken by the session.
    pub finished: Option<(RunReport, TrainedModel)>,
}

impl TrainJob {
    /// Prepares a run on `source` of `ws` (split, validation records, rebalancing, synthetic
    /// beats — [`crate::training::prepare_run_with`]); `generated` is a synthetic set made
    /// earlier from the training beats of the given fingerprint, used instead of generating
    /// again when it fits. With `config.workers` above 1 the run leads that many Web Workers
    /// ([`super::follower`]) and trains on one thread; otherwise on `threads` native threads.
    pub fn new(
        id: u32,
        ws: &mut Workspace,
        source: BeatSource,
        mut config: TrainConfig,
        now_ms: &dyn Fn() -> f64,
        generated: Option<(u64, &crate::dataset::synthetic::plan::SynthesizedSet)>,
        threads: usize,
    ) -> Result<TrainJob, crate::Error> {
        let t0 = now_ms();
        config.split = ws.effective_split(source, config.split);
        let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
        let beats = ws.beats(source);
        if beats.is_empty() {
            return Err(crate::Error::Invalid(
                "no beats to train on: load annotated records, a beat file or the demo set".into(),
            ));
        }
        let data_fingerprint = fingerprint_of(beats);
        let run = crate::training::prepare_run_with(beats, &config, mask.as_deref(), generated)?;
        if run.test.is_empty() {
            return Err(crate::Error::Invalid(
                "the test side of this split is empty: load records of both sides (for MIT-BIH, DS1 and DS2 records) or use a random split".into(),
            ));
        }
        let make = || Trainer::new(config.clone(), &run.train, &run.val, run.templates.clone());
        let workers = config.worker_count();
        let followers = (workers > 1).then(|| Followers::new(id, workers));
        let threads = if followers.is_some() { 1 } else { threads };
        let trainer = Team::new(&make, threads)?;
        let started_ms = now_ms();
        Ok(TrainJob {
            id,
            source,
            run,
            stage: Stage::Training(Box::new(trainer)),
            started_ms,
            prepare_ms: started_ms - t0,
            data_fingerprint,
            train_ms: 0.0,
            epoch_ends_ms: Vec::new(),
            last_post_ms: f64::NEG_INFINITY,
            last_batch: (0, 0, 0, 0.0),
            followers,
            finished: None,
        })
    }

    /// A job that only scores an imported `model` on the test side of `split`.
    pub fn scoring(
        id: u32,
        ws: &mut Workspace,
        mut model: TrainedModel,
        split: crate::dataset::split::SplitKind,
        name: &str,
    ) -> Result<TrainJob, crate::Error> {
        let source = ws.default_source();
        model.train_config.split = ws.effective_split(source, split);
        let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
        let beats = ws.beats(source);
        if beats.layout != model.layout {
            return Err(crate::Error::Invalid(format!(
                "{name} expects beats of {} samples at {} Hz with the R peak at {}; the loaded beats have {} at {} Hz with the R peak at {}",
                model.layout.len,
                model.layout.fs_hz,
                model.layout.r_index,
                beats.layout.len,
                beats.layout.fs_hz,
                beats.layout.r_index
            )));
        }
        let data_fingerprint = fingerprint_of(beats);
        let run = prepare_run(beats, &model.train_config, mask.as_deref())?;
        if run.test.is_empty() {
            return Err(crate::Error::Invalid(
                "the test side of the split is empty".into(),
            ));
        }
        let n = run.test.len();
        Ok(TrainJob {
            id,
            source,
            run,
            stage: Stage::Scoring {
                model: Box::new(model),
                next: 0,
                predicted: Vec::with_capacity(n),
                cancelled: false,
            },
            started_ms: 0.0,
            train_ms: 0.0,
            epoch_ends_ms: Vec::new(),
            last_post_ms: f64::NEG_INFINITY,
            last_batch: (0, 0, 0, 0.0),
            prepare_ms: 0.0,
            data_fingerprint,
            followers: None,
            finished: None,
        })
    }

    fn progress(&self, trainer: &Trainer, now: f64, stage: &str) -> Response {
        let (epoch, batch, batches, loss) = self.last_batch;
        let elapsed = now - self.started_ms;
        let epochs = trainer.config().epochs;
        let done = (epoch.saturating_sub(1) * batches + batch) as f64;
        let total = (epochs * batches.max(1)) as f64;
        let remaining = if done > 0.0 {
            elapsed / done * (total - done).max(0.0)
        } else {
            0.0
        };
        Response::TrainProgress(TrainProgress {
            epoch,
            epochs,
            batch,
            batches,
            loss,
            history: trainer.history().to_vec(),
            elapsed_ms: elapsed,
            remaining_ms: remaining,
            stage: stage.to_string(),
        })
    }

    fn start_scoring(&mut self, now: f64, cancelled: bool) {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        if let Stage::Training(trainer) = stage {
            self.train_ms = now - self.started_ms;
            if let Some(model) = trainer.finish() {
                self.stage = Stage::Scoring {
                    model: Box::new(model),
                    next: 0,
                    predicted: Vec::with_capacity(self.run.test.len()),
                    cancelled,
                };
            }
        }
    }

    fn report(
        &self,
        model: &TrainedModel,
        predicted: &[usize],
        cancelled: bool,
        history: Vec<EpochStats>,
    ) -> RunReport {
        let test = &self.run.test;
        let truth: Vec<usize> = test.labels.iter().map(|c| c.index()).collect();
        let cm = ConfusionMatrix::from_predictions(&truth, predicted, N_CLASSES);
        // Test records the model has seen (a model file scored on the records it came from).
        let mut seen_test: Vec<String> = test
            .records
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                test.record_id.contains(&(*i as u32)) && model.trained_on.binary_search(n).is_ok()
            })
            .map(|(_, n)| n.clone())
            .collect();
        seen_test.dedup();
        RunReport {
            id: self.id,
            config: model.train_config.clone(),
            source: self.source,
            split_text: model.train_config.split.describe_for(test),
            optimistic: model.train_config.split.is_optimistic() || !seen_test.is_empty(),
            seen_test_records: seen_test,
            trained_on_unknown: model.trained_on.is_empty(),
            train_counts: self.run.train.class_counts(),
            val_counts: self.run.val.class_counts(),
            test_counts: test.class_counts(),
            val_records: self.run.sets.val_records.clone(),
            class_weights: model.class_weights,
            history,
            ensemble_epochs: model.epochs.clone(),
            train_seconds: self.train_ms / 1000.0,
            epoch_seconds: std::iter::once(self.started_ms)
                .chain(self.epoch_ends_ms.iter().copied())
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| (w[1] - w[0]) / 1000.0)
                .collect(),
            cancelled,
            evaluation: Evaluation::new(&cm),
            misclassified: misclassified(test, predicted),
            layout: test.layout,
            prepare_seconds: self.prepare_ms / 1000.0,
            synthetic_added: self.run.synthetic,
            per_record_confusion: per_record_confusion(test, predicted),
            data_fingerprint: self.data_fingerprint,
        }
    }
}

/// The fingerprint of every beat of `beats` (the data a run is drawn from, before the split).
fn fingerprint_of(beats: &BeatSet) -> u64 {
    let all: Vec<u32> = (0..beats.len() as u32).collect();
    crate::dataset::synthetic::plan::training_fingerprint(beats, &all)
}

/// The confusion matrix of each record of `test` with beats in it.
pub fn per_record_confusion(
    test: &BeatSet,
    predicted: &[usize],
) -> BTreeMap<String, ConfusionMatrix> {
    let mut out: BTreeMap<String, ConfusionMatrix> = BTreeMap::new();
    for (i, &p) in predicted.iter().enumerate().take(test.len()) {
        out.entry(test.record_of(i).to_string())
            .or_insert_with(|| ConfusionMatrix::new(N_CLASSES))
            .add(test.labels[i].index(), p);
    }
    out
}

/// Up to [`MISCLASSIFIED_PER_PAIR`] wrong predictions per (true, predicted) pair, spread over
/// the test set.
pub fn misclassified(test: &BeatSet, predicted: &[usize]) -> Vec<Misclassified> {
    let mut out = Vec::new();
    let mut taken = [[0usize; N_CLASSES]; N_CLASSES];
    let mut wrong: Vec<usize> = (0..test.len().min(predicted.len()))
        .filter(|&i| test.labels[i].index() != predicted[i])
        .collect();
    // Spread the picks: every n-th wrong beat rather than the first ones of the first record.
    let stride = (wrong.len() / 200).max(1);
    wrong = wrong.into_iter().step_by(stride).collect();
    for i in wrong {
        let t = test.labels[i].index();
        let p = predicted[i];
        if p >= N_CLASSES || taken[t][p] >= MISCLASSIFIED_PER_PAIR {
            continue;
        }
        taken[t][p] += 1;
        out.push(Misclassified {
            record: test.record_of(i).to_string(),
            t_s: 0.0,
            truth: test.labels[i],
            predicted: AamiClass::from_index(p).unwrap_or(AamiClass::Q),
            window: test.window(i).to_vec(),
        });
    }
    out
}

impl Job for TrainJob {
    fn name(&self) -> &str {
        "train"
    }

    fn step(
        &mut self,
        _ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        match &mut self.stage {
            Stage::Training(trainer) => {
                let mut last = self.last_batch;
                let mut epoch_ended = false;
                let mut on_event = |e: TrainEvent| match e {
                    TrainEvent::Batch {
                        epoch,
                        batch,
                        batches,
                        loss,
                    } => last = (epoch, batch, batches, loss),
                    TrainEvent::Epoch(_) => epoch_ended = true,
                };
                let phase = match self.followers.as_mut() {
                    None => trainer.step(&mut on_event),
                    Some(followers) => {
                        match lead_step(followers, trainer.leader_mut(), &mut on_event, out) {
                            Some(phase) => phase,
                            // Half a batch: the followers are at work.
                            None => return false,
                        }
                    }
                };
                self.last_batch = last;
                let now = now_ms();
                if epoch_ended {
                    self.epoch_ends_ms.push(now);
                }
                if epoch_ended || now - self.last_post_ms > 150.0 {
                    self.last_post_ms = now;
                    if let Stage::Training(trainer) = &self.stage {
                        out(self.progress(trainer.leader(), now, "training"));
                    }
                }
                if phase == Phase::Finished {
                    self.start_scoring(now, false);
                }
                false
            }
            Stage::Scoring {
                model,
                next,
                predicted,
                cancelled,
            } => {
                let n = self.run.test.len();
                let end = (*next + EVAL_CHUNK).min(n);
                let idx: Vec<u32> = (*next as u32..end as u32).collect();
                predicted.extend(model.predict(&self.run.test, &idx, &self.run.templates));
                *next = end;
                out(Response::Progress(Progress {
                    job: "train".into(),
                    done: end as f64,
                    total: n.max(1) as f64,
                    label: format!("scoring the test set: {end} of {n} beats"),
                }));
                if end < n {
                    return false;
                }
                let (model, predicted, cancelled) =
                    (model.clone(), std::mem::take(predicted), *cancelled);
                let history = model_history(&model);
                let report = self.report(&model, &predicted, cancelled, history);
                out(Response::TrainResult(Box::new(report.clone())));
                self.finished = Some((report, *model));
                self.stage = Stage::Done;
                true
            }
            Stage::Done => true,
        }
    }

    fn cancel(
        &mut self,
        _ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        _out: &mut dyn FnMut(Response),
    ) -> bool {
        // Keep the best model so far: the job goes on to score it on the test set, in steps.
        if let Stage::Training(_) = self.stage {
            self.start_scoring(now_ms(), true);
        }
        match &mut self.stage {
            Stage::Scoring { cancelled, .. } => {
                *cancelled = true;
                false
            }
            _ => true,
        }
    }

    fn take_trained(&mut self) -> Option<(RunReport, TrainedModel)> {
        self.finished.take()
    }

    fn waiting(&self) -> bool {
        matches!(self.stage, Stage::Training(_))
            && self.followers.as_ref().is_some_and(Followers::waiting)
    }

    fn deliver(&mut self, part: ShardGradient) {
        if let (Stage::Training(_), Some(followers)) = (&self.stage, self.followers.as_mut()) {
            followers.deliver(part);
        }
    }
}

/// Half a batch of data-parallel training across Web Workers: with no batch in flight, sends
/// the followers their messages and computes the leader's shard (`None`: wait for theirs);
/// with every shard in, steps the leader with their sum. With an epoch's last batch, the
/// validation beats are scored in shares (`None` until the followers' are in; see
/// [`super::follower`]).
fn lead_step(
    followers: &mut Followers,
    leader: &mut Trainer,
    on_event: &mut dyn FnMut(TrainEvent),
    out: &mut dyn FnMut(Response),
) -> Option<Phase> {
    if let Some(why) = followers.take_failure() {
        out(Response::error(super::ErrorKind::Protocol, why));
        leader.stop();
        return Some(Phase::Finished);
    }
    if followers.validating() {
        // An epoch's end, waiting for the followers' shares of the validation beats.
        let predictions = followers.take_validation()?;
        return Some(leader.finish_epoch(predictions, on_event));
    }
    if followers.idle() {
        if let Err(e) = followers.start_batch(leader, out) {
            out((&e).into());
            leader.stop();
            return Some(Phase::Finished);
        }
        return None;
    }
    let (sum, loss) = followers.finish_batch()?;
    if leader.ends_epoch() && leader.shares_validation() {
        // The followers step at once and score their shares while the leader scores its own.
        followers.send_step(true, out);
        if leader.apply_deferring(&sum, loss, on_event) {
            followers.await_validation(leader.validation_share(0, followers.workers()));
            return None;
        }
        return Some(leader.phase());
    }
    Some(leader.apply(&sum, loss, on_event))
}

fn model_history(model: &TrainedModel) -> Vec<EpochStats> {
    model.history.clone()
}
