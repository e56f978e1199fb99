//! The saved settings of a run (`TrainConfig` as JSON, saved beside the weights), and the beat
//! window settings.
#![no_main]
use ecg_balance_lab::ecg::beats::WindowSpec;
use ecg_balance_lab::training::TrainConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(c) = serde_json::from_slice::<TrainConfig>(bytes) {
        let _ = serde_json::to_vec(&c);
    }
    if let Ok(w) = serde_json::from_slice::<WindowSpec>(bytes) {
        if w.validate().is_ok() {
            let _ = ecg_balance_lab::ecg::beats::Resampler::new(360.0, w.layout());
        }
    }
});
