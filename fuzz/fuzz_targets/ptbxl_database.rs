//! PTB-XL's ptbxl_database.csv.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(rows) = ecg_balance_lab::io::ptbxl::read_database(bytes) {
        for r in &rows {
            let _ = r.beat_hints();
        }
    }
});
