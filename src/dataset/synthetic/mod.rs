//! Class-specific synthetic heartbeats — N, S, V, F and paced-like Q — from the ECGSYN model
//! ([`crate::ecg::simulate`]), cut exactly as real beats are cut and with realistic RR features.
//!
//! Each synthetic beat is the centre beat of a short simulated rhythm strip of 13 beats: a
//! virtual patient (heart rate, sinus variability, normal morphology drawn from the N model),
//! six sinus beats, the beat of the requested class with its class's timing (premature,
//! compensatory pause, …), six sinus beats. The strip is simulated at 360 Hz (MIT-BIH's rate;
//! twice the window rate above 180 Hz), stored as 16-bit samples at 200 adu/mV as MIT-BIH is,
//! and the window is cut with the crate's own [`Resampler`]; the RR features come from
//! [`rr_features`] over the strip's 13 R peaks. Only the stretch around the window (and a
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

pub mod plan;

use serde::{Deserialize, Serialize};

use super::{BeatSet, Origin};
use crate::Signal;
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::{BeatLayout, N_RR, Resampler, RrFeatures, rr_features};
use crate::ecg::simulate::{
    Morphology, N_WAVES, PlannedBeat, SimulateError, StripConfig, Waves, Z_TO_MV,
    internal_factor_for, simulate_strip,
};
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

