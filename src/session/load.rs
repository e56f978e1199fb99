//! Reading files as a session job: archives are expanded one entry per step, the files are grouped
//! into units ([`Grouped`]), then read one unit per step — so the worker reports progress and
//! stays responsive to Cancel — and finally the beats of everything loaded are cut, one record
//! per step.
//!
//! A zip archive is expanded one entry per step ([`Grouper`]), under the loader's byte budget,
//! which all the archives of one load share.
//!
//! A large load comes in parts ([`Request::LoadPart`](super::Request::LoadPart),
//! [`crate::io::parts`]): each part is grouped and read like a load of its own, then its bytes
//! are dropped and the job asks for the next part ([`Response::PartRead`]) and waits
//! ([`Job::waiting`]). What the parts did adds up in one [`LoadReport`], and beats are cut once,
//! after the last part.

use super::job::Job;
use super::protocol::{ErrorKind, Failure, Response};
use super::views::{LoadTiming, Progress, workspace_view};
use crate::io::files::{Grouped, Grouper, InputFile};
use crate::io::limits::MAX_UNZIPPED_BYTES;
use crate::workspace::{BeatCutter, LoadReport, Workspace};

enum Stage {
    /// Unzipping and sorting the files of the part, one zip entry per step.
    Grouping(Grouper),
    /// Units being read.
    Reading {
        grouped: Grouped,
        next: usize,
    },
    /// A part is read and its bytes dropped; the next part has not come yet.
    Waiting,
    /// Cutting the beats of every record, one record per step.
    Cutting(BeatCutter),
    Done,
}

/// Reading files, one archive entry, unit or record per step.
pub struct LoadJob {
    stage: Stage,
    /// The part being read (0 when the load came whole).
    part: usize,
    /// More parts follow the one being read.
    more: bool,
    /// Bytes of the whole load, when it comes in parts (else those of the one part).
    total_bytes: usize,
    /// Bytes of the parts before the one being read.
    bytes_before: usize,
    /// Bytes of the part being read.
    part_bytes: usize,
    /// Bytes of the units of the part read so far.
    read_bytes: usize,
    /// What the archives of the parts still to read may inflate to.
    unzip_budget: u64,
    report: LoadReport,
    timing: LoadTiming,
}

/// Files from their paths and the buffers that came beside them, which must be as many.
fn inputs(paths: Vec<String>, bytes: Vec<Vec<u8>>) -> Result<Vec<InputFile>, Failure> {
    if paths.len() != bytes.len() {
        return Err(Failure {
            kind: ErrorKind::Protocol,
            message: format!(
                "{} file names but {} files arrived",
                paths.len(),
                bytes.len()
            ),
        });
    }
    Ok(paths
        .into_iter()
        .zip(bytes)
        .map(|(path, bytes)| InputFile { path, bytes })
        .collect())
}

/// A load of `paths` (the whole load, or with `parts` = `(last, total_bytes)` its first part),
/// or why it is refused.
pub(super) fn start(
    paths: Vec<String>,
    bytes: Vec<Vec<u8>>,
    parts: Option<(bool, u64)>,
) -> Result<LoadJob, Failure> {
    let files = inputs(paths, bytes)?;
    Ok(match parts {
        None => LoadJob::new(files),
        Some((last, total_bytes)) => LoadJob::in_parts(files, last, total_bytes),
    })
}

/// Hands part `part` (> 0) of a load sent in parts to the running job; the answer, if the
/// request gets one: a refusal when the files do not match their names or no job waits for
/// that part. With no job at all (the load was cancelled) the part is dropped quietly: the
/// page stops sending at the `Loaded` answer that says so.
pub(super) fn deliver(
    job: Option<&mut Box<dyn Job>>,
    part: usize,
    last: bool,
    paths: Vec<String>,
    bytes: Vec<Vec<u8>>,
) -> Option<Response> {
    let files = match inputs(paths, bytes) {
        Ok(files) => files,
        Err(refusal) => return Some(Response::Error(refusal)),
    };
    let taken = job.is_none_or(|job| job.deliver_files(part, last, files));
    (!taken).then(|| {
        Response::error(
            ErrorKind::Protocol,
            format!("part {part} of a load came, but no load is waiting for it"),
        )
    })
}

