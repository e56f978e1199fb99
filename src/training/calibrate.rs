//! Decision offsets chosen on the validation records: a class-prior correction added to the
//! log-probabilities before the arg-max.
//!
//! A network trained with class weights predicts the rare classes more often than they occur,
//! which buys sensitivity with positive predictivity. Where that trade lands best cannot be
//! known from the training beats (the network has learned them); the validation records — whole
//! patients of the training side, never a test record — can say. The offsets are searched by
//! coordinate ascent on a grid of log-offsets, maximising the validation score (macro-F1 over
//! the classes with enough validation beats, [`super::validation_score`]); a class with too few
//! validation beats keeps offset 0, and among equal scores the smallest offset wins.

use super::config::{MIN_VALIDATION_SUPPORT, validation_score};
use crate::ecg::aami::N_CLASSES;
use crate::metrics::ConfusionMatrix;

/// Largest log-offset tried, either way.
pub const MAX_OFFSET: f32 = 3.0;
/// Grid step of the log-offsets.
pub const OFFSET_STEP: f32 = 0.25;

/// Class of each row of `[n, k]` probabilities after adding `offsets` to their logarithms.
pub fn decide(probabilities: &[f32], offsets: &[f32; N_CLASSES]) -> Vec<usize> {
    probabilities
        .chunks_exact(N_CLASSES)
        .map(|row| {
            let mut best = (0, f32::NEG_INFINITY);
            for (c, (&p, &o)) in row.iter().zip(offsets).enumerate() {
                let v = p.max(1e-12).ln() + o;
                if v > best.1 {
                    best = (c, v);
                }
            }
            best.0
        })
        .collect()
}

fn score(probabilities: &[f32], labels: &[usize], offsets: &[f32; N_CLASSES]) -> f64 {
    let pred = decide(probabilities, offsets);
    validation_score(&ConfusionMatrix::from_predictions(labels, &pred, N_CLASSES))
}

/// Offsets that maximise the validation score of `probabilities` (`[n, k]` row-major, the
/// validation beats) against their `labels`. All zero when no class has enough validation beats.
pub fn fit_offsets(probabilities: &[f32], labels: &[usize]) -> [f32; N_CLASSES] {
    let mut offsets = [0.0f32; N_CLASSES];
    let mut support = [0u64; N_CLASSES];
    for &y in labels {
        if let Some(s) = support.get_mut(y) {
            *s += 1;
        }
    }
    // N is the reference class; only classes validation can judge move.
    let tunable: Vec<usize> = (1..N_CLASSES)
        .filter(|&c| support[c] >= MIN_VALIDATION_SUPPORT)
        .collect();
    if tunable.is_empty() || support[0] < MIN_VALIDATION_SUPPORT {
        return offsets;
    }
    let steps = (MAX_OFFSET / OFFSET_STEP).round() as i32;
    let mut best = score(probabilities, labels, &offsets);
    for _round in 0..3 {
        let mut moved = false;
        for &c in &tunable {
            let mut choice = offsets[c];
            for s in -steps..=steps {
                let o = s as f32 * OFFSET_STEP;
                let mut trial = offsets;
                trial[c] = o;
                let v = score(probabilities, labels, &trial);
                let better =
                    v > best + 1e-9 || ((v - best).abs() <= 1e-9 && o.abs() < choice.abs() - 1e-6);
                if better {
                    best = v;
                    choice = o;
                }
            }
            if choice != offsets[c] {
                offsets[c] = choice;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_offsets_are_the_arg_max() {
        let p = [0.6, 0.3, 0.1, 0.0, 0.0, 0.2, 0.7, 0.1, 0.0, 0.0];
        assert_eq!(decide(&p, &[0.0; N_CLASSES]), vec![0, 1]);
        // ln 0.6 − ln 0.3 = 0.69: an S offset of 1 turns the first beat to S.
        assert_eq!(decide(&p, &[0.0, 1.0, 0.0, 0.0, 0.0]), vec![1, 1]);
    }

    #[test]
    fn an_over_predicted_class_is_pushed_down_on_validation() {
        // 100 N beats of which 30 look a little like S (p_S = 0.55), and 20 S beats at p_S 0.9:
        // the arg-max calls 50 beats S (+P 40 %); an S offset below ln(0.45/0.55) fixes it.
        let mut p = Vec::new();
        let mut y = Vec::new();
        for k in 0..100 {
            let s = if k < 30 { 0.55 } else { 0.05 };
            p.extend_from_slice(&[1.0 - s, s, 0.0, 0.0, 0.0]);
            y.push(0);
        }
        for _ in 0..20 {
            p.extend_from_slice(&[0.1, 0.9, 0.0, 0.0, 0.0]);
        }
        y.extend([1; 20]);
        let before = score(&p, &y, &[0.0; N_CLASSES]);
        let o = fit_offsets(&p, &y);
        assert!(o[1] < -0.2 && o[1] > -2.2, "{o:?}");
        assert!(score(&p, &y, &o) > before + 0.2);
        assert_eq!(o[2], 0.0, "V has no validation beats and stays");
    }
}
