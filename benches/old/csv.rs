// CSV files people hold: the Kaggle heartbeat CSV and plain one-column-per-lead recordings.
//
// **Kaggle heartbeat CSV** (`mitbih_train.csv` / `mitbih_test.csv`, Kachuee, Fazeli & Sarrafzadeh,
// "ECG Heartbeat Classification: A Deep Transferable Representation", ICHI 2018): no header;
// each row is one beat, 187 samples at 125 Hz starting at the R peak, scaled to 0–1 and padded
// with zeros, then the label 0–4 = N, S, V, F, Q. Values are unitless.
//
// **Plain CSV**: one column per lead, values in mV, an optional header row with lead names, and
// an optional leading time/index column (dropped; a time column in seconds also tells the
// sampling rate). The sampling rate otherwise comes from the user.
//
// Parsing works on bytes line by line (LF or CRLF), with no allocation per field.

use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::record::{Record, RecordSource, Signal};

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
    #[error("sampling rate {0} Hz is not usable: give a positive rate such as 360")]
    BadRate(f64),
    /// The file is not UTF-8 text.
    #[error("line {line} is not UTF-8 text: is this really a CSV file?")]
    NotText {
        /// 1-based line.
        line: usize,
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

/// Lines of `bytes` with their 1-based numbers, blank lines skipped, CR stripped.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| l.iter().any(|b| !b.is_ascii_whitespace()))
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
    let Some((line, first)) = lines(bytes).next() else {
        return false;
    };
    let fields: Vec<&[u8]> = first.split(|&b| b == b',').collect();
    if fields.len() != KAGGLE_SAMPLES + 1 {
        return false;
    }
    let numeric = fields
        .iter()
        .enumerate()
        .all(|(c, f)| parse_number(f, line, c + 1).is_ok());
    numeric
        && fields
            .last()
            .and_then(|f| parse_number(f, line, KAGGLE_SAMPLES + 1).ok())
            .is_some_and(|v| v.fract() == 0.0 && (0.0..=4.0).contains(&v))
}

/// Reads the Kaggle heartbeat CSV. `progress(bytes_done)` is called every few thousand rows.
pub fn read_kaggle(bytes: &[u8], progress: &mut dyn FnMut(usize)) -> Result<KaggleBeats, CsvError> {
    let mut out = KaggleBeats {
        windows: Vec::with_capacity(bytes.len() / 10),
        labels: Vec::new(),
    };
    let base = bytes.as_ptr() as usize;
    for (line, text) in lines(bytes) {
        let mut n = 0usize;
        for (c, field) in text.split(|&b| b == b',').enumerate() {
            if c < KAGGLE_SAMPLES {
                out.windows.push(parse_number(field, line, c + 1)? as f32);
            } else if c == KAGGLE_SAMPLES {
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
            n = c + 1;
        }
        if n != KAGGLE_SAMPLES + 1 {
            // Undo the partial row before reporting.
            return Err(CsvError::Ragged {
                line,
                expected: KAGGLE_SAMPLES + 1,
                found: n,
            });
        }
        if out.labels.len() % 4096 == 0 {
            progress(text.as_ptr() as usize - base);
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
    let mut it = lines(bytes).peekable();
    let Some(&(first_line, first)) = it.peek() else {
        return Err(CsvError::Empty);
    };
    let first_fields: Vec<&[u8]> = first.split(|&b| b == b',').collect();
    let has_header = first_fields
        .iter()
        .enumerate()
        .any(|(c, f)| parse_number(f, first_line, c + 1).is_err());
    let mut names: Vec<String> = if has_header {
        it.next();
        first_fields
            .iter()
            .map(|f| field_str(f, first_line).map(|s| s.trim_matches('"').to_string()))
            .collect::<Result<_, _>>()?
    } else {
        (1..=first_fields.len())
            .map(|i| format!("lead{i}"))
            .collect()
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
    let width = names.len();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); width];
    for (line, text) in it {
        let mut n = 0usize;
        for (c, field) in text.split(|&b| b == b',').enumerate() {
            if c >= width {
                n = c + 1;
                continue;
            }
            columns[c].push(parse_number(field, line, c + 1)?);
            n = c + 1;
        }
        if n != width {
            return Err(CsvError::Ragged {
                line,
                expected: width,
                found: n,
            });
        }
    }
    if columns.first().is_none_or(Vec::is_empty) {
        return Err(CsvError::Empty);
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
        if !(fs_hz.is_finite() && fs_hz > 0.0 && fs_hz <= 1.0e6) {
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