impl LoadJob {
    /// A job reading `inputs` into the workspace.
    pub fn new(inputs: Vec<InputFile>) -> Self {
        Self::in_parts(inputs, true, 0)
    }

    /// A job reading the first part of a load of `total_bytes` bytes in all; `last` when it is
    /// the only part.
    pub fn in_parts(inputs: Vec<InputFile>, last: bool, total_bytes: u64) -> Self {
        let part_bytes: usize = inputs.iter().map(|f| f.bytes.len()).sum();
        let total_bytes = usize::try_from(total_bytes)
            .unwrap_or(usize::MAX)
            .max(part_bytes);
        Self {
            stage: Stage::Grouping(Grouper::new(inputs)),
            part: 0,
            more: !last,
            total_bytes,
            bytes_before: 0,
            part_bytes,
            read_bytes: 0,
            unzip_budget: MAX_UNZIPPED_BYTES,
            report: LoadReport::default(),
            timing: LoadTiming {
                bytes: part_bytes,
                ..LoadTiming::default()
            },
        }
    }

    /// Progress through the whole load: each part's share of the bytes, half for sorting its
    /// files (unzipping takes time), half for reading them.
    fn progress(&self, share_done: f64, label: String) -> Response {
        let part = self.part_bytes as f64;
        Response::Progress(Progress {
            job: "load".into(),
            done: self.bytes_before as f64 + part * share_done.clamp(0.0, 1.0),
            total: self.total_bytes.max(1) as f64,
            label,
        })
    }

    /// Unzips the next zip entry (under the loader's byte budget); groups the files once
    /// every archive is expanded.
    fn expand(&mut self, ws: &Workspace, out: &mut dyn FnMut(Response)) {
        let Stage::Grouping(grouper) = &mut self.stage else {
            return;
        };
        if let Some(p) = grouper.step() {
            let share = p.done_bytes as f64 / p.total_bytes.max(1) as f64;
            out(self.progress(share / 2.0, p.label));
            return;
        }
        let Stage::Grouping(grouper) = std::mem::replace(&mut self.stage, Stage::Done) else {
            return;
        };
        self.unzip_budget = grouper.budget_left();
        let grouped = grouper.finish();
        let start = ws.start_load(&grouped);
        self.report.errors.extend(start.errors);
        self.report.skipped.extend(start.skipped);
        self.read_bytes = 0;
        self.stage = Stage::Reading { grouped, next: 0 };
    }

    /// Reads the next unit of the part; at its end, reports the part's stray signal files and
    /// drops its bytes, then asks for the next part or starts cutting beats.
    fn read(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) {
        let Stage::Reading { grouped, next } = &mut self.stage else {
            return;
        };
        if let Some(unit) = grouped.units.get(*next) {
            let t0 = now_ms();
            ws.load_unit(grouped, unit, &mut self.report);
            self.timing.read_ms += now_ms() - t0;
            self.read_bytes += grouped.unit_bytes(unit);
            *next += 1;
            let share = self.read_bytes as f64 / grouped.total_bytes().max(1) as f64;
            let label = format!("read {}", unit.main_path());
            out(self.progress(0.5 + share / 2.0, label));
            return;
        }
        ws.finish_load(grouped, &mut self.report);
        // The part's bytes go here, before the next part comes.
        self.stage = Stage::Waiting;
        if self.more {
            out(Response::PartRead { part: self.part });
        } else {
            self.stage = Stage::Cutting(ws.beat_cutter());
        }
    }

    /// Cuts the beats of the next record; keeps them all once the last is cut.
    fn cut(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let Stage::Cutting(cutter) = &mut self.stage else {
            return true;
        };
        let t0 = now_ms();
        let cut = ws.cut_next(cutter);
        self.timing.segment_ms += now_ms() - t0;
        let records = ws.records().len();
        if let Some(name) = cut {
            out(Response::Progress(Progress {
                job: "load".into(),
                done: cutter.done() as f64,
                total: records.max(1) as f64,
                label: format!(
                    "cutting beats: record {name} ({} of {records})",
                    cutter.done()
                ),
            }));
            return false;
        }
        if let Stage::Cutting(cutter) = std::mem::replace(&mut self.stage, Stage::Done) {
            ws.keep_beats(cutter);
        }
        // With no record, analyses use the beat files: assembled here, as the records' beats
        // were cut, so the first view does not wait for them.
        let t0 = now_ms();
        let source = ws.default_source();
        ws.beats(source);
        self.timing.segment_ms += now_ms() - t0;
        self.finish(ws, out, false);
        true
    }

