//! The five Gaussian events of a beat: as tabled ([`Morphology`]), at a heart rate ([`Waves`]),
//! and prepared for the integrators' inner loop.

use serde::{Deserialize, Serialize};

use super::N_WAVES;
use super::gauss::{CUTOFF_WIDTHS, exp_neg};

/// The five Gaussian events of a beat as tabled at 60 bpm: angles in degrees, widths in radians.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Morphology {
    /// Angle θi of each event's centre on the limit cycle, degrees, R peak at 0 (P, Q, R, S, T).
    pub theta_deg: [f64; N_WAVES],
    /// Amplitude ai of each event, model units per radian.
    pub a: [f64; N_WAVES],
    /// Width bi of each event, radians.
    pub b_rad: [f64; N_WAVES],
}

impl Morphology {
    /// McSharry et al. 2003, table 1: θ = −70, −15, 0, 15, 100°, a = 1.2, −5, 30, −7.5, 0.75,
    /// b = 0.25, 0.1, 0.1, 0.1, 0.4 rad.
    pub const MCSHARRY_2003: Morphology = Morphology {
        theta_deg: [-70.0, -15.0, 0.0, 15.0, 100.0],
        a: [1.2, -5.0, 30.0, -7.5, 0.75],
        b_rad: [0.25, 0.1, 0.1, 0.1, 0.4],
    };

    #[allow(clippy::needless_range_loop)]
    /// The events ECGSYN integrates at heart rate `hr_bpm`: widths × √(hr/60), angles of Q and S
    /// × √(hr/60), of P and T × (hr/60)^¼, R unchanged (`ecgsyn.m`'s `hrfact`, `hrfact2`).
    pub fn at_heart_rate(&self, hr_bpm: f64) -> Waves {
        let f = (hr_bpm / 60.0).max(1e-6).sqrt();
        let f2 = f.sqrt();
        let angle_factor = [f2, f, 1.0, f, f2];
        let mut w = Waves {
            theta_rad: [0.0; N_WAVES],
            a: self.a,
            b_rad: [0.0; N_WAVES],
        };
        for i in 0..N_WAVES {
            w.theta_rad[i] = self.theta_deg[i].to_radians() * angle_factor[i];
            w.b_rad[i] = self.b_rad[i] * f;
        }
        w
    }

    #[allow(clippy::needless_range_loop)]
    /// Inverse of [`Morphology::at_heart_rate`]: the 60-bpm table whose events at `hr_bpm` are
    /// `waves`.
    pub fn from_waves(waves: &Waves, hr_bpm: f64) -> Morphology {
        let f = (hr_bpm / 60.0).max(1e-6).sqrt();
        let f2 = f.sqrt();
        let angle_factor = [f2, f, 1.0, f, f2];
        let mut m = Morphology {
            theta_deg: [0.0; N_WAVES],
            a: waves.a,
            b_rad: [0.0; N_WAVES],
        };
        for i in 0..N_WAVES {
            m.theta_deg[i] = (waves.theta_rad[i] / angle_factor[i]).to_degrees();
            m.b_rad[i] = waves.b_rad[i] / f;
        }
        m
    }

    /// True when every value is finite and every width positive.
    pub fn is_valid(&self) -> bool {
        (0..N_WAVES).all(|i| {
            self.theta_deg[i].is_finite()
                && self.a[i].is_finite()
                && self.b_rad[i].is_finite()
                && self.b_rad[i] > 0.0
        })
    }
}

impl Default for Morphology {
    fn default() -> Self {
        Self::MCSHARRY_2003
    }
}

/// The events as integrated: angles and widths in radians at the beat's own heart rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Waves {
    /// Angle of each event, radians, R peak at 0.
    pub theta_rad: [f64; N_WAVES],
    /// Amplitude of each event, model units per radian.
    pub a: [f64; N_WAVES],
    /// Width of each event, radians.
    pub b_rad: [f64; N_WAVES],
}

