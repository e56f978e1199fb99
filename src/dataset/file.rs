//! Beat sets as files: the project's own lossless format, and the Kaggle heartbeat CSV layout.
//!
//! **Own format** (`.ecgbeats`): the bytes `ECG-BALANCE-LAB-BEATS\n`, a little-endian `u32`
//! header length, a JSON header (layout, record names, beat count, version), then the columns
//! as little-endian arrays: windows `f32 × n × len`, RR features `f32 × n × N_RR`, labels `u8 × n`
//! (class index), record ids `u32 × n`, R samples `u64 × n`, origins `u8 × n` (0 real,
//! 1 augmented, 2 synthetic) and origin sources `u32 × n`. Everything a [`BeatSet`] holds comes
//! back exactly.
//!
//! **Kaggle-style CSV**: one beat per row, 187 values at 125 Hz then the class index 0–4, as in
//! `mitbih_train.csv` (Kachuee et al. 2018): each window is resampled to 125 Hz, scaled to 0–1
//! (min–max over the window) and zero-padded to 187 values. Unlike Kachuee's files, which start
//! at the R peak, the whole window is kept (so the P wave survives): the R peak is at index
//! `round(r_index × 125 / fs_hz)` — 31 for the default 250 ms before the R peak.

use serde::{Deserialize, Serialize};

use super::{BeatLayout, BeatSet, N_RR, Origin};
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::BASIC_RR;
use crate::io::csv::{KAGGLE_FS_HZ, KAGGLE_SAMPLES};
use crate::io::limits::MAX_BEAT_WINDOW;
use crate::record::SamplingRate;

/// First bytes of a beat-set file.
pub const BEATS_MAGIC: &[u8] = b"ECG-BALANCE-LAB-BEATS\n";

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    version: u32,
    layout: BeatLayout,
    records: Vec<String>,
    n: usize,
    n_rr: usize,
}

/// Why a beat-set file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BeatFileError {
    /// Not a beat-set file.
    #[error("not an ECG Balance Lab beat file (it should start with \"ECG-BALANCE-LAB-BEATS\")")]
    NotBeats,
    /// Cut short or inconsistent.
    #[error("the beat file is damaged or incomplete: {0}")]
    Damaged(String),
}

/// True when `bytes` start like a beat-set file.
pub fn looks_like_beats(bytes: &[u8]) -> bool {
    bytes.starts_with(BEATS_MAGIC)
}

impl BeatSet {
    /// The set in the project's own format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.len();
        let header = Header {
            version: 1,
            layout: self.layout,
            records: self.records.clone(),
            n,
            n_rr: N_RR,
        };
        let json = serde_json::to_vec(&header).unwrap_or_default();
        let mut out = Vec::with_capacity(json.len() + n * (4 * (self.layout.len + N_RR) + 18));
        out.extend_from_slice(BEATS_MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        self.windows
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        self.rr
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out.extend(self.labels.iter().map(|c| c.index() as u8));
        self.record_id
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        self.r_sample
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out.extend(self.origin.iter().map(|o| match o {
            Origin::Real => 0u8,
            Origin::Augmented { .. } => 1,
            Origin::Synthetic => 2,
        }));
        self.origin.iter().for_each(|o| {
            let s = match o {
                Origin::Augmented { source } => *source,
                _ => 0,
            };
            out.extend_from_slice(&s.to_le_bytes());
        });
        out
    }

