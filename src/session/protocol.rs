//! What the page and its worker say to each other: [`Request`]s in, [`Response`]s out, each
//! request numbered so that an answer to an older question never overwrites a newer one.
//!
//! A request travels as an [`Envelope`] (`{ id, request }`), every answer as a [`Reply`] naming
//! the request it answers (`{ to: { id, kind }, response }`). The page numbers its requests in
//! the order it sends them and keeps a [`Latest`]: for a request that asks for a view (the
//! distribution, a stretch of a record, …) only the answer to the latest one of its kind is
//! used — an answer to an earlier one is stale and dropped ([`Latest::is_stale`]). Everything
//! else (a job, a command, a file to save) is answered exactly once and in order, so none of its
//! answers is ever stale: the worker handles messages one at a time, and refuses a second job
//! while one runs ([`Response::Busy`]).
//!
//! Bytes (dropped files, a model file, LightWAVE answers; files to save) are fields of the
//! variants that carry them. They are not part of the JSON: they travel beside it as transferred
//! buffers, in field order. The page never copies them into its own memory — it builds a request
//! with the byte fields empty and hands the buffers to the worker — and the worker puts them
//! back in place with [`Request::attach`] before the session sees the request; answers give
//! theirs up with [`Response::take_buffers`] before they are posted.
//!
//! Data-parallel training ([`super::follower`]) adds workers that talk to each other through the
//! page: the leader (the page's own worker) answers its `Train` request with
//! [`Response::Follow`] and [`Response::FollowStep`] for follower `shard`, and each follower
//! answers a [`Request::FollowStep`] with [`Response::ShardGradient`]. The page only passes
//! them on ([`Response::forward`]): the answer becomes a request to the other side, with the
//! same buffers transferred, never read on the way.
//!
//! One file on purpose (about 900 lines, most of them the variants' doc comments): the whole
//! line between the page and its worker reads in one place.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::views::adapt::{AdaptQueriesView, AdaptView};
use super::views::{
    AugmentPreview, ClassifiedView, DistributionView, GalleryView, LoadTiming, Progress,
    RecordView, RunReport, SynthView, TrainProgress, WorkspaceView,
};
use crate::dataset::rebalance::{Plan, RebalanceConfig, RebalanceReport};
use crate::dataset::split::SplitKind;
use crate::dataset::synthetic::plan::SynthTrainConfig;
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::WindowSpec;
use crate::training::TrainConfig;
use crate::training::patient::Budget;
use crate::workspace::{BeatSource, LoadReport};

/// The number of a request, given by the page in the order it sends them (from 1).
pub type RequestId = u64;

/// A request as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Its number.
    pub id: RequestId,
    /// The request.
    pub request: Request,
}

/// An answer as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request it answers; `None` for what the worker says unasked ([`Response::Ready`], a
    /// message it could not read).
    pub to: Option<Asked>,
    /// The answer.
    pub response: Response,
}

/// The request an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    /// Its number.
    pub id: RequestId,
    /// Its kind.
    pub kind: RequestKind,
}

