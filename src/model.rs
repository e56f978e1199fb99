//! The beat classifier: a small 1D CNN on the beat window, with the RR features joined before
//! the dense head.
//!
//! Input channels, per beat (see [`crate::features`]): the window with its median removed, and
//! the window minus its record's median beat (the patient's own typical beat), both divided by
//! the record's beat amplitude. RR features are standardised with training-split statistics.
//!
//! Written against burn 0.22, whose tensors carry their device at run time (`Tensor<D>` on a
//! `Device`): the backend (`Device::flex()`, optionally `.autodiff()`) is chosen only at the
//! edges, in [`crate::training`].

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::pool::{MaxPool1d, MaxPool1dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig1d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::ecg::aami::N_CLASSES;

/// Hyper-parameters of the network (saved beside the weights).
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// Input channels per beat.
    #[config(default = 2)]
    pub channels_in: usize,
    /// Samples per window.
    pub window_len: usize,
    /// RR features joined before the dense head (0 for beat files without RR).
    pub n_rr: usize,
    /// Filters of the three convolution blocks. Small on purpose: DS1 holds 22 patients, and
    /// a bigger network learns them by heart (on the inter-patient split 12-24-24 filters gave
    /// S sensitivity between 25 and 77 % across seeds, 8-16-16 gave 80–84 %).
    #[config(default = "[8, 16, 16]")]
    pub filters: [usize; 3],
    /// Kernel sizes of the three convolution blocks.
    #[config(default = "[7, 5, 5]")]
    pub kernels: [usize; 3],
    /// Units of the RR branch (a dense layer the RR features pass through before joining the
    /// convolution features); 0 joins them directly.
    #[config(default = 16)]
    pub rr_hidden: usize,
    /// Units of the hidden dense layer.
    #[config(default = 32)]
    pub hidden: usize,
    /// Dropout before the output layer.
    #[config(default = 0.5)]
    pub dropout: f64,
    /// Output classes.
    #[config(default = 5)]
    pub n_classes: usize,
}

/// The network.
#[derive(Module, Debug)]
pub struct Model {
    conv1: Conv1d,
    conv2: Conv1d,
    conv3: Conv1d,
    /// Unused since pooling became part of [`conv_pool`]; kept so model files keep their
    /// layout.
    pool: MaxPool1d,
    rr_dense: Option<Linear>,
    dense: Linear,
    /// Unused since the trainer draws its own masks ([`Model::forward_masked`]); kept so model
    /// files keep their layout.
    dropout: Dropout,
    out: Linear,
}

impl ModelConfig {
    /// Window length after the three pooling stages.
    pub fn pooled_len(&self) -> usize {
        (0..3).fold(self.window_len, |l, _| l / 2)
    }

    /// Width of the RR part joined to the convolution features.
    pub fn rr_width(&self) -> usize {
        match (self.n_rr, self.rr_hidden) {
            (0, _) => 0,
            (n, 0) => n,
            (_, h) => h,
        }
    }

    /// Builds the network with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> Model {
        let conv = |cin: usize, cout: usize, k: usize| {
            Conv1dConfig::new(cin, cout, k)
                .with_padding(PaddingConfig1d::Same)
                .init(device)
        };
        let [f1, f2, f3] = self.filters;
        let [k1, k2, k3] = self.kernels;
        Model {
            conv1: conv(self.channels_in, f1, k1),
            conv2: conv(f1, f2, k2),
            conv3: conv(f2, f3, k3),
            pool: MaxPool1dConfig::new(2).init(),
            rr_dense: (self.rr_hidden > 0 && self.n_rr > 0)
                .then(|| LinearConfig::new(self.n_rr, self.rr_hidden).init(device)),
            dense: LinearConfig::new(f3 * self.pooled_len() + self.rr_width(), self.hidden)
                .init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            out: LinearConfig::new(self.hidden, self.n_classes.max(1)).init(device),
        }
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig::new(126, crate::ecg::beats::N_RR)
    }
}

/// `conv` ('same' padding, stride 1) then max-pooling by 2 along the last axis (an odd last
/// output is dropped, as `MaxPool1d` with kernel 2 and stride 2 does), as matrix products: the
/// im2col columns of the even and of the odd output positions are each one selection of padded
/// samples (`select`, whose backward pass is one scatter-add); two batched products with the
/// kernel and their element-wise maximum give the pooled outputs, and the gradient goes to the
/// larger of each pair (the second on an exact tie, where max-pooling's arg-max takes the
/// first).
///
/// The same values as `conv.forward` then `MaxPool1d` up to float rounding, and an epoch 45 %
/// shorter natively (3.09 → 1.7 s on one thread): burn-flex runs a 1-D convolution through its
/// direct 3-D convolution (a quarter of an epoch), `MaxPool1d` through its 3-D pooling with
/// indices (31 %) and a maximum over pairs through a scatter in the backward pass (12 %). Columns
/// cut as narrowed views and stacked cost two copies each way and a zero-filled tensor per tap
/// in the backward pass (28 % of an epoch); `select` costs one.
fn conv_pool(conv: &Conv1d, x: Tensor<3>) -> Tensor<3> {
    let [b, cin, l] = x.dims();
    let half = l / 2;
    let w = conv.weight.val();
    let [cout, _, k] = w.dims();
    let left = (k - 1) / 2;
    // Padded to an even length that covers every tap of the 2·half outputs kept.
    let padded = 2 * half + k;
    let padded = padded + padded % 2;
    let x = x.pad(
        [(0, 0), (0, 0), (left, padded - l - left)],
        burn::tensor::ops::PadMode::Constant(0.0),
    );
    // Rows of (beat, channel): the im2col columns of either parity are one selection of
    // samples along the rows, whose backward pass is one scatter-add.
    let rows: Tensor<2> = x.reshape([b * cin, padded]);
    let device = rows.device();
    let w = w.reshape([1, cout, cin * k]);
    // Output position 2m + s reads padded samples 2m + s + j, j < k.
    let at = |s: usize| {
        let idx: Vec<i64> = (0..k)
            .flat_map(|j| (0..half).map(move |m| (2 * m + s + j) as i64))
            .collect();
        let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [k * half]), &device);
        let cols: Tensor<3> = rows.clone().select(1, idx).reshape([b, cin * k, half]);
        let y = w.clone().matmul(cols);
        match &conv.bias {
            Some(bias) => y + bias.val().reshape([1, cout, 1]),
            None => y,
        }
    };
    // max(a, b) as b + relu(a − b): element-wise kernels both ways (burn-flex's `max_pair` goes
    // through `mask_where`, twice as slow here); the gradient goes to a where a > b, else to b.
    let (even, odd) = (at(0), at(1));
    odd.clone() + relu(even - odd)
}

