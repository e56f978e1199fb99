//! WFDB header files (`.hea`): the record line, one line per signal, and `#` comment lines.
//!
//! Field names are those of wfdb-python and the WFDB `header(5)` manual page. Units: `fs` in Hz
//! (frames per second), `sig_len` in frames (samples per signal), `adc_gain` in adu per
//! physical unit, `baseline`, `adc_zero`, `init_value` in adu, `byte_offset` and `block_size`
//! in bytes, `skew` in frames.
//!
//! Defaults when a field is absent are wfdb-python 4.3.1's (`wfdb/io/_header.py`,
//! `RECORD_SPECS` / `SIGNAL_SPECS` `read_default`, and `_parse_signal_lines`), which follow
//! WFDB's `header(5)`:
//!
//! | field | default |
//! |---|---|
//! | `fs` | 250 Hz |
//! | `samps_per_frame` | 1 |
//! | `skew`, `byte_offset` | 0 |
//! | `adc_gain` | 200 adu/unit, also when written as 0 |
//! | `baseline` | `adc_zero` when given, else 0 |
//! | `units` | `mV` |
//! | `sig_len`, `adc_res`, `adc_zero`, `init_value`, `checksum`, `block_size`, `sig_name` | absent (`None`) |
//!
//! Text: comments are the `#` lines with spaces, tabs and `#` trimmed from both ends (as
//! wfdb-python's `line.strip(" \t#")`). A comment line, or a signal line's description and
//! units, that is not UTF-8 is decoded as Latin-1, which is lossless and is what older
//! PhysioNet databases with accented names use; the record line and file names must be UTF-8
//! (in practice ASCII), so that they match the files' names. (wfdb-python instead drops every
//! non-ASCII byte of the whole header.)
//!
//! Stricter than wfdb-python, on purpose: text after the last field of the record line, signal
//! lines beyond `n_sig`, a sampling frequency outside 0.001 Hz to 1 MHz
//! ([`crate::record::SamplingRate`]), and a `samps_per_frame` of 0 are errors.
//!
//! One file on purpose (a little over 700 lines): the header grammar's record, signal, segment
//! and info lines parse together, as WFDB's `header(5)` describes them together.

use serde::{Deserialize, Serialize};

use super::error::WfdbError;

/// WFDB's default sampling frequency in Hz, used when the record line omits it.
pub const DEFAULT_FS_HZ: f64 = 250.0;
/// WFDB's default ADC gain in adu per physical unit, used when a signal line omits it or
/// writes 0 (an uncalibrated signal).
pub const DEFAULT_ADC_GAIN: f64 = 200.0;
/// Physical units assumed when a signal line gives none.
pub const DEFAULT_UNITS: &str = "mV";

/// The contents of a single-segment WFDB header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Record name from the record line.
    pub record_name: String,
    /// Number of signals (equals `signals.len()`).
    pub n_sig: usize,
    /// Sampling frequency in Hz (frames per second); 250 when absent.
    pub fs: f64,
    /// Counter frequency in Hz, if given.
    pub counter_freq: Option<f64>,
    /// Counter value at sample 0, if given.
    pub base_counter: Option<f64>,
    /// Samples per signal (frames), if given; otherwise inferred from the signal file size.
    pub sig_len: Option<usize>,
    /// Time of day of sample 0, as written (`HH:MM:SS[.ffffff]`, leading parts optional).
    pub base_time: Option<String>,
    /// Date of sample 0, as written (`DD/MM/YYYY`).
    pub base_date: Option<String>,
    /// One entry per signal line, in header order.
    pub signals: Vec<SignalSpec>,
    /// Comment lines without their `#`.
    pub comments: Vec<String>,
}

