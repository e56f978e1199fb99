//! Beat windows around R peaks and RR features per beat.
//!
//! A window is a stretch of one lead, `pre_ms` before the R peak to `post_ms` after it,
//! resampled to a common rate `fs_hz` so beats from records of different rates (MIT-BIH 360 Hz,
//! INCART 257 Hz, PTB-XL 100/500 Hz) line up sample for sample. Values are physical (mV).
//!
//! Resampling is band-limited: each output sample is a Lanczos-2 weighted sum of input samples,
//! the kernel widened by the decimation factor when down-sampling so it also low-pass filters
//! (no aliasing). Because R peaks sit on whole input samples, the fractional position of every
//! output sample relative to the R peak is the same for every beat; the weights are therefore
//! computed once per (input rate, window) in a [`Resampler`] and each beat costs only a few
//! multiply–adds per output sample.
//!
//! Windows that reach past either end of the record repeat the edge sample; missing samples
//! (WFDB's invalid value) are replaced by the median of the window's valid samples.
//!
//! RR features ([`RrFeatures`], seconds and ratios) are what separates supraventricular
//! ectopic beats when patients are unseen (de Chazal, O'Dwyer & Reilly 2004): previous RR,
//! next RR, the local average (the 10 RR intervals around the beat) and the record average,
//! and their ratios, which normalise away each patient's own heart rate.

use serde::{Deserialize, Serialize};

use crate::Record;
use crate::ecg::aami::{AamiClass, class_of_code};
use crate::record::SamplingRate;

/// Which lead to cut beats from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadChoice {
    /// Lead names tried in order (case-insensitive); the first signal is used when none is found.
    pub preferred: Vec<String>,
}

impl Default for LeadChoice {
    /// Modified lead II first (MIT-BIH's `MLII`, standard `II`), as most beat classifiers use.
    fn default() -> Self {
        Self {
            preferred: ["MLII", "II", "ML2", "ECG1", "ECG"]
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }
}

/// Second leads tried in order, beside the beat lead: V1 shows the P wave and the bundle
/// branches best (MIT-BIH's lower signal is V1 in most records), then the other chest leads.
pub const SECOND_LEADS: [&str; 7] = ["V1", "V2", "V3", "V4", "V5", "V6", "MLII"];

impl LeadChoice {
    /// Index of the lead to use in `record` (0 when no preferred lead is present).
    pub fn pick(&self, record: &Record) -> usize {
        self.preferred
            .iter()
            .find_map(|name| record.signal_index(name))
            .unwrap_or(0)
    }

    /// Index of the second lead of `record` beside `first`: the first of [`SECOND_LEADS`]
    /// present, else the first other signal; `None` for a single-lead record.
    pub fn pick_second(record: &Record, first: usize) -> Option<usize> {
        SECOND_LEADS
            .iter()
            .filter_map(|name| record.signal_index(name))
            .find(|&k| k != first)
            .or_else(|| (0..record.signals.len()).find(|&k| k != first))
    }
}

/// Where beat windows are cut and at what rate they are stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Time kept before the R peak, in ms.
    pub pre_ms: f32,
    /// Time kept after the R peak, in ms.
    pub post_ms: f32,
    /// Common sampling rate of the windows, in Hz.
    pub fs_hz: f32,
    /// Lead to use.
    pub lead: LeadChoice,
}

impl Default for WindowSpec {
    /// 250 ms before the R peak (the P wave and PR segment) to 450 ms after (the T wave), at
    /// 180 Hz: 126 samples, QRS complexes keep 15–20 samples.
    fn default() -> Self {
        Self {
            pre_ms: 250.0,
            post_ms: 450.0,
            fs_hz: 180.0,
            lead: LeadChoice::default(),
        }
    }
}

/// The shape of stored beats: rate, length and where the R peak sits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BeatLayout {
    /// Sampling rate of the window, in Hz.
    pub fs_hz: f32,
    /// Samples per window.
    pub len: usize,
    /// Index of the R peak within the window.
    pub r_index: usize,
}

impl Default for BeatLayout {
    /// The layout of [`WindowSpec::default`].
    fn default() -> Self {
        WindowSpec::default().layout()
    }
}

