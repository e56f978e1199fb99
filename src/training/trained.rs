//! What a run leaves: the trained model with everything needed to use it again
//! ([`TrainedModel`]), and the figures of each epoch ([`EpochStats`]). Apart from the trainer so
//! that inference ([`super::predict`]) and the model file do not depend on the training loop.

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use crate::ecg::aami::N_CLASSES;
use crate::features::FeatureMaker;
use crate::model::{Model, ModelConfig};

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
    /// Log-offsets added before the arg-max, chosen on the validation records
    /// ([`super::calibrate`]); all zero when the run does not calibrate.
    pub offsets: [f32; N_CLASSES],
    /// Names of the records whose beats it was trained or validated on (sorted; empty when a
    /// model file written before this was kept does not say).
    pub trained_on: Vec<String>,
}