/// What the page asks. Its kinds, one per variant, are the variants of `RequestKind` (derived,
/// with the variants' docs): what an answer is matched against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "type")]
#[strum_discriminants(
    name(RequestKind),
    derive(Hash, Serialize, Deserialize),
    allow(missing_docs)
)]
pub enum Request {
    /// Read files (one buffer per path, in the same order).
    LoadFiles {
        /// Path of each file (relative path when a folder was dropped).
        paths: Vec<String>,
        /// Contents of each file.
        #[serde(skip)]
        bytes: Vec<Vec<u8>>,
    },
    /// Read one part of a load sent in parts ([`crate::io::parts`]), so that only one part's
    /// bytes are held at a time: part 0 starts the load as [`Request::LoadFiles`] does; each
    /// later part goes to the running load once it asked for it ([`Response::PartRead`]). The
    /// load ends, with one [`Response::Loaded`] for all its parts, after the last part.
    LoadPart {
        /// Its number, from 0.
        part: usize,
        /// True for the last part.
        last: bool,
        /// Bytes of every part of the load (for progress).
        total_bytes: u64,
        /// Path of each file of the part.
        paths: Vec<String>,
        /// Contents of each file.
        #[serde(skip)]
        bytes: Vec<Vec<u8>>,
    },
    /// Give a plain CSV its sampling rate.
    SetCsvRate {
        /// File name.
        file: String,
        /// Sampling rate, Hz.
        fs_hz: f64,
    },
    /// Remove one record or beat file.
    Remove {
        /// Name.
        name: String,
    },
    /// Remove everything.
    Clear,
    /// Replace everything with the built-in synthetic demo set.
    LoadDemo {
        /// Seed of the demo set.
        seed: u64,
    },
    /// Change the beat window.
    SetWindow {
        /// The new window.
        window: WindowSpec,
    },
    /// The class distribution, overall and per side of `split`.
    Distribution {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// How to split.
        split: SplitKind,
    },
    /// A stretch of one record's signal with its beat marks.
    RecordView {
        /// Record name.
        name: String,
        /// Start, s.
        start_s: f64,
        /// Length, s.
        duration_s: f64,
        /// Most points to send per lead (longer stretches are reduced to min/max pairs).
        max_points: usize,
    },
    /// Example beats per class.
    Gallery {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// Beats per class.
        per_class: usize,
        /// Seed of the draw.
        seed: u64,
        /// Only beats of this record, if given.
        record: Option<String>,
    },
    /// Train a classifier (in steps; progress and the result come back as they happen).
    Train {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// The settings.
        config: TrainConfig,
    },
    /// A finished run's metrics as a file ([`ExportFormat::Json`] or [`ExportFormat::Csv`]).
    ExportRun {
        /// Run number.
        id: u32,
        /// The file's format.
        format: ExportFormat,
    },
    /// A finished run's model as a file.
    ExportModel {
        /// Run number.
        id: u32,
    },
    /// A finished run's model, for the page to keep in the browser's storage: answered as
    /// [`Response::Export`] ([`ExportFormat::Model`]) like [`Request::ExportModel`], which the
    /// page stores instead of offering it as a download.
    KeepRun {
        /// Run number.
        id: u32,
    },
    /// A run the page kept in the browser's storage, brought back after a reload: its figures
    /// and its model file (answered with [`Response::Runs`]). The run keeps its number; runs
    /// trained later are numbered after it.
    RestoreRun {
        /// The run's figures, as the session gave them.
        report: Box<RunReport>,
        /// The run's model file (one buffer).
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// Load a model file and score it on the current test split.
    ImportModel {
        /// File name.
        name: String,
        /// Split to score it on.
        split: SplitKind,
        /// The file's contents (one buffer).
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// The targets a plan gives on the training side of `split`.
    AugmentPlan {
        /// The plan.
        plan: Plan,
        /// The split whose training side is rebalanced.
        split: SplitKind,
    },
    /// A real training beat of `class` and `per_technique` augmentations of it per technique.
    AugmentPreview {
        /// The class.
        class: AamiClass,
        /// Augmented copies per technique.
        per_technique: usize,
        /// Seed (picks the beat and the draws).
        seed: u64,
        /// The split whose training side the beat comes from.
        split: SplitKind,
    },
    /// Generate the rebalanced training set of `split`.
    Rebalance {
        /// The split whose training side is rebalanced.
        split: SplitKind,
        /// Plan, techniques and seed.
        config: RebalanceConfig,
    },
    /// The last rebalanced training set as a file ([`ExportFormat::Csv`], the Kaggle layout,
    /// [`ExportFormat::EcgBeats`] or [`ExportFormat::Parquet`]).
    ExportRebalanced {
        /// The file's format.
        format: ExportFormat,
    },
    /// Another beat set as a file (in the formats of [`Request::ExportRebalanced`]): the
    /// synthetic beats, or the labelled beats of a record.
    ExportBeats {
        /// Which set.
        beats: ExportedBeats,
        /// The file's format.
        format: ExportFormat,
    },
    /// Forget a run.
    RemoveRun {
        /// Run number.
        id: u32,
    },
    /// Rebuild a record from LightWAVE answers and send it back as WFDB files
    /// ([`Response::Assembled`]); the page then loads those files like dropped ones.
    AssembleLightwave {
        /// The page's name for the result (its cache key), sent back unchanged.
        key: String,
        /// The annotator whose annotations the record takes (`atr`).
        annotator: String,
        /// What each answer holds.
        parts: Vec<LightwavePart>,
        /// The answers, one buffer per part, in the order of `parts`.
        #[serde(skip)]
        answers: Vec<Vec<u8>>,
    },
    /// Figures identifying a loaded record's samples and annotations.
    Fingerprint {
        /// Record name.
        name: String,
    },
    /// Generate synthetic beats from the training side of `split`, with their quality report
    /// (kept for training runs that add them).
    Synthesize {
        /// The split whose training side they are made from.
        split: SplitKind,
        /// Counts, mode and seed.
        config: SynthTrainConfig,
    },
    /// Find the beats of a record (or take its annotated ones) and classify them with a kept
    /// run's model ([`Response::Classified`]); the strip then shows them.
    Classify {
        /// Record name.
        name: String,
        /// Lead, 0-based; the beat lead (MLII, II, … else the first) when `None`.
        lead: Option<usize>,
        /// Detected (with a method) or annotated positions.
        positions: crate::classify::BeatPositions,
        /// Run whose model classifies; detection only when `None`.
        run: Option<u32>,
    },
    /// The last labelling of a record as a WFDB annotation file.
    ExportLabels {
        /// Record name.
        name: String,
    },
    /// The beats of a record a person should label to adapt a kept run's model to that
    /// patient ([`Response::AdaptQueries`]): the model's picks, or the first minutes. Refused
    /// for a record the model was trained on, a random-split model, or no model.
    AdaptQueries {
        /// Run whose model is adapted.
        run: u32,
        /// Record name.
        record: String,
        /// Lead, 0-based; the beat lead when `None`.
        lead: Option<usize>,
        /// Detected (with a method) or annotated positions.
        positions: crate::classify::BeatPositions,
        /// `k` beats the model picks, or the first minutes.
        budget: Budget,
        /// Rounds the `k` beats are asked in (each later round picked by a copy fine-tuned on
        /// the labels so far); `None` (and a request kept before the field existed): the
        /// default, [`crate::training::adapt::AdaptConfig::rounds`].
        #[serde(default)]
        rounds: Option<usize>,
    },
    /// Fine-tune a copy of the run's model on the labelled queried beats (a job: progress, then
    /// [`Response::Adapted`]); the last [`Request::AdaptQueries`] must be for this run and record.
    Adapt {
        /// Run whose model is adapted.
        run: u32,
        /// Record name.
        record: String,
        /// (beat index from the queries, class) per labelled beat.
        labels: Vec<(u32, AamiClass)>,
        /// Take the queried beats' classes from the record's annotations instead (the page
        /// does so only when the person chose it, for the first minutes).
        #[serde(default)]
        from_annotations: bool,
    },
    /// Stop the running job, keeping what it has done.
    Cancel,
    /// (From the page to a worker it started in place of one that stopped.) Number new runs
    /// after `last`, so that they never take the number of a run the page kept from the
    /// stopped worker.
    NumberRunsAfter {
        /// The highest run number the page holds.
        last: u32,
    },
    /// (To a follower worker.) Become replica `shard` of `shards` of training run `run`
    /// ([`super::follower::Follower`]), replacing any earlier one.
    Follow(Follow),
    /// (To a follower worker.) Step with the summed gradient of batch `step − 1` (none before
    /// batch 0), then answer with the gradient of this follower's shard of batch `step`
    /// ([`Response::ShardGradient`]).
    FollowStep(FollowStep),
    /// (To the leader.) A follower's gradient of its shard of batch `step`.
    ShardGradient(ShardGradient),
}

impl RequestKind {
    /// True for the requests that ask for a view the page shows in one place, so that a later
    /// request of the same kind makes the answers to every earlier one stale. The others are
    /// jobs (one at a time), commands whose answer is the whole new state, and files to save or
    /// records to identify — each of their answers counts.
    pub fn is_view(self) -> bool {
        matches!(
            self,
            RequestKind::Distribution
                | RequestKind::RecordView
                | RequestKind::Gallery
                | RequestKind::AugmentPlan
                | RequestKind::AugmentPreview
                | RequestKind::Classify
                | RequestKind::AdaptQueries
        )
    }
}

impl Request {
    /// Its kind.
    pub fn kind(&self) -> RequestKind {
        self.into()
    }

    /// The bytes that travel beside the JSON, in the variant that carries them.
    fn buffers(&mut self) -> Option<Buffers<'_>> {
        match self {
            Request::LoadFiles { bytes, .. } | Request::LoadPart { bytes, .. } => {
                Some(Buffers::Many(bytes))
            }
            Request::AssembleLightwave { answers, .. } => Some(Buffers::Many(answers)),
            Request::ImportModel { bytes, .. }
            | Request::RestoreRun { bytes, .. }
            | Request::Follow(Follow { replica: bytes, .. })
            | Request::FollowStep(FollowStep { sum: bytes, .. })
            | Request::ShardGradient(ShardGradient {
                gradient: bytes, ..
            }) => Some(Buffers::One(bytes)),
            _ => None,
        }
    }

    /// Puts the buffers that travelled beside the JSON back into the variant that carries them
    /// (files, a model file, LightWAVE answers); buffers sent with any other request are
    /// dropped. Whether their number fits is the session's to check.
    pub fn attach(&mut self, mut buffers: Vec<Vec<u8>>) {
        match self.buffers() {
            Some(Buffers::Many(b)) => *b = buffers,
            Some(Buffers::One(b)) if !buffers.is_empty() => *b = buffers.swap_remove(0),
            _ => {}
        }
    }

    /// Takes the bytes out of the variant that carries them, to travel beside the JSON.
    pub fn take_buffers(&mut self) -> Vec<Vec<u8>> {
        match self.buffers() {
            Some(Buffers::Many(b)) => std::mem::take(b),
            Some(Buffers::One(b)) => vec![std::mem::take(b)],
            None => Vec::new(),
        }
    }
}

/// Where a request keeps the bytes that travel beside its JSON ([`Request::attach`]).
enum Buffers<'a> {
    /// One buffer per file or answer.
    Many(&'a mut Vec<Vec<u8>>),
    /// One buffer.
    One(&'a mut Vec<u8>),
}

/// What one buffer of a [`Request::AssembleLightwave`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LightwavePart {
    /// The `info` answer (must come first).
    Info,
    /// A `fetch` answer with every annotation (`dt=0`).
    Annotations,
    /// A `fetch` answer with a window of samples.
    Signals,
}

/// Which beat set a [`Request::ExportBeats`] saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportedBeats {
    /// The synthetic beats generated last ([`Request::Synthesize`]).
    Synthetic,
    /// The beats found and classified in one record ([`Request::Classify`]), labelled with
    /// the model's classes.
    Record {
        /// Record name.
        name: String,
    },
}

