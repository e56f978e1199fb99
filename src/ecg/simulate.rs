//! ECGSYN: synthetic ECG from the dynamical model of McSharry, Clifford, Tarassenko & Smith,
//! "A dynamical model for generating synthetic electrocardiogram signals", IEEE Trans Biomed
//! Eng 50(3):289–294, 2003 — and the beat-by-beat variant the class-specific generators use.
//!
//! The model (paper eq. 3) moves a point on a limit cycle of radius 1 in the (x, y) plane at an
//! angular speed ω = 2π / RR, and pushes z away from a baseline z0 whenever the angle θ passes
//! one of five Gaussian events P, Q, R, S, T at angles θi with amplitudes ai and widths bi:
//!
//! ```text
//! ẋ = α x − ω y,   ẏ = α y + ω x,   α = 1 − √(x² + y²)
//! ż = −Σ ai Δθi exp(−Δθi² / (2 bi²)) − (z − z0),   Δθi = (θ − θi) mod 2π,   z0 = A sin(2π f2 t)
//! ```
//!
//! Units: angles in radians (the tables in degrees say so in their names), times in seconds,
//! rates in Hz; z is in model units, turned into mV either by ECGSYN's min–max scaling to
//! −0.4..1.2 mV ([`Scale::MinMax`]) or by the fixed factor [`Z_TO_MV`] ([`Scale::Fixed`]), which
//! keeps amplitudes comparable between beats and records (a ventricular beat stays larger than a
//! normal one).
//!
//! The RR process ([`rr_process`]) is ECGSYN's: a bimodal power spectrum with a Mayer-wave peak
//! (f1 ≈ 0.1 Hz) and a respiratory peak (f2 ≈ 0.25 Hz), random phases, an inverse FFT, scaled to
//! the requested mean and standard deviation. It is built exactly as `ecgsyn.m` and NeuroKit2
//! build it (including their mirror of the spectrum), so its amplitude spectrum equals
//! NeuroKit2's to rounding (`tests/synth.rs`).
//!
//! Two integrators, both fixed-step fourth-order Runge–Kutta at an internal rate that is an
//! integer multiple of the output rate (then decimated by keeping every q-th sample, as ECGSYN
//! does):
//! - [`ecgsyn`] integrates the three equations as the paper writes them;
//! - [`simulate_strip`] integrates z alone along a prescribed phase θ(t). On the limit cycle
//!   (radius 1, which the model keeps) θ̇ = ω exactly, so this is the same solution with the
//!   (x, y) part solved in closed form; it lets every beat have its own waves and timing (a
//!   premature beat, a compensatory pause), and because the phase is linear within each piece
//!   of an RR interval, each Gaussian along the half-step grid is a running product (two
//!   multiplications, an `exp` only where a piece starts) instead of four `exp`s and an `atan2`
//!   per step. A unit test checks both integrators give the same z.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// Number of Gaussian events per beat: P, Q, R, S, T.
pub const N_WAVES: usize = 5;

/// Names of the events, in table order.
pub const WAVE_NAMES: [&str; N_WAVES] = ["P", "Q", "R", "S", "T"];

/// mV per model unit of z for [`Scale::Fixed`]: the factor that makes the paper's default beat
/// at 60 bpm span 1.6 mV, as ECGSYN's min–max scaling to −0.4..1.2 mV would (measured by
/// `fixed_scale_matches_ecgsyn_span` below, with the leak and without wander or noise).
pub const Z_TO_MV: f64 = 27.445;

/// Gaussian events farther than this many widths from the phase contribute nothing: the part
/// of a wave beyond it is exp(−8) ≈ 3.4e−4 of its height, under 1 µV for a 2-mV wave (a fifth
/// of one adu at 200 adu/mV).
const CUTOFF_WIDTHS: f64 = 4.0;

/// e^x for −700 ≤ x ≤ 0 with a relative error under 1e−8: 2^(x·log₂e) split into a whole
/// power of two (written into the exponent bits) and e^g, |g| ≤ ln2/2, by its Taylor series to
/// g⁸ (remainder ≤ 0.347⁹/9! ≈ 2e−10). The integrators spend most of their time in the Gaussian
/// events; this is about twice as fast as the platform's `exp` and the same on wasm32.
#[inline]
fn exp_neg(x: f64) -> f64 {
    let x = x.clamp(-700.0, 0.0);
    let y = x * std::f64::consts::LOG2_E;
    // round(y) for y ≤ 0 without a libm call: truncation of −y + ½.
    let n = -(((0.5 - y) as i64) as f64);
    let g = (y - n) * std::f64::consts::LN_2;
    let p = 1.0
        + g * (1.0
            + g * (0.5
                + g * (1.0 / 6.0
                    + g * (1.0 / 24.0
                        + g * (1.0 / 120.0
                            + g * (1.0 / 720.0 + g * (1.0 / 5040.0 + g * (1.0 / 40320.0))))))));
    p * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}

/// Invalid simulation settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// A setting out of its range.
    #[error("{what}: {reason}")]
    Invalid {
        /// The setting.
        what: &'static str,
        /// What was expected and what was found.
        reason: String,
    },
    /// A fit needs beats of a class that the training set does not hold.
    #[error("no {class} beats in the training set to fit the {class} model to")]
    NoBeats {
        /// The class code.
        class: String,
    },
}

fn invalid(what: &'static str, reason: String) -> SimulateError {
    SimulateError::Invalid { what, reason }
}

/// The five Gaussian events of a beat as tabled at 60 bpm: angles in degrees, widths in radians.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Morphology {
    /// Angle θi of each event's centre on the limit cycle, degrees, R peak at 0 (P, Q, R, S, T).
    pub theta_deg: [f64; N_WAVES],
    /// Amplitude ai of each event, model units per radian.
    pub a: [f64; N_WAVES],
    /// Width bi of each event, radians.
    pub b_rad: [f64; N_WAVES],
}

