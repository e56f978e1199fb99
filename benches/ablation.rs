//! Ablations of the beat classifier on MIT-BIH, kept so anyone can rerun them.
//!
//! Choices are made on DS1 alone: `--mode cv` trains on DS1 records and scores the records held
//! out in each of `--folds` record folds (whole records, so every score is on unseen
//! patients), pooling the out-of-fold predictions of all 22 DS1 records. DS2 is only for the
//! final report (`--mode ds2`, the page's own path: split, validation records, training and
//! scoring as `ecg-balance train` does). `--mode random` is the optimistic random beat split.
//! Patient-adaptive fine-tuning is chosen the same way: `--mode adapt-cv` adapts each fold's
//! model to the fold's own DS1 records, `--mode adapt` the DS1 model to every DS2 record
//! (`--budgets`, `--adapt '{json}'` merged into the default `AdaptConfig`, `--model FILE` caches
//! the trained models). `--window` changes the beat window (`WindowSpec` fields as JSON).
//! `--knn 0.3,0.5` (adapt modes) also scores every adapted copy with its probabilities mixed
//! with the class of each beat's nearest labelled beat at those weights (not adopted: see
//! `nearest_labelled`).
//!
//! ```sh
//! cargo bench --bench ablation -- --mode cv --seeds 1,2,3 --tag base
//! cargo bench --bench ablation -- --mode cv --seeds 1,2,3 --tag no-rhythm --set '{"rhythm":false}'
//! cargo bench --bench ablation -- --mode ds2 --seeds 1,2,3 --tag default
//! cargo bench --bench ablation -- --mode cv --seeds 1,2 --tag ctx --window '{"pre_ms":600,"post_ms":600}'
//! cargo bench --bench ablation -- --mode adapt-cv --seeds 1,2,3 --budgets 20 --tag replay20 --adapt '{"replay":20}'
//! cargo bench --bench ablation -- --mode adapt --seeds 1,2,3 --budgets 0,10,20,50,100,first5
//! ```
//!
//! `--set` takes a JSON object merged into the default `TrainConfig` (its serde field names).
//! Each run appends one JSON line to `--out` (default `target/ablation.jsonl`) and prints a
//! table row to stderr.

use ecg_balance_lab::dataset::BeatSet;
use ecg_balance_lab::dataset::pipeline::pick_validation;
use ecg_balance_lab::dataset::split::{DS1, SplitKind};
use ecg_balance_lab::ecg::aami::{AamiClass, ClassCounts, N_CLASSES};
use ecg_balance_lab::ecg::beats::WindowSpec;
use ecg_balance_lab::features::Templates;
use ecg_balance_lab::io::files::{Grouped, InputFile};
use ecg_balance_lab::metrics::ConfusionMatrix;
use ecg_balance_lab::training::calibrate::decide;
use ecg_balance_lab::training::{Phase, TrainConfig, TrainedModel, Trainer, prepare_run};
use ecg_balance_lab::workspace::{BeatSource, Workspace};
use serde_json::{Value, json};

