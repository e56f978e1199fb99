//! `ecg-balance`, run as a user runs it: every command on small inputs (one or two MIT-BIH
//! records, one epoch), its output checked against the library and the page's session.
//! (`classify` runs in `tests/classify.rs`, beside the session it is compared with.)

mod common;

use std::path::Path;

use common::{
    MITDB, arg, ask, cli_err, cli_ok, cli_refuses, find, load_mitdb, mitdb_subset, read_record,
    temp_dir,
};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::ecg::aami::class_of_code;
use ecg_balance_lab::ecg::detect::{PeakMethod, detect_record, evaluate_record};
use ecg_balance_lab::io::fs::read_record_path;
use ecg_balance_lab::io::wfdb::read_annotations;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::training::{TrainConfig, TrainedModel};
use serde_json::{Value, json};

fn record(name: &str) -> ecg_balance_lab::Record {
    read_record(MITDB, name, true)
}

fn json_of(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).expect("one JSON object")
}

/// Beats (annotations with an AAMI class) of `r`.
fn beats_of(r: &ecg_balance_lab::Record) -> u64 {
    r.annotations
        .iter()
        .filter(|a| class_of_code(a.code).is_some())
        .count() as u64
}

/// `ecg-balance train` for one epoch on the records in `dir`, with the `extra` settings: the
/// metrics go to `out`, the model to `model`.
fn train_one_epoch(dir: &Path, extra: &[&str], out: &Path, model: &Path) {
    let args = [
        "train",
        "--epochs",
        "1",
        "--data",
        arg(dir),
        "--out",
        arg(out),
        "--model-out",
        arg(model),
    ];
    cli_ok(&[&args[..], extra].concat());
}

/// The page's seed, as an argument.
fn page_seed() -> String {
    TrainConfig::default().seed.to_string()
}

#[test]
fn stats_counts_per_record_and_per_side_with_the_pages_seed() {
    let dir = mitdb_subset("stats", &["100", "101"]);
    let data = arg(&dir);
    let v = json_of(&cli_ok(&["stats", "--json", "--data", data]));
    let b100 = v["records"]["100"]["beats"].as_u64().expect("beats");
    let b101 = v["records"]["101"]["beats"].as_u64().expect("beats");
    assert_eq!(b100, beats_of(&record("100")));
    assert_eq!(v["beats"].as_u64(), Some(b100 + b101));
    // By patient: 101 is a DS1 record, 100 a DS2 one.
    assert_eq!(v["split"]["kind"], "inter-patient");
    assert_eq!(v["split"]["train"]["records"], json!(["101"]));
    assert_eq!(v["split"]["test"]["records"], json!(["100"]));
    assert_eq!(v["split"]["test"]["beats"].as_u64(), Some(b100));
    // The random split is drawn with the page's seed unless told otherwise.
    let random = [
        "stats",
        "--json",
        "--split",
        "intra-patient",
        "--data",
        data,
    ];
    let default = cli_ok(&random);
    let v = json_of(&default);
    assert_eq!(v["split"]["optimistic"], true);
    let seed = page_seed();
    let description = v["split"]["description"].as_str().expect("text");
    assert!(
        description.contains(&format!("seed {seed}")),
        "{description}"
    );
    let given = cli_ok(&[&random[..], &["--seed", &seed]].concat());
    assert_eq!(default, given);
    // The table is the default output.
    let table = String::from_utf8(cli_ok(&["stats", "--data", data])).expect("text");
    assert!(table.contains("imbalance ratio"), "{table}");
}

