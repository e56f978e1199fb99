//! Cutting the beats of every record one record at a time ([`BeatCutter`]), so the load job can
//! report progress and stop between records; [`Workspace::beats`] runs the same steps at once.

use super::{BeatSource, Workspace};
use crate::dataset::BeatSet;
use crate::ecg::beats::{LeadChoice, Resampler, segment_annotated};

/// Beats cut so far from the workspace's records, in record order.
pub struct BeatCutter {
    pub(super) set: BeatSet,
    next: usize,
    resamplers: Vec<(f64, Resampler)>,
}

impl BeatCutter {
    /// Records cut so far.
    pub fn done(&self) -> usize {
        self.next
    }
}

impl Workspace {
    /// Starts cutting the beats of every record with the current window. The set is allocated
    /// once for every beat annotation (of both leads when every record has a second one).
    pub fn beat_cutter(&self) -> BeatCutter {
        let mut set = BeatSet::new(self.window.layout());
        let two = !self.records.is_empty()
            && self.records.iter().all(|r| {
                let lead = self.window.lead.pick(r);
                LeadChoice::pick_second(r, lead).is_some_and(|k| k != lead)
            });
        set.reserve(self.record_counts().total(), two);
        BeatCutter {
            set,
            next: 0,
            resamplers: Vec::new(),
        }
    }

    /// Cuts the beats of the next record; its name, or `None` when every record is cut. The
    /// records must not change in between (the load job owns the workspace meanwhile).
    pub fn cut_next(&self, c: &mut BeatCutter) -> Option<String> {
        let r = self.records.get(c.next)?;
        c.next += 1;
        let layout = c.set.layout;
        let i = match c.resamplers.iter().position(|(fs, _)| *fs == r.fs_hz) {
            Some(i) => i,
            None => {
                c.resamplers
                    .push((r.fs_hz, Resampler::new(r.fs_hz, layout)));
                c.resamplers.len() - 1
            }
        };
        let lead = self.window.lead.pick(r);
        let beats = segment_annotated(
            r,
            lead,
            LeadChoice::pick_second(r, lead),
            &c.resamplers[i].1,
        );
        c.set.extend_record(&r.name, &beats);
        Some(r.name.clone())
    }

    /// Keeps the beats of a finished cutter as the records' beats (what [`Workspace::beats`]
    /// then returns). A cutter that did not reach the last record is dropped.
    pub fn keep_beats(&mut self, c: BeatCutter) {
        if c.next == self.records.len() {
            self.cache = Some((BeatSource::Records, c.set));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dataset::demo::demo_records;
    use crate::workspace::{BeatSource, Workspace};

    #[test]
    fn cutting_record_by_record_gives_the_beats_cut_at_once() {
        let mut ws = Workspace::new();
        for r in demo_records(7).into_iter().take(3) {
            ws.add_record(r);
        }
        let mut cutter = ws.beat_cutter();
        let mut names = Vec::new();
        while let Some(name) = ws.cut_next(&mut cutter) {
            names.push(name);
        }
        assert_eq!(cutter.done(), 3);
        let stepwise = cutter.set.clone();
        let capacity = cutter.set.windows.capacity();
        assert_eq!(capacity, stepwise.windows.len(), "allocated once, exactly");
        ws.keep_beats(cutter);
        let held = ws.held().beat_bytes;
        assert_eq!(held as usize, stepwise.held_bytes());
        let names_at_once: Vec<String> = ws.records().iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, names_at_once);
        // A fresh workspace cuts the same beats at once.
        let mut again = Workspace::new();
        for r in demo_records(7).into_iter().take(3) {
            again.add_record(r);
        }
        let at_once = again.beats(BeatSource::Records);
        assert_eq!(at_once.windows, stepwise.windows);
        assert_eq!(at_once.windows_2, stepwise.windows_2);
        assert_eq!(at_once.labels, stepwise.labels);
        assert_eq!(at_once.r_sample, stepwise.r_sample);
    }
}
