//! The page's state machine, pure and testable natively: requests in, responses out.
//!
//! The Web Worker owns one [`Session`]; the Leptos page sends it numbered requests
//! ([`protocol::Envelope`]) and renders the answers ([`protocol::Reply`]). Long work (reading
//! files, training, generating beats) runs as a [`job::Job`] that advances in small steps: the
//! worker calls [`Session::run_for`] with a time budget, posts what came out, yields to its
//! event loop (so a `Cancel` can arrive) and calls again. Native tests and the CLI drive a
//! session exactly the same way, with no browser ([`Session::ask`]).
//!
//! - [`protocol`]: the requests, the answers, and the rule that drops stale answers;
//! - [`views`]: what the answers show, and the functions that build it;
//! - [`load`], [`train`], [`synth`], [`fetch`]: the jobs; [`classify`]: labellings of records;
//!   [`export`]: beat sets as files;
//! - [`follower`]: data-parallel training across Web Workers (a session that follows a
//!   leader's run, and the leader's side);
//!   [`adapt`]: adapting a model to one patient (the beats to label, then a fine-tuning job).
//!
//! Time comes from a clock the caller provides (`now_ms`): `std::time::Instant` does not exist
//! on `wasm32-unknown-unknown`.
//!
//! One file on purpose (about 740 lines): the [`Session`] and its dispatcher, which answers
//! every [`Request`] in one `match` so that a reader sees in one place what each request does
//! and which ones start a job; each job's work lives in its own module above.

pub mod adapt;
pub mod classify;
pub mod export;
pub mod fetch;
pub mod follower;
pub mod job;
pub mod load;
pub mod protocol;
pub mod synth;
pub mod train;
pub mod views;

pub use protocol::{
    Asked, Envelope, ErrorKind, ExportFormat, ExportedBeats, Failure, Forward, Latest,
    LightwavePart, Reply, Request, RequestId, RequestKind, Response,
};

use crate::dataset::BeatSet;
use crate::dataset::split::SplitKind;
use crate::training::{TrainConfig, TrainedModel};
use crate::workspace::{BeatSource, Workspace};
use job::{Generated, Job};
use views::{Progress, RunReport, WorkspaceView, workspace_view};

/// The worker's state.
#[derive(Default)]
pub struct Session {
    /// Everything loaded.
    pub workspace: Workspace,
    job: Option<(Asked, Box<dyn Job>)>,
    runs: Vec<(RunReport, TrainedModel)>,
    next_run: u32,
    rebalanced: Option<BeatSet>,
    synthetic: Option<Generated>,
    labellings: classify::Labellings,
    /// The beats handed out to label for adapting a model to a record, until the labels come.
    adapting: Option<adapt::Pending>,
    /// Where the running adaptation job leaves its next round's queries.
    adapt_round: Option<adapt::job::NextRound>,
    /// Numbers of the requests [`Session::ask`] makes up (the page numbers its own).
    asked: RequestId,
    /// Native threads a training run uses (data-parallel, [`crate::training::parallel::Team`]);
    /// 0 or 1: one. The page's worker has one.
    threads: usize,
    /// This session's replica of another worker's training run, when it follows one.
    follower: Option<follower::Follower>,
}

