//! Per-class evaluation of a classifier, independent of any ML library.
//!
//! Conventions, stated once:
//! - the confusion matrix has **rows = true class, columns = predicted class**;
//! - per class: sensitivity Se = TP / (TP + FN) (the seed guide's "per-class accuracy", recall),
//!   positive predictivity +P = TP / (TP + FP) (precision), F1 = 2·Se·+P / (Se + +P),
//!   specificity = TN / (TN + FP), support = TP + FN;
//! - an undefined ratio (0 / 0) counts as 0, as scikit-learn's `zero_division=0`;
//! - `macro_f1` averages F1 over the classes that occur in the truth or in the predictions —
//!   scikit-learn's `f1_score(average="macro")` without `labels=`; a class that never occurs and
//!   is never predicted is not a class of the problem and does not drag the mean down;
//! - `macro_f1_nsvf` averages the F1 of N, S, V and F, always those four — the figure the
//!   inter-patient literature reports (Q is left out: MIT-BIH's DS2 has 7 Q beats);
//! - `weighted_f1` weights each class's F1 by its support (`average="weighted"`).

use serde::{Deserialize, Serialize};

use crate::ecg::aami::{AamiClass, N_CLASSES};

/// Counts of (true class, predicted class) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// `counts[t][p]`: beats of true class `t` predicted as `p`.
    pub counts: Vec<Vec<u64>>,
}

/// The figures of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Sensitivity (recall).
    pub se: f64,
    /// Positive predictivity (precision).
    pub ppv: f64,
    /// F1 score.
    pub f1: f64,
    /// Specificity.
    pub spec: f64,
    /// Beats of the class.
    pub support: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl ConfusionMatrix {
    /// An empty `k × k` matrix.
    pub fn new(k: usize) -> Self {
        Self {
            counts: vec![vec![0; k]; k],
        }
    }

    /// Counts pairs of `truth` and `predicted` (pairs with a class ≥ `k` are ignored).
    pub fn from_predictions(truth: &[usize], predicted: &[usize], k: usize) -> Self {
        let mut m = Self::new(k);
        for (&t, &p) in truth.iter().zip(predicted) {
            m.add(t, p);
        }
        m
    }

    /// Adds every count of `other` (same classes) into this matrix.
    pub fn merge(&mut self, other: &ConfusionMatrix) {
        for (row, o) in self.counts.iter_mut().zip(&other.counts) {
            for (c, v) in row.iter_mut().zip(o) {
                *c += v;
            }
        }
    }

    /// Adds one beat.
    pub fn add(&mut self, truth: usize, predicted: usize) {
        if let Some(c) = self
            .counts
            .get_mut(truth)
            .and_then(|r| r.get_mut(predicted))
        {
            *c += 1;
        }
    }

    /// Number of classes.
    pub fn k(&self) -> usize {
        self.counts.len()
    }

    /// All beats.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Beats of true class `c`.
    pub fn support(&self, c: usize) -> u64 {
        self.counts.get(c).map_or(0, |r| r.iter().sum())
    }

    /// Beats predicted as `c`.
    pub fn predicted(&self, c: usize) -> u64 {
        self.counts
            .iter()
            .map(|r| r.get(c).copied().unwrap_or(0))
            .sum()
    }

    /// Correct predictions.
    pub fn correct(&self) -> u64 {
        (0..self.k()).map(|c| self.counts[c][c]).sum()
    }

    /// Figures of class `c`.
    pub fn class_metrics(&self, c: usize) -> ClassMetrics {
        let tp = self
            .counts
            .get(c)
            .and_then(|r| r.get(c))
            .copied()
            .unwrap_or(0);
        let support = self.support(c);
        let predicted = self.predicted(c);
        let fp = predicted - tp;
        let tn = self.total() - support - fp;
        let se = ratio(tp, support);
        let ppv = ratio(tp, predicted);
        let f1 = ratio(2 * tp, support + predicted);
        ClassMetrics {
            se,
            ppv,
            f1,
            spec: ratio(tn, tn + fp),
            support,
        }
    }

    /// Figures of every class, in class order.
    pub fn per_class(&self) -> Vec<ClassMetrics> {
        (0..self.k()).map(|c| self.class_metrics(c)).collect()
    }

    /// Share of beats classified correctly.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// Mean F1 over the classes that occur in the truth or the predictions.
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<usize> = (0..self.k())
            .filter(|&c| self.support(c) + self.predicted(c) > 0)
            .collect();
        self.macro_f1_over(&present)
    }

    /// Mean F1 over the given classes (0 when none is given).
    pub fn macro_f1_over(&self, classes: &[usize]) -> f64 {
        let classes: Vec<usize> = classes.iter().copied().filter(|&c| c < self.k()).collect();
        if classes.is_empty() {
            return 0.0;
        }
        classes
            .iter()
            .map(|&c| self.class_metrics(c).f1)
            .sum::<f64>()
            / classes.len() as f64
    }

    /// Mean F1 of N, S, V and F (the inter-patient literature's figure).
    pub fn macro_f1_nsvf(&self) -> f64 {
        self.macro_f1_over(&[0, 1, 2, 3])
    }

    /// F1 weighted by support.
    pub fn weighted_f1(&self) -> f64 {
        let total: u64 = (0..self.k()).map(|c| self.support(c)).sum();
        if total == 0 {
            return 0.0;
        }
        (0..self.k())
            .map(|c| {
                let m = self.class_metrics(c);
                m.f1 * m.support as f64
            })
            .sum::<f64>()
            / total as f64
    }

    /// Each row divided by its support, in percent (rows without beats are all 0).
    pub fn row_percent(&self) -> Vec<Vec<f64>> {
        self.counts
            .iter()
            .map(|r| {
                let s: u64 = r.iter().sum();
                r.iter().map(|&v| 100.0 * ratio(v, s)).collect()
            })
            .collect()
    }
}

