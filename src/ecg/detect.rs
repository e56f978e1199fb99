//! QRS detection — R-peak positions in one lead — and its beat-by-beat evaluation against
//! reference annotations (ANSI/AAMI EC57).
//!
//! **Detector.** [`find_r_peaks`] implements Pan & Tompkins, "A real-time QRS detection
//! algorithm", IEEE Trans Biomed Eng 32(3):230–236, 1985 ([`PeakMethod::PanTompkins1985`]),
//! and a variant that looks 360 ms ahead ([`PeakMethod::PanTompkins1985Lookahead`], the
//! default: it scores best on MIT-BIH, see `tests/detect_mitdb.rs`). The stages:
//!
//! 1. band-pass 5–15 Hz: a 2nd-order Butterworth high-pass (5 Hz) and low-pass (15 Hz), run
//!    forwards and backwards so the output has no phase delay;
//! 2. five-point derivative `(−x[n−2] − 2x[n−1] + 2x[n+1] + x[n+2]) · fs/8` (mV/s);
//! 3. squaring;
//! 4. moving-window integration over 150 ms, centred;
//! 5. peaks of the integrated signal: local maxima that are the largest within 200 ms on
//!    either side (the refractory period: two QRS complexes cannot be closer). Each peak's
//!    PEAKI is its height; its PEAKF (filtered) the largest |band-passed| value within ±80 ms,
//!    whose position is the peak's time; its slope the largest |derivative| there;
//! 6. a peak is a QRS when PEAKI > THRESHOLD I1 and PEAKF > THRESHOLD F1, where
//!    `THRESHOLD1 = NPK + 0.25 (SPK − NPK)`, SPK/NPK being running estimates of signal and
//!    noise peaks (`SPK ← 0.125 PEAK + 0.875 SPK` for a QRS, likewise NPK for anything else),
//!    initialised over a 2-s learning phase (SPK = ⅓ of the maximum, NPK = ½ of the mean);
//!    both thresholds are halved while the rhythm is irregular (the last RR interval outside
//!    92–116 % of RR AVERAGE2);
//! 7. no QRS within 200 ms of the previous one; a peak less than 360 ms after the previous
//!    QRS whose slope is under half that QRS's largest slope is a T wave;
//! 8. search-back: when no QRS has been found for 166 % of RR AVERAGE2 (the mean of the last
//!    eight RR intervals that fell within 92–116 % of it), the largest peak since the last QRS
//!    that exceeds the second thresholds (`THRESHOLD2 = 0.5 THRESHOLD1`) and is not a T wave
//!    is a QRS, and `SPK ← 0.25 PEAK + 0.75 SPK`.
//!
//! Every filter, window and interval is designed from `fs_hz` in seconds, not taken from the
//! paper's integer coefficients for 200 Hz, so the detector works at any rate from
//! [`MIN_FS_HZ`] up (MIT-BIH's 360 Hz, PTB-XL's 100 and 500 Hz; `tests/detect_mitdb.rs` checks
//! that 250 and 500 Hz resamplings agree with 360 Hz, and PTB-XL's 100 Hz with its 500 Hz).
//! The whole signal is processed at once: the paper's filters are causal, ours zero-phase,
//! which only removes their known delay.
//!
//! The reported position of each QRS is refined to the extremum of the *original* signal
//! (largest deviation from the median of the surrounding 0.5 s) within ±80 ms of the
//! band-passed peak, so positions are R (or S, or the main deflection of a ventricular beat)
//! peaks as annotators mark them. Missing samples (NaN, ±∞) are bridged by straight lines
//! before filtering and never reported as peaks.
//!
//! **Evaluation.** [`match_beats`] matches detections to reference beats one-to-one within
//! 150 ms ([`match_window_samples`]), as EC57 §4.3 and its reference implementation `bxb`
//! (WFDB) do; [`reference_beats`] takes the beat annotations of a record (the 15 MIT-BIH beat
//! symbols of the AAMI table in [`crate::ecg::aami`]); [`evaluate_record`] leaves out what EC57
//! excludes from QRS detection statistics: ventricular flutter and fibrillation episodes
//! ([`excluded_intervals`]: from `[` to `]`, and from a `(VFL`/`(VF` rhythm annotation to the
//! next rhythm change — in MIT-BIH only record 207 has them, 52,081 samples (2.4 min) in six
//! episodes; its 472 flutter waves `!` are not beats). Reference beats and detections inside
//! an excluded interval are both dropped. Unlike `bxb`'s default, the first five minutes are
//! *not* skipped: every beat counts. [`score`] scores a set of records, each and in total, as
//! `ecg-balance detect-eval` reports them.

pub mod score;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ecg::aami::{AamiClass, class_of_code};
use crate::{Annotation, Record};

/// Lowest sampling rate the detector accepts, Hz: the band-pass reaches 15 Hz, which must stay
/// well below the Nyquist frequency.
pub const MIN_FS_HZ: f64 = 50.0;
/// Highest sampling rate the detector accepts, Hz.
pub const MAX_FS_HZ: f64 = 100_000.0;
/// Shortest signal the detector accepts, s: the 2-s learning phase of Pan–Tompkins.
pub const MIN_DURATION_S: f64 = 2.0;
/// EC57 matching window: a detection within this many ms of a reference beat matches it.
pub const MATCH_WINDOW_MS: f64 = 150.0;

