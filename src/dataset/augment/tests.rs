use super::*;
use crate::rng::Rng;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

const FS_HZ: f32 = 180.0;
const LEN: usize = 126;
const R: usize = 45;

/// A synthetic beat at 180 Hz, R at 45: Gaussian P, Q, R, S and T waves on a 0.1 mV offset.
fn beat() -> Vec<f32> {
    let waves = [
        (-0.20, 0.15, 0.025),
        (-0.03, -0.12, 0.008),
        (0.0, 1.20, 0.010),
        (0.03, -0.25, 0.010),
        (0.30, 0.35, 0.040),
    ];
    (0..LEN)
        .map(|k| {
            let t = (k as f64 - R as f64) / f64::from(FS_HZ);
            let v: f64 = waves
                .iter()
                .map(|(c, a, w)| a * (-((t - c) / w).powi(2) / 2.0).exp())
                .sum();
            (0.1 + v) as f32
        })
        .collect()
}

/// Slow, obvious DFT magnitude: |Σ x[n] e^{−2πi kn/N}| for k = 0..=N/2.
fn dft_magnitude(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..=n / 2)
        .map(|k| {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, &v) in x.iter().enumerate() {
                let a = std::f64::consts::TAU * (k * j % n) as f64 / n as f64;
                re += v * a.cos();
                im -= v * a.sin();
            }
            (re * re + im * im).sqrt()
        })
        .collect()
}

fn argmax(x: &[f64]) -> usize {
    x.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

fn diff(a: &[f32], b: &[f32]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) - f64::from(*y))
        .collect()
}

#[test]
fn technique_table_is_total_and_names_round_trip() {
    for (i, t) in Technique::ALL.into_iter().enumerate() {
        assert_eq!(t.index(), i);
        assert_eq!(TECHNIQUE_NAMES[i].0, t, "table out of order at {i}");
        assert_eq!(t.name().parse::<Technique>(), Ok(t));
        assert_eq!(t.to_string().to_uppercase().parse::<Technique>(), Ok(t));
        assert_eq!(
            TECHNIQUE_NAMES.iter().filter(|e| e.1 == t.name()).count(),
            1
        );
    }
    assert!(matches!(
        "wiggle".parse::<Technique>(),
        Err(AugmentError::UnknownTechnique { .. })
    ));
    assert_eq!(
        Technique::parse_list(" noise, warp ,noise"),
        Ok(vec![Technique::TimeWarp, Technique::GaussianNoise])
    );
    assert_eq!(Technique::parse_list("all"), Ok(Technique::ALL.to_vec()));
    assert_eq!(Technique::parse_list("none"), Ok(vec![]));
    assert!(Technique::parse_list("noise,,warp").is_err());
}

#[test]
fn limits_are_ordered_and_defaults_valid_at_180_hz() {
    for l in LIMITS {
        assert!(l.min < l.max, "{}", l.parameter);
        assert!(l.check(f64::NAN).is_err());
    }
    let ranges = TechniqueRanges::default();
    for t in Technique::ALL {
        assert_eq!(ranges.validate(t, FS_HZ, LEN), Ok(()), "{t}");
    }
}

#[test]
fn noise_at_snr_measures_back_on_a_long_window() {
    // 100 s at 180 Hz: the measured noise power's relative spread is √(2/18000) ≈ 1 %
    // (0.05 dB), so ±0.5 dB is a real check.
    let x: Vec<f32> = (0..18_000)
        .map(|k| {
            let t = f64::from(k) / 180.0;
            (1.3 + 0.8 * (std::f64::consts::TAU * 7.0 * t).sin()
                + 0.3 * (std::f64::consts::TAU * 1.1 * t).cos()) as f32
        })
        .collect();
    let p = signal_power_mv2(&x);
    for (i, snr_db) in [-5.0f32, 0.0, 10.0, 20.0, 30.0, 45.0, 60.0]
        .into_iter()
        .enumerate()
    {
        let y = gaussian_noise(&x, FS_HZ, 0, snr_db, i as u64).unwrap();
        let pn = diff(&y, &x).iter().map(|d| d * d).sum::<f64>() / x.len() as f64;
        let got = 10.0 * (p / pn).log10();
        assert!(
            (got - f64::from(snr_db)).abs() < 0.5,
            "asked {snr_db} dB, measured {got:.2} dB"
        );
    }
}

