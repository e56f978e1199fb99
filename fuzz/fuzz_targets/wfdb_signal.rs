//! Signal files of every format: the first byte picks the format, the next few the layout
//! (signals, samples per frame, skew, byte offset, length given or inferred), the rest is the
//! signal file.
#![no_main]
use ecg_balance_lab::io::wfdb::{FORMATS, parse_header, read_signals};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let [f, layout, len, rest @ ..] = bytes else {
        return;
    };
    let info = &FORMATS[usize::from(*f) % FORMATS.len()];
    let n_sig = 1 + usize::from(layout & 3);
    let spf = 1 + usize::from((layout >> 2) & 3);
    let skew = usize::from((layout >> 4) & 3);
    let offset = usize::from(layout >> 6);
    let sig_len = if len & 0x80 != 0 { String::new() } else { format!(" {len}") };
    let mut header = format!("r {n_sig} 360{sig_len}\n");
    for i in 0..n_sig {
        let frame = if i == 0 && spf > 1 { format!("x{spf}") } else if skew > 0 { format!(":{skew}") } else { String::new() };
        header.push_str(&format!("r.dat {}{frame}+{offset} 200 12 0 {i} 0 0 s{i}\n", info.fmt));
    }
    let Ok(h) = parse_header(header.as_bytes()) else {
        return;
    };
    if let Ok(d) = read_signals(&h, |name| (name == "r.dat").then_some(rest)) {
        assert_eq!(d.signals.len(), n_sig);
        for s in &d.signals {
            assert_eq!(s.samples_adu.len(), d.sig_len);
            assert!(s.adc_gain.is_finite() && s.adc_gain > 0.0);
        }
        let _ = d.warnings(&h);
    }
});
