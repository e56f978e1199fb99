//! `ecg-balance`: the native command-line tool on the same core as the page, for scripting,
//! large data and benchmarks. One module per command under `cmd/`; the options in `args.rs`.
//!
//! ```text
//! ecg-balance stats --data DIR [--split inter-patient|intra-patient] [--seed N] --json
//! ecg-balance train --data DIR [--weights …] [--epochs N] --out metrics.json [--model-out run.model]
//! ecg-balance augment --data DIR [--plan seed] --out train.csv [--json]
//! ecg-balance synth --class V --count 1000 --fs-hz 180 [--mode fitted --data DIR] --out v.csv
//! ecg-balance synth-record --minutes 5 --fs-hz 360 [--seed S] --out-dir DIR
//! ecg-balance detect --record PATH [--method pan-tompkins-1985] [--lead NAME] [--fs-hz HZ] --out FILE
//! ecg-balance detect-eval --data DIR [--method pan-tompkins-1985] [--lead NAME] --json
//! ecg-balance classify --record PATH --model run.model --out PATH.cls [--json]
//! ecg-balance adapt --data DIR --model run.model --budget 0,10,20,50,100,first5 [--json]
//! ```

/// mimalloc keeps freed buffers for the next batch; glibc's malloc returns those over 128 KiB to
/// the system, and an epoch then spends 7 % of its time faulting and clearing pages.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod cmd;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use args::Command;
    use clap::Parser;

    let result = match args::Cli::parse().command {
        Command::Stats(a) => cmd::stats::run(&a),
        Command::Train(a) => cmd::train::run(&a),
        Command::Augment(a) => cmd::augment::run(&a),
        Command::Synth(a) => cmd::synth::run(&a),
        Command::SynthRecord(a) => cmd::synth_record::run(&a),
        Command::Detect(a) => cmd::detect::run(&a),
        Command::DetectEval(a) => cmd::detect_eval::run(&a),
        Command::Classify(a) => cmd::classify::run(&a),
        Command::Adapt(a) => cmd::adapt::run(&a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
