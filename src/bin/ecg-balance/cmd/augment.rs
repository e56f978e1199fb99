//! `ecg-balance augment`: the training side of the split rebalanced with augmented beats, as the
//! page's Rebalance screen makes and exports it (the same session requests); with
//! `--shard-beats`, the same set as a folder of Parquet parts.

use serde_json::{Map, Value, json};

use super::beats_out::{Destination, destination, files_json, is_parquet, write_shards};
use super::{ask, load, write};
use crate::args::AugmentArgs;
use ecg_balance_lab::dataset::rebalance::{Plan, RebalanceConfig};
use ecg_balance_lab::dataset::stats::Distribution;
use ecg_balance_lab::session::{ExportFormat, Request, Response};

fn counts(d: &Distribution) -> Map<String, Value> {
    d.rows
        .iter()
        .map(|row| (row.class.code().to_string(), json!(row.count)))
        .collect()
}

pub fn run(a: &AugmentArgs) -> Result<(), String> {
    let plan: Plan = a.plan.parse().map_err(|e| format!("--plan: {e}"))?;
    let dest = destination(&a.out, a.shard_beats)?;
    let seed = a.run.seed.seed;
    let loaded = load(&a.run.data.data)?;
    let skipped = loaded.skipped_json();
    let mut session = loaded.session;
    let split = a.run.split_kind();
    let source = session.workspace.default_source();
    let effective = session.workspace.effective_split(source, split);
    let config = RebalanceConfig {
        plan,
        seed,
        ..RebalanceConfig::default()
    };
    let t0 = std::time::Instant::now();
    let report = ask(&mut session, Request::Rebalance { split, config })?
        .into_iter()
        .find_map(|r| match r {
            Response::Rebalanced { report, .. } => Some(report),
            _ => None,
        })
        .ok_or("the session made no rebalanced set")?;
    let seconds = t0.elapsed().as_secs_f64();
    let beats = session.rebalanced().map_or(0, |set| set.len());
    let t1 = std::time::Instant::now();
    let files = match dest {
        Destination::Shards {
            dir,
            beats: per_part,
        } => {
            let set = session
                .rebalanced()
                .ok_or("the session made no rebalanced set")?;
            write_shards(set, &dir, per_part)?
        }
        Destination::File => {
            let format = if a.out.extension().is_some_and(|e| e == "ecgbeats") {
                ExportFormat::EcgBeats
            } else if is_parquet(&a.out) {
                ExportFormat::Parquet
            } else {
                ExportFormat::Csv
            };
            let bytes = ask(&mut session, Request::ExportRebalanced { format })?
                .into_iter()
                .find_map(|r| match r {
                    Response::Export { bytes, .. } => Some(bytes),
                    _ => None,
                })
                .ok_or("the session exported nothing")?;
            write(&a.out, bytes)?;
            vec![a.out.clone()]
        }
    };
    let write_seconds = t1.elapsed().as_secs_f64();
    let r = &report;
    if a.json {
        let value = json!({
            "split": effective.describe(),
            "skipped": skipped,
            "plan": plan.to_string(),
            "before": counts(&r.before),
            "after": counts(&r.after),
            "augmented": r.augmented.to_json(),
            "dropped": r.dropped.to_json(),
            "imbalance_ratio_before": r.before.imbalance_ratio,
            "imbalance_ratio_after": r.after.imbalance_ratio,
            "warnings": r.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "seconds": seconds,
            "beats": beats,
            "write_seconds": write_seconds,
            "out": a.out.display().to_string(),
            "files": files_json(&files),
        });
        println!("{value}");
        return Ok(());
    }
    println!("{:<28} {:>8} {:>8}", "class", "before", "after");
    for (b, after) in r.before.rows.iter().zip(&r.after.rows) {
        println!(
            "{:<28} {:>8} {:>8}",
            format!("{} {}", b.class.code(), b.class.name()),
            b.count,
            after.count
        );
    }
    println!(
        "imbalance ratio {} → {}; {:.2} s; {beats} beats written to {}{}",
        r.before.ratio_text(),
        r.after.ratio_text(),
        seconds,
        a.out.display(),
        if files.len() > 1 {
            format!(" ({} parts)", files.len())
        } else {
            String::new()
        }
    );
    Ok(())
}
