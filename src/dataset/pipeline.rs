//! The way from one beat set to the three sets of a run: split (by patient by default), the
//! validation records drawn from the training side, rebalancing of the training beats, and
//! synthetic beats added to them — in that order, so that nothing done to training beats can
//! touch a validation or test beat, and nothing fitted (rebalancing plans, fitted synthetic
//! class models) sees a beat outside the training subset.

use serde::{Deserialize, Serialize};

use super::BeatSet;
use super::rebalance::RebalanceConfig;
use super::split::{Split, SplitKind};
use super::synthetic::plan::{
    SynthGeneration, SynthTrainConfig, SynthesizedSet, add_to_training, training_fingerprint,
};
use super::templates::Templates;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::rng::Rng;

/// Beat indices of the three sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sets {
    /// Training beats (training records minus validation records).
    pub train: Vec<u32>,
    /// Validation beats (whole records taken from the training side).
    pub val: Vec<u32>,
    /// Test beats.
    pub test: Vec<u32>,
    /// Names of the validation records.
    pub val_records: Vec<String>,
}

/// Splits `beats` into training, validation and test beats, validation always from the training
/// side of `split`. For a by-patient split, validation is whole records ([`pick_validation`]), so
/// early stopping rewards what generalises to new patients. For a beat-level split (`by_record`
/// false) the test side shares patients with training anyway, so validation is a seeded,
/// class-stratified `fraction` of the training beats.
pub fn make_sets(
    beats: &BeatSet,
    split: &Split,
    fraction: f64,
    seed: u64,
    by_record: bool,
) -> Sets {
    if !by_record {
        let mut rng = Rng::new(seed ^ 0x7A11_DA7E);
        let mut val = Vec::new();
        let mut train = Vec::new();
        for class in AamiClass::ALL {
            let mut idx: Vec<u32> = split
                .train
                .iter()
                .copied()
                .filter(|&i| beats.labels[i as usize] == class)
                .collect();
            rng.shuffle(&mut idx);
            let k = ((idx.len() as f64) * fraction.clamp(0.0, 0.5)).round() as usize;
            val.extend_from_slice(&idx[..k.min(idx.len())]);
            train.extend_from_slice(&idx[k.min(idx.len())..]);
        }
        val.sort_unstable();
        train.sort_unstable();
        return Sets {
            train,
            val,
            test: split.test.clone(),
            val_records: Vec::new(),
        };
    }
    let val_ids = pick_validation(beats, &split.train, fraction, seed);
    let is_val = |i: u32| val_ids.contains(&beats.record_id[i as usize]);
    let (val, train): (Vec<u32>, Vec<u32>) = split.train.iter().partition(|&&i| is_val(i));
    Sets {
        train,
        val,
        test: split.test.clone(),
        val_records: val_ids
            .iter()
            .filter_map(|&r| beats.records.get(r as usize).cloned())
            .collect(),
    }
}

/// Record ids to hold out for validation, chosen among the records of `train` beats only.
///
/// Greedy and seeded: records are taken one at a time, the one that best closes the gap to
/// `fraction` of every class present wins, and no record is taken that would put more than
/// twice `fraction` of a class into validation. A record holding over half of a class's
/// training beats is never taken (MIT-BIH record 208 holds 90 % of DS1's fusion beats: without
/// it there is nothing to learn F from). With a single training record, nothing is held out.
/// For beat-level splits (records on both sides) the same rule applies to the training beats.
pub fn pick_validation(beats: &BeatSet, train: &[u32], fraction: f64, seed: u64) -> Vec<u32> {
    let mut per_record: Vec<(u32, ClassCounts)> = Vec::new();
    for &i in train {
        let r = beats.record_id[i as usize];
        match per_record.iter_mut().find(|(id, _)| *id == r) {
            Some((_, c)) => c.add(beats.labels[i as usize]),
            None => {
                let mut c = ClassCounts::default();
                c.add(beats.labels[i as usize]);
                per_record.push((r, c));
            }
        }
    }
    if per_record.len() < 2 || fraction <= 0.0 {
        return Vec::new();
    }
    let total = per_record
        .iter()
        .fold(ClassCounts::default(), |a, (_, c)| a.merged(c));
    let mut rng = Rng::new(seed ^ 0x005E_ED0F_7A11);
    rng.shuffle(&mut per_record);
    // Classes with too few beats to share out (DS1 has 8 Q beats) do not steer the choice.
    let steering: Vec<AamiClass> = AamiClass::ALL
        .into_iter()
        .filter(|&c| total.get(c) >= 20)
        .collect();
    let gap = |v: &ClassCounts| -> f64 {
        steering
            .iter()
            .map(|&c| (fraction - v.get(c) as f64 / total.get(c) as f64).max(0.0))
            .sum()
    };
    let mut val = ClassCounts::default();
    let mut chosen = Vec::new();
    loop {
        let current = gap(&val);
        let mut best: Option<(usize, f64)> = None;
        for (k, (_, c)) in per_record.iter().enumerate() {
            let dominant = steering
                .iter()
                .any(|&cl| c.get(cl) as f64 > 0.5 * total.get(cl) as f64);
            let next = val.merged(c);
            let overshoot = steering.iter().any(|&cl| {
                c.get(cl) > 0 && next.get(cl) as f64 > 2.0 * fraction * total.get(cl) as f64
            });
            if dominant || overshoot {
                continue;
            }
            let g = gap(&next);
            if g < current - 1e-12 && best.is_none_or(|(_, bg)| g < bg) {
                best = Some((k, g));
            }
        }
        match best {
            Some((k, _)) => {
                let (id, c) = per_record.remove(k);
                val = val.merged(&c);
                chosen.push(id);
            }
            None => break,
        }
        if per_record.len() <= 1 || val.total() as f64 >= fraction * total.total() as f64 {
            break;
        }
    }
    chosen.sort_unstable();
    chosen
}