/// One of the seed guide's success indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// What is measured.
    pub name: String,
    /// Threshold, as a fraction.
    pub threshold: f64,
    /// Measured value, as a fraction.
    pub value: f64,
    /// `value > threshold`.
    pub pass: bool,
}

/// The seed guide's success indicators: sensitivity of F > 70 %, S > 80 %, V > 85 %, and
/// overall F1 > 85 % (taken as macro-F1, the figure that cannot hide a weak minority class).
pub const SUCCESS_INDICATORS: [(&str, f64); 4] = [
    ("F sensitivity", 0.70),
    ("S sensitivity", 0.80),
    ("V sensitivity", 0.85),
    ("overall macro-F1", 0.85),
];

/// A full evaluation: the matrix and every figure derived from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Class codes, in matrix order.
    pub classes: Vec<String>,
    /// The confusion matrix (rows true, columns predicted).
    pub confusion: Vec<Vec<u64>>,
    /// Rows in percent of their support.
    pub confusion_row_percent: Vec<Vec<f64>>,
    /// Per class, in matrix order.
    pub per_class: Vec<ClassMetrics>,
    /// Overall accuracy.
    pub accuracy: f64,
    /// Macro-F1 over the classes present.
    pub macro_f1: f64,
    /// Macro-F1 over N, S, V, F.
    pub macro_f1_nsvf: f64,
    /// Support-weighted F1.
    pub weighted_f1: f64,
    /// The seed guide's success indicators.
    pub indicators: Vec<Indicator>,
}

impl Evaluation {
    /// Everything derived from an AAMI (5-class) confusion matrix.
    pub fn new(cm: &ConfusionMatrix) -> Evaluation {
        let per_class = cm.per_class();
        let se = |c: AamiClass| per_class.get(c.index()).map_or(0.0, |m| m.se);
        let macro_f1 = cm.macro_f1();
        let values = [
            se(AamiClass::F),
            se(AamiClass::S),
            se(AamiClass::V),
            macro_f1,
        ];
        let indicators = SUCCESS_INDICATORS
            .iter()
            .zip(values)
            .map(|((name, threshold), value)| Indicator {
                name: (*name).to_string(),
                threshold: *threshold,
                value,
                pass: value > *threshold,
            })
            .collect();
        Evaluation {
            classes: AamiClass::ALL
                .iter()
                .take(cm.k().min(N_CLASSES))
                .map(|c| c.code().to_string())
                .collect(),
            confusion: cm.counts.clone(),
            confusion_row_percent: cm.row_percent(),
            per_class,
            accuracy: cm.accuracy(),
            macro_f1,
            macro_f1_nsvf: cm.macro_f1_nsvf(),
            weighted_f1: cm.weighted_f1(),
            indicators,
        }
    }

