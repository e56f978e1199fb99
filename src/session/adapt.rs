//! "Adapt to this patient" as the page runs it, in two phases, and what its answers show.
//!
//! 1. [`queries`] (`Request::AdaptQueries`): the record's beats are found (or taken from its
//!    annotated positions) and cut as the model's training beats were, their labels dropped
//!    ([`UnlabelledBeats`]); the model picks the beats a person should label
//!    ([`query_beats`]: `k` picked beats, or the first minutes), and the page gets each with a
//!    strip of signal around it. The session keeps what it handed out ([`Pending`]).
//! 2. [`AdaptJob`] (`Request::Adapt`): with the person's labels (or, only when the person chose
//!    it, the record's own annotations for the queried beats), a copy of the model is
//!    fine-tuned ([`Adaptation`], one optimizer step per job step, so Cancel and progress work
//!    as in training) on those beats beside the real beats of the run's training records, then
//!    the record is classified again. Before/after counts cover every beat; Se, +P and F1 cover
//!    only the beats that were *not* queried, against the record's annotations when it has any
//!    ([`score_unqueried`], the CLI's rule).
//!
//! The record's annotation labels are never read to pick queries or to fine-tune, unless the
//! request says `from_annotations` (the page's explicit "use the record's annotations for the
//! first 5 minutes"); then only the queried beats' labels are read, through a [`LabelOracle`].
//!
//! The views live here rather than in `views.rs`, which is past the size the house keeps files
//! to; `protocol.rs` takes them from this module.

use serde::{Deserialize, Serialize};

use super::job::Job;
use super::protocol::{ErrorKind, Failure, Response};
use super::views::{Progress, RunReport};
use crate::Record;
use crate::classify::{BeatPositions, beat_positions, reference_classes};
use crate::dataset::BeatSet;
use crate::dataset::templates::Templates;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::metrics::{ClassMetrics, ConfusionMatrix};
use crate::training::adapt::{AdaptConfig, AdaptStep, Adaptation, UnlabelledBeats};
use crate::training::patient::{Budget, LabelOracle, query_beats, score_unqueried};
use crate::training::{TrainConfig, TrainedModel, prepare_run, record_beats};
use crate::workspace::{BeatSource, Workspace};

/// Seconds of signal on each side of a queried beat in its strip.
pub const STRIP_HALF_S: f64 = 2.0;
/// Most points of a strip (longer stretches are decimated).
const STRIP_POINTS: usize = 720;
/// Most beats a person is asked to label by hand.
pub const MAX_K: usize = 500;

/// A stretch of one lead around a queried beat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BeatStrip {
    /// Time of the first value from the record's start, s.
    pub start_s: f64,
    /// Seconds between values.
    pub dt_s: f64,
    /// Values, in the lead's units (missing samples as 0).
    pub values: Vec<f32>,
    /// R peaks of the record's beats in the stretch (the queried one included), s.
    pub beats_s: Vec<f64>,
}

/// One beat the person is asked to label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryView {
    /// Index of the beat among the record's beats (what the labels name).
    pub index: u32,
    /// Its R peak, samples from the record's start.
    pub r_sample: u64,
    /// The same, s.
    pub t_s: f64,
    /// The signal around it (empty when the labels come from the annotations).
    pub strip: BeatStrip,
}

/// The beats to label for adapting a run's model to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptQueriesView {
    /// The run whose model is adapted.
    pub run: u32,
    /// Record name.
    pub record: String,
    /// Lead the beats are cut from, 0-based, and its name.
    pub lead: usize,
    /// Name of that lead.
    pub lead_name: String,
    /// Units of the strips.
    pub units: String,
    /// Where the beat positions come from.
    pub positions: BeatPositions,
    /// What was asked.
    pub budget: Budget,
    /// Beats of the record.
    pub beats: usize,
    /// The beats to label, in the order the model chose them.
    pub queries: Vec<QueryView>,
    /// True when the labels are to come from the record's annotations (the first minutes).
    pub from_annotations: bool,
    /// True when the record has beat annotations to score against.
    pub has_reference: bool,
    /// Time to cut the beats and choose the queries, ms.
    pub select_ms: f64,
}