/// The format of a file the session makes for the user to save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// JSON (a run's metrics with its settings and history).
    Json,
    /// CSV (a run's per-class metrics; a beat set in the Kaggle heartbeat layout).
    Csv,
    /// The project's own lossless beat-set format, which loads back.
    EcgBeats,
    /// Apache Parquet, one row per beat ([`crate::dataset::parquet`]).
    Parquet,
    /// A trained model.
    Model,
    /// A WFDB annotation file.
    WfdbAnnotations,
}

impl ExportFormat {
    /// MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv",
            ExportFormat::Parquet => "application/vnd.apache.parquet",
            ExportFormat::EcgBeats | ExportFormat::Model | ExportFormat::WfdbAnnotations => {
                "application/octet-stream"
            }
        }
    }

    /// File extension, without the dot (`WfdbAnnotations` files are named by their annotator).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::EcgBeats => "ecgbeats",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Model => "model",
            ExportFormat::WfdbAnnotations => "atr",
        }
    }
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// No record, run or result of that name is there (yet).
    NotFound,
    /// Settings or data that do not allow the request (an empty split, a window out of range).
    Invalid,
    /// A file the user gave could not be read.
    Unreadable,
    /// A message the worker could not understand (a bug of the page).
    Protocol,
    /// The work was cancelled.
    Cancelled,
}

