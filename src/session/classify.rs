//! The session side of "find and classify the beats of a record": runs
//! [`crate::classify::label_record`] with a kept run's model, remembers the result per record
//! (for the strip's marks and the annotation-file export), and describes it for the page.

use std::collections::HashMap;

use super::views::ClassifiedView;
use crate::Record;
use crate::classify::{BeatLabelling, BeatPositions, label_record};
use crate::training::TrainedModel;

/// One record's labelling, with what identifies the record it was made from.
#[derive(Debug, Clone)]
pub struct Kept {
    labelling: BeatLabelling,
    run: Option<u32>,
    sig_len: usize,
}

/// Labellings by record name.
#[derive(Debug, Clone, Default)]
pub struct Labellings {
    by_record: HashMap<String, Kept>,
}

impl Labellings {
    /// Finds (or takes) and classifies the beats of `record`; keeps and describes the result.
    pub fn run(
        &mut self,
        record: &Record,
        lead: usize,
        positions: BeatPositions,
        run: Option<(u32, &TrainedModel)>,
    ) -> Result<ClassifiedView, crate::Error> {
        let labelling = label_record(record, lead, positions, run.map(|(_, m)| m))?;
        let view = ClassifiedView {
            record: labelling.record.clone(),
            lead: labelling.lead,
            lead_name: labelling.lead_name.clone(),
            positions: labelling.positions,
            run: run.map(|(id, _)| id),
            beats: labelling.r_samples.len(),
            counts: labelling.counts,
            mean_hr_bpm: labelling.mean_hr_bpm,
            reference: labelling.reference.clone(),
            detect_ms: labelling.detect_seconds * 1000.0,
            classify_ms: labelling.classify_seconds * 1000.0,
            duration_s: labelling.duration_s,
            export_name: export_name(record),
        };
        self.by_record.insert(
            record.name.clone(),
            Kept {
                labelling,
                run: run.map(|(id, _)| id),
                sig_len: record.sig_len(),
            },
        );
        Ok(view)
    }

    /// The kept labelling of `record` and the run that classified it, if it was made from this
    /// very record (same name, length and rate: a record loaded again under the same name with
    /// other samples drops it).
    pub fn of(&self, record: &Record) -> Option<(&BeatLabelling, Option<u32>)> {
        self.by_record
            .get(&record.name)
            .filter(|k| k.sig_len == record.sig_len() && k.labelling.fs_hz == record.fs_hz)
            .map(|k| (&k.labelling, k.run))
    }

    /// Forgets one record's labelling.
    pub fn forget(&mut self, name: &str) {
        self.by_record.remove(name);
    }

    /// Forgets every labelling.
    pub fn clear(&mut self) {
        self.by_record.clear();
    }
}

/// File name of the exported annotations: `NAME.atr` for a record that has no annotation file
/// (so the pair loads back like any annotated record), `NAME.cls` (annotator `cls`) for one
/// that has, so its reference annotations are never overwritten.
pub fn export_name(record: &Record) -> String {
    if record.annotations.is_empty() {
        format!("{}.atr", record.name)
    } else {
        format!("{}.cls", record.name)
    }
}