/// Se, +P and F1 of one class on the unqueried beats, before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// The class.
    pub class: AamiClass,
    /// Before adaptation.
    pub before: ClassMetrics,
    /// After.
    pub after: ClassMetrics,
}

/// How the adapted model does on the beats nobody labelled, against the annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptScores {
    /// Unqueried beats scored (those with a reference beat).
    pub scored: usize,
    /// Unqueried beats left out because no reference beat matches them (detected extras, beats
    /// in ventricular flutter).
    pub unmatched: usize,
    /// Per class, N S V F Q.
    pub classes: Vec<ClassScores>,
    /// Macro-F1 over N, S, V and F, before.
    pub macro_f1_nsvf_before: f64,
    /// The same after.
    pub macro_f1_nsvf_after: f64,
    /// Confusion before: rows the annotated class, columns the predicted one.
    pub before: ConfusionMatrix,
    /// The same after.
    pub after: ConfusionMatrix,
}

/// The outcome of adapting a run's model to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptView {
    /// The run whose model was adapted (the run itself is unchanged).
    pub run: u32,
    /// Record name.
    pub record: String,
    /// What was asked.
    pub budget: Budget,
    /// Beats of the record.
    pub beats: usize,
    /// Beats queried (left out of the scores, labelled or not).
    pub queried: usize,
    /// Queried beats that got a label and were fine-tuned on.
    pub labelled: usize,
    /// Labels per class among them.
    pub labelled_counts: ClassCounts,
    /// True when the labels came from the record's annotations.
    pub from_annotations: bool,
    /// Beats per predicted class over the whole record, before.
    pub counts_before: ClassCounts,
    /// The same after.
    pub counts_after: ClassCounts,
    /// Scores on the unqueried beats; `None` when the record has no beat annotations.
    pub scores: Option<AdaptScores>,
    /// Real training beats the replay was drawn from (the run's training records).
    pub replay_pool: usize,
    /// Beats fine-tuned on per epoch (replayed and labelled copies).
    pub fine_tune_beats: usize,
    /// Networks fine-tuned.
    pub networks: usize,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Time to fine-tune, ms (the session's clock).
    pub fine_tune_ms: f64,
    /// Time from the request to the answer (replay set, fine-tuning, classifying again), ms.
    pub total_ms: f64,
}

/// The queries handed out, kept until the labels come back.
#[derive(Debug, Clone)]
pub struct Pending {
    run: u32,
    record: String,
    sig_len: usize,
    fs_hz: f64,
    budget: Budget,
    r_samples: Vec<u64>,
    beats: UnlabelledBeats,
    templates: Templates,
    queries: Vec<u32>,
    predicted_before: Vec<usize>,
}

impl Pending {
    /// The record the queries are beats of.
    pub fn record(&self) -> &str {
        &self.record
    }

    /// The run whose model is to be adapted.
    pub fn run(&self) -> u32 {
        self.run
    }
}

fn refusal(kind: ErrorKind, message: impl Into<String>) -> Failure {
    Failure {
        kind,
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    refusal(ErrorKind::Invalid, message)
}

fn failure_in(name: &str, e: &crate::Error) -> Failure {
    refusal(e.into(), format!("{name}: {e}"))
}

/// The kept run `run` and its model, if it may be adapted to record `record` of `ws`; else the
/// refusal, saying why.
fn adaptable<'a>(
    ws: &mut Workspace,
    runs: &'a [(RunReport, TrainedModel)],
    run: u32,
    record: &str,
) -> Result<(&'a RunReport, &'a TrainedModel), Failure> {
    if runs.is_empty() {
        return Err(refusal(
            ErrorKind::NotFound,
            "no model is trained yet: train one in the Train tab (or load a saved model there), then adapt it to a record it has not seen",
        ));
    }
    let Some((report, model)) = runs.iter().find(|(r, _)| r.id == run) else {
        return Err(refusal(
            ErrorKind::NotFound,
            format!("no run {run} is kept; train or load a model"),
        ));
    };
    let split = model.train_config.split;
    if split.is_optimistic() {
        return Err(invalid(format!(
            "run {run} was trained on a {}: its test beats come from the same patients as its training beats, so no record is new to it and adaptation could not be scored honestly. Train with the inter-patient split to adapt to a patient",
            split.describe()
        )));
    }
    if report.source != BeatSource::Records {
        return Err(invalid(format!(
            "run {run} was trained on beat files, not records: adaptation replays the beats of the run's training records while fine-tuning, so it needs a model trained on records"
        )));
    }
    let seen = if model.trained_on.is_empty() {
        // A model file that does not say: the record's side of the split decides.
        let beats = ws.beats(BeatSource::Records);
        let sp = crate::dataset::split::Split::new(beats, split, None);
        sp.train
            .iter()
            .any(|&i| beats.record_of(i as usize) == record)
    } else {
        model.trained_on.iter().any(|n| n == record)
    };
    if seen {
        return Err(invalid(format!(
            "this record was used to train the model; adapt on a record it has not seen (record {record} is among the records run {run} was trained or validated on)"
        )));
    }
    Ok((report, model))
}

