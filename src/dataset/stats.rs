//! The class-distribution table: count, share, a status word and the imbalance ratio.
//!
//! The status word compares a class's share with the share it would have if the classes present
//! were balanced (100 % / k for k classes present). Thresholds, as a table: see [`STATUS_BANDS`].
//! With five classes a balanced share is 20 %; the MIT-BIH database then reads N "severely
//! over-represented" (83 %), Q and V "under-represented" (7 %), S "severely under-represented"
//! (2.5 %) and F "critically low" (0.7 %).

use serde::{Deserialize, Serialize};

use crate::ecg::aami::{AamiClass, ClassCounts};

/// How a class's share compares with a balanced share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// At least 2.5 × the balanced share.
    SeverelyOverRepresented,
    /// 1.25 × to 2.5 × the balanced share.
    OverRepresented,
    /// 0.8 × to 1.25 × the balanced share.
    Balanced,
    /// 0.25 × to 0.8 × the balanced share.
    UnderRepresented,
    /// 0.1 × to 0.25 × the balanced share.
    SeverelyUnderRepresented,
    /// Below 0.1 × the balanced share (under 2 % with five classes).
    CriticallyLow,
    /// No beat of this class.
    Absent,
}

/// Lower bound of each band as a multiple of the balanced share, highest first.
pub const STATUS_BANDS: [(f64, Status); 6] = [
    (2.5, Status::SeverelyOverRepresented),
    (1.25, Status::OverRepresented),
    (0.8, Status::Balanced),
    (0.25, Status::UnderRepresented),
    (0.1, Status::SeverelyUnderRepresented),
    (0.0, Status::CriticallyLow),
];

impl Status {
    /// The status of a class with `count` beats out of `total` with `k_present` classes present.
    pub fn of(count: usize, total: usize, k_present: usize) -> Status {
        if count == 0 || total == 0 || k_present == 0 {
            return Status::Absent;
        }
        let relative = (count as f64 / total as f64) * k_present as f64;
        STATUS_BANDS
            .iter()
            .find(|(lo, _)| relative >= *lo)
            .map_or(Status::CriticallyLow, |(_, s)| *s)
    }

    /// Words shown to the user.
    pub fn words(self) -> &'static str {
        match self {
            Status::SeverelyOverRepresented => "severely over-represented",
            Status::OverRepresented => "over-represented",
            Status::Balanced => "balanced",
            Status::UnderRepresented => "under-represented",
            Status::SeverelyUnderRepresented => "severely under-represented",
            Status::CriticallyLow => "critically low",
            Status::Absent => "absent",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    /// The class.
    pub class: AamiClass,
    /// Beats of the class.
    pub count: usize,
    /// Share of all beats, in percent.
    pub percent: f64,
    /// Status word.
    pub status: Status,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Rows in class order N, S, V, F, Q.
    pub rows: Vec<ClassRow>,
    /// Total beats.
    pub total: usize,
    /// Largest count over smallest non-zero count (`None` with fewer than one class present).
    pub imbalance_ratio: Option<f64>,
    /// Classes with no beat.
    pub absent: Vec<AamiClass>,
}

impl Distribution {
    /// The table for `counts`.
    pub fn new(counts: &ClassCounts) -> Distribution {
        let total = counts.total();
        let k_present = counts.0.iter().filter(|&&c| c > 0).count();
        let rows = AamiClass::ALL
            .into_iter()
            .map(|class| {
                let count = counts.get(class);
                ClassRow {
                    class,
                    count,
                    percent: if total > 0 {
                        100.0 * count as f64 / total as f64
                    } else {
                        0.0
                    },
                    status: Status::of(count, total, k_present),
                }
            })
            .collect();
        let max = counts.0.iter().copied().max().unwrap_or(0);
        let min_nonzero = counts.0.iter().copied().filter(|&c| c > 0).min();
        Distribution {
            rows,
            total,
            imbalance_ratio: min_nonzero.map(|m| max as f64 / m as f64),
            absent: AamiClass::ALL
                .into_iter()
                .filter(|c| counts.get(*c) == 0)
                .collect(),
        }
    }

    /// The imbalance ratio as people write it: `145:1` (or `—` when undefined).
    pub fn ratio_text(&self) -> String {
        match self.imbalance_ratio {
            Some(r) if r >= 10.0 => format!("{r:.0}:1"),
            Some(r) => format!("{r:.1}:1"),
            None => "—".to_string(),
        }
    }

    /// The row of the largest class.
    pub fn largest(&self) -> Option<&ClassRow> {
        self.rows
            .iter()
            .filter(|r| r.count > 0)
            .max_by_key(|r| r.count)
    }

    /// The row of the smallest class present.
    pub fn smallest(&self) -> Option<&ClassRow> {
        self.rows
            .iter()
            .filter(|r| r.count > 0)
            .min_by_key(|r| r.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mitdb_totals_read_as_expected() {
        // The MIT-BIH totals of the reference (N, S, V, F, Q).
        let d = Distribution::new(&ClassCounts([90_631, 2_781, 7_236, 803, 8_043]));
        assert_eq!(d.total, 109_494);
        let words: Vec<&str> = d.rows.iter().map(|r| r.status.words()).collect();
        assert_eq!(
            words,
            [
                "severely over-represented",
                "severely under-represented",
                "under-represented",
                "critically low",
                "under-represented"
            ]
        );
        assert_eq!(d.ratio_text(), "113:1");
        assert!((d.rows[0].percent - 82.773).abs() < 1e-3);
    }

    #[test]
    fn guide_shares_give_145_to_1() {
        // The seed guide's shares: N 79.3 %, Q 10.4 %, V 6.8 %, S 3.0 %, F 0.5 % (F rounded;
        // 145:1 means F is 0.547 %). Counts per 100,000 beats consistent with both.
        let d = Distribution::new(&ClassCounts([79_300, 3_000, 6_800, 547, 10_353]));
        assert_eq!(d.ratio_text(), "145:1");
        assert_eq!(d.rows[3].status, Status::CriticallyLow);
        assert_eq!(d.largest().map(|r| r.class), Some(AamiClass::N));
        assert_eq!(d.smallest().map(|r| r.class), Some(AamiClass::F));
    }

    #[test]
    fn empty_and_absent_classes() {
        let d = Distribution::new(&ClassCounts([0; 5]));
        assert_eq!(d.imbalance_ratio, None);
        assert_eq!(d.ratio_text(), "—");
        assert!(d.rows.iter().all(|r| r.status == Status::Absent));
        let d = Distribution::new(&ClassCounts([10, 10, 0, 0, 0]));
        assert_eq!(d.rows[0].status, Status::Balanced);
        assert_eq!(d.absent, vec![AamiClass::V, AamiClass::F, AamiClass::Q]);
        assert_eq!(d.ratio_text(), "1.0:1");
    }

    #[test]
    fn bands_are_ordered_and_total() {
        for w in STATUS_BANDS.windows(2) {
            assert!(w[0].0 > w[1].0);
        }
        assert_eq!(STATUS_BANDS.last().map(|b| b.0), Some(0.0));
    }
}
