//! Checks of a window's shape and values shared by every entry point.

use super::MIN_WINDOW_SAMPLES;
use super::error::AugmentError;

/// `v` as the decimal number it prints as (`0.9f32` → `0.9`, not `0.8999999761581421`), so
/// messages show what the user typed.
pub(super) fn wide(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

pub(super) fn check_rate(fs_hz: f32) -> Result<(), AugmentError> {
    if fs_hz.is_finite() && fs_hz > 0.0 {
        Ok(())
    } else {
        Err(AugmentError::BadRate { fs_hz })
    }
}

/// Checks a window's shape: rate, length, R index.
pub fn check_layout(len_samples: usize, fs_hz: f32, r_index: usize) -> Result<(), AugmentError> {
    check_rate(fs_hz)?;
    if len_samples < MIN_WINDOW_SAMPLES {
        return Err(AugmentError::WindowTooShort {
            len_samples,
            min_samples: MIN_WINDOW_SAMPLES,
        });
    }
    if r_index >= len_samples {
        return Err(AugmentError::RIndexOutside {
            r_index,
            len_samples,
        });
    }
    Ok(())
}

pub(super) fn check_out_len(len: usize, out_len: usize) -> Result<(), AugmentError> {
    if out_len == len {
        Ok(())
    } else {
        Err(AugmentError::OutOfRange {
            parameter: "output buffer length",
            value: out_len as f64,
            min: len as f64,
            max: len as f64,
        })
    }
}

pub(super) fn check_finite(window_mv: &[f32]) -> Result<(), AugmentError> {
    match window_mv.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(AugmentError::NonFinite {
            beat: None,
            index,
            value: window_mv[index],
        }),
    }
}
