//! Errors and warnings of the WFDB readers and writers.
//!
//! Every message says what was expected and what was found, and where (header line, file name,
//! byte offset), so a user holding the files can find the problem.

use std::fmt;

/// Signal formats the readers decode, as listed in error messages.
pub(crate) const SUPPORTED_FORMATS_TEXT: &str =
    "8, 16, 24, 32, 61, 80, 160, 212, 310, 311, and FLAC 508, 516, 524";

/// Why a WFDB record, header, signal file or annotation file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WfdbError {
    /// A file that must hold data holds none.
    #[error(
        "the {file} is empty (0 bytes); expected WFDB data — was the file saved or uploaded completely?"
    )]
    Empty {
        /// Which file, in words (`header`, `annotation file`, `signal file 100.dat`).
        file: String,
    },

    /// A header line does not follow the WFDB header syntax.
    #[error("header line {line}: {reason}")]
    Header {
        /// 1-based line number in the header file (comment lines count).
        line: usize,
        /// What was expected and what was found.
        reason: String,
    },

    /// A record or signal line of the header is not UTF-8 text.
    #[error(
        "header line {line} is not text: byte 0x{byte:02x} at byte {byte_offset} of the file is not valid UTF-8; \
         record and signal lines must be ASCII (only '#' comment lines may use another encoding)"
    )]
    NotUtf8 {
        /// 1-based line number in the header file.
        line: usize,
        /// Byte offset of the offending byte from the start of the header file.
        byte_offset: usize,
        /// The offending byte.
        byte: u8,
    },

    /// The header describes a multi-segment record, which these readers do not assemble.
    #[error(
        "record {record} is a multi-segment record ({n_seg} segments); multi-segment records are not supported — \
         read each segment's header and signal files as a record of its own"
    )]
    MultiSegment {
        /// Record name from the header's record line.
        record: String,
        /// Number of segments declared.
        n_seg: String,
    },

    /// A signal uses a storage format the readers do not decode.
    #[error(
        "signal format {format} is not supported; supported formats: {}",
        SUPPORTED_FORMATS_TEXT
    )]
    UnsupportedFormat {
        /// The format as written in the header.
        format: String,
    },

    /// A header feature that is valid WFDB but not supported here (e.g. skew together with
    /// several samples per frame).
    #[error("{feature} is not supported: {detail}")]
    Unsupported {
        /// The feature, in words.
        feature: String,
        /// Which signal uses it and what to do instead.
        detail: String,
    },

    /// The header's signal descriptions contradict each other.
    #[error("inconsistent record: {reason}")]
    InvalidRecord {
        /// What contradicts what.
        reason: String,
    },

    /// A signal file named in the header was not provided.
    #[error(
        "signal file {name} is missing: the header names it, but no file of that name was given"
    )]
    MissingFile {
        /// File name as written in the header.
        name: String,
    },

    /// A signal file holds fewer bytes than the header's signal length needs.
    #[error(
        "signal file {file} is too short: the header describes {expected_bytes} bytes \
         (byte offset plus samples), but the file has {got_bytes} bytes — the file is truncated \
         or the header's signal length is wrong"
    )]
    Truncated {
        /// File name as written in the header.
        file: String,
        /// Bytes the header says the file holds (from its start).
        expected_bytes: u64,
        /// Bytes the file holds.
        got_bytes: u64,
    },

    /// A file claims more data than the readers take at once ([`crate::io::limits`]).
    #[error("{reason}")]
    TooLarge {
        /// What is too large, the limit, and what to do instead.
        reason: String,
    },

    /// An annotation file is malformed at a given position.
    #[error("annotation file, byte {byte_offset}: {reason}")]
    Annotation {
        /// Byte offset from the start of the annotation file.
        byte_offset: usize,
        /// What was expected and what was found.
        reason: String,
    },

    /// A value cannot be written in WFDB form.
    #[error("cannot write WFDB {what}: {reason}")]
    Write {
        /// What was being written (`header`, `signal file`, `annotation file`).
        what: &'static str,
        /// Which value is at fault and why.
        reason: String,
    },
}

/// A problem in a record that still lets it be read: shown to the user, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WfdbWarning {
    /// The 16-bit sum of a signal's samples differs from the header's `checksum`.
    ChecksumMismatch {
        /// Signal index in the header.
        signal: usize,
        /// Signal name (`sig_name`), or empty.
        sig_name: String,
        /// Checksum written in the header.
        header_checksum: i32,
        /// Sum of the signal's samples modulo 2^16, as a signed 16-bit value.
        computed_checksum: i16,
    },
    /// A signal's first sample differs from the header's `init_value`.
    InitValueMismatch {
        /// Signal index in the header.
        signal: usize,
        /// Signal name (`sig_name`), or empty.
        sig_name: String,
        /// `init_value` written in the header, in adu.
        header_init_value: i32,
        /// First sample stored in the signal file, in adu.
        first_sample_adu: i32,
    },
    /// A signal of a format wider than 16 bits (8, 24, 32, 524) spans more than 16 bits: it is
    /// kept at 16-bit precision, its lowest bits dropped, gain and baseline scaled to match.
    Narrowed {
        /// Signal index in the header.
        signal: usize,
        /// Signal name (`sig_name`), or empty.
        sig_name: String,
        /// The signal's format.
        fmt: u32,
        /// Low bits dropped.
        dropped_bits: u32,
    },
}

impl fmt::Display for WfdbWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChecksumMismatch {
                signal,
                sig_name,
                header_checksum,
                computed_checksum,
            } => write!(
                f,
                "signal {signal} ({sig_name}): checksum mismatch — the header says {header_checksum}, \
                 the samples sum to {computed_checksum} (mod 65536); the signal file may be damaged"
            ),
            Self::InitValueMismatch {
                signal,
                sig_name,
                header_init_value,
                first_sample_adu,
            } => write!(
                f,
                "signal {signal} ({sig_name}): the header's initial value is {header_init_value} adu \
                 but the first sample is {first_sample_adu} adu; the signal file may not belong to this header"
            ),
            Self::Narrowed {
                signal,
                sig_name,
                fmt,
                dropped_bits,
            } => write!(
                f,
                "signal {signal} ({sig_name}): its format-{fmt} samples span more than 16 bits; they are kept \
                 at 16-bit precision (the lowest {dropped_bits} bit(s) dropped, gain and baseline scaled to match)"
            ),
        }
    }
}
