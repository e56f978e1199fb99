//! PhysioNet's LightWAVE JSON service, without I/O: request URLs, parsers of its answers, and an
//! [`Assembler`] that turns a record's `info` and its signal windows into a [`Record`].
//!
//! The protocol is the one of the LightWAVE server, `server/lightwave.c` by G. B. Moody (version
//! 0.67, 12 March 2019, in the `bemoody/lightwave` repository; earlier versions 0.24 and 0.62
//! agree on everything used here), and of its own client, `client/js/lightwave.js`. Everything
//! below was checked against that source:
//!
//! | request | answer |
//! |---|---|
//! | `?action=dblist` | `{"database":[{"name","desc"}],"version","success":true}` |
//! | `?action=rlist&db=D` | `{"record":["100",…],"success":true}` |
//! | `?action=alist&db=D` | `{"annotator":[{"name","desc"}],"success":true}` |
//! | `?action=info&db=D&record=R` | `{"info":{"db","record","tfreq","start","end","duration","signal":[{"name","tps","units","gain","adcres","adczero","baseline"}]\|null,"note":[…]\|null},"success":true}` |
//! | `?action=fetch&db=D&record=R&signal=S…&annotator=A…&t0=T&dt=N` | `{"fetch":{"signal":[{"name","units","t0","tf","gain","base","tps","scale","samp"}],"annotator":[{"name","annotation":[{"t","a","s","c","n","x"}],"description":{…}}]}}` |
//!
//! A refusal is `{"success":false,"error":"…"}` (`lwfail`).
//!
//! Facts the source fixes, and this module relies on:
//!
//! - **Samples**: `samp` holds the first sample in adu, then each following sample minus the one
//!   before it (`delta = *sbo - prev`, `prev` starting at 0). Samples are what the WFDB
//!   library's `getframe` returns, so a missing sample is `WFDB_INVALID_SAMPLE` (−32768) whatever
//!   the file's format: the assembled signals carry `invalid_adu = Some(-32768)`.
//! - **Times**: `t0` is parsed by WFDB's `strtim` (plain seconds rounded to the nearest frame,
//!   `(long)(x*f + 0.5)`, or `sNNN` for frame NNN); `dt` by `atoi`, so whole seconds only, then
//!   `dt *= ffreq` (truncated). A `dt` over 120 s *and* over 120 000 samples is cut to 120 s
//!   ([`served_frames`]). The answer's `t0`/`tf` are in ticks of `tfreq` (frames when every
//!   signal has one sample per frame). A window past the end holds fewer samples.
//! - **Annotations**: `dt=0` with no `t0` returns every annotation of the record (what
//!   LightWAVE's client does, `read_annotations`); `t` is in ticks, `a` the mnemonic (`annstr`:
//!   `N`, `V`, `+`, …, `[15]` for an unnamed code), `s`/`c`/`n` subtype, chan and num, `x` the
//!   aux string or `null`.
//! - **Text** (`strjson`): a string ends at its first NUL byte, control characters become
//!   spaces and bytes that are not UTF-8 become `?`. So an `aux_note` of `"(N\0"`, as MIT-BIH
//!   stores rhythm labels, arrives as `"(N"`: the one difference from the files that no client
//!   can undo.
//! - **Names**: a signal without a description (WFDB's `record 100, signal 0`) is named `v[0]`;
//!   repeated names get a suffix `:k*` (`force_unique_signames`). The assembler maps both back
//!   to this crate's conventions (`signal 0`, the repeated name).
//! - **Numbers** are printed with `%g`: six significant digits for `gain` and `tfreq`.
//! - **Header comments** come as `note` (WFDB's `getinfo`), trimmed here of spaces, tabs and
//!   `#` as the header reader does.
//!
//! Not supported (the assembler says so): records whose signals have several samples per frame
//! (`tps` > 1, so ticks are not frames) and records whose `info` gives no duration.
//!
//! The answer's `Content-type` is `application/javascript` (the server also speaks JSONP with a
//! `callback` parameter, which this client never sends).

