//! Model inputs from beats: what the classifier sees, and the statistics that shape it.
//!
//! Per beat, two channels over the window:
//! 1. the beat with its own median removed (baseline), divided by its record's beat amplitude;
//! 2. the beat minus its record's *template* — the sample-wise median of all the record's real
//!    beats, i.e. the patient's typical beat — divided by the same amplitude.
//!
//! The template and the amplitude are label-free and per record: a record's own beats shape only
//! that record's features, exactly like the record-average RR interval (the inter-patient
//! literature's standard RR feature). Nothing about one record leaks into another. The second
//! channel is what lets a classifier trained on some patients recognise an ectopic beat of a
//! patient it has never seen: the question becomes "how does this beat differ from this patient's
//! usual beat", not "what does a normal beat look like in general".
//!
//! RR features are standardised with a [`Normalizer`] fitted on the training split only.
//! Beat files without records (the Kaggle CSV) get only the first channel, unscaled, and no RR.

use serde::{Deserialize, Serialize};

pub use crate::dataset::templates::Templates;
use crate::dataset::{BeatSet, N_RR};
use crate::ecg::beats::median_in_place;

/// Which inputs the model gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Add the beat-minus-template channel and scale by record amplitude.
    pub template: bool,
    /// Join the RR features.
    pub rr: bool,
    /// Join only the RR features that are relative to the patient's own rhythm (ratios and the
    /// local irregularity), leaving out the intervals in seconds. Off by default: on MIT-BIH's
    /// inter-patient split dropping the absolute intervals cost 30 points of S sensitivity.
    #[serde(default)]
    pub rr_relative_only: bool,
    /// Join the rhythm features too (intervals over the median and running rhythm around the
    /// beat, and the background irregularity; [`crate::ecg::beats::RrFeatures`]). Absent from
    /// model files written before they existed, which read as `false`.
    #[serde(default)]
    pub rhythm: bool,
    /// Add the second lead's two channels (the beat and the beat minus its template, scaled by
    /// the second lead's amplitude). Needs the template channel.
    #[serde(default)]
    pub second_lead: bool,
}

/// Indices (into [`crate::ecg::beats::RrFeatures::to_array`]) of the relative RR features.
pub const RELATIVE_RR: [usize; 6] = [4, 5, 6, 7, 8, 9];
pub use crate::ecg::beats::BASIC_RR;

impl FeatureSpec {
    /// The inputs suited to `beats`: everything for records, the bare window for beat files.
    pub fn for_beats(beats: &BeatSet) -> FeatureSpec {
        let has_rr = beats.has_rr() && !beats.is_empty();
        FeatureSpec {
            template: has_rr,
            rr: has_rr,
            rr_relative_only: false,
            rhythm: has_rr && beats.has_rhythm(),
            second_lead: has_rr && beats.has_second_lead(),
        }
    }

    /// Input channels.
    pub fn channels(&self) -> usize {
        match (self.template, self.second_lead) {
            (false, _) => 1,
            (true, false) => 2,
            (true, true) => 4,
        }
    }

    /// RR features joined.
    pub fn n_rr(&self) -> usize {
        self.rr_indices().len()
    }

    /// Which entries of a beat's RR features are joined, in order.
    pub fn rr_indices(&self) -> Vec<usize> {
        if !self.rr {
            return Vec::new();
        }
        let mut out: Vec<usize> = if self.rr_relative_only {
            RELATIVE_RR.to_vec()
        } else {
            (0..BASIC_RR).collect()
        };
        if self.rhythm {
            out.extend(BASIC_RR..N_RR);
        }
        out
    }
}

/// Standardisation of RR features, fitted on training beats only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalizer {
    /// Mean of each RR feature.
    pub rr_mean: Vec<f32>,
    /// Standard deviation of each RR feature (at least 1e-3).
    pub rr_std: Vec<f32>,
}

impl Normalizer {
    /// Fits on the beats at `train` (which must be training beats).
    pub fn fit(beats: &BeatSet, train: &[u32]) -> Normalizer {
        let mut mean = vec![0.0f64; N_RR];
        let mut sq = [0.0f64; N_RR];
        let mut n = 0.0f64;
        for &i in train {
            let rr = beats.rr_of(i as usize);
            if rr.iter().all(|v| v.is_finite()) {
                for k in 0..N_RR {
                    mean[k] += f64::from(rr[k]);
                    sq[k] += f64::from(rr[k]) * f64::from(rr[k]);
                }
                n += 1.0;
            }
        }
        let n = n.max(1.0);
        let rr_mean: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
        let rr_std = sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| ((s / n - (m / n) * (m / n)).max(0.0).sqrt() as f32).max(1e-3))
            .collect();
        Normalizer { rr_mean, rr_std }
    }
}

