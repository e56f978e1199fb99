//! Regression test for a crash `fuzz/run.sh` found in the `model_file` target (input
//! `[122, 6, 73]`: one byte of a valid model file set to `I`, which turned a weight tensor's
//! dtype "F32" into "I32"): burn's loader panicked ("Expected float dtype, got I32") instead of
//! the file being read or refused. Now the tensor is cast to the parameter's dtype and the
//! model classifies a beat; every weight tensor's dtype edited this way must do the same.

use ecg_balance_lab::dataset::{BeatLayout, BeatSet, Origin};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::N_RR;
use ecg_balance_lab::features::{FeatureMaker, FeatureSpec, Normalizer, Templates};
use ecg_balance_lab::training::TrainedModel;

#[test]
fn a_weight_stored_as_another_dtype_is_read_or_refused_never_a_panic() {
    let features = FeatureMaker {
        spec: FeatureSpec {
            template: true,
            rr: true,
            rr_relative_only: false,
            rhythm: true,
            second_lead: false,
        },
        normalizer: Normalizer {
            rr_mean: vec![0.8; N_RR],
            rr_std: vec![0.2; N_RR],
        },
        templates: Templates::default(),
    };
    let file = TrainedModel::untrained(features, BeatLayout::default())
        .to_bytes()
        .expect("a model file");
    let at: Vec<usize> = file
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == b"F32")
        .map(|(i, _)| i)
        .collect();
    assert!(at.len() >= 5, "the weights name their dtype: {}", at.len());
    for i in at {
        let mut edited = file.clone();
        edited[i] = b'I';
        if let Ok(model) = TrainedModel::from_bytes(&edited) {
            let layout = model.layout;
            let mut beats = BeatSet::new(layout);
            let id = beats.record_index("r");
            beats.push(
                &vec![0.1; layout.len],
                &[0.8; N_RR],
                AamiClass::N,
                id,
                0,
                Origin::Real,
            );
            assert_eq!(
                model.predict(&beats, &[0], &Templates::fit(&beats)).len(),
                1
            );
        }
    }
}
