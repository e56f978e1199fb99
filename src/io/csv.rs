//! CSV files people hold: the Kaggle heartbeat CSV and plain one-column-per-lead recordings.
//!
//! **Kaggle heartbeat CSV** (`mitbih_train.csv` / `mitbih_test.csv`, Kachuee, Fazeli & Sarrafzadeh,
//! "ECG Heartbeat Classification: A Deep Transferable Representation", ICHI 2018): no header;
//! each row is one beat, 187 samples at 125 Hz starting at the R peak, scaled to 0–1 and padded
//! with zeros, then the label 0–4 = N, S, V, F, Q. Values are unitless.
//!
//! **Plain CSV**: one column per lead, values in mV, an optional header row with lead names, and
//! an optional leading time/index column (dropped; a time column in seconds also tells the
//! sampling rate). The sampling rate otherwise comes from the user.
//!
//! Parsing is the `csv` crate's (RFC 4180: quoted fields, LF or CRLF), on bytes, with no
//! allocation per field. Blank lines are skipped. A file may hold at most
//! [`MAX_CSV_COLUMNS`] columns and [`MAX_CSV_VALUES`] values ([`crate::io::limits`]).

use crate::ecg::aami::AamiClass;
use crate::io::limits::{MAX_CSV_COLUMNS, MAX_CSV_VALUES};
use crate::record::{Record, RecordSource, SamplingRate, Signal};

/// Samples per beat in the Kaggle heartbeat CSV.
pub const KAGGLE_SAMPLES: usize = 187;
/// Sampling rate of the Kaggle heartbeat CSV, Hz.
pub const KAGGLE_FS_HZ: f32 = 125.0;

/// What can be wrong with a CSV file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// The file holds no data row.
    #[error("the file is empty: expected rows of comma-separated numbers")]
    Empty,
    /// Only a header row (lead names), no data row.
    #[error("the file holds a header row and no data rows")]
    HeaderOnly,
    /// A field is not a number.
    #[error("line {line}, column {column}: {found:?} is not a number")]
    NotANumber {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The field as found (shortened).
        found: String,
    },
    /// A number is NaN or infinite.
    #[error(
        "line {line}, column {column}: {found} is not a finite number (NaN and infinity are not allowed)"
    )]
    NotFinite {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The field as found.
        found: String,
    },
    /// Rows of different lengths.
    #[error(
        "line {line} has {found} columns but the first data row has {expected}: every row needs the same number of columns"
    )]
    Ragged {
        /// 1-based line.
        line: usize,
        /// Columns in the first data row.
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// A Kaggle row's label is not 0–4.
    #[error("line {line}: label {found} is not one of 0, 1, 2, 3, 4 (N, S, V, F, Q)")]
    BadLabel {
        /// 1-based line.
        line: usize,
        /// The label as found.
        found: String,
    },
    /// The sampling rate given for a plain CSV is unusable.
    #[error(
        "sampling rate {0} Hz is not usable: give a rate from 0.001 to 1,000,000 Hz, such as 360"
    )]
    BadRate(f64),
    /// The file is not UTF-8 text.
    #[error("line {line} is not UTF-8 text: is this really a CSV file?")]
    NotText {
        /// 1-based line.
        line: usize,
    },
    /// More columns or values than the readers take ([`crate::io::limits`]).
    #[error("{0}")]
    TooLarge(String),
    /// A quoted field is never closed, or the file is otherwise not CSV.
    #[error("line {line}: {reason}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// What the CSV reader found.
        reason: String,
    },
}

/// Kaggle beats: windows of [`KAGGLE_SAMPLES`] values and their classes.
#[derive(Debug, Clone, PartialEq)]
pub struct KaggleBeats {
    /// Windows, [`KAGGLE_SAMPLES`] values per beat (unitless, 0–1).
    pub windows: Vec<f32>,
    /// Class of each beat.
    pub labels: Vec<AamiClass>,
}

/// The rows of `bytes` with their 1-based line numbers, blank lines skipped: a streaming
/// iterator over one reused record, so no row allocates.
struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    record: csv::ByteRecord,
}

