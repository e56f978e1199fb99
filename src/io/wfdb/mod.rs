//! WFDB records from bytes: headers, signal files and MIT-format annotation files; and writers
//! for headers, format-16 signal files and annotation files.
//!
//! Conventions (those of WFDB and wfdb-python 4.3.1, the reference these readers are tested
//! against, sample for sample, on all 48 MIT-BIH records):
//!
//! - Samples are digital values in adu, `i16`. Physical value = (adu − `baseline`) /
//!   `adc_gain`, in `units`. Each format has a value marking a missing sample
//!   ([`format::FORMATS`]), carried as [`crate::Signal::invalid_adu`].
//! - Sample positions (`sample`, `sig_len`) count frames from the start of the record, at `fs`
//!   Hz.
//! - Readers take bytes, never paths; signal files are found through a lookup closure given
//!   the file name written in the header, so browser uploads, zip archives and the file system
//!   all work the same way.
//! - A signal whose header line has no description is named `signal N` (its 0-based index)
//!   in the [`crate::Record`]; [`Header`] keeps `sig_name` as `None`.
//! - Annotations are returned in file order (by time in files WFDB tools write; a negative
//!   `SKIP` can step back).
//! - Nothing here panics on malformed input: every problem is a [`WfdbError`] naming the file,
//!   line or byte offset. Checksum and initial-value mismatches are [`WfdbWarning`]s.
//!
//! Supported signal formats: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and the FLAC formats 508,
//! 516 and 524, with several signals per file, several files per record, byte offsets, skew,
//! and several samples per frame (averaged to the frame rate, as wfdb-python does by default);
//! multi-segment records, fixed or variable layout ([`multi`]). Samples wider than 16 bits
//! (formats 8, 24, 32, 524) are kept in 16 bits, exactly when they fit and otherwise with their
//! lowest bits dropped and a [`WfdbWarning::Narrowed`]. Not supported: EDF, and skew combined
//! with several samples per frame.

pub mod annotation;
pub mod error;
pub mod format;
pub mod header;
pub mod multi;
pub mod signal;
pub mod write;

pub use crate::record::codes;
pub use annotation::read_annotations;
pub use error::{WfdbError, WfdbWarning};
pub use format::{FORMATS, Format, FormatInfo};
pub use header::{Header, MultiHeader, Segment, SignalSpec, parse_header, parse_multi_header};
pub use signal::{DecodedSignals, read_signals};
pub use write::{
    RecordFiles, header_for_record, write_annotations, write_dat_16, write_header, write_record,
};

use crate::Record;
use crate::record::RecordSource;

/// A record read from WFDB files, with its header and the warnings found while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRecord {
    /// The parsed header, with `sig_len` as written (possibly `None`).
    pub header: Header,
    /// The record: signals in header order, annotations in file order.
    pub record: Record,
    /// Checksum and initial-value mismatches; the record is still what the files hold.
    pub warnings: Vec<WfdbWarning>,
}

/// Reads a record: its header, its signal files (found by name through `dat_lookup`) and,
/// optionally, one annotation file. A multi-segment record's segment headers (`SEG.hea`) and
/// their signal files are found through `dat_lookup` too ([`multi`]).
///
/// `name` becomes [`Record::name`] (use the base name of the files, e.g. `100`). The
/// record's `fs_hz` is the header's `fs`, its comments the header's comments.
pub fn read_record<'a, F>(
    name: &str,
    header_bytes: &[u8],
    dat_lookup: F,
    annotation_bytes: Option<&[u8]>,
) -> Result<Record, WfdbError>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    read_record_checked(name, header_bytes, dat_lookup, annotation_bytes).map(|r| r.record)
}

/// As [`read_record`], also returning the header and the checksum / initial-value warnings.
pub fn read_record_checked<'a, F>(
    name: &str,
    header_bytes: &[u8],
    dat_lookup: F,
    annotation_bytes: Option<&[u8]>,
) -> Result<ReadRecord, WfdbError>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    let header = match parse_header(header_bytes) {
        Err(WfdbError::MultiSegment { .. }) => {
            return multi::read_multi_segment(name, header_bytes, dat_lookup, annotation_bytes);
        }
        other => other?,
    };
    let decoded = read_signals(&header, dat_lookup)?;
    let warnings = decoded.warnings(&header);
    let annotations = match annotation_bytes {
        Some(bytes) => read_annotations(bytes)?,
        None => Vec::new(),
    };
    let record = Record {
        name: name.to_owned(),
        fs_hz: header.fs,
        signals: decoded.signals,
        annotations,
        comments: header.comments.clone(),
        source: RecordSource::Wfdb,
    };
    Ok(ReadRecord {
        header,
        record,
        warnings,
    })
}
