//! All 48 MIT-BIH Arrhythmia Database records read by our WFDB reader, compared exactly with what
//! wfdb-python 4.3.1 reads from the same files (`../shared/reference/mitdb.json`): every header
//! field, digital sums, sums of squares, a SHA-256 of all samples, the first and last ten
//! frames, annotation counts, beat positions and labels, and the AAMI class totals.

use std::collections::BTreeMap;

use ecg_balance_lab::Record;
use ecg_balance_lab::ecg::aami::{AamiClass, ClassCounts, class_of_code};
use ecg_balance_lab::io::remote::fingerprint;
use ecg_balance_lab::io::wfdb::{ReadRecord, read_record_checked};
use serde_json::Value;
use sha2::{Digest, Sha256};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/mitdb.json"
);

fn read(name: &str) -> ReadRecord {
    let file = |ext: &str| {
        std::fs::read(format!("{DATA}/{name}.{ext}"))
            .unwrap_or_else(|e| panic!("{DATA}/{name}.{ext}: {e}"))
    };
    let (hea, dat, atr) = (file("hea"), file("dat"), file("atr"));
    let dat_name = format!("{name}.dat");
    read_record_checked(
        name,
        &hea,
        |f| (f == dat_name).then_some(dat.as_slice()),
        Some(&atr),
    )
    .unwrap_or_else(|e| panic!("record {name}: {e}"))
}

fn as_i64s(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("integer"))
        .collect()
}

fn as_strs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_owned())
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<i64>> {
    v.as_array().expect("array").iter().map(as_i64s).collect()
}

fn counts(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().expect("count")))
        .collect()
}

fn aami(v: &Value) -> ClassCounts {
    let mut c = ClassCounts::default();
    for class in AamiClass::ALL {
        c.0[class.index()] = v[class.code()].as_u64().expect("count") as usize;
    }
    c
}

/// Frames of `i16` samples as `i64`, as the reference writes them.
fn wide(frames: &[Vec<i16>]) -> Vec<Vec<i64>> {
    frames
        .iter()
        .map(|f| f.iter().map(|&v| i64::from(v)).collect())
        .collect()
}