impl Morphology {
    /// McSharry et al. 2003, table 1: θ = −70, −15, 0, 15, 100°, a = 1.2, −5, 30, −7.5, 0.75,
    /// b = 0.25, 0.1, 0.1, 0.1, 0.4 rad.
    pub const MCSHARRY_2003: Morphology = Morphology {
        theta_deg: [-70.0, -15.0, 0.0, 15.0, 100.0],
        a: [1.2, -5.0, 30.0, -7.5, 0.75],
        b_rad: [0.25, 0.1, 0.1, 0.1, 0.4],
    };

    #[allow(clippy::needless_range_loop)]
    /// The events ECGSYN integrates at heart rate `hr_bpm`: widths × √(hr/60), angles of Q and S
    /// × √(hr/60), of P and T × (hr/60)^¼, R unchanged (`ecgsyn.m`'s `hrfact`, `hrfact2`).
    pub fn at_heart_rate(&self, hr_bpm: f64) -> Waves {
        let f = (hr_bpm / 60.0).max(1e-6).sqrt();
        let f2 = f.sqrt();
        let angle_factor = [f2, f, 1.0, f, f2];
        let mut w = Waves {
            theta_rad: [0.0; N_WAVES],
            a: self.a,
            b_rad: [0.0; N_WAVES],
        };
        for i in 0..N_WAVES {
            w.theta_rad[i] = self.theta_deg[i].to_radians() * angle_factor[i];
            w.b_rad[i] = self.b_rad[i] * f;
        }
        w
    }

    #[allow(clippy::needless_range_loop)]
    /// Inverse of [`Morphology::at_heart_rate`]: the 60-bpm table whose events at `hr_bpm` are
    /// `waves`.
    pub fn from_waves(waves: &Waves, hr_bpm: f64) -> Morphology {
        let f = (hr_bpm / 60.0).max(1e-6).sqrt();
        let f2 = f.sqrt();
        let angle_factor = [f2, f, 1.0, f, f2];
        let mut m = Morphology {
            theta_deg: [0.0; N_WAVES],
            a: waves.a,
            b_rad: [0.0; N_WAVES],
        };
        for i in 0..N_WAVES {
            m.theta_deg[i] = (waves.theta_rad[i] / angle_factor[i]).to_degrees();
            m.b_rad[i] = waves.b_rad[i] / f;
        }
        m
    }

    /// True when every value is finite and every width positive.
    pub fn is_valid(&self) -> bool {
        (0..N_WAVES).all(|i| {
            self.theta_deg[i].is_finite()
                && self.a[i].is_finite()
                && self.b_rad[i].is_finite()
                && self.b_rad[i] > 0.0
        })
    }
}

impl Default for Morphology {
    fn default() -> Self {
        Self::MCSHARRY_2003
    }
}

/// The events as integrated: angles and widths in radians at the beat's own heart rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Waves {
    /// Angle of each event, radians, R peak at 0.
    pub theta_rad: [f64; N_WAVES],
    /// Amplitude of each event, model units per radian.
    pub a: [f64; N_WAVES],
    /// Width of each event, radians.
    pub b_rad: [f64; N_WAVES],
}

impl Waves {
    /// The model's forcing −Σ ai Δθi exp(−Δθi²/(2bi²)) at `phase_rad` from this beat's R peak,
    /// not wrapped (events of neighbouring beats are added by the caller).
    #[inline]
    pub fn forcing(&self, phase_rad: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let d = phase_rad - self.theta_rad[i];
            let b = self.b_rad[i];
            if self.a[i] != 0.0 && d.abs() < CUTOFF_WIDTHS * b {
                s -= self.a[i] * d * exp_neg(-0.5 * (d * d) / (b * b));
            }
        }
        s
    }

    /// The forcing with Δθ wrapped into [−π, π], as ECGSYN computes it for a phase θ ∈ (−π, π]
    /// (events beyond the cut-off of [`Waves::forcing`] skipped).
    #[inline]
    pub fn forcing_wrapped(&self, theta_rad: f64) -> f64 {
        let tau = std::f64::consts::TAU;
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let raw = theta_rad - self.theta_rad[i];
            let d = raw - (raw / tau).round() * tau;
            let b = self.b_rad[i];
            if d.abs() < CUTOFF_WIDTHS * b {
                s -= self.a[i] * d * exp_neg(-0.5 * (d * d) / (b * b));
            }
        }
        s
    }

    /// The leak-free solution Σ ai bi² / ω · exp(−Δθi²/(2bi²)) at `phase_rad` when the events
    /// pass at angular speed `omega_rad_s` (z without the −(z − z0) term, model units).
    pub fn ideal_z(&self, phase_rad: f64, omega_rad_s: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let d = phase_rad - self.theta_rad[i];
            let b = self.b_rad[i];
            if d.abs() < CUTOFF_WIDTHS * b {
                s += self.a[i] * b * b / omega_rad_s * (-0.5 * (d * d) / (b * b)).exp();
            }
        }
        s
    }

    /// Mean of [`Waves::ideal_z`] over one cycle (model units): the offset the model's leak
    /// removes in a steady rhythm.
    pub fn ideal_mean(&self, omega_rad_s: f64) -> f64 {
        let root_two_pi = (std::f64::consts::TAU).sqrt();
        (0..N_WAVES)
            .map(|i| {
                let b = self.b_rad[i];
                self.a[i] * b * b / omega_rad_s * b * root_two_pi / std::f64::consts::TAU
            })
            .sum()
    }

    /// The phases (radians from R) where the QRS complex (Q, R and S events) starts and ends.
    pub fn qrs_extent(&self) -> (f64, f64) {
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        for i in 1..4 {
            if self.a[i] != 0.0 {
                lo = lo.min(self.theta_rad[i] - 3.0 * self.b_rad[i]);
                hi = hi.max(self.theta_rad[i] + 3.0 * self.b_rad[i]);
            }
        }
        (lo, hi)
    }

    /// The phases (radians from R) where the beat's events start and end: the smallest
    /// θi − 3bi and the largest θi + 3bi over events with a non-zero amplitude.
    pub fn extent(&self) -> (f64, f64) {
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        for i in 0..N_WAVES {
            if self.a[i] != 0.0 {
                lo = lo.min(self.theta_rad[i] - 3.0 * self.b_rad[i]);
                hi = hi.max(self.theta_rad[i] + 3.0 * self.b_rad[i]);
            }
        }
        (lo, hi)
    }
}

