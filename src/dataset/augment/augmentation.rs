//! [`Augmentation`]: one technique with its parameter values fixed, its checks and its legend.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::check::{check_rate, wide};
use super::error::AugmentError;
use super::limits::{
    LIMIT_POWER_LINE_AMPLITUDE_MV, LIMIT_SCALE_FACTOR, LIMIT_SHIFT_HZ, LIMIT_SNR_DB,
    LIMIT_WANDER_AMPLITUDE_MV, LIMIT_WANDER_FREQ_HZ, LIMIT_WARP_STRENGTH, Limit, ParamRange,
};
use super::technique::{Mains, Technique};

/// One augmentation with its parameter values fixed (what a technique drew). What each does to a
/// window `x` of `L` samples at `fs_hz` with the R peak at `r`:
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Augmentation {
    /// `y[k] = x[k] + σ·n[k]`, `n` white standard normal, `σ² = P / 10^(snr_db/10)` with `P`
    /// the window's power after removing its mean. See [`gaussian_noise`](super::gaussian_noise).
    GaussianNoise {
        /// Signal-to-noise ratio, dB.
        snr_db: f32,
    },
    /// `y[k] = x(φ(k))` with `φ` smooth, strictly increasing, `φ(0) = 0`, `φ(r) = r`,
    /// `φ(L−1) = L−1` and `|φ(k+1) − φ(k) − 1| ≤ strength`. See [`time_warp`](super::time_warp).
    TimeWarp {
        /// Largest change of the local sampling rate (0 ≤ strength ≤ 0.5).
        strength: f32,
    },
    /// `y[k] = factor · x[k]`. See [`amplitude_scale`](super::amplitude_scale).
    AmplitudeScale {
        /// Gain.
        factor: f32,
    },
    /// `y[k] = x[clamp(k − shift, 0, L−1)]`: positive shifts move the beat later. See
    /// [`time_shift`](super::time_shift).
    TimeShift {
        /// Shift, samples.
        shift_samples: i32,
    },
    /// Spectrum of the analytic signal moved by `shift_hz`. See [`frequency_shift`](super::frequency_shift).
    FrequencyShift {
        /// Shift, Hz.
        shift_hz: f32,
    },
    /// `y = x + w`, `w` a sum of [`WANDER_COMPONENTS`](super::WANDER_COMPONENTS) sinusoids with frequencies in `band_hz`
    /// and `|w| ≤ amplitude_mv`. See [`baseline_wander`](super::baseline_wander).
    BaselineWander {
        /// Bound on `|w|`, mV.
        amplitude_mv: f32,
        /// Band of the component frequencies, Hz.
        band_hz: ParamRange,
    },
    /// `y[k] = x[k] + a·sin(2π f k / fs_hz + θ)`, `θ` uniform. See [`power_line`](super::power_line).
    PowerLine {
        /// Mains frequency `f`.
        mains: Mains,
        /// Amplitude `a`, mV.
        amplitude_mv: f32,
    },
}

impl Augmentation {
    /// The technique this augmentation is a draw of.
    pub fn technique(&self) -> Technique {
        match self {
            Augmentation::GaussianNoise { .. } => Technique::GaussianNoise,
            Augmentation::TimeWarp { .. } => Technique::TimeWarp,
            Augmentation::AmplitudeScale { .. } => Technique::AmplitudeScale,
            Augmentation::TimeShift { .. } => Technique::TimeShift,
            Augmentation::FrequencyShift { .. } => Technique::FrequencyShift,
            Augmentation::BaselineWander { .. } => Technique::BaselineWander,
            Augmentation::PowerLine { .. } => Technique::PowerLine,
        }
    }

    /// Checks the values for a window of `len_samples` at `fs_hz`.
    pub fn validate(&self, fs_hz: f32, len_samples: usize) -> Result<(), AugmentError> {
        check_rate(fs_hz)?;
        let nyquist_hz = f64::from(fs_hz) / 2.0;
        match *self {
            Augmentation::GaussianNoise { snr_db } => LIMIT_SNR_DB.check_f32(snr_db),
            Augmentation::TimeWarp { strength } => LIMIT_WARP_STRENGTH.check_f32(strength),
            Augmentation::AmplitudeScale { factor } => LIMIT_SCALE_FACTOR.check_f32(factor),
            Augmentation::TimeShift { shift_samples } => {
                let cap = (len_samples / 2) as f64;
                Limit {
                    parameter: "shift_samples",
                    min: -cap,
                    max: cap,
                }
                .check(f64::from(shift_samples))
            }
            Augmentation::FrequencyShift { shift_hz } => {
                LIMIT_SHIFT_HZ.check_f32(shift_hz)?;
                if f64::from(shift_hz).abs() >= nyquist_hz {
                    return Err(AugmentError::AboveNyquist {
                        what: "frequency shift",
                        freq_hz: wide(shift_hz),
                        nyquist_hz,
                        fs_hz,
                    });
                }
                Ok(())
            }
            Augmentation::BaselineWander {
                amplitude_mv,
                band_hz,
            } => {
                LIMIT_WANDER_AMPLITUDE_MV.check_f32(amplitude_mv)?;
                band_hz.validate(&LIMIT_WANDER_FREQ_HZ)?;
                if f64::from(band_hz.max) >= nyquist_hz {
                    return Err(AugmentError::AboveNyquist {
                        what: "baseline wander",
                        freq_hz: wide(band_hz.max),
                        nyquist_hz,
                        fs_hz,
                    });
                }
                Ok(())
            }
            Augmentation::PowerLine {
                mains,
                amplitude_mv,
            } => {
                LIMIT_POWER_LINE_AMPLITUDE_MV.check_f32(amplitude_mv)?;
                if mains.hz() >= nyquist_hz {
                    return Err(AugmentError::AboveNyquist {
                        what: "power-line interference",
                        freq_hz: mains.hz(),
                        nyquist_hz,
                        fs_hz,
                    });
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Augmentation {
    /// A short legend: `noise 24.1 dB SNR`, `shift +3 samples`, ….
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Augmentation::GaussianNoise { snr_db } => write!(f, "noise {snr_db:.1} dB SNR"),
            Augmentation::TimeWarp { strength } => write!(f, "time warp ±{strength:.2}"),
            Augmentation::AmplitudeScale { factor } => write!(f, "scale ×{factor:.2}"),
            Augmentation::TimeShift { shift_samples } => {
                write!(f, "shift {shift_samples:+} samples")
            }
            Augmentation::FrequencyShift { shift_hz } => {
                write!(f, "frequency shift {shift_hz:+.2} Hz")
            }
            Augmentation::BaselineWander {
                amplitude_mv,
                band_hz,
            } => write!(
                f,
                "baseline wander ≤{amplitude_mv:.2} mV ({:.2}–{:.2} Hz)",
                band_hz.min, band_hz.max
            ),
            Augmentation::PowerLine {
                mains,
                amplitude_mv,
            } => write!(f, "power line {} Hz {amplitude_mv:.3} mV", mains.hz()),
        }
    }
}
