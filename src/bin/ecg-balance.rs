//! `ecg-balance`: the native command-line tool on the same core as the page, for scripting,
//! large data and benchmarks.
//!
//! ```text
//! ecg-balance stats --data DIR [--split inter-patient|intra-patient] [--seed N] --json
//! ecg-balance synth --class V --count 1000 --fs-hz 180 [--mode fitted --data DIR] --out v.csv
//! ecg-balance synth-record --minutes 5 --fs-hz 360 [--seed S] --out-dir DIR
//! ecg-balance detect --record PATH [--method pan-tompkins-1985] [--lead NAME] [--fs-hz HZ] --out FILE
//! ecg-balance detect-eval --data DIR [--method pan-tompkins-1985] [--lead NAME] --json
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::{Parser, Subcommand, ValueEnum};
    use serde_json::{Value, json};

    use ecg_balance_lab::Record;
    use ecg_balance_lab::classify::{BeatLabelling, BeatPositions, label_record};
    use ecg_balance_lab::dataset::BeatSet;
    use ecg_balance_lab::dataset::augment::AugmentError;
    use ecg_balance_lab::dataset::demo::synth_record;
    use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig, rebalance};
    use ecg_balance_lab::dataset::split::Split;
    use ecg_balance_lab::dataset::split::SplitKind;
    use ecg_balance_lab::dataset::synthetic::plan::{SynthGeneration, SynthMode, SynthTrainConfig};
    use ecg_balance_lab::dataset::synthetic::{
        SynthConfig, fit_class_models, fitted_config, quality_report, synth_beats_with,
    };
    use ecg_balance_lab::dataset::weights::WeightScheme;
    use ecg_balance_lab::ecg::aami::AamiClass;
    use ecg_balance_lab::ecg::beats::{RrFeatures, WindowSpec};
    use ecg_balance_lab::ecg::detect::{
        MatchCounts, PeakMethod, beat_annotations, detect_record, evaluate_record,
        excluded_intervals, match_window_samples, reference_beats,
    };
    use ecg_balance_lab::features::Templates;
    use ecg_balance_lab::io::files::{Grouped, InputFile};
    use ecg_balance_lab::io::wfdb::{parse_header, read_record, write_annotations};
    use ecg_balance_lab::metrics::Evaluation;
    use ecg_balance_lab::session::distribution_view;
    use ecg_balance_lab::synth_train::TstrJob;
    use ecg_balance_lab::training::{
        Phase, TrainConfig, TrainEvent, TrainedModel, Trainer, evaluate, prepare_run,
    };
    use ecg_balance_lab::workspace::{BeatSource, Workspace};

    #[derive(Parser)]
    #[command(
        name = "ecg-balance",
        version,
        about = "Class imbalance in heartbeat data: read, measure, rebalance, train — natively, on the same core as the ECG Balance Lab page."
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Clone, Copy, ValueEnum)]
    pub enum SplitArg {
        /// By patient: de Chazal 2004 DS1 → train, DS2 → test, paced records out.
        InterPatient,
        /// Random beat-level split (optimistic: the same patients are on both sides).
        IntraPatient,
    }

    impl SplitArg {
        pub fn kind(self, seed: u64, test_fraction: f64) -> SplitKind {
            match self {
                SplitArg::InterPatient => SplitKind::InterPatient {
                    seed,
                    test_fraction: 0.5,
                },
                SplitArg::IntraPatient => SplitKind::RandomBeats {
                    seed,
                    test_fraction,
                },
            }
        }

        pub fn name(self) -> &'static str {
            match self {
                SplitArg::InterPatient => "inter-patient",
                SplitArg::IntraPatient => "intra-patient",
            }
        }
    }

    #[derive(Clone, Copy, ValueEnum)]
    pub enum WeightsArg {
        /// All classes weigh 1.
        None,
        /// The seed guide's max count / class count.
        MaxOverCount,
        /// Inverse frequency, normalised to mean 1.
        Inverse,
        /// Effective number of samples (Cui et al. 2019), with --beta.
        Effective,
    }

    #[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
    pub enum SynthModeArg {
        /// The built-in class tables.
        Default,
        /// Tables re-centred on a least-squares fit to the class-mean training beat (--data).
        Fitted,
    }

    fn parse_class(s: &str) -> Result<AamiClass, String> {
        AamiClass::from_code(&s.to_ascii_uppercase())
            .ok_or_else(|| format!("class must be one of N, S, V, F, Q; found {s:?}"))
    }

    #[derive(Subcommand)]
    enum Command {
        /// Synthetic beats of one class (ECGSYN with class-specific events), one beat per row:
        /// window in mV, RR features, label last.
        Synth {
            /// AAMI class: N, S, V, F or Q (paced-like).
            #[arg(long, value_parser = parse_class)]
            class: AamiClass,
            /// Number of beats.
            #[arg(long)]
            count: usize,
            /// Window rate, Hz (250 ms before to 450 ms after the R peak).
            #[arg(long, default_value_t = 180.0)]
            fs_hz: f32,
            /// Built-in tables or tables fitted to the training beats of --data.
            #[arg(long, value_enum, default_value = "default")]
            mode: SynthModeArg,
            /// Records to fit to (fitted mode: the DS1 / training side of the inter-patient
            /// split) and to compare with (both modes).
            #[arg(long, num_args = 1..)]
            data: Vec<PathBuf>,
            /// Seed of everything random.
            #[arg(long, default_value_t = 0)]
            seed: u64,
            /// Output CSV file.
            #[arg(long)]
            out: PathBuf,
        },
        /// A synthetic WFDB record (.hea, format-16 .dat, .atr with beat labels): sinus rhythm
        /// with atrial and ventricular premature and fusion beats.
        SynthRecord {
            /// Length, minutes.
            #[arg(long)]
            minutes: f64,
            /// Sampling rate, Hz.
            #[arg(long, default_value_t = 360.0)]
            fs_hz: f64,
            /// Seed of everything random.
            #[arg(long, default_value_t = 0)]
            seed: u64,
            /// Record name (file names NAME.hea, NAME.dat, NAME.atr).
            #[arg(long, default_value = "synth01")]
            name: String,
            /// Folder to write the files to (created if missing).
            #[arg(long)]
            out_dir: PathBuf,
        },
        /// Train the class-weighted classifier and score it per class on the test side.
        Train {
            /// Folder (searched recursively) or file(s) with WFDB records, zips or CSVs.
            #[arg(long, required = true, num_args = 1..)]
            data: Vec<PathBuf>,
            /// How to split.
            #[arg(long, value_enum, default_value = "inter-patient")]
            split: SplitArg,
            /// Class weights (computed from the training beats).
            #[arg(long, value_enum, default_value = "max-over-count")]
            weights: WeightsArg,
            /// β of the effective-number weights.
            #[arg(long, default_value_t = 0.9999)]
            beta: f64,
            /// Largest weight relative to the smallest (0 = no cap; default: the page's, 100).
            #[arg(long)]
            weight_cap: Option<f32>,
            /// Focal-loss γ (0 = plain cross-entropy; default: the page's, 2).
            #[arg(long)]
            focal_gamma: Option<f32>,
            /// Most epochs.
            #[arg(long)]
            epochs: Option<usize>,
            /// Beats per batch.
            #[arg(long)]
            batch_size: Option<usize>,
            /// Adam learning rate.
            #[arg(long)]
            lr: Option<f64>,
            /// Seed of everything random.
            #[arg(long, default_value_t = 42)]
            seed: u64,
            /// Test share of the random split.
            #[arg(long, default_value_t = 0.2)]
            test_fraction: f64,
            /// Where to write the metrics JSON.
            #[arg(long)]
            out: PathBuf,
            /// Where to write the trained model (optional).
            #[arg(long)]
            model_out: Option<PathBuf>,
            /// Rebalance the training beats first: seed (the guide's targets), balance:K,
            /// ratio:R or custom:N,S,V,F,Q.
            #[arg(long)]
            rebalance: Option<String>,
            /// Add synthetic beats to the training beats (never validation or test), per class:
            /// F:4000,S:3000,V:2000 is the seed guide's plan.
            #[arg(long)]
            synth: Option<String>,
            /// Class models of the synthetic beats: built-in tables or fitted to the training
            /// beats.
            #[arg(long, value_enum, default_value_t = SynthModeArg::Default)]
            synth_mode: SynthModeArg,
        },
        /// Rebalance the training side of the split with augmented beats; write it as a
        /// Kaggle-style CSV (or the project's own .ecgbeats format by extension).
        Augment {
            /// Folder (searched recursively) or file(s) with WFDB records, zips or CSVs.
            #[arg(long, required = true, num_args = 1..)]
            data: Vec<PathBuf>,
            /// How to split (only the training side is rebalanced).
            #[arg(long, value_enum, default_value = "inter-patient")]
            split: SplitArg,
            /// seed (the guide's targets), balance:K, ratio:R or custom:N,S,V,F,Q.
            #[arg(long, default_value = "seed")]
            plan: String,
            /// Seed of every random choice.
            #[arg(long, default_value_t = 0)]
            seed: u64,
            /// Test share of the random split.
            #[arg(long, default_value_t = 0.2)]
            test_fraction: f64,
            /// Output file: .csv (Kaggle layout) or .ecgbeats (lossless).
            #[arg(long)]
            out: PathBuf,
            /// Print before/after counts as one JSON object.
            #[arg(long)]
            json: bool,
        },
        /// Class counts per record, in total and per side of the split.
        Stats {
            /// Folder (searched recursively) or file(s) with WFDB records, zips or CSVs.
            #[arg(long, required = true, num_args = 1..)]
            data: Vec<PathBuf>,
            /// How to split.
            #[arg(long, value_enum, default_value = "inter-patient")]
            split: SplitArg,
            /// Seed of the random split.
            #[arg(long, default_value_t = 0)]
            seed: u64,
            /// Test share of the random split.
            #[arg(long, default_value_t = 0.2)]
            test_fraction: f64,
            /// Print one JSON object (the default prints a table).
            #[arg(long)]
            json: bool,
        },
        /// Find the R peaks of one lead of one record; write their sample positions, one per
        /// line (or a WFDB annotation file when --out ends in .atr).
        Detect {
            /// WFDB record path without extension, its .hea file, or a plain CSV (mV, one
            /// column per lead; give --fs-hz unless a time column tells the rate).
            #[arg(long)]
            record: PathBuf,
            /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
            #[arg(long, default_value_t = PeakMethod::default())]
            method: PeakMethod,
            /// Lead name (e.g. MLII, II); the first lead by default.
            #[arg(long)]
            lead: Option<String>,
            /// Sampling rate of a plain CSV, Hz.
            #[arg(long)]
            fs_hz: Option<f64>,
            /// Output: sample positions as text, or a WFDB annotation file (.atr).
            #[arg(long)]
            out: PathBuf,
        },
        /// Run the QRS detector on every annotated WFDB record under a folder and score it
        /// beat by beat against the reference annotations (ANSI/AAMI EC57: 150-ms window,
        /// ventricular flutter excluded): Se, +P, TP/FN/FP per record and in total.
        DetectEval {
            /// Folder with WFDB records and their .atr annotations (e.g. MIT-BIH).
            #[arg(long)]
            data: PathBuf,
            /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
            #[arg(long, default_value_t = PeakMethod::default())]
            method: PeakMethod,
            /// Lead name; the first lead of each record by default.
            #[arg(long)]
            lead: Option<String>,
            /// Print one JSON object (the default prints a table).
            #[arg(long)]
            json: bool,
        },
        /// Find the beats of a record (or take its annotated ones), classify each with a
        /// trained model (a file saved by the page or by `train --model-out`), and write them
        /// as a WFDB annotation file (N, A, V, F, Q codes). When the record has reference
        /// annotations beside it, detection and classes are compared with them.
        Classify {
            /// WFDB record path without extension, its .hea file, or a plain CSV (mV, one
            /// column per lead; give --fs-hz unless a time column tells the rate).
            #[arg(long)]
            record: PathBuf,
            /// Trained model file.
            #[arg(long)]
            model: PathBuf,
            /// Output WFDB annotation file (e.g. 100.cls or 100.atr).
            #[arg(long)]
            out: PathBuf,
            /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
            #[arg(long, default_value_t = PeakMethod::default())]
            method: PeakMethod,
            /// Classify the record's own annotated beats instead of detected ones.
            #[arg(long)]
            annotated: bool,
            /// Lead name (e.g. MLII, II); by default the lead beats are cut from in training
            /// (MLII, II, … else the first).
            #[arg(long)]
            lead: Option<String>,
            /// Sampling rate of a plain CSV, Hz.
            #[arg(long)]
            fs_hz: Option<f64>,
            /// Print one JSON object (the default prints a summary).
            #[arg(long)]
            json: bool,
        },
    }

    /// Reads one record from the file system: a WFDB record named by its path without
    /// extension or by its `.hea` file (signal files from the header's directory; the `.atr`
    /// annotations beside it when `with_atr` and present), or a plain CSV (`.csv`, one column
    /// per lead in mV) at `fs_hz` (or the rate its time column implies).
    pub fn read_record_path(
        path: &Path,
        fs_hz: Option<f64>,
        with_atr: bool,
    ) -> Result<Record, String> {
        let shown = path.display();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "record".into());
        if ext.as_deref() == Some("csv") {
            let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
            let plain = ecg_balance_lab::io::csv::read_plain(&bytes)
                .map_err(|e| format!("{shown}: {e}"))?;
            let fs = fs_hz.or(plain.fs_hz_from_time).ok_or_else(|| {
                format!(
                    "{shown}: a plain CSV has no sampling rate: give --fs-hz (e.g. --fs-hz 360)"
                )
            })?;
            return plain
                .into_record(&name, fs)
                .map_err(|e| format!("{shown}: {e}"));
        }
        let base = if ext.as_deref() == Some("hea") {
            path.with_extension("")
        } else {
            path.to_path_buf()
        };
        let dir = base.parent().map(Path::to_path_buf).unwrap_or_default();
        let hea_path = PathBuf::from(format!("{}.hea", base.display()));
        let hea = std::fs::read(&hea_path).map_err(|e| {
            format!(
                "{}: {e} (give a WFDB record path without extension, a .hea file or a .csv file)",
                hea_path.display()
            )
        })?;
        let header = parse_header(&hea).map_err(|e| format!("{}: {e}", hea_path.display()))?;
        let mut dats: Vec<(String, Vec<u8>)> = Vec::new();
        for s in &header.signals {
            if dats.iter().all(|(n, _)| *n != s.file_name) {
                let p = dir.join(&s.file_name);
                let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                dats.push((s.file_name.clone(), bytes));
            }
        }
        let atr_path = PathBuf::from(format!("{}.atr", base.display()));
        let atr = if with_atr && atr_path.exists() {
            Some(std::fs::read(&atr_path).map_err(|e| format!("{}: {e}", atr_path.display()))?)
        } else {
            None
        };
        let name = base
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or(name);
        read_record(
            &name,
            &hea,
            |f| dats.iter().find(|(n, _)| n == f).map(|(_, b)| b.as_slice()),
            atr.as_deref(),
        )
        .map_err(|e| format!("{}: {e}", base.display()))
    }

    /// Index of lead `name` in `record` (case-insensitive), or the first lead.
    fn lead_index(record: &Record, name: Option<&str>) -> Result<usize, String> {
        match name {
            None => Ok(0),
            Some(n) => record.signal_index(n).ok_or_else(|| {
                let names: Vec<&str> = record.signals.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "record {} has no lead {n:?}; its leads are {}",
                    record.name,
                    names.join(", ")
                )
            }),
        }
    }

    fn detect(
        record_path: &Path,
        method: PeakMethod,
        lead: Option<&str>,
        fs_hz: Option<f64>,
        out: &Path,
    ) -> Result<(), String> {
        let record = read_record_path(record_path, fs_hz, false)?;
        let lead = lead_index(&record, lead)?;
        let t0 = std::time::Instant::now();
        let peaks =
            detect_record(&record, lead, method).map_err(|e| format!("{}: {e}", record.name))?;
        let seconds = t0.elapsed().as_secs_f64();
        let is_atr = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("atr"));
        let bytes = if is_atr {
            write_annotations(&beat_annotations(&peaks, None)).map_err(|e| e.to_string())?
        } else {
            let mut text = String::with_capacity(peaks.len() * 8);
            for p in &peaks {
                text.push_str(&p.to_string());
                text.push('\n');
            }
            text.into_bytes()
        };
        std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "{}: {} beats in lead {} ({:.1} s at {} Hz) by {method} in {seconds:.2} s; written to {}",
            record.name,
            peaks.len(),
            record.signals[lead].name,
            record.duration_s(),
            record.fs_hz,
            out.display()
        );
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn classify(
        record_path: &Path,
        model_path: &Path,
        out: &Path,
        method: PeakMethod,
        annotated: bool,
        lead: Option<&str>,
        fs_hz: Option<f64>,
        as_json: bool,
    ) -> Result<(), String> {
        let bytes =
            std::fs::read(model_path).map_err(|e| format!("{}: {e}", model_path.display()))?;
        let model = TrainedModel::from_bytes(&bytes)
            .map_err(|e| format!("{}: {e}", model_path.display()))?;
        let record = read_record_path(record_path, fs_hz, true)?;
        let lead = match lead {
            Some(_) => lead_index(&record, lead)?,
            None => ecg_balance_lab::ecg::beats::LeadChoice::default().pick(&record),
        };
        let positions = if annotated {
            BeatPositions::Annotated
        } else {
            BeatPositions::Detected(method)
        };
        let l = label_record(&record, lead, positions, Some(&model)).map_err(|e| e.to_string())?;
        let file = l.annotation_file().map_err(|e| e.to_string())?;
        std::fs::write(out, file).map_err(|e| format!("{}: {e}", out.display()))?;
        let summary = classify_json(&l);
        if as_json {
            println!("{summary}");
        } else {
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
            if let Some(r) = &l.reference {
                let pct =
                    |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.2} %", v * 100.0));
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
                    for (c, row) in AamiClass::ALL.iter().zip(m) {
                        let cells: Vec<String> = row.iter().map(|v| format!("{v:6}")).collect();
                        println!("{c} {}", cells.join(" "));
                    }
                }
            }
        }
        eprintln!("written to {}", out.display());
        Ok(())
    }

    fn classify_json(l: &BeatLabelling) -> Value {
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
                "confusion": r.confusion,
            })),
        })
    }

    /// WFDB records (`.hea` with an `.atr` beside them) under `dir`, recursively, sorted.
    fn annotated_records(dir: &Path) -> Result<Vec<PathBuf>, String> {
        fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
            let entries = std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))?;
            for e in entries.filter_map(Result::ok) {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out)?;
                } else if path.extension().is_some_and(|x| x == "hea")
                    && path.with_extension("atr").exists()
                {
                    out.push(path.with_extension(""));
                }
            }
            Ok(())
        }
        let mut out = Vec::new();
        walk(dir, &mut out)?;
        out.sort();
        Ok(out)
    }

    fn detect_eval(
        data: &Path,
        method: PeakMethod,
        lead: Option<&str>,
        as_json: bool,
    ) -> Result<(), String> {
        let paths = annotated_records(data)?;
        if paths.is_empty() {
            return Err(format!(
                "{}: no WFDB record with reference annotations (.hea with .atr) found",
                data.display()
            ));
        }
        let t0 = std::time::Instant::now();
        let mut records = serde_json::Map::new();
        let mut total = MatchCounts::default();
        if !as_json {
            println!(
                "{:<10} {:>6} {:>6} {:>5} {:>5} {:>8} {:>8}",
                "record", "beats", "tp", "fn", "fp", "Se %", "+P %"
            );
        }
        for path in &paths {
            let record = read_record_path(path, None, true)?;
            let l = lead_index(&record, lead)?;
            let peaks =
                detect_record(&record, l, method).map_err(|e| format!("{}: {e}", record.name))?;
            let m = evaluate_record(&record, &peaks);
            total = total.merged(m);
            let excluded: Vec<[usize; 2]> = excluded_intervals(&record)
                .into_iter()
                .map(|r| [r.start, r.end])
                .collect();
            let mut v = m.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("lead".into(), json!(record.signals[l].name));
                o.insert(
                    "reference_beats".into(),
                    json!(reference_beats(&record).len()),
                );
                o.insert("detections".into(), json!(peaks.len()));
                o.insert("excluded_samples".into(), json!(excluded));
                o.insert("fs_hz".into(), json!(record.fs_hz));
                o.insert(
                    "match_window_samples".into(),
                    json!(match_window_samples(record.fs_hz)),
                );
            }
            if !as_json {
                println!(
                    "{:<10} {:>6} {:>6} {:>5} {:>5} {:>8.3} {:>8.3}",
                    record.name,
                    m.tp + m.fn_,
                    m.tp,
                    m.fn_,
                    m.fp,
                    m.se().map_or(f64::NAN, |x| 100.0 * x),
                    m.ppv().map_or(f64::NAN, |x| 100.0 * x)
                );
            }
            records.insert(record.name.clone(), v);
        }
        let seconds = t0.elapsed().as_secs_f64();
        if as_json {
            let value = json!({
                "method": method.name(),
                "lead": lead.map_or_else(|| "first".to_string(), str::to_string),
                "match_window_ms": 150.0,
                "excluded": "ventricular flutter/fibrillation episodes ([ … ] and (VFL/(VF rhythm to the next rhythm change), as ANSI/AAMI EC57",
                "records": records,
                "total": total.to_json(),
                "seconds": seconds,
            });
            println!("{value}");
        } else {
            println!(
                "{:<10} {:>6} {:>6} {:>5} {:>5} {:>8.3} {:>8.3}   ({} records, {seconds:.1} s)",
                "TOTAL",
                total.tp + total.fn_,
                total.tp,
                total.fn_,
                total.fp,
                total.se().map_or(f64::NAN, |x| 100.0 * x),
                total.ppv().map_or(f64::NAN, |x| 100.0 * x),
                paths.len()
            );
        }
        Ok(())
    }

    /// Reads every file under `paths` (recursively) into memory.
    pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<InputFile>, String> {
        fn walk(root: &Path, p: &Path, out: &mut Vec<InputFile>) -> Result<(), String> {
            let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
            if meta.is_dir() {
                let mut entries: Vec<_> = std::fs::read_dir(p)
                    .map_err(|e| format!("{}: {e}", p.display()))?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .collect();
                entries.sort();
                for e in entries {
                    walk(root, &e, out)?;
                }
            } else {
                let rel = p.strip_prefix(root).unwrap_or(p);
                let rel = if rel.as_os_str().is_empty() {
                    p.file_name().map(PathBuf::from).unwrap_or_default()
                } else {
                    rel.to_path_buf()
                };
                let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
                out.push(InputFile {
                    path: rel.to_string_lossy().replace('\\', "/"),
                    bytes,
                });
            }
            Ok(())
        }
        let mut out = Vec::new();
        for p in paths {
            let root = if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            walk(&root, p, &mut out)?;
        }
        Ok(out)
    }

    /// Loads `paths` into a workspace, printing file errors to stderr.
    pub fn load(paths: &[PathBuf]) -> Result<Workspace, String> {
        let inputs = read_inputs(paths)?;
        let grouped = Grouped::new(inputs);
        let mut ws = Workspace::new();
        let report = ws.load_all(&grouped);
        for e in &report.errors {
            eprintln!("error: {}: {}", e.file, e.message);
        }
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        if ws.records().is_empty() && ws.beat_files().is_empty() {
            return Err("no record or beat file could be read".into());
        }
        Ok(ws)
    }

    fn stats(ws: &mut Workspace, split: SplitArg, kind: SplitKind, as_json: bool) -> Value {
        let mut records = serde_json::Map::new();
        for r in ws.record_summaries() {
            records.insert(
                r.name.clone(),
                json!({
                    "fs_hz": r.fs_hz,
                    "duration_s": r.duration_s,
                    "leads": r.leads,
                    "beats": r.counts.total(),
                    "aami_counts": r.counts.to_json(),
                }),
            );
        }
        let source = ws.default_source();
        let d = distribution_view(ws, source, kind);
        let side = |n: &ecg_balance_lab::session::NamedDistribution| {
            let mut counts = ecg_balance_lab::ecg::aami::ClassCounts::default();
            for r in &n.table.rows {
                counts.0[r.class.index()] = r.count;
            }
            json!({
                "records": n.records,
                "totals": counts.to_json(),
                "beats": n.table.total,
                "imbalance_ratio": n.table.imbalance_ratio,
            })
        };
        let totals = ws.counts(source);
        let out = json!({
            "records": records,
            "totals": totals.to_json(),
            "beats": totals.total(),
            "split": {
                "kind": split.name(),
                "description": d.split_text,
                "optimistic": d.optimistic,
                "train": side(&d.train),
                "test": side(&d.test),
                "excluded": d.excluded.to_json(),
            },
        });
        if !as_json {
            println!("{:<28} {:>8} {:>7}  status", "class", "count", "%");
            for row in &d.all.table.rows {
                println!(
                    "{:<28} {:>8} {:>6.1}%  {}",
                    format!("{} {}", row.class.code(), row.class.name()),
                    row.count,
                    row.percent,
                    row.status.words()
                );
            }
            println!("imbalance ratio {}", d.all.table.ratio_text());
            for n in [&d.train, &d.test] {
                let counts: Vec<String> = n
                    .table
                    .rows
                    .iter()
                    .map(|r| format!("{} {}", r.class.code(), r.count))
                    .collect();
                println!(
                    "{}: {} ({} records)",
                    n.title,
                    counts.join(" / "),
                    n.records.len()
                );
            }
        }
        out
    }

    fn augment(
        data: &[PathBuf],
        kind: SplitKind,
        plan: &str,
        seed: u64,
        out: &Path,
        as_json: bool,
    ) -> Result<(), String> {
        let plan: Plan = plan
            .parse()
            .map_err(|e: AugmentError| format!("--plan: {e}"))?;
        let mut ws = load(data)?;
        let source = ws.default_source();
        let kind = ws.effective_split(source, kind);
        let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
        let beats = ws.beats(source);
        let split = Split::new(beats, kind, mask.as_deref());
        let train = beats.subset(&split.train);
        let config = RebalanceConfig {
            plan,
            seed,
            ..RebalanceConfig::default()
        };
        let t0 = std::time::Instant::now();
        let done = rebalance(&train, &config, &mut |_, _| true).map_err(|e| e.to_string())?;
        let seconds = t0.elapsed().as_secs_f64();
        let is_native = out.extension().is_some_and(|e| e == "ecgbeats");
        let bytes = if is_native {
            done.beats.to_bytes()
        } else {
            done.beats.to_kaggle_csv().into_bytes()
        };
        std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
        let r = &done.report;
        if as_json {
            let value = json!({
                "split": kind.describe(),
                "plan": plan.to_string(),
                "before": r.before.rows.iter().map(|row| (row.class.code().to_string(), json!(row.count))).collect::<serde_json::Map<_, _>>(),
                "after": r.after.rows.iter().map(|row| (row.class.code().to_string(), json!(row.count))).collect::<serde_json::Map<_, _>>(),
                "augmented": r.augmented.to_json(),
                "dropped": r.dropped.to_json(),
                "imbalance_ratio_before": r.before.imbalance_ratio,
                "imbalance_ratio_after": r.after.imbalance_ratio,
                "warnings": r.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "seconds": seconds,
                "out": out.display().to_string(),
            });
            println!("{value}");
        } else {
            println!("{:<28} {:>8} {:>8}", "class", "before", "after");
            for (b, a) in r.before.rows.iter().zip(&r.after.rows) {
                println!(
                    "{:<28} {:>8} {:>8}",
                    format!("{} {}", b.class.code(), b.class.name()),
                    b.count,
                    a.count
                );
            }
            println!(
                "imbalance ratio {} → {}; {:.2} s; written to {}",
                r.before.ratio_text(),
                r.after.ratio_text(),
                seconds,
                out.display()
            );
        }
        Ok(())
    }

    fn train(
        data: &[PathBuf],
        split: SplitArg,
        mut config: TrainConfig,
        out: &Path,
        model_out: Option<&Path>,
    ) -> Result<(), String> {
        let mut ws = load(data)?;
        let source = ws.default_source();
        config.split = ws.effective_split(source, config.split);
        let mask = (source == BeatSource::BeatFiles).then(|| ws.beat_file_test_mask());
        let beats = ws.beats(source).clone();
        let t_prep = std::time::Instant::now();
        let run = prepare_run(&beats, &config, mask.as_deref()).map_err(|e| e.to_string())?;
        let prepare_seconds = t_prep.elapsed().as_secs_f64();
        if let Some(added) = &run.synthetic {
            eprintln!(
                "synthetic beats added to training: {:?} (N S V F Q), split and generation {prepare_seconds:.1} s",
                added.0
            );
        }
        eprintln!(
            "train {} beats, validation {} beats (records {}), test {} beats",
            run.train.len(),
            run.val.len(),
            run.sets.val_records.join(" "),
            run.test.len()
        );
        let t0 = std::time::Instant::now();
        let mut trainer = Trainer::new(config.clone(), &run.train, &run.val, run.templates.clone())
            .map_err(|e| e.to_string())?;
        eprintln!("class weights {:?}", trainer.class_weights());
        let mut last_epoch = std::time::Instant::now();
        let mut epoch_seconds = Vec::new();
        while trainer.step(&mut |e| {
            if let TrainEvent::Epoch(s) = e {
                let secs = last_epoch.elapsed().as_secs_f64();
                epoch_seconds.push(secs);
                eprintln!(
                    "epoch {:>2}  loss {:.4}  val macro-F1 {:.4}{}  ({:.1} s)",
                    s.epoch,
                    s.train_loss,
                    s.val_macro_f1,
                    if s.best { "  *" } else { "" },
                    secs
                );
                last_epoch = std::time::Instant::now();
            }
        }) == Phase::Running
        {}
        let train_seconds = t0.elapsed().as_secs_f64();
        let history = trainer.history().to_vec();
        let model = trainer.finish().ok_or("training produced no model")?;
        let (cm, pred) = evaluate(&model, &run.test, &run.templates);
        let mut per_record = serde_json::Map::new();
        for (rid, name) in run.test.records.iter().enumerate() {
            let idx: Vec<usize> = (0..run.test.len())
                .filter(|&i| run.test.record_id[i] as usize == rid)
                .collect();
            if idx.is_empty() {
                continue;
            }
            let truth: Vec<usize> = idx.iter().map(|&i| run.test.labels[i].index()).collect();
            let p: Vec<usize> = idx.iter().map(|&i| pred[i]).collect();
            let rcm = ecg_balance_lab::metrics::ConfusionMatrix::from_predictions(&truth, &p, 5);
            per_record.insert(name.clone(), json!(rcm.counts));
        }
        let eval = Evaluation::new(&cm);
        for (c, m) in eval.classes.iter().zip(&eval.per_class) {
            eprintln!(
                "{c}  Se {:6.2} %  +P {:6.2} %  F1 {:.3}  Spec {:6.2} %  n {}",
                m.se * 100.0,
                m.ppv * 100.0,
                m.f1,
                m.spec * 100.0,
                m.support
            );
        }
        eprintln!(
            "accuracy {:.4}  macro-F1 {:.4}  macro-F1(NSVF) {:.4}  weighted F1 {:.4}  train {:.1} s",
            eval.accuracy, eval.macro_f1, eval.macro_f1_nsvf, eval.weighted_f1, train_seconds
        );
        let mut value = eval.to_json();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("train_seconds".into(), json!(train_seconds));
            obj.insert("prepare_seconds".into(), json!(prepare_seconds));
            obj.insert("train_counts".into(), json!(run.train.class_counts()));
            obj.insert("synthetic_added".into(), json!(run.synthetic));
            obj.insert("epoch_seconds".into(), json!(epoch_seconds));
            obj.insert(
                "config".into(),
                serde_json::to_value(&config).unwrap_or_default(),
            );
            obj.insert("split".into(), json!(split.name()));
            obj.insert("validation_records".into(), json!(run.sets.val_records));
            obj.insert("ensemble_epochs".into(), json!(model.epochs));
            obj.insert("history".into(), json!(history));
            obj.insert("per_record_confusion".into(), json!(per_record));
        }
        std::fs::write(
            out,
            serde_json::to_string_pretty(&value).unwrap_or_default(),
        )
        .map_err(|e| format!("{}: {e}", out.display()))?;
        if let Some(path) = model_out {
            let bytes = model.to_bytes().map_err(|e| e.to_string())?;
            std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }

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
            for v in beats.window(i) {
                let _ = write!(out, "{v:.5},");
            }
            for v in beats.rr_of(i) {
                let _ = write!(out, "{v:.5},");
            }
            let _ = writeln!(out, "{}", beats.labels[i].code());
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn synth(
        class: AamiClass,
        count: usize,
        fs_hz: f32,
        mode: SynthModeArg,
        data: &[PathBuf],
        seed: u64,
        out: &Path,
    ) -> Result<(), String> {
        let spec = WindowSpec {
            fs_hz,
            ..WindowSpec::default()
        };
        spec.validate().map_err(|e| format!("--fs-hz: {e}"))?;
        let layout = spec.layout();
        // Training beats (inter-patient split: DS1 for MIT-BIH) when data is given.
        let train = if data.is_empty() {
            None
        } else {
            let mut ws = load(data)?;
            ws.set_window(spec.clone()).map_err(|e| e.to_string())?;
            let beats = ws.beats(BeatSource::Records);
            if beats.is_empty() {
                return Err("--data holds no annotated record to fit to".into());
            }
            let split = Split::new(beats, SplitKind::default(), None);
            Some(beats.subset(&split.train))
        };
        let (config, fits) = match (mode, &train) {
            (SynthModeArg::Default, _) => (SynthConfig::default(), Vec::new()),
            (SynthModeArg::Fitted, None) => {
                return Err("--mode fitted needs --data (records to fit to)".into());
            }
            (SynthModeArg::Fitted, Some(train)) => {
                let fits = fit_class_models(train);
                if !fits.iter().any(|f| f.class == class) {
                    return Err(format!(
                        "the training beats hold too few {class} beats to fit (need {})",
                        ecg_balance_lab::dataset::synthetic::MIN_FIT_BEATS
                    ));
                }
                (fitted_config(&fits), fits)
            }
        };
        let t0 = std::time::Instant::now();
        let beats =
            synth_beats_with(&config, class, count, layout, seed).map_err(|e| e.to_string())?;
        let seconds = t0.elapsed().as_secs_f64();
        std::fs::write(out, beats_csv(&beats)).map_err(|e| format!("{}: {e}", out.display()))?;
        let quality = match &train {
            Some(train) => {
                let mut q = quality_report(train, &beats).map_err(|e| e.to_string())?;
                // Train on synthetic, test on real: the page's check, for this class (beats of
                // the same class model, each with its virtual patient's template).
                let plan = SynthTrainConfig {
                    counts: vec![(class, count)],
                    mode: match mode {
                        SynthModeArg::Default => SynthMode::Default,
                        SynthModeArg::Fitted => SynthMode::Fitted,
                    },
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
        let value = json!({
            "class": class.code(),
            "count": beats.len(),
            "layout": layout,
            "seconds": seconds,
            "beats_per_second": beats.len() as f64 / seconds.max(1e-9),
            "fits": fits,
            "quality": quality,
            "out": out.display().to_string(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        Ok(())
    }

    fn synth_record_files(
        minutes: f64,
        fs_hz: f64,
        seed: u64,
        name: &str,
        out_dir: &Path,
    ) -> Result<(), String> {
        let rec = synth_record(name, minutes, fs_hz, seed).map_err(|e| e.to_string())?;
        let files = ecg_balance_lab::io::wfdb::write_record(&rec).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        for (file, bytes) in [Some(&files.hea), Some(&files.dat), files.atr.as_ref()]
            .into_iter()
            .flatten()
        {
            let path = out_dir.join(file);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let counts = ecg_balance_lab::ecg::aami::ClassCounts::of_annotations(&rec.annotations);
        println!(
            "{}",
            json!({
                "record": rec.name,
                "fs_hz": rec.fs_hz,
                "duration_s": rec.duration_s(),
                "beats": counts.total(),
                "aami_counts": counts.to_json(),
                "out_dir": out_dir.display().to_string(),
            })
        );
        Ok(())
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Train {
                data,
                split,
                weights,
                beta,
                weight_cap,
                focal_gamma,
                epochs,
                batch_size,
                lr,
                seed,
                test_fraction,
                out,
                model_out,
                rebalance,
                synth,
                synth_mode,
            } => {
                let scheme = match weights {
                    WeightsArg::None => WeightScheme::None,
                    WeightsArg::MaxOverCount => WeightScheme::MaxOverCount,
                    WeightsArg::Inverse => WeightScheme::InverseFrequency,
                    WeightsArg::Effective => WeightScheme::EffectiveNumber { beta },
                };
                let mut config = TrainConfig::new()
                    .with_split(split.kind(seed, test_fraction))
                    .with_weights(scheme)
                    .with_seed(seed);
                // Unset options keep the defaults the page uses, so "default settings" mean the
                // same run in both.
                if let Some(cap) = weight_cap {
                    config = config.with_weight_cap((cap > 0.0).then_some(cap));
                }
                if let Some(g) = focal_gamma {
                    config = config.with_focal_gamma((g > 0.0).then_some(g));
                }
                if let Some(e) = epochs {
                    config = config.with_epochs(e);
                }
                if let Some(b) = batch_size {
                    config = config.with_batch_size(b);
                }
                if let Some(l) = lr {
                    config = config.with_learning_rate(l);
                }
                if let Some(plan) = rebalance {
                    match plan.parse::<Plan>() {
                        Ok(plan) => {
                            config = config.with_rebalance(Some(RebalanceConfig {
                                plan,
                                seed,
                                ..RebalanceConfig::default()
                            }))
                        }
                        Err(e) => {
                            eprintln!("error: --rebalance: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                }
                if let Some(counts) = synth {
                    match ecg_balance_lab::dataset::synthetic::plan::SynthTrainConfig::parse_counts(&counts) {
                        Ok(counts) => {
                            config = config.with_synthetic(Some(
                                ecg_balance_lab::dataset::synthetic::plan::SynthTrainConfig {
                                    counts,
                                    mode: match synth_mode {
                                        SynthModeArg::Default => {
                                            ecg_balance_lab::dataset::synthetic::plan::SynthMode::Default
                                        }
                                        SynthModeArg::Fitted => {
                                            ecg_balance_lab::dataset::synthetic::plan::SynthMode::Fitted
                                        }
                                    },
                                    seed,
                                },
                            ))
                        }
                        Err(e) => {
                            eprintln!("error: --synth: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                } else if synth_mode == SynthModeArg::Fitted {
                    eprintln!("error: --synth-mode needs --synth (which classes, how many beats)");
                    return ExitCode::FAILURE;
                }
                match train(&data, split, config, &out, model_out.as_deref()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Command::Augment {
                data,
                split,
                plan,
                seed,
                test_fraction,
                out,
                json,
            } => match augment(
                &data,
                split.kind(seed, test_fraction),
                &plan,
                seed,
                &out,
                json,
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::Synth {
                class,
                count,
                fs_hz,
                mode,
                data,
                seed,
                out,
            } => match synth(class, count, fs_hz, mode, &data, seed, &out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::SynthRecord {
                minutes,
                fs_hz,
                seed,
                name,
                out_dir,
            } => match synth_record_files(minutes, fs_hz, seed, &name, &out_dir) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::Stats {
                data,
                split,
                seed,
                test_fraction,
                json,
            } => {
                let mut ws = match load(&data) {
                    Ok(ws) => ws,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                let kind = split.kind(seed, test_fraction);
                let out = stats(&mut ws, split, kind, json);
                if json {
                    println!("{out}");
                }
                ExitCode::SUCCESS
            }
            Command::Detect {
                record,
                method,
                lead,
                fs_hz,
                out,
            } => match detect(&record, method, lead.as_deref(), fs_hz, &out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::DetectEval {
                data,
                method,
                lead,
                json,
            } => match detect_eval(&data, method, lead.as_deref(), json) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::Classify {
                record,
                model,
                out,
                method,
                annotated,
                lead,
                fs_hz,
                json,
            } => match classify(
                &record,
                &model,
                &out,
                method,
                annotated,
                lead.as_deref(),
                fs_hz,
                json,
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