/// Phase 1: the beats of `record` the person should label to adapt run `run`'s model to it,
/// and what the session keeps until the labels come back.
#[allow(clippy::too_many_arguments)]
pub fn queries(
    ws: &mut Workspace,
    runs: &[(RunReport, TrainedModel)],
    run: u32,
    name: &str,
    lead: Option<usize>,
    positions: BeatPositions,
    budget: Budget,
    now_ms: &dyn Fn() -> f64,
) -> Result<(Pending, AdaptQueriesView), Failure> {
    let t0 = now_ms();
    if ws.record(name).is_none() {
        return Err(refusal(
            ErrorKind::NotFound,
            format!("no record named {name} is loaded"),
        ));
    }
    let (_, model) = adaptable(ws, runs, run, name)?;
    let Some(record) = ws.record(name) else {
        return Err(refusal(
            ErrorKind::NotFound,
            format!("no record named {name} is loaded"),
        ));
    };
    let has_reference = !crate::ecg::detect::reference_beats(record).is_empty();
    let from_annotations = match budget {
        Budget::Beats { k: 0 } => {
            return Err(invalid("ask for at least one beat to label"));
        }
        Budget::Beats { k } if k > MAX_K => {
            return Err(invalid(format!(
                "{k} beats is more than anyone labels by hand (at most {MAX_K}); to label many, use the record's annotations for its first 5 minutes"
            )));
        }
        Budget::Beats { .. } => false,
        Budget::FirstMinutes { .. } if !has_reference => {
            return Err(invalid(format!(
                "the first minutes are labelled from the record's annotations, and record {name} has none; let the model pick beats for you to label instead"
            )));
        }
        Budget::FirstMinutes { minutes } if !(minutes.is_finite() && minutes > 0.0) => {
            return Err(invalid("the first minutes must be a positive number"));
        }
        Budget::FirstMinutes { .. } => true,
        Budget::SelfTraining => {
            return Err(invalid(
                "self-training is offered by the command line (ecg-balance adapt --budget self); the page adapts on beats you label",
            ));
        }
    };
    let lead = lead.unwrap_or_else(|| ws.window().lead.pick(record));
    let err = |e: crate::Error| failure_in(name, &e);
    let r_samples = beat_positions(record, lead, positions).map_err(err)?;
    let cut = record_beats(model, record, lead, &r_samples).map_err(err)?;
    if cut.is_empty() {
        return Err(invalid(format!(
            "no beat was found in record {name}: nothing to adapt to"
        )));
    }
    let beats = UnlabelledBeats::new(cut);
    let templates = Templates::fit(beats.beats());
    let all: Vec<u32> = (0..beats.len() as u32).collect();
    let predicted_before = model.predict(beats.beats(), &all, &templates);
    let queries = query_beats(model, &beats, &templates, budget, record.fs_hz);
    if queries.is_empty() {
        return Err(invalid(format!(
            "record {name} has no beat in its first minutes to label"
        )));
    }
    let fs = record.fs_hz;
    let signal = &record.signals[lead];
    let views = queries
        .iter()
        .map(|&i| {
            let r = r_samples[i as usize];
            QueryView {
                index: i,
                r_sample: r,
                t_s: r as f64 / fs,
                strip: if from_annotations {
                    BeatStrip::default()
                } else {
                    strip(record, lead, &r_samples, r)
                },
            }
        })
        .collect();
    let view = AdaptQueriesView {
        run,
        record: name.to_string(),
        lead,
        lead_name: signal.name.clone(),
        units: signal.units.clone(),
        positions,
        budget,
        beats: beats.len(),
        queries: views,
        from_annotations,
        has_reference,
        select_ms: now_ms() - t0,
    };
    let pending = Pending {
        run,
        record: name.to_string(),
        sig_len: record.sig_len(),
        fs_hz: fs,
        budget,
        r_samples,
        beats,
        templates,
        queries,
        predicted_before,
    };
    Ok((pending, view))
}

