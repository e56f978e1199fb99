//! Loading files into the workspace, one unit at a time: what was read, what was not and why
//! ([`LoadReport`]), and plain CSVs waiting for their sampling rate.

use serde::{Deserialize, Serialize};

use super::{BeatFile, Workspace, held, kaggle_beat_set};
use crate::dataset::BeatSet;
use crate::io::csv::{self, PlainCsv};
use crate::io::files::{FileError, Grouped, LoadUnit, split_ext, split_path};
use crate::io::ptbxl;
use crate::io::wfdb;

/// A plain CSV waiting for its sampling rate.
#[derive(Debug, Clone)]
pub struct PendingCsv {
    /// File name.
    pub file: String,
    /// The parsed columns.
    pub csv: PlainCsv,
}

/// A plain CSV that needs a sampling rate before it becomes a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsRate {
    /// File name.
    pub file: String,
    /// Leads found.
    pub leads: Vec<String>,
    /// Samples per lead.
    pub samples: usize,
    /// Rate implied by a time column, if any.
    pub suggested_fs_hz: Option<f64>,
}

/// What one load did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Records and beat files added.
    pub loaded: Vec<String>,
    /// Records that replaced one of the same name.
    pub replaced: Vec<String>,
    /// Files that could not be read.
    pub errors: Vec<FileError>,
    /// Files that are not ECG data.
    pub skipped: Vec<(String, String)>,
    /// Things worth knowing that are not errors (checksum mismatches, …).
    pub warnings: Vec<String>,
    /// Plain CSVs waiting for a sampling rate.
    pub needs_rate: Vec<NeedsRate>,
}

impl LoadReport {
    /// Every file of the load that was not used, with the reason, in words a user can act on:
    /// files that could not be read (`errors`) first, then files that are not ECG data
    /// (`skipped`), then plain CSVs still waiting for a sampling rate (`needs_rate`; the page
    /// asks for it, a command-line tool cannot). What a caller prints so that no file is
    /// dropped silently.
    pub fn not_used(&self) -> Vec<(String, String)> {
        self.errors
            .iter()
            .map(|e| (e.file.clone(), e.message.clone()))
            .chain(self.skipped.iter().cloned())
            .chain(self.needs_rate.iter().map(|n| {
                let kaggle = if n.leads.len() == crate::io::csv::KAGGLE_SAMPLES + 1 {
                    format!(
                        "; with {} columns it looks like a Kaggle heartbeat CSV, whose last \
                         column must hold a class from 0 to 4 on every row",
                        n.leads.len()
                    )
                } else {
                    String::new()
                };
                (
                    n.file.clone(),
                    format!(
                        "read as a plain CSV ({} columns of {} samples) with no sampling rate, \
                         so not used{kaggle}",
                        n.leads.len(),
                        n.samples
                    ),
                )
            }))
            .collect()
    }
}

impl Workspace {
    /// Reads every unit of `grouped` (convenience for the CLI and tests; the worker calls
    /// [`Workspace::load_unit`] itself to report progress between units).
    pub fn load_all(&mut self, grouped: &Grouped) -> LoadReport {
        let mut report = self.start_load(grouped);
        for unit in &grouped.units {
            self.load_unit(grouped, unit, &mut report);
        }
        self.finish_load(grouped, &mut report);
        report
    }

    /// A report holding the grouping's own errors and skipped files.
    pub fn start_load(&self, grouped: &Grouped) -> LoadReport {
        LoadReport {
            errors: grouped.errors.clone(),
            skipped: grouped.skipped.clone(),
            ..LoadReport::default()
        }
    }