    /// Reads a set written by [`BeatSet::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<BeatSet, BeatFileError> {
        let rest = bytes
            .strip_prefix(BEATS_MAGIC)
            .ok_or(BeatFileError::NotBeats)?;
        let damaged = |what: &str| BeatFileError::Damaged(what.to_string());
        let len = rest
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| damaged("no header"))? as usize;
        let header: Header = rest
            .get(4..4 + len)
            .ok_or_else(|| damaged("header cut short"))
            .and_then(|j| {
                serde_json::from_slice(j).map_err(|e| BeatFileError::Damaged(e.to_string()))
            })?;
        if header.version != 1 {
            return Err(BeatFileError::Damaged(format!(
                "version {} of the beat-file format; this version of ECG Balance Lab reads version 1",
                header.version
            )));
        }
        // Files written before the rhythm features existed carry the basic ten; the rest read
        // as unknown (NaN), so models trained on them leave the rhythm features out.
        let n_rr = header.n_rr;
        if !(n_rr == N_RR || n_rr == BASIC_RR)
            || header.layout.len == 0
            || header.layout.len > 1 << 16
        {
            return Err(damaged("unexpected layout or RR feature count"));
        }
        let layout = header.layout;
        if layout.len > MAX_BEAT_WINDOW || layout.r_index >= layout.len {
            return Err(BeatFileError::Damaged(format!(
                "windows of {} samples with the R peak at sample {}: expected 1 to {MAX_BEAT_WINDOW} samples \
                 with the R peak inside the window",
                layout.len, layout.r_index
            )));
        }
        if let Err(e) = SamplingRate::new(f64::from(layout.fs_hz)) {
            return Err(BeatFileError::Damaged(format!("the windows' rate: {e}")));
        }
        let n = header.n;
        let l = header.layout.len;
        let expected = n
            .checked_mul(4 * (l + n_rr) + 1 + 4 + 8 + 1 + 4)
            .ok_or_else(|| damaged("beat count too large"))?;
        let mut p = &rest[4 + len..];
        if p.len() != expected {
            return Err(BeatFileError::Damaged(format!(
                "expected {expected} bytes of beats after the header, found {}",
                p.len()
            )));
        }
        let mut take = |k: usize| {
            let (a, b) = p.split_at(k);
            p = b;
            a
        };
        let f32s = |b: &[u8]| -> Vec<f32> {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let windows = f32s(take(4 * n * l));
        if let Some(i) = windows.iter().position(|v| !v.is_finite()) {
            return Err(BeatFileError::Damaged(format!(
                "beat {} holds a value that is not a finite number ({}); windows hold samples",
                i / l,
                windows.get(i).copied().unwrap_or(f32::NAN)
            )));
        }
        let rr = if n_rr == N_RR {
            f32s(take(4 * n * N_RR))
        } else {
            f32s(take(4 * n * n_rr))
                .chunks_exact(n_rr)
                .flat_map(|r| {
                    r.iter()
                        .copied()
                        .chain(std::iter::repeat_n(f32::NAN, N_RR - n_rr))
                })
                .collect()
        };
        let labels = take(n)
            .iter()
            .map(|&c| {
                AamiClass::from_index(usize::from(c)).ok_or_else(|| damaged("bad class index"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let record_id: Vec<u32> = take(4 * n)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if record_id
            .iter()
            .any(|&r| r as usize >= header.records.len())
        {
            return Err(damaged("record id out of range"));
        }
        let r_sample = take(8 * n)
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        let kinds = take(n).to_vec();
        let sources: Vec<u32> = take(4 * n)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let origin = kinds
            .iter()
            .zip(&sources)
            .map(|(&k, &s)| match k {
                0 => Ok(Origin::Real),
                1 => Ok(Origin::Augmented { source: s }),
                2 => Ok(Origin::Synthetic),
                _ => Err(damaged("bad origin")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BeatSet {
            layout: header.layout,
            windows,
            rr,
            labels,
            record_id,
            r_sample,
            origin,
            records: header.records,
            // The file keeps the beat lead only.
            windows_2: Vec::new(),
        })
    }

    /// The set as a Kaggle-style CSV (see the module docs).
    pub fn to_kaggle_csv(&self) -> String {
        let fs_in = f64::from(self.layout.fs_hz);
        let ratio = fs_in / f64::from(KAGGLE_FS_HZ); // input samples per output sample
        let n_out = ((self.layout.len as f64 / ratio).floor() as usize).min(KAGGLE_SAMPLES);
        let mut out = String::with_capacity(self.len() * (KAGGLE_SAMPLES * 10 + 4));
        let mut row = vec![0.0f64; KAGGLE_SAMPLES];
        for i in 0..self.len() {
            let w = self.window(i);
            row.iter_mut().for_each(|v| *v = 0.0);
            for (k, slot) in row.iter_mut().enumerate().take(n_out) {
                // Linear interpolation after a box average over the decimation span.
                let x = k as f64 * ratio;
                let lo = x.floor() as usize;
                let span = ratio.max(1.0).round() as usize;
                let end = (lo + span).min(w.len());
                let avg = if end > lo {
                    w[lo..end].iter().map(|&v| f64::from(v)).sum::<f64>() / (end - lo) as f64
                } else {
                    f64::from(w[w.len() - 1])
                };
                *slot = avg;
            }
            let (lo, hi) = row[..n_out]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let span = if hi > lo { hi - lo } else { 1.0 };
            for (k, v) in row.iter().enumerate() {
                let scaled = if k < n_out { (v - lo) / span } else { 0.0 };
                out.push_str(&format!("{scaled:.6e},"));
            }
            out.push_str(&format!("{}.0\n", self.labels[i].index()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> BeatSet {
        let mut s = BeatSet::new(BeatLayout {
            fs_hz: 180.0,
            len: 126,
            r_index: 45,
        });
        let a = s.record_index("100");
        let b = s.record_index("syn01");
        let w: Vec<f32> = (0..126)
            .map(|k| ((k as f32 - 45.0) / 5.0).exp().recip().min(1.0))
            .collect();
        s.push(&w, &[0.8; N_RR], AamiClass::N, a, 77, Origin::Real);
        s.push(
            &w,
            &[0.5; N_RR],
            AamiClass::V,
            a,
            370,
            Origin::Augmented { source: 0 },
        );
        s.push(&w, &[f32::NAN; N_RR], AamiClass::Q, b, 9, Origin::Synthetic);
        s
    }

    #[test]
    fn own_format_round_trips_exactly() {
        let s = set();
        let back = BeatSet::from_bytes(&s.to_bytes()).expect("round trip");
        assert_eq!(back.windows, s.windows);
        assert_eq!(back.labels, s.labels);
        assert_eq!(back.origin, s.origin);
        assert_eq!(back.records, s.records);
        assert_eq!(back.r_sample, s.r_sample);
        assert!(back.rr[2 * N_RR].is_nan());
        let bytes = s.to_bytes();
        assert_eq!(
            BeatSet::from_bytes(&bytes[..bytes.len() - 3])
                .err()
                .map(|e| matches!(e, BeatFileError::Damaged(_))),
            Some(true)
        );
        assert_eq!(
            BeatSet::from_bytes(b"hello").err(),
            Some(BeatFileError::NotBeats)
        );
    }

    #[test]
    fn kaggle_rows_have_187_values_scaled_to_one_and_a_label() {
        let csv = set().to_kaggle_csv();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 3);
        let first: Vec<f64> = rows[1]
            .split(',')
            .map(|v| v.parse().expect("number"))
            .collect();
        assert_eq!(first.len(), 188);
        assert_eq!(first[187], 2.0, "V is class 2");
        let values = &first[..187];
        assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(values.contains(&1.0));
        // 0.7 s at 125 Hz: 87 values, zero padding after.
        assert!(values[88..].iter().all(|&v| v == 0.0));
        // The file reads back as a Kaggle CSV.
        assert!(crate::io::csv::looks_like_kaggle(csv.as_bytes()));
        let k = crate::io::csv::read_kaggle(csv.as_bytes(), &mut |_| {}).expect("reads back");
        assert_eq!(k.labels, vec![AamiClass::N, AamiClass::V, AamiClass::Q]);
    }
}
