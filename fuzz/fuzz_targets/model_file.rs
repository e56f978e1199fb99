//! Model files (`.model`, `training/model_file.rs`), as the page's "Load a model file" reads
//! them. Inputs that start with the magic are whole files; any other input edits a valid model
//! file made here (pairs of a position and a byte, then a cut), so that the fuzzer reaches the
//! header and weights without a seed corpus of trained models. A file that reads must classify
//! a beat of its own layout without a panic.
#![no_main]
use std::sync::OnceLock;

use ecg_balance_lab::dataset::{BeatLayout, BeatSet, Origin};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::N_RR;
use ecg_balance_lab::features::{FeatureMaker, FeatureSpec, Normalizer, Templates};
use ecg_balance_lab::training::TrainedModel;
use ecg_balance_lab::training::model_file::MODEL_MAGIC;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
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
        TrainedModel::untrained(features, BeatLayout::default())
            .to_bytes()
            .expect("a model file")
    })
}

fuzz_target!(|bytes: &[u8]| {
    let file = if bytes.starts_with(MODEL_MAGIC) {
        bytes.to_vec()
    } else {
        let mut file = base().to_vec();
        let mut chunks = bytes.chunks_exact(3);
        for c in &mut chunks {
            let at = usize::from(u16::from_le_bytes([c[0], c[1]])) % file.len();
            file[at] = c[2];
        }
        if let [cut, ..] = chunks.remainder() {
            file.truncate(file.len() * usize::from(*cut) / 255);
        }
        file
    };
    if let Ok(model) = TrainedModel::from_bytes(&file) {
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
        let classes = model.predict(&beats, &[0], &Templates::fit(&beats));
        assert_eq!(classes.len(), 1);
        let _ = model.to_bytes();
    }
});