    /// Reads one unit into the workspace, noting the outcome in `report`.
    pub fn load_unit(&mut self, grouped: &Grouped, unit: &LoadUnit, report: &mut LoadReport) {
        match unit {
            LoadUnit::Wfdb {
                name,
                header,
                annotation,
            } => {
                let (dir, _) = split_path(header);
                let Some(header_bytes) = grouped.bytes(header) else {
                    return;
                };
                // Refused before its signal files are decoded when the header states its
                // length; otherwise once it is read, before it is kept.
                if let Some(samples) = held::claimed_samples(header_bytes) {
                    if !self.has_room_for(name, samples) {
                        report.errors.push(FileError {
                            file: header.clone(),
                            message: held::over_budget(name, samples, self),
                        });
                        return;
                    }
                }
                let lookup = |file: &str| grouped.signal_file(dir, file);
                let read = match wfdb::read_record_checked(name, header_bytes, lookup, None) {
                    Ok(read) => read,
                    Err(e) => {
                        let file = match &e {
                            wfdb::WfdbError::Truncated { file, .. } => format!("{dir}{file}"),
                            _ => header.clone(),
                        };
                        report.errors.push(FileError {
                            file,
                            message: e.to_string(),
                        });
                        return;
                    }
                };
                let mut record = read.record;
                if let Some(path) = annotation {
                    let bytes = grouped.bytes(path).unwrap_or_default();
                    match wfdb::read_annotations(bytes) {
                        Ok(annotations) => record.annotations = annotations,
                        Err(e) => {
                            report.errors.push(FileError {
                                file: path.clone(),
                                message: format!(
                                    "{e}; record {name} was not loaded — fix or leave out its annotation file"
                                ),
                            });
                            return;
                        }
                    }
                }
                let samples = held::samples_of(&record);
                if !self.has_room_for(name, samples) {
                    report.errors.push(FileError {
                        file: header.clone(),
                        message: held::over_budget(name, samples, self),
                    });
                    return;
                }
                for w in read.warnings {
                    report.warnings.push(format!("{header}: {w}"));
                }
                let name = record.name.clone();
                if self.add_record(record) {
                    report.replaced.push(name.clone());
                }
                report.loaded.push(name);
            }
            LoadUnit::AnnotationOnly { name, path } => {
                let Some(bytes) = grouped.bytes(path) else {
                    return;
                };
                let Some(record) = self.records.iter_mut().find(|r| &r.name == name) else {
                    report.errors.push(FileError {
                        file: path.clone(),
                        message: format!(
                            "annotation file without its record: drop {name}.hea and its signal file together with it"
                        ),
                    });
                    return;
                };
                match wfdb::read_annotations(bytes) {
                    Ok(annotations) => {
                        record.annotations = annotations;
                        self.cache = None;
                        report.loaded.push(format!("{name} (annotations)"));
                    }
                    Err(e) => report.errors.push(FileError {
                        file: path.clone(),
                        message: e.to_string(),
                    }),
                }
            }
            LoadUnit::Beats { path } => {
                let Some(bytes) = grouped.bytes(path) else {
                    return;
                };
                let (_, file) = split_path(path);
                match BeatSet::from_bytes(bytes) {
                    Ok(beats) => self.add_beat_file(file, beats, path, report),
                    Err(e) => report.errors.push(FileError {
                        file: path.clone(),
                        message: e.to_string(),
                    }),
                }
            }
            LoadUnit::Csv { path } => {
                let Some(bytes) = grouped.bytes(path) else {
                    return;
                };
                let (_, file) = split_path(path);
                let lower = file.to_ascii_lowercase();
                if lower == "ptbxl_database.csv" {
                    match ptbxl::read_database(bytes) {
                        Ok(rows) => {
                            report.warnings.push(format!(
                                "{file}: statements of {} PTB-XL ECGs; records named like 00001_lr show theirs (record-level labels, never used as beat labels)",
                                rows.len()
                            ));
                            self.ptbxl = rows.into_iter().map(|r| (r.ecg_id, r)).collect();
                        }
                        Err(e) => report.errors.push(FileError {
                            file: path.clone(),
                            message: e.to_string(),
                        }),
                    }
                } else if lower == "scp_statements.csv" {
                    match ptbxl::read_statements(bytes) {
                        Ok(rows) => self.scp_statements = rows,
                        Err(e) => report.errors.push(FileError {
                            file: path.clone(),
                            message: e.to_string(),
                        }),
                    }
                } else if csv::looks_like_kaggle(bytes) {
                    match csv::read_kaggle(bytes, &mut |_| {}) {
                        Ok(k) => self.add_beat_file(file, kaggle_beat_set(file, &k), path, report),
                        Err(e) => report.errors.push(FileError {
                            file: path.clone(),
                            message: e.to_string(),
                        }),
                    }
                } else {
                    match csv::read_plain(bytes) {
                        Ok(csv) => {
                            report.needs_rate.push(NeedsRate {
                                file: file.to_string(),
                                leads: csv.lead_names.clone(),
                                samples: csv.leads_mv.first().map_or(0, Vec::len),
                                suggested_fs_hz: csv.fs_hz_from_time,
                            });
                            self.pending_csv.retain(|p| p.file != file);
                            self.pending_csv.push(PendingCsv {
                                file: file.to_string(),
                                csv,
                            });
                        }
                        Err(e) => report.errors.push(FileError {
                            file: path.clone(),
                            message: format!(
                                "{e} (a plain CSV holds one numeric column per lead, with an optional header row)"
                            ),
                        }),
                    }
                }
            }
        }
    }