#[test]
fn noise_at_snr_measures_back_averaged_over_beat_windows() {
    // One 126-sample window measures its own noise power only to ±13 % (±0.55 dB, one
    // standard deviation); averaged over 400 draws the spread is 0.6 % (0.03 dB).
    let x = beat();
    let p = signal_power_mv2(&x);
    for snr_db in [10.0f32, 20.0, 30.0] {
        let mut pn = 0.0;
        for seed in 0..400 {
            let y = gaussian_noise(&x, FS_HZ, R, snr_db, seed).unwrap();
            pn += diff(&y, &x).iter().map(|d| d * d).sum::<f64>() / LEN as f64;
        }
        let got = 10.0 * (p / (pn / 400.0)).log10();
        assert!((got - f64::from(snr_db)).abs() < 0.5, "{snr_db}: {got}");
    }
    // A flat window has no signal power and gets no noise.
    let flat = vec![0.4f32; LEN];
    assert_eq!(gaussian_noise(&flat, FS_HZ, R, 20.0, 1).unwrap(), flat);
}

#[test]
fn frequency_shift_moves_a_tone_to_the_expected_bin() {
    // Bin width fs/L = 180/126 Hz; tone at bin 10, shifted by whole and fractional bins.
    let df = f64::from(FS_HZ) / LEN as f64;
    let tone: Vec<f32> = (0..LEN)
        .map(|k| (0.5 * (std::f64::consts::TAU * 10.0 * k as f64 / LEN as f64).cos()) as f32)
        .collect();
    for (shift_hz, want_bin) in [
        (3.0 * df, 13usize),
        (-4.0 * df, 6),
        (2.0, 11),  // 14.29 + 2 = 16.29 Hz → bin 11.4
        (-2.3, 8),  // 14.29 − 2.3 = 11.99 Hz → bin 8.4
        (12.5, 19), // 26.79 Hz → bin 18.75
    ] {
        let y = frequency_shift(&tone, FS_HZ, R, shift_hz as f32).unwrap();
        let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let mag = dft_magnitude(&y);
        assert_eq!(argmax(&mag[1..]) + 1, want_bin, "shift {shift_hz} Hz");
    }
    // On the exact bins the shifted tone is clean: almost all its energy in one bin.
    let y = frequency_shift(&tone, FS_HZ, R, (3.0 * df) as f32).unwrap();
    let y: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    let mag = dft_magnitude(&y);
    let energy: f64 = mag.iter().map(|m| m * m).sum();
    assert!(mag[13] * mag[13] > 0.95 * energy);
}

#[test]
fn frequency_shift_by_zero_returns_the_window() {
    let x = beat();
    let y = frequency_shift(&x, FS_HZ, R, 0.0).unwrap();
    for (a, b) in x.iter().zip(&y) {
        assert!((a - b).abs() < 1e-4, "{a} {b}");
    }
}

#[test]
fn time_shift_replicates_edges_and_its_inverse_restores_the_kept_region() {
    let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    assert_eq!(
        time_shift(&x, FS_HZ, 2, 2).unwrap(),
        [1.0, 1.0, 1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        time_shift(&x, FS_HZ, 2, -3).unwrap(),
        [4.0, 5.0, 6.0, 6.0, 6.0, 6.0]
    );
    for s in -3..=3 {
        let y = time_shift(&x, FS_HZ, 2, s).unwrap();
        let z = time_shift(&y, FS_HZ, 2, -s).unwrap();
        let kept = time_shift_kept(x.len(), s);
        assert_eq!(kept.len(), x.len() - s.unsigned_abs() as usize);
        assert_eq!(&z[kept.clone()], &x[kept]);
    }
    assert!(time_shift(&x, FS_HZ, 2, 4).is_err());
}

#[test]
fn time_warp_fixes_r_and_ends_and_is_monotone() {
    let x = beat();
    for seed in 0..50 {
        let pos = time_warp_positions(LEN, R, 0.2, seed).unwrap();
        assert_eq!(
            (pos[0], pos[R], pos[LEN - 1]),
            (0.0, R as f64, (LEN - 1) as f64)
        );
        let strength = f64::from(0.2f32);
        let steps: Vec<f64> = pos.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            steps
                .iter()
                .all(|&s| (1.0 - strength - 1e-9..=1.0 + strength + 1e-9).contains(&s))
        );
        // The strength is reached.
        let max_dev = steps.iter().fold(0.0f64, |m, s| m.max((s - 1.0).abs()));
        assert!((max_dev - strength).abs() < 1e-9, "{max_dev}");
        let y = time_warp(&x, FS_HZ, R, 0.2, seed).unwrap();
        assert_eq!(y[R], x[R]);
        assert_ne!(y, x);
    }
    // Straight lines are reproduced: y[k] = φ(k) on a ramp.
    let ramp: Vec<f32> = (0..LEN).map(|k| k as f32).collect();
    let pos = time_warp_positions(LEN, R, 0.3, 9).unwrap();
    let y = time_warp(&ramp, FS_HZ, R, 0.3, 9).unwrap();
    for (a, b) in y.iter().zip(&pos) {
        assert!((f64::from(*a) - b).abs() < 1e-3);
    }
    // Zero strength is the identity.
    assert_eq!(time_warp(&x, FS_HZ, R, 0.0, 3).unwrap(), x);
}

