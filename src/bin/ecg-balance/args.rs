//! The command line: every subcommand's options, with the groups several commands share (the
//! data to read, the split, the seed) declared once and flattened into each.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::dataset::synthetic::plan::SynthMode;
use ecg_balance_lab::dataset::weights::WeightScheme;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::detect::PeakMethod;
use ecg_balance_lab::training::TrainConfig;

#[derive(Parser)]
#[command(
    name = "ecg-balance",
    version,
    about = "Class imbalance in heartbeat data: read, measure, rebalance, train — natively, on the same core as the ECG Balance Lab page."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The records to read.
#[derive(Args)]
pub struct DataArgs {
    /// Folder (searched recursively) or file(s) with WFDB records, zips or CSVs.
    #[arg(long, required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
}

/// The seed of everything random: by default the page's ([`TrainConfig`]'s default seed).
#[derive(Args)]
pub struct SeedArgs {
    /// Seed of everything random (the split, the draws, the model's initial weights).
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
}

/// What a command that splits records works on: the data, the split, the seed.
#[derive(Args)]
pub struct SplitDataArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub seed: SeedArgs,
}

impl SplitDataArgs {
    /// The split, drawn with --split-seed, else with the seed.
    pub fn split_kind(&self) -> SplitKind {
        self.split
            .kind(self.split.split_seed.unwrap_or(self.seed.seed))
    }
}

/// How beats are split into training and test sides.
#[derive(Args)]
pub struct SplitArgs {
    /// How to split.
    #[arg(long, value_enum, default_value = "inter-patient")]
    pub split: SplitArg,
    /// Test share of the random split.
    #[arg(long, default_value_t = 0.2)]
    pub test_fraction: f64,
    /// Seed of the split (the random split's shuffle; by patient, the side of records outside
    /// MIT-BIH's DS1/DS2). Default: --seed.
    #[arg(long)]
    pub split_seed: Option<u64>,
}

