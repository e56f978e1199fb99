//! Record-level labels of 12-lead sets: PTB-XL's metadata tables and the header comments of
//! PhysioNet/CinC Challenge 2020/2021 records.
//!
//! **PTB-XL** (Wagner et al., "PTB-XL, a large publicly available electrocardiography dataset",
//! Scientific Data 7:154, 2020; PhysioNet, version 1.0.3): `ptbxl_database.csv` has one row per
//! ECG — `ecg_id`, `patient_id`, `age` (years; 300 stands for over 89, for privacy), `sex`
//! (0 = male, 1 = female), `report` (free text, often German), `scp_codes` (a Python dict
//! `{'NORM': 100.0, 'SR': 0.0}`: SCP-ECG statement → likelihood in %, 0 where none was given,
//! as for every form and rhythm statement), `strat_fold` (1–10), `filename_lr` /
//! `filename_hr` (the 100-Hz and 500-Hz WFDB records, paths without extension), and flags such
//! as `extra_beats` and `pacemaker`. `scp_statements.csv` describes each statement: its
//! description, whether it is diagnostic / form / rhythm, its diagnostic class and subclass,
//! its SCP-ECG category. The signals themselves are WFDB records ([`crate::io::wfdb`]).
//!
//! **Challenge headers** (Perez Alday et al., "Classification of 12-lead ECGs: the
//! PhysioNet/Computing in Cardiology Challenge 2020", Physiol Meas 41:124003, 2020; Reyna et al.
//! 2021): WFDB headers whose comments carry `# Age: 63`, `# Sex: Male`,
//! `# Dx: 426783006,164889003` (SNOMED CT codes), `# Rx:`, `# Hx:`, `# Sx:`.
//!
//! What the labels say about *beats* — the question this project cares about — is kept as
//! data: [`SCP_BEAT_STATEMENTS`] and [`SNOMED_BEAT_CODES`] list the statements whose presence
//! implies beats of an AAMI class somewhere in the record (a record-level label: it says
//! neither where nor how many).
//!
//! Readers take bytes. The CSV reader follows RFC 4180 (quoted fields, doubled quotes, line
//! breaks inside quotes, LF or CRLF) and finds columns by their header names.
//!
//! One file on purpose (a little over 700 lines): the two PTB-XL tables share the CSV reader and
//! the SCP-statement mapping that turns them into records' statements.

use crate::ecg::aami::AamiClass;

/// What can be wrong with PTB-XL metadata or a Challenge header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PtbxlError {
    /// The file is not UTF-8 text.
    #[error("{file} is not UTF-8 text (byte {offset}): is this really a CSV file?")]
    NotText {
        /// Which file.
        file: &'static str,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file has no header row, or no data row.
    #[error("{file} is empty: expected a header row and one row per entry")]
    Empty {
        /// Which file.
        file: &'static str,
    },
    /// A quoted field is never closed.
    #[error("{file}, line {line}: a quoted field is never closed (missing '\"')")]
    Unterminated {
        /// Which file.
        file: &'static str,
        /// 1-based line where the field starts.
        line: usize,
    },
    /// A column the reader needs is missing from the header row.
    #[error("{file} has no column {column:?}: is this the right file?")]
    MissingColumn {
        /// Which file.
        file: &'static str,
        /// The column name.
        column: &'static str,
    },
    /// A row has fewer fields than the header.
    #[error("{file}, line {line}: {found} fields, but the header has {expected}")]
    Ragged {
        /// Which file.
        file: &'static str,
        /// 1-based line where the row starts.
        line: usize,
        /// Fields in the header.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A field does not hold what its column should.
    #[error("{file}, line {line}, column {column}: {found:?} is not {expected}")]
    Field {
        /// Which file.
        file: &'static str,
        /// 1-based line where the row starts.
        line: usize,
        /// Column name.
        column: &'static str,
        /// The field as found (shortened).
        found: String,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// A Challenge header comment has a value of the wrong kind.
    #[error("header comment {key}: {found:?} is not {expected}")]
    Comment {
        /// The comment's key (`Age`, `Sex`, `Dx`).
        key: &'static str,
        /// The value as found.
        found: String,
        /// What was expected, in words.
        expected: &'static str,
    },
}

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// PTB-XL `0`, Challenge `Male`.
    Male,
    /// PTB-XL `1`, Challenge `Female`.
    Female,
}

/// One SCP-ECG statement of a record, with its likelihood.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScpCode {
    /// Statement code (`NORM`, `PVC`, `RAO/RAE`, …).
    pub code: String,
    /// Likelihood in % (0–100); 0 where the cardiologist gave none (all form and rhythm
    /// statements).
    pub likelihood_percent: f64,
}

