//! How to run a [`TrainConfig`] again with the CLI: the `ecg-balance train` options that resolve
//! to the same settings ([`TrainConfig::cli_args`]), and the settings no option can give
//! ([`TrainConfig::without_cli_flag`]), so a report never prints a command that trains
//! something else. `tests/cli.rs` runs the binary with these options and `--print-config` and
//! compares the settings it resolves with the original.

use crate::dataset::rebalance::RebalanceConfig;
use crate::dataset::split::SplitKind;
use crate::dataset::weights::WeightScheme;

use super::TrainConfig;

/// Test share of the CLI's `--split inter-patient` (the option has no test-share setting).
const INTER_PATIENT_TEST_FRACTION: f64 = 0.5;

impl TrainConfig {
    /// The options of `ecg-balance train` (after `--data DIR --out FILE`) that give these
    /// settings, every one written out (no reliance on the CLI's defaults). Settings in
    /// [`TrainConfig::without_cli_flag`] are left at the CLI's value.
    pub fn cli_args(&self) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let mut opt = |name: &str, value: String| {
            a.push(format!("--{name}"));
            a.push(value);
        };
        match self.split {
            SplitKind::InterPatient { seed, .. } => {
                opt("split", "inter-patient".into());
                opt("split-seed", seed.to_string());
            }
            SplitKind::RandomBeats {
                seed,
                test_fraction,
            } => {
                opt("split", "intra-patient".into());
                opt("split-seed", seed.to_string());
                opt("test-fraction", test_fraction.to_string());
            }
            // The CLI reaches this split itself from beat files named as a train/test pair.
            SplitKind::Given => {}
        }
        opt("seed", self.seed.to_string());
        let weights = match self.weights {
            WeightScheme::None => "none",
            WeightScheme::MaxOverCount => "max-over-count",
            WeightScheme::InverseFrequency => "inverse",
            WeightScheme::EffectiveNumber { .. } => "effective",
        };
        opt("weights", weights.into());
        if let WeightScheme::EffectiveNumber { beta } = self.weights {
            opt("beta", beta.to_string());
        }
        opt(
            "weight-cap",
            self.weight_cap.map_or("0".into(), |c| c.to_string()),
        );
        opt(
            "focal-gamma",
            self.focal_gamma.map_or("0".into(), |g| g.to_string()),
        );
        opt("epochs", self.epochs.to_string());
        opt("patience", self.patience.to_string());
        opt("batch-size", self.batch_size.to_string());
        opt("lr", self.learning_rate.to_string());
        if let Some(r) = &self.rebalance {
            opt("rebalance", r.plan.to_string());
            opt("rebalance-seed", r.seed.to_string());
        }
        if let Some(s) = &self.synthetic {
            let counts: Vec<String> = s.counts.iter().map(|(c, n)| format!("{c}:{n}")).collect();
            opt("synth", counts.join(","));
            opt("synth-mode", s.mode.name().into());
            opt("synth-seed", s.seed.to_string());
        }
        a
    }

    /// The settings that differ from what every `ecg-balance train` run uses and that no option
    /// sets, in words (empty when [`TrainConfig::cli_args`] gives exactly these settings).
    pub fn without_cli_flag(&self) -> Vec<String> {
        let d = TrainConfig::new();
        let mut out = Vec::new();
        let mut check = |differs: bool, what: String| {
            if differs {
                out.push(what);
            }
        };
        if let SplitKind::InterPatient { test_fraction, .. } = self.split {
            check(
                test_fraction != INTER_PATIENT_TEST_FRACTION,
                format!(
                    "test share {test_fraction} of the records outside DS1/DS2 (the CLI uses {INTER_PATIENT_TEST_FRACTION})"
                ),
            );
        }
        check(
            self.split == SplitKind::Given,
            "the split given by the files (the CLI uses it when --data holds a train and a test beat file)".into(),
        );
        check(
            self.weight_cap.is_some_and(|c| c.is_nan() || c <= 0.0),
            format!(
                "weight cap {:?} (the CLI reads 0 as no cap)",
                self.weight_cap
            ),
        );
        check(
            self.focal_gamma.is_some_and(|g| g.is_nan() || g <= 0.0),
            format!(
                "focal γ {:?} (the CLI reads 0 as plain cross-entropy, the same loss)",
                self.focal_gamma
            ),
        );
        check(self.jitter != d.jitter, format!("jitter {}", self.jitter));
        check(
            self.ensemble != d.ensemble,
            format!("ensemble of {} epochs", self.ensemble),
        );
        check(
            self.validation_fraction != d.validation_fraction,
            format!("validation share {}", self.validation_fraction),
        );
        check(
            self.rhythm != d.rhythm,
            format!("rhythm features {}", self.rhythm),
        );
        check(
            self.schedule != d.schedule,
            format!("learning-rate schedule {:?}", self.schedule),
        );
        check(
            self.calibrate != d.calibrate,
            format!("calibration {}", self.calibrate),
        );
        check(
            self.second_lead != d.second_lead,
            format!("second lead {}", self.second_lead),
        );
        check(
            self.rr_relative_only != d.rr_relative_only,
            format!("relative RR features only {}", self.rr_relative_only),
        );
        if let Some(r) = &self.rebalance {
            let base = RebalanceConfig {
                plan: r.plan,
                seed: r.seed,
                ..RebalanceConfig::default()
            };
            check(
                *r != base,
                "rebalancing techniques, techniques per beat or parameter ranges other than the defaults".into(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::synthetic::plan::SynthTrainConfig;

    #[test]
    fn defaults_give_every_option_and_nothing_without_a_flag() {
        let c = TrainConfig::new();
        let a = c.cli_args();
        assert_eq!(
            a.join(" "),
            "--split inter-patient --split-seed 0 --seed 42 --weights max-over-count \
             --weight-cap 100 --focal-gamma 2 --epochs 16 --patience 4 --batch-size 256 --lr 0.0005"
        );
        assert!(c.without_cli_flag().is_empty());
    }

    #[test]
    fn settings_without_an_option_are_named() {
        let c = TrainConfig::new()
            .with_patience(9)
            .with_rhythm(true)
            .with_split(SplitKind::Given)
            .with_synthetic(Some(SynthTrainConfig::default()));
        let missing = c.without_cli_flag();
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].contains("given by the files"));
        assert!(missing[1].contains("rhythm features"));
        let a = c.cli_args().join(" ");
        assert!(!a.contains("--split "), "{a}");
        assert!(a.contains("--patience 9"), "{a}");
        assert!(
            a.ends_with("--synth F:4000,S:3000,V:2000 --synth-mode default --synth-seed 42"),
            "{a}"
        );
    }
}
