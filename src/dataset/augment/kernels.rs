//! The numeric kernels behind each technique; inputs are already checked by the callers.

use super::WANDER_COMPONENTS;
use super::limits::ParamRange;
use crate::rng::Rng;

pub(super) fn noise_into(x: &[f32], snr_db: f32, rng: &mut Rng, out: &mut [f32]) {
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

/// Fills `positions` with the warp `φ(k)` of [`time_warp`](super::time_warp).
pub(super) fn warp_positions_into(
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
pub(super) fn interpolate_into(x: &[f32], positions: &[f64], out: &mut [f32]) {
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

pub(super) fn shift_into(x: &[f32], shift: i64, out: &mut [f32]) {
    let last = x.len() as i64 - 1;
    for (k, o) in out.iter_mut().enumerate() {
        *o = x[(k as i64 - shift).clamp(0, last) as usize];
    }
}

pub(super) fn wander_into(
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
pub(super) fn add_sinusoid(out: &mut [f32], a: f64, omega: f64, theta: f64) {
    let (ds, dc) = omega.sin_cos();
    let (mut s, mut c) = theta.sin_cos();
    for o in out.iter_mut() {
        *o = (f64::from(*o) + a * s) as f32;
        let s_next = s * dc + c * ds;
        c = c * dc - s * ds;
        s = s_next;
    }
}
