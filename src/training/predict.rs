//! Using a trained model: class probabilities averaged over its networks, predictions for beat
//! sets, the test-set confusion matrix, and the beats of a record nobody annotated.

use burn::tensor::{Device, Tensor, TensorData};

use super::calibrate::decide;
use super::trained::TrainedModel;
use crate::dataset::BeatSet;
use crate::ecg::aami::{AamiClass, N_CLASSES};
use crate::features::{FeatureMaker, FeatureSpec, Inputs, Templates};
use crate::metrics::ConfusionMatrix;
use crate::model::Model;
use crate::record::Record;

/// Class probabilities of prepared inputs, averaged over `models`, `[n, k]` row-major.
pub fn probabilities(models: &[Model], inputs: &Inputs, spec: FeatureSpec, len: usize) -> Vec<f32> {
    let device = Device::flex();
    let c = spec.channels();
    let nr = spec.n_rr();
    let n = inputs.labels.len();
    let k = N_CLASSES;
    let mut out = vec![0.0f32; n * k];
    if models.is_empty() {
        return out;
    }
    let chunk = 1024;
    let mut start = 0;
    while start < n {
        let end = (start + chunk).min(n);
        let b = end - start;
        let w = inputs.windows[start * c * len..end * c * len].to_vec();
        let r = inputs.rr[start * nr..end * nr].to_vec();
        let windows: Tensor<3> = Tensor::from_data(TensorData::new(w, [b, c, len]), &device);
        let rr: Tensor<2> = Tensor::from_data(TensorData::new(r, [b, nr]), &device);
        for m in models {
            let p = burn::tensor::activation::softmax(m.forward(windows.clone(), rr.clone()), 1);
            for (o, v) in out[start * k..end * k]
                .iter_mut()
                .zip(p.into_data().iter::<f32>())
            {
                *o += v / models.len() as f32;
            }
        }
        start = end;
    }
    out
}

/// The most probable class of each row of `[n, k]` probabilities.
pub fn argmax_rows(probabilities: &[f32], k: usize) -> Vec<usize> {
    probabilities
        .chunks_exact(k.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
                    if v > bv { (i, v) } else { (bi, bv) }
                })
                .0
        })
        .collect()
}

/// Predicted class indices for prepared inputs.
pub fn predict_inputs(model: &Model, inputs: &Inputs, spec: FeatureSpec, len: usize) -> Vec<usize> {
    argmax_rows(
        &probabilities(std::slice::from_ref(model), inputs, spec, len),
        N_CLASSES,
    )
}

impl TrainedModel {
    /// Class probabilities (`[n, k]` row-major, averaged over the model's networks) of the beats
    /// at `indices` of `beats`; templates as in [`TrainedModel::predict`].
    pub fn probabilities_of(
        &self,
        beats: &BeatSet,
        indices: &[u32],
        templates: &Templates,
    ) -> Vec<f32> {
        let fm = FeatureMaker {
            templates: templates.clone(),
            ..self.features.clone()
        };
        let inputs = fm.inputs(beats, indices);
        probabilities(&self.models, &inputs, fm.spec, self.layout.len)
    }

    /// Predicted classes of the beats at `indices` of `beats`. Templates are fitted on `beats`
    /// itself (each record's from its own beats), RR statistics are the training ones.
    pub fn predict(&self, beats: &BeatSet, indices: &[u32], templates: &Templates) -> Vec<usize> {
        let fm = FeatureMaker {
            templates: templates.clone(),
            ..self.features.clone()
        };
        let inputs = fm.inputs(beats, indices);
        decide(
            &probabilities(&self.models, &inputs, fm.spec, self.layout.len),
            &self.offsets,
        )
    }
}

/// Confusion matrix and predictions of `model` on `test`.
pub fn evaluate(
    model: &TrainedModel,
    test: &BeatSet,
    templates: &Templates,
) -> (ConfusionMatrix, Vec<usize>) {
    let all: Vec<u32> = (0..test.len() as u32).collect();
    let pred = model.predict(test, &all, templates);
    let truth: Vec<usize> = test.labels.iter().map(|c| c.index()).collect();
    (
        ConfusionMatrix::from_predictions(&truth, &pred, N_CLASSES),
        pred,
    )
}

/// Classes of the beats of `record` at the R peaks `r_samples` (detected or annotated), by
/// `model`: each beat is cut as training beats were ([`record_beats`]) and classified with the
/// record's own template — the path the page and `ecg-balance classify` use for records nobody
/// annotated.
pub fn classify_record(
    model: &TrainedModel,
    record: &Record,
    lead: usize,
    r_samples: &[u64],
) -> Result<Vec<AamiClass>, crate::Error> {
    let set = record_beats(model, record, lead, r_samples)?;
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let templates = Templates::fit(&set);
    let idx: Vec<u32> = (0..set.len() as u32).collect();
    Ok(model
        .predict(&set, &idx, &templates)
        .into_iter()
        .map(|k| AamiClass::from_index(k).unwrap_or(AamiClass::Q))
        .collect())
}

/// The beats of `record` at the R peaks `r_samples`, one per peak in that order, cut exactly as
/// `model`'s training beats were (its window layout, resampled from the record's rate, on
/// `lead`, with the second lead when the model reads two), with RR features from the same
/// peaks; every label is N, a placeholder (one record, id 0, named as the record).
pub fn record_beats(
    model: &TrainedModel,
    record: &Record,
    lead: usize,
    r_samples: &[u64],
) -> Result<BeatSet, crate::Error> {
    if record.signals.get(lead).is_none() {
        return Err(crate::Error::Invalid(format!(
            "record {} has {} lead(s); lead {} does not exist",
            record.name,
            record.signals.len(),
            lead + 1
        )));
    }
    if !(record.fs_hz.is_finite() && record.fs_hz > 0.0) {
        return Err(crate::Error::Invalid(format!(
            "record {} has no valid sampling rate",
            record.name
        )));
    }
    let second = if model.features.spec.second_lead {
        let k = crate::ecg::beats::LeadChoice::pick_second(record, lead);
        if k.is_none() {
            return Err(crate::Error::Invalid(format!(
                "this model reads two leads; record {} has only one",
                record.name
            )));
        }
        k
    } else {
        None
    };
    let resampler = crate::ecg::beats::Resampler::new(record.fs_hz, model.layout);
    // Labels are unknown; N is a placeholder.
    let cut = crate::ecg::beats::segment_at(
        record,
        lead,
        second,
        &resampler,
        r_samples.to_vec(),
        vec![AamiClass::N; r_samples.len()],
    );
    let mut set = BeatSet::new(model.layout);
    set.extend_record(&record.name, &cut);
    Ok(set)
}
