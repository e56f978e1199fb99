//! `ecg-balance train`: trains and scores a classifier by driving the page's own training job
//! ([`Request::Train`] on a [`ecg_balance_lab::session::Session`]): the same split, preparation,
//! trainer and scoring, so the same settings give the same run. The metrics file is the page's
//! export ([`RunReport::metrics_json`]).

use super::{clock, load, pretty, write};
use crate::args::TrainArgs;
use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig};
use ecg_balance_lab::dataset::synthetic::plan::SynthTrainConfig;
use ecg_balance_lab::session::views::RunReport;
use ecg_balance_lab::session::{Request, Response};
use ecg_balance_lab::training::TrainConfig;

/// The run's settings: the page's defaults for the split ([`TrainConfig::for_split`]), with what
/// the options change.
fn config(a: &TrainArgs) -> Result<TrainConfig, String> {
    let seed = a.run.seed.seed;
    let mut config = TrainConfig::for_split(a.run.split_kind())
        .with_weights(a.weights.scheme(a.beta))
        .with_seed(seed);
    if let Some(cap) = a.weight_cap {
        config = config.with_weight_cap((cap > 0.0).then_some(cap));
    }
    if let Some(g) = a.focal_gamma {
        config = config.with_focal_gamma((g > 0.0).then_some(g));
    }
    if let Some(e) = a.epochs {
        config = config.with_epochs(e);
    }
    if let Some(p) = a.patience {
        config = config.with_patience(p);
    }
    if let Some(b) = a.batch_size {
        config = config.with_batch_size(b);
    }
    if let Some(l) = a.lr {
        config = config.with_learning_rate(l);
    }
    if a.rebalance.is_none() && a.rebalance_seed.is_some() {
        return Err("--rebalance-seed needs --rebalance (the plan)".into());
    }
    if let Some(plan) = &a.rebalance {
        let plan: Plan = plan.parse().map_err(|e| format!("--rebalance: {e}"))?;
        config = config.with_rebalance(Some(RebalanceConfig {
            plan,
            seed: a.rebalance_seed.unwrap_or(seed),
            ..RebalanceConfig::default()
        }));
    }
    match &a.synth {
        Some(counts) => {
            let counts =
                SynthTrainConfig::parse_counts(counts).map_err(|e| format!("--synth: {e}"))?;
            config = config.with_synthetic(Some(SynthTrainConfig {
                counts,
                mode: a.synth_mode.mode(),
                seed: a.synth_seed.unwrap_or(seed),
            }));
        }
        None if a.synth_mode != crate::args::SynthModeArg::Default || a.synth_seed.is_some() => {
            return Err(
                "--synth-mode and --synth-seed need --synth (which classes, how many beats)".into(),
            );
        }
        None => {}
    }
    Ok(config)
}

pub fn run(a: &TrainArgs) -> Result<(), String> {
    let config = config(a)?;
    if a.print_config {
        println!(
            "{}",
            serde_json::to_string_pretty(&config).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let loaded = load(&a.run.data.data)?;
    let skipped = loaded.skipped_json();
    let mut session = loaded.session;
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, 256);
    session.set_threads(threads);
    eprintln!(
        "training on {threads} thread{}",
        if threads == 1 { "" } else { "s" }
    );
    let mut report: Option<RunReport> = None;
    let mut failure = None;
    let mut epochs_shown = 0;
    let mut last_epoch = std::time::Instant::now();
    session.ask(
        Request::Train {
            source: None,
            config,
        },
        &clock(),
        &mut |r| match r {
            Response::TrainProgress(p) => {
                for s in p.history.iter().skip(epochs_shown) {
                    eprintln!(
                        "epoch {:>2}  loss {:.4}  val macro-F1 {:.4}{}  ({:.1} s)",
                        s.epoch,
                        s.train_loss,
                        s.val_macro_f1,
                        if s.best { "  *" } else { "" },
                        last_epoch.elapsed().as_secs_f64()
                    );
                    last_epoch = std::time::Instant::now();
                }
                epochs_shown = p.history.len();
            }
            Response::TrainResult(r) => report = Some(*r),
            Response::Error(f) => failure = Some(f.message),
            _ => {}
        },
    );
    if let Some(message) = failure {
        return Err(message);
    }
    let report = report.ok_or("training produced no model")?;
    print_summary(&report);
    let mut metrics = report.metrics_json();
    if let Some(o) = metrics.as_object_mut() {
        o.insert("skipped".into(), skipped);
        o.insert("threads".into(), threads.into());
    }
    write(&a.out, pretty(&metrics))?;
    if let Some(path) = &a.model_out {
        let model = session.trained(report.id).ok_or("training kept no model")?;
        write(path, model.to_bytes().map_err(|e| e.to_string())?)?;
    }
    Ok(())
}

fn print_summary(r: &RunReport) {
    if let Some(added) = &r.synthetic_added {
        eprintln!(
            "synthetic beats added to training: {:?} (N S V F Q), split and generation {:.1} s",
            added.0, r.prepare_seconds
        );
    }
    eprintln!(
        "train {} beats, validation {} beats (records {}), test {} beats; class weights {:?}",
        r.train_counts.total(),
        r.val_counts.total(),
        r.val_records.join(" "),
        r.test_counts.total(),
        r.class_weights
    );
    let eval = &r.evaluation;
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
        eval.accuracy, eval.macro_f1, eval.macro_f1_nsvf, eval.weighted_f1, r.train_seconds
    );
}
