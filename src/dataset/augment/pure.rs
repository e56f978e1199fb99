//! One window at a time: one pure function per technique, with its exact formula.

use super::augmentation::Augmentation;
use super::augmenter::Augmenter;
use super::check::check_layout;
use super::error::AugmentError;
use super::kernels::warp_positions_into;
use super::limits::{LIMIT_WARP_STRENGTH, ParamRange};
use super::ranges::TechniqueRanges;
use super::technique::{Mains, Technique};
use crate::rng::Rng;

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
    let augmentation = Augmentation::GaussianNoise { snr_db };
    augment(window_mv, fs_hz, r_index, &augmentation, seed)
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
    let augmentation = Augmentation::TimeWarp { strength };
    augment(window_mv, fs_hz, r_index, &augmentation, seed)
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
    let augmentation = Augmentation::AmplitudeScale { factor };
    augment(window_mv, fs_hz, r_index, &augmentation, 0)
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
    let augmentation = Augmentation::TimeShift { shift_samples };
    augment(window_mv, fs_hz, r_index, &augmentation, 0)
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
    let augmentation = Augmentation::FrequencyShift { shift_hz };
    augment(window_mv, fs_hz, r_index, &augmentation, 0)
}

/// Adds baseline wander: `y[k] = x[k] + A Σ_j c_j sin(2π f_j k / fs + θ_j)`, `j = 1..=3`
/// ([`WANDER_COMPONENTS`](super::WANDER_COMPONENTS)), with `f_j` uniform in `band_hz`, `θ_j` uniform in `[0, 2π)`, weights
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
    let augmentation = Augmentation::BaselineWander {
        amplitude_mv,
        band_hz,
    };
    augment(window_mv, fs_hz, r_index, &augmentation, seed)
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
    let augmentation = Augmentation::PowerLine {
        mains,
        amplitude_mv,
    };
    augment(window_mv, fs_hz, r_index, &augmentation, seed)
}
