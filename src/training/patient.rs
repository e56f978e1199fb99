//! Scoring patient-adaptive classification the way the page and the CLI run it: for each test
//! record, the record's labels go into a [`LabelOracle`] that answers only the beats it is asked
//! about, the model picks its queries from the unlabelled beats ([`select_queries`]; in rounds,
//! each later round picked by a copy fine-tuned on the labels so far) — or the
//! first five minutes are labelled (AAMI EC57's patient-specific protocol) — a copy of the model
//! is fine-tuned ([`adapt`]), and only the beats that were *not* queried are scored, before and
//! after.
//!
//! The oracle is the one door to a record's labels: [`adapt_record`] takes the labels by value,
//! hands the rest of the pipeline an [`UnlabelledBeats`], and returns the list of beats whose
//! label was read, so a test can check that it is exactly the queried beats.
//!
//! [`select_queries`]: super::adapt::select_queries

use serde::{Deserialize, Serialize};

use super::adapt::{
    AdaptBase, AdaptConfig, PatientLabels, QueryReason, UnlabelledBeats, adapt, first_minutes,
    pseudo_labels, round_sizes, select_more_why, select_queries_why,
};
use super::trained::TrainedModel;
use crate::dataset::BeatSet;
use crate::dataset::templates::Templates;
use crate::ecg::aami::{AamiClass, N_CLASSES};
use crate::metrics::ConfusionMatrix;

/// A record's labels, behind a door that writes down every beat it answers for.
#[derive(Debug)]
pub struct LabelOracle {
    labels: Vec<AamiClass>,
    asked: Vec<u32>,
}

impl LabelOracle {
    /// Holds `labels` (one per beat of the record).
    pub fn new(labels: Vec<AamiClass>) -> Self {
        LabelOracle {
            labels,
            asked: Vec::new(),
        }
    }

    /// The label of beat `i` (recorded as asked); `None` past the end.
    pub fn ask(&mut self, i: u32) -> Option<AamiClass> {
        let c = self.labels.get(i as usize).copied()?;
        self.asked.push(i);
        Some(c)
    }

    /// Every beat asked about, in the order asked.
    pub fn asked(&self) -> &[u32] {
        &self.asked
    }

    /// Gives the labels back for scoring, with the list of beats asked: only once the
    /// adaptation is over.
    pub fn into_parts(self) -> (Vec<AamiClass>, Vec<u32>) {
        (self.labels, self.asked)
    }
}

/// Which beats of a new record a person labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Budget {
    /// The model picks this many beats ([`select_queries`]); 0 scores the model unchanged.
    ///
    /// [`select_queries`]: super::adapt::select_queries
    Beats {
        /// Beats to label.
        k: usize,
    },
    /// The beats of the first minutes (AAMI EC57: 5 minutes labelled, the other 25 scored).
    FirstMinutes {
        /// Minutes labelled.
        minutes: f64,
    },
    /// No label at all: the model's own confident decisions (self-training). Uses the test
    /// recording's beats, not their labels; reported apart from everything else.
    SelfTraining,
}

impl Budget {
    /// Short name: "20", "first 5 min", "self-training".
    pub fn name(&self) -> String {
        match self {
            Budget::Beats { k } => k.to_string(),
            Budget::FirstMinutes { minutes } => format!("first {minutes} min"),
            Budget::SelfTraining => "self-training".into(),
        }
    }

    /// The budget of the first of `rounds` rounds, and the beats each later round asks
    /// ([`round_sizes`]): `k` beats split over the rounds; the first minutes and self-training
    /// are one round.
    pub fn rounds(self, rounds: usize) -> (Budget, Vec<usize>) {
        match self {
            Budget::Beats { k } => {
                let sizes = round_sizes(k, rounds);
                let first = sizes.first().copied().unwrap_or(0);
                (
                    Budget::Beats { k: first },
                    sizes.into_iter().skip(1).collect(),
                )
            }
            other => (other, Vec::new()),
        }
    }