/// The three beat sets of a run and the per-record templates.
#[derive(Debug, Clone)]
pub struct PreparedRun {
    /// Indices into the full beat set.
    pub sets: Sets,
    /// Training beats (training records minus validation records).
    pub train: BeatSet,
    /// Validation beats.
    pub val: BeatSet,
    /// Test beats.
    pub test: BeatSet,
    /// Templates of every record of the full set (each from its own beats, label-free).
    pub templates: Templates,
    /// What rebalancing did to the training beats, when the run rebalances.
    pub rebalance: Option<crate::dataset::rebalance::RebalanceReport>,
    /// Synthetic beats added to the training beats per class, when the run adds them.
    pub synthetic: Option<ClassCounts>,
}

/// What the pipeline needs from a run's settings (see `crate::training::TrainConfig`, which
/// makes one with its `pipeline` method).
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineConfig {
    /// How beats are split into training and test sets.
    pub split: SplitKind,
    /// Share of training records (aimed at per minority class) held out for validation.
    pub validation_fraction: f64,
    /// Seed of the validation choice.
    pub seed: u64,
    /// Rebalancing of the training beats, if any.
    pub rebalance: Option<RebalanceConfig>,
    /// Synthetic beats added to the training beats, if any.
    pub synthetic: Option<SynthTrainConfig>,
}

/// Splits `beats` for a run of `config`, rebalances the training beats and adds synthetic
/// beats to them when the config asks for it. `given_test` marks test beats for
/// [`SplitKind::Given`]. `generated` is a synthetic set made earlier from training beats with
/// the given [`training_fingerprint`], used instead of generating again when this run's plan
/// and training beats are the same (the page generates once, then trains).
pub fn prepare(
    beats: &BeatSet,
    config: &PipelineConfig,
    given_test: Option<&[bool]>,
    generated: Option<(u64, &SynthesizedSet)>,
) -> Result<PreparedRun, crate::Error> {
    let split = Split::new(beats, config.split, given_test);
    let by_record = matches!(config.split, SplitKind::InterPatient { .. });
    let sets = make_sets(
        beats,
        &split,
        config.validation_fraction,
        config.seed,
        by_record,
    );
    let mut train = beats.subset(&sets.train);
    let mut report = None;
    if let Some(rc) = &config.rebalance {
        // Only the training subset exists here: validation and test beats cannot be touched.
        let done = super::rebalance::rebalance(&train, rc, &mut |_, _| true)?;
        train = done.beats;
        report = Some(done.report);
    }
    let mut templates = Templates::fit(beats);
    let mut synthetic = None;
    if let Some(sc) = &config.synthetic {
        // Generated from (fitted to) the real training beats only, then added to them alone.
        let reuse = generated.filter(|(fingerprint, set)| {
            set.config == *sc
                && set.beats.beats.layout == beats.layout
                && *fingerprint == training_fingerprint(beats, &sets.train)
        });
        let made;
        let set = match reuse {
            Some((_, set)) => set,
            None => {
                let real_train = beats.subset(&sets.train);
                made = SynthGeneration::new(&real_train, sc)?.run()?;
                &made
            }
        };
        add_to_training(&mut train, &mut templates, &set.beats)?;
        synthetic = Some(set.beats.beats.class_counts());
    }
    Ok(PreparedRun {
        train,
        val: beats.subset(&sets.val),
        test: beats.subset(&sets.test),
        templates,
        sets,
        rebalance: report,
        synthetic,
    })
}
