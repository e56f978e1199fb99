//! Labels a person gave on an earlier visit, brought back when the page reopens and asks the
//! same beats again ([`KeptLabels`]), and where each answer to `AdaptQueries` starts
//! ([`KeptLabels::start`]). Pure, so the rules are tested natively; the page's state
//! (`web/state/adapt.rs`) holds one and calls it.
//!
//! The rules:
//! - kept labels belong to one run and one record, and go to the first answer after the
//!   reopening, which is a first round: a first round asked afresh later (another k) never gets
//!   them, nor do the queries of another run or record;
//! - a later round keeps the labels the person has given to the earlier rounds' beats as they are
//!   now, and takes the kept labels of its new beats only when the earlier rounds were answered as
//!   on the earlier visit: other labels fine-tune another copy, which picks other beats.

use super::views::AdaptQueriesView;
use crate::ecg::aami::AamiClass;

/// Labels kept from an earlier visit: a label per queried beat of every round, for the queries
/// of one run on one record.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptLabels {
    run: u32,
    record: String,
    labels: Vec<Option<AamiClass>>,
    /// The first round has had its share; the rest waits for a later round.
    first_done: bool,
}

impl KeptLabels {
    /// The labels `labels` of the queries of run `run` on record `record` (in query order, every
    /// round's), as the page kept them.
    pub fn new(run: u32, record: &str, labels: Vec<Option<AamiClass>>) -> Self {
        Self {
            run,
            record: record.to_string(),
            labels,
            first_done: false,
        }
    }

