//! "Adapt to this patient" through the worker's protocol, as the page drives it: a short
//! inter-patient run on three DS1 records, then record 232 (DS2, 78 % S beats): the session picks
//! 20 beats to label, the test answers them from its own copy of 232's annotations (the session
//! is never told to read them), a copy of the model is fine-tuned, and the before/after view
//! scores only the beats that were not queried. Refusals: no model, a training record, a
//! random-split model, labels of beats that were not asked about. The first five minutes can be
//! labelled from the record's annotations when asked explicitly, and Cancel stops the job.
//!
//! One `#[test]`: the backend's seeded initialisation is process-global.

mod common;

use common::{MITDB, ask, clock, find, load_mitdb, read_record, run_for, send};
use ecg_balance_lab::classify::BeatPositions;
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::ecg::aami::{AamiClass, class_of_code};
use ecg_balance_lab::ecg::detect::PeakMethod;
use ecg_balance_lab::session::adapt::{AdaptQueriesView, AdaptView};
use ecg_balance_lab::session::{ErrorKind, Failure, Request, Response, Session};
use ecg_balance_lab::training::TrainConfig;
use ecg_balance_lab::training::patient::Budget;

const TRAIN: [&str; 3] = ["118", "207", "209"];
const DETECTED: BeatPositions = BeatPositions::Detected(PeakMethod::PanTompkins1985Lookahead);

fn refusal(out: &[Response]) -> Failure {
    find(out, |r| match r {
        Response::Error(f) => Some(f.clone()),
        _ => None,
    })
}

fn queries_of(out: &[Response]) -> AdaptQueriesView {
    find(out, |r| match r {
        Response::AdaptQueries(v) => Some((**v).clone()),
        _ => None,
    })
}

fn adapted_of(out: &[Response]) -> AdaptView {
    find(out, |r| match r {
        Response::Adapted(v) => Some((**v).clone()),
        _ => None,
    })
}

fn queries(run: u32, record: &str, budget: Budget) -> Request {
    queries_in(run, record, budget, None)
}

fn queries_in(run: u32, record: &str, budget: Budget, rounds: Option<usize>) -> Request {
    Request::AdaptQueries {
        run,
        record: record.into(),
        lead: None,
        positions: DETECTED,
        budget,
        rounds,
    }
}

fn train(s: &mut Session, split: SplitKind, epochs: usize) -> u32 {
    let out = ask(
        s,
        Request::Train {
            source: None,
            config: TrainConfig::new()
                .with_split(split)
                .with_epochs(epochs)
                .with_seed(3),
        },
    );
    find(&out, |r| match r {
        Response::TrainResult(report) => Some(report.id),
        _ => None,
    })
}

/// The class of the annotated beat nearest `r_sample` within 150 ms, from the test's own copy
/// of the record's annotations.
fn true_class(anns: &[(u64, AamiClass)], r_sample: u64, fs_hz: f64) -> Option<AamiClass> {
    let w = (0.15 * fs_hz) as u64;
    anns.iter()
        .filter(|(s, _)| s.abs_diff(r_sample) <= w)
        .min_by_key(|(s, _)| s.abs_diff(r_sample))
        .map(|&(_, c)| c)
}

