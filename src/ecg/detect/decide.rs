//! The adaptive-threshold decision rules: running signal and noise levels, RR averages,
//! search-back and T-wave discrimination, and the learning phase that seeds them.

use super::method::PeakMethod;
use super::stages::{Candidate, Stages};

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
pub(super) fn decide(c: &[Candidate], s: &Stages, fs_hz: f64, method: PeakMethod) -> Vec<usize> {
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
