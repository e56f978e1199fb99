//! Patient-adaptive classification: a person labels a few beats of a new recording and a copy
//! of the model is fine-tuned on them (with beats of its own training split, so it does not
//! forget the other patients), then the recording is classified again.
//!
//! - [`UnlabelledBeats`] holds the new recording's beats with their labels removed: nothing
//!   downstream can read a label it was not given.
//! - [`select_queries`] picks the beats whose labels help most: always the patient's dominant
//!   beat (the one nearest the record's own template), then the most probable beat of each
//!   class the model calls at least five beats of (so every class it sees is confirmed or
//!   corrected, as querying cluster centres does in Wiens & Guttag), then, greedily, beats that
//!   are both uncertain for the model (small margin between its two most probable classes)
//!   and far from every beat already picked in the model's own input space (morphology
//!   against the patient's template, RR features), so the queries spread over the record's
//!   beat clusters.
//!   This follows the active learning of Wiens & Guttag (2010), who reached V sensitivity of
//!   96 % with under 37 labelled beats a record, with the margin criterion of Settles (2009).
//!   The budget is asked in rounds ([`AdaptConfig::rounds`], two by default): each round after
//!   the first is picked by a copy fine-tuned on the labels so far ([`select_more_why`]), batch
//!   active learning, so the later queries go where the patient's model — not the population's
//!   — hesitates.
//! - [`adapt`] fine-tunes every network of the model on the labelled beats, repeated, beside a
//!   class-stratified draw of training beats, with the model's own input pipeline (RR
//!   statistics of its training split; the record's template from its own beats, label-free).
//! - [`first_minutes`] is the AAMI EC57 patient-specific protocol: the beats of the first five
//!   minutes are labelled, the remaining 25 are scored.
//! - [`pseudo_labels`] is the unsupervised variant (self-training): the model's own confident
//!   decisions on the new recording stand in for labels. It uses the test recording's beats,
//!   never their labels, and its results are reported apart from inter-patient ones.

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::trainer::{Phase, TrainedModel, Trainer};
use crate::dataset::weights::WeightScheme;
use crate::dataset::{BeatSet, Origin};
use crate::ecg::aami::{AamiClass, N_CLASSES};
use crate::features::{FeatureMaker, Templates};
use crate::rng::Rng;

/// The beats of one recording with every label removed (each reads as N, a placeholder).
#[derive(Debug, Clone)]
pub struct UnlabelledBeats(BeatSet);

impl UnlabelledBeats {
    /// Takes `beats` and forgets their labels.
    pub fn new(mut beats: BeatSet) -> Self {
        beats.labels.iter_mut().for_each(|l| *l = AamiClass::N);
        UnlabelledBeats(beats)
    }

    /// The beats (labels all N).
    pub fn beats(&self) -> &BeatSet {
        &self.0
    }

