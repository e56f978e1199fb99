//! What the user has loaded: records, beat files, and the beats cut from them.
//!
//! The page's worker and the CLI hold one [`Workspace`] each and feed it the same way: files are
//! grouped ([`crate::io::files::Grouped`]) and read one unit at a time, so the caller can report
//! progress and yield between units. A file that cannot be read produces a [`FileError`] naming
//! the file; it never removes anything loaded before.

use serde::{Deserialize, Serialize};

use crate::dataset::BeatSet;
use crate::dataset::split::{Side, inter_patient_side};
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::ecg::beats::{BeatLayout, LeadChoice, N_RR, Resampler, WindowSpec, segment_annotated};
use crate::io::csv::{self, KAGGLE_FS_HZ, KAGGLE_SAMPLES, PlainCsv};
use crate::io::files::{FileError, Grouped, LoadUnit, split_ext, split_path};
use crate::io::ptbxl;
use crate::io::wfdb;
use crate::record::{Record, RecordSource};

/// Beats read from a beat file: the Kaggle heartbeat CSV, or the project's own `.ecgbeats`.
#[derive(Debug, Clone)]
pub struct BeatFile {
    /// File name.
    pub name: String,
    /// The beats (record names as the file gives them; the file name for the Kaggle CSV).
    pub beats: BeatSet,
}

/// Kaggle beats as a beat set: 187 samples at 125 Hz from the R peak, no RR features.
pub fn kaggle_beat_set(name: &str, k: &csv::KaggleBeats) -> BeatSet {
    let mut set = BeatSet::new(BeatLayout {
        fs_hz: KAGGLE_FS_HZ,
        len: KAGGLE_SAMPLES,
        r_index: 0,
    });
    let id = set.record_index(name);
    let unknown_rr = [f32::NAN; N_RR];
    for (i, (w, &label)) in k
        .windows
        .chunks_exact(KAGGLE_SAMPLES)
        .zip(&k.labels)
        .enumerate()
    {
        set.push(
            w,
            &unknown_rr,
            label,
            id,
            i as u64,
            crate::dataset::Origin::Real,
        );
    }
    set
}

impl BeatFile {
    /// True when the file is a test file by its name (`mitbih_test.csv`).
    pub fn is_test_file(&self) -> bool {
        self.name.to_ascii_lowercase().contains("test")
    }
}

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

/// One row of the record list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Record name.
    pub name: String,
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// Duration, s.
    pub duration_s: f64,
    /// Lead names.
    pub leads: Vec<String>,
    /// Lead used for beats.
    pub beat_lead: String,
    /// Annotated beats per class.
    pub counts: ClassCounts,
    /// Side under the inter-patient split.
    pub side: Side,
    /// Where the record came from.
    pub source: RecordSource,
    /// Header comments.
    pub comments: Vec<String>,
    /// Record-level statements (PTB-XL SCP-ECG codes, Challenge SNOMED CT `Dx` codes).
    #[serde(default)]
    pub statements: Vec<Statement>,
}

/// One record-level statement: what a cardiologist (or a label set) says of the whole record —
/// never where its beats are or which class each has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// `SCP-ECG (PTB-XL)` or `SNOMED CT (Dx)`.
    pub system: String,
    /// The code as written.
    pub code: String,
    /// What it means, when the tables at hand say.
    pub description: Option<String>,
    /// PTB-XL likelihood, %, when one was given.
    pub likelihood_percent: Option<f64>,
    /// The class of beats it implies somewhere in the record.
    pub beats: Option<ptbxl::BeatHint>,
}

/// One row of the beat-file list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeatFileSummary {
    /// File name.
    pub name: String,
    /// Beats per class.
    pub counts: ClassCounts,
    /// True for a test file (by name).
    pub is_test: bool,
}

/// Which beats analyses run on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BeatSource {
    /// Windows cut from the loaded records.
    #[default]
    Records,
    /// The loaded beat files (Kaggle CSV): a different window layout, so never mixed.
    BeatFiles,
}

/// Everything loaded.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    records: Vec<Record>,
    beat_files: Vec<BeatFile>,
    pending_csv: Vec<PendingCsv>,
    window: WindowSpec,
    cache: Option<(BeatSource, BeatSet)>,
    demo: Option<u64>,
    /// PTB-XL's `ptbxl_database.csv`, by `ecg_id`, when one was dropped.
    ptbxl: std::collections::HashMap<u32, ptbxl::PtbxlRecord>,
    /// PTB-XL's `scp_statements.csv`, when one was dropped.
    scp_statements: Vec<ptbxl::ScpStatement>,
}

impl Workspace {
    /// An empty workspace with the default beat window.
    pub fn new() -> Self {
        Self::default()
    }