impl From<&crate::Error> for ErrorKind {
    fn from(e: &crate::Error) -> Self {
        match e {
            crate::Error::Invalid(_)
            | crate::Error::Augment(_)
            | crate::Error::Simulate(_)
            | crate::Error::Detect(_) => ErrorKind::Invalid,
            // Every other area reads files or answers.
            _ => ErrorKind::Unreadable,
        }
    }
}

/// A failure, as answers carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// Why.
    pub kind: ErrorKind,
    /// What went wrong, in words a user can act on.
    pub message: String,
}

impl From<&crate::Error> for Failure {
    fn from(e: &crate::Error) -> Self {
        Failure {
            kind: e.into(),
            message: e.to_string(),
        }
    }
}

/// What the session answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Response {
    /// The worker is up.
    Ready,
    /// Progress of the running job.
    Progress(Progress),
    /// Everything loaded, after any change.
    Workspace(WorkspaceView),
    /// Part `part` of a load sent in parts ([`Request::LoadPart`]) is read and its bytes are
    /// released: send the next part.
    PartRead {
        /// The part read, from 0.
        part: usize,
    },
    /// The outcome of a load.
    Loaded {
        /// What happened to each file.
        report: LoadReport,
        /// How long it took.
        timing: LoadTiming,
        /// True when the load was cancelled part-way.
        cancelled: bool,
    },
    /// The distribution tables.
    Distribution(DistributionView),
    /// A stretch of signal.
    RecordView(RecordView),
    /// Example beats.
    Gallery(GalleryView),
    /// Live figures of a training run.
    TrainProgress(TrainProgress),
    /// A finished (or cancelled) run.
    TrainResult(Box<RunReport>),
    /// The runs kept in the session, after any change.
    Runs {
        /// Their reports, oldest first.
        runs: Vec<RunReport>,
    },
    /// A file for the user to save (its bytes travel beside the JSON).
    Export {
        /// Suggested file name.
        file_name: String,
        /// Its format.
        format: ExportFormat,
        /// Contents.
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// The plan's targets for the training side of a split, before any work.
    AugmentPlan(RebalanceReport),
    /// One real training beat and augmented copies of it, per technique.
    AugmentPreview(AugmentPreview),
    /// A rebalanced training set was generated (kept in the worker for export and training).
    Rebalanced {
        /// What was done.
        report: RebalanceReport,
        /// Time it took, ms.
        ms: f64,
        /// Beats in the new training set.
        beats: usize,
    },
    /// A record rebuilt from LightWAVE answers, as WFDB files (their bytes travel beside the
    /// JSON, in `paths` order); or why it could not be.
    Assembled {
        /// The request's `key`.
        key: String,
        /// Record name.
        name: String,
        /// File names (`NAME.hea`, `NAME.dat`, `NAME.atr`); empty on failure.
        paths: Vec<String>,
        /// Why the record could not be rebuilt ([`ErrorKind::Cancelled`] when it was stopped).
        error: Option<Failure>,
        /// Contents, in `paths` order.
        #[serde(skip)]
        files: Vec<Vec<u8>>,
    },
    /// Figures identifying a loaded record.
    Fingerprint(crate::io::remote::RecordFingerprint),
    /// Synthetic beats were generated: gallery, quality report, speed.
    Synthesized(Box<SynthView>),
    /// Beats found and classified in a record.
    Classified(ClassifiedView),
    /// The beats to label for adapting a model to a record.
    AdaptQueries(Box<AdaptQueriesView>),
    /// A model adapted to a record: before and after.
    Adapted(Box<AdaptView>),
    /// A job was cancelled and kept nothing; nothing loaded was lost.
    Cancelled {
        /// What was stopped.
        message: String,
    },
    /// A request was refused because a job is running (the job goes on).
    Busy {
        /// What to do.
        message: String,
    },
    /// A request failed; nothing loaded was lost.
    Error(Failure),
    /// (From the leader, for follower `shard`.) Pass on as [`Request::Follow`].
    Follow(Follow),
    /// (From the leader, for follower `shard`.) Pass on as [`Request::FollowStep`].
    FollowStep(FollowStep),
    /// (From a follower, for the leader.) Pass on as [`Request::ShardGradient`].
    ShardGradient(ShardGradient),
}

