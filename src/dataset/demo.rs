//! The demo set: synthetic multi-patient recordings the page opens on, and single synthetic
//! records for the CLI. Never patient data: every record is [`RecordSource::Synthetic`] and says
//! so in its comments.
//!
//! [`demo_records`] makes 24 "patients" (`demo01` … `demo24`), one lead (`MLII`) at 360 Hz,
//! 16-bit samples at 200 adu/mV with baseline 0 (MIT-BIH's format-16 conventions), about 20
//! minutes each, with beat annotations whose class mix over the whole set is exactly the
//! guide's MIT-BIH imbalance ([`DEMO_MIX_PERCENT`]: N 79.3 %, S 3.0 %, V 6.8 %, F 0.5 %,
//! Q 10.4 % of [`DEMO_TOTAL_BEATS`] beats). As in MIT-BIH, classes are spread unevenly: three
//! patients are paced (every beat `/`, AAMI Q), ten have ventricular premature beats in very
//! different numbers, eight have atrial premature beats, three of the ventricular ones also
//! have fusion beats; heart rate, heart-rate variability, morphology, noise and baseline wander
//! differ from patient to patient.
//!
//! Beats are planned first (labels, RR intervals, events; timing rules of
//! [`super::synthetic::ClassModel::table`]) and then simulated in one pass per patient with
//! [`simulate_strip`], so the counts are exact by construction and the whole set takes a
//! fraction of a second natively.
//!
//! Annotation symbols: `N`, `A` (atrial premature, S), `V`, `F` and `/` (paced, Q).

use super::synthetic::{After, ClassModel, Range, SynthConfig, mv_to_adu};
use crate::ecg::aami::AamiClass;
use crate::ecg::simulate::{
    Morphology, N_WAVES, PlannedBeat, RrSpectrum, SimulateError, StripConfig, internal_factor_for,
    rr_at, rr_process, simulate_strip,
};
use crate::record::RecordSource;
use crate::rng::Rng;
use crate::{Annotation, Record, Signal};

/// Number of demo patients.
pub const DEMO_PATIENTS: usize = 24;
/// Sampling rate of the demo records, Hz.
pub const DEMO_FS_HZ: f64 = 360.0;
/// Beats in the whole demo set.
pub const DEMO_TOTAL_BEATS: usize = 36_000;
/// Share of each class in the demo set, percent, in N, S, V, F, Q order: the seed guide's
/// MIT-BIH class mix.
pub const DEMO_MIX_PERCENT: [f64; 5] = [79.3, 3.0, 6.8, 0.5, 10.4];
/// ADC gain of the demo records, adu/mV.
pub const DEMO_ADC_GAIN: f64 = 200.0;
/// Paced patients in the demo set.
pub const DEMO_PACED_PATIENTS: usize = 3;
/// Patients with ventricular, atrial premature and fusion beats.
const N_WITH_V: usize = 10;
const N_WITH_S: usize = 8;
const N_WITH_F: usize = 3;

/// MIT annotation code of each class's symbol in synthetic records (`N`, `A`, `V`, `F`, `/`).
pub fn code_of(class: AamiClass) -> u8 {
    match class {
        AamiClass::N => 1,
        AamiClass::S => 8,
        AamiClass::V => 5,
        AamiClass::F => 6,
        AamiClass::Q => 12,
    }
}

/// Beats of each class in the demo set: [`DEMO_MIX_PERCENT`] of [`DEMO_TOTAL_BEATS`].
pub fn demo_class_counts() -> [usize; 5] {
    let mut c = DEMO_MIX_PERCENT.map(|p| (p / 100.0 * DEMO_TOTAL_BEATS as f64).round() as usize);
    let others: usize = c[1..].iter().sum();
    c[0] = DEMO_TOTAL_BEATS - others;
    c
}

