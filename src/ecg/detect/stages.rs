//! The signals of the Pan–Tompkins pipeline and the candidate peaks found in them.

use super::filter::band_pass;

/// The signals of the Pan–Tompkins pipeline, all aligned with the input.
pub(super) struct Stages {
    /// Band-passed signal, mV.
    pub(super) band: Vec<f64>,
    /// Its five-point derivative, mV/s.
    pub(super) slope: Vec<f64>,
    /// Moving-window integral of the squared derivative, (mV/s)².
    pub(super) integrated: Vec<f64>,
}

pub(super) fn stages(x: &[f64], fs_hz: f64) -> Stages {
    let n = x.len();
    let band = band_pass(x, fs_hz, 5.0, 15.0);
    let mut slope = vec![0.0; n];
    let scale = fs_hz / 8.0;
    for i in 2..n.saturating_sub(2) {
        slope[i] = (2.0 * (band[i + 1] - band[i - 1]) + band[i + 2] - band[i - 2]) * scale;
    }
    // Centred moving mean of slope² over `width` samples, by prefix sums.
    let width = ((0.150 * fs_hz).round() as usize).max(1);
    let half = width / 2;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    let mut acc = 0.0;
    for &d in &slope {
        acc += d * d;
        prefix.push(acc);
    }
    let integrated = (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + width - half).min(n);
            (prefix[hi] - prefix[lo]) / width as f64
        })
        .collect();
    Stages {
        band,
        slope,
        integrated,
    }
}

/// A local maximum of the integrated signal, with what the decision rules need.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// PEAKI: its height.
    pub(super) peak_i: f64,
    /// PEAKF: largest |band-passed| value near it.
    pub(super) peak_f: f64,
    /// Where that filtered peak is.
    pub(super) band_at: usize,
    /// Largest |slope| near it (T-wave test).
    pub(super) slope: f64,
}

pub(super) fn candidates(s: &Stages, fs_hz: f64) -> Vec<Candidate> {
    let m = &s.integrated;
    let n = m.len();
    let reach = ((0.080 * fs_hz).round() as usize).max(1);
    let maxima: Vec<usize> = (1..n.saturating_sub(1))
        .filter(|&i| m[i] > m[i - 1] && m[i] >= m[i + 1] && m[i] > 0.0)
        .collect();
    // A peak is the largest within one refractory period (200 ms) on either side: larger
    // peaks first, each removes the smaller ones near it (as scipy's find_peaks `distance`).
    let distance = 0.200 * fs_hz;
    let mut order: Vec<usize> = (0..maxima.len()).collect();
    order.sort_by(|&a, &b| m[maxima[b]].total_cmp(&m[maxima[a]]).then(a.cmp(&b)));
    let mut removed = vec![false; maxima.len()];
    for &k in &order {
        if removed[k] {
            continue;
        }
        let here = maxima[k] as f64;
        let mut j = k;
        while j > 0 && here - (maxima[j - 1] as f64) < distance {
            j -= 1;
            removed[j] = true;
        }
        let mut j = k + 1;
        while j < maxima.len() && (maxima[j] as f64) - here < distance {
            removed[j] = true;
            j += 1;
        }
    }
    let mut out = Vec::new();
    for (&i, _) in maxima.iter().zip(&removed).filter(|(_, r)| !**r) {
        let lo = i.saturating_sub(reach);
        let hi = (i + reach + 1).min(n);
        let (mut peak_f, mut band_at, mut slope) = (0.0f64, i, 0.0f64);
        for j in lo..hi {
            let a = s.band[j].abs();
            if a > peak_f {
                peak_f = a;
                band_at = j;
            }
            slope = slope.max(s.slope[j].abs());
        }
        out.push(Candidate {
            peak_i: m[i],
            peak_f,
            band_at,
            slope,
        });
    }
    // Two maxima of the integrated signal can point at one filtered peak (a wide QRS): keep
    // the larger, so candidate times increase strictly.
    out.sort_by_key(|c| c.band_at);
    out.dedup_by(|later, earlier| {
        if later.band_at != earlier.band_at {
            return false;
        }
        if later.peak_i > earlier.peak_i {
            *earlier = *later;
        }
        true
    });
    out
}