    /// Adds a beat file, unless its window layout differs from the beat files already loaded.
    fn add_beat_file(&mut self, file: &str, beats: BeatSet, path: &str, report: &mut LoadReport) {
        if let Some(other) = self.beat_files.iter().find(|b| b.name != file) {
            if other.beats.layout != beats.layout {
                let (a, b) = (beats.layout, other.beats.layout);
                report.errors.push(FileError {
                    file: path.to_string(),
                    message: format!(
                        "its beats are {} samples at {} Hz with the R peak at {}, but {} holds {} samples at {} Hz with the R peak at {}: beat files of different windows cannot be analysed together — remove the others first",
                        a.len, a.fs_hz, a.r_index, other.name, b.len, b.fs_hz, b.r_index
                    ),
                });
                return;
            }
        }
        self.cache = None;
        let replaced = self.beat_files.iter().any(|b| b.name == file);
        self.beat_files.retain(|b| b.name != file);
        self.beat_files.push(BeatFile {
            name: file.to_string(),
            beats,
        });
        if replaced {
            report.replaced.push(file.to_string());
        }
        report.loaded.push(file.to_string());
    }

    /// Reports signal files no header used.
    pub fn finish_load(&self, grouped: &Grouped, report: &mut LoadReport) {
        for dat in &grouped.signal_files {
            let (dir, file) = split_path(dat);
            let (stem, _) = split_ext(file);
            let has_header = grouped
                .units
                .iter()
                .any(|u| matches!(u, LoadUnit::Wfdb { header, .. } if split_path(header).0 == dir && split_ext(split_path(header).1).0 == stem));
            if !has_header && self.record(stem).is_none() {
                report.errors.push(FileError {
                    file: dat.clone(),
                    message: format!(
                        "signal file without its header: drop {stem}.hea together with {file}"
                    ),
                });
            }
        }
    }

    /// Plain CSVs waiting for a sampling rate.
    pub fn pending_csv(&self) -> &[PendingCsv] {
        &self.pending_csv
    }