/// One signal line of a header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSpec {
    /// Name of the signal file holding the samples (`file_name`).
    pub file_name: String,
    /// Storage format number (`fmt`), e.g. 212 or 16.
    pub fmt: u32,
    /// Samples of this signal per frame (`samps_per_frame`); 1 when absent.
    pub samps_per_frame: usize,
    /// Skew in frames (`skew`); 0 when absent.
    pub skew: usize,
    /// Bytes before the first sample in the signal file (`byte_offset`); 0 when absent.
    pub byte_offset: u64,
    /// adu per physical unit (`adc_gain`); 200 when absent or 0.
    pub adc_gain: f64,
    /// Digital value of 0 physical units, in adu (`baseline`); `adc_zero` (or 0) when absent.
    pub baseline: i32,
    /// Physical units (`units`); `mV` when absent.
    pub units: String,
    /// ADC resolution in bits (`adc_res`), if given.
    pub adc_res: Option<u32>,
    /// Digital value at the middle of the ADC range, in adu (`adc_zero`), if given.
    pub adc_zero: Option<i32>,
    /// First sample value, in adu (`init_value`), if given.
    pub init_value: Option<i32>,
    /// 16-bit sum of all samples (`checksum`), if given; written signed or unsigned.
    pub checksum: Option<i32>,
    /// Block size in bytes (`block_size`), if given.
    pub block_size: Option<u32>,
    /// Signal description, usually the lead name (`sig_name`), if given.
    pub sig_name: Option<String>,
}

/// Parses a header file.
///
/// Multi-segment headers (`name/n_seg` on the record line) are refused with
/// [`WfdbError::MultiSegment`].
pub fn parse_header(bytes: &[u8]) -> Result<Header, WfdbError> {
    let mut walk = LineWalk::new(bytes)?;
    let mut record: Option<Header> = None;
    let mut signals: Vec<SignalSpec> = Vec::new();

    let mut line_start = 0usize;
    for (idx, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = idx + 1;
        let this_start = line_start;
        line_start += raw.len() + 1;
        let Some(trimmed) = walk.content(raw, line_no) else {
            continue;
        };
        let not_text = |at: usize| WfdbError::NotUtf8 {
            line: line_no,
            byte_offset: this_start + (raw.len() - raw.trim_ascii_start().len()) + at,
            byte: trimmed.get(at).copied().unwrap_or(0),
        };
        let text: std::borrow::Cow<'_, str> = match std::str::from_utf8(trimmed) {
            Ok(t) => t.into(),
            // A signal line may describe its signal or units in Latin-1 (older European
            // databases); file names and the record line must be UTF-8 to match file names.
            Err(e) if record.is_some() => latin1_signal_line(trimmed)
                .map_err(|at| {
                    not_text(if at == usize::MAX {
                        e.valid_up_to()
                    } else {
                        at
                    })
                })?
                .into(),
            Err(e) => return Err(not_text(e.valid_up_to())),
        };
        let text = text.as_ref();
        match &mut record {
            None => record = Some(parse_record_line(text, line_no)?),
            Some(h) => {
                if signals.len() >= h.n_sig {
                    return Err(WfdbError::Header {
                        line: line_no,
                        reason: format!(
                            "unexpected line {:?}: the record line declares {} signal(s) and all are already \
                             described (comment lines must start with '#')",
                            shorten(text),
                            h.n_sig
                        ),
                    });
                }
                signals.push(parse_signal_line(text, line_no)?);
            }
        }
    }

    let Some(mut header) = record else {
        return Err(WfdbError::Header {
            line: walk.last_line.max(1),
            reason: "no record line: expected a line such as \"100 2 360 650000\" (record name, number of signals, \
                     sampling frequency, number of samples)"
                .into(),
        });
    };
    if signals.len() < header.n_sig {
        return Err(WfdbError::Header {
            line: walk.last_line.max(1),
            reason: format!(
                "the record line declares {} signal(s) but {} signal line(s) follow",
                header.n_sig,
                signals.len()
            ),
        });
    }
    header.signals = signals;
    header.comments = walk.comments;
    Ok(header)
}

/// One segment of a multi-segment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Record name of the segment (its header is `NAME.hea`); `None` for a null segment
    /// (`~`), which holds no samples.
    pub seg_name: Option<String>,
    /// Frames in the segment (`seg_len`).
    pub seg_len: usize,
}

