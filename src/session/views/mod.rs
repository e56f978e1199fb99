//! The views the session sends the page, and the functions that build them from the workspace.
//!
//! A view is plain data: every figure the page shows is computed here (or by a method of a core
//! type), never in the page.

pub mod adapt;
pub mod run;

pub use run::{Misclassified, RecordClassScore, RecordRow, RunReport, TrainProgress};

use serde::{Deserialize, Serialize};

use crate::classify::{BeatLabelling, BeatPositions, ReferenceComparison};
use crate::dataset::split::{Side, Split, SplitKind};
use crate::dataset::stats::Distribution;
use crate::dataset::synthetic::plan::SynthTrainConfig;
use crate::dataset::{BeatLayout, BeatSet};
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::ecg::beats::WindowSpec;
use crate::rng::Rng;
use crate::workspace::{BeatFileSummary, BeatSource, Held, NeedsRate, RecordSummary, Workspace};

/// Progress of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Which job.
    pub job: String,
    /// Work done, in `unit`s.
    pub done: f64,
    /// Total work, in `unit`s.
    pub total: f64,
    /// What is being done now.
    pub label: String,
}

impl Progress {
    /// Share done, in percent (0 to 100; 0 while the total is unknown).
    pub fn percent(&self) -> f64 {
        if self.total > 0.0 {
            (100.0 * self.done / self.total).clamp(0.0, 100.0)
        } else {
            0.0
        }
    }
}

/// A beat and its augmented copies, for the overlay plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentPreview {
    /// Window layout.
    pub layout: BeatLayout,
    /// The class.
    pub class: AamiClass,
    /// Record the beat comes from.
    pub record: String,
    /// The real beat, mV.
    pub original: Vec<f32>,
    /// Per technique: its name, what it does, and the copies.
    pub techniques: Vec<PreviewTechnique>,
}

/// The copies of one technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewTechnique {
    /// Short name (`noise`, `warp`, …).
    pub name: String,
    /// Label for people.
    pub label: String,
    /// Each copy, with the parameters drawn.
    pub draws: Vec<(String, Vec<f32>)>,
}

/// Timing of a load, measured by the session's clock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadTiming {
    /// Bytes read.
    pub bytes: usize,
    /// Records read.
    pub records: usize,
    /// Beats cut.
    pub beats: usize,
    /// Expanding archives and grouping files, ms.
    pub group_ms: f64,
    /// Parsing headers, signals and annotations, ms.
    pub read_ms: f64,
    /// Cutting beat windows and RR features of all loaded records, ms.
    pub segment_ms: f64,
}

/// Everything loaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceView {
    /// The records.
    pub records: Vec<RecordSummary>,
    /// The beat files.
    pub beat_files: Vec<BeatFileSummary>,
    /// Plain CSVs waiting for a sampling rate.
    pub pending_csv: Vec<NeedsRate>,
    /// Beats per class over all records.
    pub record_counts: ClassCounts,
    /// The demo set's seed while the built-in synthetic demo set is what is loaded.
    #[serde(default)]
    pub demo: Option<u64>,
    /// The beat window.
    pub window: WindowSpec,
    /// Its layout.
    pub layout: BeatLayout,
    /// What the workspace holds in memory, and its sample budget.
    #[serde(default)]
    pub held: Held,
}

/// One distribution table with its title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedDistribution {
    /// Title (`All beats`, `Training (DS1)`, …).
    pub title: String,
    /// Records on this side.
    pub records: Vec<String>,
    /// The table.
    pub table: Distribution,
}

/// The distribution overall and per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionView {
    /// The source the tables count.
    pub source: BeatSource,
    /// The split.
    pub split: SplitKind,
    /// Description of the split.
    pub split_text: String,
    /// True when the split is optimistic.
    pub optimistic: bool,
    /// All beats.
    pub all: NamedDistribution,
    /// Training side.
    pub train: NamedDistribution,
    /// Test side.
    pub test: NamedDistribution,
    /// Beats left out (paced records), per class.
    pub excluded: ClassCounts,
}

/// A beat mark in a record view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeatMark {
    /// Time from the record start, s.
    pub t_s: f64,
    /// Annotation symbol.
    pub symbol: String,
    /// AAMI class, if the annotation is a beat.
    pub class: Option<AamiClass>,
}

/// One lead of a record view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadTrace {
    /// Lead name.
    pub name: String,
    /// Units.
    pub units: String,
    /// Values: one per point, or (min, max) pairs when `envelope`.
    pub values: Vec<f32>,
}

