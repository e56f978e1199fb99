//! Synchronous data-parallel training: every replica holds the same model and the same training
//! beats, computes the gradient of its shard of each batch ([`Trainer::shard_gradient`]), the
//! shards' gradients are summed in shard order, and every replica steps with the sum
//! ([`Trainer::apply`]), so the replicas stay identical without ever sending weights. The first
//! replica leads: it scores validation, keeps the snapshots and decides when to stop; the others
//! follow. With a fixed seed and replica count a run is deterministic, and with one replica it
//! is the plain [`Trainer::step`] loop, bit for bit.
//!
//! Gradients travel as flat `f32` vectors in the model's parameter order ([`flatten`],
//! [`unflatten`]): what a Web Worker posts to the page, or a thread sends natively
//! ([`train_threads`]). A follower in another process (the page's Web Workers, see
//! [`crate::session::follower`]) starts from a [`Replica`]: everything a follower needs, as bytes
//! ([`Replica::to_bytes`]), made by [`Trainer::replica`] and turned back into a trainer by
//! [`Trainer::from_replica`]. Gradients cross processes as little-endian `f32` bytes
//! ([`gradient_bytes`], [`gradient_from_bytes`]).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::trainer::{Phase, TrainEvent, TrainedModel, Trainer};
use crate::dataset::BeatLayout;
use crate::ecg::aami::N_CLASSES;
use crate::features::{FeatureMaker, Inputs};
use crate::model::{Model, ModelConfig};

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

/// First bytes of a [`Replica`].
pub const REPLICA_MAGIC: &[u8] = b"ECG-BALANCE-LAB-REPLICA\n";

/// Everything a follower in another process needs to train in step with a leader: the run's
/// settings, the network's shape and the leader's current weights, which inputs the model takes,
/// the class weights and the training inputs, already computed (so the follower needs neither
/// the beats nor the record templates). Made by [`Trainer::replica`] before the first batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Replica {
    /// The run's settings (its seed orders the batches).
    pub config: TrainConfig,
    /// The network's shape.
    pub model_config: ModelConfig,
    /// The input pipeline (only its spec is used: the inputs are below; no templates).
    pub features: FeatureMaker,
    /// Window layout.
    pub layout: BeatLayout,
    /// Class weights of the loss (sent as raw bits, so they are exactly the leader's).
    pub class_weights: [f32; N_CLASSES],
    /// The training inputs, in the leader's order.
    pub train: Inputs,
    /// The leader's weights (burnpack).
    pub weights: Vec<u8>,
}

/// The JSON part of a [`Replica`]'s bytes.
#[derive(Serialize, Deserialize)]
struct ReplicaHeader {
    config: TrainConfig,
    model_config: ModelConfig,
    features: FeatureMaker,
    layout: BeatLayout,
    beats: usize,
    window_values: usize,
    rr_values: usize,
    weights_bytes: usize,
}

impl Replica {
    /// The replica as bytes: magic, a little-endian `u32` header length, a JSON header
    /// (settings, shape, spec, layout, sizes), then the class weights (`f32 × 5`), the windows
    /// (`f32`), the RR features (`f32`), the labels (`u8`) and the weights (burnpack), all
    /// little-endian. Every float but the settings' comes back bit for bit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, crate::Error> {
        let header = ReplicaHeader {
            config: self.config.clone(),
            model_config: self.model_config.clone(),
            features: self.features.clone(),
            layout: self.layout,
            beats: self.train.labels.len(),
            window_values: self.train.windows.len(),
            rr_values: self.train.rr.len(),
            weights_bytes: self.weights.len(),
        };
        let json = serde_json::to_vec(&header)
            .map_err(|e| crate::Error::Invalid(format!("cannot describe the replica: {e}")))?;
        let mut out = Vec::with_capacity(
            REPLICA_MAGIC.len()
                + 4
                + json.len()
                + 4 * (N_CLASSES + self.train.windows.len() + self.train.rr.len())
                + self.train.labels.len()
                + self.weights.len(),
        );
        out.extend_from_slice(REPLICA_MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend(gradient_bytes(&self.class_weights));
        out.extend(gradient_bytes(&self.train.windows));
        out.extend(gradient_bytes(&self.train.rr));
        out.extend(self.train.labels.iter().map(|&c| c as u8));
        out.extend_from_slice(&self.weights);
        Ok(out)
    }

    /// Reads bytes made by [`Replica::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Replica, crate::Error> {
        let damaged = |what: &str| crate::Error::Invalid(format!("the training replica {what}"));
        let rest = bytes
            .strip_prefix(REPLICA_MAGIC)
            .ok_or_else(|| damaged("does not start as one"))?;
        let len = rest
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| damaged("has no header"))? as usize;
        let header: ReplicaHeader = rest
            .get(4..4 + len)
            .ok_or_else(|| damaged("has its header cut short"))
            .and_then(|j| {
                serde_json::from_slice(j)
                    .map_err(|e| damaged(&format!("has an unreadable header: {e}")))
            })?;
        let mut at = 4 + len;
        let mut take = |n: usize| -> Result<&[u8], crate::Error> {
            let chunk = rest
                .get(at..at + n)
                .ok_or_else(|| damaged("is cut short"))?;
            at += n;
            Ok(chunk)
        };
        let weights_f = gradient_from_bytes(take(4 * N_CLASSES)?);
        let mut class_weights = [0.0f32; N_CLASSES];
        class_weights.copy_from_slice(&weights_f);
        let windows = gradient_from_bytes(take(4 * header.window_values)?);
        let rr = gradient_from_bytes(take(4 * header.rr_values)?);
        let labels: Vec<usize> = take(header.beats)?.iter().map(|&c| c as usize).collect();
        if labels.iter().any(|&c| c >= N_CLASSES) {
            return Err(damaged("has a label out of range"));
        }
        let weights = take(header.weights_bytes)?.to_vec();
        Ok(Replica {
            config: header.config,
            model_config: header.model_config,
            features: header.features,
            layout: header.layout,
            class_weights,
            train: Inputs {
                windows,
                rr,
                labels,
            },
            weights,
        })
    }
}

