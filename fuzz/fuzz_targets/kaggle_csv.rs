//! The Kaggle heartbeat CSV.
#![no_main]
use ecg_balance_lab::io::csv::{KAGGLE_SAMPLES, looks_like_kaggle, read_kaggle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = looks_like_kaggle(bytes);
    if let Ok(k) = read_kaggle(bytes, &mut |_| {}) {
        assert_eq!(k.windows.len(), k.labels.len() * KAGGLE_SAMPLES);
    }
});
