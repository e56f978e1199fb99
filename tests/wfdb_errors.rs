//! Bad input: each problem is a typed error with a message a user can act on, never a panic.
//! Property tests feed random bytes and mutated real files (MIT-BIH record 100) to every
//! reader: any result is fine except a panic, and successful reads keep their invariants.

use ecg_balance_lab::io::wfdb::{
    Format, WfdbError, parse_header, read_annotations, read_record, read_record_checked,
    read_signals,
};
use proptest::prelude::*;

const MITDB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");

fn file(ext: &str) -> Vec<u8> {
    std::fs::read(format!("{MITDB}/100.{ext}")).expect("record 100")
}

fn read_100(
    hea: &[u8],
    dat: &[u8],
    atr: Option<&[u8]>,
) -> Result<ecg_balance_lab::Record, WfdbError> {
    read_record("100", hea, |f| (f == "100.dat").then_some(dat), atr)
}

#[test]
fn truncated_signal_file() {
    let (hea, dat) = (file("hea"), file("dat"));
    let e = read_100(&hea, &dat[..1000], None).unwrap_err();
    assert_eq!(
        e,
        WfdbError::Truncated {
            file: "100.dat".into(),
            expected_bytes: 1_950_000,
            got_bytes: 1000
        }
    );
    let msg = e.to_string();
    assert!(
        msg.contains("100.dat") && msg.contains("1950000") && msg.contains("1000"),
        "{msg}"
    );
}

#[test]
fn header_longer_than_file_is_truncated_and_shorter_reads_sig_len() {
    let (hea, dat) = (file("hea"), file("dat"));
    let text = String::from_utf8(hea.clone()).unwrap();
    let long = text.replacen("650000", "700000", 1);
    // Two format-212 signals: 3 bytes a frame.
    assert_eq!(
        read_100(long.as_bytes(), &dat, None).unwrap_err(),
        WfdbError::Truncated {
            file: "100.dat".into(),
            expected_bytes: 700_000 * 3,
            got_bytes: 1_950_000
        }
    );
    // A header shorter than its file: the first sig_len samples, as WFDB reads them.
    let short = text.replacen("650000", "1001", 1);
    let full = read_100(&hea, &dat, None).unwrap();
    let part = read_record_checked("100", short.as_bytes(), |_| Some(&dat[..]), None).unwrap();
    assert_eq!(part.record.sig_len(), 1001);
    for (a, b) in part.record.signals.iter().zip(&full.signals) {
        assert_eq!(a.samples_adu, b.samples_adu[..1001]);
    }
    // Its checksums cover the whole file, so they no longer match: warnings, not errors.
    assert_eq!(part.warnings.len(), 2, "{:?}", part.warnings);
    assert!(part.warnings[0].to_string().contains("checksum mismatch"));
}

#[test]
fn unsupported_format_is_named() {
    // Format 24 was the example here until it became supported (tests/wfdb_more_formats.rs);
    // 9 is no WFDB format at all.
    let hea = b"r 1 360 10\nr.dat 9 200 24 0 0 0 0 ECG\n";
    let e = read_record("r", hea, |_| Some(&[0u8; 30][..]), None).unwrap_err();
    assert_eq!(e, WfdbError::UnsupportedFormat { format: "9".into() });
    assert_eq!(
        e.to_string(),
        "signal format 9 is not supported; supported formats: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, and FLAC 508, 516, 524"
    );
    // The header itself still parses, so a user can be shown what the record holds.
    assert_eq!(parse_header(hea).unwrap().signals[0].fmt, 9);
}

