//! [`Assembler`]: fetched windows put together into one [`Record`](crate::Record), checking that
//! every frame is covered once.

use super::INVALID_SAMPLE_ADU;
use super::answer::{Info, parse_duration_s};
use super::error::LightwaveError;
use super::fetch::{Fetch, code_of_mnemonic, file_signal_name, latin1_of_utf8};
use super::url::{Window, plan_windows};
use crate::record::RecordSource;
use crate::{Annotation, Record, Signal};

/// Which samples arrived, one bit per frame.
#[derive(Debug, Clone)]
struct Coverage {
    bits: Vec<u64>,
    len: usize,
    count: usize,
}

impl Coverage {
    fn new(len: usize) -> Self {
        Self {
            bits: vec![0; len.div_ceil(64)],
            len,
            count: 0,
        }
    }

    fn get(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize) {
        if !self.get(i) {
            self.bits[i / 64] |= 1 << (i % 64);
            self.count += 1;
        }
    }

    fn missing(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < self.len {
            if self.get(i) {
                i += 1;
                continue;
            }
            let start = i;
            while i < self.len && !self.get(i) {
                i += 1;
            }
            out.push((start, i - 1));
        }
        out
    }
}

/// Rebuilds a [`Record`] from a record's `info`, its signal windows (in any order, repeated
/// when retried; overlapping samples must agree) and its annotations.
#[derive(Debug, Clone)]
pub struct Assembler {
    name: String,
    fs_hz: f64,
    sig_len: usize,
    signals: Vec<Signal>,
    service_names: Vec<String>,
    coverage: Vec<Coverage>,
    annotations: Option<Vec<Annotation>>,
    comments: Vec<String>,
}

/// What a record's `info` says about fetching it: its name, rate, length and signal names.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPlan {
    /// Record name: the last part of its path.
    pub name: String,
    /// Sampling frequency, Hz (ticks are frames: every `tps` is 1).
    pub fs_hz: f64,
    /// Frames per signal, from `duration` (millisecond precision: exact below 1000 Hz).
    pub sig_len: usize,
    /// Signal names as the service spells them (what `signal=` takes).
    pub service_names: Vec<String>,
}

impl RecordPlan {
    /// The plan of the record `info` describes; refused for records the assembler cannot
    /// rebuild.
    pub fn new(info: &Info) -> Result<RecordPlan, LightwaveError> {
        let name = info
            .record
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(info.record.as_str())
            .to_string();
        let unsupported = |reason: String| LightwaveError::Unsupported {
            record: name.clone(),
            reason,
        };
        let infos = info.signal.as_deref().unwrap_or_default();
        if infos.is_empty() {
            return Err(unsupported("it has no signals".into()));
        }
        if let Some(s) = infos.iter().find(|s| s.tps != 1.0) {
            return Err(unsupported(format!(
                "signal {} has several samples per frame (tps {}), which LightWAVE serves at another rate than the frames",
                s.name, s.tps
            )));
        }
        let fs_hz = match crate::record::SamplingRate::new(info.tfreq) {
            Ok(rate) => rate.hz(),
            Err(e) => return Err(unsupported(e.to_string())),
        };
        let duration_s = info
            .duration
            .as_deref()
            .and_then(parse_duration_s)
            .ok_or_else(|| unsupported("the service gives no length for it".into()))?;
        let sig_len = (duration_s * fs_hz).round();
        if !(1.0..=2.0e9).contains(&sig_len) {
            return Err(unsupported(format!("its length is {duration_s} s")));
        }
        // Checked before the assembler allocates every signal's samples.
        let total = sig_len * infos.len() as f64;
        if total > crate::io::limits::MAX_RECORD_SAMPLES as f64 {
            return Err(unsupported(format!(
                "its {} signals of {:.1} hours hold {total:.0} samples, more than the {} one record may hold here",
                infos.len(),
                duration_s / 3600.0,
                crate::io::limits::MAX_RECORD_SAMPLES
            )));
        }
        Ok(RecordPlan {
            name,
            fs_hz,
            sig_len: sig_len as usize,
            service_names: infos.iter().map(|s| s.name.clone()).collect(),
        })
    }

    /// The windows to ask for, `window_s` seconds each.
    pub fn windows(&self, window_s: u32) -> Vec<Window> {
        plan_windows(self.fs_hz, self.sig_len as u64, window_s)
    }
}

