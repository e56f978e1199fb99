//! Signal work named like the field: AAMI classes, QRS detection, beat segmentation, RR features.

pub mod aami;
pub mod beats;
pub mod detect;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod simulate;