/// The master header of a multi-segment record: the record line and one line per segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiHeader {
    /// The record line's fields (`signals` empty; `n_sig` as written).
    pub record: Header,
    /// Segments in order. With a variable layout the first one, of length 0, is the layout
    /// header naming every signal.
    pub segments: Vec<Segment>,
}

/// Parses the master header of a multi-segment record (`name/n_seg …` on the record line, then
/// `seg_name seg_len` lines). Single-segment headers are an error here; see [`parse_header`].
pub fn parse_multi_header(bytes: &[u8]) -> Result<MultiHeader, WfdbError> {
    let mut walk = LineWalk::new(bytes)?;
    let mut record: Option<(Header, usize)> = None;
    let mut segments: Vec<Segment> = Vec::new();
    for (idx, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = idx + 1;
        let Some(trimmed) = walk.content(raw, line_no) else {
            continue;
        };
        let text = std::str::from_utf8(trimmed).map_err(|e| WfdbError::Header {
            line: line_no,
            reason: format!(
                "byte {} of the line is not UTF-8; segment names must be ASCII",
                e.valid_up_to()
            ),
        })?;
        match &record {
            None => {
                let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
                let Some((name, n_seg)) = first.split_once('/') else {
                    return Err(err(
                        line_no,
                        "expected a multi-segment record line (NAME/SEGMENTS …)".into(),
                    ));
                };
                let n_seg: usize = parse_unsigned(n_seg, "number of segments", line_no)?;
                if n_seg > MAX_SEGMENTS {
                    return Err(err(
                        line_no,
                        format!("{n_seg} segments; at most {MAX_SEGMENTS} are read"),
                    ));
                }
                let header = parse_record_line(&format!("{name} {rest}"), line_no)?;
                record = Some((header, n_seg));
            }
            Some((_, n_seg)) => {
                if segments.len() >= *n_seg {
                    return Err(err(
                        line_no,
                        format!(
                            "unexpected line {:?}: the record line declares {n_seg} segment(s) and all are listed",
                            shorten(text)
                        ),
                    ));
                }
                let (f, rest) = split_fields(text, 2);
                let (Some(name), Some(len), true) = (f.first(), f.get(1), rest.is_empty()) else {
                    return Err(err(
                        line_no,
                        format!(
                            "segment line {:?}: expected a segment name and its length",
                            shorten(text)
                        ),
                    ));
                };
                let seg_len = parse_unsigned(len, "segment length", line_no)?;
                segments.push(Segment {
                    seg_name: (*name != "~").then(|| (*name).to_string()),
                    seg_len,
                });
            }
        }
    }
    let Some((mut header, n_seg)) = record else {
        return Err(err(walk.last_line.max(1), "no record line".into()));
    };
    if segments.len() < n_seg {
        return Err(err(
            walk.last_line.max(1),
            format!(
                "the record line declares {n_seg} segment(s) but {} segment line(s) follow",
                segments.len()
            ),
        ));
    }
    header.comments = walk.comments;
    Ok(MultiHeader {
        record: header,
        segments,
    })
}

/// Segments one multi-segment record may have (PhysioNet's largest have a few thousand).
pub const MAX_SEGMENTS: usize = 100_000;

/// The segment record names a multi-segment master header lists, or `None` when `bytes` is not
/// one (a single-segment header or not a header at all). Cheap: used to group dropped files.
pub fn segment_names(bytes: &[u8]) -> Option<Vec<String>> {
    let first = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty() && l.first() != Some(&b'#'))?;
    let name = first.split(u8::is_ascii_whitespace).next()?;
    if !name.contains(&b'/') {
        return None;
    }
    let multi = parse_multi_header(bytes).ok()?;
    Some(
        multi
            .segments
            .into_iter()
            .filter_map(|s| s.seg_name)
            .collect(),
    )
}

/// What the walk through a header's lines keeps besides their fields: the comment lines, and the
/// last line that is not blank (for messages about what is missing at the end).
struct LineWalk {
    /// The comment lines' text ([`comment_text`]).
    comments: Vec<String>,
    /// Number of the last line so far that is not blank (comments count); 0 before one.
    last_line: usize,
}

