//! The app state: one [`AppState`] context holding every signal the views read, the line to the
//! worker, and the sub-states of fetching ([`FetchState`]), synthetic beats ([`SynthState`]) and
//! adapting a model to a patient ([`AdaptState`]).
//!
//! Every answer of the worker lands here ([`AppState::on_response`]), in a signal or a method of
//! a sub-state; views only read signals and send requests ([`AppState::send`]).

pub mod adapt;
pub mod parts;
pub mod persist;
pub mod restart;
pub mod synth;

use leptos::prelude::*;

use super::fetch::FetchState;
pub mod followers;

use super::link::WorkerLink;
use crate::dataset::rebalance::{RebalanceConfig, RebalanceReport};
use crate::dataset::split::SplitKind;
use crate::session::views::Progress;
use crate::session::views::{
    AugmentPreview, ClassifiedView, DistributionView, GalleryView, LoadTiming, RecordView,
    RunReport, TrainProgress, WorkspaceView,
};
use crate::session::{Request, Response};
use crate::workspace::LoadReport;
pub use adapt::AdaptState;
use followers::Followers;
use parts::Parts;
use persist::Persist;
use restart::Restart;
pub use synth::SynthState;

/// Seed of the demo set the page opens on.
pub const DEMO_SEED: u64 = 2003;

/// A message shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `error`, `warning` or `info`.
    pub kind: &'static str,
    /// File concerned, if any.
    pub file: Option<String>,
    /// Text.
    pub text: String,
}

/// Everything the views read.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The line to the worker.
    pub link: WorkerLink,
    /// Fetching records from servers.
    pub fetch: FetchState,
    /// Synthetic beats.
    pub synth: SynthState,
    /// Adapting a model to a patient.
    pub adapt: AdaptState,
    /// Everything loaded.
    pub workspace: RwSignal<WorkspaceView>,
    /// Progress of the running job.
    pub progress: RwSignal<Option<Progress>>,
    /// A job is running.
    pub busy: RwSignal<bool>,
    /// Messages of the last load and of failed requests.
    pub notices: RwSignal<Vec<Notice>>,
    /// Last load report.
    pub last_report: RwSignal<Option<LoadReport>>,
    /// Last load timing.
    pub load_timing: RwSignal<Option<LoadTiming>>,
    /// A load sent in parts.
    pub parts: Parts,
    /// The distribution tables.
    pub distribution: RwSignal<Option<DistributionView>>,
    /// The split the distribution tables use.
    pub split: RwSignal<SplitKind>,
    /// The record being viewed.
    pub selected_record: RwSignal<Option<String>>,
    /// Its signal.
    pub record_view: RwSignal<Option<RecordView>>,
    /// Example beats.
    pub gallery: RwSignal<Option<GalleryView>>,
    /// The worker is up.
    pub worker_ready: RwSignal<bool>,
    /// Live figures of the running training.
    pub train_progress: RwSignal<Option<TrainProgress>>,
    /// Finished runs.
    pub runs: RwSignal<Vec<RunReport>>,
    /// The run whose results are shown.
    pub selected_run: RwSignal<Option<u32>>,
    /// The rebalancing plan's targets.
    pub augment_plan: RwSignal<Option<RebalanceReport>>,
    /// A beat and its augmented copies.
    pub augment_preview: RwSignal<Option<AugmentPreview>>,
    /// The last generated rebalanced set: report, time (ms), beats.
    pub rebalanced: RwSignal<Option<(RebalanceReport, f64, usize)>>,
    /// Rebalance the training beats with this configuration when training.
    pub train_rebalance: RwSignal<Option<RebalanceConfig>>,
    /// The settings of the last rebalanced set asked for (in the form, or made again after a
    /// reload): the form starts from them.
    pub rebalance_settings: RwSignal<Option<RebalanceConfig>>,
    /// The last beats found and classified in a record.
    pub classified: RwSignal<Option<ClassifiedView>>,
    /// A find-and-classify request is on its way.
    pub classify_pending: RwSignal<bool>,
    /// Web Workers a training run uses (the page's own worker and followers).
    pub workers: RwSignal<usize>,
    /// The follower workers.
    pub followers: Followers,
    /// What the page keeps to bring a new worker back after one stops.
    pub restart: Restart,
    /// What the browser keeps across reloads.
    pub persist: Persist,
    /// Why the page's worker stopped and what the page did about it, shown on every screen
    /// until dismissed.
    pub worker_alert: RwSignal<Option<String>>,
}

