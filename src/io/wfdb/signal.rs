//! Reading the signal files (`.dat`) a header describes into [`crate::Signal`]s.
//!
//! Layout (WFDB `signal(5)`): each signal file holds one or more signals, written frame by
//! frame — in each frame, `samps_per_frame` samples of each of the file's signals in header
//! order — starting `byte_offset` bytes into the file. A record may spread its signals over
//! several files; signals naming the same file share it, in header order (as wfdb-python's
//! `_rd_segment` groups them).
//!
//! What is returned matches wfdb-python 4.3.1 `rdrecord(..., physical=False)` with its
//! defaults:
//!
//! - `sig_len` frames are read; a longer file is fine (the rest is ignored), a shorter one is
//!   [`WfdbError::Truncated`]. Without `sig_len` in the header it is inferred from the size of
//!   the first signal file (`_infer_sig_len`).
//! - A signal with `samps_per_frame` = k > 1 is returned at the frame rate: each output sample
//!   is the mean of the frame's k samples, truncated toward zero (`smooth_frames=True`).
//! - A signal with `skew` = s > 0 is shifted: output sample t is stored sample t + s, and the
//!   last s samples are the format's invalid value (`_skew_sig`). Skew together with
//!   `samps_per_frame` > 1 is refused (wfdb-python's result there is not meaningful).
//! - Checksums (`checksum`) cover all stored samples of a signal (sig_len × samps_per_frame,
//!   before smoothing and skew), summed modulo 2^16.
//!
//! One file on purpose (a little over 700 lines): every signal format's decoder beside the
//! frame and skew logic they share, as WFDB's own `signal.c` keeps them.

use std::collections::HashMap;

use super::error::{WfdbError, WfdbWarning};
use super::format::{Encoding, Format, decode_into, decode_wide_into};
use super::header::{Header, SignalSpec};
use crate::Signal;
use crate::io::limits::MAX_RECORD_SAMPLES;

/// Signals decoded from the signal files, with what is needed to check them.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedSignals {
    /// One per header signal line, in header order, each `sig_len` samples long.
    pub signals: Vec<Signal>,
    /// Samples per signal: the header's `sig_len`, or the one inferred from the file size.
    pub sig_len: usize,
    /// Sum of each signal's stored samples modulo 2^16, as WFDB's signed 16-bit checksum.
    pub computed_checksums: Vec<i16>,
    /// First stored sample of each signal (before skew), if it has any, in the format's own
    /// adu (before a wide format is kept in 16 bits).
    pub first_samples_adu: Vec<Option<i32>>,
    /// Signals of formats wider than 16 bits whose values needed more than 16 bits: (signal
    /// index, low bits dropped). Their gain and baseline are scaled to match.
    pub narrowed: Vec<(usize, u32)>,
}

impl DecodedSignals {
    /// Checksum and initial-value mismatches against `header` (the header these signals were
    /// read with). Mismatches are warnings: the samples are still what the files hold.
    pub fn warnings(&self, header: &Header) -> Vec<WfdbWarning> {
        let mut out = Vec::new();
        for (i, spec) in header.signals.iter().enumerate() {
            let sig_name = spec.sig_name.clone().unwrap_or_default();
            if let (Some(want), Some(&got)) = (spec.checksum, self.computed_checksums.get(i)) {
                // Headers write the checksum signed (−22131) or unsigned (43405): compare mod 2^16.
                if (want as u16) != (got as u16) {
                    out.push(WfdbWarning::ChecksumMismatch {
                        signal: i,
                        sig_name: sig_name.clone(),
                        header_checksum: want,
                        computed_checksum: got,
                    });
                }
            }
            if let (Some(want), Some(Some(got))) = (spec.init_value, self.first_samples_adu.get(i))
            {
                if want != *got {
                    out.push(WfdbWarning::InitValueMismatch {
                        signal: i,
                        sig_name,
                        header_init_value: want,
                        first_sample_adu: *got,
                    });
                }
            }
        }
        for &(i, dropped_bits) in &self.narrowed {
            let Some(spec) = header.signals.get(i) else {
                continue;
            };
            out.push(WfdbWarning::Narrowed {
                signal: i,
                sig_name: spec.sig_name.clone().unwrap_or_default(),
                fmt: spec.fmt,
                dropped_bits,
            });
        }
        out
    }
}

