//! Multi-segment records: a master header listing segments, each a single-segment record of its
//! own, joined end to end into one [`crate::Record`].
//!
//! Layout (WFDB `header(5)`): the master header's record line is `NAME/N_SEG N_SIG FS SIG_LEN`,
//! then one line per segment, `SEG_NAME SEG_LEN`; `~` names a null segment (no samples: every
//! signal missing for `SEG_LEN` frames). In a *fixed* layout every segment has the same signals;
//! in a *variable* layout the first segment has length 0 and is the layout header, whose signal
//! lines name every signal of the record, and each segment holds some of them by name.
//!
//! The result is what wfdb-python 4.3.1 `rdrecord(..., physical=False)` returns (`m2s=True`,
//! `multi_to_single`): the record's signals are the first segment's (fixed) or the layout
//! header's (variable); samples a segment does not have are the signal's invalid value; each
//! signal's gain, baseline and units come from the first segment that holds it, and a segment
//! whose gain or baseline for that signal differs is refused (as wfdb-python refuses it in
//! digital units). Segments must be single-segment records at the master's sampling rate.

use super::error::WfdbError;
use super::header::{Header, SignalSpec, parse_header, parse_multi_header};
use super::{ReadRecord, read_annotations, read_signals};
use crate::io::limits::MAX_RECORD_SAMPLES;
use crate::record::RecordSource;
use crate::{Record, Signal};

/// A signal's gain, baseline, units and invalid value, from the first segment holding it.
type Reference = (f64, i32, String, Option<i16>);

fn invalid(reason: String) -> WfdbError {
    WfdbError::InvalidRecord { reason }
}

