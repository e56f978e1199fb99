//! `ecg-balance adapt`: patient-adaptive evaluation over the test records of a model's own split
//! ([`adapt_records`]): per record, the model picks the beats to label, the record's annotations
//! answer for those beats only, a copy of the model is fine-tuned, and the unqueried beats are
//! scored before and after, pooled over the records and per record.

use serde_json::{Value, json};

use super::load;
use crate::args::AdaptArgs;
use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::metrics::ConfusionMatrix;
use ecg_balance_lab::training::adapt::{AdaptBase, AdaptConfig};
use ecg_balance_lab::training::patient::{AdaptationReport, Budget, adapt_records};
use ecg_balance_lab::training::{TrainConfig, TrainedModel, prepare_run};
use ecg_balance_lab::workspace::BeatSource;

pub fn run(a: &AdaptArgs) -> Result<(), String> {
    let bytes = std::fs::read(&a.model).map_err(|e| format!("{}: {e}", a.model.display()))?;
    let model =
        TrainedModel::from_bytes(&bytes).map_err(|e| format!("{}: {e}", a.model.display()))?;
    if model.train_config.split.is_optimistic() {
        return Err(format!(
            "{}: the model was trained on a {} split, so its test records are also training \
             records; adaptation is scored on patients the model has not seen — train it with \
             --split inter-patient",
            a.model.display(),
            model.train_config.split.describe()
        ));
    }
    let budgets: Vec<Budget> = a
        .budget
        .iter()
        .map(|b| Budget::parse(b).map_err(|e| format!("--budget {e}")))
        .collect::<Result<_, _>>()?;
    let defaults = AdaptConfig::default();
    let config = AdaptConfig {
        repeat: a.repeat.unwrap_or(defaults.repeat),
        replay: a.replay.unwrap_or(defaults.replay),
        epochs: a.epochs.unwrap_or(defaults.epochs),
        learning_rate: a.lr.unwrap_or(defaults.learning_rate),
        rounds: a.rounds.unwrap_or(defaults.rounds),
        seed: a.seed.seed,
        ..defaults
    };
    config.validate().map_err(|e| e.to_string())?;

    let loaded = load(&a.data.data)?;
    let skipped = loaded.skipped_json();
    let mut session = loaded.session;
    let ws = &mut session.workspace;
    let fs: Vec<(String, f64)> = ws
        .records()
        .iter()
        .map(|r| (r.name.clone(), r.fs_hz))
        .collect();
    let beats = ws.beats(BeatSource::Records).clone();
    if beats.layout != model.layout {
        return Err(format!(
            "the model expects windows of {} samples at {} Hz; the records' beats are {} samples \
             at {} Hz",
            model.layout.len, model.layout.fs_hz, beats.layout.len, beats.layout.fs_hz
        ));
    }
    // The model's own split of these records; only real training beats are replayed, so the
    // rebalancing and synthetic beats of its run are not rebuilt.
    let split_config = TrainConfig {
        rebalance: None,
        synthetic: None,
        ..model.train_config.clone()
    };
    let run = prepare_run(&beats, &split_config, None).map_err(|e| e.to_string())?;
    let test = only_records(&run.test, &a.records)?;
    if test.is_empty() {
        return Err(
            "no test beats: the model's split leaves no record of --data on the test side".into(),
        );
    }
    let fs_of = |name: &str| {
        fs.iter()
            .find(|(n, _)| n == name)
            .map_or(f64::from(beats.layout.fs_hz), |(_, f)| *f)
    };
    let mut out = Vec::new();
    for budget in budgets {
        let t0 = std::time::Instant::now();
        let base = AdaptBase {
            model: &model,
            train: &run.train,
            templates: &run.templates,
        };
        let report = adapt_records(
            base,
            &test,
            budget,
            &AdaptConfig {
                budget: match budget {
                    Budget::Beats { k } => k,
                    _ => config.budget,
                },
                ..config.clone()
            },
            &fs_of,
            &mut |r, done, total| {
                eprintln!(
                    "budget {:<13} {done:>2}/{total} {}: {} beats labelled; S F1 {} → {}, V F1 {} → {}",
                    budget.name(),
                    r.record,
                    r.queried.len(),
                    f1(&r.before, 1),
                    f1(&r.after, 1),
                    f1(&r.before, 2),
                    f1(&r.after, 2),
                );
            },
            &mut |_, _| false,
        )
        .map_err(|e| e.to_string())?
        .ok_or("cancelled")?;
        let seconds = t0.elapsed().as_secs_f64();
        print_summary(&report, seconds);
        out.push(report_json(&report, seconds));
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "model": a.model.display().to_string(),
                "split": model.train_config.split.describe(),
                "test_records": record_names(&test),
                "skipped": skipped,
                "adapt": config,
                "scored": "beats not queried; the queried beats' labels are the only ones read before scoring",
                "results": out,
            }))
            .unwrap_or_default()
        );
    }
    Ok(())
}

