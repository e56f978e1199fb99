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

/// `conv` ('same' padding, stride 1) then max-pooling by 2 along the length, on `[b, c, l]`
/// tensors (an odd last output is dropped, as `MaxPool1d` with kernel 2 and stride 2 does):
/// [`conv_pool_last`] between two transpositions. The model itself stays channels-last from its
/// first layer to its last and calls [`conv_pool_last`] directly.
#[cfg(test)]
fn conv_pool(conv: &Conv1d, x: Tensor<3>) -> Tensor<3> {
    conv_pool_last(conv, x.swap_dims(1, 2)).swap_dims(1, 2)
}

/// [`conv_pool`] on channels-last tensors, `[b, l, c_in]` → `[b, l / 2, c_out]`, as matrix
/// products. The im2col row of output position 2m + s of beat `i` is the k · c_in samples of the
/// padded input from position 2m + s on — k whole rows of the `[b · padded, c_in]` input — so the
/// columns of either parity are one row selection (`select` on the first axis copies whole rows,
/// and its backward pass is one row scatter-add). One matrix product over every beat and
/// position at once, `[b · l/2, k · c_in] × [k · c_in, c_out]`, then gives that parity's
/// outputs ([`project`]), and the element-wise maximum of the two parities the pooled ones
/// ([`pool_pairs`]); the gradient goes to the larger of each pair (the second on an exact tie,
/// where max-pooling's arg-max takes the first).
///
/// The same values as `conv.forward` then `MaxPool1d` up to float rounding. Two layouts came
/// before, each measured slower: burn-flex's direct convolution and 3-D pooling with indices
/// (3.09 s an epoch natively), then channels-first columns selected sample by sample and one
/// small product per beat (1.6 s natively, 3.2–3.7 s in the page, where the page's profile gave
/// 20 % of a run to the sample-by-sample gather and 11 % to packing the same kernel for every
/// beat).
fn conv_pool_last(conv: &Conv1d, x: Tensor<3>) -> Tensor<3> {
    let [b, l, cin] = x.dims();
    let half = l / 2;
    let w = conv.weight.val();
    let [cout, _, k] = w.dims();
    let left = (k - 1) / 2;
    // Padded to a length that covers every tap of the 2·half outputs kept.
    let padded = 2 * half + k;
    let x = x.pad(
        [(0, 0), (left, padded - l - left), (0, 0)],
        burn::tensor::ops::PadMode::Constant(0.0),
    );
    let rows: Tensor<2> = x.reshape([b * padded, cin]);
    let device = rows.device();
    // The kernel as `[k · c_in, c_out]`, rows in the columns' (tap, channel) order.
    let w: Tensor<2> = w.permute([2, 1, 0]).reshape([k * cin, cout]);
    let at = |s: usize| {
        let idx = row_index(b, padded, half, k, s);
        let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [b * half * k]), &device);
        let cols: Tensor<2> = rows.clone().select(0, idx).reshape([b * half, k * cin]);
        project(conv, cols, &w)
    };
    pool_pairs(at(0), at(1)).reshape([b, half, cout])
}

/// The im2col `cols` times the kernel `w` (`[c_in · k, c_out]`, rows in the columns' order),
/// plus the bias: one parity's outputs, `[b · l/2, c_out]`.
fn project(conv: &Conv1d, cols: Tensor<2>, w: &Tensor<2>) -> Tensor<2> {
    let y = cols.matmul(w.clone());
    match &conv.bias {
        Some(bias) => {
            let cout = w.dims()[1];
            y + bias.val().reshape([1, cout])
        }
        None => y,
    }
}

/// Max-pooling by 2 as the element-wise maximum of the even and the odd outputs, computed as
/// odd + relu(even − odd): element-wise kernels both ways (burn-flex's `max_pair` goes through
/// `mask_where`, twice as slow here); the gradient goes to the even output where it is larger,
/// else to the odd one.
fn pool_pairs(even: Tensor<2>, odd: Tensor<2>) -> Tensor<2> {
    odd.clone() + relu(even - odd)
}

