use super::lm::solve;
use super::model::r;
use super::*;
use crate::dataset::Origin;
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::BeatLayout;

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
