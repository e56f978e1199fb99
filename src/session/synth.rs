//! Synthetic beats as a session job: generation in chunks from the training side of the split
//! (progress, Cancel), then the quality report against the real training beats, then the
//! train-on-synthetic / test-on-real check one batch at a time. The set is kept in the session
//! so that a training run with the same plan and training beats uses it instead of generating
//! again ([`crate::training::prepare_run_with`]).

use super::job::{Generated, Job};
use super::protocol::Response;
use super::views::{Progress, SynthClassView, SynthView};
use crate::dataset::BeatSet;
use crate::dataset::split::{Split, SplitKind};
use crate::dataset::synthetic::plan::{SynthGeneration, SynthTrainConfig, SynthesizedSet};
use crate::dataset::synthetic::{class_mean, quality_report};
use crate::features::Templates;
use crate::synth_train::TstrJob;
use crate::training::{TrainConfig, make_sets};
use crate::workspace::{BeatSource, Workspace};

/// Synthetic beats per class sent to the page for the gallery.
pub const GALLERY_BEATS: usize = 12;

enum Stage {
    Generating(Box<SynthGeneration>),
    Checking(Box<TstrJob>, Box<SynthesizedSet>),
    Done,
}

/// The generation job.
pub struct SynthJob {
    stage: Stage,
    fingerprint: u64,
    real: BeatSet,
    templates: Templates,
    started_ms: f64,
    generate_ms: f64,
    check_started_ms: f64,
    view: Option<SynthView>,
    /// The set, once made; taken by the session.
    pub finished: Option<Generated>,
}