impl Waves {
    /// The model's forcing −Σ ai Δθi exp(−Δθi²/(2bi²)) at `phase_rad` from this beat's R peak,
    /// not wrapped (events of neighbouring beats are added by the caller).
    #[inline]
    pub fn forcing(&self, phase_rad: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let d = phase_rad - self.theta_rad[i];
            let b = self.b_rad[i];
            if self.a[i] != 0.0 && d.abs() < CUTOFF_WIDTHS * b {
                s -= self.a[i] * d * exp_neg(-0.5 * (d * d) / (b * b));
            }
        }
        s
    }

    /// The forcing with Δθ wrapped into [−π, π], as ECGSYN computes it for a phase θ ∈ (−π, π]
    /// (events beyond the cut-off of [`Waves::forcing`] skipped).
    #[inline]
    pub fn forcing_wrapped(&self, theta_rad: f64) -> f64 {
        let tau = std::f64::consts::TAU;
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let raw = theta_rad - self.theta_rad[i];
            let d = raw - (raw / tau).round() * tau;
            let b = self.b_rad[i];
            if d.abs() < CUTOFF_WIDTHS * b {
                s -= self.a[i] * d * exp_neg(-0.5 * (d * d) / (b * b));
            }
        }
        s
    }

    /// The leak-free solution Σ ai bi² / ω · exp(−Δθi²/(2bi²)) at `phase_rad` when the events
    /// pass at angular speed `omega_rad_s` (z without the −(z − z0) term, model units).
    pub fn ideal_z(&self, phase_rad: f64, omega_rad_s: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..N_WAVES {
            let d = phase_rad - self.theta_rad[i];
            let b = self.b_rad[i];
            if d.abs() < CUTOFF_WIDTHS * b {
                s += self.a[i] * b * b / omega_rad_s * (-0.5 * (d * d) / (b * b)).exp();
            }
        }
        s
    }

    /// Mean of [`Waves::ideal_z`] over one cycle (model units): the offset the model's leak
    /// removes in a steady rhythm.
    pub fn ideal_mean(&self, omega_rad_s: f64) -> f64 {
        let root_two_pi = (std::f64::consts::TAU).sqrt();
        (0..N_WAVES)
            .map(|i| {
                let b = self.b_rad[i];
                self.a[i] * b * b / omega_rad_s * b * root_two_pi / std::f64::consts::TAU
            })
            .sum()
    }

    /// The phases (radians from R) where the QRS complex (Q, R and S events) starts and ends.
    pub fn qrs_extent(&self) -> (f64, f64) {
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        for i in 1..4 {
            if self.a[i] != 0.0 {
                lo = lo.min(self.theta_rad[i] - 3.0 * self.b_rad[i]);
                hi = hi.max(self.theta_rad[i] + 3.0 * self.b_rad[i]);
            }
        }
        (lo, hi)
    }

    /// The phases (radians from R) where the beat's events start and end: the smallest
    /// θi − 3bi and the largest θi + 3bi over events with a non-zero amplitude.
    pub fn extent(&self) -> (f64, f64) {
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        for i in 0..N_WAVES {
            if self.a[i] != 0.0 {
                lo = lo.min(self.theta_rad[i] - 3.0 * self.b_rad[i]);
                hi = hi.max(self.theta_rad[i] + 3.0 * self.b_rad[i]);
            }
        }
        (lo, hi)
    }
}

/// [`Waves`] prepared for the integrator's inner loop: reciprocal widths and cut-off phases.
#[derive(Debug, Clone, Copy)]
pub(super) struct Events {
    pub(super) theta: [f64; N_WAVES],
    pub(super) a: [f64; N_WAVES],
    pub(super) inv_b2: [f64; N_WAVES],
    /// |Δθ| beyond which an event is skipped (−1 for a zero amplitude).
    pub(super) reach: [f64; N_WAVES],
    /// Phases outside which no event reaches.
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl Events {
    pub(super) fn new(w: &Waves) -> Events {
        let mut e = Events {
            theta: w.theta_rad,
            a: w.a,
            inv_b2: [0.0; N_WAVES],
            reach: [-1.0; N_WAVES],
            lo: 0.0,
            hi: 0.0,
        };
        for i in 0..N_WAVES {
            let b = w.b_rad[i];
            e.inv_b2[i] = 1.0 / (b * b);
            if w.a[i] != 0.0 {
                e.reach[i] = CUTOFF_WIDTHS * b;
                e.lo = e.lo.min(w.theta_rad[i] - e.reach[i]);
                e.hi = e.hi.max(w.theta_rad[i] + e.reach[i]);
            }
        }
        e
    }
}