use std::fmt::Write as _;

use serde::Deserialize;

use crate::io::wfdb::codes;
use crate::record::RecordSource;
use crate::{Annotation, Record, Signal};

/// PhysioNet's public LightWAVE server.
pub const DEFAULT_SERVER: &str = "https://physionet.org/lightwave/server";

/// Seconds of signal asked for per `fetch` (LightWAVE's client asks for its window width; the
/// server serves at least 120 s, see [`served_frames`]).
pub const WINDOW_S: u32 = 60;

/// What `WFDB_INVALID_SAMPLE` is: the value of a missing sample in every answer.
pub const INVALID_SAMPLE_ADU: i16 = i16::MIN;

/// Why a LightWAVE answer could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LightwaveError {
    /// The server URL is not one the page can use.
    #[error("{url:?} is not a LightWAVE server address: {reason}")]
    BadServer {
        /// What was given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The answer is not the JSON the service sends.
    #[error("the LightWAVE answer to {what} is not what the service sends: {reason}")]
    Json {
        /// Which request (`info`, `fetch`, …).
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The server answered with `"success": false`.
    #[error("the LightWAVE server refused {what}: {message}")]
    Refused {
        /// Which request.
        what: &'static str,
        /// The server's `error` text.
        message: String,
    },
    /// The record is of a kind the assembler does not rebuild.
    #[error(
        "record {record} cannot be fetched through LightWAVE: {reason} — download its files and drop them here instead"
    )]
    Unsupported {
        /// Record name.
        record: String,
        /// Why.
        reason: String,
    },
    /// An answer disagrees with the record's `info` or with another answer.
    #[error("record {record}: the LightWAVE answers disagree: {reason}")]
    Mismatch {
        /// Record name.
        record: String,
        /// What disagrees.
        reason: String,
    },
    /// Not every sample arrived.
    #[error("record {record}: samples {missing} never arrived; fetch the record again")]
    Incomplete {
        /// Record name.
        record: String,
        /// The missing ranges of frames, as text (`0–21599, 43200–64799`).
        missing: String,
    },
}

// ---------------------------------------------------------------------------------------------
// URLs

/// A LightWAVE server: builds the URLs of its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    base: String,
}

/// Characters percent-encoded in query values: everything but RFC 3986 unreserved characters,
/// and `/` and `:` which LightWAVE's own client leaves in database names such as `mitdb/1.0.0`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/')
    .remove(b':');

/// Percent-encodes `value` for a query string (UTF-8 bytes).
pub fn encode_query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