/// Splits `total` into parts proportional to `weights`, none above its `cap`, summing exactly
/// to `total` (largest remainders; the cap binding parts give their excess to the others).
fn split_count(total: usize, weights: &[f64], caps: &[usize]) -> Vec<usize> {
    let n = weights.len();
    let mut out = vec![0usize; n];
    let mut open: Vec<usize> = (0..n).filter(|&i| caps[i] > 0).collect();
    let mut left = total;
    while left > 0 && !open.is_empty() {
        let wsum: f64 = open.iter().map(|&i| weights[i].max(1e-9)).sum();
        let shares: Vec<f64> = open
            .iter()
            .map(|&i| left as f64 * weights[i].max(1e-9) / wsum)
            .collect();
        let mut give: Vec<usize> = shares.iter().map(|s| s.floor() as usize).collect();
        let mut rest = left - give.iter().sum::<usize>();
        let mut order: Vec<usize> = (0..open.len()).collect();
        order.sort_by(|&a, &b| {
            (shares[b] - shares[b].floor()).total_cmp(&(shares[a] - shares[a].floor()))
        });
        for &o in &order {
            if rest == 0 {
                break;
            }
            give[o] += 1;
            rest -= 1;
        }
        let mut next_open = Vec::new();
        for (o, &i) in open.iter().enumerate() {
            let room = caps[i] - out[i];
            let g = give[o].min(room);
            out[i] += g;
            left -= g;
            if out[i] < caps[i] {
                next_open.push(i);
            }
        }
        if next_open.len() == open.len() && left > 0 && give.iter().all(|&g| g == 0) {
            // Nothing could be placed (left smaller than the open parts' rounding): one each.
            for &i in &next_open {
                if left == 0 {
                    break;
                }
                out[i] += 1;
                left -= 1;
            }
        }
        open = next_open
            .into_iter()
            .filter(|&i| out[i] < caps[i])
            .collect();
    }
    out
}

/// `k` distinct indices out of `0..n`, sorted.
fn pick(n: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut all);
    all.truncate(k.min(n));
    all.sort_unstable();
    all
}

/// Weights with a long tail (a few patients with many ectopic beats, as in MIT-BIH).
fn skewed_weights(k: usize, rng: &mut Rng) -> Vec<f64> {
    (0..k)
        .map(|_| {
            let u = 1.0 - rng.uniform();
            (-u.ln()).powf(1.5) + 0.05
        })
        .collect()
}

/// One demo patient before simulation.
#[derive(Debug, Clone)]
struct PatientPlan {
    name: String,
    labels: Vec<AamiClass>,
    paced: bool,
}

/// Places the ectopic beats of `counts` (S, V, F) among `n` beats, apart where possible.
fn place_labels(n: usize, s: usize, v: usize, f: usize, rng: &mut Rng) -> Vec<AamiClass> {
    let mut labels = vec![AamiClass::N; n];
    let mut todo: Vec<AamiClass> = std::iter::repeat_n(AamiClass::S, s)
        .chain(std::iter::repeat_n(AamiClass::V, v))
        .chain(std::iter::repeat_n(AamiClass::F, f))
        .collect();
    rng.shuffle(&mut todo);
    let mut slots: Vec<usize> = (1..n.saturating_sub(1)).collect();
    rng.shuffle(&mut slots);
    let mut placed = 0;
    // First pass: an ectopic beat between two normal ones; second pass: anywhere left.
    for strict in [true, false] {
        for &i in &slots {
            if placed == todo.len() {
                break;
            }
            if labels[i] != AamiClass::N {
                continue;
            }
            if strict && (labels[i - 1] != AamiClass::N || labels[i + 1] != AamiClass::N) {
                continue;
            }
            labels[i] = todo[placed];
            placed += 1;
        }
    }
    labels
}

fn plan_demo(seed: u64) -> Vec<PatientPlan> {
    let mut rng = Rng::new(seed ^ 0x0DE3_05E7);
    let [n_n, n_s, n_v, n_f, n_q] = demo_class_counts();
    let paced = pick(DEMO_PATIENTS, DEMO_PACED_PATIENTS, &mut rng);
    let others: Vec<usize> = (0..DEMO_PATIENTS).filter(|i| !paced.contains(i)).collect();
    // Beats per patient.
    let paced_counts = split_count(
        n_q,
        &[1.0; DEMO_PACED_PATIENTS],
        &[usize::MAX; DEMO_PACED_PATIENTS],
    );
    let other_total = n_n + n_s + n_v + n_f;
    let w: Vec<f64> = others
        .iter()
        .map(|_| rng.uniform_range(0.75, 1.25))
        .collect();
    let other_counts = split_count(other_total, &w, &vec![usize::MAX; others.len()]);
    // Who has which ectopic beats, and how many (caps keep every patient mostly sinus).
    let v_who = pick(others.len(), N_WITH_V, &mut rng);
    let s_who = pick(others.len(), N_WITH_S, &mut rng);
    let f_pick = pick(v_who.len(), N_WITH_F, &mut rng);
    let f_who: Vec<usize> = f_pick.iter().map(|&i| v_who[i]).collect();
    let share = |who: &[usize], total: usize, cap: f64, rng: &mut Rng| {
        let caps: Vec<usize> = who
            .iter()
            .map(|&i| (other_counts[i] as f64 * cap) as usize)
            .collect();
        let parts = split_count(total, &skewed_weights(who.len(), rng), &caps);
        let mut per = vec![0usize; others.len()];
        for (&i, p) in who.iter().zip(parts) {
            per[i] = p;
        }
        per
    };
    let v_per = share(&v_who, n_v, 0.3, &mut rng);
    let s_per = share(&s_who, n_s, 0.15, &mut rng);
    let f_per = share(&f_who, n_f, 0.05, &mut rng);
    let mut plans = vec![None; DEMO_PATIENTS];
    for (k, &p) in paced.iter().enumerate() {
        plans[p] = Some(PatientPlan {
            name: format!("demo{:02}", p + 1),
            labels: vec![AamiClass::Q; paced_counts[k]],
            paced: true,
        });
    }
    for (k, &p) in others.iter().enumerate() {
        let labels = place_labels(other_counts[k], s_per[k], v_per[k], f_per[k], &mut rng);
        plans[p] = Some(PatientPlan {
            name: format!("demo{:02}", p + 1),
            labels,
            paced: false,
        });
    }
    plans.into_iter().flatten().collect()
}

