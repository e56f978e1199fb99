//! Augmentation of single beat windows: seven techniques, the ranges their parameters are drawn
//! from, and an [`Augmenter`] that applies them to many beats without re-planning FFTs.
//!
//! Units: windows in mV, rates in Hz, positions and shifts in samples of the window's own rate,
//! signal-to-noise ratios in dB. Every technique maps a window of `L` samples to a new window of
//! `L` samples and never changes its label; the R peak is at `r_index` on input and stays there
//! except under [`Technique::TimeShift`], whose very purpose is to move it.
//!
//! Randomness: every random choice (noise samples, warp shape, phases, parameter draws) comes
//! from [`crate::rng::Rng`] seeded explicitly, so a seed gives the same window natively and in
//! the page.
//!
//! Three levels, from the most explicit to the most convenient:
//! 1. one pure function per technique with its exact parameter values ([`gaussian_noise`],
//!    [`time_warp`], [`amplitude_scale`], [`time_shift`], [`frequency_shift`],
//!    [`baseline_wander`], [`power_line`]), or [`augment`] with an [`Augmentation`] value;
//! 2. [`augment_random`]: draw the parameters of one [`Technique`] from [`TechniqueRanges`], then
//!    apply;
//! 3. [`Augmenter`]: the same, for many beats in a row, with the FFT plan and buffers kept
//!    between beats (what [`super::rebalance`] uses).
//!
//! Nothing here knows about training and test sets. Augmented beats are meant for the training
//! split only; [`super::rebalance::rebalance`] is the one entry point that creates them in bulk.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use crate::ecg::aami::AamiClass;
use crate::rng::Rng;

/// Shortest window any technique accepts, in samples.
pub const MIN_WINDOW_SAMPLES: usize = 4;

/// Number of sinusoids summed by [`Technique::BaselineWander`].
pub const WANDER_COMPONENTS: usize = 3;

/// Most augmentations [`preview`] draws per technique.
pub const MAX_PREVIEW_PER_TECHNIQUE: usize = 64;

/// Errors of augmentation and rebalancing: settings out of range, windows that cannot be
/// augmented, and cancellation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AugmentError {
    /// The window is too short.
    #[error("beat window of {len_samples} samples; augmentation needs at least {min_samples}")]
    WindowTooShort {
        /// Samples in the window.
        len_samples: usize,
        /// Minimum accepted.
        min_samples: usize,
    },
    /// The R-peak index is not inside the window.
    #[error("R peak at sample {r_index} is outside the window of {len_samples} samples")]
    RIndexOutside {
        /// Given R index.
        r_index: usize,
        /// Samples in the window.
        len_samples: usize,
    },
    /// The sampling rate is not a positive finite number.
    #[error("sampling rate of {fs_hz} Hz; expected a positive, finite rate")]
    BadRate {
        /// Given rate, Hz.
        fs_hz: f32,
    },
    /// A window holds a value that is not finite.
    #[error("window sample {index} is {value}; augmentation needs finite values (beat {beat:?})")]
    NonFinite {
        /// Index of the beat in its set, when known.
        beat: Option<usize>,
        /// Sample index in the window.
        index: usize,
        /// The value found.
        value: f32,
    },
    /// A parameter is outside the values this module accepts.
    #[error("{parameter} = {value}; choose a value from {min} to {max}")]
    OutOfRange {
        /// Parameter name, with its unit.
        parameter: &'static str,
        /// Value given.
        value: f64,
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// A range has its bounds the wrong way round.
    #[error("{parameter}: range {min} to {max} is reversed; put the smaller value first")]
    ReversedRange {
        /// Parameter name, with its unit.
        parameter: &'static str,
        /// Given lower bound.
        min: f64,
        /// Given upper bound.
        max: f64,
    },
    /// A frequency cannot be represented at the window's rate.
    #[error(
        "{what} at {freq_hz} Hz is not below the Nyquist frequency ({nyquist_hz} Hz) of windows sampled at {fs_hz} Hz; lower it or leave the technique out"
    )]
    AboveNyquist {
        /// What the frequency belongs to.
        what: &'static str,
        /// The frequency, Hz.
        freq_hz: f64,
        /// Half the window's rate, Hz.
        nyquist_hz: f64,
        /// The window's rate, Hz.
        fs_hz: f32,
    },
    /// A technique name that is not known.
    #[error("unknown augmentation technique {input:?}; choose from {known}")]
    UnknownTechnique {
        /// What was given.
        input: String,
        /// The names accepted.
        known: String,
    },
    /// A class must be augmented but has no technique to augment it with.
    #[error(
        "class {class} needs {needed} augmented beats but has no augmentation technique; give it at least one"
    )]
    NoTechnique {
        /// The class.
        class: AamiClass,
        /// Beats it would need.
        needed: usize,
    },
    /// A rebalancing plan that cannot be read or used.
    #[error(
        "rebalancing plan {input:?}: {reason}; write seed, balance:K, ratio:R or custom:N,S,V,F,Q"
    )]
    BadPlan {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The plan would produce more beats than can be held.
    #[error(
        "the plan asks for {requested} beats; at most {max} can be generated — lower the targets"
    )]
    TooManyBeats {
        /// Beats the plan asks for.
        requested: usize,
        /// The limit.
        max: usize,
    },
    /// The caller cancelled through the progress callback.
    #[error("cancelled after {done} of {total} beats")]
    Cancelled {
        /// Beats produced before cancelling.
        done: usize,
        /// Beats the plan asked for.
        total: usize,
    },
}

// --------------------------------------------------------------------------------------------
// Techniques and their names
// --------------------------------------------------------------------------------------------

/// An augmentation technique. [`Technique::ALL`] is also the order in which techniques are
/// chained on one beat: the ones that move or reshape the waveform first, then the ones that
/// add something to it, with noise last so its SNR refers to the window as it finally looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Technique {
    /// Smooth monotone stretch/compress of the time axis, R peak fixed ([`time_warp`]).
    TimeWarp,
    /// Integer-sample shift with edge replication ([`time_shift`]).
    TimeShift,
    /// Single-sideband shift of the spectrum ([`frequency_shift`]).
    FrequencyShift,
    /// Multiplication by a gain ([`amplitude_scale`]).
    AmplitudeScale,
    /// Added low-frequency drift ([`baseline_wander`]).
    BaselineWander,
    /// Added 50 or 60 Hz mains interference ([`power_line`]).
    PowerLine,
    /// Added white Gaussian noise at a chosen SNR ([`gaussian_noise`]).
    GaussianNoise,
}

/// Number of techniques.
pub const N_TECHNIQUES: usize = 7;

/// Each technique with its command-line name and the label shown on the page.
pub const TECHNIQUE_NAMES: [(Technique, &str, &str); N_TECHNIQUES] = [
    (Technique::TimeWarp, "warp", "Time warping"),
    (Technique::TimeShift, "shift", "Time shift"),
    (Technique::FrequencyShift, "freq-shift", "Frequency shift"),
    (Technique::AmplitudeScale, "scale", "Amplitude scaling"),
    (Technique::BaselineWander, "wander", "Baseline wander"),
    (Technique::PowerLine, "powerline", "Power-line interference"),
    (Technique::GaussianNoise, "noise", "Gaussian noise"),
];

impl Technique {
    /// All techniques, in chaining order.
    pub const ALL: [Technique; N_TECHNIQUES] = [
        Technique::TimeWarp,
        Technique::TimeShift,
        Technique::FrequencyShift,
        Technique::AmplitudeScale,
        Technique::BaselineWander,
        Technique::PowerLine,
        Technique::GaussianNoise,
    ];

