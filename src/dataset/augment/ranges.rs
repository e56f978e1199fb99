//! The range each technique's parameters are drawn from, with the reasons for the defaults, and
//! [`TechniqueRanges`], which validates and draws them.

use serde::{Deserialize, Serialize};

use super::augmentation::Augmentation;
use super::check::{check_rate, wide};
use super::error::AugmentError;
use super::limits::{
    LIMIT_MAX_SHIFT_MS, LIMIT_POWER_LINE_AMPLITUDE_MV, LIMIT_SCALE_FACTOR, LIMIT_SHIFT_HZ,
    LIMIT_SNR_DB, LIMIT_WANDER_AMPLITUDE_MV, LIMIT_WANDER_FREQ_HZ, LIMIT_WARP_STRENGTH, ParamRange,
};
use super::technique::{Mains, MainsChoice, Technique};
use crate::rng::Rng;

/// Range of [`Technique::GaussianNoise`](super::Technique::GaussianNoise).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoiseRange {
    /// SNR, dB, as defined in [`gaussian_noise`](super::gaussian_noise).
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

/// Range of [`Technique::TimeWarp`](super::Technique::TimeWarp).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeWarpRange {
    /// Strength: the local sampling rate stays within `1 ± strength` ([`time_warp`](super::time_warp)).
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

/// Range of [`Technique::AmplitudeScale`](super::Technique::AmplitudeScale).
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

/// Range of [`Technique::TimeShift`](super::Technique::TimeShift).
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

/// Range of [`Technique::FrequencyShift`](super::Technique::FrequencyShift).
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

/// Range of [`Technique::BaselineWander`](super::Technique::BaselineWander).
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

/// Range of [`Technique::PowerLine`](super::Technique::PowerLine).
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
    /// [`Technique::GaussianNoise`](super::Technique::GaussianNoise).
    pub noise: NoiseRange,
    /// [`Technique::TimeWarp`](super::Technique::TimeWarp).
    pub warp: TimeWarpRange,
    /// [`Technique::AmplitudeScale`](super::Technique::AmplitudeScale).
    pub scale: ScaleRange,
    /// [`Technique::TimeShift`](super::Technique::TimeShift).
    pub shift: ShiftRange,
    /// [`Technique::FrequencyShift`](super::Technique::FrequencyShift).
    pub frequency_shift: FrequencyShiftRange,
    /// [`Technique::BaselineWander`](super::Technique::BaselineWander).
    pub wander: WanderRange,
    /// [`Technique::PowerLine`](super::Technique::PowerLine).
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
    /// and within [`LIMITS`](super::LIMITS), frequencies below the Nyquist frequency, shifts under half the
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
