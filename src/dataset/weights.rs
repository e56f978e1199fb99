//! Class weights for a weighted loss, computed from the **training split's** class counts (the
//! caller passes training counts; weights computed from test beats would leak the test set).
//!
//! Schemes, for a class c with n_c training beats among k classes present:
//! - `None`: every class 1;
//! - `MaxOverCount`: max_j n_j / n_c — the seed guide's scheme (on its data N 1, Q 7.6, V 11.6,
//!   S 26.3, F 145): the largest class weighs 1;
//! - `InverseFrequency`: proportional to 1 / n_c, normalised so the present classes' weights
//!   have mean 1;
//! - `EffectiveNumber { beta }`: Cui, Jia, Lin, Song & Belongie, "Class-Balanced Loss Based on
//!   Effective Number of Samples", CVPR 2019: proportional to (1 − β) / (1 − β^n_c), normalised
//!   so the present classes' weights sum to k. β → 0 gives equal weights, β → 1 inverse
//!   frequency; the paper uses β between 0.9 and 0.9999.
//!
//! A class with no training beat gets weight 0 (nothing to weigh) and is left out of every
//! normalisation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ecg::aami::{ClassCounts, N_CLASSES};

/// How class weights are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum WeightScheme {
    /// Every class weighs 1.
    None,
    /// Largest count over the class's count (the seed guide's).
    MaxOverCount,
    /// Inverse frequency, normalised to mean 1.
    InverseFrequency,
    /// Effective number of samples (Cui et al. 2019).
    EffectiveNumber {
        /// β in [0, 1).
        beta: f64,
    },
}

impl WeightScheme {
    /// Names for the CLI and the page.
    pub const NAMES: [&'static str; 4] = ["none", "max-over-count", "inverse", "effective"];
}

impl fmt::Display for WeightScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightScheme::None => f.write_str("none"),
            WeightScheme::MaxOverCount => f.write_str("max-over-count"),
            WeightScheme::InverseFrequency => f.write_str("inverse"),
            WeightScheme::EffectiveNumber { beta } => write!(f, "effective (beta {beta})"),
        }
    }
}

impl FromStr for WeightScheme {
    type Err = crate::Error;

    /// `none`, `max-over-count`, `inverse`, `effective` (β 0.9999) or `effective:β`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s {
            "none" => Ok(WeightScheme::None),
            "max-over-count" => Ok(WeightScheme::MaxOverCount),
            "inverse" => Ok(WeightScheme::InverseFrequency),
            "effective" => Ok(WeightScheme::EffectiveNumber { beta: 0.9999 }),
            _ => match s.strip_prefix("effective:").map(str::parse::<f64>) {
                Some(Ok(beta)) if (0.0..1.0).contains(&beta) => {
                    Ok(WeightScheme::EffectiveNumber { beta })
                }
                _ => Err(crate::Error::Invalid(format!(
                    "unknown class-weight scheme {s:?}: use one of none, max-over-count, inverse, effective or effective:β with 0 ≤ β < 1"
                ))),
            },
        }
    }
}

