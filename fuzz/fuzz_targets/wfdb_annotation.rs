//! MIT-format annotation files.
#![no_main]
use ecg_balance_lab::io::limits::MAX_ANNOTATIONS;
use ecg_balance_lab::io::wfdb::read_annotations;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(anns) = read_annotations(bytes) {
        assert!(anns.len() <= MAX_ANNOTATIONS + 1);
        assert!(anns.iter().all(|a| a.code != 0 && a.code < 59));
        // What was read writes back.
        let _ = ecg_balance_lab::io::wfdb::write_annotations(&anns);
    }
});
