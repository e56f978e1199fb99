//! Data-parallel training across the page's Web Workers ([`ecg_balance_lab::session::follower`]),
//! driven natively through the page's own protocol: a leader session and follower sessions,
//! every message serialised as the page and the workers do (`{ json, buffers }`: the JSON of an
//! envelope or reply, the bytes beside it), and passed on by a stand-in for the page that reads
//! nothing but where each answer goes ([`Response::forward`]). Shard gradients reach the leader
//! in reverse shard order, to show that the order they arrive in does not matter.
//!
//! On the built-in demo set (seed 7), 2 epochs of batch 128:
//! - 1 worker equals the plain run (the same request without workers) bit for bit;
//! - 3 workers (2 followers) equal the native 3-thread run ([`Session::set_threads`]) bit for
//!   bit, though their gradients arrive in reverse order;
//! - 3 workers come close to 1: validation macro-F1 within 0.03 every epoch, test accuracy
//!   within 1 point (only the order of float sums differs);
//! - the validation beats are scored in shares, one per worker, and the leader's scores are
//!   made of them (garbled shares change them);
//! - Cancel while the followers work keeps the best model so far, their late answers are
//!   ignored, and the next run (with fresh followers' state) trains.
//!
//! One `#[test]`: the backend's seeded initialisation is process-global, so tests run side by
//! side would race on it.

mod common;

use std::collections::VecDeque;

use common::{assert_runs_close, clock};
use ecg_balance_lab::session::views::RunReport;
use ecg_balance_lab::session::{Envelope, Forward, Reply, Request, Response, Session};
use ecg_balance_lab::training::{TrainConfig, prepare_run};
use ecg_balance_lab::workspace::BeatSource;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum To {
    Leader,
    /// Follower worker `k` (shard `k + 1`).
    Follower(usize),
}

/// A message as it travels: JSON and transferred buffers.
struct Wire {
    to: To,
    json: String,
    buffers: Vec<Vec<u8>>,
}

/// The page with its workers: the leader (the page's own worker) and `followers` more.
struct Page {
    leader: Session,
    followers: Vec<Session>,
    next_id: u64,
    /// Messages on their way to a worker.
    queue: VecDeque<Wire>,
    /// What the page showed (every answer that is not a message between workers).
    shown: Vec<Response>,
    /// Messages between workers passed on.
    forwarded: usize,
    /// Followers' shares of the validation beats passed on to the leader.
    shares: usize,
    /// Every share passed on is changed to call each beat Q (to show the leader uses them).
    garble_shares: bool,
    /// The first gradient passed on to the leader loses its last value.
    cut_gradient: bool,
}

impl Page {
    fn new(followers: usize) -> Page {
        let mut leader = Session::new();
        leader.workspace.load_demo(7);
        Page {
            leader,
            followers: (0..followers).map(|_| Session::new()).collect(),
            next_id: 0,
            queue: VecDeque::new(),
            shown: Vec::new(),
            forwarded: 0,
            shares: 0,
            garble_shares: false,
            cut_gradient: false,
        }
    }

    /// Sends `request` to `to` as the page does (numbered, bytes taken out).
    fn send(&mut self, to: To, mut request: Request) {
        self.next_id += 1;
        let buffers = request.take_buffers();
        let json = serde_json::to_string(&Envelope {
            id: self.next_id,
            request,
        })
        .expect("envelope");
        self.queue.push_back(Wire { to, json, buffers });
    }

    /// What a worker posts: the reply's JSON, its bytes beside it.
    fn post(mut reply: Reply) -> (String, Vec<Vec<u8>>) {
        let buffers = reply.response.take_buffers();
        (serde_json::to_string(&reply).expect("reply"), buffers)
    }