impl WindowSpec {
    /// The layout of windows cut with this spec.
    pub fn layout(&self) -> BeatLayout {
        let r_index = (self.pre_ms / 1000.0 * self.fs_hz).round().max(0.0) as usize;
        let after = (self.post_ms / 1000.0 * self.fs_hz).round().max(0.0) as usize;
        BeatLayout {
            fs_hz: self.fs_hz,
            len: r_index + after,
            r_index,
        }
    }

    /// Checks the spec is usable: positive rate, window of 8 to 4,096 samples.
    pub fn validate(&self) -> Result<(), crate::Error> {
        let ok = |x: f32| x.is_finite() && x >= 0.0;
        let rate_ok = SamplingRate::new(f64::from(self.fs_hz)).is_ok();
        if !(rate_ok && ok(self.pre_ms) && ok(self.post_ms)) {
            return Err(crate::Error::Invalid(format!(
                "beat window needs a positive rate and non-negative times; got {} Hz, {} ms before, {} ms after",
                self.fs_hz, self.pre_ms, self.post_ms
            )));
        }
        let len = self.layout().len;
        if !(8..=4096).contains(&len) {
            return Err(crate::Error::Invalid(format!(
                "beat window of {len} samples; choose times and rate giving 8 to 4,096 samples"
            )));
        }
        Ok(())
    }
}

/// Pre-computed band-limited interpolation from one input rate to a [`BeatLayout`].
#[derive(Debug, Clone)]
pub struct Resampler {
    layout: BeatLayout,
    /// Per output sample: offset of the first input tap relative to the R peak.
    first_tap: Vec<i64>,
    /// Per output sample: its weights (sum 1), `taps` each.
    weights: Vec<f32>,
    taps: usize,
}

/// Lanczos kernel support (lobes each side).
const LANCZOS_A: f64 = 2.0;

fn lanczos(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else if x.abs() >= LANCZOS_A {
        0.0
    } else {
        let px = std::f64::consts::PI * x;
        LANCZOS_A * px.sin() * (px / LANCZOS_A).sin() / (px * px)
    }
}

/// Largest kernel widening: the filter never spans more than 4·1024 + 1 input samples per output
/// sample, whatever the rates (a 100 kHz record cut at 180 Hz needs 556).
const MAX_SCALE: f64 = 1024.0;

impl Resampler {
    /// Interpolation from the rate `fs_in` to `layout`.
    pub fn for_rate(fs_in: SamplingRate, layout: BeatLayout) -> Self {
        Self::new(fs_in.hz(), layout)
    }

    /// Interpolation from `fs_in_hz` to `layout`. Both rates are taken within
    /// [`SamplingRate`]'s range (readers refuse records outside it, so only a record built by
    /// hand is ever clamped), and the kernel's widening is capped, so the weights stay a few
    /// megabytes at most.
    pub fn new(fs_in_hz: f64, layout: BeatLayout) -> Self {
        let fs_in_hz = SamplingRate::clamped(fs_in_hz).hz();
        let fs_out_hz = SamplingRate::clamped(f64::from(layout.fs_hz)).hz();
        let ratio = fs_in_hz / fs_out_hz; // input samples per output sample
        let scale = ratio.clamp(1.0, MAX_SCALE); // kernel widening when down-sampling
        let half_width = LANCZOS_A * scale;
        let taps = (2.0 * half_width).ceil() as usize + 1;
        let mut first_tap = Vec::with_capacity(layout.len);
        let mut weights = Vec::with_capacity(layout.len * taps);
        for k in 0..layout.len {
            let x = (k as f64 - layout.r_index as f64) * ratio; // input position relative to R
            let first = (x - half_width).ceil() as i64;
            let mut w: Vec<f64> = (0..taps)
                .map(|j| lanczos((first as f64 + j as f64 - x) / scale))
                .collect();
            let sum: f64 = w.iter().sum();
            if sum.abs() > 1e-12 {
                w.iter_mut().for_each(|v| *v /= sum);
            }
            first_tap.push(first);
            weights.extend(w.iter().map(|&v| v as f32));
        }
        // Drop taps that are zero for every output sample (with an integer decimation factor
        // the kernel's end points fall exactly on its zeros): fewer multiply-adds per beat.
        let zero_at = |j: usize| (0..layout.len).all(|k| weights[k * taps + j] == 0.0);
        let lead = (0..taps).take_while(|&j| zero_at(j)).count();
        let trail = (lead..taps).rev().take_while(|&j| zero_at(j)).count();
        let kept = taps - lead - trail;
        let (first_tap, weights, taps) = if kept > 0 && kept < taps {
            let w: Vec<f32> = (0..layout.len)
                .flat_map(|k| weights[k * taps + lead..k * taps + lead + kept].to_vec())
                .collect();
            (first_tap.iter().map(|f| f + lead as i64).collect(), w, kept)
        } else {
            (first_tap, weights, taps)
        };
        Self {
            layout,
            first_tap,
            weights,
            taps,
        }
    }

