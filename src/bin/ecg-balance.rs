//! `ecg-balance`: the native command-line tool on the same core as the page, for scripting,
//! large data and benchmarks.
//!
//! ```text
//! ecg-balance stats --data DIR [--split inter-patient|intra-patient] [--seed N] --json
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::{Parser, Subcommand, ValueEnum};
    use serde_json::{Value, json};

    use ecg_balance_lab::dataset::split::SplitKind;
    use ecg_balance_lab::io::files::{Grouped, InputFile};
    use ecg_balance_lab::session::distribution_view;
    use ecg_balance_lab::workspace::{BeatSource, Workspace};

    #[derive(Parser)]
    #[command(name = "ecg-balance", version, about = "Class imbalance in heartbeat data: read, measure, rebalance, train — natively, on the same core as the ECG Balance Lab page.")]
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

    #[derive(Subcommand)]
    enum Command {
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
                println!("{}: {} ({} records)", n.title, counts.join(" / "), n.records.len());
            }
        }
        out
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
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
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