    /// Position in [`Technique::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Command-line name (`noise`, `warp`, …).
    pub fn name(self) -> &'static str {
        TECHNIQUE_NAMES[self.index()].1
    }

    /// Label for people (`Gaussian noise`, …).
    pub fn label(self) -> &'static str {
        TECHNIQUE_NAMES[self.index()].2
    }

    /// Reads a comma-separated list of names; `all` means every technique, `none` or an empty
    /// string none. Duplicates are dropped; the result is in chaining order.
    pub fn parse_list(s: &str) -> Result<Vec<Technique>, AugmentError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Technique::ALL.to_vec());
        }
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(Vec::new());
        }
        let mut out = s
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<Technique>, _>>()?;
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Technique {
    type Err = AugmentError;

    /// Accepts the command-line name, case-insensitive, with `_` or `-` alike.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        TECHNIQUE_NAMES
            .iter()
            .find(|(_, name, _)| *name == key)
            .map(|(t, _, _)| *t)
            .ok_or_else(|| AugmentError::UnknownTechnique {
                input: s.to_string(),
                known: TECHNIQUE_NAMES
                    .iter()
                    .map(|(_, n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Mains frequency of one power-line draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mains {
    /// 50 Hz (Europe, most of Asia and Africa).
    Hz50,
    /// 60 Hz (the Americas; MIT-BIH was recorded in Boston).
    Hz60,
}

impl Mains {
    /// The frequency, Hz.
    pub fn hz(self) -> f64 {
        match self {
            Mains::Hz50 => 50.0,
            Mains::Hz60 => 60.0,
        }
    }
}

/// Which mains frequencies power-line draws may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MainsChoice {
    /// Always 50 Hz.
    Hz50,
    /// Always 60 Hz.
    Hz60,
    /// 50 or 60 Hz with equal chance, among those below the window's Nyquist frequency.
    Either,
}

// --------------------------------------------------------------------------------------------
// Limits and ranges
// --------------------------------------------------------------------------------------------

/// The values a parameter may take at all (ranges in [`TechniqueRanges`] must lie inside).
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
pub const LIMIT_SNR_DB: Limit = Limit {
    parameter: "snr_db",
    min: -10.0,
    max: 80.0,
};
/// Warp strength: largest change of the local sampling rate. Below 1 keeps the warp monotone;
/// 0.5 (local rates 0.5× to 1.5×) is already a caricature of a beat.
pub const LIMIT_WARP_STRENGTH: Limit = Limit {
    parameter: "warp_strength",
    min: 0.0,
    max: 0.5,
};
/// Amplitude gain.
pub const LIMIT_SCALE_FACTOR: Limit = Limit {
    parameter: "scale_factor",
    min: 0.1,
    max: 10.0,
};
/// Largest time shift, ms (also capped at half the window, see [`TechniqueRanges::validate`]).
pub const LIMIT_MAX_SHIFT_MS: Limit = Limit {
    parameter: "max_shift_ms",
    min: 0.0,
    max: 200.0,
};
/// Frequency shift, Hz (also below the window's Nyquist frequency).
pub const LIMIT_SHIFT_HZ: Limit = Limit {
    parameter: "shift_hz",
    min: -30.0,
    max: 30.0,
};
/// Baseline-wander amplitude, mV.
pub const LIMIT_WANDER_AMPLITUDE_MV: Limit = Limit {
    parameter: "wander_amplitude_mv",
    min: 0.0,
    max: 5.0,
};
/// Baseline-wander component frequencies, Hz: drift, not waveform.
pub const LIMIT_WANDER_FREQ_HZ: Limit = Limit {
    parameter: "wander_freq_hz",
    min: 0.01,
    max: 2.0,
};
/// Power-line amplitude, mV.
pub const LIMIT_POWER_LINE_AMPLITUDE_MV: Limit = Limit {
    parameter: "power_line_amplitude_mv",
    min: 0.0,
    max: 5.0,
};

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

/// Range of [`Technique::GaussianNoise`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoiseRange {
    /// SNR, dB, as defined in [`gaussian_noise`].
    pub snr_db: ParamRange,
}

impl Default for NoiseRange {
    /// 20 to 35 dB. A beat's AC power over a 0.7 s window is dominated by the QRS; at 20 dB the
    /// noise's standard deviation is 10 % of the window's RMS — about 0.02 mV for a 1 mV QRS,
    /// still well below a 0.1–0.2 mV P wave, so the beat stays readable to a cardiologist.
    /// 35 dB is barely visible. Stress tests of detectors (MIT-BIH NST) go down to −6 dB, but
    /// there the point is to break the detector, not to keep the label.
    fn default() -> Self {
        Self {
            snr_db: ParamRange::new(20.0, 35.0),
        }
    }
}

/// Range of [`Technique::TimeWarp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeWarpRange {
    /// Strength: the local sampling rate stays within `1 ± strength` ([`time_warp`]).
    pub strength: ParamRange,
}

impl Default for TimeWarpRange {
    /// 0.05 to 0.2. At 0.2 the P wave of a 180 Hz, 250 ms-before/450 ms-after window moves by
    /// up to ≈ 15 ms relative to the R peak and the T wave by ≈ 25 ms — beat-to-beat variation
    /// of PR and QT seen within one patient — while a narrow QRS (80–100 ms) stays under the
    /// 120 ms that would make it look ventricular.
    fn default() -> Self {
        Self {
            strength: ParamRange::new(0.05, 0.2),
        }
    }
}

/// Range of [`Technique::AmplitudeScale`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaleRange {
    /// Gain factor.
    pub factor: ParamRange,
}

impl Default for ScaleRange {
    /// 0.8 to 1.2: the spread of QRS amplitude between sessions of one person from electrode
    /// placement and posture, well inside the spread between people.
    fn default() -> Self {
        Self {
            factor: ParamRange::new(0.8, 1.2),
        }
    }
}

/// Range of [`Technique::TimeShift`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShiftRange {
    /// Largest shift, ms. Draws are whole samples from `−m..=m` without 0, where
    /// `m = round(max_shift_ms · fs_hz / 1000)`.
    pub max_shift_ms: f32,
}

impl Default for ShiftRange {
    /// 20 ms (±4 samples at 180 Hz): the jitter of R-peak fiducials between QRS detectors, and
    /// between a detector and the reference annotations, is of this order (the AAMI EC57 match
    /// window is 150 ms; good detectors agree within ≈ 10–20 ms).
    fn default() -> Self {
        Self { max_shift_ms: 20.0 }
    }
}

/// Range of [`Technique::FrequencyShift`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrequencyShiftRange {
    /// Shift, Hz; negative moves the spectrum down.
    pub shift_hz: ParamRange,
}

impl Default for FrequencyShiftRange {
    /// −1 to 1 Hz, under one DFT bin of a 126-sample, 180 Hz window (1.43 Hz). P and T waves
    /// live at 1–7 Hz, so a larger shift turns them into oscillations; within ±1 Hz the QRS
    /// (5–15 Hz) keeps its shape and the slow waves are gently reshaped.
    fn default() -> Self {
        Self {
            shift_hz: ParamRange::new(-1.0, 1.0),
        }
    }
}

/// Range of [`Technique::BaselineWander`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WanderRange {
    /// Bound on the drift's absolute value, mV.
    pub amplitude_mv: ParamRange,
    /// Band the component frequencies are drawn from, Hz.
    pub band_hz: ParamRange,
}

impl Default for WanderRange {
    /// Amplitude 0.05 to 0.3 mV, frequencies 0.05 to 0.5 Hz: respiration (0.15–0.4 Hz) and slow
    /// electrode drift, the band a 0.5 Hz baseline filter removes. Over a 0.7 s window this is an
    /// offset plus a gentle slope or bend, as between beats of an unfiltered Holter record.
    fn default() -> Self {
        Self {
            amplitude_mv: ParamRange::new(0.05, 0.3),
            band_hz: ParamRange::new(0.05, 0.5),
        }
    }
}

/// Range of [`Technique::PowerLine`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLineRange {
    /// Mains frequency.
    pub mains: MainsChoice,
    /// Amplitude of the sinusoid, mV.
    pub amplitude_mv: ParamRange,
}

impl Default for PowerLineRange {
    /// Either mains frequency, 0.01 to 0.1 mV: the hum visible in recordings without a notch
    /// filter under ordinary electrode contact (poor contact gives more).
    fn default() -> Self {
        Self {
            mains: MainsChoice::Either,
            amplitude_mv: ParamRange::new(0.01, 0.1),
        }
    }
}

/// The range each technique's parameters are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TechniqueRanges {
    /// [`Technique::GaussianNoise`].
    pub noise: NoiseRange,
    /// [`Technique::TimeWarp`].
    pub warp: TimeWarpRange,
    /// [`Technique::AmplitudeScale`].
    pub scale: ScaleRange,
    /// [`Technique::TimeShift`].
    pub shift: ShiftRange,
    /// [`Technique::FrequencyShift`].
    pub frequency_shift: FrequencyShiftRange,
    /// [`Technique::BaselineWander`].
    pub wander: WanderRange,
    /// [`Technique::PowerLine`].
    pub power_line: PowerLineRange,
}