/// Where the page sends an answer that is a message between training workers
/// ([`Response::forward`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Forward {
    /// To follower `shard` (from 1).
    Follower {
        /// Its shard.
        shard: usize,
        /// What to send it.
        request: Request,
    },
    /// To the leader (the page's own worker).
    Leader(Request),
    /// Not a message between workers: the page shows it.
    Show(Response),
}

/// The leader's start of a data-parallel run, for follower `shard`
/// ([`Response::Follow`], passed on as [`Request::Follow`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Follow {
    /// The leader's run number.
    pub run: u32,
    /// The follower's shard of every batch, from 1 (the leader has shard 0).
    pub shard: usize,
    /// Workers in the run, leader included.
    pub shards: usize,
    /// The leader's [`crate::training::parallel::Replica`] (one buffer).
    #[serde(skip)]
    pub replica: Vec<u8>,
}

/// The leader's step for follower `shard` ([`Response::FollowStep`], passed on as
/// [`Request::FollowStep`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowStep {
    /// The leader's run number.
    pub run: u32,
    /// The follower's shard, from 1.
    pub shard: usize,
    /// Batch number in the run, from 0.
    pub step: u64,
    /// The summed loss of batch `step − 1`.
    pub loss: f32,
    /// The summed gradient of batch `step − 1`, little-endian `f32` (one buffer; empty before
    /// batch 0).
    #[serde(skip)]
    pub sum: Vec<u8>,
    /// Batch `step − 1` ended an epoch: after stepping, score this follower's share of the
    /// validation beats ([`crate::training::Trainer::validation_share`]).
    #[serde(default)]
    pub validate: bool,
}