/// The format of a signal, or the error naming it.
fn format_of(spec: &SignalSpec) -> Result<Format, WfdbError> {
    Format::from_fmt(spec.fmt).ok_or_else(|| WfdbError::UnsupportedFormat {
        format: spec.fmt.to_string(),
    })
}

/// Name a signal gets in a [`crate::Record`] when its header line has no description.
pub(crate) fn default_sig_name(index: usize) -> String {
    format!("signal {index}")
}

/// A signal file and the header signals stored in it.
struct FileGroup<'h> {
    file_name: &'h str,
    format: Format,
    byte_offset: u64,
    /// Header indices of the file's signals, in frame order.
    members: Vec<usize>,
    /// `samps_per_frame` of each member.
    spfs: Vec<usize>,
}

impl FileGroup<'_> {
    /// Samples in one frame of the file.
    fn frame_len(&self) -> usize {
        self.spfs.iter().fold(0usize, |a, &s| a.saturating_add(s))
    }
}

fn group_by_file(header: &Header) -> Result<Vec<FileGroup<'_>>, WfdbError> {
    let mut groups: Vec<FileGroup<'_>> = Vec::new();
    // Index by file name, so a header with very many signal lines stays linear.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, spec) in header.signals.iter().enumerate() {
        let format = format_of(spec)?;
        let existing = by_name
            .get(spec.file_name.as_str())
            .and_then(|&k| groups.get_mut(k));
        if let Some(g) = existing {
            if g.format != format {
                return Err(WfdbError::InvalidRecord {
                    reason: format!(
                        "signals {} and {i} are both stored in {} but have formats {} and {}; \
                         all signals of one file must share its format",
                        g.members.first().copied().unwrap_or(0),
                        spec.file_name,
                        g.format.info().fmt,
                        spec.fmt
                    ),
                });
            }
            if format.encoding() == Encoding::Flac
                && g.spfs.first().is_some_and(|&s| s != spec.samps_per_frame)
            {
                return Err(WfdbError::Unsupported {
                    feature: "signals of one FLAC file with different samples per frame".into(),
                    detail: format!(
                        "signal {i} of {} has {} samples per frame, unlike the file's other signals",
                        spec.file_name, spec.samps_per_frame
                    ),
                });
            }
            g.members.push(i);
            g.spfs.push(spec.samps_per_frame);
        } else {
            by_name.insert(&spec.file_name, groups.len());
            groups.push(FileGroup {
                file_name: &spec.file_name,
                format,
                byte_offset: spec.byte_offset,
                members: vec![i],
                spfs: vec![spec.samps_per_frame],
            });
        }
    }
    Ok(groups)
}

