//! The LightWAVE assembler against the files: LightWAVE answers are made here from MIT-BIH and
//! PTB-XL files by an encoder that follows the server's code (`server/lightwave.c` 0.67 by G. B.
//! Moody: `info()`, `fetchsignals()`, `fetchannotations()`, `strjson()`), fed to the
//! [`Assembler`] shuffled and with retried windows, and the record that comes out is compared
//! field by field with the record read from the files. The one difference the service imposes
//! (an `aux_note` ends at its first NUL byte: MIT-BIH's `"(N\0"` arrives as `"(N"`) is spelled
//! out; everything else — every sample in adu, gains, baselines, names, units, comments, every
//! annotation's sample, code, subtype, chan and num — must be equal.
//!
//! Then the worker's path: a [`Session`] assembles the answers, the WFDB files it writes load
//! through `LoadFiles` like dropped files, and the loaded record's fingerprint matches
//! wfdb-python's reference (`../shared/reference/mitdb.json`).

mod common;

use common::{MITDB, PTBXL, ask, find, read_record};
use ecg_balance_lab::io::lightwave::{
    Assembler, LightwaveError, Server, parse_fetch, parse_info, plan_windows,
};
use ecg_balance_lab::io::remote::fingerprint;
use ecg_balance_lab::io::wfdb::codes;
use ecg_balance_lab::rng::Rng;
use ecg_balance_lab::session::{LightwavePart, Request, Response, Session};
use ecg_balance_lab::{Annotation, Record};
use serde_json::{Value, json};

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/mitdb.json"
);

// ---- the test-side server: what lightwave.c prints ------------------------------------------

/// C's `%g` for the values headers hold (integers and short decimals).
fn g(x: f64) -> Value {
    let s = format!("{}", (x * 1e6).round() / 1e6);
    serde_json::from_str(&s).unwrap()
}

/// WFDB's `mstimstr` of `t` frames at `f` Hz, as `info()` prints it (leading spaces trimmed).
fn mstimstr(t: u64, f: f64) -> String {
    let ms = (t as f64 * 1000.0 / f).round() as u64;
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{frac:03}")
    } else {
        format!("{m}:{s:02}.{frac:03}")
    }
}

/// `strjson` of a C string: it ends at the first NUL, control characters become spaces, bytes
/// that are not UTF-8 become `?` (version 0.67).
fn strjson(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let mut b: Vec<u8> = bytes[..end]
        .iter()
        .map(|&c| if c < 0x20 { b' ' } else { c })
        .collect();
    let mut i = 0;
    while i < b.len() {
        if b[i] < 0x80 {
            i += 1;
            continue;
        }
        let n = b[i].leading_ones() as usize;
        let ok =
            (2..=4).contains(&n) && b.len() >= i + n && std::str::from_utf8(&b[i..i + n]).is_ok();
        if ok {
            i += n;
        } else {
            b[i] = b'?';
            i += 1;
        }
    }
    String::from_utf8(b).unwrap()
}

/// `annstr`: the mnemonic of a code, `[n]` for codes without one.
fn annstr(code: u8) -> String {
    let s = codes::symbol(code);
    if s.is_empty() {
        format!("[{code}]")
    } else {
        s.to_string()
    }
}

fn info_answer(db: &str, path: &str, r: &Record) -> Vec<u8> {
    let signals: Vec<Value> = r
        .signals
        .iter()
        .map(|s| {
            json!({"name": s.name, "tps": 1, "units": s.units, "gain": g(s.adc_gain),
                   "adcres": 12, "adczero": 0, "baseline": s.baseline})
        })
        .collect();
    let notes: Value = if r.comments.is_empty() {
        Value::Null
    } else {
        r.comments.iter().map(|c| format!(" {c}")).collect()
    };
    serde_json::to_vec(&json!({"info": {
        "db": db, "record": path, "tfreq": g(r.fs_hz), "start": null, "end": null,
        "duration": mstimstr(r.sig_len() as u64, r.fs_hz), "signal": signals, "note": notes},
        "success": true}))
    .unwrap()
}

