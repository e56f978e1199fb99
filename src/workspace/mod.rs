//! What the user has loaded: records, beat files, and the beats cut from them.
//!
//! The page's worker and the CLI hold one [`Workspace`] each and feed it the same way: files are
//! grouped ([`crate::io::files::Grouped`]) and read one unit at a time, so the caller can report
//! progress and yield between units. A file that cannot be read produces a [`FileError`] naming
//! the file; it never removes anything loaded before.

mod cut;
mod held;
mod load;

pub use cut::BeatCutter;
pub use held::Held;
pub use load::{LoadReport, NeedsRate, PendingCsv};

use serde::{Deserialize, Serialize};

use crate::dataset::BeatSet;
use crate::dataset::split::{Side, inter_patient_side};
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::ecg::beats::{BeatLayout, N_RR, WindowSpec};
use crate::io::csv::{self, KAGGLE_FS_HZ, KAGGLE_SAMPLES};
use crate::io::ptbxl;
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
    /// Samples the records may hold in all; `None`: [`crate::io::limits::MAX_WORKSPACE_SAMPLES`].
    sample_budget: Option<u64>,
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

    /// Removes everything (the beat window and the sample budget stay).
    pub fn clear(&mut self) {
        *self = Workspace {
            window: self.window.clone(),
            sample_budget: self.sample_budget,
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

    /// The beats cut (or assembled) last, if they are still current.
    pub fn cached_beats(&self) -> Option<&BeatSet> {
        self.cache.as_ref().map(|(_, set)| set)
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
        let mut cutter = self.beat_cutter();
        while self.cut_next(&mut cutter).is_some() {}
        cutter.set
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
