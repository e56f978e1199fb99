//! WFDB records from bytes: headers, signal files and MIT-format annotation files.

pub mod codes;