impl Server {
    /// A server at `url` (`http(s)://…`, e.g. [`DEFAULT_SERVER`]). Parameters already in the URL
    /// (`…/server?flag=1`) are kept, as LightWAVE's client keeps them (`server_flags`).
    pub fn new(url: &str) -> Result<Server, LightwaveError> {
        let base = url.trim();
        let bad = |reason: &str| LightwaveError::BadServer {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .ok_or_else(|| bad("it must start with https:// (or http:// for this machine)"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(bad("it names no host"));
        }
        if base.chars().any(char::is_whitespace) {
            return Err(bad("it contains spaces"));
        }
        Ok(Server {
            base: base.to_string(),
        })
    }

    /// The server URL as given.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, action: &str, params: &[(&str, &str)]) -> String {
        let mut out = self.base.clone();
        out.push(if self.base.contains('?') { '&' } else { '?' });
        out.push_str("action=");
        out.push_str(action);
        for (k, v) in params {
            let _ = write!(out, "&{k}={}", encode_query_value(v));
        }
        out
    }

    /// The databases the server offers.
    pub fn dblist_url(&self) -> String {
        self.url("dblist", &[])
    }

    /// The records of `db` (its `RECORDS` file).
    pub fn rlist_url(&self, db: &str) -> String {
        self.url("rlist", &[("db", db)])
    }

    /// The annotators of `db` (its `ANNOTATORS` file).
    pub fn alist_url(&self, db: &str) -> String {
        self.url("alist", &[("db", db)])
    }

    /// The signals, sampling and length of `record`.
    pub fn info_url(&self, db: &str, record: &str) -> String {
        self.url("info", &[("db", db), ("record", record)])
    }

    /// Every annotation of `record` by each of `annotators` (`dt=0`, as LightWAVE's client asks).
    pub fn annotations_url(&self, db: &str, record: &str, annotators: &[&str]) -> String {
        let mut params = vec![("db", db), ("record", record)];
        params.extend(annotators.iter().map(|a| ("annotator", *a)));
        params.push(("dt", "0"));
        self.url("fetch", &params)
    }

    /// The samples of `signals` in `window`.
    pub fn signals_url(&self, db: &str, record: &str, signals: &[&str], window: &Window) -> String {
        let mut params = vec![("db", db), ("record", record)];
        params.extend(signals.iter().map(|s| ("signal", *s)));
        let dt = window.dt_s.to_string();
        params.push(("t0", window.t0_param.as_str()));
        params.push(("dt", dt.as_str()));
        self.url("fetch", &params)
    }
}

/// Frames the server returns for `dt_s` seconds at `ffreq_hz` frames per second: `dt *= ffreq`
/// (truncated), at least 1, and cut to 120 s when over both 120 s and 120 000 samples.
pub fn served_frames(dt_s: u32, ffreq_hz: f64) -> u64 {
    if dt_s == 0 {
        return 0;
    }
    let dt = (f64::from(dt_s) * ffreq_hz) as u64;
    let cap = (120.0 * ffreq_hz) as u64;
    if dt < 1 {
        1
    } else if dt > cap && dt > 120_000 {
        cap
    } else {
        dt
    }
}

/// One signal request: frames `t0_frame..t0_frame + frames`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// First frame.
    pub t0_frame: u64,
    /// Frames asked for (fewer come back at the end of the record).
    pub frames: u64,
    /// `t0` as sent: whole seconds when they name `t0_frame` exactly, else `sNNN`.
    pub t0_param: String,
    /// `dt`, whole seconds.
    pub dt_s: u32,
}