    fn finish(&mut self, ws: &mut Workspace, out: &mut dyn FnMut(Response), cancelled: bool) {
        self.stage = Stage::Done;
        // Cut here only when they were cut before (a cancelled load leaves them to be cut when
        // first needed).
        self.timing.beats = ws.cached_beats().map_or(0, crate::dataset::BeatSet::len);
        self.timing.records = self.report.loaded.len();
        out(Response::Loaded {
            report: std::mem::take(&mut self.report),
            timing: self.timing.clone(),
            cancelled,
        });
        out(Response::Workspace(workspace_view(ws)));
    }
}

impl Job for LoadJob {
    fn name(&self) -> &str {
        "load"
    }

    fn step(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        match self.stage {
            Stage::Grouping(_) => {
                let t0 = now_ms();
                self.expand(ws, out);
                self.timing.group_ms += now_ms() - t0;
                false
            }
            Stage::Reading { .. } => {
                self.read(ws, now_ms, out);
                false
            }
            Stage::Waiting => false,
            Stage::Cutting(_) => self.cut(ws, now_ms, out),
            Stage::Done => true,
        }
    }

    fn cancel(
        &mut self,
        ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.finish(ws, out, true);
        true
    }

    fn waiting(&self) -> bool {
        matches!(self.stage, Stage::Waiting)
    }

    fn deliver_files(&mut self, part: usize, last: bool, files: Vec<InputFile>) -> bool {
        if !matches!(self.stage, Stage::Waiting) || part != self.part + 1 {
            return false;
        }
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        self.part = part;
        self.more = !last;
        self.bytes_before += self.part_bytes;
        self.part_bytes = bytes;
        self.total_bytes = self.total_bytes.max(self.bytes_before + bytes);
        self.timing.bytes += bytes;
        self.stage = Stage::Grouping(Grouper::with_budget(files, self.unzip_budget));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::zip::{ZipEntry, write_stored_zip};

    fn run(job: &mut LoadJob, ws: &mut Workspace) -> Vec<Response> {
        let mut out = Vec::new();
        while !job.step(ws, &|| 0.0, &mut |r| out.push(r)) {}
        out
    }

    #[test]
    fn archives_expand_entry_by_entry_and_damaged_ones_are_named() {
        let zip = |name: &str| {
            write_stored_zip(&[ZipEntry {
                path: format!("{name}/RECORDS"),
                bytes: b"100\n".to_vec(),
            }])
        };
        let mut broken = zip("c");
        broken.truncate(broken.len() - 3);
        let inputs = vec![
            InputFile {
                path: "a.zip".into(),
                bytes: zip("a"),
            },
            InputFile {
                path: "notes.txt".into(),
                bytes: b"x".to_vec(),
            },
            InputFile {
                path: "b.zip".into(),
                bytes: zip("b"),
            },
            InputFile {
                path: "c.zip".into(),
                bytes: broken,
            },
        ];
        let mut ws = Workspace::new();
        let mut job = LoadJob::new(inputs);
        let out = run(&mut job, &mut ws);
        // One progress answer per archive entry, each archive named as it is unzipped.
        let mut unzipped: Vec<&str> = out
            .iter()
            .filter_map(|r| match r {
                Response::Progress(p) => p.label.strip_prefix("unzipping "),
                _ => None,
            })
            .filter_map(|l| l.split(':').next())
            .collect();
        unzipped.dedup();
        assert_eq!(
            unzipped,
            ["a.zip", "b.zip"],
            "c.zip is refused at its directory"
        );
        let report = out
            .iter()
            .find_map(|r| match r {
                Response::Loaded { report, .. } => Some(report),
                _ => None,
            })
            .expect("a Loaded answer");
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].file, "c.zip");
        let skipped: Vec<&str> = report.skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(skipped, ["a/RECORDS", "notes.txt", "b/RECORDS"]);
    }
}
