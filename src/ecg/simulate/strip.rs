//! [`simulate_strip`]: a planned rhythm strip, every beat with its own waves and timing, z
//! integrated along a prescribed piecewise-linear phase.

use serde::{Deserialize, Serialize};

use super::gauss::exp_neg;
use super::waves::{Events, Waves};
use super::{N_WAVES, Z_TO_MV};
use crate::rng::Rng;

/// One beat of a planned rhythm for [`simulate_strip`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlannedBeat {
    /// Interval from this beat's R peak to the next one, s.
    pub rr_s: f64,
    /// Cycle length the beat's own events run at, s: a sinus beat's RR, an ectopic beat's
    /// underlying sinus cycle (so a premature beat comes early without being squeezed).
    pub cycle_s: f64,
    /// The beat's events, already scaled to 60 / `cycle_s` bpm.
    pub waves: Waves,
}

/// Settings of [`simulate_strip`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StripConfig {
    /// Output sampling rate, Hz.
    pub fs_hz: f64,
    /// Internal rate over output rate.
    pub internal_factor: usize,
    /// Time of the first planned R peak, s.
    pub first_r_s: f64,
    /// Start of the simulated stretch, s (at or after the first R peak).
    pub start_s: f64,
    /// End of the simulated stretch, s (at or before the last R peak).
    pub end_s: f64,
    /// Amplitude of the baseline wander z0, model units.
    pub wander_z: f64,
    /// Frequency of the baseline wander, Hz.
    pub wander_hz: f64,
    /// Phase of the baseline wander at t = 0, radians.
    pub wander_phase_rad: f64,
    /// Standard deviation of white noise added to the output, mV (uniformly distributed, as
    /// ECGSYN's measurement noise, and one random draw per sample).
    pub noise_mv: f64,
}

/// A simulated stretch of a planned rhythm.
#[derive(Debug, Clone, PartialEq)]
pub struct Strip {
    /// Sampling rate, Hz.
    pub fs_hz: f64,
    /// Strip sample (at `fs_hz`, t = 0 at sample 0) of `signal_mv[0]`.
    pub start_sample: usize,
    /// The signal from `start_sample` on, mV (z × [`Z_TO_MV`](super::Z_TO_MV) plus noise).
    pub signal_mv: Vec<f32>,
    /// R peak of every planned beat, strip samples at `fs_hz` (also those outside the stretch).
    pub r_samples: Vec<u64>,
}

/// The smallest internal factor q giving an internal rate of at least 250 Hz (RK4 then steps at
/// most a quarter of the narrowest QRS width).
pub fn internal_factor_for(fs_hz: f64) -> usize {
    (250.0 / fs_hz).ceil().clamp(1.0, 64.0) as usize
}

/// Piecewise-linear phase of one RR interval, in five pieces: the current beat's QRS tail
/// (0..A) and the next beat's QRS upstroke (D..2π) always run at their own beat's ω; the
/// current beat's ST–T (A..B) and the next beat's P–Q (C..D) too when there is time; the quiet
/// stretch between (B..C) takes up the rest. A short (premature) interval first squeezes the
/// quiet stretch out, then T and P proportionally, and only then the QRS complexes.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Phase at the start of each piece and at the end (2π).
    phi: [f64; 6],
    /// Time at the start of each piece and at the end, s.
    t: [f64; 6],
    /// Angular speed in each piece, rad/s.
    w: [f64; 5],
}

impl Segment {
    fn new(duration_s: f64, this: &PlannedBeat, next: &PlannedBeat) -> Segment {
        let tau = std::f64::consts::TAU;
        let wa = tau / this.cycle_s;
        let wb = tau / next.cycle_s;
        let (_, end_this) = this.waves.extent();
        let (_, qrs_end) = this.waves.qrs_extent();
        let (start_next, _) = next.waves.extent();
        let (qrs_start, _) = next.waves.qrs_extent();
        let a = qrs_end.clamp(0.0, std::f64::consts::PI);
        let d = (tau + qrs_start).clamp(std::f64::consts::PI, tau);
        let mut b = end_this.clamp(a, d);
        let mut c = (tau + start_next).clamp(b, d);
        if b > c {
            let mid = 0.5 * (b + c);
            b = mid;
            c = mid;
        }
        let (mut ta, mut tb, mut tc, mut td) = (a / wa, (b - a) / wa, (d - c) / wb, (tau - d) / wb);
        let mut tm = duration_s - (ta + tb + tc + td);
        if tm < 0.0 {
            tm = 0.0;
            let room = duration_s - ta - td;
            if room >= 0.0 {
                let s = if tb + tc > 0.0 { room / (tb + tc) } else { 0.0 };
                tb *= s;
                tc *= s;
            } else {
                let s = duration_s / (ta + td).max(1e-12);
                ta *= s;
                td *= s;
                tb = 0.0;
                tc = 0.0;
            }
        }
        let phi = [0.0, a, b, c, d, tau];
        let dts = [ta, tb, tm, tc, td];
        let mut t = [0.0; 6];
        let mut w = [0.0; 5];
        for i in 0..5 {
            t[i + 1] = t[i] + dts[i];
            w[i] = if dts[i] > 0.0 {
                (phi[i + 1] - phi[i]) / dts[i]
            } else {
                0.0
            };
        }
        Segment { phi, t, w }
    }