/// Mains frequencies a choice allows below the Nyquist frequency of `fs_hz`: the first `n`
/// entries of the array.
fn mains_below_nyquist(choice: MainsChoice, fs_hz: f32) -> ([Mains; 2], usize) {
    let all: &[Mains] = match choice {
        MainsChoice::Hz50 => &[Mains::Hz50],
        MainsChoice::Hz60 => &[Mains::Hz60],
        MainsChoice::Either => &[Mains::Hz50, Mains::Hz60],
    };
    // A fixed array, not a Vec: this runs once per power-line draw.
    let mut out = [Mains::Hz50; 2];
    let mut n = 0;
    for &m in all {
        if m.hz() < f64::from(fs_hz) / 2.0 {
            out[n] = m;
            n += 1;
        }
    }
    (out, n)
}

/// Largest time shift in samples for `max_shift_ms` at `fs_hz`.
fn max_shift_samples(max_shift_ms: f32, fs_hz: f32) -> i64 {
    (f64::from(max_shift_ms) * f64::from(fs_hz) / 1000.0).round() as i64
}

impl TechniqueRanges {
    /// Checks the range of `technique` for windows of `len_samples` at `fs_hz`: bounds in order
    /// and within [`LIMITS`], frequencies below the Nyquist frequency, shifts under half the
    /// window.
    pub fn validate(
        &self,
        technique: Technique,
        fs_hz: f32,
        len_samples: usize,
    ) -> Result<(), AugmentError> {
        check_rate(fs_hz)?;
        let nyquist_hz = f64::from(fs_hz) / 2.0;
        match technique {
            Technique::GaussianNoise => self.noise.snr_db.validate(&LIMIT_SNR_DB),
            Technique::TimeWarp => self.warp.strength.validate(&LIMIT_WARP_STRENGTH),
            Technique::AmplitudeScale => self.scale.factor.validate(&LIMIT_SCALE_FACTOR),
            Technique::TimeShift => {
                LIMIT_MAX_SHIFT_MS.check_f32(self.shift.max_shift_ms)?;
                let m = max_shift_samples(self.shift.max_shift_ms, fs_hz);
                let cap = (len_samples / 2) as i64;
                if m > cap {
                    return Err(AugmentError::OutOfRange {
                        parameter: "max_shift_ms",
                        value: wide(self.shift.max_shift_ms),
                        min: 0.0,
                        max: cap as f64 * 1000.0 / f64::from(fs_hz),
                    });
                }
                Ok(())
            }
            Technique::FrequencyShift => {
                let r = self.frequency_shift.shift_hz;
                r.validate(&LIMIT_SHIFT_HZ)?;
                for v in [r.min, r.max] {
                    if f64::from(v).abs() >= nyquist_hz {
                        return Err(AugmentError::AboveNyquist {
                            what: "frequency shift",
                            freq_hz: wide(v),
                            nyquist_hz,
                            fs_hz,
                        });
                    }
                }
                Ok(())
            }
            Technique::BaselineWander => {
                self.wander
                    .amplitude_mv
                    .validate(&LIMIT_WANDER_AMPLITUDE_MV)?;
                self.wander.band_hz.validate(&LIMIT_WANDER_FREQ_HZ)?;
                if f64::from(self.wander.band_hz.max) >= nyquist_hz {
                    return Err(AugmentError::AboveNyquist {
                        what: "baseline wander",
                        freq_hz: wide(self.wander.band_hz.max),
                        nyquist_hz,
                        fs_hz,
                    });
                }
                Ok(())
            }
            Technique::PowerLine => {
                self.power_line
                    .amplitude_mv
                    .validate(&LIMIT_POWER_LINE_AMPLITUDE_MV)?;
                if mains_below_nyquist(self.power_line.mains, fs_hz).1 == 0 {
                    let freq_hz = match self.power_line.mains {
                        MainsChoice::Hz60 => 60.0,
                        MainsChoice::Hz50 | MainsChoice::Either => 50.0,
                    };
                    return Err(AugmentError::AboveNyquist {
                        what: "power-line interference",
                        freq_hz,
                        nyquist_hz,
                        fs_hz,
                    });
                }
                Ok(())
            }
        }
    }

    /// Draws the parameters of one `technique` for a window at `fs_hz` (valid when
    /// [`TechniqueRanges::validate`] accepted the ranges).
    pub fn draw(&self, technique: Technique, fs_hz: f32, rng: &mut Rng) -> Augmentation {
        match technique {
            Technique::GaussianNoise => Augmentation::GaussianNoise {
                snr_db: self.noise.snr_db.draw(rng),
            },
            Technique::TimeWarp => Augmentation::TimeWarp {
                strength: self.warp.strength.draw(rng),
            },
            Technique::AmplitudeScale => Augmentation::AmplitudeScale {
                factor: self.scale.factor.draw(rng),
            },
            Technique::TimeShift => {
                let m = max_shift_samples(self.shift.max_shift_ms, fs_hz).clamp(0, 1 << 20);
                let shift_samples = if m == 0 {
                    0
                } else {
                    // Uniform over −m..=m without 0: an unshifted copy is no augmentation.
                    let v = rng.below(2 * m as usize) as i64 - m;
                    if v >= 0 { v + 1 } else { v }
                };
                Augmentation::TimeShift {
                    shift_samples: shift_samples as i32,
                }
            }
            Technique::FrequencyShift => Augmentation::FrequencyShift {
                shift_hz: self.frequency_shift.shift_hz.draw(rng),
            },
            Technique::BaselineWander => Augmentation::BaselineWander {
                amplitude_mv: self.wander.amplitude_mv.draw(rng),
                band_hz: self.wander.band_hz,
            },
            Technique::PowerLine => {
                let (allowed, n) = mains_below_nyquist(self.power_line.mains, fs_hz);
                let mains = match n {
                    // 0 is rejected by validation; `apply` reports it if drawn anyway.
                    0 | 1 => allowed[0],
                    n => allowed[rng.below(n)],
                };
                Augmentation::PowerLine {
                    mains,
                    amplitude_mv: self.power_line.amplitude_mv.draw(rng),
                }
            }
        }
    }
}

// --------------------------------------------------------------------------------------------
// One concrete augmentation
// --------------------------------------------------------------------------------------------

/// One augmentation with its parameter values fixed (what a technique drew). What each does to a
/// window `x` of `L` samples at `fs_hz` with the R peak at `r`:
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Augmentation {
    /// `y[k] = x[k] + σ·n[k]`, `n` white standard normal, `σ² = P / 10^(snr_db/10)` with `P`
    /// the window's power after removing its mean. See [`gaussian_noise`].
    GaussianNoise {
        /// Signal-to-noise ratio, dB.
        snr_db: f32,
    },
    /// `y[k] = x(φ(k))` with `φ` smooth, strictly increasing, `φ(0) = 0`, `φ(r) = r`,
    /// `φ(L−1) = L−1` and `|φ(k+1) − φ(k) − 1| ≤ strength`. See [`time_warp`].
    TimeWarp {
        /// Largest change of the local sampling rate (0 ≤ strength ≤ 0.5).
        strength: f32,
    },
    /// `y[k] = factor · x[k]`. See [`amplitude_scale`].
    AmplitudeScale {
        /// Gain.
        factor: f32,
    },
    /// `y[k] = x[clamp(k − shift, 0, L−1)]`: positive shifts move the beat later. See
    /// [`time_shift`].
    TimeShift {
        /// Shift, samples.
        shift_samples: i32,
    },
    /// Spectrum of the analytic signal moved by `shift_hz`. See [`frequency_shift`].
    FrequencyShift {
        /// Shift, Hz.
        shift_hz: f32,
    },
    /// `y = x + w`, `w` a sum of [`WANDER_COMPONENTS`] sinusoids with frequencies in `band_hz`
    /// and `|w| ≤ amplitude_mv`. See [`baseline_wander`].
    BaselineWander {
        /// Bound on `|w|`, mV.
        amplitude_mv: f32,
        /// Band of the component frequencies, Hz.
        band_hz: ParamRange,
    },
    /// `y[k] = x[k] + a·sin(2π f k / fs_hz + θ)`, `θ` uniform. See [`power_line`].
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

// --------------------------------------------------------------------------------------------
// Checks
// --------------------------------------------------------------------------------------------

/// `v` as the decimal number it prints as (`0.9f32` → `0.9`, not `0.8999999761581421`), so
/// messages show what the user typed.
fn wide(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

fn check_rate(fs_hz: f32) -> Result<(), AugmentError> {
    if fs_hz.is_finite() && fs_hz > 0.0 {
        Ok(())
    } else {
        Err(AugmentError::BadRate { fs_hz })
    }
}

/// Checks a window's shape: rate, length, R index.
pub fn check_layout(len_samples: usize, fs_hz: f32, r_index: usize) -> Result<(), AugmentError> {
    check_rate(fs_hz)?;
    if len_samples < MIN_WINDOW_SAMPLES {
        return Err(AugmentError::WindowTooShort {
            len_samples,
            min_samples: MIN_WINDOW_SAMPLES,
        });
    }
    if r_index >= len_samples {
        return Err(AugmentError::RIndexOutside {
            r_index,
            len_samples,
        });
    }
    Ok(())
}

fn check_out_len(len: usize, out_len: usize) -> Result<(), AugmentError> {
    if out_len == len {
        Ok(())
    } else {
        Err(AugmentError::OutOfRange {
            parameter: "output buffer length",
            value: out_len as f64,
            min: len as f64,
            max: len as f64,
        })
    }
}

fn check_finite(window_mv: &[f32]) -> Result<(), AugmentError> {
    match window_mv.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(AugmentError::NonFinite {
            beat: None,
            index,
            value: window_mv[index],
        }),
    }
}

// --------------------------------------------------------------------------------------------
// The augmenter: cached FFT plans and buffers
// --------------------------------------------------------------------------------------------

/// Forward and inverse FFT plans of one length.
type FftPair = (Arc<dyn Fft<f32>>, Arc<dyn Fft<f32>>);

/// Applies augmentations to many windows, keeping the FFT plans (per window length) and work
/// buffers between calls, so a beat costs no planning and no allocation.
pub struct Augmenter {
    planner: FftPlanner<f32>,
    /// FFT length and its forward and inverse plans.
    plans: Option<(usize, FftPair)>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    positions: Vec<f64>,
    chain: Vec<f32>,
}

impl fmt::Debug for Augmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Augmenter")
            .field("fft_len", &self.plans.as_ref().map(|p| p.0))
            .finish_non_exhaustive()
    }
}