    /// The page's message handler: reads the reply's JSON only, then shows it or passes it on
    /// with the same buffers.
    fn on_message(&mut self, json: &str, mut buffers: Vec<Vec<u8>>) {
        let reply: Reply = serde_json::from_str(json).expect("a readable reply");
        match reply.response.forward() {
            Forward::Follower { shard, request } => {
                self.forwarded += 1;
                self.pass_on(To::Follower(shard - 1), request, buffers);
            }
            Forward::Leader(mut request) => {
                self.forwarded += 1;
                if let Request::ShardGradient(part) = &mut request {
                    if std::mem::take(&mut self.cut_gradient) {
                        let b = &mut buffers[0];
                        b.truncate(b.len() - 4);
                    }
                    if !part.validation.is_empty() {
                        self.shares += 1;
                        if self.garble_shares {
                            part.validation.fill(4);
                        }
                    }
                }
                self.pass_on(To::Leader, request, buffers);
            }
            Forward::Show(r) => self.shown.push(r),
        }
    }

    fn pass_on(&mut self, to: To, request: Request, buffers: Vec<Vec<u8>>) {
        self.next_id += 1;
        let json = serde_json::to_string(&Envelope {
            id: self.next_id,
            request,
        })
        .expect("envelope");
        // Gradients reach the leader in reverse shard order: later shards jump the queue.
        let gradient_to_leader = to == To::Leader;
        let wire = Wire { to, json, buffers };
        if gradient_to_leader {
            let at = self
                .queue
                .iter()
                .position(|w| w.to == To::Leader)
                .unwrap_or(self.queue.len());
            self.queue.insert(at, wire);
        } else {
            self.queue.push_back(wire);
        }
    }

    /// A worker's message handler: reads the envelope, puts the bytes back, lets its session
    /// handle it; what it posts comes back to the page.
    fn deliver(&mut self, wire: Wire, now: &dyn Fn() -> f64) {
        let mut envelope: Envelope = serde_json::from_str(&wire.json).expect("an envelope");
        envelope.request.attach(wire.buffers);
        let mut posted = Vec::new();
        let session = match wire.to {
            To::Leader => &mut self.leader,
            To::Follower(k) => &mut self.followers[k],
        };
        session.handle(envelope, now, &mut |r| posted.push(Page::post(r)));
        for (json, buffers) in posted {
            self.on_message(&json, buffers);
        }
    }

    /// Runs everything until the leader's job is over, or `stop` says so after a slice of the
    /// leader (its messages to the followers then wait in the queue).
    fn run(&mut self, now: &dyn Fn() -> f64, stop: &mut dyn FnMut(&Page) -> bool) {
        loop {
            while let Some(wire) = self.queue.pop_front() {
                self.deliver(wire, now);
            }
            if !self.leader.busy() {
                return;
            }
            let mut posted = Vec::new();
            let more = self
                .leader
                .run_for(20.0, now, &mut |r| posted.push(Page::post(r)));
            for (json, buffers) in posted {
                self.on_message(&json, buffers);
            }
            assert!(
                more || !self.leader.busy() || !self.queue.is_empty(),
                "the leader waits and no message is on its way"
            );
            if stop(self) {
                return;
            }
        }
    }

    fn train(&mut self, config: TrainConfig) -> RunReport {
        self.send(
            To::Leader,
            Request::Train {
                source: None,
                config,
            },
        );
        let now = clock();
        self.run(&now, &mut |_| false);
        self.kept()
    }

    /// The report of the last run, as the leader keeps it (the page's copy crossed JSON, which
    /// reads a float back to within an ulp, not always to the bit).
    fn kept(&self) -> RunReport {
        let shown = self.result();
        let kept = self.leader.runs().last().cloned().expect("a kept run");
        assert_eq!(shown.id, kept.id);
        assert_eq!(shown.evaluation.confusion, kept.evaluation.confusion);
        kept
    }

