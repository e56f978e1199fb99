//! The fine-tuning job of "Adapt to this patient": the replayed training beats, one optimizer
//! step per job step ([`Adaptation`]), then the record classified again and scored on the beats
//! nobody was asked about ([`score_unqueried`], the CLI's rule).

use std::cell::RefCell;
use std::rc::Rc;

use super::views::{AdaptScores, AdaptView, ClassScores};
use super::{Pending, invalid};
use crate::classify::reference_classes;
use crate::dataset::BeatSet;
use crate::dataset::templates::Templates;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::session::job::Job;
use crate::session::protocol::Response;
use crate::session::views::Progress;
use crate::training::adapt::{AdaptBase, AdaptConfig, AdaptStep, Adaptation, PatientLabels};
use crate::training::patient::score_unqueried;
use crate::training::{TrainConfig, TrainedModel, prepare_run};
use crate::workspace::{BeatSource, Workspace};

enum Stage {
    Replay,
    Tuning(Box<Adaptation>),
    Scoring(Box<TrainedModel>, usize),
    Done,
}

/// Fine-tuning a copy of a run's model on a person's labels, one optimizer step per job step.
pub struct AdaptJob {
    pending: Pending,
    model: TrainedModel,
    labelled: Vec<(u32, AamiClass)>,
    from_annotations: bool,
    config: AdaptConfig,
    stage: Stage,
    started_ms: f64,
    tune_started_ms: f64,
    tune_ms: f64,
    last_post_ms: f64,
    replay_pool: usize,
    fine_tune_beats: usize,
    /// The next round's queries, once this round's copy picked them; the session holds the
    /// other end ([`AdaptJob::next_round`]).
    next: NextRound,
}

/// Where an [`AdaptJob`] leaves the next round's queries for the session.
pub type NextRound = Rc<RefCell<Option<Pending>>>;

impl AdaptJob {
    /// The job for `labelled` beats of the `pending` queries (checked by the caller), started at
    /// `now_ms`.
    pub(super) fn new(
        pending: Pending,
        model: TrainedModel,
        labelled: Vec<(u32, AamiClass)>,
        from_annotations: bool,
        now_ms: f64,
    ) -> AdaptJob {
        let config = AdaptConfig {
            budget: pending.queries.len(),
            ..AdaptConfig::default()
        };
        AdaptJob {
            pending,
            model,
            labelled,
            from_annotations,
            config,
            stage: Stage::Replay,
            started_ms: now_ms,
            tune_started_ms: 0.0,
            tune_ms: 0.0,
            last_post_ms: f64::NEG_INFINITY,
            replay_pool: 0,
            fine_tune_beats: 0,
            next: NextRound::default(),
        }
    }

    /// Where the job leaves the next round's queries when it is not the last round: the
    /// session keeps them once the job is over.
    pub fn next_round(&self) -> NextRound {
        Rc::clone(&self.next)
    }

    /// The real beats of the records the model was trained on, by its own split, and the
    /// templates of every loaded record. Rebalancing and synthetic beats are not rebuilt: only
    /// real training beats are replayed.
    fn replay_set(&self, ws: &mut Workspace) -> Result<(BeatSet, Templates), crate::Error> {
        let beats = ws.beats(BeatSource::Records);
        if beats.layout != self.model.layout {
            return Err(crate::Error::Invalid(
                "the loaded records' beats are cut with another window than the model's: set the window the model was trained with".into(),
            ));
        }
        let config = TrainConfig {
            rebalance: None,
            synthetic: None,
            ..self.model.train_config.clone()
        };
        let run = prepare_run(beats, &config, None)?;
        let trained_on = &self.model.trained_on;
        let train = if trained_on.is_empty() {
            run.train
        } else {
            let keep: Vec<u32> = (0..run.train.len() as u32)
                .filter(|&i| {
                    trained_on
                        .iter()
                        .any(|n| n == run.train.record_of(i as usize))
                })
                .collect();
            run.train.subset(&keep)
        };
        if train.is_empty() {
            return Err(crate::Error::Invalid(
                "none of the records the model was trained on is loaded: load them again, so their beats can be replayed while fine-tuning (the model would forget the other patients otherwise)".into(),
            ));
        }
        Ok((train, run.templates))
    }

    fn progress(&self, a: &Adaptation) -> Response {
        let p = a.progress();
        Response::Progress(Progress {
            job: "adapt".into(),
            done: p.steps_done as f64,
            total: p.steps.max(1) as f64,
            label: format!(
                "fine-tuning on {} labelled beats{}: network {} of {}, step {} of {}",
                self.labelled.len(),
                if self.pending.more_rounds() {
                    ", to pick the next round's beats"
                } else {
                    ""
                },
                p.network + 1,
                p.networks,
                p.steps_done,
                p.steps
            ),
        })
    }

