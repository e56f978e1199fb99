//! The page's state machine, pure and testable natively: requests in, responses out.
//!
//! The Web Worker owns one [`Session`]; the Leptos page sends it [`Request`]s and renders the
//! [`Response`]s. Long work (reading files, training, augmenting) runs as a [`Job`] that
//! advances in small steps: the worker calls [`Session::run_for`] with a time budget, posts what
//! came out, yields to its event loop (so a `Cancel` can arrive) and calls again. Native tests
//! drive a session exactly the same way, with no browser.
//!
//! Time comes from a clock the caller provides (`now_ms`): `std::time::Instant` does not exist
//! on `wasm32-unknown-unknown`.

pub mod classify;
pub mod fetch;
pub mod synth;
pub mod train;

use serde::{Deserialize, Serialize};

use crate::dataset::split::{Side, Split, SplitKind};
use crate::dataset::stats::Distribution;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::ecg::beats::{BeatLayout, WindowSpec};
use crate::io::files::{Grouped, Grouper, InputFile, LoadUnit};
use crate::rng::Rng;
use crate::workspace::{
    BeatFileSummary, BeatSource, LoadReport, NeedsRate, RecordSummary, Workspace,
};

/// What the page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    /// Read files; their bytes travel beside the request, in the same order as `paths`.
    LoadFiles {
        /// Path of each file (relative path when a folder was dropped).
        paths: Vec<String>,
    },
    /// Give a plain CSV its sampling rate.
    SetCsvRate {
        /// File name.
        file: String,
        /// Sampling rate, Hz.
        fs_hz: f64,
    },
    /// Remove one record or beat file.
    Remove {
        /// Name.
        name: String,
    },
    /// Remove everything.
    Clear,
    /// Replace everything with the built-in synthetic demo set.
    LoadDemo {
        /// Seed of the demo set.
        seed: u64,
    },
    /// Change the beat window.
    SetWindow {
        /// The new window.
        window: WindowSpec,
    },
    /// The class distribution, overall and per side of `split`.
    Distribution {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// How to split.
        split: SplitKind,
    },
    /// A stretch of one record's signal with its beat marks.
    RecordView {
        /// Record name.
        name: String,
        /// Start, s.
        start_s: f64,
        /// Length, s.
        duration_s: f64,
        /// Most points to send per lead (longer stretches are reduced to min/max pairs).
        max_points: usize,
    },
    /// Example beats per class.
    Gallery {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// Beats per class.
        per_class: usize,
        /// Seed of the draw.
        seed: u64,
        /// Only beats of this record, if given.
        record: Option<String>,
    },
    /// Train a classifier (in steps; progress and the result come back as they happen).
    Train {
        /// Records or beat files.
        source: Option<BeatSource>,
        /// The settings.
        config: crate::training::TrainConfig,
    },
    /// A finished run's metrics as a file.
    ExportRun {
        /// Run number.
        id: u32,
        /// `json` or `csv`.
        format: String,
    },
    /// A finished run's model as a file.
    ExportModel {
        /// Run number.
        id: u32,
    },
    /// Load a model file (its bytes travel beside the request) and score it on the current
    /// test split.
    ImportModel {
        /// File name.
        name: String,
        /// Split to score it on.
        split: SplitKind,
    },
    /// The targets a plan gives on the training side of `split`.
    AugmentPlan {
        /// The plan.
        plan: crate::dataset::rebalance::Plan,
        /// The split whose training side is rebalanced.
        split: SplitKind,
    },
    /// A real training beat of `class` and `per_technique` augmentations of it per technique.
    AugmentPreview {
        /// The class.
        class: AamiClass,
        /// Augmented copies per technique.
        per_technique: usize,
        /// Seed (picks the beat and the draws).
        seed: u64,
        /// The split whose training side the beat comes from.
        split: SplitKind,
    },
    /// Generate the rebalanced training set of `split`.
    Rebalance {
        /// The split whose training side is rebalanced.
        split: SplitKind,
        /// Plan, techniques and seed.
        config: crate::dataset::rebalance::RebalanceConfig,
    },
    /// The last rebalanced training set as a file: `csv` (Kaggle layout) or `ecgbeats`.
    ExportRebalanced {
        /// `csv` or `ecgbeats`.
        format: String,
    },
    /// Forget a run.
    RemoveRun {
        /// Run number.
        id: u32,
    },
    /// Rebuild a record from LightWAVE answers (their bytes travel beside the request, in the
    /// order of `parts`) and send it back as WFDB files ([`Response::Assembled`]); the page then
    /// loads those files like dropped ones.
    AssembleLightwave {
        /// The page's name for the result (its cache key), sent back unchanged.
        key: String,
        /// The annotator whose annotations the record takes (`atr`).
        annotator: String,
        /// What each buffer holds.
        parts: Vec<fetch::LightwavePart>,
    },
    /// Figures identifying a loaded record's samples and annotations.
    Fingerprint {
        /// Record name.
        name: String,
    },
    /// Generate synthetic beats from the training side of `split`, with their quality report
    /// (kept for training runs that add them).
    Synthesize {
        /// The split whose training side they are made from.
        split: SplitKind,
        /// Counts, mode and seed.
        config: crate::dataset::synthetic::plan::SynthTrainConfig,
    },
    /// Find the beats of a record (or take its annotated ones) and classify them with a kept
    /// run's model ([`Response::Classified`]); the strip then shows them.
    Classify {
        /// Record name.
        name: String,
        /// Lead, 0-based; the beat lead (MLII, II, … else the first) when `None`.
        lead: Option<usize>,
        /// Detected (with a method) or annotated positions.
        positions: crate::classify::BeatPositions,
        /// Run whose model classifies; detection only when `None`.
        run: Option<u32>,
    },
    /// The last labelling of a record as a WFDB annotation file.
    ExportLabels {
        /// Record name.
        name: String,
    },
    /// Stop the running job, keeping what it has done.
    Cancel,
}

