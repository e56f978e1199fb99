//! The state of the "Synthetic beats" section, shared with the Train screen: the last set's
//! report and whether the next training runs add it.

use leptos::prelude::*;

use crate::dataset::synthetic::plan::SynthTrainConfig;
use crate::session::views::SynthView;

/// The section's state.
#[derive(Clone, Copy)]
pub struct SynthState {
    /// The last generated set's report.
    pub view: RwSignal<Option<SynthView>>,
    /// Add synthetic beats with this plan to the training beats of the next runs.
    pub add: RwSignal<Option<SynthTrainConfig>>,
    /// A generation is running.
    pub running: RwSignal<bool>,
    /// The settings of the last set asked for (in the form, or made again after a reload): the
    /// form starts from them.
    pub settings: RwSignal<Option<SynthTrainConfig>>,
}

impl SynthState {
    /// Nothing generated yet.
    pub fn new() -> Self {
        Self {
            view: RwSignal::new(None),
            add: RwSignal::new(None),
            running: RwSignal::new(false),
            settings: RwSignal::new(None),
        }
    }

    /// The worker generated synthetic beats: a new set replaces the one training would add.
    pub fn on_synthesized(&self, view: SynthView) {
        self.running.set(false);
        self.add.set(None);
        self.view.set(Some(view));
    }

    /// A request failed or was cancelled.
    pub fn on_error(&self) {
        self.running.set(false);
    }
}

impl Default for SynthState {
    fn default() -> Self {
        Self::new()
    }
}
