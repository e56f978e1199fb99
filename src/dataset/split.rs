//! Train/test splits. By patient (record) by default: the inter-patient split of de Chazal,
//! O'Dwyer & Reilly, "Automatic classification of heartbeats using ECG morphology and heartbeat
//! interval features", IEEE Trans Biomed Eng 51(7):1196–1206, 2004, in which no patient of the
//! test set contributes a single beat to training. A random beat-level split is offered too and
//! is always labelled optimistic: beats of the same patient land on both sides, so a classifier
//! is tested on patients it has already seen.

use serde::{Deserialize, Serialize};

use super::BeatSet;
use crate::rng::Rng;

/// de Chazal 2004 training set DS1 (22 MIT-BIH records).
pub const DS1: [&str; 22] = [
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124", "201",
    "203", "205", "207", "208", "209", "215", "220", "223", "230",
];

/// de Chazal 2004 test set DS2 (22 MIT-BIH records).
pub const DS2: [&str; 22] = [
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212", "213",
    "214", "219", "221", "222", "228", "231", "232", "233", "234",
];

/// Records with paced beats, excluded as ANSI/AAMI EC57 recommends.
pub const PACED: [&str; 4] = ["102", "104", "107", "217"];

/// How to split beats into training and test sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SplitKind {
    /// By patient. MIT-BIH records follow de Chazal 2004 (DS1 → training, DS2 → test, paced
    /// records out); any other record goes, whole, to one side chosen by `seed` so that about
    /// `test_fraction` of those records are test records.
    InterPatient {
        /// Seed for records outside DS1/DS2.
        seed: u64,
        /// Share of records outside DS1/DS2 that go to the test side.
        test_fraction: f64,
    },
    /// Random beat-level split, stratified by class. Optimistic: the same patient lands on both
    /// sides.
    RandomBeats {
        /// Seed of the shuffle.
        seed: u64,
        /// Share of each class that goes to the test side.
        test_fraction: f64,
    },
    /// The beats come with their own sides (e.g. Kaggle's `mitbih_train.csv` / `mitbih_test.csv`,
    /// itself a random beat split: optimistic).
    Given,
}

impl Default for SplitKind {
    fn default() -> Self {
        SplitKind::InterPatient {
            seed: 0,
            test_fraction: 0.5,
        }
    }
}

impl SplitKind {
    /// True when the same patient can land on both sides.
    pub fn is_optimistic(&self) -> bool {
        !matches!(self, SplitKind::InterPatient { .. })
    }

    /// A short description for tables and reports.
    pub fn describe(&self) -> String {
        match self {
            SplitKind::InterPatient { .. } => {
                "inter-patient (de Chazal 2004: DS1 → train, DS2 → test; paced records excluded)"
                    .to_string()
            }
            SplitKind::RandomBeats {
                seed,
                test_fraction,
            } => format!(
                "random beat split, {:.0} % test, seed {seed} — optimistic: the same patients are on both sides",
                test_fraction * 100.0
            ),
            SplitKind::Given => {
                "split given by the files — optimistic if it is a beat-level split".to_string()
            }
        }
    }
}

impl SplitKind {
    /// [`SplitKind::describe`] for these beats: a by-patient split of records that are not
    /// MIT-BIH's says that it keeps each record whole but cannot group records of one patient
    /// (the records do not say who their patient is).
    pub fn describe_for(&self, beats: &BeatSet) -> String {
        let text = self.describe();
        let others = beats
            .records
            .iter()
            .filter(|r| {
                let r = r.as_str();
                !(DS1.contains(&r) || DS2.contains(&r) || PACED.contains(&r))
            })
            .count();
        if matches!(self, SplitKind::InterPatient { .. }) && others > 0 {
            format!(
                "{text}; the {others} other record{} go whole to one side each (split by \
                 record: records of one patient are not grouped)",
                if others == 1 { "" } else { "s" }
            )
        } else {
            text
        }
    }
}

/// Which side a record falls on under the inter-patient split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// Training side.
    Train,
    /// Test side.
    Test,
    /// Left out (paced records).
    Excluded,
}

/// Side of record `name` under the inter-patient split with `seed`/`test_fraction`.
pub fn inter_patient_side(name: &str, seed: u64, test_fraction: f64) -> Side {
    if PACED.contains(&name) {
        Side::Excluded
    } else if DS1.contains(&name) {
        Side::Train
    } else if DS2.contains(&name) {
        Side::Test
    } else {
        // Stable per record name and seed, independent of load order.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        if Rng::new(h).uniform() < test_fraction {
            Side::Test
        } else {
            Side::Train
        }
    }
}

