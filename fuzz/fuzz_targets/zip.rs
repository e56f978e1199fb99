//! Zip archives, through the stepwise grouping the page uses (small byte budget, so bombs stop
//! early).
#![no_main]
use ecg_balance_lab::io::files::{Grouper, InputFile};
use ecg_balance_lab::io::zip::ZipReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(mut z) = ZipReader::new(bytes, 1 << 20) {
        let mut total = 0u64;
        while let Ok(Some(e)) = z.next_entry() {
            total += e.map_or(0, |e| e.bytes.len() as u64);
            assert!(total <= 1 << 20);
        }
    }
    let mut g = Grouper::with_budget(
        vec![InputFile {
            path: "a.zip".into(),
            bytes: bytes.to_vec(),
        }],
        1 << 20,
    );
    while g.step().is_some() {}
    let _ = g.finish();
});
