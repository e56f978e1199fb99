//! Synthetic beats touch the training beats only, and fitted mode never sees a test record:
//! proved on the whole MIT-BIH database (inter-patient split) by comparing runs with and without
//! synthetic beats, and runs on the real data and on data whose every DS2 (test) record is
//! scrambled — signals, RR features and labels.

mod common;

use common::{mitdb_beats, scrambled};
use ecg_balance_lab::dataset::Origin;
use ecg_balance_lab::dataset::split::{DS1, DS2};
use ecg_balance_lab::dataset::synthetic::plan::{SynthMode, SynthTrainConfig};
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::training::{TrainConfig, prepare_run};

fn plan(mode: SynthMode) -> SynthTrainConfig {
    SynthTrainConfig {
        counts: vec![(AamiClass::F, 120), (AamiClass::S, 90), (AamiClass::V, 60)],
        mode,
        seed: 5,
    }
}

#[test]
fn synthetic_beats_join_training_only_and_fitted_mode_never_sees_test_records() {
    let beats = mitdb_beats();
    let base = TrainConfig::new().with_epochs(1);
    let plain = prepare_run(&beats, &base, None).expect("prepare");
    for mode in [SynthMode::Default, SynthMode::Fitted] {
        let config = base.clone().with_synthetic(Some(plan(mode)));
        let run = prepare_run(&beats, &config, None).expect("prepare with synthetic beats");

        // Validation and test are exactly the runs without synthetic beats.
        assert_eq!(run.sets, plain.sets);
        for (a, b) in [(&run.val, &plain.val), (&run.test, &plain.test)] {
            assert_eq!(a.windows, b.windows);
            assert_eq!(a.rr, b.rr);
            assert_eq!(a.labels, b.labels);
            assert!(a.origin.iter().all(|o| *o == Origin::Real));
        }
        // Training = the real training beats, then exactly the plan, each beat flagged.
        let n_real = plain.train.len();
        assert_eq!(
            run.train.windows[..n_real * beats.layout.len],
            plain.train.windows[..]
        );
        assert!(
            run.train.origin[..n_real]
                .iter()
                .all(|o| *o == Origin::Real)
        );
        let synth: Vec<usize> = (n_real..run.train.len()).collect();
        assert_eq!(synth.len(), 270);
        assert!(
            synth
                .iter()
                .all(|&i| run.train.origin[i] == Origin::Synthetic)
        );
        for (class, n) in plan(mode).counts {
            let got = synth
                .iter()
                .filter(|&&i| run.train.labels[i] == class)
                .count();
            assert_eq!(got, n, "{class}");
        }
        let counts = run.synthetic.expect("synthetic counts reported");
        assert_eq!(counts.get(AamiClass::F), 120);
        // Same window layout and RR features as real beats; each synthetic record has its own
        // template; none is a DS1 or DS2 record name.
        assert!(run.train.has_rr());
        for &i in &synth {
            let rec = run.train.record_of(i);
            assert!(rec.starts_with("synthetic-"), "{rec}");
            assert!(!DS1.contains(&rec) && !DS2.contains(&rec));
            let rid = run.train.record_id[i] as usize;
            assert_eq!(run.templates.beats[rid].len(), beats.layout.len);
        }
        // Nothing the training sees changes when every test record is scrambled: the fit and
        // the generation saw the training beats only.
        let run2 =
            prepare_run(&scrambled(&beats, 77), &config, None).expect("prepare on scrambled data");
        assert_eq!(run2.sets.train, run.sets.train);
        assert_eq!(run2.train.windows, run.train.windows, "{mode:?}");
        assert_eq!(run2.train.rr, run.train.rr);
        assert_eq!(run2.train.labels, run.train.labels);
        assert_eq!(run2.val.windows, run.val.windows);
        let n_rec = run.train.records.len();
        assert_eq!(
            run2.templates.beats[beats.records.len()..n_rec],
            run.templates.beats[beats.records.len()..n_rec]
        );
        assert_ne!(
            run2.test.windows, run.test.windows,
            "the scrambling did change DS2"
        );
    }
}
