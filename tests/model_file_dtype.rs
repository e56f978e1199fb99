//! Regression test for a crash `fuzz/run.sh` found in the `model_file` target (input
//! `[122, 6, 73]`: one byte of a valid model file set to `I`, which turned a weight tensor's
//! dtype "F32" into "I32"): burn's loader panicked ("Expected float dtype, got I32") instead of
//! the file being read or refused. Now the tensor is cast to the parameter's dtype and the
//! model classifies a beat; every weight tensor's dtype edited this way must do the same.

use ecg_balance_lab::training::TrainedModel;

#[test]
fn a_weight_stored_as_another_dtype_is_read_or_refused_never_a_panic() {
    let file = TrainedModel::example().to_bytes().expect("a model file");
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
            assert_eq!(model.classify_flat_beat().len(), 1);
        }
    }
}
