//! Metrics equal scikit-learn's on fixed confusion matrices, to 1e-9.
//!
//! The expected values below were computed once with scikit-learn 1.9.1, by expanding each
//! matrix into (y_true, y_pred) pairs; this is the script, run as written in its header:
//!
//! # Oracle values for tests/metrics_sklearn.rs (scikit-learn 1.9.1):
//! #   python3 -m venv /tmp/venv-sk && /tmp/venv-sk/bin/pip install scikit-learn numpy
//! #   /tmp/venv-sk/bin/python oracle.py
//! import numpy as np
//! from sklearn.metrics import precision_recall_fscore_support, accuracy_score, f1_score, multilabel_confusion_matrix
//! cases = {
//!  "inter_patient_like": [[40000, 1500, 1200, 900, 20], [300, 1300, 200, 30, 7], [150, 40, 2900, 120, 11], [200, 5, 60, 120, 3], [2, 1, 2, 0, 2]],
//!  "no_predictions_of_f": [[500, 10, 5, 0, 0], [20, 30, 0, 0, 0], [4, 1, 60, 0, 0], [9, 0, 3, 0, 0], [1, 0, 0, 0, 2]],
//!  "class_without_support": [[100, 3, 2, 4, 0], [5, 20, 0, 1, 0], [2, 0, 30, 0, 0], [1, 0, 2, 6, 0], [0, 0, 0, 0, 0]],
//!  "perfect": [[50, 0, 0, 0, 0], [0, 7, 0, 0, 0], [0, 0, 9, 0, 0], [0, 0, 0, 3, 0], [0, 0, 0, 0, 1]],
//! }
//! rng = np.random.default_rng(20261124)
//! cases["random_seeded"] = rng.integers(0, 60, size=(5, 5)).tolist()
//! for name, cm in cases.items():
//!     yt, yp = [], []
//!     for t in range(5):
//!         for p in range(5):
//!             yt += [t] * cm[t][p]; yp += [p] * cm[t][p]
//!     labels = [0, 1, 2, 3, 4]
//!     p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labels, zero_division=0)
//!     mcm = multilabel_confusion_matrix(yt, yp, labels=labels)
//!     spec = [ (m[0,0] / (m[0,0] + m[0,1])) if (m[0,0] + m[0,1]) > 0 else 0.0 for m in mcm ]
//!     acc = accuracy_score(yt, yp)
//!     macro = f1_score(yt, yp, average="macro", zero_division=0)          # labels present in y_true ∪ y_pred
//!     nsvf = f1_score(yt, yp, labels=[0, 1, 2, 3], average="macro", zero_division=0)
//!     weighted = f1_score(yt, yp, average="weighted", zero_division=0)
//!     fmt = lambda xs: "[" + ", ".join(repr(float(x)) for x in xs) + "]"
//!     print(f'Case {{ name: "{name}", cm: {cm},\n  se: {fmt(r)},\n  ppv: {fmt(p)},\n  f1: {fmt(f)},\n  spec: {fmt(spec)},\n  accuracy: {float(acc)!r}, macro_f1: {float(macro)!r}, macro_f1_nsvf: {float(nsvf)!r}, weighted_f1: {float(weighted)!r} }},')

use ecg_balance_lab::metrics::{ConfusionMatrix, Evaluation};
use proptest::prelude::*;