/// The training beats a run with default settings on `split` trains on (the training side
/// minus its validation records), their indices, and the templates of every record.
fn training_beats(
    ws: &mut Workspace,
    split: SplitKind,
) -> Result<(BeatSet, u64, Templates), crate::Error> {
    let source = ws.default_source();
    if source == BeatSource::BeatFiles {
        return Err(crate::Error::Invalid(
            "synthetic beats need recordings (records or the demo set): beat files carry no RR intervals".into(),
        ));
    }
    let split = ws.effective_split(source, split);
    let beats = ws.beats(source);
    if beats.is_empty() {
        return Err(crate::Error::Invalid(
            "no beats loaded: load records or the demo set first".into(),
        ));
    }
    let defaults = TrainConfig::new().with_split(split);
    let sets = make_sets(
        beats,
        &Split::new(beats, split, None),
        defaults.validation_fraction,
        defaults.seed,
        matches!(split, SplitKind::InterPatient { .. }),
    );
    if sets.train.is_empty() {
        return Err(crate::Error::Invalid(
            "the training side of this split is empty".into(),
        ));
    }
    let fingerprint = crate::dataset::synthetic::plan::training_fingerprint(beats, &sets.train);
    Ok((
        beats.subset(&sets.train),
        fingerprint,
        Templates::fit(beats),
    ))
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl SynthJob {
    /// Prepares the plan `config` on the training side of `split`.
    pub fn new(
        ws: &mut Workspace,
        split: SplitKind,
        config: SynthTrainConfig,
        now_ms: f64,
    ) -> Result<SynthJob, crate::Error> {
        let (real, fingerprint, templates) = training_beats(ws, split)?;
        let generation = SynthGeneration::new(&real, &config)?;
        Ok(SynthJob {
            stage: Stage::Generating(Box::new(generation)),
            fingerprint,
            real,
            templates,
            started_ms: now_ms,
            generate_ms: 0.0,
            check_started_ms: 0.0,
            view: None,
            finished: None,
        })
    }

    fn fail(&mut self, e: crate::Error, out: &mut dyn FnMut(Response)) -> bool {
        self.stage = Stage::Done;
        out((&e).into());
        true
    }

    /// The view without the train-on-synthetic figures.
    fn view_of(&self, set: &SynthesizedSet) -> Result<SynthView, crate::Error> {
        let synthetic = &set.beats.beats;
        let report = quality_report(&self.real, synthetic)?;
        let counts = synthetic.class_counts();
        let mut classes = Vec::new();
        for &(class, n) in &set.config.counts {
            if n == 0 {
                continue;
            }
            let q = report.classes.iter().find(|q| q.class == class);
            let examples = synthetic
                .indices_of_class(class)
                .into_iter()
                .take(GALLERY_BEATS)
                .map(|i| synthetic.window(i as usize).to_vec())
                .collect();
            let fitted = (set.config.mode == crate::dataset::synthetic::plan::SynthMode::Fitted)
                .then(|| {
                    set.fits
                        .iter()
                        .any(|f| f.class == class && f.replaces_table)
                });
            classes.push(SynthClassView {
                class,
                n_synthetic: counts.get(class),
                n_real: self.real.class_counts().get(class),
                corr_median: q.and_then(|q| finite(q.corr_median)),
                corr_q25: q.and_then(|q| finite(q.corr_q25)),
                corr_q75: q.and_then(|q| finite(q.corr_q75)),
                real_corr_median: q.and_then(|q| finite(q.real_corr_median)),
                nn_synthetic_to_real_mv: q.and_then(|q| finite(q.nn_synthetic_to_real_mv)),
                nn_real_to_real_mv: q.and_then(|q| finite(q.nn_real_to_real_mv)),
                tstr_sensitivity: None,
                tstr_support: 0,
                real_mean: class_mean(&self.real, class),
                examples,
                fitted,
            });
        }
        Ok(SynthView {
            config: set.config.clone(),
            layout: synthetic.layout,
            counts,
            generate_ms: self.generate_ms,
            beats_per_second: synthetic.len() as f64 / (self.generate_ms / 1000.0).max(1e-9),
            quality_ms: 0.0,
            classes,
            tstr_macro_f1: None,
            tstr_method: String::new(),
            cancelled: false,
        })
    }

    /// The view so far (for tests).
    pub fn view(&self) -> Option<&SynthView> {
        self.view.as_ref()
    }
}

impl Job for SynthJob {
    fn name(&self) -> &str {
        "synth"
    }

    fn step(
        &mut self,
        _ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        match stage {
            Stage::Generating(mut g) => match g.step() {
                Err(e) => self.fail(e, out),
                Ok(more) => {
                    let (done, total) = g.progress();
                    out(Response::Progress(Progress {
                        job: "synth".into(),
                        done: done as f64,
                        total: total as f64,
                        label: format!("generating synthetic beats: {done} of {total}"),
                    }));
                    if more {
                        self.stage = Stage::Generating(g);
                        return false;
                    }
                    let now = now_ms();
                    self.generate_ms = now - self.started_ms;
                    self.check_started_ms = now;
                    let set = g.finish();
                    let view = match self.view_of(&set) {
                        Ok(v) => v,
                        Err(e) => return self.fail(e, out),
                    };
                    self.view = Some(view);
                    match TstrJob::new(&self.real, &self.templates, &set) {
                        Ok(t) => {
                            out(Response::Progress(Progress {
                                job: "synth".into(),
                                done: 0.0,
                                total: 1.0,
                                label: "train on synthetic, test on real".into(),
                            }));
                            self.stage = Stage::Checking(Box::new(t), Box::new(set));
                            false
                        }
                        Err(e) => self.fail(e, out),
                    }
                }
            },
            Stage::Checking(mut t, set) => {
                if t.step() {
                    let (e, n) = t.epochs();
                    out(Response::Progress(Progress {
                        job: "synth".into(),
                        done: e as f64,
                        total: n as f64,
                        label: format!("train on synthetic, test on real: epoch {} of {n}", e + 1),
                    }));
                    self.stage = Stage::Checking(t, set);
                    return false;
                }
                let score = t.finish();
                let mut view = match (self.view.take(), score) {
                    (Some(v), Ok(s)) => {
                        let mut v = v;
                        for c in &mut v.classes {
                            let k = c.class.index();
                            c.tstr_sensitivity = s.sensitivity_per_class.get(k).copied().flatten();
                            c.tstr_support = s.support_per_class.get(k).copied().unwrap_or(0);
                        }
                        v.tstr_macro_f1 = finite(s.macro_f1);
                        v.tstr_method = s.method;
                        v
                    }
                    (_, Err(e)) => return self.fail(e, out),
                    (None, _) => return true,
                };
                view.quality_ms = now_ms() - self.check_started_ms;
                out(Response::Synthesized(Box::new(view)));
                self.finished = Some((self.fingerprint, *set));
                true
            }
            Stage::Done => true,
        }
    }

    fn cancel(
        &mut self,
        _ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        self.stage = Stage::Done;
        self.finished = None;
        out(Response::Cancelled {
            message: "Synthetic beats: generation cancelled; nothing was kept.".into(),
        });
        true
    }

    fn take_synthetic(&mut self) -> Option<Generated> {
        self.finished.take()
    }
}