fn check_record(name: &str, want: &Value) -> ClassCounts {
    let ReadRecord {
        header,
        record,
        warnings,
    } = read(name);
    let ctx = |field: &str| format!("record {name}, {field}");
    let ints = |field: &str, got: Vec<i64>| {
        assert_eq!(got, as_i64s(&want[field]), "{}", ctx(field));
    };
    assert!(warnings.is_empty(), "record {name}: {warnings:?}");

    // Header fields.
    assert_eq!(
        header.fs,
        want["fs_hz"].as_f64().expect("fs"),
        "{}",
        ctx("fs")
    );
    assert_eq!(record.fs_hz, header.fs);
    let sig_len = want["sig_len"].as_u64().expect("sig_len") as usize;
    assert_eq!(header.sig_len, Some(sig_len), "{}", ctx("sig_len"));
    assert_eq!(record.sig_len(), sig_len, "{}", ctx("samples"));
    let n_sig = want["n_sig"].as_u64().expect("n_sig") as usize;
    assert_eq!(header.n_sig, n_sig, "{}", ctx("n_sig"));
    assert_eq!(record.signals.len(), n_sig);
    let s = &header.signals;
    let names: Vec<String> = s
        .iter()
        .map(|s| s.sig_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, as_strs(&want["sig_name"]), "{}", ctx("sig_name"));
    let rec_names: Vec<String> = record.signals.iter().map(|s| s.name.clone()).collect();
    assert_eq!(rec_names, names);
    let fmts: Vec<String> = s.iter().map(|s| s.fmt.to_string()).collect();
    assert_eq!(fmts, as_strs(&want["fmt"]), "{}", ctx("fmt"));
    let gains: Vec<f64> = s.iter().map(|s| s.adc_gain).collect();
    let want_gains: Vec<f64> = want["adc_gain"]
        .as_array()
        .expect("adc_gain")
        .iter()
        .map(|g| g.as_f64().expect("gain"))
        .collect();
    assert_eq!(gains, want_gains, "{}", ctx("adc_gain"));
    let baselines: Vec<i64> = s.iter().map(|s| i64::from(s.baseline)).collect();
    ints("baseline", baselines);
    let units: Vec<String> = s.iter().map(|s| s.units.clone()).collect();
    assert_eq!(units, as_strs(&want["units"]), "{}", ctx("units"));
    let adc_zero: Vec<i64> = s
        .iter()
        .map(|s| i64::from(s.adc_zero.expect("adc_zero")))
        .collect();
    ints("adc_zero", adc_zero);
    let init: Vec<i64> = s
        .iter()
        .map(|s| i64::from(s.init_value.expect("init")))
        .collect();
    ints("init_value", init);
    let cks: Vec<i64> = s
        .iter()
        .map(|s| i64::from(s.checksum.expect("checksum")))
        .collect();
    ints("checksum", cks);
    assert_eq!(
        header.comments,
        as_strs(&want["comments"]),
        "{}",
        ctx("comments")
    );
    assert_eq!(record.comments, header.comments);
    for (sig, spec) in record.signals.iter().zip(s) {
        assert_eq!((sig.adc_gain, sig.baseline), (spec.adc_gain, spec.baseline));
        assert_eq!(sig.units, spec.units);
        assert_eq!(sig.invalid_adu, Some(-2048), "{}", ctx("invalid_adu"));
    }

    // Samples, through the fingerprint a fetched record is compared by.
    let fp = fingerprint(&record);
    ints("digital_sum", fp.digital_sum);
    ints("digital_sum_sq", fp.digital_sum_sq);
    assert_eq!(
        fp.digital_sha256,
        want["digital_sha256"].as_str().expect("sha"),
        "{}",
        ctx("digital_sha256")
    );
    assert_eq!(
        wide(&fp.first_10),
        rows(&want["first_10"]),
        "{}",
        ctx("first_10")
    );
    assert_eq!(
        wide(&fp.last_10),
        rows(&want["last_10"]),
        "{}",
        ctx("last_10")
    );

    // Annotations.
    let anns = &record.annotations;
    assert_eq!(
        anns.len() as u64,
        want["n_annotations"].as_u64().expect("n"),
        "{}",
        ctx("n_annotations")
    );
    let mut symbols: BTreeMap<String, u64> = BTreeMap::new();
    for a in anns {
        *symbols.entry(a.symbol().to_owned()).or_default() += 1;
    }
    assert_eq!(
        symbols,
        counts(&want["symbol_counts"]),
        "{}",
        ctx("symbol_counts")
    );
    let class_counts = ClassCounts::of_annotations(anns);
    assert_eq!(
        class_counts,
        aami(&want["aami_counts"]),
        "{}",
        ctx("aami_counts")
    );
    let beats: Vec<_> = anns
        .iter()
        .filter(|a| class_of_code(a.code).is_some())
        .collect();
    let beat_samples: Vec<i64> = beats.iter().map(|a| a.sample as i64).collect();
    ints("beat_samples", beat_samples);
    let beat_symbols: String = beats.iter().map(|a| a.symbol()).collect();
    assert_eq!(
        beat_symbols,
        want["beat_symbols"].as_str().expect("symbols"),
        "{}",
        ctx("beat_symbols")
    );
    assert!(
        anns.windows(2).all(|w| w[0].sample <= w[1].sample),
        "{}",
        ctx("order")
    );
    class_counts
}

#[test]
fn all_48_records_match_wfdb_python() {
    let text = std::fs::read_to_string(REFERENCE).expect("mitdb.json");
    let reference: Value = serde_json::from_str(&text).expect("json");
    let records = reference["records"].as_object().expect("records");
    assert_eq!(records.len(), 48);

    let mut per_record: BTreeMap<u32, ClassCounts> = BTreeMap::new();
    for (name, want) in records {
        let counts = check_record(name, want);
        per_record.insert(name.parse().expect("numeric record name"), counts);
    }

    let meta = &reference["meta"];
    let total = per_record
        .values()
        .fold(ClassCounts::default(), |a, c| a.merged(c));
    let over = |list: &Value| {
        as_i64s(list).iter().fold(ClassCounts::default(), |a, r| {
            a.merged(&per_record[&(*r as u32)])
        })
    };
    let ds1 = over(&meta["ds1"]);
    let ds2 = over(&meta["ds2"]);
    assert_eq!(total, aami(&meta["aami_totals"]));
    assert_eq!(ds1, aami(&meta["aami_totals_ds1"]));
    assert_eq!(ds2, aami(&meta["aami_totals_ds2"]));
    // The same totals as published in ../shared/data/README.md and de Chazal et al. (2004).
    assert_eq!(total, ClassCounts([90_631, 2_781, 7_236, 803, 8_043]));
    assert_eq!(ds1, ClassCounts([45_866, 944, 3_788, 415, 8]));
    assert_eq!(ds2, ClassCounts([44_259, 1_837, 3_221, 388, 7]));
}

