//! What the integration tests share: the data's paths, loaders of MIT-BIH records and beats,
//! a DS2 scrambler for the leakage proofs, drivers of the worker's session and of the CLI, and
//! the tolerance data-parallel runs are held to.
//!
//! Each test file that uses it says `mod common;`; not every file uses every helper.
#![allow(dead_code)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

use ecg_balance_lab::Record;
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::split::DS2;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::WindowSpec;
use ecg_balance_lab::io::files::Grouped;
use ecg_balance_lab::io::fs::{read_inputs, read_record_path};
use ecg_balance_lab::rng::Rng;
use ecg_balance_lab::session::{Envelope, Request, Response, Session};
use ecg_balance_lab::training::EpochStats;
use ecg_balance_lab::workspace::{BeatSource, Workspace};

/// The MIT-BIH Arrhythmia Database (48 records).
pub const MITDB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
/// 40 PTB-XL records and the database's tables.
pub const PTBXL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ptbxl-sample");
/// The CLI.
pub const BIN: &str = env!("CARGO_BIN_EXE_ecg-balance");

// ---- records and beats ------------------------------------------------------------------------

/// Record `dir/name` (`name` may hold a sub-folder): its header and signal files, and its `.atr`
/// when `with_atr` — read as the CLI reads it ([`read_record_path`]).
pub fn read_record(dir: &str, name: &str, with_atr: bool) -> Record {
    let path = Path::new(dir).join(name);
    read_record_path(&path, None, with_atr).unwrap_or_else(|e| panic!("{e}"))
}

/// The files of MIT-BIH `records` with extensions `exts`, as paths (`mitdb/100.hea`, as a
/// dropped folder gives them) and contents.
pub fn mitdb_files(records: &[&str], exts: &[&str]) -> (Vec<String>, Vec<Vec<u8>>) {
    records
        .iter()
        .flat_map(|r| exts.iter().map(move |ext| format!("{r}.{ext}")))
        .map(|f| {
            let bytes = std::fs::read(Path::new(MITDB).join(&f))
                .unwrap_or_else(|e| panic!("{MITDB}/{f}: {e}"));
            (format!("mitdb/{f}"), bytes)
        })
        .unzip()
}

/// The request that loads MIT-BIH `records` (header, signal and annotation files).
pub fn load_mitdb(records: &[&str]) -> Request {
    let (paths, bytes) = mitdb_files(records, &["hea", "dat", "atr"]);
    Request::LoadFiles { paths, bytes }
}

/// A workspace holding the MIT-BIH records (only those of `only`, when given), beats cut with
/// `window`; every file read without error.
pub fn mitdb_workspace(window: WindowSpec, only: Option<&[&str]>) -> Workspace {
    let files = read_inputs(&[PathBuf::from(MITDB)]).expect("../shared/data/mitdb is readable");
    let files = files
        .into_iter()
        .filter(|f| only.is_none_or(|o| o.contains(&f.path.split('.').next().unwrap_or(""))))
        .collect();
    let mut ws = Workspace::new();
    ws.set_window(window).expect("window");
    let report = ws.load_all(&Grouped::new(files));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    ws
}

/// Every beat of the 48 MIT-BIH records, with the default window.
pub fn mitdb_beats() -> BeatSet {
    mitdb_workspace(WindowSpec::default(), None)
        .beats(BeatSource::Records)
        .clone()
}

/// `beats` with every beat of a DS2 (test) record replaced by noise, random RR features and a
/// rotated label, drawn with `seed`.
pub fn scrambled(beats: &BeatSet, seed: u64) -> BeatSet {
    let mut s = beats.clone();
    let mut rng = Rng::new(seed);
    let l = s.layout.len;
    let n_rr = s.rr.len() / s.len().max(1);
    for i in 0..s.len() {
        if DS2.contains(&s.record_of(i)) {
            for v in &mut s.windows[i * l..(i + 1) * l] {
                *v = 5.0 * rng.normal() as f32;
            }
            for v in &mut s.rr[i * n_rr..(i + 1) * n_rr] {
                *v = rng.uniform_range(0.1, 3.0) as f32;
            }
            s.labels[i] =
                AamiClass::from_index((s.labels[i].index() + 1) % 5).unwrap_or(AamiClass::N);
        }
    }
    s
}

