//! The per-class rebalancing plan and the function that carries it out on a training set.
//!
//! A [`Plan`] turns the class counts of a training set into target counts. [`rebalance`] then
//! down-samples (at random, seeded) every class above its target and tops up every class below
//! it with augmented copies of that class's own beats ([`super::augment`]), so each class ends
//! exactly at its target. Classes with no beat stay at 0: there is nothing to augment.
//!
//! **Only the training split is ever rebalanced.** [`rebalance`] takes one [`BeatSet`] and
//! returns a new one; it is the caller's job to pass the training subset
//! (`beats.subset(&split.train)`), never beats of the test split: an augmented copy of a test
//! beat in training would leak that patient's beat into the model and inflate every metric.
//! The test set is evaluated as recorded, imbalance and all.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::augment::{AugmentError, Augmentation, Augmenter, Technique, TechniqueRanges};
use super::stats::Distribution;
use super::{BeatSet, Origin};
use crate::ecg::aami::{AamiClass, ClassCounts, N_CLASSES};
use crate::rng::Rng;

/// Most beats a rebalanced set may hold (≈ 500 MB of 126-sample windows).
pub const MAX_OUTPUT_BEATS: usize = 1_000_000;

/// Augmented-to-real ratio above which the report warns that a class rests on few beats.
pub const HEAVY_AUGMENTATION_FACTOR: f64 = 10.0;

/// Beats between two progress reports.
pub const PROGRESS_EVERY_BEATS: usize = 1024;

/// How many beats each class should have after rebalancing.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Plan {
    /// The seed guide's fixed targets ([`Plan::SEED_TARGETS`]): F 5,000, S 8,000, V 12,000,
    /// Q 20,000, N 50,000. N is normally reduced by random down-sampling; a class already above
    /// its target is down-sampled, one below is augmented (on DS1, N has ≈ 45,900 beats and is
    /// topped up to 50,000 too).
    #[default]
    Seed,
    /// Every class present to exactly `K` beats (down-sampled or augmented).
    Balance(usize),
    /// Cap the imbalance ratio at `R`:1: every class present is raised to at least
    /// `⌈max / R⌉` beats, `max` the largest class; no class is ever lowered.
    Ratio(f64),
    /// Explicit targets in class order N, S, V, F, Q (absent classes still stay at 0).
    Custom([usize; N_CLASSES]),
}

impl Plan {
    /// The seed guide's targets, N, S, V, F, Q.
    pub const SEED_TARGETS: ClassCounts = ClassCounts([50_000, 8_000, 12_000, 5_000, 20_000]);

    /// Targets for a set with `counts` beats per class. A class with no beat gets 0 whatever the
    /// plan says: you cannot augment what is not there. An invalid ratio (below 1 or not finite,
    /// see [`Plan::validate`]) is read as 1:1.
    pub fn targets(&self, counts: &ClassCounts) -> ClassCounts {
        let mut t = match *self {
            Plan::Seed => Self::SEED_TARGETS,
            Plan::Balance(k) => ClassCounts([k; N_CLASSES]),
            Plan::Custom(c) => ClassCounts(c),
            Plan::Ratio(r) => {
                let r = if r.is_finite() && r >= 1.0 { r } else { 1.0 };
                let max = counts.0.iter().copied().max().unwrap_or(0);
                let floor = min_count_for_ratio(max, r);
                ClassCounts(counts.0.map(|c| c.max(floor)))
            }
        };
        for (t, &c) in t.0.iter_mut().zip(&counts.0) {
            if c == 0 {
                *t = 0;
            }
        }
        t
    }