impl Default for Augmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Augmenter {
    /// An augmenter with no plan yet (plans are made on first use of each window length).
    pub fn new() -> Self {
        Self {
            planner: FftPlanner::new(),
            plans: None,
            spectrum: Vec::new(),
            scratch: Vec::new(),
            positions: Vec::new(),
            chain: Vec::new(),
        }
    }

    /// Writes `augmentation` of `window_mv` into `out` (same length). Random parts (noise
    /// samples, warp shape, phases) are drawn from `rng`.
    pub fn apply(
        &mut self,
        window_mv: &[f32],
        fs_hz: f32,
        r_index: usize,
        augmentation: &Augmentation,
        rng: &mut Rng,
        out: &mut [f32],
    ) -> Result<(), AugmentError> {
        let len = window_mv.len();
        check_layout(len, fs_hz, r_index)?;
        check_out_len(len, out.len())?;
        check_finite(window_mv)?;
        augmentation.validate(fs_hz, len)?;
        match *augmentation {
            Augmentation::GaussianNoise { snr_db } => noise_into(window_mv, snr_db, rng, out),
            Augmentation::TimeWarp { strength } => {
                warp_positions_into(len, r_index, strength, rng, &mut self.positions);
                interpolate_into(window_mv, &self.positions, out);
            }
            Augmentation::AmplitudeScale { factor } => {
                for (o, &v) in out.iter_mut().zip(window_mv) {
                    *o = v * factor;
                }
            }
            Augmentation::TimeShift { shift_samples } => {
                shift_into(window_mv, i64::from(shift_samples), out)
            }
            Augmentation::FrequencyShift { shift_hz } => {
                self.frequency_shift_into(window_mv, fs_hz, r_index, shift_hz, out)
            }
            Augmentation::BaselineWander {
                amplitude_mv,
                band_hz,
            } => wander_into(window_mv, fs_hz, amplitude_mv, band_hz, rng, out),
            Augmentation::PowerLine {
                mains,
                amplitude_mv,
            } => {
                let phase = rng.uniform_range(0.0, std::f64::consts::TAU);
                out.copy_from_slice(window_mv);
                add_sinusoid(
                    out,
                    f64::from(amplitude_mv),
                    std::f64::consts::TAU * mains.hz() / f64::from(fs_hz),
                    phase,
                );
            }
        }
        Ok(())
    }

    /// Applies `augmentations` one after the other (in the order given) to `window_mv`,
    /// writing the result into `out`. An empty list copies the window.
    pub fn apply_chain(
        &mut self,
        window_mv: &[f32],
        fs_hz: f32,
        r_index: usize,
        augmentations: &[Augmentation],
        rng: &mut Rng,
        out: &mut [f32],
    ) -> Result<(), AugmentError> {
        let Some((first, rest)) = augmentations.split_first() else {
            check_layout(window_mv.len(), fs_hz, r_index)?;
            check_out_len(window_mv.len(), out.len())?;
            out.copy_from_slice(window_mv);
            return Ok(());
        };
        self.apply(window_mv, fs_hz, r_index, first, rng, out)?;
        if rest.is_empty() {
            return Ok(());
        }
        let mut tmp = std::mem::take(&mut self.chain);
        let result = rest.iter().try_for_each(|a| {
            tmp.clear();
            tmp.extend_from_slice(out);
            self.apply(&tmp, fs_hz, r_index, a, rng, out)
        });
        self.chain = tmp;
        result
    }

    /// Forward and inverse plans for `n` points, made once per length.
    fn plans_for(&mut self, n: usize) -> FftPair {
        if let Some((len, (fwd, inv))) = &self.plans {
            if *len == n {
                return (Arc::clone(fwd), Arc::clone(inv));
            }
        }
        let fwd = self.planner.plan_fft_forward(n);
        let inv = self.planner.plan_fft_inverse(n);
        let scratch = fwd
            .get_inplace_scratch_len()
            .max(inv.get_inplace_scratch_len());
        self.scratch.resize(scratch, Complex::new(0.0f32, 0.0f32));
        self.spectrum.resize(n, Complex::new(0.0f32, 0.0f32));
        self.plans = Some((n, (Arc::clone(&fwd), Arc::clone(&inv))));
        (fwd, inv)
    }

    /// See [`frequency_shift`].
    fn frequency_shift_into(
        &mut self,
        x: &[f32],
        fs_hz: f32,
        r_index: usize,
        shift_hz: f32,
        out: &mut [f32],
    ) {
        let len = x.len();
        let n = 2 * len;
        let (fwd, inv) = self.plans_for(n);
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / len as f64;
        let spectrum = &mut self.spectrum[..n];
        // Even (mirror) extension: continuous at both joins, so the periodic view of the FFT
        // sees no jump, and its Nyquist component is exactly zero.
        for (k, &v) in x.iter().enumerate() {
            let c = Complex::new((f64::from(v) - mean) as f32, 0.0);
            spectrum[k] = c;
            spectrum[n - 1 - k] = c;
        }
        fwd.process_with_scratch(spectrum, &mut self.scratch);
        // Analytic signal, keeping only components that land strictly inside (0, fs/2).
        let fs = f64::from(fs_hz);
        let d = f64::from(shift_hz);
        let df = fs / n as f64;
        let nyquist = fs / 2.0;
        spectrum[0] = Complex::new(0.0, 0.0);
        for (k, c) in spectrum.iter_mut().enumerate().take(n / 2).skip(1) {
            let f = k as f64 * df + d;
            *c = if f > 0.0 && f < nyquist {
                *c * 2.0
            } else {
                Complex::new(0.0, 0.0)
            };
        }
        for c in &mut spectrum[n / 2..] {
            *c = Complex::new(0.0, 0.0);
        }
        inv.process_with_scratch(spectrum, &mut self.scratch);
        let scale = 1.0 / n as f64;
        let omega = std::f64::consts::TAU * d / fs;
        for (k, o) in out.iter_mut().enumerate() {
            let z = spectrum[k];
            let (s, c) = (omega * (k as f64 - r_index as f64)).sin_cos();
            let re = (f64::from(z.re) * c - f64::from(z.im) * s) * scale;
            *o = (mean + re) as f32;
        }
    }
}

// --------------------------------------------------------------------------------------------
// Kernels (inputs already checked)
// --------------------------------------------------------------------------------------------

fn noise_into(x: &[f32], snr_db: f32, rng: &mut Rng, out: &mut [f32]) {
    let sigma = noise_sigma(x, snr_db);
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (f64::from(v) + sigma * rng.normal()) as f32;
    }
}

/// Window power after removing its mean, mV²: `P = (1/L) Σ (x[k] − mean(x))²`.
pub fn signal_power_mv2(window_mv: &[f32]) -> f64 {
    if window_mv.is_empty() {
        return 0.0;
    }
    let n = window_mv.len() as f64;
    let mean = window_mv.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    window_mv
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n
}

