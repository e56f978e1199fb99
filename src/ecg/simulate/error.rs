//! [`SimulateError`]: invalid simulation settings.

/// Invalid simulation settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// A setting out of its range.
    #[error("{what}: {reason}")]
    Invalid {
        /// The setting.
        what: &'static str,
        /// What was expected and what was found.
        reason: String,
    },
    /// A fit needs beats of a class that the training set does not hold.
    #[error("no {class} beats in the training set to fit the {class} model to")]
    NoBeats {
        /// The class code.
        class: String,
    },
}

pub(super) fn invalid(what: &'static str, reason: String) -> SimulateError {
    SimulateError::Invalid { what, reason }
}
