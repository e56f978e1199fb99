//! Synthetic beats through the worker protocol and the train-on-synthetic / test-on-real check:
//! a session on the demo set generates a plan (progress, quality report with every figure
//! computed, the set kept), a training run adds it to the training beats only and reports the
//! setting; Cancel keeps nothing; bad plans are errors. On MIT-BIH's DS1 the check runs in
//! seconds natively and prints its sensitivities and the generator's speed.

mod common;

use common::{ask, clock, find, mitdb_beats, run_for, send};
use ecg_balance_lab::dataset::split::SplitKind;
use ecg_balance_lab::dataset::synthetic::plan::{SynthGeneration, SynthMode, SynthTrainConfig};
use ecg_balance_lab::dataset::synthetic::{SynthConfig, synth_beats, synth_patient_beats};
use ecg_balance_lab::dataset::{BeatLayout, BeatSet, Origin};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::features::Templates;
use ecg_balance_lab::session::{Request, Response, Session};
use ecg_balance_lab::synth_train::TstrJob;
use ecg_balance_lab::training::{TrainConfig, prepare_run};
use ecg_balance_lab::workspace::{BeatSource, Workspace};

fn plan() -> SynthTrainConfig {
    SynthTrainConfig {
        counts: vec![
            (AamiClass::F, 400),
            (AamiClass::S, 300),
            (AamiClass::V, 200),
        ],
        mode: SynthMode::Default,
        seed: 42,
    }
}