    /// The output layout.
    pub fn layout(&self) -> BeatLayout {
        self.layout
    }

    /// Writes the window around input sample `r_sample` of `signal` into `out` (physical units).
    pub fn window_into(&self, signal: &crate::Signal, r_sample: usize, out: &mut [f32]) {
        self.window_into_with(signal, r_sample, out, &mut Vec::new());
    }

    /// As [`Resampler::window_into`], reusing `scratch` (for loops over many beats).
    pub fn window_into_with(
        &self,
        signal: &crate::Signal,
        r_sample: usize,
        out: &mut [f32],
        scratch: &mut Vec<f32>,
    ) {
        let x = &signal.samples_adu;
        let n = x.len() as i64;
        let gain = if signal.adc_gain != 0.0 {
            signal.adc_gain
        } else {
            200.0
        };
        let inv_gain = (1.0 / gain) as f32;
        let baseline = signal.baseline as f32;
        let r = r_sample as i64;
        let lo = r + self.first_tap.first().copied().unwrap_or(0);
        let hi = r + self.first_tap.last().copied().unwrap_or(0) + self.taps as i64;
        if n == 0 || hi <= lo {
            out.iter_mut().for_each(|o| *o = 0.0);
            return;
        }
        // The input span as f32 (edge samples repeated past either end), converted once.
        scratch.clear();
        let mut has_invalid = false;
        if lo >= 0 && hi <= n {
            let span = &x[lo as usize..hi as usize];
            if let Some(inv) = signal.invalid_adu {
                has_invalid = span.contains(&inv);
            }
            scratch.extend(span.iter().map(|&v| f32::from(v)));
        } else {
            scratch.extend((lo..hi).map(|i| {
                let v = x[i.clamp(0, n - 1) as usize];
                has_invalid |= Some(v) == signal.invalid_adu;
                f32::from(v)
            }));
        }
        if has_invalid {
            self.window_with_gaps(signal, r_sample, out);
            return;
        }
        let taps = self.taps;
        for (k, o) in out.iter_mut().enumerate().take(self.layout.len) {
            let w = &self.weights[k * taps..(k + 1) * taps];
            let start = (self.first_tap[k] - self.first_tap[0]) as usize;
            let seg = &scratch[start..start + taps];
            let acc: f32 = w.iter().zip(seg).map(|(a, b)| a * b).sum();
            *o = (acc - baseline) * inv_gain;
        }
    }

    /// Slow path for windows touching missing samples: interpolate the valid samples only, and
    /// fill what is left with the median of the valid output.
    fn window_with_gaps(&self, signal: &crate::Signal, r_sample: usize, out: &mut [f32]) {
        let n = signal.len() as i64;
        let r = r_sample as i64;
        for (k, o) in out.iter_mut().enumerate().take(self.layout.len) {
            let w = &self.weights[k * self.taps..(k + 1) * self.taps];
            let start = r + self.first_tap[k];
            let (mut acc, mut wsum) = (0.0f32, 0.0f32);
            for (j, wi) in w.iter().enumerate() {
                let idx = (start + j as i64).clamp(0, (n - 1).max(0)) as usize;
                if idx < signal.len() {
                    let v = signal.physical(idx);
                    if v.is_finite() {
                        acc += wi * v;
                        wsum += wi;
                    }
                }
            }
            *o = if wsum.abs() > 1e-6 {
                acc / wsum
            } else {
                f32::NAN
            };
        }
        let mut valid: Vec<f32> = out.iter().copied().filter(|v| v.is_finite()).collect();
        let fill = median_in_place(&mut valid).unwrap_or(0.0);
        out.iter_mut()
            .filter(|v| !v.is_finite())
            .for_each(|v| *v = fill);
    }
}

