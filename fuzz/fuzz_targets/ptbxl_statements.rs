//! PTB-XL's scp_statements.csv.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = ecg_balance_lab::io::ptbxl::read_statements(bytes);
});
