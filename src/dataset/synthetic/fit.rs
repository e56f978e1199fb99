//! Class models fitted to a training set's class-mean beats ([`fit_class_models`]), and the
//! configuration that uses them ([`fitted_config`]).

use serde::{Deserialize, Serialize};

use super::config::SynthConfig;
use super::generate::synth_beats_with;
use super::lm::{gaussians, levenberg_marquardt};
use super::model::{ClassModel, ModelSource, r};
use super::quality::{pearson, quantile};
use crate::dataset::BeatSet;
use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::{Morphology, N_WAVES, SimulateError, Waves, Z_TO_MV};

/// A class model fitted to a training set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedClass {
    /// The class.
    pub class: AamiClass,
    /// Fitted events at 60 bpm.
    pub morphology: Morphology,
    /// The class's median local sinus rate, bpm (60 / median local RR), at which it was fitted.
    pub hr_bpm: f64,
    /// Beats averaged.
    pub n_beats: usize,
    /// RMS residual of the fit, mV.
    pub rms_residual_mv: f64,
    /// RMS of the mean beat about its mean, mV (the residual's scale).
    pub rms_mean_beat_mv: f64,
    /// Levenberg–Marquardt iterations (over all starts).
    pub iterations: usize,
    /// Median correlation with the real class-mean beat of [`FIT_CHECK_BEATS`] synthetic beats
    /// from the fitted model (`NaN` until [`fit_class_models`] checks it).
    pub corr_fitted: f64,
    /// The same for beats from the built-in table.
    pub corr_table: f64,
    /// True when the fitted model does at least as well as the table (checked by
    /// [`fit_class_models`]; true until checked); [`fitted_config`] uses only such fits (five
    /// Gaussians cannot always describe a class mean that mixes patients or holds parts of
    /// neighbouring beats).
    pub replaces_table: bool,
}

/// Synthetic beats per model used to compare a fit with its table.
pub const FIT_CHECK_BEATS: usize = 60;

/// Fewest beats a class needs to be fitted.
pub const MIN_FIT_BEATS: usize = 10;

/// Mean window of the beats of `class` in `set` (empty when there is none).
pub fn class_mean(set: &BeatSet, class: AamiClass) -> Vec<f32> {
    let l = set.layout.len;
    let mut sum = vec![0.0f64; l];
    let mut n = 0usize;
    for i in 0..set.len() {
        if set.labels[i] == class {
            for (s, &v) in sum.iter_mut().zip(set.window(i)) {
                *s += f64::from(v);
            }
            n += 1;
        }
    }
    if n == 0 {
        return Vec::new();
    }
    sum.iter().map(|s| (s / n as f64) as f32).collect()
}

/// Fits every class of `train` with at least [`MIN_FIT_BEATS`] beats (see [`fit_class`]), then
/// checks each fit against its table: [`FIT_CHECK_BEATS`] beats of the class from all the fits
/// and from all the fits but this class's table, each compared with the real class-mean beat
/// (median correlation); a fit that does worse than its table is marked
/// `replaces_table = false` and [`fitted_config`] leaves the table in place.
pub fn fit_class_models(train: &BeatSet) -> Vec<FittedClass> {
    let mut fits: Vec<FittedClass> = AamiClass::ALL
        .iter()
        .filter_map(|&c| fit_class(train, c).ok())
        .collect();
    let all = fits.iter().fold(SynthConfig::default(), config_with);
    let layout = train.layout;
    for fit in &mut fits {
        let real_mean = class_mean(train, fit.class);
        let median_corr = |config: &SynthConfig| -> f64 {
            let Ok(set) = synth_beats_with(config, fit.class, FIT_CHECK_BEATS, layout, 0xF17)
            else {
                return f64::NAN;
            };
            let mut c: Vec<f64> = (0..set.len())
                .map(|i| pearson(set.window(i), &real_mean))
                .collect();
            c.sort_by(f64::total_cmp);
            quantile(&c, 0.5)
        };
        let mut without = all.clone();
        if let Some(m) = without.models.iter_mut().find(|m| m.class == fit.class) {
            *m = ClassModel::table(fit.class);
        }
        fit.corr_fitted = median_corr(&all);
        fit.corr_table = median_corr(&without);
        fit.replaces_table = fit.morphology.is_valid() && fit.corr_fitted >= fit.corr_table;
    }
    fits
}

