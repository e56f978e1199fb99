//! `ecg-balance classify`: find (or take) the beats of a record, classify them with a saved
//! model, and write them as a WFDB annotation file — [`label_record`], the page's path.

use serde_json::{Value, json};

use super::{lead_index, read_record, write};
use crate::args::ClassifyArgs;
use ecg_balance_lab::classify::{BeatLabelling, BeatPositions, label_record};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::LeadChoice;
use ecg_balance_lab::training::TrainedModel;

pub fn run(a: &ClassifyArgs) -> Result<(), String> {
    let bytes = std::fs::read(&a.model).map_err(|e| format!("{}: {e}", a.model.display()))?;
    let model =
        TrainedModel::from_bytes(&bytes).map_err(|e| format!("{}: {e}", a.model.display()))?;
    let record = read_record(&a.record.record, a.record.fs_hz, true)?;
    let lead = lead_index(
        &record,
        a.lead.as_deref(),
        LeadChoice::default().pick(&record),
    )?;
    let positions = if a.annotated {
        BeatPositions::Annotated
    } else {
        BeatPositions::Detected(a.method)
    };
    let l = label_record(&record, lead, positions, Some(&model)).map_err(|e| e.to_string())?;
    write(&a.out, l.annotation_file().map_err(|e| e.to_string())?)?;
    if a.json {
        println!("{}", summary_json(&l));
    } else {
        print_summary(&l);
    }
    eprintln!("written to {}", a.out.display());
    Ok(())
}

fn summary_json(l: &BeatLabelling) -> Value {
    json!({
        "record": l.record,
        "lead": l.lead_name,
        "fs_hz": l.fs_hz,
        "duration_s": l.duration_s,
        "positions": l.positions,
        "beats": l.r_samples.len(),
        "counts": l.counts.to_json(),
        "mean_hr_bpm": l.mean_hr_bpm,
        "detect_seconds": l.detect_seconds,
        "classify_seconds": l.classify_seconds,
        "reference": l.reference.as_ref().map(|r| json!({
            "detection": r.detection.to_json(),
            "confusion": r.confusion.as_ref().map(|m| &m.counts),
        })),
    })
}

fn print_summary(l: &BeatLabelling) {
    let counts: Vec<String> = AamiClass::ALL
        .iter()
        .map(|&c| format!("{c} {}", l.counts.get(c)))
        .collect();
    println!(
        "{}: {} beats in lead {} ({:.1} s at {} Hz): {}",
        l.record,
        l.r_samples.len(),
        l.lead_name,
        l.duration_s,
        l.fs_hz,
        counts.join(", ")
    );
    let Some(r) = &l.reference else {
        return;
    };
    let pct = |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.2} %", v * 100.0));
    println!(
        "against the reference beats: detection Se {} +P {} (TP {}, FN {}, FP {})",
        pct(r.detection.se()),
        pct(r.detection.ppv()),
        r.detection.tp,
        r.detection.fn_,
        r.detection.fp
    );
    if let Some(m) = &r.confusion {
        println!("classes of matched beats (rows reference, columns predicted):");
        println!("      N      S      V      F      Q");
        for (c, row) in AamiClass::ALL.iter().zip(&m.counts) {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:6}")).collect();
            println!("{c} {}", cells.join(" "));
        }
    }
}