    /// The loaded records.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The record named `name`.
    pub fn record(&self, name: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.name == name)
    }

    /// The loaded beat files.
    pub fn beat_files(&self) -> &[BeatFile] {
        &self.beat_files
    }

    /// The beat window in use.
    pub fn window(&self) -> &WindowSpec {
        &self.window
    }

    /// Changes the beat window (beats are cut again on next use).
    pub fn set_window(&mut self, window: WindowSpec) -> Result<(), crate::Error> {
        window.validate()?;
        self.window = window;
        self.cache = None;
        Ok(())
    }

    /// Replaces everything with the built-in demo set ([`crate::dataset::demo`]): synthetic
    /// patients, never patient data, made with `seed`.
    pub fn load_demo(&mut self, seed: u64) {
        self.clear();
        self.records = crate::dataset::demo::demo_records(seed);
        self.demo = Some(seed);
    }

    /// The demo set's seed while the workspace holds only the demo set.
    pub fn demo(&self) -> Option<u64> {
        self.demo
    }

    /// Drops the demo set if it is what is loaded, so the user's own files never mix with
    /// synthetic patients; true if it was dropped.
    pub fn drop_demo(&mut self) -> bool {
        if self.demo.take().is_some() {
            self.clear();
            true
        } else {
            false
        }
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        *self = Workspace {
            window: self.window.clone(),
            ..Workspace::default()
        };
    }

    /// Removes one record or beat file by name; true if something was removed.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.records.len() + self.beat_files.len();
        self.records.retain(|r| r.name != name);
        self.beat_files.retain(|b| b.name != name);
        let removed = before != self.records.len() + self.beat_files.len();
        if removed {
            self.cache = None;
        }
        removed
    }

    /// Adds a record (replacing one of the same name); returns true when it replaced one.
    pub fn add_record(&mut self, record: Record) -> bool {
        self.cache = None;
        if let Some(slot) = self.records.iter_mut().find(|r| r.name == record.name) {
            *slot = record;
            true
        } else {
            self.records.push(record);
            false
        }
    }

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
        let record = self.pending_csv[idx].csv.clone().into_record(stem, fs_hz)?;
        self.pending_csv.remove(idx);
        let name = record.name.clone();
        self.add_record(record);
        Ok(name)
    }

    /// Rows of the record list.
    pub fn record_summaries(&self) -> Vec<RecordSummary> {
        self.records
            .iter()
            .map(|r| {
                let lead = self.window.lead.pick(r);
                RecordSummary {
                    name: r.name.clone(),
                    fs_hz: r.fs_hz,
                    duration_s: r.duration_s(),
                    leads: r.signals.iter().map(|s| s.name.clone()).collect(),
                    beat_lead: r
                        .signals
                        .get(lead)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    counts: ClassCounts::of_annotations(&r.annotations),
                    side: inter_patient_side(&r.name, 0, 0.5),
                    source: r.source,
                    comments: r.comments.clone(),
                    statements: self.statements_of(r),
                }
            })
            .collect()
    }

    /// Record-level statements of `r`: PTB-XL's (from a dropped `ptbxl_database.csv`, for a
    /// record named `NNNNN_lr` / `NNNNN_hr`), or the SNOMED CT `# Dx:` codes of a
    /// Challenge-style header (Chapman-Shaoxing, Georgia, …).
    pub fn statements_of(&self, r: &Record) -> Vec<Statement> {
        let ecg_id = r
            .name
            .strip_suffix("_lr")
            .or_else(|| r.name.strip_suffix("_hr"))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(row) = ecg_id.and_then(|id| self.ptbxl.get(&id)) {
            return row
                .statements(&self.scp_statements)
                .into_iter()
                .map(|s| Statement {
                    system: "SCP-ECG (PTB-XL)".into(),
                    code: s.code.code.clone(),
                    description: s.statement.map(|t| t.description.clone()),
                    likelihood_percent: Some(s.code.likelihood_percent).filter(|l| *l > 0.0),
                    beats: s.beats,
                })
                .collect();
        }
        match ptbxl::parse_challenge_comments(&r.comments) {
            Ok(labels) => labels
                .dx_snomed
                .iter()
                .map(|&code| {
                    let known = ptbxl::snomed_beat_code(code);
                    Statement {
                        system: "SNOMED CT (Dx)".into(),
                        code: code.to_string(),
                        description: known
                            .map(|k| format!("{} ({})", k.description, k.abbreviation)),
                        likelihood_percent: None,
                        beats: known.map(|k| k.beats),
                    }
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Rows of the beat-file list.
    pub fn beat_file_summaries(&self) -> Vec<BeatFileSummary> {
        self.beat_files
            .iter()
            .map(|b| {
                let mut counts = ClassCounts::default();
                b.beats.labels.iter().for_each(|&c| counts.add(c));
                BeatFileSummary {
                    name: b.name.clone(),
                    counts,
                    is_test: b.is_test_file(),
                }
            })
            .collect()
    }

    /// Annotated beats per class over all records.
    pub fn record_counts(&self) -> ClassCounts {
        self.records
            .iter()
            .map(|r| ClassCounts::of_annotations(&r.annotations))
            .fold(ClassCounts::default(), |a, b| a.merged(&b))
    }

    /// The source analyses use by default: records when there are any, else beat files.
    pub fn default_source(&self) -> BeatSource {
        if self.records.is_empty() && !self.beat_files.is_empty() {
            BeatSource::BeatFiles
        } else {
            BeatSource::Records
        }
    }

    /// The beats of `source`, cut (or assembled) on first use and cached.
    pub fn beats(&mut self, source: BeatSource) -> &BeatSet {
        let fresh = matches!(&self.cache, Some((s, _)) if *s == source);
        if !fresh {
            let set = match source {
                BeatSource::Records => self.cut_record_beats(),
                BeatSource::BeatFiles => self.assemble_beat_files(),
            };
            self.cache = Some((source, set));
        }
        match &self.cache {
            Some((_, set)) => set,
            None => unreachable!("cache filled above"),
        }
    }

    /// The split that `split` means for `source`. Beat files carry no patient identity, so a
    /// by-patient split of them is impossible: they are split as their files say (a file named
    /// like `mitbih_test.csv` is the test side), or, with no test file, by a seeded random beat
    /// split with 20 % test — both optimistic, and labelled so.
    pub fn effective_split(
        &self,
        source: BeatSource,
        split: crate::dataset::split::SplitKind,
    ) -> crate::dataset::split::SplitKind {
        use crate::dataset::split::SplitKind;
        match (source, split) {
            (BeatSource::BeatFiles, SplitKind::InterPatient { seed, .. }) => {
                if self.beat_files.iter().any(BeatFile::is_test_file)
                    && self.beat_files.iter().any(|b| !b.is_test_file())
                {
                    SplitKind::Given
                } else {
                    SplitKind::RandomBeats {
                        seed,
                        test_fraction: 0.2,
                    }
                }
            }
            (_, s) => s,
        }
    }

    /// For beat files: which beats come from a test file (for [`crate::dataset::split::SplitKind::Given`]).
    pub fn beat_file_test_mask(&self) -> Vec<bool> {
        self.beat_files
            .iter()
            .flat_map(|b| std::iter::repeat_n(b.is_test_file(), b.beats.labels.len()))
            .collect()
    }

    fn cut_record_beats(&self) -> BeatSet {
        let layout = self.window.layout();
        let mut set = BeatSet::new(layout);
        let mut resamplers: Vec<(f64, Resampler)> = Vec::new();
        for r in &self.records {
            let rs = match resamplers.iter().position(|(fs, _)| *fs == r.fs_hz) {
                Some(i) => &resamplers[i].1,
                None => {
                    resamplers.push((r.fs_hz, Resampler::new(r.fs_hz, layout)));
                    &resamplers[resamplers.len() - 1].1
                }
            };
            let lead = self.window.lead.pick(r);
            let beats = segment_annotated(r, lead, LeadChoice::pick_second(r, lead), rs);
            set.extend_record(&r.name, &beats);
        }
        set
    }

    fn assemble_beat_files(&self) -> BeatSet {
        let layout = self
            .beat_files
            .first()
            .map_or_else(BeatLayout::default, |b| b.beats.layout);
        let mut set = BeatSet::new(layout);
        for b in &self.beat_files {
            let offset = set.len() as u32;
            let ids: Vec<u32> = b
                .beats
                .records
                .iter()
                .map(|r| set.record_index(r))
                .collect();
            for i in 0..b.beats.len() {
                let origin = match b.beats.origin[i] {
                    crate::dataset::Origin::Augmented { source } => {
                        crate::dataset::Origin::Augmented {
                            source: source + offset,
                        }
                    }
                    o => o,
                };
                set.push(
                    b.beats.window(i),
                    b.beats.rr_of(i),
                    b.beats.labels[i],
                    ids.get(b.beats.record_id[i] as usize).copied().unwrap_or(0),
                    b.beats.r_sample[i],
                    origin,
                );
            }
        }
        set
    }

    /// Counts per class of the beats of `source`.
    pub fn counts(&mut self, source: BeatSource) -> ClassCounts {
        match source {
            BeatSource::Records => self.record_counts(),
            BeatSource::BeatFiles => {
                let mut c = ClassCounts::default();
                for b in &self.beat_files {
                    b.beats.labels.iter().for_each(|&l| c.add(l));
                }
                c
            }
        }
    }
}

/// Classes in display order, re-exported for views.
pub const CLASSES: [AamiClass; 5] = AamiClass::ALL;