/// `fetchsignals()`: frames `t0..t0+frames` (fewer at the end), first sample then differences;
/// a sample the file marks missing is `WFDB_INVALID_SAMPLE`.
fn signals_answer(r: &Record, t0: u64, frames: u64) -> Vec<u8> {
    let n = r.sig_len() as u64;
    let end = (t0 + frames).min(n);
    let signals: Vec<Value> = r
        .signals
        .iter()
        .map(|s| {
            let mut prev = 0i32;
            let samp: Vec<i32> = (t0..end)
                .map(|i| {
                    let raw = s.samples_adu[i as usize];
                    let v = if Some(raw) == s.invalid_adu {
                        -32768
                    } else {
                        i32::from(raw)
                    };
                    let d = v - prev;
                    prev = v;
                    d
                })
                .collect();
            json!({"name": s.name, "units": s.units, "t0": t0, "tf": t0 + frames,
                   "gain": g(s.adc_gain), "base": s.baseline, "tps": 1, "scale": 1, "samp": samp})
        })
        .collect();
    serde_json::to_vec(&json!({"fetch": {"signal": signals}})).unwrap()
}

/// `fetchannotations()` with `dt=0`: every annotation.
fn annotations_answer(annotator: &str, anns: &[Annotation]) -> Vec<u8> {
    let list: Vec<Value> = anns
        .iter()
        .map(|a| {
            let x = match &a.aux_note {
                Some(t) if !t.is_empty() => {
                    let bytes: Vec<u8> = t.chars().map(|c| c as u32 as u8).collect();
                    Value::String(strjson(&bytes))
                }
                _ => Value::Null,
            };
            json!({"t": a.sample, "a": annstr(a.code), "s": a.subtype, "c": a.chan, "n": a.num, "x": x})
        })
        .collect();
    serde_json::to_vec(&json!({"fetch": {"annotator": [
        {"name": annotator, "annotation": list, "description": {}}]}}))
    .unwrap()
}

/// The record as the service can express it: missing samples are −32768, an `aux_note` is what
/// `strjson` leaves of it (read back as Latin-1 bytes).
fn as_served(r: &Record) -> Record {
    let mut out = r.clone();
    for s in &mut out.signals {
        for v in &mut s.samples_adu {
            if Some(*v) == s.invalid_adu {
                *v = i16::MIN;
            }
        }
        s.invalid_adu = Some(i16::MIN);
    }
    for a in &mut out.annotations {
        a.aux_note = match &a.aux_note {
            Some(t) if !t.is_empty() => {
                let bytes: Vec<u8> = t.chars().map(|c| c as u32 as u8).collect();
                Some(strjson(&bytes).bytes().map(char::from).collect())
            }
            _ => None,
        };
    }
    out
}

/// All answers for a record: info, annotations, then windows of `window_s` seconds.
fn answers(db: &str, path: &str, r: &Record, window_s: u32) -> (Vec<u8>, Vec<u8>, Vec<Vec<u8>>) {
    let windows = plan_windows(r.fs_hz, r.sig_len() as u64, window_s)
        .iter()
        .map(|w| signals_answer(r, w.t0_frame, w.frames))
        .collect();
    (
        info_answer(db, path, r),
        annotations_answer("atr", &r.annotations),
        windows,
    )
}

fn assemble(
    info: &[u8],
    ann: Option<&[u8]>,
    windows: &[Vec<u8>],
) -> Result<Record, LightwaveError> {
    let mut a = Assembler::new(&parse_info(info)?)?;
    if let Some(ann) = ann {
        a.add_annotations(&parse_fetch(ann)?, "atr")?;
    }
    for w in windows {
        a.add_signals(&parse_fetch(w)?)?;
    }
    a.finish()
}