    /// Checks the plan's numbers: `Balance(K)` needs K ≥ 1, `Ratio(R)` a finite R ≥ 1.
    pub fn validate(&self) -> Result<(), AugmentError> {
        match *self {
            Plan::Balance(0) => Err(AugmentError::BadPlan {
                input: self.to_string(),
                reason: "K must be at least 1".into(),
            }),
            Plan::Ratio(r) if !(r.is_finite() && r >= 1.0) => Err(AugmentError::BadPlan {
                input: self.to_string(),
                reason: format!("the ratio R must be a number of at least 1, got {r}"),
            }),
            _ => Ok(()),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        let list = |c: &ClassCounts| {
            AamiClass::ALL
                .iter()
                .map(|k| format!("{k} {}", c.get(*k)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Plan::Seed => format!("the seed guide's targets ({})", list(&Self::SEED_TARGETS)),
            Plan::Balance(k) => format!("every class to {k} beats"),
            Plan::Ratio(r) => {
                format!("imbalance capped at {r}:1 (small classes raised, none lowered)")
            }
            Plan::Custom(c) => format!("custom targets ({})", list(&ClassCounts(*c))),
        }
    }
}

/// Smallest `t` with `t · r ≥ max` (`r ≥ 1`).
fn min_count_for_ratio(max: usize, r: f64) -> usize {
    if max == 0 {
        return 0;
    }
    let mut t = (max as f64 / r).ceil() as usize;
    // Guard the float division at exact multiples.
    while t > 1 && (t - 1) as f64 * r >= max as f64 {
        t -= 1;
    }
    while (t as f64) * r < max as f64 {
        t += 1;
    }
    t
}

impl fmt::Display for Plan {
    /// The form [`Plan::from_str`] reads: `seed`, `balance:K`, `ratio:R`, `custom:N,S,V,F,Q`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Seed => f.write_str("seed"),
            Plan::Balance(k) => write!(f, "balance:{k}"),
            Plan::Ratio(r) => write!(f, "ratio:{r}"),
            Plan::Custom(c) => write!(f, "custom:{},{},{},{},{}", c[0], c[1], c[2], c[3], c[4]),
        }
    }
}

fn parse_count(s: &str) -> Option<usize> {
    let s = s.trim().replace('_', "");
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl FromStr for Plan {
    type Err = AugmentError;

    /// Reads `seed`, `balance:K` (K ≥ 1), `ratio:R` or `ratio:R:1` (R ≥ 1), or
    /// `custom:N,S,V,F,Q` (five counts). Case-insensitive; `_` may group digits (`50_000`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        let bad = |reason: &str| AugmentError::BadPlan {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let lower = input.to_ascii_lowercase();
        let (kind, arg) = match lower.split_once(':') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (lower.as_str(), None),
        };
        let plan = match (kind, arg) {
            ("seed", None) => Plan::Seed,
            ("seed", Some(_)) => return Err(bad("seed takes no value")),
            ("balance", Some(a)) => Plan::Balance(
                parse_count(a).ok_or_else(|| bad("K must be a whole number of beats"))?,
            ),
            ("ratio", Some(a)) => {
                let a = a.strip_suffix(":1").unwrap_or(a).trim();
                let r: f64 = a
                    .parse()
                    .map_err(|_| bad("R must be a number, as in ratio:10"))?;
                Plan::Ratio(r)
            }
            ("custom", Some(a)) => {
                let parts: Vec<&str> = a.split(',').collect();
                if parts.len() != N_CLASSES {
                    return Err(bad(&format!(
                        "custom needs five counts (N,S,V,F,Q), got {}",
                        parts.len()
                    )));
                }
                let mut c = [0usize; N_CLASSES];
                for (slot, p) in c.iter_mut().zip(&parts) {
                    *slot = parse_count(p).ok_or_else(|| {
                        bad(&format!("{:?} is not a whole number of beats", p.trim()))
                    })?;
                }
                Plan::Custom(c)
            }
            ("balance" | "ratio" | "custom", None) => {
                return Err(bad("this plan needs a value after ':'"));
            }
            _ => return Err(bad("unknown plan")),
        };
        plan.validate().map_err(|e| match e {
            AugmentError::BadPlan { reason, .. } => bad(&reason),
            other => other,
        })?;
        Ok(plan)
    }
}

// --------------------------------------------------------------------------------------------
// Configuration
// --------------------------------------------------------------------------------------------

/// Techniques that keep a beat's diagnostic morphology: every technique except the frequency
/// shift.
pub const GENTLE_TECHNIQUES: [Technique; 6] = [
    Technique::TimeWarp,
    Technique::TimeShift,
    Technique::AmplitudeScale,
    Technique::BaselineWander,
    Technique::PowerLine,
    Technique::GaussianNoise,
];

