//! Readers and writers of the files users hold: WFDB records, CSV files, zip archives, PTB-XL
//! metadata and Challenge header labels; and the pure side of fetching records from servers
//! (LightWAVE's JSON service, WFDB folders at a URL).
//!
//! Every reader takes bytes, never paths, so one code path serves browser uploads and the CLI.

pub mod catalogue;
pub mod csv;
pub mod files;
#[cfg(not(target_arch = "wasm32"))]
pub mod fs;
pub mod lightwave;
pub mod limits;
pub mod parts;
pub mod ptbxl;
pub mod remote;
pub mod wfdb;
pub mod zip;