/// Field by field: equal to the file's record except for what `strjson` does to aux notes.
fn assert_same_as_files(got: &Record, file: &Record) {
    assert_eq!(got.name, file.name);
    assert_eq!(got.fs_hz, file.fs_hz);
    assert_eq!(got.comments, file.comments);
    assert_eq!(got.signals.len(), file.signals.len());
    for (g, f) in got.signals.iter().zip(&file.signals) {
        assert_eq!(
            (&g.name, &g.units, g.adc_gain, g.baseline),
            (&f.name, &f.units, f.adc_gain, f.baseline)
        );
        assert!(
            !f.samples_adu.contains(&f.invalid_adu.unwrap()),
            "the record has missing samples"
        );
        assert!(
            g.samples_adu == f.samples_adu,
            "{} {}: samples differ",
            file.name,
            f.name
        );
        assert_eq!(g.invalid_adu, Some(i16::MIN), "WFDB_INVALID_SAMPLE");
    }
    assert_eq!(got.annotations.len(), file.annotations.len());
    for (g, f) in got.annotations.iter().zip(&file.annotations) {
        assert_eq!(
            (g.sample, g.code, g.subtype, g.chan, g.num),
            (f.sample, f.code, f.subtype, f.chan, f.num)
        );
        let served = f
            .aux_note
            .as_deref()
            .map(|t| t.split('\0').next().unwrap_or(""));
        let served = served.filter(|_| f.aux_note.as_deref() != Some(""));
        assert_eq!(
            g.aux_note.as_deref(),
            served,
            "{} at {}",
            file.name,
            f.sample
        );
    }
    assert_eq!(*got, as_served(file));
}

#[test]
fn mitdb_records_assemble_from_shuffled_retried_windows_exactly() {
    let mut rng = Rng::new(20_240_601);
    for name in ["100", "208", "232"] {
        let file = read_record(MITDB, name, true);
        let (info, ann, mut windows) = answers("mitdb", name, &file, 60);
        assert_eq!(windows.len(), 31);
        // Retries: three windows arrive twice; then any order.
        for k in [0, 7, 30] {
            windows.push(windows[k].clone());
        }
        rng.shuffle(&mut windows);
        let got = assemble(&info, Some(&ann), &windows).unwrap();
        assert_same_as_files(&got, &file);
        if name == "100" {
            // The rhythm label "(N\0" at sample 18 arrives without its NUL.
            assert_eq!(file.annotations[0].aux_note.as_deref(), Some("(N\0"));
            assert_eq!(got.annotations[0].aux_note.as_deref(), Some("(N"));
        }
    }
}

#[test]
fn windows_of_other_sizes_and_overlaps_agree() {
    let file = read_record(MITDB, "100", true);
    let (info, ann, w60) = answers("mitdb", "100", &file, 60);
    let (_, _, w7) = answers("mitdb", "100", &file, 7);
    // Every 60 s window but the fifth, whose frames come from overlapping 7 s windows.
    let mut windows: Vec<Vec<u8>> = w60
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 4)
        .map(|(_, w)| w.clone())
        .collect();
    windows.extend(w7[30..45].iter().cloned());
    let got = assemble(&info, Some(&ann), &windows).unwrap();
    assert_same_as_files(&got, &file);
}

#[test]
fn a_ptbxl_record_with_twelve_leads_and_no_annotations() {
    let path = "records100/00000/00009_lr";
    let file = read_record(PTBXL, path, false);
    assert_eq!(file.signals.len(), 12);
    let (info, _, mut windows) = answers("ptb-xl/1.0.3", path, &file, 3);
    assert_eq!(windows.len(), 4, "1000 frames at 100 Hz in 3 s windows");
    windows.reverse();
    let got = assemble(&info, None, &windows).unwrap();
    assert_same_as_files(&got, &file);
    assert_eq!(got.name, "00009_lr");
}

