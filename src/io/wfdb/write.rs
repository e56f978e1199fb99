//! Writing WFDB records: headers, format-16 signal files and MIT-format annotation files.
//!
//! Everything is written to memory (`String` / `Vec<u8>`); the caller decides where bytes go.
//! What is written reads back with [`super::parse_header`], [`super::read_signals`] and
//! [`super::read_annotations`] to the same values, and with wfdb-python 4.3.1 (checked by the
//! round-trip tests in `tests/wfdb_roundtrip.rs`). Header lines end in `\n`, as wfdb-python
//! writes them.

use super::annotation::{AUX, CHN, MAX_WORD_INTERVAL, NOTE, NUM, SKIP, SUB};
use super::error::WfdbError;
use super::format::{FORMATS, Format};
use super::header::{Header, SignalSpec};
use super::signal::checksum;
use crate::{Annotation, Record, Signal};
use std::fmt::Write as _;

/// The three files of a record, each as (file name, bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFiles {
    /// `NAME.hea`.
    pub hea: (String, Vec<u8>),
    /// `NAME.dat`, format 16.
    pub dat: (String, Vec<u8>),
    /// `NAME.atr`, when the record has annotations.
    pub atr: Option<(String, Vec<u8>)>,
}

fn werr(what: &'static str, reason: String) -> WfdbError {
    WfdbError::Write { what, reason }
}

/// Checks that `s` can stand as one whitespace-free header field.
fn check_token(s: &str, field: &str) -> Result<(), WfdbError> {
    if s.is_empty() || s.chars().any(char::is_whitespace) {
        return Err(werr(
            "header",
            format!("{field} {s:?} must be non-empty and contain no spaces, tabs or line breaks"),
        ));
    }
    Ok(())
}

fn check_finite(v: f64, field: &str) -> Result<(), WfdbError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(werr(
            "header",
            format!("{field} must be a finite number, found {v}"),
        ))
    }
}

/// Writes a header.
///
/// Fields are positional in WFDB headers: an optional field can only be written when every
/// field before it on its line is present (e.g. a signal's `sig_name` needs `adc_res`,
/// `adc_zero`, `init_value`, `checksum` and `block_size`); a gap is an error. Comments are
/// written as `# text` and must not contain line breaks; readers trim spaces and `#` from their
/// ends.
pub fn write_header(header: &Header) -> Result<String, WfdbError> {
    check_token(&header.record_name, "record name")?;
    if header.record_name.contains('/') {
        return Err(werr(
            "header",
            format!("record name {:?} must not contain '/'", header.record_name),
        ));
    }
    if header.n_sig != header.signals.len() {
        return Err(werr(
            "header",
            format!(
                "n_sig is {} but {} signal descriptions are given",
                header.n_sig,
                header.signals.len()
            ),
        ));
    }
    check_finite(header.fs, "sampling frequency fs")?;
    if header.fs <= 0.0 {
        return Err(werr(
            "header",
            format!(
                "sampling frequency fs must be positive, found {} Hz",
                header.fs
            ),
        ));
    }
    let mut out = String::new();
    let _ = write!(out, "{} {} {}", header.record_name, header.n_sig, header.fs);
    match (header.counter_freq, header.base_counter) {
        (Some(cf), base) => {
            check_finite(cf, "counter frequency")?;
            let _ = write!(out, "/{cf}");
            if let Some(b) = base {
                check_finite(b, "base counter")?;
                let _ = write!(out, "({b})");
            }
        }
        (None, Some(_)) => {
            return Err(werr(
                "header",
                "a base counter value needs a counter frequency".into(),
            ));
        }
        (None, None) => {}
    }
    let tail = [
        header.sig_len.map(|n| n.to_string()),
        header.base_time.clone(),
        header.base_date.clone(),
    ];
    write_positional(
        &mut out,
        &tail,
        &["sig_len", "base_time", "base_date"],
        "record line",
    )?;
    out.push('\n');

    for (i, s) in header.signals.iter().enumerate() {
        write_signal_line(&mut out, i, s)?;
    }
    for c in &header.comments {
        if c.contains(['\n', '\r']) {
            return Err(werr(
                "header",
                format!("comment {c:?} must not contain line breaks"),
            ));
        }
        let _ = writeln!(out, "# {c}");
    }
    Ok(out)
}

