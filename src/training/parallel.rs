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
//! ([`train_threads`]).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use super::trainer::{Phase, TrainEvent, TrainedModel, Trainer};
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
    let threads = threads.max(1);
    let mut leader = make()?;
    if threads == 1 {
        while leader.step(on_event) == Phase::Running {
            if cancelled() {
                break;
            }
        }
        return Ok(leader.finish());
    }
    use std::sync::mpsc;
    // To each follower: the summed gradient and loss of the batch, or None to stop.
    let mut to_followers = Vec::new();
    let (from_followers, gradients) = mpsc::channel::<(usize, Result<Vec<f32>, String>, f32)>();
    // Replicas are built here, one after the other, and start from the leader's weights.
    let mut replicas = Vec::with_capacity(threads - 1);
    for _ in 1..threads {
        let mut r = make()?;
        r.set_follower();
        r.copy_weights_from(&leader);
        replicas.push(r);
    }
    std::thread::scope(|scope| -> Result<Option<TrainedModel>, crate::Error> {
        for (k, mut replica) in (1..threads).zip(replicas) {
            let (tx, rx) = mpsc::channel::<Option<(Vec<f32>, f32)>>();
            to_followers.push(tx);
            let back = from_followers.clone();
            scope.spawn(move || {
                loop {
                    let g = replica.shard_gradient(k, threads);
                    if back.send((k, Ok(g.gradient), g.loss)).is_err() {
                        return;
                    }
                    match rx.recv() {
                        Ok(Some((sum, loss))) => {
                            replica.apply(&sum, loss, &mut |_| {});
                        }
                        _ => return,
                    }
                }
            });
        }
        drop(from_followers);
        let stop = |to: &[mpsc::Sender<Option<(Vec<f32>, f32)>>]| {
            for tx in to {
                let _ = tx.send(None);
            }
        };
        loop {
            let own = leader.shard_gradient(0, threads);
            let mut parts: Vec<Option<(Vec<f32>, f32)>> = vec![None; threads];
            parts[0] = Some((own.gradient, own.loss));
            for _ in 1..threads {
                match gradients.recv() {
                    Ok((k, Ok(g), loss)) => parts[k] = Some((g, loss)),
                    Ok((_, Err(e), _)) => {
                        stop(&to_followers);
                        return Err(crate::Error::Invalid(e));
                    }
                    Err(_) => {
                        stop(&to_followers);
                        return Err(crate::Error::Invalid(
                            "a training thread stopped unexpectedly".into(),
                        ));
                    }
                }
            }
            let mut sum: Vec<f32> = Vec::new();
            let mut loss = 0.0f32;
            for (g, l) in parts.into_iter().flatten() {
                if sum.is_empty() {
                    sum = g;
                } else {
                    add_into(&mut sum, &g);
                }
                loss += l;
            }
            for tx in &to_followers {
                let _ = tx.send(Some((sum.clone(), loss)));
            }
            let phase = leader.apply(&sum, loss, on_event);
            if phase == Phase::Finished || cancelled() {
                stop(&to_followers);
                break;
            }
        }
        Ok(leader.finish())
    })
}
