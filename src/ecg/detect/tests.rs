use super::*;
use crate::ecg::aami::{AamiClass, class_of_code};
use crate::{Annotation, Record};

/// A synthetic ECG-like signal: a narrow Gaussian "QRS" of `amp_mv` at each of `beats`
/// (samples), on a slow baseline wander.
fn impulse_train(n: usize, fs_hz: f64, beats: &[usize], amp_mv: f32) -> Vec<f32> {
    let sigma = 0.012 * fs_hz;
    let mut x: Vec<f32> = (0..n)
        .map(|i| (0.2 * (2.0 * std::f64::consts::PI * 0.3 * i as f64 / fs_hz).sin()) as f32)
        .collect();
    for &b in beats {
        let lo = b.saturating_sub((6.0 * sigma) as usize);
        let hi = (b + (6.0 * sigma) as usize).min(n);
        for (i, v) in x.iter_mut().enumerate().take(hi).skip(lo) {
            let t = (i as f64 - b as f64) / sigma;
            *v += amp_mv * (-0.5 * t * t).exp() as f32;
        }
    }
    x
}

fn beats_every(n: usize, first: usize, step: usize) -> Vec<usize> {
    (first..n.saturating_sub(step / 2)).step_by(step).collect()
}

#[test]
fn impulse_trains_are_found_exactly_at_several_rates() {
    for fs_hz in [100.0, 128.0, 250.0, 360.0, 500.0, 1000.0] {
        let n = (30.0 * fs_hz) as usize;
        // 75 bpm, then every third beat premature by 30 %.
        let step = (0.8 * fs_hz) as usize;
        let mut beats = beats_every(n, (0.5 * fs_hz) as usize, step);
        for k in (2..beats.len()).step_by(3) {
            beats[k] -= (0.3 * step as f64) as usize;
        }
        let x = impulse_train(n, fs_hz, &beats, 1.5);
        for method in PeakMethod::ALL {
            let found = find_r_peaks(&x, fs_hz, method).expect("valid signal");
            assert_eq!(found, beats, "{method} at {fs_hz} Hz");
        }
    }
}

#[test]
fn amplitude_scale_does_not_matter() {
    let fs_hz = 360.0;
    let n = 20 * 360;
    let beats = beats_every(n, 200, 300);
    let x = impulse_train(n, fs_hz, &beats, 1.0);
    for scale in [0.01f32, 1.0, 40.0] {
        let y: Vec<f32> = x.iter().map(|v| v * scale).collect();
        for method in PeakMethod::ALL {
            let found = find_r_peaks(&y, fs_hz, method).expect("valid");
            assert_eq!(found, beats, "{method}, signal scaled by {scale}");
        }
    }
}