    /// Number of beats.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True without beats.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Settings of patient-adaptive fine-tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptConfig {
    /// Beats the person labels (the page's default is 20).
    pub budget: usize,
    /// Training beats replayed beside the labelled ones, drawn evenly over the classes.
    pub replay: usize,
    /// Times each labelled beat appears per epoch, at most (see `max_copies`).
    pub repeat: usize,
    /// Labelled copies per epoch, at most: with many labelled beats (the first five minutes
    /// hold 300–500) each is repeated fewer times, so fine-tuning stays a few seconds.
    #[serde(default = "default_max_copies")]
    pub max_copies: usize,
    /// Passes over the fine-tuning beats.
    pub epochs: usize,
    /// Adam learning rate of the fine-tuning (of every copy: the ones that pick the later
    /// rounds and the final one). The default, 1.5e-3, was chosen on DS1 alone
    /// (`benches/ablation.rs --mode adapt-cv --budgets 20 --adapt '{"learning_rate":…}'`, two
    /// rounds, seeds 1–5): pooled macro-F1(N,S,V,F) 0.930 / 0.902 / 0.914 / 0.917 / 0.873 (mean
    /// 0.907) and F sensitivity 87.3 / 67.9 / 89.2 / 83.7 / 60.3 % (mean 77.7), against 0.884
    /// and 62.7 % with the former 3e-4, 0.899 and 71.2 % with 1e-3, 0.889 and 77.2 % with 2e-3.
    /// Three epochs at 3e-4 moved the copy little from the population model: on seeds 4 and 5
    /// it called 156 and 122 of record 208's unqueried fusion beats N (38 and 137 at 1.5e-3).
    pub learning_rate: f64,
    /// Seed of the replay draw, shuffling and jitter.
    pub seed: u64,
    /// Class weights of the fine-tuning loss, over the labelled copies and the replayed beats;
    /// `None` keeps the model's own scheme. The default is the effective number of samples with
    /// β = 0.999 (Cui et al. 2019): copies of one labelled beat are not independent samples, so
    /// a class's weight grows less than inversely with its copies, and one beat labelled S among
    /// 46 N no longer outweighs them all (record 219 at k = 50, inverse frequency: 391 of its N
    /// beats called S). Chosen on DS1 alone (`benches/ablation.rs --mode adapt-cv`, seeds 1, 2,
    /// 3): pooled macro-F1 at k = 20 0.879 / 0.837 / 0.742 and at k = 50 0.889 / 0.888 / 0.779,
    /// against 0.870 / 0.848 / 0.729 and 0.859 / 0.859 / 0.781 with the model's inverse
    /// frequency; β 0.998 and 0.9997 gave means 0.817 / 0.849 and 0.818 / 0.845 (0.999: 0.819 /
    /// 0.852).
    #[serde(default = "default_weights")]
    pub weights: Option<WeightScheme>,
    /// Rounds the `budget` is asked in ([`round_sizes`]): the first round is picked by the
    /// model, each later one by a copy fine-tuned on every beat labelled so far, which knows the
    /// patient a little and hesitates where the first could not see it would. The final copy is
    /// fine-tuned from the model on all the labels. Two rounds by default (10 + 10 at k = 20),
    /// chosen on DS1 alone (`benches/ablation.rs --mode adapt-cv --budgets 20,10+10,5+5+10`):
    /// pooled macro-F1 over seeds 1, 2, 3 0.921 / 0.893 / 0.901 with two rounds (10 + 10),
    /// 0.897 / 0.880 / 0.870 with three (5 + 5 + 10), against 0.879 / 0.837 / 0.742 in one.
    /// A file without the field was made in one round.
    #[serde(default = "one_round")]
    pub rounds: usize,
}

impl Default for AdaptConfig {
    fn default() -> Self {
        AdaptConfig {
            budget: 20,
            // Chosen on DS1 alone (benches/ablation.rs --mode adapt-cv, k = 20, queries as
            // QUERY_UNCERTAINTY): macro-F1 over seeds 1, 2, 3 was 0.781 / 0.770 / 0.738 with 50
            // beats replayed and 0.810 / 0.778 / 0.713 with 20; seed 1 gave 0.759 with 200,
            // 0.732 with the former 2000 (its even draw over the classes makes a fifth of it S,
            // which the patient's few N beats must outweigh), and 0.734 with none (V
            // sensitivity fell to 62 %: without V examples the model forgets V).
            replay: 50,
            // DS1 → DS2 at k = 20, seed 1 (benches/ablation.rs adapt mode): repeat 20 gave
            // macro-F1 0.701, 100 gave 0.788, 300 gave 0.797.
            repeat: 300,
            max_copies: default_max_copies(),
            epochs: 3,
            learning_rate: 1.5e-3,
            seed: 42,
            weights: default_weights(),
            rounds: 2,
        }
    }
}

fn one_round() -> usize {
    1
}

fn default_max_copies() -> usize {
    6000
}

fn default_weights() -> Option<WeightScheme> {
    Some(WeightScheme::EffectiveNumber { beta: 0.999 })
}

impl AdaptConfig {
    /// Times each of `labelled` beats is repeated per epoch: `repeat`, fewer when that would
    /// pass `max_copies`, at least once.
    pub fn repeats_for(&self, labelled: usize) -> usize {
        self.repeat.min(self.max_copies / labelled.max(1)).max(1)
    }