/// Trains natively on `threads` threads by the scheme above: `make` builds one replica (called
/// once per thread, on this thread; every replica must be built from the same settings and
/// beats, and followers start from the leader's weights). `on_event`
/// sees the leader's events; `cancelled` is asked between batches. Returns the leader's model
/// (`None` when cancelled before any epoch ended).
pub fn train_threads(
    make: &(dyn Fn() -> Result<Trainer, crate::Error> + Sync),
    threads: usize,
    on_event: &mut dyn FnMut(TrainEvent),
    cancelled: &mut dyn FnMut() -> bool,
) -> Result<Option<TrainedModel>, crate::Error> {
    let mut team = Team::new(make, threads)?;
    while team.step(on_event) == Phase::Running {
        if cancelled() {
            break;
        }
    }
    Ok(team.finish())
}

/// What a follower is sent: the batch's summed gradient and loss, or `None` to stop.
type ToFollower = Option<(Vec<f32>, f32)>;

/// A training run on several native threads that advances one batch per [`Team::step`]: the
/// leader [`Trainer`] on the caller's thread, followers on their own threads, kept in step by
/// the summed shard gradients. With one thread it is the leader alone, and a step is
/// [`Trainer::step`]. On wasm32 (no threads) it always has one.
pub struct Team {
    leader: Trainer,
    threads: usize,
    to_followers: Vec<std::sync::mpsc::Sender<ToFollower>>,
    from_followers: Option<std::sync::mpsc::Receiver<(usize, Vec<f32>, f32)>>,
    handles: Vec<std::thread::JoinHandle<()>>,
}

impl Team {
    /// `threads` replicas built by `make` (every call must give the same settings and beats);
    /// followers start from the leader's weights.
    pub fn new(
        make: &dyn Fn() -> Result<Trainer, crate::Error>,
        threads: usize,
    ) -> Result<Team, crate::Error> {
        let threads = if cfg!(target_arch = "wasm32") {
            1
        } else {
            threads.max(1)
        };
        let leader = make()?;
        let mut team = Team {
            leader,
            threads,
            to_followers: Vec::new(),
            from_followers: None,
            handles: Vec::new(),
        };
        if threads == 1 {
            return Ok(team);
        }
        let (back, gradients) = std::sync::mpsc::channel();
        for k in 1..threads {
            let mut replica = make()?;
            replica.set_follower();
            replica.copy_weights_from(&team.leader);
            let (tx, rx) = std::sync::mpsc::channel::<ToFollower>();
            let back = back.clone();
            let handle = std::thread::Builder::new()
                .name(format!("train-{k}"))
                .spawn(move || {
                    loop {
                        let g = replica.shard_gradient(k, threads);
                        if back.send((k, g.gradient, g.loss)).is_err() {
                            return;
                        }
                        match rx.recv() {
                            Ok(Some((sum, loss))) => {
                                replica.apply(&sum, loss, &mut |_| {});
                            }
                            _ => return,
                        }
                    }
                })
                .map_err(|e| crate::Error::Invalid(format!("cannot start a thread: {e}")))?;
            team.to_followers.push(tx);
            team.handles.push(handle);
        }
        team.from_followers = Some(gradients);
        Ok(team)
    }

    /// Replicas training.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The leader (its settings, history, phase).
    pub fn leader(&self) -> &Trainer {
        &self.leader
    }

    /// The leader, to step by hand when the followers live in other processes (the page's
    /// Web Workers): a team of one thread.
    pub fn leader_mut(&mut self) -> &mut Trainer {
        &mut self.leader
    }

    /// One batch on every thread; the leader's events go to `on_event`.
    pub fn step(&mut self, on_event: &mut dyn FnMut(TrainEvent)) -> Phase {
        let Some(gradients) = self.from_followers.as_ref() else {
            return self.leader.step(on_event);
        };
        let own = self.leader.shard_gradient(0, self.threads);
        let mut parts: Vec<Option<(Vec<f32>, f32)>> = vec![None; self.threads];
        parts[0] = Some((own.gradient, own.loss));
        for _ in 1..self.threads {
            match gradients.recv() {
                Ok((k, g, loss)) => parts[k] = Some((g, loss)),
                Err(_) => {
                    // A follower is gone (it panicked): stop with what the leader has.
                    self.leader.stop();
                    return Phase::Finished;
                }
            }
        }
        let (sum, loss) = sum_shards(parts.into_iter().flatten());
        for tx in &self.to_followers {
            let _ = tx.send(Some((sum.clone(), loss)));
        }
        self.leader.apply(&sum, loss, on_event)
    }

    /// Stops the followers; the leader's model. (A team dropped instead stops its followers
    /// too: their channels close.)
    pub fn finish(mut self) -> Option<TrainedModel> {
        self.stop_followers();
        self.leader.finish()
    }

    fn stop_followers(&mut self) {
        for tx in self.to_followers.drain(..) {
            let _ = tx.send(None);
        }
        self.from_followers = None;
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}