impl AppState {
    /// A fresh state with a line to no worker yet.
    pub fn new() -> Self {
        let link = WorkerLink::new();
        let busy = RwSignal::new(false);
        Self {
            link,
            fetch: FetchState::new(link, busy),
            synth: SynthState::new(),
            adapt: AdaptState::new(),
            workspace: RwSignal::new(WorkspaceView::default()),
            progress: RwSignal::new(None),
            busy,
            notices: RwSignal::new(Vec::new()),
            last_report: RwSignal::new(None),
            load_timing: RwSignal::new(None),
            parts: Parts::new(),
            distribution: RwSignal::new(None),
            split: RwSignal::new(SplitKind::default()),
            selected_record: RwSignal::new(None),
            record_view: RwSignal::new(None),
            gallery: RwSignal::new(None),
            worker_ready: RwSignal::new(false),
            train_progress: RwSignal::new(None),
            runs: RwSignal::new(Vec::new()),
            selected_run: RwSignal::new(None),
            augment_plan: RwSignal::new(None),
            augment_preview: RwSignal::new(None),
            rebalanced: RwSignal::new(None),
            train_rebalance: RwSignal::new(None),
            rebalance_settings: RwSignal::new(None),
            classified: RwSignal::new(None),
            classify_pending: RwSignal::new(false),
            workers: RwSignal::new(followers::default_workers()),
            followers: Followers::new(),
            restart: Restart::new(),
            persist: Persist::new(),
            worker_alert: RwSignal::new(None),
        }
    }

    /// The state the page provides as context.
    pub fn get() -> AppState {
        use_context::<AppState>().unwrap_or_default()
    }

    /// Sends `request` (with no bytes) to the worker.
    pub fn send(&self, request: Request) {
        match &request {
            Request::Clear => self.restart.cleared(),
            Request::SetCsvRate { file, fs_hz } => self.restart.csv_rate(file, *fs_hz),
            _ => {}
        }
        self.persist.on_send(*self, &request);
        self.link.send(request, Vec::new());
    }

    /// The worker stopped (a panic, a trap, memory exhausted): nothing of what it held or was
    /// doing is left, so every view of it is emptied and every job ends; the settings, the
    /// notices and the runs' figures stay. True when the page may start another worker.
    pub fn worker_lost(&self) -> bool {
        self.worker_ready.set(false);
        // A load in parts waits for the stopped worker's answers: its loop ends.
        self.parts.end();
        self.idle();
        self.train_progress.set(None);
        self.classify_pending.set(false);
        self.synth.on_error();
        self.adapt.on_stopped();
        self.workspace.set(WorkspaceView::default());
        self.distribution.set(None);
        self.selected_record.set(None);
        self.record_view.set(None);
        self.gallery.set(None);
        self.last_report.set(None);
        self.augment_preview.set(None);
        self.rebalanced.set(None);
        self.classified.set(None);
        self.restart.worker_stopped(self.runs.get_untracked())
    }

    /// True when the page opens on what this browser kept, or else the demo set: the first
    /// worker is ready, no file was dropped meanwhile, and the address does not say `#nodemo`.
    pub fn opens_on_kept_work(&self) -> bool {
        self.link.started() == 1 && !self.link.files_sent() && !no_demo()
    }

    /// Adds a notice.
    pub fn notify(&self, kind: &'static str, file: Option<String>, text: impl Into<String>) {
        let text = text.into();
        self.notices.update(|n| n.push(Notice { kind, file, text }));
    }

    /// The running job is over: no progress to show.
    pub fn idle(&self) {
        self.busy.set(false);
        self.progress.set(None);
    }

    /// Asks the worker for the distribution under the current split.
    pub fn refresh_distribution(&self) {
        self.send(Request::Distribution {
            source: None,
            split: self.split.get_untracked(),
        });
    }