/// [`Waves`] prepared for the integrator's inner loop: reciprocal widths and cut-off phases.
#[derive(Debug, Clone, Copy)]
struct Events {
    theta: [f64; N_WAVES],
    a: [f64; N_WAVES],
    inv_b2: [f64; N_WAVES],
    /// |Δθ| beyond which an event is skipped (−1 for a zero amplitude).
    reach: [f64; N_WAVES],
    /// Phases outside which no event reaches.
    lo: f64,
    hi: f64,
}

impl Events {
    fn new(w: &Waves) -> Events {
        let mut e = Events {
            theta: w.theta_rad,
            a: w.a,
            inv_b2: [0.0; N_WAVES],
            reach: [-1.0; N_WAVES],
            lo: 0.0,
            hi: 0.0,
        };
        for i in 0..N_WAVES {
            let b = w.b_rad[i];
            e.inv_b2[i] = 1.0 / (b * b);
            if w.a[i] != 0.0 {
                e.reach[i] = CUTOFF_WIDTHS * b;
                e.lo = e.lo.min(w.theta_rad[i] - e.reach[i]);
                e.hi = e.hi.max(w.theta_rad[i] + e.reach[i]);
            }
        }
        e
    }
}

/// The RR process's spectrum and moments (ECGSYN's defaults in [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RrSpectrum {
    /// Mean heart rate, beats per minute.
    pub hr_mean_bpm: f64,
    /// Standard deviation of the heart rate, beats per minute.
    pub hr_std_bpm: f64,
    /// Power of the Mayer-wave (LF) peak over the respiratory (HF) peak.
    pub lf_hf_ratio: f64,
    /// Centre of the Mayer-wave peak f1, Hz.
    pub mayer_hz: f64,
    /// Standard deviation c1 of the Mayer-wave peak, Hz.
    pub mayer_sd_hz: f64,
    /// Centre of the respiratory peak f2, Hz.
    pub resp_hz: f64,
    /// Standard deviation c2 of the respiratory peak, Hz.
    pub resp_sd_hz: f64,
}

impl Default for RrSpectrum {
    /// 60 bpm ± 1 bpm, LF/HF 0.5, f1 = 0.1 Hz, c1 = 0.01 Hz, f2 = 0.25 Hz, c2 = 0.01 Hz.
    fn default() -> Self {
        Self {
            hr_mean_bpm: 60.0,
            hr_std_bpm: 1.0,
            lf_hf_ratio: 0.5,
            mayer_hz: 0.1,
            mayer_sd_hz: 0.01,
            resp_hz: 0.25,
            resp_sd_hz: 0.01,
        }
    }
}