fn noise_sigma(x: &[f32], snr_db: f32) -> f64 {
    (signal_power_mv2(x) / 10f64.powf(f64::from(snr_db) / 10.0)).sqrt()
}

/// Fills `positions` with the warp `φ(k)` of [`time_warp`].
fn warp_positions_into(
    len: usize,
    r_index: usize,
    strength: f32,
    rng: &mut Rng,
    positions: &mut Vec<f64>,
) {
    positions.clear();
    positions.extend((0..len).map(|k| k as f64));
    // Shape coefficients: two per side, always drawn, so the stream does not depend on r.
    let coef = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    let s = f64::from(strength);
    let (left, right) = positions.split_at_mut(r_index);
    // left = [0, r), right = [r, L): the bump on [0, r] ends at r with zero displacement.
    bump(left, r_index, coef[0], coef[1], s);
    bump(right, len - 1 - r_index, coef[2], coef[3], s);
}

/// Adds `d(j) = a·sin²(πj/m) + b·sin²(2πj/m)`, scaled so `max |d(j+1) − d(j)| = s`, to
/// `seg[j]` for `0 < j < m` (`seg` holds positions `j = 0..` of a segment of `m + 1` points;
/// it may stop before `j = m`, whose displacement is zero anyway).
fn bump(seg: &mut [f64], m: usize, a: f64, b: f64, s: f64) {
    if m < 2 || s == 0.0 {
        return;
    }
    let d = |j: usize| {
        if j == 0 || j >= m {
            0.0
        } else {
            let u = std::f64::consts::PI * j as f64 / m as f64;
            a * u.sin().powi(2) + b * (2.0 * u).sin().powi(2)
        }
    };
    let mut max_step = 0.0f64;
    let mut prev = 0.0;
    for j in 1..=m {
        let v = d(j);
        max_step = max_step.max((v - prev).abs());
        prev = v;
    }
    if max_step <= 0.0 || !max_step.is_finite() {
        return;
    }
    let k = s / max_step;
    for (j, p) in seg.iter_mut().enumerate().skip(1) {
        *p += k * d(j);
    }
}

/// Catmull–Rom interpolation of `x` at fractional `positions` (linear extrapolation of the end
/// tangents, so straight lines are reproduced exactly, up to the ends).
fn interpolate_into(x: &[f32], positions: &[f64], out: &mut [f32]) {
    let len = x.len();
    let last = len - 1;
    let at = |i: isize| -> f64 {
        if i < 0 {
            2.0 * f64::from(x[0]) - f64::from(x[1])
        } else if i as usize > last {
            2.0 * f64::from(x[last]) - f64::from(x[last - 1])
        } else {
            f64::from(x[i as usize])
        }
    };
    for (o, &p) in out.iter_mut().zip(positions) {
        let p = p.clamp(0.0, last as f64);
        let i = p.floor() as usize;
        let t = p - i as f64;
        if t == 0.0 || i >= last {
            *o = x[i.min(last)];
            continue;
        }
        let i = i as isize;
        let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
        let v = p1
            + 0.5
                * t
                * (p2 - p0
                    + t * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + t * (3.0 * (p1 - p2) + p3 - p0)));
        *o = v as f32;
    }
}

fn shift_into(x: &[f32], shift: i64, out: &mut [f32]) {
    let last = x.len() as i64 - 1;
    for (k, o) in out.iter_mut().enumerate() {
        *o = x[(k as i64 - shift).clamp(0, last) as usize];
    }
}

fn wander_into(
    x: &[f32],
    fs_hz: f32,
    amplitude_mv: f32,
    band_hz: ParamRange,
    rng: &mut Rng,
    out: &mut [f32],
) {
    let mut freq_hz = [0.0f64; WANDER_COMPONENTS];
    let mut phase = [0.0f64; WANDER_COMPONENTS];
    let mut weight = [0.0f64; WANDER_COMPONENTS];
    for j in 0..WANDER_COMPONENTS {
        freq_hz[j] = f64::from(band_hz.draw(rng));
        phase[j] = rng.uniform_range(0.0, std::f64::consts::TAU);
        weight[j] = 1.0 - rng.uniform(); // (0, 1]
    }
    let total: f64 = weight.iter().sum();
    out.copy_from_slice(x);
    for j in 0..WANDER_COMPONENTS {
        add_sinusoid(
            out,
            f64::from(amplitude_mv) * weight[j] / total,
            std::f64::consts::TAU * freq_hz[j] / f64::from(fs_hz),
            phase[j],
        );
    }
}

/// `out[k] += a·sin(ω k + θ)`, by rotating a phasor (one complex multiply per sample; the
/// rounding error grows like `k·ε`, negligible over beat windows and minutes alike).
fn add_sinusoid(out: &mut [f32], a: f64, omega: f64, theta: f64) {
    let (ds, dc) = omega.sin_cos();
    let (mut s, mut c) = theta.sin_cos();
    for o in out.iter_mut() {
        *o = (f64::from(*o) + a * s) as f32;
        let s_next = s * dc + c * ds;
        c = c * dc - s * ds;
        s = s_next;
    }
}

// --------------------------------------------------------------------------------------------
// One window at a time: the pure functions
// --------------------------------------------------------------------------------------------

/// Applies one `augmentation` to `window_mv` (mV, at `fs_hz`, R peak at `r_index`), random
/// parts drawn from `Rng::new(seed)`. Returns a new window of the same length.
pub fn augment(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    augmentation: &Augmentation,
    seed: u64,
) -> Result<Vec<f32>, AugmentError> {
    let mut out = vec![0.0; window_mv.len()];
    Augmenter::new().apply(
        window_mv,
        fs_hz,
        r_index,
        augmentation,
        &mut Rng::new(seed),
        &mut out,
    )?;
    Ok(out)
}

/// Draws the parameters of `technique` from `ranges`, then applies them; one generator,
/// `Rng::new(seed)`, serves both. Returns what was drawn and the new window.
pub fn augment_random(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    technique: Technique,
    ranges: &TechniqueRanges,
    seed: u64,
) -> Result<(Augmentation, Vec<f32>), AugmentError> {
    ranges.validate(technique, fs_hz, window_mv.len())?;
    let mut rng = Rng::new(seed);
    let augmentation = ranges.draw(technique, fs_hz, &mut rng);
    let mut out = vec![0.0; window_mv.len()];
    Augmenter::new().apply(window_mv, fs_hz, r_index, &augmentation, &mut rng, &mut out)?;
    Ok((augmentation, out))
}

/// Adds white Gaussian noise at `snr_db`.
///
/// Signal power is measured on the window after removing its mean (the beat's AC power; a
/// baseline offset is not signal): `P = (1/L) Σ (x[k] − x̄)²`. Each sample gets
/// `σ·n[k]` with `n[k]` independent standard normals from `Rng::new(seed)` and
/// `σ = √(P / 10^(snr_db/10))`, so the expected noise power is `P / 10^(snr_db/10)`. A window
/// with no variation (`P = 0`) gets no noise. `fs_hz` and `r_index` are checked, not used.
pub fn gaussian_noise(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    snr_db: f32,
    seed: u64,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::GaussianNoise { snr_db },
        seed,
    )
}

/// Warps the time axis smoothly, keeping the R peak and both ends where they are.
///
/// Output `y[k] = x(φ(k))`, with `x` read between samples by Catmull–Rom (cubic Hermite)
/// interpolation, and `φ(k) = k + d(k)`. On each side of the R peak, a segment of `m` samples
/// (`m = r_index` before, `L − 1 − r_index` after) gets its own displacement
/// `d(j) = a·sin²(πj/m) + b·sin²(2πj/m)` with `a`, `b` standard normal, scaled so that the
/// largest step `|d(j+1) − d(j)|` equals `strength`. Hence: `φ(0) = 0`, `φ(r_index) = r_index`,
/// `φ(L−1) = L−1`; `φ` is strictly increasing (steps within `1 ± strength`, strength ≤ 0.5);
/// `d` has zero slope at the segment ends, so the local rate changes smoothly through the R
/// peak. Where `d > 0` the beat is read ahead (the wave arrives earlier), where `d` rises the
/// waveform is compressed, where it falls stretched. `y[r_index] = x[r_index]` exactly.
/// Coefficients come from `Rng::new(seed)`; see [`time_warp_positions`] for `φ` itself.
pub fn time_warp(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    strength: f32,
    seed: u64,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::TimeWarp { strength },
        seed,
    )
}

