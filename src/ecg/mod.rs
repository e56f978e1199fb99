//! Signal work named like the field: AAMI classes, beat segmentation, RR features.

pub mod aami;
pub mod beats;
pub mod simulate;