impl RrSpectrum {
    /// Checks every value is finite and in range.
    pub fn validate(&self) -> Result<(), SimulateError> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !(pos(self.hr_mean_bpm) && self.hr_mean_bpm <= 300.0) {
            return Err(invalid(
                "hr_mean_bpm",
                format!(
                    "mean heart rate must be in (0, 300] bpm, found {}",
                    self.hr_mean_bpm
                ),
            ));
        }
        if !(self.hr_std_bpm.is_finite() && self.hr_std_bpm >= 0.0) {
            return Err(invalid(
                "hr_std_bpm",
                format!(
                    "heart-rate standard deviation must be ≥ 0 bpm, found {}",
                    self.hr_std_bpm
                ),
            ));
        }
        if !(self.lf_hf_ratio.is_finite() && self.lf_hf_ratio >= 0.0) {
            return Err(invalid(
                "lf_hf_ratio",
                format!("LF/HF ratio must be ≥ 0, found {}", self.lf_hf_ratio),
            ));
        }
        for (v, what) in [
            (self.mayer_hz, "mayer_hz"),
            (self.mayer_sd_hz, "mayer_sd_hz"),
            (self.resp_hz, "resp_hz"),
            (self.resp_sd_hz, "resp_sd_hz"),
        ] {
            if !(pos(v) && v < 0.5) {
                return Err(invalid(
                    what,
                    format!("must be in (0, 0.5) Hz (the RR series is sampled at 1 Hz), found {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// ECGSYN's RR process: `n` RR intervals (s) sampled at 1 Hz (`n` even, ≥ 4).
///
/// Power spectrum S(f) = σ1² G(f; f1, c1) + σ2² G(f; f2, c2) with σ1²/σ2² = LF/HF, amplitudes
/// √S with the first half mirrored as `ecgsyn.m` mirrors it, phases uniform on [0, 2π) and
/// antisymmetric, inverse FFT (normalised by 1/n twice, as ECGSYN), then scaled to standard
/// deviation 60·hr_std/hr_mean² s (population SD) around the mean 60/hr_mean s.
pub fn rr_process(spec: &RrSpectrum, n: usize, rng: &mut Rng) -> Vec<f64> {
    let n = n.max(4) & !1;
    let tau = std::f64::consts::TAU;
    let (w1, w2) = (tau * spec.mayer_hz, tau * spec.resp_hz);
    let (c1, c2) = (tau * spec.mayer_sd_hz, tau * spec.resp_sd_hz);
    let (sig1, sig2) = (spec.lf_hf_ratio, 1.0);
    let rr_mean = 60.0 / spec.hr_mean_bpm;
    let rr_std = 60.0 * spec.hr_std_bpm / (spec.hr_mean_bpm * spec.hr_mean_bpm);
    let sfrr = 1.0;
    let df = sfrr / n as f64;
    let hw: Vec<f64> = (0..n)
        .map(|k| {
            let w = k as f64 * tau * df;
            let (d1, d2) = (w - w1, w - w2);
            sig1 * (-0.5 * (d1 / c1).powi(2)).exp() / (tau * c1 * c1).sqrt()
                + sig2 * (-0.5 * (d2 / c2).powi(2)).exp() / (tau * c2 * c2).sqrt()
        })
        .collect();
    let half = n / 2;
    // Hw0 = [Hw[0..n/2], Hw[n/2-1], …, Hw[0]] (ecgsyn.m: [Hw(1:n/2) Hw(n/2:-1:1)]).
    let sw: Vec<f64> = (0..n)
        .map(|k| {
            let h = if k < half { hw[k] } else { hw[n - 1 - k] };
            (sfrr / 2.0) * h.sqrt()
        })
        .collect();
    let ph0: Vec<f64> = (0..half - 1).map(|_| tau * rng.uniform()).collect();
    let mut buf: Vec<Complex<f64>> = (0..n)
        .map(|k| {
            let ph = if k == 0 || k == half {
                0.0
            } else if k < half {
                ph0[k - 1]
            } else {
                // −flip(ph0): index half+1+j holds −ph0[half−2−j].
                -ph0[n - 1 - k]
            };
            Complex::from_polar(sw[k], ph)
        })
        .collect();
    FftPlanner::<f64>::new()
        .plan_fft_inverse(n)
        .process(&mut buf);
    // numpy's ifft divides by n, ECGSYN divides by n again.
    let x: Vec<f64> = buf.iter().map(|c| c.re / (n as f64) / (n as f64)).collect();
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let ratio = if sd > 0.0 { rr_std / sd } else { 0.0 };
    x.iter().map(|v| rr_mean + v * ratio).collect()
}

/// How model units become mV.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Scale {
    /// ECGSYN's: the signal's minimum and maximum mapped to `lo_mv` and `hi_mv`.
    MinMax {
        /// Value of the minimum, mV.
        lo_mv: f64,
        /// Value of the maximum, mV.
        hi_mv: f64,
    },
    /// z × [`Z_TO_MV`]: amplitudes comparable across beats and records.
    Fixed,
}

/// Settings of [`ecgsyn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcgSynConfig {
    /// Output sampling rate, Hz.
    pub fs_hz: f64,
    /// Internal rate over output rate (q): RK4 runs at `q · fs_hz`, every q-th sample is kept.
    pub internal_factor: usize,
    /// Length of the output, s.
    pub duration_s: f64,
    /// The RR process.
    pub rr: RrSpectrum,
    /// The beat's events at 60 bpm (scaled to `rr.hr_mean_bpm` as ECGSYN does).
    pub morphology: Morphology,
    /// Amplitude A of the baseline wander z0 = A sin(2π f2 t), model units (ECGSYN: 0.005).
    pub wander_z: f64,
    /// Amplitude of ECGSYN's additive noise, uniform on [−noise_mv, noise_mv], mV.
    pub noise_mv: f64,
    /// Model units to mV.
    pub scale: Scale,
    /// Seed of the RR phases and of the noise.
    pub seed: u64,
}

impl Default for EcgSynConfig {
    /// ECGSYN's defaults: 256 Hz output, 512 Hz internal, 60 ± 1 bpm, LF/HF 0.5, table 1,
    /// A = 0.005, no noise, −0.4..1.2 mV; 10 s.
    fn default() -> Self {
        Self {
            fs_hz: 256.0,
            internal_factor: 2,
            duration_s: 10.0,
            rr: RrSpectrum::default(),
            morphology: Morphology::MCSHARRY_2003,
            wander_z: 0.005,
            noise_mv: 0.0,
            scale: Scale::MinMax {
                lo_mv: -0.4,
                hi_mv: 1.2,
            },
            seed: 0,
        }
    }
}

impl EcgSynConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), SimulateError> {
        check_rate(self.fs_hz)?;
        if !(1..=64).contains(&self.internal_factor) {
            return Err(invalid(
                "internal_factor",
                format!("must be 1 to 64, found {}", self.internal_factor),
            ));
        }
        if !(self.duration_s.is_finite() && self.duration_s > 0.0 && self.duration_s <= 86_400.0) {
            return Err(invalid(
                "duration_s",
                format!("must be in (0, 86400] s, found {}", self.duration_s),
            ));
        }
        self.rr.validate()?;
        if !self.morphology.is_valid() {
            return Err(invalid(
                "morphology",
                "every angle, amplitude and width must be finite and every width positive".into(),
            ));
        }
        if !(self.wander_z.is_finite() && self.noise_mv.is_finite() && self.noise_mv >= 0.0) {
            return Err(invalid(
                "noise",
                format!(
                    "wander and noise must be finite, noise ≥ 0; found {} and {}",
                    self.wander_z, self.noise_mv
                ),
            ));
        }
        Ok(())
    }
}

fn check_rate(fs_hz: f64) -> Result<(), SimulateError> {
    if fs_hz.is_finite() && (10.0..=10_000.0).contains(&fs_hz) {
        Ok(())
    } else {
        Err(invalid(
            "fs_hz",
            format!("sampling rate must be 10 to 10,000 Hz, found {fs_hz}"),
        ))
    }
}

/// A simulated lead with its R peaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ecg {
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// The signal, mV.
    pub signal_mv: Vec<f32>,
    /// R peaks (where θ crosses 0), output samples, after the start.
    pub r_samples: Vec<usize>,
    /// RR interval that starts at each R peak as integrated (the RR series rounded to the
    /// internal grid), s; `rr_s[k]` belongs to the interval from `r_samples[k]` to the next.
    pub rr_s: Vec<f64>,
}

impl Ecg {
    /// Mean heart rate from the R peaks, bpm (0 with fewer than two peaks).
    pub fn mean_hr_bpm(&self) -> f64 {
        if self.r_samples.len() < 2 {
            return 0.0;
        }
        let span = (self.r_samples[self.r_samples.len() - 1] - self.r_samples[0]) as f64;
        60.0 * (self.r_samples.len() - 1) as f64 * self.fs_hz / span
    }
}

/// ECGSYN: integrates the three equations with RK4 at `internal_factor · fs_hz`, ω held per
/// RR interval, and decimates.
///
/// As in `ecgsyn.m`, the state starts at (1, 0, 0.04) — θ = 0, an R peak — and the RR interval
/// starting at time t is the RR process (1 Hz, linearly interpolated) at t; each interval ends
/// on the internal grid sample nearest the running sum of intervals. One difference: ω in each
/// interval is 2π over the interval *as rounded to the grid*, so θ reaches 2π exactly on the
/// grid and R peaks fall exactly one RR interval apart (ECGSYN uses the unrounded interval,
/// which moves θ's zero crossings by up to half an internal sample).
pub fn ecgsyn(config: &EcgSynConfig) -> Result<Ecg, SimulateError> {
    config.validate()?;
    let mut rng = Rng::new(config.seed);
    let q = config.internal_factor;
    let fs_int = config.fs_hz * q as f64;
    let dt = 1.0 / fs_int;
    let n_out = (config.duration_s * config.fs_hz).ceil().max(1.0) as usize;
    let n_int = (n_out - 1) * q + 1;
    // RR process long enough to cover the record (a power of two of 1-Hz samples, as ECGSYN).
    let n_rr = ((config.duration_s.ceil() as usize) + 2)
        .next_power_of_two()
        .max(4);
    let rr0 = rr_process(&config.rr, n_rr, &mut rng.fork(1));
    let rr_at = |t: f64| -> f64 {
        let i = t.floor().max(0.0) as usize;
        if i + 1 >= rr0.len() {
            return rr0[rr0.len() - 1];
        }
        let f = t - i as f64;
        rr0[i] * (1.0 - f) + rr0[i + 1] * f
    };
    // Interval boundaries on the internal grid and ω per interval.
    let mut bounds = vec![0usize];
    let mut t_ecg = 0.0;
    while *bounds.last().unwrap_or(&0) < n_int {
        let i = *bounds.last().unwrap_or(&0);
        t_ecg += rr_at(i as f64 * dt);
        let ip = ((t_ecg / dt).round() as usize).max(i + 1);
        bounds.push(ip);
    }
    let mut omega = vec![0.0f64; n_int];
    for w in bounds.windows(2) {
        let om = std::f64::consts::TAU / ((w[1] - w[0]) as f64 * dt);
        for o in omega.iter_mut().take(w[1].min(n_int)).skip(w[0]) {
            *o = om;
        }
    }
    let waves = config.morphology.at_heart_rate(config.rr.hr_mean_bpm);
    let f_resp = config.rr.resp_hz;
    let wander = config.wander_z;
    let deriv = |t: f64, s: [f64; 3], om: f64| -> [f64; 3] {
        let theta = s[1].atan2(s[0]);
        let alpha = 1.0 - (s[0] * s[0] + s[1] * s[1]).sqrt();
        let z0 = wander * (std::f64::consts::TAU * f_resp * t).sin();
        [
            alpha * s[0] - om * s[1],
            alpha * s[1] + om * s[0],
            waves.forcing_wrapped(theta) - (s[2] - z0),
        ]
    };
    let mut s = [1.0, 0.0, 0.04];
    let mut z = Vec::with_capacity(n_out);
    let mut theta_prev = 0.0f64;
    let mut r_internal = Vec::new();
    z.push(s[2]);
    for (j, &om) in omega.iter().enumerate().take(n_int - 1) {
        let t = j as f64 * dt;
        let k1 = deriv(t, s, om);
        let k2 = deriv(t + dt / 2.0, add(s, k1, dt / 2.0), om);
        let k3 = deriv(t + dt / 2.0, add(s, k2, dt / 2.0), om);
        let k4 = deriv(t + dt, add(s, k3, dt), om);
        for c in 0..3 {
            s[c] += dt / 6.0 * (k1[c] + 2.0 * k2[c] + 2.0 * k3[c] + k4[c]);
        }
        let theta = s[1].atan2(s[0]);
        // θ crosses 0 upwards between j and j + 1: keep the grid sample nearer the crossing.
        if theta_prev < 0.0 && theta >= 0.0 && theta - theta_prev < std::f64::consts::PI {
            let at = if theta <= -theta_prev { j + 1 } else { j };
            if at > 0 {
                r_internal.push(at);
            }
        }
        theta_prev = theta;
        if (j + 1) % q == 0 {
            z.push(s[2]);
        }
    }
    let mut signal_mv: Vec<f32> = match config.scale {
        Scale::MinMax { lo_mv, hi_mv } => {
            let (lo, hi) = z
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let range = if hi > lo { hi - lo } else { 1.0 };
            z.iter()
                .map(|&v| ((v - lo) * (hi_mv - lo_mv) / range + lo_mv) as f32)
                .collect()
        }
        Scale::Fixed => z.iter().map(|&v| (v * Z_TO_MV) as f32).collect(),
    };
    if config.noise_mv > 0.0 {
        let mut noise = rng.fork(2);
        for v in &mut signal_mv {
            *v += (config.noise_mv * (2.0 * noise.uniform() - 1.0)) as f32;
        }
    }
    let r_samples: Vec<usize> = r_internal
        .iter()
        .map(|&j| ((j as f64) / q as f64).round() as usize)
        .filter(|&r| r < n_out)
        .collect();
    // The interval starting at each R peak, from the grid boundaries.
    let rr_s = r_internal
        .iter()
        .filter(|&&j| ((j as f64) / q as f64).round() < n_out as f64)
        .map(|&j| {
            let k = bounds.partition_point(|&b| b <= j);
            match (bounds.get(k - 1), bounds.get(k)) {
                (Some(&a), Some(&b)) if k > 0 => (b - a) as f64 * dt,
                _ => 0.0,
            }
        })
        .collect();
    Ok(Ecg {
        fs_hz: config.fs_hz,
        signal_mv,
        r_samples,
        rr_s,
    })
}

#[inline]
fn add(s: [f64; 3], k: [f64; 3], h: f64) -> [f64; 3] {
    [s[0] + h * k[0], s[1] + h * k[1], s[2] + h * k[2]]
}

/// One beat of a planned rhythm for [`simulate_strip`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlannedBeat {
    /// Interval from this beat's R peak to the next one, s.
    pub rr_s: f64,
    /// Cycle length the beat's own events run at, s: a sinus beat's RR, an ectopic beat's
    /// underlying sinus cycle (so a premature beat comes early without being squeezed).
    pub cycle_s: f64,
    /// The beat's events, already scaled to 60 / `cycle_s` bpm.
    pub waves: Waves,
}