/// Reads the samples of every signal of `header`.
///
/// `dat_lookup` returns the bytes of a signal file given its name as written in the header
/// (e.g. `100.dat`), or `None` when that file is not available.
pub fn read_signals<'a, F>(header: &Header, mut dat_lookup: F) -> Result<DecodedSignals, WfdbError>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    let groups = group_by_file(header)?;
    for (i, spec) in header.signals.iter().enumerate() {
        if spec.samps_per_frame == 0 {
            return Err(WfdbError::InvalidRecord {
                reason: format!("signal {i} has 0 samples per frame; expected at least 1"),
            });
        }
        if spec.skew > 0 && spec.samps_per_frame > 1 {
            return Err(WfdbError::Unsupported {
                feature: "skew together with several samples per frame".into(),
                detail: format!(
                    "signal {i} has skew {} and {} samples per frame; rewrite the record without skew",
                    spec.skew, spec.samps_per_frame
                ),
            });
        }
    }

    // Fetch every file first, so a missing one is reported before any decoding.
    let mut files: Vec<&'a [u8]> = Vec::with_capacity(groups.len());
    for g in &groups {
        let bytes = dat_lookup(g.file_name).ok_or_else(|| WfdbError::MissingFile {
            name: g.file_name.to_owned(),
        })?;
        files.push(bytes);
    }

    let sig_len = match (header.sig_len, groups.first(), files.first()) {
        (Some(n), _, _) => n,
        (None, Some(g), Some(bytes)) => {
            if bytes.is_empty() {
                return Err(WfdbError::Empty {
                    file: format!("signal file {}", g.file_name),
                });
            }
            let frames = if g.format.encoding() == Encoding::Flac {
                let total = flac_samples_per_channel(g.file_name, bytes)?;
                total.saturating_sub(g.byte_offset) / (g.spfs.first().copied().unwrap_or(1) as u64)
            } else {
                let data = (bytes.len() as u64).saturating_sub(g.byte_offset);
                g.format.samples_in(data) / (g.frame_len().max(1) as u64)
            };
            usize::try_from(frames).map_err(|_| too_long(g.file_name))?
        }
        _ => 0,
    };

    // What the header claims is checked before anything is allocated for it: that it can be
    // addressed, that it is within the limit, and that every file holds it.
    let mut needs: Vec<Option<u64>> = Vec::with_capacity(groups.len());
    for g in &groups {
        let n_samples = (sig_len as u64)
            .checked_mul(g.frame_len() as u64)
            .ok_or_else(|| too_long(g.file_name))?;
        needs.push(if g.format.encoding() == Encoding::Flac {
            None // its size says nothing of its samples: checked while decoding
        } else {
            Some(
                g.format
                    .bytes_for(n_samples)
                    .and_then(|b| b.checked_add(g.byte_offset))
                    .ok_or_else(|| too_long(g.file_name))?,
            )
        });
    }
    let frame_samples = groups
        .iter()
        .fold(0u64, |a, g| a.saturating_add(g.frame_len() as u64));
    let total = (sig_len as u64).saturating_mul(frame_samples);
    if total > MAX_RECORD_SAMPLES {
        return Err(WfdbError::TooLarge {
            reason: format!(
                "record {}: the header claims {sig_len} samples per signal, {total} samples in all, more \
                 than the {MAX_RECORD_SAMPLES} samples (512 MiB) one record may hold here — check the header's \
                 number of samples, or split the record into shorter ones (e.g. with WFDB's snip)",
                header.record_name
            ),
        });
    }
    for ((g, bytes), need) in groups.iter().zip(&files).zip(needs) {
        let got = bytes.len() as u64;
        if let Some(need) = need.filter(|&need| got < need) {
            return Err(WfdbError::Truncated {
                file: g.file_name.to_owned(),
                expected_bytes: need,
                got_bytes: got,
            });
        }
    }

    let n = header.signals.len();
    let mut signals: Vec<Option<Signal>> = vec![None; n];
    let mut computed_checksums = vec![0i16; n];
    let mut first_samples_adu = vec![None; n];
    let mut narrowed = Vec::new();

    for (g, bytes) in groups.iter().zip(&files) {
        let info = g.format.info();
        if info.encoding != Encoding::Packed {
            let streams = match info.encoding {
                Encoding::Flac => decode_flac_streams(g, bytes, sig_len)?,
                _ => {
                    let start =
                        usize::try_from(g.byte_offset).map_err(|_| too_long(g.file_name))?;
                    decode_wide_streams(
                        g.format,
                        bytes.get(start..).unwrap_or(&[]),
                        sig_len,
                        &g.spfs,
                    )
                }
            };
            for (&m, mut raw) in g.members.iter().zip(streams) {
                let Some(spec) = header.signals.get(m) else {
                    continue;
                };
                if g.format == Format::F8 {
                    // First differences: the running sum from the header's initial value
                    // (wrapping like wfdb-python's int32 cumsum).
                    let mut v = spec.init_value.unwrap_or(0);
                    for x in &mut raw {
                        v = v.wrapping_add(*x);
                        *x = v;
                    }
                }
                if let Some(slot) = computed_checksums.get_mut(m) {
                    *slot = raw.iter().fold(0i16, |a, &v| a.wrapping_add(v as i16));
                }
                if let Some(slot) = first_samples_adu.get_mut(m) {
                    *slot = raw.first().copied();
                }
                let spf = spec.samps_per_frame;
                if spf > 1 {
                    raw = smooth_wide(&raw, spf);
                }
                // Format 8 has no invalid value; a skew still marks the samples it shifts in.
                let invalid = info.stored_invalid.unwrap_or(i32::MIN);
                if spec.skew > 0 {
                    apply_skew(&mut raw, spec.skew, invalid);
                }
                let has_invalid = info.stored_invalid.is_some() || spec.skew > 0;
                let kept = narrow(&raw, has_invalid.then_some(invalid), info.invalid_adu);
                if kept.dropped_bits > 0 {
                    narrowed.push((m, kept.dropped_bits));
                }
                let scale = f64::from(kept.dropped_bits).exp2();
                if let Some(slot) = signals.get_mut(m) {
                    *slot = Some(Signal {
                        name: spec.sig_name.clone().unwrap_or_else(|| default_sig_name(m)),
                        units: spec.units.clone(),
                        adc_gain: spec.adc_gain / scale,
                        baseline: (f64::from(spec.baseline) / scale).round() as i32,
                        invalid_adu: has_invalid.then_some(info.invalid_adu),
                        samples_adu: kept.samples,
                    });
                }
            }
            continue;
        }
        // Fits in memory now: the file holds `byte_offset` plus every sample.
        let start = usize::try_from(g.byte_offset).map_err(|_| too_long(g.file_name))?;
        let data = bytes.get(start..).unwrap_or(&[]);
        let streams = decode_streams(g.format, data, sig_len, &g.spfs);

        let invalid = info.invalid_adu;
        for (&m, mut raw) in g.members.iter().zip(streams) {
            let Some(spec) = header.signals.get(m) else {
                continue;
            };
            let spf = spec.samps_per_frame;
            if let Some(slot) = computed_checksums.get_mut(m) {
                *slot = checksum(raw.iter().copied());
            }
            if let Some(slot) = first_samples_adu.get_mut(m) {
                *slot = raw.first().map(|&v| i32::from(v));
            }
            if spf > 1 {
                raw = smooth(&raw, spf);
            }
            if spec.skew > 0 {
                apply_skew(&mut raw, spec.skew, invalid);
            }
            if let Some(slot) = signals.get_mut(m) {
                *slot = Some(Signal {
                    name: spec.sig_name.clone().unwrap_or_else(|| default_sig_name(m)),
                    units: spec.units.clone(),
                    adc_gain: spec.adc_gain,
                    baseline: spec.baseline,
                    invalid_adu: Some(invalid),
                    samples_adu: raw,
                });
            }
        }
    }

    let signals = signals
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.ok_or_else(|| WfdbError::InvalidRecord {
                reason: format!("signal {i} was not found in any signal file"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DecodedSignals {
        signals,
        sig_len,
        computed_checksums,
        first_samples_adu,
        narrowed,
    })
}

fn too_long(file: &str) -> WfdbError {
    WfdbError::InvalidRecord {
        reason: format!(
            "the header's signal length for {file} is too large to address; check the number of samples \
             on the record line"
        ),
    }
}

/// Frames decoded per block: a multiple of every format's samples per group (1, 2, 3), so
/// blocks start on group boundaries, and small enough that a block stays in cache.
const FRAMES_PER_BLOCK: usize = 2048 * 3;

/// Decodes `sig_len` frames of a signal file whose frames hold `spfs[i]` samples of signal
/// `i`, returning each signal's stream of `sig_len * spfs[i]` samples. `data` starts at the
/// first frame and holds at least [`Format::bytes_for`] of all samples.
///
/// Decodes block by block into a small buffer and scatters from there, so the whole file is
/// never held twice and the scatter reads from cache.
fn decode_streams(format: Format, data: &[u8], sig_len: usize, spfs: &[usize]) -> Vec<Vec<i16>> {
    let tspf = spfs.iter().fold(0usize, |a, &s| a.saturating_add(s));
    // Zeroed allocations are lazily mapped pages: cheap to make, filled once below.
    let mut outs: Vec<Vec<i16>> = spfs
        .iter()
        .map(|&spf| vec![0i16; sig_len.saturating_mul(spf)])
        .collect();
    if tspf == 0 || sig_len == 0 {
        return outs;
    }
    match (format, outs.as_mut_slice()) {
        (_, [out]) => {
            // One signal in the file: its stream is the file.
            decode_into(format, data, out);
            return outs;
        }
        (Format::F212, [a, b]) if tspf == 2 => {
            // Two signals in format 212, one sample each per frame (MIT-BIH and many other
            // PhysioNet databases): each 3-byte group is one frame.
            decode_212_pairs(data, a, b);
            return outs;
        }
        _ => {}
    }
    let info = format.info();
    let block_frames = FRAMES_PER_BLOCK.min(sig_len);
    // The caller checked that sig_len * tspf samples fit in the file, so this cannot overflow;
    // and with several blocks, block_frames is a multiple of every group size.
    let block_samples = block_frames.saturating_mul(tspf);
    let block_bytes = block_samples / info.samples_per_group * info.bytes_per_group;
    let mut buf = vec![0i16; block_samples];
    let mut frame = 0usize;
    let mut byte = 0usize;
    while frame < sig_len {
        let frames = block_frames.min(sig_len - frame);
        let Some(block) = buf.get_mut(..frames.saturating_mul(tspf)) else {
            break;
        };
        decode_into(format, data.get(byte..).unwrap_or(&[]), block);
        scatter(block, tspf, frame, spfs, &mut outs);
        frame += frames;
        byte = byte.saturating_add(block_bytes);
    }
    outs
}

/// Decodes format-212 frames of two signals straight into their streams (`a.len() == b.len()`).
fn decode_212_pairs(data: &[u8], a: &mut [i16], b: &mut [i16]) {
    let n = a.len().min(b.len());
    for ((x, y), g) in a
        .iter_mut()
        .zip(b.iter_mut())
        .zip(data.chunks_exact(3))
        .take(n)
    {
        if let &[b0, b1, b2] = g {
            let (b0, b1, b2) = (i32::from(b0), i32::from(b1), i32::from(b2));
            // 12-bit two's complement: shift the sign bit to bit 31 and back.
            *x = (((b0 | ((b1 & 0x0f) << 8)) << 20) >> 20) as i16;
            *y = (((b2 | ((b1 & 0xf0) << 4)) << 20) >> 20) as i16;
        }
    }
}

/// Copies the samples of `N` signals with one sample per frame from `block` into their
/// streams; `N` known at compile time lets the copy loops run without bounds checks.
fn scatter_fixed<const N: usize>(block: &[i16], first_frame: usize, outs: &mut [Vec<i16>]) {
    let frames = block.len() / N;
    for (c, out) in outs.iter_mut().enumerate().take(N) {
        let Some(dst) = out.get_mut(first_frame..first_frame + frames) else {
            continue;
        };
        for (d, f) in dst.iter_mut().zip(block.chunks_exact(N)) {
            if let Ok(f) = <&[i16; N]>::try_from(f) {
                *d = f.get(c).copied().unwrap_or(0);
            }
        }
    }
}

/// Copies each signal's samples of the whole frames in `block`, which start at frame
/// `first_frame`, into its stream.
fn scatter(block: &[i16], tspf: usize, first_frame: usize, spfs: &[usize], outs: &mut [Vec<i16>]) {
    if spfs.iter().all(|&s| s == 1) {
        match tspf {
            2 => return scatter_fixed::<2>(block, first_frame, outs),
            3 => return scatter_fixed::<3>(block, first_frame, outs),
            4 => return scatter_fixed::<4>(block, first_frame, outs),
            6 => return scatter_fixed::<6>(block, first_frame, outs),
            8 => return scatter_fixed::<8>(block, first_frame, outs),
            12 => return scatter_fixed::<12>(block, first_frame, outs),
            15 => return scatter_fixed::<15>(block, first_frame, outs),
            16 => return scatter_fixed::<16>(block, first_frame, outs),
            _ => {}
        }
    }
    let frames = block.len() / tspf;
    let mut offset = 0usize;
    for (&spf, out) in spfs.iter().zip(outs.iter_mut()) {
        let start = first_frame * spf;
        let Some(dst) = out.get_mut(start..start + frames * spf) else {
            continue;
        };
        if spf == 1 {
            for (d, f) in dst.iter_mut().zip(block.chunks_exact(tspf)) {
                *d = f.get(offset).copied().unwrap_or(0);
            }
        } else {
            for (d, f) in dst.chunks_exact_mut(spf).zip(block.chunks_exact(tspf)) {
                if let Some(src) = f.get(offset..offset + spf) {
                    d.copy_from_slice(src);
                }
            }
        }
        offset += spf;
    }
}

/// Sum of `samples` modulo 2^16, as a signed 16-bit value (WFDB's `checksum`).
pub fn checksum(samples: impl IntoIterator<Item = i16>) -> i16 {
    samples.into_iter().fold(0i16, i16::wrapping_add)
}

/// Mean of each run of `spf` samples, truncated toward zero (wfdb-python `smooth_frames`).
fn smooth(raw: &[i16], spf: usize) -> Vec<i16> {
    let div = spf as i64;
    raw.chunks_exact(spf)
        .map(|c| (c.iter().map(|&v| i64::from(v)).sum::<i64>() / div) as i16)
        .collect()
}

/// Decodes `sig_len` frames of a file of a [`Encoding::Wide`] format into each signal's stream
/// of stored values (for format 8, its differences). `data` starts at the first frame and holds
/// every sample (checked by the caller).
fn decode_wide_streams(
    format: Format,
    data: &[u8],
    sig_len: usize,
    spfs: &[usize],
) -> Vec<Vec<i32>> {
    let tspf = spfs.iter().fold(0usize, |a, &s| a.saturating_add(s));
    let mut outs: Vec<Vec<i32>> = spfs
        .iter()
        .map(|&spf| Vec::with_capacity(sig_len.saturating_mul(spf)))
        .collect();
    let bytes_per_sample = format.info().bytes_per_group.max(1);
    let mut frame = vec![0i32; tspf];
    for chunk in data
        .chunks(tspf.saturating_mul(bytes_per_sample).max(1))
        .take(sig_len)
    {
        decode_wide_into(format, chunk, &mut frame);
        let mut offset = 0usize;
        for (&spf, out) in spfs.iter().zip(outs.iter_mut()) {
            out.extend_from_slice(frame.get(offset..offset + spf).unwrap_or(&[]));
            offset += spf;
        }
    }
    outs
}

/// Samples per channel a FLAC signal file holds, from its STREAMINFO block.
fn flac_samples_per_channel(file: &str, bytes: &[u8]) -> Result<u64, WfdbError> {
    let reader =
        claxon::FlacReader::new(std::io::Cursor::new(bytes)).map_err(|e| flac_error(file, &e))?;
    reader.streaminfo().samples.ok_or_else(|| WfdbError::InvalidRecord {
        reason: format!(
            "FLAC signal file {file} does not state its length; the header must give the number of samples"
        ),
    })
}

fn flac_error(file: &str, e: &claxon::Error) -> WfdbError {
    WfdbError::InvalidRecord {
        reason: format!("FLAC signal file {file} cannot be decoded: {e}"),
    }
}

/// Decodes `sig_len` frames of a FLAC signal file (formats 508, 516, 524): each signal of the
/// file is one FLAC channel, `byte_offset` counts the samples per channel to skip (as
/// wfdb-python's `_rd_compressed_file` reads it), and every signal has the same samples per
/// frame.
fn decode_flac_streams(
    g: &FileGroup<'_>,
    bytes: &[u8],
    sig_len: usize,
) -> Result<Vec<Vec<i32>>, WfdbError> {
    let file = g.file_name;
    let mut reader =
        claxon::FlacReader::new(std::io::Cursor::new(bytes)).map_err(|e| flac_error(file, &e))?;
    let info = reader.streaminfo();
    let max_bits = g.format.info().bits;
    if info.bits_per_sample > max_bits {
        return Err(WfdbError::InvalidRecord {
            reason: format!(
                "FLAC signal file {file} holds {}-bit samples, but format {} allows at most {max_bits}",
                info.bits_per_sample,
                g.format.info().fmt
            ),
        });
    }
    let channels = info.channels as usize;
    if channels != g.members.len() {
        return Err(WfdbError::InvalidRecord {
            reason: format!(
                "FLAC signal file {file} has {channels} channel(s), but the header stores {} signal(s) in it",
                g.members.len()
            ),
        });
    }
    let spf = g.spfs.first().copied().unwrap_or(1);
    let need = sig_len.saturating_mul(spf);
    let skip = g.byte_offset;
    let mut outs: Vec<Vec<i32>> = (0..channels).map(|_| Vec::with_capacity(need)).collect();
    let mut position: u64 = 0;
    let mut blocks = reader.blocks();
    let mut buffer = Vec::new();
    while outs.first().is_some_and(|o| o.len() < need) {
        let block = match blocks.read_next_or_eof(buffer) {
            Ok(Some(block)) => block,
            Ok(None) => break,
            Err(e) => return Err(flac_error(file, &e)),
        };
        let len = u64::from(block.duration());
        let from = skip.saturating_sub(position).min(len);
        for i in from..len {
            for (ch, out) in outs.iter_mut().enumerate() {
                if out.len() < need {
                    out.push(block.sample(ch as u32, i as u32));
                }
            }
        }
        position += len;
        buffer = block.into_buffer();
    }
    let got = outs.first().map_or(0, Vec::len);
    if got < need {
        return Err(WfdbError::InvalidRecord {
            reason: format!(
                "FLAC signal file {file} is too short: the header describes {need} samples per signal \
                 after the first {skip}, but the file holds {got} — the file is truncated or the \
                 header's signal length is wrong"
            ),
        });
    }
    Ok(outs)
}

/// A wide signal kept in 16 bits.
struct Narrowed {
    samples: Vec<i16>,
    dropped_bits: u32,
}

/// Keeps `raw` in 16 bits: exactly when its valid values lie within ±32767, otherwise rounded
/// after dropping the fewest low bits that make them fit (the caller divides gain and baseline
/// by the same power of two, so physical values are kept to 16-bit precision). Values equal to
/// `invalid` become `invalid_adu`.
fn narrow(raw: &[i32], invalid: Option<i32>, invalid_adu: i16) -> Narrowed {
    let valid = || raw.iter().copied().filter(move |&v| Some(v) != invalid);
    let (lo, hi) = valid().fold((0i64, 0i64), |(lo, hi), v| {
        (lo.min(i64::from(v)), hi.max(i64::from(v)))
    });
    let round = |v: i64, k: u32| if k == 0 { v } else { (v + (1 << (k - 1))) >> k };
    let mut k = 0u32;
    while round(hi, k) > 32767 || round(lo, k) < -32767 {
        k += 1;
    }
    let samples = raw
        .iter()
        .map(|&v| {
            if Some(v) == invalid {
                invalid_adu
            } else {
                round(i64::from(v), k).clamp(-32767, 32767) as i16
            }
        })
        .collect();
    Narrowed {
        samples,
        dropped_bits: k,
    }
}

/// Mean of each run of `spf` samples, truncated toward zero, for wide samples.
fn smooth_wide(raw: &[i32], spf: usize) -> Vec<i32> {
    let div = spf as i64;
    raw.chunks_exact(spf)
        .map(|c| (c.iter().map(|&v| i64::from(v)).sum::<i64>() / div) as i32)
        .collect()
}

/// Shifts `samples` `skew` places earlier and fills the end with `invalid`.
fn apply_skew<T: Copy>(samples: &mut [T], skew: usize, invalid: T) {
    let n = samples.len();
    if skew >= n {
        samples.fill(invalid);
        return;
    }
    samples.copy_within(skew.., 0);
    if let Some(tail) = samples.get_mut(n - skew..) {
        tail.fill(invalid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::wfdb::header::parse_header;

    /// Slow, obvious oracle: decode the whole file, then pick each signal's samples.
    fn naive_streams(format: Format, data: &[u8], sig_len: usize, spfs: &[usize]) -> Vec<Vec<i16>> {
        let tspf: usize = spfs.iter().sum();
        let flat = crate::io::wfdb::format::decode_samples(format, data, sig_len * tspf).unwrap();
        let mut offset = 0;
        spfs.iter()
            .map(|&spf| {
                let mut out = Vec::new();
                for t in 0..sig_len {
                    out.extend_from_slice(&flat[t * tspf + offset..t * tspf + offset + spf]);
                }
                offset += spf;
                out
            })
            .collect()
    }

    #[test]
    fn block_decoding_matches_whole_file_decoding() {
        let mut rng = crate::rng::Rng::new(7);
        let twelve = [1; 12];
        let layouts: [&[usize]; 8] = [
            &[1],
            &[1, 1],
            &[1, 1, 1],
            &[2, 1],
            &[3],
            &[1, 4, 1, 1, 1],
            &[1; 5],
            &twelve,
        ];
        let packed = crate::io::wfdb::FORMATS
            .into_iter()
            .filter(|i| i.encoding == Encoding::Packed);
        for info in packed {
            for spfs in layouts {
                for sig_len in [0, 1, 5, FRAMES_PER_BLOCK, 2 * FRAMES_PER_BLOCK + 7] {
                    let tspf: usize = spfs.iter().sum();
                    let n = info.format.bytes_for((sig_len * tspf) as u64).unwrap() as usize;
                    let data: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
                    assert_eq!(
                        decode_streams(info.format, &data, sig_len, spfs),
                        naive_streams(info.format, &data, sig_len, spfs),
                        "fmt {} spfs {spfs:?} sig_len {sig_len}",
                        info.fmt
                    );
                }
            }
        }
    }

    #[test]
    fn checksum_wraps_like_wfdb() {
        assert_eq!(checksum([32767, 1]), -32768);
        assert_eq!(checksum([-1, -1]), -2);
        assert_eq!(checksum([]), 0);
    }

    #[test]
    fn smooth_truncates_toward_zero() {
        assert_eq!(smooth(&[1, 2, -1, -2, 3, 3], 2), [1, -1, 3]);
    }

    #[test]
    fn skew_shifts_and_marks_the_end_invalid() {
        let mut s = [1, 2, 3, 4];
        apply_skew(&mut s, 1, -9);
        assert_eq!(s, [2, 3, 4, -9]);
        let mut s = [1, 2];
        apply_skew(&mut s, 5, -9);
        assert_eq!(s, [-9, -9]);
    }

    #[test]
    fn two_files_byte_offset_and_interleaving() {
        let h = parse_header(
            b"r 3 100 2\na.dat 16+3 1(0)/mV 16 0 7 0 0 x\na.dat 16 1 16 0 -3 0 0 y\nb.dat 80 1 8 0 0 0 0 z\n",
        )
        .unwrap();
        let a = [9u8, 9, 9, 7, 0, 0xfe, 0xff, 8, 0, 1, 0];
        let b = [128u8, 129];
        let d = read_signals(&h, |n| match n {
            "a.dat" => Some(&a[..]),
            "b.dat" => Some(&b[..]),
            _ => None,
        })
        .unwrap();
        let got: Vec<&[i16]> = d.signals.iter().map(|s| s.samples_adu.as_slice()).collect();
        assert_eq!(got, [&[7i16, 8][..], &[-2, 1], &[0, 1]]);
        assert_eq!(d.computed_checksums, [15, -1, 1]);
        // Header checksums are 0: three mismatches; y's initial value is wrong too.
        let w = d.warnings(&h);
        assert_eq!(w.len(), 3 + 1, "{w:?}");
        assert!(
            w.iter()
                .any(|w| w.to_string().contains("signal 2 (z): checksum mismatch"))
        );
    }
}