    /// Parses "20", "first5" / "first:5" or "self".
    pub fn parse(s: &str) -> Result<Budget, String> {
        let s = s.trim();
        if s == "self" {
            return Ok(Budget::SelfTraining);
        }
        if let Some(m) = s.strip_prefix("first") {
            let m = m.trim_start_matches(':');
            let minutes: f64 = if m.is_empty() { Ok(5.0) } else { m.parse() }
                .map_err(|_| format!("`{s}`: first minutes as first5 or first:5"))?;
            if !(minutes.is_finite() && minutes > 0.0 && minutes <= 24.0 * 60.0) {
                return Err(format!("`{s}`: minutes between 0 and 1440"));
            }
            return Ok(Budget::FirstMinutes { minutes });
        }
        let k: usize = s
            .parse()
            .map_err(|_| format!("`{s}`: a number of beats, first5 or self"))?;
        if k > 100_000 {
            return Err(format!("`{s}`: at most 100,000 beats"));
        }
        Ok(Budget::Beats { k })
    }
}

/// One record adapted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordAdaptation {
    /// Record name.
    pub record: String,
    /// Beats whose label was read (queried), indices into the record's beats, as asked.
    pub queried: Vec<u32>,
    /// Classes of the unqueried beats, before adaptation: `counts[t][p]`.
    pub before: ConfusionMatrix,
    /// The same beats after adaptation.
    pub after: ConfusionMatrix,
    /// Predicted class index of every beat of the record, before.
    pub predicted_before: Vec<usize>,
    /// The same, after.
    pub predicted_after: Vec<usize>,
}