#[test]
fn power_line_shows_a_peak_at_mains() {
    // 126 samples at 180 Hz: 50 Hz is bin 35, 60 Hz bin 42, both exact.
    let x = beat();
    for (mains, bin) in [(Mains::Hz50, 35usize), (Mains::Hz60, 42)] {
        let y = power_line(&x, FS_HZ, R, mains, 0.05, 7).unwrap();
        let added = dft_magnitude(&diff(&y, &x));
        assert_eq!(argmax(&added), bin);
        // Amplitude: |X[k]| = a·L/2 for a sinusoid on a bin.
        assert!((added[bin] * 2.0 / LEN as f64 - 0.05).abs() < 1e-4);
        // And in the augmented beat itself, the largest component above 40 Hz.
        let yf: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let mag = dft_magnitude(&yf);
        let from = 28; // 40 Hz
        assert_eq!(argmax(&mag[from..]) + from, bin);
    }
    // At 100 Hz neither mains frequency is below Nyquist.
    let e = power_line(&x, 100.0, R, Mains::Hz50, 0.05, 7).unwrap_err();
    assert!(matches!(e, AugmentError::AboveNyquist { .. }), "{e}");
    let ranges = TechniqueRanges::default();
    assert!(ranges.validate(Technique::PowerLine, 100.0, LEN).is_err());
    // At 110 Hz only 50 Hz is: `Either` draws it.
    let mut rng = Rng::new(1);
    for _ in 0..20 {
        let a = ranges.draw(Technique::PowerLine, 110.0, &mut rng);
        assert!(matches!(
            a,
            Augmentation::PowerLine {
                mains: Mains::Hz50,
                ..
            }
        ));
    }
}

#[test]
fn baseline_wander_stays_below_1_hz_and_within_its_amplitude() {
    // 60 s at 180 Hz: long enough to resolve 0.05 Hz (bin width 1/60 Hz); Hann-windowed
    // spectrum of the added drift.
    let n = 10_800;
    let zero = vec![0.0f32; n];
    for seed in 0..5 {
        let w = baseline_wander(&zero, FS_HZ, 0, 0.3, ParamRange::new(0.05, 0.5), seed).unwrap();
        assert!(w.iter().all(|v| v.abs() <= 0.3 + 1e-6));
        let mut buf: Vec<Complex<f64>> = w
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let hann = 0.5 - 0.5 * (std::f64::consts::TAU * k as f64 / n as f64).cos();
                Complex::new(f64::from(v) * hann, 0.0)
            })
            .collect();
        FftPlanner::<f64>::new()
            .plan_fft_forward(n)
            .process(&mut buf);
        let power: Vec<f64> = buf[..n / 2].iter().map(|c| c.norm_sqr()).collect();
        let below: f64 = power[..60].iter().sum(); // bins 0..60 = 0..1 Hz
        let all: f64 = power.iter().sum();
        assert!(below > 0.999 * all, "seed {seed}: {}", below / all);
    }
    // On a beat window: the drift is bounded by the amplitude.
    let x = beat();
    let y = baseline_wander(&x, FS_HZ, R, 0.2, ParamRange::new(0.05, 0.5), 3).unwrap();
    assert!(diff(&y, &x).iter().all(|d| d.abs() <= 0.2 + 1e-6));
}

#[test]
fn amplitude_scale_multiplies() {
    let x = beat();
    let y = amplitude_scale(&x, FS_HZ, R, 1.1).unwrap();
    for (a, b) in x.iter().zip(&y) {
        assert_eq!(*b, a * 1.1);
    }
}

