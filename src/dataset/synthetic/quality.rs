//! How synthetic beats compare with real ones, class by class ([`quality_report`]).

use serde::{Deserialize, Serialize};

use super::fit::class_mean;
use crate::dataset::BeatSet;
use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::SimulateError;
use crate::rng::Rng;

/// How synthetic beats of one class compare with the real beats of that class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassQuality {
    /// The class.
    pub class: AamiClass,
    /// Real beats of the class.
    pub n_real: usize,
    /// Synthetic beats of the class.
    pub n_synthetic: usize,
    /// Median Pearson correlation of a synthetic beat with the real class-mean beat.
    pub corr_median: f64,
    /// Its 25th percentile.
    pub corr_q25: f64,
    /// Its 75th percentile.
    pub corr_q75: f64,
    /// The same for real beats (how well the mean describes the real class itself).
    pub real_corr_median: f64,
    /// Median RMS distance of a synthetic beat to its nearest real beat, mV.
    pub nn_synthetic_to_real_mv: f64,
    /// Median RMS distance of a real beat to its nearest other real beat, mV.
    pub nn_real_to_real_mv: f64,
    /// Real beats used for the distances (a seeded sample of at most [`QUALITY_MAX_REAL`]).
    pub n_real_used: usize,
    /// Synthetic beats used (at most [`QUALITY_MAX_SYNTHETIC`]).
    pub n_synthetic_used: usize,
}

/// Train-on-synthetic, test-on-real scores, filled by the caller that owns the model
/// ([`crate::synth_train::TstrJob`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TstrScore {
    /// Macro-averaged F1 on the real beats, over the classes scored.
    pub macro_f1: f64,
    /// F1 per class, in [`AamiClass::ALL`] order (`None` for a class not scored).
    pub f1_per_class: Vec<Option<f64>>,
    /// Sensitivity per class, in [`AamiClass::ALL`] order (`None` for a class not scored).
    pub sensitivity_per_class: Vec<Option<f64>>,
    /// Real beats scored per class, in [`AamiClass::ALL`] order.
    pub support_per_class: Vec<usize>,
    /// Synthetic beats trained on per class, in [`AamiClass::ALL`] order.
    pub trained_per_class: Vec<usize>,
    /// What was trained and how, in words.
    pub method: String,
}

/// Synthetic against real, per class present in both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// One entry per class with both real and synthetic beats.
    pub classes: Vec<ClassQuality>,
    /// Hook for train-on-synthetic / test-on-real (needs a model; `None` here).
    pub train_synthetic_test_real: Option<TstrScore>,
}

/// Most real beats per class used for nearest-neighbour distances.
pub const QUALITY_MAX_REAL: usize = 2000;
/// Most synthetic beats per class used for nearest-neighbour distances.
pub const QUALITY_MAX_SYNTHETIC: usize = 500;

pub(super) fn pearson(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let ma = a.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let mb = b.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (f64::from(x) - ma, f64::from(y) - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        0.0
    }
}

pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let f = pos - lo as f64;
    sorted[lo] * (1.0 - f) + sorted[hi] * f
}

fn sample_indices(mut idx: Vec<u32>, max: usize, rng: &mut Rng) -> Vec<u32> {
    if idx.len() > max {
        rng.shuffle(&mut idx);
        idx.truncate(max);
    }
    idx
}

fn rms_distance(a: &[f32], b: &[f32]) -> f64 {
    let s: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    (s / a.len().max(1) as f64).sqrt()
}

/// Compares `synthetic` beats with `real` (training) beats class by class: correlation of each
/// synthetic beat with the real class-mean beat (median and interquartile range) and
/// nearest-neighbour RMS distances, synthetic → real against real → real (a synthetic set as
/// close to the real beats as they are to each other gives a ratio near 1; much smaller means
/// copies, much larger means off the data). Seeded subsamples bound the cost
/// ([`QUALITY_MAX_REAL`], [`QUALITY_MAX_SYNTHETIC`]). Both sets must share a layout.
pub fn quality_report(real: &BeatSet, synthetic: &BeatSet) -> Result<QualityReport, SimulateError> {
    if real.layout != synthetic.layout {
        return Err(SimulateError::Invalid {
            what: "layout",
            reason: format!(
                "real and synthetic beats must share a window layout; found {:?} and {:?}",
                real.layout, synthetic.layout
            ),
        });
    }
    let mut rng = Rng::new(0x5157_a11e);
    let mut classes = Vec::new();
    for class in AamiClass::ALL {
        let ri = real.indices_of_class(class);
        let si = synthetic.indices_of_class(class);
        if ri.is_empty() || si.is_empty() {
            continue;
        }
        let mean = class_mean(real, class);
        let mut corr: Vec<f64> = si
            .iter()
            .map(|&i| pearson(synthetic.window(i as usize), &mean))
            .collect();
        corr.sort_by(f64::total_cmp);
        let mut real_corr: Vec<f64> = ri
            .iter()
            .map(|&i| pearson(real.window(i as usize), &mean))
            .collect();
        real_corr.sort_by(f64::total_cmp);
        let ru = sample_indices(ri.clone(), QUALITY_MAX_REAL, &mut rng);
        let su = sample_indices(si.clone(), QUALITY_MAX_SYNTHETIC, &mut rng);
        let nearest = |w: &[f32], skip: Option<u32>| {
            ru.iter()
                .filter(|&&j| Some(j) != skip)
                .map(|&j| rms_distance(w, real.window(j as usize)))
                .fold(f64::INFINITY, f64::min)
        };
        let mut s2r: Vec<f64> = su
            .iter()
            .map(|&i| nearest(synthetic.window(i as usize), None))
            .collect();
        s2r.sort_by(f64::total_cmp);
        let mut r2r: Vec<f64> = ru
            .iter()
            .take(QUALITY_MAX_SYNTHETIC)
            .map(|&i| nearest(real.window(i as usize), Some(i)))
            .filter(|v| v.is_finite())
            .collect();
        r2r.sort_by(f64::total_cmp);
        classes.push(ClassQuality {
            class,
            n_real: ri.len(),
            n_synthetic: si.len(),
            corr_median: quantile(&corr, 0.5),
            corr_q25: quantile(&corr, 0.25),
            corr_q75: quantile(&corr, 0.75),
            real_corr_median: quantile(&real_corr, 0.5),
            nn_synthetic_to_real_mv: quantile(&s2r, 0.5),
            nn_real_to_real_mv: quantile(&r2r, 0.5),
            n_real_used: ru.len(),
            n_synthetic_used: su.len(),
        });
    }
    Ok(QualityReport {
        classes,
        train_synthetic_test_real: None,
    })
}