impl<'a> Rows<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        Rows {
            reader,
            record: csv::ByteRecord::new(),
        }
    }

    /// The next non-blank row: its line and fields, or `None` at the end.
    fn next_row(&mut self) -> Result<Option<(usize, &csv::ByteRecord)>, CsvError> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    CsvError::Malformed {
                        line,
                        reason: e.to_string(),
                    }
                })?;
            if !more {
                return Ok(None);
            }
            let blank = self.record.len() == 1
                && self
                    .record
                    .get(0)
                    .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace));
            if !blank {
                let line = self.record.position().map_or(0, |p| p.line() as usize);
                return Ok(Some((line, &self.record)));
            }
        }
    }

    /// Bytes read so far.
    fn byte(&self) -> usize {
        self.reader.position().byte() as usize
    }
}

fn too_many_columns(found: usize) -> CsvError {
    CsvError::TooLarge(format!(
        "the first row has {found} columns; at most {MAX_CSV_COLUMNS} are read (one per lead) — is this a CSV of one recording?"
    ))
}

fn too_many_values() -> CsvError {
    CsvError::TooLarge(format!(
        "the file holds more than {MAX_CSV_VALUES} values, more than one load reads; split it into shorter files"
    ))
}

fn field_str(field: &[u8], line: usize) -> Result<&str, CsvError> {
    std::str::from_utf8(field)
        .map(str::trim)
        .map_err(|_| CsvError::NotText { line })
}

fn parse_number(field: &[u8], line: usize, column: usize) -> Result<f64, CsvError> {
    let s = field_str(field, line)?;
    let s = s.trim_matches('"');
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(CsvError::NotFinite {
            line,
            column,
            found: s.to_string(),
        }),
        Err(_) => Err(CsvError::NotANumber {
            line,
            column,
            found: s.chars().take(40).collect(),
        }),
    }
}

/// True when `bytes` look like the Kaggle heartbeat CSV: the first line has 188 numeric fields
/// and its last is a whole number 0–4.
pub fn looks_like_kaggle(bytes: &[u8]) -> bool {
    let mut rows = Rows::new(bytes);
    let Ok(Some((line, first))) = rows.next_row() else {
        return false;
    };
    if first.len() != KAGGLE_SAMPLES + 1 {
        return false;
    }
    let numeric = first
        .iter()
        .enumerate()
        .all(|(c, f)| parse_number(f, line, c + 1).is_ok());
    numeric
        && first
            .get(KAGGLE_SAMPLES)
            .and_then(|f| parse_number(f, line, KAGGLE_SAMPLES + 1).ok())
            .is_some_and(|v| v.fract() == 0.0 && (0.0..=4.0).contains(&v))
}

/// Reads the Kaggle heartbeat CSV. `progress(bytes_done)` is called every few thousand rows.
pub fn read_kaggle(bytes: &[u8], progress: &mut dyn FnMut(usize)) -> Result<KaggleBeats, CsvError> {
    let mut out = KaggleBeats {
        windows: Vec::with_capacity((bytes.len() / 10).min(MAX_CSV_VALUES as usize)),
        labels: Vec::new(),
    };
    let mut rows = Rows::new(bytes);
    while let Some((line, row)) = rows.next_row()? {
        if row.len() != KAGGLE_SAMPLES + 1 {
            return Err(CsvError::Ragged {
                line,
                expected: KAGGLE_SAMPLES + 1,
                found: row.len(),
            });
        }
        if out.windows.len() as u64 + KAGGLE_SAMPLES as u64 > MAX_CSV_VALUES {
            return Err(too_many_values());
        }
        for (c, field) in row.iter().enumerate() {
            if c < KAGGLE_SAMPLES {
                out.windows.push(parse_number(field, line, c + 1)? as f32);
            } else {
                let v = parse_number(field, line, c + 1)?;
                let class = (v.fract() == 0.0)
                    .then(|| AamiClass::from_index(v as usize))
                    .flatten()
                    .ok_or_else(|| CsvError::BadLabel {
                        line,
                        found: field_str(field, line).unwrap_or("?").to_string(),
                    })?;
                out.labels.push(class);
            }
        }
        if out.labels.len() % 4096 == 0 {
            progress(rows.byte());
        }
    }
    if out.labels.is_empty() {
        return Err(CsvError::Empty);
    }
    progress(bytes.len());
    Ok(out)
}

/// Columns named like a time or index column.
const TIME_COLUMNS: [&str; 9] = [
    "time", "t", "time_s", "times", "seconds", "sec", "sample", "samples", "index",
];