/// Default techniques per class (N, S, V, F, Q), and why:
/// - recording conditions (noise, baseline wander, power line, gain, fiducial jitter) and mild
///   time warping (PR and QT variation, ≤ 0.2) change no class, so every class gets them;
/// - the frequency shift reshapes P and T waves. S beats are told apart by an abnormal or
///   hidden P wave and F beats by their in-between QRS, so both — and N, which they are
///   confused with — leave it out; V beats (wide, bizarre QRS) and Q beats keep their class
///   under it.
pub const DEFAULT_TECHNIQUES: [(AamiClass, &[Technique]); N_CLASSES] = [
    (AamiClass::N, &GENTLE_TECHNIQUES),
    (AamiClass::S, &GENTLE_TECHNIQUES),
    (AamiClass::V, &Technique::ALL),
    (AamiClass::F, &GENTLE_TECHNIQUES),
    (AamiClass::Q, &Technique::ALL),
];

/// Everything [`rebalance`] needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebalanceConfig {
    /// Target counts.
    pub plan: Plan,
    /// Techniques allowed for each class, indexed by [`AamiClass::index`].
    pub techniques_per_class: [Vec<Technique>; N_CLASSES],
    /// Distinct techniques chained on each augmented beat (fewer when a class allows fewer).
    pub techniques_per_beat: usize,
    /// Ranges the parameters are drawn from.
    pub ranges: TechniqueRanges,
    /// Seed of every random choice (down-sampling, sources, techniques, parameters).
    pub seed: u64,
}

impl Default for RebalanceConfig {
    /// The seed guide's plan, [`DEFAULT_TECHNIQUES`], two techniques per beat (with classes of a
    /// few hundred beats raised to thousands, combinations multiply the variety of the copies),
    /// default ranges, seed 0.
    fn default() -> Self {
        Self {
            plan: Plan::Seed,
            techniques_per_class: DEFAULT_TECHNIQUES.map(|(_, t)| t.to_vec()),
            techniques_per_beat: 2,
            ranges: TechniqueRanges::default(),
            seed: 0,
        }
    }
}

impl RebalanceConfig {
    /// Techniques of `class`, without duplicates, in chaining order.
    pub fn techniques_of(&self, class: AamiClass) -> Vec<Technique> {
        let mut t = self.techniques_per_class[class.index()].clone();
        t.sort_unstable();
        t.dedup();
        t
    }

    /// Checks the configuration for windows of `len_samples` at `fs_hz`.
    pub fn validate(&self, fs_hz: f32, len_samples: usize) -> Result<(), AugmentError> {
        self.plan.validate()?;
        if !(1..=Technique::ALL.len()).contains(&self.techniques_per_beat) {
            return Err(AugmentError::OutOfRange {
                parameter: "techniques_per_beat",
                value: self.techniques_per_beat as f64,
                min: 1.0,
                max: Technique::ALL.len() as f64,
            });
        }
        for class in AamiClass::ALL {
            for t in self.techniques_of(class) {
                self.ranges.validate(t, fs_hz, len_samples)?;
            }
        }
        Ok(())
    }
}

// --------------------------------------------------------------------------------------------
// Report
// --------------------------------------------------------------------------------------------

/// Something the user should know about a rebalanced set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RebalanceWarning {
    /// The plan wanted beats of a class the training set does not have.
    AbsentClass {
        /// The class.
        class: AamiClass,
        /// What the plan asked for.
        wanted: usize,
    },
    /// A class is mostly augmented copies of few real beats.
    HeavyAugmentation {
        /// The class.
        class: AamiClass,
        /// Beats of the class in the training set.
        real: usize,
        /// Augmented beats added.
        augmented: usize,
    },
}

impl fmt::Display for RebalanceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebalanceWarning::AbsentClass { class, wanted } => write!(
                f,
                "class {class} has no beat in the training set; the plan's {wanted} cannot be made from nothing, it stays at 0"
            ),
            RebalanceWarning::HeavyAugmentation {
                class,
                real,
                augmented,
            } => write!(
                f,
                "class {class}: {augmented} augmented beats from {real} real ones ({:.0} copies each); a model may learn these {real} beats by heart",
                *augmented as f64 / (*real).max(1) as f64
            ),
        }
    }
}

/// What [`rebalance`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebalanceReport {
    /// The plan's targets for this training set.
    pub targets: ClassCounts,
    /// Beats of the input kept.
    pub kept: ClassCounts,
    /// Beats of the input left out by down-sampling.
    pub dropped: ClassCounts,
    /// Augmented beats added.
    pub augmented: ClassCounts,
    /// The input's distribution.
    pub before: Distribution,
    /// The output's distribution.
    pub after: Distribution,
    /// Things to know.
    pub warnings: Vec<RebalanceWarning>,
}