/// Each beat's source beat (itself for a real or synthetic beat; augmented beats follow their
/// `source` chain), and the beats that share each source.
struct SourceGroups {
    root: Vec<u32>,
    /// Augmented beats of each root, by root index (empty for most).
    copies: Vec<Vec<u32>>,
}

impl SourceGroups {
    fn size(&self, root: u32) -> usize {
        1 + self.copies[root as usize].len()
    }

    fn members(&self, root: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(root).chain(self.copies[root as usize].iter().copied())
    }
}

fn source_groups(beats: &BeatSet) -> SourceGroups {
    let n = beats.len();
    let source_of = |i: usize| match beats.origin[i] {
        super::Origin::Augmented { source } if (source as usize) < n && source as usize != i => {
            Some(source as usize)
        }
        _ => None,
    };
    let mut root: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n {
        // Chains are short (an augmented beat of an augmented beat); the bound stops a cycle
        // in a damaged file from looping.
        let mut r = i;
        for _ in 0..64 {
            match source_of(r) {
                Some(s) => r = s,
                None => break,
            }
        }
        root.push(r as u32);
    }
    // A beat whose chain does not end in a root (a cycle in a damaged file) is its own root.
    for (i, r) in root.iter_mut().enumerate() {
        if *r as usize != i && source_of(*r as usize).is_some() {
            *r = i as u32;
        }
    }
    let mut copies = vec![Vec::new(); n];
    for (i, &r) in root.iter().enumerate() {
        if r as usize != i {
            copies[r as usize].push(i as u32);
        }
    }
    SourceGroups { root, copies }
}

/// Beat indices on each side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// Training beats.
    pub train: Vec<u32>,
    /// Test beats.
    pub test: Vec<u32>,
    /// Beats left out (paced records).
    pub excluded: Vec<u32>,
}

impl Split {
    /// Splits `beats` by `kind`. `given_test` marks the test beats for [`SplitKind::Given`]
    /// (ignored otherwise).
    pub fn new(beats: &BeatSet, kind: SplitKind, given_test: Option<&[bool]>) -> Split {
        let mut split = Split::default();
        match kind {
            SplitKind::InterPatient {
                seed,
                test_fraction,
            } => {
                let sides: Vec<Side> = beats
                    .records
                    .iter()
                    .map(|r| inter_patient_side(r, seed, test_fraction))
                    .collect();
                for (i, &rid) in beats.record_id.iter().enumerate() {
                    match sides.get(rid as usize).copied().unwrap_or(Side::Excluded) {
                        Side::Train => split.train.push(i as u32),
                        Side::Test => split.test.push(i as u32),
                        Side::Excluded => split.excluded.push(i as u32),
                    }
                }
            }
            SplitKind::RandomBeats {
                seed,
                test_fraction,
            } => {
                // An augmented beat goes where its source goes: a copy on one side and its
                // source on the other would put the same heartbeat in training and test.
                let groups = source_groups(beats);
                let mut rng = Rng::new(seed);
                for class in crate::ecg::aami::AamiClass::ALL {
                    let mut roots: Vec<u32> = beats
                        .indices_of_class(class)
                        .into_iter()
                        .filter(|&i| groups.root[i as usize] == i)
                        .collect();
                    let n_class: usize = roots.iter().map(|&r| groups.size(r)).sum();
                    rng.shuffle(&mut roots);
                    let n_test = (n_class as f64 * test_fraction).round() as usize;
                    let mut in_test = 0;
                    for r in roots {
                        let side = if in_test < n_test {
                            in_test += groups.size(r);
                            &mut split.test
                        } else {
                            &mut split.train
                        };
                        side.extend(groups.members(r));
                    }
                }
                split.train.sort_unstable();
                split.test.sort_unstable();
            }
            SplitKind::Given => {
                for i in 0..beats.len() {
                    let is_test = given_test.and_then(|g| g.get(i)).copied().unwrap_or(false);
                    if is_test {
                        split.test.push(i as u32);
                    } else {
                        split.train.push(i as u32);
                    }
                }
            }
        }
        split
    }