#[test]
fn train_runs_the_pages_training_job_and_writes_its_metrics_and_model() {
    let dir = mitdb_subset("train", &["100"]);
    let (metrics, model) = (dir.join("metrics.json"), dir.join("run.model"));
    train_one_epoch(
        &dir,
        &["--split", "intra-patient", "--batch-size", "512"],
        &metrics,
        &model,
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(&metrics).expect("metrics")).expect("json");
    assert_eq!(v["config"]["epochs"], 1);
    assert_eq!(v["config"]["seed"], TrainConfig::default().seed);
    assert_eq!(v["history"].as_array().map(Vec::len), Some(1));
    let saved = TrainedModel::from_bytes(&std::fs::read(&model).expect("model")).expect("a model");
    assert_eq!(saved.train_config.epochs, 1);

    // The page's session, given the same files and settings (the page's defaults for a
    // random split), makes the same run.
    let mut s = Session::new();
    ask(&mut s, load_mitdb(&["100"]));
    let config = TrainConfig::for_split(SplitKind::RandomBeats {
        seed: TrainConfig::default().seed,
        test_fraction: 0.2,
    })
    .with_epochs(1)
    .with_batch_size(512);
    let answers = ask(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
    );
    let report = find(&answers, |r| match r {
        Response::TrainResult(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(v["validation_counts"], json!(report.val_counts));
    assert_eq!(v["confusion"], json!(report.evaluation.confusion));

    // A bad setting is refused before any work.
    cli_refuses(
        &[
            "train",
            "--data",
            MITDB,
            "--out",
            "/dev/null",
            "--rebalance",
            "lots",
        ],
        "--rebalance",
    );
}

#[test]
fn augment_writes_the_rebalanced_training_side() {
    let dir = mitdb_subset("augment", &["100", "101"]);
    let csv = dir.join("train.csv");
    let plan = "custom:1500,40,40,0,0";
    let v = json_of(&cli_ok(&[
        "augment",
        "--json",
        "--plan",
        plan,
        "--data",
        arg(&dir),
        "--out",
        arg(&csv),
    ]));
    let total = |side: &str| -> u64 {
        ["N", "S", "V", "F", "Q"]
            .iter()
            .map(|c| v[side][c].as_u64().expect("count"))
            .sum()
    };
    assert_eq!(v["after"]["N"], 1500);
    // Only the training side (101, DS1) is rebalanced: its beats, never 100's.
    assert_eq!(total("before"), beats_of(&record("101")));
    let rows = std::fs::read_to_string(&csv).expect("csv").lines().count() as u64;
    assert_eq!(rows, total("after"), "one row per beat");
    cli_refuses(
        &[
            "augment",
            "--plan",
            "lots",
            "--data",
            arg(&dir),
            "--out",
            arg(&csv),
        ],
        "--plan",
    );
}

#[test]
fn synth_record_writes_a_wfdb_record_with_the_pages_seed() {
    let dir = temp_dir("synth-record");
    let run = |sub: &str, seed: &[&str]| {
        let out_dir = dir.join(sub);
        let args = [
            "synth-record",
            "--minutes",
            "0.5",
            "--fs-hz",
            "250",
            "--name",
            "s1",
        ];
        let v = json_of(&cli_ok(
            &[&args[..], seed, &["--out-dir", arg(&out_dir)]].concat(),
        ));
        let dat = std::fs::read(out_dir.join("s1.dat")).expect("dat");
        (v, out_dir, dat)
    };
    let (v, out_dir, dat) = run("default", &[]);
    let r = read_record_path(&out_dir.join("s1"), None, true).expect("reads back");
    assert_eq!(r.fs_hz, 250.0);
    assert_eq!(v["beats"].as_u64(), Some(beats_of(&r)));
    let (_, _, given) = run("given", &["--seed", &page_seed()]);
    assert_eq!(dat, given, "the default seed is the page's");
    let (_, _, other) = run("other", &["--seed", "7"]);
    assert_ne!(dat, other);
}

#[test]
fn detect_writes_positions_and_annotation_files() {
    let dir = temp_dir("detect");
    let expected = detect_record(&record("100"), 0, PeakMethod::PanTompkins1985).expect("detect");
    let method = ["--method", "pan-tompkins-1985"];

    let txt = dir.join("100.txt");
    let hea = format!("{MITDB}/100.hea");
    cli_ok(
        &[
            &["detect", "--record", &hea, "--out", arg(&txt)][..],
            &method,
        ]
        .concat(),
    );
    let got: Vec<usize> = std::fs::read_to_string(&txt)
        .expect("output")
        .lines()
        .map(|l| l.parse().expect("a sample number per line"))
        .collect();
    assert_eq!(got, expected);

    let atr = dir.join("100.atr");
    let base = format!("{MITDB}/100");
    cli_ok(
        &[
            &[
                "detect",
                "--record",
                &base,
                "--lead",
                "mlii",
                "--out",
                arg(&atr),
            ][..],
            &method,
        ]
        .concat(),
    );
    let ann = read_annotations(&std::fs::read(&atr).expect("atr")).expect("annotations");
    let samples: Vec<usize> = ann.iter().map(|a| a.sample as usize).collect();
    assert_eq!(samples, expected);
    assert!(ann.iter().all(|a| a.symbol() == "N"));

    // A plain CSV needs its rate; a bad lead is an error with a message.
    let csv = dir.join("x.csv");
    let text: String = (0..2000)
        .map(|i| format!("{}\n", if i % 300 == 0 { 1.0 } else { 0.0 }))
        .collect();
    std::fs::write(&csv, format!("ECG\n{text}")).expect("csv");
    cli_refuses(
        &["detect", "--record", arg(&csv), "--out", "/dev/null"],
        "--fs-hz",
    );
    let out = dir.join("csv.txt");
    cli_ok(&[
        "detect",
        "--record",
        arg(&csv),
        "--fs-hz",
        "250",
        "--out",
        arg(&out),
    ]);
    cli_refuses(
        &[
            "detect",
            "--record",
            &base,
            "--lead",
            "V9",
            "--out",
            "/dev/null",
        ],
        "no lead \"V9\"",
    );
}

#[test]
fn detect_eval_reports_the_library_counts_as_json() {
    let dir = mitdb_subset("detect-eval", &["100", "207"]);
    let v = json_of(&cli_ok(&["detect-eval", "--json", "--data", arg(&dir)]));
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
    let episodes = |name: &str| {
        v["records"][name]["excluded_samples"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(episodes("207"), Some(6));
    assert_eq!(episodes("100"), Some(0));
    // The table is the default output, ending with the total.
    let table = String::from_utf8(cli_ok(&["detect-eval", "--data", arg(&dir)])).expect("text");
    assert!(
        table.lines().last().is_some_and(|l| l.starts_with("TOTAL")),
        "{table}"
    );
}

#[test]
fn synth_writes_rows_and_a_quality_report_with_tstr() {
    let dir = temp_dir("synth");
    let out = dir.join("v.csv");
    let j = json_of(&cli_ok(&[
        "synth",
        "--class",
        "V",
        "--count",
        "300",
        "--fs-hz",
        "180",
        "--seed",
        "3",
        "--data",
        MITDB,
        "--out",
        arg(&out),
    ]));
    assert_eq!(j["count"], 300);
    let text = std::fs::read_to_string(&out).unwrap();
    // 300 rows (a header row, if any, has no numbers), each ending with the label.
    let data_rows: Vec<&str> = text
        .lines()
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
    let x = dir.join("x.csv");
    cli_err(&["synth", "--class", "X", "--count", "10", "--out", arg(&x)]);
}

#[test]
fn adapt_scores_only_the_unqueried_beats_of_the_test_records() {
    let dir = mitdb_subset("adapt", &["101", "106", "232"]);
    let model = dir.join("run.model");
    let out = dir.join("metrics.json");
    train_one_epoch(&dir, &[], &out, &model);
    let adapt = ["adapt", "--data", arg(&dir), "--model", arg(&model)];
    let settings = [
        "--budget", "0,5", "--repeat", "10", "--epochs", "1", "--json",
    ];
    let v = json_of(&cli_ok(&[&adapt[..], &settings].concat()));
    assert_eq!(v["test_records"], json!(["232"]));
    let total = |cm: &Value| -> u64 {
        cm.as_array()
            .expect("rows")
            .iter()
            .flat_map(|r| r.as_array().expect("row").iter())
            .map(|x| x.as_u64().expect("count"))
            .sum()
    };
    let (k0, k5) = (&v["results"][0], &v["results"][1]);
    assert_eq!(k0["queried"], 0);
    assert_eq!(k0["before"], k0["after"], "no label, no change");
    assert_eq!(k5["queried"], 5);
    let all = total(&k0["before"]["confusion"]);
    assert!(all > 1500, "232's beats: {all}");
    assert_eq!(total(&k5["after"]["confusion"]), all - 5);
    assert_eq!(k5["per_record"][0]["record"], "232");

    // A model trained on a random beat split has seen the test patients: refused.
    let random = dir.join("random.model");
    train_one_epoch(&dir, &["--split", "intra-patient"], &out, &random);
    cli_refuses(
        &["adapt", "--data", arg(&dir), "--model", arg(&random)],
        "split",
    );
    cli_refuses(&[&adapt[..], &["--budget", "lots"]].concat(), "--budget");
}

#[test]
fn a_folder_with_a_bad_csv_names_it_and_still_counts_record_100() {
    let dir = mitdb_subset("bad-csv", &["100"]);
    // A Kaggle-style beat file whose label column is not a class, and one holding a NaN.
    let row = |label: &str, first: &str| {
        let mut cells = vec![first.to_string()];
        cells.extend(std::iter::repeat_n("0.5".to_string(), 186));
        cells.push(label.to_string());
        cells.join(",")
    };
    std::fs::write(dir.join("beats.csv"), format!("{}\n", row("7", "0.1"))).expect("csv");
    std::fs::write(dir.join("nan.csv"), format!("{}\n", row("1", "NaN"))).expect("csv");
    let out = common::cli(&["stats", "--data", arg(&dir), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped beats.csv"), "{stderr}");
    assert!(stderr.contains("skipped nan.csv"), "{stderr}");
    let v = json_of(&out.stdout);
    assert_eq!(v["records"]["100"]["beats"], 2273);
    let files: Vec<&str> = v["skipped"]
        .as_array()
        .expect("a skipped list")
        .iter()
        .map(|s| s["file"].as_str().expect("file"))
        .collect();
    assert!(files.contains(&"beats.csv"), "{v}");
    assert!(files.contains(&"nan.csv"), "{v}");
}

/// `train --print-config` with `options` (the data is never read): the settings it resolves.
fn resolved_config(options: &[String]) -> TrainConfig {
    let mut args: Vec<&str> = vec![
        "train",
        "--data",
        "/no/such/folder",
        "--out",
        "/dev/null",
        "--print-config",
    ];
    args.extend(options.iter().map(String::as_str));
    serde_json::from_slice(&cli_ok(&args)).expect("the settings as JSON")
}

#[test]
fn a_reports_reproduce_command_resolves_to_the_runs_settings() {
    use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig};
    use ecg_balance_lab::dataset::synthetic::plan::{SynthMode, SynthTrainConfig};
    use ecg_balance_lab::dataset::weights::WeightScheme;
    use ecg_balance_lab::ecg::aami::AamiClass;

    let page_default = TrainConfig::new();
    // Every setting the page lets a person change, changed.
    let changed = TrainConfig::new()
        .with_split(SplitKind::RandomBeats {
            seed: 7,
            test_fraction: 0.3,
        })
        .with_weights(WeightScheme::EffectiveNumber { beta: 0.999 })
        .with_weight_cap(None)
        .with_focal_gamma(Some(1.5))
        .with_epochs(3)
        .with_batch_size(64)
        .with_learning_rate(0.001_25)
        .with_seed(9)
        .with_rebalance(Some(RebalanceConfig {
            plan: Plan::Ratio(12.5),
            seed: 5,
            ..RebalanceConfig::default()
        }))
        .with_synthetic(Some(SynthTrainConfig {
            counts: vec![(AamiClass::F, 100), (AamiClass::S, 50)],
            mode: SynthMode::Fitted,
            seed: 11,
        }));
    let other_weights = TrainConfig::new()
        .with_weights(WeightScheme::InverseFrequency)
        .with_focal_gamma(None)
        .with_weight_cap(Some(20.0))
        .with_rebalance(Some(RebalanceConfig {
            plan: Plan::Custom([1000, 200, 300, 40, 0]),
            seed: 0,
            ..RebalanceConfig::default()
        }));
    let random_default = TrainConfig::for_split(SplitKind::RandomBeats {
        seed: 42,
        test_fraction: 0.2,
    });
    let patience = TrainConfig::new().with_patience(9);
    for config in [
        page_default,
        changed,
        other_weights,
        random_default,
        patience,
    ] {
        assert!(config.without_cli_flag().is_empty());
        assert_eq!(resolved_config(&config.cli_args()), config);
    }
    // A setting no option sets is named, and the command indeed trains something else.
    let rhythm = TrainConfig::new().with_rhythm(true);
    assert_eq!(
        rhythm.without_cli_flag(),
        vec!["rhythm features true".to_string()]
    );
    assert_ne!(resolved_config(&rhythm.cli_args()), rhythm);
}

#[test]
fn the_cli_defaults_are_the_pages_for_each_split() {
    // Only the split given: the CLI resolves to the page's defaults for that split, which on a
    // random split are a lower weight cap, more epochs and more patience.
    let inter = resolved_config(&["--split".into(), "inter-patient".into()]);
    assert_eq!(
        inter,
        TrainConfig::new().with_split(SplitKind::InterPatient {
            seed: 42,
            test_fraction: 0.5
        })
    );
    let random = resolved_config(&["--split".into(), "intra-patient".into()]);
    let page = TrainConfig::for_split(SplitKind::RandomBeats {
        seed: 42,
        test_fraction: 0.2,
    });
    assert_eq!(random, page);
    assert_ne!(
        (page.weight_cap, page.epochs, page.patience),
        (
            TrainConfig::new().weight_cap,
            TrainConfig::new().epochs,
            TrainConfig::new().patience
        )
    );
}
