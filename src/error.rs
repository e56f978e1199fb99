//! The crate's error type: one enum per area, gathered here. Messages say what was expected and
//! what was found, in words a user can act on.

/// Any error the core can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input that is not tied to one file format (settings, arguments).
    #[error("{0}")]
    Invalid(String),
    /// Augmentation or rebalancing settings, or a cancelled rebalancing.
    #[error(transparent)]
    Augment(#[from] crate::dataset::augment::AugmentError),
}