/// One row of `ptbxl_database.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PtbxlRecord {
    /// `ecg_id`.
    pub ecg_id: u32,
    /// `patient_id` (written as a float in the file).
    pub patient_id: Option<u32>,
    /// `age` in years; 300 means over 89.
    pub age_years: Option<f32>,
    /// `sex`.
    pub sex: Option<Sex>,
    /// `report`: the free-text report.
    pub report: String,
    /// `scp_codes`, in the order written.
    pub scp_codes: Vec<ScpCode>,
    /// `strat_fold`: the recommended fold (1–10; 9 and 10 are the validation and test folds).
    pub strat_fold: u8,
    /// `filename_lr`: the 100-Hz record, without extension (`records100/00000/00001_lr`).
    pub filename_lr: String,
    /// `filename_hr`: the 500-Hz record, without extension.
    pub filename_hr: String,
    /// `extra_beats` (e.g. `VES`, `SVES`, `1ES`), when the column exists and is not empty.
    pub extra_beats: Option<String>,
    /// `pacemaker` (e.g. `ja, pacemaker`), when the column exists and is not empty.
    pub pacemaker: Option<String>,
}

/// One row of `scp_statements.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScpStatement {
    /// The statement code (first, unnamed column).
    pub code: String,
    /// `description`.
    pub description: String,
    /// `diagnostic` is 1.
    pub diagnostic: bool,
    /// `form` is 1.
    pub form: bool,
    /// `rhythm` is 1.
    pub rhythm: bool,
    /// `diagnostic_class` (`NORM`, `MI`, `STTC`, `CD`, `HYP`), for diagnostic statements.
    pub diagnostic_class: Option<String>,
    /// `diagnostic_subclass`.
    pub diagnostic_subclass: Option<String>,
    /// `Statement Category`.
    pub category: String,
    /// `SCP-ECG Statement Description`.
    pub scp_description: String,
    /// `AHA code`, if any.
    pub aha_code: Option<String>,
}

/// A statement of one record with its description from `scp_statements.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordStatement<'a> {
    /// The code and likelihood as the record lists them.
    pub code: &'a ScpCode,
    /// Its row in `scp_statements.csv`; `None` for a code the table does not describe.
    pub statement: Option<&'a ScpStatement>,
    /// The AAMI class of beats the statement implies ([`scp_beat_hint`]).
    pub beats: Option<BeatHint>,
}

/// What a record-level statement says about the beats of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BeatHint {
    /// At least one beat of this class.
    Class(AamiClass),
    /// Ectopic beats of unknown origin: supraventricular (S) or ventricular (V).
    SOrV,
}

/// PTB-XL statements (`scp_statements.csv`) that imply beats of an AAMI class.
///
/// Premature complexes map as in ANSI/AAMI EC57 (atrial premature → S, ventricular premature →
/// V); supraventricular tachycardias are runs of premature supraventricular beats (S); paced
/// rhythm means paced beats (Q). `BIGU`, `TRIGU` and `PRC(S)` say "ectopic, origin unknown".
/// Not listed: `SVARR` ("supraventricular arrhythmia", a rhythm irregularity that need not
/// involve ectopic beats), and the sinus rhythms, atrial fibrillation and flutter, whose beats
/// are N in AAMI's scheme but which say nothing about ectopic beats.
pub const SCP_BEAT_STATEMENTS: [(&str, BeatHint); 8] = [
    ("PVC", BeatHint::Class(AamiClass::V)), // ventricular premature complex
    ("PAC", BeatHint::Class(AamiClass::S)), // atrial premature complex
    ("SVTAC", BeatHint::Class(AamiClass::S)), // supraventricular tachycardia
    ("PSVT", BeatHint::Class(AamiClass::S)), // paroxysmal supraventricular tachycardia
    ("PACE", BeatHint::Class(AamiClass::Q)), // normal functioning artificial pacemaker
    ("BIGU", BeatHint::SOrV),               // bigeminal pattern (unknown origin)
    ("TRIGU", BeatHint::SOrV),              // trigeminal pattern (unknown origin)
    ("PRC(S)", BeatHint::SOrV),             // premature complex(es)
];

