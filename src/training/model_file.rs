//! The model file: magic, header length, a JSON header (settings, feature statistics, window
//! layout, class weights, history), then each network's weights (burnpack).

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::trained::{EpochStats, TrainedModel};
use crate::ecg::aami::N_CLASSES;
use crate::features::{FeatureMaker, Templates};
use crate::model::ModelConfig;

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
    /// Decision offsets (absent from files written before they existed: zero).
    #[serde(default)]
    offsets: [f32; N_CLASSES],
    /// Records it was trained and validated on (absent from older files: unknown).
    #[serde(default)]
    trained_on: Vec<String>,
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
            offsets: self.offsets,
            trained_on: self.trained_on.clone(),
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
            offsets: header.offsets,
            trained_on: header.trained_on,
        })
    }
}
