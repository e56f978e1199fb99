//! Beats of a recording nobody annotated: find them ([`crate::ecg::detect`]), classify them
//! with a trained model ([`crate::training::classify_record`]), count them per class, write
//! them as a WFDB annotation file — and, when the recording does carry reference beat
//! annotations, say how well detection and classification agree with them.
//!
//! One code path for the page (the worker's `Classify` request) and `ecg-balance classify`.

use serde::{Deserialize, Serialize};

use crate::Record;
use crate::ecg::aami::{AamiClass, ClassCounts, N_CLASSES, class_of_code};
use crate::ecg::detect::{
    MatchCounts, PeakMethod, beat_annotations, detect_record, evaluate_record, excluded_intervals,
    match_window_samples,
};
use crate::io::ptbxl::BeatHint;
use crate::metrics::ConfusionMatrix;
use crate::training::{TrainedModel, classify_record};

/// Where the beat positions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BeatPositions {
    /// Found by a QRS detector.
    Detected(PeakMethod),
    /// The record's own beat annotations (classification only).
    Annotated,
}

/// How detection and classification compare with a record's reference beat annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceComparison {
    /// Beat-by-beat detection figures (ANSI/AAMI EC57: 150 ms window, ventricular flutter and
    /// fibrillation left out).
    pub detection: MatchCounts,
    /// Classes of matched beats: rows the reference class, columns the predicted one (`None`
    /// without a model). [`ConfusionMatrix::correct`] of it is the number of matched beats
    /// whose class agrees with the reference, [`ConfusionMatrix::accuracy`] their share.
    pub confusion: Option<ConfusionMatrix>,
}

/// Beats found and classified in one lead of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeatLabelling {
    /// Record name.
    pub record: String,
    /// Lead used (0-based) and its name.
    pub lead: usize,
    /// Name of that lead.
    pub lead_name: String,
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// Length, s.
    pub duration_s: f64,
    /// Where the positions come from.
    pub positions: BeatPositions,
    /// R peaks, samples from the record's start, ascending.
    pub r_samples: Vec<u64>,
    /// Class of each beat, by the model; `None` when no model was given.
    pub classes: Option<Vec<AamiClass>>,
    /// Beats per predicted class (all zeros without a model).
    pub counts: ClassCounts,
    /// Mean heart rate over the detected beats, bpm (`None` with fewer than two beats).
    pub mean_hr_bpm: Option<f64>,
    /// Agreement with the record's reference beats, when it has any.
    pub reference: Option<ReferenceComparison>,
    /// Time spent finding beats, s (0 for annotated positions).
    pub detect_seconds: f64,
    /// Time spent classifying them, s.
    pub classify_seconds: f64,
}

impl BeatLabelling {
    /// The beats as WFDB annotations: each class's usual MIT code (`N`, `A`, `V`, `F`, `Q`);
    /// every beat `N` without a model, as a plain QRS detector's output.
    pub fn annotations(&self) -> Vec<crate::Annotation> {
        let peaks: Vec<usize> = self.r_samples.iter().map(|&r| r as usize).collect();
        beat_annotations(&peaks, self.classes.as_deref())
    }

    /// The annotation file (`.atr` layout, MIT format).
    pub fn annotation_file(&self) -> Result<Vec<u8>, crate::Error> {
        Ok(crate::io::wfdb::write_annotations(&self.annotations())?)
    }
}

/// Seconds since `t0`, on any target (the page has no `Instant`).
fn now_s() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() / 1000.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}