impl LineWalk {
    /// Starts the walk through `bytes`; an empty file is an error.
    fn new(bytes: &[u8]) -> Result<Self, WfdbError> {
        if bytes.is_empty() {
            return Err(WfdbError::Empty {
                file: "header".into(),
            });
        }
        Ok(LineWalk {
            comments: Vec::new(),
            last_line: 0,
        })
    }

    /// Line `line_no`, `raw`, without white space at either end; `None` for a blank line or a
    /// comment line (whose text is kept).
    fn content<'a>(&mut self, raw: &'a [u8], line_no: usize) -> Option<&'a [u8]> {
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            return None;
        }
        self.last_line = line_no;
        if trimmed.first() == Some(&b'#') {
            self.comments.push(comment_text(trimmed));
            return None;
        }
        Some(trimmed)
    }
}

/// A signal line that is not UTF-8, read as Latin-1 (ISO 8859-1) — when its file name is ASCII
/// and every byte above 0x7F is a printable Latin-1 letter or sign (0xA0–0xFE). C1 control
/// codes (0x80–0x9F) and 0xFF do not occur in Latin-1 text and mark a binary file. `Err(i)`
/// gives the offending byte, `usize::MAX` for one in the file name.
fn latin1_signal_line(line: &[u8]) -> Result<String, usize> {
    let name_end = line
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(line.len());
    if !line.get(..name_end).unwrap_or(&[]).is_ascii() {
        return Err(usize::MAX);
    }
    if let Some(at) = line
        .iter()
        .position(|&b| (0x80..=0x9f).contains(&b) || b == 0xff)
    {
        return Err(at);
    }
    Ok(line.iter().map(|&b| char::from(b)).collect())
}

/// Text of a comment line: `#`, spaces and tabs trimmed from both ends; UTF-8 when valid,
/// otherwise Latin-1.
fn comment_text(line: &[u8]) -> String {
    let s = match std::str::from_utf8(line) {
        Ok(s) => s.to_owned(),
        Err(_) => line.iter().map(|&b| char::from(b)).collect(),
    };
    s.trim()
        .trim_matches(|c| c == ' ' || c == '\t' || c == '#')
        .to_owned()
}

/// The first 40 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Splits `line` into at most `max` whitespace-separated fields and the trimmed rest.
fn split_fields(line: &str, max: usize) -> (Vec<&str>, &str) {
    let mut fields = Vec::with_capacity(max);
    let mut rest = line.trim_start_matches(|c: char| c.is_ascii_whitespace());
    while fields.len() < max && !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (field, after) = rest.split_at(end);
        fields.push(field);
        rest = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
    }
    (fields, rest.trim_end())
}

fn err(line: usize, reason: String) -> WfdbError {
    WfdbError::Header { line, reason }
}

/// Parses an unsigned decimal integer (digits only).
fn parse_unsigned<T: std::str::FromStr>(s: &str, what: &str, line: usize) -> Result<T, WfdbError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            line,
            format!(
                "{what}: expected a whole number ≥ 0, found {:?}",
                shorten(s)
            ),
        ));
    }
    s.parse().map_err(|_| {
        err(
            line,
            format!("{what}: the number {} is too large", shorten(s)),
        )
    })
}

/// Parses a signed decimal integer (optional `-`, then digits).
fn parse_signed<T: std::str::FromStr>(s: &str, what: &str, line: usize) -> Result<T, WfdbError> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            line,
            format!("{what}: expected a whole number, found {:?}", shorten(s)),
        ));
    }
    s.parse().map_err(|_| {
        err(
            line,
            format!("{what}: the number {} is out of range", shorten(s)),
        )
    })
}

/// Parses a finite decimal number (`-12`, `0.5`, `1e3`).
fn parse_float(s: &str, what: &str, line: usize) -> Result<f64, WfdbError> {
    let ok_chars = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    match s.parse::<f64>() {
        Ok(v) if ok_chars && v.is_finite() => Ok(v),
        _ => Err(err(
            line,
            format!("{what}: expected a number, found {:?}", shorten(s)),
        )),
    }
}

