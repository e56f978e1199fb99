//! ECGSYN: synthetic ECG from the dynamical model of McSharry, Clifford, Tarassenko & Smith,
//! "A dynamical model for generating synthetic electrocardiogram signals", IEEE Trans Biomed
//! Eng 50(3):289–294, 2003 — and the beat-by-beat variant the class-specific generators use.
//!
//! The model (paper eq. 3) moves a point on a limit cycle of radius 1 in the (x, y) plane at an
//! angular speed ω = 2π / RR, and pushes z away from a baseline z0 whenever the angle θ passes
//! one of five Gaussian events P, Q, R, S, T at angles θi with amplitudes ai and widths bi:
//!
//! ```text
//! ẋ = α x − ω y,   ẏ = α y + ω x,   α = 1 − √(x² + y²)
//! ż = −Σ ai Δθi exp(−Δθi² / (2 bi²)) − (z − z0),   Δθi = (θ − θi) mod 2π,   z0 = A sin(2π f2 t)
//! ```
//!
//! Units: angles in radians (the tables in degrees say so in their names), times in seconds,
//! rates in Hz; z is in model units, turned into mV either by ECGSYN's min–max scaling to
//! −0.4..1.2 mV ([`Scale::MinMax`]) or by the fixed factor [`Z_TO_MV`] ([`Scale::Fixed`]), which
//! keeps amplitudes comparable between beats and records (a ventricular beat stays larger than a
//! normal one).
//!
//! The RR process ([`rr_process`]) is ECGSYN's: a bimodal power spectrum with a Mayer-wave peak
//! (f1 ≈ 0.1 Hz) and a respiratory peak (f2 ≈ 0.25 Hz), random phases, an inverse FFT, scaled to
//! the requested mean and standard deviation. It is built exactly as `ecgsyn.m` and NeuroKit2
//! build it (including their mirror of the spectrum), so its amplitude spectrum equals
//! NeuroKit2's to rounding (`tests/synth.rs`).
//!
//! Two integrators, both fixed-step fourth-order Runge–Kutta at an internal rate that is an
//! integer multiple of the output rate (then decimated by keeping every q-th sample, as ECGSYN
//! does):
//! - [`ecgsyn`] integrates the three equations as the paper writes them;
//! - [`simulate_strip`] integrates z alone along a prescribed phase θ(t). On the limit cycle
//!   (radius 1, which the model keeps) θ̇ = ω exactly, so this is the same solution with the
//!   (x, y) part solved in closed form; it lets every beat have its own waves and timing (a
//!   premature beat, a compensatory pause), and because the phase is linear within each piece
//!   of an RR interval, each Gaussian along the half-step grid is a running product (two
//!   multiplications, an `exp` only where a piece starts) instead of four `exp`s and an `atan2`
//!   per step. A unit test checks both integrators give the same z.

mod ecgsyn;
mod error;
mod gauss;
mod rr;
mod strip;
#[cfg(test)]
mod tests;
mod waves;

pub use ecgsyn::{Ecg, EcgSynConfig, Scale, ecgsyn};
pub use error::SimulateError;
pub use rr::{RrSpectrum, rr_at, rr_process};
pub use strip::{PlannedBeat, Strip, StripConfig, internal_factor_for, simulate_strip};
pub use waves::{Morphology, Waves};

/// Number of Gaussian events per beat: P, Q, R, S, T.
pub const N_WAVES: usize = 5;

/// Names of the events, in table order.
pub const WAVE_NAMES: [&str; N_WAVES] = ["P", "Q", "R", "S", "T"];

/// mV per model unit of z for [`Scale::Fixed`]: the factor that makes the paper's default beat
/// at 60 bpm span 1.6 mV, as ECGSYN's min–max scaling to −0.4..1.2 mV would (measured by
/// `fixed_scale_matches_ecgsyn_span` below, with the leak and without wander or noise).
pub const Z_TO_MV: f64 = 27.445;