/// Finds (or takes) the beats of lead `lead` of `record` and classifies them with `model`
/// when one is given.
pub fn label_record(
    record: &Record,
    lead: usize,
    positions: BeatPositions,
    model: Option<&TrainedModel>,
) -> Result<BeatLabelling, crate::Error> {
    let signal = record.signals.get(lead).ok_or_else(|| {
        crate::Error::Invalid(format!(
            "record {} has {} lead(s); lead {} does not exist",
            record.name,
            record.signals.len(),
            lead + 1
        ))
    })?;
    let reference = crate::ecg::detect::reference_beats(record);
    let t0 = now_s();
    let r_samples = beat_positions(record, lead, positions)?;
    let t1 = now_s();
    let classes = match model {
        Some(m) => Some(classify_record(m, record, lead, &r_samples)?),
        None => None,
    };
    let t2 = now_s();
    let mut counts = ClassCounts::default();
    if let Some(c) = &classes {
        for &k in c {
            counts.add(k);
        }
    }
    let mean_hr_bpm = match (r_samples.first(), r_samples.last()) {
        (Some(&a), Some(&b)) if r_samples.len() >= 2 && b > a => {
            Some(60.0 * (r_samples.len() - 1) as f64 * record.fs_hz / (b - a) as f64)
        }
        _ => None,
    };
    let comparison = (!reference.is_empty()).then(|| {
        let peaks: Vec<usize> = r_samples.iter().map(|&r| r as usize).collect();
        let detection = evaluate_record(record, &peaks);
        let confusion = classes.as_ref().map(|c| class_confusion(record, &peaks, c));
        ReferenceComparison {
            detection,
            confusion,
        }
    });
    Ok(BeatLabelling {
        record: record.name.clone(),
        lead,
        lead_name: signal.name.clone(),
        fs_hz: record.fs_hz,
        duration_s: record.duration_s(),
        positions,
        r_samples,
        classes,
        counts,
        mean_hr_bpm,
        reference: comparison,
        detect_seconds: if matches!(positions, BeatPositions::Annotated) {
            0.0
        } else {
            t1 - t0
        },
        classify_seconds: t2 - t1,
    })
}

/// The R peaks of lead `lead` of `record` (samples from its start, ascending): found by the
/// detector, or the record's annotated beats (refused when it has none).
pub fn beat_positions(
    record: &Record,
    lead: usize,
    positions: BeatPositions,
) -> Result<Vec<u64>, crate::Error> {
    Ok(match positions {
        BeatPositions::Detected(method) => detect_record(record, lead, method)?
            .into_iter()
            .map(|p| p as u64)
            .collect(),
        BeatPositions::Annotated => {
            let reference = crate::ecg::detect::reference_beats(record);
            if reference.is_empty() {
                return Err(crate::Error::Invalid(format!(
                    "record {} has no beat annotations to classify; let the detector find the beats",
                    record.name
                )));
            }
            reference.iter().map(|&p| p as u64).collect()
        }
    })
}

/// Beats among `counts` of the kind a record-level statement implies (S and V together for
/// [`BeatHint::SOrV`]): the page's screening of a record against its statements.
pub fn implied_beats(hint: BeatHint, counts: &ClassCounts) -> usize {
    match hint {
        BeatHint::Class(c) => counts.get(c),
        BeatHint::SOrV => counts.get(AamiClass::S) + counts.get(AamiClass::V),
    }
}

/// Reference class against predicted class of every detected beat that lies within the EC57
/// window of a reference beat ([`reference_classes`]).
fn class_confusion(record: &Record, peaks: &[usize], classes: &[AamiClass]) -> ConfusionMatrix {
    let mut m = ConfusionMatrix::new(N_CLASSES);
    for (truth, predicted) in reference_classes(record, peaks).into_iter().zip(classes) {
        if let Some(t) = truth {
            m.add(t.index(), predicted.index());
        }
    }
    m
}

