//! Augmented copies of one window for the page's overlay plot.

use serde::{Deserialize, Serialize};

use super::MAX_PREVIEW_PER_TECHNIQUE;
use super::augmentation::Augmentation;
use super::augmenter::Augmenter;
use super::check::check_layout;
use super::error::AugmentError;
use super::ranges::TechniqueRanges;
use super::technique::Technique;
use crate::rng::Rng;

/// One augmented copy shown in a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewDraw {
    /// What was drawn.
    pub augmentation: Augmentation,
    /// The augmented window, mV.
    pub window_mv: Vec<f32>,
}

/// Augmented copies of one window by one technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The technique.
    pub technique: Technique,
    /// The copies.
    pub draws: Vec<PreviewDraw>,
}

/// For the page's overlay plot: `n_per_technique` augmented copies of `window_mv` for each of
/// `techniques`, parameters drawn from `ranges`. Each technique draws from its own generator
/// derived from `seed` and the technique, so adding or removing a technique does not change the
/// others' copies. At most [`MAX_PREVIEW_PER_TECHNIQUE`](super::MAX_PREVIEW_PER_TECHNIQUE) copies per technique.
pub fn preview(
    window_mv: &[f32],
    fs_hz: f32,
    r_index: usize,
    techniques: &[Technique],
    ranges: &TechniqueRanges,
    n_per_technique: usize,
    seed: u64,
) -> Result<Vec<Preview>, AugmentError> {
    if n_per_technique > MAX_PREVIEW_PER_TECHNIQUE {
        return Err(AugmentError::OutOfRange {
            parameter: "augmentations per technique",
            value: n_per_technique as f64,
            min: 0.0,
            max: MAX_PREVIEW_PER_TECHNIQUE as f64,
        });
    }
    check_layout(window_mv.len(), fs_hz, r_index)?;
    let mut augmenter = Augmenter::new();
    let mut out = Vec::with_capacity(techniques.len());
    for &technique in techniques {
        ranges.validate(technique, fs_hz, window_mv.len())?;
        let mut rng = Rng::new(seed).fork(technique.index() as u64 + 1);
        let mut draws = Vec::with_capacity(n_per_technique);
        for _ in 0..n_per_technique {
            let augmentation = ranges.draw(technique, fs_hz, &mut rng);
            let mut y = vec![0.0; window_mv.len()];
            augmenter.apply(window_mv, fs_hz, r_index, &augmentation, &mut rng, &mut y)?;
            draws.push(PreviewDraw {
                augmentation,
                window_mv: y,
            });
        }
        out.push(Preview { technique, draws });
    }
    Ok(out)
}