impl Session {
    /// A fresh session.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trains on `threads` native threads from now on (the CLI's `--threads`); on wasm32 a run
    /// always has one.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads;
    }

    /// True while a job is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The view of everything loaded.
    pub fn workspace_view(&self) -> WorkspaceView {
        workspace_view(&self.workspace)
    }

    /// The runs kept, oldest first.
    pub fn runs(&self) -> impl Iterator<Item = &RunReport> {
        self.runs.iter().map(|(r, _)| r)
    }

    /// The last rebalanced training set ([`Request::Rebalance`]), as exported.
    pub fn rebalanced(&self) -> Option<&BeatSet> {
        self.rebalanced.as_ref()
    }

    /// The model of run `id`.
    pub fn trained(&self, id: u32) -> Option<&TrainedModel> {
        self.runs.iter().find(|(r, _)| r.id == id).map(|(_, m)| m)
    }

    /// Handles a request; every answer, now or from the job it starts, names it.
    pub fn handle(
        &mut self,
        envelope: Envelope,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Reply),
    ) {
        let asked = Asked {
            id: envelope.id,
            kind: envelope.request.kind(),
        };
        // Messages between training workers come and go while the leader's job runs.
        let request = match envelope.request {
            Request::Follow(m) => {
                self.follower = None;
                match follower::Follower::new(m.run, m.shard, m.shards, &m.replica) {
                    Ok(f) => self.follower = Some(f),
                    Err(e) => out(Reply {
                        to: Some(asked),
                        response: (&e).into(),
                    }),
                }
                return;
            }
            Request::FollowStep(m) => {
                let response = match self.follower.as_mut() {
                    Some(f) => f.step(m.run, m.step, m.loss, &m.sum, m.validate),
                    None => Response::error(
                        ErrorKind::Protocol,
                        format!(
                            "this worker follows no run; batch {} of run {} was asked",
                            m.step, m.run
                        ),
                    ),
                };
                out(Reply {
                    to: Some(asked),
                    response,
                });
                return;
            }
            Request::ShardGradient(part) => {
                if let Some((_, job)) = self.job.as_mut() {
                    job.deliver(part);
                }
                return;
            }
            // A worker started in place of one that stopped numbers its runs after those the
            // page kept; nothing else changes, so it needs no answer.
            Request::NumberRunsAfter { last } => {
                self.next_run = self.next_run.max(last);
                return;
            }
            // A later part of a load sent in parts goes to the load that asked for it.
            Request::LoadPart {
                part,
                last,
                paths,
                bytes,
                ..
            } if part > 0 => {
                let job = self.job.as_mut().map(|(_, job)| job);
                if let Some(response) = load::deliver(job, part, last, paths, bytes) {
                    out(Reply {
                        to: Some(asked),
                        response,
                    });
                }
                return;
            }
            other => other,
        };
        let envelope = Envelope {
            id: envelope.id,
            request,
        };
        if let Request::Cancel = envelope.request {
            // What the job says as it stops answers the job's own request.
            if let Some((job_asked, job)) = self.job.as_mut() {
                let job_asked = *job_asked;
                let mut reply = |response| {
                    out(Reply {
                        to: Some(job_asked),
                        response,
                    });
                };
                if job.cancel(&mut self.workspace, now_ms, &mut reply) {
                    self.end_job(&mut reply);
                }
            }
            return;
        }
        let mut reply = |response| {
            out(Reply {
                to: Some(asked),
                response,
            });
        };
        if self.job.is_some() {
            reply(Response::Busy {
                message: "busy: wait for the running job to finish or cancel it".to_string(),
            });
            return;
        }
        if let Some(job) = self.dispatch(envelope.request, now_ms, &mut reply) {
            self.job = Some((asked, job));
        }
    }

    /// Handles `request` and runs the job it starts to the end (the CLI and native tests: the
    /// session numbers the request itself).
    pub fn ask(
        &mut self,
        request: Request,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) {
        self.asked += 1;
        let envelope = Envelope {
            id: self.asked,
            request,
        };
        self.handle(envelope, now_ms, &mut |r| out(r.response));
        self.run_to_end(now_ms, &mut |r| out(r.response));
    }

    /// Answers a request now; returns the job it starts, if it starts one.
    fn dispatch(
        &mut self,
        request: Request,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> Option<Box<dyn Job>> {
        let ws = &mut self.workspace;
        match request {
            // Handled before any job check (see `handle`).
            Request::Cancel
            | Request::NumberRunsAfter { .. }
            | Request::Follow(_)
            | Request::FollowStep(_)
            | Request::ShardGradient(_) => {}
            Request::LoadFiles { paths, bytes } => {
                return self.load_files(paths, bytes, None, out);
            }
            Request::LoadPart {
                last,
                total_bytes,
                paths,
                bytes,
                ..
            } => return self.load_files(paths, bytes, Some((last, total_bytes)), out),
            Request::AssembleLightwave {
                key,
                annotator,
                parts,
                answers,
            } => match fetch::AssembleJob::new(key, annotator, parts, answers) {
                Ok(job) => return Some(Box::new(job)),
                Err(failure) => out(Response::Error(failure)),
            },
            Request::Synthesize { split, config } => {
                match synth::SynthJob::new(ws, split, config, now_ms()) {
                    Ok(job) => return Some(Box::new(job)),
                    Err(e) => out((&e).into()),
                }
            }
            Request::Train { source, config } => return self.train(source, config, now_ms, out),
            Request::ImportModel { name, split, bytes } => {
                return self.import_model(&name, split, &bytes, out);
            }
            Request::Classify {
                name,
                lead,
                positions,
                run,
            } => out(self.classify(&name, lead, positions, run)),
            Request::ExportLabels { name } => out(self.export_labels(&name)),
            Request::AdaptQueries {
                run,
                record,
                lead,
                positions,
                budget,
                rounds,
            } => match adapt::queries(
                ws, &self.runs, run, &record, lead, positions, budget, rounds, now_ms,
            ) {
                Ok((pending, view)) => {
                    self.adapting = Some(pending);
                    out(Response::AdaptQueries(Box::new(view)));
                }
                Err(refusal) => out(Response::Error(refusal)),
            },
            Request::Adapt {
                run,
                record,
                labels,
                from_annotations,
            } => match adapt::start(
                ws,
                &self.runs,
                self.adapting.as_ref(),
                run,
                &record,
                labels,
                from_annotations,
                now_ms,
            ) {
                Ok(job) => {
                    self.adapt_round = Some(job.next_round());
                    return Some(Box::new(job));
                }
                Err(refusal) => out(Response::Error(refusal)),
            },
            Request::Fingerprint { name } => out(match ws.record(&name) {
                Some(r) => Response::Fingerprint(crate::io::remote::fingerprint(r)),
                None => no_record(&name),
            }),
            Request::SetCsvRate { file, fs_hz } => match ws.resolve_csv(&file, fs_hz) {
                Ok(_) => out(Response::Workspace(workspace_view(ws))),
                Err(e) => out(Response::error_in(&file, &e)),
            },
            Request::Remove { name } => {
                ws.remove(&name);
                self.labellings.forget(&name);
                self.adapting = self.adapting.take().filter(|p| p.record() != name);
                out(Response::Workspace(workspace_view(ws)));
            }
            Request::LoadDemo { seed } => {
                ws.load_demo(seed);
                self.labellings.clear();
                self.adapting = None;
                out(Response::Workspace(workspace_view(ws)));
            }
            Request::Clear => {
                ws.clear();
                self.labellings.clear();
                self.adapting = None;
                out(Response::Workspace(workspace_view(ws)));
            }
            Request::SetWindow { window } => match ws.set_window(window) {
                Ok(()) => out(Response::Workspace(workspace_view(ws))),
                Err(e) => out((&e).into()),
            },
            Request::Distribution { source, split } => {
                let source = source.unwrap_or_else(|| ws.default_source());
                out(Response::Distribution(views::distribution_view(
                    ws, source, split,
                )));
            }
            Request::RecordView {
                name,
                start_s,
                duration_s,
                max_points,
            } => {
                let found = ws.record(&name).and_then(|r| self.labellings.of(r));
                out(
                    match views::record_view(ws, &name, start_s, duration_s, max_points, found) {
                        Some(v) => Response::RecordView(v),
                        None => no_record(&name),
                    },
                );
            }
            Request::Gallery {
                source,
                per_class,
                seed,
                record,
            } => {
                let source = source.unwrap_or_else(|| ws.default_source());
                out(Response::Gallery(views::gallery(
                    ws,
                    source,
                    per_class.min(64),
                    seed,
                    record.as_deref(),
                )));
            }
            Request::ExportRun { id, format } => out(self.export_run(id, format)),
            Request::ExportModel { id } | Request::KeepRun { id } => {
                out(match self.trained(id).map(|m| m.to_bytes()) {
                    Some(Ok(bytes)) => Response::Export {
                        file_name: format!("ecg-balance-run-{id}.model"),
                        format: ExportFormat::Model,
                        bytes,
                    },
                    Some(Err(e)) => (&e).into(),
                    None => no_run(id),
                })
            }
            Request::RestoreRun { report, bytes } => out(self.restore_run(*report, &bytes)),
            Request::RemoveRun { id } => {
                self.runs.retain(|(r, _)| r.id != id);
                self.adapting = self.adapting.take().filter(|p| p.run() != id);
                out(self.runs_view());
            }
            Request::AugmentPlan { plan, split } => {
                let counts = views::training_side(ws, split).class_counts();
                out(Response::AugmentPlan(
                    crate::dataset::rebalance::plan_report(&counts, &plan),
                ));
            }
            Request::AugmentPreview {
                class,
                per_technique,
                seed,
                split,
            } => out(
                match views::augment_preview(ws, class, per_technique, seed, split) {
                    Ok(p) => Response::AugmentPreview(p),
                    Err(e) => (&e).into(),
                },
            ),
            Request::Rebalance { split, config } => self.rebalance(split, &config, now_ms, out),
            Request::ExportRebalanced { format } => out(self.export_rebalanced(format)),
            Request::ExportBeats { beats, format } => out(export::export_beats(
                &self.workspace,
                &self.labellings,
                self.synthetic.as_ref().map(|(_, s)| &s.beats.beats),
                &beats,
                format,
            )),
        }
        None
    }

    /// Starts a load of `paths` (all of it, or with `parts` = `(last, total_bytes)` its first
    /// part). The user's own files replace the demo set rather than mix with it.
    fn load_files(
        &mut self,
        paths: Vec<String>,
        bytes: Vec<Vec<u8>>,
        parts: Option<(bool, u64)>,
        out: &mut dyn FnMut(Response),
    ) -> Option<Box<dyn Job>> {
        let job = load::start(paths, bytes, parts)
            .map_err(|refusal| out(Response::Error(refusal)))
            .ok()?;
        if self.workspace.drop_demo() {
            out(Response::Workspace(self.workspace_view()));
        }
        Some(Box::new(job))
    }

    fn train(
        &mut self,
        source: Option<BeatSource>,
        config: TrainConfig,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> Option<Box<dyn Job>> {
        let source = source.unwrap_or_else(|| self.workspace.default_source());
        let generated = self.synthetic.as_ref().map(|(f, s)| (*f, s));
        let id = self.next_run + 1;
        let threads = self.threads.max(1);
        match train::TrainJob::new(
            id,
            &mut self.workspace,
            source,
            config,
            now_ms,
            generated,
            threads,
        ) {
            Ok(job) => {
                self.next_run = id;
                Some(Box::new(job))
            }
            Err(e) => {
                out((&e).into());
                None
            }
        }
    }

    fn import_model(
        &mut self,
        name: &str,
        split: SplitKind,
        bytes: &[u8],
        out: &mut dyn FnMut(Response),
    ) -> Option<Box<dyn Job>> {
        if bytes.is_empty() {
            out(Response::error(
                ErrorKind::Protocol,
                "no model file arrived",
            ));
            return None;
        }
        let model = match TrainedModel::from_bytes(bytes) {
            Ok(model) => model,
            Err(e) => {
                out(Response::error(
                    ErrorKind::Unreadable,
                    format!("{name}: {e}"),
                ));
                return None;
            }
        };
        match train::TrainJob::scoring(self.next_run + 1, &mut self.workspace, model, split, name) {
            Ok(job) => {
                self.next_run += 1;
                Some(Box::new(job))
            }
            Err(e) => {
                out(Response::error_in(name, &e));
                None
            }
        }
    }

    /// Takes back a run the page kept in the browser's storage: its figures as they were, its
    /// model from its file. Refused when a run of that number is already kept or the file does
    /// not read.
    fn restore_run(&mut self, report: RunReport, bytes: &[u8]) -> Response {
        let id = report.id;
        if self.runs.iter().any(|(r, _)| r.id == id) {
            return Response::error(ErrorKind::Protocol, format!("run {id} is already kept"));
        }
        let model = match TrainedModel::from_bytes(bytes) {
            Ok(model) => model,
            Err(e) => {
                return Response::error(ErrorKind::Unreadable, format!("kept run {id}: {e}"));
            }
        };
        self.next_run = self.next_run.max(id);
        let at = self.runs.partition_point(|(r, _)| r.id < id);
        self.runs.insert(at, (report, model));
        self.runs_view()
    }

    fn classify(
        &mut self,
        name: &str,
        lead: Option<usize>,
        positions: crate::classify::BeatPositions,
        run: Option<u32>,
    ) -> Response {
        let Some(record) = self.workspace.record(name) else {
            return no_record(name);
        };
        let model = match run {
            None => None,
            Some(id) => match self.runs.iter().find(|(r, _)| r.id == id) {
                Some((_, m)) => Some((id, m)),
                None => {
                    return Response::error(
                        ErrorKind::NotFound,
                        format!("no run {id} is kept; train or load a model"),
                    );
                }
            },
        };
        // The lead beats are cut from, as the workspace's window chooses it.
        let lead = lead.unwrap_or_else(|| self.workspace.window().lead.pick(record));
        match self.labellings.run(record, lead, positions, model) {
            Ok(view) => Response::Classified(view),
            Err(e) => Response::error_in(name, &e),
        }
    }

    fn export_labels(&self, name: &str) -> Response {
        let file = self.workspace.record(name).and_then(|r| {
            self.labellings
                .of(r)
                .map(|(l, _)| (classify::export_name(r), l.annotation_file()))
        });
        match file {
            Some((file_name, Ok(bytes))) => Response::Export {
                file_name,
                format: ExportFormat::WfdbAnnotations,
                bytes,
            },
            Some((_, Err(e))) => Response::error_in(name, &e),
            None => Response::error(
                ErrorKind::NotFound,
                format!("record {name} has no found beats to export yet"),
            ),
        }
    }

    fn export_run(&self, id: u32, format: ExportFormat) -> Response {
        let Some((r, _)) = self.runs.iter().find(|(r, _)| r.id == id) else {
            return no_run(id);
        };
        let text = match format {
            ExportFormat::Csv => r.evaluation.to_csv(),
            ExportFormat::Json => {
                serde_json::to_string_pretty(&r.metrics_json()).unwrap_or_default()
            }
            other => return unsupported("a run's metrics", other),
        };
        Response::Export {
            file_name: format!("ecg-balance-run-{id}-metrics.{}", format.extension()),
            format,
            bytes: text.into_bytes(),
        }
    }

    fn rebalance(
        &mut self,
        split: SplitKind,
        config: &crate::dataset::rebalance::RebalanceConfig,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) {
        let train = views::training_side(&mut self.workspace, split);
        let t0 = now_ms();
        let result = crate::dataset::rebalance::rebalance(&train, config, &mut |done, total| {
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
                out(Response::Rebalanced {
                    report: done.report,
                    ms: now_ms() - t0,
                    beats: done.beats.len(),
                });
                self.rebalanced = Some(done.beats);
            }
            Err(e) => out((&crate::Error::from(e)).into()),
        }
    }

    fn export_rebalanced(&self, format: ExportFormat) -> Response {
        let Some(set) = &self.rebalanced else {
            return Response::error(
                ErrorKind::NotFound,
                "generate the rebalanced training set first",
            );
        };
        export::beat_file(set, "ecg-balance-rebalanced-train", format)
    }

    fn end_job(&mut self, out: &mut dyn FnMut(Response)) {
        if let Some((_, mut job)) = self.job.take() {
            if let Some(run) = job.take_trained() {
                self.runs.push(run);
                out(self.runs_view());
            }
            if let Some(set) = job.take_synthetic() {
                self.synthetic = Some(set);
            }
            if let Some(next) = self.adapt_round.take().and_then(|n| n.borrow_mut().take()) {
                self.adapting = Some(next);
            }
        }
    }

    /// The runs kept.
    pub fn runs_view(&self) -> Response {
        Response::Runs {
            runs: self.runs().cloned().collect(),
        }
    }

    /// True while the running job waits for a message (a follower's gradient) and has
    /// nothing to do until one comes.
    pub fn waiting(&self) -> bool {
        self.job.as_ref().is_some_and(|(_, job)| job.waiting())
    }

    /// Runs the current job for about `budget_ms`; returns true while work remains that can
    /// be done now (false when the job is over, or waits for a message: [`Session::waiting`]).
    pub fn run_for(
        &mut self,
        budget_ms: f64,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Reply),
    ) -> bool {
        let Some((asked, job)) = self.job.as_mut() else {
            return false;
        };
        let asked = *asked;
        let mut reply = |response| {
            out(Reply {
                to: Some(asked),
                response,
            });
        };
        let start = now_ms();
        loop {
            if job.waiting() {
                return false;
            }
            if job.step(&mut self.workspace, now_ms, &mut reply) {
                self.end_job(&mut reply);
                return false;
            }
            if now_ms() - start >= budget_ms {
                return true;
            }
        }
    }

    /// Runs the current job to the end (or until it waits for a message).
    pub fn run_to_end(&mut self, now_ms: &dyn Fn() -> f64, out: &mut dyn FnMut(Reply)) {
        while self.run_for(f64::INFINITY, now_ms, out) {}
    }
}

fn no_record(name: &str) -> Response {
    Response::error(
        ErrorKind::NotFound,
        format!("no record named {name} is loaded"),
    )
}

fn no_run(id: u32) -> Response {
    Response::error(ErrorKind::NotFound, format!("no run {id}"))
}

fn unsupported(what: &str, format: ExportFormat) -> Response {
    Response::error(
        ErrorKind::Invalid,
        format!("{what} cannot be saved as .{}", format.extension()),
    )
}
