//! The requests: a [`Server`]'s URLs, and the windows a long record is fetched in
//! ([`plan_windows`]).

use std::fmt::Write as _;

use super::error::LightwaveError;

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
    /// A server at `url` (`http(s)://…`, e.g. [`DEFAULT_SERVER`](super::DEFAULT_SERVER)). Parameters already in the URL
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