/// A plain CSV recording before its sampling rate is known.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainCsv {
    /// Lead names (from the header, or `lead1`, `lead2`, …).
    pub lead_names: Vec<String>,
    /// Values per lead, mV.
    pub leads_mv: Vec<Vec<f64>>,
    /// Sampling rate implied by a time column in seconds, if there was one.
    pub fs_hz_from_time: Option<f64>,
}

/// Reads a plain CSV (one column per lead, optional header, optional time column).
pub fn read_plain(bytes: &[u8]) -> Result<PlainCsv, CsvError> {
    let mut rows = Rows::new(bytes);
    let Some((first_line, first)) = rows.next_row()? else {
        return Err(CsvError::Empty);
    };
    if first.len() > MAX_CSV_COLUMNS {
        return Err(too_many_columns(first.len()));
    }
    // A header holds a field that is no number at all; "NaN" or "inf" are numbers a data row
    // may not hold, refused below with their line and column.
    let has_header = first.iter().enumerate().any(|(c, f)| {
        matches!(
            parse_number(f, first_line, c + 1),
            Err(CsvError::NotANumber { .. } | CsvError::NotText { .. })
        )
    });
    let width = first.len();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); width];
    let mut names: Vec<String> = if has_header {
        first
            .iter()
            .map(|f| field_str(f, first_line).map(|s| s.trim_matches('"').to_string()))
            .collect::<Result<_, _>>()?
    } else {
        for (c, field) in first.iter().enumerate() {
            columns[c].push(parse_number(field, first_line, c + 1)?);
        }
        (1..=width).map(|i| format!("lead{i}")).collect()
    };
    let time_col = names.first().and_then(|n| {
        let lower = n.to_ascii_lowercase();
        TIME_COLUMNS
            .iter()
            .any(|t| {
                lower == *t
                    || lower.starts_with(&format!("{t} "))
                    || lower.starts_with(&format!("{t}("))
            })
            .then_some(lower)
    });
    let mut values = width as u64;
    while let Some((line, row)) = rows.next_row()? {
        if row.len() != width {
            return Err(CsvError::Ragged {
                line,
                expected: width,
                found: row.len(),
            });
        }
        values += width as u64;
        if values > MAX_CSV_VALUES {
            return Err(too_many_values());
        }
        for (column, field) in columns
            .iter_mut()
            .zip(row.iter())
            .enumerate()
            .map(|(c, (col, f))| ((c, col), f))
        {
            let (c, col) = column;
            col.push(parse_number(field, line, c + 1)?);
        }
    }
    if columns.first().is_none_or(Vec::is_empty) {
        return Err(if has_header {
            CsvError::HeaderOnly
        } else {
            CsvError::Empty
        });
    }
    let mut fs_hz_from_time = None;
    if let Some(name) = time_col {
        let t = columns.remove(0);
        names.remove(0);
        let in_seconds = !(name.starts_with("sample") || name.starts_with("index"));
        if in_seconds && t.len() > 1 {
            let dt = (t[t.len() - 1] - t[0]) / (t.len() - 1) as f64;
            if dt > 0.0 {
                fs_hz_from_time = Some((1.0 / dt * 1000.0).round() / 1000.0);
            }
        }
    }
    if columns.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(PlainCsv {
        lead_names: names,
        leads_mv: columns,
        fs_hz_from_time,
    })
}