    fn result(&self) -> RunReport {
        self.shown
            .iter()
            .rev()
            .find_map(|r| match r {
                Response::TrainResult(r) => Some((**r).clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no result among {:?}", self.errors()))
    }

    fn errors(&self) -> Vec<&Response> {
        self.shown
            .iter()
            .filter(|r| matches!(r, Response::Error(_) | Response::Busy { .. }))
            .collect()
    }
}

fn config(workers: usize) -> TrainConfig {
    TrainConfig::new()
        .with_epochs(2)
        .with_batch_size(128)
        .with_patience(10)
        .with_seed(11)
        .with_workers(Some(workers))
}

/// The test-beat probabilities of run `id` of `s`, bit for bit.
fn probabilities(s: &Session, id: u32, config: &TrainConfig) -> Vec<f32> {
    let mut ws = s.workspace.clone();
    let source = BeatSource::Records;
    let mut cfg = config.clone();
    cfg.split = ws.effective_split(source, cfg.split);
    let run = prepare_run(ws.beats(source), &cfg, None).expect("prepare");
    let all: Vec<u32> = (0..run.test.len() as u32).collect();
    s.trained(id)
        .expect("a kept model")
        .probabilities_of(&run.test, &all, &run.templates)
}

#[test]
fn training_across_web_workers() {
    let (one, one_probs) = one_worker_is_the_plain_run_bit_for_bit();
    let (three, three_probs) = three_workers_are_three_native_threads_bit_for_bit();
    three_workers_come_close_to_one(&one, &one_probs, &three, &three_probs);
    the_leader_scores_validation_with_the_followers_shares(&three);
    cancel_while_followers_work();
    a_gradient_of_the_wrong_size_stops_the_run_saying_why();
}

/// A follower's gradient one value short is never summed: the run stops with a protocol error
/// that names the worker and the sizes, and the page keeps a run (no panic, nothing lost).
fn a_gradient_of_the_wrong_size_stops_the_run_saying_why() {
    let mut page = Page::new(2);
    page.cut_gradient = true;
    page.send(
        To::Leader,
        Request::Train {
            source: None,
            config: config(3),
        },
    );
    page.run(&clock(), &mut |_| false);
    let errors: Vec<String> = page
        .errors()
        .iter()
        .map(|r| match r {
            Response::Error(f) => f.message.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("sent a gradient of") && errors[0].contains("the model has"),
        "{}",
        errors[0]
    );
    assert!(!page.leader.busy(), "the run ended");
    assert_eq!(
        page.leader.runs().count(),
        1,
        "what it trained so far is kept"
    );
}

/// The same 3-worker run with every follower's share of the validation beats garbled on its
/// way: the epochs' validation scores change, so the leader scored with the shares (and the
/// equal scores of the run above are theirs, not the leader's own).
fn the_leader_scores_validation_with_the_followers_shares(three: &RunReport) {
    let mut page = Page::new(2);
    page.garble_shares = true;
    let garbled = page.train(config(3));
    assert_eq!(page.shares, 4);
    for (a, b) in three.history.iter().zip(&garbled.history) {
        assert_eq!(
            a.train_loss, b.train_loss,
            "epoch {}: the same training",
            a.epoch
        );
        assert!(
            b.val_macro_f1 < a.val_macro_f1,
            "epoch {}: validation macro-F1 {} with garbled shares, {} without",
            a.epoch,
            b.val_macro_f1,
            a.val_macro_f1
        );
    }
}

fn one_worker_is_the_plain_run_bit_for_bit() -> (RunReport, Vec<f32>) {
    let mut page = Page::new(0);
    let one = page.train(config(1));
    assert_eq!(page.forwarded, 0, "one worker has no followers to talk to");
    assert_eq!(one.config.worker_count(), 1);
    let one_probs = probabilities(&page.leader, one.id, &config(1));

    // The plain run: the same request as before workers existed (no `workers` in its JSON).
    let mut plain = Session::new();
    plain.workspace.load_demo(7);
    let mut json = serde_json::to_value(config(1)).expect("json");
    json.as_object_mut().expect("object").remove("workers");
    let legacy: TrainConfig = serde_json::from_value(json).expect("reads without workers");
    plain.ask(
        Request::Train {
            source: None,
            config: legacy,
        },
        &clock(),
        &mut |_| {},
    );
    let report = plain.runs().last().cloned().expect("a run");
    assert_eq!(report.history, one.history, "the same epochs, bit for bit");
    assert_eq!(report.evaluation, one.evaluation);
    let plain_probs = probabilities(&plain, report.id, &config(1));
    assert!(plain_probs == one_probs, "the same model, bit for bit");
    (one, one_probs)
}

fn three_workers_are_three_native_threads_bit_for_bit() -> (RunReport, Vec<f32>) {
    let mut page = Page::new(2);
    let three = page.train(config(3));
    assert!(page.errors().is_empty(), "{:?}", page.errors());
    assert_eq!(
        three.config.worker_count(),
        3,
        "the run's settings name its workers"
    );
    assert_eq!(three.history.len(), 2);
    // Per batch and follower: a step out and a gradient back; plus the replica once, and one
    // step more after the last batch: with it each follower scores its share of the last
    // epoch's validation beats (and the gradient of a batch the ended run does not use).
    let batches = three.train_counts.total().div_ceil(128) * 2;
    assert_eq!(
        page.forwarded,
        2 * (1 + 2 * (batches + 1)),
        "messages passed on"
    );
    assert_eq!(
        page.shares,
        2 * 2,
        "each follower scores a share at each epoch's end"
    );
    let three_probs = probabilities(&page.leader, three.id, &config(3));

    let mut native = Session::new();
    native.workspace.load_demo(7);
    native.set_threads(3);
    native.ask(
        Request::Train {
            source: None,
            config: config(1),
        },
        &clock(),
        &mut |_| {},
    );
    let threads = native.runs().last().cloned().expect("a run");
    assert_eq!(
        threads.history, three.history,
        "the same epochs, bit for bit"
    );
    assert_eq!(threads.evaluation, three.evaluation);
    assert!(
        probabilities(&native, threads.id, &config(1)) == three_probs,
        "3 workers train the same model as 3 native threads, bit for bit"
    );
    (three, three_probs)
}

fn three_workers_come_close_to_one(
    one: &RunReport,
    one_probs: &[f32],
    three: &RunReport,
    three_probs: &[f32],
) {
    assert!(
        three_probs != one_probs,
        "3 workers sum in another order: not the same bits (else the followers did nothing)"
    );
    assert_runs_close(
        &one.history,
        &three.history,
        (one.evaluation.accuracy, three.evaluation.accuracy),
    );
}

fn cancel_while_followers_work() {
    let mut page = Page::new(2);
    page.send(
        To::Leader,
        Request::Train {
            source: None,
            config: config(3).with_epochs(30),
        },
    );
    let now = clock();
    // Run until the first epoch ended, then cancel while a batch is in flight.
    page.run(&now, &mut |p| {
        p.shown.iter().any(|r| match r {
            Response::TrainProgress(t) => !t.history.is_empty(),
            _ => false,
        }) && p.leader.waiting()
    });
    assert!(page.leader.busy() && page.leader.waiting());
    // The leader's worker takes the Cancel before the followers answer: their gradients of
    // this batch then arrive late, and are ignored.
    page.send(To::Leader, Request::Cancel);
    let cancel = page.queue.pop_back().expect("the cancel");
    page.queue.push_front(cancel);
    page.run(&now, &mut |_| false);
    let cancelled = page.kept();
    assert!(cancelled.cancelled);
    assert!(!cancelled.history.is_empty() && cancelled.history.len() < 30);
    assert!(page.errors().is_empty(), "{:?}", page.errors());

    // The next run starts its followers afresh.
    let again = page.train(config(3).with_epochs(1));
    assert!(!again.cancelled);
    assert_eq!(again.history.len(), 1);
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}