    /// Puts an answer of the worker (other than a file: see `bridge`) where the views read it.
    pub fn on_response(&self, response: Response) {
        match response {
            Response::Ready => {
                self.worker_ready.set(true);
                // Nothing asked for yet (no file dropped while the worker started): a worker
                // started in place of one that stopped opens on the built-in synthetic demo set,
                // unless the address says `#nodemo`; the first one on what this browser kept of
                // an earlier visit, or else the demo set (`bridge::open_kept`).
                if self.link.started() > 1 && !self.link.files_sent() && !no_demo() {
                    self.send(Request::LoadDemo { seed: DEMO_SEED });
                }
                self.link.ready();
            }
            Response::Progress(p) => {
                self.busy.set(true);
                self.progress.set(Some(p));
            }
            Response::Workspace(view) => self.on_workspace(view),
            Response::PartRead { part } => self.parts.on_part_read(part),
            Response::Loaded {
                report,
                timing,
                cancelled,
            } => {
                self.parts.end();
                self.idle();
                for (file, fs_hz) in self.restart.loaded() {
                    self.send(Request::SetCsvRate { file, fs_hz });
                }
                self.persist.loaded(*self);
                self.notices.set(load_notices(&report, cancelled));
                self.fetch.on_loaded(&report, cancelled);
                self.last_report.set(Some(report));
                self.load_timing.set(Some(timing));
            }
            Response::Distribution(d) => self.distribution.set(Some(d)),
            Response::RecordView(v) => self.record_view.set(Some(v)),
            Response::Gallery(g) => self.gallery.set(Some(g)),
            Response::TrainProgress(p) => {
                self.busy.set(true);
                self.progress.set(Some(p.as_progress()));
                self.train_progress.set(Some(p));
            }
            Response::TrainResult(r) => {
                self.idle();
                self.selected_run.set(Some(r.id));
                self.persist.run_finished(*self, r.id);
            }
            Response::Runs { runs } => self.runs.set(self.restart.with_kept_runs(runs)),
            // Files travel with their bytes: the bridge hands them over itself.
            // Files go to the browser, and messages between training workers are passed on,
            // before they get here (`bridge`).
            Response::Export { .. }
            | Response::Assembled { .. }
            | Response::Follow(_)
            | Response::FollowStep(_)
            | Response::ShardGradient(_) => {}
            Response::Fingerprint(f) => self.fetch.on_fingerprint(f),
            Response::Synthesized(v) => {
                self.idle();
                self.synth.on_synthesized(*v);
            }
            Response::Classified(v) => {
                self.classify_pending.set(false);
                // Redraw the strip of that record with its found beats.
                if let Some(rv) = self
                    .record_view
                    .get_untracked()
                    .filter(|rv| rv.name == v.record)
                {
                    self.send(Request::RecordView {
                        name: rv.name,
                        start_s: rv.start_s,
                        duration_s: rv.duration_s,
                        max_points: 2400,
                    });
                }
                self.classified.set(Some(v));
            }
            Response::AugmentPlan(r) => self.augment_plan.set(Some(r)),
            Response::AugmentPreview(p) => self.augment_preview.set(Some(p)),
            Response::Rebalanced { report, ms, beats } => {
                self.idle();
                self.rebalanced.set(Some((report, ms, beats)));
            }
            Response::AdaptQueries(v) => {
                // A later round is the fine-tuning job's answer: the job is over.
                if v.round > 1 {
                    self.idle();
                }
                self.adapt.on_queries(*v);
            }
            Response::Adapted(v) => {
                self.idle();
                self.adapt.on_adapted(*v);
            }
            // The running job goes on: only say why the request was refused.
            Response::Busy { message } => self.notify("warning", None, message),
            Response::Cancelled { message } => {
                self.idle();
                self.synth.on_error();
                self.adapt.on_stopped();
                self.notify("info", None, message);
            }
            Response::Error(f) => {
                self.idle();
                self.classify_pending.set(false);
                self.synth.on_error();
                self.adapt.on_stopped();
                self.notify("error", None, f.message);
            }
        }
    }

    fn on_workspace(&self, view: WorkspaceView) {
        let has_beats = view.record_counts.total() > 0 || !view.beat_files.is_empty();
        // Keep the viewed record only if it is still loaded.
        let selected_gone = self
            .selected_record
            .get_untracked()
            .is_some_and(|sel| !view.records.iter().any(|r| r.name == sel));
        self.workspace.set(view);
        if has_beats {
            self.refresh_distribution();
        } else {
            self.distribution.set(None);
        }
        if selected_gone {
            self.selected_record.set(None);
            self.record_view.set(None);
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The notices of a load: each file's error, the warnings, and a word on a cancelled load.
fn load_notices(report: &LoadReport, cancelled: bool) -> Vec<Notice> {
    let mut notices: Vec<Notice> = report
        .errors
        .iter()
        .map(|e| Notice {
            kind: "error",
            file: Some(e.file.clone()),
            text: e.message.clone(),
        })
        .collect();
    notices.extend(report.warnings.iter().map(|w| Notice {
        kind: "warning",
        file: None,
        text: w.clone(),
    }));
    if cancelled {
        notices.push(Notice {
            kind: "info",
            file: None,
            text: "Loading cancelled; the files read before stay loaded.".into(),
        });
    }
    notices
}

/// The address says `#nodemo`: the page opens empty.
fn no_demo() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"location".into()).ok())
        .and_then(|l| js_sys::Reflect::get(&l, &"hash".into()).ok())
        .and_then(|h| h.as_string())
        .is_some_and(|h| h.contains("nodemo"))
}
