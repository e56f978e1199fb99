//! The run report a person hands in: one self-contained HTML file ([`report_html`]) built from
//! the page's [`RunReport`]s — the data (fingerprint, validation and test records, class balance
//! per split), the settings, how to run it again with the CLI, the curves (inline SVG), the
//! per-class, confusion and per-record tables, the guide's success indicators, the timings, and
//! the chosen runs side by side.
//!
//! The file makes no request: inline CSS and SVG only, no script, no link but `#` anchors, and
//! every piece of text is HTML-escaped ([`escape`]). Numbers are formatted as the page shows
//! them: percentages with one decimal, F1 with three.

use std::fmt::Write as _;

use crate::dataset::split::SplitKind;
use crate::dataset::weights::WeightScheme;
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::session::views::RunReport;
use crate::training::TrainConfig;
use crate::workspace::BeatSource;

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by entities: safe as element text and as a
/// quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `n` with a comma every three digits (`36,000`), as the page writes counts.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A fraction as a percentage with one decimal, without the sign (`0.8123` → `81.2`).
pub fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

/// The file name the page offers the report under.
pub const REPORT_FILE_NAME: &str = "ecg-balance-report.html";

/// The settings of a run as (name, value) rows, in the order of the settings table; the
/// comparison shows the rows whose values differ between runs.
pub fn settings_rows(c: &TrainConfig) -> Vec<(&'static str, String)> {
    let on = |b: bool| if b { "on" } else { "off" }.to_string();
    let split = match c.split {
        SplitKind::InterPatient {
            seed,
            test_fraction,
        } => format!(
            "by patient (DS1 → train, DS2 → test); other records {:.0} % test, seed {seed}",
            test_fraction * 100.0
        ),
        SplitKind::RandomBeats {
            seed,
            test_fraction,
        } => format!(
            "random beats, {:.0} % test, seed {seed} (optimistic)",
            test_fraction * 100.0
        ),
        SplitKind::Given => "given by the files".to_string(),
    };
    let weights = match c.weights {
        WeightScheme::None => "none (every class 1)".to_string(),
        WeightScheme::MaxOverCount => "max count / class count".to_string(),
        WeightScheme::InverseFrequency => "inverse frequency, mean 1".to_string(),
        WeightScheme::EffectiveNumber { beta } => format!("effective number, β {beta}"),
    };
    vec![
        ("Split", split),
        ("Seed", c.seed.to_string()),
        ("Class weights", weights),
        (
            "Weight cap",
            c.weight_cap.map_or("none".into(), |w| format!("{w} : 1")),
        ),
        (
            "Focal loss γ",
            c.focal_gamma
                .map_or("off (cross-entropy)".into(), |g| g.to_string()),
        ),
        ("Epochs (at most)", c.epochs.to_string()),
        ("Batch size", c.batch_size.to_string()),
        ("Learning rate", c.learning_rate.to_string()),
        ("Learning-rate schedule", format!("{:?}", c.schedule)),
        ("Patience (epochs)", c.patience.to_string()),
        ("Ensemble (best epochs voting)", c.ensemble.to_string()),
        ("Validation share", pct(c.validation_fraction) + " %"),
        (
            "Rebalancing",
            c.rebalance.as_ref().map_or("none".into(), |r| {
                format!("{}, seed {}", r.plan.describe(), r.seed)
            }),
        ),
        (
            "Synthetic beats",
            c.synthetic.as_ref().map_or("none".into(), |s| s.describe()),
        ),
        ("Jitter", on(c.jitter)),
        ("Rhythm features", on(c.rhythm)),
        ("Relative RR features only", on(c.rr_relative_only)),
        ("Second lead", on(c.second_lead)),
        (
            "Calibration",
            if c.calibrates() && !c.calibrate {
                "on (always on a beat-level split)".into()
            } else {
                on(c.calibrate)
            },
        ),
    ]
}

