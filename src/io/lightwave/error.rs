//! [`LightwaveError`]: why a LightWAVE answer could not be used.

/// Why a LightWAVE answer could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LightwaveError {
    /// The server URL is not one the page can use.
    #[error("{url:?} is not a LightWAVE server address: {reason}")]
    BadServer {
        /// What was given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The answer is not the JSON the service sends.
    #[error("the LightWAVE answer to {what} is not what the service sends: {reason}")]
    Json {
        /// Which request (`info`, `fetch`, …).
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The server answered with `"success": false`.
    #[error("the LightWAVE server refused {what}: {message}")]
    Refused {
        /// Which request.
        what: &'static str,
        /// The server's `error` text.
        message: String,
    },
    /// The record is of a kind the assembler does not rebuild.
    #[error(
        "record {record} cannot be fetched through LightWAVE: {reason} — download its files and drop them here instead"
    )]
    Unsupported {
        /// Record name.
        record: String,
        /// Why.
        reason: String,
    },
    /// An answer disagrees with the record's `info` or with another answer.
    #[error("record {record}: the LightWAVE answers disagree: {reason}")]
    Mismatch {
        /// Record name.
        record: String,
        /// What disagrees.
        reason: String,
    },
    /// Not every sample arrived.
    #[error("record {record}: samples {missing} never arrived; fetch the record again")]
    Incomplete {
        /// Record name.
        record: String,
        /// The missing ranges of frames, as text (`0–21599, 43200–64799`).
        missing: String,
    },
}