/// The warp `φ(k)`, `k = 0..len`, that [`time_warp`] with the same arguments uses.
pub fn time_warp_positions(
    len_samples: usize,
    r_index: usize,
    strength: f32,
    seed: u64,
) -> Result<Vec<f64>, AugmentError> {
    check_layout(len_samples, 1.0, r_index)?;
    LIMIT_WARP_STRENGTH.check(f64::from(strength))?;
    let mut positions = Vec::with_capacity(len_samples);
    warp_positions_into(
        len_samples,
        r_index,
        strength,
        &mut Rng::new(seed),
        &mut positions,
    );
    Ok(positions)
}

/// Multiplies every sample by `factor`, baseline offset included (as a change of amplifier gain
/// or of electrode distance would). Deterministic; `fs_hz` and `r_index` are checked only.
pub fn amplitude_scale(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    factor: f32,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::AmplitudeScale { factor },
        0,
    )
}

/// Shifts the window by `shift_samples` whole samples: `y[k] = x[clamp(k − shift, 0, L−1)]`.
///
/// A positive shift moves the beat later (the R peak to `r_index + shift`), as if the fiducial
/// point had been detected early. Edge rule: replicate — samples shifted in from outside repeat
/// the first (positive shift) or last (negative shift) sample. The inverse is
/// `time_shift(y, −shift)`, exact inside [`time_shift_kept`]`(L, shift)`: the samples of `x`
/// that survive both shifts. Deterministic; `|shift| ≤ L/2`.
pub fn time_shift(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    shift_samples: i32,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::TimeShift { shift_samples },
        0,
    )
}

/// Indices of `x` restored exactly by undoing a [`time_shift`] of `shift_samples`:
/// `max(0, −shift) .. min(L, L − shift)`.
pub fn time_shift_kept(len_samples: usize, shift_samples: i32) -> std::ops::Range<usize> {
    let s = i64::from(shift_samples);
    let len = len_samples as i64;
    let lo = (-s).clamp(0, len);
    let hi = (len - s).clamp(lo, len);
    lo as usize..hi as usize
}

/// Shifts the spectrum by `shift_hz`: single-sideband modulation of the beat's AC part.
///
/// Exactly: (1) remove the window mean `x̄`; (2) extend the window to `2L` samples by its mirror
/// image (`x[0..L]` then `x[L−1], …, x[0]`), which has no jump at the joins of the FFT's periodic
/// view; (3) FFT, keep positive frequencies `f` with `0 < f + shift_hz < fs/2` (doubled: the
/// analytic signal `z`), drop DC, the negative half, and components that would cross 0 Hz or
/// the Nyquist frequency; (4) inverse FFT; (5) output
/// `y[k] = x̄ + Re(z[k] · e^{i 2π shift_hz (k − r_index) / fs})` for `k < L`. A component at
/// `f` Hz comes out at `f + shift_hz` Hz; the output is real by construction (a real part); the
/// modulation has zero phase at the R peak; `shift_hz = 0` returns the window (up to rounding).
/// Deterministic.
pub fn frequency_shift(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    shift_hz: f32,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::FrequencyShift { shift_hz },
        0,
    )
}

/// Adds baseline wander: `y[k] = x[k] + A Σ_j c_j sin(2π f_j k / fs + θ_j)`, `j = 1..=3`
/// ([`WANDER_COMPONENTS`]), with `f_j` uniform in `band_hz`, `θ_j` uniform in `[0, 2π)`, weights
/// `c_j` uniform in `(0, 1]` normalised to sum 1 (so `|drift| ≤ A = amplitude_mv`), all from
/// `Rng::new(seed)`. Over a 0.7 s beat window a 0.05–0.5 Hz drift is an offset plus a slope or
/// a gentle bend.
pub fn baseline_wander(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    amplitude_mv: f32,
    band_hz: ParamRange,
    seed: u64,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::BaselineWander {
            amplitude_mv,
            band_hz,
        },
        seed,
    )
}

/// Adds power-line interference: `y[k] = x[k] + a·sin(2π f k / fs + θ)`, `f` = 50 or 60 Hz,
/// `a = amplitude_mv`, `θ` uniform in `[0, 2π)` from `Rng::new(seed)`. `f` must be below the
/// window's Nyquist frequency `fs/2` (at 180 Hz both are representable; at 100 Hz neither is).
pub fn power_line(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    mains: Mains,
    amplitude_mv: f32,
    seed: u64,
) -> Result<Vec<f32>, AugmentError> {
    augment(
        window_mv,
        fs_hz,
        r_index,
        &Augmentation::PowerLine {
            mains,
            amplitude_mv,
        },
        seed,
    )
}

// --------------------------------------------------------------------------------------------
// Preview
// --------------------------------------------------------------------------------------------

/// One augmented copy shown in a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewDraw {
    /// What was drawn.
    pub augmentation: Augmentation,
    /// The augmented window, mV.
    pub window_mv: Vec<f32>,
}

/// Augmented copies of one window by one technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The technique.
    pub technique: Technique,
    /// The copies.
    pub draws: Vec<PreviewDraw>,
}

