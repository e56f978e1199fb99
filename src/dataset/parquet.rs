//! Beat sets as Apache Parquet: the columnar file pandas, PyTorch, Spark, Dask and Ray read.
//!
//! One row per beat, in the set's order:
//!
//! | column | Parquet type | holds |
//! |---|---|---|
//! | `samples` | `LIST<FLOAT>` | the window: `window_len` values, mV (a beat file's own units) |
//! | `samples_2` | `LIST<FLOAT>` | the second lead's window, only when every beat has one |
//! | `label` | `STRING` | the AAMI EC57 class code: `N`, `S`, `V`, `F` or `Q` |
//! | `label_index` | `INT32` | the class index the project uses: N 0, S 1, V 2, F 3, Q 4 (the Kaggle CSV's last column) |
//! | `record` | `STRING` | the beat's record (its patient, for MIT-BIH) |
//! | `origin` | `STRING` | `real`, `augmented` or `synthetic` ([`Origin::name`]) |
//! | `r_sample` | `INT64` | the R peak in the source record, samples at the record's own rate |
//! | `pre_rr_s` … `post_over_long` | `FLOAT` | the [`N_RR`] RR features, named as in [`RrFeatures::NAMES`]; `NaN` where unknown (beat files) |
//!
//! An augmented beat keeps its source beat's `record` and `r_sample`: grouping by both keeps a
//! beat and its copies on one side of a split. The file's key-value metadata holds the window
//! layout: `fs_hz` (Hz), `window_len` (samples) and `r_index` (the R peak's index in
//! `samples`), plus `writer` (this program and version).
//!
//! Every column is `REQUIRED` (no nulls; the lists' elements too). The file is written with
//! parquet-rs's low-level column writers (no Arrow, which the page would have to carry) and no
//! compression: windows of resampled floating-point millivolts barely compress, and leaving
//! the codecs out keeps the page small. The strings are dictionary-encoded (five labels, three
//! origins, a few dozen records cost a few bits per row); the floats are written plain.
//! Row groups hold at most about 64 MiB of beats, so a reader never needs more at once.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use ::parquet::data_type::{ByteArray, ByteArrayType, FloatType, Int32Type, Int64Type};
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use ::parquet::schema::parser::parse_message_type;
use ::parquet::schema::types::ColumnPath;

use super::{BeatSet, N_RR, Origin};
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::RrFeatures;

/// Key of the window rate (Hz) in the file's key-value metadata.
pub const META_FS_HZ: &str = "fs_hz";
/// Key of the window length (samples per list in `samples`) in the key-value metadata.
pub const META_WINDOW_LEN: &str = "window_len";
/// Key of the R peak's index within each window in the key-value metadata.
pub const META_R_INDEX: &str = "r_index";
/// Key naming the program that wrote the file, in the key-value metadata.
pub const META_WRITER: &str = "writer";

/// Bytes of beats a row group holds at most: a reader (pandas reading one group, Spark one task)
/// never holds more than this for one group.
const ROW_GROUP_BYTES: usize = 64 << 20;

/// Beats handed to a column writer at once: bounds the level arrays built beside the values.
const BATCH_BEATS: usize = 4096;

/// Why a beat set could not be written as Parquet.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParquetExportError {
    /// Rows outside the set were asked for.
    #[error("beats {start} to {end} were asked of a set of {len} beats")]
    Rows {
        /// First row asked.
        start: usize,
        /// One past the last row asked.
        end: usize,
        /// Beats in the set.
        len: usize,
    },
    /// The set's columns do not agree with each other (a bug, not a user's mistake).
    #[error("the beat set is inconsistent: {0}")]
    Inconsistent(String),
    /// The Parquet writer failed (for a file: the disk is full, or it cannot be written).
    #[error("the Parquet file could not be written: {0}")]
    Write(String),
}

impl From<ParquetError> for ParquetExportError {
    fn from(e: ParquetError) -> Self {
        ParquetExportError::Write(e.to_string())
    }
}

/// One column of the file, in file order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    /// The window of the beat lead.
    Samples,
    /// The window of the second lead.
    Samples2,
    Label,
    LabelIndex,
    Record,
    Origin,
    RSample,
    /// RR feature `k` of [`RrFeatures::NAMES`].
    Rr(usize),
}

impl Column {
    /// The columns of a file, with `samples_2` when `second_lead`.
    fn all(second_lead: bool) -> Vec<Column> {
        let mut out = vec![Column::Samples];
        if second_lead {
            out.push(Column::Samples2);
        }
        out.extend([
            Column::Label,
            Column::LabelIndex,
            Column::Record,
            Column::Origin,
            Column::RSample,
        ]);
        out.extend((0..N_RR).map(Column::Rr));
        out
    }

