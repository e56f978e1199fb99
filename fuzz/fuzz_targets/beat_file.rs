//! Saved beat files (`.ecgbeats`, `dataset/file.rs`).
#![no_main]
use ecg_balance_lab::dataset::BeatSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut with_magic = ecg_balance_lab::dataset::file::BEATS_MAGIC.to_vec();
    with_magic.extend_from_slice(bytes);
    for input in [bytes, &with_magic[..]] {
        if let Ok(set) = BeatSet::from_bytes(input) {
            assert_eq!(set.windows.len(), set.len() * set.layout.len);
            // What was read writes back the same.
            assert_eq!(BeatSet::from_bytes(&set.to_bytes()).map(|s| s.len()), Ok(set.len()));
        }
    }
});
