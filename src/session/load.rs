//! Reading files as a session job: archives are expanded one per step, the files are grouped
//! into units ([`Grouped`]), then read one unit per step — so the worker reports progress and
//! stays responsive to Cancel — and finally the beats of everything loaded are cut.
//!
//! A zip archive is expanded whole in its step: the zip reader reads an archive in one call. A
//! load of several archives (or of an archive beside other files) still advances archive by
//! archive.

use super::job::Job;
use super::protocol::Response;
use super::views::{LoadTiming, Progress, workspace_view};
use crate::io::files::{Grouped, InputFile, LoadUnit, split_path};
use crate::io::zip::looks_like_zip;
use crate::workspace::{LoadReport, Workspace};

enum Stage {
    /// Archives still to expand (the files given, in order) and the files so far.
    Expanding {
        inputs: std::vec::IntoIter<InputFile>,
        files: Vec<InputFile>,
        errors: Vec<crate::io::files::FileError>,
        done_bytes: usize,
    },
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
    total_bytes: usize,
    done_bytes: usize,
    report: LoadReport,
    timing: LoadTiming,
}

fn is_archive(f: &InputFile) -> bool {
    f.path.to_ascii_lowercase().ends_with(".zip") || looks_like_zip(&f.bytes)
}

impl LoadJob {
    /// A job reading `inputs` into the workspace.
    pub fn new(inputs: Vec<InputFile>) -> Self {
        let total_bytes = inputs.iter().map(|f| f.bytes.len()).sum();
        Self {
            stage: Stage::Expanding {
                inputs: inputs.into_iter(),
                files: Vec::new(),
                errors: Vec::new(),
                done_bytes: 0,
            },
            total_bytes,
            done_bytes: 0,
            report: LoadReport::default(),
            timing: LoadTiming {
                bytes: total_bytes,
                ..LoadTiming::default()
            },
        }
    }

    /// Expands the next archive (taking every plain file before it along); groups the files
    /// once no archive is left.
    fn expand(&mut self, ws: &Workspace, out: &mut dyn FnMut(Response)) {
        let Stage::Expanding {
            inputs,
            files,
            errors,
            done_bytes,
        } = &mut self.stage
        else {
            return;
        };
        for f in inputs.by_ref() {
            *done_bytes += f.bytes.len();
            if !is_archive(&f) {
                files.push(f);
                continue;
            }
            let name = f.path.clone();
            // The grouping's own expansion, so an archive is read exactly as in one go.
            let expanded = Grouped::new(vec![f]);
            errors.extend(expanded.errors);
            let mut entries: Vec<InputFile> = expanded
                .files
                .into_iter()
                .map(|(path, bytes)| InputFile { path, bytes })
                .collect();
            entries.sort_by(|a, b| a.path.cmp(&b.path));
            files.extend(entries);
            out(Response::Progress(Progress {
                job: "load".into(),
                done: 0.0,
                total: 1.0,
                label: format!(
                    "unzipped {name} ({done_bytes} of {} bytes)",
                    self.total_bytes
                ),
            }));
            return;
        }
        let mut grouped = Grouped::new(std::mem::take(files));
        grouped.errors.splice(0..0, std::mem::take(errors));
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
        if let Stage::Expanding { .. } = self.stage {
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
    fn archives_expand_one_per_step_and_damaged_ones_are_named() {
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
        let unzipped: Vec<&str> = out
            .iter()
            .filter_map(|r| match r {
                Response::Progress(p) if p.label.starts_with("unzipped") => {
                    Some(p.label.split(' ').nth(1).unwrap_or(""))
                }
                _ => None,
            })
            .collect();
        assert_eq!(unzipped, ["a.zip", "b.zip", "c.zip"]);
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
