//! LightWAVE JSON answers: every parser, and the assembler fed an `info` and a `fetch` split from
//! the input at a 0xFE byte.
#![no_main]
use ecg_balance_lab::io::lightwave::{
    Assembler, parse_alist, parse_dblist, parse_fetch, parse_info, parse_rlist,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse_dblist(bytes);
    let _ = parse_rlist(bytes);
    let _ = parse_alist(bytes);
    let mut parts = bytes.splitn(2, |&b| b == 0xFE);
    let info = parts.next().unwrap_or_default();
    let fetch = parts.next().unwrap_or_default();
    let Ok(info) = parse_info(info) else {
        return;
    };
    let Ok(mut a) = Assembler::new(&info) else {
        return;
    };
    let _ = a.plan(60).len();
    if let Ok(f) = parse_fetch(fetch) {
        let _ = a.add_signals(&f);
        let _ = a.add_annotations(&f, "atr");
    }
    let _ = a.missing();
    let _ = a.finish();
});
