use super::gauss::exp_neg;
use super::*;
use crate::rng::Rng;

fn sinus(n: usize, rr_s: f64, m: &Morphology) -> Vec<PlannedBeat> {
    let w = m.at_heart_rate(60.0 / rr_s);
    vec![
        PlannedBeat {
            rr_s,
            cycle_s: rr_s,
            waves: w,
        };
        n
    ]
}

fn strip_cfg(fs: f64, start: f64, end: f64) -> StripConfig {
    StripConfig {
        fs_hz: fs,
        internal_factor: internal_factor_for(fs),
        first_r_s: 0.0,
        start_s: start,
        end_s: end,
        wander_z: 0.0,
        wander_hz: 0.25,
        wander_phase_rad: 0.0,
        noise_mv: 0.0,
    }
}

#[test]
fn fixed_scale_matches_ecgsyn_span() {
    // Default beat at 60 bpm, steady state (after 10 s): the span of one beat is 1.6 mV.
    let beats = sinus(20, 1.0, &Morphology::MCSHARRY_2003);
    let s = simulate_strip(&beats, &strip_cfg(512.0, 0.0, 19.0), &mut Rng::new(0));
    let last = &s.signal_mv[15 * 512..16 * 512];
    let (lo, hi) = last
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    assert!(((hi - lo) - 1.6).abs() < 0.01, "span {}", hi - lo);
}

#[test]
fn phase_locked_equals_three_equation_rk4() {
    // Same regular rhythm through both integrators: ecgsyn (x, y, z) and simulate_strip
    // (z along θ(t)). Constant RR (hr_std 0), no wander, fixed scale.
    let config = EcgSynConfig {
        fs_hz: 500.0,
        internal_factor: 1,
        duration_s: 8.0,
        rr: RrSpectrum {
            hr_mean_bpm: 75.0,
            hr_std_bpm: 0.0,
            ..RrSpectrum::default()
        },
        wander_z: 0.0,
        scale: Scale::Fixed,
        ..EcgSynConfig::default()
    };
    let e = ecgsyn(&config).expect("valid");
    assert_eq!(e.r_samples[0], 400);
    assert!(e.r_samples.windows(2).all(|w| w[1] - w[0] == 400));
    let beats = sinus(12, 0.8, &Morphology::MCSHARRY_2003);
    let s = simulate_strip(&beats, &strip_cfg(500.0, 0.0, 7.9), &mut Rng::new(0));
    // Different starting z (0.04 vs steady state) decays with e^{−t}: compare after 5 s.
    for i in 2500..3900 {
        let (a, b) = (e.signal_mv[i], s.signal_mv[i]);
        assert!((a - b).abs() < 2e-3, "sample {i}: {a} vs {b}");
    }
}

#[test]
fn premature_beat_keeps_r_on_its_sample_and_shape_speed() {
    let n = Morphology::MCSHARRY_2003.at_heart_rate(60.0);
    let mut beats = vec![
        PlannedBeat {
            rr_s: 1.0,
            cycle_s: 1.0,
            waves: n
        };
        8
    ];
    beats[3].rr_s = 0.65; // beat 4 comes 650 ms after beat 3
    beats[4].rr_s = 1.35; // compensatory pause
    let s = simulate_strip(&beats, &strip_cfg(360.0, 0.0, 7.0), &mut Rng::new(1));
    assert_eq!(s.r_samples, vec![0, 360, 720, 1080, 1314, 1800, 2160, 2520]);
    // Every R peak is the local maximum of the signal.
    for &r in &s.r_samples[1..7] {
        let r = r as usize;
        let around = &s.signal_mv[r - 10..=r + 10];
        let imax = around
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        assert_eq!(imax, Some(10), "R at {r}");
    }
    // The premature beat's QRS (R peak over the Q trough) equals the others' (its events run
    // at its own ω; only the slow baseline differs).
    let qrs = |r: u64| {
        let r = r as usize;
        let q = s.signal_mv[r - 30..r]
            .iter()
            .copied()
            .fold(f32::INFINITY, f32::min);
        s.signal_mv[r] - q
    };
    assert!(
        (qrs(1314) - qrs(720)).abs() < 0.03,
        "{} {}",
        qrs(1314),
        qrs(720)
    );
}

#[test]
fn fast_exp_matches_std() {
    let mut worst = 0.0f64;
    for i in 0..=200_000 {
        let x = -30.0 * f64::from(i) / 200_000.0;
        worst = worst.max((exp_neg(x) / x.exp() - 1.0).abs());
    }
    assert!(worst < 1e-8, "relative error {worst}");
    assert_eq!(exp_neg(0.0), 1.0);
    assert!(exp_neg(-800.0) >= 0.0 && exp_neg(-800.0) < 1e-300);
}

#[test]
fn settings_are_checked() {
    let bad = EcgSynConfig {
        fs_hz: 0.0,
        ..EcgSynConfig::default()
    };
    assert!(ecgsyn(&bad).is_err());
    let bad = EcgSynConfig {
        rr: RrSpectrum {
            hr_mean_bpm: f64::NAN,
            ..RrSpectrum::default()
        },
        ..EcgSynConfig::default()
    };
    assert!(ecgsyn(&bad).is_err());
    let m = Morphology::MCSHARRY_2003;
    let back = Morphology::from_waves(&m.at_heart_rate(84.0), 84.0);
    for i in 0..N_WAVES {
        assert!((back.theta_deg[i] - m.theta_deg[i]).abs() < 1e-9);
        assert!((back.b_rad[i] - m.b_rad[i]).abs() < 1e-12);
    }
}
