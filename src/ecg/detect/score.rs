//! The detector scored over a set of annotated records, record by record and in total — what
//! `ecg-balance detect-eval` reports: each record's EC57 counts ([`super::evaluate_record`]) with
//! what they were measured on (lead, rate, reference beats, detections, excluded stretches),
//! and their sum.

use serde_json::json;

use super::{
    DetectError, MATCH_WINDOW_MS, MatchCounts, PeakMethod, detect_record, evaluate_record,
    excluded_intervals, match_window_samples, reference_beats,
};
use crate::Record;

/// One record's score.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordScore {
    /// Record name.
    pub name: String,
    /// Name of the lead detected on.
    pub lead: String,
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// EC57 counts.
    pub counts: MatchCounts,
    /// Reference beats of the record (excluded stretches included).
    pub reference_beats: usize,
    /// Detections (excluded stretches included).
    pub detections: usize,
    /// Stretches left out (ventricular flutter and fibrillation), `[start, end)` in samples.
    pub excluded_samples: Vec<[usize; 2]>,
}

impl RecordScore {
    /// As JSON: the counts ([`MatchCounts::to_json`]) and what they were measured on.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = self.counts.to_json();
        if let Some(o) = v.as_object_mut() {
            o.insert("lead".into(), json!(self.lead));
            o.insert("reference_beats".into(), json!(self.reference_beats));
            o.insert("detections".into(), json!(self.detections));
            o.insert("excluded_samples".into(), json!(self.excluded_samples));
            o.insert("fs_hz".into(), json!(self.fs_hz));
            o.insert(
                "match_window_samples".into(),
                json!(match_window_samples(self.fs_hz)),
            );
        }
        v
    }
}

/// Detects the R peaks of lead `lead` of `record` with `method` and scores them against the
/// record's reference beats.
pub fn score_record(
    record: &Record,
    lead: usize,
    method: PeakMethod,
) -> Result<RecordScore, DetectError> {
    let peaks = detect_record(record, lead, method)?;
    Ok(RecordScore {
        name: record.name.clone(),
        lead: record
            .signals
            .get(lead)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        fs_hz: record.fs_hz,
        counts: evaluate_record(record, &peaks),
        reference_beats: reference_beats(record).len(),
        detections: peaks.len(),
        excluded_samples: excluded_intervals(record)
            .into_iter()
            .map(|r| [r.start, r.end])
            .collect(),
    })
}

/// Scores of many records, with their sum.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionScore {
    /// The method scored.
    pub method: PeakMethod,
    /// Each record's score, in the order added.
    pub records: Vec<RecordScore>,
    /// The counts of every record, summed.
    pub total: MatchCounts,
}

impl DetectionScore {
    /// No record yet.
    pub fn new(method: PeakMethod) -> Self {
        Self {
            method,
            records: Vec::new(),
            total: MatchCounts::default(),
        }
    }

    /// Adds one record's score.
    pub fn add(&mut self, score: RecordScore) {
        self.total = self.total.merged(score.counts);
        self.records.push(score);
    }

    /// As JSON: the method, the lead asked for (`first` when none was), the matching rule,
    /// every record by name, the total, and the time it took (s).
    pub fn to_json(&self, lead: Option<&str>, seconds: f64) -> serde_json::Value {
        let records: serde_json::Map<String, serde_json::Value> = self
            .records
            .iter()
            .map(|r| (r.name.clone(), r.to_json()))
            .collect();
        json!({
            "method": self.method.name(),
            "lead": lead.unwrap_or("first"),
            "match_window_ms": MATCH_WINDOW_MS,
            "excluded": "ventricular flutter/fibrillation episodes ([ … ] and (VFL/(VF rhythm to the next rhythm change), as ANSI/AAMI EC57",
            "records": records,
            "total": self.total.to_json(),
            "seconds": seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Annotation;
    use crate::ecg::fixtures::record_with_beats;

    /// `seconds` of a 360-Hz lead with a beat every `rr_s`, annotated as normal beats (code 1)
    /// except those listed in `unannotated`; a flutter episode (`[` … `]`) when `flutter` gives
    /// its start and end samples.
    fn record(
        name: &str,
        seconds: f64,
        rr_s: f64,
        unannotated: &[usize],
        flutter: Option<(u64, u64)>,
    ) -> Record {
        let fs_hz = 360.0;
        let n = (seconds * fs_hz) as usize;
        let beats: Vec<usize> = (1..)
            .map(|k| (f64::from(k) * rr_s * fs_hz) as usize)
            .take_while(|&b| b + 100 < n)
            .collect();
        let mut annotations: Vec<Annotation> = beats
            .iter()
            .enumerate()
            .filter(|(k, _)| !unannotated.contains(k))
            .map(|(_, &b)| Annotation::beat(b as u64, 1))
            .collect();
        if let Some((a, b)) = flutter {
            annotations.push(Annotation::beat(a, 32)); // `[`
            annotations.push(Annotation::beat(b, 33)); // `]`
            annotations.sort_by_key(|x| x.sample);
        }
        Record {
            name: name.into(),
            ..record_with_beats(n, fs_hz, &beats, annotations)
        }
    }

    #[test]
    fn records_are_scored_as_the_detector_and_evaluation_score_them_and_summed() {
        let method = PeakMethod::default();
        let a = record("a", 60.0, 0.8, &[], None);
        // Two beats left unannotated: two detections match nothing.
        let b = record("b", 60.0, 0.75, &[5, 30], Some((3600, 7200)));
        let mut score = DetectionScore::new(method);
        for r in [&a, &b] {
            let s = score_record(r, 0, method).expect("score");
            let peaks = detect_record(r, 0, method).expect("detect");
            assert_eq!(s.counts, evaluate_record(r, &peaks));
            assert_eq!(s.detections, peaks.len());
            assert_eq!(s.reference_beats, reference_beats(r).len());
            score.add(s);
        }
        let (sa, sb) = (&score.records[0], &score.records[1]);
        assert_eq!(sa.counts.fp, 0);
        assert!(sa.counts.tp > 70, "{:?}", sa.counts);
        assert_eq!(sb.counts.fp, 2, "{:?}", sb.counts);
        assert_eq!(sb.excluded_samples, [[3600, 7201]]);
        assert_eq!(score.total, sa.counts.merged(sb.counts));

        let v = score.to_json(None, 1.5);
        assert_eq!(v["method"], method.name());
        assert_eq!(v["lead"], "first");
        assert_eq!(v["records"]["b"]["fp"], 2);
        assert_eq!(v["records"]["b"]["lead"], "MLII");
        assert_eq!(v["records"]["a"]["match_window_samples"], 54);
        assert_eq!(v["total"]["tp"], json!(score.total.tp));
        // A lead the record does not have is an error, not a panic.
        assert!(score_record(&a, 3, method).is_err());
    }
}