/// [`STRIP_HALF_S`] of lead `lead` on each side of the R peak `r`, with the beats in it.
fn strip(record: &Record, lead: usize, r_samples: &[u64], r: u64) -> BeatStrip {
    let fs = record.fs_hz;
    let signal = &record.signals[lead];
    let n = signal.len();
    let half = (STRIP_HALF_S * fs).round() as usize;
    let r = usize::try_from(r).unwrap_or(usize::MAX).min(n);
    let a = r.saturating_sub(half);
    let b = (r + half).min(n);
    let step = (b - a).div_ceil(STRIP_POINTS).max(1);
    let values = (a..b)
        .step_by(step)
        .map(|i| signal.physical(i))
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    let from = r_samples.partition_point(|&x| x < a as u64);
    let beats_s = r_samples[from..]
        .iter()
        .take_while(|&&x| x < b as u64)
        .map(|&x| x as f64 / fs)
        .collect();
    BeatStrip {
        start_s: a as f64 / fs,
        dt_s: step as f64 / fs,
        values,
        beats_s,
    }
}

/// Phase 2: the fine-tuning job for `labels` (beat index, class) of the pending queries, or —
/// when `from_annotations` — for the record's annotated class of each queried beat.
#[allow(clippy::too_many_arguments)]
pub fn start(
    ws: &mut Workspace,
    runs: &[(RunReport, TrainedModel)],
    pending: Option<&Pending>,
    run: u32,
    record: &str,
    labels: Vec<(u32, AamiClass)>,
    from_annotations: bool,
    now_ms: &dyn Fn() -> f64,
) -> Result<AdaptJob, Failure> {
    let ask_first = || {
        invalid(format!(
            "ask for the beats to label first (Adapt to this patient on record {record} with run {run})"
        ))
    };
    let pending = pending
        .filter(|p| p.run == run && p.record == record)
        .ok_or_else(ask_first)?;
    let (_, model) = adaptable(ws, runs, run, record)?;
    let rec = ws
        .record(record)
        .filter(|r| r.sig_len() == pending.sig_len && r.fs_hz == pending.fs_hz)
        .ok_or_else(ask_first)?;
    let labelled: Vec<(u32, AamiClass)> = if from_annotations {
        if !labels.is_empty() {
            return Err(invalid(
                "either give the labels or take them from the record's annotations, not both",
            ));
        }
        // Only the queried beats' classes are read, through the oracle.
        let peaks: Vec<usize> = pending.r_samples.iter().map(|&r| r as usize).collect();
        let classes = reference_classes(rec, &peaks);
        if classes.iter().all(Option::is_none) {
            return Err(invalid(format!(
                "record {record} has no beat annotations to take the labels from"
            )));
        }
        let mut oracle =
            LabelOracle::new(classes.iter().map(|c| c.unwrap_or(AamiClass::Q)).collect());
        pending
            .queries
            .iter()
            .filter(|&&i| classes[i as usize].is_some())
            .filter_map(|&i| oracle.ask(i).map(|c| (i, c)))
            .collect()
    } else {
        let mut given: Vec<(u32, AamiClass)> = Vec::new();
        for (i, c) in labels {
            if !pending.queries.contains(&i) {
                return Err(invalid(format!(
                    "beat {i} was not among the beats asked about; label only those"
                )));
            }
            // A beat labelled twice keeps its last label.
            given.retain(|(j, _)| *j != i);
            given.push((i, c));
        }
        given
    };
    if labelled.is_empty() {
        return Err(invalid("label at least one beat before fine-tuning"));
    }
    Ok(AdaptJob {
        pending: pending.clone(),
        model: model.clone(),
        labelled,
        from_annotations,
        config: AdaptConfig {
            budget: pending.queries.len(),
            ..AdaptConfig::default()
        },
        stage: Stage::Replay,
        started_ms: now_ms(),
        tune_started_ms: 0.0,
        tune_ms: 0.0,
        last_post_ms: f64::NEG_INFINITY,
        replay_pool: 0,
        fine_tune_beats: 0,
    })
}

