//! The seven techniques, their command-line names and page labels, and the mains frequencies
//! of power-line interference.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::AugmentError;

/// An augmentation technique. [`Technique::ALL`] is also the order in which techniques are
/// chained on one beat: the ones that move or reshape the waveform first, then the ones that
/// add something to it, with noise last so its SNR refers to the window as it finally looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Technique {
    /// Smooth monotone stretch/compress of the time axis, R peak fixed ([`time_warp`](super::time_warp)).
    TimeWarp,
    /// Integer-sample shift with edge replication ([`time_shift`](super::time_shift)).
    TimeShift,
    /// Single-sideband shift of the spectrum ([`frequency_shift`](super::frequency_shift)).
    FrequencyShift,
    /// Multiplication by a gain ([`amplitude_scale`](super::amplitude_scale)).
    AmplitudeScale,
    /// Added low-frequency drift ([`baseline_wander`](super::baseline_wander)).
    BaselineWander,
    /// Added 50 or 60 Hz mains interference ([`power_line`](super::power_line)).
    PowerLine,
    /// Added white Gaussian noise at a chosen SNR ([`gaussian_noise`](super::gaussian_noise)).
    GaussianNoise,
}

/// Number of techniques.
pub const N_TECHNIQUES: usize = 7;

/// Each technique with its command-line name and the label shown on the page.
pub const TECHNIQUE_NAMES: [(Technique, &str, &str); N_TECHNIQUES] = [
    (Technique::TimeWarp, "warp", "Time warping"),
    (Technique::TimeShift, "shift", "Time shift"),
    (Technique::FrequencyShift, "freq-shift", "Frequency shift"),
    (Technique::AmplitudeScale, "scale", "Amplitude scaling"),
    (Technique::BaselineWander, "wander", "Baseline wander"),
    (Technique::PowerLine, "powerline", "Power-line interference"),
    (Technique::GaussianNoise, "noise", "Gaussian noise"),
];

impl Technique {
    /// All techniques, in chaining order.
    pub const ALL: [Technique; N_TECHNIQUES] = [
        Technique::TimeWarp,
        Technique::TimeShift,
        Technique::FrequencyShift,
        Technique::AmplitudeScale,
        Technique::BaselineWander,
        Technique::PowerLine,
        Technique::GaussianNoise,
    ];

    /// Position in [`Technique::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Command-line name (`noise`, `warp`, …).
    pub fn name(self) -> &'static str {
        TECHNIQUE_NAMES[self.index()].1
    }

    /// Label for people (`Gaussian noise`, …).
    pub fn label(self) -> &'static str {
        TECHNIQUE_NAMES[self.index()].2
    }

    /// Reads a comma-separated list of names; `all` means every technique, `none` or an empty
    /// string none. Duplicates are dropped; the result is in chaining order.
    pub fn parse_list(s: &str) -> Result<Vec<Technique>, AugmentError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Technique::ALL.to_vec());
        }
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(Vec::new());
        }
        let mut out = s
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<Technique>, _>>()?;
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Technique {
    type Err = AugmentError;

    /// Accepts the command-line name, case-insensitive, with `_` or `-` alike.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        TECHNIQUE_NAMES
            .iter()
            .find(|(_, name, _)| *name == key)
            .map(|(t, _, _)| *t)
            .ok_or_else(|| AugmentError::UnknownTechnique {
                input: s.to_string(),
                known: TECHNIQUE_NAMES
                    .iter()
                    .map(|(_, n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Mains frequency of one power-line draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mains {
    /// 50 Hz (Europe, most of Asia and Africa).
    Hz50,
    /// 60 Hz (the Americas; MIT-BIH was recorded in Boston).
    Hz60,
}

impl Mains {
    /// The frequency, Hz.
    pub fn hz(self) -> f64 {
        match self {
            Mains::Hz50 => 50.0,
            Mains::Hz60 => 60.0,
        }
    }
}

/// Which mains frequencies power-line draws may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MainsChoice {
    /// Always 50 Hz.
    Hz50,
    /// Always 60 Hz.
    Hz60,
    /// 50 or 60 Hz with equal chance, among those below the window's Nyquist frequency.
    Either,
}