/// The windows that cover frames `0..sig_len` of a record at `fs_hz`, `window_s` seconds each.
pub fn plan_windows(fs_hz: f64, sig_len: u64, window_s: u32) -> Vec<Window> {
    let window_s = window_s.max(1);
    let frames = served_frames(window_s, fs_hz).max(1);
    let exact_seconds = (f64::from(window_s) * fs_hz).fract() == 0.0
        && frames as f64 == f64::from(window_s) * fs_hz;
    (0..sig_len.div_ceil(frames))
        .map(|k| {
            let t0_frame = k * frames;
            let t0_param = if exact_seconds {
                (k * u64::from(window_s)).to_string()
            } else {
                format!("s{t0_frame}")
            };
            Window {
                t0_frame,
                frames,
                t0_param,
                dt_s: window_s,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Answers

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
fn refused(
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

fn from_json<T: for<'de> Deserialize<'de>>(
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

/// One signal of a `fetch` answer, its samples decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchSignal {
    /// Name.
    pub name: String,
    /// Units.
    pub units: String,
    /// First tick.
    pub t0: u64,
    /// Tick after the last one asked for.
    pub tf: u64,
    /// adu per unit.
    pub gain: f64,
    /// Baseline, adu.
    pub base: i32,
    /// Ticks per sample.
    pub tps: u32,
    /// Samples, adu (decoded from the first value and differences).
    pub samples_adu: Vec<i16>,
}

/// One annotation of a `fetch` answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FetchAnnotation {
    /// Time, ticks.
    pub t: i64,
    /// Mnemonic.
    pub a: String,
    /// Subtype.
    pub s: i64,
    /// Chan.
    pub c: i64,
    /// Num.
    pub n: i64,
    /// Aux text.
    #[serde(default)]
    pub x: Option<String>,
}

/// One annotator of a `fetch` answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FetchAnnotator {
    /// Annotator name (`atr`).
    pub name: String,
    /// Its annotations in the window.
    pub annotation: Vec<FetchAnnotation>,
}

/// A `fetch` answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fetch {
    /// Signals asked for.
    pub signals: Vec<FetchSignal>,
    /// Annotators asked for (those that exist).
    pub annotators: Vec<FetchAnnotator>,
}

#[derive(Deserialize)]
struct RawSignal {
    name: String,
    #[serde(default)]
    units: Option<String>,
    t0: i64,
    tf: i64,
    gain: f64,
    base: i32,
    tps: i64,
    samp: Vec<i64>,
}

#[derive(Deserialize, Default)]
struct RawFetch {
    #[serde(default)]
    signal: Vec<RawSignal>,
    #[serde(default)]
    annotator: Vec<FetchAnnotator>,
}

#[derive(Deserialize)]
struct FetchAnswer {
    success: Option<bool>,
    error: Option<String>,
    /// `null` when nothing was asked for; absent only in a refusal.
    #[serde(default)]
    fetch: Option<RawFetch>,
}

/// Parses a `fetch` answer, decoding each signal's samples.
pub fn parse_fetch(bytes: &[u8]) -> Result<Fetch, LightwaveError> {
    let a: FetchAnswer = from_json(bytes, "fetch")?;
    refused(a.success, a.error, "fetch")?;
    let raw = a.fetch.unwrap_or_default();
    let json = |reason: String| LightwaveError::Json {
        what: "fetch",
        reason,
    };
    let mut signals = Vec::with_capacity(raw.signal.len());
    for s in raw.signal {
        let (t0, tf) = match (u64::try_from(s.t0), u64::try_from(s.tf)) {
            (Ok(a), Ok(b)) if a <= b => (a, b),
            _ => {
                return Err(json(format!(
                    "signal {}: window t0 {} .. tf {} is not a forward range of ticks",
                    s.name, s.t0, s.tf
                )));
            }
        };
        let tps = u32::try_from(s.tps)
            .ok()
            .filter(|&t| t >= 1)
            .ok_or_else(|| {
                json(format!(
                    "signal {}: tps {} is not a positive integer",
                    s.name, s.tps
                ))
            })?;
        let mut samples_adu = Vec::with_capacity(s.samp.len());
        let mut value: i64 = 0;
        for (i, d) in s.samp.iter().enumerate() {
            value = value.checked_add(*d).unwrap_or(i64::MAX);
            let v = i16::try_from(value).map_err(|_| {
                json(format!(
                    "signal {}: sample {} of the window is {value} adu, outside −32768…32767",
                    s.name, i
                ))
            })?;
            samples_adu.push(v);
        }
        signals.push(FetchSignal {
            name: s.name,
            units: s.units.unwrap_or_else(|| "mV".into()),
            t0,
            tf,
            gain: s.gain,
            base: s.base,
            tps,
            samples_adu,
        });
    }
    Ok(Fetch {
        signals,
        annotators: raw.annotator,
    })
}

/// The annotation code of a LightWAVE mnemonic (`annstr`): the symbol table, or `[n]` for a
/// code without a symbol.
pub fn code_of_mnemonic(a: &str) -> Option<u8> {
    codes::code(a).or_else(|| a.strip_prefix('[')?.strip_suffix(']')?.parse::<u8>().ok())
}

/// Text as the WFDB files hold it: each byte of the UTF-8 string as one Latin-1 character, the
/// convention of the header and annotation readers (so `é` sent as UTF-8 reads as its two
/// bytes, as reading the file gives).
fn latin1_of_utf8(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// The name the file reader gives signal `index` named `name` by the service: `v[N]` →
/// `signal N`; a `:k*` suffix added to repeated names is dropped when the rest is repeated.
fn file_signal_name(name: &str, index: usize, all: &[&str]) -> String {
    if name == format!("v[{index}]") {
        return format!("signal {index}");
    }
    if let Some(stem) = unique_suffix_stem(name) {
        let repeats = all
            .iter()
            .filter(|n| unique_suffix_stem(n) == Some(stem))
            .count();
        if repeats >= 2 {
            return stem.to_string();
        }
    }
    name.to_string()
}

fn unique_suffix_stem(name: &str) -> Option<&str> {
    let body = name.strip_suffix('*')?;
    let colon = body.rfind(':')?;
    let digits = &body[colon + 1..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(&body[..colon])
}

// ---------------------------------------------------------------------------------------------
// Assembly

/// Which samples arrived, one bit per frame.
#[derive(Debug, Clone)]
struct Coverage {
    bits: Vec<u64>,
    len: usize,
    count: usize,
}

impl Coverage {
    fn new(len: usize) -> Self {
        Self {
            bits: vec![0; len.div_ceil(64)],
            len,
            count: 0,
        }
    }

    fn get(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize) {
        if !self.get(i) {
            self.bits[i / 64] |= 1 << (i % 64);
            self.count += 1;
        }
    }

    fn missing(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < self.len {
            if self.get(i) {
                i += 1;
                continue;
            }
            let start = i;
            while i < self.len && !self.get(i) {
                i += 1;
            }
            out.push((start, i - 1));
        }
        out
    }
}

/// Rebuilds a [`Record`] from a record's `info`, its signal windows (in any order, repeated
/// when retried; overlapping samples must agree) and its annotations.
#[derive(Debug, Clone)]
pub struct Assembler {
    name: String,
    fs_hz: f64,
    sig_len: usize,
    signals: Vec<Signal>,
    service_names: Vec<String>,
    coverage: Vec<Coverage>,
    annotations: Option<Vec<Annotation>>,
    comments: Vec<String>,
}

/// What a record's `info` says about fetching it: its name, rate, length and signal names.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPlan {
    /// Record name: the last part of its path.
    pub name: String,
    /// Sampling frequency, Hz (ticks are frames: every `tps` is 1).
    pub fs_hz: f64,
    /// Frames per signal, from `duration` (millisecond precision: exact below 1000 Hz).
    pub sig_len: usize,
    /// Signal names as the service spells them (what `signal=` takes).
    pub service_names: Vec<String>,
}

impl RecordPlan {
    /// The plan of the record `info` describes; refused for records the assembler cannot
    /// rebuild.
    pub fn new(info: &Info) -> Result<RecordPlan, LightwaveError> {
        let name = info
            .record
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(info.record.as_str())
            .to_string();
        let unsupported = |reason: String| LightwaveError::Unsupported {
            record: name.clone(),
            reason,
        };
        let infos = info.signal.as_deref().unwrap_or_default();
        if infos.is_empty() {
            return Err(unsupported("it has no signals".into()));
        }
        if let Some(s) = infos.iter().find(|s| s.tps != 1.0) {
            return Err(unsupported(format!(
                "signal {} has several samples per frame (tps {}), which LightWAVE serves at another rate than the frames",
                s.name, s.tps
            )));
        }
        let fs_hz = match crate::record::SamplingRate::new(info.tfreq) {
            Ok(rate) => rate.hz(),
            Err(e) => return Err(unsupported(e.to_string())),
        };
        let duration_s = info
            .duration
            .as_deref()
            .and_then(parse_duration_s)
            .ok_or_else(|| unsupported("the service gives no length for it".into()))?;
        let sig_len = (duration_s * fs_hz).round();
        if !(1.0..=2.0e9).contains(&sig_len) {
            return Err(unsupported(format!("its length is {duration_s} s")));
        }
        // Checked before the assembler allocates every signal's samples.
        let total = sig_len * infos.len() as f64;
        if total > crate::io::limits::MAX_RECORD_SAMPLES as f64 {
            return Err(unsupported(format!(
                "its {} signals of {:.1} hours hold {total:.0} samples, more than the {} one record may hold here",
                infos.len(),
                duration_s / 3600.0,
                crate::io::limits::MAX_RECORD_SAMPLES
            )));
        }
        Ok(RecordPlan {
            name,
            fs_hz,
            sig_len: sig_len as usize,
            service_names: infos.iter().map(|s| s.name.clone()).collect(),
        })
    }

    /// The windows to ask for, `window_s` seconds each.
    pub fn windows(&self, window_s: u32) -> Vec<Window> {
        plan_windows(self.fs_hz, self.sig_len as u64, window_s)
    }
}

impl Assembler {
    /// Starts a record from its `info` (see [`RecordPlan::new`] for what is refused).
    pub fn new(info: &Info) -> Result<Assembler, LightwaveError> {
        let plan = RecordPlan::new(info)?;
        let sig_len = plan.sig_len;
        let all: Vec<&str> = plan.service_names.iter().map(String::as_str).collect();
        let signals = info
            .signal
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, s)| Signal {
                name: file_signal_name(&s.name, i, &all),
                units: s.units.clone().unwrap_or_else(|| "mV".into()),
                adc_gain: if s.gain == 0.0 { 200.0 } else { s.gain },
                baseline: s.baseline,
                invalid_adu: Some(INVALID_SAMPLE_ADU),
                samples_adu: vec![0; sig_len],
            })
            .collect::<Vec<_>>();
        let comments = info
            .note
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|n| n.trim_matches([' ', '\t', '#']).to_string())
            .collect();
        Ok(Assembler {
            coverage: vec![Coverage::new(sig_len); signals.len()],
            name: plan.name,
            fs_hz: plan.fs_hz,
            sig_len,
            signals,
            service_names: plan.service_names,
            annotations: None,
            comments,
        })
    }

    /// Record name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sampling frequency, Hz.
    pub fn fs_hz(&self) -> f64 {
        self.fs_hz
    }

    /// Frames per signal.
    pub fn sig_len(&self) -> usize {
        self.sig_len
    }

    /// Signal names as the service spells them (what `signal=` takes).
    pub fn service_signal_names(&self) -> &[String] {
        &self.service_names
    }

    /// The windows to ask for, `window_s` seconds each.
    pub fn plan(&self, window_s: u32) -> Vec<Window> {
        plan_windows(self.fs_hz, self.sig_len as u64, window_s)
    }

    /// Samples arrived so far (over all signals) and samples expected.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.coverage.iter().map(|c| c.count).sum(),
            self.sig_len * self.signals.len(),
        )
    }

    fn mismatch(&self, reason: String) -> LightwaveError {
        LightwaveError::Mismatch {
            record: self.name.clone(),
            reason,
        }
    }

    /// Adds the samples of a `fetch` answer (its annotators, if any, are ignored: see
    /// [`Assembler::add_annotations`]).
    pub fn add_signals(&mut self, fetch: &Fetch) -> Result<(), LightwaveError> {
        for s in &fetch.signals {
            let Some(k) = self.service_names.iter().position(|n| *n == s.name) else {
                return Err(self.mismatch(format!(
                    "the answer holds a signal {:?} the record's info does not list",
                    s.name
                )));
            };
            if s.tps != 1 {
                return Err(self.mismatch(format!("signal {} comes with tps {}", s.name, s.tps)));
            }
            let sig = &self.signals[k];
            if s.gain != sig.adc_gain && !(s.gain == 0.0 && sig.adc_gain == 200.0) {
                return Err(self.mismatch(format!(
                    "signal {}: gain {} here, {} in info",
                    s.name, s.gain, sig.adc_gain
                )));
            }
            if s.base != sig.baseline {
                return Err(self.mismatch(format!(
                    "signal {}: baseline {} here, {} in info",
                    s.name, s.base, sig.baseline
                )));
            }
            let t0 = usize::try_from(s.t0).unwrap_or(usize::MAX);
            let asked = usize::try_from(s.tf - s.t0).unwrap_or(usize::MAX);
            let expected = asked.min(self.sig_len.saturating_sub(t0));
            if t0 >= self.sig_len || s.samples_adu.len() != expected {
                return Err(self.mismatch(format!(
                    "signal {}: the window from frame {} to {} holds {} samples; the record has {} frames, so {} were expected",
                    s.name, s.t0, s.tf, s.samples_adu.len(), self.sig_len, expected
                )));
            }
            for (j, &v) in s.samples_adu.iter().enumerate() {
                let i = t0 + j;
                if self.coverage[k].get(i) {
                    if self.signals[k].samples_adu[i] != v {
                        let had = self.signals[k].samples_adu[i];
                        return Err(self.mismatch(format!(
                            "signal {}: frame {i} is {v} adu in one answer and {had} in another",
                            s.name
                        )));
                    }
                } else {
                    self.signals[k].samples_adu[i] = v;
                    self.coverage[k].set(i);
                }
            }
        }
        Ok(())
    }

    /// Sets the record's annotations from a `fetch` answer holding every annotation of
    /// `annotator` (a `dt=0` request). Code-0 annotations and notes at sample 0 are dropped, as
    /// the file reader drops them; an absent annotator leaves the record without annotations.
    pub fn add_annotations(
        &mut self,
        fetch: &Fetch,
        annotator: &str,
    ) -> Result<(), LightwaveError> {
        let Some(a) = fetch.annotators.iter().find(|a| a.name == annotator) else {
            self.annotations = Some(Vec::new());
            return Ok(());
        };
        let mut out = Vec::with_capacity(a.annotation.len());
        for x in &a.annotation {
            let code = code_of_mnemonic(&x.a).ok_or_else(|| {
                self.mismatch(format!(
                    "annotation at tick {}: unknown mnemonic {:?}",
                    x.t, x.a
                ))
            })?;
            let sample = u64::try_from(x.t)
                .map_err(|_| self.mismatch(format!("an annotation lies at tick {}", x.t)))?;
            if code == 0 || (code == crate::io::wfdb::annotation::NOTE && sample == 0) {
                continue;
            }
            let small = |v: i64, what: &str| -> Result<i64, LightwaveError> {
                if (-128..=255).contains(&v) {
                    Ok(v)
                } else {
                    Err(self.mismatch(format!(
                        "annotation at tick {}: {what} {v} does not fit a byte",
                        x.t
                    )))
                }
            };
            out.push(Annotation {
                sample,
                code,
                subtype: small(x.s, "subtype")? as i8,
                chan: small(x.c, "chan")? as u8,
                num: small(x.n, "num")? as i8,
                aux_note: x.x.as_deref().map(latin1_of_utf8),
            });
        }
        self.annotations = Some(out);
        Ok(())
    }

    /// Frame ranges (inclusive) still missing in any signal.
    pub fn missing(&self) -> Vec<(usize, usize)> {
        let mut all: Vec<(usize, usize)> =
            self.coverage.iter().flat_map(Coverage::missing).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The record, once every sample has arrived.
    pub fn finish(self) -> Result<Record, LightwaveError> {
        let missing = self.missing();
        if !missing.is_empty() {
            let text = missing
                .iter()
                .take(8)
                .map(|(a, b)| format!("{a}–{b}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(LightwaveError::Incomplete {
                record: self.name,
                missing: text,
            });
        }
        Ok(Record {
            name: self.name,
            fs_hz: self.fs_hz,
            signals: self.signals,
            annotations: self.annotations.unwrap_or_default(),
            comments: self.comments,
            source: RecordSource::Wfdb,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_service() {
        let s = Server::new(DEFAULT_SERVER).unwrap();
        assert_eq!(
            s.dblist_url(),
            "https://physionet.org/lightwave/server?action=dblist"
        );
        assert_eq!(
            s.rlist_url("mitdb/1.0.0"),
            "https://physionet.org/lightwave/server?action=rlist&db=mitdb/1.0.0"
        );
        assert_eq!(
            s.annotations_url("mitdb", "100", &["atr"]),
            "https://physionet.org/lightwave/server?action=fetch&db=mitdb&record=100&annotator=atr&dt=0"
        );
        let w = &plan_windows(360.0, 650_000, 60)[2];
        assert_eq!(
            s.signals_url("mitdb", "100", &["MLII", "V 5"], w),
            "https://physionet.org/lightwave/server?action=fetch&db=mitdb&record=100&signal=MLII&signal=V%205&t0=120&dt=60"
        );
        let flags = Server::new("http://127.0.0.1:9/lw?x=1").unwrap();
        assert_eq!(
            flags.dblist_url(),
            "http://127.0.0.1:9/lw?x=1&action=dblist"
        );
        assert!(Server::new("ftp://x").is_err());
        assert!(Server::new("https://").is_err());
    }

    #[test]
    fn windows_tile_the_record_as_the_server_counts_frames() {
        let w = plan_windows(360.0, 650_000, 60);
        assert_eq!(w.len(), 31);
        assert!(w.iter().all(|x| x.frames == 21_600));
        assert_eq!(w[30].t0_frame, 648_000);
        assert_eq!(w[30].t0_param, "1800");
        // 1 s of 2.5 Hz is not whole frames: the server truncates to 2, and frames are named.
        let odd = plan_windows(2.5, 9, 1);
        assert_eq!(odd.len(), 5);
        assert_eq!((odd[1].t0_frame, odd[1].t0_param.as_str()), (2, "s2"));
        // The server's cap: 120 s when over 120 s and over 120 000 samples.
        assert_eq!(served_frames(60, 360.0), 21_600);
        assert_eq!(served_frames(300, 360.0), 108_000);
        assert_eq!(served_frames(600, 360.0), 43_200);
        assert_eq!(served_frames(1000, 128.0), 15_360);
        assert_eq!(served_frames(900, 128.0), 115_200);
    }

    #[test]
    fn durations_and_mnemonics() {
        assert_eq!(parse_duration_s("30:05.556"), Some(1805.556));
        assert_eq!(parse_duration_s("1:00:00.000"), Some(3600.0));
        assert_eq!(parse_duration_s("0:10.000"), Some(10.0));
        assert_eq!(parse_duration_s("x"), None);
        assert_eq!(code_of_mnemonic("N"), Some(1));
        assert_eq!(code_of_mnemonic("+"), Some(28));
        assert_eq!(code_of_mnemonic("["), Some(32));
        assert_eq!(code_of_mnemonic("[15]"), Some(15));
        assert_eq!(code_of_mnemonic("?!"), None);
    }

    #[test]
    fn names_map_back() {
        let all = ["v[0]", "A:0*", "A:1*", "B:2*"];
        assert_eq!(file_signal_name("v[0]", 0, &all), "signal 0");
        assert_eq!(file_signal_name("A:0*", 1, &all), "A");
        assert_eq!(file_signal_name("B:2*", 3, &all), "B:2*");
    }

    #[test]
    fn refusals_and_broken_answers() {
        let e =
            parse_rlist(br#"{"success": false, "error": "The list of records could not be read"}"#)
                .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the LightWAVE server refused rlist: The list of records could not be read"
        );
        assert!(matches!(
            parse_info(b"<html>"),
            Err(LightwaveError::Json { what: "info", .. })
        ));
        let f = parse_fetch(br#"{"fetch":{"signal":[{"name":"I","units":"mV","t0":10,"tf":14,"gain":200,"base":0,"tps":1,"scale":1,"samp":[5,-1,2,0]}]}}"#).unwrap();
        assert_eq!(f.signals[0].samples_adu, vec![5, 4, 6, 6]);
        assert!(
            parse_fetch(br#"{"fetch":null}"#)
                .unwrap()
                .signals
                .is_empty()
        );
        assert!(parse_fetch(br#"{"fetch":{"signal":[{"name":"I","t0":0,"tf":1,"gain":200,"base":0,"tps":1,"samp":[40000]}]}}"#).is_err());
    }
}
