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
//! At an epoch's end the validation beats are scored in shares too: the leader sends the
//! epoch's last sum at once, with `validate` set ([`Followers::send_step`]), steps, scores its
//! own share ([`crate::training::Trainer::validation_share`]) and waits; each follower steps,
//! scores its share and sends the predictions with the gradient of the next batch. The leader
//! joins them in shard order and ends the epoch ([`crate::training::Trainer::finish_epoch`]):
//! a beat's prediction does not depend on who made it, so the epoch's score is the one the
//! leader alone would give. Should that end the run, the followers' next shard is not used.
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
    /// `step − 1`, then answers with the gradient of this follower's shard of batch `step` —
    /// and, when `validate` (batch `step − 1` ended an epoch), its share of the validation
    /// beats' predictions.
    pub fn step(&mut self, run: u32, step: u64, loss: f32, sum: &[u8], validate: bool) -> Response {
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
        let validation = if validate {
            self.trainer
                .validation_share(self.shard, self.shards)
                .into_iter()
                .map(|c| c as u8)
                .collect()
        } else {
            Vec::new()
        };
        let g = self.trainer.shard_gradient(self.shard, self.shards);
        self.next_step += 1;
        Response::ShardGradient(ShardGradient {
            run,
            step,
            shard: self.shard,
            loss: g.loss,
            gradient: gradient_bytes(&g.gradient),
            validation,
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
    /// Each shard's gradient and loss of the batch in flight (the leader's, shard 0, once it
    /// computed it); `None` when no batch is.
    parts: Option<Vec<Option<Part>>>,
    /// The followers have their messages for batch `step`.
    sent: bool,
    /// Each shard's predictions of its share of the validation beats, while an epoch's end
    /// waits for them.
    shares: Option<Vec<Option<Vec<usize>>>>,
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
            sent: false,
            shares: None,
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
        self.send_step(false, out);
        let own = leader.shard_gradient(0, self.workers);
        if let Some(parts) = self.parts.as_mut() {
            parts[0] = Some((own.gradient, own.loss));
        }
        Ok(())
    }

    /// Sends the followers their messages for batch `self.step` (with the sum of the batch
    /// before) unless they have them, `validate` asking each for its share of the validation
    /// beats too; their answers are awaited from now on.
    pub fn send_step(&mut self, validate: bool, out: &mut dyn FnMut(Response)) {
        if self.sent {
            return;
        }
        let sum = gradient_bytes(&self.last.0);
        for shard in 1..self.workers {
            out(Response::FollowStep(FollowStep {
                run: self.run,
                shard,
                step: self.step,
                loss: self.last.1,
                sum: sum.clone(),
                validate,
            }));
        }
        self.sent = true;
        self.parts = Some(vec![None; self.workers]);
    }

    /// The leader scored `own`, its share of the validation beats: the epoch's end waits for
    /// the followers' shares.
    pub fn await_validation(&mut self, own: Vec<usize>) {
        let mut shares = vec![None; self.workers];
        shares[0] = Some(own);
        self.shares = Some(shares);
    }

    /// True while an epoch's end waits for validation shares.
    pub fn validating(&self) -> bool {
        self.shares.is_some()
    }

    /// Once every share is in: the validation predictions, joined in shard order.
    pub fn take_validation(&mut self) -> Option<Vec<usize>> {
        if self.shares.as_ref()?.iter().any(Option::is_none) {
            return None;
        }
        Some(
            self.shares
                .take()?
                .into_iter()
                .flatten()
                .flatten()
                .collect(),
        )
    }

    /// True while the leader waits for a follower: a share of the validation beats, or a
    /// shard of the batch in flight once the leader's own is done.
    pub fn waiting(&self) -> bool {
        if let Some(shares) = &self.shares {
            return shares.iter().any(Option::is_none);
        }
        self.parts
            .as_ref()
            .is_some_and(|p| p[0].is_some() && p.iter().any(Option::is_none))
    }

    /// True when the leader has not computed its shard of the batch in flight, or no batch is
    /// (the next step does).
    pub fn idle(&self) -> bool {
        self.parts.as_ref().is_none_or(|p| p[0].is_none())
    }

    /// Takes a follower's shard; one of another run or batch, or a second copy, is ignored.
    pub fn deliver(&mut self, part: ShardGradient) {
        if part.run != self.run || part.step != self.step || part.shard == 0 {
            return;
        }
        if let Some(share) = self.shares.as_mut().and_then(|s| s.get_mut(part.shard)) {
            if share.is_none() && !part.validation.is_empty() {
                *share = Some(part.validation.iter().map(|&c| usize::from(c)).collect());
            }
        }
        let Some(slot) = self.parts.as_mut().and_then(|p| p.get_mut(part.shard)) else {
            return;
        };
        if slot.is_none() {
            *slot = Some((gradient_from_bytes(&part.gradient), part.loss));
        }
    }

    /// Why the run cannot go on, once.
    pub fn take_failure(&mut self) -> Option<String> {
        self.failed.take()
    }

    /// Once every shard of the batch in flight is in: their sum (gradient and loss, in shard
    /// order), kept for the followers' next step; the next batch becomes the one awaited.
    pub fn finish_batch(&mut self) -> Option<Part> {
        if self.waiting() || self.idle() || self.validating() {
            return None;
        }
        let parts = self.parts.take()?;
        let expected = parts[0].as_ref().map_or(0, |(g, _)| g.len());
        if let Some((k, (g, _))) = parts.iter().enumerate().find_map(|(k, p)| {
            p.as_ref()
                .filter(|(g, _)| g.len() != expected)
                .map(|p| (k, p))
        }) {
            // Never summed nor stepped with: the run stops at the next step, saying why.
            self.failed = Some(format!(
                "worker {} sent a gradient of {} values; the model has {expected}",
                k + 1,
                g.len()
            ));
            return None;
        }
        let summed = sum_shards(parts.into_iter().flatten());
        self.last = summed.clone();
        self.step += 1;
        self.sent = false;
        Some(summed)
    }
}
