//! Fetching WFDB records from a base URL, without I/O: which URLs the page may ask, which files a
//! record needs (from its `RECORDS` list and its header), why a request failed in words a user
//! can act on, how long to wait before trying again, and a fingerprint of a record to check it
//! against a reference.
//!
//! A PhysioNet database is a folder: `RECORDS` lists its records (one path per line, relative
//! to the folder, e.g. `100` or `records100/00000/00001_lr`); each record has a header
//! `NAME.hea` naming its signal files (relative to the header's folder) and, for annotated
//! databases, annotation files `NAME.atr` (or another annotator's extension).
//!
//! The browser reports every failed cross-origin request the same way (a `TypeError`), so the
//! page tells the causes apart with what it can see: `navigator.onLine`, the HTTP status, and
//! whether an opaque (`no-cors`) request to the same URL gets an answer — if it does, the server
//! is up and refused to share its answer with this page (no `Access-Control-Allow-Origin`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Record;
use crate::io::files::split_path;
use crate::io::wfdb::{WfdbError, parse_header};

/// Why fetching from a server failed. Every message says which, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RemoteError {
    /// The page only fetches over https, or plain http from this machine.
    #[error(
        "{url} is not an address this page fetches from: use https:// (or http://127.0.0.1 / http://localhost for a server on this machine) — or download the files and drop them here"
    )]
    NotAllowed {
        /// The URL.
        url: String,
    },
    /// The server answered but does not let other sites read its answers.
    #[error(
        "{url} answered, but the server does not allow this page to read it (no Access-Control-Allow-Origin header: CORS refused). Download the files yourself and drop them here instead"
    )]
    Cors {
        /// The URL.
        url: String,
    },
    /// The browser is offline.
    #[error(
        "this browser is offline, so {url} cannot be fetched. Connect and try again, or drop files you already have here"
    )]
    Offline {
        /// The URL.
        url: String,
    },
    /// No answer at all: the server is down, the address is wrong, or the network blocks it.
    #[error(
        "{url} did not answer (the server is down, the address is wrong or the network blocks it). Check the address, or download the files and drop them here instead"
    )]
    Unreachable {
        /// The URL.
        url: String,
    },
    /// HTTP 404.
    #[error(
        "{url} does not exist on the server (HTTP 404). Check the database and record names, or download the files and drop them here instead"
    )]
    NotFound {
        /// The URL.
        url: String,
    },
    /// Another HTTP error status.
    #[error(
        "{url} answered HTTP {status}. Try again later, or download the files and drop them here instead"
    )]
    Http {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer is not what was asked for.
    #[error(
        "{url} did not answer with what was expected: {reason}. Download the files and drop them here instead"
    )]
    BadResponse {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The user cancelled.
    #[error("fetching was cancelled; what was loaded before stays loaded")]
    Cancelled,
}

impl RemoteError {
    /// The error the page's fetch helper reports as `kind` (`cors`, `offline`, `unreachable`,
    /// `not-found`, `http`, `bad-response`, `cancelled`, `not-allowed`).
    pub fn from_kind(kind: &str, url: &str, status: u16, reason: &str) -> RemoteError {
        let url = url.to_string();
        match kind {
            "cors" => RemoteError::Cors { url },
            "offline" => RemoteError::Offline { url },
            "unreachable" => RemoteError::Unreachable { url },
            "not-found" => RemoteError::NotFound { url },
            "http" if status == 404 => RemoteError::NotFound { url },
            "http" => RemoteError::Http { url, status },
            "cancelled" => RemoteError::Cancelled,
            "not-allowed" => RemoteError::NotAllowed { url },
            _ => RemoteError::BadResponse {
                url,
                reason: if reason.is_empty() {
                    "the answer could not be read".into()
                } else {
                    reason.to_string()
                },
            },
        }
    }