/// A QRS detection method, named after its paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PeakMethod {
    /// Pan & Tompkins 1985 as published (see the module docs), with filters designed for any
    /// sampling rate.
    PanTompkins1985,
    /// Pan & Tompkins 1985 with a lookahead and three other changes that remove most of its
    /// false detections and misses on MIT-BIH:
    ///
    /// - *lookahead*: a QRS candidate is confirmed only after the next 360 ms have been seen;
    ///   a later QRS candidate takes its place when it comes within 250 ms (a PR interval)
    ///   with a larger PEAKI, or within 360 ms with over twice the slope — the mirror image of
    ///   the paper's T-wave test, for tall P waves (MIT-BIH 108) and artefacts;
    /// - *lower first thresholds*: `THRESHOLD1 = NPK + 0.18 (SPK − NPK)` (the lookahead keeps
    ///   the extra P and T waves this lets through out);
    /// - *relaxed search-back*: when no peak exceeds the second thresholds, the largest over
    ///   half of THRESHOLD I2 (and over THRESHOLD F2) is taken if it lies more than 360 ms
    ///   after the last QRS and 250 ms before the next candidate — wide ventricular beats
    ///   carry little 5–15 Hz energy (MIT-BIH 124, 210); SPK and NPK are left as they were;
    /// - *robust learning*: the initial SPK is ⅓ of the median of per-second maxima over the
    ///   first 8 s, so one artefact in the first 2 s does not raise the thresholds.
    #[default]
    PanTompkins1985Lookahead,
}

impl PeakMethod {
    /// Every method, default first.
    pub const ALL: [PeakMethod; 2] = [Self::PanTompkins1985Lookahead, Self::PanTompkins1985];

    /// The name used on the command line (`pan-tompkins-1985`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::PanTompkins1985 => "pan-tompkins-1985",
            Self::PanTompkins1985Lookahead => "pan-tompkins-1985-lookahead",
        }
    }
}

impl fmt::Display for PeakMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PeakMethod {
    type Err = DetectError;

    /// Parses a [`PeakMethod::name`] (case-insensitive; `_` may stand for `-`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|m| m.name() == wanted)
            .ok_or_else(|| DetectError::UnknownMethod(s.to_string()))
    }
}