/// Least-squares fit of the five Gaussians to the class-mean beat of `class` in `train`.
///
/// In time, the model's leak-free beat is c + Σ αi exp(−(t − μi)² / (2σi²)) with μi = θi/ω,
/// σi = bi/ω and αi = ai bi² / ω · [`Z_TO_MV`] (ω = 2π × the class's median local sinus rate).
/// The 16 parameters are fitted by Levenberg–Marquardt (analytic Jacobian, Marquardt's
/// diagonal scaling, λ ÷ 3 on success and × 4 on failure, at most 400 iterations) from five
/// starts — the five class tables scaled to the mean beat's R amplitude — keeping the best, and
/// mapped back to (θ, a, b) at 60 bpm.
pub fn fit_class(train: &BeatSet, class: AamiClass) -> Result<FittedClass, SimulateError> {
    let idx = train.indices_of_class(class);
    if idx.len() < MIN_FIT_BEATS {
        return Err(SimulateError::NoBeats {
            class: class.code().to_string(),
        });
    }
    let y = class_mean(train, class);
    let layout = train.layout;
    let fs = f64::from(layout.fs_hz);
    let mut local: Vec<f32> = idx
        .iter()
        .map(|&i| train.rr_of(i as usize)[2])
        .filter(|v| v.is_finite() && *v > 0.2 && *v < 3.0)
        .collect();
    let rr_s = crate::ecg::beats::median_in_place(&mut local).map_or(0.8, f64::from);
    let hr = 60.0 / rr_s;
    let omega = std::f64::consts::TAU / rr_s;
    let t: Vec<f64> = (0..layout.len)
        .map(|k| (k as f64 - layout.r_index as f64) / fs)
        .collect();
    let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    let mut sorted = y.clone();
    sorted.sort_by(f64::total_cmp);
    let c0 = sorted[sorted.len() / 2];
    // Starts: every class's table at the class's rate, scaled to the mean beat's R amplitude;
    // the best fit wins.
    let start = |table: &Morphology| {
        let init = table.at_heart_rate(hr);
        let mut p = [0.0f64; 16];
        for i in 0..N_WAVES {
            let b = init.b_rad[i];
            p[3 * i] = if init.a[i] == 0.0 {
                0.01
            } else {
                init.a[i] * b * b / omega * Z_TO_MV
            };
            p[3 * i + 1] = init.theta_rad[i] / omega;
            p[3 * i + 2] = b / omega;
        }
        p[15] = c0;
        let model_r = gaussians(&p, 0.0) - c0;
        let y_r = y[layout.r_index.min(y.len() - 1)] - c0;
        if model_r.abs() > 1e-9 {
            let s = y_r / model_r;
            for i in 0..N_WAVES {
                p[3 * i] *= s;
            }
        }
        p
    };
    let mut best: Option<([f64; 16], usize, f64)> = None;
    let mut iterations_all = 0;
    for c in AamiClass::ALL {
        let fit = levenberg_marquardt(&t, &y, start(&ClassModel::table(c).morphology), 1.0 / fs);
        iterations_all += fit.1;
        if best.as_ref().is_none_or(|b| fit.2 < b.2) {
            best = Some(fit);
        }
    }
    let Some((p, _, rms)) = best else {
        return Err(SimulateError::NoBeats {
            class: class.code().to_string(),
        });
    };
    let mut waves = Waves {
        theta_rad: [0.0; N_WAVES],
        a: [0.0; N_WAVES],
        b_rad: [0.0; N_WAVES],
    };
    for i in 0..N_WAVES {
        let (alpha, mu, sigma) = (p[3 * i], p[3 * i + 1], p[3 * i + 2]);
        let b = sigma * omega;
        waves.theta_rad[i] = mu * omega;
        waves.b_rad[i] = b;
        waves.a[i] = alpha * omega / (b * b * Z_TO_MV);
    }
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let rms_mean = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len() as f64).sqrt();
    let fit = FittedClass {
        class,
        morphology: Morphology::from_waves(&waves, hr),
        hr_bpm: hr,
        n_beats: idx.len(),
        rms_residual_mv: rms,
        rms_mean_beat_mv: rms_mean,
        iterations: iterations_all,
        corr_fitted: f64::NAN,
        corr_table: f64::NAN,
        replaces_table: true,
    };
    Ok(fit)
}

/// The default models with each fitted class's centre (and heart-rate range, ±15 % around the
/// fitted rate) replaced by its fit where the fit does at least as well as the table
/// ([`FittedClass::replaces_table`]); a fitted V keeps its polarity (no inversion).
pub fn fitted_config(fits: &[FittedClass]) -> SynthConfig {
    fits.iter()
        .filter(|f| f.replaces_table)
        .fold(SynthConfig::default(), config_with)
}

/// `config` with the model of `fit.class` centred on the fit.
fn config_with(mut config: SynthConfig, fit: &FittedClass) -> SynthConfig {
    if let Some(m) = config.models.iter_mut().find(|m| m.class == fit.class) {
        if fit.morphology.is_valid() {
            m.morphology = fit.morphology;
            m.hr_bpm = r(
                (fit.hr_bpm * 0.85).max(30.0),
                (fit.hr_bpm * 1.15).min(200.0),
            );
            m.invert_probability = 0.0;
            m.source = ModelSource::Fitted {
                n_beats: fit.n_beats,
                rms_residual_mv: fit.rms_residual_mv,
            };
        }
    }
    config
}
