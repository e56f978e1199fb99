//! [`AugmentError`]: what augmentation and rebalancing refuse, in words a user can act on.

use crate::ecg::aami::AamiClass;

/// Errors of augmentation and rebalancing: settings out of range, windows that cannot be
/// augmented, and cancellation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AugmentError {
    /// The window is too short.
    #[error("beat window of {len_samples} samples; augmentation needs at least {min_samples}")]
    WindowTooShort {
        /// Samples in the window.
        len_samples: usize,
        /// Minimum accepted.
        min_samples: usize,
    },
    /// The R-peak index is not inside the window.
    #[error("R peak at sample {r_index} is outside the window of {len_samples} samples")]
    RIndexOutside {
        /// Given R index.
        r_index: usize,
        /// Samples in the window.
        len_samples: usize,
    },
    /// The sampling rate is not a positive finite number.
    #[error("sampling rate of {fs_hz} Hz; expected a positive, finite rate")]
    BadRate {
        /// Given rate, Hz.
        fs_hz: f32,
    },
    /// A window holds a value that is not finite.
    #[error("window sample {index} is {value}; augmentation needs finite values (beat {beat:?})")]
    NonFinite {
        /// Index of the beat in its set, when known.
        beat: Option<usize>,
        /// Sample index in the window.
        index: usize,
        /// The value found.
        value: f32,
    },
    /// A parameter is outside the values this module accepts.
    #[error("{parameter} = {value}; choose a value from {min} to {max}")]
    OutOfRange {
        /// Parameter name, with its unit.
        parameter: &'static str,
        /// Value given.
        value: f64,
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// A range has its bounds the wrong way round.
    #[error("{parameter}: range {min} to {max} is reversed; put the smaller value first")]
    ReversedRange {
        /// Parameter name, with its unit.
        parameter: &'static str,
        /// Given lower bound.
        min: f64,
        /// Given upper bound.
        max: f64,
    },
    /// A frequency cannot be represented at the window's rate.
    #[error(
        "{what} at {freq_hz} Hz is not below the Nyquist frequency ({nyquist_hz} Hz) of windows sampled at {fs_hz} Hz; lower it or leave the technique out"
    )]
    AboveNyquist {
        /// What the frequency belongs to.
        what: &'static str,
        /// The frequency, Hz.
        freq_hz: f64,
        /// Half the window's rate, Hz.
        nyquist_hz: f64,
        /// The window's rate, Hz.
        fs_hz: f32,
    },
    /// A technique name that is not known.
    #[error("unknown augmentation technique {input:?}; choose from {known}")]
    UnknownTechnique {
        /// What was given.
        input: String,
        /// The names accepted.
        known: String,
    },
    /// A class must be augmented but has no technique to augment it with.
    #[error(
        "class {class} needs {needed} augmented beats but has no augmentation technique; give it at least one"
    )]
    NoTechnique {
        /// The class.
        class: AamiClass,
        /// Beats it would need.
        needed: usize,
    },
    /// A rebalancing plan that cannot be read or used.
    #[error(
        "rebalancing plan {input:?}: {reason}; write seed, balance:K, ratio:R or custom:N,S,V,F,Q"
    )]
    BadPlan {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The plan would produce more beats than can be held.
    #[error(
        "the plan asks for {requested} beats; at most {max} can be generated — lower the targets"
    )]
    TooManyBeats {
        /// Beats the plan asks for.
        requested: usize,
        /// The limit.
        max: usize,
    },
    /// The caller cancelled through the progress callback.
    #[error("cancelled after {done} of {total} beats")]
    Cancelled {
        /// Beats produced before cancelling.
        done: usize,
        /// Beats the plan asked for.
        total: usize,
    },
}
