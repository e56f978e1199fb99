//! The run report (`report_html`) of real runs: two short runs of the page's session on four
//! MIT-BIH records (by patient, then a random beat split), checked against the runs' own
//! figures — and a file that makes no request and escapes every text.

mod common;

use common::{ask, find, load_mitdb};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::report::{pct, report_html, thousands};
use ecg_balance_lab::session::views::RunReport;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::training::TrainConfig;

/// DS1 (train) 118, 119, 208; DS2 (test) 100, 213: N, S, V and F beats on both sides.
const RECORDS: [&str; 5] = ["118", "119", "208", "100", "213"];

fn train(s: &mut Session, config: TrainConfig) -> RunReport {
    let out = ask(
        s,
        Request::Train {
            source: None,
            config,
        },
    );
    find(&out, |r| match r {
        Response::TrainResult(r) => Some((**r).clone()),
        _ => None,
    })
}

/// Two runs of one session, trained once for every test: 1 by patient (2 epochs), 2 on a
/// random beat split (1 epoch).
fn two_runs() -> Vec<RunReport> {
    static RUNS: std::sync::OnceLock<Vec<RunReport>> = std::sync::OnceLock::new();
    RUNS.get_or_init(train_two_runs).clone()
}

fn train_two_runs() -> Vec<RunReport> {
    let mut s = Session::new();
    ask(&mut s, load_mitdb(&RECORDS));
    let by_patient = train(
        &mut s,
        TrainConfig::new().with_epochs(2).with_batch_size(512),
    );
    let random = train(
        &mut s,
        TrainConfig::new()
            .with_split(SplitKind::RandomBeats {
                seed: 42,
                test_fraction: 0.2,
            })
            .with_epochs(1)
            .with_batch_size(512),
    );
    vec![by_patient, random]
}

/// The part of `html` from the element with `data-testid="{id}"` to the end of its table.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let end = html[start..].find("</table>").expect("the table ends") + start;
    &html[start..end]
}

/// The section of run `id`.
fn section(html: &str, id: u32) -> &str {
    let start = html
        .find(&format!("<section class=\"run\" id=\"run-{id}\""))
        .expect("the run's section");
    let end = html[start..].find("</section>").expect("the section ends") + start;
    &html[start..end]
}

/// No request can leave the file: no URL, no resource attribute, no stylesheet import.
fn assert_self_contained(html: &str) {
    for bad in [
        "http://",
        "https://",
        "src=",
        "@import",
        "url(",
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@font-face",
    ] {
        assert!(!html.contains(bad), "the report holds {bad:?}");
    }
    for (k, _) in html.match_indices("href=") {
        assert!(
            html[k..].starts_with("href=\"#"),
            "a link other than an anchor: {}",
            &html[k..(k + 40).min(html.len())]
        );
    }
}

