//! Reading files as a session job: archives are expanded one entry per step, the files are grouped
//! into units ([`Grouped`]), then read one unit per step — so the worker reports progress and
//! stays responsive to Cancel — and finally the beats of everything loaded are cut.
//!
//! A zip archive is expanded one entry per step ([`Grouper`]), under the loader's byte budget.

use super::job::Job;
use super::protocol::Response;
use super::views::{LoadTiming, Progress, workspace_view};
use crate::io::files::{Grouped, Grouper, InputFile, LoadUnit, split_path};
use crate::workspace::{LoadReport, Workspace};

enum Stage {
    /// Unzipping and sorting the files, one zip entry per step.
    Grouping(Grouper),
    /// Units being read.
    Reading {
        grouped: Grouped,
        next: usize,
    },
    Done,
}

/// Reading files, one archive or one unit per step.
pub struct LoadJob {
    stage: Stage,
    done_bytes: usize,
    report: LoadReport,
    timing: LoadTiming,
}

impl LoadJob {
    /// A job reading `inputs` into the workspace.
    pub fn new(inputs: Vec<InputFile>) -> Self {
        let total_bytes = inputs.iter().map(|f| f.bytes.len()).sum();
        Self {
            stage: Stage::Grouping(Grouper::new(inputs)),
            done_bytes: 0,
            report: LoadReport::default(),
            timing: LoadTiming {
                bytes: total_bytes,
                ..LoadTiming::default()
            },
        }
    }

    /// Unzips the next zip entry (under the loader's byte budget); groups the files once
    /// every archive is expanded.
    fn expand(&mut self, ws: &Workspace, out: &mut dyn FnMut(Response)) {
        let Stage::Grouping(grouper) = &mut self.stage else {
            return;
        };
        if let Some(p) = grouper.step() {
            out(Response::Progress(Progress {
                job: "load".into(),
                done: p.done_bytes as f64,
                total: p.total_bytes.max(1) as f64,
                label: p.label,
            }));
            return;
        }
        let Stage::Grouping(grouper) = std::mem::replace(&mut self.stage, Stage::Done) else {
            return;
        };
        let grouped = grouper.finish();
        self.report = ws.start_load(&grouped);
        self.stage = Stage::Reading { grouped, next: 0 };
    }

    fn finish(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
        cancelled: bool,
    ) {
        if let Stage::Reading { grouped, .. } = &self.stage {
            if !cancelled {
                ws.finish_load(grouped, &mut self.report);
            }
        }
        self.stage = Stage::Done;
        out(Response::Progress(Progress {
            job: "load".into(),
            done: 1.0,
            total: 1.0,
            label: "cutting beats".into(),
        }));
        let t0 = now_ms();
        let source = ws.default_source();
        self.timing.beats = ws.beats(source).len();
        self.timing.segment_ms = now_ms() - t0;
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
        if let Stage::Grouping(_) = self.stage {
            let t0 = now_ms();
            self.expand(ws, out);
            self.timing.group_ms += now_ms() - t0;
            return false;
        }
        let Stage::Reading { grouped, next } = &mut self.stage else {
            return true;
        };
        if let Some(unit) = grouped.units.get(*next) {
            let t0 = now_ms();
            ws.load_unit(grouped, unit, &mut self.report);
            self.timing.read_ms += now_ms() - t0;
            self.done_bytes += unit_bytes(grouped, unit);
            *next += 1;
            out(Response::Progress(Progress {
                job: "load".into(),
                done: self.done_bytes as f64,
                total: grouped.total_bytes().max(1) as f64,
                label: format!("read {}", unit.main_path()),
            }));
            return false;
        }
        self.finish(ws, now_ms, out, false);
        true
    }

    fn cancel(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.finish(ws, now_ms, out, true);
        true
    }
}

/// Bytes of the files a unit reads, for progress.
fn unit_bytes(g: &Grouped, unit: &LoadUnit) -> usize {
    let len = |path: &str| g.bytes(path).map_or(0, <[u8]>::len);
    match unit {
        LoadUnit::Wfdb {
            name,
            header,
            annotation,
        } => {
            let dir = split_path(header).0;
            len(header) + annotation.as_deref().map_or(0, len) + len(&format!("{dir}{name}.dat"))
        }
        LoadUnit::AnnotationOnly { path, .. }
        | LoadUnit::Csv { path }
        | LoadUnit::Beats { path } => len(path),
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
