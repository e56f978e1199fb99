//! The in-memory record every reader produces: signals in digital units (adu) with the gain and
//! baseline that turn them into physical units, plus the record's annotations.
//!
//! Samples are kept as `i16` adu, as WFDB stores them (every supported format fits 16 bits),
//! which halves memory against `f32` — the whole MIT-BIH database is 125 MB this way.
//! Physical value = (adu − baseline) / adc_gain, in `units` (mV for ECG).

pub mod codes;

use serde::{Deserialize, Serialize};

/// Lowest sampling rate any reader accepts, Hz: one sample per 1,000 s, below every trend record
/// PhysioNet holds (1/60 Hz).
pub const MIN_FS_HZ: f64 = 0.001;
/// Highest sampling rate any reader accepts, Hz: far above every ECG database (10 kHz at most),
/// as the CSV reader always allowed; the beat resampler caps its kernel, so even this rate
/// costs it a few megabytes.
pub const MAX_FS_HZ: f64 = 1_000_000.0;

/// A sampling rate in Hz that every reader and the beat resampler can use: finite and within
/// [`MIN_FS_HZ`]..=[`MAX_FS_HZ`]. Every reader (WFDB headers, plain CSV, LightWAVE answers, beat
/// files) checks the rate a file states through [`SamplingRate::new`], so a header claiming
/// 1e9 Hz is refused with one message instead of reaching the resampler, which would ask for
/// gigabytes of filter weights.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct SamplingRate(f64);

/// A sampling rate outside what the readers accept.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error(
    "a sampling rate of {fs_hz} Hz is not usable: expected a rate from 0.001 Hz to 1,000,000 Hz (ECG is recorded at 100 to 10,000 Hz)"
)]
pub struct RateError {
    /// The rate as found.
    pub fs_hz: f64,
}

impl SamplingRate {
    /// `fs_hz` if it is finite and within [`MIN_FS_HZ`]..=[`MAX_FS_HZ`].
    pub fn new(fs_hz: f64) -> Result<SamplingRate, RateError> {
        if fs_hz.is_finite() && (MIN_FS_HZ..=MAX_FS_HZ).contains(&fs_hz) {
            Ok(SamplingRate(fs_hz))
        } else {
            Err(RateError { fs_hz })
        }
    }

    /// `fs_hz` brought into the accepted range (NaN becomes [`MIN_FS_HZ`]); for code that must
    /// not fail on a rate some caller built by hand. Readers use [`SamplingRate::new`].
    pub fn clamped(fs_hz: f64) -> SamplingRate {
        if fs_hz.is_nan() {
            SamplingRate(MIN_FS_HZ)
        } else {
            SamplingRate(fs_hz.clamp(MIN_FS_HZ, MAX_FS_HZ))
        }
    }

    /// The rate in Hz.
    pub fn hz(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for SamplingRate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let hz = f64::deserialize(d)?;
        SamplingRate::new(hz).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<f64> for SamplingRate {
    type Error = RateError;
    fn try_from(fs_hz: f64) -> Result<Self, RateError> {
        SamplingRate::new(fs_hz)
    }
}

/// One channel (lead) of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Lead name as written in the header (`sig_name`), e.g. `MLII`, `V1`.
    pub name: String,
    /// Physical units (`units`), e.g. `mV`.
    pub units: String,
    /// adu per physical unit (`adc_gain`). WFDB's default of 200 applies when a header omits it.
    pub adc_gain: f64,
    /// Digital value of 0 physical units (`baseline`), in adu.
    pub baseline: i32,
    /// The value a format uses to mark a missing sample (e.g. −32768 for format 16), if any.
    pub invalid_adu: Option<i16>,
    /// Digital samples, one per sample time, in adu.
    pub samples_adu: Vec<i16>,
}

impl Signal {
    /// Physical value of sample `i` (in `units`), `NaN` for a sample marked missing.
    #[inline]
    pub fn physical(&self, i: usize) -> f32 {
        let adu = self.samples_adu[i];
        if Some(adu) == self.invalid_adu {
            return f32::NAN;
        }
        ((f64::from(adu) - f64::from(self.baseline)) / self.adc_gain) as f32
    }

    /// Physical values of `range` (in `units`), missing samples as `NaN`.
    pub fn physical_range(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        range.map(|i| self.physical(i)).collect()
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples_adu.len()
    }

    /// True when the signal holds no samples.
    pub fn is_empty(&self) -> bool {
        self.samples_adu.is_empty()
    }
}

/// One annotation of a record, with the fields of WFDB's annotation files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Position, in samples from the start of the record.
    pub sample: u64,
    /// MIT annotation code (1 = `N`, 5 = `V`, …); see [`codes`].
    pub code: u8,
    /// `subtype` field.
    pub subtype: i8,
    /// `chan` field: the signal the annotation refers to.
    pub chan: u8,
    /// `num` field.
    pub num: i8,
    /// `aux_note`: free text, e.g. rhythm changes such as `(AFIB`.
    pub aux_note: Option<String>,
}