impl RebalanceReport {
    /// The report for `before` counts and `targets`, before any work.
    fn new(before: &ClassCounts, targets: &ClassCounts, plan: &Plan) -> Self {
        let mut kept = ClassCounts::default();
        let mut dropped = ClassCounts::default();
        let mut augmented = ClassCounts::default();
        let mut warnings = Vec::new();
        let wanted = match plan {
            Plan::Seed => Some(Plan::SEED_TARGETS),
            Plan::Balance(k) => Some(ClassCounts([*k; N_CLASSES])),
            Plan::Custom(c) => Some(ClassCounts(*c)),
            Plan::Ratio(_) => None,
        };
        for class in AamiClass::ALL {
            let i = class.index();
            let (b, t) = (before.0[i], targets.0[i]);
            kept.0[i] = b.min(t);
            dropped.0[i] = b.saturating_sub(t);
            augmented.0[i] = t.saturating_sub(b);
            if b == 0 {
                if let Some(w) = wanted.map(|w| w.get(class)).filter(|&w| w > 0) {
                    warnings.push(RebalanceWarning::AbsentClass { class, wanted: w });
                }
            } else if augmented.0[i] as f64 > HEAVY_AUGMENTATION_FACTOR * b as f64 {
                warnings.push(RebalanceWarning::HeavyAugmentation {
                    class,
                    real: b,
                    augmented: augmented.0[i],
                });
            }
        }
        RebalanceReport {
            targets: *targets,
            kept,
            dropped,
            augmented,
            before: Distribution::new(before),
            after: Distribution::new(targets),
            warnings,
        }
    }
}

/// A rebalanced training set and what was done to get it.
#[derive(Debug, Clone)]
pub struct Rebalanced {
    /// The new training set: kept beats first, in their input order, then augmented beats class
    /// by class (N, S, V, F, Q). Shuffle before training.
    pub beats: BeatSet,
    /// Counts before and after, and warnings.
    pub report: RebalanceReport,
}

/// The report [`rebalance`] would give, without doing the work (for showing a plan).
pub fn plan_report(counts: &ClassCounts, plan: &Plan) -> RebalanceReport {
    RebalanceReport::new(counts, &plan.targets(counts), plan)
}

// --------------------------------------------------------------------------------------------
// Rebalancing
// --------------------------------------------------------------------------------------------

