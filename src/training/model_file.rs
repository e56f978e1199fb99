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

/// Most networks one file may hold (the snapshots of a run's ensemble).
pub const MAX_NETWORKS: usize = 64;
/// Most parameters one network may have: the default model has about twelve thousand; this
/// bounds what reading a file may allocate (4 bytes each) before any weight is read.
pub const MAX_PARAMETERS: u64 = 1 << 24;

impl ModelFileHeader {
    /// Checks that the header describes a network this version can build and feed, before
    /// anything is allocated for it: the sizes agree with each other and with the window
    /// layout and the inputs, every number is finite, and the network is of a bounded size.
    fn validate(&self) -> Result<(), String> {
        let m = &self.model_config;
        let spec = &self.features.spec;
        let layout = &self.layout;
        if layout.len == 0 || layout.len > crate::io::limits::MAX_BEAT_WINDOW {
            return Err(format!(
                "a beat window of {} samples (1 to {} are read)",
                layout.len,
                crate::io::limits::MAX_BEAT_WINDOW
            ));
        }
        if layout.r_index >= layout.len {
            return Err(format!(
                "the R peak at sample {} of a {}-sample window",
                layout.r_index, layout.len
            ));
        }
        crate::record::SamplingRate::new(f64::from(layout.fs_hz))
            .map_err(|e| format!("window sampling rate: {e}"))?;
        if m.window_len != layout.len {
            return Err(format!(
                "the network takes {} samples but the window has {}",
                m.window_len, layout.len
            ));
        }
        if m.channels_in != spec.channels() {
            return Err(format!(
                "the network takes {} input channels but its inputs make {}",
                m.channels_in,
                spec.channels()
            ));
        }
        if m.n_rr != spec.n_rr() {
            return Err(format!(
                "the network takes {} RR features but its inputs make {}",
                m.n_rr,
                spec.n_rr()
            ));
        }
        if m.n_classes != N_CLASSES {
            return Err(format!(
                "{} output classes (the AAMI classes are {N_CLASSES})",
                m.n_classes
            ));
        }
        if m.filters.contains(&0) || m.kernels.contains(&0) || m.hidden == 0 {
            return Err("a layer of size 0".into());
        }
        if m.pooled_len() == 0 {
            return Err(format!(
                "a {}-sample window is too short for three pooling stages",
                m.window_len
            ));
        }
        if !(0.0..1.0).contains(&m.dropout) {
            return Err(format!("a dropout of {}", m.dropout));
        }
        let parameters = parameter_count(m).ok_or("a network too large to count")?;
        if parameters > MAX_PARAMETERS {
            return Err(format!(
                "a network of {parameters} parameters (at most {MAX_PARAMETERS} are read)"
            ));
        }
        if self.weights_bytes.len() > MAX_NETWORKS {
            return Err(format!(
                "{} networks (at most {MAX_NETWORKS})",
                self.weights_bytes.len()
            ));
        }
        let n = &self.features.normalizer;
        if spec.rr {
            let need = spec.rr_indices().into_iter().max().map_or(0, |k| k + 1);
            if n.rr_mean.len() < need || n.rr_std.len() < need {
                return Err(format!(
                    "RR statistics for {} and {} features where {need} are used",
                    n.rr_mean.len(),
                    n.rr_std.len()
                ));
            }
        }
        if n.rr_mean.iter().any(|v| !v.is_finite())
            || n.rr_std.iter().any(|v| !v.is_finite() || *v <= 0.0)
        {
            return Err("RR statistics that are not finite, or a spread of zero or less".into());
        }
        if self
            .class_weights
            .iter()
            .chain(&self.offsets)
            .any(|v| !v.is_finite())
            || self.class_weights.iter().any(|w| *w < 0.0)
        {
            return Err("class weights or decision offsets that are not finite numbers".into());
        }
        Ok(())
    }
}

/// Parameters of the network `m` describes (`None` on overflow).
fn parameter_count(m: &ModelConfig) -> Option<u64> {
    let u = |x: usize| u64::try_from(x).ok();
    let [f1, f2, f3] = m.filters.map(|f| f as u64);
    let [k1, k2, k3] = m.kernels.map(|k| k as u64);
    let conv =
        |cin: u64, cout: u64, k: u64| cin.checked_mul(cout)?.checked_mul(k)?.checked_add(cout);
    let rr_dense = if m.rr_hidden > 0 && m.n_rr > 0 {
        u(m.n_rr)?.checked_add(1)?.checked_mul(u(m.rr_hidden)?)?
    } else {
        0
    };
    let dense_in = f3
        .checked_mul(u(m.pooled_len())?)?
        .checked_add(u(m.rr_width())?)?;
    let dense = dense_in.checked_add(1)?.checked_mul(u(m.hidden)?)?;
    let out = u(m.hidden)?
        .checked_add(1)?
        .checked_mul(u(m.n_classes.max(1))?)?;
    conv(u(m.channels_in)?, f1, k1)?
        .checked_add(conv(f1, f2, k2)?)?
        .checked_add(conv(f2, f3, k3)?)?
        .checked_add(rr_dense)?
        .checked_add(dense)?
        .checked_add(out)
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
    /// A header this version cannot build a network from, or whose parts disagree.
    #[error("the model file describes a network that cannot be used: {0}")]
    Invalid(String),
    /// Written by a newer version.
    #[error("model file format {0} is newer than this version understands (1)")]
    Version(u32),
}