/// Settings of [`simulate_strip`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StripConfig {
    /// Output sampling rate, Hz.
    pub fs_hz: f64,
    /// Internal rate over output rate.
    pub internal_factor: usize,
    /// Time of the first planned R peak, s.
    pub first_r_s: f64,
    /// Start of the simulated stretch, s (at or after the first R peak).
    pub start_s: f64,
    /// End of the simulated stretch, s (at or before the last R peak).
    pub end_s: f64,
    /// Amplitude of the baseline wander z0, model units.
    pub wander_z: f64,
    /// Frequency of the baseline wander, Hz.
    pub wander_hz: f64,
    /// Phase of the baseline wander at t = 0, radians.
    pub wander_phase_rad: f64,
    /// Standard deviation of white noise added to the output, mV (uniformly distributed, as
    /// ECGSYN's measurement noise, and one random draw per sample).
    pub noise_mv: f64,
}

/// A simulated stretch of a planned rhythm.
#[derive(Debug, Clone, PartialEq)]
pub struct Strip {
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// Strip sample (at `fs_hz`, t = 0 at sample 0) of `signal_mv[0]`.
    pub start_sample: usize,
    /// The signal from `start_sample` on, mV (z × [`Z_TO_MV`] plus noise).
    pub signal_mv: Vec<f32>,
    /// R peak of every planned beat, strip samples at `fs_hz` (also those outside the stretch).
    pub r_samples: Vec<u64>,
}