/// What PTB-XL statement `code` says about beats ([`SCP_BEAT_STATEMENTS`]).
pub fn scp_beat_hint(code: &str) -> Option<BeatHint> {
    SCP_BEAT_STATEMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, h)| *h)
}

/// A SNOMED CT code of the Challenge's label set that tells something about beats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnomedBeatCode {
    /// SNOMED CT concept id.
    pub code: u64,
    /// The Challenge's abbreviation.
    pub abbreviation: &'static str,
    /// The Challenge's description.
    pub description: &'static str,
    /// AAMI class of the beats the code implies.
    pub beats: BeatHint,
}

const fn snomed(
    code: u64,
    abbreviation: &'static str,
    description: &'static str,
    class: AamiClass,
) -> SnomedBeatCode {
    SnomedBeatCode {
        code,
        abbreviation,
        description,
        beats: BeatHint::Class(class),
    }
}

/// SNOMED CT codes of the PhysioNet/CinC Challenge 2021 label set (`dx_mapping_scored.csv`
/// and `dx_mapping_unscored.csv` of github.com/physionetchallenges/evaluation-2021) that imply
/// beats of an AAMI class. The Challenge scores 427172004 and 17338001 as one diagnosis, and
/// 284470004 and 63593006 as one. Classes follow ANSI/AAMI EC57: ventricular premature and
/// escape beats → V, atrial/supraventricular premature beats → S, atrial escape beats and the
/// conducted beats of sinus rhythm, atrial fibrillation and flutter → N, paced beats → Q.
pub const SNOMED_BEAT_CODES: [SnomedBeatCode; 17] = [
    snomed(426783006, "SNR", "sinus rhythm", AamiClass::N),
    snomed(164889003, "AF", "atrial fibrillation", AamiClass::N),
    snomed(164890007, "AFL", "atrial flutter", AamiClass::N),
    snomed(251187003, "AED", "atrial escape beat", AamiClass::N),
    snomed(
        284470004,
        "PAC",
        "premature atrial contraction",
        AamiClass::S,
    ),
    snomed(
        63593006,
        "SVPB",
        "supraventricular premature beats",
        AamiClass::S,
    ),
    snomed(251173003, "AB", "atrial bigeminy", AamiClass::S),
    snomed(251168009, "SVB", "supraventricular bigeminy", AamiClass::S),
    snomed(
        427172004,
        "PVC",
        "premature ventricular contractions",
        AamiClass::V,
    ),
    snomed(17338001, "VPB", "ventricular premature beats", AamiClass::V),
    snomed(164884008, "VEB", "ventricular ectopics", AamiClass::V),
    snomed(11157007, "VBig", "ventricular bigeminy", AamiClass::V),
    snomed(251180001, "VTrig", "ventricular trigeminy", AamiClass::V),
    snomed(
        251182009,
        "VPVC",
        "paired ventricular premature complexes",
        AamiClass::V,
    ),
    snomed(75532003, "VEsB", "ventricular escape beat", AamiClass::V),
    snomed(10370003, "PR", "pacing rhythm", AamiClass::Q),
    snomed(251266004, "VPP", "ventricular pacing pattern", AamiClass::Q),
];