/// [`conv_pool_last`] of the model's input windows, `[b, c_in, l]` (channels-first, as the
/// features come) → `[b, l / 2, c_out]`. The windows are data, never differentiated, so the
/// im2col columns are cut from their values in a plain loop — for each beat, output and channel
/// the k taps are k consecutive samples — instead of through `select`, whose per-row copies of
/// c_in = 2 samples were the largest part of the gather; the products, the bias and the pooling
/// are [`conv_pool_last`]'s ([`project`], [`pool_pairs`]), with the columns in (channel, tap)
/// order and the kernel read as `[c_out, c_in · k]`.
fn conv_pool_input(conv: &Conv1d, windows: Tensor<3>) -> Tensor<3> {
    let [b, cin, l] = windows.dims();
    let device = windows.device();
    let x: Vec<f32> = windows.into_data().iter::<f32>().collect();
    let half = l / 2;
    let w = conv.weight.val();
    let [cout, _, k] = w.dims();
    let left = (k - 1) / 2;
    let w: Tensor<2> = w.reshape([cout, cin * k]).transpose();
    let at = |s: usize| {
        let mut cols = vec![0.0f32; b * half * cin * k];
        for (row, out) in cols.chunks_exact_mut(cin * k).enumerate() {
            let (i, m) = (row / half, row % half);
            // Taps j read sample 2m + s + j − left; those outside the window stay 0.
            let start = (2 * m + s) as isize - left as isize;
            let (lo, hi) = (
                start.max(0) as usize,
                ((start + k as isize) as usize).min(l),
            );
            let skip = (lo as isize - start) as usize;
            for c in 0..cin {
                let src = &x[(i * cin + c) * l..][lo..hi];
                out[c * k + skip..c * k + skip + src.len()].copy_from_slice(src);
            }
        }
        let cols: Tensor<2> =
            Tensor::from_data(TensorData::new(cols, [b * half, cin * k]), &device);
        project(conv, cols, &w)
    };
    pool_pairs(at(0), at(1)).reshape([b, half, cout])
}

/// Rows of the `[b · padded, c_in]` input that make the im2col columns of parity `s`: for beat
/// `i`, output `m` and tap `j`, row `i · padded + 2m + s + j`. As `i32`, burn-flex's own index
/// type: `i64` indices were converted element by element on every call (1 % of the page's
/// training step). A batch would need 16 million beats to pass `i32::MAX` rows.
fn row_index(b: usize, padded: usize, half: usize, k: usize, s: usize) -> Vec<i32> {
    let mut idx = Vec::with_capacity(b * half * k);
    for i in 0..b {
        for m in 0..half {
            let first = i32::try_from(i * padded + 2 * m + s).unwrap_or(i32::MAX);
            idx.extend((0..k as i32).map(|j| first.saturating_add(j)));
        }
    }
    idx
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
        // Channels-last through the convolutions ([`conv_pool_last`]), back to channels-first
        // before the dense head, whose weights read the features channel by channel.
        let x = relu(conv_pool_input(&self.conv1, windows)); // [b, L/2, f1]
        let x = relu(conv_pool_last(&self.conv2, x)); // [b, L/4, f2]
        let x = relu(conv_pool_last(&self.conv3, x)); // [b, L/8, f3]
        let [b, l, c] = x.dims();
        let x: Tensor<2> = x.swap_dims(1, 2).reshape([b, c * l]); // [b, f3·L/8]
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

    /// `a` equals `b` within `tol`, relative to 1 + |b|.
    fn assert_within(a: &[f32], b: &[f32], tol: f32, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs() / (1.0 + y.abs()))
            .fold(0.0f32, f32::max);
        assert!(worst < tol, "{what}: worst relative difference {worst}");
    }

    fn assert_close(a: &[f32], b: &[f32], what: &str) {
        assert_within(a, b, 1e-5, what);
    }

    /// A kernel's gradient sums batch × length products (4 × 126 = 504 in the first case), in
    /// another order than burn's: f32 rounding of such sums reaches 1e-5 of their size (a run
    /// on CI measured 1.05e-5, with burn's unseeded initial weights), so 1e-4; a wrong gradient
    /// is off by far more.
    fn assert_sum_close(a: &[f32], b: &[f32], what: &str) {
        assert_within(a, b, 1e-4, what);
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
            // The first layer's path, on the same values as data (no input gradient).
            let first = conv_pool_input(&conv, x.clone().detach()).swap_dims(1, 2);
            let theirs = pool.forward(conv.forward(x.clone()));
            let what = format!("cin {cin}, cout {cout}, k {k}, l {l}");
            assert_close(&values(ours.clone()), &values(theirs.clone()), &what);
            assert_close(&values(first.clone()), &values(theirs.clone()), &what);
            let g_first = (first * probe.clone()).sum().backward();
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
            let theirs = grad(&g_theirs);
            for (part, (a, b)) in ["kernel", "bias", "input"]
                .into_iter()
                .zip(grad(&g_ours).iter().zip(&theirs))
            {
                assert_sum_close(a, b, &format!("{what}: gradient of the {part}"));
            }
            let kernel = values(conv.weight.val().grad(&g_first).expect("kernel gradient"));
            assert_sum_close(
                &kernel,
                &theirs[0],
                &format!("{what}: first layer's kernel gradient"),
            );
        }
    }
}
