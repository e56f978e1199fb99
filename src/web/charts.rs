//! Small SVG helpers shared by the views: class colours and polyline paths.

use crate::ecg::aami::AamiClass;

/// Colour of each class (Okabe–Ito hues darkened to keep ≥ 3:1 contrast on white).
pub fn class_colour(c: AamiClass) -> &'static str {
    match c {
        AamiClass::N => "#0b6fad",
        AamiClass::S => "#a35f00",
        AamiClass::V => "#c2410c",
        AamiClass::F => "#a3367f",
        AamiClass::Q => "#0f7a5a",
    }
}

/// Colour of an annotation mark (grey for non-beats).
pub fn mark_colour(c: Option<AamiClass>) -> &'static str {
    c.map_or("#6b7280", class_colour)
}

/// An SVG path through `values` drawn in a `width` × `height` box, x from 0 to `width`, y scaled
/// so `lo` is at the bottom and `hi` at the top.
pub fn polyline_path(values: &[f32], width: f64, height: f64, lo: f64, hi: f64) -> String {
    let n = values.len();
    if n == 0 {
        return String::new();
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let dx = if n > 1 { width / (n - 1) as f64 } else { 0.0 };
    let mut s = String::with_capacity(n * 14);
    for (i, v) in values.iter().enumerate() {
        let x = i as f64 * dx;
        let y = height - (f64::from(*v) - lo) / span * height;
        let y = if y.is_finite() { y } else { height / 2.0 };
        s.push_str(if i == 0 { "M" } else { "L" });
        s.push_str(&format!("{x:.1},{y:.1}"));
    }
    s
}

/// Min and max of finite values (or (−1, 1) when there are none), padded by 5 %.
pub fn range_of<'a>(values: impl Iterator<Item = &'a f32>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        let v = f64::from(*v);
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(0.05);
    (lo - pad, hi + pad)
}

/// A number with thousands separators: 90631 → "90,631" (the report's, so both write counts alike).
pub use crate::report::thousands;
