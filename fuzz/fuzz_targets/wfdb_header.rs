//! WFDB header files (single- and multi-segment).
#![no_main]
use ecg_balance_lab::io::wfdb::{parse_header, parse_multi_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(h) = parse_header(bytes) {
        assert_eq!(h.signals.len(), h.n_sig);
        assert!(h.fs.is_finite() && h.fs > 0.0);
    }
    let _ = parse_multi_header(bytes);
    let _ = ecg_balance_lab::io::wfdb::header::segment_names(bytes);
});