#[test]
fn annotation_file_cut_mid_entry() {
    let atr = file("atr");
    // 100.atr starts with '+' at sample 18 (2 bytes), then AUX "(N\0" (2 + 4 bytes).
    let e = read_annotations(&atr[..5]).unwrap_err();
    assert!(
        matches!(e, WfdbError::Annotation { byte_offset: 2, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("annotation file, byte 2: the file ends in the middle of an AUX entry")
    );
    let e = read_annotations(&atr[..9]).unwrap_err();
    assert!(
        matches!(e, WfdbError::Annotation { byte_offset: 8, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("16-bit word"), "{e}");
    // Cut at an entry boundary without the end-of-file word: the complete entries are read.
    let anns = read_annotations(&atr[..10]).unwrap();
    assert_eq!(
        anns.iter().map(|a| a.symbol()).collect::<Vec<_>>(),
        ["+", "N"]
    );
}

#[test]
fn non_utf8_header() {
    let hea = b"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 ML\xffII\n";
    let e = parse_header(hea).unwrap_err();
    assert_eq!(
        e,
        WfdbError::NotUtf8 {
            line: 2,
            byte_offset: hea.iter().position(|&b| b == 0xff).unwrap(),
            byte: 0xff
        }
    );
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn empty_files() {
    let (hea, dat) = (file("hea"), file("dat"));
    assert_eq!(
        parse_header(b"").unwrap_err(),
        WfdbError::Empty {
            file: "header".into()
        }
    );
    assert!(matches!(
        parse_header(b"\n \n\t\n"),
        Err(WfdbError::Header { .. })
    ));
    assert_eq!(
        read_annotations(b"").unwrap_err(),
        WfdbError::Empty {
            file: "annotation file".into()
        }
    );
    assert_eq!(
        read_100(&hea, b"", None).unwrap_err(),
        WfdbError::Truncated {
            file: "100.dat".into(),
            expected_bytes: 1_950_000,
            got_bytes: 0
        }
    );
    let no_len = String::from_utf8(hea).unwrap().replacen(" 650000", "", 1);
    assert_eq!(
        read_100(no_len.as_bytes(), b"", None).unwrap_err(),
        WfdbError::Empty {
            file: "signal file 100.dat".into()
        }
    );
    // Without sig_len, the length comes from the file size.
    assert_eq!(
        read_100(no_len.as_bytes(), &dat, None).unwrap().sig_len(),
        650_000
    );
}

#[test]
fn garbage_numbers_in_header_fields() {
    let good = String::from_utf8(file("hea")).unwrap();
    let cases = [
        (
            "360",
            "3x0",
            "line 1: sampling frequency (Hz): expected a number, found \"3x0\"",
        ),
        (
            "100 2",
            "100 2.5",
            "line 1: number of signals: expected a whole number ≥ 0, found \"2.5\"",
        ),
        (
            "650000",
            "-650000",
            "line 1: number of samples per signal: expected a whole number ≥ 0",
        ),
        (
            "212 200",
            "212 2OO",
            "line 2: ADC gain (adu per unit): expected a number, found \"2OO\"",
        ),
        (
            "-22131",
            "-22l31",
            "line 2: checksum: expected a whole number, found \"-22l31\"",
        ),
        (
            " 11 ",
            " 11.5 ",
            "line 2: ADC resolution (bits): expected a whole number ≥ 0",
        ),
        (
            "995",
            "99999999999",
            "line 2: initial value (adu): the number 99999999999 is out of range",
        ),
        (
            "212 200",
            "212+x 200",
            "line 2: byte offset (after '+'): expected a whole number ≥ 0, found \"\"",
        ),
        (
            "212 200",
            "twelve 200",
            "line 2: signal format: expected a number such as 212 or 16, found \"twelve\"",
        ),
        (
            "212 200",
            "212 nan",
            "line 2: ADC gain (adu per unit): expected a number, found \"nan\"",
        ),
        (
            "212 200",
            "212 1e999",
            "line 2: ADC gain (adu per unit): expected a number, found \"1e999\"",
        ),
    ];
    for (from, to, want) in cases {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{from} not in header");
        let msg = parse_header(bad.as_bytes()).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("header {want}")),
            "{msg:?} should start with {want:?}"
        );
    }
}

#[test]
fn structural_problems() {
    let dat = file("dat");
    // A missing signal file.
    let e = read_record("100", &file("hea"), |_| None, None).unwrap_err();
    assert_eq!(
        e,
        WfdbError::MissingFile {
            name: "100.dat".into()
        }
    );
    assert!(e.to_string().contains("100.dat is missing"));
    // Multi-segment records.
    let e = parse_header(b"big/3 2 360 1000\nseg1 500\nseg2 500\n~ 0\n").unwrap_err();
    assert!(e.to_string().contains("multi-segment"), "{e}");
    // Signals of one file in two formats.
    let e = read_record(
        "r",
        b"r 2 360 10\nr.dat 212\nr.dat 16\n",
        |_| Some(&dat[..]),
        None,
    )
    .unwrap_err();
    assert!(matches!(e, WfdbError::InvalidRecord { .. }), "{e:?}");
    // Skew with several samples per frame.
    let e = read_record("r", b"r 1 360 10\nr.dat 16x2:1\n", |_| Some(&dat[..]), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("skew together with several samples per frame"),
        "{e}"
    );
    // A byte offset beyond the file.
    let e = read_record(
        "r",
        b"r 1 360 1\nr.dat 16+100\n",
        |_| Some(&[0u8; 50][..]),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e,
        WfdbError::Truncated {
            file: "r.dat".into(),
            expected_bytes: 102,
            got_bytes: 50
        }
    );
    // A length too large to address is an error, not an allocation failure.
    let e = read_record(
        "r",
        b"r 1 360 18446744073709551615\nr.dat 16\n",
        |_| Some(&[0u8; 4][..]),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            WfdbError::InvalidRecord { .. } | WfdbError::Truncated { .. }
        ),
        "{e:?}"
    );
}

#[test]
fn errors_convert_into_the_crate_error() {
    let e: ecg_balance_lab::Error = parse_header(b"").unwrap_err().into();
    assert!(matches!(
        e,
        ecg_balance_lab::Error::Wfdb(WfdbError::Empty { .. })
    ));
    assert!(e.to_string().starts_with("the header is empty"));
}

/// Applies byte edits to `base`: (0, i, b) replaces byte i with b, (1, i, b) inserts b before
/// byte i, (2, i, _) deletes byte i, (3, i, b) flips the bits of b in byte i.
fn mutate(base: &[u8], edits: &[(u8, usize, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for &(kind, at, b) in edits {
        if v.is_empty() {
            v.push(b);
            continue;
        }
        let i = at % v.len();
        match kind % 4 {
            0 => v[i] = b,
            1 => v.insert(i, b),
            2 => {
                v.remove(i);
            }
            _ => v[i] ^= b,
        }
    }
    v
}

fn edits() -> impl Strategy<Value = Vec<(u8, usize, u8)>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..8)
}

/// Header lines assembled from fragments of real WFDB syntax, to reach the signal decoder with
/// odd combinations of formats, frames, skews, offsets and lengths.
fn header_from_fragments() -> impl Strategy<Value = String> {
    let record = (
        0usize..5,
        prop::sample::select(vec!["", " 360", " 250/10(2)", " 0", " 1e3"]),
        prop::sample::select(vec!["", " 0", " 3", " 17", " 1000", " 99999999999"]),
    );
    let fmt = prop::sample::select(vec!["16", "61", "80", "212", "310", "311", "24", "0"]);
    let spec = prop::sample::select(vec!["", "x2", "x3", ":1", ":40", "+3", "x2+1", "+999"]);
    let file = prop::sample::select(vec!["a.dat", "b.dat"]);
    let rest = prop::sample::select(vec!["", " 200", " 0(5)/uV 12 5 -3 7 0 V1", " 100 12 0 0"]);
    (record, prop::collection::vec((file, fmt, spec, rest), 0..5)).prop_map(
        |((n, fs, len), sigs)| {
            let mut h = format!("r {n}{fs}{len}\n");
            for (file, fmt, spec, rest) in sigs.iter().take(n.max(1)) {
                h.push_str(&format!("{file} {fmt}{spec}{rest}\n"));
            }
            h
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_header(&bytes);
        let _ = read_annotations(&bytes);
        let _ = read_record("r", &bytes, |_| Some(&bytes[..]), Some(&bytes));
        for info in ecg_balance_lab::io::wfdb::FORMATS {
            for n in [0usize, 1, 2, 3, 7, bytes.len()] {
                let decoded = ecg_balance_lab::io::wfdb::format::decode_samples(info.format, &bytes, n);
                if let Some(s) = decoded {
                    prop_assert_eq!(s.len(), n);
                    prop_assert!(s.iter().all(|&v| v >= info.min_adu && v <= info.max_adu));
                }
            }
        }
    }

    #[test]
    fn mutated_header_never_panics(e in edits()) {
        let hea = mutate(&file("hea"), &e);
        let dat = file("dat");
        let dat = &dat[..3000];
        let _ = parse_header(&hea);
        if let Ok(r) = read_100(&hea, dat, None) {
            prop_assert!(r.signals.iter().all(|s| s.len() == r.sig_len()));
        }
    }

    #[test]
    fn mutated_annotations_never_panic(e in edits(), cut in 0usize..4000) {
        let atr = file("atr");
        let atr = mutate(&atr[..cut.min(atr.len())], &e);
        if let Ok(anns) = read_annotations(&atr) {
            prop_assert!(anns.iter().all(|a| a.code != 0 && a.code < 59));
        }
    }

    #[test]
    fn mutated_signal_file_never_panics(e in edits(), cut in 0usize..600) {
        let dat = file("dat");
        let dat = mutate(&dat[..cut], &e);
        let hea = b"100 2 360 200\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n";
        match read_100(hea, &dat, None) {
            Ok(r) => prop_assert_eq!(r.sig_len(), 200),
            Err(err) => prop_assert!(matches!(err, WfdbError::Truncated { .. }), "{:?}", err),
        }
    }

    #[test]
    fn headers_from_fragments_never_panic(h in header_from_fragments(),
                                          a in prop::collection::vec(any::<u8>(), 0..200),
                                          b in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(header) = parse_header(h.as_bytes()) {
            let got = read_signals(&header, |f| match f { "a.dat" => Some(&a[..]), "b.dat" => Some(&b[..]), _ => None });
            if let Ok(d) = got {
                prop_assert_eq!(d.signals.len(), header.n_sig);
                prop_assert!(d.signals.iter().all(|s| s.len() == d.sig_len));
                for (s, spec) in d.signals.iter().zip(&header.signals) {
                    let info = Format::from_fmt(spec.fmt).expect("read signals have supported formats").info();
                    prop_assert!(s.samples_adu.iter().all(|&v| v >= info.min_adu && v <= info.max_adu));
                }
            }
        }
    }
}
