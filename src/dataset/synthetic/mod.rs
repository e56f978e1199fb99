//! Class-specific synthetic heartbeats — N, S, V, F and paced-like Q — from the ECGSYN model
//! ([`crate::ecg::simulate`]), cut exactly as real beats are cut and with realistic RR features.
//!
//! Each synthetic beat is the centre beat of a short simulated rhythm strip of 13 beats: a
//! virtual patient (heart rate, sinus variability, normal morphology drawn from the N model),
//! six sinus beats, the beat of the requested class with its class's timing (premature,
//! compensatory pause, …), six sinus beats. The strip is simulated at 360 Hz (MIT-BIH's rate;
//! twice the window rate above 180 Hz), stored as 16-bit samples at 200 adu/mV as MIT-BIH is,
//! and the window is cut with the crate's own [`Resampler`](crate::ecg::beats::Resampler); the RR features come from
//! [`rr_features`](crate::ecg::beats::rr_features) over the strip's 13 R peaks. Only the stretch around the window (and a
//! 1-second lead-in for the model's slow baseline to settle) is simulated, which keeps a beat
//! to a few tens of microseconds.
//!
//! The parameter tables ([`ClassModel::table`]) put each class's events at 60 bpm, in the
//! paper's units, and say how far each parameter varies ([`Spread`]) and when the beat comes
//! ([`Timing`]). The *fitted* models ([`fit_class_models`]) replace each table's centre with a
//! least-squares fit of the five Gaussians to the class-mean beat of a training set
//! (Levenberg–Marquardt, below) and keep the table's spreads and timing.
//!
//! [`quality_report`] compares synthetic beats with real ones class by class: correlation with
//! the real class-mean beat and nearest-neighbour distances. Train-on-synthetic /
//! test-on-real needs the model and is filled by the caller
//! ([`QualityReport::train_synthetic_test_real`], [`crate::synth_train::TstrJob`]).

mod config;
mod fit;
mod generate;
mod lm;
mod model;
pub mod plan;
mod quality;
mod table;
#[cfg(test)]
mod tests;

pub use config::SynthConfig;
pub use fit::{
    FIT_CHECK_BEATS, FittedClass, MIN_FIT_BEATS, class_mean, fit_class, fit_class_models,
    fitted_config,
};
pub use generate::{
    PatientBeats, mv_to_adu, strip_rate_hz, synth_beats, synth_beats_with, synth_patient_beats,
};
pub use model::{After, ClassModel, ModelSource, Range, Spread, Timing};
pub use quality::{
    ClassQuality, QUALITY_MAX_REAL, QUALITY_MAX_SYNTHETIC, QualityReport, TstrScore, quality_report,
};
pub use table::N_TABLE;
