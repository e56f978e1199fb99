//! `ecg-balance detect`: the R peaks of one lead of one record, as sample positions or a WFDB
//! annotation file.

use super::{lead_index, read_record, write};
use crate::args::DetectArgs;
use ecg_balance_lab::ecg::detect::{beat_annotations, detect_record};
use ecg_balance_lab::io::wfdb::write_annotations;

pub fn run(a: &DetectArgs) -> Result<(), String> {
    let record = read_record(&a.record.record, a.record.fs_hz, false)?;
    let lead = lead_index(&record, a.lead.as_deref(), 0)?;
    let t0 = std::time::Instant::now();
    let peaks =
        detect_record(&record, lead, a.method).map_err(|e| format!("{}: {e}", record.name))?;
    let seconds = t0.elapsed().as_secs_f64();
    let is_atr = a
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("atr"));
    let bytes = if is_atr {
        write_annotations(&beat_annotations(&peaks, None)).map_err(|e| e.to_string())?
    } else {
        peaks
            .iter()
            .map(|p| format!("{p}\n"))
            .collect::<String>()
            .into_bytes()
    };
    write(&a.out, bytes)?;
    eprintln!(
        "{}: {} beats in lead {} ({:.1} s at {} Hz) by {} in {seconds:.2} s; written to {}",
        record.name,
        peaks.len(),
        record.signals[lead].name,
        record.duration_s(),
        record.fs_hz,
        a.method,
        a.out.display()
    );
    Ok(())
}
