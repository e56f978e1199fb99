//! Per-record template beats: the sample-wise median of each record's real beats (the
//! patient's typical beat) and its peak-to-peak amplitude. Label-free and per record: a record's
//! own beats shape only that record's template, so templates can be fitted on every record of a
//! set, test records included, without leaking anything between patients (as the record-average
//! RR interval of the inter-patient literature). Augmented and synthetic beats never shape a
//! template; a synthetic virtual patient gets its own sinus beat ([`Templates::push_template`]).

use serde::{Deserialize, Serialize};

use super::{BeatSet, Origin};
use crate::ecg::beats::median_in_place;

/// Per-record template beat and amplitude.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Templates {
    /// Template of each record id (empty when the record has no real beat).
    pub beats: Vec<Vec<f32>>,
    /// Amplitude (peak-to-peak of the template, at least 0.1) of each record id.
    pub scale: Vec<f32>,
    /// Second-lead template of each record id, when the beats have a second lead (empty
    /// otherwise, and for records without one).
    #[serde(default)]
    pub beats_2: Vec<Vec<f32>>,
    /// Second-lead amplitude of each record id.
    #[serde(default)]
    pub scale_2: Vec<f32>,
}

/// Smallest amplitude used for scaling, so flat or empty records do not blow up.
const MIN_SCALE: f32 = 0.1;

impl Templates {
    /// Templates of every record of `beats`, from its real beats only (augmented or synthetic
    /// beats never shape a template).
    pub fn fit(beats: &BeatSet) -> Templates {
        let l = beats.layout.len;
        let n_rec = beats.records.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_rec];
        for i in 0..beats.len() {
            if beats.origin[i] == Origin::Real {
                if let Some(m) = members.get_mut(beats.record_id[i] as usize) {
                    m.push(i);
                }
            }
        }
        let mut out = Templates {
            beats: Vec::with_capacity(n_rec),
            scale: Vec::with_capacity(n_rec),
            beats_2: Vec::new(),
            scale_2: Vec::new(),
        };
        let two = beats.has_second_lead();
        for m in members {
            if m.is_empty() {
                out.beats.push(Vec::new());
                out.scale.push(1.0);
                if two {
                    out.beats_2.push(Vec::new());
                    out.scale_2.push(1.0);
                }
                continue;
            }
            // At most 2,000 beats per record are enough for a stable median.
            let stride = m.len().div_ceil(2000);
            let picked: Vec<usize> = m.iter().copied().step_by(stride).collect();
            out.push_template(median_beat(l, &picked, |i| beats.window(i)));
            if two {
                let (t, s) = centred(median_beat(l, &picked, |i| {
                    beats.window_2(i).unwrap_or(&[])
                }));
                out.beats_2.push(t);
                out.scale_2.push(s);
            }
        }
        out
    }

    /// Appends the template of the next record id from its typical beat window (centred on
    /// its median, scaled by its peak-to-peak amplitude as [`Templates::fit`] does): for
    /// records whose typical beat is known without real beats, e.g. synthetic patients.
    pub fn push_template(&mut self, template: Vec<f32>) {
        let (template, scale) = centred(template);
        self.scale.push(scale);
        self.beats.push(template);
    }
}

impl Templates {
    /// Keeps the templates of the first `n` record ids, padding with empty ones.
    pub fn resize(&mut self, n: usize) {
        self.beats.resize(n, Vec::new());
        self.scale.resize(n, 1.0);
        if !self.beats_2.is_empty() {
            self.beats_2.resize(n, Vec::new());
            self.scale_2.resize(n, 1.0);
        }
    }

    /// Appends the template of record id 0 of `other` as the next record id.
    pub fn append_first(&mut self, other: &Templates) {
        let n = self.beats.len();
        self.beats
            .push(other.beats.first().cloned().unwrap_or_default());
        self.scale.push(other.scale.first().copied().unwrap_or(1.0));
        if let (Some(t), Some(s)) = (other.beats_2.first(), other.scale_2.first()) {
            self.beats_2.resize(n, Vec::new());
            self.scale_2.resize(n, 1.0);
            self.beats_2.push(t.clone());
            self.scale_2.push(*s);
        }
    }
}

/// The sample-wise median of the windows of beats `picked` (`window` gives beat i's window).
fn median_beat<'a>(len: usize, picked: &[usize], window: impl Fn(usize) -> &'a [f32]) -> Vec<f32> {
    let mut column = Vec::with_capacity(picked.len());
    (0..len)
        .map(|k| {
            column.clear();
            column.extend(picked.iter().filter_map(|&i| window(i).get(k).copied()));
            median_in_place(&mut column).unwrap_or(0.0)
        })
        .collect()
}

/// `template` minus its median, and its peak-to-peak amplitude (at least [`MIN_SCALE`]).
fn centred(mut template: Vec<f32>) -> (Vec<f32>, f32) {
    let mut sorted = template.clone();
    let base = median_in_place(&mut sorted).unwrap_or(0.0);
    template.iter_mut().for_each(|v| *v -= base);
    let (lo, hi) = template
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let scale = if template.is_empty() {
        1.0
    } else {
        (hi - lo).max(MIN_SCALE)
    };
    (template, scale)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dataset::{BeatLayout, N_RR};
    use crate::ecg::aami::AamiClass;

    /// Two records of a 4-sample layout: five N and a real V in `a` (plus an augmented copy
    /// that templates must ignore), one N in `b`; shared with the feature tests.
    pub(crate) fn set() -> BeatSet {
        let mut s = BeatSet::new(BeatLayout {
            fs_hz: 10.0,
            len: 4,
            r_index: 1,
        });
        let a = s.record_index("a");
        let b = s.record_index("b");
        for k in 0..5 {
            s.push(
                &[0.0, 2.0, 0.0, 0.0],
                &[1.0 + k as f32; N_RR],
                AamiClass::N,
                a,
                k,
                Origin::Real,
            );
        }
        s.push(
            &[0.0, -4.0, 0.0, 0.0],
            &[3.0; N_RR],
            AamiClass::V,
            a,
            9,
            Origin::Real,
        );
        s.push(
            &[9.0, 9.0, 9.0, 9.0],
            &[5.0; N_RR],
            AamiClass::V,
            a,
            9,
            Origin::Augmented { source: 0 },
        );
        s.push(
            &[1.0, 1.5, 1.0, 1.0],
            &[0.5; N_RR],
            AamiClass::N,
            b,
            0,
            Origin::Real,
        );
        s
    }

    #[test]
    fn templates_come_from_each_records_real_beats() {
        let s = set();
        let t = Templates::fit(&s);
        assert_eq!(t.beats[0], vec![0.0, 2.0, 0.0, 0.0]);
        assert!((t.scale[0] - 2.0).abs() < 1e-6);
        assert_eq!(t.beats[1], vec![0.0, 0.5, 0.0, 0.0]);
        assert!((t.scale[1] - 0.5).abs() < 1e-6);
    }
}
