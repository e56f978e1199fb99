//! Challenge 2020/2021 header comments (`# Age:`, `# Sex:`, `# Dx:` …), as the header reader
//! gives them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let comments: Vec<&str> = text.lines().collect();
    if let Ok(labels) = ecg_balance_lab::io::ptbxl::parse_challenge_comments(&comments) {
        let _ = labels.beat_codes();
    }
    if let Ok(h) = ecg_balance_lab::io::wfdb::parse_header(bytes) {
        let _ = ecg_balance_lab::io::ptbxl::parse_challenge_comments(&h.comments);
    }
});
