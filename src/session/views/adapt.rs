//! What the answers of "Adapt to this patient" show: the beats to label, each on a strip of
//! its signal, and the record's classes and scores before and after — plain data, every figure
//! computed by the session.

use serde::{Deserialize, Serialize};

use crate::classify::BeatPositions;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::metrics::{ClassMetrics, ConfusionMatrix};
use crate::training::patient::Budget;

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
    /// Why the model asks about it, one sentence (empty for the first minutes).
    #[serde(default)]
    pub why: String,
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
    /// Time to cut the beats and choose the queries, ms (for a later round: to fine-tune the
    /// copy that chose them and choose them).
    pub select_ms: f64,
    /// Which round of questions this is, from 1: each round after the first is picked by a copy
    /// of the model fine-tuned on the labels given so far.
    #[serde(default = "one")]
    pub round: usize,
    /// Rounds in all.
    #[serde(default = "one")]
    pub rounds: usize,
    /// The first `earlier` of `queries` were asked in earlier rounds (their labels are kept);
    /// the rest are this round's.
    #[serde(default)]
    pub earlier: usize,
}

fn one() -> usize {
    1
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
    /// Beats predicted as the class, before (with `before.support`, whether Se, +P and F1 are
    /// defined: Se needs a beat of the class, +P a beat predicted as it).
    pub predicted_before: u64,
    /// The same after.
    pub predicted_after: u64,
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
    /// The classes among N, S, V and F with scored beats: the ones the macro-F1 averages (a
    /// class a patient does not have would only add a zero).
    pub macro_classes: Vec<AamiClass>,
    /// Macro-F1 over `macro_classes`, before.
    pub macro_f1_before: f64,
    /// The same after.
    pub macro_f1_after: f64,
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
