//! What a training run shows: its report (figures on the test split, per record, the beats it
//! got wrong) and its progress.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Progress;

use crate::dataset::BeatLayout;
use crate::ecg::aami::{AamiClass, ClassCounts, N_CLASSES};
use crate::metrics::{ConfusionMatrix, Evaluation};
use crate::training::{EpochStats, TrainConfig};
use crate::workspace::BeatSource;

/// A beat the model got wrong, for the gallery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Misclassified {
    /// Record.
    pub record: String,
    /// Position of the R peak, s.
    pub t_s: f64,
    /// True class.
    pub truth: AamiClass,
    /// Predicted class.
    pub predicted: AamiClass,
    /// The beat window.
    pub window: Vec<f32>,
}

/// Everything about one finished (or cancelled) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Run number, from 1.
    pub id: u32,
    /// The settings.
    pub config: TrainConfig,
    /// Records or beat files.
    pub source: BeatSource,
    /// Description of the split.
    pub split_text: String,
    /// True for an optimistic (beat-level) split, or when the model was trained on some of the
    /// test records.
    pub optimistic: bool,
    /// Test records the model was trained or validated on (a loaded model file scored on the
    /// records it came from).
    #[serde(default)]
    pub seen_test_records: Vec<String>,
    /// The model (an older file) does not say which records it was trained on.
    #[serde(default)]
    pub trained_on_unknown: bool,
    /// Training beats per class.
    pub train_counts: ClassCounts,
    /// Validation beats per class.
    pub val_counts: ClassCounts,
    /// Test beats per class.
    pub test_counts: ClassCounts,
    /// Validation records.
    pub val_records: Vec<String>,
    /// Class weights used.
    pub class_weights: [f32; N_CLASSES],
    /// Per-epoch figures.
    pub history: Vec<EpochStats>,
    /// Epochs whose models vote.
    pub ensemble_epochs: Vec<usize>,
    /// Training time, s.
    pub train_seconds: f64,
    /// Wall time of each finished epoch (its batches and its validation pass), s.
    #[serde(default)]
    pub epoch_seconds: Vec<f64>,
    /// True when the run was cancelled (the best model so far was kept).
    pub cancelled: bool,
    /// Test-set evaluation.
    pub evaluation: Evaluation,
    /// Examples of wrong predictions.
    pub misclassified: Vec<Misclassified>,
    /// Window layout of the beats.
    pub layout: BeatLayout,
    /// Time to split and prepare the training beats (rebalancing, synthetic beats), s.
    #[serde(default)]
    pub prepare_seconds: f64,
    /// Synthetic beats added to the training beats per class, when the run added them.
    #[serde(default)]
    pub synthetic_added: Option<ClassCounts>,
    /// The confusion matrix of each test record.
    #[serde(default)]
    pub per_record_confusion: BTreeMap<String, ConfusionMatrix>,
    /// Fingerprint of the beats the run was drawn from, before the split (FNV-1a over every
    /// beat's label, record name, R peak, window and RR features:
    /// [`crate::dataset::synthetic::plan::training_fingerprint`] of all of them); 0 in reports
    /// saved before it existed.
    #[serde(default)]
    pub data_fingerprint: u64,
}

/// One class of one record in the per-record table: where a class's errors live.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecordClassScore {
    /// Beats of the class in the record.
    pub support: u64,
    /// Of those, found.
    pub found: u64,
    /// Beats of other classes called this class.
    pub false_alarms: u64,
    /// Sensitivity, when the record has beats of the class.
    pub se: Option<f64>,
    /// Positive predictivity, when anything was called this class.
    pub ppv: Option<f64>,
}

/// One test record's S, V and F results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    /// Record name.
    pub record: String,
    /// Beats scored.
    pub beats: u64,
    /// S, V and F, in that order.
    pub classes: [RecordClassScore; 3],
}

fn record_class(cm: &ConfusionMatrix, c: usize) -> RecordClassScore {
    let support: u64 = cm.counts[c].iter().sum();
    let found = cm.counts[c][c];
    let called: u64 = cm.counts.iter().map(|row| row[c]).sum();
    RecordClassScore {
        support,
        found,
        false_alarms: called - found,
        se: (support > 0).then(|| found as f64 / support as f64),
        ppv: (called > 0).then(|| found as f64 / called as f64),
    }
}