    /// Record ids with at least one beat on the training side.
    pub fn train_records(&self, beats: &BeatSet) -> Vec<u32> {
        records_of(&self.train, beats)
    }

    /// Record ids with at least one beat on the test side.
    pub fn test_records(&self, beats: &BeatSet) -> Vec<u32> {
        records_of(&self.test, beats)
    }
}

/// The sorted, distinct record ids of the beats `indices` of `beats`.
fn records_of(indices: &[u32], beats: &BeatSet) -> Vec<u32> {
    let mut ids: Vec<u32> = indices
        .iter()
        .map(|&i| beats.record_id[i as usize])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{BeatLayout, N_RR, Origin};
    use crate::ecg::aami::AamiClass;

    #[test]
    fn lists_are_disjoint_and_complete() {
        let mut all: Vec<&str> = DS1.iter().chain(&DS2).chain(&PACED).copied().collect();
        all.sort_unstable();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n, "a record is in two lists");
        assert_eq!(n, 48, "the 48 MIT-BIH records");
    }

    #[test]
    fn a_split_by_patient_says_when_it_splits_other_records_by_record() {
        let kind = SplitKind::default();
        let mitdb = set_with(&[("100", 1), ("232", 1)]);
        assert_eq!(kind.describe_for(&mitdb), kind.describe());
        let mixed = set_with(&[("100", 1), ("HR00001", 1), ("HR00002", 1)]);
        let text = kind.describe_for(&mixed);
        assert!(text.contains("2 other records"), "{text}");
        assert!(text.contains("split by record"), "{text}");
    }

    fn set_with(records: &[(&str, usize)]) -> BeatSet {
        let mut s = BeatSet::new(BeatLayout {
            fs_hz: 1.0,
            len: 1,
            r_index: 0,
        });
        for (name, n) in records {
            let id = s.record_index(name);
            for k in 0..*n {
                let class = AamiClass::ALL[k % 5];
                s.push(&[0.0], &[0.0; N_RR], class, id, k as u64, Origin::Real);
            }
        }
        s
    }

    #[test]
    fn inter_patient_never_shares_a_record() {
        let s = set_with(&[("101", 10), ("100", 7), ("102", 3), ("x1", 4), ("x2", 4)]);
        let split = Split::new(&s, SplitKind::default(), None);
        let tr = split.train_records(&s);
        let te = split.test_records(&s);
        assert!(tr.iter().all(|r| !te.contains(r)));
        assert_eq!(split.excluded.len(), 3);
        assert_eq!(
            split.train.len() + split.test.len() + split.excluded.len(),
            28
        );
        assert!(tr.contains(&0) && te.contains(&1));
        // Stable across calls.
        assert_eq!(split, Split::new(&s, SplitKind::default(), None));
    }

    #[test]
    fn random_split_keeps_augmented_copies_with_their_source() {
        let mut s = set_with(&[("a", 50)]);
        // Every beat gets two augmented copies (the way a rebalanced beat file holds them).
        for src in 0..50u32 {
            for _ in 0..2 {
                let c = s.labels[src as usize];
                s.push(
                    &[0.0],
                    &[0.0; N_RR],
                    c,
                    0,
                    0,
                    Origin::Augmented { source: src },
                );
            }
        }
        let kind = SplitKind::RandomBeats {
            seed: 5,
            test_fraction: 0.3,
        };
        let split = Split::new(&s, kind, None);
        for i in 0..s.len() {
            if let Origin::Augmented { source } = s.origin[i] {
                let i = i as u32;
                assert_eq!(
                    split.test.contains(&i),
                    split.test.contains(&source),
                    "beat {i} and its source {source} are on different sides"
                );
            }
        }
        // About 30 % of each class, counted with the copies.
        assert!(
            (40..=50).contains(&split.test.len()),
            "{}",
            split.test.len()
        );
    }

    #[test]
    fn random_split_is_stratified_and_seeded() {
        let s = set_with(&[("a", 100), ("b", 100)]);
        let kind = SplitKind::RandomBeats {
            seed: 3,
            test_fraction: 0.2,
        };
        let split = Split::new(&s, kind, None);
        assert_eq!(split.test.len(), 40);
        assert_eq!(s.class_counts_of(&split.test).0, [8; 5]);
        assert_eq!(split, Split::new(&s, kind, None));
        assert!(kind.is_optimistic());
        assert!(!SplitKind::default().is_optimistic());
    }
}
