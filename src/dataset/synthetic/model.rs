//! What makes beats of one class: the ranges parameters are drawn from ([`Range`], [`Spread`]),
//! when the beat comes ([`Timing`]), and [`ClassModel`] itself.

use serde::{Deserialize, Serialize};

use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::{Morphology, N_WAVES};
use crate::rng::Rng;

/// A closed range a parameter is drawn from, uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Range {
    /// The range `lo..=hi`.
    pub const fn new(lo: f64, hi: f64) -> Self {
        Self { lo, hi }
    }

    /// A uniform draw.
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        rng.uniform_range(self.lo, self.hi)
    }

    /// A uniform draw from the range shrunk to `share` of its width around its centre.
    pub fn draw_shrunk(&self, share: f64, rng: &mut Rng) -> f64 {
        let c = 0.5 * (self.lo + self.hi);
        let h = 0.5 * (self.hi - self.lo) * share;
        rng.uniform_range(c - h, c + h)
    }

    /// Middle of the range.
    pub fn centre(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }
}

pub(super) const fn r(lo: f64, hi: f64) -> Range {
    Range::new(lo, hi)
}

/// How a class's events vary around its table: per event (P, Q, R, S, T), an angle offset in
/// degrees and factors on amplitude and width, each drawn uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Added to θi, degrees.
    pub theta_offset_deg: [Range; N_WAVES],
    /// Multiplies ai (a negative end lets an event invert).
    pub a_factor: [Range; N_WAVES],
    /// Multiplies bi.
    pub b_factor: [Range; N_WAVES],
    /// Multiplies the Q, R and S amplitudes together (lead axis and body habitus scale the
    /// whole QRS; the per-event factors then vary its shape).
    pub qrs_gain: Range,
}

impl Spread {
    /// `m` with every parameter perturbed; `share` (0..1) shrinks every range around its centre
    /// (1 = the full range; beat-to-beat jitter within a patient uses a fraction).
    pub fn sample(&self, m: &Morphology, share: f64, rng: &mut Rng) -> Morphology {
        let mut out = *m;
        let qrs = self.qrs_gain.draw_shrunk(share, rng);
        for a in &mut out.a[1..4] {
            *a *= qrs;
        }
        for i in 0..N_WAVES {
            out.theta_deg[i] += self.theta_offset_deg[i].draw_shrunk(share, rng);
            out.a[i] *= self.a_factor[i].draw_shrunk(share, rng);
            out.b_rad[i] *= self.b_factor[i].draw_shrunk(share, rng);
            out.b_rad[i] = out.b_rad[i].max(0.005);
        }
        out
    }
}

/// When the interval after a beat ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum After {
    /// The next beat comes this many sinus cycles later (a sinus node reset by the beat).
    Ratio(Range),
    /// Full compensatory pause: the intervals before and after sum to two sinus cycles, times a
    /// factor drawn from the range.
    Compensatory(Range),
}

/// When a class's beat comes, relative to the underlying sinus cycle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Interval before the beat over the sinus cycle (below 1: premature).
    pub pre_ratio: Range,
    /// Interval after the beat.
    pub after: After,
}

/// Where a class model's centre comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelSource {
    /// The built-in table ([`ClassModel::table`]).
    Table,
    /// Fitted to the class-mean beat of a training set.
    Fitted {
        /// Beats averaged.
        n_beats: usize,
        /// RMS of the fit's residual, mV.
        rms_residual_mv: f64,
    },
}

/// Everything that makes beats of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassModel {
    /// The class.
    pub class: AamiClass,
    /// Centre of the class's events at 60 bpm.
    pub morphology: Morphology,
    /// How far each event varies between patients (and, shrunk, between beats).
    pub spread: Spread,
    /// When the beat comes.
    pub timing: Timing,
    /// Underlying sinus (or pacing) rate of the virtual patients, bpm.
    pub hr_bpm: Range,
    /// Probability that the QRS–T is inverted (a ventricular focus on the other side of the
    /// lead axis).
    pub invert_probability: f64,
    /// Table or fit.
    pub source: ModelSource,
}