/// A stretch of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordView {
    /// Record name.
    pub name: String,
    /// Start, s.
    pub start_s: f64,
    /// Length, s.
    pub duration_s: f64,
    /// Record length, s.
    pub record_duration_s: f64,
    /// Seconds between points.
    pub dt_s: f64,
    /// True when values are (min, max) pairs per point.
    pub envelope: bool,
    /// Leads.
    pub leads: Vec<LeadTrace>,
    /// Beat and other annotations in the stretch.
    pub marks: Vec<BeatMark>,
    /// Beats the detector found (classified when a model was used) in the stretch.
    #[serde(default)]
    pub found: Vec<BeatMark>,
    /// Run whose model classified the found beats.
    #[serde(default)]
    pub found_run: Option<u32>,
}

/// Example beats of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GalleryClass {
    /// The class.
    pub class: AamiClass,
    /// Beats of this class in the source.
    pub available: usize,
    /// Windows, `layout.len` values each.
    pub beats: Vec<Vec<f32>>,
    /// Record of each beat.
    pub records: Vec<String>,
}

/// Example beats per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GalleryView {
    /// Window layout.
    pub layout: BeatLayout,
    /// Per class.
    pub classes: Vec<GalleryClass>,
}

/// One class of the quality report, as the page shows it (`None` where a figure cannot be
/// computed, e.g. a class with a single real beat has no real→real distance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthClassView {
    /// The class.
    pub class: AamiClass,
    /// Synthetic beats made.
    pub n_synthetic: usize,
    /// Real beats of the class on the training side.
    pub n_real: usize,
    /// Median correlation of synthetic beats with the real class-mean beat.
    pub corr_median: Option<f64>,
    /// Its 25th percentile.
    pub corr_q25: Option<f64>,
    /// Its 75th percentile.
    pub corr_q75: Option<f64>,
    /// Median correlation of real beats with their class mean.
    pub real_corr_median: Option<f64>,
    /// Median nearest-neighbour RMS distance synthetic → real, mV.
    pub nn_synthetic_to_real_mv: Option<f64>,
    /// Median nearest-neighbour RMS distance real → real, mV.
    pub nn_real_to_real_mv: Option<f64>,
    /// Train-on-synthetic / test-on-real sensitivity on the real beats of the class.
    pub tstr_sensitivity: Option<f64>,
    /// Real beats the sensitivity is measured on.
    pub tstr_support: usize,
    /// The real class-mean beat (empty without real beats).
    pub real_mean: Vec<f32>,
    /// Some synthetic beats of the class.
    pub examples: Vec<Vec<f32>>,
    /// In fitted mode: true when the fit replaced the built-in table for this class.
    pub fitted: Option<bool>,
}

/// What a generation produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthView {
    /// The plan.
    pub config: SynthTrainConfig,
    /// Window layout.
    pub layout: BeatLayout,
    /// Synthetic beats per class.
    pub counts: ClassCounts,
    /// Generation time, ms (the session's clock).
    pub generate_ms: f64,
    /// Synthetic beats per second of generation.
    pub beats_per_second: f64,
    /// Quality report time (including the train-on-synthetic check), ms.
    pub quality_ms: f64,
    /// Per class of the plan.
    pub classes: Vec<SynthClassView>,
    /// Train-on-synthetic / test-on-real macro-F1 over the classes scored.
    pub tstr_macro_f1: Option<f64>,
    /// How the train-on-synthetic check was done.
    pub tstr_method: String,
    /// True when the generation was cancelled (nothing is kept).
    pub cancelled: bool,
}

/// What the page shows of a labelling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifiedView {
    /// Record name.
    pub record: String,
    /// Lead used, 0-based, and its name.
    pub lead: usize,
    /// Name of that lead.
    pub lead_name: String,
    /// Where the beat positions come from.
    pub positions: BeatPositions,
    /// The run whose model classified the beats (`None`: detection only).
    pub run: Option<u32>,
    /// Beats found.
    pub beats: usize,
    /// Beats per predicted class.
    pub counts: ClassCounts,
    /// Mean heart rate, bpm.
    pub mean_hr_bpm: Option<f64>,
    /// Agreement with the record's own beat annotations, when it has any.
    pub reference: Option<ReferenceComparison>,
    /// Time to find the beats, ms.
    pub detect_ms: f64,
    /// Time to classify them, ms.
    pub classify_ms: f64,
    /// Record length, s.
    pub duration_s: f64,
    /// Name the exported annotation file gets ([`super::classify::export_name`]).
    pub export_name: String,
}

