//! Readers and writers of the files users hold: WFDB records, CSV files, zip archives, PTB-XL
//! metadata and Challenge header labels.
//!
//! Every reader takes bytes, never paths, so one code path serves browser uploads and the CLI.

pub mod csv;
pub mod files;
pub mod ptbxl;
pub mod wfdb;
pub mod zip;
