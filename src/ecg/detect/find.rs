//! The entry points: [`find_r_peaks`] on one lead in mV, [`detect_record`] on a record; input
//! checks and the final move of each detection to the R peak.

use super::decide::decide;
use super::error::DetectError;
use super::method::PeakMethod;
use super::stages::{candidates, stages};
use super::{MAX_FS_HZ, MIN_DURATION_S, MIN_FS_HZ};
use crate::Record;

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
/// rate. Missing samples may be NaN. Errors: a rate outside [`MIN_FS_HZ`](super::MIN_FS_HZ)..=[`MAX_FS_HZ`](super::MAX_FS_HZ), a
/// signal shorter than [`MIN_DURATION_S`](super::MIN_DURATION_S), or one with no finite sample.
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