    /// The labels `view`'s queries start with, and the beat to label first, given what the page
    /// shows now (`shown`: the queries answered before and their labels). `kept` keeps what a
    /// later round may still use and is emptied once nothing is left for one.
    pub fn start(
        kept: &mut Option<KeptLabels>,
        shown: Option<(&AdaptQueriesView, &[Option<AamiClass>])>,
        view: &AdaptQueriesView,
    ) -> (Vec<Option<AamiClass>>, usize) {
        let n = view.queries.len();
        let same = |run: u32, record: &str| run == view.run && record == view.record;
        let later_round = view.earlier > 0;
        let earlier: Vec<Option<AamiClass>> = match shown {
            Some((q, labels)) if later_round && same(q.run, &q.record) => {
                labels.iter().take(view.earlier).copied().collect()
            }
            _ => Vec::new(),
        };
        let usable = kept
            .as_ref()
            .filter(|k| {
                same(k.run, &k.record)
                    && k.labels.len() >= n
                    && k.first_done == later_round
                    && k.labels.starts_with(&earlier)
            })
            .map(|k| k.labels.clone());
        match (kept.as_mut(), &usable) {
            (Some(k), Some(_)) if k.labels.len() > n => k.first_done = true,
            _ => *kept = None,
        }
        // The earlier rounds' labels as they are now; the new beats' from an earlier visit.
        let mut labels = usable.unwrap_or_default();
        labels.resize(n, None);
        labels.splice(..earlier.len(), earlier.iter().copied());
        let current = (view.earlier..n)
            .find(|&i| labels[i].is_none())
            .unwrap_or(view.earlier.min(n.saturating_sub(1)));
        (labels, current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::BeatPositions;
    use crate::session::adapt::QueryView;
    use crate::training::patient::Budget;
    use AamiClass::{N, S, V};

    /// The queries of run `run` on record `record`: `n` beats, the first `earlier` from earlier
    /// rounds.
    fn view(run: u32, record: &str, n: usize, earlier: usize) -> AdaptQueriesView {
        AdaptQueriesView {
            run,
            record: record.into(),
            lead: 0,
            lead_name: "MLII".into(),
            units: "mV".into(),
            positions: BeatPositions::Annotated,
            budget: Budget::Beats { k: 4 },
            beats: 100,
            queries: (0..n as u32)
                .map(|i| QueryView {
                    index: i,
                    r_sample: 360 * u64::from(i),
                    t_s: f64::from(i),
                    strip: Default::default(),
                    why: String::new(),
                })
                .collect(),
            from_annotations: false,
            has_reference: true,
            select_ms: 0.0,
            round: if earlier > 0 { 2 } else { 1 },
            rounds: 2,
            earlier,
        }
    }

    const VISIT: [Option<AamiClass>; 4] = [Some(N), Some(S), Some(V), None];

    #[test]
    fn a_first_visit_starts_empty_at_the_first_beat() {
        let mut kept = None;
        let (labels, current) = KeptLabels::start(&mut kept, None, &view(1, "232", 2, 0));
        assert_eq!((labels, current), (vec![None, None], 0));
        assert_eq!(kept, None);
    }

    #[test]
    fn kept_labels_fill_the_first_round_then_the_second_when_it_was_answered_the_same() {
        let mut kept = Some(KeptLabels::new(1, "232", VISIT.to_vec()));
        let first = view(1, "232", 2, 0);
        let (labels, current) = KeptLabels::start(&mut kept, None, &first);
        assert_eq!(labels, vec![Some(N), Some(S)]);
        // Both labelled: the cursor goes to the round's first beat.
        assert_eq!(current, 0);
        assert!(kept.is_some(), "the second round's labels wait for it");
        let second = view(1, "232", 4, 2);
        let (labels, current) =
            KeptLabels::start(&mut kept, Some((&first, labels.as_slice())), &second);
        assert_eq!(labels, VISIT.to_vec());
        assert_eq!(current, 3, "the first beat still to label");
        assert_eq!(kept, None, "nothing is left for a third round");
    }

    #[test]
    fn a_first_round_label_changed_drops_the_later_rounds_kept_labels() {
        let mut kept = Some(KeptLabels::new(1, "232", VISIT.to_vec()));
        let first = view(1, "232", 2, 0);
        let (mut labels, _) = KeptLabels::start(&mut kept, None, &first);
        labels[1] = Some(V); // S on the earlier visit
        let second = view(1, "232", 4, 2);
        let (labels, current) =
            KeptLabels::start(&mut kept, Some((&first, labels.as_slice())), &second);
        assert_eq!(labels, vec![Some(N), Some(V), None, None]);
        assert_eq!(current, 2);
        assert_eq!(kept, None);
    }

    #[test]
    fn another_run_or_record_never_gets_them() {
        for (run, record) in [(2, "232"), (1, "222")] {
            let mut kept = Some(KeptLabels::new(1, "232", VISIT.to_vec()));
            let (labels, current) = KeptLabels::start(&mut kept, None, &view(run, record, 2, 0));
            assert_eq!((labels, current), (vec![None, None], 0));
            assert_eq!(kept, None, "run {run}, record {record}");
        }
    }

    #[test]
    fn a_first_round_asked_afresh_after_the_first_answer_gets_none() {
        let mut kept = Some(KeptLabels::new(1, "232", VISIT.to_vec()));
        let first = view(1, "232", 2, 0);
        KeptLabels::start(&mut kept, None, &first);
        // The person asks again (another k): a first round again, not the second.
        let (labels, _) = KeptLabels::start(&mut kept, None, &view(1, "232", 3, 0));
        assert_eq!(labels, vec![None, None, None]);
        assert_eq!(kept, None);
    }

    #[test]
    fn more_queries_than_kept_labels_get_none() {
        let mut kept = Some(KeptLabels::new(1, "232", VISIT[..2].to_vec()));
        let (labels, _) = KeptLabels::start(&mut kept, None, &view(1, "232", 3, 0));
        assert_eq!(labels, vec![None, None, None]);
    }

    #[test]
    fn a_later_round_of_other_queries_keeps_the_earlier_labels_as_they_are() {
        let mut kept = None;
        let first = view(1, "232", 2, 0);
        let given = [Some(V), None];
        let (labels, current) =
            KeptLabels::start(&mut kept, Some((&first, &given)), &view(1, "232", 4, 2));
        assert_eq!(labels, vec![Some(V), None, None, None]);
        assert_eq!(current, 2);
    }
}