/// Rebalances a **training** set to `config.plan`'s targets.
///
/// `train` must hold training beats only (see the module docs): this function cannot tell a
/// test beat from a training beat, so passing test beats would put augmented copies of test
/// patients into training. It reads `train` and never changes it.
///
/// Per class, with `n` beats and target `t`:
/// - `n > t`: `t` beats chosen uniformly at random without replacement are kept (no augmented
///   beat is added), in their input order;
/// - `n ≤ t`: all `n` are kept and `t − n` augmented beats added. Sources go round-robin through
///   a seeded shuffle of the class's beats (each used ⌊(t−n)/n⌋ or ⌈(t−n)/n⌉ times); beats that
///   are themselves augmented are used as sources only when the class has nothing else. Each
///   augmented beat chains `min(techniques_per_beat, k)` distinct techniques drawn from the
///   class's `k` techniques, applied in [`Technique::ALL`] order, parameters drawn from
///   `config.ranges`. It gets [`Origin::Augmented`]` { source }` (the index in `train`), and the
///   source's RR features, record id and R sample.
///
/// So each class present ends exactly at its target; absent classes stay empty. Everything
/// random comes from `config.seed` (one generator per class, forked in class order), so the
/// same input and config give the same output.
///
/// `progress(done, total)` is called at the start, every [`PROGRESS_EVERY_BEATS`] augmented
/// beats and at the end, `total` being the output's size; returning `false` cancels with
/// [`AugmentError::Cancelled`] (the input is untouched either way).
pub fn rebalance(
    train: &BeatSet,
    config: &RebalanceConfig,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Rebalanced, AugmentError> {
    let layout = train.layout;
    let (fs_hz, len, r_index) = (layout.fs_hz, layout.len, layout.r_index);
    super::augment::check_layout(len, fs_hz, r_index)?;
    config.validate(fs_hz, len)?;
    let before = train.class_counts();
    let targets = config.plan.targets(&before);
    let total = targets.total();
    if total > MAX_OUTPUT_BEATS {
        return Err(AugmentError::TooManyBeats {
            requested: total,
            max: MAX_OUTPUT_BEATS,
        });
    }
    let report = RebalanceReport::new(&before, &targets, &config.plan);
    for class in AamiClass::ALL {
        let needed = report.augmented.get(class);
        if needed > 0 && config.techniques_of(class).is_empty() {
            return Err(AugmentError::NoTechnique { class, needed });
        }
    }
    if !progress(0, total) {
        return Err(AugmentError::Cancelled { done: 0, total });
    }

    // Selection, class by class, each with its own generator.
    let mut rng = Rng::new(config.seed);
    let mut keep: Vec<u32> = Vec::with_capacity(total);
    let mut jobs = Vec::new();
    for class in AamiClass::ALL {
        let mut class_rng = rng.fork(class.index() as u64);
        let mut idx = train.indices_of_class(class);
        let target = targets.get(class);
        if idx.len() > target {
            // Partial Fisher–Yates: the first `target` entries are a uniform sample.
            for i in 0..target {
                let j = i + class_rng.below(idx.len() - i);
                idx.swap(i, j);
            }
            idx.truncate(target);
            keep.extend_from_slice(&idx);
        } else {
            let needed = target - idx.len();
            keep.extend_from_slice(&idx);
            if needed > 0 {
                let mut sources: Vec<u32> = idx
                    .iter()
                    .copied()
                    .filter(|&i| !matches!(train.origin[i as usize], Origin::Augmented { .. }))
                    .collect();
                if sources.is_empty() {
                    sources = idx;
                }
                class_rng.shuffle(&mut sources);
                jobs.push((class, sources, needed, class_rng));
            }
        }
    }
    keep.sort_unstable();
    let mut out = train.subset(&keep);
    let extra = total - keep.len();
    out.windows.reserve(extra * len);
    out.rr.reserve(extra * super::N_RR);
    out.labels.reserve(extra);
    out.record_id.reserve(extra);
    out.r_sample.reserve(extra);
    out.origin.reserve(extra);

    let mut done = keep.len();
    let mut augmenter = Augmenter::new();
    let mut window = vec![0.0f32; len];
    let mut chosen: Vec<Augmentation> = Vec::with_capacity(Technique::ALL.len());
    for (class, sources, needed, mut class_rng) in jobs {
        let list = config.techniques_of(class);
        let per_beat = config.techniques_per_beat.min(list.len());
        let mut order: Vec<usize> = (0..list.len()).collect();
        for j in 0..needed {
            let src = sources[j % sources.len()] as usize;
            // `per_beat` distinct techniques, then back into chaining order.
            for i in 0..per_beat {
                let k = i + class_rng.below(order.len() - i);
                order.swap(i, k);
            }
            let picked = &mut order[..per_beat];
            picked.sort_unstable();
            chosen.clear();
            for &p in picked.iter() {
                chosen.push(config.ranges.draw(list[p], fs_hz, &mut class_rng));
            }
            augmenter
                .apply_chain(
                    train.window(src),
                    fs_hz,
                    r_index,
                    &chosen,
                    &mut class_rng,
                    &mut window,
                )
                .map_err(|e| match e {
                    AugmentError::NonFinite { index, value, .. } => AugmentError::NonFinite {
                        beat: Some(src),
                        index,
                        value,
                    },
                    other => other,
                })?;
            out.push(
                &window,
                train.rr_of(src),
                class,
                train.record_id[src],
                train.r_sample[src],
                Origin::Augmented { source: src as u32 },
            );
            done += 1;
            if done % PROGRESS_EVERY_BEATS == 0 && !progress(done, total) {
                return Err(AugmentError::Cancelled { done, total });
            }
        }
    }
    if !progress(total, total) {
        return Err(AugmentError::Cancelled { done, total });
    }
    let report = RebalanceReport {
        after: Distribution::new(&out.class_counts()),
        ..report
    };
    Ok(Rebalanced { beats: out, report })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{BeatLayout, N_RR};

    /// DS1's class counts (de Chazal 2004, paced records excluded), N, S, V, F, Q.
    const DS1_COUNTS: ClassCounts = ClassCounts([45_866, 944, 3_788, 415, 8]);

    /// A small set: beats of class `c` for each `counts[c]`, interleaved, each window distinct.
    fn set_with(counts: [usize; N_CLASSES]) -> BeatSet {
        let layout = BeatLayout {
            fs_hz: 180.0,
            len: 32,
            r_index: 12,
        };
        let mut s = BeatSet::new(layout);
        let recs = [
            s.record_index("a"),
            s.record_index("b"),
            s.record_index("c"),
        ];
        let mut left = counts;
        let mut i = 0usize;
        while left.iter().any(|&n| n > 0) {
            for class in AamiClass::ALL {
                if left[class.index()] == 0 {
                    continue;
                }
                left[class.index()] -= 1;
                let w: Vec<f32> = (0..layout.len)
                    .map(|k| ((k as f32 - 12.0).powi(2) / -8.0).exp() * (1.0 + i as f32 * 1e-3))
                    .collect();
                s.push(
                    &w,
                    &[i as f32; N_RR],
                    class,
                    recs[i % 3],
                    1000 + i as u64,
                    Origin::Real,
                );
                i += 1;
            }
        }
        s
    }

    fn run(train: &BeatSet, config: &RebalanceConfig) -> Result<Rebalanced, AugmentError> {
        rebalance(train, config, &mut |_, _| true)
    }

    #[test]
    fn targets_of_every_plan_on_hand_made_counts() {
        let c = ClassCounts([5_000, 100, 0, 10, 3]);
        assert_eq!(Plan::Seed.targets(&c).0, [50_000, 8_000, 0, 5_000, 20_000]);
        assert_eq!(
            Plan::Balance(1_000).targets(&c).0,
            [1_000, 1_000, 0, 1_000, 1_000]
        );
        assert_eq!(Plan::Ratio(10.0).targets(&c).0, [5_000, 500, 0, 500, 500]);
        assert_eq!(
            Plan::Ratio(1.0).targets(&c).0,
            [5_000, 5_000, 0, 5_000, 5_000]
        );
        // ⌈5000 / 3⌉ = 1667; a class above the floor stays where it is.
        assert_eq!(
            Plan::Ratio(3.0).targets(&c).0,
            [5_000, 1_667, 0, 1_667, 1_667]
        );
        assert_eq!(
            Plan::Ratio(40.0)
                .targets(&ClassCounts([5_000, 200, 7, 0, 0]))
                .0,
            [5_000, 200, 125, 0, 0]
        );
        assert_eq!(
            Plan::Custom([10, 20, 30, 40, 50]).targets(&c).0,
            [10, 20, 0, 40, 50]
        );
        assert_eq!(Plan::Ratio(2.0).targets(&ClassCounts::default()).0, [0; 5]);
        // The guide's plan on DS1: 95,000 beats, N topped up, not cut.
        let t = Plan::Seed.targets(&DS1_COUNTS);
        assert_eq!(t.0, [50_000, 8_000, 12_000, 5_000, 20_000]);
        assert_eq!(t.total(), 95_000);
        // Ratio never lowers and caps the ratio at R.
        for r in [1.0, 1.5, 2.0, 7.3, 10.0, 145.0] {
            let t = Plan::Ratio(r).targets(&DS1_COUNTS);
            let d = Distribution::new(&t);
            assert!(d.imbalance_ratio.is_some_and(|x| x <= r + 1e-12), "{r}");
            assert!(t.0.iter().zip(&DS1_COUNTS.0).all(|(a, b)| a >= b));
        }
    }

    #[test]
    fn plans_parse_display_and_reject_bad_input() {
        for (text, plan) in [
            ("seed", Plan::Seed),
            (" SEED ", Plan::Seed),
            ("balance:10000", Plan::Balance(10_000)),
            ("balance:10_000", Plan::Balance(10_000)),
            ("ratio:10", Plan::Ratio(10.0)),
            ("ratio:2.5:1", Plan::Ratio(2.5)),
            ("custom:1,2,3,4,5", Plan::Custom([1, 2, 3, 4, 5])),
        ] {
            assert_eq!(text.parse::<Plan>(), Ok(plan), "{text}");
            assert_eq!(plan.to_string().parse::<Plan>(), Ok(plan));
        }
        for bad in [
            "",
            "sed",
            "seed:3",
            "balance",
            "balance:",
            "balance:0",
            "balance:-5",
            "balance:1e3",
            "ratio:0.5",
            "ratio:nan",
            "ratio:inf",
            "ratio:x",
            "custom:1,2,3",
            "custom:1,2,3,4,x",
            "custom:1,2,3,4,5,6",
        ] {
            let e = bad.parse::<Plan>().unwrap_err();
            assert!(matches!(e, AugmentError::BadPlan { .. }), "{bad}: {e}");
            assert!(e.to_string().contains("balance:K"), "{e}");
        }
        assert!(Plan::Balance(0).validate().is_err());
        assert!(Plan::Ratio(f64::NAN).validate().is_err());
        assert!(Plan::Seed.describe().contains("Q 20000"));
    }

    #[test]
    fn rebalance_hits_targets_with_valid_sources_and_leaves_input_alone() {
        let train = set_with([60, 7, 12, 2, 0]);
        let before = train.clone();
        let config = RebalanceConfig {
            plan: Plan::Balance(20),
            seed: 3,
            ..RebalanceConfig::default()
        };
        let out = run(&train, &config).unwrap();
        // Input untouched.
        assert_eq!(train.windows, before.windows);
        assert_eq!(train.labels, before.labels);
        // Targets exactly; Q absent stays 0.
        assert_eq!(out.beats.class_counts().0, [20, 20, 20, 20, 0]);
        assert_eq!(out.report.targets.0, [20, 20, 20, 20, 0]);
        assert_eq!(out.report.kept.0, [20, 7, 12, 2, 0]);
        assert_eq!(out.report.dropped.0, [40, 0, 0, 0, 0]);
        assert_eq!(out.report.augmented.0, [0, 13, 8, 18, 0]);
        assert_eq!(out.report.after.total, 80);
        assert_eq!(out.beats.records, train.records);
        let b = &out.beats;
        for i in 0..b.len() {
            match b.origin[i] {
                Origin::Augmented { source } => {
                    let s = source as usize;
                    assert_eq!(train.origin[s], Origin::Real);
                    assert_eq!(train.labels[s], b.labels[i]);
                    assert_eq!(train.rr_of(s), b.rr_of(i));
                    assert_eq!(train.record_id[s], b.record_id[i]);
                    assert_eq!(train.r_sample[s], b.r_sample[i]);
                    assert!(b.window(i).iter().all(|v| v.is_finite()));
                    assert_ne!(train.window(s), b.window(i));
                }
                _ => {
                    // A kept beat is a beat of the input, unchanged.
                    let s = (b.r_sample[i] - 1000) as usize;
                    assert_eq!(train.window(s), b.window(i));
                    assert_eq!(train.labels[s], b.labels[i]);
                    assert_eq!(train.origin[s], b.origin[i]);
                }
            }
        }
        // Down-sampled N: only real beats, no duplicates.
        let mut n_src: Vec<u64> = (0..b.len())
            .filter(|&i| b.labels[i] == AamiClass::N)
            .map(|i| {
                assert_eq!(b.origin[i], Origin::Real);
                b.r_sample[i]
            })
            .collect();
        n_src.dedup();
        assert_eq!(n_src.len(), 20);
        // Round-robin: F's 2 beats are each the source of 9 copies.
        let f_sources: Vec<u32> = b
            .origin
            .iter()
            .filter_map(|o| match o {
                Origin::Augmented { source } if train.labels[*source as usize] == AamiClass::F => {
                    Some(*source)
                }
                _ => None,
            })
            .collect();
        for s in train.indices_of_class(AamiClass::F) {
            assert_eq!(f_sources.iter().filter(|&&x| x == s).count(), 9);
        }
    }

    #[test]
    fn rebalance_is_seeded() {
        let train = set_with([30, 5, 9, 1, 2]);
        let config = RebalanceConfig {
            plan: Plan::Custom([10, 12, 12, 12, 12]),
            seed: 42,
            ..RebalanceConfig::default()
        };
        let a = run(&train, &config).unwrap();
        let b = run(&train, &config).unwrap();
        assert_eq!(a.beats.windows, b.beats.windows);
        assert_eq!(a.beats.origin, b.beats.origin);
        let c = run(&train, &RebalanceConfig { seed: 43, ..config }).unwrap();
        assert_ne!(a.beats.windows, c.beats.windows);
    }

    #[test]
    fn cancelling_stops_with_an_error_and_progress_reaches_total() {
        let train = set_with([10, 1, 1, 1, 1]);
        let config = RebalanceConfig {
            plan: Plan::Balance(3000),
            ..RebalanceConfig::default()
        };
        let e = rebalance(&train, &config, &mut |_, _| false).unwrap_err();
        assert_eq!(
            e,
            AugmentError::Cancelled {
                done: 0,
                total: 15_000
            }
        );
        let mut calls = 0;
        let e = rebalance(&train, &config, &mut |_, _| {
            calls += 1;
            calls < 3
        })
        .unwrap_err();
        assert!(
            matches!(e, AugmentError::Cancelled { done: 2048, .. }),
            "{e}"
        );
        let mut seen = Vec::new();
        rebalance(&train, &config, &mut |d, t| {
            seen.push((d, t));
            true
        })
        .unwrap();
        assert_eq!(seen.first(), Some(&(0, 15_000)));
        assert_eq!(seen.last(), Some(&(15_000, 15_000)));
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn settings_errors_are_typed() {
        let train = set_with([10, 2, 0, 0, 0]);
        let mut config = RebalanceConfig {
            plan: Plan::Balance(5),
            ..RebalanceConfig::default()
        };
        config.techniques_per_class[AamiClass::S.index()].clear();
        assert_eq!(
            run(&train, &config).unwrap_err(),
            AugmentError::NoTechnique {
                class: AamiClass::S,
                needed: 3
            }
        );
        // A class that needs no augmentation may have no technique.
        config.plan = Plan::Balance(2);
        assert!(run(&train, &config).is_ok());
        config.plan = Plan::Balance(600_000); // 2 classes present: 1.2 million beats
        config.techniques_per_class = RebalanceConfig::default().techniques_per_class;
        assert!(matches!(
            run(&train, &config),
            Err(AugmentError::TooManyBeats { .. })
        ));
        config.plan = Plan::Balance(0);
        assert!(matches!(
            run(&train, &config),
            Err(AugmentError::BadPlan { .. })
        ));
        config.plan = Plan::Seed;
        config.techniques_per_beat = 0;
        assert!(matches!(
            run(&train, &config),
            Err(AugmentError::OutOfRange { .. })
        ));
        // Windows at 100 Hz cannot carry 50/60 Hz hum: the default config says so.
        let mut slow = train.clone();
        slow.layout.fs_hz = 100.0;
        let e = run(&slow, &RebalanceConfig::default()).unwrap_err();
        assert!(matches!(e, AugmentError::AboveNyquist { .. }), "{e}");
        // Non-finite windows are reported with the beat.
        let mut bad = train.clone();
        let s = bad.indices_of_class(AamiClass::S)[0] as usize;
        bad.windows[s * 32 + 4] = f32::NAN;
        let e = run(
            &bad,
            &RebalanceConfig {
                plan: Plan::Balance(5),
                ..RebalanceConfig::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(e, AugmentError::NonFinite { beat: Some(b), index: 4, .. } if b == s),
            "{e}"
        );
    }

    #[test]
    fn report_warns_about_absent_and_heavily_augmented_classes() {
        let r = plan_report(&DS1_COUNTS, &Plan::Seed);
        assert!(r.warnings.contains(&RebalanceWarning::HeavyAugmentation {
            class: AamiClass::Q,
            real: 8,
            augmented: 19_992
        }));
        assert!(r.warnings.iter().any(|w| matches!(
            w,
            RebalanceWarning::HeavyAugmentation {
                class: AamiClass::F,
                ..
            }
        )));
        assert_eq!(r.before.ratio_text(), "5733:1");
        assert_eq!(r.after.ratio_text(), "10:1");
        let r = plan_report(&ClassCounts([100, 10, 0, 0, 0]), &Plan::Balance(50));
        assert!(r.warnings.contains(&RebalanceWarning::AbsentClass {
            class: AamiClass::V,
            wanted: 50
        }));
        assert!(r.warnings[0].to_string().contains("stays at 0"));
    }

    #[test]
    fn augmented_beats_are_not_used_as_sources_when_real_ones_exist() {
        let mut train = set_with([4, 3, 0, 0, 0]);
        let s0 = train.indices_of_class(AamiClass::S)[0] as usize;
        let w = train.window(s0).to_vec();
        let rr = train.rr_of(s0).to_vec();
        train.push(
            &w,
            &rr,
            AamiClass::S,
            0,
            1,
            Origin::Augmented { source: s0 as u32 },
        );
        let out = run(
            &train,
            &RebalanceConfig {
                plan: Plan::Balance(12),
                ..RebalanceConfig::default()
            },
        )
        .unwrap();
        for o in &out.beats.origin {
            if let Origin::Augmented { source } = o {
                assert_eq!(train.origin[*source as usize], Origin::Real);
            }
        }
    }
}
