//! ECGSYN's RR process: its spectrum ([`RrSpectrum`]) and the intervals drawn from it
//! ([`rr_process`]), and the interval at any time between its samples ([`rr_at`]).

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::{Deserialize, Serialize};

use super::error::{SimulateError, invalid};
use crate::rng::Rng;

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

/// The RR interval (s) at time `t_s` of `rr_s`, RR intervals sampled at 1 Hz as
/// [`rr_process`] gives them: linear between samples, the last interval after the last sample,
/// and `t_s` below 0 extrapolating from the first two. `rr_s` must hold at least one interval.
pub fn rr_at(rr_s: &[f64], t_s: f64) -> f64 {
    let i = t_s.floor().max(0.0) as usize;
    if i + 1 >= rr_s.len() {
        return rr_s[rr_s.len() - 1];
    }
    let f = t_s - i as f64;
    rr_s[i] * (1.0 - f) + rr_s[i + 1] * f
}
