//! Data-parallel training across the page's Web Workers: the follower's side, and the leader's
//! bookkeeping of its followers.
//!
//! The page's own worker leads ([`super::train::TrainJob`]); the others follow. Every worker
//! holds the same model and the same training inputs, and each batch is cut into one
//! contiguous shard per worker ([`crate::training::Trainer::shard_gradient`]). Per batch `s`:
//!
//! 1. the leader sends each follower `FollowStep { step: s, sum }`, where `sum` is the summed
//!    gradient of batch `s − 1` (empty for batch 0; before batch 0 it sent
//!    `Follow { replica }`, [`crate::training::parallel::Replica`]);
//! 2. a follower steps with `sum` ([`crate::training::Trainer::apply`]) and answers with the
//!    gradient of its shard of batch `s` (`ShardGradient`); the leader computes its own shard
//!    meanwhile;
//! 3. once every shard is in, the leader sums them in shard order
//!    ([`crate::training::parallel::sum_shards`]) and steps — exactly the native
//!    [`crate::training::parallel::Team`], so a run with a fixed seed and worker count is
//!    deterministic, equals the native run on as many threads bit for bit, and with one
//!    worker is the plain loop.
//!
//! In the page a run's `Follow` goes through the page's thread, which passes the buffers on with
//! the port of a channel the leader made for the two workers; the batches' messages then go
//! through that channel ([`super::protocol::Response::forward`] names where each goes;
//! `web/worker.rs`). Gradients are little-endian `f32` in the model's parameter order. A message
//! of another run or another batch than the one awaited is ignored (a cancelled run's late
//! gradients).

use super::protocol::{ErrorKind, Follow, FollowStep, Response, ShardGradient};
use crate::training::Trainer;
use crate::training::parallel::{Replica, gradient_bytes, gradient_from_bytes, sum_shards};

/// A follower's replica of one run.
pub struct Follower {
    run: u32,
    shard: usize,
    shards: usize,
    trainer: Trainer,
    /// The batch it expects to be asked for next.
    next_step: u64,
}

impl Follower {
    /// Shard `shard` of `shards` of run `run`, from the leader's replica bytes.
    pub fn new(
        run: u32,
        shard: usize,
        shards: usize,
        replica: &[u8],
    ) -> Result<Follower, crate::Error> {
        if shard == 0 || shard >= shards {
            return Err(crate::Error::Invalid(format!(
                "follower shard {shard} of {shards}: expected 1 to {}",
                shards.saturating_sub(1)
            )));
        }
        let trainer = Trainer::from_replica(Replica::from_bytes(replica)?)?;
        Ok(Follower {
            run,
            shard,
            shards,
            trainer,
            next_step: 0,
        })
    }

    /// Steps with the summed gradient `sum` (little-endian `f32`) and loss of batch
    /// `step − 1`, then answers with the gradient of this follower's shard of batch `step`.
    pub fn step(&mut self, run: u32, step: u64, loss: f32, sum: &[u8]) -> Response {
        if run != self.run || step != self.next_step {
            return Response::error(
                ErrorKind::Protocol,
                format!(
                    "follower of run {} expected batch {}; got batch {step} of run {run}",
                    self.run, self.next_step
                ),
            );
        }
        if step > 0 {
            self.trainer
                .apply(&gradient_from_bytes(sum), loss, &mut |_| {});
        }
        let g = self.trainer.shard_gradient(self.shard, self.shards);
        self.next_step += 1;
        Response::ShardGradient(ShardGradient {
            run,
            step,
            shard: self.shard,
            loss: g.loss,
            gradient: gradient_bytes(&g.gradient),
        })
    }
}

/// A shard's gradient and its part of the batch loss.
type Part = (Vec<f32>, f32);

/// The leader's side: what it has sent its followers and what came back for the batch in
/// flight.
pub struct Followers {
    run: u32,
    /// Workers, leader included (at least 2).
    workers: usize,
    /// The batch in flight (or the next one, when none is).
    step: u64,
    /// Each shard's gradient and loss of the batch in flight; `None` when no batch is.
    parts: Option<Vec<Option<Part>>>,
    /// The summed gradient and loss of the last batch, for the followers to step with.
    last: Part,
    started: bool,
    /// Why the run cannot go on (a follower sent a gradient of the wrong size).
    failed: Option<String>,
}

impl Followers {
    /// The followers of run `run` on `workers` workers (leader included).
    pub fn new(run: u32, workers: usize) -> Followers {
        Followers {
            run,
            workers: workers.max(2),
            step: 0,
            parts: None,
            last: (Vec::new(), 0.0),
            started: false,
            failed: None,
        }
    }

    /// Workers, leader included.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Starts batch `self.step`: the messages for the followers (and, before the first batch,
    /// the replica), then the leader's own shard. The leader's trainer must be at that batch.
    pub fn start_batch(
        &mut self,
        leader: &mut Trainer,
        out: &mut dyn FnMut(Response),
    ) -> Result<(), crate::Error> {
        if !self.started {
            let replica = leader.replica()?.to_bytes()?;
            for shard in 1..self.workers {
                out(Response::Follow(Follow {
                    run: self.run,
                    shard,
                    shards: self.workers,
                    replica: replica.clone(),
                }));
            }
            self.started = true;
        }
        let sum = gradient_bytes(&self.last.0);
        for shard in 1..self.workers {
            out(Response::FollowStep(FollowStep {
                run: self.run,
                shard,
                step: self.step,
                loss: self.last.1,
                sum: sum.clone(),
            }));
        }
        let own = leader.shard_gradient(0, self.workers);
        let mut parts = vec![None; self.workers];
        parts[0] = Some((own.gradient, own.loss));
        self.parts = Some(parts);
        Ok(())
    }

    /// True while a batch is in flight and a follower's shard has not come back.
    pub fn waiting(&self) -> bool {
        self.parts
            .as_ref()
            .is_some_and(|p| p.iter().any(Option::is_none))
    }

    /// True when no batch is in flight (the next step starts one).
    pub fn idle(&self) -> bool {
        self.parts.is_none()
    }

    /// Takes a follower's shard; one of another run or batch, or a second copy, is ignored.
    pub fn deliver(&mut self, part: ShardGradient) {
        if part.run != self.run || part.step != self.step {
            return;
        }
        let Some(parts) = self.parts.as_mut() else {
            return;
        };
        let expected = parts[0].as_ref().map_or(0, |(g, _)| g.len());
        let Some(slot) = parts.get_mut(part.shard).filter(|_| part.shard > 0) else {
            return;
        };
        if slot.is_some() {
            return;
        }
        let gradient = gradient_from_bytes(&part.gradient);
        if gradient.len() != expected {
            self.failed = Some(format!(
                "worker {} sent a gradient of {} values; the model has {expected}",
                part.shard + 1,
                gradient.len()
            ));
        }
        *slot = Some((gradient, part.loss));
    }

    /// Why the run cannot go on, once.
    pub fn take_failure(&mut self) -> Option<String> {
        self.failed.take()
    }

    /// Once every shard of the batch in flight is in: their sum (gradient and loss, in shard
    /// order), kept for the followers' next step; the next batch becomes the one awaited.
    pub fn finish_batch(&mut self) -> Option<Part> {
        if self.waiting() {
            return None;
        }
        let parts = self.parts.take()?;
        let summed = sum_shards(parts.into_iter().flatten());
        self.last = summed.clone();
        self.step += 1;
        Some(summed)
    }
}