/// The entry of [`SNOMED_BEAT_CODES`] for `code`, if any.
pub fn snomed_beat_code(code: u64) -> Option<&'static SnomedBeatCode> {
    SNOMED_BEAT_CODES.iter().find(|s| s.code == code)
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// Rows of an RFC 4180 CSV text, each with the 1-based line it starts on. Blank lines are
/// skipped.
fn csv_rows(text: &str, file: &'static str) -> Result<Vec<(usize, Vec<String>)>, PtbxlError> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut quoted = false;
    let mut field_started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                field_started = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                field_started = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if field_started || !field.is_empty() || !row.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                field_started = false;
                line += 1;
                row_line = line;
            }
            _ => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if quoted {
        return Err(PtbxlError::Unterminated {
            file,
            line: row_line,
        });
    }
    if field_started || !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

/// A CSV table: header names and rows.
struct Table {
    file: &'static str,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn parse(bytes: &[u8], file: &'static str) -> Result<Table, PtbxlError> {
        let text = std::str::from_utf8(bytes).map_err(|e| PtbxlError::NotText {
            file,
            offset: e.valid_up_to(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rows = csv_rows(text, file)?;
        if rows.len() < 2 {
            return Err(PtbxlError::Empty { file });
        }
        let header = rows.remove(0).1;
        for (line, r) in &rows {
            if r.len() < header.len() {
                return Err(PtbxlError::Ragged {
                    file,
                    line: *line,
                    expected: header.len(),
                    found: r.len(),
                });
            }
        }
        Ok(Table { file, header, rows })
    }

    fn column(&self, name: &'static str) -> Result<usize, PtbxlError> {
        self.header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or(PtbxlError::MissingColumn {
                file: self.file,
                column: name,
            })
    }

    fn field_error(
        &self,
        line: usize,
        column: &'static str,
        found: &str,
        expected: &'static str,
    ) -> PtbxlError {
        PtbxlError::Field {
            file: self.file,
            line,
            column,
            found: found.chars().take(60).collect(),
            expected,
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Parses a Python dict literal of string keys and numbers, `{'NORM': 100.0, 'SR': 0.0}`.
/// Returns `None` when the text is not one.
pub fn parse_scp_codes(text: &str) -> Option<Vec<ScpCode>> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut out = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let quote = rest.chars().next().filter(|q| *q == '\'' || *q == '"')?;
        let after = &rest[1..];
        let end = after.find(quote)?;
        let code = after[..end].to_string();
        let after = after[end + 1..].trim_start().strip_prefix(':')?;
        let (number, tail) = match after.find(',') {
            Some(i) => (&after[..i], &after[i + 1..]),
            None => (after, ""),
        };
        let likelihood_percent: f64 = number.trim().parse().ok()?;
        out.push(ScpCode {
            code,
            likelihood_percent,
        });
        rest = tail.trim_start();
    }
    Some(out)
}

/// Reads `ptbxl_database.csv`.
pub fn read_database(bytes: &[u8]) -> Result<Vec<PtbxlRecord>, PtbxlError> {
    let t = Table::parse(bytes, "ptbxl_database.csv")?;
    let c_id = t.column("ecg_id")?;
    let c_patient = t.column("patient_id")?;
    let c_age = t.column("age")?;
    let c_sex = t.column("sex")?;
    let c_report = t.column("report")?;
    let c_scp = t.column("scp_codes")?;
    let c_fold = t.column("strat_fold")?;
    let c_lr = t.column("filename_lr")?;
    let c_hr = t.column("filename_hr")?;
    let c_extra = t.column("extra_beats").ok();
    let c_pace = t.column("pacemaker").ok();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let line = *line;
        let float = |c: usize, name: &'static str| -> Result<Option<f64>, PtbxlError> {
            let s = r[c].trim();
            if s.is_empty() || s.eq_ignore_ascii_case("nan") {
                return Ok(None);
            }
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(t.field_error(line, name, s, "a number")),
            }
        };
        let whole = |v: f64, name: &'static str, max: f64| -> Result<u32, PtbxlError> {
            if v.fract() == 0.0 && (0.0..=max).contains(&v) {
                Ok(v as u32)
            } else {
                Err(t.field_error(line, name, &v.to_string(), "a whole number"))
            }
        };
        let ecg_id = float(c_id, "ecg_id")?
            .ok_or_else(|| t.field_error(line, "ecg_id", &r[c_id], "an ECG id"))?;
        let ecg_id = whole(ecg_id, "ecg_id", f64::from(u32::MAX))?;
        let patient_id = match float(c_patient, "patient_id")? {
            Some(v) => Some(whole(v, "patient_id", f64::from(u32::MAX))?),
            None => None,
        };
        let age_years = float(c_age, "age")?.map(|v| v as f32);
        let sex = match r[c_sex].trim() {
            "" => None,
            "0" | "0.0" => Some(Sex::Male),
            "1" | "1.0" => Some(Sex::Female),
            other => return Err(t.field_error(line, "sex", other, "0 (male) or 1 (female)")),
        };
        let scp_codes = parse_scp_codes(&r[c_scp]).ok_or_else(|| {
            t.field_error(
                line,
                "scp_codes",
                &r[c_scp],
                "a dict such as {'NORM': 100.0}",
            )
        })?;
        let fold = float(c_fold, "strat_fold")?
            .ok_or_else(|| t.field_error(line, "strat_fold", &r[c_fold], "a fold 1–10"))?;
        let strat_fold = whole(fold, "strat_fold", 255.0)? as u8;
        out.push(PtbxlRecord {
            ecg_id,
            patient_id,
            age_years,
            sex,
            report: r[c_report].trim().to_string(),
            scp_codes,
            strat_fold,
            filename_lr: r[c_lr].trim().to_string(),
            filename_hr: r[c_hr].trim().to_string(),
            extra_beats: c_extra.and_then(|c| non_empty(&r[c])),
            pacemaker: c_pace.and_then(|c| non_empty(&r[c])),
        });
    }
    Ok(out)
}

