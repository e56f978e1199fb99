//! Property tests of beat augmentation and rebalancing, through the public API only.

use ecg_balance_lab::dataset::augment::{
    self, Augmentation, Mains, Technique, TechniqueRanges, augment_random,
};
use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig, rebalance};
use ecg_balance_lab::dataset::{BeatLayout, BeatSet, N_RR, Origin};
use ecg_balance_lab::ecg::aami::{AamiClass, N_CLASSES};
use proptest::prelude::*;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

fn any_technique() -> impl Strategy<Value = Technique> {
    (0..Technique::ALL.len()).prop_map(|i| Technique::ALL[i])
}

/// A window of 24–300 samples in ±3 mV, an R index inside it, a rate of 130–500 Hz (both mains
/// frequencies below Nyquist; the default 20 ms shift under half the window).
fn any_window() -> impl Strategy<Value = (Vec<f32>, usize, f32)> {
    (24usize..300, 130.0f32..500.0)
        .prop_flat_map(|(len, fs)| (prop::collection::vec(-3.0f32..3.0, len), 0..len, Just(fs)))
}

fn spectrum_magnitude(x: &[f64]) -> Vec<f64> {
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v, 0.0)).collect();
    FftPlanner::<f64>::new()
        .plan_fft_forward(x.len())
        .process(&mut buf);
    buf[..=x.len() / 2].iter().map(|c| c.norm()).collect()
}

fn argmax(x: &[f64]) -> usize {
    x.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_technique_keeps_length_is_finite_and_seeded(
        (x, r, fs) in any_window(),
        technique in any_technique(),
        seed in any::<u64>(),
    ) {
        let ranges = TechniqueRanges::default();
        let (a, y) = augment_random(&x, fs, r, technique, &ranges, seed).unwrap();
        prop_assert_eq!(a.technique(), technique);
        prop_assert_eq!(y.len(), x.len());
        prop_assert!(y.iter().all(|v| v.is_finite()));
        let (a2, y2) = augment_random(&x, fs, r, technique, &ranges, seed).unwrap();
        prop_assert_eq!(a, a2);
        prop_assert_eq!(y, y2);
        // The drawn values lie in the ranges.
        match a {
            Augmentation::GaussianNoise { snr_db } => prop_assert!((20.0..=35.0).contains(&snr_db)),
            Augmentation::TimeWarp { strength } => prop_assert!((0.05..=0.2).contains(&strength)),
            Augmentation::AmplitudeScale { factor } => prop_assert!((0.8..=1.2).contains(&factor)),
            Augmentation::TimeShift { shift_samples } => {
                let m = (20.0 * fs / 1000.0).round() as i32;
                prop_assert!(shift_samples != 0 && shift_samples.abs() <= m);
            }
            Augmentation::FrequencyShift { shift_hz } => prop_assert!(shift_hz.abs() <= 1.0),
            Augmentation::BaselineWander { amplitude_mv, .. } => {
                prop_assert!((0.05..=0.3).contains(&amplitude_mv))
            }
            Augmentation::PowerLine { amplitude_mv, .. } => {
                prop_assert!((0.01..=0.1).contains(&amplitude_mv))
            }
        }
    }

    #[test]
    fn noise_measures_back_within_half_a_db(snr_db in -5.0f32..60.0, seed in any::<u64>()) {
        // 20,000 samples: measured noise power within ≈ 1 % (0.05 dB, one standard deviation).
        let x: Vec<f32> = (0..20_000)
            .map(|k| 0.7 + (k as f32 * 0.05).sin() + 0.4 * (k as f32 * 0.31).cos())
            .collect();
        let y = augment::gaussian_noise(&x, 180.0, 0, snr_db, seed).unwrap();
        let p = augment::signal_power_mv2(&x);
        let pn = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (f64::from(*b) - f64::from(*a)).powi(2))
            .sum::<f64>()
            / x.len() as f64;
        let got = 10.0 * (p / pn).log10();
        prop_assert!((got - f64::from(snr_db)).abs() < 0.5, "asked {} got {}", snr_db, got);
    }

    #[test]
    fn frequency_shift_moves_a_tone_by_whole_bins(
        k0 in 4usize..56,
        m in -6i64..=6,
        phase in 0.0f64..std::f64::consts::TAU,
        r in 0usize..126,
    ) {
        let (len, fs) = (126usize, 180.0f32);
        let target = k0 as i64 + m;
        prop_assume!((2..=60).contains(&target));
        let x: Vec<f32> = (0..len)
            .map(|k| (0.8 * (std::f64::consts::TAU * k0 as f64 * k as f64 / len as f64 + phase).cos()) as f32)
            .collect();
        let shift_hz = m as f64 * f64::from(fs) / len as f64;
        let y = augment::frequency_shift(&x, fs, r, shift_hz as f32).unwrap();
        let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let mag = spectrum_magnitude(&y);
        prop_assert_eq!(argmax(&mag) as i64, target);
    }

    #[test]
    fn time_shift_then_its_inverse_restores_the_kept_region(
        (x, r, fs) in any_window(),
        frac in -1.0f64..=1.0,
    ) {
        let s = (frac * (x.len() / 2) as f64).round() as i32;
        let y = augment::time_shift(&x, fs, r, s).unwrap();
        let z = augment::time_shift(&y, fs, r, -s).unwrap();
        let kept = augment::time_shift_kept(x.len(), s);
        prop_assert_eq!(kept.len(), x.len() - s.unsigned_abs() as usize);
        prop_assert_eq!(&z[kept.clone()], &x[kept]);
    }

    #[test]
    fn time_warp_is_monotone_and_keeps_the_r_sample(
        (x, r, fs) in any_window(),
        strength in 0.0f32..=0.5,
        seed in any::<u64>(),
    ) {
        let pos = augment::time_warp_positions(x.len(), r, strength, seed).unwrap();
        prop_assert_eq!(pos[r], r as f64);
        prop_assert_eq!(pos[0], 0.0);
        prop_assert!((pos[x.len() - 1] - (x.len() - 1) as f64).abs() < 1e-9);
        let s = f64::from(strength);
        for w in pos.windows(2) {
            let step = w[1] - w[0];
            prop_assert!(step > 0.0 && (step - 1.0).abs() <= s + 1e-9, "step {}", step);
        }
        let y = augment::time_warp(&x, fs, r, strength, seed).unwrap();
        prop_assert_eq!(y[r].to_bits(), x[r].to_bits());
    }

    #[test]
    fn power_line_peaks_at_mains(
        sixty in any::<bool>(),
        amplitude_mv in 0.005f32..1.0,
        seed in any::<u64>(),
        fs_choice in 0usize..3,
    ) {
        // Windows of one second (1 Hz bins) at rates above 120 Hz, over a beat-like bump.
        let fs = [180.0f32, 250.0, 360.0][fs_choice];
        let len = fs as usize;
        let x: Vec<f32> = (0..len)
            .map(|k| (-((k as f32 - 60.0) / 4.0).powi(2)).exp())
            .collect();
        let mains = if sixty { Mains::Hz60 } else { Mains::Hz50 };
        let y = augment::power_line(&x, fs, 60, mains, amplitude_mv, seed).unwrap();
        let added: Vec<f64> = y.iter().zip(&x).map(|(a, b)| f64::from(*a) - f64::from(*b)).collect();
        let mag = spectrum_magnitude(&added);
        prop_assert_eq!(argmax(&mag), mains.hz() as usize);
    }
}