#[test]
fn session_generates_reports_and_trains_with_synthetic_beats() {
    let now = clock();
    let mut s = Session::new();
    ask(&mut s, Request::LoadDemo { seed: 2003 });

    // A bad plan is an error, not a job.
    let bad = SynthTrainConfig {
        counts: vec![(AamiClass::F, 0)],
        ..plan()
    };
    let out = ask(
        &mut s,
        Request::Synthesize {
            split: SplitKind::default(),
            config: bad,
        },
    );
    assert!(matches!(out.as_slice(), [Response::Error(_)]), "{out:?}");
    assert!(!s.busy());

    // Cancel keeps nothing and leaves the session usable.
    let synthesize = || Request::Synthesize {
        split: SplitKind::default(),
        config: plan(),
    };
    send(&mut s, synthesize(), &now);
    assert!(s.busy());
    run_for(&mut s, 2.0, &now);
    send(&mut s, Request::Cancel, &now);
    assert!(!s.busy());

    let out = ask(&mut s, synthesize());
    assert!(
        out.iter()
            .any(|r| matches!(r, Response::Progress(p) if p.job == "synth"))
    );
    let view = find(&out, |r| match r {
        Response::Synthesized(v) => Some(v.clone()),
        _ => None,
    });
    assert_eq!(view.counts.get(AamiClass::F), 400);
    assert!(view.beats_per_second > 0.0);
    assert_eq!(view.classes.len(), 3);
    for c in &view.classes {
        assert!(c.n_real > 0, "{:?}", c.class);
        let corr = c.corr_median.expect("correlation");
        assert!((-1.0..=1.0).contains(&corr));
        assert!(c.corr_q25 <= c.corr_q75);
        assert!(c.nn_synthetic_to_real_mv.expect("distance") > 0.0);
        let se = c.tstr_sensitivity.expect("train-on-synthetic sensitivity");
        assert!((0.0..=1.0).contains(&se));
        assert!(c.tstr_support > 0);
        assert_eq!(c.real_mean.len(), view.layout.len);
        assert!(!c.examples.is_empty());
    }
    // The view survives the JSON trip to the page (no NaN).
    let json = serde_json::to_string(&Response::Synthesized(view.clone())).expect("json");
    let back: Response = serde_json::from_str(&json).expect("the page can read it");
    assert!(matches!(back, Response::Synthesized(_)));

    // Training with the plan: the run reports it and trains on real + synthetic beats.
    let config = TrainConfig::new()
        .with_epochs(1)
        .with_synthetic(Some(plan()));
    let out = ask(
        &mut s,
        Request::Train {
            source: None,
            config,
        },
    );
    let report = find(&out, |r| match r {
        Response::TrainResult(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(report.config.synthetic, Some(plan()));
    let ws = &mut s.workspace;
    let beats = ws.beats(BeatSource::Records).clone();
    let plain = prepare_run(&beats, &TrainConfig::new(), None).expect("prepare");
    let real = plain.train.class_counts();
    assert_eq!(
        report.train_counts.get(AamiClass::F),
        real.get(AamiClass::F) + 400
    );
    assert_eq!(
        report.train_counts.get(AamiClass::N),
        real.get(AamiClass::N)
    );
    assert_eq!(report.test_counts, plain.test.class_counts());
}

fn mitdb_ds1() -> (BeatSet, Templates) {
    let beats = mitdb_beats();
    let run = prepare_run(&beats, &TrainConfig::new(), None).expect("prepare");
    (run.train, run.templates)
}

#[test]
fn train_on_synthetic_test_on_real_on_mitdb_ds1() {
    let (real, templates) = mitdb_ds1();
    for mode in [SynthMode::Default, SynthMode::Fitted] {
        let config = SynthTrainConfig {
            counts: vec![
                (AamiClass::F, 600),
                (AamiClass::S, 600),
                (AamiClass::V, 600),
            ],
            mode,
            seed: 42,
        };
        let t0 = std::time::Instant::now();
        let set = SynthGeneration::new(&real, &config)
            .expect("valid")
            .run()
            .expect("runs");
        let gen_s = t0.elapsed().as_secs_f64();
        let t1 = std::time::Instant::now();
        let score = TstrJob::new(&real, &templates, &set)
            .expect("valid")
            .run()
            .expect("scores");
        let tstr_s = t1.elapsed().as_secs_f64();
        eprintln!(
            "{mode:?}: generation {gen_s:.2} s (incl. fit), TSTR {tstr_s:.1} s, Se N S V F = {:?}, macro-F1 {:.3}",
            score.sensitivity_per_class, score.macro_f1
        );
        for c in [AamiClass::N, AamiClass::S, AamiClass::V, AamiClass::F] {
            let se = score.sensitivity_per_class[c.index()].expect("scored");
            assert!((0.0..=1.0).contains(&se));
            assert!(score.support_per_class[c.index()] > 0);
        }
        assert_eq!(score.sensitivity_per_class[AamiClass::Q.index()], None);
        assert!(score.trained_per_class[AamiClass::N.index()] > 0);
    }
}

#[test]
fn generator_speed_natively() {
    let layout = BeatLayout::default();
    let n = 3000;
    let t0 = std::time::Instant::now();
    let plain = synth_beats(AamiClass::V, n, layout, 1).expect("valid");
    let plain_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let with =
        synth_patient_beats(&SynthConfig::default(), AamiClass::V, n, layout, 1).expect("valid");
    let with_s = t1.elapsed().as_secs_f64();
    eprintln!(
        "debug-profile speed: synth_beats {:.0} beats/s, with patient templates {:.0} beats/s",
        n as f64 / plain_s,
        n as f64 / with_s
    );
    assert_eq!(with.beats.len(), n);
    assert!(with.beats.origin.iter().all(|o| *o == Origin::Synthetic));
    assert!(plain.has_rr() && with.beats.has_rr());
}

#[test]
fn a_generated_set_is_reused_only_for_the_training_beats_it_was_made_from() {
    use ecg_balance_lab::dataset::synthetic::plan::training_fingerprint;
    use ecg_balance_lab::training::prepare_run_with;
    let mut ws = Workspace::new();
    ws.load_demo(2003);
    let beats = ws.beats(BeatSource::Records).clone();
    let config = TrainConfig::new().with_synthetic(Some(plan()));
    let plain = prepare_run(&beats, &TrainConfig::new(), None).expect("prepare");
    let real_train = beats.subset(&plain.sets.train);
    let mut marked = SynthGeneration::new(&real_train, &plan())
        .expect("valid")
        .run()
        .expect("runs");
    // Marked so that reuse shows: every window zero.
    marked.beats.beats.windows.iter_mut().for_each(|v| *v = 0.0);
    let n = plain.train.len() * beats.layout.len;
    let fp = training_fingerprint(&beats, &plain.sets.train);
    let reused = prepare_run_with(&beats, &config, None, Some((fp, &marked))).expect("prepare");
    assert!(reused.train.windows[n..].iter().all(|v| *v == 0.0));
    // Other training beats (another fingerprint) or another plan: generated afresh.
    let other = prepare_run_with(&beats, &config, None, Some((fp ^ 1, &marked))).expect("prepare");
    assert!(other.train.windows[n..].iter().any(|v| *v != 0.0));
    let mut changed = beats.clone();
    changed.windows[plain.sets.train[0] as usize * beats.layout.len] += 1.0;
    assert_ne!(training_fingerprint(&changed, &plain.sets.train), fp);
    let replan = TrainConfig::new().with_synthetic(Some(SynthTrainConfig { seed: 43, ..plan() }));
    let fresh = prepare_run_with(&beats, &replan, None, Some((fp, &marked))).expect("prepare");
    assert!(fresh.train.windows[n..].iter().any(|v| *v != 0.0));
}
