//! "Adapt to this patient" as the page runs it, in two phases, and what its answers show.
//!
//! 1. [`queries`] (`Request::AdaptQueries`): the record's beats are found (or taken from its
//!    annotated positions) and cut as the model's training beats were, their labels dropped
//!    ([`UnlabelledBeats`]); the model picks the beats a person should label
//!    ([`query_beats_why`]: `k` picked beats, or the first minutes), and the page gets each with a
//!    strip of signal around it. The session keeps what it handed out ([`Pending`]).
//! 2. [`AdaptJob`] (`Request::Adapt`, in [`job`]): with the person's labels (or, only when the
//!    person chose it, the record's own annotations for the queried beats), a copy of the model
//!    is fine-tuned ([`crate::training::adapt::Adaptation`], one optimizer step per job step, so
//!    Cancel and progress work as in training) on those beats beside the real beats of the run's
//!    training records, then the record is classified again. Before/after counts cover every
//!    beat; Se, +P and F1 cover only the beats that were *not* queried, against the record's
//!    annotations when it has any ([`crate::training::patient::score_unqueried`], the CLI's
//!    rule).
//!
//! The record's annotation labels are never read to pick queries or to fine-tune, unless the
//! request says `from_annotations` (the page's explicit "use the record's annotations for the
//! first 5 minutes"); then only the queried beats' labels are read, through a [`LabelOracle`].
//! What the answers show is in [`views`] (`session/views/adapt.rs`, with the other view types,
//! so that the protocol names them without depending on this job).

pub mod job;
pub mod kept;
pub use super::views::adapt as views;

pub use job::AdaptJob;
pub use kept::KeptLabels;
pub use views::{AdaptQueriesView, AdaptScores, AdaptView, BeatStrip, ClassScores, QueryView};

use super::protocol::{ErrorKind, Failure};
use super::views::RunReport;
use crate::Record;
use crate::classify::{BeatPositions, beat_positions, reference_classes};
use crate::dataset::templates::Templates;
use crate::ecg::aami::AamiClass;
use crate::training::adapt::{AdaptConfig, QueryReason, UnlabelledBeats, select_more_why};
use crate::training::patient::{Budget, LabelOracle, query_beats_why};
use crate::training::{TrainedModel, record_beats};
use crate::workspace::{BeatSource, Workspace};

/// Seconds of signal on each side of a queried beat in its strip.
pub const STRIP_HALF_S: f64 = 2.0;
/// Most points of a strip (longer stretches are decimated).
const STRIP_POINTS: usize = 720;
/// Most beats a person is asked to label by hand.
pub const MAX_K: usize = 500;

/// Most rounds the page asks its beats in (each later round waits for a fine-tuning).
pub const MAX_ROUNDS: usize = 5;

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
    /// Beats still to ask in each later round ([`AdaptConfig::rounds`]).
    later: Vec<usize>,
    /// What the person was shown last (every round's beats so far).
    view: AdaptQueriesView,
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
    rounds: Option<usize>,
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
        Budget::Beats { .. } if rounds.is_some_and(|r| !(1..=MAX_ROUNDS).contains(&r)) => {
            return Err(invalid(format!(
                "the beats are asked in 1 to {MAX_ROUNDS} rounds"
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
    // Asked in rounds: the model picks the first, a copy fine-tuned on the labels so far each
    // later one (the fine-tuning job does, see `job`).
    let (first, later) = budget.rounds(rounds.unwrap_or(AdaptConfig::default().rounds));
    let (queries, reasons): (Vec<u32>, Vec<Option<QueryReason>>) =
        query_beats_why(model, &beats, &templates, first, record.fs_hz)
            .into_iter()
            .unzip();
    if queries.is_empty() {
        return Err(invalid(format!(
            "record {name} has no beat in its first minutes to label"
        )));
    }
    let fs = record.fs_hz;
    let signal = &record.signals[lead];
    let views = query_views(
        record,
        lead,
        &r_samples,
        &queries,
        &reasons,
        from_annotations,
        "the model",
    );
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
        round: 1,
        rounds: 1 + later.len(),
        earlier: 0,
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
        later,
        view: view.clone(),
    };
    Ok((pending, view))
}

/// What the person is shown of each queried beat `queries` (with why it was picked) of the
/// record's beats at `r_samples`: a strip of lead `lead` around it, none when its label comes
/// from the annotations.
fn query_views(
    record: &Record,
    lead: usize,
    r_samples: &[u64],
    queries: &[u32],
    reasons: &[Option<QueryReason>],
    from_annotations: bool,
    who: &str,
) -> Vec<QueryView> {
    queries
        .iter()
        .zip(reasons)
        .map(|(&i, why)| {
            let r = r_samples[i as usize];
            QueryView {
                why: why.map(|w| w.sentence_by(who)).unwrap_or_default(),
                index: i,
                r_sample: r,
                t_s: r as f64 / record.fs_hz,
                strip: if from_annotations {
                    BeatStrip::default()
                } else {
                    strip(record, lead, r_samples, r)
                },
            }
        })
        .collect()
}

impl Pending {
    /// The next round, picked by `tuned` (a copy fine-tuned on every label so far) from the
    /// beats not yet asked about, with `record` (this pending's record) for the strips: what
    /// the session keeps and what the person is shown (every round's beats, the new ones
    /// last). `None` when no round is left.
    pub(super) fn next_round(
        &self,
        tuned: &TrainedModel,
        record: &Record,
        elapsed_ms: f64,
    ) -> Option<(Pending, AdaptQueriesView)> {
        let (&k, rest) = self.later.split_first()?;
        let (more, reasons): (Vec<u32>, Vec<Option<QueryReason>>) =
            select_more_why(tuned, &self.beats, &self.templates, k, &self.queries)
                .into_iter()
                .map(|(i, why)| (i, Some(why)))
                .unzip();
        let mut view = self.view.clone();
        view.earlier = view.queries.len();
        view.round += 1;
        view.select_ms = elapsed_ms;
        view.queries.extend(query_views(
            record,
            view.lead,
            &self.r_samples,
            &more,
            &reasons,
            false,
            "the copy fine-tuned on your labels",
        ));
        let mut next = self.clone();
        next.queries.extend(more);
        next.later = rest.to_vec();
        next.view = view.clone();
        Some((next, view))
    }

    /// True when another round of beats is to be asked after this one.
    pub fn more_rounds(&self) -> bool {
        !self.later.is_empty()
    }
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
    Ok(AdaptJob::new(
        pending.clone(),
        model.clone(),
        labelled,
        from_annotations,
        now_ms(),
    ))
}
