//! Model files (`.model`, `training/model_file.rs`), as the page's "Load a model file" reads
//! them. Inputs that start with the magic are whole files; any other input edits a valid model
//! file made here (pairs of a position and a byte, then a cut), so that the fuzzer reaches the
//! header and weights without a seed corpus of trained models. A file that reads must classify
//! a beat of its own layout without a panic.
#![no_main]
use std::sync::OnceLock;

use ecg_balance_lab::training::TrainedModel;
use ecg_balance_lab::training::model_file::MODEL_MAGIC;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        TrainedModel::example()
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
        assert_eq!(model.classify_flat_beat().len(), 1);
        let _ = model.to_bytes();
    }
});