/// Linear blend of two tables in angle, width and wave area (a·b²), `w` of `b`.
fn blend(a: &Morphology, b: &Morphology, w: f64) -> Morphology {
    let mut m = *a;
    for i in 0..N_WAVES {
        m.theta_deg[i] = (1.0 - w) * a.theta_deg[i] + w * b.theta_deg[i];
        m.b_rad[i] = (1.0 - w) * a.b_rad[i] + w * b.b_rad[i];
        let area = (1.0 - w) * a.a[i] * a.b_rad[i].powi(2) + w * b.a[i] * b.b_rad[i].powi(2);
        m.a[i] = area / m.b_rad[i].powi(2);
    }
    m
}

/// Simulates one patient: beats `labels`, one lead at `fs_hz`, at most `max_s` seconds long.
fn simulate_patient(
    name: &str,
    labels: &[AamiClass],
    paced: bool,
    fs_hz: f64,
    max_s: Option<f64>,
    config: &SynthConfig,
    rng: &mut Rng,
) -> Record {
    let model = |c: AamiClass| {
        config
            .model(c)
            .cloned()
            .unwrap_or_else(|| ClassModel::table(c))
    };
    let (n_model, s_model, v_model, q_model) = (
        model(AamiClass::N),
        model(AamiClass::S),
        model(AamiClass::V),
        model(AamiClass::Q),
    );
    let tau = std::f64::consts::TAU;
    // The patient.
    let hr = if paced {
        q_model.hr_bpm.draw(rng)
    } else {
        rng.uniform_range(58.0, 95.0)
    };
    let spectrum = RrSpectrum {
        hr_mean_bpm: hr,
        hr_std_bpm: rng.uniform_range(1.0, 4.0),
        lf_hf_ratio: rng.uniform_range(0.5, 2.0),
        ..RrSpectrum::default()
    };
    let base = if paced { &q_model } else { &n_model };
    let normal = base.sample(rng);
    let foci: Vec<Morphology> = (0..=rng.below(2)).map(|_| v_model.sample(rng)).collect();
    let ectopic_p = s_model.sample(rng);
    let jitter = config.beat_jitter;
    let noise_mv = config.noise_mv.draw(rng);
    let wander_z = rng.uniform_range(0.002, 0.008);
    let wander_hz = rng.uniform_range(0.15, 0.35);
    let wander_phase = tau * rng.uniform();
    // Sinus cycle: ECGSYN's RR process at 1 Hz, interpolated.
    let est_s = labels.len() as f64 * 60.0 / hr * 1.3 + 16.0;
    let n_rr = (est_s.ceil() as usize).next_power_of_two();
    let rr0 = if paced {
        vec![60.0 / hr; 4]
    } else {
        rr_process(&spectrum, n_rr, rng)
    };
    // Plan: a lead-in beat, the labelled beats, a closing beat.
    let mut beats: Vec<PlannedBeat> = Vec::with_capacity(labels.len() + 2);
    let mut t = 0.0;
    let mut prev_label = AamiClass::N;
    let mut prev_rr = 60.0 / hr;
    let all: Vec<Option<AamiClass>> = std::iter::once(None)
        .chain(labels.iter().copied().map(Some))
        .chain(std::iter::once(None))
        .collect();
    let mut r_times = Vec::with_capacity(all.len());
    for (j, label) in all.iter().enumerate() {
        let c = rr_at(&rr0, t).max(0.25);
        let class = label.unwrap_or(if paced { AamiClass::Q } else { AamiClass::N });
        let morph = match class {
            AamiClass::N | AamiClass::Q => base.spread.sample(&normal, jitter, rng),
            AamiClass::S => {
                let mut m = n_model.spread.sample(&normal, jitter, rng);
                let p = s_model.spread.sample(&ectopic_p, jitter, rng);
                m.theta_deg[0] = p.theta_deg[0];
                m.a[0] = p.a[0];
                m.b_rad[0] = p.b_rad[0];
                m
            }
            AamiClass::V => {
                let f = &foci[rng.below(foci.len())];
                v_model.spread.sample(f, jitter, rng)
            }
            AamiClass::F => {
                let f = &foci[rng.below(foci.len())];
                let w = rng.uniform_range(0.3, 0.7);
                blend(&normal, f, w)
            }
        };
        // The interval from the previous beat to this one.
        if j > 0 {
            let rr = if paced {
                c * rng.uniform_range(0.995, 1.005)
            } else if matches!(class, AamiClass::S | AamiClass::V | AamiClass::F) {
                model(class).timing.pre_ratio.draw(rng) * c
            } else if matches!(prev_label, AamiClass::S | AamiClass::V | AamiClass::F) {
                match model(prev_label).timing.after {
                    After::Ratio(range) => range.draw(rng) * c,
                    After::Compensatory(range) => range.draw(rng) * 2.0 * c - prev_rr,
                }
            } else {
                c
            };
            let rr = rr.max(0.3 * c).max(0.2);
            if let Some(last) = beats.last_mut() {
                last.rr_s = rr;
            }
            t += rr;
            prev_rr = rr;
        }
        r_times.push(t);
        let c = rr_at(&rr0, t).max(0.25);
        beats.push(PlannedBeat {
            rr_s: c,
            cycle_s: c,
            waves: morph.at_heart_rate(60.0 / c),
        });
        prev_label = class;
        if max_s.is_some_and(|m| t > m + 2.0) {
            break;
        }
    }
    let end_s = r_times.last().copied().unwrap_or(0.0);
    let end_s = max_s.map_or(end_s, |m| m.min(end_s));
    let strip = simulate_strip(
        &beats,
        &StripConfig {
            fs_hz,
            internal_factor: internal_factor_for(fs_hz),
            first_r_s: 0.0,
            start_s: 0.0,
            end_s,
            wander_z,
            wander_hz,
            wander_phase_rad: wander_phase,
            noise_mv,
        },
        rng,
    );
    let samples_adu: Vec<i16> = strip
        .signal_mv
        .iter()
        .map(|&v| mv_to_adu(v, DEMO_ADC_GAIN))
        .collect();
    let n_samples = samples_adu.len() as u64;
    let mut counts = [0usize; 5];
    let annotations: Vec<Annotation> = all
        .iter()
        .zip(&strip.r_samples)
        .filter_map(|(label, &r)| {
            let c = (*label)?;
            (r < n_samples).then(|| {
                counts[c.index()] += 1;
                Annotation::beat(r, code_of(c))
            })
        })
        .collect();
    Record {
        name: name.to_string(),
        fs_hz,
        signals: vec![Signal {
            name: "MLII".into(),
            units: "mV".into(),
            adc_gain: DEMO_ADC_GAIN,
            baseline: 0,
            invalid_adu: Some(i16::MIN),
            samples_adu,
        }],
        annotations,
        comments: vec![
            "SYNTHETIC ECG - not patient data. Generated by ECG Balance Lab: ECGSYN (McSharry et al., IEEE TBME 2003) with class-specific beats.".into(),
            format!(
                "{} patient: rate {hr:.0} bpm; beats N {} S(A) {} V {} F {} Q(/) {}; noise {:.3} mV",
                if paced { "paced" } else { "sinus" },
                counts[0], counts[1], counts[2], counts[3], counts[4], noise_mv
            ),
        ],
        source: RecordSource::Synthetic,
    }
}