fn parse_record_line(text: &str, line: usize) -> Result<Header, WfdbError> {
    let (f, rest) = split_fields(text, 6);
    if !rest.is_empty() {
        return Err(err(
            line,
            format!(
                "unexpected text {:?} after the base date; the record line has at most 6 fields",
                shorten(rest)
            ),
        ));
    }
    let name_field = f.first().copied().unwrap_or("");
    let (record_name, n_seg) = match name_field.split_once('/') {
        Some((name, seg)) => (name, Some(seg)),
        None => (name_field, None),
    };
    if record_name.is_empty() {
        return Err(err(line, "the record line has no record name".into()));
    }
    if let Some(seg) = n_seg {
        return Err(
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                WfdbError::MultiSegment {
                    record: record_name.into(),
                    n_seg: seg.into(),
                }
            } else {
                err(
                    line,
                    format!("record name {name_field:?}: expected a number of segments after '/'"),
                )
            },
        );
    }
    let Some(n_sig_s) = f.get(1) else {
        return Err(err(
            line,
            format!("expected the number of signals after the record name {record_name:?}"),
        ));
    };
    let n_sig: usize = parse_unsigned(n_sig_s, "number of signals", line)?;

    let mut fs = DEFAULT_FS_HZ;
    let mut counter_freq = None;
    let mut base_counter = None;
    if let Some(fs_field) = f.get(2) {
        let (fs_s, counter) = match fs_field.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (*fs_field, None),
        };
        fs = parse_float(fs_s, "sampling frequency (Hz)", line)?;
        if let Err(e) = crate::record::SamplingRate::new(fs) {
            return Err(err(line, format!("sampling frequency {fs_s:?}: {e}")));
        }
        if let Some(counter) = counter {
            let (cf, base) = match counter.split_once('(') {
                Some((cf, b)) => {
                    let Some(b) = b.strip_suffix(')') else {
                        return Err(err(
                            line,
                            format!("base counter value {counter:?}: expected ')' at the end"),
                        ));
                    };
                    (cf, Some(b))
                }
                None => (counter, None),
            };
            counter_freq = Some(parse_float(cf, "counter frequency (Hz)", line)?);
            if let Some(b) = base {
                base_counter = Some(parse_float(b, "base counter value", line)?);
            }
        }
    }
    let sig_len = match f.get(3) {
        Some(s) => Some(parse_unsigned(s, "number of samples per signal", line)?),
        None => None,
    };
    let base_time = match f.get(4) {
        Some(s) => Some(check_time(s, line)?),
        None => None,
    };
    let base_date = match f.get(5) {
        Some(s) => Some(check_date(s, line)?),
        None => None,
    };
    Ok(Header {
        record_name: record_name.into(),
        n_sig,
        fs,
        counter_freq,
        base_counter,
        sig_len,
        base_time,
        base_date,
        signals: Vec::new(),
        comments: Vec::new(),
    })
}

/// Checks `[[HH:]MM:]SS[.ffffff]`.
fn check_time(s: &str, line: usize) -> Result<String, WfdbError> {
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let ok = parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && frac.is_none_or(|f| f.len() <= 6 && f.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(s.into())
    } else {
        Err(err(
            line,
            format!("base time: expected HH:MM:SS, found {:?}", shorten(s)),
        ))
    }
}

/// Checks `DD/MM/YYYY`.
fn check_date(s: &str, line: usize) -> Result<String, WfdbError> {
    let parts: Vec<&str> = s.split('/').collect();
    let ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(s.into())
    } else {
        Err(err(
            line,
            format!("base date: expected DD/MM/YYYY, found {:?}", shorten(s)),
        ))
    }
}

/// Splits a leading run of ASCII digits from `s`.
fn leading_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

