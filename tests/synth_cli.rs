//! `ecg-balance synth` end to end: beats of one class as CSV rows, and — given records — a
//! quality report against the training split's real beats that includes train-on-synthetic /
//! test-on-real sensitivity.

use std::process::Command;

const MITDB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");

#[test]
fn synth_writes_rows_and_a_quality_report_with_tstr() {
    let dir = std::env::temp_dir().join(format!("ecg-synth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("v.csv");
    let bin = env!("CARGO_BIN_EXE_ecg-balance");
    let run = Command::new(bin)
        .args([
            "synth", "--class", "V", "--count", "300", "--fs-hz", "180", "--seed", "3", "--data",
            MITDB, "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(j["count"], 300);
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    // 300 rows (a header row, if any, has no numbers), each ending with the label.
    let data_rows: Vec<&&str> = rows
        .iter()
        .filter(|l| {
            l.split(',')
                .next()
                .is_some_and(|v| v.parse::<f64>().is_ok())
        })
        .collect();
    assert_eq!(data_rows.len(), 300);
    assert!(
        data_rows.iter().all(|l| l.ends_with(",V")),
        "{}",
        data_rows[0]
    );

    // The TSTR score: V (and the synthetic N it needs) trained, real DS1 beats scored.
    let t = &j["quality"]["train_synthetic_test_real"];
    let se = &t["sensitivity_per_class"];
    let support = &t["support_per_class"];
    for k in [0usize, 2] {
        let s = se[k]
            .as_f64()
            .unwrap_or_else(|| panic!("class {k} scored: {t}"));
        assert!((0.0..=1.0).contains(&s), "{s}");
        assert!(support[k].as_u64().unwrap() > 0);
    }
    assert!(
        se[1].is_null() && se[3].is_null(),
        "only N and V are scored: {t}"
    );
    assert_eq!(t["trained_per_class"][2], 300);

    // A bad class is refused with a message.
    let run = Command::new(bin)
        .args(["synth", "--class", "X", "--count", "10", "--out"])
        .arg(dir.join("x.csv"))
        .output()
        .unwrap();
    assert!(!run.status.success());
    std::fs::remove_dir_all(&dir).ok();
}
