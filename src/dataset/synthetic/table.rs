//! The built-in class models ([`ClassModel::table`]), each event at 60 bpm in the paper's units,
//! with the citation for every change from McSharry et al. 2003.

use super::model::{After, ClassModel, ModelSource, Spread, Timing, r};
use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::Morphology;
use crate::rng::Rng;

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

/// S beat events ([`ClassModel::table`]): the normal beat with its P wave closer to the QRS.
#[rustfmt::skip]
const S_TABLE: Morphology = Morphology {
    //          P       Q       R      S      T
    theta_deg: [-58.0, -15.0,  0.0,  15.0, 100.0],
    ..N_TABLE
};

/// V beat events ([`ClassModel::table`]): no P wave to speak of, a wide QRS and a large T.
#[rustfmt::skip]
const V_TABLE: Morphology = Morphology {
    //          P       Q       R      S      T
    theta_deg: [-70.0, -20.0,  0.0,  30.0, 120.0],
    a:         [ 0.0,   -2.0,  9.0,  -4.0,  -1.2],
    b_rad:     [ 0.25,   0.12, 0.21,  0.18,  0.45],
};

/// F beat events ([`ClassModel::table`]): halfway between the N and V tables.
#[rustfmt::skip]
const F_TABLE: Morphology = Morphology {
    //          P       Q       R      S      T
    theta_deg: [-70.0, -15.0,  0.0,  19.0, 110.0],
    a:         [ 0.9,   -4.6, 20.0,  -7.9,   0.1],
    b_rad:     [ 0.25,   0.1,  0.13,  0.12,  0.42],
};

/// Q (paced-like) beat events ([`ClassModel::table`]): the P slot is the pacing spike.
#[rustfmt::skip]
const Q_TABLE: Morphology = Morphology {
    //          P        Q      R      S      T
    theta_deg: [-14.0,   -6.0, 12.0,  45.0, 125.0],
    a:         [470.0,   -1.0,  5.0,  -3.0,  -0.8],
    b_rad:     [  0.025,  0.1,  0.25,  0.2,   0.45],
};

/// Spread of the normal beat between patients. Rationale: lead-II amplitudes vary about
/// two-fold between healthy adults (P 0.05–0.25 mV, R 0.5–2 mV, T 0.1–0.5 mV; Surawicz &
/// Knilans, *Chou's Electrocardiography in Clinical Practice*, 6th ed., ch. 1), the PR interval
/// 120–200 ms (≈ ±8° of the cycle at 60 bpm), QT with heart rate (the table's sqrt scaling)
/// and between patients (±10° of T).
#[rustfmt::skip]
const N_SPREAD: Spread = Spread {
    //                 P              Q              R              S              T
    theta_offset_deg: [r(-8.0, 8.0),  r(-2.0, 1.0),  r(0.0, 0.0),   r(-1.0, 2.0),  r(-10.0, 10.0)],
    a_factor:         [r(0.5, 1.4),   r(0.6, 1.3),   r(0.9, 1.1),   r(0.6, 1.3),   r(0.5, 1.5)],
    b_factor:         [r(0.8, 1.2),   r(0.85, 1.1),  r(0.85, 1.1),  r(0.85, 1.1),  r(0.8, 1.2)],
    qrs_gain: r(0.65, 1.35),
};

/// Spread of ventricular (and paced) beats: the focus decides the QRS axis and shape, so
/// amplitudes and widths vary more than in conducted beats.
#[rustfmt::skip]
const V_SPREAD: Spread = Spread {
    //                 P              Q              R              S              T
    theta_offset_deg: [r(0.0, 0.0),   r(-5.0, 3.0),  r(-3.0, 3.0),  r(-3.0, 8.0),  r(-15.0, 15.0)],
    a_factor:         [r(1.0, 1.0),   r(0.0, 1.5),   r(0.6, 1.4),   r(0.5, 1.5),   r(0.6, 1.4)],
    b_factor:         [r(1.0, 1.0),   r(0.8, 1.25),  r(0.95, 1.25), r(0.95, 1.3),  r(0.85, 1.2)],
    qrs_gain: r(1.0, 1.0),
};

