//! The state of "Adapt to this patient": the beats the worker asked the person to label, the
//! labels given so far, and the before/after view of the last adaptation.

use leptos::prelude::*;

use crate::ecg::aami::AamiClass;
use crate::session::adapt::{AdaptQueriesView, AdaptView, KeptLabels};
use crate::training::adapt::AdaptConfig;
use crate::training::patient::Budget;

/// The section's state.
#[derive(Clone, Copy)]
pub struct AdaptState {
    /// The beats to label (the last answer to `AdaptQueries`).
    pub queries: RwSignal<Option<AdaptQueriesView>>,
    /// The label given to each queried beat, in query order (`None`: not labelled).
    pub labels: RwSignal<Vec<Option<AamiClass>>>,
    /// The queried beat being labelled (0-based).
    pub current: RwSignal<usize>,
    /// The last adaptation's before/after view.
    pub result: RwSignal<Option<AdaptView>>,
    /// An `AdaptQueries` request is on its way.
    pub asking: RwSignal<bool>,
    /// A fine-tuning job is running.
    pub running: RwSignal<bool>,
    /// Why the last adaptation request was refused.
    pub error: RwSignal<Option<String>>,
    /// The form: beats to label, as typed.
    pub k: RwSignal<String>,
    /// The form: rounds they are asked in, as typed.
    pub rounds: RwSignal<String>,
    /// The form: the first minutes are labelled from the annotations instead.
    pub first_minutes: RwSignal<bool>,
    /// Labels kept from an earlier visit, for the queries of (run, record) when they come back.
    kept: StoredValue<Option<KeptLabels>>,
}

impl AdaptState {
    /// Nothing asked yet.
    pub fn new() -> Self {
        Self {
            queries: RwSignal::new(None),
            labels: RwSignal::new(Vec::new()),
            current: RwSignal::new(0),
            result: RwSignal::new(None),
            asking: RwSignal::new(false),
            running: RwSignal::new(false),
            error: RwSignal::new(None),
            k: RwSignal::new(AdaptConfig::default().budget.to_string()),
            rounds: RwSignal::new(AdaptConfig::default().rounds.to_string()),
            first_minutes: RwSignal::new(false),
            kept: StoredValue::new(None),
        }
    }

    /// The worker picked beats to label: start labelling from the first, with no label — or,
    /// when they are the queries whose labels an earlier visit kept, with those labels, from the
    /// first beat not labelled.
    ///
    /// A later round (`view.earlier` beats asked before, then the new ones) keeps the labels given
    /// to the earlier beats and starts at the first new one. Labels kept from an earlier visit
    /// that reach past the first round wait for the later rounds.
    pub fn on_queries(&self, view: AdaptQueriesView) {
        self.asking.set(false);
        self.running.set(false);
        self.error.set(None);
        self.result.set(None);
        let shown = self.queries.get_untracked();
        let given = self.labels.get_untracked();
        let mut start = (Vec::new(), 0);
        self.kept.update_value(|kept| {
            start = KeptLabels::start(kept, shown.as_ref().map(|q| (q, given.as_slice())), &view);
        });
        let (labels, current) = start;
        self.current.set(current);
        self.labels.set(labels);
        self.queries.set(Some(view));
    }

    /// The form shows the choices a kept request was made with (the page reopened).
    pub fn restore_form(&self, budget: Budget, rounds: Option<usize>) {
        match budget {
            Budget::Beats { k } => {
                self.first_minutes.set(false);
                self.k.set(k.to_string());
                let rounds = rounds.unwrap_or(AdaptConfig::default().rounds);
                self.rounds.set(rounds.to_string());
            }
            Budget::FirstMinutes { .. } => self.first_minutes.set(true),
            Budget::SelfTraining => {}
        }
    }

    /// The queries of `run` on `record` are asked again (the page reopened): they get `labels`.
    pub fn restore_labels(&self, run: u32, record: &str, labels: Vec<Option<AamiClass>>) {
        self.kept
            .set_value(Some(KeptLabels::new(run, record, labels)));
    }

    /// The worker adapted the model.
    pub fn on_adapted(&self, view: AdaptView) {
        self.running.set(false);
        self.result.set(Some(view));
    }

    /// An adaptation request was refused or failed.
    pub fn on_error(&self, message: String) {
        self.asking.set(false);
        self.running.set(false);
        self.error.set(Some(message));
    }

    /// A job ended without an answer of its own (cancelled, or another request failed).
    pub fn on_stopped(&self) {
        self.asking.set(false);
        self.running.set(false);
    }

    /// Labels beat `k` of the queries as `class` and moves to the next beat.
    pub fn label(&self, k: usize, class: AamiClass) {
        self.labels.update(|l| {
            if let Some(x) = l.get_mut(k) {
                *x = Some(class);
            }
        });
        self.step(1);
    }

    /// Moves `by` beats forward (negative: back), staying within the queries.
    pub fn step(&self, by: isize) {
        let n = self.labels.with_untracked(Vec::len);
        self.current.update(|c| {
            *c = c.saturating_add_signed(by).min(n.saturating_sub(1));
        });
    }

    /// The labels given, as (beat index, class) for the worker.
    pub fn given(&self) -> Vec<(u32, AamiClass)> {
        let Some(q) = self.queries.get_untracked() else {
            return Vec::new();
        };
        self.labels.with_untracked(|l| {
            q.queries
                .iter()
                .zip(l)
                .filter_map(|(b, c)| c.map(|c| (b.index, c)))
                .collect()
        })
    }
}

impl Default for AdaptState {
    fn default() -> Self {
        Self::new()
    }
}
