//! The `detect` and `detect-eval` subcommands, run as a user runs them.

use std::path::PathBuf;
use std::process::Command;

use ecg_balance_lab::ecg::detect::{PeakMethod, detect_record, evaluate_record};
use ecg_balance_lab::io::wfdb::{read_annotations, read_record};

const MITDB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
const BIN: &str = env!("CARGO_BIN_EXE_ecg-balance");

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecg-detect-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn record(name: &str) -> ecg_balance_lab::Record {
    let f = |ext: &str| std::fs::read(format!("{MITDB}/{name}.{ext}")).expect("file");
    let (hea, dat, atr) = (f("hea"), f("dat"), f("atr"));
    let dat_name = format!("{name}.dat");
    read_record(
        name,
        &hea,
        |n| (n == dat_name).then_some(dat.as_slice()),
        Some(&atr),
    )
    .expect("record")
}

#[test]
fn detect_writes_positions_and_annotation_files() {
    let dir = temp_dir("detect");
    let expected = detect_record(&record("100"), 0, PeakMethod::PanTompkins1985).expect("detect");

    let txt = dir.join("100.txt");
    let status = Command::new(BIN)
        .args(["detect", "--record", &format!("{MITDB}/100.hea")])
        .args(["--method", "pan-tompkins-1985", "--out"])
        .arg(&txt)
        .status()
        .expect("run");
    assert!(status.success());
    let got: Vec<usize> = std::fs::read_to_string(&txt)
        .expect("output")
        .lines()
        .map(|l| l.parse().expect("a sample number per line"))
        .collect();
    assert_eq!(got, expected);

    let atr = dir.join("100.atr");
    let status = Command::new(BIN)
        .args([
            "detect",
            "--record",
            &format!("{MITDB}/100"),
            "--lead",
            "mlii",
        ])
        .args(["--method", "pan-tompkins-1985", "--out"])
        .arg(&atr)
        .status()
        .expect("run");
    assert!(status.success());
    let ann = read_annotations(&std::fs::read(&atr).expect("atr")).expect("annotations");
    let samples: Vec<usize> = ann.iter().map(|a| a.sample as usize).collect();
    assert_eq!(samples, expected);
    assert!(ann.iter().all(|a| a.symbol() == "N"));

    // A plain CSV needs its rate; a bad lead or method is an error with a message.
    let csv = dir.join("x.csv");
    let text: String = (0..2000)
        .map(|i| format!("{}\n", if i % 300 == 0 { 1.0 } else { 0.0 }))
        .collect();
    std::fs::write(&csv, format!("ECG\n{text}")).expect("csv");
    let out = Command::new(BIN)
        .args(["detect", "--record"])
        .arg(&csv)
        .args(["--out", "/dev/null"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fs-hz"));
    let out = Command::new(BIN)
        .args(["detect", "--record"])
        .arg(&csv)
        .args(["--fs-hz", "250", "--out"])
        .arg(dir.join("csv.txt"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args([
            "detect",
            "--record",
            &format!("{MITDB}/100"),
            "--lead",
            "V9",
        ])
        .args(["--out", "/dev/null"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lead \"V9\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn detect_eval_reports_the_library_counts_as_json() {
    let dir = temp_dir("eval");
    for name in ["100", "207"] {
        for ext in ["hea", "dat", "atr"] {
            std::fs::copy(
                format!("{MITDB}/{name}.{ext}"),
                dir.join(format!("{name}.{ext}")),
            )
            .expect("copy");
        }
    }
    let out = Command::new(BIN)
        .args(["detect-eval", "--json", "--data"])
        .arg(&dir)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["method"], PeakMethod::default().name());
    let mut tp = 0;
    for name in ["100", "207"] {
        let r = record(name);
        let m = evaluate_record(&r, &detect_record(&r, 0, PeakMethod::default()).expect("d"));
        let got = &v["records"][name];
        assert_eq!(
            (got["tp"].as_u64(), got["fn"].as_u64(), got["fp"].as_u64()),
            (Some(m.tp as u64), Some(m.fn_ as u64), Some(m.fp as u64)),
            "{name}"
        );
        tp += m.tp as u64;
    }
    assert_eq!(v["total"]["tp"].as_u64(), Some(tp));
    // 207's ventricular flutter is excluded, in six episodes.
    assert_eq!(
        v["records"]["207"]["excluded_samples"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(
        v["records"]["100"]["excluded_samples"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
