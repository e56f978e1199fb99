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
use burn::tensor::{Device, Tensor};

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
    /// Unused since pooling became [`pool2`]; kept so model files keep their layout.
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

/// Max-pooling by 2 along the last axis (an odd last sample is dropped, as `MaxPool1d` with
/// kernel 2 and stride 2 does): the two halves of each pair compared element-wise. burn-flex
/// runs `MaxPool1d` through its 3-D pooling with indices, which took 31 % of a training epoch;
/// this form takes a small fraction of that and gives the same values.
fn pool2(x: Tensor<3>) -> Tensor<3> {
    let [b, c, l] = x.dims();
    let half = l / 2;
    let x: Tensor<4> = x.narrow(2, 0, 2 * half).reshape([b, c, half, 2]); // [b, c, l/2, 2]
    x.max_dim(3).reshape([b, c, half]) // [b, c, l/2]
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
        let x = pool2(relu(self.conv1.forward(windows))); // [b, f1, L/2]
        let x = pool2(relu(self.conv2.forward(x))); // [b, f2, L/4]
        let x = pool2(relu(self.conv3.forward(x))); // [b, f3, L/8]
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
