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

use std::collections::HashMap;

use super::error::{WfdbError, WfdbWarning};
use super::format::{Format, decode_into};
use super::header::{Header, SignalSpec};
use crate::Signal;

/// Signals decoded from the signal files, with what is needed to check them.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedSignals {
    /// One per header signal line, in header order, each `sig_len` samples long.
    pub signals: Vec<Signal>,
    /// Samples per signal: the header's `sig_len`, or the one inferred from the file size.
    pub sig_len: usize,
    /// Sum of each signal's stored samples modulo 2^16, as WFDB's signed 16-bit checksum.
    pub computed_checksums: Vec<i16>,
    /// First stored sample of each signal (before skew), if it has any.
    pub first_samples_adu: Vec<Option<i16>>,
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
                if want != i32::from(*got) {
                    out.push(WfdbWarning::InitValueMismatch {
                        signal: i,
                        sig_name,
                        header_init_value: want,
                        first_sample_adu: *got,
                    });
                }
            }
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
            let data = (bytes.len() as u64).saturating_sub(g.byte_offset);
            if bytes.is_empty() {
                return Err(WfdbError::Empty {
                    file: format!("signal file {}", g.file_name),
                });
            }
            let frames = g.format.samples_in(data) / (g.frame_len().max(1) as u64);
            usize::try_from(frames).map_err(|_| too_long(g.file_name))?
        }
        _ => 0,
    };

    let n = header.signals.len();
    let mut signals: Vec<Option<Signal>> = vec![None; n];
    let mut computed_checksums = vec![0i16; n];
    let mut first_samples_adu = vec![None; n];

    for (g, bytes) in groups.iter().zip(&files) {
        let tspf = g.frame_len();
        let n_samples = (sig_len as u64)
            .checked_mul(tspf as u64)
            .ok_or_else(|| too_long(g.file_name))?;
        let need = g
            .format
            .bytes_for(n_samples)
            .and_then(|b| b.checked_add(g.byte_offset))
            .ok_or_else(|| too_long(g.file_name))?;
        let got = bytes.len() as u64;
        if got < need {
            return Err(WfdbError::Truncated {
                file: g.file_name.to_owned(),
                expected_bytes: need,
                got_bytes: got,
            });
        }
        // Both fit in memory now: `need` ≤ the file's length.
        let start = usize::try_from(g.byte_offset).map_err(|_| too_long(g.file_name))?;
        let data = bytes.get(start..).unwrap_or(&[]);
        let streams = decode_streams(g.format, data, sig_len, &g.spfs);

        let invalid = g.format.info().invalid_adu;
        for (&m, mut raw) in g.members.iter().zip(streams) {
            let Some(spec) = header.signals.get(m) else {
                continue;
            };
            let spf = spec.samps_per_frame;
            if let Some(slot) = computed_checksums.get_mut(m) {
                *slot = checksum(raw.iter().copied());
            }
            if let Some(slot) = first_samples_adu.get_mut(m) {
                *slot = raw.first().copied();
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

/// Shifts `samples` `skew` places earlier and fills the end with `invalid`.
fn apply_skew(samples: &mut [i16], skew: usize, invalid: i16) {
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
        for info in crate::io::wfdb::FORMATS {
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