    /// True when trying again may help (no network, no answer, a server error or overload, an
    /// answer cut off); false when the answer will be the same (CORS, 404, other 4xx).
    pub fn is_transient(&self) -> bool {
        match self {
            RemoteError::Offline { .. }
            | RemoteError::Unreachable { .. }
            | RemoteError::BadResponse { .. } => true,
            RemoteError::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}

/// Exponential back-off between attempts of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    /// Wait before the second attempt, ms.
    pub first_ms: u32,
    /// Longest wait, ms.
    pub max_ms: u32,
    /// Attempts in all (the first one included).
    pub attempts: u32,
}

impl Default for Backoff {
    /// 4 attempts after the first, waiting 0.5, 1, 2 and 4 s.
    fn default() -> Self {
        Backoff {
            first_ms: 500,
            max_ms: 8_000,
            attempts: 5,
        }
    }
}

impl Backoff {
    /// Wait before attempt `attempt` (1-based; attempt 1 has none), or `None` when no attempt
    /// is left.
    pub fn delay_ms(&self, attempt: u32) -> Option<u32> {
        if attempt == 0 || attempt > self.attempts {
            return None;
        }
        if attempt == 1 {
            return Some(0);
        }
        let doubled = u64::from(self.first_ms) << (attempt - 2).min(31);
        Some(doubled.min(u64::from(self.max_ms)) as u32)
    }
}

/// Checks that the page may fetch `url`: `https://` anywhere, `http://` only from this machine
/// (what the page's Content-Security-Policy `connect-src` allows).
pub fn check_url(url: &str) -> Result<(), RemoteError> {
    let not_allowed = || RemoteError::NotAllowed {
        url: url.to_string(),
    };
    if let Some(rest) = url.strip_prefix("https://") {
        return if rest.is_empty() || rest.starts_with('/') {
            Err(not_allowed())
        } else {
            Ok(())
        };
    }
    let rest = url.strip_prefix("http://").ok_or_else(not_allowed)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.split(':').next().unwrap_or("") {
        "127.0.0.1" | "localhost" => Ok(()),
        _ => Err(not_allowed()),
    }
}

/// A base URL ending in `/`, so file names can be appended.
pub fn base_url(url: &str) -> Result<String, RemoteError> {
    let url = url.trim();
    check_url(url)?;
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let base = match url.strip_suffix("RECORDS") {
        Some(dir) => dir.to_string(),
        None if url.ends_with('/') => url.to_string(),
        None => format!("{url}/"),
    };
    Ok(base)
}

/// The record paths a `RECORDS` file lists (blank lines and `#` lines skipped). Paths ending in
/// `/` name sub-folders with their own `RECORDS`.
pub fn parse_records(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The files of one record, as paths relative to the database folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFiles {
    /// Record name (the last part of its path).
    pub name: String,
    /// `PATH.hea`.
    pub header: String,
    /// The signal files the header names, each once, in order of first use.
    pub signals: Vec<String>,
    /// Annotation files to try, in order of preference (absent ones are fine).
    pub annotations: Vec<String>,
}

/// The header of record `record_path` (relative to the database folder).
pub fn header_path(record_path: &str) -> String {
    format!("{record_path}.hea")
}

/// The files record `record_path` needs, from its header: the signal files it names (relative
/// to the header's folder) and the annotation files of `annotators` (`atr`, …).
pub fn record_files(
    record_path: &str,
    header_bytes: &[u8],
    annotators: &[&str],
) -> Result<RecordFiles, WfdbError> {
    let header = parse_header(header_bytes)?;
    let (dir, name) = split_path(record_path);
    let mut signals: Vec<String> = Vec::new();
    for s in &header.signals {
        let path = format!("{dir}{}", s.file_name);
        if !signals.contains(&path) {
            signals.push(path);
        }
    }
    Ok(RecordFiles {
        name: name.to_string(),
        header: header_path(record_path),
        signals,
        annotations: annotators
            .iter()
            .map(|a| format!("{record_path}.{a}"))
            .collect(),
    })
}

/// Figures that identify a record's samples and annotations, to compare a fetched record with
/// one read from files or with wfdb-python's reference values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFingerprint {
    /// Record name.
    pub name: String,
    /// Sampling frequency, Hz.
    pub fs_hz: f64,
    /// Frames.
    pub sig_len: usize,
    /// Signal names.
    pub sig_name: Vec<String>,
    /// Sum of each signal's samples, adu.
    pub digital_sum: Vec<i64>,
    /// Sum of each signal's squared samples, adu².
    pub digital_sum_sq: Vec<i64>,
    /// SHA-256 (hex) of all samples as little-endian `i16`, frame by frame
    /// (`[sample][signal]`), the definition of the reference's `digital_sha256`.
    pub digital_sha256: String,
    /// The first ten frames, adu.
    pub first_10: Vec<Vec<i16>>,
    /// The last ten frames, adu.
    pub last_10: Vec<Vec<i16>>,
    /// Annotations.
    pub n_annotations: usize,
    /// Beat annotations (AAMI-mapped codes).
    pub n_beats: usize,
    /// SHA-256 (hex) of `"{sample} {symbol}\n"` per beat annotation.
    pub beats_sha256: String,
    /// SHA-256 (hex) of `"{sample} {code} {subtype} {chan} {num} {aux_hex}\n"` per annotation
    /// (`aux_hex`: the note's Latin-1 bytes in lower-case hex, empty when there is none).
    pub annotations_sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of `record`.
pub fn fingerprint(record: &Record) -> RecordFingerprint {
    let n = record.sig_len();
    let mut h = Sha256::new();
    let mut frame = Vec::with_capacity(record.signals.len() * 2);
    for i in 0..n {
        frame.clear();
        for s in &record.signals {
            frame.extend_from_slice(&s.samples_adu.get(i).copied().unwrap_or(0).to_le_bytes());
        }
        h.update(&frame);
    }
    let frames = |range: std::ops::Range<usize>| -> Vec<Vec<i16>> {
        range
            .map(|i| {
                record
                    .signals
                    .iter()
                    .map(|s| s.samples_adu.get(i).copied().unwrap_or(0))
                    .collect()
            })
            .collect()
    };
    let mut beats = Sha256::new();
    let mut all = Sha256::new();
    let mut n_beats = 0;
    for a in &record.annotations {
        if crate::ecg::aami::class_of_code(a.code).is_some() {
            n_beats += 1;
            beats.update(format!("{} {}\n", a.sample, a.symbol()).as_bytes());
        }
        let aux: String = a
            .aux_note
            .as_deref()
            .unwrap_or("")
            .chars()
            .map(|c| format!("{:02x}", u32::from(c) & 0xff))
            .collect();
        all.update(
            format!(
                "{} {} {} {} {} {aux}\n",
                a.sample, a.code, a.subtype, a.chan, a.num
            )
            .as_bytes(),
        );
    }
    RecordFingerprint {
        name: record.name.clone(),
        fs_hz: record.fs_hz,
        sig_len: n,
        sig_name: record.signals.iter().map(|s| s.name.clone()).collect(),
        digital_sum: record
            .signals
            .iter()
            .map(|s| s.samples_adu.iter().map(|&v| i64::from(v)).sum())
            .collect(),
        digital_sum_sq: record
            .signals
            .iter()
            .map(|s| {
                s.samples_adu
                    .iter()
                    .map(|&v| i64::from(v) * i64::from(v))
                    .sum()
            })
            .collect(),
        digital_sha256: hex(&h.finalize()),
        first_10: frames(0..n.min(10)),
        last_10: frames(n.saturating_sub(10)..n),
        n_annotations: record.annotations.len(),
        n_beats,
        beats_sha256: hex(&beats.finalize()),
        annotations_sha256: hex(&all.finalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_the_page_may_fetch() {
        assert!(check_url("https://physionet.org/files/mitdb/1.0.0/").is_ok());
        assert!(check_url("http://127.0.0.1:8081/db/").is_ok());
        assert!(check_url("http://localhost/db/").is_ok());
        assert!(check_url("http://[::1]:9/").is_err());
        assert!(check_url("http://example.org/db/").is_err());
        assert!(check_url("http://127.0.0.1.example.org/").is_err());
        assert!(check_url("file:///etc/").is_err());
        assert_eq!(base_url("https://x.org/db").unwrap(), "https://x.org/db/");
        assert_eq!(
            base_url(" https://x.org/db/RECORDS ").unwrap(),
            "https://x.org/db/"
        );
    }

    #[test]
    fn records_and_files_of_a_record() {
        assert_eq!(
            parse_records(b"100\r\n\n101\n# c\nsub/\n"),
            ["100", "101", "sub/"]
        );
        let hea = b"00001_lr 2 100 1000\n00001_lr.dat 16 1000/mV 16 0 0 0 0 I\n00001_lr.dat 16 1000/mV 16 0 0 0 0 II\n";
        let f = record_files("records100/00000/00001_lr", hea, &["atr"]).unwrap();
        assert_eq!(f.name, "00001_lr");
        assert_eq!(f.header, "records100/00000/00001_lr.hea");
        assert_eq!(f.signals, ["records100/00000/00001_lr.dat"]);
        assert_eq!(f.annotations, ["records100/00000/00001_lr.atr"]);
        assert!(record_files("x", b"", &[]).is_err());
    }

    #[test]
    fn errors_say_which_and_what_to_do() {
        let u = "https://x.org/db/100.hea";
        for (kind, status) in [
            ("cors", 0),
            ("offline", 0),
            ("unreachable", 0),
            ("not-found", 404),
            ("http", 503),
            ("bad-response", 0),
        ] {
            let e = RemoteError::from_kind(kind, u, status, "");
            let text = e.to_string();
            assert!(text.contains(u), "{text}");
            assert!(text.contains("drop"), "{text}");
        }
        assert!(
            RemoteError::from_kind("cors", u, 0, "")
                .to_string()
                .contains("CORS")
        );
        assert!(
            RemoteError::from_kind("not-found", u, 404, "")
                .to_string()
                .contains("404")
        );
        assert_eq!(
            RemoteError::from_kind("http", u, 404, ""),
            RemoteError::NotFound { url: u.into() }
        );
        assert!(RemoteError::from_kind("http", u, 503, "").is_transient());
        assert!(!RemoteError::from_kind("cors", u, 0, "").is_transient());
        assert!(!RemoteError::from_kind("not-found", u, 404, "").is_transient());
    }

    #[test]
    fn backoff_doubles_up_to_its_limit() {
        let b = Backoff::default();
        let waits: Vec<Option<u32>> = (1..=6).map(|a| b.delay_ms(a)).collect();
        assert_eq!(
            waits,
            [Some(0), Some(500), Some(1000), Some(2000), Some(4000), None]
        );
        let capped = Backoff {
            first_ms: 3000,
            max_ms: 5000,
            attempts: 4,
        };
        assert_eq!(capped.delay_ms(4), Some(5000));
    }
}