/// Reads a multi-segment record from its master header; segment headers (`SEG.hea`) and their
/// signal files come from `lookup`.
pub fn read_multi_segment<'a, F>(
    name: &str,
    header_bytes: &[u8],
    mut lookup: F,
    annotation_bytes: Option<&[u8]>,
) -> Result<ReadRecord, WfdbError>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    let multi = parse_multi_header(header_bytes)?;
    let master = &multi.record;
    let total_len = multi
        .segments
        .iter()
        .fold(0u64, |a, s| a.saturating_add(s.seg_len as u64));
    let total = total_len.saturating_mul(master.n_sig as u64);
    if total > MAX_RECORD_SAMPLES {
        return Err(WfdbError::TooLarge {
            reason: format!(
                "record {}: its segments hold {total_len} frames of {} signals, more than the \
                 {MAX_RECORD_SAMPLES} samples one record may hold here",
                master.record_name, master.n_sig
            ),
        });
    }
    if let Some(want) = master.sig_len {
        if want as u64 != total_len {
            return Err(invalid(format!(
                "record {}: the record line says {want} samples but its segments add up to {total_len}",
                master.record_name
            )));
        }
    }

    let segment_header = |lookup: &mut F, seg: &str| -> Result<Header, WfdbError> {
        let file = format!("{seg}.hea");
        let bytes = lookup(&file).ok_or(WfdbError::MissingFile { name: file.clone() })?;
        match parse_header(bytes) {
            Err(WfdbError::MultiSegment { .. }) => Err(invalid(format!(
                "segment {seg} of record {} is itself a multi-segment record",
                master.record_name
            ))),
            other => other,
        }
    };

    // The record's signals: the layout header's (variable layout) or the first segment's.
    let variable = multi.segments.first().is_some_and(|s| s.seg_len == 0);
    let layout: Vec<SignalSpec> = match multi.segments.iter().find(|s| s.seg_name.is_some()) {
        Some(first) => {
            let seg = first.seg_name.as_deref().unwrap_or_default();
            segment_header(&mut lookup, seg)?.signals
        }
        None => Vec::new(),
    };
    if layout.len() != master.n_sig {
        return Err(invalid(format!(
            "record {}: the record line declares {} signal(s) but its {} names {}",
            master.record_name,
            master.n_sig,
            if variable {
                "layout header"
            } else {
                "first segment"
            },
            layout.len()
        )));
    }
    let names: Vec<String> = layout
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.sig_name
                .clone()
                .unwrap_or_else(|| super::signal::default_sig_name(i))
        })
        .collect();

    // Per output signal: the first segment's gain, baseline, units and invalid value.
    let mut reference: Vec<Option<Reference>> = vec![None; names.len()];
    let mut samples: Vec<Vec<i16>> = names
        .iter()
        .map(|_| Vec::with_capacity(usize::try_from(total_len).unwrap_or(0)))
        .collect();
    // Where a segment does not hold a signal: filled after the reference is known.
    let mut gaps: Vec<Vec<std::ops::Range<usize>>> = vec![Vec::new(); names.len()];
    let mut warnings = Vec::new();

    let segments = if variable {
        multi.segments.get(1..).unwrap_or(&[])
    } else {
        &multi.segments[..]
    };
    for seg in segments {
        let start = samples.first().map_or(0, Vec::len);
        let Some(seg_name) = seg.seg_name.as_deref() else {
            for (s, g) in samples.iter_mut().zip(&mut gaps) {
                s.resize(start + seg.seg_len, 0);
                g.push(start..start + seg.seg_len);
            }
            continue;
        };
        let header = segment_header(&mut lookup, seg_name)?;
        if header.fs != master.fs {
            return Err(invalid(format!(
                "segment {seg_name} is sampled at {} Hz but record {} at {} Hz",
                header.fs, master.record_name, master.fs
            )));
        }
        if header.sig_len.is_some_and(|l| l != seg.seg_len) {
            return Err(invalid(format!(
                "segment {seg_name}'s header says {} samples but the master header {}",
                header.sig_len.unwrap_or(0),
                seg.seg_len
            )));
        }
        let mut header = header;
        header.sig_len = Some(seg.seg_len);
        let decoded = read_signals(&header, &mut lookup)?;
        warnings.extend(decoded.warnings(&header));
        let mut held = vec![false; names.len()];
        for (i, sig) in decoded.signals.into_iter().enumerate() {
            let k = if variable {
                names.iter().position(|n| *n == sig.name).ok_or_else(|| {
                    invalid(format!(
                        "segment {seg_name} holds a signal {:?} the layout header does not name",
                        sig.name
                    ))
                })?
            } else {
                i
            };
            let (Some(out), Some(slot), Some(h)) =
                (samples.get_mut(k), reference.get_mut(k), held.get_mut(k))
            else {
                return Err(invalid(format!(
                    "segment {seg_name} has more signals than record {}",
                    master.record_name
                )));
            };
            *h = true;
            let r = slot.get_or_insert_with(|| {
                (
                    sig.adc_gain,
                    sig.baseline,
                    sig.units.clone(),
                    sig.invalid_adu,
                )
            });
            if r.0 != sig.adc_gain || r.1 != sig.baseline {
                return Err(WfdbError::Unsupported {
                    feature: "segments storing a signal with different gains or baselines".into(),
                    detail: format!(
                        "signal {} has gain {} and baseline {} in segment {seg_name}, but {} and {} before",
                        names.get(k).map_or("", String::as_str),
                        sig.adc_gain,
                        sig.baseline,
                        r.0,
                        r.1
                    ),
                });
            }
            let marker = r.3;
            out.extend(sig.samples_adu.iter().map(|&v| {
                if Some(v) == sig.invalid_adu {
                    marker.unwrap_or(v)
                } else {
                    v
                }
            }));
        }
        for (k, h) in held.iter().enumerate() {
            if !h {
                if let (Some(s), Some(g)) = (samples.get_mut(k), gaps.get_mut(k)) {
                    s.resize(start + seg.seg_len, 0);
                    g.push(start..start + seg.seg_len);
                }
            }
        }
    }

    let mut signals = Vec::with_capacity(names.len());
    for (k, (name, mut s)) in names.into_iter().zip(samples).enumerate() {
        let spec = layout.get(k);
        // A signal no segment holds keeps the layout header's description, and its format's
        // invalid value marks every sample.
        let (adc_gain, baseline, units, invalid_adu) = match reference.get(k).cloned().flatten() {
            Some(r) => r,
            None => {
                let fmt_invalid = spec
                    .and_then(|sp| super::Format::from_fmt(sp.fmt))
                    .map_or(i16::MIN, |f| f.info().invalid_adu);
                (
                    spec.map_or(super::header::DEFAULT_ADC_GAIN, |sp| sp.adc_gain),
                    spec.map_or(0, |sp| sp.baseline),
                    spec.map_or_else(
                        || super::header::DEFAULT_UNITS.to_string(),
                        |sp| sp.units.clone(),
                    ),
                    Some(fmt_invalid),
                )
            }
        };
        let fill = invalid_adu.unwrap_or(i16::MIN);
        for r in gaps.get(k).into_iter().flatten() {
            if let Some(part) = s.get_mut(r.clone()) {
                part.fill(fill);
            }
        }
        s.shrink_to_fit();
        signals.push(Signal {
            name,
            units,
            adc_gain,
            baseline,
            invalid_adu: invalid_adu
                .or(Some(fill).filter(|_| gaps.get(k).is_some_and(|g| !g.is_empty()))),
            samples_adu: s,
        });
    }

    let annotations = match annotation_bytes {
        Some(bytes) => read_annotations(bytes)?,
        None => Vec::new(),
    };
    let mut header = master.clone();
    header.signals = layout;
    header.sig_len = Some(usize::try_from(total_len).unwrap_or(usize::MAX));
    let record = Record {
        name: name.to_owned(),
        fs_hz: master.fs,
        signals,
        annotations,
        comments: master.comments.clone(),
        source: RecordSource::Wfdb,
    };
    Ok(ReadRecord {
        header,
        record,
        warnings,
    })
}
