//! [`ecgsyn`]: the three-dimensional model integrated as `ecgsyn.m` does, with its settings
//! ([`EcgSynConfig`]) and output ([`Ecg`]).

use serde::{Deserialize, Serialize};

use super::Z_TO_MV;
use super::error::{SimulateError, invalid};
use super::rr::{RrSpectrum, rr_at, rr_process};
use super::waves::Morphology;
use crate::rng::Rng;

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
    /// z × [`Z_TO_MV`](super::Z_TO_MV): amplitudes comparable across beats and records.
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
    // Interval boundaries on the internal grid and ω per interval.
    let mut bounds = vec![0usize];
    let mut t_ecg = 0.0;
    while *bounds.last().unwrap_or(&0) < n_int {
        let i = *bounds.last().unwrap_or(&0);
        t_ecg += rr_at(&rr0, i as f64 * dt);
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
