//! The Parquet export read back with an independent reader (parquet-rs's own
//! `SerializedFileReader`, which shares no code with the writer's column encoders): the
//! rebalanced training set, the synthetic beats and a record's labelled beats through the
//! worker's session, as the page exports them, and the CLI's files and folders of parts.

use std::path::Path;

mod common;

use common::{arg, ask, cli_ok, cli_refuses, find, load_mitdb, mitdb_subset};
use ecg_balance_lab::classify::BeatPositions;
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::dataset::synthetic::plan::SynthTrainConfig;
use ecg_balance_lab::ecg::aami::{AamiClass, ClassCounts};
use ecg_balance_lab::ecg::beats::{N_RR, RrFeatures};
use ecg_balance_lab::session::{
    ErrorKind, ExportFormat, ExportedBeats, Request, Response, Session,
};
use ecg_balance_lab::training::TrainConfig;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{ListAccessor, Row, RowAccessor};
use serde_json::Value;

/// One beat as the file gives it back.
#[derive(Debug, Clone, PartialEq)]
struct Beat {
    samples: Vec<u32>,
    label: String,
    label_index: i32,
    record: String,
    origin: String,
    r_sample: i64,
    rr: Vec<u32>,
}

/// Every row of a Parquet file, its key-value metadata and its column names. Columns are
/// found by name, so the test does not lean on the writer's column order.
fn read_rows(bytes: Vec<u8>) -> (Vec<Beat>, Vec<(String, String)>, Vec<String>) {
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).expect("a Parquet file");
    let meta = reader.metadata().file_metadata();
    let kv = meta
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let names: Vec<String> = meta
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let at = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no column {name} in {names:?}"))
    };
    let rr_at: Vec<usize> = RrFeatures::NAMES.iter().map(|n| at(n)).collect();
    let (samples, label, index, record, origin, r) = (
        at("samples"),
        at("label"),
        at("label_index"),
        at("record"),
        at("origin"),
        at("r_sample"),
    );
    let beat = |row: &Row| {
        let list = row.get_list(samples).expect("samples is a list");
        Beat {
            samples: (0..list.len())
                .map(|k| list.get_float(k).expect("float").to_bits())
                .collect(),
            label: row.get_string(label).expect("label").clone(),
            label_index: row.get_int(index).expect("label_index"),
            record: row.get_string(record).expect("record").clone(),
            origin: row.get_string(origin).expect("origin").clone(),
            r_sample: row.get_long(r).expect("r_sample"),
            rr: rr_at
                .iter()
                .map(|&k| row.get_float(k).expect("rr").to_bits())
                .collect(),
        }
    };
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| beat(&row.expect("a row")))
        .collect();
    (rows, kv, names)
}

/// Beat `i` of `set` as the file should hold it.
fn expected(set: &BeatSet, i: usize) -> Beat {
    Beat {
        samples: set.window(i).iter().map(|v| v.to_bits()).collect(),
        label: set.labels[i].code().into(),
        label_index: set.labels[i].index() as i32,
        record: set.record_of(i).into(),
        origin: set.origin[i].name().into(),
        r_sample: set.r_sample[i] as i64,
        rr: set.rr_of(i).iter().map(|v| v.to_bits()).collect(),
    }
}

/// The bytes of the file an export request answers with.
fn exported(s: &mut Session, request: Request) -> (String, Vec<u8>) {
    find(&ask(s, request), |r| match r {
        Response::Export {
            file_name,
            format: ExportFormat::Parquet,
            bytes,
        } => Some((file_name.clone(), bytes.clone())),
        _ => None,
    })
}

/// Beats per class among the rows of origin `origin`.
fn counts_of(rows: &[Beat], origin: &str) -> ClassCounts {
    let mut c = ClassCounts::default();
    for b in rows.iter().filter(|b| b.origin == origin) {
        c.add(AamiClass::from_code(&b.label).expect("an AAMI code"));
    }
    c
}

