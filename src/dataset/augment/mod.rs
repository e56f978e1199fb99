//! Augmentation of single beat windows: seven techniques, the ranges their parameters are drawn
//! from, and an [`Augmenter`] that applies them to many beats without re-planning FFTs.
//!
//! Units: windows in mV, rates in Hz, positions and shifts in samples of the window's own rate,
//! signal-to-noise ratios in dB. Every technique maps a window of `L` samples to a new window of
//! `L` samples and never changes its label; the R peak is at `r_index` on input and stays there
//! except under [`Technique::TimeShift`], whose very purpose is to move it.
//!
//! Randomness: every random choice (noise samples, warp shape, phases, parameter draws) comes
//! from [`crate::rng::Rng`] seeded explicitly, so a seed gives the same window natively and in
//! the page.
//!
//! Three levels, from the most explicit to the most convenient:
//! 1. one pure function per technique with its exact parameter values ([`gaussian_noise`],
//!    [`time_warp`], [`amplitude_scale`], [`time_shift`], [`frequency_shift`],
//!    [`baseline_wander`], [`power_line`]), or [`augment`] with an [`Augmentation`] value;
//! 2. [`augment_random`]: draw the parameters of one [`Technique`] from [`TechniqueRanges`], then
//!    apply;
//! 3. [`Augmenter`]: the same, for many beats in a row, with the FFT plan and buffers kept
//!    between beats (what [`super::rebalance`] uses).
//!
//! Nothing here knows about training and test sets. Augmented beats are meant for the training
//! split only; [`super::rebalance::rebalance`] is the one entry point that creates them in bulk.

mod augmentation;
mod augmenter;
mod check;
mod error;
mod kernels;
mod limits;
mod preview;
mod pure;
mod ranges;
mod technique;
#[cfg(test)]
mod tests;

pub use augmentation::Augmentation;
pub use augmenter::Augmenter;
pub use check::check_layout;
pub use error::AugmentError;
pub use kernels::signal_power_mv2;
pub use limits::{
    LIMIT_MAX_SHIFT_MS, LIMIT_POWER_LINE_AMPLITUDE_MV, LIMIT_SCALE_FACTOR, LIMIT_SHIFT_HZ,
    LIMIT_SNR_DB, LIMIT_WANDER_AMPLITUDE_MV, LIMIT_WANDER_FREQ_HZ, LIMIT_WARP_STRENGTH, LIMITS,
    Limit, ParamRange,
};
pub use preview::{Preview, PreviewDraw, preview};
pub use pure::{
    amplitude_scale, augment, augment_random, baseline_wander, frequency_shift, gaussian_noise,
    power_line, time_shift, time_shift_kept, time_warp, time_warp_positions,
};
pub use ranges::{
    FrequencyShiftRange, NoiseRange, PowerLineRange, ScaleRange, ShiftRange, TechniqueRanges,
    TimeWarpRange, WanderRange,
};
pub use technique::{Mains, MainsChoice, N_TECHNIQUES, TECHNIQUE_NAMES, Technique};

/// Shortest window any technique accepts, in samples.
pub const MIN_WINDOW_SAMPLES: usize = 4;

/// Number of sinusoids summed by [`Technique::BaselineWander`].
pub const WANDER_COMPONENTS: usize = 3;

/// Most augmentations [`preview`] draws per technique.
pub const MAX_PREVIEW_PER_TECHNIQUE: usize = 64;
