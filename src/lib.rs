//! ECG Balance Lab — the pure core.
//!
//! Everything here compiles and tests natively with no web dependency. Data flows one way:
//! bytes ([`io`]) → [`record::Record`] → beats with AAMI labels and record ids ([`ecg`],
//! [`dataset`]) → split → rebalanced training set → model → predictions → [`metrics`].
//! The Leptos page (`web`, wasm32 only) and the native CLI (`src/bin/ecg-balance/`) are thin
//! layers over these modules.

pub mod classify;
pub mod dataset;
pub mod ecg;
pub mod error;
pub mod features;
pub mod io;
pub mod metrics;
pub mod model;
pub mod record;
pub mod report;
pub mod rng;
pub mod session;
pub mod synth_train;
pub mod training;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::Error;
pub use record::{Annotation, Record, SamplingRate, Signal};