/// Median of `xs` (reorders it); `None` when empty.
pub fn median_in_place(xs: &mut [f32]) -> Option<f32> {
    if xs.is_empty() {
        return None;
    }
    let mid = xs.len() / 2;
    let (_, m, _) = xs.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    Some(*m)
}

/// Number of RR features per beat.
pub const N_RR: usize = 16;

/// RR features every beat of a record has had from the start (the first ten of
/// [`RrFeatures::to_array`]); beat files written before the rhythm features existed carry only
/// these.
pub const BASIC_RR: usize = 10;

/// RR features of one beat. Intervals in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RrFeatures {
    /// Interval from the previous beat (the next interval for a record's first beat), s.
    pub pre_rr_s: f32,
    /// Interval to the next beat (the previous interval for a record's last beat), s.
    pub post_rr_s: f32,
    /// The interval before the previous one (`pre_rr_s` when there is none), s.
    pub prev_pre_rr_s: f32,
    /// Mean of the 10 intervals centred on the beat, s.
    pub local_rr_s: f32,
    /// Standard deviation of those 10 intervals over their mean: high in atrial fibrillation,
    /// low in a regular rhythm with an isolated premature beat.
    pub local_cv: f32,
    /// Mean interval of the whole record, s.
    pub avg_rr_s: f32,
    /// Median of the [`RHYTHM_SPAN`] intervals on each side of the beat, s: the local rhythm,
    /// robust to the few ectopic beats inside it.
    pub median_rr_s: f32,
    /// Median of the [`RHYTHM_SPAN`] intervals before the beat (the running rhythm up to it), s.
    pub running_rr_s: f32,
    /// Median absolute difference of successive intervals around the beat over
    /// `median_rr_s`: the background irregularity. An isolated premature beat changes two
    /// differences out of 2·[`RHYTHM_SPAN`] and leaves it low; atrial fibrillation raises it
    /// (its beats are irregular everywhere, and are N beats under AAMI EC57).
    pub irregularity: f32,
    /// 90th percentile of the intervals around the beat (as `median_rr_s`), s: the long
    /// cycles of the rhythm, an estimate of the sinus cycle that premature beats cannot pull
    /// down even where they outnumber sinus beats (MIT-BIH record 232).
    pub long_rr_s: f32,
}

/// Intervals taken on each side of a beat for its rhythm features (about 15 s at 70 bpm).
pub const RHYTHM_SPAN: usize = 16;

impl RrFeatures {
    /// Feature vector: pre, post, local and record-average intervals, then pre/avg, post/avg,
    /// pre/local, post/pre, pre/previous pre, the local coefficient of variation, then
    /// pre/median, post/median, pre/running, the background irregularity, pre/long and
    /// post/long.
    pub fn to_array(&self) -> [f32; N_RR] {
        let ratio = |a: f32, b: f32| if b > 0.0 { a / b } else { 1.0 };
        [
            self.pre_rr_s,
            self.post_rr_s,
            self.local_rr_s,
            self.avg_rr_s,
            ratio(self.pre_rr_s, self.avg_rr_s),
            ratio(self.post_rr_s, self.avg_rr_s),
            ratio(self.pre_rr_s, self.local_rr_s),
            ratio(self.post_rr_s, self.pre_rr_s),
            ratio(self.pre_rr_s, self.prev_pre_rr_s),
            self.local_cv,
            ratio(self.pre_rr_s, self.median_rr_s),
            ratio(self.post_rr_s, self.median_rr_s),
            ratio(self.pre_rr_s, self.running_rr_s),
            self.irregularity,
            ratio(self.pre_rr_s, self.long_rr_s),
            ratio(self.post_rr_s, self.long_rr_s),
        ]
    }

    /// Names of [`RrFeatures::to_array`]'s entries.
    pub const NAMES: [&'static str; N_RR] = [
        "pre_rr_s",
        "post_rr_s",
        "local_rr_s",
        "avg_rr_s",
        "pre_over_avg",
        "post_over_avg",
        "pre_over_local",
        "post_over_pre",
        "pre_over_previous_pre",
        "local_cv",
        "pre_over_median",
        "post_over_median",
        "pre_over_running",
        "irregularity",
        "pre_over_long",
        "post_over_long",
    ];
}

