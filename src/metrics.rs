//! TEMPORARY stand-in until the metrics module lands (replaced by the metrics branch).
use serde::{Deserialize, Serialize};

/// Confusion matrix, rows true, columns predicted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Counts.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// From predictions.
    pub fn from_predictions(truth: &[usize], pred: &[usize], k: usize) -> Self {
        let mut counts = vec![vec![0u64; k]; k];
        for (&t, &p) in truth.iter().zip(pred) {
            if t < k && p < k {
                counts[t][p] += 1;
            }
        }
        Self { counts }
    }
    /// Per-class (se, ppv, f1, support).
    pub fn per_class(&self) -> Vec<(f64, f64, f64, u64)> {
        let k = self.counts.len();
        (0..k)
            .map(|c| {
                let tp = self.counts[c][c] as f64;
                let support: u64 = self.counts[c].iter().sum();
                let predicted: u64 = (0..k).map(|r| self.counts[r][c]).sum();
                let se = if support > 0 {
                    tp / support as f64
                } else {
                    0.0
                };
                let ppv = if predicted > 0 {
                    tp / predicted as f64
                } else {
                    0.0
                };
                let f1 = if se + ppv > 0.0 {
                    2.0 * se * ppv / (se + ppv)
                } else {
                    0.0
                };
                (se, ppv, f1, support)
            })
            .collect()
    }
    /// Macro-F1 over classes with support.
    pub fn macro_f1_present(&self) -> f64 {
        let pc = self.per_class();
        let present: Vec<f64> = pc.iter().filter(|x| x.3 > 0).map(|x| x.2).collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }
}
