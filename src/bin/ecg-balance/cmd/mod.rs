//! The commands, one module each, and what they share: reading files through the page's own
//! session, naming leads, writing outputs.

pub mod adapt;
pub mod augment;
pub mod beats_out;
pub mod classify;
pub mod detect;
pub mod detect_eval;
pub mod stats;
pub mod synth;
pub mod synth_record;
pub mod train;

use std::path::{Path, PathBuf};

use ecg_balance_lab::Record;
use ecg_balance_lab::io::fs::{FsError, read_inputs, read_record_path};
use ecg_balance_lab::session::{Request, Response, Session};

/// The session's clock: ms since the command started.
pub fn clock() -> impl Fn() -> f64 {
    let start = std::time::Instant::now();
    move || start.elapsed().as_secs_f64() * 1000.0
}

/// Asks `session` (running the job it starts to the end); the answers, or the first failure.
pub fn ask(session: &mut Session, request: Request) -> Result<Vec<Response>, String> {
    let mut out = Vec::new();
    session.ask(request, &clock(), &mut |r| out.push(r));
    for r in &out {
        match r {
            Response::Error(f) => return Err(f.message.clone()),
            Response::Busy { message } | Response::Cancelled { message } => {
                return Err(message.clone());
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A session holding the files read, and every file that was not used with the reason.
pub struct Loaded {
    /// The page's session, with the records and beat files read.
    pub session: Session,
    /// Files not used (unreadable first, then not ECG data): file, reason.
    pub skipped: Vec<(String, String)>,
}

impl Loaded {
    /// The skipped files as JSON: `[{"file": …, "reason": …}]`.
    pub fn skipped_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.skipped
                .iter()
                .map(|(file, reason)| serde_json::json!({"file": file, "reason": reason}))
                .collect(),
        )
    }
}

/// Loads `paths` (folders recursively) into a session exactly as the page loads dropped files.
/// Every file that is not used is named on stderr with the reason (and kept in
/// [`Loaded::skipped`] for the command's JSON): no file is dropped silently.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, String> {
    let inputs = read_inputs(paths).map_err(|e| e.to_string())?;
    let (paths, bytes) = inputs.into_iter().map(|f| (f.path, f.bytes)).unzip();
    let mut session = Session::new();
    let mut skipped = Vec::new();
    for r in ask(&mut session, Request::LoadFiles { paths, bytes })? {
        if let Response::Loaded { report, .. } = r {
            skipped = report.not_used();
            for (file, reason) in &skipped {
                eprintln!("skipped {file}: {reason}");
            }
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
        }
    }
    let ws = &session.workspace;
    if ws.records().is_empty() && ws.beat_files().is_empty() {
        return Err("no record or beat file could be read".into());
    }
    Ok(Loaded { session, skipped })
}

/// Reads one record ([`read_record_path`]); a plain CSV without a rate asks for `--fs-hz`.
pub fn read_record(path: &Path, fs_hz: Option<f64>, with_atr: bool) -> Result<Record, String> {
    read_record_path(path, fs_hz, with_atr).map_err(|e| match e {
        FsError::NoRate { path } => format!(
            "{}: a plain CSV has no sampling rate: give --fs-hz (e.g. --fs-hz 360)",
            path.display()
        ),
        e => e.to_string(),
    })
}

/// Index of lead `name` in `record` (case-insensitive), or `default` when none is named.
pub fn lead_index(record: &Record, name: Option<&str>, default: usize) -> Result<usize, String> {
    match name {
        None => Ok(default),
        Some(n) => record.signal_index(n).ok_or_else(|| {
            let names: Vec<&str> = record.signals.iter().map(|s| s.name.as_str()).collect();
            format!(
                "record {} has no lead {n:?}; its leads are {}",
                record.name,
                names.join(", ")
            )
        }),
    }
}

/// Writes `bytes` to `path`.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// `json` pretty-printed.
pub fn pretty(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(json).unwrap_or_default()
}
