//! `ecg-balance synth`: synthetic beats of one class as CSV rows (or Parquet: one file by
//! extension, or parts with `--shard-beats`); with records, a quality report against the real
//! training beats, including train-on-synthetic / test-on-real.

use serde_json::json;

use super::beats_out::{Destination, destination, files_json, is_parquet, write_shards};
use super::{load, pretty, write};
use crate::args::{SynthArgs, SynthModeArg};
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::split::{Split, SplitKind};
use ecg_balance_lab::dataset::synthetic::plan::{SynthGeneration, SynthTrainConfig};
use ecg_balance_lab::dataset::synthetic::{
    MIN_FIT_BEATS, SynthConfig, fit_class_models, fitted_config, quality_report, synth_beats_with,
};
use ecg_balance_lab::ecg::beats::{RrFeatures, WindowSpec};
use ecg_balance_lab::features::Templates;
use ecg_balance_lab::synth_train::TstrJob;
use ecg_balance_lab::workspace::BeatSource;

/// One beat per row: the window (mV), the RR features, the class code.
fn beats_csv(beats: &BeatSet) -> String {
    use std::fmt::Write as _;
    let l = beats.layout.len;
    let mut out = String::with_capacity(beats.len() * (l + 12) * 9);
    for k in 0..l {
        let _ = write!(out, "x{k},");
    }
    for name in RrFeatures::NAMES {
        let _ = write!(out, "{name},");
    }
    out.push_str("label\n");
    for i in 0..beats.len() {
        for v in beats.window(i).iter().chain(beats.rr_of(i)) {
            let _ = write!(out, "{v:.5},");
        }
        let _ = writeln!(out, "{}", beats.labels[i].code());
    }
    out
}

/// The training beats of the records in `a.data` (the inter-patient split's training side:
/// DS1 for MIT-BIH), cut with `spec`; `None` without data.
fn training_beats(a: &SynthArgs, spec: &WindowSpec) -> Result<Option<BeatSet>, String> {
    if a.data.is_empty() {
        return Ok(None);
    }
    // Files not used are named on stderr by `load`.
    let mut session = load(&a.data)?.session;
    let ws = &mut session.workspace;
    ws.set_window(spec.clone()).map_err(|e| e.to_string())?;
    let beats = ws.beats(BeatSource::Records);
    if beats.is_empty() {
        return Err("--data holds no annotated record to fit to".into());
    }
    let split = Split::new(beats, SplitKind::default(), None);
    Ok(Some(beats.subset(&split.train)))
}

pub fn run(a: &SynthArgs) -> Result<(), String> {
    let (class, count, seed) = (a.class, a.count, a.seed.seed);
    let spec = WindowSpec {
        fs_hz: a.fs_hz,
        ..WindowSpec::default()
    };
    spec.validate().map_err(|e| format!("--fs-hz: {e}"))?;
    let dest = destination(&a.out, a.shard_beats)?;
    let layout = spec.layout();
    let train = training_beats(a, &spec)?;
    let (config, fits) = match (a.mode, &train) {
        (SynthModeArg::Default, _) => (SynthConfig::default(), Vec::new()),
        (SynthModeArg::Fitted, None) => {
            return Err("--mode fitted needs --data (records to fit to)".into());
        }
        (SynthModeArg::Fitted, Some(train)) => {
            let fits = fit_class_models(train);
            if !fits.iter().any(|f| f.class == class) {
                return Err(format!(
                    "the training beats hold too few {class} beats to fit (need {MIN_FIT_BEATS})"
                ));
            }
            (fitted_config(&fits), fits)
        }
    };
    let t0 = std::time::Instant::now();
    let beats = synth_beats_with(&config, class, count, layout, seed).map_err(|e| e.to_string())?;
    let seconds = t0.elapsed().as_secs_f64();
    let files = match dest {
        Destination::Shards { dir, beats: per } => write_shards(&beats, &dir, per)?,
        Destination::File if is_parquet(&a.out) => {
            write(&a.out, beats.to_parquet().map_err(|e| e.to_string())?)?;
            vec![a.out.clone()]
        }
        Destination::File => {
            write(&a.out, beats_csv(&beats))?;
            vec![a.out.clone()]
        }
    };
    let quality = match &train {
        Some(train) => {
            let mut q = quality_report(train, &beats).map_err(|e| e.to_string())?;
            // Train on synthetic, test on real: the page's check, for this class (beats of the
            // same class model, each with its virtual patient's template).
            let plan = SynthTrainConfig {
                counts: vec![(class, count)],
                mode: a.mode.mode(),
                seed,
            };
            let set = SynthGeneration::new(train, &plan)
                .and_then(|g| g.run())
                .map_err(|e| e.to_string())?;
            let score = TstrJob::new(train, &Templates::fit(train), &set)
                .and_then(|job| job.run())
                .map_err(|e| e.to_string())?;
            q.train_synthetic_test_real = Some(score);
            Some(q)
        }
        None => None,
    };
    println!(
        "{}",
        pretty(&json!({
            "class": class.code(),
            "count": beats.len(),
            "layout": layout,
            "seconds": seconds,
            "beats_per_second": beats.len() as f64 / seconds.max(1e-9),
            "fits": fits,
            "quality": quality,
            "out": a.out.display().to_string(),
            "files": files_json(&files),
        }))
    );
    Ok(())
}
