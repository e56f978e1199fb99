//! Test records for the unit tests of the signal work: one MLII lead with a narrow Gaussian
//! "QRS" at each beat, digitised at 200 adu/mV.

use crate::record::RecordSource;
use crate::{Annotation, Record, Signal};

/// A record of `n` samples at `fs_hz` with a 1.5-mV QRS (σ = 10 ms) at each of `beats`, and the
/// given annotations.
pub fn record_with_beats(
    n: usize,
    fs_hz: f64,
    beats: &[usize],
    annotations: Vec<Annotation>,
) -> Record {
    let sigma = 0.01 * fs_hz;
    let mut mv = vec![0.0f64; n];
    for &b in beats {
        let lo = b.saturating_sub((6.0 * sigma) as usize);
        let hi = (b + (6.0 * sigma) as usize).min(n);
        for (i, v) in mv.iter_mut().enumerate().take(hi).skip(lo) {
            let t = (i as f64 - b as f64) / sigma;
            *v += 1.5 * (-0.5 * t * t).exp();
        }
    }
    Record {
        name: "t".into(),
        fs_hz,
        signals: vec![Signal {
            name: "MLII".into(),
            units: "mV".into(),
            adc_gain: 200.0,
            baseline: 0,
            invalid_adu: None,
            samples_adu: mv.iter().map(|v| (v * 200.0).round() as i16).collect(),
        }],
        annotations,
        comments: vec![],
        source: RecordSource::Wfdb,
    }
}