/// What can go wrong when detecting QRS complexes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DetectError {
    /// The sampling rate is not finite or outside [`MIN_FS_HZ`]..=[`MAX_FS_HZ`].
    #[error(
        "sampling rate {fs_hz} Hz is not usable for QRS detection: give a rate between 50 and 100000 Hz (the band-pass reaches 15 Hz)"
    )]
    SamplingRate {
        /// The rate given, Hz.
        fs_hz: f64,
    },
    /// The signal is shorter than the learning phase.
    #[error(
        "the signal has {samples} samples but QRS detection needs at least {min_samples} (2 s, the learning phase)"
    )]
    TooShort {
        /// Samples given.
        samples: usize,
        /// Samples needed at this rate.
        min_samples: usize,
    },
    /// Every sample is missing (NaN or infinite).
    #[error("the signal holds no finite sample: every value is missing (NaN) or infinite")]
    NoFiniteSamples,
    /// The record has no lead of this index.
    #[error("lead {lead} does not exist: the record has {n_leads} lead(s), numbered from 0")]
    NoSuchLead {
        /// Index asked for.
        lead: usize,
        /// Leads in the record.
        n_leads: usize,
    },
    /// A method name that is not one of [`PeakMethod::ALL`].
    #[error(
        "unknown QRS detection method {0:?}: use pan-tompkins-1985 or pan-tompkins-1985-lookahead"
    )]
    UnknownMethod(String),
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

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
fn band_pass(x: &[f64], fs_hz: f64, lo_hz: f64, hi_hz: f64) -> Vec<f64> {
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

// ---------------------------------------------------------------------------------------------
// Detector
// ---------------------------------------------------------------------------------------------

/// The signals of the Pan–Tompkins pipeline, all aligned with the input.
struct Stages {
    /// Band-passed signal, mV.
    band: Vec<f64>,
    /// Its five-point derivative, mV/s.
    slope: Vec<f64>,
    /// Moving-window integral of the squared derivative, (mV/s)².
    integrated: Vec<f64>,
}

fn stages(x: &[f64], fs_hz: f64) -> Stages {
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
struct Candidate {
    /// PEAKI: its height.
    peak_i: f64,
    /// PEAKF: largest |band-passed| value near it.
    peak_f: f64,
    /// Where that filtered peak is.
    band_at: usize,
    /// Largest |slope| near it (T-wave test).
    slope: f64,
}

fn candidates(s: &Stages, fs_hz: f64) -> Vec<Candidate> {
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

/// A running signal-peak / noise-peak pair and its thresholds.
#[derive(Debug, Clone, Copy)]
struct Level {
    signal: f64,
    noise: f64,
}

/// RR-interval bookkeeping of the paper: RR AVERAGE1 (last eight) and RR AVERAGE2 (last eight
/// within 92–116 % of RR AVERAGE2), in samples.
#[derive(Debug, Clone)]
struct RrAverages {
    recent: Vec<f64>,
    selected: Vec<f64>,
    average2: f64,
    irregular: bool,
    /// RR intervals in a row that fell outside the limits.
    misses: usize,
}

impl RrAverages {
    fn new(fs_hz: f64) -> Self {
        // 1 s (60 bpm) until the first interval is seen.
        RrAverages {
            recent: Vec::new(),
            selected: Vec::new(),
            average2: fs_hz,
            irregular: false,
            misses: 0,
        }
    }

    fn push(&mut self, rr: f64) {
        fn push8(v: &mut Vec<f64>, x: f64) {
            if v.len() == 8 {
                v.remove(0);
            }
            v.push(x);
        }
        push8(&mut self.recent, rr);
        let within = rr >= 0.92 * self.average2 && rr <= 1.16 * self.average2;
        self.irregular = !within;
        if within || self.selected.is_empty() {
            push8(&mut self.selected, rr);
            self.misses = 0;
        } else {
            self.misses += 1;
            // The rate has changed for good: eight intervals in a row outside the limits
            // (the paper's regular-rhythm rule, RR AVERAGE2 = RR AVERAGE1, read this way).
            if self.misses >= 8 {
                self.selected = self.recent.clone();
                self.misses = 0;
            }
        }
        self.average2 = self.selected.iter().sum::<f64>() / self.selected.len() as f64;
    }

    fn missed_limit(&self) -> f64 {
        1.66 * self.average2
    }
}

/// The running state of the decision rules.
struct Decider<'a> {
    c: &'a [Candidate],
    /// Integrated-signal levels.
    li: Level,
    /// Filtered-signal levels.
    lf: Level,
    rr: RrAverages,
    /// Candidates taken as QRS complexes, in time order.
    qrs: Vec<usize>,
    /// First candidate search-back has not yet looked at.
    since: usize,
    /// Largest slope of the last QRS complex (over all its candidates).
    last_slope: f64,
    refractory: f64,
    t_wave_window: f64,
    /// Lookahead: how far before a QRS a P wave may be taken for one, samples.
    p_wave_window: f64,
    /// Lookahead: search-back falls back to candidates over half the second thresholds.
    relaxed_search_back: bool,
    /// THRESHOLD1 = NPK + this × (SPK − NPK): 0.25 in the paper.
    threshold_fraction: f64,
}

impl Decider<'_> {
    /// Time of candidate `k`: its filtered peak, in samples.
    fn t(&self, k: usize) -> usize {
        self.c[k].band_at
    }

    /// Samples from the last QRS to candidate `k` (`None` before the first QRS).
    fn since_last(&self, k: usize) -> Option<f64> {
        self.qrs
            .last()
            .map(|&q| self.t(k) as f64 - self.t(q) as f64)
    }

    /// THRESHOLD I1 and F1, halved while the rhythm is irregular.
    fn thresholds1(&self) -> (f64, f64) {
        let scale = if self.rr.irregular { 0.5 } else { 1.0 };
        let f = self.threshold_fraction;
        let t = |l: &Level| l.noise + f * (l.signal - l.noise);
        (scale * t(&self.li), scale * t(&self.lf))
    }

    /// True when candidate `k`, less than 360 ms after the last QRS, has under half its slope.
    fn is_t_wave(&self, k: usize) -> bool {
        match (self.since_last(k), self.qrs.last()) {
            (Some(dt), Some(_)) => {
                dt < self.t_wave_window && self.c[k].slope < 0.5 * self.last_slope
            }
            _ => false,
        }
    }

    fn noise(&mut self, k: usize) {
        self.li.noise = 0.125 * self.c[k].peak_i + 0.875 * self.li.noise;
        self.lf.noise = 0.125 * self.c[k].peak_f + 0.875 * self.lf.noise;
    }

    fn accept(&mut self, k: usize, via_search_back: bool) {
        let w = if via_search_back { 0.25 } else { 0.125 };
        self.li.signal = w * self.c[k].peak_i + (1.0 - w) * self.li.signal;
        self.lf.signal = w * self.c[k].peak_f + (1.0 - w) * self.lf.signal;
        if let Some(dt) = self.since_last(k) {
            self.rr.push(dt);
        }
        self.qrs.push(k);
        self.since = k + 1;
        self.last_slope = self.c[k].slope;
    }

    /// The largest candidate (integrated peak) in `since..k` for which `ok` holds.
    fn largest(&self, k: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
        (self.since..k)
            .filter(|&j| ok(j))
            .fold(None, |best: Option<usize>, j| match best {
                Some(b) if self.c[b].peak_i >= self.c[j].peak_i => Some(b),
                _ => Some(j),
            })
    }

    /// Search-back before candidate `k`: while the time since the last QRS exceeds RR MISSED
    /// LIMIT, the largest candidate since then over the second thresholds is a QRS. With
    /// `relaxed_search_back`, when none is, the largest over half of THRESHOLD I2 (and over
    /// THRESHOLD F2) that lies past the last QRS's T-wave window and a PR interval before `k`
    /// is one — without changing the signal levels, as it is atypical.
    fn search_back(&mut self, k: usize) {
        loop {
            let origin = self.qrs.last().map_or(0, |&q| self.t(q));
            if (self.t(k).saturating_sub(origin)) as f64 <= self.rr.missed_limit() {
                return;
            }
            let (i1, f1) = self.thresholds1();
            let second = self.largest(k, |j| {
                let cj = self.c[j];
                !self.since_last(j).is_some_and(|dt| dt < self.refractory)
                    && !self.is_t_wave(j)
                    && cj.peak_i > 0.5 * i1
                    && cj.peak_f > 0.5 * f1
            });
            if let Some(j) = second {
                self.accept(j, true);
                continue;
            }
            if self.relaxed_search_back {
                let relaxed = self.largest(k, |j| {
                    let cj = self.c[j];
                    !self.since_last(j).is_some_and(|dt| dt < self.t_wave_window)
                        && ((self.t(k) - self.t(j)) as f64) >= self.p_wave_window
                        && cj.peak_i > 0.25 * i1
                        && cj.peak_f > 0.5 * f1
                });
                if let Some(j) = relaxed {
                    let (li, lf) = (self.li, self.lf);
                    self.accept(j, true);
                    (self.li, self.lf) = (li, lf);
                    continue;
                }
            }
            self.since = k;
            return;
        }
    }

    /// Whether candidate `k` passes the first thresholds and is not a T wave.
    fn is_qrs(&self, k: usize) -> bool {
        let (i1, f1) = self.thresholds1();
        self.c[k].peak_i > i1 && self.c[k].peak_f > f1 && !self.is_t_wave(k)
    }
}

/// The adaptive-threshold decision rules over the candidates; returns indices of the
/// candidates taken as QRS complexes, in time order.
fn decide(c: &[Candidate], s: &Stages, fs_hz: f64, method: PeakMethod) -> Vec<usize> {
    let lookahead = method == PeakMethod::PanTompkins1985Lookahead;
    let (li, lf) = learn(s, fs_hz, lookahead);
    let mut d = Decider {
        c,
        li,
        lf,
        rr: RrAverages::new(fs_hz),
        qrs: Vec::new(),
        since: 0,
        last_slope: 0.0,
        refractory: 0.200 * fs_hz,
        t_wave_window: 0.360 * fs_hz,
        p_wave_window: 0.250 * fs_hz,
        relaxed_search_back: lookahead,
        threshold_fraction: if lookahead { 0.18 } else { 0.25 },
    };
    let mut k = 0usize;
    while k < c.len() {
        d.search_back(k);
        if d.since_last(k).is_some_and(|dt| dt < d.refractory) {
            // Part of the last complex: its slope counts for the T-wave test.
            d.last_slope = d.last_slope.max(c[k].slope);
            k += 1;
            continue;
        }
        if !d.is_qrs(k) {
            d.noise(k);
            k += 1;
            continue;
        }
        let mut chosen = k;
        if lookahead {
            // A QRS candidate that follows within 250 ms (a PR interval) with more energy, or
            // within 360 ms with over twice the slope, shows this one is a P wave or noise:
            // it claims the beat.
            let mut j = k + 1;
            while j < c.len() && ((c[j].band_at - c[k].band_at) as f64) < d.t_wave_window {
                let dt = (c[j].band_at - c[k].band_at) as f64;
                let larger = dt < d.p_wave_window && c[j].peak_i > c[chosen].peak_i;
                let steeper = c[j].slope > 2.0 * c[chosen].slope;
                if (larger || steeper) && d.is_qrs(j) {
                    chosen = j;
                }
                j += 1;
            }
            for skipped in k..chosen {
                d.noise(skipped);
            }
        }
        d.accept(chosen, false);
        k = chosen + 1;
    }
    d.qrs
}

/// Initial signal and noise levels (integrated, filtered).
///
/// Paper: over the first 2 s, signal = ⅓ of the maximum, noise = ½ of the mean. Lookahead
/// variant: the maximum is the median of the per-second maxima over the first 8 s (or what
/// there is), robust to one artefact.
fn learn(s: &Stages, fs_hz: f64, robust: bool) -> (Level, Level) {
    let n = s.integrated.len();
    let second = (fs_hz.round() as usize).max(1);
    let level = |v: &dyn Fn(usize) -> f64| -> Level {
        let span = (2 * second).min(n);
        let mean = (0..span).map(v).sum::<f64>() / span.max(1) as f64;
        let max = if robust {
            let blocks = (n / second).clamp(1, 8);
            let mut maxima: Vec<f64> = (0..blocks)
                .map(|b| {
                    (b * second..((b + 1) * second).min(n))
                        .map(v)
                        .fold(0.0, f64::max)
                })
                .collect();
            maxima.sort_by(f64::total_cmp);
            maxima[maxima.len() / 2]
        } else {
            (0..span).map(v).fold(0.0, f64::max)
        };
        Level {
            signal: max / 3.0,
            noise: mean / 2.0,
        }
    };
    (level(&|i| s.integrated[i]), level(&|i| s.band[i].abs()))
}

/// Checks the rate and length, and returns the signal with missing samples held at the last
/// valid value (leading ones at the first), in f64.
fn prepare(signal_mv: &[f32], fs_hz: f64) -> Result<Vec<f64>, DetectError> {
    if !(fs_hz.is_finite() && (MIN_FS_HZ..=MAX_FS_HZ).contains(&fs_hz)) {
        return Err(DetectError::SamplingRate { fs_hz });
    }
    let min_samples = (MIN_DURATION_S * fs_hz).ceil() as usize;
    if signal_mv.len() < min_samples {
        return Err(DetectError::TooShort {
            samples: signal_mv.len(),
            min_samples,
        });
    }
    if !signal_mv.iter().any(|v| v.is_finite()) {
        return Err(DetectError::NoFiniteSamples);
    }
    // Gaps are bridged by a straight line (no step for the band-pass to ring on); leading and
    // trailing gaps hold the nearest valid value.
    let mut x: Vec<f64> = signal_mv.iter().map(|&v| f64::from(v)).collect();
    let mut last_valid: Option<usize> = None;
    let mut i = 0;
    while i < x.len() {
        if x[i].is_finite() {
            last_valid = Some(i);
            i += 1;
            continue;
        }
        let end = (i..x.len()).find(|&j| x[j].is_finite());
        match (last_valid, end) {
            (Some(a), Some(b)) => {
                let (va, vb) = (x[a], x[b]);
                for (k, v) in x.iter_mut().enumerate().take(b).skip(i) {
                    *v = va + (vb - va) * (k - a) as f64 / (b - a) as f64;
                }
            }
            (None, Some(b)) => {
                let vb = x[b];
                x[i..b].fill(vb);
            }
            (Some(a), None) => {
                let va = x[a];
                x[i..].fill(va);
            }
            (None, None) => return Err(DetectError::NoFiniteSamples),
        }
        i = end.unwrap_or(x.len());
    }
    Ok(x)
}

/// Moves each detection to the extremum of the original signal near its band-passed peak.
fn refine(signal_mv: &[f32], x: &[f64], fs_hz: f64, at: usize) -> usize {
    let n = x.len();
    let reach = ((0.080 * fs_hz).round() as usize).max(1);
    let context = ((0.250 * fs_hz).round() as usize).max(reach);
    let mut around: Vec<f64> = x[at.saturating_sub(context)..(at + context + 1).min(n)].to_vec();
    let mid = around.len() / 2;
    let (_, median, _) = around.select_nth_unstable_by(mid, f64::total_cmp);
    let median = *median;
    let mut best = at;
    let mut best_dev = -1.0;
    for j in at.saturating_sub(reach)..(at + reach + 1).min(n) {
        if !signal_mv[j].is_finite() {
            continue;
        }
        let dev = (x[j] - median).abs();
        if dev > best_dev {
            best_dev = dev;
            best = j;
        }
    }
    best
}

/// R-peak positions (samples from the start of `signal_mv`, ascending) found by `method`.
///
/// `signal_mv` is one lead in mV (any scale works: the thresholds adapt), `fs_hz` its sampling
/// rate. Missing samples may be NaN. Errors: a rate outside [`MIN_FS_HZ`]..=[`MAX_FS_HZ`], a
/// signal shorter than [`MIN_DURATION_S`], or one with no finite sample.
pub fn find_r_peaks(
    signal_mv: &[f32],
    fs_hz: f64,
    method: PeakMethod,
) -> Result<Vec<usize>, DetectError> {
    let x = prepare(signal_mv, fs_hz)?;
    let s = stages(&x, fs_hz);
    let c = candidates(&s, fs_hz);
    let chosen = decide(&c, &s, fs_hz, method);
    let mut peaks: Vec<usize> = chosen
        .into_iter()
        .map(|k| refine(signal_mv, &x, fs_hz, c[k].band_at))
        .filter(|&p| signal_mv[p].is_finite())
        .collect();
    peaks.sort_unstable();
    // Two detections refined onto the same complex count once.
    let min_gap = (0.050 * fs_hz).round() as usize;
    peaks.dedup_by(|later, earlier| *later - *earlier <= min_gap);
    Ok(peaks)
}

/// R peaks of lead `lead` (0-based) of `record`, in samples from the record's start.
pub fn detect_record(
    record: &Record,
    lead: usize,
    method: PeakMethod,
) -> Result<Vec<usize>, DetectError> {
    let signal = record.signals.get(lead).ok_or(DetectError::NoSuchLead {
        lead,
        n_leads: record.signals.len(),
    })?;
    let mv = signal.physical_range(0..signal.len());
    find_r_peaks(&mv, record.fs_hz, method)
}

// ---------------------------------------------------------------------------------------------
// Annotations and evaluation
// ---------------------------------------------------------------------------------------------

/// MIT annotation code written for a beat of each AAMI class: the class's most common
/// MIT-BIH symbol — N → `N` (1), S → `A` (8, atrial premature beat), V → `V` (5), F → `F` (6),
/// Q → `Q` (13).
pub fn mit_code_of_class(class: AamiClass) -> u8 {
    match class {
        AamiClass::N => 1,
        AamiClass::S => 8,
        AamiClass::V => 5,
        AamiClass::F => 6,
        AamiClass::Q => 13,
    }
}

/// Beat annotations at `peaks`, as a WFDB annotation file holds them.
///
/// Without `labels` every beat is `N` (a detector that does not classify, as EC57's QRS
/// detection test expects). With labels, beat `i` takes the code of `labels[i]`
/// ([`mit_code_of_class`]); beats past the end of `labels` are `Q` (unclassifiable).
pub fn beat_annotations(peaks: &[usize], labels: Option<&[AamiClass]>) -> Vec<Annotation> {
    peaks
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let class = match labels {
                None => AamiClass::N,
                Some(l) => l.get(i).copied().unwrap_or(AamiClass::Q),
            };
            Annotation::beat(p as u64, mit_code_of_class(class))
        })
        .collect()
}