/// Appends ` value` for each present value, refusing a present value after an absent one.
fn write_positional(
    out: &mut String,
    values: &[Option<String>],
    names: &[&str],
    line: &str,
) -> Result<(), WfdbError> {
    let last = values.iter().rposition(Option::is_some);
    for (i, (v, name)) in values.iter().zip(names).enumerate() {
        match v {
            Some(v) => {
                check_token(v, name)?;
                out.push(' ');
                out.push_str(v);
            }
            None if last.is_some_and(|l| l > i) => {
                return Err(werr(
                    "header",
                    format!(
                        "{line}: {name} must be set to write the fields after it (WFDB header fields are positional)"
                    ),
                ));
            }
            None => break,
        }
    }
    Ok(())
}

fn write_signal_line(out: &mut String, i: usize, s: &SignalSpec) -> Result<(), WfdbError> {
    check_token(&s.file_name, "file name")?;
    check_token(&s.units, "units")?;
    check_finite(s.adc_gain, "ADC gain")?;
    if s.samps_per_frame == 0 {
        return Err(werr(
            "header",
            format!("signal {i}: samps_per_frame must be at least 1"),
        ));
    }
    let _ = write!(out, "{} {}", s.file_name, s.fmt);
    if s.samps_per_frame != 1 {
        let _ = write!(out, "x{}", s.samps_per_frame);
    }
    if s.skew != 0 {
        let _ = write!(out, ":{}", s.skew);
    }
    if s.byte_offset != 0 {
        let _ = write!(out, "+{}", s.byte_offset);
    }
    let _ = write!(out, " {}({})/{}", s.adc_gain, s.baseline, s.units);
    if let Some(name) = &s.sig_name {
        if name.is_empty() || name.trim() != name || name.contains(['\n', '\r', '\t']) {
            return Err(werr(
                "header",
                format!(
                    "signal {i}: sig_name {name:?} must be non-empty, without tabs, line breaks or spaces at its ends"
                ),
            ));
        }
    }
    let fields = [
        s.adc_res.map(|v| v.to_string()),
        s.adc_zero.map(|v| v.to_string()),
        s.init_value.map(|v| v.to_string()),
        s.checksum.map(|v| v.to_string()),
        s.block_size.map(|v| v.to_string()),
    ];
    let names = [
        "adc_res",
        "adc_zero",
        "init_value",
        "checksum",
        "block_size",
    ];
    let line = format!("signal {i}");
    if s.sig_name.is_some() && fields.iter().any(Option::is_none) {
        let missing = names
            .iter()
            .zip(&fields)
            .find(|(_, f)| f.is_none())
            .map_or("", |(n, _)| *n);
        return Err(werr(
            "header",
            format!(
                "{line}: {missing} must be set to write sig_name (WFDB header fields are positional)"
            ),
        ));
    }
    write_positional(out, &fields, &names, &line)?;
    if let Some(name) = &s.sig_name {
        out.push(' ');
        out.push_str(name);
    }
    out.push('\n');
    Ok(())
}

/// Samples of `s` as stored in format 16: samples equal to the signal's `invalid_adu` become
/// format 16's invalid value, so missing samples stay missing.
fn as_format16(s: &Signal) -> impl Iterator<Item = i16> + '_ {
    let invalid16 = Format::F16.info().invalid_adu;
    let invalid = s.invalid_adu;
    s.samples_adu
        .iter()
        .map(move |&v| if Some(v) == invalid { invalid16 } else { v })
}

/// Writes `signals` as one format-16 signal file: frames of one little-endian `i16` per signal.
///
/// Samples equal to a signal's `invalid_adu` are written as −32768, format 16's invalid value.
/// All signals must have the same length.
pub fn write_dat_16(signals: &[Signal]) -> Result<Vec<u8>, WfdbError> {
    let len = signals.first().map_or(0, Signal::len);
    if let Some((i, s)) = signals.iter().enumerate().find(|(_, s)| s.len() != len) {
        return Err(werr(
            "signal file",
            format!(
                "signal {i} ({}) has {} samples but signal 0 has {len}; all signals of a record must have the same length",
                s.name,
                s.len()
            ),
        ));
    }
    let n = signals.len();
    let mut out = vec![0u8; len * n * 2];
    for (c, s) in signals.iter().enumerate() {
        for (frame, v) in out.chunks_exact_mut(2 * n).zip(as_format16(s)) {
            if let Some(dst) = frame.get_mut(2 * c..2 * c + 2) {
                dst.copy_from_slice(&v.to_le_bytes());
            }
        }
    }
    Ok(out)
}

