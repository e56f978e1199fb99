//! `ecg-balance stats`: class counts per record, in total and per side of the split — the
//! page's distribution tables.

use serde_json::{Value, json};

use super::load;
use crate::args::StatsArgs;
use ecg_balance_lab::ecg::aami::ClassCounts;
use ecg_balance_lab::session::views::{NamedDistribution, distribution_view};

pub fn run(a: &StatsArgs) -> Result<(), String> {
    let loaded = load(&a.run.data.data)?;
    let skipped = loaded.skipped_json();
    let mut session = loaded.session;
    let ws = &mut session.workspace;
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
    let d = distribution_view(ws, source, a.run.split_kind());
    let side = |n: &NamedDistribution| {
        let mut counts = ClassCounts::default();
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
    if a.json {
        let out: Value = json!({
            "records": records,
            "totals": totals.to_json(),
            "beats": totals.total(),
            "skipped": skipped,
            "split": {
                "kind": a.run.split.split.name(),
                "description": d.split_text,
                "optimistic": d.optimistic,
                "train": side(&d.train),
                "test": side(&d.test),
                "excluded": d.excluded.to_json(),
            },
        });
        println!("{out}");
        return Ok(());
    }
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
    Ok(())
}
