//! A whole record: header, one signal file and an annotation file, split from the input at its
//! first two 0xFE bytes. Every file name the header asks for (signal files, and segment headers
//! of a multi-segment record) gets the same signal bytes.
#![no_main]
use ecg_balance_lab::io::wfdb::read_record_checked;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut parts = bytes.splitn(3, |&b| b == 0xFE);
    let header = parts.next().unwrap_or_default();
    let dat = parts.next().unwrap_or_default();
    let atr = parts.next();
    if let Ok(r) = read_record_checked("r", header, |_| Some(dat), atr) {
        let n = r.record.sig_len();
        assert!(r.record.signals.iter().all(|s| s.len() == n));
        let _ = r.warnings.iter().map(ToString::to_string).count();
    }
});
