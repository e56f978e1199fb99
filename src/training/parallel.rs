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

use super::trainer::{Phase, TrainEvent, TrainedModel, Trainer};

pub use super::gradients::{
    add_into, flatten, gradient_bytes, gradient_from_bytes, parameter_count, sum_shards, unflatten,
};
pub use super::replica::{REPLICA_MAGIC, Replica};

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