    /// The JSON the CLI prints: `classes`, `confusion`, `per_class` {class: {se, ppv, f1, spec,
    /// support}}, `accuracy`, `macro_f1`, `macro_f1_nsvf`, `weighted_f1`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut per_class = serde_json::Map::new();
        for (c, m) in self.classes.iter().zip(&self.per_class) {
            per_class.insert(
                c.clone(),
                serde_json::json!({"se": m.se, "ppv": m.ppv, "f1": m.f1, "spec": m.spec, "support": m.support}),
            );
        }
        serde_json::json!({
            "classes": self.classes,
            "confusion": self.confusion,
            "per_class": per_class,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "macro_f1_nsvf": self.macro_f1_nsvf,
            "weighted_f1": self.weighted_f1,
        })
    }

    /// CSV: one row per class (`class,se,ppv,f1,spec,support`), then the overall figures, then
    /// the confusion matrix.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("class,se,ppv,f1,spec,support\n");
        for (c, m) in self.classes.iter().zip(&self.per_class) {
            s.push_str(&format!(
                "{c},{:.6},{:.6},{:.6},{:.6},{}\n",
                m.se, m.ppv, m.f1, m.spec, m.support
            ));
        }
        s.push_str(&format!("accuracy,{:.6}\n", self.accuracy));
        s.push_str(&format!("macro_f1,{:.6}\n", self.macro_f1));
        s.push_str(&format!("macro_f1_nsvf,{:.6}\n", self.macro_f1_nsvf));
        s.push_str(&format!("weighted_f1,{:.6}\n", self.weighted_f1));
        s.push_str(&format!(
            "confusion (rows true; columns predicted),{}\n",
            self.classes.join(",")
        ));
        for (c, row) in self.classes.iter().zip(&self.confusion) {
            let cells: Vec<String> = row.iter().map(u64::to_string).collect();
            s.push_str(&format!("{c},{}\n", cells.join(",")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_matrix_has_zero_figures_and_no_panic() {
        let m = ConfusionMatrix::new(5);
        assert_eq!(m.accuracy(), 0.0);
        assert_eq!(m.macro_f1(), 0.0);
        assert_eq!(m.weighted_f1(), 0.0);
        assert_eq!(m.class_metrics(2).f1, 0.0);
        let e = Evaluation::new(&m);
        assert!(e.indicators.iter().all(|i| !i.pass));
        assert!(e.to_csv().starts_with("class,se"));
        assert_eq!(ConfusionMatrix::new(0).macro_f1(), 0.0);
    }

    #[test]
    fn by_hand() {
        // truth 0,0,0,1,1,2 ; predicted 0,0,1,1,0,2
        let m = ConfusionMatrix::from_predictions(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 0, 2], 3);
        assert_eq!(m.counts, vec![vec![2, 1, 0], vec![1, 1, 0], vec![0, 0, 1]]);
        let c0 = m.class_metrics(0);
        assert!((c0.se - 2.0 / 3.0).abs() < 1e-12 && (c0.ppv - 2.0 / 3.0).abs() < 1e-12);
        assert!((c0.spec - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.accuracy() - 4.0 / 6.0).abs() < 1e-12);
        let f1 = [2.0 / 3.0, 0.5, 1.0];
        assert!((m.macro_f1() - f1.iter().sum::<f64>() / 3.0).abs() < 1e-12);
        let w = (f1[0] * 3.0 + f1[1] * 2.0 + f1[2]) / 6.0;
        assert!((m.weighted_f1() - w).abs() < 1e-12);
        assert_eq!(m.row_percent()[1], vec![50.0, 50.0, 0.0]);
        // Out-of-range pairs are ignored.
        let mut m2 = m.clone();
        m2.add(7, 0);
        assert_eq!(m2, m);
    }
}