    /// The column's name in the file.
    fn name(self) -> &'static str {
        match self {
            Column::Samples => "samples",
            Column::Samples2 => "samples_2",
            Column::Label => "label",
            Column::LabelIndex => "label_index",
            Column::Record => "record",
            Column::Origin => "origin",
            Column::RSample => "r_sample",
            Column::Rr(k) => RrFeatures::NAMES[k],
        }
    }

    /// The column's schema, in Parquet's message syntax. Lists use the three-level layout of
    /// the format's LogicalTypes.md (`list` / `element`), which every reader understands.
    fn schema(self) -> String {
        let name = self.name();
        match self {
            Column::Samples | Column::Samples2 => format!(
                "REQUIRED GROUP {name} (LIST) {{ REPEATED GROUP list {{ REQUIRED FLOAT element; }} }}"
            ),
            Column::Label | Column::Record | Column::Origin => {
                format!("REQUIRED BYTE_ARRAY {name} (UTF8);")
            }
            Column::LabelIndex => format!("REQUIRED INT32 {name};"),
            Column::RSample => format!("REQUIRED INT64 {name};"),
            Column::Rr(_) => format!("REQUIRED FLOAT {name};"),
        }
    }

    /// True for the low-cardinality columns worth a dictionary.
    fn dictionary(self) -> bool {
        matches!(
            self,
            Column::Label | Column::LabelIndex | Column::Record | Column::Origin
        )
    }
}

/// The file's schema (every column in order) in Parquet's message syntax.
pub fn schema_message(second_lead: bool) -> String {
    let fields: Vec<String> = Column::all(second_lead)
        .into_iter()
        .map(Column::schema)
        .collect();
    format!("message beats {{ {} }}", fields.join(" "))
}

impl BeatSet {
    /// The whole set as one Parquet file (see the module docs for its columns).
    pub fn to_parquet(&self) -> Result<Vec<u8>, ParquetExportError> {
        self.write_parquet(0..self.len(), Vec::new())
    }

