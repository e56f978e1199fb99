//! TEMPORARY stand-in until the weights module lands (replaced by the metrics branch).
use crate::ecg::aami::{ClassCounts, N_CLASSES};
use serde::{Deserialize, Serialize};

/// Class-weight scheme.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum WeightScheme {
    /// All 1.
    None,
    /// max / count.
    MaxOverCount,
    /// 1/count normalised to mean 1.
    InverseFrequency,
    /// Cui 2019.
    EffectiveNumber {
        /// beta
        beta: f64,
    },
}

/// Weights.
pub fn class_weights(counts: &ClassCounts, scheme: WeightScheme) -> [f32; N_CLASSES] {
    let max = counts.0.iter().copied().max().unwrap_or(0) as f64;
    let mut w = [0.0f32; N_CLASSES];
    for (i, &c) in counts.0.iter().enumerate() {
        if c == 0 {
            continue;
        }
        w[i] = match scheme {
            WeightScheme::None => 1.0,
            WeightScheme::MaxOverCount | WeightScheme::InverseFrequency => (max / c as f64) as f32,
            WeightScheme::EffectiveNumber { beta } => {
                ((1.0 - beta) / (1.0 - beta.powf(c as f64))) as f32
            }
        };
    }
    w
}
