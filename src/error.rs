//! The crate's error type: one enum per area, gathered here. Messages say what was expected and
//! what was found, in words a user can act on.

use crate::io::csv::CsvError;
use crate::io::zip::ZipError;

/// Any error the core can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input that is not tied to one file format (settings, arguments).
    #[error("{0}")]
    Invalid(String),
    /// A sampling rate outside what the readers accept.
    #[error(transparent)]
    Rate(#[from] crate::record::RateError),
    /// A CSV file could not be read.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A zip archive could not be read.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// A WFDB header, signal file or annotation file could not be read or written.
    #[error(transparent)]
    Wfdb(#[from] crate::io::wfdb::WfdbError),
    /// Augmentation or rebalancing settings, or a cancelled rebalancing.
    #[error(transparent)]
    Augment(#[from] crate::dataset::augment::AugmentError),
    /// Simulation settings (ECGSYN, synthetic beats) out of range, or a fit without beats.
    #[error(transparent)]
    Simulate(#[from] crate::ecg::simulate::SimulateError),
    /// QRS detection could not run on a signal.
    #[error(transparent)]
    Detect(#[from] crate::ecg::detect::DetectError),
    /// PTB-XL metadata or a Challenge header could not be read.
    #[error(transparent)]
    Ptbxl(#[from] crate::io::ptbxl::PtbxlError),
    /// A LightWAVE answer could not be used.
    #[error(transparent)]
    Lightwave(#[from] crate::io::lightwave::LightwaveError),
    /// Fetching from a server failed.
    #[error(transparent)]
    Remote(#[from] crate::io::remote::RemoteError),
}