impl TrainedModel {
    /// A model of the default network for `features` and `layout`, with fresh (seeded by burn,
    /// untrained) weights and no history: what tests, the model-file fuzz target and examples
    /// start from.
    pub fn untrained(features: FeatureMaker, layout: crate::dataset::BeatLayout) -> TrainedModel {
        let model_config = ModelConfig::new(layout.len, features.spec.n_rr())
            .with_channels_in(features.spec.channels());
        TrainedModel {
            models: vec![model_config.init(&Device::flex())],
            epochs: vec![1],
            history: Vec::new(),
            model_config,
            train_config: TrainConfig::new(),
            features,
            layout,
            class_weights: [1.0; N_CLASSES],
            offsets: [0.0; N_CLASSES],
            trained_on: Vec::new(),
        }
    }

    /// An untrained model of the default beat layout that reads every feature (templates, RR
    /// and rhythm) with a fixed RR standardisation: the base model file of tests and of the
    /// model-file fuzz target.
    pub fn example() -> TrainedModel {
        let features = FeatureMaker {
            spec: crate::features::FeatureSpec {
                template: true,
                rr: true,
                rr_relative_only: false,
                rhythm: true,
                second_lead: false,
            },
            normalizer: crate::features::Normalizer {
                rr_mean: vec![0.8; crate::ecg::beats::N_RR],
                rr_std: vec![0.2; crate::ecg::beats::N_RR],
            },
            templates: Templates::default(),
        };
        TrainedModel::untrained(features, crate::dataset::BeatLayout::default())
    }

    /// Classifies one flat beat of the model's own layout (a record of its own, RR intervals of
    /// 0.8 s): what a test or fuzzer asks of a model file that read, to show it is usable.
    pub fn classify_flat_beat(&self) -> Vec<usize> {
        let mut beats = crate::dataset::BeatSet::new(self.layout);
        let id = beats.record_index("r");
        beats.push(
            &vec![0.1; self.layout.len],
            &[0.8; crate::ecg::beats::N_RR],
            crate::ecg::aami::AamiClass::N,
            id,
            0,
            crate::dataset::Origin::Real,
        );
        self.predict(&beats, &[0], &Templates::fit(&beats))
    }

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
        header.validate().map_err(ModelFileError::Invalid)?;
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
            .map_err(|e| ModelFileError::Damaged(e.to_string()))?
            // A tensor stored as another dtype of the same width (an edited file: "I32" for
            // "F32") is cast to the parameter's float, not a panic inside burn's loader; the
            // weights are then checked like any others.
            .cast_to_module_dtype();
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// An untrained model of the default shape, as a file.
    fn model_file() -> Vec<u8> {
        let mut model = TrainedModel::example();
        model.class_weights = [1.0, 20.0, 8.0, 100.0, 5.0];
        model.trained_on = vec!["101".into()];
        model.to_bytes().expect("model bytes")
    }

    /// `file` with its JSON header changed by `edit` (the weights kept).
    fn with_header(file: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let rest = &file[MODEL_MAGIC.len()..];
        let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        let mut header: Value = serde_json::from_slice(&rest[4..4 + len]).expect("header");
        edit(&mut header);
        let json = serde_json::to_vec(&header).expect("json");
        let mut out = MODEL_MAGIC.to_vec();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&rest[4 + len..]);
        out
    }

    #[test]
    fn a_header_that_disagrees_with_itself_or_its_weights_is_refused_before_building() {
        let file = model_file();
        let back = TrainedModel::from_bytes(&file).expect("the untouched file reads");
        assert_eq!(back.trained_on, ["101"]);
        // The unchanged header read back through the editor is still accepted.
        assert!(TrainedModel::from_bytes(&with_header(&file, |_| {})).is_ok());
        type Edit = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "empty RR statistics",
                Box::new(|h| h["features"]["normalizer"] = json!({"rr_mean": [], "rr_std": []})),
                "RR statistics",
            ),
            (
                "a wrong RR feature count",
                Box::new(|h| h["model_config"]["n_rr"] = json!(10)),
                "RR features",
            ),
            (
                "a hidden size of 4e9",
                Box::new(|h| h["model_config"]["hidden"] = json!(4_000_000_000u64)),
                "parameters",
            ),
            (
                "a rate of 0",
                Box::new(|h| h["layout"]["fs_hz"] = json!(0.0)),
                "sampling rate",
            ),
            (
                "a window the network does not take",
                Box::new(|h| h["model_config"]["window_len"] = json!(64)),
                "samples",
            ),
            (
                "channels the inputs do not make",
                Box::new(|h| h["model_config"]["channels_in"] = json!(4)),
                "channels",
            ),
            (
                "an R peak outside the window",
                Box::new(|h| h["layout"]["r_index"] = json!(100_000)),
                "R peak",
            ),
            (
                "a spread of zero",
                Box::new(|h| h["features"]["normalizer"]["rr_std"][3] = json!(0.0)),
                "spread",
            ),
            (
                "six output classes",
                Box::new(|h| h["model_config"]["n_classes"] = json!(6)),
                "output classes",
            ),
            (
                "a million networks",
                Box::new(|h| h["weights_bytes"] = json!(vec![1; 1_000_000])),
                "networks",
            ),
        ];
        for (what, edit, why) in cases {
            let e = TrainedModel::from_bytes(&with_header(&file, edit))
                .err()
                .unwrap_or_else(|| panic!("{what} was accepted"));
            assert!(
                matches!(e, ModelFileError::Invalid(_)) && e.to_string().contains(why),
                "{what}: {e}"
            );
        }
    }

    #[test]
    fn the_parameter_count_is_the_networks_own() {
        let m = ModelConfig::new(126, 16);
        let net = m.init(&Device::flex());
        assert_eq!(parameter_count(&m), Some(net.num_params() as u64));
        let big = ModelConfig {
            hidden: usize::MAX,
            ..m
        };
        assert_eq!(parameter_count(&big), None);
    }
}