fn record_names(b: &BeatSet) -> Vec<String> {
    let mut ids = b.record_id.clone();
    ids.sort_unstable();
    ids.dedup();
    ids.iter().map(|&i| b.records[i as usize].clone()).collect()
}

/// The beats of the named records (all when `names` is empty).
fn only_records(test: &BeatSet, names: &[String]) -> Result<BeatSet, String> {
    if names.is_empty() {
        return Ok(test.clone());
    }
    let mut keep = Vec::new();
    for n in names {
        let Some(rid) = test.records.iter().position(|r| r == n) else {
            return Err(format!(
                "--records: {n} is not a test record of the model's split"
            ));
        };
        keep.extend((0..test.len() as u32).filter(|&i| test.record_id[i as usize] == rid as u32));
    }
    keep.sort_unstable();
    Ok(test.subset(&keep))
}

fn f1(cm: &ConfusionMatrix, c: usize) -> String {
    let m = &cm.per_class()[c];
    if m.support == 0 {
        "–".into()
    } else {
        format!("{:.3}", m.f1)
    }
}

fn classes_json(cm: &ConfusionMatrix) -> Value {
    let pc = cm.per_class();
    json!({
        "per_class": AamiClass::ALL.iter().map(|c| {
            let m = &pc[c.index()];
            json!({"class": c.to_string(), "se": m.se, "ppv": m.ppv, "f1": m.f1, "support": m.support})
        }).collect::<Vec<_>>(),
        "macro_f1_nsvf": cm.macro_f1_nsvf(),
        "accuracy": cm.accuracy(),
        "confusion": cm.counts,
    })
}

fn report_json(r: &AdaptationReport, seconds: f64) -> Value {
    json!({
        "budget": r.budget,
        "budget_name": r.budget.name(),
        "queried": r.queried,
        "uses_test_beats_without_labels": matches!(r.budget, Budget::SelfTraining),
        "before": classes_json(&r.before),
        "after": classes_json(&r.after),
        "seconds": seconds,
        "per_record": r.records.iter().map(|x| json!({
            "record": x.record,
            "queried": x.queried.len(),
            "before": x.before.counts,
            "after": x.after.counts,
        })).collect::<Vec<_>>(),
    })
}

fn print_summary(r: &AdaptationReport, seconds: f64) {
    let row = |cm: &ConfusionMatrix| {
        let pc = cm.per_class();
        let cell = |c: usize| {
            format!(
                "{} {:.1}/{:.1} F1 {:.3}",
                AamiClass::ALL[c],
                100.0 * pc[c].se,
                100.0 * pc[c].ppv,
                pc[c].f1
            )
        };
        format!(
            "{} | {} | {} | N F1 {:.3} | macro-F1 {:.3}",
            cell(1),
            cell(2),
            cell(3),
            pc[0].f1,
            cm.macro_f1_nsvf()
        )
    };
    eprintln!(
        "budget {} ({} beats labelled over {} records, {seconds:.0} s; Se/+P %, unqueried beats)",
        r.budget.name(),
        r.queried,
        r.records.len()
    );
    eprintln!("  before: {}", row(&r.before));
    eprintln!("  after:  {}", row(&r.after));
    if matches!(r.budget, Budget::SelfTraining) {
        eprintln!("  (self-training uses the test recordings' beats, not their labels)");
    }
}
