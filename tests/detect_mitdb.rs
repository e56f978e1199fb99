//! QRS detection on real recordings.
//!
//! - All 48 MIT-BIH Arrhythmia records, first lead (MLII in 45 of them), each method: detections
//!   compared beat by beat with the reference annotations (ANSI/AAMI EC57: 150-ms window,
//!   one-to-one, ventricular flutter in record 207 excluded). Totals must reach Se ≥ 99.5 % and
//!   +P ≥ 99.5 % (Pan & Tompkins 1985 reported 99.75 % / 99.54 % on the same database).
//! - Sampling-rate independence: MIT-BIH records resampled to 250 and 500 Hz give the same
//!   beats as at 360 Hz; the 20 PTB-XL records at 100 Hz give the same beats as at 500 Hz.

use std::time::Instant;

mod common;

use common::{MITDB, PTBXL, read_record};

use ecg_balance_lab::Record;
use ecg_balance_lab::ecg::detect::{
    MatchCounts, PeakMethod, detect_record, evaluate_record, excluded_intervals, find_r_peaks,
    match_beats, match_window_samples, reference_beats,
};

/// The 48 records of the MIT-BIH Arrhythmia Database.
const RECORDS: [&str; 48] = [
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112", "113",
    "114", "115", "116", "117", "118", "119", "121", "122", "123", "124", "200", "201", "202",
    "203", "205", "207", "208", "209", "210", "212", "213", "214", "215", "217", "219", "220",
    "221", "222", "223", "228", "230", "231", "232", "233", "234",
];

/// Runs `f` on every item on two threads (the machine's cores), keeping the input order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

fn pct(v: Option<f64>) -> f64 {
    v.map_or(f64::NAN, |x| 100.0 * x)
}

#[test]
fn pan_tompkins_finds_mitdb_beats_with_se_and_ppv_over_99_5_percent() {
    let t0 = Instant::now();
    let per_record: Vec<(String, Vec<MatchCounts>, usize, usize)> = par_map(&RECORDS, |name| {
        let record = read_record(MITDB, name, true);
        let counts = PeakMethod::ALL
            .iter()
            .map(|&m| {
                let peaks = detect_record(&record, 0, m).expect("detect");
                evaluate_record(&record, &peaks)
            })
            .collect();
        let excluded: usize = excluded_intervals(&record).iter().map(|r| r.len()).sum();
        (
            name.to_string(),
            counts,
            reference_beats(&record).len(),
            excluded,
        )
    });
    let seconds = t0.elapsed().as_secs_f64();

    print!("{:<6}", "record");
    for m in PeakMethod::ALL {
        print!(" | {:<34}", m.name());
    }
    println!();
    let mut totals = vec![MatchCounts::default(); PeakMethod::ALL.len()];
    let mut beats = 0usize;
    for (name, counts, n_beats, excluded) in &per_record {
        print!("{name:<6}");
        for (t, c) in totals.iter_mut().zip(counts) {
            *t = t.merged(*c);
            print!(
                " | tp {:>5} fn {:>3} fp {:>3} {:>6.2} {:>6.2}",
                c.tp,
                c.fn_,
                c.fp,
                pct(c.se()),
                pct(c.ppv())
            );
        }
        if *excluded > 0 {
            print!("  ({excluded} samples excluded: VF/VFL)");
        }
        println!();
        beats += n_beats;
    }
    // EC57's exclusion: only 207 has ventricular flutter (six episodes, 2.4 min).
    let with_exclusions: Vec<(&str, usize)> = per_record
        .iter()
        .filter(|r| r.3 > 0)
        .map(|r| (r.0.as_str(), r.3))
        .collect();
    assert_eq!(with_exclusions, [("207", 52_081)]);
    // The reference: every beat annotation of the 48 records (mitdb.json aami_totals,
    // wfdb-python 4.3.1: 90631 N + 2781 S + 7236 V + 803 F + 8043 Q).
    assert_eq!(beats, 109_494);
    for (m, t) in PeakMethod::ALL.iter().zip(&totals) {
        println!(
            "TOTAL {:<30} tp {} fn {} fp {}  Se {:.3} %  +P {:.3} %",
            m.name(),
            t.tp,
            t.fn_,
            t.fp,
            pct(t.se()),
            pct(t.ppv())
        );
    }
    println!(
        "48 records, {} methods: {seconds:.1} s",
        PeakMethod::ALL.len()
    );
    for (m, t) in PeakMethod::ALL.iter().zip(&totals) {
        // No reference beat lies in 207's flutter, so every beat is counted once.
        assert_eq!(t.tp + t.fn_, beats, "{m}");
        let (se, ppv) = (pct(t.se()), pct(t.ppv()));
        assert!(se >= 99.5 && ppv >= 99.5, "{m}: Se {se:.3} % +P {ppv:.3} %");
    }
}

