//! Synthetic beats for training: the plan ([`SynthTrainConfig`], the guide's F 4,000, S 3,000,
//! V 2,000 by default), their generation after the split from the **training beats only**
//! ([`SynthGeneration`], in chunks so the page's worker can report progress and take a
//! Cancel), and how they join the training beats ([`add_to_training`]).
//!
//! Honest by construction, as rebalancing is ([`crate::dataset::pipeline`]): generation sees
//! the training subset and nothing else (fitted mode fits its class means there), the beats are
//! appended to the training subset only, each marked [`Origin::Synthetic`], each in its own
//! virtual-patient record whose template is that patient's own sinus beat (so the
//! template-difference input means the same thing as for a real beat), with RR features from
//! the beat's simulated rhythm strip ([`super`]).

use serde::{Deserialize, Serialize};

use super::{
    FittedClass, PatientBeats, SynthConfig, fit_class_models, fitted_config, synth_patient_beats,
};
use crate::dataset::templates::Templates;
use crate::dataset::{BeatSet, Origin};
use crate::ecg::aami::AamiClass;
use crate::rng::Rng;

/// Where the class models come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SynthMode {
    /// The built-in parameter tables ([`crate::dataset::synthetic::ClassModel::table`]).
    #[default]
    Default,
    /// Tables re-centred on a least-squares fit to the training beats' class means
    /// ([`fit_class_models`]).
    Fitted,
}

impl SynthMode {
    /// Name as the CLI and the page write it.
    pub fn name(self) -> &'static str {
        match self {
            SynthMode::Default => "default",
            SynthMode::Fitted => "fitted",
        }
    }
}

/// Most synthetic beats of one class in one plan.
pub const MAX_SYNTHETIC_PER_CLASS: usize = 100_000;

/// Synthetic beats to add to the training beats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthTrainConfig {
    /// Beats per class, each class at most once.
    pub counts: Vec<(AamiClass, usize)>,
    /// Built-in or fitted class models.
    pub mode: SynthMode,
    /// Seed of the generation.
    pub seed: u64,
}

impl Default for SynthTrainConfig {
    /// The seed guide's plan: F 4,000, S 3,000, V 2,000, built-in models, seed 42.
    fn default() -> Self {
        Self {
            counts: vec![
                (AamiClass::F, 4000),
                (AamiClass::S, 3000),
                (AamiClass::V, 2000),
            ],
            mode: SynthMode::Default,
            seed: 42,
        }
    }
}

