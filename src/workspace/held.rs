//! What the workspace holds in memory, and the budget for the samples of its records
//! ([`crate::io::limits::MAX_WORKSPACE_SAMPLES`]): the figures the page shows beside its load
//! summary, and the check that refuses a record the budget has no room for.
//!
//! Bytes are those of the values held — 2 per sample (`i16` adu), 4 per window value (`f32`) —
//! counted from lengths, so a test can state them exactly; allocators' spare capacity and the
//! names and comments of records are left out (they are small beside the samples).

use serde::{Deserialize, Serialize};

use super::Workspace;
use crate::io::limits::MAX_WORKSPACE_SAMPLES;
use crate::record::{Annotation, Record};

/// Bytes held, by kind, and the sample budget; part of the workspace view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Records loaded.
    pub records: usize,
    /// Samples of all their signals.
    pub samples: u64,
    /// Bytes of those samples (2 per sample).
    pub sample_bytes: u64,
    /// Samples the records may hold in all.
    pub sample_budget: u64,
    /// Annotations of all records, and their bytes (text of `aux_note`s aside).
    pub annotations: u64,
    /// Bytes of the annotations.
    pub annotation_bytes: u64,
    /// Beats cut from the records (or assembled from beat files) and kept for analyses; 0
    /// until they are first needed after a change.
    pub beats: u64,
    /// Bytes of those beats and of the loaded beat files ([`crate::dataset::BeatSet::held_bytes`]).
    pub beat_bytes: u64,
}

/// Megabytes (10⁶ bytes) with one decimal and thousands separators: `1,073.7`.
fn mb(bytes: u64) -> String {
    let tenths = (bytes + 50_000) / 100_000;
    let whole = (tenths / 10).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{} MB", tenths % 10)
}

impl Held {
    /// Bytes the sample budget allows (2 per sample).
    pub fn sample_budget_bytes(&self) -> u64 {
        self.sample_budget.saturating_mul(2)
    }

    /// Share of the sample budget in use, percent.
    pub fn budget_percent(&self) -> f64 {
        if self.sample_budget == 0 {
            0.0
        } else {
            100.0 * self.samples as f64 / self.sample_budget as f64
        }
    }

    /// Everything held, bytes.
    pub fn total_bytes(&self) -> u64 {
        self.sample_bytes + self.annotation_bytes + self.beat_bytes
    }

    /// The sentence the page shows: "Holding 748.8 MB of samples for 288 records (70 % of
    /// the 1,073.7 MB budget), 26.3 MB of annotations and 701.8 MB of beats (656,964 beats)."
    pub fn text(&self) -> String {
        let beats = if self.beats > 0 {
            format!(
                " and {} of beats ({} beats)",
                mb(self.beat_bytes),
                crate::report::thousands(self.beats as usize)
            )
        } else if self.beat_bytes > 0 {
            format!(" and {} of beat files", mb(self.beat_bytes))
        } else {
            String::new()
        };
        format!(
            "Holding {} of samples for {} record{} ({:.0} % of the {} budget), {} of annotations{beats}.",
            mb(self.sample_bytes),
            self.records,
            if self.records == 1 { "" } else { "s" },
            self.budget_percent(),
            mb(self.sample_budget_bytes()),
            mb(self.annotation_bytes),
        )
    }
}

/// Why a record was not loaded: the samples budget has no room for it.
pub(super) fn over_budget(name: &str, samples: u64, ws: &Workspace) -> String {
    let held = ws.samples_held_without(name);
    format!(
        "record {name} was not loaded: its {} samples ({}) would take the samples held past \
         the budget for samples of {} ({} samples of 16 bits); {} record(s) already hold {}. \
         Everything loaded so far stays loaded: remove records to make room, or load fewer at \
         a time.",
        crate::report::thousands(usize::try_from(samples).unwrap_or(usize::MAX)),
        mb(samples.saturating_mul(2)),
        mb(ws.sample_budget().saturating_mul(2)),
        crate::report::thousands(usize::try_from(ws.sample_budget()).unwrap_or(usize::MAX)),
        ws.records.iter().filter(|r| r.name != name).count(),
        mb(held.saturating_mul(2)),
    )
}

