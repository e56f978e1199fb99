//! Signal formats 8, 24, 32, 160 and FLAC 508/516/524, multi-segment records of both layouts,
//! and a header in Latin-1, against wfdb-python 4.3.1.
//!
//! The records in `tests/data/wfdb-formats/` are written by `tests/data/wfdb-formats/make.py`
//! (wfdb-python's `wrsamp`, formats 8 and 160 by hand), which also prints the oracle below:
//!
//! ```sh
//! pip install wfdb==4.3.1 soundfile && python3 tests/data/wfdb-formats/make.py
//! ```
//!
//! Each line is what `wfdb.rdrecord(name, physical=False)` gives for one signal: its first six
//! samples, its last, the sum of all 500 (or 1,000, 1,500) samples, gain and baseline; and
//! `sum |p|`, the sum of the absolute physical values `wfdb.rdrecord(name).p_signal` gives.
//! Signals that fit 16 bits must agree exactly; those spanning more (24-, 32- and 524-bit
//! signals of ±2·10⁶ to ±5·10⁸ adu) are kept at 16-bit precision and must agree in physical
//! units within half a kept step.

use ecg_balance_lab::io::files::{Grouped, InputFile};
use ecg_balance_lab::io::wfdb::{WfdbWarning, read_record_checked};
use ecg_balance_lab::workspace::Workspace;