impl Annotation {
    /// A plain annotation (a beat, for a beat code) at `sample` with MIT code `code`: no
    /// subtype, channel 0, num 0, no aux note.
    pub fn beat(sample: u64, code: u8) -> Annotation {
        Annotation {
            sample,
            code,
            subtype: 0,
            chan: 0,
            num: 0,
            aux_note: None,
        }
    }

    /// The annotation's symbol as WFDB writes it (`N`, `V`, `/`, `+`, …).
    pub fn symbol(&self) -> &'static str {
        codes::symbol(self.code)
    }
}

/// Where a record came from; shown to the user and used to keep synthetic data labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordSource {
    /// Read from WFDB files.
    Wfdb,
    /// Read from a plain CSV file (one column per lead).
    Csv,
    /// Simulated by the project (ECGSYN); never real patient data.
    Synthetic,
}

/// A record: several signals sampled together, and its annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Record name (`100`, `00001_lr`, …).
    pub name: String,
    /// Sampling frequency in Hz (`fs`).
    pub fs_hz: f64,
    /// Signals, all of the same length.
    pub signals: Vec<Signal>,
    /// Annotations sorted by sample; empty when the record has no annotation file.
    pub annotations: Vec<Annotation>,
    /// Free-text header comments (demographics, medication, `# Dx:` codes, …).
    pub comments: Vec<String>,
    /// Where the record came from.
    pub source: RecordSource,
}

impl Record {
    /// Number of samples per signal (`sig_len`).
    pub fn sig_len(&self) -> usize {
        self.signals.first().map_or(0, Signal::len)
    }

    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        if self.fs_hz > 0.0 {
            self.sig_len() as f64 / self.fs_hz
        } else {
            0.0
        }
    }

    /// Samples held, over all signals.
    pub fn samples(&self) -> usize {
        self.signals.iter().map(Signal::len).sum()
    }

    /// Bytes its samples take in memory: 2 per sample (`i16` adu), whatever the file's
    /// format (format 212 stores 1.5 bytes per sample, format 32 stores 4).
    pub fn sample_bytes(&self) -> usize {
        self.samples() * std::mem::size_of::<i16>()
    }

    /// Index of the signal named `name` (case-insensitive), if present.
    pub fn signal_index(&self, name: &str) -> Option<usize> {
        self.signals
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_rates_outside_the_range_are_refused() {
        for ok in [360.0, 100.0, 1.0 / 60.0, MIN_FS_HZ, MAX_FS_HZ] {
            assert_eq!(SamplingRate::new(ok).map(SamplingRate::hz), Ok(ok));
        }
        for bad in [
            0.0,
            -360.0,
            1e9,
            1.5e6,
            1e300,
            f64::NAN,
            f64::INFINITY,
            1e-300,
        ] {
            let e = SamplingRate::new(bad).unwrap_err();
            assert!(e.to_string().contains("1,000,000 Hz"), "{e}");
        }
        assert_eq!(SamplingRate::clamped(1e300).hz(), MAX_FS_HZ);
        assert_eq!(SamplingRate::clamped(f64::NAN).hz(), MIN_FS_HZ);
        assert!(serde_json::from_str::<SamplingRate>("1e9").is_err());
        assert_eq!(
            serde_json::from_str::<SamplingRate>("360").unwrap().hz(),
            360.0
        );
    }

    #[test]
    fn a_record_holds_two_bytes_per_sample_of_every_signal() {
        let signal = |name: &str, n: usize| Signal {
            name: name.into(),
            units: "mV".into(),
            adc_gain: 200.0,
            baseline: 0,
            invalid_adu: None,
            samples_adu: vec![0; n],
        };
        let mut record = Record {
            name: "100".into(),
            fs_hz: 360.0,
            signals: vec![signal("MLII", 650_000), signal("V5", 650_000)],
            annotations: vec![Annotation::beat(10, 1); 3],
            comments: Vec::new(),
            source: RecordSource::Wfdb,
        };
        // MIT-BIH's record 100: 650,000 samples of two leads, 2,600,000 bytes (its 212-format
        // file holds 1,950,000); annotations are not samples.
        assert_eq!(record.samples(), 1_300_000);
        assert_eq!(record.sample_bytes(), 2_600_000);
        record.signals.push(signal("empty", 0));
        assert_eq!(record.sample_bytes(), 2_600_000);
        record.signals.clear();
        assert_eq!(record.sample_bytes(), 0);
    }
}