/// Linear interpolation of `x` (at `fs_in`) to `fs_out`; MIT-BIH's content above 125 Hz is
/// negligible, so no anti-alias filter is needed for 250 Hz.
fn resample(x: &[f32], fs_in: f64, fs_out: f64) -> Vec<f32> {
    let n_out = ((x.len() - 1) as f64 * fs_out / fs_in).floor() as usize + 1;
    (0..n_out)
        .map(|k| {
            let t = k as f64 * fs_in / fs_out;
            let i = t.floor() as usize;
            let f = (t - i as f64) as f32;
            let b = x.get(i + 1).copied().unwrap_or(x[i]);
            x[i] * (1.0 - f) + b * f
        })
        .collect()
}

/// Matching of two detection lists of the same signal: `b` positions are at `fs_b`, mapped to
/// `fs_a` first; window 150 ms at `fs_a`.
fn agreement(a: &[usize], fs_a: f64, b: &[usize], fs_b: f64) -> MatchCounts {
    let mapped: Vec<usize> = b
        .iter()
        .map(|&p| (p as f64 * fs_a / fs_b).round() as usize)
        .collect();
    match_beats(a, &mapped, match_window_samples(fs_a))
}

#[test]
fn mitdb_beats_agree_when_resampled_to_250_and_500_hz() {
    // Records with LBBB, PVCs, noise and paced beats.
    let names = ["100", "105", "109", "119", "203", "208", "217", "233"];
    let rows = par_map(&names, |name| {
        let record = read_record(MITDB, name, true);
        let sig = &record.signals[0];
        let x = sig.physical_range(0..sig.len());
        let reference = reference_beats(&record);
        let at_360 = find_r_peaks(&x, 360.0, PeakMethod::default()).expect("360");
        let mut out = Vec::new();
        for fs in [250.0, 500.0] {
            let y = resample(&x, 360.0, fs);
            let peaks = find_r_peaks(&y, fs, PeakMethod::default()).expect("resampled");
            let vs_360 = agreement(&at_360, 360.0, &peaks, fs);
            let vs_reference = agreement(&reference, 360.0, &peaks, fs);
            out.push((fs, vs_360, vs_reference));
        }
        (name.to_string(), match_beats(&reference, &at_360, 54), out)
    });
    let mut totals = [MatchCounts::default(); 2];
    for (name, at_360, out) in &rows {
        for (fs, vs_360, vs_reference) in out {
            let agree = vs_360.tp as f64 / (vs_360.tp + vs_360.fn_ + vs_360.fp) as f64;
            println!(
                "{name} {fs} Hz: agreement with 360 Hz {:.3} % (only at 360 {}, only at {fs} {}); \
                 vs reference Se {:.2} % +P {:.2} % (360 Hz: {:.2} % / {:.2} %)",
                100.0 * agree,
                vs_360.fn_,
                vs_360.fp,
                pct(vs_reference.se()),
                pct(vs_reference.ppv()),
                pct(at_360.se()),
                pct(at_360.ppv()),
            );
            assert!(agree >= 0.995, "{name} at {fs} Hz: {vs_360:?}");
            let t = &mut totals[usize::from(*fs == 500.0)];
            *t = t.merged(*vs_360);
            assert!(
                pct(vs_reference.se()) >= pct(at_360.se()) - 0.5,
                "{name} {fs}"
            );
            assert!(
                pct(vs_reference.ppv()) >= pct(at_360.ppv()) - 0.5,
                "{name} {fs}"
            );
        }
    }
    for (fs, t) in [250, 500].iter().zip(totals) {
        println!(
            "{} records at {fs} Hz vs 360 Hz: {} beats in both, {} only at 360 Hz, {} only at {fs} Hz: agreement {:.3} %",
            names.len(),
            t.tp,
            t.fn_,
            t.fp,
            100.0 * t.tp as f64 / (t.tp + t.fn_ + t.fp) as f64
        );
    }
}

