//! Everything a data-parallel follower in another process needs, as bytes ([`Replica`]): what
//! [`super::trainer::Trainer::replica`] makes and [`super::trainer::Trainer::from_replica`]
//! turns back into a trainer (the page's follower Web Workers, [`crate::session::follower`]).

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::gradients::{gradient_bytes, gradient_from_bytes};
use crate::dataset::BeatLayout;
use crate::ecg::aami::N_CLASSES;
use crate::features::{FeatureMaker, Inputs};
use crate::model::ModelConfig;

/// First bytes of a [`Replica`].
pub const REPLICA_MAGIC: &[u8] = b"ECG-BALANCE-LAB-REPLICA\n";

/// Everything a follower in another process needs to train in step with a leader: the run's
/// settings, the network's shape and the leader's current weights, which inputs the model takes,
/// the class weights and the training and validation inputs, already computed (so the follower
/// needs neither the beats nor the record templates; it scores a share of the validation beats
/// at each epoch's end). Made by [`Trainer::replica`] before the first batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Replica {
    /// The run's settings (its seed orders the batches).
    pub config: TrainConfig,
    /// The network's shape.
    pub model_config: ModelConfig,
    /// The input pipeline (only its spec is used: the inputs are below; no templates).
    pub features: FeatureMaker,
    /// Window layout.
    pub layout: BeatLayout,
    /// Class weights of the loss (sent as raw bits, so they are exactly the leader's).
    pub class_weights: [f32; N_CLASSES],
    /// The training inputs, in the leader's order.
    pub train: Inputs,
    /// The validation inputs, in the leader's order.
    pub val: Inputs,
    /// The leader's weights (burnpack).
    pub weights: Vec<u8>,
}

/// The JSON part of a [`Replica`]'s bytes.
#[derive(Serialize, Deserialize)]
struct ReplicaHeader {
    config: TrainConfig,
    model_config: ModelConfig,
    features: FeatureMaker,
    layout: BeatLayout,
    beats: usize,
    window_values: usize,
    rr_values: usize,
    val_beats: usize,
    val_window_values: usize,
    val_rr_values: usize,
    weights_bytes: usize,
}

impl Replica {
    /// The replica as bytes: magic, a little-endian `u32` header length, a JSON header
    /// (settings, shape, spec, layout, sizes), then the class weights (`f32 × 5`), the windows
    /// (`f32`), the RR features (`f32`) and the labels (`u8`) of the training inputs, the same
    /// of the validation inputs, and the weights (burnpack), all little-endian. Every float but the settings' comes back bit for bit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        let header = ReplicaHeader {
            config: self.config.clone(),
            model_config: self.model_config.clone(),
            features: self.features.clone(),
            layout: self.layout,
            beats: self.train.labels.len(),
            window_values: self.train.windows.len(),
            rr_values: self.train.rr.len(),
            val_beats: self.val.labels.len(),
            val_window_values: self.val.windows.len(),
            val_rr_values: self.val.rr.len(),
            weights_bytes: self.weights.len(),
        };
        let json = serde_json::to_vec(&header)
            .map_err(|e| crate::Error::Invalid(format!("cannot describe the replica: {e}")))?;
        let mut out = Vec::with_capacity(
            REPLICA_MAGIC.len()
                + 4
                + json.len()
                + 4 * (N_CLASSES + self.train.windows.len() + self.train.rr.len())
                + self.train.labels.len()
                + 4 * (self.val.windows.len() + self.val.rr.len())
                + self.val.labels.len()
                + self.weights.len(),
        );
        out.extend_from_slice(REPLICA_MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend(gradient_bytes(&self.class_weights));
        out.extend(gradient_bytes(&self.train.windows));
        out.extend(gradient_bytes(&self.train.rr));
        out.extend(self.train.labels.iter().map(|&c| c as u8));
        out.extend(gradient_bytes(&self.val.windows));
        out.extend(gradient_bytes(&self.val.rr));
        out.extend(self.val.labels.iter().map(|&c| c as u8));
        out.extend_from_slice(&self.weights);
        Ok(out)
    }

    /// Reads bytes made by [`Replica::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Replica, crate::Error> {
        let damaged = |what: &str| crate::Error::Invalid(format!("the training replica {what}"));
        let rest = bytes
            .strip_prefix(REPLICA_MAGIC)
            .ok_or_else(|| damaged("does not start as one"))?;
        let len = rest
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| damaged("has no header"))? as usize;
        let header: ReplicaHeader = rest
            .get(4..4 + len)
            .ok_or_else(|| damaged("has its header cut short"))
            .and_then(|j| {
                serde_json::from_slice(j)
                    .map_err(|e| damaged(&format!("has an unreadable header: {e}")))
            })?;
        let mut at = 4 + len;
        let mut take = |n: usize| -> Result<&[u8], crate::Error> {
            let chunk = rest
                .get(at..at + n)
                .ok_or_else(|| damaged("is cut short"))?;
            at += n;
            Ok(chunk)
        };
        let weights_f = gradient_from_bytes(take(4 * N_CLASSES)?);
        let mut class_weights = [0.0f32; N_CLASSES];
        class_weights.copy_from_slice(&weights_f);
        let windows = gradient_from_bytes(take(4 * header.window_values)?);
        let rr = gradient_from_bytes(take(4 * header.rr_values)?);
        let labels: Vec<usize> = take(header.beats)?.iter().map(|&c| c as usize).collect();
        let val_windows = gradient_from_bytes(take(4 * header.val_window_values)?);
        let val_rr = gradient_from_bytes(take(4 * header.val_rr_values)?);
        let val_labels: Vec<usize> = take(header.val_beats)?
            .iter()
            .map(|&c| c as usize)
            .collect();
        if labels.iter().chain(&val_labels).any(|&c| c >= N_CLASSES) {
            return Err(damaged("has a label out of range"));
        }
        let weights = take(header.weights_bytes)?.to_vec();
        Ok(Replica {
            config: header.config,
            model_config: header.model_config,
            features: header.features,
            layout: header.layout,
            class_weights,
            train: Inputs {
                windows,
                rr,
                labels,
            },
            val: Inputs {
                windows: val_windows,
                rr: val_rr,
                labels: val_labels,
            },
            weights,
        })
    }
}
