//! Limits that come from the file (issue 13): each hostile claim gets a clear error before any
//! large allocation. The limits live in `ecg_balance_lab::io::limits` and
//! `ecg_balance_lab::record::SamplingRate`, and are stated in the README.

use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::file::BEATS_MAGIC;
use ecg_balance_lab::ecg::beats::{BeatLayout, Resampler};
use ecg_balance_lab::io::csv::{CsvError, read_plain};
use ecg_balance_lab::io::files::{Grouper, InputFile};
use ecg_balance_lab::io::lightwave::{Assembler, LightwaveError, parse_info};
use ecg_balance_lab::io::limits::{MAX_ANNOTATIONS, MAX_CSV_COLUMNS};
use ecg_balance_lab::io::wfdb::{WfdbError, parse_header, read_annotations, read_record};
use ecg_balance_lab::io::zip::{ZipEntry, ZipError, ZipReader, write_stored_zip};

#[test]
fn a_header_claiming_10_to_the_12_samples_is_refused_before_reading() {
    let e = read_record(
        "r",
        b"r 2 360 1000000000000\nr.dat 212 200 11 1024 0 0 0 MLII\nr.dat 212 200 11 1024 0 0 0 V5\n",
        |_| Some(&[0u8; 30][..]),
        None,
    )
    .unwrap_err();
    assert!(matches!(e, WfdbError::TooLarge { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("1000000000000") && msg.contains("268435456"),
        "{msg}"
    );
}

#[test]
fn sampling_rates_of_1e9_and_1e300_are_refused_by_every_reader() {
    for fs in ["1e9", "1e300", "1000000000"] {
        let e = parse_header(format!("r 1 {fs} 10\nr.dat 16\n").as_bytes()).unwrap_err();
        assert!(
            e.to_string().contains("1,000,000 Hz") && e.to_string().contains("line 1"),
            "{e}"
        );
    }
    // Plain CSV, at the rate the user types.
    let csv = read_plain(b"1,2\n3,4\n").unwrap();
    for fs in [1e9, 1e300, 0.0, f64::NAN] {
        assert!(matches!(
            csv.clone().into_record("r", fs),
            Err(CsvError::BadRate(_))
        ));
    }
    // LightWAVE.
    let info = parse_info(
        br#"{"info":{"db":"x","record":"r","tfreq":1e300,"duration":"0:01","signal":[{"name":"I","tps":1,"units":"mV","gain":200,"baseline":0}]},"success":true}"#,
    )
    .unwrap();
    let e = Assembler::new(&info).unwrap_err();
    assert!(e.to_string().contains("1,000,000 Hz"), "{e}");
    // The resampler, given a rate no reader lets through (a record built by hand), clamps it
    // and stays small instead of asking for gigabytes of weights.
    let layout = BeatLayout {
        fs_hz: 180.0,
        len: 126,
        r_index: 45,
    };
    for fs in [1e9, 1e300, f64::INFINITY] {
        let r = Resampler::new(fs, layout);
        assert_eq!(r.layout(), layout);
    }
    // A window at a tiny rate is refused.
    let spec = ecg_balance_lab::ecg::beats::WindowSpec {
        fs_hz: 1e-9,
        pre_ms: 1e15,
        post_ms: 1e15,
        ..Default::default()
    };
    assert!(spec.validate().is_err());
}

fn deflated_zip(name: &str, content: &[u8]) -> Vec<u8> {
    // python3: zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED).writestr(name, content), by hand:
    // a stored archive rewritten with a deflated payload.
    let deflated = miniz_oxide::deflate::compress_to_vec(content, 6);
    let z = write_stored_zip(&[ZipEntry {
        path: name.into(),
        bytes: content.to_vec(),
    }]);
    let n = name.len();
    let mut local = z[..30].to_vec();
    local[8..10].copy_from_slice(&8u16.to_le_bytes());
    local[18..22].copy_from_slice(&(deflated.len() as u32).to_le_bytes());
    local.extend_from_slice(name.as_bytes());
    local.extend_from_slice(&deflated);
    let cd_start = 30 + n + content.len();
    let mut central = z[cd_start..cd_start + 46 + n].to_vec();
    central[10..12].copy_from_slice(&8u16.to_le_bytes());
    central[20..24].copy_from_slice(&(deflated.len() as u32).to_le_bytes());
    let mut eocd = z[z.len() - 22..].to_vec();
    eocd[16..20].copy_from_slice(&(local.len() as u32).to_le_bytes());
    [local, central, eocd].concat()
}

#[test]
fn a_zip_bomb_stops_at_the_byte_budget() {
    // 8 MiB of zeros deflate to about 8 KiB.
    let bomb = deflated_zip("a.dat", &vec![0u8; 8 << 20]);
    assert!(bomb.len() < 64 << 10);
    let mut z = ZipReader::new(&bomb[..], 1 << 20).expect("opens");
    let e = z.next_entry().unwrap_err();
    assert!(matches!(e, ZipError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("zip bomb"), "{e}");
    // The same through the page's grouping: the archive is an error, nothing else is lost.
    let mut g = Grouper::with_budget(
        vec![
            InputFile {
                path: "bomb.zip".into(),
                bytes: bomb.clone(),
            },
            InputFile {
                path: "x.csv".into(),
                bytes: b"1,2\n".to_vec(),
            },
        ],
        1 << 20,
    );
    let mut steps = 0;
    while g.step().is_some() {
        steps += 1;
    }
    let grouped = g.finish();
    assert!(steps >= 3, "unzipping goes in steps");
    assert_eq!(grouped.errors.len(), 1);
    assert_eq!(grouped.errors[0].file, "bomb.zip");
    assert_eq!(grouped.units.len(), 1, "the CSV beside it is kept");
}

#[test]
fn a_zip_whose_directory_lies_about_sizes_is_refused() {
    // The directory says 100 bytes, the data inflate to 8 MiB: stopped at the budget plus one
    // byte, never inflated to the end.
    let mut lie = deflated_zip("a.dat", &vec![7u8; 8 << 20]);
    let cd = lie.len() - 22 - 46 - 5;
    lie[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
    let mut z = ZipReader::new(&lie[..], 1 << 20).expect("opens");
    assert!(z.next_entry().is_err());
}

#[test]
fn overlapping_zip_entries_are_refused() {
    // Two directory entries naming the same local file: a zip bomb's trick to count one
    // compressed stream many times.
    let z = write_stored_zip(&[ZipEntry {
        path: "a.dat".into(),
        bytes: vec![1; 1000],
    }]);
    let cd_start = 30 + 5 + 1000;
    let entry = z[cd_start..cd_start + 46 + 5].to_vec();
    let mut second = entry.clone();
    second[46..51].copy_from_slice(b"b.dat");
    let mut eocd = z[z.len() - 22..].to_vec();
    eocd[8..10].copy_from_slice(&2u16.to_le_bytes());
    eocd[10..12].copy_from_slice(&2u16.to_le_bytes());
    eocd[12..16].copy_from_slice(&(2 * entry.len() as u32).to_le_bytes());
    let bomb = [&z[..cd_start], &entry, &second, &eocd].concat();
    let e = ZipReader::new(&bomb[..], 1 << 30).err().expect("refused");
    assert!(e.to_string().contains("overlapping"), "{e}");
}

#[test]
fn a_csv_with_a_million_columns_is_refused() {
    let mut row = "1,".repeat(1_000_000);
    row.push_str("1\n");
    let e = read_plain(row.as_bytes()).unwrap_err();
    assert!(matches!(e, CsvError::TooLarge(_)), "{e:?}");
    assert!(e.to_string().contains(&MAX_CSV_COLUMNS.to_string()), "{e}");
}

#[test]
fn raw_samples_under_an_annotators_extension_are_refused() {
    // 10 MB of a 16-bit signal: every word reads as an annotation of some code.
    let raw: Vec<u8> = (0..5_000_000u32)
        .flat_map(|i| (((i % 40 + 1) as u16) << 10 | 5).to_le_bytes())
        .collect();
    let e = read_annotations(&raw).unwrap_err();
    assert!(matches!(e, WfdbError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains(&MAX_ANNOTATIONS.to_string()), "{e}");
}

#[test]
fn a_lightwave_answer_claiming_12_signals_of_555_hours_is_refused() {
    let signals: Vec<String> = (0..12)
        .map(|i| format!(r#"{{"name":"s{i}","tps":1,"units":"mV","gain":200,"baseline":0}}"#))
        .collect();
    let info = format!(
        r#"{{"info":{{"db":"x","record":"r","tfreq":360,"duration":"555:00:00","signal":[{}]}},"success":true}}"#,
        signals.join(",")
    );
    let info = parse_info(info.as_bytes()).unwrap();
    let e = Assembler::new(&info).unwrap_err();
    assert!(matches!(e, LightwaveError::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("555.0 hours"), "{e}");
}

fn beat_file(header: &str, body_bytes: usize) -> Vec<u8> {
    let mut out = BEATS_MAGIC.to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend(std::iter::repeat_n(0u8, body_bytes));
    out
}

#[test]
fn beat_files_with_out_of_range_fields_are_refused() {
    // One beat of 4 samples: 4·(4 + 10) + 1 + 4 + 8 + 1 + 4 bytes.
    let body = 4 * (4 + 10) + 18;
    let ok = r#"{"version":1,"layout":{"fs_hz":180.0,"len":4,"r_index":1},"records":["r"],"n":1,"n_rr":10}"#;
    assert_eq!(
        BeatSet::from_bytes(&beat_file(ok, body)).map(|s| s.len()),
        Ok(1)
    );
    for (header, why) in [
        (ok.replace("\"version\":1", "\"version\":2"), "version 2"),
        (ok.replace("180.0", "1e300"), "1,000,000 Hz"),
        (ok.replace("180.0", "0.0"), "1,000,000 Hz"),
        (ok.replace("\"r_index\":1", "\"r_index\":4"), "R peak"),
        (ok.replace("\"len\":4", "\"len\":100000"), "layout"),
        (ok.replace("\"n\":1", "\"n\":1000000000000"), "bytes"),
        (ok.replace("\"n_rr\":10", "\"n_rr\":3"), "RR"),
    ] {
        let e = BeatSet::from_bytes(&beat_file(&header, body)).unwrap_err();
        assert!(e.to_string().contains(why), "{header}: {e}");
    }
    // A window value that is not a number.
    let mut nan = beat_file(ok, body);
    let at = nan.len() - body;
    nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(
        BeatSet::from_bytes(&nan)
            .unwrap_err()
            .to_string()
            .contains("finite")
    );
    // A class index past Q, a record id past the records.
    let mut label = beat_file(ok, body);
    let labels_at = label.len() - 18;
    label[labels_at] = 9;
    assert!(BeatSet::from_bytes(&label).is_err());
    let mut record = beat_file(ok, body);
    record[labels_at + 1] = 1;
    assert!(BeatSet::from_bytes(&record).is_err());
}
