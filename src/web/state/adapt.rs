//! The state of "Adapt to this patient": the beats the worker asked the person to label, the
//! labels given so far, and the before/after view of the last adaptation.

use leptos::prelude::*;

use crate::ecg::aami::AamiClass;
use crate::session::adapt::{AdaptQueriesView, AdaptView};

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
        }
    }

    /// The worker picked beats to label: start labelling from the first, with no label.
    pub fn on_queries(&self, view: AdaptQueriesView) {
        self.asking.set(false);
        self.error.set(None);
        self.result.set(None);
        self.labels.set(vec![None; view.queries.len()]);
        self.current.set(0);
        self.queries.set(Some(view));
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