struct Case {
    name: &'static str,
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

const CASES: &[Case] = &[
    Case {
        name: "inter_patient_like",
        cm: [
            [40000, 1500, 1200, 900, 20],
            [300, 1300, 200, 30, 7],
            [150, 40, 2900, 120, 11],
            [200, 5, 60, 120, 3],
            [2, 1, 2, 0, 2],
        ],
        se: [
            0.9170105456212746,
            0.7076755579749592,
            0.9003415088481838,
            0.30927835051546393,
            0.2857142857142857,
        ],
        ppv: [
            0.9839614287119944,
            0.4567814476458187,
            0.6648326455754241,
            0.10256410256410256,
            0.046511627906976744,
        ],
        f1: [
            0.9493070058857034,
            0.5551996583386718,
            0.7648687854411182,
            0.1540436456996149,
            0.08,
        ],
        spec: [
            0.8804327892902989,
            0.9672707257176729,
            0.9681148041524906,
            0.9784327821711,
            0.9991643908205274,
        ],
        accuracy: 0.9031850508426222,
        macro_f1: 0.5006838190730216,
        macro_f1_nsvf: 0.6058547738412771,
        weighted_f1: 0.9160362044615126,
    },
    Case {
        name: "no_predictions_of_f",
        cm: [
            [500, 10, 5, 0, 0],
            [20, 30, 0, 0, 0],
            [4, 1, 60, 0, 0],
            [9, 0, 3, 0, 0],
            [1, 0, 0, 0, 2],
        ],
        se: [
            0.970873786407767,
            0.6,
            0.9230769230769231,
            0.0,
            0.6666666666666666,
        ],
        ppv: [
            0.9363295880149812,
            0.7317073170731707,
            0.8823529411764706,
            0.0,
            1.0,
        ],
        f1: [
            0.9532888465204957,
            0.6593406593406593,
            0.9022556390977443,
            0.0,
            0.8,
        ],
        spec: [
            0.7384615384615385,
            0.9815126050420168,
            0.9862068965517241,
            1.0,
            1.0,
        ],
        accuracy: 0.9178294573643411,
        macro_f1: 0.6629770289917799,
        macro_f1_nsvf: 0.6287212862397249,
        weighted_f1: 0.9069107061495219,
    },
    Case {
        name: "class_without_support",
        cm: [
            [100, 3, 2, 4, 0],
            [5, 20, 0, 1, 0],
            [2, 0, 30, 0, 0],
            [1, 0, 2, 6, 0],
            [0, 0, 0, 0, 0],
        ],
        se: [
            0.9174311926605505,
            0.7692307692307693,
            0.9375,
            0.6666666666666666,
            0.0,
        ],
        ppv: [
            0.9259259259259259,
            0.8695652173913043,
            0.8823529411764706,
            0.5454545454545454,
            0.0,
        ],
        f1: [
            0.9216589861751152,
            0.8163265306122449,
            0.9090909090909091,
            0.6,
            0.0,
        ],
        spec: [
            0.8805970149253731,
            0.98,
            0.9722222222222222,
            0.9700598802395209,
            1.0,
        ],
        accuracy: 0.8863636363636364,
        macro_f1: 0.8117691064695673,
        macro_f1_nsvf: 0.8117691064695673,
        weighted_f1: 0.8873649339767898,
    },
    Case {
        name: "perfect",
        cm: [
            [50, 0, 0, 0, 0],
            [0, 7, 0, 0, 0],
            [0, 0, 9, 0, 0],
            [0, 0, 0, 3, 0],
            [0, 0, 0, 0, 1],
        ],
        se: [1.0, 1.0, 1.0, 1.0, 1.0],
        ppv: [1.0, 1.0, 1.0, 1.0, 1.0],
        f1: [1.0, 1.0, 1.0, 1.0, 1.0],
        spec: [1.0, 1.0, 1.0, 1.0, 1.0],
        accuracy: 1.0,
        macro_f1: 1.0,
        macro_f1_nsvf: 1.0,
        weighted_f1: 1.0,
    },
    Case {
        name: "random_seeded",
        cm: [
            [13, 57, 8, 57, 32],
            [7, 38, 20, 39, 34],
            [9, 44, 8, 47, 14],
            [25, 41, 44, 10, 39],
            [26, 54, 14, 27, 51],
        ],
        se: [
            0.07784431137724551,
            0.2753623188405797,
            0.06557377049180328,
            0.06289308176100629,
            0.29651162790697677,
        ],
        ppv: [
            0.1625,
            0.1623931623931624,
            0.0851063829787234,
            0.05555555555555555,
            0.3,
        ],
        f1: [
            0.10526315789473684,
            0.20430107526881722,
            0.07407407407407407,
            0.058997050147492625,
            0.2982456140350877,
        ],
        spec: [
            0.8866328257191202,
            0.6838709677419355,
            0.8647798742138365,
            0.7161936560934892,
            0.7969283276450512,
        ],
        accuracy: 0.158311345646438,
        macro_f1: 0.1481761942840417,
        macro_f1_nsvf: 0.1106588393462802,
        weighted_f1: 0.15235924720322067,
    },
];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

#[test]
fn metrics_equal_scikit_learn() {
    for case in CASES {
        let cm = ConfusionMatrix {
            counts: case.cm.iter().map(|r| r.to_vec()).collect(),
        };
        let e = Evaluation::new(&cm);
        let name = case.name;
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
    let cm = ConfusionMatrix {
        counts: CASES[0].cm.iter().map(|r| r.to_vec()).collect(),
    };
    let j = Evaluation::new(&cm).to_json();
    assert_eq!(j["classes"], serde_json::json!(["N", "S", "V", "F", "Q"]));
    assert_eq!(j["confusion"][1][1], 1300);
    assert!(close(
        j["per_class"]["S"]["se"].as_f64().unwrap_or(0.0),
        CASES[0].se[1]
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