impl SplitArgs {
    /// The split, drawn with `seed`.
    pub fn kind(&self, seed: u64) -> SplitKind {
        match self.split {
            SplitArg::InterPatient => SplitKind::InterPatient {
                seed,
                test_fraction: 0.5,
            },
            SplitArg::IntraPatient => SplitKind::RandomBeats {
                seed,
                test_fraction: self.test_fraction,
            },
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SplitArg {
    /// By patient: de Chazal 2004 DS1 → train, DS2 → test, paced records out.
    InterPatient,
    /// Random beat-level split (optimistic: the same patients are on both sides).
    IntraPatient,
}

impl SplitArg {
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

impl WeightsArg {
    /// The scheme, with `beta` for the effective number of samples.
    pub fn scheme(self, beta: f64) -> WeightScheme {
        match self {
            WeightsArg::None => WeightScheme::None,
            WeightsArg::MaxOverCount => WeightScheme::MaxOverCount,
            WeightsArg::Inverse => WeightScheme::InverseFrequency,
            WeightsArg::Effective => WeightScheme::EffectiveNumber { beta },
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SynthModeArg {
    /// The built-in class tables.
    Default,
    /// Tables re-centred on a least-squares fit to the class-mean training beat (--data).
    Fitted,
}

impl SynthModeArg {
    pub fn mode(self) -> SynthMode {
        match self {
            SynthModeArg::Default => SynthMode::Default,
            SynthModeArg::Fitted => SynthMode::Fitted,
        }
    }
}

fn parse_class(s: &str) -> Result<AamiClass, String> {
    AamiClass::from_code(&s.to_ascii_uppercase())
        .ok_or_else(|| format!("class must be one of N, S, V, F, Q; found {s:?}"))
}

#[derive(Subcommand)]
pub enum Command {
    /// Synthetic beats of one class (ECGSYN with class-specific events), one beat per row:
    /// window in mV, RR features, label last (CSV), or Parquet by extension or --shard-beats.
    Synth(SynthArgs),
    /// A synthetic WFDB record (.hea, format-16 .dat, .atr with beat labels): sinus rhythm
    /// with atrial and ventricular premature and fusion beats.
    SynthRecord(SynthRecordArgs),
    /// Train the class-weighted classifier and score it per class on the test side.
    Train(TrainArgs),
    /// Rebalance the training side of the split with augmented beats; write it as a
    /// Kaggle-style CSV (or, by extension, the project's own .ecgbeats format or Parquet;
    /// Parquet parts with --shard-beats).
    Augment(AugmentArgs),
    /// Class counts per record, in total and per side of the split.
    Stats(StatsArgs),
    /// Find the R peaks of one lead of one record; write their sample positions, one per
    /// line (or a WFDB annotation file when --out ends in .atr).
    Detect(DetectArgs),
    /// Run the QRS detector on every annotated WFDB record under a folder and score it
    /// beat by beat against the reference annotations (ANSI/AAMI EC57: 150-ms window,
    /// ventricular flutter excluded): Se, +P, TP/FN/FP per record and in total.
    DetectEval(DetectEvalArgs),
    /// Find the beats of a record (or take its annotated ones), classify each with a
    /// trained model (a file saved by the page or by `train --model-out`), and write them
    /// as a WFDB annotation file (N, A, V, F, Q codes). When the record has reference
    /// annotations beside it, detection and classes are compared with them.
    Classify(ClassifyArgs),
    /// Patient-adaptive evaluation: for every test record of the model's own split (DS2 for
    /// an inter-patient model on MIT-BIH), label K beats the model picks (answered by the
    /// record's annotations; no other label of the record is read), fine-tune a copy of the
    /// model, and score only the beats that were not queried — before and after.
    Adapt(AdaptArgs),
}

#[derive(Args)]
pub struct AdaptArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// A trained model (saved by the page or by `train --model-out`), trained on the records
    /// of --data with a split by patient.
    #[arg(long)]
    pub model: PathBuf,
    /// Beats labelled per record: a number, several separated by commas (0 scores the model
    /// unchanged), first5 (the first 5 minutes: AAMI EC57's patient-specific protocol) or self
    /// (self-training on the model's own confident decisions: no label, but the test beats).
    #[arg(long, default_value = "20", value_delimiter = ',')]
    pub budget: Vec<String>,
    /// Times each labelled beat is repeated per fine-tuning epoch (default: the page's).
    #[arg(long)]
    pub repeat: Option<usize>,
    /// Training beats replayed beside the labelled ones (default: the page's).
    #[arg(long)]
    pub replay: Option<usize>,
    /// Fine-tuning epochs (default: the page's).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Fine-tuning learning rate (default: the page's).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Rounds a number of beats is asked in: each round after the first is picked by a copy
    /// fine-tuned on the labels so far (default: the page's, 2).
    #[arg(long)]
    pub rounds: Option<usize>,
    #[command(flatten)]
    pub seed: SeedArgs,
    /// Only these test records (names; default: every test record).
    #[arg(long, value_delimiter = ',')]
    pub records: Vec<String>,
    /// Print the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SynthArgs {
    /// AAMI class: N, S, V, F or Q (paced-like).
    #[arg(long, value_parser = parse_class)]
    pub class: AamiClass,
    /// Number of beats.
    #[arg(long)]
    pub count: usize,
    /// Window rate, Hz (250 ms before to 450 ms after the R peak).
    #[arg(long, default_value_t = 180.0)]
    pub fs_hz: f32,
    /// Built-in tables or tables fitted to the training beats of --data.
    #[arg(long, value_enum, default_value = "default")]
    pub mode: SynthModeArg,
    /// Records to fit to (fitted mode: the DS1 / training side of the inter-patient
    /// split) and to compare with (both modes).
    #[arg(long, num_args = 1..)]
    pub data: Vec<PathBuf>,
    #[command(flatten)]
    pub seed: SeedArgs,
    /// Output file: CSV (mV, RR features, class code per row), or .parquet (one row per
    /// beat: samples, label, record, origin, RR features); with --shard-beats, a folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Write Parquet parts of at most N beats each (part-00000.parquet, …) into the folder
    /// --out, which Spark, Dask and pandas read as one dataset.
    #[arg(long, value_name = "N")]
    pub shard_beats: Option<usize>,
}

#[derive(Args)]
pub struct SynthRecordArgs {
    /// Length, minutes.
    #[arg(long)]
    pub minutes: f64,
    /// Sampling rate, Hz.
    #[arg(long, default_value_t = 360.0)]
    pub fs_hz: f64,
    #[command(flatten)]
    pub seed: SeedArgs,
    /// Record name (file names NAME.hea, NAME.dat, NAME.atr).
    #[arg(long, default_value = "synth01")]
    pub name: String,
    /// Folder to write the files to (created if missing).
    #[arg(long)]
    pub out_dir: PathBuf,
}

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub run: SplitDataArgs,
    /// Class weights (computed from the training beats).
    #[arg(long, value_enum, default_value = "max-over-count")]
    pub weights: WeightsArg,
    /// β of the effective-number weights.
    #[arg(long, default_value_t = 0.9999)]
    pub beta: f64,
    /// Largest weight relative to the smallest (0 = no cap; default: the page's, 100 by
    /// patient and 5 on a random split).
    #[arg(long)]
    pub weight_cap: Option<f32>,
    /// Focal-loss γ (0 = plain cross-entropy; default: the page's, 2).
    #[arg(long)]
    pub focal_gamma: Option<f32>,
    /// Most epochs (default: the page's, 16 by patient and 32 on a random split).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Epochs without a better validation score before stopping (default: the page's, 4 by
    /// patient and 8 on a random split).
    #[arg(long)]
    pub patience: Option<usize>,
    /// Beats per batch.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Adam learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Training threads (data-parallel: each computes the gradient of its share of every
    /// batch; the sums are identical on every thread). Default: every core. With 1 the run is
    /// the page's single-worker run, bit for bit; other counts differ in the order of float
    /// sums only.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Where to write the metrics JSON.
    #[arg(long)]
    pub out: PathBuf,
    /// Where to write the trained model (optional).
    #[arg(long)]
    pub model_out: Option<PathBuf>,
    /// Rebalance the training beats first: seed (the guide's targets), balance:K,
    /// ratio:R or custom:N,S,V,F,Q.
    #[arg(long)]
    pub rebalance: Option<String>,
    /// Seed of the rebalancing draws (default: --seed).
    #[arg(long)]
    pub rebalance_seed: Option<u64>,
    /// Add synthetic beats to the training beats (never validation or test), per class:
    /// F:4000,S:3000,V:2000 is the seed guide's plan.
    #[arg(long)]
    pub synth: Option<String>,
    /// Class models of the synthetic beats: built-in tables or fitted to the training
    /// beats.
    #[arg(long, value_enum, default_value_t = SynthModeArg::Default)]
    pub synth_mode: SynthModeArg,
    /// Seed of the synthetic beats (default: --seed).
    #[arg(long)]
    pub synth_seed: Option<u64>,
    /// Print the resolved settings (TrainConfig) as JSON and exit without reading or training:
    /// how a run report's reproduce command is checked.
    #[arg(long, hide = true)]
    pub print_config: bool,
}

#[derive(Args)]
pub struct AugmentArgs {
    #[command(flatten)]
    pub run: SplitDataArgs,
    /// seed (the guide's targets), balance:K, ratio:R or custom:N,S,V,F,Q.
    #[arg(long, default_value = "seed")]
    pub plan: String,
    /// Output file: .csv (Kaggle layout), .ecgbeats (lossless) or .parquet (one row per beat:
    /// samples, label, record, origin, RR features); with --shard-beats, a folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Write Parquet parts of at most N beats each (part-00000.parquet, …) into the folder
    /// --out, which Spark, Dask and pandas read as one dataset.
    #[arg(long, value_name = "N")]
    pub shard_beats: Option<usize>,
    /// Print before/after counts as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub run: SplitDataArgs,
    /// Print one JSON object (the default prints a table).
    #[arg(long)]
    pub json: bool,
}

/// The record a command reads, and the lead to use.
#[derive(Args)]
pub struct RecordArgs {
    /// WFDB record path without extension, its .hea file, or a plain CSV (mV, one
    /// column per lead; give --fs-hz unless a time column tells the rate).
    #[arg(long)]
    pub record: PathBuf,
    /// Sampling rate of a plain CSV, Hz.
    #[arg(long)]
    pub fs_hz: Option<f64>,
}

#[derive(Args)]
pub struct DetectArgs {
    #[command(flatten)]
    pub record: RecordArgs,
    /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
    #[arg(long, default_value_t = PeakMethod::default())]
    pub method: PeakMethod,
    /// Lead name (e.g. MLII, II); the first lead by default.
    #[arg(long)]
    pub lead: Option<String>,
    /// Output: sample positions as text, or a WFDB annotation file (.atr).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct DetectEvalArgs {
    /// Folder(s) with WFDB records and their .atr annotations (e.g. MIT-BIH), searched
    /// recursively.
    #[arg(long, required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
    #[arg(long, default_value_t = PeakMethod::default())]
    pub method: PeakMethod,
    /// Lead name; the first lead of each record by default.
    #[arg(long)]
    pub lead: Option<String>,
    /// Print one JSON object (the default prints a table).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub record: RecordArgs,
    /// Trained model file.
    #[arg(long)]
    pub model: PathBuf,
    /// Output WFDB annotation file (e.g. 100.cls or 100.atr).
    #[arg(long)]
    pub out: PathBuf,
    /// QRS detection method: pan-tompkins-1985 or pan-tompkins-1985-lookahead.
    #[arg(long, default_value_t = PeakMethod::default())]
    pub method: PeakMethod,
    /// Classify the record's own annotated beats instead of detected ones.
    #[arg(long)]
    pub annotated: bool,
    /// Lead name (e.g. MLII, II); by default the lead beats are cut from in training
    /// (MLII, II, … else the first).
    #[arg(long)]
    pub lead: Option<String>,
    /// Print one JSON object (the default prints a summary).
    #[arg(long)]
    pub json: bool,
}
