//! [`PeakMethod`]: the QRS detection methods, named after their papers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::DetectError;

/// A QRS detection method, named after its paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PeakMethod {
    /// Pan & Tompkins 1985 as published (see the module docs), with filters designed for any
    /// sampling rate.
    PanTompkins1985,
    /// Pan & Tompkins 1985 with a lookahead and three other changes that remove most of its
    /// false detections and misses on MIT-BIH:
    ///
    /// - *lookahead*: a QRS candidate is confirmed only after the next 360 ms have been seen;
    ///   a later QRS candidate takes its place when it comes within 250 ms (a PR interval)
    ///   with a larger PEAKI, or within 360 ms with over twice the slope — the mirror image of
    ///   the paper's T-wave test, for tall P waves (MIT-BIH 108) and artefacts;
    /// - *lower first thresholds*: `THRESHOLD1 = NPK + 0.18 (SPK − NPK)` (the lookahead keeps
    ///   the extra P and T waves this lets through out);
    /// - *relaxed search-back*: when no peak exceeds the second thresholds, the largest over
    ///   half of THRESHOLD I2 (and over THRESHOLD F2) is taken if it lies more than 360 ms
    ///   after the last QRS and 250 ms before the next candidate — wide ventricular beats
    ///   carry little 5–15 Hz energy (MIT-BIH 124, 210); SPK and NPK are left as they were;
    /// - *robust learning*: the initial SPK is ⅓ of the median of per-second maxima over the
    ///   first 8 s, so one artefact in the first 2 s does not raise the thresholds.
    #[default]
    PanTompkins1985Lookahead,
}

impl PeakMethod {
    /// Every method, default first.
    pub const ALL: [PeakMethod; 2] = [Self::PanTompkins1985Lookahead, Self::PanTompkins1985];

    /// The name used on the command line (`pan-tompkins-1985`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::PanTompkins1985 => "pan-tompkins-1985",
            Self::PanTompkins1985Lookahead => "pan-tompkins-1985-lookahead",
        }
    }
}

impl fmt::Display for PeakMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PeakMethod {
    type Err = DetectError;

    /// Parses a [`PeakMethod::name`] (case-insensitive; `_` may stand for `-`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|m| m.name() == wanted)
            .ok_or_else(|| DetectError::UnknownMethod(s.to_string()))
    }
}