const fn r(lo: f64, hi: f64) -> Range {
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

/// The normal beat: McSharry et al. 2003, table 1, with the QRS narrowed to a typical adult
/// duration. The paper's Q and S at ∓15° with widths 0.1 rad make a QRS of 114, 103 and 94 ms
/// at 60, 75 and 90 bpm (slope delineation of `tests/synth.rs` on
/// [`crate::ecg::simulate::ecgsyn`]), at or past the upper limit of normal: a normal adult QRS
/// lasts 80–100 ms, and 110 ms or more is a conduction delay (Surawicz et al., AHA/ACCF/HRS
/// recommendations for the standardization and interpretation of the ECG, part III, Circulation
/// 119:e235–e240, 2009). Q and S move to ∓10° and the three QRS widths to 0.07 rad; their
/// amplitudes grow by (0.1/0.07)² so every wave keeps the paper's area a·b² (and so its height
/// in mV). P and T are the paper's.
pub const N_TABLE: Morphology = Morphology {
    theta_deg: [-70.0, -10.0, 0.0, 10.0, 100.0],
    a: [1.2, -10.2, 61.2, -15.3, 0.75],
    b_rad: [0.25, 0.07, 0.07, 0.07, 0.4],
};

/// Spread of the normal beat between patients. Rationale: lead-II amplitudes vary about
/// two-fold between healthy adults (P 0.05–0.25 mV, R 0.5–2 mV, T 0.1–0.5 mV; Surawicz &
/// Knilans, *Chou's Electrocardiography in Clinical Practice*, 6th ed., ch. 1), the PR interval
/// 120–200 ms (≈ ±8° of the cycle at 60 bpm), QT with heart rate (the table's sqrt scaling)
/// and between patients (±10° of T).
const N_SPREAD: Spread = Spread {
    theta_offset_deg: [
        r(-8.0, 8.0),
        r(-2.0, 1.0),
        r(0.0, 0.0),
        r(-1.0, 2.0),
        r(-10.0, 10.0),
    ],
    a_factor: [
        r(0.5, 1.4),
        r(0.6, 1.3),
        r(0.9, 1.1),
        r(0.6, 1.3),
        r(0.5, 1.5),
    ],
    b_factor: [
        r(0.8, 1.2),
        r(0.85, 1.1),
        r(0.85, 1.1),
        r(0.85, 1.1),
        r(0.8, 1.2),
    ],
    qrs_gain: r(0.65, 1.35),
};

/// Spread of ventricular (and paced) beats: the focus decides the QRS axis and shape, so
/// amplitudes and widths vary more than in conducted beats.
const V_SPREAD: Spread = Spread {
    theta_offset_deg: [
        r(0.0, 0.0),
        r(-5.0, 3.0),
        r(-3.0, 3.0),
        r(-3.0, 8.0),
        r(-15.0, 15.0),
    ],
    a_factor: [
        r(1.0, 1.0),
        r(0.0, 1.5),
        r(0.6, 1.4),
        r(0.5, 1.5),
        r(0.6, 1.4),
    ],
    b_factor: [
        r(1.0, 1.0),
        r(0.8, 1.25),
        r(0.95, 1.25),
        r(0.95, 1.3),
        r(0.85, 1.2),
    ],
    qrs_gain: r(1.0, 1.0),
};

impl ClassModel {
    /// The built-in model of `class`.
    ///
    /// - **N** — [`N_TABLE`] (McSharry et al. 2003, table 1, QRS narrowed to 80–100 ms), sinus
    ///   timing (RR = the sinus cycle).
    /// - **S** (atrial premature beat) — normal QRS–T; ectopic P wave: small, abnormal or
    ///   inverted (amplitude × −0.6..0.6 of normal) and closer to the QRS (PR shortened by up to
    ///   ~40 ms); premature: preceding RR 0.6–0.8 of the sinus cycle; the sinus node is reset, so
    ///   the pause after is not compensatory (1.0–1.15 cycles). AAMI EC57 class S; the RR
    ///   criteria are those de Chazal et al. 2004 found to separate S beats.
    /// - **V** (ventricular premature beat) — no P wave; wide QRS (R width 0.21 rad ≈ 33 ms SD
    ///   at 60 bpm; QRS 140–200 ms, over 120 ms as AAMI/clinical criteria require); a large T
    ///   wave (≈ 1 mV) opposite to the QRS; premature
    ///   (0.55–0.8 of the cycle) with a full compensatory pause (pre + post = 2 cycles ± 3 %);
    ///   QRS–T inverted with probability 0.3 (focus on the other side of the lead axis).
    /// - **F** (fusion of ventricular and normal) — events halfway between the N and V tables
    ///   (a ventricular focus firing as sinus activation arrives), small P, near-normal timing
    ///   (0.9–1.02 of the cycle, 1.0–1.1 after).
    /// - **Q** (paced-like) — a pacing spike (P slot: 4 ms wide, 1.5 mV), a wide LBBB-like QRS
    ///   and opposite T, regular at a programmed rate of 60–80 bpm. MIT-BIH's Q beats are
    ///   almost all paced (records 102, 104, 107, 217).
    pub fn table(class: AamiClass) -> ClassModel {
        let n = N_TABLE;
        match class {
            AamiClass::N => ClassModel {
                class,
                morphology: n,
                spread: N_SPREAD,
                timing: Timing {
                    pre_ratio: r(1.0, 1.0),
                    after: After::Ratio(r(1.0, 1.0)),
                },
                hr_bpm: r(55.0, 100.0),
                invert_probability: 0.0,
                source: ModelSource::Table,
            },
            AamiClass::S => ClassModel {
                class,
                morphology: Morphology {
                    theta_deg: [-58.0, -15.0, 0.0, 15.0, 100.0],
                    ..n
                },
                spread: Spread {
                    theta_offset_deg: [
                        r(-8.0, 8.0),
                        r(-2.0, 2.0),
                        r(0.0, 0.0),
                        r(-2.0, 2.0),
                        r(-5.0, 5.0),
                    ],
                    a_factor: [
                        r(-0.6, 0.6),
                        r(0.7, 1.3),
                        r(0.8, 1.2),
                        r(0.7, 1.3),
                        r(0.7, 1.3),
                    ],
                    b_factor: [
                        r(0.6, 1.2),
                        r(0.9, 1.1),
                        r(0.9, 1.1),
                        r(0.9, 1.1),
                        r(0.9, 1.1),
                    ],
                    qrs_gain: r(1.0, 1.0),
                },
                timing: Timing {
                    pre_ratio: r(0.6, 0.8),
                    after: After::Ratio(r(1.0, 1.15)),
                },
                hr_bpm: r(55.0, 100.0),
                invert_probability: 0.0,
                source: ModelSource::Table,
            },
            AamiClass::V => ClassModel {
                class,
                morphology: Morphology {
                    theta_deg: [-70.0, -20.0, 0.0, 30.0, 120.0],
                    a: [0.0, -2.0, 9.0, -4.0, -1.2],
                    b_rad: [0.25, 0.12, 0.21, 0.18, 0.45],
                },
                spread: V_SPREAD,
                timing: Timing {
                    pre_ratio: r(0.55, 0.8),
                    after: After::Compensatory(r(0.97, 1.03)),
                },
                hr_bpm: r(55.0, 100.0),
                invert_probability: 0.3,
                source: ModelSource::Table,
            },
            AamiClass::F => ClassModel {
                class,
                morphology: Morphology {
                    theta_deg: [-70.0, -15.0, 0.0, 19.0, 110.0],
                    a: [0.9, -4.6, 20.0, -7.9, 0.1],
                    b_rad: [0.25, 0.1, 0.13, 0.12, 0.42],
                },
                spread: Spread {
                    theta_offset_deg: [
                        r(-6.0, 6.0),
                        r(-4.0, 4.0),
                        r(0.0, 0.0),
                        r(-6.0, 6.0),
                        r(-12.0, 12.0),
                    ],
                    a_factor: [
                        r(0.3, 1.2),
                        r(0.4, 1.5),
                        r(0.7, 1.3),
                        r(0.6, 1.4),
                        r(-3.0, 3.0),
                    ],
                    b_factor: [
                        r(0.8, 1.2),
                        r(0.85, 1.2),
                        r(0.85, 1.2),
                        r(0.85, 1.25),
                        r(0.85, 1.2),
                    ],
                    qrs_gain: r(1.0, 1.0),
                },
                timing: Timing {
                    pre_ratio: r(0.9, 1.02),
                    after: After::Ratio(r(1.0, 1.1)),
                },
                hr_bpm: r(55.0, 100.0),
                invert_probability: 0.0,
                source: ModelSource::Table,
            },
            AamiClass::Q => ClassModel {
                class,
                morphology: Morphology {
                    theta_deg: [-14.0, -6.0, 12.0, 45.0, 125.0],
                    a: [470.0, -1.0, 5.0, -3.0, -0.8],
                    b_rad: [0.025, 0.1, 0.25, 0.2, 0.45],
                },
                spread: Spread {
                    theta_offset_deg: [
                        r(-2.0, 2.0),
                        r(-2.0, 2.0),
                        r(-3.0, 3.0),
                        r(-8.0, 8.0),
                        r(-12.0, 12.0),
                    ],
                    a_factor: [
                        r(0.5, 1.3),
                        r(0.0, 1.5),
                        r(0.6, 1.4),
                        r(0.5, 1.5),
                        r(0.6, 1.4),
                    ],
                    b_factor: [
                        r(0.9, 1.1),
                        r(0.8, 1.2),
                        r(0.85, 1.2),
                        r(0.8, 1.3),
                        r(0.85, 1.2),
                    ],
                    qrs_gain: r(1.0, 1.0),
                },
                timing: Timing {
                    pre_ratio: r(0.995, 1.005),
                    after: After::Ratio(r(0.995, 1.005)),
                },
                hr_bpm: r(60.0, 80.0),
                invert_probability: 0.0,
                source: ModelSource::Table,
            },
        }
    }

    /// A draw of this class's events for one patient (full spread), possibly inverted.
    pub fn sample(&self, rng: &mut Rng) -> Morphology {
        let mut m = self.spread.sample(&self.morphology, 1.0, rng);
        if self.invert_probability > 0.0 && rng.uniform() < self.invert_probability {
            // Invert QRS and T; the P slot keeps its sign.
            for a in &mut m.a[1..] {
                *a = -*a;
            }
        }
        m
    }
}

/// Settings of the synthetic-beat generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// One model per class, in [`AamiClass::ALL`] order.
    pub models: Vec<ClassModel>,
    /// Standard deviation of white noise per strip, mV (MIT-BIH's quiet stretches: ~0.01 mV).
    pub noise_mv: Range,
    /// Baseline wander amplitude per strip, model units (0.01 ≈ 0.3 mV), at 0.15–0.35 Hz.
    pub wander_z: Range,
    /// Relative amplitude of each of the two sinus-cycle modulations (Mayer 0.1 Hz and
    /// respiratory 0.25 Hz, ECGSYN's peaks).
    pub sinus_modulation: Range,
    /// Share of a class's spread used for beat-to-beat jitter within one patient.
    pub beat_jitter: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            models: AamiClass::ALL
                .iter()
                .map(|&c| ClassModel::table(c))
                .collect(),
            noise_mv: r(0.005, 0.03),
            wander_z: r(0.0, 0.006),
            sinus_modulation: r(0.0, 0.03),
            beat_jitter: 0.15,
        }
    }
}