/// Adapts `base`'s model to one record: `beats` are the record's beats (one record, labels
/// removed before anything reads them), `labels` go into the oracle. `base`'s training beats
/// are replayed so the model does not forget other patients; `record_fs_hz` is the rate of the
/// beats' R-peak sample numbers. `None` when `cancelled` says so.
#[allow(clippy::too_many_arguments)]
pub fn adapt_record(
    base: AdaptBase,
    beats: BeatSet,
    labels: LabelOracle,
    budget: Budget,
    config: &AdaptConfig,
    record_fs_hz: f64,
    cancelled: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<RecordAdaptation>, crate::Error> {
    let model = base.model;
    config.validate()?;
    let mut oracle = labels;
    let record = beats.records.first().cloned().unwrap_or_default();
    let unl = UnlabelledBeats::new(beats);
    let templates = Templates::fit(unl.beats());
    let all: Vec<u32> = (0..unl.len() as u32).collect();
    let predicted_before = model.predict(unl.beats(), &all, &templates);
    let (queries, labelled) = match budget {
        Budget::Beats { k } => {
            let sizes = round_sizes(k, config.rounds);
            let answer = &mut |q: &[u32]| ask_all(&mut oracle, q);
            let asked = ask_in_rounds(base, &unl, &templates, &sizes, config, answer, cancelled)?;
            let Some(asked) = asked else {
                return Ok(None);
            };
            asked
        }
        Budget::FirstMinutes { .. } => {
            let q = query_beats(model, &unl, &templates, budget, record_fs_hz);
            let l = ask_all(&mut oracle, &q)?;
            (q, l)
        }
        Budget::SelfTraining => (
            Vec::new(),
            pseudo_labels(model, &unl, &templates, 0.95, 300),
        ),
    };
    let patient = PatientLabels {
        record: &unl,
        templates: &templates,
        labelled: &labelled,
    };
    let Some(adapted) = adapt(base, patient, config, cancelled)? else {
        return Ok(None);
    };
    let predicted_after = adapted.predict(unl.beats(), &all, &templates);
    // Scoring: the labels come back only now, and the queried beats are left out.
    let (truth, asked) = oracle.into_parts();
    debug_assert_eq!(asked, queries);
    let truth: Vec<Option<AamiClass>> = truth.into_iter().map(Some).collect();
    let (before, after) = score_unqueried(&truth, &asked, &predicted_before, &predicted_after);
    Ok(Some(RecordAdaptation {
        record,
        queried: asked,
        before,
        after,
        predicted_before,
        predicted_after,
    }))
}

/// Labels given to beats of a record: (beat index, class).
pub type Labels = Vec<(u32, AamiClass)>;

/// Asks about `sizes` beats of `record` in rounds (indices and labels, in the order asked): the
/// model of `base` picks the first round, a copy fine-tuned on every label so far each later one
/// ([`select_more_why`]); `answer` gives the labels of each round's beats (the record's oracle, or
/// a person). `None` when `cancelled` stops a fine-tuning. The one round loop of the CLI and the
/// ablations.
pub fn ask_in_rounds(
    base: AdaptBase,
    record: &UnlabelledBeats,
    templates: &Templates,
    sizes: &[usize],
    config: &AdaptConfig,
    answer: &mut dyn FnMut(&[u32]) -> Result<Labels, crate::Error>,
    cancelled: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<(Vec<u32>, Labels)>, crate::Error> {
    let mut queries: Vec<u32> = Vec::new();
    let mut labelled: Labels = Vec::new();
    let mut tuned: Option<TrainedModel> = None;
    for (r, &k) in sizes.iter().enumerate() {
        let model = tuned.as_ref().unwrap_or(base.model);
        let picks: Vec<u32> = select_more_why(model, record, templates, k, &queries)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        labelled.extend(answer(&picks)?);
        queries.extend(picks);
        if r + 1 < sizes.len() {
            let patient = PatientLabels {
                record,
                templates,
                labelled: &labelled,
            };
            let Some(m) = adapt(base, patient, config, cancelled)? else {
                return Ok(None);
            };
            tuned = Some(m);
        }
    }
    Ok(Some((queries, labelled)))
}

/// The beats of a record a person is asked to label under `budget` (indices into the record's
/// beats, in the order asked): the model's picks ([`select_queries`]) for
/// [`Budget::Beats`], the beats of the first minutes ([`first_minutes`], R peaks at the record's
/// rate `record_fs_hz`) for [`Budget::FirstMinutes`], none for [`Budget::SelfTraining`].
/// `templates` are the record's own.
///
/// [`select_queries`]: super::adapt::select_queries
pub fn query_beats(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    budget: Budget,
    record_fs_hz: f64,
) -> Vec<u32> {
    query_beats_why(model, record, templates, budget, record_fs_hz)
        .into_iter()
        .map(|(i, _)| i)
        .collect()
}

/// [`query_beats`] with why the model picked each beat ([`QueryReason`]; `None` for the first
/// minutes, which are not picked).
pub fn query_beats_why(
    model: &TrainedModel,
    record: &UnlabelledBeats,
    templates: &Templates,
    budget: Budget,
    record_fs_hz: f64,
) -> Vec<(u32, Option<QueryReason>)> {
    match budget {
        Budget::SelfTraining => Vec::new(),
        Budget::FirstMinutes { minutes } => first_minutes(record, record_fs_hz, minutes)
            .into_iter()
            .map(|i| (i, None))
            .collect(),
        Budget::Beats { k } => select_queries_why(model, record, templates, k)
            .into_iter()
            .map(|(i, why)| (i, Some(why)))
            .collect(),
    }
}

/// Confusion matrices before and after adaptation over the beats that were *not* `queried`:
/// `truth` is each beat's reference class (`None`: not scored, e.g. a detected beat no
/// reference beat matches), `before` and `after` each beat's predicted class index. The one
/// scoring rule of the CLI ([`adapt_record`]) and the page.
pub fn score_unqueried(
    truth: &[Option<AamiClass>],
    queried: &[u32],
    before: &[usize],
    after: &[usize],
) -> (ConfusionMatrix, ConfusionMatrix) {
    let mut is_queried = vec![false; truth.len()];
    for &i in queried {
        if let Some(q) = is_queried.get_mut(i as usize) {
            *q = true;
        }
    }
    let mut m_before = ConfusionMatrix::new(N_CLASSES);
    let mut m_after = ConfusionMatrix::new(N_CLASSES);
    for (i, t) in truth.iter().enumerate() {
        let (Some(t), false) = (t, is_queried[i]) else {
            continue;
        };
        if let (Some(&b), Some(&a)) = (before.get(i), after.get(i)) {
            m_before.add(t.index(), b);
            m_after.add(t.index(), a);
        }
    }
    (m_before, m_after)
}

fn ask_all(oracle: &mut LabelOracle, q: &[u32]) -> Result<Vec<(u32, AamiClass)>, crate::Error> {
    q.iter()
        .map(|&i| {
            oracle
                .ask(i)
                .map(|c| (i, c))
                .ok_or_else(|| crate::Error::Invalid("a queried beat is not in the record".into()))
        })
        .collect()
}

/// Patient-adaptive results over several test records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptationReport {
    /// The budget.
    pub budget: Budget,
    /// The fine-tuning settings.
    pub config: AdaptConfig,
    /// Every record's result.
    pub records: Vec<RecordAdaptation>,
    /// Unqueried beats of every record, pooled, before adaptation.
    pub before: ConfusionMatrix,
    /// The same beats after.
    pub after: ConfusionMatrix,
    /// Beats labelled, over all records.
    pub queried: usize,
}

/// [`adapt_record`] over every record of `test` (each record's labels go into its own oracle);
/// `record_fs_hz(name)` is the rate of a record's R-peak sample numbers; `on_record` after each
/// record (with how many are done, of how many), and `cancelled` between training steps.
#[allow(clippy::too_many_arguments)]
pub fn adapt_records(
    base: AdaptBase,
    test: &BeatSet,
    budget: Budget,
    config: &AdaptConfig,
    record_fs_hz: &dyn Fn(&str) -> f64,
    on_record: &mut dyn FnMut(&RecordAdaptation, usize, usize),
    cancelled: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<AdaptationReport>, crate::Error> {
    let mut ids: Vec<u32> = test.record_id.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut report = AdaptationReport {
        budget,
        config: config.clone(),
        records: Vec::new(),
        before: ConfusionMatrix::new(N_CLASSES),
        after: ConfusionMatrix::new(N_CLASSES),
        queried: 0,
    };
    for (n, &rid) in ids.iter().enumerate() {
        let mut rec = test.only_record(rid);
        let labels = LabelOracle::new(std::mem::take(&mut rec.labels));
        rec.labels = vec![AamiClass::N; labels.labels.len()];
        let fs = record_fs_hz(rec.records.first().map_or("", String::as_str));
        let Some(r) = adapt_record(base, rec, labels, budget, config, fs, cancelled)? else {
            return Ok(None);
        };
        report.before.merge(&r.before);
        report.after.merge(&r.after);
        report.queried += r.queried.len();
        on_record(&r, n + 1, ids.len());
        report.records.push(r);
    }
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse() {
        assert_eq!(Budget::parse("20"), Ok(Budget::Beats { k: 20 }));
        assert_eq!(
            Budget::parse("first5"),
            Ok(Budget::FirstMinutes { minutes: 5.0 })
        );
        assert_eq!(
            Budget::parse("first:2.5"),
            Ok(Budget::FirstMinutes { minutes: 2.5 })
        );
        assert_eq!(Budget::parse("self"), Ok(Budget::SelfTraining));
        assert!(Budget::parse("lots").is_err());
        assert!(Budget::parse("first-1").is_err());
        assert!(Budget::parse("999999999").is_err());
    }

    #[test]
    fn a_budget_is_asked_in_rounds() {
        assert_eq!(
            Budget::Beats { k: 20 }.rounds(2),
            (Budget::Beats { k: 10 }, vec![10])
        );
        assert_eq!(
            Budget::Beats { k: 5 }.rounds(3),
            (Budget::Beats { k: 2 }, vec![2, 1])
        );
        assert_eq!(
            Budget::Beats { k: 0 }.rounds(2),
            (Budget::Beats { k: 0 }, vec![])
        );
        let first5 = Budget::FirstMinutes { minutes: 5.0 };
        assert_eq!(first5.rounds(2), (first5, vec![]));
    }

    #[test]
    fn only_unqueried_beats_with_a_reference_are_scored() {
        use AamiClass::{N, S};
        let truth = [Some(N), Some(S), None, Some(S), Some(N)];
        let (before, after) = score_unqueried(&truth, &[1, 9], &[0, 0, 0, 0, 0], &[0, 1, 1, 1, 0]);
        // Beat 1 was queried, beat 2 has no reference, 9 is out of range and ignored.
        assert_eq!(before.total(), 3);
        assert_eq!(before.counts[S.index()][N.index()], 1);
        assert_eq!(after.counts[S.index()][S.index()], 1);
        assert_eq!(after.counts[N.index()][N.index()], 2);
    }

    #[test]
    fn the_oracle_writes_down_what_it_answers() {
        let mut o = LabelOracle::new(vec![AamiClass::N, AamiClass::V, AamiClass::S]);
        assert_eq!(o.ask(1), Some(AamiClass::V));
        assert_eq!(o.ask(7), None);
        assert_eq!(o.asked(), &[1]);
    }
}
