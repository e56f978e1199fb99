//! Gradients as one flat `f32` vector in the model's parameter order: what a data-parallel
//! replica sends ([`super::parallel`]): a thread natively, a Web Worker in the page.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use crate::model::Model;

struct Count(usize);

impl ModuleVisitor for Count {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0 += param.val().shape().num_elements();
    }
}

/// Number of float parameters of `model`: the length of a flattened gradient.
pub fn parameter_count(model: &Model) -> usize {
    let mut c = Count(0);
    model.visit(&mut c);
    c.0
}

struct Flatten<'a> {
    grads: &'a GradientsParams,
    out: Vec<f32>,
}

impl ModuleVisitor for Flatten<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let n = param.val().shape().num_elements();
        match self.grads.get::<D>(param.id) {
            Some(g) => self.out.extend(
                g.into_data()
                    .iter::<f32>()
                    .chain(std::iter::repeat(0.0))
                    .take(n),
            ),
            None => self.out.extend(std::iter::repeat_n(0.0, n)),
        }
    }
}

/// The gradients `grads` of `model`'s parameters as one vector, in the model's parameter order
/// (zeros for a parameter without gradient).
pub fn flatten(model: &Model, grads: &GradientsParams) -> Vec<f32> {
    let mut f = Flatten {
        grads,
        out: Vec::with_capacity(parameter_count(model)),
    };
    model.visit(&mut f);
    f.out
}

struct Unflatten<'a> {
    flat: &'a [f32],
    at: usize,
    device: Device,
    grads: GradientsParams,
}

impl ModuleVisitor for Unflatten<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let shape = param.val().shape();
        let n = shape.num_elements();
        let Some(chunk) = self.flat.get(self.at..self.at + n) else {
            return;
        };
        self.at += n;
        let t = Tensor::<D>::from_data(TensorData::new(chunk.to_vec(), shape), &self.device);
        self.grads.register::<D>(param.id, t);
    }
}

/// The gradients of a flat vector made by [`flatten`] for the same model shape.
pub fn unflatten(model: &Model, flat: &[f32]) -> GradientsParams {
    let mut u = Unflatten {
        flat,
        at: 0,
        device: Device::flex(),
        grads: GradientsParams::new(),
    };
    model.visit(&mut u);
    u.grads
}

/// Adds `part` into `sum` (shard gradients are summed in shard order, so a run does not depend
/// on which shard finished first).
pub fn add_into(sum: &mut [f32], part: &[f32]) {
    for (s, p) in sum.iter_mut().zip(part) {
        *s += p;
    }
}

/// The sum of the shards' gradients and losses, given in shard order: the first shard's
/// gradient with each next one added ([`add_into`]), the losses added from zero. Native threads
/// and the page's workers both sum this way, so they step alike.
pub fn sum_shards(parts: impl IntoIterator<Item = (Vec<f32>, f32)>) -> (Vec<f32>, f32) {
    let mut sum: Vec<f32> = Vec::new();
    let mut loss = 0.0f32;
    for (g, l) in parts {
        if sum.is_empty() {
            sum = g;
        } else {
            add_into(&mut sum, &g);
        }
        loss += l;
    }
    (sum, loss)
}

/// A gradient (or any `f32` vector) as little-endian bytes, to cross to another process.
pub fn gradient_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The `f32` vector of bytes made by [`gradient_bytes`] (a trailing partial value is dropped).
pub fn gradient_from_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

struct Values(Vec<f32>);

impl ModuleVisitor for Values {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.extend(param.val().into_data().iter::<f32>());
    }
}

/// The values of `model`'s float parameters as one vector, in the order of [`flatten`].
pub fn parameters(model: &Model) -> Vec<f32> {
    let mut v = Values(Vec::with_capacity(parameter_count(model)));
    model.visit(&mut v);
    v.0
}

struct Load<'a> {
    flat: &'a [f32],
    at: usize,
}

impl burn::module::ModuleMapper for Load<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let n = param.val().shape().num_elements();
        let Some(chunk) = self.flat.get(self.at..self.at + n) else {
            return param;
        };
        self.at += n;
        param.map(|t| {
            let device = t.device();
            Tensor::<D>::from_data(TensorData::new(chunk.to_vec(), t.shape()), &device)
        })
    }
}

/// `model` with its float parameters replaced by `flat` (made by [`parameters`] for the same
/// model shape; a parameter past the end of a short vector keeps its value).
pub fn with_parameters(model: Model, flat: &[f32]) -> Model {
    model.map(&mut Load { flat, at: 0 })
}