// ---- the worker's session -----------------------------------------------------------------------

/// A fake clock advancing 1 ms per reading, so slices end after a fixed amount of work.
pub fn clock() -> impl Fn() -> f64 {
    let t = Cell::new(0.0);
    move || {
        t.set(t.get() + 1.0);
        t.get()
    }
}

/// Asks `s` and runs the job the request starts to the end; every answer.
pub fn ask(s: &mut Session, request: Request) -> Vec<Response> {
    let mut out = Vec::new();
    s.ask(request, &clock(), &mut |r| out.push(r));
    out
}

/// Sends `request` as the page does (numbered, answers now; a job it starts is left to
/// [`run_for`]); the answers.
pub fn send(s: &mut Session, request: Request, now: &dyn Fn() -> f64) -> Vec<Response> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut out = Vec::new();
    s.handle(Envelope { id, request }, now, &mut |r| out.push(r.response));
    out
}

/// Runs the job of `s` for about `budget_ms`; whether work remains, and the answers.
pub fn run_for(s: &mut Session, budget_ms: f64, now: &dyn Fn() -> f64) -> (bool, Vec<Response>) {
    let mut out = Vec::new();
    let more = s.run_for(budget_ms, now, &mut |r| out.push(r.response));
    (more, out)
}

/// The first answer `pick` accepts, or a panic listing the answers.
pub fn find<T>(out: &[Response], pick: impl Fn(&Response) -> Option<T>) -> T {
    out.iter()
        .find_map(pick)
        .unwrap_or_else(|| panic!("no such answer among {out:?}"))
}

// ---- the CLI and files ------------------------------------------------------------------------

/// A folder of a test's files, removed with everything in it when the test ends (passed or
/// failed).
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh folder under the system temp dir, for test `name`.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("ecg-balance-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// A path as a command-line argument (the test folders have UTF-8 names).
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Runs `ecg-balance` with `args`.
pub fn cli(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the CLI runs")
}

/// Runs `ecg-balance` with `args`, which must succeed; its standard output.
pub fn cli_ok(args: &[&str]) -> Vec<u8> {
    let out = cli(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `ecg-balance` with `args`, which must fail; its standard error.
pub fn cli_err(args: &[&str]) -> String {
    let out = cli(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `ecg-balance` with `args`, which must fail with a message that mentions `mention`.
pub fn cli_refuses(args: &[&str], mention: &str) {
    let err = cli_err(args);
    assert!(err.contains(mention), "{err}");
}

/// MIT-BIH `records` copied into a fresh folder (header, signal and annotation files): small
/// inputs for the CLI.
pub fn mitdb_subset(name: &str, records: &[&str]) -> TempDir {
    let dir = temp_dir(name);
    for r in records {
        for ext in ["hea", "dat", "atr"] {
            std::fs::copy(
                Path::new(MITDB).join(format!("{r}.{ext}")),
                dir.join(format!("{r}.{ext}")),
            )
            .expect("copy");
        }
    }
    dir
}

// ---- data-parallel training -----------------------------------------------------------------

/// Two runs of one training that differ only in the order of float sums (another number of
/// threads or workers) come close: validation macro-F1 within 0.03 every epoch, and test
/// accuracy (`accuracy`, the two runs') within 1 point.
pub fn assert_runs_close(a: &[EpochStats], b: &[EpochStats], accuracy: (f64, f64)) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x.val_macro_f1 - y.val_macro_f1).abs() <= 0.03,
            "epoch {}: {} vs {}",
            x.epoch,
            x.val_macro_f1,
            y.val_macro_f1
        );
    }
    let (x, y) = accuracy;
    assert!((x - y).abs() <= 0.01, "accuracy {x} vs {y}");
}
