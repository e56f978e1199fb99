//! The values each parameter may take at all ([`LIMITS`]) and the closed interval a parameter
//! is drawn from ([`ParamRange`]).

use serde::{Deserialize, Serialize};

use super::check::wide;
use super::error::AugmentError;
use crate::rng::Rng;

/// The values a parameter may take at all (ranges in [`TechniqueRanges`](super::TechniqueRanges) must lie inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Parameter name with its unit, as error messages show it.
    pub parameter: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
}

impl Limit {
    /// `parameter` may take `min` to `max`.
    pub const fn new(parameter: &'static str, min: f64, max: f64) -> Self {
        Limit {
            parameter,
            min,
            max,
        }
    }

    /// [`Limit::check`] for an `f32` setting; the error shows the value as typed.
    pub fn check_f32(&self, value: f32) -> Result<(), AugmentError> {
        self.check(f64::from(value)).map_err(|e| match e {
            AugmentError::OutOfRange {
                parameter,
                min,
                max,
                ..
            } => AugmentError::OutOfRange {
                parameter,
                value: wide(value),
                min,
                max,
            },
            other => other,
        })
    }

    /// `Ok` when `value` is within the limit (NaN never is).
    pub fn check(&self, value: f64) -> Result<(), AugmentError> {
        if value >= self.min && value <= self.max {
            Ok(())
        } else {
            Err(AugmentError::OutOfRange {
                parameter: self.parameter,
                value,
                min: self.min,
                max: self.max,
            })
        }
    }
}

/// SNR of added noise. Below −10 dB the noise is more than ten times the beat's power; above
/// 80 dB it is below f32 resolution for typical beats.
pub const LIMIT_SNR_DB: Limit = Limit::new("snr_db", -10.0, 80.0);
/// Warp strength: largest change of the local sampling rate. Below 1 keeps the warp monotone;
/// 0.5 (local rates 0.5× to 1.5×) is already a caricature of a beat.
pub const LIMIT_WARP_STRENGTH: Limit = Limit::new("warp_strength", 0.0, 0.5);
/// Amplitude gain.
pub const LIMIT_SCALE_FACTOR: Limit = Limit::new("scale_factor", 0.1, 10.0);
/// Largest time shift, ms (also capped at half the window, see [`TechniqueRanges::validate`](super::TechniqueRanges::validate)).
pub const LIMIT_MAX_SHIFT_MS: Limit = Limit::new("max_shift_ms", 0.0, 200.0);
/// Frequency shift, Hz (also below the window's Nyquist frequency).
pub const LIMIT_SHIFT_HZ: Limit = Limit::new("shift_hz", -30.0, 30.0);
/// Baseline-wander amplitude, mV.
pub const LIMIT_WANDER_AMPLITUDE_MV: Limit = Limit::new("wander_amplitude_mv", 0.0, 5.0);
/// Baseline-wander component frequencies, Hz: drift, not waveform.
pub const LIMIT_WANDER_FREQ_HZ: Limit = Limit::new("wander_freq_hz", 0.01, 2.0);
/// Power-line amplitude, mV.
pub const LIMIT_POWER_LINE_AMPLITUDE_MV: Limit = Limit::new("power_line_amplitude_mv", 0.0, 5.0);

/// Every limit, as a table.
pub const LIMITS: [Limit; 8] = [
    LIMIT_SNR_DB,
    LIMIT_WARP_STRENGTH,
    LIMIT_SCALE_FACTOR,
    LIMIT_MAX_SHIFT_MS,
    LIMIT_SHIFT_HZ,
    LIMIT_WANDER_AMPLITUDE_MV,
    LIMIT_WANDER_FREQ_HZ,
    LIMIT_POWER_LINE_AMPLITUDE_MV,
];

/// A closed interval a parameter is drawn from, uniformly. `min == max` fixes the value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParamRange {
    /// Lower bound.
    pub min: f32,
    /// Upper bound.
    pub max: f32,
}

impl ParamRange {
    /// The interval `[min, max]`.
    pub const fn new(min: f32, max: f32) -> Self {
        Self { min, max }
    }

    /// A uniform draw from the interval.
    pub fn draw(&self, rng: &mut Rng) -> f32 {
        if self.min == self.max {
            self.min
        } else {
            rng.uniform_range(f64::from(self.min), f64::from(self.max)) as f32
        }
    }

    /// Both bounds within `limit` and in order.
    pub fn validate(&self, limit: &Limit) -> Result<(), AugmentError> {
        limit.check_f32(self.min)?;
        limit.check_f32(self.max)?;
        if self.min > self.max {
            return Err(AugmentError::ReversedRange {
                parameter: limit.parameter,
                min: wide(self.min),
                max: wide(self.max),
            });
        }
        Ok(())
    }
}