impl RunReport {
    /// The warning an optimistic run carries, in words (`None` for a split by patient whose
    /// model saw no test record).
    pub fn optimistic_text(&self) -> Option<String> {
        if !self.optimistic {
            return None;
        }
        Some(if self.seen_test_records.is_empty() {
            "Optimistic split: the same patients are in training and test.".to_string()
        } else {
            format!(
                "Optimistic: this model was trained on {} of the test records ({}); those figures do not describe new patients.",
                self.seen_test_records.len(),
                self.seen_test_records.join(", ")
            )
        })
    }

    /// The test records with any S, V or F beat or false alarm, most S and F errors (missed
    /// plus false alarms) first: where the errors live.
    pub fn record_rows(&self) -> Vec<RecordRow> {
        let mut rows: Vec<RecordRow> = self
            .per_record_confusion
            .iter()
            .map(|(name, cm)| RecordRow {
                record: name.clone(),
                beats: cm.counts.iter().flatten().sum(),
                classes: [1, 2, 3].map(|c| record_class(cm, c)),
            })
            .filter(|r| {
                r.classes
                    .iter()
                    .any(|c| c.support > 0 || c.false_alarms > 0)
            })
            .collect();
        let errors = |r: &RecordRow| -> u64 {
            [0, 2]
                .iter()
                .map(|&k| r.classes[k].support - r.classes[k].found + r.classes[k].false_alarms)
                .sum()
        };
        rows.sort_by(|a, b| errors(b).cmp(&errors(a)).then(a.record.cmp(&b.record)));
        rows
    }

    /// The run's metrics file: the evaluation ([`Evaluation::to_json`]) with the settings, the
    /// split, the sets, the history and the timings — what the page exports and what
    /// `ecg-balance train --out` writes.
    pub fn metrics_json(&self) -> serde_json::Value {
        let mut v = self.evaluation.to_json();
        let per_record: BTreeMap<&str, &Vec<Vec<u64>>> = self
            .per_record_confusion
            .iter()
            .map(|(name, m)| (name.as_str(), &m.counts))
            .collect();
        if let Some(o) = v.as_object_mut() {
            let extra = serde_json::json!({
                "train_seconds": self.train_seconds,
                "prepare_seconds": self.prepare_seconds,
                "epoch_seconds": self.epoch_seconds,
                "config": self.config,
                "split": self.split_text,
                "optimistic": self.optimistic,
                "seen_test_records": self.seen_test_records,
                "train_counts": self.train_counts,
                "validation_counts": self.val_counts,
                "test_counts": self.test_counts,
                "validation_records": self.val_records,
                "class_weights": self.class_weights,
                "synthetic_added": self.synthetic_added,
                "ensemble_epochs": self.ensemble_epochs,
                "history": self.history,
                "cancelled": self.cancelled,
                "per_record_confusion": per_record,
                "data_fingerprint": format!("{:016x}", self.data_fingerprint),
            });
            if let Some(extra) = extra.as_object() {
                o.extend(extra.clone());
            }
        }
        v
    }
}

/// Live figures of a running training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainProgress {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Most epochs.
    pub epochs: usize,
    /// Batch within the epoch.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Mean training loss of the epoch so far.
    pub loss: f32,
    /// Finished epochs.
    pub history: Vec<EpochStats>,
    /// Time since the start, ms.
    pub elapsed_ms: f64,
    /// Estimated time left, ms (at most `epochs` epochs).
    pub remaining_ms: f64,
    /// What is happening (`training`, `scoring the test set`).
    pub stage: String,
}

impl TrainProgress {
    /// As a job's progress: batches done of the most there can be, with a label for people.
    pub fn as_progress(&self) -> Progress {
        Progress {
            job: "train".into(),
            done: (self.epoch.saturating_sub(1) * self.batches + self.batch) as f64,
            total: (self.epochs * self.batches.max(1)) as f64,
            label: format!(
                "training: epoch {} of at most {}, batch {} of {} — about {:.0} s left",
                self.epoch,
                self.epochs,
                self.batch,
                self.batches,
                self.remaining_ms / 1000.0
            ),
        }
    }
}