#[test]
fn the_sessions_exports_read_back_beat_for_beat() {
    let mut s = Session::new();
    // DS1 records with S, V and F beats (106, 208, 209) and one DS2 record (100) for the test
    // side of the inter-patient split.
    ask(&mut s, load_mitdb(&["106", "208", "209", "100"]));

    // The rebalanced training set.
    // Down-samples N, augments S, V and F (208's 373 F beats to 600), drops Q.
    let config = RebalanceConfig {
        plan: Plan::Custom([4_000, 1_000, 2_000, 600, 0]),
        ..RebalanceConfig::default()
    };
    let report = find(
        &ask(
            &mut s,
            Request::Rebalance {
                split: SplitKind::default(),
                config,
            },
        ),
        |r| match r {
            Response::Rebalanced { report, .. } => Some(report.clone()),
            _ => None,
        },
    );
    let set = s.rebalanced().expect("the session keeps the set").clone();
    let (name, bytes) = exported(
        &mut s,
        Request::ExportRebalanced {
            format: ExportFormat::Parquet,
        },
    );
    assert_eq!(name, "ecg-balance-rebalanced-train.parquet");
    let (rows, kv, columns) = read_rows(bytes);
    assert_eq!(rows.len(), set.len(), "one row per beat");
    assert_eq!(set.len(), 7_600);
    assert!(report.augmented.total() > 0 && report.dropped.total() > 0);
    // Augmented beats carry one lead, so the set has no second lead, and the file no column
    // for one.
    assert!(!set.has_second_lead());
    assert!(!columns.iter().any(|c| c == "samples_2"), "{columns:?}");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.label, set.labels[i].code(), "label of beat {i}");
        assert_eq!(row.label_index, set.labels[i].index() as i32);
        assert_eq!(row.origin, set.origin[i].name(), "origin of beat {i}");
        assert_eq!(row.record, set.record_of(i));
        assert_eq!(row.r_sample, set.r_sample[i] as i64);
    }
    // Whole beats, bit for bit, at the ends, in the middle and at the first augmented one.
    let first_augmented = rows
        .iter()
        .position(|b| b.origin == "augmented")
        .expect("augmented beats");
    for i in [0, 1, set.len() / 2, first_augmented, set.len() - 1] {
        assert_eq!(rows[i], expected(&set, i), "beat {i}");
    }
    // The class counts per origin are the rebalance report's: kept real beats, added copies.
    assert_eq!(counts_of(&rows, "real"), report.kept);
    assert_eq!(counts_of(&rows, "augmented"), report.augmented);
    assert_eq!(counts_of(&rows, "synthetic"), ClassCounts::default());
    let layout = set.layout;
    for (key, value) in [
        ("fs_hz", layout.fs_hz.to_string()),
        ("window_len", layout.len.to_string()),
        ("r_index", layout.r_index.to_string()),
    ] {
        assert!(kv.contains(&(key.to_string(), value)), "{key} in {kv:?}");
    }

    // The synthetic beats.
    let plan = SynthTrainConfig {
        counts: vec![(AamiClass::F, 30), (AamiClass::S, 20)],
        ..SynthTrainConfig::default()
    };
    ask(
        &mut s,
        Request::Synthesize {
            split: SplitKind::default(),
            config: plan,
        },
    );
    let (name, bytes) = exported(
        &mut s,
        Request::ExportBeats {
            beats: ExportedBeats::Synthetic,
            format: ExportFormat::Parquet,
        },
    );
    assert_eq!(name, "ecg-balance-synthetic.parquet");
    let (rows, _, _) = read_rows(bytes);
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|b| b.origin == "synthetic"));
    assert_eq!(counts_of(&rows, "synthetic").0, [0, 20, 0, 30, 0]);

    // A record's beats found without a model have no class: refused, with why.
    let classify = |run| Request::Classify {
        name: "100".into(),
        lead: None,
        positions: BeatPositions::Annotated,
        run,
    };
    ask(&mut s, classify(None));
    let record = Request::ExportBeats {
        beats: ExportedBeats::Record { name: "100".into() },
        format: ExportFormat::Parquet,
    };
    let refused = find(&ask(&mut s, record.clone()), |r| match r {
        Response::Error(f) => Some(f.clone()),
        _ => None,
    });
    assert_eq!(refused.kind, ErrorKind::Invalid);
    assert!(refused.message.contains("without a model"), "{refused:?}");

    // Classified by a (one-epoch) model: one row per annotated beat, the model's classes.
    let config = TrainConfig::new()
        .with_epochs(1)
        .with_batch_size(512)
        .with_ensemble(1);
    ask(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
    );
    let view = find(&ask(&mut s, classify(Some(1))), |r| match r {
        Response::Classified(v) => Some(v.clone()),
        _ => None,
    });
    let (name, bytes) = exported(&mut s, record);
    assert_eq!(name, "100-beats.parquet");
    let (rows, kv, columns) = read_rows(bytes);
    assert_eq!(rows.len(), view.beats);
    assert_eq!(counts_of(&rows, "real"), view.counts);
    assert!(rows.iter().all(|b| b.record == "100"));
    let annotated = common::read_record(common::MITDB, "100", true);
    let peaks = ecg_balance_lab::ecg::detect::reference_beats(&annotated);
    let r: Vec<i64> = rows.iter().map(|b| b.r_sample).collect();
    assert_eq!(r, peaks.iter().map(|&p| p as i64).collect::<Vec<_>>());
    // Record 100 has two leads: the second gets its column; RR features are known.
    assert!(columns.iter().any(|c| c == "samples_2"), "{columns:?}");
    assert!(rows.iter().all(|b| b.rr.len() == N_RR));
    assert!(
        rows.iter()
            .all(|b| f32::from_bits(b.rr[0]).is_finite() && b.samples.len() == 126)
    );
    assert!(kv.iter().any(|(k, v)| k == "window_len" && v == "126"));
}