#[test]
fn ptbxl_beats_agree_at_100_and_500_hz() {
    let ids: Vec<String> = (1..=20).map(|i| format!("{i:05}")).collect();
    let pairs: Vec<(Record, Record)> = ids
        .iter()
        .map(|id| {
            let lr = read_record(PTBXL, &format!("records100/00000/{id}_lr"), false);
            let hr = read_record(PTBXL, &format!("records500/00000/{id}_hr"), false);
            assert_eq!((lr.fs_hz, hr.fs_hz), (100.0, 500.0));
            (lr, hr)
        })
        .collect();
    // A complex cut by either end of the record (its last 20 ms, say) is found at one rate and
    // not the other: compare what lies at least 200 ms inside the record.
    let inside = |r: &Record, lead: usize, m: PeakMethod| -> Vec<usize> {
        let edge = (0.2 * r.fs_hz) as usize;
        detect_record(r, lead, m)
            .expect("detect")
            .into_iter()
            .filter(|&p| p >= edge && p + edge < r.sig_len())
            .collect()
    };
    for method in PeakMethod::ALL {
        let mut total = MatchCounts::default();
        let mut beats_500 = 0usize;
        let mut offsets_ms: Vec<f64> = Vec::new();
        for (id, (lr, hr)) in ids.iter().zip(&pairs) {
            let lead = hr.signal_index("II").expect("lead II");
            let p_lr = inside(lr, lead, method);
            let p_hr = inside(hr, lead, method);
            let m = agreement(&p_hr, 500.0, &p_lr, 100.0);
            // Position differences of matched beats, ms (one 100-Hz sample is 10 ms).
            offsets_ms.extend(p_hr.iter().filter_map(|&h| {
                p_lr.iter()
                    .map(|&l| (l as f64 * 10.0) - (h as f64 * 2.0))
                    .find(|d| d.abs() <= 150.0)
            }));
            if m.fn_ + m.fp > 0 {
                println!(
                    "{method} {id}: only at 500 Hz {}, only at 100 Hz {}",
                    m.fn_, m.fp
                );
            }
            assert!(p_hr.len() >= 4, "{id}: a 10-s ECG has beats");
            total = total.merged(m);
            beats_500 += p_hr.len();
        }
        let agree = total.tp as f64 / (total.tp + total.fn_ + total.fp) as f64;
        let mean_abs = offsets_ms.iter().map(|d| d.abs()).sum::<f64>() / offsets_ms.len() as f64;
        println!(
            "{method}: PTB-XL lead II, 20 records, {beats_500} beats at 500 Hz: agreement {:.2} % \
             ({} matched, {} only at 500 Hz, {} only at 100 Hz), mean |Δposition| {mean_abs:.1} ms",
            100.0 * agree,
            total.tp,
            total.fn_,
            total.fp
        );
        assert!(agree >= 0.99, "{method}: {total:?}");
        assert!(mean_abs < 10.0, "{method}: {mean_abs} ms");
    }
}