#[test]
fn first_annotation_of_record_100_is_a_rhythm_label() {
    let r = read("100").record;
    let a = &r.annotations[0];
    assert_eq!(
        (a.sample, a.symbol(), a.aux_note.as_deref()),
        (18, "+", Some("(N\0"))
    );
    assert_eq!((a.subtype, a.chan, a.num), (0, 0, 0));
    assert_eq!(r.annotations[1].aux_note, None);
}

/// Every field of every annotation, as wfdb-python 4.3.1 reads it: per record, the number of
/// non-empty `aux_note`s and a SHA-256 over one line per annotation,
/// `"{sample} {label_store} {subtype} {chan} {num} {aux_hex}\n"` (`aux_hex`: the note's Latin-1
/// bytes in lower-case hex, empty when there is none). Produced by (venv: `pip install wfdb==4.3.1`):
///
/// ```text
/// import glob, hashlib, os, sys, wfdb
/// os.chdir(sys.argv[1])   # ../shared/data/mitdb
/// for f in sorted(glob.glob('*.atr')):
///     r = f[:-4]
///     a = wfdb.rdann(r, 'atr', return_label_elements=['label_store'])
///     h = hashlib.sha256()
///     n_aux = 0
///     for i in range(len(a.sample)):
///         aux = a.aux_note[i].encode('latin-1').hex()
///         n_aux += bool(a.aux_note[i])
///         h.update(f"{a.sample[i]} {a.label_store[i]} {a.subtype[i]} {a.chan[i]} {a.num[i]} {aux}\n".encode())
///     print(f'    ("{r}", {n_aux}, "{h.hexdigest()}"),')
/// ```
#[rustfmt::skip]
const ANNOTATION_DIGESTS: [(&str, usize, &str); 48] = [
    ("100", 1, "589b5213852768bd6810e9e4206db0cd084f9bef0ddd0a959ead325041801fa9"),
    ("101", 1, "b80b0003eef930d10cc2b7f248afef3971caa0cd425981188d35e37e69671329"),
    ("102", 5, "2633acd5d3ad457a215e235e3d50ccea6253a61bfe6e065368b9efda01ced1c4"),
    ("103", 1, "f1db7cd635d09e4afb65cb08f1db7b469f475070e2a46bb2c35e8c4830892a55"),
    ("104", 45, "650e33781b615900485770f1bff8bb2cc08130541b2c8be66449e69268c47203"),
    ("105", 1, "4046fb97433acbac6caa307e0e3da806ec75871bc8903eb1826804b7ddb22b34"),
    ("106", 41, "8291f8c9c590e7b482925972ca1cb8506813e0b1e4b30ed56181aab496ac4c44"),
    ("107", 1, "816d44a70282cf97d4113569e8ea14eab7ac97e4809523af62af37588bffd95b"),
    ("108", 1, "7c4e8101fc89d0d50492be9025e06aa3a49031504a49c55fc3481e22a79294da"),
    ("109", 1, "6990b1f7751060c7d31288c81901800cf119dc11675e32494665ff1e481ff3c2"),
    ("111", 1, "bc28d9a3b21c6027f699c5bd92ecfed18f4f066d4dc3a899a848977a4bea0262"),
    ("112", 1, "1cec860643c06e687b2e7a517b537b806cea92ad79d5198e09624e11b668c762"),
    ("113", 1, "d50ea8f2f527b07caa477db3ae53baab3c1365003f811dc2379108432aece1a5"),
    ("114", 3, "7b3c9d1c69c8db9064c30fc70fa5cdffa850716bafe71e9bbf74110647f69cfb"),
    ("115", 1, "3954f5fc71e639d0484de1dd285aade125a1d748f17ab788e86dde1dd1507394"),
    ("116", 1, "9099ba8936c999de69d74e98999e771a311f796d5a71b91764b12aa835522992"),
    ("117", 1, "3f4781fcdbd8af159c4930359ac7cc3da92ec653ff7e9140bfb33ebb31ade042"),
    ("118", 1, "7278a0635e8707fe2d9c225cef01d11be11923889a22a7f570d32113963b236c"),
    ("119", 103, "f0c0578fd76605af3184828c8cf4d0605bf2eb7aea720d0021eb58101a12c9b6"),
    ("121", 1, "5870dfdd250fd2ec35fb8d0ffe5a9c6221db503f5aa5415c7988776565cd6e83"),
    ("122", 1, "f589cccc73ae568890a77334a676f56a55e2d97b6b3fd7dcb401d694a93496ca"),
    ("123", 1, "d543424191ea1e5d9c5c6b6810b7053383b3a4690cb492b1a8041ce50eead439"),
    ("124", 13, "0526e1bfd61b7d1d9c12e8c80ded8953d385763eb013c1e54616b0b86275b6d8"),
    ("200", 148, "5c28e9aee7f8554dc384647f9798989826096b8b19ea1c985dae929e75a35b70"),
    ("201", 35, "2dfc21c2bfe7ebc59af33335d143d2dc15ba1ed5749bde1b1cb0c1145c12f9e0"),
    ("202", 8, "060c68d1dfbaedafc12f192c28ef12cdcc525619ad85e78c7f64d13b530a6bed"),
    ("203", 45, "98037a1a331b26ad413bbe3d07738c9f08a5bc0f81bf5f13ae4e37b2d4c0c184"),
    ("205", 13, "91809343b38eef80b657c1dda518ee95d2d73a9aba4557ed35e9e3c92e0092fd"),
    ("207", 24, "39a3ee78646bb7d3ab8b251906e6788daf5a1a6aeca7584743d5ce85bf35fcb6"),
    ("208", 53, "2768fc802de6b8bed329fccb3b1916e751150d1e17ae833b76a7f16392bd3ae9"),
    ("209", 21, "9d07b0bb425bd2cf695e930bd77daf3051d146078e5759bd4913b7a440d86ade"),
    ("210", 17, "8ba2c0c8451dd851d2bfc5a9d0116c20538b9281066809c0c3387fb7512fcb10"),
    ("212", 1, "9854caade6a8d44a2db190af6b6c4252806fe60391830f194d4d7f6f248cc3e4"),
    ("213", 43, "752c06fe92d7c6d5b0a0f955c7793ff17024d5110e84f056753cb4b3aeafe45b"),
    ("214", 26, "81b86dc0a58ef8dad73a128681b04a5cd9e443f37a5928805dfc4f0a74d03604"),
    ("215", 7, "232cebe98136414dfd05e5859f652b5315625bd081e6080a38da05169915b016"),
    ("217", 67, "c8885846334443f4739241aed8cb9f562bddb1c97c00246a8e4764480f97c135"),
    ("219", 25, "2391a99611a06412f0d726f9d7e128dc7e4b5154d354b0ae05933426a1adfaff"),
    ("220", 17, "662c125a9f2cc0a02129d8d4dacf217d647f8935700bbff66351a2a848df4b5d"),
    ("221", 23, "9e441dedb44fa67889c437937635e4dc1bdddb528ccaa6d2104c211f4ab3cd67"),
    ("222", 136, "c65563024c92f5df8ccf1d114e3c3661ff65f6d38ad5f92ea2bb545aa105980f"),
    ("223", 28, "cd38cafbc9bd775874487180cbbcaeb9cee00d39b234ad87ba537931cb80d33a"),
    ("228", 44, "918670ae84ac028da502a12cd214ee5047f05bfea2bc4cc6429945ddf91bd64f"),
    ("230", 207, "9e4d18bfee722799853cfa291c779f84ca0cb6fdd0d621173779376127d5cd01"),
    ("231", 438, "18a61bbf86b01f37002a20c971debf6394fdfa21f50a47cc3f920944040e784e"),
    ("232", 1, "b95d926f042f94b68f93db6b0f3c9d06323269de1f0395e98afeff6e0c0b7994"),
    ("233", 71, "350f597476e44fe8ded1dde79321738fc771444896d0e17c477e61352f974092"),
    ("234", 3, "259b27f0867e4499ad805371e5a8db8eb5e499c338c14eaaf454a5f19b40fb96"),
];