/// The demo set: [`DEMO_PATIENTS`] synthetic records whose beats follow [`DEMO_MIX_PERCENT`]
/// exactly (see the module docs). The same seed gives the same records.
pub fn demo_records(seed: u64) -> Vec<Record> {
    let config = SynthConfig::default();
    let mut rng = Rng::new(seed);
    plan_demo(seed)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut patient_rng = rng.fork(i as u64);
            let mut rec = simulate_patient(
                &p.name,
                &p.labels,
                p.paced,
                DEMO_FS_HZ,
                None,
                &config,
                &mut patient_rng,
            );
            rec.comments.push(format!("demo set, seed {seed}"));
            rec
        })
        .collect()
}

/// Ectopic beats of [`synth_record`], as shares of all beats: S, V, F (the rest is N).
pub const RECORD_ECTOPY: [(AamiClass, f64); 3] = [
    (AamiClass::S, 0.03),
    (AamiClass::V, 0.07),
    (AamiClass::F, 0.005),
];

/// One synthetic patient of `minutes` at `fs_hz`: sinus rhythm with atrial and ventricular
/// premature beats and a few fusion beats ([`RECORD_ECTOPY`]), one lead `MLII`, 200 adu/mV.
pub fn synth_record(
    name: &str,
    minutes: f64,
    fs_hz: f64,
    seed: u64,
) -> Result<Record, SimulateError> {
    if !(minutes.is_finite() && minutes > 0.0 && minutes <= 24.0 * 60.0) {
        return Err(SimulateError::Invalid {
            what: "minutes",
            reason: format!("must be in (0, 1440], found {minutes}"),
        });
    }
    if !(fs_hz.is_finite() && (50.0..=2000.0).contains(&fs_hz)) {
        return Err(SimulateError::Invalid {
            what: "fs_hz",
            reason: format!("must be 50 to 2000 Hz, found {fs_hz}"),
        });
    }
    let mut rng = Rng::new(seed);
    // Enough beats for the fastest rate the patient can have; the plan stops at `minutes`.
    let n = (minutes * 130.0).ceil() as usize + 8;
    let probs: Vec<(AamiClass, f64)> = RECORD_ECTOPY.to_vec();
    let mut labels = Vec::with_capacity(n);
    let mut prev = AamiClass::N;
    for i in 0..n {
        let mut class = AamiClass::N;
        if i > 0 && prev == AamiClass::N {
            // Ectopic beats are spaced out; scale so the shares hold over all beats.
            let u = rng.uniform();
            let mut acc = 0.0;
            let total: f64 = probs.iter().map(|p| p.1).sum();
            for &(c, p) in &probs {
                acc += p / (1.0 - total);
                if u < acc {
                    class = c;
                    break;
                }
            }
        }
        labels.push(class);
        prev = class;
    }
    let config = SynthConfig {
        noise_mv: Range::new(0.005, 0.02),
        ..SynthConfig::default()
    };
    let mut rec = simulate_patient(
        name,
        &labels,
        false,
        fs_hz,
        Some(minutes * 60.0),
        &config,
        &mut rng,
    );
    rec.comments.push(format!("synth-record, seed {seed}"));
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_count_is_exact_and_respects_caps() {
        let parts = split_count(100, &[1.0, 1.0, 10.0], &[50, 50, 30]);
        assert_eq!(parts.iter().sum::<usize>(), 100);
        assert_eq!(parts[2], 30);
        let parts = split_count(7, &[1.0, 1.0, 1.0], &[usize::MAX; 3]);
        assert_eq!(parts.iter().sum::<usize>(), 7);
        assert!(parts.iter().all(|&p| (2..=3).contains(&p)), "{parts:?}");
    }

    #[test]
    fn class_counts_reproduce_the_mix() {
        assert_eq!(demo_class_counts(), [28_548, 1_080, 2_448, 180, 3_744]);
    }

    #[test]
    fn plan_has_the_exact_mix_and_varied_patients() {
        let plans = plan_demo(1);
        assert_eq!(plans.len(), DEMO_PATIENTS);
        let mut counts = [0usize; 5];
        for p in &plans {
            for l in &p.labels {
                counts[l.index()] += 1;
            }
        }
        assert_eq!(counts, demo_class_counts());
        assert_eq!(
            plans.iter().filter(|p| p.paced).count(),
            DEMO_PACED_PATIENTS
        );
        let with = |c: AamiClass| plans.iter().filter(|p| p.labels.contains(&c)).count();
        assert_eq!(with(AamiClass::V), N_WITH_V);
        assert_eq!(with(AamiClass::S), N_WITH_S);
        assert_eq!(with(AamiClass::F), N_WITH_F);
    }
}