const DIR: &str = "tests/data/wfdb-formats";

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read(name: &str) -> ecg_balance_lab::io::wfdb::ReadRecord {
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(DIR)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            (n.clone(), bytes(&n))
        })
        .collect();
    read_record_checked(
        name,
        &bytes(&format!("{name}.hea")),
        |f| {
            files
                .iter()
                .find(|(n, _)| n == f)
                .map(|(_, b)| b.as_slice())
        },
        None,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (first six, last, sum, gain, baseline) as wfdb-python reads one signal.
struct Oracle {
    first: [i64; 6],
    last: i64,
    sum: i64,
    gain: f64,
    baseline: i32,
    /// Sum of |physical value| over the signal (NaN samples left out).
    abs_physical_sum: f64,
}

const fn o(first: [i64; 6], last: i64, sum: i64, gain: f64, abs_physical_sum: f64) -> Oracle {
    Oracle {
        first,
        last,
        sum,
        gain,
        baseline: 0,
        abs_physical_sum,
    }
}

fn check_exact(name: &str, want: &[Oracle]) {
    let r = read(name);
    assert_eq!(r.record.signals.len(), want.len(), "{name}");
    for (s, w) in r.record.signals.iter().zip(want) {
        let got: Vec<i64> = s.samples_adu.iter().map(|&v| i64::from(v)).collect();
        assert_eq!(got[..6], w.first, "{name} {}", s.name);
        assert_eq!(*got.last().unwrap(), w.last, "{name} {}", s.name);
        assert_eq!(got.iter().sum::<i64>(), w.sum, "{name} {}", s.name);
        assert_eq!(
            (s.adc_gain, s.baseline),
            (w.gain, w.baseline),
            "{name} {}",
            s.name
        );
        let abs: f64 = (0..s.len())
            .map(|i| f64::from(s.physical(i)))
            .filter(|v| v.is_finite())
            .map(f64::abs)
            .sum();
        assert!(
            (abs - w.abs_physical_sum).abs() < 0.05,
            "{name} {}: {abs}",
            s.name
        );
    }
    assert!(
        r.warnings.is_empty(),
        "{name}: exact signals give no warning: {:?}",
        r.warnings
    );
}

#[test]
fn format_8_first_differences() {
    // f8: rdrecord('f8', physical=False) → sig_len 500, fmt ['8', '8']
    check_exact(
        "f8",
        &[
            o([189, 221, 293, 367, 438, 386], -97, -4930, 200.0, 460.41),
            o([346, 319, 325, 302, 320, 320], 843, 301446, 200.0, 1507.23),
        ],
    );
}

#[test]
fn format_160_offset_binary() {
    // f160: rdrecord('f160', physical=False) → sig_len 500, fmt ['160', '160']
    check_exact(
        "f160",
        &[
            o(
                [-19174, -19081, -15756, -18606, -20872, -20790],
                -9303,
                -2673315,
                200.0,
                32209.095,
            ),
            o([-84, -80, -81, -76, -82, -82], 77, -2814, 200.0, 144.32),
        ],
    );
}

#[test]
fn flac_508_and_516() {
    // f508: rdrecord('f508', physical=False) → sig_len 500, fmt ['508', '508']
    check_exact(
        "f508",
        &[
            o([-34, -29, -21, -24, -18, -19], 47, 7618, 200.0, 122.65),
            o([77, 93, 79, 77, 95, 91], -114, 836, 200.0, 127.76),
        ],
    );
    // f516: rdrecord('f516', physical=False) → sig_len 500, fmt ['516', '516']
    check_exact(
        "f516",
        &[
            o(
                [17688, 15775, 15751, 14239, 12444, 12739],
                -28383,
                3585385,
                200.0,
                29971.525,
            ),
            o([537, 634, 458, 258, 190, 349], -32, -55799, 200.0, 1919.775),
        ],
    );
}

/// A wide signal: the 16-bit one exact, the other within half a kept step in physical units.
fn check_wide(
    name: &str,
    exact: Oracle,
    wide: Oracle,
    wide_first_physical: [f64; 2],
    dropped_bits: u32,
) {
    let r = read(name);
    let [a, b] = &r.record.signals[..] else {
        panic!("{name}: two signals");
    };
    let got: Vec<i64> = a.samples_adu.iter().map(|&v| i64::from(v)).collect();
    assert_eq!(got[..6], exact.first, "{name}");
    assert_eq!(
        (got.iter().sum::<i64>(), *got.last().unwrap()),
        (exact.sum, exact.last)
    );
    assert_eq!(a.adc_gain, exact.gain);
    // The wide signal: gain scaled by the dropped bits, values within half a step.
    let step = f64::from(dropped_bits).exp2();
    assert_eq!(b.adc_gain, wide.gain / step, "{name}");
    let tol = step / wide.gain / 2.0 + 1e-9;
    for (i, want) in wide_first_physical.iter().enumerate() {
        let got = f64::from(b.physical(i));
        assert!(
            (got - want).abs() <= tol + 1e-5 * want.abs(),
            "{name} sample {i}: {got} vs {want}"
        );
    }
    let first_adu = (wide.first[0] as f64 / step).round() as i64;
    assert_eq!(i64::from(b.samples_adu[0]), first_adu, "{name}");
    let abs: f64 = (0..b.len()).map(|i| f64::from(b.physical(i)).abs()).sum();
    assert!(
        (abs - wide.abs_physical_sum).abs() <= tol * b.len() as f64,
        "{name}: {abs} vs {}",
        wide.abs_physical_sum
    );
    let mean_adu = wide.sum as f64 / b.len() as f64 / step;
    let got_mean = b.samples_adu.iter().map(|&v| f64::from(v)).sum::<f64>() / b.len() as f64;
    assert!(
        (got_mean - mean_adu).abs() <= 0.5,
        "{name}: mean {got_mean} vs {mean_adu}"
    );
    assert_eq!(
        r.warnings,
        [WfdbWarning::Narrowed {
            signal: 1,
            sig_name: "II".into(),
            fmt: r.header.signals[1].fmt,
            dropped_bits
        }]
    );
    assert!(r.warnings[0].to_string().contains("16-bit precision"));
}

#[test]
fn format_24_and_32_keep_16_bits() {
    // f24: rdrecord('f24', physical=False) → sig_len 500, fmt ['24', '24']
    //   physical: first rows [[-150.0, 157.663], [-141.01, 155.6605]]
    check_wide(
        "f24",
        o(
            [-30000, -28202, -26626, -24871, -26995, -25462],
            14204,
            3246979,
            200.0,
            32763.225,
        ),
        o(
            [1891956, 1867926, 1778146, 1767483, 1726128, 1785977],
            -1460801,
            163964677,
            12000.0,
            38368.969,
        ),
        [157.663, 155.6605],
        6,
    );
    // f32: rdrecord('f32', physical=False) → sig_len 500, fmt ['32', '32']
    //   physical: first rows [[4.215, 219.916398], [4.69, 268.812375]]
    check_wide(
        "f32",
        o([843, 938, 934, 912, 969, 986], 111, 22438, 200.0, 946.53),
        o(
            [
                219916398, 268812375, 259592976, 315194594, 319129245, 320881349,
            ],
            -142231000,
            8845317643,
            1.0e6,
            85190.619,
        ),
        [219.916398, 268.812375],
        14,
    );
}

#[test]
fn flac_524_keeps_16_bits() {
    // f524: rdrecord('f524', physical=False) → sig_len 500, fmt ['524', '524']
    //   physical: first rows [[-15.0, 85.65604], [-13.66, 79.08658]]
    check_wide(
        "f524",
        o(
            [-3000, -2732, -2885, -2641, -2906, -2635],
            2317,
            325882,
            200.0,
            3490.76,
        ),
        o(
            [4282802, 3954329, 4006704, 4401463, 3509104, 4447146],
            -2773466,
            383001587,
            50000.0,
            23876.095,
        ),
        [85.65604, 79.08658],
        8,
    );
}

#[test]
fn multi_segment_fixed_layout() {
    // fixed: rdrecord('fixed', physical=False) → sig_len 1000, fmt ['16', '16']
    check_exact(
        "fixed",
        &[
            o(
                [-466, -378, -466, -476, -468, -545],
                296,
                -49620,
                200.0,
                1641.04,
            ),
            o(
                [-289, -355, -308, -361, -357, -321],
                -500,
                -30057,
                200.0,
                1035.745,
            ),
        ],
    );
    let r = read("fixed");
    assert_eq!((r.record.sig_len(), r.record.fs_hz), (1000, 250.0));
    assert_eq!(r.header.sig_len, Some(1000));
}

#[test]
fn multi_segment_variable_layout_with_a_null_segment() {
    // var: rdrecord('var', physical=False) → sig_len 1500, fmt ['212', '212', '212']
    //   physical: first rows [[-3.145, 2.41, nan], [-3.205, 2.255, nan]]
    check_exact(
        "var",
        &[
            o(
                [-629, -641, -623, -605, -685, -613],
                -2048,
                -2012116,
                200.0,
                1443.06,
            ),
            o(
                [482, 451, 469, 473, 442, 414],
                -2048,
                -2097512,
                200.0,
                560.06,
            ),
            o(
                [-2048, -2048, -2048, -2048, -2048, -2048],
                -381,
                -2153023,
                200.0,
                796.485,
            ),
        ],
    );
    let r = read("var");
    let names: Vec<&str> = r.record.signals.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["I", "II", "V1"]);
    assert!(
        r.record.signals[2].physical(0).is_nan(),
        "missing in the first segment"
    );
}