#[test]
fn every_annotation_field_matches_wfdb_python() {
    for (name, n_aux, want) in ANNOTATION_DIGESTS {
        let atr = std::fs::read(format!("{DATA}/{name}.atr")).expect("atr");
        let anns = ecg_balance_lab::io::wfdb::read_annotations(&atr).expect("annotations");
        let mut h = Sha256::new();
        for a in &anns {
            let aux: String = a
                .aux_note
                .iter()
                .flat_map(|s| s.chars())
                .map(|c| format!("{:02x}", u32::from(c)))
                .collect();
            h.update(format!(
                "{} {} {} {} {} {aux}\n",
                a.sample, a.code, a.subtype, a.chan, a.num
            ));
        }
        let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let got_aux = anns
            .iter()
            .filter(|a| a.aux_note.as_ref().is_some_and(|s| !s.is_empty()))
            .count();
        assert_eq!(got_aux, n_aux, "record {name}: aux notes");
        assert_eq!(got, want, "record {name}: annotation digest");
    }
}

/// Prints how long reading all 48 records takes (files already in memory). Not a pass/fail
/// check: run with `cargo test --release --test wfdb_mitdb -- --ignored --nocapture`.
///
/// "keep all" reads every record once and keeps them, as the app does: it includes the
/// operating system's cost of mapping 125 MB of fresh sample memory, shown alone by
/// "baseline". "best of 5" reads all and drops them, five times, and reports the fastest pass;
/// "signals only" drops each record's signals before the next, so memory is reused and the
/// time is the decoding itself.
#[test]
#[ignore]
fn time_reading_all_48_records() {
    use ecg_balance_lab::io::wfdb::{parse_header, read_annotations, read_record, read_signals};
    let mut files = Vec::new();
    for entry in std::fs::read_dir(DATA).expect("mitdb dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "hea") {
            let stem = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let f = |ext: &str| std::fs::read(format!("{DATA}/{stem}.{ext}")).expect("file");
            files.push((stem.clone(), f("hea"), f("dat"), f("atr")));
        }
    }
    assert_eq!(files.len(), 48);
    let dat_bytes: usize = files.iter().map(|f| f.2.len()).sum();
    let read_all = || -> Vec<Record> {
        files
            .iter()
            .map(|(name, hea, dat, atr)| {
                read_record(name, hea, |_| Some(dat.as_slice()), Some(atr)).expect("record")
            })
            .collect()
    };
    let ms = |start: std::time::Instant| start.elapsed().as_secs_f64() * 1e3;

    // Baseline: allocating and filling the same number of samples, kept, without any decoding.
    let start = std::time::Instant::now();
    let filled: Vec<Vec<i16>> = (0..96).map(|_| vec![1i16; 650_000]).collect();
    let baseline_ms = ms(start);
    drop(std::hint::black_box(filled));

    let start = std::time::Instant::now();
    let kept = read_all();
    let keep_all_ms = ms(start);
    let samples: usize = kept.iter().map(|r| r.sig_len() * r.signals.len()).sum();
    drop(kept);

    let mut best_ms = f64::INFINITY;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        std::hint::black_box(read_all());
        best_ms = best_ms.min(ms(start));
    }
    let start = std::time::Instant::now();
    for (_, hea, dat, _) in &files {
        let h = parse_header(hea).expect("header");
        std::hint::black_box(read_signals(&h, |_| Some(dat.as_slice())).expect("signals"));
    }
    let signals_ms = ms(start);
    let start = std::time::Instant::now();
    for (_, _, _, atr) in &files {
        std::hint::black_box(read_annotations(atr).expect("annotations"));
    }
    let annotations_ms = ms(start);
    println!(
        "48 records, {:.1} MB of .dat, {samples} samples: keep all {keep_all_ms:.1} ms; best of 5 \
         {best_ms:.1} ms; signals only {signals_ms:.1} ms; annotations only {annotations_ms:.1} ms; \
         baseline (allocate and fill {samples} samples, no decoding) {baseline_ms:.1} ms",
        dat_bytes as f64 / 1e6
    );
}