/// The smallest internal factor q giving an internal rate of at least 250 Hz (RK4 then steps at
/// most a quarter of the narrowest QRS width).
pub fn internal_factor_for(fs_hz: f64) -> usize {
    (250.0 / fs_hz).ceil().clamp(1.0, 64.0) as usize
}

/// Piecewise-linear phase of one RR interval, in five pieces: the current beat's QRS tail
/// (0..A) and the next beat's QRS upstroke (D..2π) always run at their own beat's ω; the
/// current beat's ST–T (A..B) and the next beat's P–Q (C..D) too when there is time; the quiet
/// stretch between (B..C) takes up the rest. A short (premature) interval first squeezes the
/// quiet stretch out, then T and P proportionally, and only then the QRS complexes.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Phase at the start of each piece and at the end (2π).
    phi: [f64; 6],
    /// Time at the start of each piece and at the end, s.
    t: [f64; 6],
    /// Angular speed in each piece, rad/s.
    w: [f64; 5],
}

impl Segment {
    fn new(duration_s: f64, this: &PlannedBeat, next: &PlannedBeat) -> Segment {
        let tau = std::f64::consts::TAU;
        let wa = tau / this.cycle_s;
        let wb = tau / next.cycle_s;
        let (_, end_this) = this.waves.extent();
        let (_, qrs_end) = this.waves.qrs_extent();
        let (start_next, _) = next.waves.extent();
        let (qrs_start, _) = next.waves.qrs_extent();
        let a = qrs_end.clamp(0.0, std::f64::consts::PI);
        let d = (tau + qrs_start).clamp(std::f64::consts::PI, tau);
        let mut b = end_this.clamp(a, d);
        let mut c = (tau + start_next).clamp(b, d);
        if b > c {
            let mid = 0.5 * (b + c);
            b = mid;
            c = mid;
        }
        let (mut ta, mut tb, mut tc, mut td) = (a / wa, (b - a) / wa, (d - c) / wb, (tau - d) / wb);
        let mut tm = duration_s - (ta + tb + tc + td);
        if tm < 0.0 {
            tm = 0.0;
            let room = duration_s - ta - td;
            if room >= 0.0 {
                let s = if tb + tc > 0.0 { room / (tb + tc) } else { 0.0 };
                tb *= s;
                tc *= s;
            } else {
                let s = duration_s / (ta + td).max(1e-12);
                ta *= s;
                td *= s;
                tb = 0.0;
                tc = 0.0;
            }
        }
        let phi = [0.0, a, b, c, d, tau];
        let dts = [ta, tb, tm, tc, td];
        let mut t = [0.0; 6];
        let mut w = [0.0; 5];
        for i in 0..5 {
            t[i + 1] = t[i] + dts[i];
            w[i] = if dts[i] > 0.0 {
                (phi[i + 1] - phi[i]) / dts[i]
            } else {
                0.0
            };
        }
        Segment { phi, t, w }
    }

    fn piece(&self, t: f64) -> usize {
        let mut i = 0;
        while i < 4 && t >= self.t[i + 1] {
            i += 1;
        }
        i
    }

    /// Phase at `t` seconds after the segment's R peak, radians in [0, 2π].
    #[inline]
    fn phase(&self, t: f64) -> f64 {
        let i = self.piece(t);
        (self.phi[i] + self.w[i] * (t - self.t[i])).min(self.phi[i + 1])
    }

    /// Angular speed at `t`, rad/s.
    fn omega(&self, t: f64) -> f64 {
        self.w[self.piece(t)]
    }
}