/// The header describing `record` stored as one format-16 file named `dat_file_name`: gains,
/// baselines, units and names from the signals; `adc_res` 16, `adc_zero` 0, `block_size` 0;
/// `init_value` and `checksum` computed from the samples as written.
pub fn header_for_record(record: &Record, dat_file_name: &str) -> Header {
    let f16 = &FORMATS[0];
    let signals = record
        .signals
        .iter()
        .map(|s| {
            let first = as_format16(s).next();
            let sum = checksum(as_format16(s));
            SignalSpec {
                file_name: dat_file_name.to_owned(),
                fmt: f16.fmt,
                samps_per_frame: 1,
                skew: 0,
                byte_offset: 0,
                adc_gain: s.adc_gain,
                baseline: s.baseline,
                units: s.units.clone(),
                adc_res: Some(f16.bits),
                adc_zero: Some(0),
                init_value: Some(first.map_or(0, i32::from)),
                checksum: Some(i32::from(sum)),
                block_size: Some(0),
                sig_name: Some(s.name.clone()),
            }
        })
        .collect::<Vec<_>>();
    Header {
        record_name: record.name.clone(),
        n_sig: signals.len(),
        fs: record.fs_hz,
        counter_freq: None,
        base_counter: None,
        sig_len: Some(record.sig_len()),
        base_time: None,
        base_date: None,
        signals,
        comments: record.comments.clone(),
    }
}

/// Writes `record` as `NAME.hea`, `NAME.dat` (format 16) and, if it has annotations, `NAME.atr`.
pub fn write_record(record: &Record) -> Result<RecordFiles, WfdbError> {
    let dat_name = format!("{}.dat", record.name);
    let header = header_for_record(record, &dat_name);
    let hea = write_header(&header)?;
    let dat = write_dat_16(&record.signals)?;
    let atr = if record.annotations.is_empty() {
        None
    } else {
        Some((
            format!("{}.atr", record.name),
            write_annotations(&record.annotations)?,
        ))
    };
    Ok(RecordFiles {
        hea: (format!("{}.hea", record.name), hea.into_bytes()),
        dat: (dat_name, dat),
        atr,
    })
}

fn push_word(out: &mut Vec<u8>, code: u8, datum: u16) {
    out.extend_from_slice(&((u16::from(code) << 10) | (datum & 0x3ff)).to_le_bytes());
}