impl Workspace {
    /// Samples the records may hold in all ([`MAX_WORKSPACE_SAMPLES`] unless set).
    pub fn sample_budget(&self) -> u64 {
        self.sample_budget.unwrap_or(MAX_WORKSPACE_SAMPLES)
    }

    /// Sets the sample budget (tests use a small one; the page and the CLI keep the default).
    pub fn set_sample_budget(&mut self, samples: u64) {
        self.sample_budget = Some(samples);
    }

    /// Samples of all records.
    pub fn samples_held(&self) -> u64 {
        self.records.iter().map(|r| r.samples() as u64).sum()
    }

    /// Samples of all records but the one named `name` (which a record of that name replaces).
    fn samples_held_without(&self, name: &str) -> u64 {
        self.records
            .iter()
            .filter(|r| r.name != name)
            .map(|r| r.samples() as u64)
            .sum()
    }

    /// True when a record `name` of `samples` samples fits the budget (in place of the record
    /// of that name, if one is loaded).
    pub fn has_room_for(&self, name: &str, samples: u64) -> bool {
        self.samples_held_without(name).saturating_add(samples) <= self.sample_budget()
    }

    /// What is held, in bytes.
    pub fn held(&self) -> Held {
        let annotations: u64 = self
            .records
            .iter()
            .map(|r| r.annotations.len() as u64)
            .sum();
        let cached = self.cache.as_ref().map(|(_, set)| set);
        let beat_files: usize = self.beat_files.iter().map(|b| b.beats.held_bytes()).sum();
        let samples = self.samples_held();
        Held {
            records: self.records.len(),
            samples,
            sample_bytes: self.records.iter().map(|r| r.sample_bytes() as u64).sum(),
            sample_budget: self.sample_budget(),
            annotations,
            annotation_bytes: annotations * std::mem::size_of::<Annotation>() as u64,
            beats: cached.map_or(0, |s| s.len() as u64),
            beat_bytes: (beat_files + cached.map_or(0, crate::dataset::BeatSet::held_bytes)) as u64,
        }
    }
}

/// Samples a WFDB header says its record holds (signals × samples per signal, or the
/// segments' lengths × signals), when it says: checked against the budget before the signal
/// files are decoded. A header that leaves its length to the signal file's size is checked
/// once the record is read.
pub(super) fn claimed_samples(header: &[u8]) -> Option<u64> {
    use crate::io::wfdb::{WfdbError, parse_header, parse_multi_header};
    match parse_header(header) {
        Ok(h) => h
            .sig_len
            .map(|n| (n as u64).saturating_mul(h.signals.len() as u64)),
        Err(WfdbError::MultiSegment { .. }) => parse_multi_header(header).ok().map(|m| {
            m.segments
                .iter()
                .fold(0u64, |a, s| a.saturating_add(s.seg_len as u64))
                .saturating_mul(m.record.n_sig as u64)
        }),
        Err(_) => None,
    }
}

