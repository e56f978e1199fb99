//! [`Augmenter`]: applies augmentations to many windows, keeping FFT plans and buffers.

use std::fmt;
use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::augmentation::Augmentation;
use super::check::{check_finite, check_layout, check_out_len};
use super::error::AugmentError;
use super::kernels::{
    add_sinusoid, interpolate_into, noise_into, shift_into, wander_into, warp_positions_into,
};
use crate::rng::Rng;

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

    /// See [`frequency_shift`](super::frequency_shift).
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
