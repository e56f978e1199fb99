//! Native timing of the seed guide's plan on a DS1-sized synthetic training set. Ignored by
//! default (timings are not assertions); run with
//! `cargo test --release --test augment_timing -- --ignored --nocapture`.

use std::time::Instant;

use ecg_balance_lab::dataset::rebalance::{RebalanceConfig, rebalance};
use ecg_balance_lab::dataset::{BeatLayout, BeatSet, N_RR, Origin};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::rng::Rng;

/// DS1's class counts (de Chazal 2004), N, S, V, F, Q: 51,021 beats.
const DS1_COUNTS: [usize; 5] = [45_866, 944, 3_788, 415, 8];

/// 126-sample, 180 Hz beats with R at 45: Gaussian P-QRS-T with per-beat jitter.
fn synthetic_ds1() -> BeatSet {
    let layout = BeatLayout {
        fs_hz: 180.0,
        len: 126,
        r_index: 45,
    };
    let mut set = BeatSet::new(layout);
    let rec = set.record_index("synthetic");
    let mut rng = Rng::new(2004);
    let mut w = vec![0.0f32; layout.len];
    let mut i = 0u64;
    for class in AamiClass::ALL {
        for _ in 0..DS1_COUNTS[class.index()] {
            let qrs_s = if class == AamiClass::V { 0.025 } else { 0.010 };
            let gain = rng.uniform_range(0.7, 1.3);
            for (k, v) in w.iter_mut().enumerate() {
                let t = (k as f64 - 45.0) / 180.0;
                let g = |c: f64, a: f64, s: f64| a * (-((t - c) / s).powi(2) / 2.0).exp();
                *v = (gain * (g(-0.2, 0.15, 0.025) + g(0.0, 1.2, qrs_s) + g(0.3, 0.35, 0.04))
                    + 0.02 * rng.normal()) as f32;
            }
            set.push(&w, &[0.8; N_RR], class, rec, i, Origin::Real);
            i += 1;
        }
    }
    set
}

#[test]
#[ignore = "timing, not a check: run with --ignored --nocapture"]
fn seed_plan_on_ds1_sized_set() {
    let train = synthetic_ds1();
    let config = RebalanceConfig::default();
    let start = Instant::now();
    let out = rebalance(&train, &config, &mut |_, _| true);
    let elapsed = start.elapsed();
    let out = out.expect("the default config is valid for 180 Hz windows");
    println!(
        "seed plan: {} → {} beats ({} augmented) in {:.3} s ({:.2} µs per augmented beat); ratio {} → {}",
        train.len(),
        out.beats.len(),
        out.report.augmented.total(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / out.report.augmented.total() as f64,
        out.report.before.ratio_text(),
        out.report.after.ratio_text(),
    );
    for w in &out.report.warnings {
        println!("  warning: {w}");
    }
    assert_eq!(out.beats.len(), 95_000);
}