    /// Writes beats `rows` (in the set's order) as one Parquet file to `out` and gives `out`
    /// back; a shard of a folder when `rows` is part of the set.
    pub fn write_parquet<W: Write + Send>(
        &self,
        rows: Range<usize>,
        out: W,
    ) -> Result<W, ParquetExportError> {
        if rows.start > rows.end || rows.end > self.len() {
            return Err(ParquetExportError::Rows {
                start: rows.start,
                end: rows.end,
                len: self.len(),
            });
        }
        self.check_columns()?;
        let two = self.has_second_lead();
        let columns = Column::all(two);
        let schema = parse_message_type(&schema_message(two))?;
        let layout = self.layout;
        let meta = vec![
            KeyValue::new(META_FS_HZ.into(), layout.fs_hz.to_string()),
            KeyValue::new(META_WINDOW_LEN.into(), layout.len.to_string()),
            KeyValue::new(META_R_INDEX.into(), layout.r_index.to_string()),
            KeyValue::new(
                META_WRITER.into(),
                format!("ECG Balance Lab {}", env!("CARGO_PKG_VERSION")),
            ),
        ];
        let mut props = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_key_value_metadata(Some(meta));
        for c in &columns {
            if c.dictionary() {
                props = props.set_column_dictionary_enabled(ColumnPath::from(c.name()), true);
            }
        }
        let mut writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props.build()))?;
        let strings = Strings::of(self);
        // A beat's values (4 bytes each), the two levels (2 bytes each) of each list value, and
        // about 32 bytes of labels, ids and positions.
        let lists = if two { 2 } else { 1 };
        let beat_bytes = 4 * (lists * layout.len + N_RR) + 4 * lists * layout.len + 32;
        let per_group = (ROW_GROUP_BYTES / beat_bytes).max(1);
        let mut start = rows.start;
        while start < rows.end {
            let end = (start + per_group).min(rows.end);
            let mut group = writer.next_row_group()?;
            let mut next = columns.iter();
            while let Some(mut column) = group.next_column()? {
                let Some(&which) = next.next() else {
                    return Err(ParquetExportError::Write(
                        "the writer has more columns than the schema".into(),
                    ));
                };
                let mut batch = start;
                while batch < end {
                    let stop = (batch + BATCH_BEATS).min(end);
                    self.write_column(which, batch..stop, &strings, &mut column)?;
                    batch = stop;
                }
                column.close()?;
            }
            group.close()?;
            start = end;
        }
        Ok(writer.into_inner()?)
    }

    /// Checks the columns have one entry per beat (windows and RR features their multiple).
    fn check_columns(&self) -> Result<(), ParquetExportError> {
        let n = self.len();
        let l = self.layout.len;
        let bad = |what: &str, got: usize, want: usize| {
            Err(ParquetExportError::Inconsistent(format!(
                "{what} holds {got} values where {n} beats need {want}"
            )))
        };
        if self.windows.len() != n * l {
            return bad("the windows column", self.windows.len(), n * l);
        }
        if self.rr.len() != n * N_RR {
            return bad("the RR features", self.rr.len(), n * N_RR);
        }
        for (what, got) in [
            ("the record ids", self.record_id.len()),
            ("the R samples", self.r_sample.len()),
            ("the origins", self.origin.len()),
        ] {
            if got != n {
                return bad(what, got, n);
            }
        }
        if l == 0 && n > 0 {
            return Err(ParquetExportError::Inconsistent(
                "windows of 0 samples cannot be written as lists of samples".into(),
            ));
        }
        Ok(())
    }

    /// Writes beats `rows` of one column.
    fn write_column(
        &self,
        which: Column,
        rows: Range<usize>,
        strings: &Strings,
        column: &mut SerializedColumnWriter<'_>,
    ) -> Result<(), ParquetExportError> {
        let l = self.layout.len;
        match which {
            Column::Samples | Column::Samples2 => {
                let source = if which == Column::Samples {
                    &self.windows
                } else {
                    &self.windows_2
                };
                let values = &source[rows.start * l..rows.end * l];
                // Every value is present (definition level 1, the element's); a repetition
                // level of 0 starts a new beat's list, 1 continues it.
                let def = vec![1i16; values.len()];
                let rep: Vec<i16> = (0..values.len()).map(|k| i16::from(k % l != 0)).collect();
                column
                    .typed::<FloatType>()
                    .write_batch(values, Some(&def), Some(&rep))?;
            }
            Column::Label => {
                let values: Vec<ByteArray> = self.labels[rows]
                    .iter()
                    .map(|c| strings.labels[c.index()].clone())
                    .collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            }
            Column::LabelIndex => {
                let values: Vec<i32> = self.labels[rows].iter().map(|c| c.index() as i32).collect();
                column
                    .typed::<Int32Type>()
                    .write_batch(&values, None, None)?;
            }
            Column::Record => {
                let values: Vec<ByteArray> = self.record_id[rows]
                    .iter()
                    .map(|&r| {
                        strings
                            .records
                            .get(r as usize)
                            .unwrap_or(&strings.no_record)
                            .clone()
                    })
                    .collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            }
            Column::Origin => {
                let values: Vec<ByteArray> = self.origin[rows]
                    .iter()
                    .map(|o| strings.origins[origin_slot(*o)].clone())
                    .collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            }
            Column::RSample => {
                let values: Vec<i64> = self.r_sample[rows]
                    .iter()
                    .map(|&r| i64::try_from(r).unwrap_or(i64::MAX))
                    .collect();
                column
                    .typed::<Int64Type>()
                    .write_batch(&values, None, None)?;
            }
            Column::Rr(k) => {
                let values: Vec<f32> = rows.map(|i| self.rr[i * N_RR + k]).collect();
                column
                    .typed::<FloatType>()
                    .write_batch(&values, None, None)?;
            }
        }
        Ok(())
    }
}

/// The strings of a file made once (a row then shares its bytes).
struct Strings {
    labels: Vec<ByteArray>,
    origins: Vec<ByteArray>,
    records: Vec<ByteArray>,
    /// For a record id past the names (as [`BeatSet::record_of`], an empty name).
    no_record: ByteArray,
}

impl Strings {
    fn of(set: &BeatSet) -> Self {
        let bytes = |s: &str| ByteArray::from(s.as_bytes().to_vec());
        Self {
            labels: AamiClass::ALL.iter().map(|c| bytes(c.code())).collect(),
            origins: ORIGINS.iter().map(|o| bytes(o.name())).collect(),
            records: set.records.iter().map(|r| bytes(r)).collect(),
            no_record: bytes(""),
        }
    }
}

/// One origin of each kind, in the order of [`origin_slot`].
const ORIGINS: [Origin; 3] = [
    Origin::Real,
    Origin::Augmented { source: 0 },
    Origin::Synthetic,
];

fn origin_slot(o: Origin) -> usize {
    match o {
        Origin::Real => 0,
        Origin::Augmented { .. } => 1,
        Origin::Synthetic => 2,
    }
}