/// True positives, false negatives and false positives of a beat-by-beat comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MatchCounts {
    /// Reference beats matched by a detection.
    pub tp: usize,
    /// Reference beats no detection matched (missed beats).
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Detections that matched no reference beat.
    pub fp: usize,
}

impl MatchCounts {
    /// Sensitivity Se = TP / (TP + FN), 0–1; `None` without reference beats.
    pub fn se(&self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }

    /// Positive predictivity +P = TP / (TP + FP), 0–1; `None` without detections.
    pub fn ppv(&self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }

    /// Element-wise sum.
    pub fn merged(self, other: MatchCounts) -> MatchCounts {
        MatchCounts {
            tp: self.tp + other.tp,
            fn_: self.fn_ + other.fn_,
            fp: self.fp + other.fp,
        }
    }

    /// As JSON: counts, and Se / +P in percent (`null` when undefined).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "tp": self.tp,
            "fn": self.fn_,
            "fp": self.fp,
            "se_percent": self.se().map(|v| v * 100.0),
            "ppv_percent": self.ppv().map(|v| v * 100.0),
        })
    }
}

/// The EC57 matching window in samples at `fs_hz`: 150 ms, rounded.
pub fn match_window_samples(fs_hz: f64) -> usize {
    (MATCH_WINDOW_MS / 1000.0 * fs_hz).round().max(0.0) as usize
}