/// Spread of atrial premature (S) beats, described in [`ClassModel::table`].
#[rustfmt::skip]
const S_SPREAD: Spread = Spread {
    //                 P              Q              R              S              T
    theta_offset_deg: [r(-8.0, 8.0),  r(-2.0, 2.0),  r(0.0, 0.0),   r(-2.0, 2.0),  r(-5.0, 5.0)],
    a_factor:         [r(-0.6, 0.6),  r(0.7, 1.3),   r(0.8, 1.2),   r(0.7, 1.3),   r(0.7, 1.3)],
    b_factor:         [r(0.6, 1.2),   r(0.9, 1.1),   r(0.9, 1.1),   r(0.9, 1.1),   r(0.9, 1.1)],
    qrs_gain: r(1.0, 1.0),
};

/// Spread of fusion (F) beats, described in [`ClassModel::table`].
#[rustfmt::skip]
const F_SPREAD: Spread = Spread {
    //                 P              Q              R              S              T
    theta_offset_deg: [r(-6.0, 6.0),  r(-4.0, 4.0),  r(0.0, 0.0),   r(-6.0, 6.0),  r(-12.0, 12.0)],
    a_factor:         [r(0.3, 1.2),   r(0.4, 1.5),   r(0.7, 1.3),   r(0.6, 1.4),   r(-3.0, 3.0)],
    b_factor:         [r(0.8, 1.2),   r(0.85, 1.2),  r(0.85, 1.2),  r(0.85, 1.25), r(0.85, 1.2)],
    qrs_gain: r(1.0, 1.0),
};

/// Spread of paced-like (Q) beats, described in [`ClassModel::table`].
#[rustfmt::skip]
const Q_SPREAD: Spread = Spread {
    //                 P              Q              R              S              T
    theta_offset_deg: [r(-2.0, 2.0),  r(-2.0, 2.0),  r(-3.0, 3.0),  r(-8.0, 8.0),  r(-12.0, 12.0)],
    a_factor:         [r(0.5, 1.3),   r(0.0, 1.5),   r(0.6, 1.4),   r(0.5, 1.5),   r(0.6, 1.4)],
    b_factor:         [r(0.9, 1.1),   r(0.8, 1.2),   r(0.85, 1.2),  r(0.8, 1.3),   r(0.85, 1.2)],
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
        // Every class is the normal beat's model but where its arm says otherwise.
        let normal = ClassModel {
            class,
            morphology: N_TABLE,
            spread: N_SPREAD,
            timing: Timing {
                pre_ratio: r(1.0, 1.0),
                after: After::Ratio(r(1.0, 1.0)),
            },
            hr_bpm: r(55.0, 100.0),
            invert_probability: 0.0,
            source: ModelSource::Table,
        };
        let timing = |pre_ratio, after| Timing { pre_ratio, after };
        #[rustfmt::skip]
        let model = match class {
            AamiClass::N => normal,
            AamiClass::S => ClassModel { morphology: S_TABLE, spread: S_SPREAD,
                timing: timing(r(0.6, 0.8), After::Ratio(r(1.0, 1.15))), ..normal },
            AamiClass::V => ClassModel { morphology: V_TABLE, spread: V_SPREAD,
                timing: timing(r(0.55, 0.8), After::Compensatory(r(0.97, 1.03))),
                invert_probability: 0.3, ..normal },
            AamiClass::F => ClassModel { morphology: F_TABLE, spread: F_SPREAD,
                timing: timing(r(0.9, 1.02), After::Ratio(r(1.0, 1.1))), ..normal },
            AamiClass::Q => ClassModel { morphology: Q_TABLE, spread: Q_SPREAD,
                timing: timing(r(0.995, 1.005), After::Ratio(r(0.995, 1.005))),
                hr_bpm: r(60.0, 80.0), ..normal },
        };
        model
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
