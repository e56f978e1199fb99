//! QRS detection — R-peak positions in one lead — and its beat-by-beat evaluation against
//! reference annotations (ANSI/AAMI EC57).
//!
//! **Detector.** [`find_r_peaks`] implements Pan & Tompkins, "A real-time QRS detection
//! algorithm", IEEE Trans Biomed Eng 32(3):230–236, 1985 ([`PeakMethod::PanTompkins1985`]),
//! and a variant that looks 360 ms ahead ([`PeakMethod::PanTompkins1985Lookahead`], the
//! default: it scores best on MIT-BIH, see `tests/detect_mitdb.rs`). The stages:
//!
//! 1. band-pass 5–15 Hz: a 2nd-order Butterworth high-pass (5 Hz) and low-pass (15 Hz), run
//!    forwards and backwards so the output has no phase delay;
//! 2. five-point derivative `(−x[n−2] − 2x[n−1] + 2x[n+1] + x[n+2]) · fs/8` (mV/s);
//! 3. squaring;
//! 4. moving-window integration over 150 ms, centred;
//! 5. peaks of the integrated signal: local maxima that are the largest within 200 ms on
//!    either side (the refractory period: two QRS complexes cannot be closer). Each peak's
//!    PEAKI is its height; its PEAKF (filtered) the largest |band-passed| value within ±80 ms,
//!    whose position is the peak's time; its slope the largest |derivative| there;
//! 6. a peak is a QRS when PEAKI > THRESHOLD I1 and PEAKF > THRESHOLD F1, where
//!    `THRESHOLD1 = NPK + 0.25 (SPK − NPK)`, SPK/NPK being running estimates of signal and
//!    noise peaks (`SPK ← 0.125 PEAK + 0.875 SPK` for a QRS, likewise NPK for anything else),
//!    initialised over a 2-s learning phase (SPK = ⅓ of the maximum, NPK = ½ of the mean);
//!    both thresholds are halved while the rhythm is irregular (the last RR interval outside
//!    92–116 % of RR AVERAGE2);
//! 7. no QRS within 200 ms of the previous one; a peak less than 360 ms after the previous
//!    QRS whose slope is under half that QRS's largest slope is a T wave;
//! 8. search-back: when no QRS has been found for 166 % of RR AVERAGE2 (the mean of the last
//!    eight RR intervals that fell within 92–116 % of it), the largest peak since the last QRS
//!    that exceeds the second thresholds (`THRESHOLD2 = 0.5 THRESHOLD1`) and is not a T wave
//!    is a QRS, and `SPK ← 0.25 PEAK + 0.75 SPK`.
//!
//! Every filter, window and interval is designed from `fs_hz` in seconds, not taken from the
//! paper's integer coefficients for 200 Hz, so the detector works at any rate from
//! [`MIN_FS_HZ`] up (MIT-BIH's 360 Hz, PTB-XL's 100 and 500 Hz; `tests/detect_mitdb.rs` checks
//! that 250 and 500 Hz resamplings agree with 360 Hz, and PTB-XL's 100 Hz with its 500 Hz).
//! The whole signal is processed at once: the paper's filters are causal, ours zero-phase,
//! which only removes their known delay.
//!
//! The reported position of each QRS is refined to the extremum of the *original* signal
//! (largest deviation from the median of the surrounding 0.5 s) within ±80 ms of the
//! band-passed peak, so positions are R (or S, or the main deflection of a ventricular beat)
//! peaks as annotators mark them. Missing samples (NaN, ±∞) are bridged by straight lines
//! before filtering and never reported as peaks.
//!
//! **Evaluation.** [`match_beats`] matches detections to reference beats one-to-one within
//! 150 ms ([`match_window_samples`]), as EC57 §4.3 and its reference implementation `bxb`
//! (WFDB) do; [`reference_beats`] takes the beat annotations of a record (the 15 MIT-BIH beat
//! symbols of the AAMI table in [`crate::ecg::aami`]); [`evaluate_record`] leaves out what EC57
//! excludes from QRS detection statistics: ventricular flutter and fibrillation episodes
//! ([`excluded_intervals`]: from `[` to `]`, and from a `(VFL`/`(VF` rhythm annotation to the
//! next rhythm change — in MIT-BIH only record 207 has them, 52,081 samples (2.4 min) in six
//! episodes; its 472 flutter waves `!` are not beats). Reference beats and detections inside
//! an excluded interval are both dropped. Unlike `bxb`'s default, the first five minutes are
//! *not* skipped: every beat counts. [`score`] scores a set of records, each and in total, as
//! `ecg-balance detect-eval` reports them.

mod decide;
mod error;
mod evaluate;
mod filter;
mod find;
mod method;
pub mod score;
mod stages;
#[cfg(test)]
mod tests;

pub use error::DetectError;
pub use evaluate::{
    MatchCounts, beat_annotations, evaluate_record, excluded_intervals, match_beats,
    match_window_samples, mit_code_of_class, reference_beats,
};
pub use find::{detect_record, find_r_peaks};
pub use method::PeakMethod;

/// Lowest sampling rate the detector accepts, Hz: the band-pass reaches 15 Hz, which must stay
/// well below the Nyquist frequency.
pub const MIN_FS_HZ: f64 = 50.0;
/// Highest sampling rate the detector accepts, Hz.
pub const MAX_FS_HZ: f64 = 100_000.0;
/// Shortest signal the detector accepts, s: the 2-s learning phase of Pan–Tompkins.
pub const MIN_DURATION_S: f64 = 2.0;
/// EC57 matching window: a detection within this many ms of a reference beat matches it.
pub const MATCH_WINDOW_MS: f64 = 150.0;