impl PlainCsv {
    /// The record at `fs_hz`, each lead stored as 16-bit adu with a gain chosen so the lead's
    /// largest magnitude fits (1,000 adu/mV — 1 µV steps — unless the values need more range).
    pub fn into_record(self, name: &str, fs_hz: f64) -> Result<Record, CsvError> {
        if SamplingRate::new(fs_hz).is_err() {
            return Err(CsvError::BadRate(fs_hz));
        }
        let signals = self
            .lead_names
            .into_iter()
            .zip(self.leads_mv)
            .map(|(name, values)| {
                let peak = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let gain = if peak * 1000.0 > 32_000.0 {
                    32_000.0 / peak
                } else {
                    1000.0
                };
                Signal {
                    name,
                    units: "mV".to_string(),
                    adc_gain: gain,
                    baseline: 0,
                    invalid_adu: None,
                    samples_adu: values
                        .iter()
                        .map(|v| (v * gain).round().clamp(-32_767.0, 32_767.0) as i16)
                        .collect(),
                }
            })
            .collect();
        Ok(Record {
            name: name.to_string(),
            fs_hz,
            signals,
            annotations: Vec::new(),
            comments: vec!["read from a plain CSV file".to_string()],
            source: RecordSource::Csv,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kaggle_row(label: u8) -> String {
        let mut s: Vec<String> = (0..KAGGLE_SAMPLES)
            .map(|i| format!("{:.6e}", i as f64 / 200.0))
            .collect();
        s.push(format!("{label}.000000000000000000e+00"));
        s.join(",")
    }

    #[test]
    fn kaggle_rows_read_and_detect() {
        let text = format!(
            "{}\n{}\r\n{}\n",
            kaggle_row(0),
            kaggle_row(2),
            kaggle_row(4)
        );
        assert!(looks_like_kaggle(text.as_bytes()));
        let k = read_kaggle(text.as_bytes(), &mut |_| {}).expect("valid");
        assert_eq!(k.labels, vec![AamiClass::N, AamiClass::V, AamiClass::Q]);
        assert_eq!(k.windows.len(), 3 * KAGGLE_SAMPLES);
        assert!((k.windows[KAGGLE_SAMPLES + 10] - 0.05).abs() < 1e-6);
        assert!(!looks_like_kaggle(b"1,2,3\n4,5,6\n"));
    }

    #[test]
    fn kaggle_errors_name_the_line() {
        let text = format!("{}\n{}\n", kaggle_row(0), kaggle_row(7));
        assert_eq!(
            read_kaggle(text.as_bytes(), &mut |_| {}),
            Err(CsvError::BadLabel {
                line: 2,
                found: "7.000000000000000000e+00".into()
            })
        );
        let short = format!("{}\n1,2,3\n", kaggle_row(0));
        assert!(matches!(
            read_kaggle(short.as_bytes(), &mut |_| {}),
            Err(CsvError::Ragged { line: 2, .. })
        ));
        assert_eq!(read_kaggle(b"", &mut |_| {}), Err(CsvError::Empty));
    }

    #[test]
    fn plain_with_header_and_time_column() {
        let text = "time,MLII,V5\n0.000,0.1,0.2\n0.004,0.3,0.4\n0.008,0.5,-0.6\n";
        let p = read_plain(text.as_bytes()).expect("valid");
        assert_eq!(p.lead_names, vec!["MLII", "V5"]);
        assert_eq!(p.fs_hz_from_time, Some(250.0));
        let r = p.into_record("rec", 250.0).expect("rate ok");
        assert_eq!(r.signals.len(), 2);
        assert!((r.signals[1].physical(2) + 0.6).abs() < 1e-6);
        assert_eq!(r.sig_len(), 3);
    }

    #[test]
    fn plain_without_header_and_large_values() {
        let p = read_plain(b"100,2\n-300,4\n").expect("valid");
        assert_eq!(p.lead_names, vec!["lead1", "lead2"]);
        assert_eq!(p.fs_hz_from_time, None);
        let r = p.into_record("x", 500.0).expect("ok");
        assert!((r.signals[0].physical(1) + 300.0).abs() < 0.01);
        assert!(matches!(
            read_plain(b"1,2\n3\n").map(|_| ()),
            Err(CsvError::Ragged {
                line: 2,
                expected: 2,
                found: 1
            })
        ));
    }

    #[test]
    fn nan_empty_and_non_text_are_errors() {
        assert_eq!(
            read_plain(b"a,b\n1,NaN\n"),
            Err(CsvError::NotFinite {
                line: 2,
                column: 2,
                found: "NaN".into()
            })
        );
        assert_eq!(read_plain(b"\n\n"), Err(CsvError::Empty));
        assert_eq!(read_plain(b"a,b\n"), Err(CsvError::HeaderOnly));
        assert!(matches!(
            read_plain(b"0.1,NaN\n"),
            Err(CsvError::NotFinite {
                line: 1,
                column: 2,
                ..
            })
        ));
        assert!(matches!(
            read_plain(b"1,2\n\xff\xfe,3\n"),
            Err(CsvError::NotText { line: 2 })
        ));
        assert!(matches!(
            read_plain(b"1,2\n3,x\n"),
            Err(CsvError::NotANumber {
                line: 2,
                column: 2,
                ..
            })
        ));
        let p = read_plain(b"1\n2\n").expect("ok");
        assert_eq!(p.into_record("r", 0.0), Err(CsvError::BadRate(0.0)));
    }
}