impl Model {
    /// Class scores (logits), for inference (no dropout).
    ///
    /// `windows`: `[batch, channels_in, window_len]`; `rr`: `[batch, n_rr]` (ignored when the
    /// model has no RR input).
    pub fn forward(&self, windows: Tensor<3>, rr: Tensor<2>) -> Tensor<2> {
        self.forward_masked(windows, rr, None)
    }

    /// Class scores while training: `dropout` is the mask of the hidden layer, `[batch,
    /// hidden]`, each entry 0 or 1/(1 − p). The trainer draws it per beat from the beat's own
    /// seeded generator, so a batch split into shards (data-parallel training) drops exactly
    /// the units the whole batch would; `None` keeps every unit.
    pub fn forward_masked(
        &self,
        windows: Tensor<3>,
        rr: Tensor<2>,
        dropout: Option<Tensor<2>>,
    ) -> Tensor<2> {
        let x = relu(conv_pool(&self.conv1, windows)); // [b, f1, L/2]
        let x = relu(conv_pool(&self.conv2, x)); // [b, f2, L/4]
        let x = relu(conv_pool(&self.conv3, x)); // [b, f3, L/8]
        let [b, c, l] = x.dims();
        let x: Tensor<2> = x.reshape([b, c * l]); // [b, f3·L/8]
        let x = if rr.dims()[1] > 0 {
            let rr = match &self.rr_dense {
                Some(d) => relu(d.forward(rr)), // [b, rr_hidden]
                None => rr,                     // [b, n_rr]
            };
            Tensor::cat(vec![x, rr], 1) // [b, f3·L/8 + rr width]
        } else {
            x
        };
        let x = relu(self.dense.forward(x)); // [b, hidden]
        let x = match dropout {
            Some(mask) => x * mask,
            None => x,
        };
        self.out.forward(x) // [b, n_classes]
    }
}

/// Number of classes the model predicts.
pub const OUTPUTS: usize = N_CLASSES;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A `[b, c, l]` tensor of standard normal draws.
    fn normal(shape: [usize; 3], rng: &mut Rng, device: &Device) -> Tensor<3> {
        let n = shape.iter().product();
        let v: Vec<f32> = (0..n).map(|_| rng.normal() as f32).collect();
        Tensor::from_data(TensorData::new(v, shape), device)
    }

    fn values(t: Tensor<3>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().expect("f32 values")
    }

    fn assert_close(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs() / (1.0 + y.abs()))
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "{what}: worst relative difference {worst}");
    }

    /// burn's own layers are the oracle: `Conv1d::forward` then `MaxPool1d` (kernel 2), forward
    /// and backward (the gradients of the kernel, the bias and the input), for odd and even
    /// lengths and kernels of 3, 5 and 7.
    #[test]
    fn conv_pool_equals_burns_conv_then_max_pool() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(7);
        let pool = MaxPool1dConfig::new(2).init();
        for (cin, cout, k, l) in [
            (2, 8, 7, 126),
            (8, 16, 5, 63),
            (16, 16, 5, 31),
            (3, 4, 3, 10),
        ] {
            let conv = Conv1dConfig::new(cin, cout, k)
                .with_padding(PaddingConfig1d::Same)
                .init(&device);
            let x = normal([4, cin, l], &mut rng, &device).require_grad();
            let probe = normal([4, cout, l / 2], &mut rng, &device);
            let ours = conv_pool(&conv, x.clone());
            let theirs = pool.forward(conv.forward(x.clone()));
            let what = format!("cin {cin}, cout {cout}, k {k}, l {l}");
            assert_close(&values(ours.clone()), &values(theirs.clone()), &what);
            let g_ours = (ours * probe.clone()).sum().backward();
            let g_theirs = (theirs * probe).sum().backward();
            let grad = |g| -> [Vec<f32>; 3] {
                [
                    values(conv.weight.val().grad(g).expect("kernel gradient")),
                    conv.bias
                        .as_ref()
                        .and_then(|b| b.val().grad(g))
                        .map(|b| b.into_data().try_to_vec::<f32>().expect("f32"))
                        .expect("bias gradient"),
                    values(x.grad(g).expect("input gradient")),
                ]
            };
            for (part, (a, b)) in ["kernel", "bias", "input"]
                .into_iter()
                .zip(grad(&g_ours).iter().zip(&grad(&g_theirs)))
            {
                assert_close(a, b, &format!("{what}: gradient of the {part}"));
            }
        }
    }
}
