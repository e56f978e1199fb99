//! Least-squares fit of the five Gaussians: the model function, its cost, the parameter bounds
//! and a small Levenberg–Marquardt solver.

use crate::ecg::simulate::N_WAVES;

/// c + Σ αi exp(−(t − μi)² / (2σi²)) for parameters `[α, μ, σ] × 5, c`.
pub(super) fn gaussians(p: &[f64; 16], t: f64) -> f64 {
    let mut s = p[15];
    for i in 0..N_WAVES {
        let (a, mu, sd) = (p[3 * i], p[3 * i + 1], p[3 * i + 2]);
        let d = t - mu;
        s += a * (-0.5 * d * d / (sd * sd)).exp();
    }
    s
}

fn cost(t: &[f64], y: &[f64], p: &[f64; 16]) -> f64 {
    t.iter()
        .zip(y)
        .map(|(&tk, &yk)| (gaussians(p, tk) - yk).powi(2))
        .sum()
}

/// Where each event may sit in a fit, s from the R peak (P, Q, R, S, T): the P wave before the
/// QRS, Q and S on either side of R, T after it. Keeps the fit from trading events (a "Q" drifting
/// into the T wave) on class means that hold parts of neighbouring beats.
const FIT_CENTRE_S: [(f64, f64); N_WAVES] = [
    (-0.35, -0.06),
    (-0.10, 0.0),
    (-0.04, 0.04),
    (0.0, 0.12),
    (0.08, 0.5),
];

/// Widths each event may take in a fit, s (standard deviation of its Gaussian in time).
const FIT_WIDTH_S: [(f64, f64); N_WAVES] = [
    (0.008, 0.12),
    (0.003, 0.06),
    (0.003, 0.06),
    (0.003, 0.06),
    (0.015, 0.2),
];

#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
/// Levenberg–Marquardt on the 16-parameter Gaussian sum; returns parameters, iterations and
/// the RMS residual. Centres and widths are kept in [`FIT_CENTRE_S`] and [`FIT_WIDTH_S`] (and
/// widths above half a sample).
pub(super) fn levenberg_marquardt(
    t: &[f64],
    y: &[f64],
    mut p: [f64; 16],
    sample_s: f64,
) -> ([f64; 16], usize, f64) {
    const NP: usize = 16;
    let clamp = |p: &mut [f64; 16]| {
        for i in 0..N_WAVES {
            let (c_lo, c_hi) = FIT_CENTRE_S[i];
            let (w_lo, w_hi) = FIT_WIDTH_S[i];
            p[3 * i + 1] = p[3 * i + 1].clamp(c_lo, c_hi);
            p[3 * i + 2] = p[3 * i + 2].clamp(w_lo.max(0.5 * sample_s), w_hi);
        }
    };
    clamp(&mut p);
    let mut c = cost(t, y, &p);
    let mut lambda = 1e-3;
    let mut iterations = 0;
    for _ in 0..400 {
        iterations += 1;
        // Normal equations JᵀJ and Jᵀr.
        let mut jtj = [[0.0f64; NP]; NP];
        let mut jtr = [0.0f64; NP];
        let mut row = [0.0f64; NP];
        for (&tk, &yk) in t.iter().zip(y) {
            let mut model = p[15];
            for i in 0..N_WAVES {
                let (a, mu, sd) = (p[3 * i], p[3 * i + 1], p[3 * i + 2]);
                let d = tk - mu;
                let e = (-0.5 * d * d / (sd * sd)).exp();
                model += a * e;
                row[3 * i] = e;
                row[3 * i + 1] = a * e * d / (sd * sd);
                row[3 * i + 2] = a * e * d * d / (sd * sd * sd);
            }
            row[15] = 1.0;
            let res = model - yk;
            for u in 0..NP {
                jtr[u] += row[u] * res;
                for v in u..NP {
                    jtj[u][v] += row[u] * row[v];
                }
            }
        }
        for u in 0..NP {
            for v in 0..u {
                jtj[u][v] = jtj[v][u];
            }
        }
        let max_diag = (0..NP).map(|u| jtj[u][u]).fold(0.0f64, f64::max).max(1e-30);
        let mut improved = false;
        for _ in 0..12 {
            let mut a = jtj;
            for (u, row) in a.iter_mut().enumerate() {
                row[u] += lambda * (jtj[u][u] + 1e-9 * max_diag);
            }
            let mut rhs = jtr.map(|v| -v);
            if !solve(&mut a, &mut rhs) {
                lambda *= 4.0;
                continue;
            }
            let mut trial = p;
            for u in 0..NP {
                trial[u] += rhs[u];
            }
            clamp(&mut trial);
            let tc = cost(t, y, &trial);
            if tc.is_finite() && tc < c {
                let gain = (c - tc) / c.max(1e-300);
                p = trial;
                c = tc;
                lambda = (lambda / 3.0).max(1e-12);
                improved = true;
                if gain < 1e-10 {
                    return (p, iterations, (c / t.len() as f64).sqrt());
                }
                break;
            }
            lambda *= 4.0;
        }
        if !improved {
            break;
        }
    }
    (p, iterations, (c / t.len() as f64).sqrt())
}

#[allow(clippy::needless_range_loop)]
/// Solves `a x = b` in place (Gaussian elimination, partial pivoting); false when singular.
pub(super) fn solve<const N: usize>(a: &mut [[f64; N]; N], b: &mut [f64; N]) -> bool {
    for col in 0..N {
        let piv = (col..N)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        if a[piv][col].abs() < 1e-300 || !a[piv][col].is_finite() {
            return false;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            if f != 0.0 {
                for k in col..N {
                    a[row][k] -= f * a[col][k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for col in (0..N).rev() {
        let mut s = b[col];
        for k in col + 1..N {
            s -= a[col][k] * b[k];
        }
        b[col] = s / a[col][col];
    }
    b.iter().all(|v| v.is_finite())
}