/// The training side of `split` (as the page's split means it for the loaded data).
pub fn training_side(ws: &mut Workspace, split: SplitKind) -> BeatSet {
    let source = ws.default_source();
    let split = ws.effective_split(source, split);
    let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
    let beats = ws.beats(source);
    beats.subset(&Split::new(beats, split, mask.as_deref()).train)
}

/// The view of everything loaded in `ws`.
pub fn workspace_view(ws: &Workspace) -> WorkspaceView {
    WorkspaceView {
        records: ws.record_summaries(),
        beat_files: ws.beat_file_summaries(),
        pending_csv: ws
            .pending_csv()
            .iter()
            .map(|p| NeedsRate {
                file: p.file.clone(),
                leads: p.csv.lead_names.clone(),
                samples: p.csv.leads_mv.first().map_or(0, Vec::len),
                suggested_fs_hz: p.csv.fs_hz_from_time,
            })
            .collect(),
        record_counts: ws.record_counts(),
        demo: ws.demo(),
        window: ws.window().clone(),
        layout: ws.window().layout(),
        held: ws.held(),
    }
}

/// The distribution tables for `source` under `split`.
pub fn distribution_view(
    ws: &mut Workspace,
    source: BeatSource,
    split: SplitKind,
) -> DistributionView {
    let split = ws.effective_split(source, split);
    let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
    let beats = ws.beats(source);
    let sp = Split::new(beats, split, mask.as_deref());
    let names = |ids: Vec<u32>| -> Vec<String> {
        ids.into_iter()
            .filter_map(|i| beats.records.get(i as usize).cloned())
            .collect()
    };
    let (train_title, test_title) = match (source, split) {
        (BeatSource::Records, SplitKind::InterPatient { .. }) => {
            ("Training (DS1)".to_string(), "Test (DS2)".to_string())
        }
        _ => ("Training".to_string(), "Test".to_string()),
    };
    let all_ids: Vec<u32> = (0..beats.records.len() as u32).collect();
    DistributionView {
        source,
        split,
        split_text: split.describe_for(beats),
        optimistic: split.is_optimistic(),
        all: NamedDistribution {
            title: "All beats".into(),
            records: names(all_ids),
            table: Distribution::new(&beats.class_counts()),
        },
        train: NamedDistribution {
            title: train_title,
            records: names(sp.train_records(beats)),
            table: Distribution::new(&beats.class_counts_of(&sp.train)),
        },
        test: NamedDistribution {
            title: test_title,
            records: names(sp.test_records(beats)),
            table: Distribution::new(&beats.class_counts_of(&sp.test)),
        },
        excluded: beats.class_counts_of(&sp.excluded),
    }
}

/// A stretch of record `name`, with the beats of its labelling `found` (and the run that
/// classified them) if it has one.
pub fn record_view(
    ws: &Workspace,
    name: &str,
    start_s: f64,
    duration_s: f64,
    max_points: usize,
    found: Option<(&BeatLabelling, Option<u32>)>,
) -> Option<RecordView> {
    let r = ws.record(name)?;
    let n = r.sig_len();
    let fs = r.fs_hz.max(1e-9);
    let total_s = n as f64 / fs;
    let duration_s = duration_s.clamp(0.1, total_s.max(0.1));
    let start_s = start_s.clamp(0.0, (total_s - duration_s).max(0.0));
    let a = ((start_s * fs).floor() as usize).min(n);
    let b = (((start_s + duration_s) * fs).ceil() as usize).min(n);
    let count = b.saturating_sub(a);
    let max_points = max_points.clamp(16, 20_000);
    let envelope = count > max_points;
    let step = if envelope {
        count.div_ceil(max_points)
    } else {
        1
    };
    let leads = r
        .signals
        .iter()
        .map(|s| {
            let values = if envelope {
                (a..b)
                    .step_by(step)
                    .flat_map(|i| {
                        let end = (i + step).min(b);
                        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
                        for j in i..end {
                            let v = s.physical(j);
                            if v.is_finite() {
                                lo = lo.min(v);
                                hi = hi.max(v);
                            }
                        }
                        if lo > hi { [0.0, 0.0] } else { [lo, hi] }
                    })
                    .collect()
            } else {
                (a..b)
                    .map(|i| s.physical(i))
                    .map(|v| if v.is_finite() { v } else { 0.0 })
                    .collect()
            };
            LeadTrace {
                name: s.name.clone(),
                units: s.units.clone(),
                values,
            }
        })
        .collect();
    let marks = r
        .annotations
        .iter()
        .filter(|x| (a as u64..b as u64).contains(&x.sample))
        .map(|x| BeatMark {
            t_s: x.sample as f64 / fs,
            symbol: x.symbol().to_string(),
            class: crate::ecg::aami::class_of_code(x.code),
        })
        .collect();
    Some(RecordView {
        name: name.to_string(),
        start_s: a as f64 / fs,
        duration_s: count as f64 / fs,
        record_duration_s: total_s,
        dt_s: step as f64 / fs,
        envelope,
        leads,
        marks,
        found: found.map(|(l, _)| found_marks(l, a, b)).unwrap_or_default(),
        found_run: found.and_then(|(_, run)| run),
    })
}