/// Samples of `record` (for the check after reading).
pub(super) fn samples_of(record: &Record) -> u64 {
    record.samples() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{RecordSource, Signal};

    fn record(name: &str, leads: usize, len: usize, beats: usize) -> Record {
        Record {
            name: name.into(),
            fs_hz: 360.0,
            signals: (0..leads)
                .map(|i| Signal {
                    name: format!("lead {i}"),
                    units: "mV".into(),
                    adc_gain: 200.0,
                    baseline: 0,
                    invalid_adu: None,
                    samples_adu: vec![0; len],
                })
                .collect(),
            annotations: (0..beats)
                .map(|i| Annotation::beat(400 + 360 * i as u64, 1))
                .collect(),
            comments: Vec::new(),
            source: RecordSource::Wfdb,
        }
    }

    #[test]
    fn a_record_of_known_length_is_held_as_exactly_its_bytes() {
        let mut ws = Workspace::new();
        assert_eq!(
            ws.held(),
            Held {
                sample_budget: MAX_WORKSPACE_SAMPLES,
                ..Held::default()
            }
        );
        // 10 s of two leads at 360 Hz: 7,200 samples, 14,400 bytes; 8 beats.
        ws.add_record(record("a", 2, 3600, 8));
        let held = ws.held();
        assert_eq!(held.records, 1);
        assert_eq!(held.samples, 7200);
        assert_eq!(held.sample_bytes, 14_400);
        assert_eq!(held.annotations, 8);
        assert_eq!(
            held.annotation_bytes,
            8 * std::mem::size_of::<Annotation>() as u64
        );
        assert_eq!((held.beats, held.beat_bytes), (0, 0), "no beat cut yet");
        // Cut: 8 windows of 126 values per lead, both leads, and per beat its RR features,
        // label (1 byte), record id (4), R sample (8) and origin.
        let layout = ws.window().layout();
        let set_len = ws.beats(super::super::BeatSource::Records).len();
        assert_eq!(set_len, 8);
        let held = ws.held();
        let per_beat = 2 * layout.len * 4
            + crate::ecg::beats::N_RR * 4
            + 1
            + 4
            + 8
            + std::mem::size_of::<crate::dataset::Origin>();
        assert_eq!(held.beats, 8);
        assert_eq!(held.beat_bytes, 8 * per_beat as u64);
        // A second record adds exactly its samples; replacing one by name does not add.
        ws.add_record(record("b", 1, 1000, 0));
        assert_eq!(ws.held().sample_bytes, 14_400 + 2000);
        ws.add_record(record("b", 1, 500, 0));
        assert_eq!(ws.held().sample_bytes, 14_400 + 1000);
        assert!(
            ws.held()
                .text()
                .starts_with("Holding 0.0 MB of samples for 2 records")
        );
    }

    #[test]
    fn room_counts_what_a_record_of_the_same_name_frees() {
        let mut ws = Workspace::new();
        ws.set_sample_budget(10_000);
        ws.add_record(record("a", 2, 3000, 0));
        assert!(ws.has_room_for("b", 4000));
        assert!(!ws.has_room_for("b", 4001));
        // Reloading "a" frees its 6,000 samples first.
        assert!(ws.has_room_for("a", 10_000));
        assert!(!ws.has_room_for("a", 10_001));
        let why = over_budget("b", 4001, &ws);
        assert!(why.contains("record b was not loaded"), "{why}");
        assert!(why.contains("4,001 samples"), "{why}");
        assert!(
            why.contains("budget for samples of 0.0 MB (10,000 samples"),
            "{why}"
        );
    }

    #[test]
    fn the_summary_reads_in_megabytes() {
        assert_eq!(mb(0), "0.0 MB");
        assert_eq!(mb(1_073_741_824), "1,073.7 MB");
        assert_eq!(mb(748_800_000), "748.8 MB");
        let held = Held {
            records: 288,
            samples: 374_400_000,
            sample_bytes: 748_800_000,
            sample_budget: MAX_WORKSPACE_SAMPLES,
            annotations: 3,
            annotation_bytes: 26_300_000,
            beats: 656_964,
            beat_bytes: 701_800_000,
        };
        assert_eq!(
            held.text(),
            "Holding 748.8 MB of samples for 288 records (70 % of the 1,073.7 MB budget), \
             26.3 MB of annotations and 701.8 MB of beats (656,964 beats)."
        );
        assert_eq!(held.total_bytes(), 748_800_000 + 26_300_000 + 701_800_000);
    }

    #[test]
    fn headers_state_their_samples() {
        assert_eq!(
            claimed_samples(b"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n"),
            Some(1_300_000)
        );
        assert_eq!(
            claimed_samples(b"x 1 250\nx.dat 16\n"),
            None,
            "length left to the file"
        );
        assert_eq!(
            claimed_samples(b"m/2 3 125 1500\ns1 1000\ns2 500\n"),
            Some(4500)
        );
        assert_eq!(claimed_samples(b"not a header"), None);
    }
}