/// Weights of each class for training counts `counts`.
pub fn class_weights(counts: &ClassCounts, scheme: WeightScheme) -> [f32; N_CLASSES] {
    let present: Vec<usize> = (0..N_CLASSES).filter(|&c| counts.0[c] > 0).collect();
    let mut w = [0.0f64; N_CLASSES];
    if present.is_empty() {
        return [0.0; N_CLASSES];
    }
    let max = present.iter().map(|&c| counts.0[c]).max().unwrap_or(1) as f64;
    match scheme {
        WeightScheme::None => present.iter().for_each(|&c| w[c] = 1.0),
        WeightScheme::MaxOverCount => present
            .iter()
            .for_each(|&c| w[c] = max / counts.0[c] as f64),
        WeightScheme::InverseFrequency => {
            present
                .iter()
                .for_each(|&c| w[c] = 1.0 / counts.0[c] as f64);
            let mean = present.iter().map(|&c| w[c]).sum::<f64>() / present.len() as f64;
            present.iter().for_each(|&c| w[c] /= mean);
        }
        WeightScheme::EffectiveNumber { beta } => {
            let beta = beta.clamp(0.0, 1.0 - 1e-12);
            present.iter().for_each(|&c| {
                let n = counts.0[c] as f64;
                // (1 − β) / (1 − βⁿ), with 1 − βⁿ computed stably for β near 1.
                let denom = -f64::exp_m1(n * beta.ln());
                w[c] = if denom > 0.0 {
                    (1.0 - beta) / denom
                } else {
                    1.0
                };
            });
            let sum: f64 = present.iter().map(|&c| w[c]).sum();
            present
                .iter()
                .for_each(|&c| w[c] *= present.len() as f64 / sum);
        }
    }
    w.map(|x| x as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts consistent with the seed guide's shares (N 79.3 %, Q 10.4 %, V 6.8 %, S 3.0 %,
    /// F 0.5 %) and its weights (F 145 means F is 0.547 % of the beats): per 100,000 beats
    /// N 79,300, S 3,015, V 6,836, F 547, Q 10,434.
    const GUIDE: ClassCounts = ClassCounts([79_300, 3_015, 6_836, 547, 10_434]);

    #[test]
    fn guide_max_over_count_reproduces_its_table() {
        let w = class_weights(&GUIDE, WeightScheme::MaxOverCount);
        let rounded: Vec<f32> = w.iter().map(|x| (x * 10.0).round() / 10.0).collect();
        // N 1, S 26.3, V 11.6, F 145, Q 7.6 (F to the unit as the guide writes it).
        assert_eq!(rounded[..4], [1.0, 26.3, 11.6, 145.0]);
        assert_eq!(rounded[4], 7.6);
    }

    #[test]
    fn inverse_has_mean_one_and_absent_classes_weigh_zero() {
        let w = class_weights(&GUIDE, WeightScheme::InverseFrequency);
        let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / 5.0;
        assert!((mean - 1.0).abs() < 1e-6, "{mean}");
        let w = class_weights(
            &ClassCounts([100, 0, 10, 0, 0]),
            WeightScheme::InverseFrequency,
        );
        assert_eq!(w[1], 0.0);
        assert!(((w[0] + w[2]) / 2.0 - 1.0).abs() < 1e-6);
        assert!((w[2] / w[0] - 10.0).abs() < 1e-4);
        assert_eq!(
            class_weights(&ClassCounts([0; 5]), WeightScheme::MaxOverCount),
            [0.0; 5]
        );
    }

    #[test]
    fn effective_number_limits_and_cui_formula() {
        let eq = class_weights(&GUIDE, WeightScheme::EffectiveNumber { beta: 0.0 });
        assert!(eq.iter().all(|&x| (x - 1.0).abs() < 1e-6), "{eq:?}");
        let near = class_weights(&GUIDE, WeightScheme::EffectiveNumber { beta: 1.0 - 1e-9 });
        let inv = class_weights(&GUIDE, WeightScheme::InverseFrequency);
        for c in 0..5 {
            assert!((near[c] / near[0] - inv[c] / inv[0]).abs() / (inv[c] / inv[0]) < 1e-3);
        }
        // Cui et al. directly, β = 0.999, computed by hand in f64: w_c ∝ (1-β)/(1-β^n_c),
        // normalised to sum 5.
        let beta: f64 = 0.999;
        let raw: Vec<f64> = GUIDE
            .0
            .iter()
            .map(|&n| (1.0 - beta) / (1.0 - beta.powi(n as i32)))
            .collect();
        let s: f64 = raw.iter().sum();
        let w = class_weights(&GUIDE, WeightScheme::EffectiveNumber { beta });
        for c in 0..5 {
            assert!((f64::from(w[c]) - raw[c] * 5.0 / s).abs() < 1e-5);
        }
        assert!(w.iter().map(|&x| f64::from(x)).sum::<f64>() - 5.0 < 1e-5);
    }

    #[test]
    fn names_parse() {
        assert_eq!(
            "none".parse::<WeightScheme>().ok(),
            Some(WeightScheme::None)
        );
        assert_eq!(
            "effective:0.99".parse::<WeightScheme>().ok(),
            Some(WeightScheme::EffectiveNumber { beta: 0.99 })
        );
        assert!("effective:1.5".parse::<WeightScheme>().is_err());
        assert!("balanced".parse::<WeightScheme>().is_err());
        for n in WeightScheme::NAMES {
            assert!(n.parse::<WeightScheme>().is_ok());
        }
    }
}
