//! Metrics equal scikit-learn's on fixed confusion matrices, to 1e-9.
//!
//! The expected values in `tests/data/metrics_sklearn.json` were computed once with
//! scikit-learn 1.9.1, by expanding each matrix into (y_true, y_pred) pairs; the script that
//! wrote them, and the command, are `tests/data/metrics_sklearn_oracle.py`.

use ecg_balance_lab::metrics::{ConfusionMatrix, Evaluation};
use proptest::prelude::*;

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    cm: [[u64; 5]; 5],
    se: [f64; 5],
    ppv: [f64; 5],
    f1: [f64; 5],
    spec: [f64; 5],
    accuracy: f64,
    macro_f1: f64,
    macro_f1_nsvf: f64,
    weighted_f1: f64,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/metrics_sklearn.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/data/metrics_sklearn.json");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("the oracle's JSON");
    assert_eq!(cases.len(), 5, "five oracle cases");
    cases
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

#[test]
fn metrics_equal_scikit_learn() {
    for case in cases() {
        let cm = ConfusionMatrix {
            counts: case.cm.iter().map(|r| r.to_vec()).collect(),
        };
        let e = Evaluation::new(&cm);
        let name = &case.name;
        for c in 0..5 {
            let m = &e.per_class[c];
            let per_class = [
                ("se", m.se, case.se[c]),
                ("ppv", m.ppv, case.ppv[c]),
                ("f1", m.f1, case.f1[c]),
                ("spec", m.spec, case.spec[c]),
            ];
            for (metric, got, want) in per_class {
                assert!(
                    close(got, want),
                    "{name} class {c} {metric} {got} vs {want}"
                );
            }
            assert_eq!(m.support, case.cm[c].iter().sum::<u64>());
        }
        let overall = [
            ("accuracy", e.accuracy, case.accuracy),
            ("macro-F1", e.macro_f1, case.macro_f1),
            ("macro-F1 NSVF", e.macro_f1_nsvf, case.macro_f1_nsvf),
            ("weighted F1", e.weighted_f1, case.weighted_f1),
        ];
        for (metric, got, want) in overall {
            assert!(close(got, want), "{name} {metric} {got} vs {want}");
        }
    }
}

#[test]
fn json_has_the_cli_shape() {
    let first = &cases()[0];
    let cm = ConfusionMatrix {
        counts: first.cm.iter().map(|r| r.to_vec()).collect(),
    };
    let j = Evaluation::new(&cm).to_json();
    assert_eq!(j["classes"], serde_json::json!(["N", "S", "V", "F", "Q"]));
    assert_eq!(j["confusion"][1][1], 1300);
    assert!(close(
        j["per_class"]["S"]["se"].as_f64().unwrap_or(0.0),
        first.se[1]
    ));
    for key in ["accuracy", "macro_f1", "macro_f1_nsvf", "weighted_f1"] {
        assert!(j[key].is_f64(), "{key}");
    }
    let csv = Evaluation::new(&cm).to_csv();
    assert!(
        csv.lines()
            .nth(2)
            .unwrap_or("")
            .starts_with("S,0.707676,0.456781,0.555200"),
        "{csv}"
    );
}

proptest! {
    #[test]
    fn invariants_hold_for_any_matrix(cells in proptest::collection::vec(0u64..500, 25)) {
        let counts: Vec<Vec<u64>> = cells.chunks(5).map(<[u64]>::to_vec).collect();
        let cm = ConfusionMatrix { counts: counts.clone() };
        let e = Evaluation::new(&cm);
        let total: u64 = cells.iter().sum();
        let trace: u64 = (0..5).map(|i| counts[i][i]).sum();
        let acc = if total == 0 { 0.0 } else { trace as f64 / total as f64 };
        prop_assert!(close(e.accuracy, acc));
        for m in &e.per_class {
            for v in [m.se, m.ppv, m.f1, m.spec] {
                prop_assert!((0.0..=1.0).contains(&v));
            }
        }
        let present: Vec<usize> = (0..5).filter(|&c| cm.support(c) + cm.predicted(c) > 0).collect();
        let mean = if present.is_empty() { 0.0 } else { present.iter().map(|&c| e.per_class[c].f1).sum::<f64>() / present.len() as f64 };
        prop_assert!(close(e.macro_f1, mean));
        for row in &e.confusion_row_percent {
            let s: f64 = row.iter().sum();
            prop_assert!(s == 0.0 || (s - 100.0).abs() < 1e-9);
        }
    }
}