fn parse_signal_line(text: &str, line: usize) -> Result<SignalSpec, WfdbError> {
    let (f, rest) = split_fields(text, 8);
    let file_name = f.first().copied().unwrap_or("");
    let Some(fmt_field) = f.get(1) else {
        return Err(err(
            line,
            format!(
                "signal line {:?}: expected a storage format after the file name",
                shorten(text)
            ),
        ));
    };

    // FORMAT[xSAMPS_PER_FRAME][:SKEW][+BYTE_OFFSET]
    let (fmt_s, mut tail) = leading_digits(fmt_field);
    let fmt: u32 = parse_unsigned(fmt_s, "signal format", line).map_err(|_| {
        err(
            line,
            format!("signal format: expected a number such as 212 or 16, found {fmt_field:?}"),
        )
    })?;
    let mut samps_per_frame = 1usize;
    let mut skew = 0usize;
    let mut byte_offset = 0u64;
    if let Some(t) = tail.strip_prefix('x') {
        let (d, t) = leading_digits(t);
        samps_per_frame = parse_unsigned(d, "samples per frame (after 'x')", line)?;
        if samps_per_frame == 0 {
            return Err(err(
                line,
                "samples per frame: expected at least 1, found 0".into(),
            ));
        }
        tail = t;
    }
    if let Some(t) = tail.strip_prefix(':') {
        let (d, t) = leading_digits(t);
        skew = parse_unsigned(d, "skew (after ':')", line)?;
        tail = t;
    }
    if let Some(t) = tail.strip_prefix('+') {
        let (d, t) = leading_digits(t);
        byte_offset = parse_unsigned(d, "byte offset (after '+')", line)?;
        tail = t;
    }
    if !tail.is_empty() {
        return Err(err(
            line,
            format!(
                "format field {fmt_field:?}: unexpected {tail:?}; expected FORMAT[xSAMPLES_PER_FRAME][:SKEW][+BYTE_OFFSET]"
            ),
        ));
    }

    // ADC_GAIN[(BASELINE)][/UNITS]
    let mut adc_gain = DEFAULT_ADC_GAIN;
    let mut baseline = None;
    let mut units = DEFAULT_UNITS.to_owned();
    if let Some(g) = f.get(2) {
        let (gain_part, units_part) = match g.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (*g, None),
        };
        let (gain_s, base_s) = match gain_part.split_once('(') {
            Some((a, b)) => {
                let Some(b) = b.strip_suffix(')') else {
                    return Err(err(
                        line,
                        format!("ADC gain field {g:?}: expected ')' after the baseline"),
                    ));
                };
                (a, Some(b))
            }
            None => (gain_part, None),
        };
        adc_gain = parse_float(gain_s, "ADC gain (adu per unit)", line)?;
        if adc_gain == 0.0 {
            adc_gain = DEFAULT_ADC_GAIN;
        }
        if let Some(b) = base_s {
            baseline = Some(parse_signed::<i32>(b, "baseline (adu)", line)?);
        }
        if let Some(u) = units_part.filter(|u| !u.is_empty()) {
            units = u.to_owned();
        }
    }
    let adc_res = f
        .get(3)
        .map(|s| parse_unsigned::<u32>(s, "ADC resolution (bits)", line))
        .transpose()?;
    let adc_zero = f
        .get(4)
        .map(|s| parse_signed::<i32>(s, "ADC zero (adu)", line))
        .transpose()?;
    let init_value = f
        .get(5)
        .map(|s| parse_signed::<i32>(s, "initial value (adu)", line))
        .transpose()?;
    let checksum = f
        .get(6)
        .map(|s| parse_signed::<i32>(s, "checksum", line))
        .transpose()?;
    let block_size = f
        .get(7)
        .map(|s| parse_unsigned::<u32>(s, "block size (bytes)", line))
        .transpose()?;
    let sig_name = (!rest.is_empty()).then(|| rest.to_owned());

    Ok(SignalSpec {
        file_name: file_name.into(),
        fmt,
        samps_per_frame,
        skew,
        byte_offset,
        adc_gain,
        baseline: baseline.or(adc_zero).unwrap_or(0),
        units,
        adc_res,
        adc_zero,
        init_value,
        checksum,
        block_size,
        sig_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mitdb_header() {
        let h = parse_header(
            b"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n\
              100.dat 212 200 11 1024 1011 20052 0 V5\n# 69 M 1085 1629 x1\n# Aldomet, Inderal\n",
        )
        .unwrap();
        assert_eq!(h.record_name, "100");
        assert_eq!((h.n_sig, h.fs, h.sig_len), (2, 360.0, Some(650_000)));
        let s = &h.signals[0];
        assert_eq!(
            (s.fmt, s.adc_gain, s.baseline, s.units.as_str()),
            (212, 200.0, 1024, "mV")
        );
        assert_eq!(
            (s.adc_res, s.adc_zero, s.init_value),
            (Some(11), Some(1024), Some(995))
        );
        assert_eq!((s.checksum, s.block_size), (Some(-22131), Some(0)));
        assert_eq!(h.signals[1].sig_name.as_deref(), Some("V5"));
        assert_eq!(h.comments, ["69 M 1085 1629 x1", "Aldomet, Inderal"]);
    }

    #[test]
    fn defaults_and_full_syntax() {
        let h = parse_header(
            b"r 3\r\na.dat 16x2:3+512 0/uV 12 5\r\na.dat 16\r\nb.dat 80 100(-4) 8 7 1 2 3 ECG lead II\r\n",
        )
        .unwrap();
        assert_eq!((h.fs, h.sig_len, h.counter_freq), (250.0, None, None));
        let a = &h.signals[0];
        assert_eq!((a.samps_per_frame, a.skew, a.byte_offset), (2, 3, 512));
        assert_eq!((a.adc_gain, a.units.as_str(), a.baseline), (200.0, "uV", 5));
        let b = &h.signals[1];
        assert_eq!((b.adc_gain, b.baseline, b.units.as_str()), (200.0, 0, "mV"));
        assert_eq!((b.adc_res, b.sig_name.as_deref()), (None, None));
        let c = &h.signals[2];
        assert_eq!((c.adc_gain, c.baseline, c.adc_zero), (100.0, -4, Some(7)));
        assert_eq!(c.sig_name.as_deref(), Some("ECG lead II"));

        let h = parse_header(b"x 0 128.5/1000(-3.5) 10 12:30:00.5 25/12/1999\n").unwrap();
        assert_eq!(
            (h.fs, h.counter_freq, h.base_counter),
            (128.5, Some(1000.0), Some(-3.5))
        );
        assert_eq!(h.base_time.as_deref(), Some("12:30:00.5"));
        assert_eq!(h.base_date.as_deref(), Some("25/12/1999"));
    }

    #[test]
    fn latin1_comments_are_kept_and_utf8_required_elsewhere() {
        let h = parse_header(b"r 0\n# Patient: Jos\xe9 M\xfcller\n").unwrap();
        assert_eq!(h.comments, ["Patient: José Müller"]);
        let e = parse_header(b"r 1\nr\xe9.dat 16\n").unwrap_err();
        assert_eq!(
            e,
            WfdbError::NotUtf8 {
                line: 2,
                byte_offset: 5,
                byte: 0xe9
            }
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        let cases: [(&[u8], &str); 10] = [
            (b"r 1 360 100\nr.dat 16 2o0\n", "line 2: ADC gain"),
            (b"r two\n", "number of signals"),
            (b"r 1 -360\n", "sampling frequency"),
            (b"r 1 360\n", "declares 1 signal(s) but 0"),
            (b"r 0 360\nextra 16\n", "unexpected line"),
            (b"r 1 360\nr.dat 16x0\n", "samples per frame"),
            (b"r 1 360\nr.dat 16 200 12 0 99999999999\n", "out of range"),
            (b"# only a comment\n", "no record line"),
            (b"r 1 360 10 1:2:3:4\n", "base time"),
            (b"r 1 360\nr.dat 16 200(0 12\n", "')'"),
        ];
        for (bytes, want) in cases {
            let e = parse_header(bytes).unwrap_err().to_string();
            assert!(e.contains(want), "{e:?} should contain {want:?}");
        }
        assert!(matches!(
            parse_header(b"m/3 2 360 100\n"),
            Err(WfdbError::MultiSegment { .. })
        ));
        assert!(matches!(parse_header(b""), Err(WfdbError::Empty { .. })));
    }
}