/// Writes an MIT-format annotation file. Reading any of the 48 MIT-BIH `.atr` files and
/// writing its annotations back gives the original bytes.
///
/// Intervals that do not fit an annotation word (negative, or over 1023 samples) are written
/// as `SKIP` entries. `NUM` and `CHN` are written when they change (both start at 0), `SUB`
/// when non-zero, `AUX` when `aux_note` is `Some` (`Some("")` included). Refused: codes 0 and
/// 59–63 (not annotations), a note (`"`) at sample 0 (readers take it for a file definition),
/// an `aux_note` over 255 bytes or with characters beyond U+00FF (stored as Latin-1 bytes).
pub fn write_annotations(annotations: &[Annotation]) -> Result<Vec<u8>, WfdbError> {
    let mut out = Vec::with_capacity(annotations.len() * 2 + 2);
    let mut prev: i64 = 0;
    let mut chan: u8 = 0;
    let mut num: i8 = 0;
    for (i, a) in annotations.iter().enumerate() {
        if a.code == 0 || a.code >= SKIP {
            return Err(werr(
                "annotation file",
                format!(
                    "annotation {i} at sample {} has code {}, which is not an annotation code (1–58)",
                    a.sample, a.code
                ),
            ));
        }
        if a.code == NOTE && a.sample == 0 {
            return Err(werr(
                "annotation file",
                format!(
                    "annotation {i} is a note ('\"') at sample 0, which WFDB readers take for a file definition; \
                     place it at sample 1 or later"
                ),
            ));
        }
        let sample = i64::try_from(a.sample).map_err(|_| {
            werr(
                "annotation file",
                format!("annotation {i}: sample {} is too large", a.sample),
            )
        })?;
        let mut diff = sample - prev;
        if !(0..=MAX_WORD_INTERVAL).contains(&diff) {
            while diff != 0 {
                let step = diff.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                let v = step as i32 as u32;
                push_word(&mut out, SKIP, 0);
                out.extend_from_slice(&((v >> 16) as u16).to_le_bytes());
                out.extend_from_slice(&(v as u16).to_le_bytes());
                diff -= step;
            }
        }
        push_word(&mut out, a.code, diff as u16);
        prev = sample;
        // Signed fields are stored as 10-bit two's complement, as WFDB's putann writes them
        // (−1 is 0x3FF); readers take the low byte, so wfdb-python's 0x0FF reads the same.
        if a.num != num {
            push_word(&mut out, NUM, i16::from(a.num) as u16);
            num = a.num;
        }
        if a.subtype != 0 {
            push_word(&mut out, SUB, i16::from(a.subtype) as u16);
        }
        if a.chan != chan {
            push_word(&mut out, CHN, u16::from(a.chan));
            chan = a.chan;
        }
        if let Some(note) = &a.aux_note {
            let bytes: Vec<u8> = note
                .chars()
                .map(|c| u8::try_from(u32::from(c)))
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    werr(
                        "annotation file",
                        format!(
                            "annotation {i}: aux_note {note:?} has a character beyond Latin-1 (U+00FF), which MIT files cannot hold"
                        ),
                    )
                })?;
            let len = u8::try_from(bytes.len()).map_err(|_| {
                werr(
                    "annotation file",
                    format!(
                        "annotation {i}: aux_note is {} bytes long; at most 255 fit",
                        bytes.len()
                    ),
                )
            })?;
            push_word(&mut out, AUX, u16::from(len));
            out.extend_from_slice(&bytes);
            if len % 2 == 1 {
                out.push(0);
            }
        }
    }
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::wfdb::{parse_header, read_annotations};

    fn ann(sample: u64, code: u8) -> Annotation {
        Annotation::beat(sample, code)
    }

    #[test]
    fn long_and_backward_intervals_use_skip() {
        let anns = vec![
            ann(5, 1),
            ann(5 + 1024, 1),
            ann(3_000_000_000, 5),
            ann(10, 1),
        ];
        let bytes = write_annotations(&anns).unwrap();
        // The second annotation: SKIP 1024 (high word 0, low word 1024), then N with interval 0.
        assert_eq!(&bytes[2..10], &[0, 0xec, 0, 0, 0, 4, 0, 4]);
        assert_eq!(read_annotations(&bytes).unwrap(), anns);
    }

    #[test]
    fn refuses_what_cannot_be_stored() {
        for bad in [ann(1, 0), ann(1, 59), ann(0, NOTE)] {
            assert!(matches!(
                write_annotations(&[bad]),
                Err(WfdbError::Write { .. })
            ));
        }
        let mut a = ann(1, 1);
        a.aux_note = Some("€".into());
        assert!(write_annotations(&[a.clone()]).is_err());
        a.aux_note = Some("x".repeat(256));
        assert!(write_annotations(&[a]).is_err());
    }

    #[test]
    fn header_round_trips_and_gaps_are_refused() {
        let text = "r 2 360/1000(5) 650000 12:00:00 01/02/2003\n\
                    r.dat 16x2:1+4 200.5(-3)/uV 12 0 5 -7 0 lead I\n\
                    r.dat 16 200(0)/mV\n# a comment\n";
        let h = parse_header(text.as_bytes()).unwrap();
        assert_eq!(write_header(&h).unwrap(), text);
        let mut g = h.clone();
        g.signals[1].sig_name = Some("V1".into());
        assert!(
            write_header(&g)
                .unwrap_err()
                .to_string()
                .contains("adc_res must be set")
        );
        let mut g = h;
        g.sig_len = None;
        assert!(
            write_header(&g)
                .unwrap_err()
                .to_string()
                .contains("sig_len must be set")
        );
    }
}
