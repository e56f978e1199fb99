//! Training the beat classifier and using what it learned.
//!
//! - [`config`]: the settings of a run ([`TrainConfig`]), class weights, the early-stopping score;
//! - [`sets`]: the trainer's inputs and the batches cut from them;
//! - [`trainer`]: the training state machine ([`Trainer`]) and its result ([`TrainedModel`]);
//! - [`adapt`]: patient-adaptive fine-tuning on a few labelled beats of a new recording;
//! - [`calibrate`]: decision offsets chosen on the validation records;
//! - [`trained`]: what a run leaves ([`TrainedModel`], [`EpochStats`]);
//! - [`gradients`]: gradients as flat vectors;
//! - [`replica`]: what a follower in another process starts from;
//! - [`parallel`]: synchronous data-parallel training (threads natively, Web Workers in the
//!   page);
//! - [`predict`]: probabilities, predictions, evaluation, and the beats of a record;
//! - [`model_file`]: the model as a file.
//!
//! The data side of a run (split, validation records, rebalancing, synthetic beats) is
//! [`crate::dataset::pipeline`]; [`prepare_run`] is its entry point for a [`TrainConfig`].

pub mod adapt;
pub mod calibrate;
pub mod config;
pub mod gradients;
pub mod model_file;
pub mod parallel;
pub mod patient;
pub mod predict;
pub mod replica;
pub mod reproduce;
pub mod sets;
pub mod trained;
pub mod trainer;

pub use crate::dataset::pipeline::{PreparedRun, Sets, make_sets, pick_validation};
pub use config::{LrSchedule, MIN_VALIDATION_SUPPORT, TrainConfig, validation_score, weights_for};
pub use model_file::{MODEL_MAGIC, ModelFileError};
pub use predict::{
    argmax_rows, classify_record, evaluate, predict_inputs, probabilities, record_beats,
};
pub use trained::{EpochStats, TrainedModel};
pub use trainer::{Phase, ShardGradient, TrainEvent, Trainer};

use crate::dataset::BeatSet;
use crate::dataset::synthetic::plan::SynthesizedSet;

/// Splits `beats` for a run of `config` and prepares its training beats
/// ([`crate::dataset::pipeline::prepare`]). `given_test` marks test beats for
/// [`crate::dataset::split::SplitKind::Given`].
pub fn prepare_run(
    beats: &BeatSet,
    config: &TrainConfig,
    given_test: Option<&[bool]>,
) -> Result<PreparedRun, crate::Error> {
    crate::dataset::pipeline::prepare(beats, &config.pipeline(), given_test, None)
}

/// As [`prepare_run`]; `generated` is a synthetic set made earlier from training beats with the
/// given [`crate::dataset::synthetic::plan::training_fingerprint`], used instead of generating
/// again when this run's plan and training beats are the same (the page generates once, then
/// trains).
pub fn prepare_run_with(
    beats: &BeatSet,
    config: &TrainConfig,
    given_test: Option<&[bool]>,
    generated: Option<(u64, &SynthesizedSet)>,
) -> Result<PreparedRun, crate::Error> {
    crate::dataset::pipeline::prepare(beats, &config.pipeline(), given_test, generated)
}
