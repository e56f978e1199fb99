//! `ecg-balance synth-record`: a synthetic WFDB record (the demo set's recipe) as `.hea`,
//! `.dat` and `.atr` files.

use serde_json::json;

use super::write;
use crate::args::SynthRecordArgs;
use ecg_balance_lab::dataset::demo::synth_record;
use ecg_balance_lab::ecg::aami::ClassCounts;
use ecg_balance_lab::io::wfdb::write_record;

pub fn run(a: &SynthRecordArgs) -> Result<(), String> {
    let rec = synth_record(&a.name, a.minutes, a.fs_hz, a.seed.seed).map_err(|e| e.to_string())?;
    let files = write_record(&rec).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&a.out_dir).map_err(|e| format!("{}: {e}", a.out_dir.display()))?;
    for (file, bytes) in [Some(&files.hea), Some(&files.dat), files.atr.as_ref()]
        .into_iter()
        .flatten()
    {
        write(&a.out_dir.join(file), bytes)?;
    }
    let counts = ClassCounts::of_annotations(&rec.annotations);
    println!(
        "{}",
        json!({
            "record": rec.name,
            "fs_hz": rec.fs_hz,
            "duration_s": rec.duration_s(),
            "beats": counts.total(),
            "aami_counts": counts.to_json(),
            "out_dir": a.out_dir.display().to_string(),
        })
    );
    Ok(())
}