enum Stage {
    Replay,
    Tuning(Box<Adaptation>),
    Scoring(Box<TrainedModel>, usize),
    Done,
}

/// Fine-tuning a copy of a run's model on a person's labels, one optimizer step per job step.
pub struct AdaptJob {
    pending: Pending,
    model: TrainedModel,
    labelled: Vec<(u32, AamiClass)>,
    from_annotations: bool,
    config: AdaptConfig,
    stage: Stage,
    started_ms: f64,
    tune_started_ms: f64,
    tune_ms: f64,
    last_post_ms: f64,
    replay_pool: usize,
    fine_tune_beats: usize,
}

impl AdaptJob {
    /// The real beats of the records the model was trained on, by its own split, and the
    /// templates of every loaded record. Rebalancing and synthetic beats are not rebuilt: only
    /// real training beats are replayed.
    fn replay_set(&self, ws: &mut Workspace) -> Result<(BeatSet, Templates), crate::Error> {
        let beats = ws.beats(BeatSource::Records);
        if beats.layout != self.model.layout {
            return Err(crate::Error::Invalid(
                "the loaded records' beats are cut with another window than the model's: set the window the model was trained with".into(),
            ));
        }
        let config = TrainConfig {
            rebalance: None,
            synthetic: None,
            ..self.model.train_config.clone()
        };
        let run = prepare_run(beats, &config, None)?;
        let trained_on = &self.model.trained_on;
        let train = if trained_on.is_empty() {
            run.train
        } else {
            let keep: Vec<u32> = (0..run.train.len() as u32)
                .filter(|&i| {
                    trained_on
                        .iter()
                        .any(|n| n == run.train.record_of(i as usize))
                })
                .collect();
            run.train.subset(&keep)
        };
        if train.is_empty() {
            return Err(crate::Error::Invalid(
                "none of the records the model was trained on is loaded: load them again, so their beats can be replayed while fine-tuning (the model would forget the other patients otherwise)".into(),
            ));
        }
        Ok((train, run.templates))
    }

    fn progress(&self, a: &Adaptation) -> Response {
        let p = a.progress();
        Response::Progress(Progress {
            job: "adapt".into(),
            done: p.steps_done as f64,
            total: p.steps.max(1) as f64,
            label: format!(
                "fine-tuning on {} labelled beats: network {} of {}, step {} of {}",
                self.labelled.len(),
                p.network + 1,
                p.networks,
                p.steps_done,
                p.steps
            ),
        })
    }

