//! [`SynthConfig`]: the settings of the synthetic-beat generator.

use serde::{Deserialize, Serialize};

use super::model::{ClassModel, Range, r};
use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::SimulateError;

/// Settings of the synthetic-beat generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// One model per class, in [`AamiClass::ALL`] order.
    pub models: Vec<ClassModel>,
    /// Standard deviation of white noise per strip, mV (MIT-BIH's quiet stretches: ~0.01 mV).
    pub noise_mv: Range,
    /// Baseline wander amplitude per strip, model units (0.01 ≈ 0.3 mV), at 0.15–0.35 Hz.
    pub wander_z: Range,
    /// Relative amplitude of each of the two sinus-cycle modulations (Mayer 0.1 Hz and
    /// respiratory 0.25 Hz, ECGSYN's peaks).
    pub sinus_modulation: Range,
    /// Share of a class's spread used for beat-to-beat jitter within one patient.
    pub beat_jitter: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            models: AamiClass::ALL
                .iter()
                .map(|&c| ClassModel::table(c))
                .collect(),
            noise_mv: r(0.005, 0.03),
            wander_z: r(0.0, 0.006),
            sinus_modulation: r(0.0, 0.03),
            beat_jitter: 0.15,
        }
    }
}

impl SynthConfig {
    /// The model of `class`.
    pub fn model(&self, class: AamiClass) -> Option<&ClassModel> {
        self.models.iter().find(|m| m.class == class)
    }

    /// Checks every model is usable.
    pub fn validate(&self) -> Result<(), SimulateError> {
        for c in AamiClass::ALL {
            let Some(m) = self.model(c) else {
                return Err(SimulateError::Invalid {
                    what: "models",
                    reason: format!("no model for class {c}"),
                });
            };
            if !m.morphology.is_valid()
                || !(20.0..250.0).contains(&m.hr_bpm.lo)
                || !(20.0..250.0).contains(&m.hr_bpm.hi)
            {
                return Err(SimulateError::Invalid {
                    what: "models",
                    reason: format!(
                        "class {c}: events must be finite with positive widths and the heart rate within 20–250 bpm"
                    ),
                });
            }
        }
        Ok(())
    }
}