    /// Turns the pending plain CSV `file` into a record sampled at `fs_hz`.
    pub fn resolve_csv(&mut self, file: &str, fs_hz: f64) -> Result<String, crate::Error> {
        let idx = self
            .pending_csv
            .iter()
            .position(|p| p.file == file)
            .ok_or_else(|| {
                crate::Error::Invalid(format!("no CSV file {file} is waiting for a sampling rate"))
            })?;
        let (stem, _) = split_ext(file);
        let csv = &self.pending_csv[idx].csv;
        let samples = csv.leads_mv.iter().map(|l| l.len() as u64).sum();
        if !self.has_room_for(stem, samples) {
            return Err(crate::Error::Invalid(held::over_budget(
                stem, samples, self,
            )));
        }
        let record = csv.clone().into_record(stem, fs_hz)?;
        self.pending_csv.remove(idx);
        let name = record.name.clone();
        self.add_record(record);
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use crate::dataset::demo::demo_records;
    use crate::io::files::{Grouped, InputFile};
    use crate::io::wfdb::write::write_record;
    use crate::workspace::Workspace;

    /// The files of the first demo record, written as WFDB (header, format-16 signal, `.atr`).
    fn record_files() -> (String, Vec<InputFile>) {
        let record = demo_records(42).swap_remove(0);
        let files = write_record(&record).expect("writes");
        let mut out = vec![
            InputFile {
                path: format!("db/{}", files.hea.0),
                bytes: files.hea.1,
            },
            InputFile {
                path: format!("db/{}", files.dat.0),
                bytes: files.dat.1,
            },
        ];
        let (name, bytes) = files.atr.expect("the demo record is annotated");
        out.push(InputFile {
            path: format!("db/{name}"),
            bytes,
        });
        (record.name, out)
    }

    #[test]
    fn a_broken_file_beside_a_record_is_reported_and_the_record_still_loads() {
        let (name, mut files) = record_files();
        files.push(InputFile {
            path: "db/broken.hea".into(),
            bytes: b"broken 2 360 nonsense\n".to_vec(),
        });
        let mut ws = Workspace::new();
        let report = ws.load_all(&Grouped::new(files));
        assert_eq!(report.loaded, vec![name.clone()]);
        assert!(ws.record(&name).is_some_and(|r| !r.annotations.is_empty()));
        let not_used = report.not_used();
        assert!(
            not_used
                .iter()
                .any(|(f, why)| f.contains("broken") && !why.is_empty()),
            "{not_used:?}"
        );
    }

    #[test]
    fn loading_again_replaces_and_a_failed_load_keeps_what_was_loaded() {
        let (name, files) = record_files();
        let mut ws = Workspace::new();
        ws.load_all(&Grouped::new(files.clone()));
        let beats = ws.record_counts().total();
        assert!(beats > 0);
        let again = ws.load_all(&Grouped::new(files));
        assert_eq!(again.replaced, vec![name.clone()]);
        assert_eq!(ws.records().len(), 1);
        // A truncated copy of the signal file under the same record name is refused, and the
        // record read before stays as it was.
        let (_, mut bad) = record_files();
        let dat = bad
            .iter_mut()
            .find(|f| f.path.ends_with(".dat"))
            .expect("dat");
        dat.bytes.truncate(7);
        let report = ws.load_all(&Grouped::new(bad));
        assert!(!report.errors.is_empty(), "{report:?}");
        assert_eq!(ws.records().len(), 1);
        assert_eq!(ws.record_counts().total(), beats);
    }

    #[test]
    fn a_record_past_the_sample_budget_is_refused_by_name_and_the_rest_stays() {
        let (first, files) = record_files();
        let mut ws = Workspace::new();
        ws.load_all(&Grouped::new(files));
        let held = ws.samples_held();
        let beats = ws.record_counts().total();
        // Room for one more sample than is held: the second demo record does not fit.
        ws.set_sample_budget(held + 1);
        let second = demo_records(42).swap_remove(1);
        let written = write_record(&second).expect("writes");
        let header_path = format!("db/{}", written.hea.0);
        let files = vec![
            InputFile {
                path: header_path.clone(),
                bytes: written.hea.1,
            },
            InputFile {
                path: format!("db/{}", written.dat.0),
                bytes: written.dat.1,
            },
        ];
        let report = ws.load_all(&Grouped::new(files.clone()));
        assert!(report.loaded.is_empty(), "{report:?}");
        assert_eq!(report.errors.len(), 1, "{report:?}");
        assert_eq!(report.errors[0].file, header_path);
        let message = &report.errors[0].message;
        assert!(
            message.contains(&format!("record {} was not loaded", second.name))
                && message.contains("budget")
                && message.contains("stays loaded"),
            "{message}"
        );
        assert_eq!(ws.records().len(), 1);
        assert_eq!(ws.records()[0].name, first);
        assert_eq!(ws.record_counts().total(), beats);
        assert_eq!(ws.samples_held(), held);
        // Reloading the record that is held fits: it replaces itself.
        let (_, again) = record_files();
        let report = ws.load_all(&Grouped::new(again));
        assert_eq!(report.replaced, vec![first]);
        // With room, the second record loads.
        ws.set_sample_budget(held + second.samples() as u64);
        let report = ws.load_all(&Grouped::new(files));
        assert_eq!(report.loaded, vec![second.name.clone()], "{report:?}");
        assert_eq!(ws.samples_held(), held + second.samples() as u64);
    }

    #[test]
    fn a_plain_csv_waits_for_its_rate_then_becomes_a_record() {
        let rows: String = (0..500)
            .map(|i| format!("{}\n", (f64::from(i) * 0.1).sin()))
            .collect();
        let mut ws = Workspace::new();
        let report = ws.load_all(&Grouped::new(vec![InputFile {
            path: "trace.csv".into(),
            bytes: rows.into_bytes(),
        }]));
        assert_eq!(report.needs_rate.len(), 1, "{report:?}");
        assert!(ws.records().is_empty());
        assert_eq!(ws.pending_csv().len(), 1);
        let name = ws.resolve_csv("trace.csv", 250.0).expect("resolves");
        let r = ws.record(&name).expect("added");
        assert_eq!(r.fs_hz, 250.0);
        assert!(ws.pending_csv().is_empty());
        assert!(ws.resolve_csv("trace.csv", 250.0).is_err());
    }
}
