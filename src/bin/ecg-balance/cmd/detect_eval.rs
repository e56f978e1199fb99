//! `ecg-balance detect-eval`: the QRS detector scored on every annotated record under the
//! folders given ([`ecg_balance_lab::ecg::detect::score`]), as a table or one JSON object.

use super::{lead_index, read_record};
use crate::args::DetectEvalArgs;
use ecg_balance_lab::ecg::detect::MatchCounts;
use ecg_balance_lab::ecg::detect::score::{DetectionScore, score_record};
use ecg_balance_lab::io::fs::annotated_records;

fn row(name: &str, m: &MatchCounts) -> String {
    format!(
        "{:<10} {:>6} {:>6} {:>5} {:>5} {:>8.3} {:>8.3}",
        name,
        m.tp + m.fn_,
        m.tp,
        m.fn_,
        m.fp,
        m.se().map_or(f64::NAN, |x| 100.0 * x),
        m.ppv().map_or(f64::NAN, |x| 100.0 * x)
    )
}

pub fn run(a: &DetectEvalArgs) -> Result<(), String> {
    let mut paths = Vec::new();
    for dir in &a.data {
        paths.extend(annotated_records(dir).map_err(|e| e.to_string())?);
    }
    if paths.is_empty() {
        let dirs: Vec<String> = a.data.iter().map(|d| d.display().to_string()).collect();
        return Err(format!(
            "{}: no WFDB record with reference annotations (.hea with .atr) found",
            dirs.join(", ")
        ));
    }
    let t0 = std::time::Instant::now();
    if !a.json {
        println!(
            "{:<10} {:>6} {:>6} {:>5} {:>5} {:>8} {:>8}",
            "record", "beats", "tp", "fn", "fp", "Se %", "+P %"
        );
    }
    let mut score = DetectionScore::new(a.method);
    for path in &paths {
        let record = read_record(path, None, true)?;
        let lead = lead_index(&record, a.lead.as_deref(), 0)?;
        let s =
            score_record(&record, lead, a.method).map_err(|e| format!("{}: {e}", record.name))?;
        if !a.json {
            println!("{}", row(&s.name, &s.counts));
        }
        score.add(s);
    }
    let seconds = t0.elapsed().as_secs_f64();
    if a.json {
        println!("{}", score.to_json(a.lead.as_deref(), seconds));
    } else {
        println!(
            "{}   ({} records, {seconds:.1} s)",
            row("TOTAL", &score.total),
            paths.len()
        );
    }
    Ok(())
}