impl Assembler {
    /// Starts a record from its `info` (see [`RecordPlan::new`] for what is refused).
    pub fn new(info: &Info) -> Result<Assembler, LightwaveError> {
        let plan = RecordPlan::new(info)?;
        let sig_len = plan.sig_len;
        let all: Vec<&str> = plan.service_names.iter().map(String::as_str).collect();
        let signals = info
            .signal
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, s)| Signal {
                name: file_signal_name(&s.name, i, &all),
                units: s.units.clone().unwrap_or_else(|| "mV".into()),
                adc_gain: if s.gain == 0.0 { 200.0 } else { s.gain },
                baseline: s.baseline,
                invalid_adu: Some(INVALID_SAMPLE_ADU),
                samples_adu: vec![0; sig_len],
            })
            .collect::<Vec<_>>();
        let comments = info
            .note
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|n| n.trim_matches([' ', '\t', '#']).to_string())
            .collect();
        Ok(Assembler {
            coverage: vec![Coverage::new(sig_len); signals.len()],
            name: plan.name,
            fs_hz: plan.fs_hz,
            sig_len,
            signals,
            service_names: plan.service_names,
            annotations: None,
            comments,
        })
    }

    /// Record name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sampling frequency, Hz.
    pub fn fs_hz(&self) -> f64 {
        self.fs_hz
    }

    /// Frames per signal.
    pub fn sig_len(&self) -> usize {
        self.sig_len
    }

    /// Signal names as the service spells them (what `signal=` takes).
    pub fn service_signal_names(&self) -> &[String] {
        &self.service_names
    }

    /// The windows to ask for, `window_s` seconds each.
    pub fn plan(&self, window_s: u32) -> Vec<Window> {
        plan_windows(self.fs_hz, self.sig_len as u64, window_s)
    }

    /// Samples arrived so far (over all signals) and samples expected.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.coverage.iter().map(|c| c.count).sum(),
            self.sig_len * self.signals.len(),
        )
    }

    fn mismatch(&self, reason: String) -> LightwaveError {
        LightwaveError::Mismatch {
            record: self.name.clone(),
            reason,
        }
    }

    /// Adds the samples of a `fetch` answer (its annotators, if any, are ignored: see
    /// [`Assembler::add_annotations`]).
    pub fn add_signals(&mut self, fetch: &Fetch) -> Result<(), LightwaveError> {
        for s in &fetch.signals {
            let Some(k) = self.service_names.iter().position(|n| *n == s.name) else {
                return Err(self.mismatch(format!(
                    "the answer holds a signal {:?} the record's info does not list",
                    s.name
                )));
            };
            if s.tps != 1 {
                return Err(self.mismatch(format!("signal {} comes with tps {}", s.name, s.tps)));
            }
            let sig = &self.signals[k];
            if s.gain != sig.adc_gain && !(s.gain == 0.0 && sig.adc_gain == 200.0) {
                return Err(self.mismatch(format!(
                    "signal {}: gain {} here, {} in info",
                    s.name, s.gain, sig.adc_gain
                )));
            }
            if s.base != sig.baseline {
                return Err(self.mismatch(format!(
                    "signal {}: baseline {} here, {} in info",
                    s.name, s.base, sig.baseline
                )));
            }
            let t0 = usize::try_from(s.t0).unwrap_or(usize::MAX);
            let asked = usize::try_from(s.tf - s.t0).unwrap_or(usize::MAX);
            let expected = asked.min(self.sig_len.saturating_sub(t0));
            if t0 >= self.sig_len || s.samples_adu.len() != expected {
                return Err(self.mismatch(format!(
                    "signal {}: the window from frame {} to {} holds {} samples; the record has {} frames, so {} were expected",
                    s.name, s.t0, s.tf, s.samples_adu.len(), self.sig_len, expected
                )));
            }
            for (j, &v) in s.samples_adu.iter().enumerate() {
                let i = t0 + j;
                if self.coverage[k].get(i) {
                    if self.signals[k].samples_adu[i] != v {
                        let had = self.signals[k].samples_adu[i];
                        return Err(self.mismatch(format!(
                            "signal {}: frame {i} is {v} adu in one answer and {had} in another",
                            s.name
                        )));
                    }
                } else {
                    self.signals[k].samples_adu[i] = v;
                    self.coverage[k].set(i);
                }
            }
        }
        Ok(())
    }

    /// Sets the record's annotations from a `fetch` answer holding every annotation of
    /// `annotator` (a `dt=0` request). Code-0 annotations and notes at sample 0 are dropped, as
    /// the file reader drops them; an absent annotator leaves the record without annotations.
    pub fn add_annotations(
        &mut self,
        fetch: &Fetch,
        annotator: &str,
    ) -> Result<(), LightwaveError> {
        let Some(a) = fetch.annotators.iter().find(|a| a.name == annotator) else {
            self.annotations = Some(Vec::new());
            return Ok(());
        };
        let mut out = Vec::with_capacity(a.annotation.len());
        for x in &a.annotation {
            let code = code_of_mnemonic(&x.a).ok_or_else(|| {
                self.mismatch(format!(
                    "annotation at tick {}: unknown mnemonic {:?}",
                    x.t, x.a
                ))
            })?;
            let sample = u64::try_from(x.t)
                .map_err(|_| self.mismatch(format!("an annotation lies at tick {}", x.t)))?;
            if code == 0 || (code == crate::io::wfdb::annotation::NOTE && sample == 0) {
                continue;
            }
            let small = |v: i64, what: &str| -> Result<i64, LightwaveError> {
                if (-128..=255).contains(&v) {
                    Ok(v)
                } else {
                    Err(self.mismatch(format!(
                        "annotation at tick {}: {what} {v} does not fit a byte",
                        x.t
                    )))
                }
            };
            out.push(Annotation {
                sample,
                code,
                subtype: small(x.s, "subtype")? as i8,
                chan: small(x.c, "chan")? as u8,
                num: small(x.n, "num")? as i8,
                aux_note: x.x.as_deref().map(latin1_of_utf8),
            });
        }
        self.annotations = Some(out);
        Ok(())
    }

    /// Frame ranges (inclusive) still missing in any signal.
    pub fn missing(&self) -> Vec<(usize, usize)> {
        let mut all: Vec<(usize, usize)> =
            self.coverage.iter().flat_map(Coverage::missing).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The record, once every sample has arrived.
    pub fn finish(self) -> Result<Record, LightwaveError> {
        let missing = self.missing();
        if !missing.is_empty() {
            let text = missing
                .iter()
                .take(8)
                .map(|(a, b)| format!("{a}–{b}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(LightwaveError::Incomplete {
                record: self.name,
                missing: text,
            });
        }
        Ok(Record {
            name: self.name,
            fs_hz: self.fs_hz,
            signals: self.signals,
            annotations: self.annotations.unwrap_or_default(),
            comments: self.comments,
            source: RecordSource::Wfdb,
        })
    }
}