    fn view(&self, ws: &Workspace, adapted: &TrainedModel, steps: usize, now: f64) -> AdaptView {
        let p = &self.pending;
        let all: Vec<u32> = (0..p.beats.len() as u32).collect();
        let after = adapted.predict(p.beats.beats(), &all, &p.templates);
        let counts = |pred: &[usize]| {
            let mut c = ClassCounts::default();
            for &k in pred {
                c.add(AamiClass::from_index(k).unwrap_or(AamiClass::Q));
            }
            c
        };
        let mut labelled_counts = ClassCounts::default();
        for &(_, c) in &self.labelled {
            labelled_counts.add(c);
        }
        // Scoring: the record's annotations are read only now, and the queried beats are left
        // out.
        let scores = ws.record(&p.record).and_then(|rec| {
            let peaks: Vec<usize> = p.r_samples.iter().map(|&r| r as usize).collect();
            let truth = reference_classes(rec, &peaks);
            if truth.iter().all(Option::is_none) {
                return None;
            }
            let (before, after) = score_unqueried(&truth, &p.queries, &p.predicted_before, &after);
            let unqueried = p.beats.len() - p.queries.len();
            let scored = before.total() as usize;
            Some(AdaptScores {
                scored,
                unmatched: unqueried.saturating_sub(scored),
                classes: AamiClass::ALL
                    .into_iter()
                    .map(|c| ClassScores {
                        class: c,
                        before: before.class_metrics(c.index()),
                        after: after.class_metrics(c.index()),
                    })
                    .collect(),
                macro_f1_nsvf_before: before.macro_f1_nsvf(),
                macro_f1_nsvf_after: after.macro_f1_nsvf(),
                before,
                after,
            })
        });
        AdaptView {
            run: p.run,
            record: p.record.clone(),
            budget: p.budget,
            beats: p.beats.len(),
            queried: p.queries.len(),
            labelled: self.labelled.len(),
            labelled_counts,
            from_annotations: self.from_annotations,
            counts_before: counts(&p.predicted_before),
            counts_after: counts(&after),
            scores,
            replay_pool: self.replay_pool,
            fine_tune_beats: self.fine_tune_beats,
            networks: adapted.models.len(),
            steps,
            fine_tune_ms: self.tune_ms,
            total_ms: now - self.started_ms,
        }
    }
}

impl Job for AdaptJob {
    fn name(&self) -> &str {
        "adapt"
    }

    fn step(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let (next, more) = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Replay => {
                out(Response::Progress(Progress {
                    job: "adapt".into(),
                    done: 0.0,
                    total: 1.0,
                    label: "gathering the training beats to replay".into(),
                }));
                let made = self.replay_set(ws).and_then(|(train, templates)| {
                    self.replay_pool = train.len();
                    Adaptation::new(
                        &self.model,
                        &train,
                        &templates,
                        &self.pending.beats,
                        &self.pending.templates,
                        &self.labelled,
                        &self.config,
                    )
                });
                match made {
                    Ok(a) => {
                        self.fine_tune_beats = a.beats();
                        self.tune_started_ms = now_ms();
                        (Stage::Tuning(Box::new(a)), true)
                    }
                    Err(e) => {
                        out(Response::error_in(&self.pending.record, &e));
                        (Stage::Done, false)
                    }
                }
            }
            Stage::Tuning(mut a) => {
                let step = a.step();
                let now = now_ms();
                match step {
                    Ok(AdaptStep::Done) => {
                        self.tune_ms = now - self.tune_started_ms;
                        let steps = a.progress().steps_done;
                        match a.finish() {
                            Some(m) => (Stage::Scoring(Box::new(m), steps), true),
                            None => {
                                out(Response::Error(invalid(
                                    "fine-tuning ended without a model",
                                )));
                                (Stage::Done, false)
                            }
                        }
                    }
                    Ok(_) => {
                        if now - self.last_post_ms > 150.0 {
                            self.last_post_ms = now;
                            out(self.progress(&a));
                        }
                        (Stage::Tuning(a), true)
                    }
                    Err(e) => {
                        out(Response::error_in(&self.pending.record, &e));
                        (Stage::Done, false)
                    }
                }
            }
            Stage::Scoring(model, steps) => {
                out(Response::Progress(Progress {
                    job: "adapt".into(),
                    done: 1.0,
                    total: 1.0,
                    label: format!("classifying record {} again", self.pending.record),
                }));
                out(Response::Adapted(Box::new(self.view(
                    ws,
                    &model,
                    steps,
                    now_ms(),
                ))));
                (Stage::Done, false)
            }
            Stage::Done => (Stage::Done, false),
        };
        self.stage = next;
        !more
    }

    fn cancel(
        &mut self,
        _ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.stage = Stage::Done;
        out(Response::Cancelled {
            message: format!(
                "Adaptation to record {} cancelled; run {}'s model is unchanged.",
                self.pending.record, self.pending.run
            ),
        });
        true
    }
}