/// Simulates `[start_s, end_s)` of a planned rhythm: R peaks at `first_r_s` + the running sum of
/// the beats' RR intervals (rounded to output samples, so every R peak is a sample), phase
/// piecewise linear between R peaks (see [`PlannedBeat::cycle_s`]), z integrated by RK4 along
/// it with the model's leak and baseline wander, output z × [`Z_TO_MV`] plus white noise.
///
/// z starts from the leak-free solution minus its cycle mean (the steady state of a regular
/// rhythm); the difference decays with the model's 1-s time constant, so callers start about a
/// second before the stretch they keep.
pub fn simulate_strip(beats: &[PlannedBeat], config: &StripConfig, rng: &mut Rng) -> Strip {
    let fs = config.fs_hz;
    let q = config.internal_factor.max(1);
    let dt = 1.0 / (fs * q as f64);
    let mut r_samples = Vec::with_capacity(beats.len());
    let mut t = config.first_r_s;
    for b in beats {
        r_samples.push((t * fs).round().max(0.0) as u64);
        t += b.rr_s;
    }
    let (Some(&first), Some(&last)) = (r_samples.first(), r_samples.last()) else {
        return Strip {
            fs_hz: fs,
            start_sample: 0,
            signal_mv: Vec::new(),
            r_samples,
        };
    };
    let start = ((config.start_s * fs).round().max(0.0) as u64).clamp(first, last) as usize;
    let end = ((config.end_s * fs).round().max(0.0) as u64).clamp(start as u64, last) as usize;
    let n_out = end - start;
    let mut signal_mv = Vec::with_capacity(n_out);
    if n_out == 0 || beats.len() < 2 {
        return Strip {
            fs_hz: fs,
            start_sample: start,
            signal_mv,
            r_samples,
        };
    }
    let tau = std::f64::consts::TAU;
    let events: Vec<Events> = beats.iter().map(|b| Events::new(&b.waves)).collect();
    let seg_of = |k: usize| {
        let dur = (r_samples[k + 1] - r_samples[k]) as f64 / fs;
        Segment::new(dur, &beats[k], &beats[k + 1])
    };
    // Segment holding `start`.
    let k0 = r_samples.partition_point(|&r| r as usize <= start) - 1;
    let t_start = start as f64 / fs;
    // Baseline wander A sin(2π f t + φ) as a phasor turned half a step at a time (no sin() per
    // step), renormalised at every segment.
    let angle0 = tau * config.wander_hz * t_start + config.wander_phase_rad;
    let (mut pc, mut ps) = (angle0.cos(), angle0.sin());
    let half = tau * config.wander_hz * 0.5 * dt;
    let (rc, rs) = (half.cos(), half.sin());
    let amp = config.wander_z;
    // z from the leak-free solution minus its cycle mean (steady state of a regular rhythm).
    let seg0 = seg_of(k0);
    let tk0 = t_start - r_samples[k0] as f64 / fs;
    let ph0 = seg0.phase(tk0);
    let om0 = seg0.omega(tk0).max(tau / beats[k0].cycle_s.max(1e-3));
    let mut z = beats[k0].waves.ideal_z(ph0, om0) + beats[k0 + 1].waves.ideal_z(ph0 - tau, om0)
        - beats[k0].waves.ideal_mean(tau / beats[k0].cycle_s)
        + amp * ps;
    // Uniform on [−√3σ, √3σ]: standard deviation σ.
    let noise_half_width = config.noise_mv * 3f64.sqrt();
    let h = 0.5 * dt; // half step: RK4 needs the forcing at every half step
    let mut forcing: Vec<f64> = Vec::new();
    let mut j_abs = start * q; // internal step, from the strip's t = 0
    let j_end = end * q;
    let mut k = k0;
    while j_abs < j_end && k + 1 < beats.len() {
        let seg = if k == k0 { seg0 } else { seg_of(k) };
        let seg_j0 = r_samples[k] as usize * q;
        let seg_j1 = (r_samples[k + 1] as usize * q).min(j_end);
        // Half steps of this stretch, relative to the segment's R peak: m_first ..= m_last.
        let m_first = 2 * (j_abs - seg_j0);
        let m_last = 2 * (seg_j1 - seg_j0);
        forcing.clear();
        forcing.resize(m_last - m_first + 1, 0.0);
        for piece in 0..5 {
            // Half steps whose time lies in this piece.
            let (ta, tb) = (seg.t[piece], seg.t[piece + 1]);
            let ma = ((ta / h).ceil().max(0.0) as usize).clamp(m_first, m_last + 1);
            let mb = if piece == 4 {
                m_last + 1
            } else {
                ((tb / h).ceil().max(0.0) as usize).clamp(ma, m_last + 1)
            };
            if ma >= mb {
                continue;
            }
            let w = seg.w[piece];
            let delta = w * h;
            let ph_a = seg.phi[piece] + w * (ma as f64 * h - ta);
            for (ev, shift) in [(&events[k], 0.0), (&events[k + 1], tau)] {
                let ph_b = ph_a + (mb - 1 - ma) as f64 * delta;
                if ph_a - shift >= ev.hi || ph_b - shift <= ev.lo {
                    continue;
                }
                for i in 0..N_WAVES {
                    let reach = ev.reach[i];
                    if reach < 0.0 {
                        continue;
                    }
                    let d_a = ph_a - shift - ev.theta[i];
                    // Half steps with |d| < reach.
                    let (lo, hi) = if delta > 0.0 {
                        let span = (mb - 1 - ma) as f64;
                        let lo = ((-reach - d_a) / delta).ceil().max(0.0);
                        let hi = ((reach - d_a) / delta).floor().min(span);
                        // NaN (from a NaN phase) falls through as "no overlap" too.
                        if lo
                            .partial_cmp(&hi)
                            .is_none_or(|o| o == std::cmp::Ordering::Greater)
                        {
                            continue;
                        }
                        (ma + lo as usize, ma + hi as usize)
                    } else if d_a.abs() < reach {
                        (ma, mb - 1)
                    } else {
                        continue;
                    };
                    if lo > hi {
                        continue;
                    }
                    // exp(−d²/2b²) along d, d + δ, d + 2δ, …: each value is the previous
                    // times a ratio that itself changes by a constant factor.
                    let c2 = 0.5 * ev.inv_b2[i];
                    let mut d = d_a + (lo - ma) as f64 * delta;
                    let mut g = exp_neg(-c2 * d * d);
                    let mut ratio = (-c2 * (2.0 * d * delta + delta * delta)).exp();
                    let step = exp_neg(-2.0 * c2 * delta * delta);
                    let a = ev.a[i];
                    for f in &mut forcing[lo - m_first..=hi - m_first] {
                        *f -= a * d * g;
                        g *= ratio;
                        ratio *= step;
                        d += delta;
                    }
                }
            }
        }
        // RK4 for ż = g(t) − z over this stretch, g = forcing + wander.
        let norm = (pc * pc + ps * ps).sqrt();
        pc /= norm;
        ps /= norm;
        let mut g0 = forcing[0] + amp * ps;
        let n_steps = (m_last - m_first) / 2;
        for s in 0..n_steps {
            if (j_abs + s) % q == 0 {
                let v = z * Z_TO_MV
                    + if noise_half_width > 0.0 {
                        noise_half_width * (2.0 * rng.uniform() - 1.0)
                    } else {
                        0.0
                    };
                signal_mv.push(v as f32);
            }
            let c = pc * rc - ps * rs;
            ps = pc * rs + ps * rc;
            pc = c;
            let gm = forcing[2 * s + 1] + amp * ps;
            let c = pc * rc - ps * rs;
            ps = pc * rs + ps * rc;
            pc = c;
            let g1 = forcing[2 * s + 2] + amp * ps;
            let k1 = g0 - z;
            let k2 = gm - (z + 0.5 * dt * k1);
            let k3 = gm - (z + 0.5 * dt * k2);
            let k4 = g1 - (z + dt * k3);
            z += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            g0 = g1;
        }
        j_abs += n_steps;
        k += 1;
    }
    Strip {
        fs_hz: fs,
        start_sample: start,
        signal_mv,
        r_samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sinus(n: usize, rr_s: f64, m: &Morphology) -> Vec<PlannedBeat> {
        let w = m.at_heart_rate(60.0 / rr_s);
        vec![
            PlannedBeat {
                rr_s,
                cycle_s: rr_s,
                waves: w,
            };
            n
        ]
    }

    fn strip_cfg(fs: f64, start: f64, end: f64) -> StripConfig {
        StripConfig {
            fs_hz: fs,
            internal_factor: internal_factor_for(fs),
            first_r_s: 0.0,
            start_s: start,
            end_s: end,
            wander_z: 0.0,
            wander_hz: 0.25,
            wander_phase_rad: 0.0,
            noise_mv: 0.0,
        }
    }

    #[test]
    fn fixed_scale_matches_ecgsyn_span() {
        // Default beat at 60 bpm, steady state (after 10 s): the span of one beat is 1.6 mV.
        let beats = sinus(20, 1.0, &Morphology::MCSHARRY_2003);
        let s = simulate_strip(&beats, &strip_cfg(512.0, 0.0, 19.0), &mut Rng::new(0));
        let last = &s.signal_mv[15 * 512..16 * 512];
        let (lo, hi) = last
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        assert!(((hi - lo) - 1.6).abs() < 0.01, "span {}", hi - lo);
    }

    #[test]
    fn phase_locked_equals_three_equation_rk4() {
        // Same regular rhythm through both integrators: ecgsyn (x, y, z) and simulate_strip
        // (z along θ(t)). Constant RR (hr_std 0), no wander, fixed scale.
        let config = EcgSynConfig {
            fs_hz: 500.0,
            internal_factor: 1,
            duration_s: 8.0,
            rr: RrSpectrum {
                hr_mean_bpm: 75.0,
                hr_std_bpm: 0.0,
                ..RrSpectrum::default()
            },
            wander_z: 0.0,
            scale: Scale::Fixed,
            ..EcgSynConfig::default()
        };
        let e = ecgsyn(&config).expect("valid");
        assert_eq!(e.r_samples[0], 400);
        assert!(e.r_samples.windows(2).all(|w| w[1] - w[0] == 400));
        let beats = sinus(12, 0.8, &Morphology::MCSHARRY_2003);
        let s = simulate_strip(&beats, &strip_cfg(500.0, 0.0, 7.9), &mut Rng::new(0));
        // Different starting z (0.04 vs steady state) decays with e^{−t}: compare after 5 s.
        for i in 2500..3900 {
            let (a, b) = (e.signal_mv[i], s.signal_mv[i]);
            assert!((a - b).abs() < 2e-3, "sample {i}: {a} vs {b}");
        }
    }

    #[test]
    fn premature_beat_keeps_r_on_its_sample_and_shape_speed() {
        let n = Morphology::MCSHARRY_2003.at_heart_rate(60.0);
        let mut beats = vec![
            PlannedBeat {
                rr_s: 1.0,
                cycle_s: 1.0,
                waves: n
            };
            8
        ];
        beats[3].rr_s = 0.65; // beat 4 comes 650 ms after beat 3
        beats[4].rr_s = 1.35; // compensatory pause
        let s = simulate_strip(&beats, &strip_cfg(360.0, 0.0, 7.0), &mut Rng::new(1));
        assert_eq!(s.r_samples, vec![0, 360, 720, 1080, 1314, 1800, 2160, 2520]);
        // Every R peak is the local maximum of the signal.
        for &r in &s.r_samples[1..7] {
            let r = r as usize;
            let around = &s.signal_mv[r - 10..=r + 10];
            let imax = around
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i);
            assert_eq!(imax, Some(10), "R at {r}");
        }
        // The premature beat's QRS (R peak over the Q trough) equals the others' (its events run
        // at its own ω; only the slow baseline differs).
        let qrs = |r: u64| {
            let r = r as usize;
            let q = s.signal_mv[r - 30..r]
                .iter()
                .copied()
                .fold(f32::INFINITY, f32::min);
            s.signal_mv[r] - q
        };
        assert!(
            (qrs(1314) - qrs(720)).abs() < 0.03,
            "{} {}",
            qrs(1314),
            qrs(720)
        );
    }

    #[test]
    fn fast_exp_matches_std() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let x = -30.0 * i as f64 / 200_000.0;
            worst = worst.max((exp_neg(x) / x.exp() - 1.0).abs());
        }
        assert!(worst < 1e-8, "relative error {worst}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(-800.0) >= 0.0 && exp_neg(-800.0) < 1e-300);
    }

    #[test]
    fn settings_are_checked() {
        let bad = EcgSynConfig {
            fs_hz: 0.0,
            ..EcgSynConfig::default()
        };
        assert!(ecgsyn(&bad).is_err());
        let bad = EcgSynConfig {
            rr: RrSpectrum {
                hr_mean_bpm: f64::NAN,
                ..RrSpectrum::default()
            },
            ..EcgSynConfig::default()
        };
        assert!(ecgsyn(&bad).is_err());
        let m = Morphology::MCSHARRY_2003;
        let back = Morphology::from_waves(&m.at_heart_rate(84.0), 84.0);
        for i in 0..N_WAVES {
            assert!((back.theta_deg[i] - m.theta_deg[i]).abs() < 1e-9);
            assert!((back.b_rad[i] - m.b_rad[i]).abs() < 1e-12);
        }
    }
}
