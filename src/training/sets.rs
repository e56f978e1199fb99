//! The trainer's view of its beats: prepared inputs ([`Inputs`]) and the batches cut from them,
//! with the random jitter each training beat gets every time it is drawn.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::ecg::aami::N_CLASSES;
use crate::features::{FeatureSpec, Inputs};
use crate::rng::Rng;

/// One batch of training beats, as flat arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// `[b, channels, len]`, row-major.
    pub windows: Vec<f32>,
    /// `[b, n_rr]`, row-major.
    pub rr: Vec<f32>,
    /// Class index of each beat.
    pub targets: Vec<i64>,
    /// Class weight of each beat.
    pub weights: Vec<f32>,
    /// Dropout mask of the hidden layer, `[b, hidden]` (empty without dropout).
    pub dropout: Vec<f32>,
    hidden: usize,
    channels: usize,
    len: usize,
    n_rr: usize,
}

impl Batch {
    /// The beats `idx` of `inputs`, jittered when `jitter` gives a seed: the beat at position
    /// `first + j` of its batch draws from its own generator seeded by the batch seed and that
    /// position, so a batch cut into shards (data-parallel training) gets the same jitter as
    /// the whole batch.
    pub fn assemble(
        inputs: &Inputs,
        idx: &[usize],
        class_weights: &[f32; N_CLASSES],
        spec: FeatureSpec,
        len: usize,
        jitter: Option<(u64, usize)>,
        dropout: Option<(u64, usize, f64, usize)>,
    ) -> Batch {
        let c = spec.channels();
        let l = len;
        let nr = spec.n_rr();
        let b = idx.len();
        let mut w = Vec::with_capacity(b * c * l);
        let mut r = Vec::with_capacity(b * nr);
        let mut t = Vec::with_capacity(b);
        let mut wt = Vec::with_capacity(b);
        let mut tmp = vec![0.0f32; l];
        let (hidden, keep_scale) = match dropout {
            Some((_, _, p, h)) if p > 0.0 && p < 1.0 => (h, (1.0 / (1.0 - p)) as f32),
            _ => (0, 1.0),
        };
        let mut mask = Vec::with_capacity(b * hidden);
        for (j, &i) in idx.iter().enumerate() {
            let start = w.len();
            w.extend_from_slice(&inputs.windows[i * c * l..(i + 1) * c * l]);
            let rr_start = r.len();
            r.extend_from_slice(&inputs.rr[i * nr..(i + 1) * nr]);
            if let Some((seed, first)) = jitter {
                let mut rng = beat_rng(seed, first + j);
                jitter_beat(
                    &mut rng,
                    &mut w[start..],
                    c,
                    l,
                    &mut r[rr_start..],
                    &mut tmp,
                );
            }
            if let Some((seed, first, p, _)) = dropout.filter(|_| hidden > 0) {
                let mut rng = beat_rng(seed ^ 0x000D_8090_u64, first + j);
                mask.extend((0..hidden).map(|_| if rng.uniform() < p { 0.0 } else { keep_scale }));
            }
            let y = inputs.labels[i];
            t.push(y as i64);
            wt.push(class_weights[y]);
        }
        Batch {
            windows: w,
            rr: r,
            targets: t,
            weights: wt,
            dropout: mask,
            hidden,
            channels: c,
            len: l,
            n_rr: nr,
        }
    }

    /// Beats in the batch.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when the batch holds no beat.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The dropout mask as a tensor `[b, hidden]` on `device`, when the batch has one.
    pub fn dropout_tensor(&self, device: &Device) -> Option<Tensor<2>> {
        (self.hidden > 0 && self.dropout.len() == self.len() * self.hidden).then(|| {
            Tensor::from_data(
                TensorData::new(self.dropout.clone(), [self.len(), self.hidden]),
                device,
            )
        })
    }

    /// The batch as tensors on `device`: windows `[b, c, l]`, RR `[b, n_rr]`, targets `[b]`,
    /// weights `[b]`.
    pub fn tensors(self, device: &Device) -> (Tensor<3>, Tensor<2>, Tensor<1, Int>, Tensor<1>) {
        let b = self.len();
        (
            Tensor::from_data(
                TensorData::new(self.windows, [b, self.channels, self.len]),
                device,
            ),
            Tensor::from_data(TensorData::new(self.rr, [b, self.n_rr]), device),
            Tensor::from_data(TensorData::new(self.targets, [b]), device),
            Tensor::from_data(TensorData::new(self.weights, [b]), device),
        )
    }
}

/// The generator of the beat at `position` of a batch whose draws are seeded by `seed`.
fn beat_rng(seed: u64, position: usize) -> Rng {
    Rng::new(seed ^ (position as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Jitters one beat's inputs in place: `win` is `channels × len`. Amplitude ×0.8–1.25, shift by
/// up to 2 samples, 1 % noise; RR features ±0.05 standard deviations.
fn jitter_beat(
    rng: &mut Rng,
    win: &mut [f32],
    channels: usize,
    len: usize,
    rr: &mut [f32],
    tmp: &mut [f32],
) {
    let scale = rng.uniform_range(0.8, 1.25) as f32;
    let shift = rng.below(5) as i64 - 2;
    for ch in 0..channels {
        let row = &mut win[ch * len..(ch + 1) * len];
        for (k, t) in tmp.iter_mut().enumerate() {
            let src = (k as i64 - shift).clamp(0, len as i64 - 1) as usize;
            *t = row[src] * scale + 0.01 * rng.normal() as f32;
        }
        row.copy_from_slice(tmp);
    }
    for v in rr {
        *v += 0.05 * rng.normal() as f32;
    }
}