    fn piece(&self, t: f64) -> usize {
        let mut i = 0;
        while i < 4 && t >= self.t[i + 1] {
            i += 1;
        }
        i
    }

    /// Phase at `t` seconds after the segment's R peak, radians in [0, 2π].
    #[inline]
    fn phase(&self, t: f64) -> f64 {
        let i = self.piece(t);
        (self.phi[i] + self.w[i] * (t - self.t[i])).min(self.phi[i + 1])
    }

    /// Angular speed at `t`, rad/s.
    fn omega(&self, t: f64) -> f64 {
        self.w[self.piece(t)]
    }
}

/// Simulates `[start_s, end_s)` of a planned rhythm: R peaks at `first_r_s` + the running sum of
/// the beats' RR intervals (rounded to output samples, so every R peak is a sample), phase
/// piecewise linear between R peaks (see [`PlannedBeat::cycle_s`]), z integrated by RK4 along
/// it with the model's leak and baseline wander, output z × [`Z_TO_MV`](super::Z_TO_MV) plus white noise.
///
/// z starts from the leak-free solution minus its cycle mean (the steady state of a regular
/// rhythm); the difference decays with the model's 1-s time constant, so callers start about a
/// second before the stretch they keep.
pub fn simulate_strip(beats: &[PlannedBeat], config: &StripConfig, rng: &mut Rng) -> Strip {
    let fs = config.fs_hz;
    let q = config.internal_factor.max(1);
    let dt = 1.0 / (fs * q as f64);
    let mut r_samples = Vec::with_capacity(beats.len());
    let mut t = config.first_r_s;
    for b in beats {
        r_samples.push((t * fs).round().max(0.0) as u64);
        t += b.rr_s;
    }
    let (Some(&first), Some(&last)) = (r_samples.first(), r_samples.last()) else {
        return Strip {
            fs_hz: fs,
            start_sample: 0,
            signal_mv: Vec::new(),
            r_samples,
        };
    };
    let start = ((config.start_s * fs).round().max(0.0) as u64).clamp(first, last) as usize;
    let end = ((config.end_s * fs).round().max(0.0) as u64).clamp(start as u64, last) as usize;
    let n_out = end - start;
    let mut signal_mv = Vec::with_capacity(n_out);
    if n_out == 0 || beats.len() < 2 {
        return Strip {
            fs_hz: fs,
            start_sample: start,
            signal_mv,
            r_samples,
        };
    }
    let tau = std::f64::consts::TAU;
    let events: Vec<Events> = beats.iter().map(|b| Events::new(&b.waves)).collect();
    let seg_of = |k: usize| {
        let dur = (r_samples[k + 1] - r_samples[k]) as f64 / fs;
        Segment::new(dur, &beats[k], &beats[k + 1])
    };
    // Segment holding `start`.
    let k0 = r_samples.partition_point(|&r| r as usize <= start) - 1;
    let t_start = start as f64 / fs;
    // Baseline wander A sin(2π f t + φ) as a phasor turned half a step at a time (no sin() per
    // step), renormalised at every segment.
    let angle0 = tau * config.wander_hz * t_start + config.wander_phase_rad;
    let (mut pc, mut ps) = (angle0.cos(), angle0.sin());
    let half = tau * config.wander_hz * 0.5 * dt;
    let (rc, rs) = (half.cos(), half.sin());
    let amp = config.wander_z;
    // z from the leak-free solution minus its cycle mean (steady state of a regular rhythm).
    let seg0 = seg_of(k0);
    let tk0 = t_start - r_samples[k0] as f64 / fs;
    let ph0 = seg0.phase(tk0);
    let om0 = seg0.omega(tk0).max(tau / beats[k0].cycle_s.max(1e-3));
    let mut z = beats[k0].waves.ideal_z(ph0, om0) + beats[k0 + 1].waves.ideal_z(ph0 - tau, om0)
        - beats[k0].waves.ideal_mean(tau / beats[k0].cycle_s)
        + amp * ps;
    // Uniform on [−√3σ, √3σ]: standard deviation σ.
    let noise_half_width = config.noise_mv * 3f64.sqrt();
    let h = 0.5 * dt; // half step: RK4 needs the forcing at every half step
    let mut forcing: Vec<f64> = Vec::new();
    let mut j_abs = start * q; // internal step, from the strip's t = 0
    let j_end = end * q;
    let mut k = k0;
    while j_abs < j_end && k + 1 < beats.len() {
        let seg = if k == k0 { seg0 } else { seg_of(k) };
        let seg_j0 = r_samples[k] as usize * q;
        let seg_j1 = (r_samples[k + 1] as usize * q).min(j_end);
        // Half steps of this stretch, relative to the segment's R peak: m_first ..= m_last.
        let m_first = 2 * (j_abs - seg_j0);
        let m_last = 2 * (seg_j1 - seg_j0);
        forcing.clear();
        forcing.resize(m_last - m_first + 1, 0.0);
        for piece in 0..5 {
            // Half steps whose time lies in this piece.
            let (ta, tb) = (seg.t[piece], seg.t[piece + 1]);
            let ma = ((ta / h).ceil().max(0.0) as usize).clamp(m_first, m_last + 1);
            let mb = if piece == 4 {
                m_last + 1
            } else {
                ((tb / h).ceil().max(0.0) as usize).clamp(ma, m_last + 1)
            };
            if ma >= mb {
                continue;
            }
            let w = seg.w[piece];
            let delta = w * h;
            let ph_a = seg.phi[piece] + w * (ma as f64 * h - ta);
            for (ev, shift) in [(&events[k], 0.0), (&events[k + 1], tau)] {
                let ph_b = ph_a + (mb - 1 - ma) as f64 * delta;
                if ph_a - shift >= ev.hi || ph_b - shift <= ev.lo {
                    continue;
                }
                for i in 0..N_WAVES {
                    let reach = ev.reach[i];
                    if reach < 0.0 {
                        continue;
                    }
                    let d_a = ph_a - shift - ev.theta[i];
                    // Half steps with |d| < reach.
                    let (lo, hi) = if delta > 0.0 {
                        let span = (mb - 1 - ma) as f64;
                        let lo = ((-reach - d_a) / delta).ceil().max(0.0);
                        let hi = ((reach - d_a) / delta).floor().min(span);
                        // NaN (from a NaN phase) falls through as "no overlap" too.
                        if lo
                            .partial_cmp(&hi)
                            .is_none_or(|o| o == std::cmp::Ordering::Greater)
                        {
                            continue;
                        }
                        (ma + lo as usize, ma + hi as usize)
                    } else if d_a.abs() < reach {
                        (ma, mb - 1)
                    } else {
                        continue;
                    };
                    if lo > hi {
                        continue;
                    }
                    // exp(−d²/2b²) along d, d + δ, d + 2δ, …: each value is the previous
                    // times a ratio that itself changes by a constant factor.
                    let c2 = 0.5 * ev.inv_b2[i];
                    let mut d = d_a + (lo - ma) as f64 * delta;
                    let mut g = exp_neg(-c2 * d * d);
                    let mut ratio = (-c2 * (2.0 * d * delta + delta * delta)).exp();
                    let step = exp_neg(-2.0 * c2 * delta * delta);
                    let a = ev.a[i];
                    for f in &mut forcing[lo - m_first..=hi - m_first] {
                        *f -= a * d * g;
                        g *= ratio;
                        ratio *= step;
                        d += delta;
                    }
                }
            }
        }
        // RK4 for ż = g(t) − z over this stretch, g = forcing + wander.
        let norm = (pc * pc + ps * ps).sqrt();
        pc /= norm;
        ps /= norm;
        let mut g0 = forcing[0] + amp * ps;
        let n_steps = (m_last - m_first) / 2;
        for s in 0..n_steps {
            if (j_abs + s) % q == 0 {
                let v = z * Z_TO_MV
                    + if noise_half_width > 0.0 {
                        noise_half_width * (2.0 * rng.uniform() - 1.0)
                    } else {
                        0.0
                    };
                signal_mv.push(v as f32);
            }
            let c = pc * rc - ps * rs;
            ps = pc * rs + ps * rc;
            pc = c;
            let gm = forcing[2 * s + 1] + amp * ps;
            let c = pc * rc - ps * rs;
            ps = pc * rs + ps * rc;
            pc = c;
            let g1 = forcing[2 * s + 2] + amp * ps;
            let k1 = g0 - z;
            let k2 = gm - (z + 0.5 * dt * k1);
            let k3 = gm - (z + 0.5 * dt * k2);
            let k4 = g1 - (z + dt * k3);
            z += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            g0 = g1;
        }
        j_abs += n_steps;
        k += 1;
    }
    Strip {
        fs_hz: fs,
        start_sample: start,
        signal_mv,
        r_samples,
    }
}