/// Reads `scp_statements.csv`.
pub fn read_statements(bytes: &[u8]) -> Result<Vec<ScpStatement>, PtbxlError> {
    let t = Table::parse(bytes, "scp_statements.csv")?;
    let c_desc = t.column("description")?;
    let c_diag = t.column("diagnostic")?;
    let c_form = t.column("form")?;
    let c_rhythm = t.column("rhythm")?;
    let c_class = t.column("diagnostic_class")?;
    let c_sub = t.column("diagnostic_subclass")?;
    let c_cat = t.column("Statement Category")?;
    let c_scp = t.column("SCP-ECG Statement Description")?;
    let c_aha = t.column("AHA code").ok();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let flag = |c: usize, name: &'static str| -> Result<bool, PtbxlError> {
            match r[c].trim() {
                "" | "0" | "0.0" => Ok(false),
                "1" | "1.0" => Ok(true),
                other => Err(t.field_error(*line, name, other, "1.0 or empty")),
            }
        };
        let code = r[0].trim().to_string();
        if code.is_empty() {
            return Err(t.field_error(*line, "(code)", "", "a statement code"));
        }
        out.push(ScpStatement {
            code,
            description: r[c_desc].trim().to_string(),
            diagnostic: flag(c_diag, "diagnostic")?,
            form: flag(c_form, "form")?,
            rhythm: flag(c_rhythm, "rhythm")?,
            diagnostic_class: non_empty(&r[c_class]),
            diagnostic_subclass: non_empty(&r[c_sub]),
            category: r[c_cat].trim().to_string(),
            scp_description: r[c_scp].trim().to_string(),
            aha_code: c_aha.and_then(|c| non_empty(&r[c])),
        });
    }
    Ok(out)
}

impl PtbxlRecord {
    /// The record's statements with their descriptions, in the order the record lists them.
    pub fn statements<'a>(&'a self, table: &'a [ScpStatement]) -> Vec<RecordStatement<'a>> {
        self.scp_codes
            .iter()
            .map(|code| RecordStatement {
                code,
                statement: table.iter().find(|s| s.code == code.code),
                beats: scp_beat_hint(&code.code),
            })
            .collect()
    }

    /// What the record's statements say about its beats ([`SCP_BEAT_STATEMENTS`]), each hint
    /// once, in the order found.
    pub fn beat_hints(&self) -> Vec<BeatHint> {
        let mut out: Vec<BeatHint> = Vec::new();
        for h in self.scp_codes.iter().filter_map(|c| scp_beat_hint(&c.code)) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
        out
    }