/// Up to `per_class` example beats of each class, drawn with `seed`.
pub fn gallery(
    ws: &mut Workspace,
    source: BeatSource,
    per_class: usize,
    seed: u64,
    record: Option<&str>,
) -> GalleryView {
    let beats = ws.beats(source);
    let record_id = record.and_then(|r| beats.records.iter().position(|x| x == r));
    let mut rng = Rng::new(seed);
    let classes = AamiClass::ALL
        .into_iter()
        .map(|class| {
            let mut idx: Vec<u32> = beats
                .indices_of_class(class)
                .into_iter()
                .filter(|&i| record_id.is_none_or(|r| beats.record_id[i as usize] as usize == r))
                .collect();
            let available = idx.len();
            rng.shuffle(&mut idx);
            idx.truncate(per_class);
            GalleryClass {
                class,
                available,
                beats: idx
                    .iter()
                    .map(|&i| beats.window(i as usize).to_vec())
                    .collect(),
                records: idx
                    .iter()
                    .map(|&i| beats.record_of(i as usize).to_string())
                    .collect(),
            }
        })
        .collect();
    GalleryView {
        layout: beats.layout,
        classes,
    }
}

/// Marks of the labelled beats between samples `a` and `b`, for the strip.
pub fn found_marks(l: &BeatLabelling, a: usize, b: usize) -> Vec<BeatMark> {
    let from = l.r_samples.partition_point(|&r| r < a as u64);
    l.r_samples[from..]
        .iter()
        .enumerate()
        .take_while(|(_, r)| **r < b as u64)
        .map(|(k, &r)| {
            let class = l.classes.as_ref().and_then(|c| c.get(from + k).copied());
            BeatMark {
                t_s: r as f64 / l.fs_hz.max(1e-9),
                symbol: class.map_or("•", |c| c.code()).to_string(),
                class,
            }
        })
        .collect()
}

/// A real training beat of `class` on the training side of `split` (picked with `seed`) and
/// `per_technique` augmented copies of it per technique (at most 16).
pub fn augment_preview(
    ws: &mut Workspace,
    class: AamiClass,
    per_technique: usize,
    seed: u64,
    split: SplitKind,
) -> Result<AugmentPreview, crate::Error> {
    use crate::dataset::augment::{Technique, TechniqueRanges, preview};
    let train = training_side(ws, split);
    let idx = train.indices_of_class(class);
    if idx.is_empty() {
        return Err(crate::Error::Invalid(format!(
            "the training side has no {} beat to preview",
            class.name()
        )));
    }
    let pick = idx[Rng::new(seed).below(idx.len())] as usize;
    let original = train.window(pick).to_vec();
    let l = train.layout;
    let techniques = preview(
        &original,
        l.fs_hz,
        l.r_index,
        &Technique::ALL,
        &TechniqueRanges::default(),
        per_technique.min(16),
        seed,
    )?;
    Ok(AugmentPreview {
        layout: l,
        class,
        record: train.record_of(pick).to_string(),
        original,
        techniques: techniques
            .into_iter()
            .map(|t| PreviewTechnique {
                name: t.technique.name().to_string(),
                label: t.technique.label().to_string(),
                draws: t
                    .draws
                    .into_iter()
                    .map(|d| (d.augmentation.to_string(), d.window_mv))
                    .collect(),
            })
            .collect(),
    })
}

/// Side names for views.
pub fn side_text(side: Side) -> &'static str {
    match side {
        Side::Train => "DS1 (train)",
        Side::Test => "DS2 (test)",
        Side::Excluded => "excluded (paced)",
    }
}