#[test]
fn the_report_holds_each_runs_own_figures_and_makes_no_request() {
    let runs = two_runs();
    let html = report_html(&runs, &[1, 2]);
    // Left for a person to open and print.
    let _ = std::fs::write(
        std::env::temp_dir().join("ecg-balance-report-test.html"),
        &html,
    );
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@media print"));

    let r = &runs[0];
    let e = &r.evaluation;
    let one = section(&html, 1);
    // Macro-F1 and each class's figures, as the page writes them.
    assert!(
        one.contains(&format!(
            "<dd data-testid=\"report-macro-f1\">{:.3}</dd>",
            e.macro_f1
        )),
        "macro-F1 {:.3}",
        e.macro_f1
    );
    let per_class = table(one, "report-per-class");
    for (c, m) in AamiClass::ALL.iter().zip(&e.per_class) {
        let row = format!(
            "<tr><th scope=\"row\">{c} ({})</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>",
            c.name(),
            pct(m.se),
            pct(m.ppv),
            m.f1
        );
        assert!(per_class.contains(&row), "{row}");
        assert!(per_class.contains(&format!(
            "<td class=\"num\">{}</td></tr>",
            thousands(m.support as usize)
        )));
    }
    // The confusion matrix, cell by cell in reading order.
    let cm = table(one, "report-confusion");
    let cells: Vec<u64> = cm
        .split("<td class=\"num\" style=\"background:")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find("\">").expect("cell text") + 2..];
            let count = &text[..text.find(" <span").expect("count")];
            count.replace(',', "").parse().expect("a count")
        })
        .collect();
    let want: Vec<u64> = e.confusion.iter().flatten().copied().collect();
    assert_eq!(cells, want);
    assert_eq!(want.iter().sum::<u64>(), r.test_counts.total() as u64);
    // The guide's indicators, judged from the run's own numbers.
    let indicators = table(one, "report-indicators");
    let se = |c: AamiClass| e.per_class[c.index()].se;
    let verdicts = [
        ("F sensitivity", se(AamiClass::F) > 0.70, se(AamiClass::F)),
        ("S sensitivity", se(AamiClass::S) > 0.80, se(AamiClass::S)),
        ("V sensitivity", se(AamiClass::V) > 0.85, se(AamiClass::V)),
        ("overall macro-F1", e.macro_f1 > 0.85, e.macro_f1),
    ];
    for (name, met, value) in verdicts {
        let row_start = indicators.find(name).expect("indicator row");
        let row = &indicators[row_start..];
        let row = &row[..row.find("</tr>").expect("row end")];
        assert!(row.contains(&format!("{} %", pct(value))), "{row}");
        let verdict = if met { "✓ met" } else { "✗ not met" };
        assert!(row.contains(verdict), "{name}: want {verdict} in {row}");
    }
    // The data: fingerprint, records, class balance per split.
    assert_ne!(r.data_fingerprint, 0);
    assert_eq!(
        r.data_fingerprint, runs[1].data_fingerprint,
        "the same data"
    );
    assert!(one.contains(&format!("<code>{:016x}</code>", r.data_fingerprint)));
    assert!(
        one.contains("<dt>Test records</dt><dd>100, 213</dd>"),
        "DS2 records"
    );
    let val = if r.val_records.is_empty() {
        "none".to_string()
    } else {
        r.val_records.join(", ")
    };
    assert!(one.contains(&format!("<dt>Validation records</dt><dd>{val}</dd>")));
    for (name, counts) in [
        ("Training", r.train_counts),
        ("Validation", r.val_counts),
        ("Test", r.test_counts),
    ] {
        let cells: String = counts
            .0
            .iter()
            .chain(std::iter::once(&counts.total()))
            .map(|n| format!("<td class=\"num\">{}</td>", thousands(*n)))
            .collect();
        assert!(
            one.contains(&format!("<tr><th scope=\"row\">{name}</th>{cells}</tr>")),
            "{name} counts"
        );
    }
    // Per record, curves, epochs and the command.
    let records = table(one, "report-per-record");
    for row in r.record_rows() {
        assert!(records.contains(&format!("<th scope=\"row\">{}</th>", row.record)));
    }
    assert!(one.contains("<svg class=\"curves\""));
    assert_eq!(table(one, "report-epochs").matches("<tr><td").count(), 2);
    assert!(one.contains(
        "ecg-balance train --data DIR --out run-1-metrics.json --threads 1 --split inter-patient \
         --split-seed 0 --seed 42 --weights max-over-count --weight-cap 100 --focal-gamma 2 \
         --epochs 2 --patience 4 --batch-size 512 --lr 0.0005</code>"
    ));
    assert!(!one.contains("report-no-flag"));

    // The optimistic run carries the banner; the honest one does not.
    assert!(!one.contains("report-optimistic"));
    let two = section(&html, 2);
    assert!(two.contains("data-testid=\"report-optimistic\""));
    let banner = runs[1]
        .optimistic_text()
        .expect("a random split is optimistic");
    assert!(banner.starts_with("Optimistic"));
    assert!(two.contains(&ecg_balance_lab::report::escape(&banner)));
    // Side by side: both runs, and the setting that differs.
    let cmp = table(&html, "report-comparison");
    for run in &runs {
        assert!(cmp.contains(&format!(
            "Run {0}</a></th><td class=\"num\">{1:.3}</td>",
            run.id, run.evaluation.macro_f1
        )));
    }
    assert!(html.contains("<h3>Settings that differ</h3>"));
    assert!(html.contains("<tr><th scope=\"row\">Split</th>"));
    assert!(html.contains("<tr><th scope=\"row\">Epochs (at most)</th><td>2</td><td>1</td></tr>"));

    // Only the chosen runs, in the chosen order.
    let only_two = report_html(&runs, &[2]);
    assert!(only_two.contains("id=\"run-2\"") && !only_two.contains("id=\"run-1\""));
}

#[test]
fn text_from_files_comes_out_escaped() {
    let mut run = two_runs().remove(0);
    let evil = "<script>alert('x')</script>&\"";
    let cm = run
        .per_record_confusion
        .values()
        .next()
        .cloned()
        .expect("a test record");
    run.per_record_confusion.insert(evil.to_string(), cm);
    run.val_records.push(evil.to_string());
    run.split_text = evil.to_string();
    run.optimistic = true;
    run.seen_test_records = vec![evil.to_string()];
    let html = report_html(&[run], &[]);
    assert_self_contained(&html);
    assert!(!html.contains(evil));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
}