/// The `ecg-balance train` command that trains `run` again ([`TrainConfig::cli_args`]), with
/// `--threads 1`: the page trains on one worker, and one thread gives its run bit for bit.
pub fn reproduce_command(run: &RunReport) -> String {
    let mut cmd = format!(
        "ecg-balance train --data DIR --out run-{}-metrics.json --threads 1",
        run.id
    );
    for a in run.config.cli_args() {
        cmd.push(' ');
        cmd.push_str(&a);
    }
    cmd
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;background:#fff;max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.3em;margin:1.6em 0 .4em;border-bottom:2px solid #d0d7de;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.3em 0 .8em;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f5f7}
td.num,th.num{text-align:right}
.muted{color:#57606a}.small{font-size:.9em}
.banner{border:2px solid #b42318;background:#fdf1f0;color:#7a1a12;padding:8px 12px;margin:.6em 0;font-weight:600}
.met{color:#116329;font-weight:600}.unmet{color:#b42318;font-weight:600}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere}
code{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:.92em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.3em 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
svg.curves{width:100%;max-width:680px;height:auto;border:1px solid #d0d7de}
svg .axis{stroke:#57606a;stroke-width:1}svg .loss{fill:none;stroke:#1f6feb;stroke-width:2}
svg .f1{fill:none;stroke:#d4600c;stroke-width:2}svg text{font-size:11px;fill:#1b1f24}svg text.legend-loss{fill:#1f6feb}svg text.legend-f1{fill:#d4600c}
nav ul{columns:2;margin:.3em 0}
@page{margin:14mm}
@media print{
body{max-width:none;padding:0;font-size:10.5pt}
nav{display:none}
section.run{break-before:page}
table,tr,figure,svg,pre,dl,.banner{break-inside:avoid}
h2,h3{break-after:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
}
";

/// One self-contained HTML report of the runs whose ids are in `chosen`, in that order (every
/// run of `runs` when `chosen` is empty; ids without a run are skipped): a side-by-side
/// comparison, then each run in full.
pub fn report_html(runs: &[RunReport], chosen: &[u32]) -> String {
    let picked: Vec<&RunReport> = if chosen.is_empty() {
        runs.iter().collect()
    } else {
        chosen
            .iter()
            .filter_map(|id| runs.iter().find(|r| r.id == *id))
            .collect()
    };
    let mut h = String::with_capacity(16_384 + picked.len() * 24_576);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let ids: Vec<String> = picked.iter().map(|r| format!("#{}", r.id)).collect();
    let _ = writeln!(
        h,
        "<title>ECG Balance Lab — run report ({})</title>",
        escape(&ids.join(", "))
    );
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        h,
        "<header><h1>ECG Balance Lab — run report</h1><p class=\"muted\">{} run{} ({}) · \
         ECG Balance Lab {} · a heartbeat classifier (AAMI EC57 classes N, S, V, F, Q) trained \
         in the browser; every figure is on the run's test records.</p></header>",
        picked.len(),
        if picked.len() == 1 { "" } else { "s" },
        escape(&ids.join(", ")),
        env!("CARGO_PKG_VERSION")
    );
    if picked.is_empty() {
        h.push_str("<p>No run to report: train a run first.</p>\n</body>\n</html>\n");
        return h;
    }
    h.push_str(
        "<nav aria-label=\"Contents\"><ul><li><a href=\"#comparison\">Runs side by side</a></li>",
    );
    for r in &picked {
        let _ = write!(h, "<li><a href=\"#run-{0}\">Run {0}</a></li>", r.id);
    }
    h.push_str("</ul></nav>\n");
    comparison(&mut h, &picked);
    for r in &picked {
        run_section(&mut h, r);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn comparison(h: &mut String, runs: &[&RunReport]) {
    h.push_str("<section id=\"comparison\" aria-labelledby=\"comparison-title\">\n");
    h.push_str("<h2 id=\"comparison-title\">Runs side by side</h2>\n");
    h.push_str("<table data-testid=\"report-comparison\"><thead><tr><th scope=\"col\">Run</th><th scope=\"col\" class=\"num\">Macro-F1</th><th scope=\"col\" class=\"num\">Macro-F1 (N, S, V, F)</th>");
    for c in AamiClass::ALL {
        let _ = write!(h, "<th scope=\"col\" class=\"num\">{c} F1</th>");
    }
    h.push_str("<th scope=\"col\" class=\"num\">Accuracy %</th><th scope=\"col\" class=\"num\">Indicators met</th><th scope=\"col\">Split</th></tr></thead><tbody>\n");
    for r in runs {
        let e = &r.evaluation;
        let _ = write!(
            h,
            "<tr><th scope=\"row\"><a href=\"#run-{0}\">Run {0}</a>{1}</th><td class=\"num\">{2:.3}</td><td class=\"num\">{3:.3}</td>",
            r.id,
            if r.cancelled { " (cancelled)" } else { "" },
            e.macro_f1,
            e.macro_f1_nsvf
        );
        for m in &e.per_class {
            let _ = write!(h, "<td class=\"num\">{:.3}</td>", m.f1);
        }
        let met = e.indicators.iter().filter(|i| i.pass).count();
        let _ = writeln!(
            h,
            "<td class=\"num\">{}</td><td class=\"num\">{met} of {}</td><td>{}</td></tr>",
            pct(e.accuracy),
            e.indicators.len(),
            if r.optimistic {
                "optimistic"
            } else {
                "by patient"
            }
        );
    }
    h.push_str("</tbody></table>\n");
    if runs.len() > 1 {
        let rows: Vec<Vec<(&'static str, String)>> =
            runs.iter().map(|r| settings_rows(&r.config)).collect();
        let differing: Vec<usize> = (0..rows[0].len())
            .filter(|&k| rows.iter().any(|row| row[k].1 != rows[0][k].1))
            .collect();
        h.push_str("<h3>Settings that differ</h3>\n");
        if differing.is_empty() {
            h.push_str("<p>The chosen runs share every setting.</p>\n");
        } else {
            h.push_str("<table><thead><tr><th scope=\"col\">Setting</th>");
            for r in runs {
                let _ = write!(h, "<th scope=\"col\">Run {}</th>", r.id);
            }
            h.push_str("</tr></thead><tbody>\n");
            for k in differing {
                let _ = write!(h, "<tr><th scope=\"row\">{}</th>", escape(rows[0][k].0));
                for row in &rows {
                    let _ = write!(h, "<td>{}</td>", escape(&row[k].1));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody></table>\n");
        }
    }
    h.push_str("</section>\n");
}

fn counts_row(h: &mut String, name: &str, c: &ClassCounts) {
    let _ = write!(h, "<tr><th scope=\"row\">{}</th>", escape(name));
    for k in AamiClass::ALL {
        let _ = write!(h, "<td class=\"num\">{}</td>", thousands(c.get(k)));
    }
    let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", thousands(c.total()));
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        escape(&names.join(", "))
    }
}

fn run_section(h: &mut String, r: &RunReport) {
    let _ = writeln!(
        h,
        "<section class=\"run\" id=\"run-{0}\" aria-labelledby=\"run-{0}-title\">\n<h2 id=\"run-{0}-title\">Run {0}{1}</h2>",
        r.id,
        if r.cancelled {
            " — cancelled (the best model so far was kept)"
        } else {
            ""
        }
    );
    if let Some(text) = r.optimistic_text() {
        let _ = writeln!(
            h,
            "<p class=\"banner\" data-testid=\"report-optimistic\">{}</p>",
            escape(&text)
        );
    }
    if r.trained_on_unknown {
        h.push_str("<p class=\"banner\">This model file does not say which records it was trained on: if any test record was among them, these figures are optimistic.</p>\n");
    }
    data_part(h, r);
    settings_part(h, r);
    results_part(h, r);
    curves_part(h, r);
    h.push_str("</section>\n");
}

fn data_part(h: &mut String, r: &RunReport) {
    h.push_str("<h3>Data</h3>\n<dl class=\"facts\">");
    let source = match r.source {
        BeatSource::Records => "beats cut from the loaded records",
        BeatSource::BeatFiles => "the loaded beat files",
    };
    let fingerprint = if r.data_fingerprint == 0 {
        "not recorded (a run from before fingerprints)".to_string()
    } else {
        format!(
            "<code>{:016x}</code> (FNV-1a over every beat's label, record, R peak, window and RR features, before the split)",
            r.data_fingerprint
        )
    };
    let test_records: Vec<String> = r.per_record_confusion.keys().cloned().collect();
    let _ = write!(
        h,
        "<dt>Source</dt><dd>{source}</dd><dt>Data fingerprint</dt><dd data-testid=\"report-fingerprint\">{fingerprint}</dd>\
         <dt>Split</dt><dd>{}</dd><dt>Validation records</dt><dd>{}</dd><dt>Test records</dt><dd>{}</dd>",
        escape(&r.split_text),
        if r.val_records.is_empty() && r.val_counts.total() > 0 {
            "none: the validation beats are drawn beat by beat".to_string()
        } else {
            list_or_none(&r.val_records)
        },
        list_or_none(&test_records),
    );
    if !r.seen_test_records.is_empty() {
        let _ = write!(
            h,
            "<dt>Test records the model was trained on</dt><dd>{}</dd>",
            list_or_none(&r.seen_test_records)
        );
    }
    let weights: Vec<String> = AamiClass::ALL
        .iter()
        .zip(r.class_weights)
        .map(|(c, w)| format!("{c} {w:.2}"))
        .collect();
    let _ = writeln!(
        h,
        "<dt>Class weights</dt><dd>{}</dd><dt>Beat window</dt><dd>{} samples at {} Hz, R peak at sample {}</dd></dl>",
        weights.join(" · "),
        r.layout.len,
        r.layout.fs_hz,
        r.layout.r_index
    );
    h.push_str("<table><caption class=\"muted small\">Class balance per split (beats)</caption><thead><tr><th scope=\"col\">Split</th>");
    for c in AamiClass::ALL {
        let _ = write!(h, "<th scope=\"col\" class=\"num\">{c}</th>");
    }
    h.push_str("<th scope=\"col\" class=\"num\">Total</th></tr></thead><tbody>\n");
    counts_row(h, "Training", &r.train_counts);
    if let Some(added) = &r.synthetic_added {
        counts_row(h, "of which synthetic", added);
    }
    counts_row(h, "Validation", &r.val_counts);
    counts_row(h, "Test", &r.test_counts);
    h.push_str("</tbody></table>\n");
}

fn settings_part(h: &mut String, r: &RunReport) {
    h.push_str("<h3>Settings</h3>\n<table><tbody>\n");
    for (name, value) in settings_rows(&r.config) {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(name),
            escape(&value)
        );
    }
    h.push_str("</tbody></table>\n<h3>Run it again with the command line</h3>\n");
    let _ = writeln!(
        h,
        "<pre data-testid=\"report-command\"><code>{}</code></pre>",
        escape(&reproduce_command(r))
    );
    h.push_str("<p class=\"small\">DIR: a folder holding the same records the page had loaded (the data fingerprint above identifies them). <code>--threads 1</code> trains on one thread as the page's worker does, which gives the same run bit for bit.");
    let demo = r
        .per_record_confusion
        .keys()
        .chain(&r.val_records)
        .any(|n| n.starts_with("demo"));
    if demo {
        h.push_str(" These records look like the page's built-in synthetic demo set, which the command line does not generate: DIR must hold them as files.");
    }
    h.push_str("</p>\n");
    let missing = r.config.without_cli_flag();
    if !missing.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"banner\" data-testid=\"report-no-flag\">No command-line option sets: {}. The command trains with the command line's value instead, so it does not reproduce this run exactly.</p>",
            escape(&missing.join("; "))
        );
    }
}

fn results_part(h: &mut String, r: &RunReport) {
    let e = &r.evaluation;
    h.push_str("<h3>Results on the test set</h3>\n<table data-testid=\"report-per-class\"><thead><tr><th scope=\"col\">Class</th><th scope=\"col\" class=\"num\">Se %</th><th scope=\"col\" class=\"num\">+P %</th><th scope=\"col\" class=\"num\">F1</th><th scope=\"col\" class=\"num\">Spec %</th><th scope=\"col\" class=\"num\">Support</th></tr></thead><tbody>\n");
    for (c, m) in AamiClass::ALL.iter().zip(&e.per_class) {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{c} ({})</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(c.name()),
            pct(m.se),
            pct(m.ppv),
            m.f1,
            pct(m.spec),
            thousands(m.support as usize)
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table>\n<dl class=\"facts\"><dt>Macro-F1</dt><dd data-testid=\"report-macro-f1\">{:.3}</dd><dt>Macro-F1 (N, S, V, F)</dt><dd>{:.3}</dd><dt>Weighted F1</dt><dd>{:.3}</dd><dt>Accuracy</dt><dd>{} %</dd></dl>",
        e.macro_f1,
        e.macro_f1_nsvf,
        e.weighted_f1,
        pct(e.accuracy)
    );
    h.push_str("<h3>The guide's success indicators</h3>\n<table data-testid=\"report-indicators\"><thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\" class=\"num\">This run</th><th scope=\"col\">Verdict</th></tr></thead><tbody>\n");
    for i in &e.indicators {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{} &gt; {:.0} %</th><td class=\"num\">{} %</td><td class=\"{}\">{}</td></tr>",
            escape(&i.name),
            i.threshold * 100.0,
            pct(i.value),
            if i.pass { "met" } else { "unmet" },
            if i.pass { "✓ met" } else { "✗ not met" }
        );
    }
    h.push_str("</tbody></table>\n<h3>Confusion matrix</h3>\n<table data-testid=\"report-confusion\"><caption class=\"muted small\">Rows: true class · columns: predicted · count and % of the row</caption><thead><tr><th scope=\"col\">true \\ predicted</th>");
    for c in &e.classes {
        let _ = write!(h, "<th scope=\"col\" class=\"num\">{}</th>", escape(c));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (t, (row, shares)) in e.confusion.iter().zip(&e.confusion_row_percent).enumerate() {
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}</th>",
            escape(e.classes.get(t).map_or("?", String::as_str))
        );
        for (p, (&v, share)) in row.iter().zip(shares).enumerate() {
            // Light tints only: the report prints on paper.
            let tint = if t == p {
                format!("rgba(17,99,41,{:.2})", 0.05 + 0.3 * share / 100.0)
            } else {
                format!("rgba(180,35,24,{:.2})", 0.3 * share / 100.0)
            };
            let _ = write!(
                h,
                "<td class=\"num\" style=\"background:{tint}\">{} <span class=\"muted small\">{share:.1} %</span></td>",
                thousands(v as usize)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    record_table(h, r);
}

fn record_table(h: &mut String, r: &RunReport) {
    h.push_str("<h3>Per record: where the S, V and F errors live</h3>\n");
    let rows = r.record_rows();
    if rows.is_empty() {
        h.push_str("<p>No test record holds an S, V or F beat or false alarm.</p>\n");
        return;
    }
    h.push_str("<table data-testid=\"report-per-record\"><thead><tr><th scope=\"col\">Record</th><th scope=\"col\" class=\"num\">Beats</th>");
    for c in ["S", "V", "F"] {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\">{c} found</th><th scope=\"col\" class=\"num\">{c} Se %</th><th scope=\"col\" class=\"num\">{c} false alarms</th>"
        );
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td>",
            escape(&row.record),
            thousands(row.beats as usize)
        );
        for c in &row.classes {
            let _ = write!(
                h,
                "<td class=\"num\">{} / {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                thousands(c.found as usize),
                thousands(c.support as usize),
                c.se.map_or("–".to_string(), pct),
                thousands(c.false_alarms as usize)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn curves_part(h: &mut String, r: &RunReport) {
    h.push_str("<h3>Training curves</h3>\n");
    if r.history.is_empty() {
        h.push_str("<p>No finished epoch.</p>\n");
    } else {
        h.push_str(&curves_svg(r));
    }
    h.push_str("<h3>Epochs and timings</h3>\n<table data-testid=\"report-epochs\"><thead><tr><th scope=\"col\" class=\"num\">Epoch</th><th scope=\"col\" class=\"num\">Training loss</th><th scope=\"col\" class=\"num\">Validation macro-F1</th><th scope=\"col\">Best so far</th><th scope=\"col\" class=\"num\">Time, s</th></tr></thead><tbody>\n");
    for (k, e) in r.history.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.3}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            e.epoch,
            e.train_loss,
            e.val_macro_f1,
            if e.best { "yes" } else { "" },
            r.epoch_seconds
                .get(k)
                .map_or("–".to_string(), |s| format!("{s:.1}"))
        );
    }
    let ensemble: Vec<String> = r.ensemble_epochs.iter().map(usize::to_string).collect();
    let _ = writeln!(
        h,
        "</tbody></table>\n<p class=\"small\">Split and preparation {:.1} s · training and scoring {:.1} s · the models of epoch{} {} vote.</p>",
        r.prepare_seconds,
        r.train_seconds,
        if ensemble.len() == 1 { "" } else { "s" },
        if ensemble.is_empty() {
            "–".to_string()
        } else {
            ensemble.join(", ")
        }
    );
}

/// Training loss (left axis, from 0 to its largest value) and validation macro-F1 (right axis,
/// 0 to 1) per epoch, as inline SVG.
fn curves_svg(r: &RunReport) -> String {
    let (w, ht) = (600.0_f64, 180.0_f64);
    let n = r.history.len().max(2) as f64;
    let x = |k: usize| k as f64 / (n - 1.0) * w;
    let hi = r
        .history
        .iter()
        .map(|e| f64::from(e.train_loss))
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let y_of = |v: f64| if v.is_finite() { ht - v * ht } else { ht };
    let loss: Vec<String> = r
        .history
        .iter()
        .enumerate()
        .map(|(k, e)| format!("{:.1},{:.1}", x(k), y_of(f64::from(e.train_loss) / hi)))
        .collect();
    let f1: Vec<String> = r
        .history
        .iter()
        .enumerate()
        .map(|(k, e)| format!("{:.1},{:.1}", x(k), y_of(e.val_macro_f1)))
        .collect();
    let mut s = format!(
        "<svg class=\"curves\" viewBox=\"-50 -12 {} {}\" role=\"img\" aria-labelledby=\"curves-{id}-title\"><title id=\"curves-{id}-title\">Run {id}: training loss and validation macro-F1 per epoch</title>",
        w + 100.0,
        ht + 52.0,
        id = r.id
    );
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"0\" y1=\"{ht}\" x2=\"{w}\" y2=\"{ht}\"/><line class=\"axis\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"{ht}\"/><line class=\"axis\" x1=\"{w}\" y1=\"0\" x2=\"{w}\" y2=\"{ht}\"/>\
         <text x=\"-6\" y=\"4\" text-anchor=\"end\">{hi:.3}</text><text x=\"-6\" y=\"{ht}\" text-anchor=\"end\">0</text>\
         <text x=\"{}\" y=\"4\">1.0</text><text x=\"{}\" y=\"{ht}\">0</text>",
        w + 6.0,
        w + 6.0
    );
    for (k, e) in r.history.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(k),
            ht + 14.0,
            e.epoch
        );
    }
    let _ = write!(
        s,
        "<polyline class=\"loss\" points=\"{}\"/><polyline class=\"f1\" points=\"{}\"/>",
        loss.join(" "),
        f1.join(" ")
    );
    for (k, e) in r.history.iter().enumerate().filter(|(_, e)| e.best) {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#d4600c\"/>",
            x(k),
            y_of(e.val_macro_f1)
        );
    }
    let _ = writeln!(
        s,
        "<text class=\"legend-loss\" x=\"0\" y=\"{}\">— training loss (left axis)</text><text class=\"legend-f1\" x=\"{}\" y=\"{}\">— validation macro-F1 (right axis; dots: best so far) · x: epoch</text></svg>",
        ht + 34.0,
        w * 0.4,
        ht + 34.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup_and_thousands_groups_digits() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(escape("DS1 → 119, γ"), "DS1 → 119, γ");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(36_000), "36,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn no_run_gives_a_page_that_says_so() {
        let html = report_html(&[], &[3]);
        assert!(html.contains("No run to report"));
        assert!(html.ends_with("</html>\n"));
    }
}