#[test]
fn a_model_adapts_to_record_232_through_the_protocol() {
    let mut s = Session::new();
    let mut records = TRAIN.to_vec();
    records.push("232");
    ask(&mut s, load_mitdb(&records));

    // No model yet.
    let f = refusal(&ask(&mut s, queries(1, "232", Budget::Beats { k: 20 })));
    assert_eq!(f.kind, ErrorKind::NotFound);
    assert!(f.message.contains("no model is trained"), "{}", f.message);

    let run = train(&mut s, SplitKind::default(), 3);

    // A record the model was trained on is refused, with the reason.
    let f = refusal(&ask(&mut s, queries(run, "118", Budget::Beats { k: 20 })));
    assert!(
        f.message
            .contains("this record was used to train the model; adapt on a record it has not seen"),
        "{}",
        f.message
    );

    // The person may ask in other rounds than the default two: all 20 at once is one round;
    // no round, or more than the page offers, is refused with the reason.
    let q1 = queries_of(&ask(
        &mut s,
        queries_in(run, "232", Budget::Beats { k: 20 }, Some(1)),
    ));
    assert_eq!((q1.queries.len(), q1.round, q1.rounds), (20, 1, 1));
    let q3 = queries_of(&ask(
        &mut s,
        queries_in(run, "232", Budget::Beats { k: 20 }, Some(3)),
    ));
    assert_eq!(
        (q3.queries.len(), q3.round, q3.rounds),
        (7, 1, 3),
        "7 + 7 + 6"
    );
    for bad in [0, 6] {
        let f = refusal(&ask(
            &mut s,
            queries_in(run, "232", Budget::Beats { k: 20 }, Some(bad)),
        ));
        assert!(
            f.message.contains("asked in 1 to 5 rounds"),
            "{}",
            f.message
        );
    }

    // The session picks 20 beats of 232 in two rounds of 10, each with a strip of signal
    // around it: the model picks the first round.
    let t0 = std::time::Instant::now();
    let q = queries_of(&ask(&mut s, queries(run, "232", Budget::Beats { k: 20 })));
    let select_s = t0.elapsed().as_secs_f64();
    assert_eq!(q.queries.len(), 10);
    assert_eq!((q.round, q.rounds, q.earlier), (1, 2, 0));
    assert!(!q.from_annotations);
    assert!(q.has_reference);
    assert!(q.beats > 1700 && q.beats < 1850, "{} beats", q.beats);
    for b in &q.queries {
        assert!(!b.strip.values.is_empty());
        assert!(b.strip.start_s <= b.t_s && b.t_s <= b.strip.start_s + 4.01);
        assert!(b.strip.beats_s.iter().any(|&t| (t - b.t_s).abs() < 1e-9));
    }
    // Each query says why it is asked: the patient's dominant beat first, then the clearest beat
    // of each class the model calls often enough, then where the model hesitates.
    let whys: Vec<&str> = q.queries.iter().map(|b| b.why.as_str()).collect();
    eprintln!("why: {whys:#?}");
    assert!(
        whys[0].starts_with("Asked first: the patient's most typical beat"),
        "{}",
        whys[0]
    );
    assert!(
        whys[1..]
            .iter()
            .all(|w| w.starts_with("Asked because the model")),
        "{whys:?}"
    );
    assert!(
        whys.iter().any(|w| w.contains("hesitates here")),
        "{whys:?}"
    );

    // A label of a beat nobody asked about is refused.
    let asked: Vec<u32> = q.queries.iter().map(|b| b.index).collect();
    let stray = (0..q.beats as u32)
        .find(|i| !asked.contains(i))
        .unwrap_or(0);
    let f = refusal(&ask(
        &mut s,
        Request::Adapt {
            run,
            record: "232".into(),
            labels: vec![(stray, AamiClass::S)],
            from_annotations: false,
        },
    ));
    assert!(
        f.message.contains("not among the beats asked about"),
        "{}",
        f.message
    );

    // The person (here: the test's own copy of the annotations) labels the queried beats.
    let rec = read_record(MITDB, "232", true);
    let anns: Vec<(u64, AamiClass)> = rec
        .annotations
        .iter()
        .filter_map(|a| class_of_code(a.code).map(|c| (a.sample, c)))
        .collect();
    let label = |q: &AdaptQueriesView| -> Vec<(u32, AamiClass)> {
        q.queries
            .iter()
            .filter_map(|b| true_class(&anns, b.r_sample, rec.fs_hz).map(|c| (b.index, c)))
            .collect()
    };
    let first = label(&q);
    // Round 1's labels: a copy is fine-tuned on them and picks the second round, which the
    // session now accepts labels for; no result yet.
    let t0 = std::time::Instant::now();
    let out = ask(
        &mut s,
        Request::Adapt {
            run,
            record: "232".into(),
            labels: first.clone(),
            from_annotations: false,
        },
    );
    let round_s = t0.elapsed().as_secs_f64();
    assert!(
        !out.iter().any(|r| matches!(r, Response::Adapted(_))),
        "round 1 of 2 gives the next beats, not a result"
    );
    let q2 = queries_of(&out);
    assert_eq!((q2.round, q2.rounds, q2.earlier), (2, 2, 10));
    assert_eq!(q2.queries.len(), 20);
    assert_eq!(
        q2.queries[..10],
        q.queries[..],
        "round 1's beats head the list"
    );
    let mut all: Vec<u32> = q2.queries.iter().map(|b| b.index).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 20, "round 2 asks about 10 new beats");
    let whys2: Vec<&str> = q2.queries[10..].iter().map(|b| b.why.as_str()).collect();
    assert!(
        whys2
            .iter()
            .all(|w| w.starts_with("Asked because the copy fine-tuned on your labels")),
        "{whys2:?}"
    );
    let labels = label(&q2);
    // Most queries are annotated beats. The copies fine-tuned at the adaptation's learning rate
    // (1.5e-3) also ask about a few detections no annotation marks as a beat — on this build 3,
    // each 0.65–0.7 s from the nearest annotated beat, which the copy puts between S and V — and
    // the person, here the annotations, leaves those unlabelled (18 were matched at 3e-4).
    assert!(
        labels.len() >= 17,
        "{} of 20 queried beats match an annotation",
        labels.len()
    );
    let t0 = std::time::Instant::now();
    let out = ask(
        &mut s,
        Request::Adapt {
            run,
            record: "232".into(),
            labels: labels.clone(),
            from_annotations: false,
        },
    );
    let adapt_s = t0.elapsed().as_secs_f64();
    assert!(
        out.iter()
            .any(|r| matches!(r, Response::Progress(p) if p.job == "adapt"))
    );
    let v = adapted_of(&out);
    assert_eq!(v.queried, 20);
    assert_eq!(v.labelled, labels.len());
    assert_eq!(v.counts_before.total(), q.beats);
    assert_eq!(v.counts_after.total(), q.beats);
    // A query asked for a class names how many beats the model calls that class: the record's
    // classes before fine-tuning, counted by the result's own path, must agree.
    let mut cited = 0;
    for w in &whys {
        if let Some(rest) = w.strip_prefix("Asked because the model calls ") {
            let mut it = rest.split(' ');
            let n: usize = it.next().and_then(|x| x.parse().ok()).expect("a count");
            let code = rest
                .split("beats ")
                .nth(1)
                .and_then(|x| x.split(' ').next());
            let class = code.and_then(AamiClass::from_code).expect("a class code");
            assert_eq!(n, v.counts_before.get(class), "{w}");
            cited += 1;
        }
    }
    assert!(cited >= 1, "no query was asked for a class: {whys:?}");
    let sc = v.scores.clone().expect("232 has annotations: scored");
    assert_eq!(sc.scored + sc.unmatched, q.beats - 20);
    assert!(sc.scored > 1650, "{} unqueried beats scored", sc.scored);
    let s_row = &sc.classes[AamiClass::S.index()];
    let (f1_before, f1_after) = (s_row.before.f1, s_row.after.f1);
    eprintln!(
        "232, k = 20 ({} labelled: {:?}): S F1 on {} unqueried beats {f1_before:.3} → {f1_after:.3} \
         (Se {:.3} → {:.3}, +P {:.3} → {:.3}); counts {:?} → {:?}; queries {select_s:.1} s, \
         round 1 {round_s:.1} s, adaptation {adapt_s:.1} s ({} optimizer steps)",
        v.labelled,
        v.labelled_counts,
        sc.scored,
        s_row.before.se,
        s_row.after.se,
        s_row.before.ppv,
        s_row.after.ppv,
        v.counts_before,
        v.counts_after,
        v.steps,
    );
    assert!(f1_after.is_finite() && (0.0..=1.0).contains(&f1_after));
    assert!(
        f1_after > f1_before,
        "S F1 on the unqueried beats: {f1_before} → {f1_after}"
    );
    // S support is the annotated S beats less the queried ones.
    assert!(s_row.after.support > 1300, "{}", s_row.after.support);
    // The macro-F1 averages the classes 232 has (N and S), not V and F it has none of.
    assert_eq!(sc.macro_classes, [AamiClass::N, AamiClass::S]);
    assert!(sc.macro_f1_after > sc.macro_f1_before);

    // The AAMI protocol: the first five minutes labelled from the annotations, on request.
    let q5 = queries_of(&ask(
        &mut s,
        queries(run, "232", Budget::FirstMinutes { minutes: 5.0 }),
    ));
    assert!(q5.from_annotations);
    assert!(
        q5.queries
            .iter()
            .all(|b| b.t_s < 300.0 && b.strip.values.is_empty())
    );
    let n5 = q5.queries.len();
    assert!(n5 > 250 && n5 < 450, "{n5} beats in the first 5 minutes");
    let v5 = adapted_of(&ask(
        &mut s,
        Request::Adapt {
            run,
            record: "232".into(),
            labels: Vec::new(),
            from_annotations: true,
        },
    ));
    assert!(v5.from_annotations);
    assert_eq!(v5.queried, n5);
    let sc5 = v5.scores.expect("scored on the remaining 25 minutes");
    assert_eq!(sc5.scored + sc5.unmatched, q5.beats - n5);
    eprintln!(
        "232, first 5 min ({n5} beats from the annotations): S F1 on the other 25 min {:.3} → {:.3}",
        sc5.classes[1].before.f1, sc5.classes[1].after.f1
    );

    // Cancel stops the fine-tuning between optimizer steps; the session is free again.
    let now = clock();
    let q = queries_of(&ask(&mut s, queries(run, "232", Budget::Beats { k: 5 })));
    send(
        &mut s,
        Request::Adapt {
            run,
            record: "232".into(),
            labels: q.queries.iter().map(|b| (b.index, AamiClass::S)).collect(),
            from_annotations: false,
        },
        &now,
    );
    let (more, _) = run_for(&mut s, 20.0, &now);
    assert!(more && s.busy());
    let out = send(&mut s, Request::Cancel, &now);
    assert!(
        out.iter()
            .any(|r| matches!(r, Response::Cancelled { message } if message.contains("unchanged")))
    );
    assert!(!s.busy());

    // A model trained on a random beat split is refused: every record is on both sides.
    let random = train(
        &mut s,
        SplitKind::RandomBeats {
            seed: 1,
            test_fraction: 0.2,
        },
        1,
    );
    let f = refusal(&ask(
        &mut s,
        queries(random, "232", Budget::Beats { k: 20 }),
    ));
    assert!(f.message.contains("random beat split"), "{}", f.message);
}