/// A follower's gradient of its shard of batch `step` ([`Response::ShardGradient`], passed
/// on as [`Request::ShardGradient`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardGradient {
    /// The leader's run number.
    pub run: u32,
    /// Batch number in the run, from 0.
    pub step: u64,
    /// The follower's shard, from 1.
    pub shard: usize,
    /// The shard's part of the batch loss.
    pub loss: f32,
    /// The gradient, little-endian `f32` in the model's parameter order (one buffer).
    #[serde(skip)]
    pub gradient: Vec<u8>,
    /// When asked (`FollowStep::validate`): the predicted class of each beat of this
    /// follower's share of the validation beats, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<u8>,
}

impl Response {
    /// A failure of `kind`.
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Response {
        Response::Error(Failure {
            kind,
            message: message.into(),
        })
    }

    /// A failure concerning `name` (a file, a record): the message names it.
    pub fn error_in(name: &str, e: &crate::Error) -> Response {
        Response::Error(Failure {
            kind: e.into(),
            message: format!("{name}: {e}"),
        })
    }

    /// Takes the bytes out of the variant that carries them, to travel beside the JSON.
    pub fn take_buffers(&mut self) -> Vec<Vec<u8>> {
        match self {
            Response::Export { bytes, .. } => vec![std::mem::take(bytes)],
            Response::Assembled { files, .. } => std::mem::take(files),
            Response::Follow(Follow { replica: b, .. })
            | Response::FollowStep(FollowStep { sum: b, .. })
            | Response::ShardGradient(ShardGradient { gradient: b, .. }) => {
                vec![std::mem::take(b)]
            }
            _ => Vec::new(),
        }
    }

    /// Where the page sends this answer: a message between training workers becomes the
    /// request to the other side (its bytes, if any, stay where they are: the buffers that came
    /// with the answer go on with the request); anything else is the page's to show.
    pub fn forward(self) -> Forward {
        match self {
            Response::Follow(m) => Forward::Follower {
                shard: m.shard,
                request: Request::Follow(m),
            },
            Response::FollowStep(m) => Forward::Follower {
                shard: m.shard,
                request: Request::FollowStep(m),
            },
            Response::ShardGradient(m) => Forward::Leader(Request::ShardGradient(m)),
            other => Forward::Show(other),
        }
    }
}

impl From<&crate::Error> for Response {
    fn from(e: &crate::Error) -> Self {
        Response::Error(e.into())
    }
}

/// The page's memory of what it asked last: the rule that keeps a stale answer from
/// overwriting a newer one (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Latest {
    by_kind: HashMap<RequestKind, RequestId>,
}

impl Latest {
    /// Notes that request `id` of `kind` was sent.
    pub fn sent(&mut self, id: RequestId, kind: RequestKind) {
        if kind.is_view() {
            let latest = self.by_kind.entry(kind).or_insert(id);
            *latest = (*latest).max(id);
        }
    }

