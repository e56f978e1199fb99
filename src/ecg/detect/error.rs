//! [`DetectError`]: what can go wrong when detecting QRS complexes.

/// What can go wrong when detecting QRS complexes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DetectError {
    /// The sampling rate is not finite or outside [`MIN_FS_HZ`](super::MIN_FS_HZ)..=[`MAX_FS_HZ`](super::MAX_FS_HZ).
    #[error(
        "sampling rate {fs_hz} Hz is not usable for QRS detection: give a rate between 50 and 100000 Hz (the band-pass reaches 15 Hz)"
    )]
    SamplingRate {
        /// The rate given, Hz.
        fs_hz: f64,
    },
    /// The signal is shorter than the learning phase.
    #[error(
        "the signal has {samples} samples but QRS detection needs at least {min_samples} (2 s, the learning phase)"
    )]
    TooShort {
        /// Samples given.
        samples: usize,
        /// Samples needed at this rate.
        min_samples: usize,
    },
    /// Every sample is missing (NaN or infinite).
    #[error("the signal holds no finite sample: every value is missing (NaN) or infinite")]
    NoFiniteSamples,
    /// The record has no lead of this index.
    #[error("lead {lead} does not exist: the record has {n_leads} lead(s), numbered from 0")]
    NoSuchLead {
        /// Index asked for.
        lead: usize,
        /// Leads in the record.
        n_leads: usize,
    },
    /// A method name that is not one of [`PeakMethod::ALL`](super::PeakMethod::ALL).
    #[error(
        "unknown QRS detection method {0:?}: use pan-tompkins-1985 or pan-tompkins-1985-lookahead"
    )]
    UnknownMethod(String),
}
