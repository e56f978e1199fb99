//! Plain CSV recordings, and their conversion to a record at a rate taken from the input.
#![no_main]
use ecg_balance_lab::io::csv::read_plain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(p) = read_plain(bytes) {
        assert_eq!(p.lead_names.len(), p.leads_mv.len());
        let fs = p.fs_hz_from_time.unwrap_or(360.0);
        if let Ok(r) = p.into_record("r", fs) {
            let n = r.sig_len();
            assert!(r.signals.iter().all(|s| s.len() == n));
        }
    }
});
