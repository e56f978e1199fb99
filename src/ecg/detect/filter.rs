//! The band-pass filter of the detector: second-order sections run forwards and backwards.

/// A second-order section, `a0` normalised to 1, run in direct form II transposed.
#[derive(Debug, Clone, Copy)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

impl Biquad {
    /// Butterworth low-pass (`high_pass = false`) or high-pass of order 2 with its −3 dB corner
    /// at `fc_hz`, by the bilinear transform with pre-warping.
    fn butterworth(fc_hz: f64, fs_hz: f64, high_pass: bool) -> Biquad {
        let k = (std::f64::consts::PI * fc_hz / fs_hz).tan();
        let q = std::f64::consts::FRAC_1_SQRT_2;
        let norm = 1.0 / (1.0 + k / q + k * k);
        let a = [2.0 * (k * k - 1.0) * norm, (1.0 - k / q + k * k) * norm];
        let b = if high_pass {
            [norm, -2.0 * norm, norm]
        } else {
            let b0 = k * k * norm;
            [b0, 2.0 * b0, b0]
        };
        Biquad { b, a }
    }

    /// Filters `x` in place, starting from the steady state of a constant input `x[0]`.
    fn run(&self, x: &mut [f64]) {
        let [b0, b1, b2] = self.b;
        let [a1, a2] = self.a;
        let Some(&x0) = x.first() else { return };
        let gain = (b0 + b1 + b2) / (1.0 + a1 + a2);
        let y0 = gain * x0;
        let mut s2 = b2 * x0 - a2 * y0;
        let mut s1 = b1 * x0 - a1 * y0 + s2;
        for v in x.iter_mut() {
            let xi = *v;
            let yi = b0 * xi + s1;
            s1 = b1 * xi - a1 * yi + s2;
            s2 = b2 * xi - a2 * yi;
            *v = yi;
        }
    }
}

/// Zero-phase band-pass `lo_hz`–`hi_hz`: both sections forwards, then backwards, on the signal
/// padded at each end by its odd reflection (1 s or the whole signal), as `filtfilt` does.
pub(super) fn band_pass(x: &[f64], fs_hz: f64, lo_hz: f64, hi_hz: f64) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return x.to_vec();
    }
    let pad = (fs_hz.round() as usize).min(n - 1);
    let mut ext = Vec::with_capacity(n + 2 * pad);
    ext.extend((1..=pad).rev().map(|i| 2.0 * x[0] - x[i]));
    ext.extend_from_slice(x);
    ext.extend((1..=pad).map(|i| 2.0 * x[n - 1] - x[n - 1 - i]));
    let sections = [
        Biquad::butterworth(lo_hz, fs_hz, true),
        Biquad::butterworth(hi_hz, fs_hz, false),
    ];
    for s in &sections {
        s.run(&mut ext);
    }
    ext.reverse();
    for s in &sections {
        s.run(&mut ext);
    }
    ext.reverse();
    ext.drain(..pad);
    ext.truncate(n);
    ext
}
