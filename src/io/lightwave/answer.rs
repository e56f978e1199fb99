//! The small answers: database, record and annotator lists, and a record's `info`.

use serde::Deserialize;

use super::error::LightwaveError;

/// A database the server offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Entry {
    /// Name as the server spells it (`mitdb`, `mitdb/1.0.0`).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub desc: String,
}

/// `"success": false` with its `error`, as `lwfail` writes it.
pub(super) fn refused(
    success: Option<bool>,
    error: Option<String>,
    what: &'static str,
) -> Result<(), LightwaveError> {
    match success {
        Some(false) => Err(LightwaveError::Refused {
            what,
            message: error.unwrap_or_else(|| "no reason given".into()),
        }),
        _ => Ok(()),
    }
}

pub(super) fn from_json<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, LightwaveError> {
    serde_json::from_slice(bytes).map_err(|e| LightwaveError::Json {
        what,
        reason: e.to_string(),
    })
}

fn absent(what: &'static str, field: &str) -> LightwaveError {
    LightwaveError::Json {
        what,
        reason: format!("it has no \"{field}\" field"),
    }
}

#[derive(Deserialize)]
struct DbList {
    success: Option<bool>,
    error: Option<String>,
    database: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct RList {
    success: Option<bool>,
    error: Option<String>,
    record: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct AList {
    success: Option<bool>,
    error: Option<String>,
    annotator: Option<Vec<Entry>>,
}

/// Parses a `dblist` answer.
pub fn parse_dblist(bytes: &[u8]) -> Result<Vec<Entry>, LightwaveError> {
    let a: DbList = from_json(bytes, "dblist")?;
    refused(a.success, a.error, "dblist")?;
    a.database.ok_or_else(|| absent("dblist", "database"))
}

/// Parses an `rlist` answer.
pub fn parse_rlist(bytes: &[u8]) -> Result<Vec<String>, LightwaveError> {
    let a: RList = from_json(bytes, "rlist")?;
    refused(a.success, a.error, "rlist")?;
    a.record.ok_or_else(|| absent("rlist", "record"))
}

/// Parses an `alist` answer.
pub fn parse_alist(bytes: &[u8]) -> Result<Vec<Entry>, LightwaveError> {
    let a: AList = from_json(bytes, "alist")?;
    refused(a.success, a.error, "alist")?;
    a.annotator.ok_or_else(|| absent("alist", "annotator"))
}

/// One signal of an `info` answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InfoSignal {
    /// Name (unique; `v[N]` for a signal without a description).
    pub name: String,
    /// Ticks per sample (`tfreq / (ffreq * spf)`).
    pub tps: f64,
    /// Units, `null` when the header gives none.
    pub units: Option<String>,
    /// adu per unit.
    pub gain: f64,
    /// ADC resolution, bits.
    #[serde(default)]
    pub adcres: i64,
    /// ADC zero, adu.
    #[serde(default)]
    pub adczero: i64,
    /// Baseline, adu.
    pub baseline: i32,
}

/// An `info` answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Info {
    /// Database.
    pub db: String,
    /// Record (may be a path such as `records100/00000/00001_lr`).
    pub record: String,
    /// Ticks per second: the sampling frequency when every signal has one sample per frame.
    pub tfreq: f64,
    /// Start date and time, when the header gives them.
    #[serde(default)]
    pub start: Option<String>,
    /// End date and time.
    #[serde(default)]
    pub end: Option<String>,
    /// Length as WFDB's `mstimstr` writes it (`30:05.556`), `null` when unknown.
    #[serde(default)]
    pub duration: Option<String>,
    /// Signals (`null` for an annotation-only record).
    #[serde(default)]
    pub signal: Option<Vec<InfoSignal>>,
    /// Header comments (`getinfo`).
    #[serde(default)]
    pub note: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct InfoAnswer {
    success: Option<bool>,
    error: Option<String>,
    info: Option<Info>,
}

/// Parses an `info` answer.
pub fn parse_info(bytes: &[u8]) -> Result<Info, LightwaveError> {
    let a: InfoAnswer = from_json(bytes, "info")?;
    refused(a.success, a.error, "info")?;
    a.info.ok_or_else(|| absent("info", "info"))
}

/// Seconds in a WFDB time string `[[h:]m:]s[.fff]`.
pub fn parse_duration_s(text: &str) -> Option<f64> {
    let mut total = 0.0;
    for part in text.trim().split(':') {
        let v: f64 = part.trim().parse().ok()?;
        if !v.is_finite() || v < 0.0 {
            return None;
        }
        total = total * 60.0 + v;
    }
    Some(total)
}