/// Writes `(w − base) / scale` into the first half of `out` and `(w − base − template) / scale`
/// into the second (zero where the template is missing or of another length).
fn beat_and_difference(
    w: &[f32],
    base: f32,
    template: Option<&[f32]>,
    scale: f32,
    out: &mut [f32],
) {
    let l = w.len();
    let template = template.filter(|t| t.len() == l);
    let inv = 1.0 / scale;
    let (a, b) = out.split_at_mut(l);
    for k in 0..l {
        let v = w[k] - base;
        a[k] = v * inv;
        b[k] = match template {
            Some(t) => (v - t[k]) * inv,
            None => 0.0,
        };
    }
}

/// Model inputs of a list of beats, ready to become tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// `[n, channels, len]`, row-major.
    pub windows: Vec<f32>,
    /// `[n, n_rr]`, row-major.
    pub rr: Vec<f32>,
    /// Class index of each beat.
    pub labels: Vec<usize>,
}

/// The fitted pieces that turn beats into inputs; saved with a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMaker {
    /// Which inputs.
    pub spec: FeatureSpec,
    /// RR standardisation (training split only).
    pub normalizer: Normalizer,
    /// Templates per record id.
    pub templates: Templates,
}

impl FeatureMaker {
    /// Channels × samples per beat.
    pub fn window_values(&self, len: usize) -> usize {
        self.spec.channels() * len
    }

    /// Writes the inputs of beat `i` of `beats` into `win` (`channels × len`) and `rr`
    /// ([`FeatureSpec::n_rr`] values).
    pub fn beat_into(&self, beats: &BeatSet, i: usize, win: &mut [f32], rr: &mut [f32]) {
        let w = beats.window(i);
        let l = w.len();
        let mut tmp: Vec<f32> = w.to_vec();
        let base = median_in_place(&mut tmp).unwrap_or(0.0);
        let rid = beats.record_id[i] as usize;
        if self.spec.template {
            let scale = self.templates.scale.get(rid).copied().unwrap_or(1.0);
            let template = self.templates.beats.get(rid).map(Vec::as_slice);
            beat_and_difference(w, base, template, scale, &mut win[..2 * l]);
            if self.spec.second_lead {
                let out = &mut win[2 * l..4 * l];
                match beats.window_2(i) {
                    Some(w2) => {
                        tmp.clear();
                        tmp.extend_from_slice(w2);
                        let base2 = median_in_place(&mut tmp).unwrap_or(0.0);
                        let scale2 = self.templates.scale_2.get(rid).copied().unwrap_or(1.0);
                        let template2 = self.templates.beats_2.get(rid).map(Vec::as_slice);
                        beat_and_difference(w2, base2, template2, scale2, out);
                    }
                    None => out.fill(0.0),
                }
            }
        } else {
            for k in 0..l {
                win[k] = w[k] - base;
            }
        }
        if self.spec.rr {
            let src = beats.rr_of(i);
            for (o, k) in rr.iter_mut().zip(self.spec.rr_indices()) {
                let mean = self.normalizer.rr_mean.get(k).copied().unwrap_or(0.0);
                let std = self.normalizer.rr_std.get(k).copied().unwrap_or(1.0);
                let v = (src[k] - mean) / std;
                *o = if v.is_finite() {
                    v.clamp(-10.0, 10.0)
                } else {
                    0.0
                };
            }
        }
    }

    /// Inputs of the beats at `indices`.
    pub fn inputs(&self, beats: &BeatSet, indices: &[u32]) -> Inputs {
        let l = beats.layout.len;
        let cw = self.window_values(l);
        let nr = self.spec.n_rr();
        let mut out = Inputs {
            windows: vec![0.0; indices.len() * cw],
            rr: vec![0.0; indices.len() * nr],
            labels: Vec::with_capacity(indices.len()),
        };
        for (j, &i) in indices.iter().enumerate() {
            let i = i as usize;
            self.beat_into(
                beats,
                i,
                &mut out.windows[j * cw..(j + 1) * cw],
                &mut out.rr[j * nr..(j + 1) * nr],
            );
            out.labels.push(beats.labels[i].index());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::templates::tests::set;
    use crate::ecg::aami::AamiClass;

    #[test]
    fn inputs_scale_and_subtract_the_template() {
        let s = set();
        let fm = FeatureMaker {
            spec: FeatureSpec::for_beats(&s),
            normalizer: Normalizer::fit(&s, &[0, 1, 2, 3, 4]),
            templates: Templates::fit(&s),
        };
        let x = fm.inputs(&s, &[5]);
        // V beat of record a: (-4 - 0) / 2 on channel 1; (-4 - 2) / 2 at the R peak on channel 2.
        assert_eq!(x.windows, vec![0.0, -2.0, 0.0, 0.0, 0.0, -3.0, 0.0, 0.0]);
        assert_eq!(x.labels, vec![AamiClass::V.index()]);
        // RR standardised with training statistics: mean 3, std sqrt(2).
        assert!((x.rr[0] - 0.0).abs() < 1e-6, "{}", x.rr[0]);
        let y = fm.inputs(&s, &[4]);
        assert!((y.rr[0] - 2.0f32.sqrt()).abs() < 1e-5);
    }
}