    fn view(&self, ws: &Workspace, adapted: &TrainedModel, steps: usize, now: f64) -> AdaptView {
        let p = &self.pending;
        let all: Vec<u32> = (0..p.beats.len() as u32).collect();
        let after = adapted.predict(p.beats.beats(), &all, &p.templates);
        let counts = |pred: &[usize]| {
            let mut c = ClassCounts::default();
            for &k in pred {
                c.add(AamiClass::from_index(k).unwrap_or(AamiClass::Q));
            }
            c
        };
        let mut labelled_counts = ClassCounts::default();
        for &(_, c) in &self.labelled {
            labelled_counts.add(c);
        }
        // Scoring: the record's annotations are read only now, and the queried beats are left
        // out.
        let scores = ws.record(&p.record).and_then(|rec| {
            let peaks: Vec<usize> = p.r_samples.iter().map(|&r| r as usize).collect();
            let truth = reference_classes(rec, &peaks);
            if truth.iter().all(Option::is_none) {
                return None;
            }
            let (before, after) = score_unqueried(&truth, &p.queries, &p.predicted_before, &after);
            let unqueried = p.beats.len() - p.queries.len();
            let scored = before.total() as usize;
            let macro_classes: Vec<AamiClass> =
                [AamiClass::N, AamiClass::S, AamiClass::V, AamiClass::F]
                    .into_iter()
                    .filter(|c| before.support(c.index()) > 0)
                    .collect();
            let present: Vec<usize> = macro_classes.iter().map(|c| c.index()).collect();
            Some(AdaptScores {
                scored,
                unmatched: unqueried.saturating_sub(scored),
                classes: AamiClass::ALL
                    .into_iter()
                    .map(|c| ClassScores {
                        class: c,
                        before: before.class_metrics(c.index()),
                        after: after.class_metrics(c.index()),
                        predicted_before: before.predicted(c.index()),
                        predicted_after: after.predicted(c.index()),
                    })
                    .collect(),
                macro_f1_before: before.macro_f1_over(&present),
                macro_f1_after: after.macro_f1_over(&present),
                macro_classes,
                before,
                after,
            })
        });
        AdaptView {
            run: p.run,
            record: p.record.clone(),
            budget: p.budget,
            beats: p.beats.len(),
            queried: p.queries.len(),
            labelled: self.labelled.len(),
            labelled_counts,
            from_annotations: self.from_annotations,
            counts_before: counts(&p.predicted_before),
            counts_after: counts(&after),
            scores,
            replay_pool: self.replay_pool,
            fine_tune_beats: self.fine_tune_beats,
            networks: adapted.models.len(),
            steps,
            fine_tune_ms: self.tune_ms,
            total_ms: now - self.started_ms,
        }
    }
}

impl Job for AdaptJob {
    fn name(&self) -> &str {
        "adapt"
    }

    fn step(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let (next, more) = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Replay => {
                out(Response::Progress(Progress {
                    job: "adapt".into(),
                    done: 0.0,
                    total: 1.0,
                    label: "gathering the training beats to replay".into(),
                }));
                let made = self.replay_set(ws).and_then(|(train, templates)| {
                    self.replay_pool = train.len();
                    let base = AdaptBase {
                        model: &self.model,
                        train: &train,
                        templates: &templates,
                    };
                    let patient = PatientLabels {
                        record: &self.pending.beats,
                        templates: &self.pending.templates,
                        labelled: &self.labelled,
                    };
                    Adaptation::new(base, patient, &self.config)
                });
                match made {
                    Ok(a) => {
                        self.fine_tune_beats = a.beats();
                        self.tune_started_ms = now_ms();
                        (Stage::Tuning(Box::new(a)), true)
                    }
                    Err(e) => {
                        out(Response::error_in(&self.pending.record, &e));
                        (Stage::Done, false)
                    }
                }
            }
            Stage::Tuning(mut a) => {
                let step = a.step();
                let now = now_ms();
                match step {
                    Ok(AdaptStep::Done) => {
                        self.tune_ms = now - self.tune_started_ms;
                        let steps = a.progress().steps_done;
                        match a.finish() {
                            Some(m) => (Stage::Scoring(Box::new(m), steps), true),
                            None => {
                                out(Response::Error(invalid(
                                    "fine-tuning ended without a model",
                                )));
                                (Stage::Done, false)
                            }
                        }
                    }
                    Ok(_) => {
                        if now - self.last_post_ms > 150.0 {
                            self.last_post_ms = now;
                            out(self.progress(&a));
                        }
                        (Stage::Tuning(a), true)
                    }
                    Err(e) => {
                        out(Response::error_in(&self.pending.record, &e));
                        (Stage::Done, false)
                    }
                }
            }
            Stage::Scoring(model, _) if self.pending.more_rounds() => {
                // Not the last round: the copy picks the next beats to label.
                out(Response::Progress(Progress {
                    job: "adapt".into(),
                    done: 1.0,
                    total: 1.0,
                    label: "picking the next beats to label with the fine-tuned copy".into(),
                }));
                let now = now_ms();
                let next = ws
                    .record(&self.pending.record)
                    .and_then(|rec| self.pending.next_round(&model, rec, now - self.started_ms));
                match next {
                    Some((pending, view)) => {
                        *self.next.borrow_mut() = Some(pending);
                        out(Response::AdaptQueries(Box::new(view)));
                    }
                    None => out(Response::Error(invalid(format!(
                        "record {} is no longer loaded",
                        self.pending.record
                    )))),
                }
                (Stage::Done, false)
            }
            Stage::Scoring(model, steps) => {
                out(Response::Progress(Progress {
                    job: "adapt".into(),
                    done: 1.0,
                    total: 1.0,
                    label: format!("classifying record {} again", self.pending.record),
                }));
                out(Response::Adapted(Box::new(self.view(
                    ws,
                    &model,
                    steps,
                    now_ms(),
                ))));
                (Stage::Done, false)
            }
            Stage::Done => (Stage::Done, false),
        };
        self.stage = next;
        !more
    }

    fn cancel(
        &mut self,
        _ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.stage = Stage::Done;
        out(Response::Cancelled {
            message: format!(
                "Adaptation to record {} cancelled; run {}'s model is unchanged.",
                self.pending.record, self.pending.run
            ),
        });
        true
    }
}