    /// True when `reply` answers a view request older than the latest one of its kind: the
    /// page drops it (the answer to the later request is on its way).
    pub fn is_stale(&self, reply: &Reply) -> bool {
        reply.to.is_some_and(|asked| {
            self.by_kind
                .get(&asked.kind)
                .is_some_and(|&latest| asked.id < latest)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(id: RequestId, kind: RequestKind) -> Reply {
        Reply {
            to: Some(Asked { id, kind }),
            response: Response::Ready,
        }
    }

    #[test]
    fn an_answer_to_an_older_view_request_is_stale() {
        let mut latest = Latest::default();
        latest.sent(1, RequestKind::RecordView);
        latest.sent(2, RequestKind::Distribution);
        assert!(!latest.is_stale(&reply(1, RequestKind::RecordView)));
        latest.sent(3, RequestKind::RecordView);
        assert!(latest.is_stale(&reply(1, RequestKind::RecordView)));
        assert!(!latest.is_stale(&reply(3, RequestKind::RecordView)));
        // Another kind is not affected.
        assert!(!latest.is_stale(&reply(2, RequestKind::Distribution)));
        // Unasked messages are never stale.
        assert!(!latest.is_stale(&Reply {
            to: None,
            response: Response::Ready
        }));
    }

    #[test]
    fn jobs_commands_and_files_are_never_stale() {
        let mut latest = Latest::default();
        for (id, kind) in [
            (1, RequestKind::ExportRun),
            (2, RequestKind::ExportRun),
            (3, RequestKind::Train),
            (4, RequestKind::Train),
            (5, RequestKind::Fingerprint),
            (6, RequestKind::Fingerprint),
        ] {
            latest.sent(id, kind);
        }
        assert!(!latest.is_stale(&reply(1, RequestKind::ExportRun)));
        assert!(!latest.is_stale(&reply(3, RequestKind::Train)));
        assert!(!latest.is_stale(&reply(5, RequestKind::Fingerprint)));
    }

    #[test]
    fn bytes_travel_beside_the_json_and_come_back_in_place() {
        let mut r = Request::LoadFiles {
            paths: vec!["a.hea".into(), "a.dat".into()],
            bytes: vec![b"h".to_vec(), b"d".to_vec()],
        };
        let buffers = r.take_buffers();
        let json = serde_json::to_string(&Envelope { id: 7, request: r }).unwrap();
        assert!(!json.contains("bytes"), "{json}");
        let mut back: Envelope = serde_json::from_str(&json).unwrap();
        back.request.attach(buffers);
        assert_eq!(
            back.request,
            Request::LoadFiles {
                paths: vec!["a.hea".into(), "a.dat".into()],
                bytes: vec![b"h".to_vec(), b"d".to_vec()],
            }
        );
        assert_eq!(back.id, 7);

        let mut m = Request::ImportModel {
            name: "run.model".into(),
            split: SplitKind::default(),
            bytes: b"model".to_vec(),
        };
        let buffers = m.take_buffers();
        let mut back: Request = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        back.attach(buffers);
        assert!(matches!(back, Request::ImportModel { bytes, .. } if bytes == b"model"));

        let mut e = Response::Export {
            file_name: "x.csv".into(),
            format: ExportFormat::Csv,
            bytes: b"a,b".to_vec(),
        };
        assert_eq!(e.take_buffers(), vec![b"a,b".to_vec()]);
    }

    #[test]
    fn messages_between_workers_are_passed_on_with_their_bytes() {
        // The leader's step for follower 2 becomes a request to that follower; its gradient
        // becomes a request to the leader. The page reads the JSON only.
        let sent = FollowStep {
            run: 3,
            shard: 2,
            step: 9,
            loss: 0.5,
            sum: vec![1, 2, 3, 4],
            validate: true,
        };
        let mut step = Response::FollowStep(sent.clone());
        let buffers = step.take_buffers();
        let json = serde_json::to_string(&step).unwrap();
        assert!(!json.contains("sum"), "{json}");
        let read: Response = serde_json::from_str(&json).unwrap();
        let Forward::Follower { shard, request } = read.forward() else {
            panic!("a message for a follower");
        };
        assert_eq!(shard, 2);
        let mut request: Request =
            serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
        request.attach(buffers);
        assert_eq!(request, Request::FollowStep(sent));
        let gradient = Response::ShardGradient(ShardGradient {
            run: 3,
            step: 9,
            shard: 2,
            loss: 0.25,
            gradient: Vec::new(),
            validation: vec![0, 2],
        });
        assert!(matches!(
            gradient.forward(),
            Forward::Leader(Request::ShardGradient(ShardGradient { shard: 2, .. }))
        ));
        assert!(matches!(
            Response::Ready.forward(),
            Forward::Show(Response::Ready)
        ));
    }

    #[test]
    fn every_request_has_its_own_kind() {
        let requests = [
            Request::Clear,
            Request::Cancel,
            Request::ExportModel { id: 1 },
            Request::Fingerprint { name: "100".into() },
        ];
        let kinds: Vec<RequestKind> = requests.iter().map(Request::kind).collect();
        assert_eq!(
            kinds,
            [
                RequestKind::Clear,
                RequestKind::Cancel,
                RequestKind::ExportModel,
                RequestKind::Fingerprint
            ]
        );
        // Kinds travel as their names.
        assert_eq!(
            serde_json::to_string(&RequestKind::RecordView).unwrap(),
            "\"RecordView\""
        );
    }
}
