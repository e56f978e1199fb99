//! Train-on-synthetic / test-on-real (TSTR): the score of the synthetic beats' quality report
//! that needs the classifier ([`TstrJob`]). The plan, generation and joining of synthetic beats
//! live in [`crate::dataset::synthetic::plan`].

use crate::dataset::synthetic::plan::{SynthesizedSet, add_to_training};
use crate::dataset::synthetic::{PatientBeats, TstrScore, synth_patient_beats};
use crate::dataset::{BeatSet, Origin};
use crate::ecg::aami::{AamiClass, N_CLASSES};
use crate::features::Templates;
use crate::metrics::ConfusionMatrix;
use crate::rng::Rng;
use crate::training::{Phase, TrainConfig, TrainedModel, Trainer};

/// Train-on-synthetic / test-on-real: synthetic beats per class used for training.
pub const TSTR_TRAIN_PER_CLASS: usize = 600;
/// Real beats per class scored.
pub const TSTR_TEST_PER_CLASS: usize = 1500;
/// Epochs of the train-on-synthetic model.
pub const TSTR_EPOCHS: usize = 4;

/// Train-on-synthetic, test-on-real: the project's model ([`crate::model::Model`], the Train
/// screen's network and loss) trained for [`TSTR_EPOCHS`] epochs on synthetic beats only — at
/// most [`TSTR_TRAIN_PER_CLASS`] per class of the plan, plus as many synthetic N beats from the
/// same generator so that "normal" exists — and scored on real training-split beats of those
/// classes (at most [`TSTR_TEST_PER_CLASS`] per class, a seeded draw). Sensitivity per class
/// says whether the synthetic beats alone teach what the real beats of the class look like.
/// Steps one batch at a time.
pub struct TstrJob {
    trainer: Option<Trainer>,
    test: BeatSet,
    test_templates: Templates,
    trained_per_class: [usize; N_CLASSES],
    classes: Vec<AamiClass>,
}

impl TstrJob {
    /// Prepares the check of `synthetic` against `real` (training-split beats, with the
    /// templates of their records, `real_templates`).
    pub fn new(
        real: &BeatSet,
        real_templates: &Templates,
        synthetic: &SynthesizedSet,
    ) -> Result<TstrJob, crate::Error> {
        let seed = synthetic.config.seed;
        let layout = real.layout;
        let mut train = BeatSet::new(layout);
        let mut templates = Templates::default();
        let mut trained = [0usize; N_CLASSES];
        let mut rng = Rng::new(seed ^ 0x7357_0000_7357);
        let mut classes: Vec<AamiClass> = Vec::new();
        for &(class, n) in &synthetic.config.counts {
            if n == 0 {
                continue;
            }
            let idx = synthetic.beats.beats.indices_of_class(class);
            let mut idx = idx;
            rng.shuffle(&mut idx);
            idx.truncate(TSTR_TRAIN_PER_CLASS);
            let part = PatientBeats {
                beats: synthetic.beats.beats.subset(&idx),
                normal_windows: Vec::new(),
            };
            // Only the picked beats' patients: re-index records.
            let picked = reindex(&part.beats, &idx, synthetic);
            add_to_training(&mut train, &mut templates, &picked)?;
            trained[class.index()] += idx.len();
            classes.push(class);
        }
        if !classes.contains(&AamiClass::N) {
            let n = trained.iter().copied().max().unwrap_or(0).max(1);
            let normal = synth_patient_beats(
                &synthetic.synth_config,
                AamiClass::N,
                n,
                layout,
                seed ^ 0x4e4e,
            )?;
            add_to_training(&mut train, &mut templates, &normal)?;
            trained[AamiClass::N.index()] += n;
            classes.push(AamiClass::N);
        }
        let mut test_idx = Vec::new();
        for &class in &classes {
            let mut idx: Vec<u32> = real
                .indices_of_class(class)
                .into_iter()
                .filter(|&i| real.origin[i as usize] == Origin::Real)
                .collect();
            rng.shuffle(&mut idx);
            idx.truncate(TSTR_TEST_PER_CLASS);
            test_idx.extend(idx);
        }
        test_idx.sort_unstable();
        let config = TrainConfig::new()
            .with_epochs(TSTR_EPOCHS)
            .with_batch_size(64)
            .with_patience(TSTR_EPOCHS)
            .with_ensemble(1)
            .with_seed(seed);
        let empty = BeatSet::new(layout);
        let trainer = Trainer::new(config, &train, &empty, templates)?;
        Ok(TstrJob {
            trainer: Some(trainer),
            test: real.subset(&test_idx),
            test_templates: real_templates.clone(),
            trained_per_class: trained,
            classes,
        })
    }