#[test]
fn bad_inputs_give_typed_errors_not_panics() {
    let x = beat();
    assert!(matches!(
        gaussian_noise(&x, 0.0, R, 20.0, 1),
        Err(AugmentError::BadRate { .. })
    ));
    assert!(matches!(
        gaussian_noise(&x, f32::NAN, R, 20.0, 1),
        Err(AugmentError::BadRate { .. })
    ));
    assert!(matches!(
        gaussian_noise(&x, FS_HZ, LEN, 20.0, 1),
        Err(AugmentError::RIndexOutside { .. })
    ));
    assert!(matches!(
        gaussian_noise(&x[..3], FS_HZ, 1, 20.0, 1),
        Err(AugmentError::WindowTooShort { .. })
    ));
    assert!(matches!(
        gaussian_noise(&x, FS_HZ, R, f32::NAN, 1),
        Err(AugmentError::OutOfRange { .. })
    ));
    assert!(matches!(
        time_warp(&x, FS_HZ, R, 0.9, 1),
        Err(AugmentError::OutOfRange { .. })
    ));
    assert!(frequency_shift(&x, FS_HZ, R, 29.0).is_ok());
    assert!(matches!(
        frequency_shift(&x, 40.0, R, 25.0),
        Err(AugmentError::AboveNyquist { .. })
    ));
    let mut nan = x.clone();
    nan[7] = f32::NAN;
    assert!(matches!(
        amplitude_scale(&nan, FS_HZ, R, 1.0),
        Err(AugmentError::NonFinite { index: 7, .. })
    ));
    let reversed = TechniqueRanges {
        noise: NoiseRange {
            snr_db: ParamRange::new(30.0, 20.0),
        },
        ..TechniqueRanges::default()
    };
    assert!(matches!(
        reversed.validate(Technique::GaussianNoise, FS_HZ, LEN),
        Err(AugmentError::ReversedRange { .. })
    ));
    let long_shift = TechniqueRanges {
        shift: ShiftRange {
            max_shift_ms: 200.0,
        },
        ..TechniqueRanges::default()
    };
    // 200 ms at 180 Hz is 36 samples: more than half of a 40-sample window.
    assert!(
        long_shift
            .validate(Technique::TimeShift, FS_HZ, LEN)
            .is_ok()
    );
    assert!(
        long_shift
            .validate(Technique::TimeShift, FS_HZ, 40)
            .is_err()
    );
    let mut out = vec![0.0; 5];
    assert!(
        Augmenter::new()
            .apply(
                &x,
                FS_HZ,
                R,
                &Augmentation::AmplitudeScale { factor: 1.0 },
                &mut Rng::new(0),
                &mut out
            )
            .is_err()
    );
    // Messages say what was found and what to do.
    let msg = time_warp(&x, FS_HZ, R, 0.9, 1).unwrap_err().to_string();
    assert!(msg.contains("0.9") && msg.contains("0.5"), "{msg}");
}

#[test]
fn shift_draws_are_never_zero_and_within_range() {
    let ranges = TechniqueRanges::default(); // 20 ms → ±4 samples at 180 Hz
    let mut rng = Rng::new(5);
    let mut seen = [0usize; 9];
    for _ in 0..2000 {
        match ranges.draw(Technique::TimeShift, FS_HZ, &mut rng) {
            Augmentation::TimeShift { shift_samples } => {
                assert!(shift_samples != 0 && shift_samples.abs() <= 4);
                seen[(shift_samples + 4) as usize] += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seen[4], 0);
    assert!(
        seen.iter().enumerate().all(|(i, &c)| i == 4 || c > 150),
        "{seen:?}"
    );
}

#[test]
fn augmenter_switches_plans_between_lengths_and_matches_the_pure_function() {
    let x = beat();
    let long: Vec<f32> = (0..300).map(|k| (k as f32 * 0.05).sin()).collect();
    let mut aug = Augmenter::new();
    let a = Augmentation::FrequencyShift { shift_hz: 0.7 };
    let mut out = vec![0.0; LEN];
    let mut out_long = vec![0.0; 300];
    let mut rng = Rng::new(0);
    for _ in 0..2 {
        aug.apply(&x, FS_HZ, R, &a, &mut rng, &mut out).unwrap();
        assert_eq!(out, frequency_shift(&x, FS_HZ, R, 0.7).unwrap());
        aug.apply(&long, FS_HZ, 10, &a, &mut rng, &mut out_long)
            .unwrap();
        assert_eq!(out_long, frequency_shift(&long, FS_HZ, 10, 0.7).unwrap());
    }
    // A chain applies in the order given.
    let chain = [
        Augmentation::TimeShift { shift_samples: 2 },
        Augmentation::AmplitudeScale { factor: 2.0 },
    ];
    aug.apply_chain(&x, FS_HZ, R, &chain, &mut rng, &mut out)
        .unwrap();
    let want = amplitude_scale(&time_shift(&x, FS_HZ, R, 2).unwrap(), FS_HZ, R, 2.0).unwrap();
    assert_eq!(out, want);
}

#[test]
fn preview_is_seeded_and_per_technique_independent() {
    let x = beat();
    let ranges = TechniqueRanges::default();
    let all = preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 5, 11).unwrap();
    assert_eq!(all.len(), Technique::ALL.len());
    assert!(all.iter().all(|p| p.draws.len() == 5));
    let again = preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 5, 11).unwrap();
    assert_eq!(all, again);
    let one = preview(&x, FS_HZ, R, &[Technique::GaussianNoise], &ranges, 5, 11).unwrap();
    assert_eq!(one[0], all[Technique::GaussianNoise.index()]);
    let other_seed = preview(&x, FS_HZ, R, &[Technique::GaussianNoise], &ranges, 5, 12).unwrap();
    assert_ne!(one, other_seed);
    // Copies differ from each other.
    assert_ne!(all[0].draws[0].window_mv, all[0].draws[1].window_mv);
    assert!(preview(&x, FS_HZ, R, &Technique::ALL, &ranges, 65, 11).is_err());
}
