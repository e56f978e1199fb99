//! Test records for the unit tests of the signal work: one MLII lead, digitised as given
//! ([`mlii_record`]) or holding a narrow Gaussian "QRS" at each beat ([`record_with_beats`]).

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
    mlii_record(fs_hz, &mv, 200.0, 0, None, annotations)
}

/// A WFDB record named `t` of one MLII lead at `fs_hz`: the values `mv` digitised at `adc_gain`
/// adu/mV around `baseline` adu (rounded), `invalid_adu` marking a missing sample.
pub fn mlii_record(
    fs_hz: f64,
    mv: &[f64],
    adc_gain: f64,
    baseline: i16,
    invalid_adu: Option<i16>,
    annotations: Vec<Annotation>,
) -> Record {
    Record {
        name: "t".into(),
        fs_hz,
        signals: vec![Signal {
            name: "MLII".into(),
            units: "mV".into(),
            adc_gain,
            baseline: i32::from(baseline),
            invalid_adu,
            samples_adu: mv
                .iter()
                .map(|v| (v * adc_gain).round() as i16 + baseline)
                .collect(),
        }],
        annotations,
        comments: vec![],
        source: RecordSource::Wfdb,
    }
}