/// The rows of every `part-*.parquet` in `dir`, part by part in name order.
fn read_parts(dir: &Path) -> Vec<Vec<Beat>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("the folder")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            assert!(
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("part-")),
                "{p:?}"
            );
            read_rows(std::fs::read(&p).expect("a part")).0
        })
        .collect()
}

fn json_of(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).expect("one JSON object")
}

#[test]
fn the_cli_writes_one_parquet_file_or_a_folder_of_parts() {
    let dir = mitdb_subset("parquet-cli", &["100", "106", "208"]);
    let one = dir.join("train.parquet");
    let parts = dir.join("parts");
    let augment = |out: &Path, shard: Option<&str>| {
        let mut args = vec![
            "augment",
            "--json",
            "--plan",
            "custom:3000,300,1500,400,0",
            "--data",
            arg(&dir),
            "--out",
            arg(out),
        ];
        if let Some(n) = shard {
            args.extend(["--shard-beats", n]);
        }
        json_of(&cli_ok(&args))
    };
    let v = augment(&one, None);
    let beats = v["beats"].as_u64().expect("beats") as usize;
    let after: u64 = ["N", "S", "V", "F", "Q"]
        .iter()
        .map(|c| v["after"][c].as_u64().expect("count"))
        .sum();
    assert_eq!(beats as u64, after);
    let (whole, _, _) = read_rows(std::fs::read(&one).expect("the file"));
    assert_eq!(whole.len(), beats);
    assert_eq!(
        counts_of(&whole, "augmented").0,
        [
            v["augmented"]["N"].as_u64().unwrap_or(0) as usize,
            v["augmented"]["S"].as_u64().unwrap_or(0) as usize,
            v["augmented"]["V"].as_u64().unwrap_or(0) as usize,
            v["augmented"]["F"].as_u64().unwrap_or(0) as usize,
            v["augmented"]["Q"].as_u64().unwrap_or(0) as usize,
        ]
    );

    // The same run (same seed) in parts of at most 1,000 beats: the same rows, in order.
    let v = augment(&parts, Some("1000"));
    let files = v["files"].as_array().expect("files").len();
    assert_eq!(files, beats.div_ceil(1000));
    let read = read_parts(&parts);
    assert_eq!(read.len(), files);
    assert!(read.iter().all(|p| !p.is_empty() && p.len() <= 1000));
    let total: usize = read.iter().map(Vec::len).sum();
    assert_eq!(total, v["beats"].as_u64().expect("beats") as usize);
    assert_eq!(read.concat(), whole, "the parts are the file, cut");

    // A folder that already holds parts is refused (a reader would mix them); so is a file
    // name for parts, and 0 beats per part.
    cli_refuses(
        &[
            "augment",
            "--data",
            arg(&dir),
            "--out",
            arg(&parts),
            "--shard-beats",
            "500",
        ],
        "part-",
    );
    cli_refuses(
        &[
            "augment",
            "--data",
            arg(&dir),
            "--out",
            arg(&one),
            "--shard-beats",
            "500",
        ],
        "folder",
    );
    cli_refuses(
        &[
            "augment",
            "--data",
            arg(&dir),
            "--out",
            arg(&dir.join("p0")),
            "--shard-beats",
            "0",
        ],
        "at least 1",
    );

    // Synthetic beats: one file by extension, or parts.
    let synth = |out: &Path, shard: Option<&str>| {
        let mut args = vec![
            "synth",
            "--class",
            "V",
            "--count",
            "250",
            "--seed",
            "3",
            "--out",
            arg(out),
        ];
        if let Some(n) = shard {
            args.extend(["--shard-beats", n]);
        }
        json_of(&cli_ok(&args))
    };
    let v = synth(&dir.join("v.parquet"), None);
    let (rows, kv, _) = read_rows(std::fs::read(dir.join("v.parquet")).expect("file"));
    assert_eq!(rows.len() as u64, v["count"].as_u64().expect("count"));
    assert!(
        rows.iter()
            .all(|b| b.label == "V" && b.origin == "synthetic")
    );
    assert!(kv.iter().any(|(k, v)| k == "fs_hz" && v == "180"));
    synth(&dir.join("v-parts"), Some("100"));
    let read = read_parts(&dir.join("v-parts"));
    assert_eq!(
        read.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    assert_eq!(read.concat(), rows);
}

/// A small set with every kind of value: two leads, all four column kinds, the three origins,
/// a position past 2³², a non-ASCII record name, `-0.0`, a value that is not a short decimal,
/// and unknown (NaN) RR features.
fn oracle_set() -> BeatSet {
    use ecg_balance_lab::dataset::{BeatLayout, Origin};
    let mut s = BeatSet::new(BeatLayout {
        fs_hz: 360.0,
        len: 6,
        r_index: 2,
    });
    let a = s.record_index("100");
    let b = s.record_index("patient-é");
    let beats = [
        (AamiClass::N, a, 370, Origin::Real),
        (
            AamiClass::S,
            a,
            5_000_000_000,
            Origin::Augmented { source: 0 },
        ),
        (AamiClass::V, b, 9, Origin::Synthetic),
        (AamiClass::F, b, 0, Origin::Real),
    ];
    for (k, (class, record, r, origin)) in beats.into_iter().enumerate() {
        let x = k as f32;
        let w = [0.125 * x, -1.5, 2.0 + x, -0.0, 1e-3 * (x + 1.0), 3.75];
        let w2 = w.map(|v| -v);
        let mut rr = [f32::NAN; N_RR];
        if k < 3 {
            rr.iter_mut()
                .enumerate()
                .for_each(|(j, v)| *v = 0.5 + 0.25 * x + j as f32 / 8.0);
        }
        s.push_two(&w, &w2, &rr, class, record, r, origin);
    }
    s
}

#[test]
fn shards_split_the_rows_and_an_inconsistent_set_is_refused() {
    use ecg_balance_lab::dataset::parquet::ParquetExportError;
    let s = oracle_set();
    let (rows, _, names) = read_rows(s.write_parquet(1..3, Vec::new()).expect("writes"));
    assert!(names.iter().any(|n| n == "samples_2"), "{names:?}");
    assert_eq!(rows, [expected(&s, 1), expected(&s, 2)]);
    // An empty range is a valid file of no rows; rows past the end are refused.
    let (empty, _, _) = read_rows(s.write_parquet(4..4, Vec::new()).expect("writes"));
    assert!(empty.is_empty());
    assert_eq!(
        s.write_parquet(3..5, Vec::new()).err(),
        Some(ParquetExportError::Rows {
            start: 3,
            end: 5,
            len: 4
        })
    );
    let mut bad = oracle_set();
    bad.rr.pop();
    assert!(matches!(
        bad.to_parquet(),
        Err(ParquetExportError::Inconsistent(_))
    ));
}

/// pyarrow 26.0.1 reading the file [`oracle_set`] makes. Made once with (in a venv with
/// `pip install pyarrow pandas`):
///
/// ```sh
/// ECG_PARQUET_ORACLE_OUT=/tmp/oracle.parquet cargo test --test parquet_export pyarrow
/// python3 tests/data/parquet_oracle.py /tmp/oracle.parquet
/// ```
mod pyarrow {
    #![allow(clippy::unreadable_literal)]
    // pyarrow 26.0.1, pandas 3.1.1
    pub const SHA256: &str = "fdb6e1651365121f6ab80ae5102b114e70ffac9bf283fb7c172b33e3ee023e01";
    pub const ROWS: usize = 4;
    pub const ROW_GROUPS: usize = 1;
    pub const FIELDS: &[(&str, &str, bool)] = &[
        ("samples", "list<element: float not null>", false),
        ("samples_2", "list<element: float not null>", false),
        ("label", "string", false),
        ("label_index", "int32", false),
        ("record", "string", false),
        ("origin", "string", false),
        ("r_sample", "int64", false),
        ("pre_rr_s", "float", false),
        ("post_rr_s", "float", false),
        ("local_rr_s", "float", false),
        ("avg_rr_s", "float", false),
        ("pre_over_avg", "float", false),
        ("post_over_avg", "float", false),
        ("pre_over_local", "float", false),
        ("post_over_pre", "float", false),
        ("pre_over_previous_pre", "float", false),
        ("local_cv", "float", false),
        ("pre_over_median", "float", false),
        ("post_over_median", "float", false),
        ("pre_over_running", "float", false),
        ("irregularity", "float", false),
        ("pre_over_long", "float", false),
        ("post_over_long", "float", false),
    ];
    pub const METADATA: &[(&str, &str)] =
        &[("fs_hz", "360"), ("window_len", "6"), ("r_index", "2")];
    pub const LABELS: &[&str] = &["N", "S", "V", "F"];
    pub const LABEL_INDEX: &[i32] = &[0, 1, 2, 3];
    pub const RECORDS: &[&str] = &["100", "100", "patient-é", "patient-é"];
    pub const ORIGINS: &[&str] = &["real", "augmented", "synthetic", "real"];
    pub const R_SAMPLES: &[i64] = &[370, 5000000000, 9, 0];
    pub const SAMPLES_SHAPE: [usize; 2] = [4, 6];
    pub const SAMPLES: &[&[u32]] = &[
        &[
            0x00000000, 0xbfc00000, 0x40000000, 0x80000000, 0x3a83126f, 0x40700000,
        ],
        &[
            0x3e000000, 0xbfc00000, 0x40400000, 0x80000000, 0x3b03126f, 0x40700000,
        ],
        &[
            0x3e800000, 0xbfc00000, 0x40800000, 0x80000000, 0x3b449ba6, 0x40700000,
        ],
        &[
            0x3ec00000, 0xbfc00000, 0x40a00000, 0x80000000, 0x3b83126f, 0x40700000,
        ],
    ];
    pub const SAMPLES_2: &[&[u32]] = &[
        &[
            0x80000000, 0x3fc00000, 0xc0000000, 0x00000000, 0xba83126f, 0xc0700000,
        ],
        &[
            0xbe000000, 0x3fc00000, 0xc0400000, 0x00000000, 0xbb03126f, 0xc0700000,
        ],
        &[
            0xbe800000, 0x3fc00000, 0xc0800000, 0x00000000, 0xbb449ba6, 0xc0700000,
        ],
        &[
            0xbec00000, 0x3fc00000, 0xc0a00000, 0x00000000, 0xbb83126f, 0xc0700000,
        ],
    ];
    pub const PRE_RR_S: &[u32] = &[0x3f000000, 0x3f400000, 0x3f800000, 0x7fc00000];
    pub const POST_OVER_LONG: &[u32] = &[0x40180000, 0x40280000, 0x40380000, 0x7fc00000];
    pub const SAMPLES_DTYPE: &str = "float32";
}

#[test]
fn pyarrow_reads_the_file_as_the_set_holds_it() {
    use sha2::{Digest, Sha256};
    let set = oracle_set();
    let bytes = set.to_parquet().expect("writes");
    if let Ok(path) = std::env::var("ECG_PARQUET_ORACLE_OUT") {
        std::fs::write(&path, &bytes).expect("the oracle file");
    }
    // What pyarrow said against the set itself: columns, types (every one required), layout
    // metadata, and every value.
    let bits = |w: &[f32]| w.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(pyarrow::ROWS, set.len());
    assert_eq!(pyarrow::ROW_GROUPS, 1);
    assert!(
        pyarrow::FIELDS.iter().all(|f| !f.2),
        "no column is nullable"
    );
    let names: Vec<&str> = pyarrow::FIELDS.iter().map(|f| f.0).collect();
    assert_eq!(names[7..], RrFeatures::NAMES);
    assert_eq!(pyarrow::FIELDS[0].1, "list<element: float not null>");
    assert_eq!(
        pyarrow::METADATA,
        [("fs_hz", "360"), ("window_len", "6"), ("r_index", "2")]
    );
    // pandas gives one float32 array per beat, which NumPy stacks into [beats, window_len].
    assert_eq!(pyarrow::SAMPLES_SHAPE, [set.len(), set.layout.len]);
    assert_eq!(pyarrow::SAMPLES_DTYPE, "float32");
    for i in 0..set.len() {
        assert_eq!(pyarrow::LABELS[i], set.labels[i].code());
        assert_eq!(pyarrow::LABEL_INDEX[i], set.labels[i].index() as i32);
        assert_eq!(pyarrow::RECORDS[i], set.record_of(i));
        assert_eq!(pyarrow::ORIGINS[i], set.origin[i].name());
        assert_eq!(pyarrow::R_SAMPLES[i], set.r_sample[i] as i64);
        assert_eq!(pyarrow::SAMPLES[i], bits(set.window(i)), "beat {i}");
        assert_eq!(
            pyarrow::SAMPLES_2[i],
            bits(set.window_2(i).expect("two leads")),
            "beat {i}"
        );
        assert_eq!(pyarrow::PRE_RR_S[i], set.rr_of(i)[0].to_bits());
        assert_eq!(pyarrow::POST_OVER_LONG[i], set.rr_of(i)[N_RR - 1].to_bits());
    }
    // parquet-rs's reader agrees with pyarrow on the same file.
    let (rows, _, columns) = read_rows(bytes.clone());
    assert_eq!(columns, names);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.samples, pyarrow::SAMPLES[i]);
        assert_eq!(row.record, pyarrow::RECORDS[i]);
    }
    // And the literals are about this very file: a writer that writes other bytes (another
    // parquet-rs, other settings) must be read by pyarrow again (the commands above).
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha,
        pyarrow::SHA256,
        "the file's bytes changed since pyarrow read them: run the oracle again"
    );
}