    /// The record's WFDB path (without extension) at `fs_hz` 100 or 500.
    pub fn filename(&self, fs_hz: f64) -> Option<&str> {
        if fs_hz == 100.0 {
            Some(&self.filename_lr)
        } else if fs_hz == 500.0 {
            Some(&self.filename_hr)
        } else {
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Challenge headers
// ---------------------------------------------------------------------------------------------

/// The demographic and label comments of a Challenge-style WFDB header.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChallengeLabels {
    /// `Age:` in years (`NaN` or absent → `None`).
    pub age_years: Option<f32>,
    /// `Sex:` (`Male`/`M`, `Female`/`F`; `Unknown` or absent → `None`).
    pub sex: Option<Sex>,
    /// `Dx:` SNOMED CT codes, in the order written.
    pub dx_snomed: Vec<u64>,
    /// `Rx:` (medication), if not `Unknown`.
    pub rx: Option<String>,
    /// `Hx:` (history), if not `Unknown`.
    pub hx: Option<String>,
    /// `Sx:` (symptoms), if not `Unknown`.
    pub sx: Option<String>,
}

impl ChallengeLabels {
    /// The [`SNOMED_BEAT_CODES`] entries among the record's codes.
    pub fn beat_codes(&self) -> Vec<&'static SnomedBeatCode> {
        self.dx_snomed
            .iter()
            .filter_map(|&c| snomed_beat_code(c))
            .collect()
    }
}

/// Reads `Key: value` header comments (as [`crate::Record::comments`] holds them, without the
/// leading `#`; a leading `#` is also accepted). Keys are case-insensitive; other comments are
/// ignored.
pub fn parse_challenge_comments<S: AsRef<str>>(
    comments: &[S],
) -> Result<ChallengeLabels, PtbxlError> {
    let mut out = ChallengeLabels::default();
    let known = |s: &str| {
        let t = s.trim();
        (!t.is_empty() && !t.eq_ignore_ascii_case("unknown") && !t.eq_ignore_ascii_case("nan"))
            .then(|| t.to_string())
    };
    for comment in comments {
        let c = comment.as_ref().trim().trim_start_matches('#').trim();
        let Some((key, value)) = c.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "age" => {
                out.age_years = match known(value) {
                    None => None,
                    Some(v) => Some(
                        v.parse::<f32>()
                            .ok()
                            .filter(|a| a.is_finite() && *a >= 0.0)
                            .ok_or(PtbxlError::Comment {
                                key: "Age",
                                found: v,
                                expected: "an age in years, or NaN",
                            })?,
                    ),
                }
            }
            "sex" => {
                out.sex = match value.to_ascii_lowercase().as_str() {
                    "male" | "m" => Some(Sex::Male),
                    "female" | "f" => Some(Sex::Female),
                    "" | "unknown" | "nan" => None,
                    _ => {
                        return Err(PtbxlError::Comment {
                            key: "Sex",
                            found: value.to_string(),
                            expected: "Male, Female or Unknown",
                        });
                    }
                }
            }
            "dx" => {
                out.dx_snomed = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.parse::<u64>().map_err(|_| PtbxlError::Comment {
                            key: "Dx",
                            found: s.to_string(),
                            expected: "a SNOMED CT code (digits), codes separated by commas",
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "rx" => out.rx = known(value),
            "hx" => out.hx = known(value),
            "sx" => out.sx = known(value),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_code_dicts_parse() {
        let codes =
            parse_scp_codes("{'NORM': 100.0, 'RAO/RAE': 50.0, 'PRC(S)': 0.0}").expect("dict");
        let pairs: Vec<(&str, f64)> = codes
            .iter()
            .map(|c| (c.code.as_str(), c.likelihood_percent))
            .collect();
        assert_eq!(pairs, [("NORM", 100.0), ("RAO/RAE", 50.0), ("PRC(S)", 0.0)]);
        assert_eq!(parse_scp_codes("{}"), Some(vec![]));
        assert_eq!(parse_scp_codes(" {\"SR\": 0} ").map(|v| v.len()), Some(1));
        for bad in [
            "",
            "NORM",
            "{'NORM' 100}",
            "{'NORM': x}",
            "{'NORM: 1}",
            "{NORM: 1}",
        ] {
            assert_eq!(parse_scp_codes(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_rows_follow_rfc_4180() {
        let rows = csv_rows("a,\"b,c\",\"d \"\"e\"\"\"\r\n\n1,\"x\ny\",\n", "t").expect("csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            (1, vec!["a".into(), "b,c".into(), "d \"e\"".into()])
        );
        assert_eq!(rows[1], (3, vec!["1".into(), "x\ny".into(), String::new()]));
        assert_eq!(
            csv_rows("a,\"b\n", "t"),
            Err(PtbxlError::Unterminated { file: "t", line: 1 })
        );
    }

    #[test]
    fn database_errors_name_line_and_column() {
        let head =
            "ecg_id,patient_id,age,sex,report,scp_codes,strat_fold,filename_lr,filename_hr\n";
        let ok = format!("{head}1,15709.0,56.0,1,text,\"{{'NORM': 100.0}}\",3,a_lr,a_hr\n");
        let r = read_database(ok.as_bytes()).expect("valid");
        assert_eq!(r[0].sex, Some(Sex::Female));
        assert_eq!(r[0].patient_id, Some(15709));
        assert_eq!(r[0].extra_beats, None);
        let bad = format!("{head}1,15709.0,56.0,1,text,NORM,3,a_lr,a_hr\n");
        assert!(matches!(
            read_database(bad.as_bytes()),
            Err(PtbxlError::Field {
                line: 2,
                column: "scp_codes",
                ..
            })
        ));
        let bad = format!("{head}1,15709.5,56.0,1,text,{{}},3,a_lr,a_hr\n");
        assert_eq!(
            read_database(bad.as_bytes()),
            Err(PtbxlError::Field {
                file: "ptbxl_database.csv",
                line: 2,
                column: "patient_id",
                found: "15709.5".into(),
                expected: "a whole number"
            })
        );
        let bad = format!("{head}1,15709.0,56.0,2,text,{{}},3,a_lr,a_hr\n");
        assert!(matches!(
            read_database(bad.as_bytes()),
            Err(PtbxlError::Field { column: "sex", .. })
        ));
        assert_eq!(
            read_database(b"ecg_id,age\n1,2\n"),
            Err(PtbxlError::MissingColumn {
                file: "ptbxl_database.csv",
                column: "patient_id"
            })
        );
        assert_eq!(
            read_database(head.as_bytes()),
            Err(PtbxlError::Empty {
                file: "ptbxl_database.csv"
            })
        );
        assert!(matches!(
            read_database(b"\xff\xfe"),
            Err(PtbxlError::NotText { .. })
        ));
    }

    #[test]
    fn beat_tables_are_consistent() {
        for (i, (code, _)) in SCP_BEAT_STATEMENTS.iter().enumerate() {
            assert!(
                SCP_BEAT_STATEMENTS[..i].iter().all(|(c, _)| c != code),
                "{code} twice"
            );
        }
        for (i, s) in SNOMED_BEAT_CODES.iter().enumerate() {
            assert!(
                SNOMED_BEAT_CODES[..i].iter().all(|t| t.code != s.code),
                "{} twice",
                s.code
            );
            assert!(
                SNOMED_BEAT_CODES[..i]
                    .iter()
                    .all(|t| t.abbreviation != s.abbreviation)
            );
        }
        // The pairs the Challenge scores as one diagnosis have one class.
        for (a, b) in [(427172004, 17338001), (284470004, 63593006)] {
            assert_eq!(
                snomed_beat_code(a).map(|s| s.beats),
                snomed_beat_code(b).map(|s| s.beats)
            );
        }
        assert_eq!(scp_beat_hint("PVC"), Some(BeatHint::Class(AamiClass::V)));
        assert_eq!(scp_beat_hint("NORM"), None);
    }
}