/// For the page's overlay plot: `n_per_technique` augmented copies of `window_mv` for each of
/// `techniques`, parameters drawn from `ranges`. Each technique draws from its own generator
/// derived from `seed` and the technique, so adding or removing a technique does not change the
/// others' copies. At most [`MAX_PREVIEW_PER_TECHNIQUE`] copies per technique.
pub fn preview(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    techniques: &[Technique],
    ranges: &TechniqueRanges,
    n_per_technique: usize,
    seed: u64,
) -> Result<Vec<Preview>, AugmentError> {
    if n_per_technique > MAX_PREVIEW_PER_TECHNIQUE {
        return Err(AugmentError::OutOfRange {
            parameter: "augmentations per technique",
            value: n_per_technique as f64,
            min: 0.0,
            max: MAX_PREVIEW_PER_TECHNIQUE as f64,
        });
    }
    check_layout(window_mv.len(), fs_hz, r_index)?;
    let mut augmenter = Augmenter::new();
    let mut out = Vec::with_capacity(techniques.len());
    for &technique in techniques {
        ranges.validate(technique, fs_hz, window_mv.len())?;
        let mut rng = Rng::new(seed).fork(technique.index() as u64 + 1);
        let mut draws = Vec::with_capacity(n_per_technique);
        for _ in 0..n_per_technique {
            let augmentation = ranges.draw(technique, fs_hz, &mut rng);
            let mut y = vec![0.0; window_mv.len()];
            augmenter.apply(window_mv, fs_hz, r_index, &augmentation, &mut rng, &mut y)?;
            draws.push(PreviewDraw {
                augmentation,
                window_mv: y,
            });
        }
        out.push(Preview { technique, draws });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS_HZ: f32 = 180.0;
    const LEN: usize = 126;
    const R: usize = 45;

    /// A synthetic beat at 180 Hz, R at 45: Gaussian P, Q, R, S and T waves on a 0.1 mV offset.
    fn beat() -> Vec<f32> {
        let waves = [
            (-0.20, 0.15, 0.025),
            (-0.03, -0.12, 0.008),
            (0.0, 1.20, 0.010),
            (0.03, -0.25, 0.010),
            (0.30, 0.35, 0.040),
        ];
        (0..LEN)
            .map(|k| {
                let t = (k as f64 - R as f64) / f64::from(FS_HZ);
                let v: f64 = waves
                    .iter()
                    .map(|(c, a, w)| a * (-((t - c) / w).powi(2) / 2.0).exp())
                    .sum();
                (0.1 + v) as f32
            })
            .collect()
    }

    /// Slow, obvious DFT magnitude: |Σ x[n] e^{−2πi kn/N}| for k = 0..=N/2.
    fn dft_magnitude(x: &[f64]) -> Vec<f64> {
        let n = x.len();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0, 0.0);
                for (j, &v) in x.iter().enumerate() {
                    let a = std::f64::consts::TAU * (k * j % n) as f64 / n as f64;
                    re += v * a.cos();
                    im -= v * a.sin();
                }
                (re * re + im * im).sqrt()
            })
            .collect()
    }

    fn argmax(x: &[f64]) -> usize {
        x.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i)
    }

    fn diff(a: &[f32], b: &[f32]) -> Vec<f64> {
        a.iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) - f64::from(*y))
            .collect()
    }

    #[test]
    fn technique_table_is_total_and_names_round_trip() {
        for (i, t) in Technique::ALL.into_iter().enumerate() {
            assert_eq!(t.index(), i);
            assert_eq!(TECHNIQUE_NAMES[i].0, t, "table out of order at {i}");
            assert_eq!(t.name().parse::<Technique>(), Ok(t));
            assert_eq!(t.to_string().to_uppercase().parse::<Technique>(), Ok(t));
            assert_eq!(
                TECHNIQUE_NAMES.iter().filter(|e| e.1 == t.name()).count(),
                1
            );
        }
        assert!(matches!(
            "wiggle".parse::<Technique>(),
            Err(AugmentError::UnknownTechnique { .. })
        ));
        assert_eq!(
            Technique::parse_list(" noise, warp ,noise"),
            Ok(vec![Technique::TimeWarp, Technique::GaussianNoise])
        );
        assert_eq!(Technique::parse_list("all"), Ok(Technique::ALL.to_vec()));
        assert_eq!(Technique::parse_list("none"), Ok(vec![]));
        assert!(Technique::parse_list("noise,,warp").is_err());
    }

    #[test]
    fn limits_are_ordered_and_defaults_valid_at_180_hz() {
        for l in LIMITS {
            assert!(l.min < l.max, "{}", l.parameter);
            assert!(l.check(f64::NAN).is_err());
        }
        let ranges = TechniqueRanges::default();
        for t in Technique::ALL {
            assert_eq!(ranges.validate(t, FS_HZ, LEN), Ok(()), "{t}");
        }
    }

    #[test]
    fn noise_at_snr_measures_back_on_a_long_window() {
        // 100 s at 180 Hz: the measured noise power's relative spread is √(2/18000) ≈ 1 %
        // (0.05 dB), so ±0.5 dB is a real check.
        let x: Vec<f32> = (0..18_000)
            .map(|k| {
                let t = k as f64 / 180.0;
                (1.3 + 0.8 * (std::f64::consts::TAU * 7.0 * t).sin()
                    + 0.3 * (std::f64::consts::TAU * 1.1 * t).cos()) as f32
            })
            .collect();
        let p = signal_power_mv2(&x);
        for (i, snr_db) in [-5.0f32, 0.0, 10.0, 20.0, 30.0, 45.0, 60.0]
            .into_iter()
            .enumerate()
        {
            let y = gaussian_noise(&x, FS_HZ, 0, snr_db, i as u64).unwrap();
            let pn = diff(&y, &x).iter().map(|d| d * d).sum::<f64>() / x.len() as f64;
            let got = 10.0 * (p / pn).log10();
            assert!(
                (got - f64::from(snr_db)).abs() < 0.5,
                "asked {snr_db} dB, measured {got:.2} dB"
            );
        }
    }

    #[test]
    fn noise_at_snr_measures_back_averaged_over_beat_windows() {
        // One 126-sample window measures its own noise power only to ±13 % (±0.55 dB, one
        // standard deviation); averaged over 400 draws the spread is 0.6 % (0.03 dB).
        let x = beat();
        let p = signal_power_mv2(&x);
        for snr_db in [10.0f32, 20.0, 30.0] {
            let mut pn = 0.0;
            for seed in 0..400 {
                let y = gaussian_noise(&x, FS_HZ, R, snr_db, seed).unwrap();
                pn += diff(&y, &x).iter().map(|d| d * d).sum::<f64>() / LEN as f64;
            }
            let got = 10.0 * (p / (pn / 400.0)).log10();
            assert!((got - f64::from(snr_db)).abs() < 0.5, "{snr_db}: {got}");
        }
        // A flat window has no signal power and gets no noise.
        let flat = vec![0.4f32; LEN];
        assert_eq!(gaussian_noise(&flat, FS_HZ, R, 20.0, 1).unwrap(), flat);
    }

    #[test]
    fn frequency_shift_moves_a_tone_to_the_expected_bin() {
        // Bin width fs/L = 180/126 Hz; tone at bin 10, shifted by whole and fractional bins.
        let df = f64::from(FS_HZ) / LEN as f64;
        let tone: Vec<f32> = (0..LEN)
            .map(|k| (0.5 * (std::f64::consts::TAU * 10.0 * k as f64 / LEN as f64).cos()) as f32)
            .collect();
        for (shift_hz, want_bin) in [
            (3.0 * df, 13usize),
            (-4.0 * df, 6),
            (2.0, 11),  // 14.29 + 2 = 16.29 Hz → bin 11.4
            (-2.3, 8),  // 14.29 − 2.3 = 11.99 Hz → bin 8.4
            (12.5, 19), // 26.79 Hz → bin 18.75
        ] {
            let y = frequency_shift(&tone, FS_HZ, R, shift_hz as f32).unwrap();
            let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
            let mag = dft_magnitude(&y);
            assert_eq!(argmax(&mag[1..]) + 1, want_bin, "shift {shift_hz} Hz");
        }
        // On the exact bins the shifted tone is clean: almost all its energy in one bin.
        let y = frequency_shift(&tone, FS_HZ, R, (3.0 * df) as f32).unwrap();
        let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let mag = dft_magnitude(&y);
        let energy: f64 = mag.iter().map(|m| m * m).sum();
        assert!(mag[13] * mag[13] > 0.95 * energy);
    }

    #[test]
    fn frequency_shift_by_zero_returns_the_window() {
        let x = beat();
        let y = frequency_shift(&x, FS_HZ, R, 0.0).unwrap();
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() < 1e-4, "{a} {b}");
        }
    }

    #[test]
    fn time_shift_replicates_edges_and_its_inverse_restores_the_kept_region() {
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(
            time_shift(&x, FS_HZ, 2, 2).unwrap(),
            [1.0, 1.0, 1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(
            time_shift(&x, FS_HZ, 2, -3).unwrap(),
            [4.0, 5.0, 6.0, 6.0, 6.0, 6.0]
        );
        for s in -3..=3 {
            let y = time_shift(&x, FS_HZ, 2, s).unwrap();
            let z = time_shift(&y, FS_HZ, 2, -s).unwrap();
            let kept = time_shift_kept(x.len(), s);
            assert_eq!(kept.len(), x.len() - s.unsigned_abs() as usize);
            assert_eq!(&z[kept.clone()], &x[kept]);
        }
        assert!(time_shift(&x, FS_HZ, 2, 4).is_err());
    }

    #[test]
    fn time_warp_fixes_r_and_ends_and_is_monotone() {
        let x = beat();
        for seed in 0..50 {
            let pos = time_warp_positions(LEN, R, 0.2, seed).unwrap();
            assert_eq!(
                (pos[0], pos[R], pos[LEN - 1]),
                (0.0, R as f64, (LEN - 1) as f64)
            );
            let strength = f64::from(0.2f32);
            let steps: Vec<f64> = pos.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(
                steps
                    .iter()
                    .all(|&s| (1.0 - strength - 1e-9..=1.0 + strength + 1e-9).contains(&s))
            );
            // The strength is reached.
            let max_dev = steps.iter().fold(0.0f64, |m, s| m.max((s - 1.0).abs()));
            assert!((max_dev - strength).abs() < 1e-9, "{max_dev}");
            let y = time_warp(&x, FS_HZ, R, 0.2, seed).unwrap();
            assert_eq!(y[R], x[R]);
            assert_ne!(y, x);
        }
        // Straight lines are reproduced: y[k] = φ(k) on a ramp.
        let ramp: Vec<f32> = (0..LEN).map(|k| k as f32).collect();
        let pos = time_warp_positions(LEN, R, 0.3, 9).unwrap();
        let y = time_warp(&ramp, FS_HZ, R, 0.3, 9).unwrap();
        for (a, b) in y.iter().zip(&pos) {
            assert!((f64::from(*a) - b).abs() < 1e-3);
        }
        // Zero strength is the identity.
        assert_eq!(time_warp(&x, FS_HZ, R, 0.0, 3).unwrap(), x);
    }

    #[test]
    fn power_line_shows_a_peak_at_mains() {
        // 126 samples at 180 Hz: 50 Hz is bin 35, 60 Hz bin 42, both exact.
        let x = beat();
        for (mains, bin) in [(Mains::Hz50, 35usize), (Mains::Hz60, 42)] {
            let y = power_line(&x, FS_HZ, R, mains, 0.05, 7).unwrap();
            let added = dft_magnitude(&diff(&y, &x));
            assert_eq!(argmax(&added), bin);
            // Amplitude: |X[k]| = a·L/2 for a sinusoid on a bin.
            assert!((added[bin] * 2.0 / LEN as f64 - 0.05).abs() < 1e-4);
            // And in the augmented beat itself, the largest component above 40 Hz.
            let yf: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
            let mag = dft_magnitude(&yf);
            let from = 28; // 40 Hz
            assert_eq!(argmax(&mag[from..]) + from, bin);
        }
        // At 100 Hz neither mains frequency is below Nyquist.
        let e = power_line(&x, 100.0, R, Mains::Hz50, 0.05, 7).unwrap_err();
        assert!(matches!(e, AugmentError::AboveNyquist { .. }), "{e}");
        let ranges = TechniqueRanges::default();
        assert!(ranges.validate(Technique::PowerLine, 100.0, LEN).is_err());
        // At 110 Hz only 50 Hz is: `Either` draws it.
        let mut rng = Rng::new(1);
        for _ in 0..20 {
            let a = ranges.draw(Technique::PowerLine, 110.0, &mut rng);
            assert!(matches!(
                a,
                Augmentation::PowerLine {
                    mains: Mains::Hz50,
                    ..
                }
            ));
        }
    }

    #[test]
    fn baseline_wander_stays_below_1_hz_and_within_its_amplitude() {
        // 60 s at 180 Hz: long enough to resolve 0.05 Hz (bin width 1/60 Hz); Hann-windowed
        // spectrum of the added drift.
        let n = 10_800;
        let zero = vec![0.0f32; n];
        for seed in 0..5 {
            let w =
                baseline_wander(&zero, FS_HZ, 0, 0.3, ParamRange::new(0.05, 0.5), seed).unwrap();
            assert!(w.iter().all(|v| v.abs() <= 0.3 + 1e-6));
            let mut buf: Vec<Complex<f64>> = w
                .iter()
                .enumerate()
                .map(|(k, &v)| {
                    let hann = 0.5 - 0.5 * (std::f64::consts::TAU * k as f64 / n as f64).cos();
                    Complex::new(f64::from(v) * hann, 0.0)
                })
                .collect();
            FftPlanner::<f64>::new()
                .plan_fft_forward(n)
                .process(&mut buf);
            let power: Vec<f64> = buf[..n / 2].iter().map(|c| c.norm_sqr()).collect();
            let below: f64 = power[..60].iter().sum(); // bins 0..60 = 0..1 Hz
            let all: f64 = power.iter().sum();
            assert!(below > 0.999 * all, "seed {seed}: {}", below / all);
        }
        // On a beat window: the drift is bounded by the amplitude.
        let x = beat();
        let y = baseline_wander(&x, FS_HZ, R, 0.2, ParamRange::new(0.05, 0.5), 3).unwrap();
        assert!(diff(&y, &x).iter().all(|d| d.abs() <= 0.2 + 1e-6));
    }

    #[test]
    fn amplitude_scale_multiplies() {
        let x = beat();
        let y = amplitude_scale(&x, FS_HZ, R, 1.1).unwrap();
        for (a, b) in x.iter().zip(&y) {
            assert_eq!(*b, a * 1.1);
        }
    }

    #[test]
    fn bad_inputs_give_typed_errors_not_panics() {
        let x = beat();
        assert!(matches!(
            gaussian_noise(&x, 0.0, R, 20.0, 1),
            Err(AugmentError::BadRate { .. })
        ));
        assert!(matches!(
            gaussian_noise(&x, f32::NAN, R, 20.0, 1),
            Err(AugmentError::BadRate { .. })
        ));
        assert!(matches!(
            gaussian_noise(&x, FS_HZ, LEN, 20.0, 1),
            Err(AugmentError::RIndexOutside { .. })
        ));
        assert!(matches!(
            gaussian_noise(&x[..3], FS_HZ, 1, 20.0, 1),
            Err(AugmentError::WindowTooShort { .. })
        ));
        assert!(matches!(
            gaussian_noise(&x, FS_HZ, R, f32::NAN, 1),
            Err(AugmentError::OutOfRange { .. })
        ));
        assert!(matches!(
            time_warp(&x, FS_HZ, R, 0.9, 1),
            Err(AugmentError::OutOfRange { .. })
        ));
        assert!(frequency_shift(&x, FS_HZ, R, 29.0).is_ok());
        assert!(matches!(
            frequency_shift(&x, 40.0, R, 25.0),
            Err(AugmentError::AboveNyquist { .. })
        ));
        let mut nan = x.clone();
        nan[7] = f32::NAN;
        assert!(matches!(
            amplitude_scale(&nan, FS_HZ, R, 1.0),
            Err(AugmentError::NonFinite { index: 7, .. })
        ));
        let reversed = TechniqueRanges {
            noise: NoiseRange {
                snr_db: ParamRange::new(30.0, 20.0),
            },
            ..TechniqueRanges::default()
        };
        assert!(matches!(
            reversed.validate(Technique::GaussianNoise, FS_HZ, LEN),
            Err(AugmentError::ReversedRange { .. })
        ));
        let long_shift = TechniqueRanges {
            shift: ShiftRange {
                max_shift_ms: 200.0,
            },
            ..TechniqueRanges::default()
        };
        // 200 ms at 180 Hz is 36 samples: more than half of a 40-sample window.
        assert!(
            long_shift
                .validate(Technique::TimeShift, FS_HZ, LEN)
                .is_ok()
        );
        assert!(
            long_shift
                .validate(Technique::TimeShift, FS_HZ, 40)
                .is_err()
        );
        let mut out = vec![0.0; 5];
        assert!(
            Augmenter::new()
                .apply(
                    &x,
                    FS_HZ,
                    R,
                    &Augmentation::AmplitudeScale { factor: 1.0 },
                    &mut Rng::new(0),
                    &mut out
                )
                .is_err()
        );
        // Messages say what was found and what to do.
        let msg = time_warp(&x, FS_HZ, R, 0.9, 1).unwrap_err().to_string();
        assert!(msg.contains("0.9") && msg.contains("0.5"), "{msg}");
    }

    #[test]
    fn shift_draws_are_never_zero_and_within_range() {
        let ranges = TechniqueRanges::default(); // 20 ms → ±4 samples at 180 Hz
        let mut rng = Rng::new(5);
        let mut seen = [0usize; 9];
        for _ in 0..2000 {
            match ranges.draw(Technique::TimeShift, FS_HZ, &mut rng) {
                Augmentation::TimeShift { shift_samples } => {
                    assert!(shift_samples != 0 && shift_samples.abs() <= 4);
                    seen[(shift_samples + 4) as usize] += 1;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen[4], 0);
        assert!(
            seen.iter().enumerate().all(|(i, &c)| i == 4 || c > 150),
            "{seen:?}"
        );
    }

    #[test]
    fn augmenter_switches_plans_between_lengths_and_matches_the_pure_function() {
        let x = beat();
        let long: Vec<f32> = (0..300).map(|k| (k as f32 * 0.05).sin()).collect();
        let mut aug = Augmenter::new();
        let a = Augmentation::FrequencyShift { shift_hz: 0.7 };
        let mut out = vec![0.0; LEN];
        let mut out_long = vec![0.0; 300];
        let mut rng = Rng::new(0);
        for _ in 0..2 {
            aug.apply(&x, FS_HZ, R, &a, &mut rng, &mut out).unwrap();
            assert_eq!(out, frequency_shift(&x, FS_HZ, R, 0.7).unwrap());
            aug.apply(&long, FS_HZ, 10, &a, &mut rng, &mut out_long)
                .unwrap();
            assert_eq!(out_long, frequency_shift(&long, FS_HZ, 10, 0.7).unwrap());
        }
        // A chain applies in the order given.
        let chain = [
            Augmentation::TimeShift { shift_samples: 2 },
            Augmentation::AmplitudeScale { factor: 2.0 },
        ];
        aug.apply_chain(&x, FS_HZ, R, &chain, &mut rng, &mut out)
            .unwrap();
        let want = amplitude_scale(&time_shift(&x, FS_HZ, R, 2).unwrap(), FS_HZ, R, 2.0).unwrap();
        assert_eq!(out, want);
    }

    #[test]
    fn preview_is_seeded_and_per_technique_independent() {
        let x = beat();
        let ranges = TechniqueRanges::default();
        let all = preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 5, 11).unwrap();
        assert_eq!(all.len(), Technique::ALL.len());
        assert!(all.iter().all(|p| p.draws.len() == 5));
        let again = preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 5, 11).unwrap();
        assert_eq!(all, again);
        let one = preview(&x, FS_HZ, R, &[Technique::GaussianNoise], &ranges, 5, 11).unwrap();
        assert_eq!(one[0], all[Technique::GaussianNoise.index()]);
        let other_seed =
            preview(&x, FS_HZ, R, &[Technique::GaussianNoise], &ranges, 5, 12).unwrap();
        assert_ne!(one, other_seed);
        // Copies differ from each other.
        assert_ne!(all[0].draws[0].window_mv, all[0].draws[1].window_mv);
        assert!(preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 65, 11).is_err());
    }
}
