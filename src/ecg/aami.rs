//! The five heartbeat classes of ANSI/AAMI EC57 and the mapping of MIT-BIH beat symbols to them.
//!
//! Source: ANSI/AAMI EC57:1998/(R)2008, *Testing and reporting performance results of cardiac
//! rhythm and ST segment measurement algorithms*, table 1, as used by de Chazal, O'Dwyer &
//! Reilly, IEEE Trans Biomed Eng 51(7):1196–1206, 2004 (table I). Symbols are WFDB's.
//! Annotations that are not beats (rhythm `+`, noise `~`, flutter waves `!`, …) have no class.

use serde::{Deserialize, Serialize};

/// An AAMI EC57 heartbeat class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AamiClass {
    /// Normal and bundle-branch-block beats, escape beats.
    N = 0,
    /// Supraventricular ectopic beats.
    S = 1,
    /// Ventricular ectopic beats.
    V = 2,
    /// Fusion of ventricular and normal beats.
    F = 3,
    /// Paced, fusion of paced and normal, and unclassifiable beats.
    Q = 4,
}

/// Number of AAMI classes.
pub const N_CLASSES: usize = 5;

impl AamiClass {
    /// All classes in their conventional order N, S, V, F, Q (also their index order).
    pub const ALL: [AamiClass; N_CLASSES] = [Self::N, Self::S, Self::V, Self::F, Self::Q];

    /// Index 0..5 in [`AamiClass::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Class of index `i` (0..5).
    pub fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }

    /// One-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Self::N => "N",
            Self::S => "S",
            Self::V => "V",
            Self::F => "F",
            Self::Q => "Q",
        }
    }

    /// Class named by its one-letter code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Name as users read it.
    pub fn name(self) -> &'static str {
        match self {
            Self::N => "Normal",
            Self::S => "Supraventricular ectopic",
            Self::V => "Ventricular ectopic",
            Self::F => "Fusion",
            Self::Q => "Unclassifiable",
        }
    }
}

impl std::fmt::Display for AamiClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The AAMI EC57 mapping: every MIT-BIH beat symbol and its class.
pub const AAMI_EC57: [(&str, AamiClass); 15] = [
    ("N", AamiClass::N), // normal beat
    ("L", AamiClass::N), // left bundle branch block beat
    ("R", AamiClass::N), // right bundle branch block beat
    ("e", AamiClass::N), // atrial escape beat
    ("j", AamiClass::N), // nodal (junctional) escape beat
    ("A", AamiClass::S), // atrial premature beat
    ("a", AamiClass::S), // aberrated atrial premature beat
    ("J", AamiClass::S), // nodal (junctional) premature beat
    ("S", AamiClass::S), // supraventricular premature beat
    ("V", AamiClass::V), // premature ventricular contraction
    ("E", AamiClass::V), // ventricular escape beat
    ("F", AamiClass::F), // fusion of ventricular and normal beat
    ("/", AamiClass::Q), // paced beat
    ("f", AamiClass::Q), // fusion of paced and normal beat
    ("Q", AamiClass::Q), // unclassifiable beat
];

/// AAMI class of a beat symbol; `None` for annotations that are not beats.
pub fn class_of_symbol(symbol: &str) -> Option<AamiClass> {
    AAMI_EC57
        .iter()
        .find(|(s, _)| *s == symbol)
        .map(|(_, c)| *c)
}

/// AAMI class of a MIT annotation code; `None` for annotations that are not beats.
pub fn class_of_code(code: u8) -> Option<AamiClass> {
    class_of_symbol(crate::record::codes::symbol(code))
}

/// Counts per class, indexed by [`AamiClass::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClassCounts(pub [usize; N_CLASSES]);

impl ClassCounts {
    /// Count of one class.
    pub fn get(&self, c: AamiClass) -> usize {
        self.0[c.index()]
    }

    /// Adds one beat of class `c`.
    pub fn add(&mut self, c: AamiClass) {
        self.0[c.index()] += 1;
    }

    /// Sum over classes.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// Share of class `c` in the total, 0–1 (0 when there is no beat).
    pub fn share(&self, c: AamiClass) -> f64 {
        self.get(c) as f64 / self.total().max(1) as f64
    }

    /// Element-wise sum.
    pub fn merged(mut self, other: &ClassCounts) -> ClassCounts {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
        self
    }

    /// Counts of the beats among `annotations`.
    pub fn of_annotations(annotations: &[crate::Annotation]) -> ClassCounts {
        let mut counts = ClassCounts::default();
        for a in annotations {
            if let Some(c) = class_of_code(a.code) {
                counts.add(c);
            }
        }
        counts
    }

    /// As a JSON object `{"N":…, "S":…, "V":…, "F":…, "Q":…}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for c in AamiClass::ALL {
            m.insert(c.code().to_string(), self.get(c).into());
        }
        serde_json::Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::codes;

    #[test]
    fn table_is_total_over_beat_codes_and_consistent() {
        // Every symbol of the table is a real annotation code, and appears once.
        for (s, _) in AAMI_EC57 {
            assert!(codes::code(s).is_some(), "{s} is not a WFDB symbol");
            assert_eq!(AAMI_EC57.iter().filter(|(t, _)| *t == s).count(), 1);
        }
        // Every class has at least one symbol.
        for c in AamiClass::ALL {
            assert!(AAMI_EC57.iter().any(|(_, k)| *k == c), "{c} has no symbol");
        }
        // Non-beat annotations have no class.
        for s in ["+", "~", "!", "\"", "x", "|", "[", "]", "Q "] {
            assert_eq!(class_of_symbol(s), None, "{s}");
        }
        assert_eq!(class_of_symbol("f"), Some(AamiClass::Q));
        assert_eq!(class_of_code(1), Some(AamiClass::N));
    }

    #[test]
    fn indices_and_codes_round_trip() {
        for (i, c) in AamiClass::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(AamiClass::from_index(i), Some(c));
            assert_eq!(AamiClass::from_code(c.code()), Some(c));
        }
        assert_eq!(AamiClass::from_index(5), None);
    }

    #[test]
    fn shares_sum_to_one_and_an_empty_count_has_none() {
        let c = ClassCounts([6, 1, 2, 1, 0]);
        assert!((c.share(AamiClass::N) - 0.6).abs() < 1e-12);
        let sum: f64 = AamiClass::ALL.iter().map(|&k| c.share(k)).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert_eq!(ClassCounts::default().share(AamiClass::V), 0.0);
    }
}