/// Matches detections to reference beats one-to-one (both in samples; sorted here).
///
/// A detection matches a reference beat when they are at most `window_samples` apart. The
/// matching is the largest possible, and among the largest the one with the smallest total
/// offset — so when a detection could match two beats (or a beat two detections) the nearer
/// pair is matched, as `bxb` does. Unmatched reference beats are false negatives, unmatched
/// detections false positives.
pub fn match_beats(reference: &[usize], detected: &[usize], window_samples: usize) -> MatchCounts {
    let mut r = reference.to_vec();
    let mut d = detected.to_vec();
    r.sort_unstable();
    d.sort_unstable();
    let w = window_samples;
    let mut out = MatchCounts::default();
    // Split the time line where consecutive events (of either list) are more than a window
    // apart: no pair can match across such a gap, so each piece is matched on its own.
    let (mut i0, mut j0) = (0usize, 0usize);
    while i0 < r.len() || j0 < d.len() {
        let (mut i1, mut j1) = (i0, j0);
        let mut last: Option<usize> = None;
        loop {
            let next_r = r.get(i1).copied();
            let next_d = d.get(j1).copied();
            let (t, is_r) = match (next_r, next_d) {
                (Some(a), Some(b)) if a <= b => (a, true),
                (Some(a), None) => (a, true),
                (_, Some(b)) => (b, false),
                (None, None) => break,
            };
            if last.is_some_and(|l| t - l > w) {
                break;
            }
            last = Some(t);
            if is_r {
                i1 += 1;
            } else {
                j1 += 1;
            }
        }
        let tp = best_matching(&r[i0..i1], &d[j0..j1], w);
        out.tp += tp;
        out.fn_ += (i1 - i0) - tp;
        out.fp += (j1 - j0) - tp;
        (i0, j0) = (i1, j1);
    }
    out
}