/// The reference class of each beat at `peaks` (R peaks in samples, ascending): the class of
/// the nearest unused reference beat annotation within the EC57 window (150 ms), each
/// reference beat used once, peaks taken in order; `None` for a peak with no reference beat in
/// reach and for every peak inside ventricular flutter or fibrillation. All `None` for a record
/// without beat annotations. Scoring only: what a beat's label was never decides which beat is
/// matched.
pub fn reference_classes(record: &Record, peaks: &[usize]) -> Vec<Option<AamiClass>> {
    let excluded = excluded_intervals(record);
    let w = match_window_samples(record.fs_hz);
    let mut reference: Vec<(usize, AamiClass)> = record
        .annotations
        .iter()
        .filter_map(|a| class_of_code(a.code).map(|c| (a.sample as usize, c)))
        .filter(|(p, _)| !excluded.iter().any(|r| r.contains(p)))
        .collect();
    reference.sort_unstable_by_key(|&(p, _)| p);
    let mut used = vec![false; reference.len()];
    peaks
        .iter()
        .map(|&p| {
            if excluded.iter().any(|r| r.contains(&p)) {
                return None;
            }
            // Nearest unused reference beat within the window.
            let at = reference.partition_point(|&(q, _)| q < p.saturating_sub(w));
            let best = reference[at..]
                .iter()
                .enumerate()
                .take_while(|(_, (q, _))| *q <= p + w)
                .filter(|(k, _)| !used[at + k])
                .min_by_key(|(_, (q, _))| q.abs_diff(p))
                .map(|(k, _)| at + k)?;
            used[best] = true;
            Some(reference[best].1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Annotation;
    use crate::ecg::fixtures::record_with_beats;

    fn record(n: usize, fs_hz: f64, beats: &[(usize, u8)]) -> Record {
        let positions: Vec<usize> = beats.iter().map(|&(s, _)| s).collect();
        let annotations = beats
            .iter()
            .map(|&(s, code)| Annotation::beat(s as u64, code))
            .collect();
        record_with_beats(n, fs_hz, &positions, annotations)
    }

    #[test]
    fn detection_without_a_model_finds_the_beats_and_compares_with_the_reference() {
        let fs = 250.0;
        let beats: Vec<(usize, u8)> = (1..30).map(|k| (k * 200, 1)).collect();
        let r = record(31 * 200, fs, &beats);
        let l = label_record(&r, 0, BeatPositions::Detected(PeakMethod::default()), None).unwrap();
        let cmp = l.reference.clone().unwrap();
        assert_eq!(cmp.detection.fn_, 0, "{cmp:?}");
        assert_eq!(cmp.detection.fp, 0, "{cmp:?}");
        assert!(cmp.confusion.is_none());
        assert_eq!(l.counts.total(), 0);
        let hr = l.mean_hr_bpm.unwrap();
        assert!((hr - 75.0).abs() < 0.5, "{hr}");
        // Without a model, every beat is written as N.
        let anns = crate::io::wfdb::read_annotations(&l.annotation_file().unwrap()).unwrap();
        assert_eq!(anns.len(), l.r_samples.len());
        assert!(anns.iter().all(|a| a.code == 1));
    }

    #[test]
    fn annotated_positions_need_annotations_and_a_lead_must_exist() {
        let r = record(2000, 250.0, &[]);
        assert!(label_record(&r, 0, BeatPositions::Annotated, None).is_err());
        assert!(label_record(&r, 3, BeatPositions::Detected(PeakMethod::default()), None).is_err());
    }

    #[test]
    fn confusion_pairs_each_reference_beat_once() {
        let r = record(3000, 250.0, &[(500, 1), (1000, 5), (1500, 1)]);
        // Two detections near the first beat: only one is matched.
        let peaks = [498, 520, 1003, 2500];
        let classes = [AamiClass::N, AamiClass::V, AamiClass::V, AamiClass::N];
        let m = class_confusion(&r, &peaks, &classes);
        assert_eq!(m.counts[AamiClass::N.index()][AamiClass::N.index()], 1);
        assert_eq!(m.counts[AamiClass::V.index()][AamiClass::V.index()], 1);
        assert_eq!(m.total(), 2);
        assert_eq!(
            reference_classes(&r, &peaks),
            [Some(AamiClass::N), None, Some(AamiClass::V), None]
        );
    }

    #[test]
    fn statements_imply_beats_of_their_class() {
        let counts = ClassCounts([10, 2, 3, 0, 0]);
        assert_eq!(implied_beats(BeatHint::Class(AamiClass::V), &counts), 3);
        assert_eq!(implied_beats(BeatHint::Class(AamiClass::F), &counts), 0);
        assert_eq!(implied_beats(BeatHint::SOrV, &counts), 5);
    }
}