/// What the session answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Response {
    /// The worker is up.
    Ready,
    /// Progress of the running job.
    Progress(Progress),
    /// Everything loaded, after any change.
    Workspace(WorkspaceView),
    /// The outcome of a load.
    Loaded {
        /// What happened to each file.
        report: LoadReport,
        /// How long it took.
        timing: LoadTiming,
        /// True when the load was cancelled part-way.
        cancelled: bool,
    },
    /// The distribution tables.
    Distribution(DistributionView),
    /// A stretch of signal.
    RecordView(RecordView),
    /// Example beats.
    Gallery(GalleryView),
    /// Live figures of a training run.
    TrainProgress(train::TrainProgress),
    /// A finished (or cancelled) run.
    TrainResult(Box<train::RunReport>),
    /// The runs kept in the session, after any change.
    Runs {
        /// Their reports, oldest first.
        runs: Vec<train::RunReport>,
    },
    /// A file for the user to save. Its bytes travel beside the JSON (transferred, not copied,
    /// in the page), so they are not serialised.
    Export {
        /// Suggested file name.
        file_name: String,
        /// MIME type.
        mime: String,
        /// Contents.
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// The plan's targets for the training side of a split, before any work.
    AugmentPlan(crate::dataset::rebalance::RebalanceReport),
    /// One real training beat and augmented copies of it, per technique.
    AugmentPreview(AugmentPreview),
    /// A rebalanced training set was generated (kept in the worker for export and training).
    Rebalanced {
        /// What was done.
        report: crate::dataset::rebalance::RebalanceReport,
        /// Time it took, ms.
        ms: f64,
        /// Beats in the new training set.
        beats: usize,
    },
    /// A record rebuilt from LightWAVE answers, as WFDB files whose bytes travel beside the
    /// JSON (transferred, in `paths` order); or why it could not be.
    Assembled {
        /// The request's `key`.
        key: String,
        /// Record name.
        name: String,
        /// File names (`NAME.hea`, `NAME.dat`, `NAME.atr`); empty on failure.
        paths: Vec<String>,
        /// Why the record could not be rebuilt (or `cancelled`).
        error: Option<String>,
        /// Contents, in `paths` order.
        #[serde(skip)]
        files: Vec<Vec<u8>>,
    },
    /// Figures identifying a loaded record.
    Fingerprint(crate::io::remote::RecordFingerprint),
    /// Synthetic beats were generated: gallery, quality report, speed.
    Synthesized(Box<synth::SynthView>),
    /// Beats found and classified in a record.
    Classified(classify::ClassifiedView),
    /// A job was cancelled and kept nothing; nothing loaded was lost.
    Cancelled {
        /// What was stopped.
        message: String,
    },
    /// A request was refused because a job is running (the job goes on).
    Busy {
        /// What to do.
        message: String,
    },
    /// A request failed; nothing loaded was lost.
    Error {
        /// What went wrong.
        message: String,
    },
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

/// A long job that advances in steps.
pub trait Job {
    /// Name shown in progress.
    fn name(&self) -> &str;
    /// Does a bounded piece of work; returns true when finished.
    fn step(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool;
    /// Asks the job to stop, keeping what it has done; returns true when it is over (false when
    /// it still has a few steps to wrap up, e.g. scoring the best model so far).
    fn cancel(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool;
    /// A trained model the job produced, handed to the session once.
    fn take_trained(&mut self) -> Option<(train::RunReport, crate::training::TrainedModel)> {
        None
    }
    /// A synthetic set the job produced, handed to the session once.
    fn take_synthetic(&mut self) -> Option<synth::Generated> {
        None
    }
}

/// The worker's state.
#[derive(Default)]
pub struct Session {
    /// Everything loaded.
    pub workspace: Workspace,
    job: Option<Box<dyn Job>>,
    runs: Vec<(train::RunReport, crate::training::TrainedModel)>,
    next_run: u32,
    rebalanced: Option<crate::dataset::BeatSet>,
    synthetic: Option<synth::Generated>,
    labellings: classify::Labellings,
}

impl Session {
    /// A fresh session.
    pub fn new() -> Self {
        Self::default()
    }

    /// True while a job is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The view of everything loaded.
    pub fn workspace_view(&self) -> WorkspaceView {
        workspace_view(&self.workspace)
    }

    /// Handles a request. `files` carries the bytes of a [`Request::LoadFiles`].
    pub fn handle(
        &mut self,
        request: Request,
        files: Vec<Vec<u8>>,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) {
        if let Request::Cancel = request {
            if let Some(job) = self.job.as_mut() {
                if job.cancel(&mut self.workspace, now_ms, out) {
                    self.end_job(out);
                }
            }
            return;
        }
        if self.job.is_some() {
            out(Response::Busy {
                message: "busy: wait for the running job to finish or cancel it".to_string(),
            });
            return;
        }
        match request {
            Request::Cancel => {}
            Request::LoadFiles { paths } => {
                if paths.len() != files.len() {
                    out(Response::Error {
                        message: format!(
                            "{} file names but {} files arrived",
                            paths.len(),
                            files.len()
                        ),
                    });
                    return;
                }
                let inputs = paths
                    .into_iter()
                    .zip(files)
                    .map(|(path, bytes)| InputFile { path, bytes })
                    .collect();
                // The user's own files replace the demo set rather than mix with it.
                if self.workspace.drop_demo() {
                    out(Response::Workspace(self.workspace_view()));
                }
                self.job = Some(Box::new(LoadJob::new(inputs)));
            }
            Request::AssembleLightwave {
                key,
                annotator,
                parts,
            } => match fetch::AssembleJob::new(key, annotator, parts, files) {
                Ok(job) => self.job = Some(Box::new(job)),
                Err(message) => out(Response::Error { message }),
            },
            Request::Synthesize { split, config } => {
                match synth::SynthJob::new(&mut self.workspace, split, config, now_ms()) {
                    Ok(job) => self.job = Some(Box::new(job)),
                    Err(e) => out(Response::Error {
                        message: e.to_string(),
                    }),
                }
            }
            Request::Classify {
                name,
                lead,
                positions,
                run,
            } => {
                let Some(record) = self.workspace.record(&name) else {
                    out(Response::Error {
                        message: format!("no record named {name} is loaded"),
                    });
                    return;
                };
                let model = match run {
                    None => None,
                    Some(id) => match self.runs.iter().find(|(r, _)| r.id == id) {
                        Some((_, m)) => Some((id, m)),
                        None => {
                            out(Response::Error {
                                message: format!("no run {id} is kept; train or load a model"),
                            });
                            return;
                        }
                    },
                };
                // The lead beats are cut from, as the workspace's window chooses it.
                let lead = lead.unwrap_or_else(|| self.workspace.window().lead.pick(record));
                match self.labellings.run(record, lead, positions, model) {
                    Ok(view) => out(Response::Classified(view)),
                    Err(e) => out(Response::Error {
                        message: format!("{name}: {e}"),
                    }),
                }
            }
            Request::ExportLabels { name } => {
                let file = self.workspace.record(&name).and_then(|r| {
                    self.labellings
                        .of(r)
                        .map(|(l, _)| (classify::export_name(r), l.annotation_file()))
                });
                match file {
                    Some((file_name, Ok(bytes))) => out(Response::Export {
                        file_name,
                        mime: "application/octet-stream".into(),
                        bytes,
                    }),
                    Some((_, Err(e))) => out(Response::Error {
                        message: format!("{name}: {e}"),
                    }),
                    None => out(Response::Error {
                        message: format!("record {name} has no found beats to export yet"),
                    }),
                }
            }
            Request::Fingerprint { name } => match self.workspace.record(&name) {
                Some(r) => out(Response::Fingerprint(crate::io::remote::fingerprint(r))),
                None => out(Response::Error {
                    message: format!("no record named {name} is loaded"),
                }),
            },
            Request::SetCsvRate { file, fs_hz } => match self.workspace.resolve_csv(&file, fs_hz) {
                Ok(_) => out(Response::Workspace(self.workspace_view())),
                Err(e) => out(Response::Error {
                    message: format!("{file}: {e}"),
                }),
            },
            Request::Remove { name } => {
                self.workspace.remove(&name);
                self.labellings.forget(&name);
                out(Response::Workspace(self.workspace_view()));
            }
            Request::LoadDemo { seed } => {
                self.workspace.load_demo(seed);
                self.labellings.clear();
                out(Response::Workspace(self.workspace_view()));
            }
            Request::Clear => {
                self.workspace.clear();
                self.labellings.clear();
                out(Response::Workspace(self.workspace_view()));
            }
            Request::SetWindow { window } => match self.workspace.set_window(window) {
                Ok(()) => out(Response::Workspace(self.workspace_view())),
                Err(e) => out(Response::Error {
                    message: e.to_string(),
                }),
            },
            Request::Distribution { source, split } => {
                let source = source.unwrap_or_else(|| self.workspace.default_source());
                out(Response::Distribution(distribution_view(
                    &mut self.workspace,
                    source,
                    split,
                )));
            }
            Request::RecordView {
                name,
                start_s,
                duration_s,
                max_points,
            } => match record_view(
                &self.workspace,
                &name,
                start_s,
                duration_s,
                max_points,
                &self.labellings,
            ) {
                Some(v) => out(Response::RecordView(v)),
                None => out(Response::Error {
                    message: format!("no record named {name} is loaded"),
                }),
            },
            Request::Train { source, config } => {
                let source = source.unwrap_or_else(|| self.workspace.default_source());
                self.next_run += 1;
                match train::TrainJob::new_with(
                    self.next_run,
                    &mut self.workspace,
                    source,
                    config,
                    now_ms(),
                    self.synthetic.as_ref().map(|(f, s)| (*f, s)),
                ) {
                    Ok(job) => self.job = Some(Box::new(job)),
                    Err(e) => {
                        self.next_run -= 1;
                        out(Response::Error {
                            message: e.to_string(),
                        });
                    }
                }
            }
            Request::ExportRun { id, format } => match self.runs.iter().find(|(r, _)| r.id == id) {
                Some((r, _)) => {
                    let (data, mime, ext) = if format == "csv" {
                        (r.evaluation.to_csv(), "text/csv", "csv")
                    } else {
                        let mut v = r.evaluation.to_json();
                        if let Some(o) = v.as_object_mut() {
                            o.insert("train_seconds".into(), r.train_seconds.into());
                            o.insert(
                                "config".into(),
                                serde_json::to_value(&r.config).unwrap_or_default(),
                            );
                            o.insert("split".into(), r.split_text.clone().into());
                            o.insert(
                                "history".into(),
                                serde_json::to_value(&r.history).unwrap_or_default(),
                            );
                            o.insert("cancelled".into(), r.cancelled.into());
                        }
                        (
                            serde_json::to_string_pretty(&v).unwrap_or_default(),
                            "application/json",
                            "json",
                        )
                    };
                    out(Response::Export {
                        file_name: format!("ecg-balance-run-{id}-metrics.{ext}"),
                        mime: mime.into(),
                        bytes: data.into_bytes(),
                    });
                }
                None => out(Response::Error {
                    message: format!("no run {id}"),
                }),
            },
            Request::ExportModel { id } => match self.trained(id).map(|m| m.to_bytes()) {
                Some(Ok(bytes)) => out(Response::Export {
                    file_name: format!("ecg-balance-run-{id}.model"),
                    mime: "application/octet-stream".into(),
                    bytes,
                }),
                Some(Err(e)) => out(Response::Error {
                    message: e.to_string(),
                }),
                None => out(Response::Error {
                    message: format!("no run {id}"),
                }),
            },
            Request::ImportModel { name, split } => {
                let Some(bytes) = files.first() else {
                    out(Response::Error {
                        message: "no model file arrived".into(),
                    });
                    return;
                };
                match crate::training::TrainedModel::from_bytes(bytes) {
                    Ok(model) => {
                        self.next_run += 1;
                        match train::TrainJob::scoring(
                            self.next_run,
                            &mut self.workspace,
                            model,
                            split,
                            &name,
                        ) {
                            Ok(job) => self.job = Some(Box::new(job)),
                            Err(e) => {
                                self.next_run -= 1;
                                out(Response::Error {
                                    message: format!("{name}: {e}"),
                                });
                            }
                        }
                    }
                    Err(e) => out(Response::Error {
                        message: format!("{name}: {e}"),
                    }),
                }
            }
            Request::AugmentPlan { plan, split } => {
                let counts = training_side(&mut self.workspace, split).class_counts();
                out(Response::AugmentPlan(
                    crate::dataset::rebalance::plan_report(&counts, &plan),
                ));
            }
            Request::AugmentPreview {
                class,
                per_technique,
                seed,
                split,
            } => {
                let train = training_side(&mut self.workspace, split);
                let idx = train.indices_of_class(class);
                if idx.is_empty() {
                    out(Response::Error {
                        message: format!(
                            "the training side has no {} beat to preview",
                            class.name()
                        ),
                    });
                    return;
                }
                let pick = idx[Rng::new(seed).below(idx.len())] as usize;
                let w = train.window(pick).to_vec();
                let l = train.layout;
                let ranges = crate::dataset::augment::TechniqueRanges::default();
                let techniques = crate::dataset::augment::Technique::ALL;
                match crate::dataset::augment::preview(
                    &w,
                    l.fs_hz,
                    l.r_index,
                    &techniques,
                    &ranges,
                    per_technique.min(16),
                    seed,
                ) {
                    Ok(p) => out(Response::AugmentPreview(AugmentPreview {
                        layout: l,
                        class,
                        record: train.record_of(pick).to_string(),
                        original: w,
                        techniques: p
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
                    })),
                    Err(e) => out(Response::Error {
                        message: e.to_string(),
                    }),
                }
            }
            Request::Rebalance { split, config } => {
                let train = training_side(&mut self.workspace, split);
                let t0 = now_ms();
                let total_ref = std::cell::Cell::new(0usize);
                let result =
                    crate::dataset::rebalance::rebalance(&train, &config, &mut |done, total| {
                        total_ref.set(total);
                        out(Response::Progress(Progress {
                            job: "rebalance".into(),
                            done: done as f64,
                            total: total.max(1) as f64,
                            label: format!("generating beats: {done} of {total}"),
                        }));
                        true
                    });
                match result {
                    Ok(done) => {
                        let ms = now_ms() - t0;
                        out(Response::Rebalanced {
                            report: done.report,
                            ms,
                            beats: done.beats.len(),
                        });
                        self.rebalanced = Some(done.beats);
                    }
                    Err(e) => out(Response::Error {
                        message: e.to_string(),
                    }),
                }
            }
            Request::ExportRebalanced { format } => match &self.rebalanced {
                Some(set) => {
                    let (bytes, mime, ext) = if format == "ecgbeats" {
                        (set.to_bytes(), "application/octet-stream", "ecgbeats")
                    } else {
                        (set.to_kaggle_csv().into_bytes(), "text/csv", "csv")
                    };
                    out(Response::Export {
                        file_name: format!("ecg-balance-rebalanced-train.{ext}"),
                        mime: mime.into(),
                        bytes,
                    });
                }
                None => out(Response::Error {
                    message: "generate the rebalanced training set first".into(),
                }),
            },
            Request::RemoveRun { id } => {
                self.runs.retain(|(r, _)| r.id != id);
                out(self.runs_view());
            }
            Request::Gallery {
                source,
                per_class,
                seed,
                record,
            } => {
                let source = source.unwrap_or_else(|| self.workspace.default_source());
                out(Response::Gallery(gallery(
                    &mut self.workspace,
                    source,
                    per_class.min(64),
                    seed,
                    record.as_deref(),
                )));
            }
        }
    }

    fn end_job(&mut self, out: &mut dyn FnMut(Response)) {
        if let Some(mut job) = self.job.take() {
            if let Some(run) = job.take_trained() {
                self.runs.push(run);
                out(self.runs_view());
            }
            if let Some(set) = job.take_synthetic() {
                self.synthetic = Some(set);
            }
        }
    }

    /// The runs kept.
    pub fn runs_view(&self) -> Response {
        Response::Runs {
            runs: self.runs.iter().map(|(r, _)| r.clone()).collect(),
        }
    }

    /// The model of run `id`.
    pub fn trained(&self, id: u32) -> Option<&crate::training::TrainedModel> {
        self.runs.iter().find(|(r, _)| r.id == id).map(|(_, m)| m)
    }

    /// Runs the current job for about `budget_ms`; returns true while work remains.
    pub fn run_for(
        &mut self,
        budget_ms: f64,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let Some(job) = self.job.as_mut() else {
            return false;
        };
        let start = now_ms();
        loop {
            if job.step(&mut self.workspace, now_ms, out) {
                self.end_job(out);
                return false;
            }
            if now_ms() - start >= budget_ms {
                return true;
            }
        }
    }

    /// Runs the current job to the end (CLI and tests).
    pub fn run_to_end(&mut self, now_ms: &dyn Fn() -> f64, out: &mut dyn FnMut(Response)) {
        while self.run_for(f64::INFINITY, now_ms, out) {}
    }
}

/// Reading files, one unit per step.
struct LoadJob {
    inputs: Option<Vec<InputFile>>,
    /// Sorting the files, one zip entry per step.
    grouper: Option<Grouper>,
    grouped: Option<Grouped>,
    next: usize,
    report: LoadReport,
    timing: LoadTiming,
    done_bytes: usize,
}

impl LoadJob {
    fn new(inputs: Vec<InputFile>) -> Self {
        Self {
            inputs: Some(inputs),
            grouper: None,
            grouped: None,
            next: 0,
            report: LoadReport::default(),
            timing: LoadTiming::default(),
            done_bytes: 0,
        }
    }

    fn finish(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
        cancelled: bool,
    ) {
        if let Some(g) = &self.grouped {
            if !cancelled {
                ws.finish_load(g, &mut self.report);
            }
        }
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
        if let Some(inputs) = self.inputs.take() {
            self.timing.bytes = inputs.iter().map(|f| f.bytes.len()).sum();
            self.grouper = Some(Grouper::new(inputs));
            return false;
        }
        if let Some(grouper) = self.grouper.as_mut() {
            let t0 = now_ms();
            let step = grouper.step();
            if let Some(p) = step {
                out(Response::Progress(Progress {
                    job: "load".into(),
                    done: p.done_bytes as f64,
                    total: p.total_bytes.max(1) as f64,
                    label: p.label,
                }));
            } else if let Some(grouper) = self.grouper.take() {
                let g = grouper.finish();
                self.report = ws.start_load(&g);
                self.grouped = Some(g);
            }
            self.timing.group_ms += now_ms() - t0;
            return false;
        }
        let Some(g) = self.grouped.as_ref() else {
            return true;
        };
        if let Some(unit) = g.units.get(self.next) {
            let t0 = now_ms();
            ws.load_unit(g, unit, &mut self.report);
            self.timing.read_ms += now_ms() - t0;
            self.done_bytes += unit_bytes(g, unit);
            self.next += 1;
            out(Response::Progress(Progress {
                job: "load".into(),
                done: self.done_bytes as f64,
                total: g.total_bytes().max(1) as f64,
                label: format!("read {}", unit.main_path()),
            }));
            return false;
        }
        self.finish(ws, now_ms, out, false);
        out(Response::Workspace(workspace_view(ws)));
        true
    }

    fn cancel(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.finish(ws, now_ms, out, true);
        out(Response::Workspace(workspace_view(ws)));
        true
    }
}

/// The training side of `split` (as the page's split means it for the loaded data).
fn training_side(ws: &mut Workspace, split: SplitKind) -> crate::dataset::BeatSet {
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
    }
}

fn unit_bytes(g: &Grouped, unit: &LoadUnit) -> usize {
    match unit {
        LoadUnit::Wfdb {
            name,
            header,
            annotation,
        } => {
            let dir = crate::io::files::split_path(header).0;
            let dat = g.bytes(&format!("{dir}{name}.dat")).map_or(0, <[u8]>::len);
            g.bytes(header).map_or(0, <[u8]>::len)
                + annotation
                    .as_deref()
                    .and_then(|p| g.bytes(p))
                    .map_or(0, <[u8]>::len)
                + dat
        }
        LoadUnit::AnnotationOnly { path, .. }
        | LoadUnit::Csv { path }
        | LoadUnit::Beats { path } => g.bytes(path).map_or(0, <[u8]>::len),
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
        split_text: split.describe(),
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

/// A stretch of record `name`.
pub fn record_view(
    ws: &Workspace,
    name: &str,
    start_s: f64,
    duration_s: f64,
    max_points: usize,
    labellings: &classify::Labellings,
) -> Option<RecordView> {
    let r = ws.record(name)?;
    let found = labellings.of(r);
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
        found: found
            .map(|(l, _)| classify::marks(l, a, b))
            .unwrap_or_default(),
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

/// Side names for views.
pub fn side_text(side: Side) -> &'static str {
    match side {
        Side::Train => "DS1 (train)",
        Side::Test => "DS2 (test)",
        Side::Excluded => "excluded (paced)",
    }
}