#[test]
fn gaps_conflicts_and_refusals_are_errors() {
    let file = read_record(MITDB, "100", true);
    let (info, ann, windows) = answers("mitdb", "100", &file, 60);
    // A window never arrived.
    let e = assemble(&info, Some(&ann), &windows[1..]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "record 100: samples 0–21599 never arrived; fetch the record again"
    );
    // Two answers disagree on a frame.
    let mut bad: Value = serde_json::from_slice(&windows[3]).unwrap();
    bad["fetch"]["signal"][0]["samp"][5] = json!(7);
    let mut with_bad = windows.clone();
    with_bad.push(serde_json::to_vec(&bad).unwrap());
    let e = assemble(&info, Some(&ann), &with_bad).unwrap_err();
    assert!(matches!(e, LightwaveError::Mismatch { .. }), "{e}");
    assert!(e.to_string().contains("frame 64805"), "{e}");
    // A window holding more samples than the record has.
    let long = signals_answer(&file, 640_000, 21_600);
    let mut v: Value = serde_json::from_slice(&long).unwrap();
    v["fetch"]["signal"][0]["samp"]
        .as_array_mut()
        .unwrap()
        .push(json!(0));
    let e = assemble(&info, None, &[serde_json::to_vec(&v).unwrap()]).unwrap_err();
    assert!(e.to_string().contains("10000 were expected"), "{e}");
    // The server's refusal, a record with two samples per frame, a record without a length.
    let e = parse_info(br#"{"success": false, "error": "The '.hea' file could not be read"}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the LightWAVE server refused info: The '.hea' file could not be read"
    );
    let mut multi: Value = serde_json::from_slice(&info).unwrap();
    multi["info"]["signal"][1]["tps"] = json!(0.5);
    let e = Assembler::new(&parse_info(&serde_json::to_vec(&multi).unwrap()).unwrap()).unwrap_err();
    assert!(matches!(e, LightwaveError::Unsupported { .. }), "{e}");
    let mut no_len: Value = serde_json::from_slice(&info).unwrap();
    no_len["info"]["duration"] = Value::Null;
    let e =
        Assembler::new(&parse_info(&serde_json::to_vec(&no_len).unwrap()).unwrap()).unwrap_err();
    assert!(e.to_string().contains("drop them here"), "{e}");
}

#[test]
fn unnamed_signals_and_odd_aux_notes_map_back() {
    let mut file = read_record(MITDB, "100", true);
    file.annotations.truncate(5);
    file.annotations[1].aux_note = Some("é\u{1}x\0tail".into()); // Latin-1 é: not UTF-8 → '?'
    file.annotations[2].aux_note = Some("\u{c3}\u{a9}".into()); // the UTF-8 bytes of é
    file.annotations[3].aux_note = Some(String::new());
    let (_, ann, windows) = answers("mitdb", "100", &file, 600);
    let mut info: Value = serde_json::from_slice(&info_answer("mitdb", "100", &file)).unwrap();
    info["info"]["signal"][0]["name"] = json!("v[0]");
    file.signals[0].name = "signal 0".into();
    let windows: Vec<Vec<u8>> = windows
        .iter()
        .map(|w| {
            let mut v: Value = serde_json::from_slice(w).unwrap();
            v["fetch"]["signal"][0]["name"] = json!("v[0]");
            serde_json::to_vec(&v).unwrap()
        })
        .collect();
    let got = assemble(&serde_json::to_vec(&info).unwrap(), Some(&ann), &windows).unwrap();
    assert_eq!(got.signals[0].name, "signal 0");
    assert_eq!(got.annotations[1].aux_note.as_deref(), Some("? x"));
    assert_eq!(
        got.annotations[2].aux_note.as_deref(),
        Some("\u{c3}\u{a9}"),
        "UTF-8 bytes read back as the file holds them"
    );
    assert_eq!(got.annotations[3].aux_note, None);
    assert_eq!(got, as_served(&file));
}