    /// The beats asked in each round: `budget` over `rounds`, the first rounds one larger when
    /// it does not divide, never an empty round (10 + 10 for 20 in two; 1 for 1).
    pub fn round_sizes(&self) -> Vec<usize> {
        round_sizes(self.budget, self.rounds)
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<(), crate::Error> {
        if !(1..=10).contains(&self.rounds) {
            return Err(crate::Error::Invalid(
                "adaptation asks in 1 to 10 rounds".into(),
            ));
        }
        if self.epochs == 0
            || self.repeat == 0
            || self.max_copies == 0
            || !(self.learning_rate.is_finite() && self.learning_rate > 0.0)
        {
            return Err(crate::Error::Invalid(
                "adaptation needs positive epochs, repeats and learning rate".into(),
            ));
        }
        if self.budget > 100_000 || self.replay > 1_000_000 || self.epochs > 100 {
            return Err(crate::Error::Invalid(
                "adaptation settings out of range (budget ≤ 100,000, replay ≤ 1,000,000, epochs ≤ 100)"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// `k` beats over `rounds` rounds: the first `k mod rounds` rounds one larger, no empty round.
pub fn round_sizes(k: usize, rounds: usize) -> Vec<usize> {
    let r = rounds.clamp(1, k.max(1));
    (0..r)
        .map(|i| k / r + usize::from(i < k % r))
        .filter(|&n| n > 0)
        .collect()
}

/// Per beat: the model's inputs shrunk for distances (windows averaged over 4 samples, RR
/// features weighted ×2), and the margin-based uncertainty `1 − (p₁ − p₂)`.
fn query_space(
    model: &TrainedModel,
    beats: &BeatSet,
    templates: &Templates,
) -> (Vec<Vec<f32>>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let all: Vec<u32> = (0..beats.len() as u32).collect();
    let probs = model.probabilities_of(beats, &all, templates);
    let (points, typicality) = query_points(model, beats, templates);
    let uncertainty = probs
        .chunks_exact(N_CLASSES)
        .map(|row| {
            let mut s: Vec<f32> = row.to_vec();
            s.sort_by(|a, b| b.total_cmp(a));
            1.0 - (s[0] - s.get(1).copied().unwrap_or(0.0))
        })
        .collect();
    (points, uncertainty, typicality, probs)
}

/// Per beat: the model's inputs shrunk for distances (windows averaged over 4 samples, RR
/// features weighted ×2), and the energy of its difference from the patient's template.
fn query_points(
    model: &TrainedModel,
    beats: &BeatSet,
    templates: &Templates,
) -> (Vec<Vec<f32>>, Vec<f32>) {
    let all: Vec<u32> = (0..beats.len() as u32).collect();
    let fm = FeatureMaker {
        templates: templates.clone(),
        ..model.features.clone()
    };
    let inputs = fm.inputs(beats, &all);
    let c = fm.spec.channels();
    let l = beats.layout.len;
    let nr = fm.spec.n_rr();
    let mut points = Vec::with_capacity(beats.len());
    let mut typicality = Vec::with_capacity(beats.len());
    for i in 0..beats.len() {
        let w = &inputs.windows[i * c * l..(i + 1) * c * l];
        let mut p: Vec<f32> = w
            .chunks(4)
            .map(|s| s.iter().sum::<f32>() / s.len() as f32)
            .collect();
        p.extend(inputs.rr[i * nr..(i + 1) * nr].iter().map(|v| 2.0 * v));
        // Distance from the patient's own template: the beat-minus-template channel's energy.
        let diff = if c >= 2 { &w[l..2 * l] } else { w };
        typicality.push(diff.iter().map(|v| v * v).sum::<f32>());
        points.push(p);
    }
    (points, typicality)
}

/// For every beat of `record`, the class of the nearest of its `labelled` beats in the space the
/// queries are spread over ([`query_points`]: morphology against the patient's template and
/// RR features): a nearest-neighbour classifier of the patient's own labelled beats.
/// Empty when nothing is labelled. For the ablation only (`benches/ablation.rs --knn`, with
/// [`blend_nearest`]): on DS1's folds at k = 20 it lowered the copy's macro-F1 (0.911 alone,
/// 0.890 mixed at 0.3, 0.739 when it decides), so neither the page nor the CLI uses it.
pub fn nearest_labelled(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    labelled: &[(u32, AamiClass)],
) -> Vec<AamiClass> {
    let n = record.len();
    let known: Vec<(usize, AamiClass)> = labelled
        .iter()
        .filter(|(i, _)| (*i as usize) < n)
        .map(|&(i, c)| (i as usize, c))
        .collect();
    if known.is_empty() {
        return Vec::new();
    }
    let (points, _) = query_points(model, record.beats(), templates);
    points
        .iter()
        .map(|p| {
            known
                .iter()
                .map(|&(j, c)| (distance(p, &points[j]), c))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map_or(AamiClass::N, |(_, c)| c)
        })
        .collect()
}

/// Mixes the nearest labelled beat's class into class probabilities `probs` (`[n, k]`
/// row-major): each row becomes `(1 − weight) · row + weight · one-hot(nearest[i])`.
pub fn blend_nearest(probs: &mut [f32], nearest: &[AamiClass], weight: f32) {
    for (row, c) in probs.chunks_exact_mut(N_CLASSES).zip(nearest) {
        for (k, p) in row.iter_mut().enumerate() {
            *p = (1.0 - weight) * *p + if k == c.index() { weight } else { 0.0 };
        }
    }
}

/// Weight of the model's uncertainty in a query's score; the rest goes to the distance from the
/// beats already picked. Chosen on DS1 alone (`benches/ablation.rs --mode adapt-cv`: each DS1
/// fold's model adapts to the fold's own records, k = 20, with 50 beats replayed): over seeds
/// 1, 2, 3, pooled macro-F1(N,S,V,F) 0.781 / 0.770 / 0.738 with 0.85; seeds 1 and 2 gave
/// 0.776 / 0.761 with 0.7; seed 1 gave 0.748 with the former 0.5, and 0.736 with 1.0
/// (uncertainty alone loses the spread over the clusters, and with it V sensitivity).
pub const QUERY_UNCERTAINTY: f32 = 0.85;

/// Beats the model must call a class before the class's most probable beat is queried.
pub const QUERY_CLASS_MIN: usize = 5;

fn distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

/// Why [`select_queries`] picked a beat, for the person labelling it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum QueryReason {
    /// The patient's dominant beat: the one nearest the record's own template.
    Dominant,
    /// The beat the model is surest is `class`, which it calls `called` of the record's beats.
    ClassSeen {
        /// The class.
        class: AamiClass,
        /// Beats of the record the model calls it.
        called: usize,
        /// The model's probability of it for this beat.
        p: f32,
    },
    /// The model hesitates between two classes here (and the beat is unlike those picked before).
    Uncertain {
        /// Most probable class.
        first: AamiClass,
        /// Its probability.
        p_first: f32,
        /// Second most probable class.
        second: AamiClass,
        /// Its probability.
        p_second: f32,
    },
}

impl QueryReason {
    /// One sentence for the page.
    pub fn sentence(&self) -> String {
        self.sentence_by("the model")
    }

    /// One sentence for the page, naming `who` picked the beat ("the model", or for a later
    /// round "the fine-tuned copy").
    pub fn sentence_by(&self, who: &str) -> String {
        match *self {
            QueryReason::Dominant => {
                "Asked first: the patient's most typical beat (nearest the record's own template)."
                    .into()
            }
            QueryReason::ClassSeen { class, called, p } => format!(
                "Asked because {who} calls {called} of this record's beats {} ({}); this is the one it is surest of ({:.0} %). Confirm or correct it.",
                class.code(),
                class.name().to_lowercase(),
                100.0 * p
            ),
            QueryReason::Uncertain {
                first,
                p_first,
                second,
                p_second,
            } => format!(
                "Asked because {who} hesitates here: {} {:.0} %, {} {:.0} % (and it is unlike the beats asked before).",
                first.code(),
                100.0 * p_first,
                second.code(),
                100.0 * p_second
            ),
        }
    }
}

/// The `budget` beats of `record` whose labels should help most (indices into the record's
/// beats, in the order chosen): the dominant beat first, then the most probable beat of each
/// class the model calls often enough ([`cover_classes`]), then by uncertainty and spread.
/// `templates` are the record's own (label-free, [`Templates::fit`] on its beats).
pub fn select_queries(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    budget: usize,
) -> Vec<u32> {
    select_queries_why(model, record, templates, budget)
        .into_iter()
        .map(|(i, _)| i)
        .collect()
}

/// [`select_queries`] with the reason each beat was picked.
pub fn select_queries_why(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    budget: usize,
) -> Vec<(u32, QueryReason)> {
    select_more_why(model, record, templates, budget, &[])
}

/// `budget` more queries after the beats `asked` were labelled, picked by `model` (a copy already
/// fine-tuned on them, for a second round): as [`select_queries_why`], without the dominant beat
/// when `asked` is not empty, skipping the classes an asked beat is called, and spread away from
/// the asked beats. With `asked` empty it is [`select_queries_why`].
pub fn select_more_why(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    budget: usize,
    asked: &[u32],
) -> Vec<(u32, QueryReason)> {
    let n = record.len();
    let mut taken = vec![false; n];
    let mut chosen: Vec<u32> = Vec::new();
    for &i in asked {
        if (i as usize) < n && !taken[i as usize] {
            taken[i as usize] = true;
            chosen.push(i);
        }
    }
    let skip = chosen.len();
    let limit = (skip + budget).min(n);
    if n == 0 || chosen.len() >= limit {
        return Vec::new();
    }
    let (points, uncertainty, typicality, probs) = query_space(model, record.beats(), templates);
    if chosen.is_empty() {
        let first = (0..n)
            .min_by(|&a, &b| typicality[a].total_cmp(&typicality[b]))
            .unwrap_or(0);
        chosen.push(first as u32);
        taken[first] = true;
    }
    let decided = super::calibrate::decide(&probs, &model.offsets);
    let mut called = [0usize; N_CLASSES];
    decided.iter().for_each(|&c| called[c] += 1);
    cover_classes(&decided, &called, &probs, limit, &mut chosen, &mut taken);
    let by_class = chosen.len();
    let mut nearest = vec![f32::INFINITY; n];
    for &i in &chosen {
        for (d, p) in nearest.iter_mut().zip(&points) {
            *d = d.min(distance(p, &points[i as usize]));
        }
    }
    let u_max = uncertainty.iter().copied().fold(1e-6f32, f32::max);
    while chosen.len() < limit {
        let d_max = nearest
            .iter()
            .zip(&taken)
            .filter(|(_, t)| !**t)
            .map(|(d, _)| *d)
            .fold(1e-6f32, f32::max);
        let mut best: Option<(usize, f32)> = None;
        for i in 0..n {
            if taken[i] {
                continue;
            }
            let s = QUERY_UNCERTAINTY * uncertainty[i] / u_max
                + (1.0 - QUERY_UNCERTAINTY) * nearest[i] / d_max;
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        let Some((pick, _)) = best else { break };
        taken[pick] = true;
        chosen.push(pick as u32);
        for (d, p) in nearest.iter_mut().zip(&points) {
            *d = d.min(distance(p, &points[pick]));
        }
    }
    let class = |c: usize| AamiClass::from_index(c).unwrap_or(AamiClass::Q);
    chosen
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(k, &i)| {
            let row = &probs[i as usize * N_CLASSES..(i as usize + 1) * N_CLASSES];
            let why = if k == 0 {
                QueryReason::Dominant
            } else if k < by_class {
                let c = decided[i as usize];
                QueryReason::ClassSeen {
                    class: class(c),
                    called: called[c],
                    p: row[c],
                }
            } else {
                let mut order: Vec<usize> = (0..N_CLASSES).collect();
                order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
                QueryReason::Uncertain {
                    first: class(order[0]),
                    p_first: row[order[0]],
                    second: class(order[1]),
                    p_second: row[order[1]],
                }
            };
            (i, why)
        })
        .collect()
}

/// Adds to `chosen` (up to `limit` queries) the most probable beat of every class the model
/// calls (`decided`, from `probs`; `called` beats of each) at least [`QUERY_CLASS_MIN`] beats of,
/// the most called class
/// first, unless a query is already called that class: the person confirms or corrects each
/// class the model sees in the record. Without it, a record whose dominant beat is S (232) can
/// be given S queries only, and fine-tuning then calls all its N beats S.
fn cover_classes(
    decided: &[usize],
    called: &[usize; N_CLASSES],
    probs: &[f32],
    limit: usize,
    chosen: &mut Vec<u32>,
    taken: &mut [bool],
) {
    let mut classes: Vec<usize> = (0..N_CLASSES)
        .filter(|&c| called[c] >= QUERY_CLASS_MIN)
        .collect();
    classes.sort_by_key(|&c| std::cmp::Reverse(called[c]));
    for c in classes {
        if chosen.len() >= limit {
            break;
        }
        if chosen.iter().any(|&i| decided[i as usize] == c) {
            continue;
        }
        let best = (0..decided.len())
            .filter(|&i| decided[i] == c && !taken[i])
            .max_by(|&a, &b| {
                probs[a * N_CLASSES + c]
                    .total_cmp(&probs[b * N_CLASSES + c])
                    .then(b.cmp(&a))
            });
        if let Some(i) = best {
            taken[i] = true;
            chosen.push(i as u32);
        }
    }
}

/// The beats of `record` within the first `minutes` (R peak before `minutes` × 60 s at the
/// record's own rate `record_fs_hz`): the AAMI EC57 patient-specific protocol labels the first
/// five minutes and scores the remaining 25.
pub fn first_minutes(record: &UnlabelledBeats, record_fs_hz: f64, minutes: f64) -> Vec<u32> {
    let limit = (minutes * 60.0 * record_fs_hz).max(0.0);
    (0..record.len() as u32)
        .filter(|&i| (record.beats().r_sample[i as usize] as f64) < limit)
        .collect()
}

/// The model's own confident decisions on `record` (top probability at least `confidence`), at
/// most `per_class` beats per class, the most confident first: labels for self-training that
/// come from the beats, never from their annotations.
pub fn pseudo_labels(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    confidence: f32,
    per_class: usize,
) -> Vec<(u32, AamiClass)> {
    let all: Vec<u32> = (0..record.len() as u32).collect();
    let probs = model.probabilities_of(record.beats(), &all, templates);
    let mut by_class: Vec<Vec<(f32, u32)>> = vec![Vec::new(); N_CLASSES];
    for (i, row) in probs.chunks_exact(N_CLASSES).enumerate() {
        let (c, p) =
            row.iter().enumerate().fold(
                (0, f32::NEG_INFINITY),
                |b, (c, &p)| if p > b.1 { (c, p) } else { b },
            );
        if p >= confidence {
            by_class[c].push((p, i as u32));
        }
    }
    let mut out = Vec::new();
    for (c, mut list) in by_class.into_iter().enumerate() {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let class = AamiClass::from_index(c).unwrap_or(AamiClass::Q);
        out.extend(list.into_iter().take(per_class).map(|(_, i)| (i, class)));
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

/// What fine-tuning starts from: a trained model and its training beats `train` with their
/// templates, a class-stratified draw of which is replayed beside the patient's beats.
#[derive(Clone, Copy)]
pub struct AdaptBase<'a> {
    /// The model to fine-tune a copy of.
    pub model: &'a TrainedModel,
    /// The model's training beats.
    pub train: &'a BeatSet,
    /// Their templates.
    pub templates: &'a Templates,
}

/// The new patient: the record's beats (their labels are never read; it has none), its own
/// templates, and the beats the person labelled (index into the record, class given).
#[derive(Clone, Copy)]
pub struct PatientLabels<'a> {
    /// The record's beats.
    pub record: &'a UnlabelledBeats,
    /// The record's own templates.
    pub templates: &'a Templates,
    /// The labelled beats.
    pub labelled: &'a [(u32, AamiClass)],
}

/// A copy of `base`'s model fine-tuned on the labelled beats of the `patient`'s record beside a
/// draw of the model's training beats. The record's other beats are never read for their labels
/// (they have none) and never trained on. `cancelled`
/// (network being tuned, networks) is asked after every optimizer step; `None` when it says
/// stop. [`Adaptation`] is the same work one step at a time.
pub fn adapt(
    base: AdaptBase,
    patient: PatientLabels,
    config: &AdaptConfig,
    cancelled: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<TrainedModel>, crate::Error> {
    config.validate()?;
    if patient.labelled.is_empty() {
        return Ok(Some(base.model.clone()));
    }
    let mut run = Adaptation::new(base, patient, config)?;
    loop {
        match run.step()? {
            AdaptStep::Trained => {
                let p = run.progress();
                if cancelled(p.network, p.networks) {
                    return Ok(None);
                }
            }
            AdaptStep::Started | AdaptStep::NetworkDone => {}
            AdaptStep::Done => return Ok(run.finish()),
        }
    }
}

/// What one [`Adaptation::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdaptStep {
    /// Prepared the next network's fine-tuning (its inputs); no optimizer step yet.
    Started,
    /// One optimizer step of the current network, with more to come.
    Trained,
    /// The last optimizer step of the current network; another network follows.
    NetworkDone,
    /// Every network is fine-tuned: [`Adaptation::finish`] gives the model.
    Done,
}

/// How far an [`Adaptation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdaptProgress {
    /// Network being fine-tuned (0-based).
    pub network: usize,
    /// Networks of the model.
    pub networks: usize,
    /// Optimizer steps done, over all networks.
    pub steps_done: usize,
    /// Optimizer steps in all.
    pub steps: usize,
}

/// Patient-adaptive fine-tuning one optimizer step at a time, for a caller that must stay
/// responsive between steps (the page's worker); [`adapt`] runs it to the end. Each network of
/// the model is fine-tuned in turn, from the same seeds as [`adapt`], so both give the same
/// model.
pub struct Adaptation {
    model: TrainedModel,
    mix: BeatSet,
    templates: Templates,
    train_config: TrainConfig,
    seed: u64,
    trainer: Option<Box<Trainer>>,
    next: usize,
    networks: Vec<crate::model::Model>,
    trained_on: Vec<String>,
    steps_per_network: usize,
    steps_done: usize,
}

impl Adaptation {
    /// Builds the fine-tuning beats: the `labelled` beats of `record`, each repeated
    /// ([`AdaptConfig::repeats_for`]), beside a class-stratified draw of `train`'s real beats
    /// (arguments as [`adapt`]). Refuses an empty `labelled` (there is nothing to learn) and a
    /// label for a beat the record does not have.
    pub fn new(
        base: AdaptBase,
        patient: PatientLabels,
        config: &AdaptConfig,
    ) -> Result<Adaptation, crate::Error> {
        let AdaptBase {
            model,
            train,
            templates: train_templates,
        } = base;
        let PatientLabels {
            record,
            templates: record_templates,
            labelled,
        } = patient;
        config.validate()?;
        if labelled.is_empty() {
            return Err(crate::Error::Invalid(
                "no labelled beat to fine-tune on: label at least one".into(),
            ));
        }
        if labelled.iter().any(|&(i, _)| i as usize >= record.len()) {
            return Err(crate::Error::Invalid(
                "a labelled beat is not a beat of the record".into(),
            ));
        }
        let mut rng = Rng::new(config.seed ^ 0xADA9_7000);
        // Training beats evenly over the classes present (real beats only).
        let mut replay = Vec::new();
        let classes: Vec<Vec<u32>> = AamiClass::ALL
            .iter()
            .map(|&c| {
                (0..train.len() as u32)
                    .filter(|&i| {
                        train.labels[i as usize] == c && train.origin[i as usize] == Origin::Real
                    })
                    .collect()
            })
            .collect();
        let present = classes.iter().filter(|c| !c.is_empty()).count().max(1);
        for mut idx in classes {
            rng.shuffle(&mut idx);
            idx.truncate(config.replay / present);
            replay.extend(idx);
        }
        replay.sort_unstable();
        let mut mix = train.subset(&replay);
        let name = format!(
            "{} (adapting)",
            record.beats().records.first().map_or("", String::as_str)
        );
        let rid = mix.record_index(&name);
        let two = mix.has_second_lead() && record.beats().has_second_lead();
        for _ in 0..config.repeats_for(labelled.len()) {
            for &(i, class) in labelled {
                let i = i as usize;
                let b = record.beats();
                if two {
                    mix.push_two(
                        b.window(i),
                        b.window_2(i).unwrap_or(&[]),
                        b.rr_of(i),
                        class,
                        rid,
                        b.r_sample[i],
                        Origin::Real,
                    );
                } else {
                    mix.push(
                        b.window(i),
                        b.rr_of(i),
                        class,
                        rid,
                        b.r_sample[i],
                        Origin::Real,
                    );
                }
            }
        }
        let mut templates = train_templates.clone();
        templates.resize(rid as usize);
        templates.append_first(record_templates);
        let base = &model.train_config;
        let train_config = TrainConfig {
            epochs: config.epochs,
            batch_size: 64,
            learning_rate: config.learning_rate,
            seed: config.seed,
            patience: usize::MAX,
            ensemble: 1,
            rebalance: None,
            synthetic: None,
            calibrate: false,
            validation_fraction: 0.0,
            weights: config.weights.unwrap_or(base.weights),
            ..base.clone()
        };
        let mut trained_on = model.trained_on.clone();
        trained_on.extend(record.beats().records.iter().cloned());
        trained_on.sort_unstable();
        trained_on.dedup();
        let steps_per_network = mix.len().div_ceil(train_config.batch_size) * config.epochs;
        Ok(Adaptation {
            model: model.clone(),
            mix,
            templates,
            train_config,
            seed: config.seed,
            trainer: None,
            next: 0,
            networks: Vec::with_capacity(model.models.len()),
            trained_on,
            steps_per_network,
            steps_done: 0,
        })
    }

    /// Beats fine-tuned on per epoch (replayed training beats and labelled copies).
    pub fn beats(&self) -> usize {
        self.mix.len()
    }

    /// How far it is.
    pub fn progress(&self) -> AdaptProgress {
        let networks = self.model.models.len();
        AdaptProgress {
            network: self.next.saturating_sub(1).min(networks.saturating_sub(1)),
            networks,
            steps_done: self.steps_done,
            steps: self.steps_per_network * networks,
        }
    }

    /// Does one bounded piece of work: prepares the next network, or runs one optimizer step.
    pub fn step(&mut self) -> Result<AdaptStep, crate::Error> {
        let Some(trainer) = self.trainer.as_mut() else {
            if self.next >= self.model.models.len() {
                return Ok(AdaptStep::Done);
            }
            let k = self.next;
            let empty = BeatSet::new(self.mix.layout);
            self.trainer = Some(Box::new(Trainer::fine_tune(
                self.train_config
                    .clone()
                    .with_seed(self.seed.wrapping_add(k as u64)),
                &self.model,
                k,
                &self.mix,
                &empty,
                self.templates.clone(),
            )?));
            self.next += 1;
            return Ok(AdaptStep::Started);
        };
        let phase = trainer.step(&mut |_| {});
        self.steps_done += 1;
        if phase == Phase::Running {
            return Ok(AdaptStep::Trained);
        }
        if let Some(trainer) = self.trainer.take() {
            if let Some(mut done) = trainer.finish() {
                self.networks.append(&mut done.models);
            }
        }
        Ok(if self.next >= self.model.models.len() {
            AdaptStep::Done
        } else {
            AdaptStep::NetworkDone
        })
    }

    /// The adapted model, once [`Adaptation::step`] said [`AdaptStep::Done`] (`None` before).
    pub fn finish(self) -> Option<TrainedModel> {
        if self.trainer.is_some() || self.next < self.model.models.len() {
            return None;
        }
        Some(TrainedModel {
            models: self.networks,
            trained_on: self.trained_on,
            ..self.model
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::BeatLayout;
    use crate::ecg::beats::N_RR;

    #[test]
    fn unlabelled_beats_forget_their_labels() {
        let mut s = BeatSet::new(BeatLayout {
            fs_hz: 10.0,
            len: 4,
            r_index: 1,
        });
        let r = s.record_index("r");
        s.push(&[0.0; 4], &[1.0; N_RR], AamiClass::V, r, 0, Origin::Real);
        let u = UnlabelledBeats::new(s);
        assert_eq!(u.beats().labels, vec![AamiClass::N]);
    }

    #[test]
    fn every_class_the_model_calls_gets_a_query() {
        // Nine beats: the dominant beat (0) is called S, as are 1-2; N is called on 3-7 (five,
        // QUERY_CLASS_MIN), most probably on 5; V on beat 8 only (below the minimum).
        let decided = [1, 1, 1, 0, 0, 0, 0, 0, 2];
        let p_n = [0.1, 0.1, 0.2, 0.6, 0.7, 0.9, 0.8, 0.6, 0.1];
        let probs: Vec<f32> = decided
            .iter()
            .zip(p_n)
            .flat_map(|(&c, pn)| {
                let mut row = [0.0f32; N_CLASSES];
                row[0] = pn;
                row[c] = row[c].max(1.0 - pn);
                row
            })
            .collect();
        let mut called = [0usize; N_CLASSES];
        decided.iter().for_each(|&c| called[c] += 1);
        let mut chosen = vec![0u32];
        let mut taken = vec![false; decided.len()];
        taken[0] = true;
        cover_classes(&decided, &called, &probs, 20, &mut chosen, &mut taken);
        assert_eq!(
            chosen,
            vec![0, 5],
            "N's most probable beat joins; V has too few"
        );
        // A query already called N covers N; the budget is respected.
        let mut chosen = vec![0u32, 4];
        cover_classes(&decided, &called, &probs, 20, &mut chosen, &mut taken);
        assert_eq!(chosen, vec![0, 4]);
        let mut chosen = vec![0u32];
        cover_classes(&decided, &called, &probs, 1, &mut chosen, &mut taken);
        assert_eq!(chosen, vec![0]);
    }

    #[test]
    fn bad_settings_are_refused() {
        let mut c = AdaptConfig::default();
        assert!(c.validate().is_ok());
        c.epochs = 0;
        assert!(c.validate().is_err());
        c = AdaptConfig::default();
        assert_eq!(c.repeats_for(20), 300);
        assert_eq!(c.repeats_for(100), 60);
        assert_eq!(c.repeats_for(400), 15);
        assert_eq!(c.repeats_for(100_000), 1);
        c = AdaptConfig {
            learning_rate: f64::NAN,
            ..AdaptConfig::default()
        };
        assert!(c.validate().is_err());
        for rounds in [0, 11] {
            let c = AdaptConfig {
                rounds,
                ..AdaptConfig::default()
            };
            assert!(c.validate().is_err(), "{rounds} rounds");
        }
    }

    #[test]
    fn a_budget_splits_into_rounds_without_empty_ones() {
        assert_eq!(AdaptConfig::default().round_sizes(), [10, 10]);
        assert_eq!(round_sizes(15, 2), [8, 7]);
        assert_eq!(round_sizes(20, 1), [20]);
        assert_eq!(round_sizes(1, 2), [1]);
        assert_eq!(round_sizes(3, 10), [1, 1, 1]);
        assert!(round_sizes(0, 2).is_empty());
        // A model file's settings from before rounds read as one round.
        let mut v = serde_json::to_value(AdaptConfig::default()).expect("json");
        v.as_object_mut().expect("an object").remove("rounds");
        let old: AdaptConfig = serde_json::from_value(v).expect("reads");
        assert_eq!(old.rounds, 1);
    }
}