/// RR features of beats at `r_samples` (sorted) of a record sampled at `fs_hz`.
pub fn rr_features(r_samples: &[u64], fs_hz: f64) -> Vec<RrFeatures> {
    let n = r_samples.len();
    if n == 0 || fs_hz <= 0.0 {
        return Vec::new();
    }
    // Intervals between consecutive beats, in seconds: rr[i] is between beat i and i + 1.
    let rr: Vec<f32> = r_samples
        .windows(2)
        .map(|w| (w[1].saturating_sub(w[0]) as f64 / fs_hz) as f32)
        .collect();
    if rr.is_empty() {
        // A single beat: no interval is known.
        return vec![
            RrFeatures {
                pre_rr_s: 0.0,
                post_rr_s: 0.0,
                prev_pre_rr_s: 0.0,
                local_rr_s: 0.0,
                local_cv: 0.0,
                avg_rr_s: 0.0,
                median_rr_s: 0.0,
                running_rr_s: 0.0,
                irregularity: 0.0,
                long_rr_s: 0.0,
            };
            1
        ];
    }
    let avg = rr.iter().sum::<f32>() / rr.len() as f32;
    // Prefix sums (of intervals and their squares) for the local window [i-5, i+5).
    let mut prefix = Vec::with_capacity(rr.len() + 1);
    let mut prefix_sq = Vec::with_capacity(rr.len() + 1);
    prefix.push(0.0f64);
    prefix_sq.push(0.0f64);
    for &v in &rr {
        let v = f64::from(v);
        prefix.push(prefix.last().copied().unwrap_or(0.0) + v);
        prefix_sq.push(prefix_sq.last().copied().unwrap_or(0.0) + v * v);
    }
    let mut buf = Vec::with_capacity(2 * RHYTHM_SPAN + 1);
    (0..n)
        .map(|i| {
            // Intervals rr[lo_m..hi_m] around beat i (its own two included), and the
            // successive differences among them.
            let lo_m = i.saturating_sub(RHYTHM_SPAN);
            let hi_m = (i + RHYTHM_SPAN).min(rr.len());
            buf.clear();
            buf.extend_from_slice(&rr[lo_m..hi_m]);
            let median_rr = median_in_place(&mut buf).unwrap_or(avg);
            // `median_in_place` left `buf` partitioned; the 90th percentile needs its own pass.
            let long_rr = if buf.is_empty() {
                avg
            } else {
                let k = ((buf.len() - 1) as f32 * 0.9).round() as usize;
                *buf.select_nth_unstable_by(k, f32::total_cmp).1
            };
            buf.clear();
            buf.extend(rr[lo_m..hi_m].windows(2).map(|w| (w[1] - w[0]).abs()));
            let mad = median_in_place(&mut buf).unwrap_or(0.0);
            let irregularity = if median_rr > 0.0 {
                mad / median_rr
            } else {
                0.0
            };
            // The running rhythm: intervals before the beat (the first beats use what follows).
            let lo_r = i.saturating_sub(RHYTHM_SPAN + 1);
            let hi_r = i.saturating_sub(1);
            buf.clear();
            if hi_r > lo_r {
                buf.extend_from_slice(&rr[lo_r..hi_r]);
            } else {
                buf.extend_from_slice(&rr[..rr.len().min(RHYTHM_SPAN)]);
            }
            let running_rr = median_in_place(&mut buf).unwrap_or(avg);
            let pre = if i > 0 { rr[i - 1] } else { rr[0] };
            let prev_pre = if i > 1 { rr[i - 2] } else { pre };
            let post = if i < rr.len() {
                rr[i]
            } else {
                rr[rr.len() - 1]
            };
            let lo = i.saturating_sub(5);
            let hi = (i + 5).min(rr.len());
            let (local, cv) = if hi > lo {
                let k = (hi - lo) as f64;
                let mean = (prefix[hi] - prefix[lo]) / k;
                let var = ((prefix_sq[hi] - prefix_sq[lo]) / k - mean * mean).max(0.0);
                (
                    mean as f32,
                    if mean > 0.0 {
                        (var.sqrt() / mean) as f32
                    } else {
                        0.0
                    },
                )
            } else {
                (avg, 0.0)
            };
            RrFeatures {
                pre_rr_s: pre,
                post_rr_s: post,
                prev_pre_rr_s: prev_pre,
                local_rr_s: local,
                local_cv: cv,
                avg_rr_s: avg,
                median_rr_s: median_rr,
                running_rr_s: running_rr,
                irregularity,
                long_rr_s: long_rr,
            }
        })
        .collect()
}

