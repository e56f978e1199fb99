//! Detections as annotations, and their EC57 evaluation against a record's reference beats:
//! one-to-one matching within [`MATCH_WINDOW_MS`], excluded flutter intervals.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::MATCH_WINDOW_MS;
use crate::ecg::aami::{AamiClass, class_of_code};
use crate::{Annotation, Record};

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