#[test]
fn multi_segment_errors_name_the_segment() {
    let hea = b"m/2 1 250 20\nseg_a 10\nseg_b 10\n";
    let a = b"seg_a 1 250 10\nseg_a.dat 16\n";
    let dat = [0u8; 20];
    let e = read_record_checked(
        "m",
        hea,
        |f| match f {
            "seg_a.hea" => Some(&a[..]),
            "seg_a.dat" => Some(&dat[..]),
            _ => None,
        },
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("seg_b.hea"), "{e}");
    // Segments at another rate than the record are refused.
    let b = b"seg_b 1 500 10\nseg_b.dat 16\n";
    let e = read_record_checked(
        "m",
        hea,
        |f| match f {
            "seg_a.hea" => Some(&a[..]),
            "seg_b.hea" => Some(&b[..]),
            _ => Some(&dat[..]),
        },
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("500 Hz"), "{e}");
    // A master header whose segments add up to more than a record may hold.
    let huge = b"m/2 1 250\nseg_a 200000000\nseg_b 200000000\n";
    let e = read_record_checked("m", huge, |_| None, None).unwrap_err();
    assert!(
        matches!(e, ecg_balance_lab::io::wfdb::WfdbError::TooLarge { .. }),
        "{e:?}"
    );
}

#[test]
fn latin1_header() {
    // latin1: rdrecord('latin1', physical=False) → sig_len 500, fmt ['16'] (wfdb-python drops the
    // non-ASCII bytes: its description reads "Ableitung I (Brustwand rechts, )", units "V").
    let r = read("latin1");
    let s = &r.record.signals[0];
    assert_eq!(s.name, "Ableitung I (Brustwand rechts, ä)");
    assert_eq!(s.units, "µV");
    assert_eq!(r.record.comments, ["Patient: José Müller"]);
    let got: Vec<i16> = s.samples_adu[..6].to_vec();
    assert_eq!(got, [-466, -378, -466, -476, -468, -545]);
    assert_eq!(
        s.samples_adu.iter().map(|&v| i64::from(v)).sum::<i64>(),
        -51317
    );
}

#[test]
fn a_dropped_folder_reads_multi_segment_records_once() {
    // The page and the CLI group dropped files: segment headers are read through their record,
    // never as records of their own, and their signal files are not reported as orphans.
    let files: Vec<InputFile> = std::fs::read_dir(DIR)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            InputFile {
                path: format!("formats/{n}"),
                bytes: bytes(&n),
            }
        })
        .collect();
    let grouped = Grouped::new(files);
    let mut ws = Workspace::new();
    let report = ws.load_all(&grouped);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut loaded = report.loaded.clone();
    loaded.sort();
    assert_eq!(
        loaded,
        [
            "f160", "f24", "f32", "f508", "f516", "f524", "f8", "fixed", "latin1", "var"
        ]
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|(p, why)| p == "formats/var_layout.hea" && why.contains("multi-segment"))
    );
}