#[test]
fn nan_gaps_are_tolerated_and_never_reported() {
    let fs_hz = 250.0;
    let n = 20 * 250;
    let beats = beats_every(n, 100, 200);
    let mut x = impulse_train(n, fs_hz, &beats, 1.0);
    // 1.8 s missing in the middle (two beats), and the first samples.
    for v in &mut x[2010..2460] {
        *v = f32::NAN;
    }
    x[0] = f32::NAN;
    x[1] = f32::INFINITY;
    let outside: Vec<usize> = beats
        .iter()
        .copied()
        .filter(|b| !(2010..2460).contains(b))
        .collect();
    assert_eq!(outside.len() + 2, beats.len());
    for method in PeakMethod::ALL {
        let found = find_r_peaks(&x, fs_hz, method).expect("valid");
        assert!(found.iter().all(|&p| x[p].is_finite()));
        assert_eq!(found, outside, "{method}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any signal at any accepted rate: no panic; peaks strictly increasing, in bounds, on
    /// finite samples, at least 50 ms apart.
    #[test]
    fn peaks_are_sorted_in_bounds_and_finite(
        fs_hz in 50.0f64..2000.0,
        seconds in 2.0f64..6.0,
        seed in proptest::prelude::any::<u64>(),
        nan_every in 0usize..50,
        method_index in 0usize..2,
    ) {
        let n = (seconds * fs_hz).ceil() as usize;
        let mut state = seed | 1;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if nan_every > 0 && i % (nan_every * 7 + 3) == 0 {
                    f32::NAN
                } else {
                    (state % 2001) as f32 / 1000.0 - 1.0
                }
            })
            .collect();
        let peaks = find_r_peaks(&x, fs_hz, PeakMethod::ALL[method_index]);
        let peaks = peaks.expect("valid rate and length");
        let min_gap = (0.050 * fs_hz).round() as usize;
        for w in peaks.windows(2) {
            proptest::prop_assert!(w[1] > w[0] + min_gap);
        }
        for &p in &peaks {
            proptest::prop_assert!(p < n && x[p].is_finite());
        }
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let m = PeakMethod::default();
    assert_eq!(
        find_r_peaks(&[], 360.0, m),
        Err(DetectError::TooShort {
            samples: 0,
            min_samples: 720
        })
    );
    assert!(matches!(
        find_r_peaks(&[0.0; 100], 360.0, m),
        Err(DetectError::TooShort { samples: 100, .. })
    ));
    assert_eq!(
        find_r_peaks(&[f32::NAN; 1000], 360.0, m),
        Err(DetectError::NoFiniteSamples)
    );
    for fs in [0.0, -1.0, 20.0, f64::NAN, f64::INFINITY, 1e9] {
        assert!(matches!(
            find_r_peaks(&[0.0; 5000], fs, m),
            Err(DetectError::SamplingRate { .. })
        ));
    }
    // A flat or constant signal has no beats, and no error.
    assert_eq!(find_r_peaks(&[0.0; 5000], 360.0, m), Ok(vec![]));
    assert_eq!(find_r_peaks(&[3.0; 5000], 360.0, m), Ok(vec![]));
    let record = Record {
        name: "empty".into(),
        fs_hz: 360.0,
        signals: vec![],
        annotations: vec![],
        comments: vec![],
        source: crate::record::RecordSource::Synthetic,
    };
    assert_eq!(
        detect_record(&record, 0, m),
        Err(DetectError::NoSuchLead {
            lead: 0,
            n_leads: 0
        })
    );
}

#[test]
fn method_names_round_trip() {
    for m in PeakMethod::ALL {
        assert_eq!(m.name().parse::<PeakMethod>(), Ok(m));
        assert_eq!(m.to_string(), m.name());
    }
    assert_eq!(
        "PAN_TOMPKINS_1985".parse::<PeakMethod>(),
        Ok(PeakMethod::PanTompkins1985)
    );
    assert!(matches!(
        "hamilton".parse::<PeakMethod>(),
        Err(DetectError::UnknownMethod(_))
    ));
    assert_eq!(PeakMethod::ALL[0], PeakMethod::default());
}

#[test]
fn matching_is_one_to_one_within_the_window() {
    let w = 54;
    // Exact, shifted within the window, and one just outside.
    let m = match_beats(&[100, 400, 700], &[100, 450, 755], w);
    assert_eq!(
        m,
        MatchCounts {
            tp: 2,
            fn_: 1,
            fp: 1
        }
    );
    // Two detections for one beat: one TP, one FP.
    let m = match_beats(&[1000], &[990, 1010], w);
    assert_eq!(
        m,
        MatchCounts {
            tp: 1,
            fn_: 0,
            fp: 1
        }
    );
    // The nearer of two detections is the match, whatever the order.
    let m = match_beats(&[1000, 1300], &[960, 995, 1300], w);
    assert_eq!(
        m,
        MatchCounts {
            tp: 2,
            fn_: 0,
            fp: 1
        }
    );
    // One detection between two close beats matches the nearer one.
    let m = match_beats(&[1000, 1080], &[1070], w);
    assert_eq!(
        m,
        MatchCounts {
            tp: 1,
            fn_: 1,
            fp: 0
        }
    );
    // Unsorted input, empty sides.
    assert_eq!(
        match_beats(&[700, 100], &[101, 699], w),
        MatchCounts {
            tp: 2,
            fn_: 0,
            fp: 0
        }
    );
    assert_eq!(match_beats(&[], &[5], w).fp, 1);
    assert_eq!(match_beats(&[5], &[], w).fn_, 1);
    assert_eq!(match_window_samples(360.0), 54);
    assert_eq!(match_window_samples(250.0), 38);
    assert_eq!(match_window_samples(100.0), 15);
}

#[test]
fn matching_agrees_with_a_brute_force_oracle() {
    // Oracle: maximum one-to-one matching by exhaustive search on small random cases, with
    // beats closer than two windows so that detections compete.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let w = 10usize;
    for _ in 0..300 {
        let mut r: Vec<usize> = Vec::new();
        let mut t = 0usize;
        for _ in 0..(next() % 6) {
            t += 12 + (next() % 40) as usize;
            r.push(t);
        }
        let mut d: Vec<usize> = Vec::new();
        for &b in &r {
            if next() % 5 != 0 {
                d.push((b + (next() % 25) as usize).saturating_sub(12));
            }
        }
        for _ in 0..(next() % 3) {
            d.push((next() % 200) as usize);
        }
        d.sort_unstable();
        fn best(r: &[usize], d: &[usize], w: usize) -> usize {
            let Some((&first, rest)) = r.split_first() else {
                return 0;
            };
            let mut b = best(rest, d, w);
            for (k, &x) in d.iter().enumerate() {
                if x.abs_diff(first) <= w {
                    let mut dd = d.to_vec();
                    dd.remove(k);
                    b = b.max(1 + best(rest, &dd, w));
                }
            }
            b
        }
        let m = match_beats(&r, &d, w);
        assert_eq!(m.tp, best(&r, &d, w), "r {r:?} d {d:?}");
        assert_eq!(m.tp + m.fn_, r.len());
        assert_eq!(m.tp + m.fp, d.len());
    }
}

#[test]
fn counts_give_se_and_ppv() {
    let m = MatchCounts {
        tp: 99,
        fn_: 1,
        fp: 3,
    };
    assert!((m.se().unwrap_or(0.0) - 0.99).abs() < 1e-12);
    assert!((m.ppv().unwrap_or(0.0) - 99.0 / 102.0).abs() < 1e-12);
    assert_eq!(MatchCounts::default().se(), None);
    assert_eq!(m.merged(m).tp, 198);
    assert_eq!(m.to_json()["fn"], 1);
}

fn ann(sample: u64, code: u8, aux: Option<&str>) -> Annotation {
    Annotation {
        aux_note: aux.map(String::from),
        ..Annotation::beat(sample, code)
    }
}

#[test]
fn flutter_episodes_are_excluded() {
    let record = Record {
        name: "vf".into(),
        fs_hz: 100.0,
        signals: vec![],
        annotations: vec![
            ann(10, 28, Some("(N\0")),
            ann(100, 1, None),
            ann(500, 32, None),           // [
            ann(510, 28, Some("(VFL\0")), // rhythm VFL
            ann(600, 31, None),           // ! flutter wave
            ann(900, 33, None),           // ]
            ann(950, 28, Some("(N\0")),   // back to normal
            ann(1000, 1, None),
            ann(2000, 28, Some("(VF")), // open to the end
            ann(2100, 5, None),
        ],
        comments: vec![],
        source: crate::record::RecordSource::Synthetic,
    };
    assert_eq!(excluded_intervals(&record), vec![500..950, 2000..2101]);
    assert_eq!(reference_beats(&record), vec![100, 1000, 2100]);
    // The flutter-time detection and beat are not counted.
    let m = evaluate_record(&record, &[101, 600, 1003, 2100]);
    assert_eq!(
        m,
        MatchCounts {
            tp: 2,
            fn_: 0,
            fp: 0
        }
    );
}

#[test]
fn beat_annotations_use_one_code_per_class() {
    let a = beat_annotations(&[10, 20, 30], None);
    assert!(a.iter().all(|x| x.symbol() == "N"));
    let labels = [AamiClass::S, AamiClass::V];
    let a = beat_annotations(&[10, 20, 30], Some(&labels));
    let symbols: Vec<&str> = a.iter().map(Annotation::symbol).collect();
    assert_eq!(symbols, ["A", "V", "Q"]);
    for c in AamiClass::ALL {
        assert_eq!(class_of_code(mit_code_of_class(c)), Some(c));
    }
}
