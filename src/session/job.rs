//! The shape of a long job: it advances in bounded steps, can be asked to stop, and hands what
//! it made (a trained model, a synthetic set) to the session once it is over.

use super::protocol::Response;
use super::views::RunReport;
use crate::dataset::synthetic::plan::SynthesizedSet;
use crate::training::TrainedModel;
use crate::workspace::Workspace;

/// A generated synthetic set kept for training: the fingerprint of the training beats it was
/// made from ([`crate::dataset::synthetic::plan::training_fingerprint`]) and the set.
pub type Generated = (u64, SynthesizedSet);

/// A long job that advances in steps.
pub trait Job {
    /// Name shown in progress.
    fn name(&self) -> &str;
    /// Does a bounded piece of work; returns true when finished.
    fn step(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool;
    /// Asks the job to stop, keeping what it has done; returns true when it is over (false when
    /// it still has a few steps to wrap up, e.g. scoring the best model so far).
    fn cancel(
        &mut self,
        ws: &mut Workspace,
        now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool;
    /// A trained model the job produced, handed to the session once.
    fn take_trained(&mut self) -> Option<(RunReport, TrainedModel)> {
        None
    }
    /// A synthetic set the job produced, handed to the session once.
    fn take_synthetic(&mut self) -> Option<Generated> {
        None
    }
    /// True while the job can do nothing until a message arrives (a follower's gradient in
    /// data-parallel training): the worker stops driving it until one does.
    fn waiting(&self) -> bool {
        false
    }
    /// A follower's gradient for a data-parallel training job; other jobs ignore it.
    fn deliver(&mut self, _part: super::protocol::ShardGradient) {}
    /// Part `part` of a load sent in parts ([`super::Request::LoadPart`]); true when the job
    /// took it — only a load waiting for that very part does.
    fn deliver_files(
        &mut self,
        _part: usize,
        _last: bool,
        _files: Vec<crate::io::files::InputFile>,
    ) -> bool {
        false
    }
}