/// A training set with `counts[c]` beats of each class, interleaved.
fn train_set(counts: [usize; N_CLASSES]) -> BeatSet {
    let layout = BeatLayout {
        fs_hz: 180.0,
        len: 40,
        r_index: 15,
    };
    let mut s = BeatSet::new(layout);
    let recs = [s.record_index("r1"), s.record_index("r2")];
    let mut left = counts;
    let mut i = 0u64;
    while left.iter().any(|&n| n > 0) {
        for class in AamiClass::ALL {
            if left[class.index()] > 0 {
                left[class.index()] -= 1;
                let w: Vec<f32> = (0..layout.len)
                    .map(|k| (k as f32 * 0.2 + i as f32).sin())
                    .collect();
                s.push(
                    &w,
                    &[i as f32; N_RR],
                    class,
                    recs[(i % 2) as usize],
                    i,
                    Origin::Real,
                );
                i += 1;
            }
        }
    }
    s
}

fn any_plan() -> impl Strategy<Value = Plan> {
    prop_oneof![
        Just(Plan::Seed),
        (1usize..80).prop_map(Plan::Balance),
        (1.0f64..30.0).prop_map(Plan::Ratio),
        prop::array::uniform5(0usize..80).prop_map(Plan::Custom),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn rebalance_hits_targets_and_keeps_provenance(
        counts in prop::array::uniform5(0usize..40),
        plan in any_plan().prop_filter("small", |p| !matches!(p, Plan::Seed)),
        per_beat in 1usize..=7,
        seed in any::<u64>(),
    ) {
        let train = train_set(counts);
        let snapshot = train.clone();
        let config = RebalanceConfig {
            plan,
            techniques_per_beat: per_beat,
            seed,
            ..RebalanceConfig::default()
        };
        let out = rebalance(&train, &config, &mut |_, _| true).unwrap();
        let b = &out.beats;
        // Touches only what it is given.
        prop_assert_eq!(&train.windows, &snapshot.windows);
        prop_assert_eq!(&train.labels, &snapshot.labels);
        // Exactly the plan's targets; absent classes stay absent.
        let targets = plan.targets(&train.class_counts());
        prop_assert_eq!(b.class_counts(), targets);
        for (&n, &t) in counts.iter().zip(&targets.0) {
            if n == 0 {
                prop_assert_eq!(t, 0);
            }
        }
        for i in 0..b.len() {
            match b.origin[i] {
                Origin::Augmented { source } => {
                    let s = source as usize;
                    prop_assert!(s < train.len());
                    prop_assert_eq!(train.origin[s], Origin::Real);
                    prop_assert_eq!(train.labels[s], b.labels[i]);
                    prop_assert_eq!(train.rr_of(s), b.rr_of(i));
                    prop_assert_eq!(train.record_id[s], b.record_id[i]);
                    prop_assert_eq!(b.window(i).len(), b.layout.len);
                    prop_assert!(b.window(i).iter().all(|v| v.is_finite()));
                }
                other => {
                    // A kept beat is its input beat, unchanged (r_sample is the input index).
                    let s = b.r_sample[i] as usize;
                    prop_assert_eq!(other, Origin::Real);
                    prop_assert_eq!(train.window(s), b.window(i));
                    prop_assert_eq!(train.labels[s], b.labels[i]);
                }
            }
        }
        // Classes above target keep only input beats, never augmented ones.
        for class in AamiClass::ALL {
            if counts[class.index()] >= targets.get(class) {
                prop_assert!((0..b.len())
                    .filter(|&i| b.labels[i] == class)
                    .all(|i| b.origin[i] == Origin::Real));
            }
        }
        // Same seed, same set.
        let again = rebalance(&train, &config, &mut |_, _| true).unwrap();
        prop_assert_eq!(&again.beats.windows, &b.windows);
        prop_assert_eq!(&again.beats.origin, &b.origin);
    }
}