impl SynthConfig {
    /// The model of `class`.
    pub fn model(&self, class: AamiClass) -> Option<&ClassModel> {
        self.models.iter().find(|m| m.class == class)
    }

    /// Checks every model is usable.
    pub fn validate(&self) -> Result<(), SimulateError> {
        for c in AamiClass::ALL {
            let Some(m) = self.model(c) else {
                return Err(SimulateError::Invalid {
                    what: "models",
                    reason: format!("no model for class {c}"),
                });
            };
            if !m.morphology.is_valid()
                || !(20.0..250.0).contains(&m.hr_bpm.lo)
                || !(20.0..250.0).contains(&m.hr_bpm.hi)
            {
                return Err(SimulateError::Invalid {
                    what: "models",
                    reason: format!(
                        "class {c}: events must be finite with positive widths and the heart rate within 20–250 bpm"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Beats of the strip before and after the synthetic beat (five each way are what the local
/// RR average of [`rr_features`] spans).
const N_SIDE: usize = 6;
/// Lead-in before the window, s: the model's baseline relaxes with a 1-s time constant.
const LEAD_IN_S: f64 = 1.0;
/// ADC gain of the strips, adu/mV (MIT-BIH's).
const STRIP_GAIN: f64 = 200.0;

/// Rate the strips are simulated at for windows of `layout`.
pub fn strip_rate_hz(layout: &BeatLayout) -> f64 {
    let fs = f64::from(layout.fs_hz);
    if fs <= 180.0 { 360.0 } else { 2.0 * fs }
}

fn check_layout(layout: &BeatLayout) -> Result<(), SimulateError> {
    let fs = f64::from(layout.fs_hz);
    if !(20.0..=2000.0).contains(&fs)
        || !(8..=4096).contains(&layout.len)
        || layout.r_index >= layout.len
    {
        return Err(SimulateError::Invalid {
            what: "layout",
            reason: format!(
                "windows need 20–2000 Hz, 8–4096 samples and the R peak inside; found {fs} Hz, {} samples, R at {}",
                layout.len, layout.r_index
            ),
        });
    }
    Ok(())
}

/// `count` synthetic beats of `class` from the built-in tables, cut in `layout`, marked
/// [`Origin::Synthetic`], all in one record named `synthetic-{class}-{seed}`.
pub fn synth_beats(
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<BeatSet, SimulateError> {
    synth_beats_with(&SynthConfig::default(), class, count, layout, seed)
}

/// As [`synth_beats`] with given models (e.g. [`fitted_config`]).
pub fn synth_beats_with(
    config: &SynthConfig,
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<BeatSet, SimulateError> {
    check_layout(&layout)?;
    config.validate()?;
    let generator = Generator::new(config, layout);
    let mut set = BeatSet::new(layout);
    let id = set.record_index(&format!("synthetic-{class}-{seed}"));
    set.windows.reserve(count * layout.len);
    set.rr.reserve(count * N_RR);
    let mut rng = Rng::new(seed);
    let mut window = vec![0.0f32; layout.len];
    let mut scratch = Scratch::default();
    for _ in 0..count {
        let mut beat_rng = rng.fork(class.index() as u64);
        let (rr, r_sample) = generator.beat(class, &mut beat_rng, &mut window, &mut scratch);
        set.push(&window, &rr, class, id, r_sample, Origin::Synthetic);
    }
    Ok(set)
}

/// Synthetic beats with their virtual patients' normal beats.
#[derive(Debug, Clone)]
pub struct PatientBeats {
    /// The beats, one record (virtual patient) per beat, named `synthetic-{class}-{seed}-{k}`.
    pub beats: BeatSet,
    /// Window of a sinus beat of each record, in record-id order (what a real record's
    /// template is made from: its typical, normal beat).
    pub normal_windows: Vec<Vec<f32>>,
}

/// As [`synth_beats_with`], each beat its own virtual patient (record) with a window of that
/// patient's sinus beat from the same strip, so that inputs relative to the patient's typical
/// beat ([`crate::features::Templates`]) can be formed for synthetic beats as for real ones.
/// The strips are two beats longer, so this costs about 1.6× [`synth_beats_with`].
pub fn synth_patient_beats(
    config: &SynthConfig,
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<PatientBeats, SimulateError> {
    check_layout(&layout)?;
    config.validate()?;
    let generator = Generator::new(config, layout);
    let mut set = BeatSet::new(layout);
    set.windows.reserve(count * layout.len);
    set.rr.reserve(count * N_RR);
    let mut normal_windows = Vec::with_capacity(count);
    let mut rng = Rng::new(seed);
    let mut window = vec![0.0f32; layout.len];
    let mut scratch = Scratch::default();
    for k in 0..count {
        // Record names are unique, so pushing skips `record_index`'s linear search.
        set.records.push(format!("synthetic-{class}-{seed}-{k}"));
        let id = (set.records.len() - 1) as u32;
        let mut beat_rng = rng.fork(class.index() as u64);
        let mut normal = vec![0.0f32; layout.len];
        let (rr, r_sample) = generator.beat_and_template(
            class,
            &mut beat_rng,
            &mut window,
            Some(&mut normal),
            &mut scratch,
        );
        set.push(&window, &rr, class, id, r_sample, Origin::Synthetic);
        normal_windows.push(normal);
    }
    Ok(PatientBeats {
        beats: set,
        normal_windows,
    })
}

/// Buffers reused from beat to beat.
#[derive(Default)]
struct Scratch {
    signal: Option<Signal>,
    resample: Vec<f32>,
    beats: Vec<PlannedBeat>,
}

struct Generator<'a> {
    config: &'a SynthConfig,
    resampler: Resampler,
    fs_strip: f64,
    q: usize,
    pre_s: f64,
    post_s: f64,
}

impl<'a> Generator<'a> {
    fn new(config: &'a SynthConfig, layout: BeatLayout) -> Self {
        let fs_strip = strip_rate_hz(&layout);
        let fs = f64::from(layout.fs_hz);
        Self {
            config,
            resampler: Resampler::new(fs_strip, layout),
            fs_strip,
            q: internal_factor_for(fs_strip),
            pre_s: layout.r_index as f64 / fs,
            post_s: (layout.len - layout.r_index) as f64 / fs,
        }
    }

    fn model(&self, class: AamiClass) -> &ClassModel {
        // validate() has checked every class has a model.
        self.config.model(class).unwrap_or(&self.config.models[0])
    }

    /// Simulates one strip and cuts its centre beat into `window`; returns its RR features and
    /// its R sample in the strip.
    fn beat(
        &self,
        class: AamiClass,
        rng: &mut Rng,
        window: &mut [f32],
        scratch: &mut Scratch,
    ) -> ([f32; N_RR], u64) {
        self.beat_and_template(class, rng, window, None, scratch)
    }

    /// As [`Generator::beat`]; with `template`, the strip starts two beats earlier and the
    /// window of the virtual patient's sinus beat two before the synthetic one (a normal
    /// interval on each side of it) is cut into `template` too.
    fn beat_and_template(
        &self,
        class: AamiClass,
        rng: &mut Rng,
        window: &mut [f32],
        template: Option<&mut [f32]>,
        scratch: &mut Scratch,
    ) -> ([f32; N_RR], u64) {
        let tau = std::f64::consts::TAU;
        let paced = class == AamiClass::Q;
        let base = if paced {
            self.model(AamiClass::Q)
        } else {
            self.model(AamiClass::N)
        };
        let target_model = self.model(class);
        // The virtual patient.
        let hr = target_model.hr_bpm.draw(rng);
        let cycle0 = 60.0 / hr;
        let (lf, hf) = if paced {
            (0.0, 0.0)
        } else {
            (
                self.config.sinus_modulation.draw(rng),
                self.config.sinus_modulation.draw(rng),
            )
        };
        let (ph_lf, ph_hf) = (tau * rng.uniform(), tau * rng.uniform());
        let patient = base.sample(rng);
        let jitter = self.config.beat_jitter;
        // The beat itself.
        let target = match class {
            AamiClass::N | AamiClass::Q => base.spread.sample(&patient, jitter, rng),
            AamiClass::S => {
                // Conducted normally: the patient's QRS–T, the ectopic P.
                let s = target_model.sample(rng);
                let mut m = base.spread.sample(&patient, jitter, rng);
                m.theta_deg[0] = s.theta_deg[0];
                m.a[0] = s.a[0];
                m.b_rad[0] = s.b_rad[0];
                m
            }
            AamiClass::V | AamiClass::F => target_model.sample(rng),
        };
        // Timing.
        let n = 2 * N_SIDE + 1;
        let m = N_SIDE;
        let cycle_at = |t: f64| {
            cycle0
                * (1.0 + lf * (tau * 0.1 * t + ph_lf).sin() + hf * (tau * 0.25 * t + ph_hf).sin())
        };
        let beats = &mut scratch.beats;
        beats.clear();
        let mut t = 0.0;
        let mut r_times = [0.0f64; 2 * N_SIDE + 1];
        for (j, rt) in r_times.iter_mut().enumerate().take(n) {
            *rt = t;
            let c = cycle_at(t);
            let morph = if j == m {
                target
            } else {
                base.spread.sample(&patient, jitter, rng)
            };
            let mut rr = c;
            if j + 1 == m {
                rr = target_model.timing.pre_ratio.draw(rng) * c;
            } else if j == m {
                let pre = beats[m - 1].rr_s;
                let c_pre = beats[m - 1].cycle_s;
                rr = match target_model.timing.after {
                    After::Ratio(range) => range.draw(rng) * c,
                    After::Compensatory(range) => range.draw(rng) * (2.0 * c_pre) - pre,
                };
                rr = rr.max(0.3 * c);
            }
            let cycle = if j == m { beats[m - 1].cycle_s } else { c };
            beats.push(PlannedBeat {
                rr_s: rr,
                cycle_s: cycle,
                waves: morph.at_heart_rate(60.0 / cycle),
            });
            t += rr;
        }
        let t_r = r_times[m];
        let t_first = if template.is_some() {
            r_times[m - 2]
        } else {
            t_r
        };
        let margin_s = 0.05;
        let strip_config = StripConfig {
            fs_hz: self.fs_strip,
            internal_factor: self.q,
            first_r_s: 0.0,
            start_s: t_first - self.pre_s - margin_s - LEAD_IN_S,
            end_s: t_r + self.post_s + margin_s,
            wander_z: self.config.wander_z.draw(rng),
            wander_hz: rng.uniform_range(0.15, 0.35),
            wander_phase_rad: tau * rng.uniform(),
            noise_mv: self.config.noise_mv.draw(rng),
        };
        let strip = simulate_strip(beats, &strip_config, rng);
        let signal = scratch.signal.get_or_insert_with(|| Signal {
            name: "MLII".into(),
            units: "mV".into(),
            adc_gain: STRIP_GAIN,
            baseline: 0,
            invalid_adu: Some(i16::MIN),
            samples_adu: Vec::new(),
        });
        signal.samples_adu.clear();
        signal
            .samples_adu
            .extend(strip.signal_mv.iter().map(|&v| mv_to_adu(v, STRIP_GAIN)));
        let r_strip = strip.r_samples[m];
        let r_local = (r_strip as usize).saturating_sub(strip.start_sample);
        self.resampler
            .window_into_with(signal, r_local, window, &mut scratch.resample);
        if let Some(t) = template {
            let r_t = (strip.r_samples[m - 2] as usize).saturating_sub(strip.start_sample);
            self.resampler
                .window_into_with(signal, r_t, t, &mut scratch.resample);
        }
        let rr = rr_features(&strip.r_samples, self.fs_strip)
            .get(m)
            .map_or([f32::NAN; N_RR], RrFeatures::to_array);
        (rr, r_strip)
    }
}

/// mV to 16-bit adu at `gain` adu/mV, clamped to the valid range (−32768 marks a gap).
pub fn mv_to_adu(v: f32, gain: f64) -> i16 {
    let x = (f64::from(v) * gain).round();
    if x.is_finite() {
        x.clamp(-32767.0, 32767.0) as i16
    } else {
        0
    }
}

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

/// c + Σ αi exp(−(t − μi)² / (2σi²)) for parameters `[α, μ, σ] × 5, c`.
fn gaussians(p: &[f64; 16], t: f64) -> f64 {
    let mut s = p[15];
    for i in 0..N_WAVES {
        let (a, mu, sd) = (p[3 * i], p[3 * i + 1], p[3 * i + 2]);
        let d = t - mu;
        s += a * (-0.5 * d * d / (sd * sd)).exp();
    }
    s
}

fn cost(t: &[f64], y: &[f64], p: &[f64; 16]) -> f64 {
    t.iter()
        .zip(y)
        .map(|(&tk, &yk)| (gaussians(p, tk) - yk).powi(2))
        .sum()
}

/// Where each event may sit in a fit, s from the R peak (P, Q, R, S, T): the P wave before the
/// QRS, Q and S on either side of R, T after it. Keeps the fit from trading events (a "Q" drifting
/// into the T wave) on class means that hold parts of neighbouring beats.
const FIT_CENTRE_S: [(f64, f64); N_WAVES] = [
    (-0.35, -0.06),
    (-0.10, 0.0),
    (-0.04, 0.04),
    (0.0, 0.12),
    (0.08, 0.5),
];

/// Widths each event may take in a fit, s (standard deviation of its Gaussian in time).
const FIT_WIDTH_S: [(f64, f64); N_WAVES] = [
    (0.008, 0.12),
    (0.003, 0.06),
    (0.003, 0.06),
    (0.003, 0.06),
    (0.015, 0.2),
];

#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
/// Levenberg–Marquardt on the 16-parameter Gaussian sum; returns parameters, iterations and
/// the RMS residual. Centres and widths are kept in [`FIT_CENTRE_S`] and [`FIT_WIDTH_S`] (and
/// widths above half a sample).
fn levenberg_marquardt(
    t: &[f64],
    y: &[f64],
    mut p: [f64; 16],
    sample_s: f64,
) -> ([f64; 16], usize, f64) {
    const NP: usize = 16;
    let clamp = |p: &mut [f64; 16]| {
        for i in 0..N_WAVES {
            let (c_lo, c_hi) = FIT_CENTRE_S[i];
            let (w_lo, w_hi) = FIT_WIDTH_S[i];
            p[3 * i + 1] = p[3 * i + 1].clamp(c_lo, c_hi);
            p[3 * i + 2] = p[3 * i + 2].clamp(w_lo.max(0.5 * sample_s), w_hi);
        }
    };
    clamp(&mut p);
    let mut c = cost(t, y, &p);
    let mut lambda = 1e-3;
    let mut iterations = 0;
    for _ in 0..400 {
        iterations += 1;
        // Normal equations JᵀJ and Jᵀr.
        let mut jtj = [[0.0f64; NP]; NP];
        let mut jtr = [0.0f64; NP];
        let mut row = [0.0f64; NP];
        for (&tk, &yk) in t.iter().zip(y) {
            let mut model = p[15];
            for i in 0..N_WAVES {
                let (a, mu, sd) = (p[3 * i], p[3 * i + 1], p[3 * i + 2]);
                let d = tk - mu;
                let e = (-0.5 * d * d / (sd * sd)).exp();
                model += a * e;
                row[3 * i] = e;
                row[3 * i + 1] = a * e * d / (sd * sd);
                row[3 * i + 2] = a * e * d * d / (sd * sd * sd);
            }
            row[15] = 1.0;
            let res = model - yk;
            for u in 0..NP {
                jtr[u] += row[u] * res;
                for v in u..NP {
                    jtj[u][v] += row[u] * row[v];
                }
            }
        }
        for u in 0..NP {
            for v in 0..u {
                jtj[u][v] = jtj[v][u];
            }
        }
        let max_diag = (0..NP).map(|u| jtj[u][u]).fold(0.0f64, f64::max).max(1e-30);
        let mut improved = false;
        for _ in 0..12 {
            let mut a = jtj;
            for (u, row) in a.iter_mut().enumerate() {
                row[u] += lambda * (jtj[u][u] + 1e-9 * max_diag);
            }
            let mut rhs = jtr.map(|v| -v);
            if !solve(&mut a, &mut rhs) {
                lambda *= 4.0;
                continue;
            }
            let mut trial = p;
            for u in 0..NP {
                trial[u] += rhs[u];
            }
            clamp(&mut trial);
            let tc = cost(t, y, &trial);
            if tc.is_finite() && tc < c {
                let gain = (c - tc) / c.max(1e-300);
                p = trial;
                c = tc;
                lambda = (lambda / 3.0).max(1e-12);
                improved = true;
                if gain < 1e-10 {
                    return (p, iterations, (c / t.len() as f64).sqrt());
                }
                break;
            }
            lambda *= 4.0;
        }
        if !improved {
            break;
        }
    }
    (p, iterations, (c / t.len() as f64).sqrt())
}

#[allow(clippy::needless_range_loop)]
/// Solves `a x = b` in place (Gaussian elimination, partial pivoting); false when singular.
fn solve<const N: usize>(a: &mut [[f64; N]; N], b: &mut [f64; N]) -> bool {
    for col in 0..N {
        let piv = (col..N)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        if a[piv][col].abs() < 1e-300 || !a[piv][col].is_finite() {
            return false;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            if f != 0.0 {
                for k in col..N {
                    a[row][k] -= f * a[col][k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for col in (0..N).rev() {
        let mut s = b[col];
        for k in col + 1..N {
            s -= a[col][k] * b[k];
        }
        b[col] = s / a[col][col];
    }
    b.iter().all(|v| v.is_finite())
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

fn pearson(a: &[f32], b: &[f32]) -> f64 {
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

fn quantile(sorted: &[f64], q: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_beats_and_every_beat_is_synthetic() {
        let layout = BeatLayout::default();
        let a = synth_beats(AamiClass::V, 20, layout, 3).expect("valid");
        let b = synth_beats(AamiClass::V, 20, layout, 3).expect("valid");
        let c = synth_beats(AamiClass::V, 20, layout, 4).expect("valid");
        assert_eq!(a.windows, b.windows);
        assert_ne!(a.windows, c.windows);
        assert_eq!(a.len(), 20);
        assert!(a.origin.iter().all(|o| *o == Origin::Synthetic));
        assert!(a.labels.iter().all(|l| *l == AamiClass::V));
        assert!(a.has_rr());
        assert!(a.windows.iter().all(|v| v.is_finite()));
        assert_eq!(a.records, vec!["synthetic-V-3".to_string()]);
    }

    #[test]
    fn fit_recovers_a_known_beat() {
        // Mean beat = noiseless synthetic N beats; the fit must describe it closely.
        let layout = BeatLayout::default();
        let config = SynthConfig {
            noise_mv: r(0.0, 0.0),
            wander_z: r(0.0, 0.0),
            ..SynthConfig::default()
        };
        let set = synth_beats_with(&config, AamiClass::V, 200, layout, 9).expect("valid");
        let fit = fit_class(&set, AamiClass::V).expect("fits");
        assert!(
            fit.rms_residual_mv < 0.05 * fit.rms_mean_beat_mv,
            "residual {} of {}",
            fit.rms_residual_mv,
            fit.rms_mean_beat_mv
        );
        assert!(fit.morphology.is_valid());
        assert!(fit_class(&set, AamiClass::S).is_err());
    }

    #[test]
    fn solve_matches_a_known_system() {
        let mut a = [[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]];
        let mut b = [1.0, 2.0, 3.0];
        assert!(solve(&mut a, &mut b));
        // Solution by hand: x = (1/6·…); check by substitution instead.
        let a0 = [[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]];
        for (row, want) in a0.iter().zip([1.0, 2.0, 3.0]) {
            let got: f64 = row.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((got - want).abs() < 1e-12);
        }
        let mut s = [[1.0, 2.0], [2.0, 4.0]];
        assert!(!solve(&mut s, &mut [1.0, 1.0]));
    }
}