/// Largest one-to-one matching of sorted `r` and `d` within `w`, nearest pairs preferred
/// among equally large ones; returns its size. An optimal matching never crosses (two crossed
/// pairs can be swapped, keeping both within the window and not increasing the offsets), so
/// an alignment over the two sequences finds it: score = (matches, −total offset).
fn best_matching(r: &[usize], d: &[usize], w: usize) -> usize {
    if r.is_empty() || d.is_empty() {
        return 0;
    }
    // Rolling rows of (matches, total offset) for prefixes r[..i], d[..j].
    let better = |a: (usize, usize), b: (usize, usize)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
    let mut prev = vec![(0usize, 0usize); d.len() + 1];
    let mut row = prev.clone();
    for &ri in r {
        row[0] = (0, 0);
        for (j, &dj) in d.iter().enumerate() {
            let mut best = prev[j + 1]; // r_i unmatched
            if better(row[j], best) {
                best = row[j]; // d_j unmatched
            }
            let gap = ri.abs_diff(dj);
            if gap <= w {
                let m = (prev[j].0 + 1, prev[j].1 + gap);
                if better(m, best) {
                    best = m;
                }
            }
            row[j + 1] = best;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[d.len()].0
}

/// Positions of the beat annotations of `record` (the MIT-BIH beat symbols of the AAMI table,
/// [`crate::ecg::aami::AAMI_EC57`]), ascending. Rhythm, noise and flutter-wave annotations
/// are not beats.
pub fn reference_beats(record: &Record) -> Vec<usize> {
    let mut beats: Vec<usize> = record
        .annotations
        .iter()
        .filter(|a| class_of_code(a.code).is_some())
        .map(|a| a.sample as usize)
        .collect();
    beats.sort_unstable();
    beats
}

/// The rhythm named by a rhythm annotation's `aux_note` (`(VFL` → `VFL`), without the
/// trailing NUL some files carry.
fn rhythm_of(a: &Annotation) -> Option<&str> {
    let note = a.aux_note.as_deref()?;
    let note = note.trim_end_matches('\0').trim();
    note.strip_prefix('(')
}

/// Sample ranges EC57 excludes from QRS detection statistics: ventricular flutter and
/// fibrillation. A range runs from a `[` (start of VF/VFL) to the next `]`, and from a rhythm
/// annotation `(VFL` or `(VF` to the next rhythm annotation; overlapping ranges are merged. An
/// episode still open at the end runs to the end of the record.
pub fn excluded_intervals(record: &Record) -> Vec<Range<usize>> {
    const VF_ON: u8 = 32; // '['
    const VF_OFF: u8 = 33; // ']'
    const RHYTHM: u8 = 28; // '+'
    let end = record.sig_len().max(
        record
            .annotations
            .iter()
            .map(|a| a.sample as usize + 1)
            .max()
            .unwrap_or(0),
    );
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut vf_on: Option<usize> = None;
    let mut vf_rhythm: Option<usize> = None;
    for a in &record.annotations {
        let at = a.sample as usize;
        match a.code {
            VF_ON => {
                vf_on.get_or_insert(at);
            }
            VF_OFF => {
                if let Some(start) = vf_on.take() {
                    ranges.push(start..at + 1);
                }
            }
            RHYTHM => {
                if let Some(rhythm) = rhythm_of(a) {
                    if let Some(start) = vf_rhythm.take() {
                        ranges.push(start..at);
                    }
                    if rhythm == "VFL" || rhythm == "VF" {
                        vf_rhythm = Some(at);
                    }
                }
            }
            _ => {}
        }
    }
    ranges.extend(vf_on.map(|s| s..end));
    ranges.extend(vf_rhythm.map(|s| s..end));
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// EC57 beat-by-beat comparison of `detected` with the reference beats of `record`, leaving
/// out reference beats and detections inside [`excluded_intervals`].
pub fn evaluate_record(record: &Record, detected: &[usize]) -> MatchCounts {
    let excluded = excluded_intervals(record);
    let keep = |p: &usize| !excluded.iter().any(|r| r.contains(p));
    let reference: Vec<usize> = reference_beats(record).into_iter().filter(keep).collect();
    let detected: Vec<usize> = detected.iter().copied().filter(keep).collect();
    match_beats(&reference, &detected, match_window_samples(record.fs_hz))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic ECG-like signal: a narrow Gaussian "QRS" of `amp_mv` at each of `beats`
    /// (samples), on a slow baseline wander.
    fn impulse_train(n: usize, fs_hz: f64, beats: &[usize], amp_mv: f32) -> Vec<f32> {
        let sigma = 0.012 * fs_hz;
        let mut x: Vec<f32> = (0..n)
            .map(|i| (0.2 * (2.0 * std::f64::consts::PI * 0.3 * i as f64 / fs_hz).sin()) as f32)
            .collect();
        for &b in beats {
            let lo = b.saturating_sub((6.0 * sigma) as usize);
            let hi = (b + (6.0 * sigma) as usize).min(n);
            for (i, v) in x.iter_mut().enumerate().take(hi).skip(lo) {
                let t = (i as f64 - b as f64) / sigma;
                *v += amp_mv * (-0.5 * t * t).exp() as f32;
            }
        }
        x
    }

    fn beats_every(n: usize, first: usize, step: usize) -> Vec<usize> {
        (first..n.saturating_sub(step / 2)).step_by(step).collect()
    }

    #[test]
    fn impulse_trains_are_found_exactly_at_several_rates() {
        for fs_hz in [100.0, 128.0, 250.0, 360.0, 500.0, 1000.0] {
            let n = (30.0 * fs_hz) as usize;
            // 75 bpm, then every third beat premature by 30 %.
            let step = (0.8 * fs_hz) as usize;
            let mut beats = beats_every(n, (0.5 * fs_hz) as usize, step);
            for k in (2..beats.len()).step_by(3) {
                beats[k] -= (0.3 * step as f64) as usize;
            }
            let x = impulse_train(n, fs_hz, &beats, 1.5);
            for method in PeakMethod::ALL {
                let found = find_r_peaks(&x, fs_hz, method).expect("valid signal");
                assert_eq!(found, beats, "{method} at {fs_hz} Hz");
            }
        }
    }

    #[test]
    fn amplitude_scale_does_not_matter() {
        let fs_hz = 360.0;
        let n = 20 * 360;
        let beats = beats_every(n, 200, 300);
        let x = impulse_train(n, fs_hz, &beats, 1.0);
        for scale in [0.01f32, 1.0, 40.0] {
            let y: Vec<f32> = x.iter().map(|v| v * scale).collect();
            for method in PeakMethod::ALL {
                let found = find_r_peaks(&y, fs_hz, method).expect("valid");
                assert_eq!(found, beats, "{method}, signal scaled by {scale}");
            }
        }
    }

    #[test]
    fn nan_gaps_are_tolerated_and_never_reported() {
        let fs_hz = 250.0;
        let n = 20 * 250;
        let beats = beats_every(n, 100, 200);
        let mut x = impulse_train(n, fs_hz, &beats, 1.0);
        // 1.8 s missing in the middle (two beats), and the first samples.
        for v in &mut x[2010..2460] {
            *v = f32::NAN;
        }
        x[0] = f32::NAN;
        x[1] = f32::INFINITY;
        let outside: Vec<usize> = beats
            .iter()
            .copied()
            .filter(|b| !(2010..2460).contains(b))
            .collect();
        assert_eq!(outside.len() + 2, beats.len());
        for method in PeakMethod::ALL {
            let found = find_r_peaks(&x, fs_hz, method).expect("valid");
            assert!(found.iter().all(|&p| x[p].is_finite()));
            assert_eq!(found, outside, "{method}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Any signal at any accepted rate: no panic; peaks strictly increasing, in bounds, on
        /// finite samples, at least 50 ms apart.
        #[test]
        fn peaks_are_sorted_in_bounds_and_finite(
            fs_hz in 50.0f64..2000.0,
            seconds in 2.0f64..6.0,
            seed in proptest::prelude::any::<u64>(),
            nan_every in 0usize..50,
            method_index in 0usize..2,
        ) {
            let n = (seconds * fs_hz).ceil() as usize;
            let mut state = seed | 1;
            let x: Vec<f32> = (0..n)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    if nan_every > 0 && i % (nan_every * 7 + 3) == 0 {
                        f32::NAN
                    } else {
                        (state % 2001) as f32 / 1000.0 - 1.0
                    }
                })
                .collect();
            let peaks = find_r_peaks(&x, fs_hz, PeakMethod::ALL[method_index]);
            let peaks = peaks.expect("valid rate and length");
            let min_gap = (0.050 * fs_hz).round() as usize;
            for w in peaks.windows(2) {
                proptest::prop_assert!(w[1] > w[0] + min_gap);
            }
            for &p in &peaks {
                proptest::prop_assert!(p < n && x[p].is_finite());
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let m = PeakMethod::default();
        assert_eq!(
            find_r_peaks(&[], 360.0, m),
            Err(DetectError::TooShort {
                samples: 0,
                min_samples: 720
            })
        );
        assert!(matches!(
            find_r_peaks(&[0.0; 100], 360.0, m),
            Err(DetectError::TooShort { samples: 100, .. })
        ));
        assert_eq!(
            find_r_peaks(&[f32::NAN; 1000], 360.0, m),
            Err(DetectError::NoFiniteSamples)
        );
        for fs in [0.0, -1.0, 20.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(matches!(
                find_r_peaks(&[0.0; 5000], fs, m),
                Err(DetectError::SamplingRate { .. })
            ));
        }
        // A flat or constant signal has no beats, and no error.
        assert_eq!(find_r_peaks(&[0.0; 5000], 360.0, m), Ok(vec![]));
        assert_eq!(find_r_peaks(&[3.0; 5000], 360.0, m), Ok(vec![]));
        let record = Record {
            name: "empty".into(),
            fs_hz: 360.0,
            signals: vec![],
            annotations: vec![],
            comments: vec![],
            source: crate::record::RecordSource::Synthetic,
        };
        assert_eq!(
            detect_record(&record, 0, m),
            Err(DetectError::NoSuchLead {
                lead: 0,
                n_leads: 0
            })
        );
    }

    #[test]
    fn method_names_round_trip() {
        for m in PeakMethod::ALL {
            assert_eq!(m.name().parse::<PeakMethod>(), Ok(m));
            assert_eq!(m.to_string(), m.name());
        }
        assert_eq!(
            "PAN_TOMPKINS_1985".parse::<PeakMethod>(),
            Ok(PeakMethod::PanTompkins1985)
        );
        assert!(matches!(
            "hamilton".parse::<PeakMethod>(),
            Err(DetectError::UnknownMethod(_))
        ));
        assert_eq!(PeakMethod::ALL[0], PeakMethod::default());
    }

    #[test]
    fn matching_is_one_to_one_within_the_window() {
        let w = 54;
        // Exact, shifted within the window, and one just outside.
        let m = match_beats(&[100, 400, 700], &[100, 450, 755], w);
        assert_eq!(
            m,
            MatchCounts {
                tp: 2,
                fn_: 1,
                fp: 1
            }
        );
        // Two detections for one beat: one TP, one FP.
        let m = match_beats(&[1000], &[990, 1010], w);
        assert_eq!(
            m,
            MatchCounts {
                tp: 1,
                fn_: 0,
                fp: 1
            }
        );
        // The nearer of two detections is the match, whatever the order.
        let m = match_beats(&[1000, 1300], &[960, 995, 1300], w);
        assert_eq!(
            m,
            MatchCounts {
                tp: 2,
                fn_: 0,
                fp: 1
            }
        );
        // One detection between two close beats matches the nearer one.
        let m = match_beats(&[1000, 1080], &[1070], w);
        assert_eq!(
            m,
            MatchCounts {
                tp: 1,
                fn_: 1,
                fp: 0
            }
        );
        // Unsorted input, empty sides.
        assert_eq!(
            match_beats(&[700, 100], &[101, 699], w),
            MatchCounts {
                tp: 2,
                fn_: 0,
                fp: 0
            }
        );
        assert_eq!(match_beats(&[], &[5], w).fp, 1);
        assert_eq!(match_beats(&[5], &[], w).fn_, 1);
        assert_eq!(match_window_samples(360.0), 54);
        assert_eq!(match_window_samples(250.0), 38);
        assert_eq!(match_window_samples(100.0), 15);
    }

    #[test]
    fn matching_agrees_with_a_brute_force_oracle() {
        // Oracle: maximum one-to-one matching by exhaustive search on small random cases, with
        // beats closer than two windows so that detections compete.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let w = 10usize;
        for _ in 0..300 {
            let mut r: Vec<usize> = Vec::new();
            let mut t = 0usize;
            for _ in 0..(next() % 6) {
                t += 12 + (next() % 40) as usize;
                r.push(t);
            }
            let mut d: Vec<usize> = Vec::new();
            for &b in &r {
                if next() % 5 != 0 {
                    d.push((b + (next() % 25) as usize).saturating_sub(12));
                }
            }
            for _ in 0..(next() % 3) {
                d.push((next() % 200) as usize);
            }
            d.sort_unstable();
            fn best(r: &[usize], d: &[usize], w: usize) -> usize {
                let Some((&first, rest)) = r.split_first() else {
                    return 0;
                };
                let mut b = best(rest, d, w);
                for (k, &x) in d.iter().enumerate() {
                    if x.abs_diff(first) <= w {
                        let mut dd = d.to_vec();
                        dd.remove(k);
                        b = b.max(1 + best(rest, &dd, w));
                    }
                }
                b
            }
            let m = match_beats(&r, &d, w);
            assert_eq!(m.tp, best(&r, &d, w), "r {r:?} d {d:?}");
            assert_eq!(m.tp + m.fn_, r.len());
            assert_eq!(m.tp + m.fp, d.len());
        }
    }

    #[test]
    fn counts_give_se_and_ppv() {
        let m = MatchCounts {
            tp: 99,
            fn_: 1,
            fp: 3,
        };
        assert!((m.se().unwrap_or(0.0) - 0.99).abs() < 1e-12);
        assert!((m.ppv().unwrap_or(0.0) - 99.0 / 102.0).abs() < 1e-12);
        assert_eq!(MatchCounts::default().se(), None);
        assert_eq!(m.merged(m).tp, 198);
        assert_eq!(m.to_json()["fn"], 1);
    }

    fn ann(sample: u64, code: u8, aux: Option<&str>) -> Annotation {
        Annotation {
            sample,
            code,
            subtype: 0,
            chan: 0,
            num: 0,
            aux_note: aux.map(String::from),
        }
    }

    #[test]
    fn flutter_episodes_are_excluded() {
        let record = Record {
            name: "vf".into(),
            fs_hz: 100.0,
            signals: vec![],
            annotations: vec![
                ann(10, 28, Some("(N\0")),
                ann(100, 1, None),
                ann(500, 32, None),           // [
                ann(510, 28, Some("(VFL\0")), // rhythm VFL
                ann(600, 31, None),           // ! flutter wave
                ann(900, 33, None),           // ]
                ann(950, 28, Some("(N\0")),   // back to normal
                ann(1000, 1, None),
                ann(2000, 28, Some("(VF")), // open to the end
                ann(2100, 5, None),
            ],
            comments: vec![],
            source: crate::record::RecordSource::Synthetic,
        };
        assert_eq!(excluded_intervals(&record), vec![500..950, 2000..2101]);
        assert_eq!(reference_beats(&record), vec![100, 1000, 2100]);
        // The flutter-time detection and beat are not counted.
        let m = evaluate_record(&record, &[101, 600, 1003, 2100]);
        assert_eq!(
            m,
            MatchCounts {
                tp: 2,
                fn_: 0,
                fp: 0
            }
        );
    }

    #[test]
    fn beat_annotations_use_one_code_per_class() {
        let a = beat_annotations(&[10, 20, 30], None);
        assert!(a.iter().all(|x| x.symbol() == "N"));
        let labels = [AamiClass::S, AamiClass::V];
        let a = beat_annotations(&[10, 20, 30], Some(&labels));
        let symbols: Vec<&str> = a.iter().map(Annotation::symbol).collect();
        assert_eq!(symbols, ["A", "V", "Q"]);
        for c in AamiClass::ALL {
            assert_eq!(class_of_code(mit_code_of_class(c)), Some(c));
        }
    }
}
