//! The `fetch` answer: one window of samples and annotations, and the names and codes it uses.

use serde::Deserialize;

use super::answer::{from_json, refused};
use super::error::LightwaveError;
use crate::io::wfdb::codes;

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
pub(super) fn latin1_of_utf8(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// The name the file reader gives signal `index` named `name` by the service: `v[N]` →
/// `signal N`; a `:k*` suffix added to repeated names is dropped when the rest is repeated.
pub(super) fn file_signal_name(name: &str, index: usize, all: &[&str]) -> String {
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