/// The labelled beats of one record: positions, classes, windows and RR features.
#[derive(Debug, Clone, Default)]
pub struct RecordBeats {
    /// R-peak positions in the record, samples.
    pub r_samples: Vec<u64>,
    /// AAMI class of each beat.
    pub labels: Vec<AamiClass>,
    /// Windows, `layout.len` values per beat, mV.
    pub windows_mv: Vec<f32>,
    /// RR features, [`N_RR`] values per beat.
    pub rr: Vec<f32>,
    /// Windows of the second lead (same layout), when one was cut; empty otherwise.
    pub windows_2_mv: Vec<f32>,
}

/// Cuts one window per annotated beat of `record` (annotations without an AAMI class are not
/// beats and are skipped). `lead` is the signal index to use.
pub fn segment_annotated(
    record: &Record,
    lead: usize,
    second_lead: Option<usize>,
    resampler: &Resampler,
) -> RecordBeats {
    let (r_samples, labels): (Vec<u64>, Vec<AamiClass>) = record
        .annotations
        .iter()
        .filter_map(|a| class_of_code(a.code).map(|c| (a.sample, c)))
        .unzip();
    segment_at(record, lead, second_lead, resampler, r_samples, labels)
}

/// Cuts windows at given R peaks with given labels, on `lead` and, when given (and another
/// signal of the record), on `second_lead` too.
pub fn segment_at(
    record: &Record,
    lead: usize,
    second_lead: Option<usize>,
    resampler: &Resampler,
    r_samples: Vec<u64>,
    labels: Vec<AamiClass>,
) -> RecordBeats {
    let layout = resampler.layout();
    let Some(signal) = record.signals.get(lead) else {
        return RecordBeats::default();
    };
    let cut = |signal: &crate::Signal| {
        let mut windows = vec![0.0f32; r_samples.len() * layout.len];
        for (&r, out) in r_samples.iter().zip(windows.chunks_exact_mut(layout.len)) {
            let r = usize::try_from(r).unwrap_or(usize::MAX).min(signal.len());
            resampler.window_into(signal, r, out);
        }
        windows
    };
    let windows_mv = cut(signal);
    let windows_2_mv = second_lead
        .filter(|&k| k != lead)
        .and_then(|k| record.signals.get(k))
        .map(cut)
        .unwrap_or_default();
    let rr = rr_features(&r_samples, record.fs_hz)
        .iter()
        .flat_map(RrFeatures::to_array)
        .collect();
    RecordBeats {
        r_samples,
        labels,
        windows_mv,
        rr,
        windows_2_mv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Annotation;
    use crate::ecg::fixtures::mlii_record;

    fn record_from(fs_hz: f64, mv: &[f64], beats: &[(u64, u8)]) -> Record {
        let annotations = beats
            .iter()
            .map(|&(sample, code)| Annotation::beat(sample, code))
            .collect();
        mlii_record(fs_hz, mv, 1000.0, 10, Some(i16::MIN), annotations)
    }

    #[test]
    fn default_layout_is_126_samples_with_r_at_45() {
        let l = WindowSpec::default().layout();
        assert_eq!((l.len, l.r_index), (126, 45));
        assert!(WindowSpec::default().validate().is_ok());
        let bad = WindowSpec {
            fs_hz: 0.0,
            ..WindowSpec::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn resampling_a_slow_sine_reproduces_it() {
        // 3 Hz sine at 360 Hz, windows at 180 Hz: a band-limited resampler reproduces it.
        let fs = 360.0;
        let mv: Vec<f64> = (0..3600)
            .map(|i| (std::f64::consts::TAU * 3.0 * f64::from(i) / fs).sin())
            .collect();
        let rec = record_from(fs, &mv, &[(1800, 1)]);
        let spec = WindowSpec::default();
        let rs = Resampler::new(fs, spec.layout());
        let beats = segment_annotated(&rec, 0, None, &rs);
        let l = spec.layout();
        for k in 0..l.len {
            let t = 1800.0 / fs + (k as f64 - l.r_index as f64) / f64::from(l.fs_hz);
            let want = (std::f64::consts::TAU * 3.0 * t).sin();
            assert!(
                (f64::from(beats.windows_mv[k]) - want).abs() < 0.01,
                "k={k} got {} want {want}",
                beats.windows_mv[k]
            );
        }
    }

    #[test]
    fn down_sampling_removes_content_above_the_new_nyquist() {
        // 150 Hz at 360 Hz is above 90 Hz, the Nyquist rate of 180 Hz windows: must be damped.
        let fs = 360.0;
        let mv: Vec<f64> = (0..3600)
            .map(|i| (std::f64::consts::TAU * 150.0 * f64::from(i) / fs).sin())
            .collect();
        let rec = record_from(fs, &mv, &[(1800, 1)]);
        let rs = Resampler::new(fs, WindowSpec::default().layout());
        let beats = segment_annotated(&rec, 0, None, &rs);
        let peak = beats.windows_mv.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak < 0.1, "aliased amplitude {peak}");
    }

    #[test]
    fn edges_repeat_and_non_beats_are_skipped() {
        let mv: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        // '+' (code 28) is not a beat.
        let rec = record_from(360.0, &mv, &[(2, 1), (500, 28), (998, 5)]);
        let rs = Resampler::new(360.0, WindowSpec::default().layout());
        let b = segment_annotated(&rec, 0, None, &rs);
        assert_eq!(b.labels, vec![AamiClass::N, AamiClass::V]);
        let l = rs.layout();
        assert!((b.windows_mv[0] - 0.0).abs() < 1e-3, "{}", b.windows_mv[0]);
        assert!((b.windows_mv[2 * l.len - 1] - 0.999).abs() < 1e-3);
        assert!(b.windows_mv.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn missing_samples_are_filled() {
        let mut rec = record_from(360.0, &vec![0.5; 2000], &[(1000, 1)]);
        rec.signals[0].samples_adu[990..1010].fill(i16::MIN);
        let rs = Resampler::new(360.0, WindowSpec::default().layout());
        let b = segment_annotated(&rec, 0, None, &rs);
        assert!(
            b.windows_mv.iter().all(|v| (v - 0.5).abs() < 1e-3),
            "{:?}",
            b.windows_mv
        );
    }

    #[test]
    fn rr_features_by_hand() {
        // Beats at 0, 1, 2.5, 3.5 s (fs 100): intervals 1.0, 1.5, 1.0.
        let f = rr_features(&[0, 100, 250, 350], 100.0);
        assert_eq!(f.len(), 4);
        let avg = (1.0 + 1.5 + 1.0) / 3.0;
        assert!((f[0].pre_rr_s - 1.0).abs() < 1e-6 && (f[0].post_rr_s - 1.0).abs() < 1e-6);
        assert!((f[1].pre_rr_s - 1.0).abs() < 1e-6 && (f[1].post_rr_s - 1.5).abs() < 1e-6);
        assert!((f[3].post_rr_s - 1.0).abs() < 1e-6);
        assert!(f.iter().all(|x| (x.avg_rr_s - avg).abs() < 1e-6));
        let a = f[1].to_array();
        assert!((a[7] - 1.5).abs() < 1e-6, "post/pre {}", a[7]);
        // Beat 2: pre 1.5 after a previous interval of 1.0.
        assert!((f[2].to_array()[8] - 1.5).abs() < 1e-6);
        // Local window of beat 1 holds all three intervals: mean 7/6, sd of (1, 1.5, 1).
        let sd = ((1.0f32 - avg).powi(2) * 2.0 + (1.5 - avg).powi(2)) / 3.0;
        assert!(
            (f[1].local_cv - sd.sqrt() / avg).abs() < 1e-5,
            "{}",
            f[1].local_cv
        );
        assert!((a[4] - 1.0 / avg).abs() < 1e-6);
        assert!(rr_features(&[], 360.0).is_empty());
        assert_eq!(rr_features(&[5], 360.0).len(), 1);
    }

    #[test]
    fn lead_choice_prefers_mlii() {
        let mut rec = record_from(360.0, &[0.0; 10], &[]);
        let mut v5 = rec.signals[0].clone();
        v5.name = "V5".into();
        rec.signals.insert(0, v5);
        assert_eq!(LeadChoice::default().pick(&rec), 1);
        rec.signals[1].name = "V1".into();
        assert_eq!(LeadChoice::default().pick(&rec), 0);
    }
}