impl SynthTrainConfig {
    /// Counts from `F:4000,S:3000,V:2000` (class codes N, S, V, F, Q).
    pub fn parse_counts(text: &str) -> Result<Vec<(AamiClass, usize)>, crate::Error> {
        let mut out: Vec<(AamiClass, usize)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (code, n) = part.split_once(':').ok_or_else(|| {
                crate::Error::Invalid(format!(
                    "synthetic counts: expected CLASS:COUNT such as F:4000, found \"{part}\""
                ))
            })?;
            let class = AamiClass::from_code(code.trim()).ok_or_else(|| {
                crate::Error::Invalid(format!(
                    "synthetic counts: \"{}\" is not a class (N, S, V, F or Q)",
                    code.trim()
                ))
            })?;
            let n: usize = n.trim().parse().map_err(|_| {
                crate::Error::Invalid(format!(
                    "synthetic counts: the count of {class} must be a whole number, found \"{}\"",
                    n.trim()
                ))
            })?;
            out.push((class, n));
        }
        let config = SynthTrainConfig {
            counts: out,
            ..SynthTrainConfig::default()
        };
        config.validate()?;
        Ok(config.counts)
    }

    /// Checks the plan: each class once, counts within [`MAX_SYNTHETIC_PER_CLASS`], at least
    /// one beat.
    pub fn validate(&self) -> Result<(), crate::Error> {
        for (k, (c, n)) in self.counts.iter().enumerate() {
            if self.counts[..k].iter().any(|(d, _)| d == c) {
                return Err(crate::Error::Invalid(format!(
                    "synthetic counts: class {c} is given twice"
                )));
            }
            if *n > MAX_SYNTHETIC_PER_CLASS {
                return Err(crate::Error::Invalid(format!(
                    "synthetic counts: {n} {c} beats is more than the {MAX_SYNTHETIC_PER_CLASS} allowed per class"
                )));
            }
        }
        if self.total() == 0 {
            return Err(crate::Error::Invalid(
                "synthetic counts: no beat to generate (give at least one class a count above 0)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Beats in the plan.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    /// Count of `class` (0 when absent).
    pub fn count_of(&self, class: AamiClass) -> usize {
        self.counts
            .iter()
            .find(|(c, _)| *c == class)
            .map_or(0, |(_, n)| *n)
    }

    /// One line, as in the runs table: `F 4000, S 3000, V 2000 (default, seed 42)`.
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        format!(
            "{} ({}, seed {})",
            counts.join(", "),
            self.mode.name(),
            self.seed
        )
    }
}

/// Beats generated per chunk (each chunk has its own seed, so chunking does not change beats).
pub const CHUNK_BEATS: usize = 250;

fn chunk_seed(seed: u64, class: AamiClass, chunk: usize) -> u64 {
    Rng::new(seed ^ ((class.index() as u64 + 1) << 56) ^ chunk as u64).next_u64()
}

/// Synthetic beats ready to join a training set.
#[derive(Debug, Clone)]
pub struct SynthesizedSet {
    /// The plan.
    pub config: SynthTrainConfig,
    /// The beats, one virtual-patient record each, with each patient's sinus beat.
    pub beats: PatientBeats,
    /// Fitted class models (fitted mode), fitted on the training beats given.
    pub fits: Vec<FittedClass>,
    /// The generator's settings (built-in or fitted), for the train-on-synthetic check.
    pub synth_config: SynthConfig,
}

/// Generation in chunks of [`CHUNK_BEATS`].
pub struct SynthGeneration {
    config: SynthTrainConfig,
    synth_config: SynthConfig,
    fits: Vec<FittedClass>,
    layout: crate::dataset::BeatLayout,
    /// (class, chunk, beats) still to make.
    todo: Vec<(AamiClass, usize, usize)>,
    next: usize,
    done_beats: usize,
    out: PatientBeats,
}

impl SynthGeneration {
    /// Prepares the plan `config` for beats shaped like `train` (the training beats: in fitted
    /// mode the class models are fitted to them, and to nothing else).
    pub fn new(train: &BeatSet, config: &SynthTrainConfig) -> Result<Self, crate::Error> {
        config.validate()?;
        if !train.has_rr() {
            return Err(crate::Error::Invalid(
                "synthetic beats need recordings (RR intervals): beat files such as the Kaggle CSV carry none".into(),
            ));
        }
        let (synth_config, fits) = match config.mode {
            SynthMode::Default => (SynthConfig::default(), Vec::new()),
            SynthMode::Fitted => {
                if train.is_empty() {
                    return Err(crate::Error::Invalid(
                        "fitted synthetic beats need training beats to fit to".into(),
                    ));
                }
                let fits = fit_class_models(train);
                (fitted_config(&fits), fits)
            }
        };
        let layout = train.layout;
        let mut todo = Vec::new();
        for &(class, n) in &config.counts {
            for chunk in 0..n.div_ceil(CHUNK_BEATS) {
                todo.push((class, chunk, (n - chunk * CHUNK_BEATS).min(CHUNK_BEATS)));
            }
        }
        Ok(Self {
            config: config.clone(),
            synth_config,
            fits,
            layout,
            todo,
            next: 0,
            done_beats: 0,
            out: PatientBeats {
                beats: BeatSet::new(layout),
                normal_windows: Vec::new(),
            },
        })
    }

    /// Makes the next chunk; false when every chunk is made.
    pub fn step(&mut self) -> Result<bool, crate::Error> {
        let Some(&(class, chunk, n)) = self.todo.get(self.next) else {
            return Ok(false);
        };
        let part = synth_patient_beats(
            &self.synth_config,
            class,
            n,
            self.layout,
            chunk_seed(self.config.seed, class, chunk),
        )?;
        append_patients(&mut self.out, part);
        self.next += 1;
        self.done_beats += n;
        Ok(self.next < self.todo.len())
    }

    /// Beats made so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.done_beats, self.config.total())
    }

    /// The beats (all, once [`SynthGeneration::step`] returned false).
    pub fn finish(self) -> SynthesizedSet {
        SynthesizedSet {
            config: self.config,
            beats: self.out,
            fits: self.fits,
            synth_config: self.synth_config,
        }
    }

    /// Runs every chunk.
    pub fn run(mut self) -> Result<SynthesizedSet, crate::Error> {
        while self.step()? {}
        Ok(self.finish())
    }
}

fn append_patients(into: &mut PatientBeats, part: PatientBeats) {
    let offset = into.beats.records.len() as u32;
    let b = part.beats;
    into.beats.windows.extend_from_slice(&b.windows);
    into.beats.rr.extend_from_slice(&b.rr);
    into.beats.labels.extend_from_slice(&b.labels);
    into.beats
        .record_id
        .extend(b.record_id.iter().map(|r| r + offset));
    into.beats.r_sample.extend_from_slice(&b.r_sample);
    into.beats.origin.extend_from_slice(&b.origin);
    into.beats.records.extend(b.records);
    into.normal_windows.extend(part.normal_windows);
}

/// A fingerprint of the beats at `indices` of `beats` (labels, records, R positions, windows,
/// RR features): a synthetic set made from one training set is only reused for the same one.
pub fn training_fingerprint(beats: &BeatSet, indices: &[u32]) -> u64 {
    // FNV-1a over the bytes that define the beats.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(indices.len() as u64);
    eat(u64::from(beats.layout.fs_hz.to_bits()));
    eat(beats.layout.len as u64);
    for &i in indices {
        let i = i as usize;
        if i >= beats.len() {
            eat(u64::MAX);
            continue;
        }
        eat(beats.labels[i].index() as u64);
        for byte in beats.record_of(i).bytes() {
            eat(u64::from(byte));
        }
        eat(beats.r_sample[i]);
        for v in beats.window(i).iter().chain(beats.rr_of(i)) {
            eat(u64::from(v.to_bits()));
        }
    }
    h
}

/// Appends `synthetic` to the training beats `train` and their records' templates to
/// `templates` (indexed by `train`'s record ids; records without one get an empty template).
pub fn add_to_training(
    train: &mut BeatSet,
    templates: &mut Templates,
    synthetic: &PatientBeats,
) -> Result<(), crate::Error> {
    let s = &synthetic.beats;
    if s.layout != train.layout {
        return Err(crate::Error::Invalid(format!(
            "synthetic beats were made for windows of {} samples at {} Hz, the training beats have {} at {} Hz: generate them again",
            s.layout.len, s.layout.fs_hz, train.layout.len, train.layout.fs_hz
        )));
    }
    if s.records.len() != synthetic.normal_windows.len() {
        return Err(crate::Error::Invalid(
            "synthetic beats without their patients' normal beats".into(),
        ));
    }
    while templates.beats.len() < train.records.len() {
        templates.beats.push(Vec::new());
        templates.scale.push(1.0);
    }
    templates.beats.truncate(train.records.len());
    templates.scale.truncate(train.records.len());
    let offset = train.records.len() as u32;
    train.records.extend(s.records.iter().cloned());
    for w in &synthetic.normal_windows {
        templates.push_template(w.clone());
    }
    train.windows.extend_from_slice(&s.windows);
    train.rr.extend_from_slice(&s.rr);
    train.labels.extend_from_slice(&s.labels);
    train
        .record_id
        .extend(s.record_id.iter().map(|r| r + offset));
    train.r_sample.extend_from_slice(&s.r_sample);
    train
        .origin
        .extend(std::iter::repeat_n(Origin::Synthetic, s.len()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_and_bad_input_is_an_error() {
        let c = SynthTrainConfig::parse_counts("F:4000, S:3000,V:2000").expect("valid");
        assert_eq!(c, SynthTrainConfig::default().counts);
        assert!(SynthTrainConfig::parse_counts("F=4000").is_err());
        assert!(SynthTrainConfig::parse_counts("X:10").is_err());
        assert!(SynthTrainConfig::parse_counts("F:ten").is_err());
        assert!(SynthTrainConfig::parse_counts("F:1,F:2").is_err());
        assert!(SynthTrainConfig::parse_counts("F:0").is_err());
        assert!(SynthTrainConfig::parse_counts("").is_err());
        assert_eq!(
            SynthTrainConfig::default().describe(),
            "F 4000, S 3000, V 2000 (default, seed 42)"
        );
    }

    #[test]
    fn chunks_make_the_plan_and_each_beat_has_its_patient() {
        let layout = crate::dataset::BeatLayout::default();
        let mut real = BeatSet::new(layout);
        let id = real.record_index("r");
        real.push(
            &vec![0.0; layout.len],
            &[0.8; crate::dataset::N_RR],
            AamiClass::N,
            id,
            0,
            Origin::Real,
        );
        let config = SynthTrainConfig {
            counts: vec![(AamiClass::V, CHUNK_BEATS + 7), (AamiClass::S, 3)],
            ..SynthTrainConfig::default()
        };
        let set = SynthGeneration::new(&real, &config)
            .expect("valid")
            .run()
            .expect("runs");
        let b = &set.beats.beats;
        assert_eq!(b.class_counts().get(AamiClass::V), CHUNK_BEATS + 7);
        assert_eq!(b.class_counts().get(AamiClass::S), 3);
        assert_eq!(b.records.len(), b.len());
        assert_eq!(set.beats.normal_windows.len(), b.len());
        assert!(b.origin.iter().all(|o| *o == Origin::Synthetic));
        assert!(b.has_rr());
        let mut names = b.records.clone();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), b.len(), "record names are unique");

        let mut train = real.clone();
        let mut templates = Templates::fit(&real);
        add_to_training(&mut train, &mut templates, &set.beats).expect("same layout");
        assert_eq!(train.len(), 1 + b.len());
        assert_eq!(templates.beats.len(), train.records.len());
        assert!(templates.beats[1..].iter().all(|t| t.len() == layout.len));
    }
}