struct Args {
    mode: String,
    folds: usize,
    seeds: Vec<u64>,
    set: Value,
    tag: String,
    out: String,
    probs: Option<String>,
    budgets: Vec<String>,
    model: Option<String>,
    adapt: Value,
    window: Value,
    knn: Vec<f32>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        mode: "cv".into(),
        folds: 4,
        seeds: vec![1],
        set: json!({}),
        tag: String::new(),
        out: "target/ablation.jsonl".into(),
        probs: None,
        budgets: ["0", "10", "20", "50", "100", "first5", "self"]
            .map(String::from)
            .to_vec(),
        model: None,
        adapt: json!({}),
        window: json!({}),
        knn: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or(format!("{k} needs a value"));
        match k.as_str() {
            "--mode" => a.mode = v()?,
            "--folds" => a.folds = v()?.parse().map_err(|e| format!("--folds: {e}"))?,
            "--seeds" => {
                a.seeds = v()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|e| format!("--seeds: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "--set" => a.set = serde_json::from_str(&v()?).map_err(|e| format!("--set: {e}"))?,
            "--tag" => a.tag = v()?,
            "--out" => a.out = v()?,
            "--probs" => a.probs = Some(v()?),
            "--budgets" => a.budgets = v()?.split(',').map(String::from).collect(),
            "--model" => a.model = Some(v()?),
            "--adapt" => {
                a.adapt = serde_json::from_str(&v()?).map_err(|e| format!("--adapt: {e}"))?;
            }
            "--window" => {
                a.window = serde_json::from_str(&v()?).map_err(|e| format!("--window: {e}"))?;
            }
            "--knn" => {
                a.knn = v()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|e| format!("--knn: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// Every MIT-BIH record's beats, cut with `window` (a JSON object of `WindowSpec` fields merged
/// into the default: `{"pre_ms":600,"post_ms":600}` takes the neighbouring beats in).
fn mitdb_beats(window: &Value) -> BeatSet {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("../shared/data/mitdb is readable") {
        let path = entry.expect("entry").path();
        files.push(InputFile {
            path: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: std::fs::read(&path).expect("file"),
        });
    }
    let mut ws = Workspace::new();
    ws.set_window(merged(WindowSpec::default(), window))
        .expect("a valid --window");
    let report = ws.load_all(&Grouped::new(files));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    ws.beats(BeatSource::Records).clone()
}

/// The page's defaults for `split` ([`TrainConfig::for_split`]) with `seed`, and what `set`
/// changes.
fn config_with(set: &Value, seed: u64, split: SplitKind) -> TrainConfig {
    merged(TrainConfig::for_split(split).with_seed(seed), set)
}

/// `base` with the fields `over` (a JSON object of its serde field names) sets; a field it does
/// not have is refused.
fn merged<T: serde::Serialize + serde::de::DeserializeOwned>(base: T, over: &Value) -> T {
    let what = std::any::type_name::<T>();
    let mut v = serde_json::to_value(base).expect("settings as JSON");
    if let (Some(obj), Some(over)) = (v.as_object_mut(), over.as_object()) {
        for (k, x) in over {
            assert!(obj.contains_key(k), "{what} has no field {k}");
            obj.insert(k.clone(), x.clone());
        }
    }
    serde_json::from_value(v).unwrap_or_else(|e| panic!("not a valid {what}: {e}"))
}

fn train(
    config: TrainConfig,
    train: &BeatSet,
    val: &BeatSet,
    templates: &Templates,
) -> TrainedModel {
    let mut trainer = Trainer::new(config, train, val, templates.clone()).expect("trainer");
    while trainer.step(&mut |_| {}) == Phase::Running {}
    trainer.finish().expect("a model")
}

/// Four folds of DS1 laid out by hand so that each training side keeps what DS1 has little of:
/// the two atrial-fibrillation records (201, 203) are apart, as are the S-rich records (209,
/// 201, 207, 118, 220, 223) and the V-rich ones (208, 106, 119, 223, 203).
const FOLDS4: [&[&str]; 4] = [
    &["209", "203", "106", "115", "122"],
    &["201", "118", "208", "112", "101", "230"],
    &["207", "220", "119", "116", "108"],
    &["223", "124", "114", "215", "205", "109"],
];

/// DS1 records in `k` folds: [`FOLDS4`] for 4, otherwise records sorted by their S, then V
/// beats and dealt round-robin.
fn folds(beats: &BeatSet, k: usize) -> Vec<Vec<u32>> {
    if k == 4 {
        return FOLDS4
            .iter()
            .map(|f| {
                f.iter()
                    .filter_map(|name| beats.records.iter().position(|r| r == name))
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
    }
    let mut recs: Vec<(u32, ClassCounts)> = Vec::new();
    for (id, name) in beats.records.iter().enumerate() {
        if DS1.contains(&name.as_str()) {
            let idx: Vec<u32> = (0..beats.len() as u32)
                .filter(|&i| beats.record_id[i as usize] as usize == id)
                .collect();
            recs.push((id as u32, beats.class_counts_of(&idx)));
        }
    }
    recs.sort_by_key(|(id, c)| {
        (
            std::cmp::Reverse(c.get(AamiClass::S)),
            std::cmp::Reverse(c.get(AamiClass::V)),
            *id,
        )
    });
    let mut out = vec![Vec::new(); k];
    for (j, (id, _)) in recs.into_iter().enumerate() {
        out[j % k].push(id);
    }
    out
}

struct Scored {
    /// Indices into the full beat set.
    idx: Vec<u32>,
    probs: Vec<f32>,
    /// Decisions (with the model's offsets).
    pred: Vec<usize>,
}

fn run_cv(beats: &BeatSet, args: &Args, seed: u64) -> Scored {
    let templates = Templates::fit(beats);
    let mut out = Scored {
        idx: Vec::new(),
        probs: Vec::new(),
        pred: Vec::new(),
    };
    for (f, test_ids) in folds(beats, args.folds).iter().enumerate() {
        let config = config_with(&args.set, seed, SplitKind::default());
        let in_ds1 = |i: u32| DS1.contains(&beats.record_of(i as usize));
        let test: Vec<u32> = (0..beats.len() as u32)
            .filter(|&i| test_ids.contains(&beats.record_id[i as usize]))
            .collect();
        let trainval: Vec<u32> = (0..beats.len() as u32)
            .filter(|&i| in_ds1(i) && !test_ids.contains(&beats.record_id[i as usize]))
            .collect();
        let val_ids = pick_validation(beats, &trainval, config.validation_fraction, seed);
        let (val, tr): (Vec<u32>, Vec<u32>) = trainval
            .iter()
            .partition(|&&i| val_ids.contains(&beats.record_id[i as usize]));
        let t0 = std::time::Instant::now();
        let model = train(config, &beats.subset(&tr), &beats.subset(&val), &templates);
        eprintln!(
            "  fold {f}: test {:?}, val {:?}, epochs {:?}, offsets {:?}, {:.0} s",
            test_ids
                .iter()
                .map(|&r| beats.records[r as usize].as_str())
                .collect::<Vec<_>>(),
            val_ids
                .iter()
                .map(|&r| beats.records[r as usize].as_str())
                .collect::<Vec<_>>(),
            model.epochs,
            model.offsets,
            t0.elapsed().as_secs_f64()
        );
        let p = model.probabilities_of(beats, &test, &templates);
        out.pred.extend(decide(&p, &model.offsets));
        out.probs.extend(p);
        out.idx.extend(test);
    }
    out
}

fn run_split(beats: &BeatSet, args: &Args, seed: u64, split: SplitKind) -> Scored {
    let config = config_with(&args.set, seed, split);
    let run = prepare_run(beats, &config, None).expect("prepare");
    let t0 = std::time::Instant::now();
    let model = train(config, &run.train, &run.val, &run.templates);
    eprintln!(
        "  val {:?}, epochs {:?}, offsets {:?}, {:.0} s",
        run.sets.val_records,
        model.epochs,
        model.offsets,
        t0.elapsed().as_secs_f64()
    );
    let probs = model.probabilities_of(
        &run.test,
        &(0..run.test.len() as u32).collect::<Vec<_>>(),
        &run.templates,
    );
    Scored {
        idx: run.sets.test.clone(),
        pred: decide(&probs, &model.offsets),
        probs,
    }
}

fn summary(beats: &BeatSet, s: &Scored) -> Value {
    let pred = &s.pred;
    let truth: Vec<usize> = s
        .idx
        .iter()
        .map(|&i| beats.labels[i as usize].index())
        .collect();
    let cm = ConfusionMatrix::from_predictions(&truth, pred, N_CLASSES);
    let mut per_class = serde_json::Map::new();
    for (c, m) in AamiClass::ALL.iter().zip(cm.per_class()) {
        per_class.insert(
            c.code().to_string(),
            json!({"se": m.se, "ppv": m.ppv, "f1": m.f1, "support": m.support}),
        );
    }
    let mut per_record = serde_json::Map::new();
    for (rid, name) in beats.records.iter().enumerate() {
        let rows: Vec<usize> = (0..s.idx.len())
            .filter(|&j| beats.record_id[s.idx[j] as usize] as usize == rid)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let t: Vec<usize> = rows.iter().map(|&j| truth[j]).collect();
        let p: Vec<usize> = rows.iter().map(|&j| pred[j]).collect();
        per_record.insert(
            name.clone(),
            json!(ConfusionMatrix::from_predictions(&t, &p, N_CLASSES).counts),
        );
    }
    json!({
        "per_class": per_class,
        "accuracy": cm.accuracy(),
        "macro_f1_nsvf": cm.macro_f1_nsvf(),
        "confusion": cm.counts,
        "per_record": per_record,
    })
}

/// What adapting to many records pooled, for one budget: truth and decisions of the unqueried
/// beats, each record's confusion and the classes of its labelled beats.
#[derive(Default)]
struct Pooled {
    truth: Vec<usize>,
    pred: Vec<usize>,
    per_record: serde_json::Map<String, Value>,
    labelled_classes: serde_json::Map<String, Value>,
    queried: usize,
}

/// Adapts a copy of `base`'s model to each of `records` of `beats` in turn, for every budget,
/// revealing only the queried beats' annotations, and pools the scores of the unqueried beats
/// into `pooled` (one per budget).
fn adapt_records(
    beats: &BeatSet,
    records: &[u32],
    base: ecg_balance_lab::training::adapt::AdaptBase,
    budgets: &[String],
    ac: &ecg_balance_lab::training::adapt::AdaptConfig,
    knn: &[f32],
    pooled: &mut [Vec<Pooled>],
) {
    use ecg_balance_lab::training::adapt::{
        PatientLabels, UnlabelledBeats, adapt, blend_nearest, first_minutes, nearest_labelled,
        pseudo_labels, round_sizes,
    };
    let model = base.model;
    for &rid in records {
        let rec = beats.only_record(rid);
        let name = &rec.records[0];
        let unl = UnlabelledBeats::new(rec.clone());
        let tmpl = Templates::fit(unl.beats());
        let all: Vec<u32> = (0..unl.len() as u32).collect();
        for (budget, out) in budgets.iter().zip(pooled.iter_mut()) {
            let queries: Vec<u32> = match budget.as_str() {
                "self" => Vec::new(),
                "first5" => first_minutes(&unl, 360.0, 5.0),
                // "10+10": these rounds; "20": `AdaptConfig::rounds` rounds, as the page asks.
                k => {
                    let parts: Vec<usize> =
                        k.split('+').map(|k| k.parse().expect("a budget")).collect();
                    let sizes = match parts[..] {
                        [k] => round_sizes(k, ac.rounds),
                        _ => parts,
                    };
                    rounds(base, &unl, &tmpl, &rec, &sizes, ac)
                }
            };
            let labelled: Vec<(u32, AamiClass)> = if budget == "self" {
                pseudo_labels(model, &unl, &tmpl, 0.95, 300)
            } else {
                queries
                    .iter()
                    .map(|&i| (i, rec.labels[i as usize]))
                    .collect()
            };
            let mut given = [0usize; N_CLASSES];
            labelled.iter().for_each(|(_, c)| given[c.index()] += 1);
            let patient = PatientLabels {
                record: &unl,
                templates: &tmpl,
                labelled: &labelled,
            };
            let adapted = adapt(base, patient, ac, &mut |_, _| false)
                .expect("adapt")
                .expect("not cancelled");
            let probs = adapted.probabilities_of(unl.beats(), &all, &tmpl);
            // The copy alone, then mixed with the nearest labelled beat's class (`--knn`).
            let nearest = if knn.is_empty() {
                Vec::new()
            } else {
                nearest_labelled(&adapted, &unl, &tmpl, &labelled)
            };
            let mut queried = vec![false; unl.len()];
            queries.iter().for_each(|&i| queried[i as usize] = true);
            for (v, out) in out.iter_mut().enumerate() {
                let mut pr = probs.clone();
                if v > 0 && !nearest.is_empty() {
                    blend_nearest(&mut pr, &nearest, knn[v - 1]);
                }
                let pred = decide(&pr, &adapted.offsets);
                let (mut t, mut p) = (Vec::new(), Vec::new());
                for i in (0..unl.len()).filter(|&i| !queried[i]) {
                    t.push(rec.labels[i].index());
                    p.push(pred[i]);
                }
                out.queried += queries.len();
                out.labelled_classes.insert(name.clone(), json!(given));
                out.per_record.insert(
                    name.clone(),
                    json!(ConfusionMatrix::from_predictions(&t, &p, N_CLASSES).counts),
                );
                out.truth.extend(t);
                out.pred.extend(p);
            }
        }
    }
}

/// The queries of a budget asked in rounds of `parts` beats ([`ask_in_rounds`]): the record's
/// annotations of the queried beats, and only those, answer.
///
/// [`ask_in_rounds`]: ecg_balance_lab::training::patient::ask_in_rounds
fn rounds(
    base: ecg_balance_lab::training::adapt::AdaptBase,
    unl: &ecg_balance_lab::training::adapt::UnlabelledBeats,
    tmpl: &Templates,
    rec: &BeatSet,
    parts: &[usize],
    ac: &ecg_balance_lab::training::adapt::AdaptConfig,
) -> Vec<u32> {
    let answer = &mut |q: &[u32]| Ok(q.iter().map(|&i| (i, rec.labels[i as usize])).collect());
    ecg_balance_lab::training::patient::ask_in_rounds(
        base,
        unl,
        tmpl,
        parts,
        ac,
        answer,
        &mut |_, _| false,
    )
    .expect("adapt")
    .expect("not cancelled")
    .0
}

/// A trained model read from `path` when that file exists, otherwise `make()`'s, written there.
fn cached_model(path: Option<String>, make: impl FnOnce() -> TrainedModel) -> TrainedModel {
    if let Some(bytes) = path.as_deref().and_then(|p| std::fs::read(p).ok()) {
        return TrainedModel::from_bytes(&bytes).expect("a model file");
    }
    let m = make();
    if let Some(p) = &path {
        let _ = std::fs::write(p, m.to_bytes().expect("model bytes"));
    }
    m
}

/// Patient-adaptive runs. `--mode adapt` adapts the DS1 model (trained here, or read from
/// `--model` + `.seed<seed>` when that file exists, and written there otherwise) to every DS2
/// record; `--mode adapt-cv` is the same on DS1 alone, where its settings are chosen: in each
/// of the `--folds` record folds, a model trained on the other folds (cached as `--model` +
/// `.seed<seed>.fold<f>`) adapts to each held-out record. For every record and budget the queried beats' annotations — and
/// only theirs — are revealed, a copy of the model is fine-tuned, and the record's unqueried
/// beats are scored, pooled over the records.
fn run_adapt(beats: &BeatSet, args: &Args, seed: u64, cv: bool) {
    use ecg_balance_lab::training::adapt::{AdaptBase, AdaptConfig};
    let mut ac = merged(AdaptConfig::default(), &args.adapt);
    ac.seed = seed;
    let t0 = std::time::Instant::now();
    let variants = 1 + args.knn.len();
    let mut pooled: Vec<Vec<Pooled>> = args
        .budgets
        .iter()
        .map(|_| (0..variants).map(|_| Pooled::default()).collect())
        .collect();
    if cv {
        let templates = Templates::fit(beats);
        for (f, test_ids) in folds(beats, args.folds).iter().enumerate() {
            let config = config_with(&args.set, seed, SplitKind::default());
            let trainval: Vec<u32> = (0..beats.len() as u32)
                .filter(|&i| {
                    DS1.contains(&beats.record_of(i as usize))
                        && !test_ids.contains(&beats.record_id[i as usize])
                })
                .collect();
            let val_ids = pick_validation(beats, &trainval, config.validation_fraction, seed);
            let (val, tr): (Vec<u32>, Vec<u32>) = trainval
                .iter()
                .partition(|&&i| val_ids.contains(&beats.record_id[i as usize]));
            let train_set = beats.subset(&tr);
            let path = args
                .model
                .as_ref()
                .map(|p| format!("{p}.seed{seed}.fold{f}"));
            let model = cached_model(path, || {
                train(config, &train_set, &beats.subset(&val), &templates)
            });
            let base = AdaptBase {
                model: &model,
                train: &train_set,
                templates: &templates,
            };
            adapt_records(
                beats,
                test_ids,
                base,
                &args.budgets,
                &ac,
                &args.knn,
                &mut pooled,
            );
        }
    } else {
        let config = config_with(&args.set, seed, SplitKind::default());
        let run = prepare_run(beats, &config, None).expect("prepare");
        let path = args.model.as_ref().map(|p| format!("{p}.seed{seed}"));
        let model = cached_model(path, || train(config, &run.train, &run.val, &run.templates));
        let mut records: Vec<u32> = run.test.record_id.clone();
        records.sort_unstable();
        records.dedup();
        let base = AdaptBase {
            model: &model,
            train: &run.train,
            templates: &run.templates,
        };
        adapt_records(
            &run.test,
            &records,
            base,
            &args.budgets,
            &ac,
            &args.knn,
            &mut pooled,
        );
    }
    for (budget, p, knn) in args.budgets.iter().zip(pooled).flat_map(|(b, ps)| {
        ps.into_iter()
            .enumerate()
            .map(move |(v, p)| (b, p, v.checked_sub(1).map(|w| args.knn[w])))
    }) {
        let cm = ConfusionMatrix::from_predictions(&p.truth, &p.pred, N_CLASSES);
        let pc = cm.per_class();
        let row = |c: usize| (100.0 * pc[c].se, 100.0 * pc[c].ppv, pc[c].f1);
        let (s, v, fu) = (row(1), row(2), row(3));
        eprintln!(
            "{:<16} {} k={budget:<6} knn {knn:?} seed {seed}: S {:.1}/{:.1} F1 {:.3} | V {:.1}/{:.1} F1 {:.3} | F {:.1}/{:.1} F1 {:.3} | N F1 {:.3} | mF1 {:.3} | queried {} ({:.0} s)",
            args.tag,
            args.mode,
            s.0,
            s.1,
            s.2,
            v.0,
            v.1,
            v.2,
            fu.0,
            fu.1,
            fu.2,
            pc[0].f1,
            cm.macro_f1_nsvf(),
            p.queried,
            t0.elapsed().as_secs_f64()
        );
        let line = json!({
            "tag": args.tag, "mode": args.mode, "budget": budget, "seed": seed, "set": args.set,
            "adapt": ac, "knn": knn, "queried": p.queried,
            "result": {"confusion": cm.counts, "macro_f1_nsvf": cm.macro_f1_nsvf(),
                "per_class": pc.iter().map(|m| json!({"se": m.se, "ppv": m.ppv, "f1": m.f1, "support": m.support})).collect::<Vec<_>>(),
                "per_record": p.per_record, "labelled_classes": p.labelled_classes},
        });
        use std::io::Write as _;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&args.out)
        {
            let _ = writeln!(f, "{line}");
        }
    }
}

fn main() {
    // `cargo test --all-targets` runs bench targets too, without arguments: an ablation takes
    // minutes, so it runs only when asked (`cargo bench` passes `--bench`).
    if std::env::args().len() <= 1 {
        eprintln!("ablation: nothing to do without arguments (see the module docs)");
        return;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let beats = mitdb_beats(&args.window);
    for &seed in &args.seeds {
        if args.mode == "adapt" || args.mode == "adapt-cv" {
            run_adapt(&beats, &args, seed, args.mode == "adapt-cv");
            continue;
        }
        let t0 = std::time::Instant::now();
        let scored = match args.mode.as_str() {
            "cv" => run_cv(&beats, &args, seed),
            "ds2" => run_split(
                &beats,
                &args,
                seed,
                SplitKind::InterPatient {
                    seed: 0,
                    test_fraction: 0.5,
                },
            ),
            "random" => run_split(
                &beats,
                &args,
                seed,
                SplitKind::RandomBeats {
                    seed,
                    test_fraction: 0.2,
                },
            ),
            m => panic!("unknown mode {m}"),
        };
        let s = summary(&beats, &scored);
        let f1 = |c: &str| s["per_class"][c]["f1"].as_f64().unwrap_or(0.0);
        let se = |c: &str| s["per_class"][c]["se"].as_f64().unwrap_or(0.0);
        let ppv = |c: &str| s["per_class"][c]["ppv"].as_f64().unwrap_or(0.0);
        eprintln!(
            "{:<24} {} seed {seed}: S {:.1}/{:.1} F1 {:.3} | V {:.1}/{:.1} F1 {:.3} | F {:.1}/{:.1} F1 {:.3} | N F1 {:.3} | mF1 {:.3} acc {:.4} ({:.0} s)",
            args.tag,
            args.mode,
            100.0 * se("S"),
            100.0 * ppv("S"),
            f1("S"),
            100.0 * se("V"),
            100.0 * ppv("V"),
            f1("V"),
            100.0 * se("F"),
            100.0 * ppv("F"),
            f1("F"),
            f1("N"),
            s["macro_f1_nsvf"].as_f64().unwrap_or(0.0),
            s["accuracy"].as_f64().unwrap_or(0.0),
            t0.elapsed().as_secs_f64()
        );
        let line = json!({
            "tag": args.tag, "mode": args.mode, "seed": seed, "set": args.set,
            "folds": args.folds, "seconds": t0.elapsed().as_secs_f64(), "result": s,
        });
        use std::io::Write as _;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&args.out)
        {
            let _ = writeln!(f, "{line}");
        }
        if let Some(p) = &args.probs {
            // Per beat, little-endian: index (u32), record id (u32), label (u8), decision (u8),
            // probabilities (5 × f32), raw RR features (N_RR × f32).
            let mut bytes = Vec::new();
            for (j, &i) in scored.idx.iter().enumerate() {
                bytes.extend_from_slice(&i.to_le_bytes());
                bytes.extend_from_slice(&beats.record_id[i as usize].to_le_bytes());
                bytes.push(beats.labels[i as usize].index() as u8);
                bytes.push(scored.pred[j] as u8);
                for v in &scored.probs[j * N_CLASSES..(j + 1) * N_CLASSES] {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                for v in beats.rr_of(i as usize) {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
            }
            let _ = std::fs::write(format!("{p}.{seed}.bin"), bytes);
            let names = serde_json::to_string(&beats.records).unwrap_or_default();
            let _ = std::fs::write(format!("{p}.records.json"), names);
        }
    }
}