    /// Trains one batch; false once training has finished.
    pub fn step(&mut self) -> bool {
        match self.trainer.as_mut() {
            Some(t) => t.step(&mut |_| {}) == Phase::Running,
            None => false,
        }
    }

    /// (epoch, epochs) of the training.
    pub fn epochs(&self) -> (usize, usize) {
        self.trainer
            .as_ref()
            .map_or((0, 0), |t| (t.history().len(), t.config().epochs))
    }

    /// Scores the real beats with the model trained so far.
    pub fn finish(mut self) -> Result<TstrScore, crate::Error> {
        let model: TrainedModel = self
            .trainer
            .take()
            .and_then(Trainer::finish)
            .ok_or_else(|| crate::Error::Invalid("the check produced no model".into()))?;
        let all: Vec<u32> = (0..self.test.len() as u32).collect();
        let pred = model.predict(&self.test, &all, &self.test_templates);
        let truth: Vec<usize> = self.test.labels.iter().map(|c| c.index()).collect();
        let cm = ConfusionMatrix::from_predictions(&truth, &pred, N_CLASSES);
        let per = cm.per_class();
        let support = self.test.class_counts().0.to_vec();
        let scored = |c: usize| {
            AamiClass::from_index(c).is_some_and(|cl| self.classes.contains(&cl)) && support[c] > 0
        };
        let f1: Vec<Option<f64>> = (0..N_CLASSES)
            .map(|c| scored(c).then(|| per[c].f1))
            .collect();
        let se: Vec<Option<f64>> = (0..N_CLASSES)
            .map(|c| scored(c).then(|| per[c].se))
            .collect();
        let present: Vec<f64> = f1.iter().flatten().copied().collect();
        let macro_f1 = if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        };
        Ok(TstrScore {
            macro_f1,
            f1_per_class: f1,
            sensitivity_per_class: se,
            support_per_class: support,
            trained_per_class: self.trained_per_class.to_vec(),
            method: format!(
                "the Train screen's network, {TSTR_EPOCHS} epochs on at most {TSTR_TRAIN_PER_CLASS} synthetic beats per class (plus synthetic N beats when the plan has none), scored on at most {TSTR_TEST_PER_CLASS} real training-split beats per class"
            ),
        })
    }

    /// Runs to the end.
    pub fn run(mut self) -> Result<TstrScore, crate::Error> {
        while self.step() {}
        self.finish()
    }
}

/// `subset` (beats `idx` of `synthetic`) with one record per beat and each its patient's normal
/// beat.
fn reindex(subset: &BeatSet, idx: &[u32], synthetic: &SynthesizedSet) -> PatientBeats {
    let src = &synthetic.beats;
    let mut beats = subset.clone();
    beats.records = Vec::with_capacity(idx.len());
    let mut normal_windows = Vec::with_capacity(idx.len());
    for (k, &i) in idx.iter().enumerate() {
        let rid = src.beats.record_id[i as usize] as usize;
        beats.records.push(src.beats.records[rid].clone());
        normal_windows.push(src.normal_windows[rid].clone());
        beats.record_id[k] = k as u32;
    }
    PatientBeats {
        beats,
        normal_windows,
    }
}