#[test]
fn the_worker_assembles_and_the_files_load_like_dropped_ones() {
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(REFERENCE).unwrap()).unwrap();
    let mut session = Session::new();
    for name in ["100", "208"] {
        let file = read_record(MITDB, name, true);
        let (info, ann, mut windows) = answers("mitdb", name, &file, 60);
        windows.swap(0, 17);
        let mut parts = vec![LightwavePart::Info, LightwavePart::Annotations];
        parts.extend(windows.iter().map(|_| LightwavePart::Signals));
        let mut buffers = vec![info, ann];
        buffers.extend(windows);
        let out = ask(
            &mut session,
            Request::AssembleLightwave {
                key: format!("k{name}"),
                annotator: "atr".into(),
                parts,
                answers: buffers,
            },
        );
        let (paths, files) = find(&out, |r| match r {
            Response::Assembled {
                key,
                name: n,
                paths,
                error,
                files,
            } => {
                assert_eq!(
                    (key.as_str(), n.as_str(), error),
                    (format!("k{name}").as_str(), name, &None)
                );
                Some((paths.clone(), files.clone()))
            }
            _ => None,
        });
        assert_eq!(
            paths,
            [
                format!("{name}.hea"),
                format!("{name}.dat"),
                format!("{name}.atr")
            ]
        );

        ask(
            &mut session,
            Request::LoadFiles {
                paths,
                bytes: files,
            },
        );
        let out = ask(&mut session, Request::Fingerprint { name: name.into() });
        let fp = find(&out, |r| match r {
            Response::Fingerprint(f) => Some(f.clone()),
            _ => None,
        });
        assert_eq!(*session.workspace.record(name).unwrap(), as_served(&file));
        let want = &reference["records"][name];
        assert_eq!(fp.digital_sha256, want["digital_sha256"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(&fp.digital_sum).unwrap(),
            want["digital_sum"]
        );
        assert_eq!(
            serde_json::to_value(&fp.digital_sum_sq).unwrap(),
            want["digital_sum_sq"]
        );
        assert_eq!(
            serde_json::to_value(&fp.first_10).unwrap(),
            want["first_10"]
        );
        assert_eq!(serde_json::to_value(&fp.last_10).unwrap(), want["last_10"]);
        assert_eq!(
            fp.n_annotations as u64,
            want["n_annotations"].as_u64().unwrap()
        );
        let samples = want["beat_samples"].as_array().unwrap();
        let symbols: Vec<char> = want["beat_symbols"].as_str().unwrap().chars().collect();
        assert_eq!(fp.n_beats, samples.len());
        let text: String = samples
            .iter()
            .zip(&symbols)
            .map(|(s, c)| format!("{s} {c}\n"))
            .collect();
        use sha2::Digest;
        let want_beats: String = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(fp.beats_sha256, want_beats);
        // The files read directly give the same fingerprint but for the aux notes' NULs.
        let direct = fingerprint(&file);
        assert_eq!(
            (direct.digital_sha256, direct.beats_sha256),
            (fp.digital_sha256.clone(), fp.beats_sha256.clone())
        );
        assert_ne!(
            direct.annotations_sha256, fp.annotations_sha256,
            "MIT-BIH stores rhythm labels with a NUL"
        );
    }
}

#[test]
fn urls_of_a_whole_record() {
    let file = read_record(MITDB, "100", true);
    let s = Server::new("http://127.0.0.1:8099/lightwave/server").unwrap();
    let plan = plan_windows(file.fs_hz, file.sig_len() as u64, 60);
    let urls: Vec<String> = plan
        .iter()
        .map(|w| s.signals_url("mitdb", "100", &["MLII", "V5"], w))
        .collect();
    assert_eq!(
        urls[0],
        "http://127.0.0.1:8099/lightwave/server?action=fetch&db=mitdb&record=100&signal=MLII&signal=V5&t0=0&dt=60"
    );
    assert_eq!(
        urls[30],
        "http://127.0.0.1:8099/lightwave/server?action=fetch&db=mitdb&record=100&signal=MLII&signal=V5&t0=1800&dt=60"
    );
}
