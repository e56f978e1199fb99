//! WFDB signal storage formats: the table of their facts and the decoders from bytes to samples.
//!
//! Samples are digital values in adu. Packed formats (16, 61, 80, 160, 212, 310, 311) fit 16 bits
//! and decode straight to `i16`; formats 8, 24 and 32 decode to `i32` ([`decode_wide_into`]) and
//! FLAC formats (508, 516, 524) through `claxon`, both then kept in 16 bits by
//! [`super::signal`]. A *group* is
//! the smallest run of bytes that holds a whole number of samples (3 bytes hold 2 samples in
//! format 212). Samples of all signals of a file are interleaved frame by frame; the decoders
//! here see only the flat stream and know nothing of signals.
//!
//! Sources: WFDB library `lib/signal.c` (functions `r16`, `r61`, `r80`, `r212`, `r310`,
//! `r311` and their writers), the `signal(5)` manual page of the WFDB Software Package, and
//! wfdb-python 4.3.1 `wfdb/io/_signal.py` (`BYTES_PER_SAMPLE`, `SAMPLE_VALUE_RANGE`,
//! `INVALID_SAMPLE_VALUE`, `_required_byte_num`, `_blocks_to_samples`).
//!
//! One deliberate difference from wfdb-python: for format 311 the third sample of a group uses
//! the six low bits of the fourth byte, as `r311` in WFDB's `signal.c` does; wfdb-python masks
//! seven bits (`0x7F`), which only matters if a writer set bit 30 of the group, which neither
//! WFDB nor wfdb-python does.

/// A supported signal storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 16-bit two's complement, little-endian.
    F16,
    /// 16-bit two's complement, big-endian.
    F61,
    /// 8-bit offset binary (stored byte − 128).
    F80,
    /// Two 12-bit two's complement samples packed in 3 bytes.
    F212,
    /// Three 10-bit samples in 4 bytes, as two little-endian 16-bit words holding 15-bit
    /// left-justified fields.
    F310,
    /// Three 10-bit samples bit-packed into the 30 low bits of a little-endian 32-bit word.
    F311,
    /// 16-bit offset binary, little-endian (stored value − 32768).
    F160,
    /// 8-bit first differences: each byte, signed, is the change from the signal's previous
    /// sample; the first sample is the header's `init_value` plus the first difference.
    F8,
    /// 24-bit two's complement, little-endian.
    F24,
    /// 32-bit two's complement, little-endian.
    F32,
    /// FLAC-compressed, at most 8 bits per sample (each signal of the file one FLAC channel).
    F508,
    /// FLAC-compressed, at most 16 bits per sample.
    F516,
    /// FLAC-compressed, at most 24 bits per sample.
    F524,
}

/// How a format stores its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Fixed-size groups of bytes, each holding whole samples that fit 16 bits: decoded straight
    /// to `i16`.
    Packed,
    /// Fixed-size samples wider than 16 bits (24, 32), or first differences (8) whose running
    /// sum may be: decoded to `i32`, then kept in 16 bits (see [`super::signal`]).
    Wide,
    /// A FLAC stream (508, 516, 524); `byte_offset` counts samples to skip, not bytes.
    Flac,
}

/// Facts about one storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatInfo {
    /// The format.
    pub format: Format,
    /// Its number in headers (`fmt`).
    pub fmt: u32,
    /// Bits per sample.
    pub bits: u32,
    /// Samples in one group.
    pub samples_per_group: usize,
    /// Bytes in one group.
    pub bytes_per_group: usize,
    /// Bytes that must be present to read the first `k` samples of a group, for
    /// `k = 0..samples_per_group` (wfdb-python `_required_byte_num("read", …)`).
    pub partial_group_bytes: [usize; 3],
    /// Smallest storable value, in adu.
    pub min_adu: i16,
    /// Largest storable value, in adu.
    pub max_adu: i16,
    /// Value that marks a missing sample, in adu (WFDB's `WFDB_INVALID_SAMPLE` as stored).
    pub invalid_adu: i16,
    /// How the samples are stored.
    pub encoding: Encoding,
    /// Smallest value the format stores, in adu (wfdb-python `SAMPLE_VALUE_RANGE`).
    pub stored_min: i32,
    /// Largest value the format stores, in adu.
    pub stored_max: i32,
    /// The stored value marking a missing sample (wfdb-python `INVALID_SAMPLE_VALUE`); `None`
    /// for format 8, which has none.
    pub stored_invalid: Option<i32>,
}

/// Every supported format (WFDB `signal.c`; wfdb-python `_signal.py` tables), one row each:
/// its number, bits per sample, samples and bytes per group, bytes for a partial group, and
/// encoding. The ranges follow from the bits (see [`FormatInfo::row`]); format 8 alone differs.
pub const FORMATS: [FormatInfo; 13] = [
    FormatInfo::row(Format::F16, 16, 16, 1, 2, [0, 0, 0], Encoding::Packed),
    FormatInfo::row(Format::F61, 61, 16, 1, 2, [0, 0, 0], Encoding::Packed),
    FormatInfo::row(Format::F80, 80, 8, 1, 1, [0, 0, 0], Encoding::Packed),
    // One sample needs the first two bytes of the triplet.
    FormatInfo::row(Format::F212, 212, 12, 2, 3, [0, 2, 0], Encoding::Packed),
    // The second sample spans bytes 2–3; WFDB writes a whole group for two samples.
    FormatInfo::row(Format::F310, 310, 10, 3, 4, [0, 2, 4], Encoding::Packed),
    // The second sample spans bytes 1–2.
    FormatInfo::row(Format::F311, 311, 10, 3, 4, [0, 2, 3], Encoding::Packed),
    FormatInfo::row(Format::F160, 160, 16, 1, 2, [0, 0, 0], Encoding::Packed),
    // The running sum is any 32-bit value (wfdb-python's range for format 8), and no value
    // marks a missing sample.
    FormatInfo::row(Format::F8, 8, 8, 1, 1, [0, 0, 0], Encoding::Wide).stored(
        i32::MIN,
        i32::MAX,
        None,
    ),
    FormatInfo::row(Format::F24, 24, 24, 1, 3, [0, 0, 0], Encoding::Wide),
    FormatInfo::row(Format::F32, 32, 32, 1, 4, [0, 0, 0], Encoding::Wide),
    FormatInfo::row(Format::F508, 508, 8, 1, 0, [0, 0, 0], Encoding::Flac),
    FormatInfo::row(Format::F516, 516, 16, 1, 0, [0, 0, 0], Encoding::Flac),
    FormatInfo::row(Format::F524, 524, 24, 1, 0, [0, 0, 0], Encoding::Flac),
];

impl FormatInfo {
    /// A row of [`FORMATS`]. A format of `bits` bits stores −2^(bits−1) to 2^(bits−1) − 1, its
    /// lowest value marking a missing sample (wfdb-python `SAMPLE_VALUE_RANGE`,
    /// `INVALID_SAMPLE_VALUE`).
    const fn row(
        format: Format,
        fmt: u32,
        bits: u32,
        samples_per_group: usize,
        bytes_per_group: usize,
        partial_group_bytes: [usize; 3],
        encoding: Encoding,
    ) -> FormatInfo {
        let half = 1i64 << (bits - 1);
        FormatInfo {
            format,
            fmt,
            bits,
            samples_per_group,
            bytes_per_group,
            partial_group_bytes,
            min_adu: 0,
            max_adu: 0,
            invalid_adu: 0,
            encoding,
            stored_min: 0,
            stored_max: 0,
            stored_invalid: None,
        }
        .stored(-half as i32, (half - 1) as i32, Some(-half as i32))
    }

    /// This row with the stored range `stored_min..=stored_max` and missing-sample value
    /// `stored_invalid`. `min_adu` and `max_adu` are that range as a [`crate::Signal`] holds
    /// it, kept in 16 bits, the lowest value marking a missing sample (`invalid_adu`).
    const fn stored(self, stored_min: i32, stored_max: i32, stored_invalid: Option<i32>) -> Self {
        const fn to_i16(v: i32) -> i16 {
            if v < i16::MIN as i32 {
                i16::MIN
            } else if v > i16::MAX as i32 {
                i16::MAX
            } else {
                v as i16
            }
        }
        FormatInfo {
            min_adu: to_i16(stored_min),
            max_adu: to_i16(stored_max),
            invalid_adu: to_i16(stored_min),
            stored_min,
            stored_max,
            stored_invalid,
            ..self
        }
    }
}

impl Format {
    /// The format numbered `fmt` in a header, if supported.
    pub fn from_fmt(fmt: u32) -> Option<Format> {
        FORMATS.iter().find(|i| i.fmt == fmt).map(|i| i.format)
    }

    /// This format's facts.
    pub fn info(self) -> &'static FormatInfo {
        // The rows of FORMATS are in the order of the variants (`table_is_consistent` checks).
        &FORMATS[self as usize]
    }

    /// How this format stores its samples.
    pub fn encoding(self) -> Encoding {
        self.info().encoding
    }

    /// Bytes needed to hold `n_samples` samples, or `None` on overflow or for FLAC, whose size
    /// depends on the signal.
    pub fn bytes_for(self, n_samples: u64) -> Option<u64> {
        let info = self.info();
        if info.encoding == Encoding::Flac {
            return None;
        }
        let spg = info.samples_per_group as u64;
        let full = (n_samples / spg).checked_mul(info.bytes_per_group as u64)?;
        let rem = (n_samples % spg) as usize;
        let partial = info.partial_group_bytes.get(rem).copied().unwrap_or(0) as u64;
        full.checked_add(partial)
    }

    /// Whole samples held by `n_bytes` bytes (wfdb-python `_infer_sig_len`:
    /// floor(bytes / bytes-per-sample)).
    pub fn samples_in(self, n_bytes: u64) -> u64 {
        let info = self.info();
        if info.encoding == Encoding::Flac {
            return 0;
        }
        // floor(n * spg / bpg) without overflow: split into whole groups and the rest.
        let spg = info.samples_per_group as u64;
        let bpg = info.bytes_per_group as u64;
        (n_bytes / bpg) * spg + (n_bytes % bpg) * spg / bpg
    }
}

/// Sign-extends the low `BITS` bits of `v`.
#[inline(always)]
fn sign_extend<const BITS: u32>(v: u32) -> i16 {
    let shift = 32 - BITS;
    (((v << shift) as i32) >> shift) as i16
}

#[inline(always)]
fn group_212(g: &[u8; 3]) -> [i16; 2] {
    let [b0, b1, b2] = g.map(u32::from);
    [
        sign_extend::<12>(b0 | ((b1 & 0x0f) << 8)),
        sign_extend::<12>(b2 | ((b1 & 0xf0) << 4)),
    ]
}

#[inline(always)]
fn group_310(g: &[u8; 4]) -> [i16; 3] {
    let [b0, b1, b2, b3] = g.map(u32::from);
    let w0 = b0 | (b1 << 8);
    let w1 = b2 | (b3 << 8);
    [
        sign_extend::<10>(w0 >> 1),
        sign_extend::<10>(w1 >> 1),
        sign_extend::<10>(((w0 & 0xf800) >> 11) | ((w1 & 0xf800) >> 6)),
    ]
}

#[inline(always)]
fn group_311(g: &[u8; 4]) -> [i16; 3] {
    let w = u32::from_le_bytes(*g);
    [
        sign_extend::<10>(w),
        sign_extend::<10>(w >> 10),
        sign_extend::<10>(w >> 20),
    ]
}

/// Decodes whole groups of `B` bytes into `S` samples each, then a last partial group padded
/// with zero bytes. `out.len()` samples are produced; missing bytes read as zero (callers check
/// lengths first).
#[inline(always)]
fn decode_groups<const B: usize, const S: usize>(
    bytes: &[u8],
    out: &mut [i16],
    group: impl Fn(&[u8; B]) -> [i16; S],
) {
    let n_full = out.len() / S;
    let mut out_chunks = out.chunks_exact_mut(S);
    for (o, i) in (&mut out_chunks).zip(bytes.chunks_exact(B)) {
        if let Ok(g) = <&[u8; B]>::try_from(i) {
            for (dst, src) in o.iter_mut().zip(group(g)) {
                *dst = src;
            }
        }
    }
    let rest = out_chunks.into_remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; B];
        let tail = bytes.get(n_full * B..).unwrap_or(&[]);
        for (dst, src) in buf.iter_mut().zip(tail) {
            *dst = *src;
        }
        for (dst, src) in rest.iter_mut().zip(group(&buf)) {
            *dst = src;
        }
    }
}

/// Decodes `out.len()` consecutive samples of a [`Encoding::Packed`] `format` from `bytes`
/// (which start at a group boundary). Bytes missing at the end read as zero: check
/// `bytes.len()` against [`Format::bytes_for`] first when that matters. Other formats leave
/// `out` as it is: see [`decode_wide_into`] and [`super::signal`].
pub fn decode_into(format: Format, bytes: &[u8], out: &mut [i16]) {
    match format {
        Format::F160 => decode_groups::<2, 1>(bytes, out, |g| {
            [(i32::from(u16::from_le_bytes(*g)) - 32768) as i16]
        }),
        Format::F8 | Format::F24 | Format::F32 | Format::F508 | Format::F516 | Format::F524 => {}
        Format::F16 => decode_groups::<2, 1>(bytes, out, |g| [i16::from_le_bytes(*g)]),
        Format::F61 => decode_groups::<2, 1>(bytes, out, |g| [i16::from_be_bytes(*g)]),
        Format::F80 => decode_groups::<1, 1>(bytes, out, |g| [i16::from(g[0]) - 128]),
        Format::F212 => decode_groups::<3, 2>(bytes, out, group_212),
        Format::F310 => decode_groups::<4, 3>(bytes, out, group_310),
        Format::F311 => decode_groups::<4, 3>(bytes, out, group_311),
    }
}

/// Decodes `out.len()` consecutive stored values of a [`Encoding::Wide`] `format` (for format
/// 8, the differences themselves) from `bytes`; bytes missing at the end read as zero. Packed
/// formats decode through [`decode_into`], widened; FLAC leaves `out` as it is.
pub fn decode_wide_into(format: Format, bytes: &[u8], out: &mut [i32]) {
    fn each<const B: usize>(bytes: &[u8], out: &mut [i32], f: impl Fn([u8; B]) -> i32) {
        let mut chunks = bytes.chunks_exact(B);
        for o in out.iter_mut() {
            *o = match chunks.next() {
                Some(c) => <[u8; B]>::try_from(c).map_or(0, &f),
                None => 0,
            };
        }
    }
    match format {
        Format::F8 => each::<1>(bytes, out, |[b]| i32::from(b as i8)),
        Format::F24 => each::<3>(bytes, out, |[a, b, c]| {
            i32::from_le_bytes([0, a, b, c]) >> 8 // sign-extends the high byte
        }),
        Format::F32 => each::<4>(bytes, out, i32::from_le_bytes),
        Format::F508 | Format::F516 | Format::F524 => {}
        packed => {
            let mut narrow = vec![0i16; out.len()];
            decode_into(packed, bytes, &mut narrow);
            for (o, v) in out.iter_mut().zip(narrow) {
                *o = i32::from(v);
            }
        }
    }
}

/// Decodes `n_samples` samples of a [`Encoding::Packed`] `format` from the start of `bytes`.
///
/// Returns `None` when `bytes` is shorter than [`Format::bytes_for`]`(n_samples)`, and for the
/// formats whose samples do not fit 16 bits as stored or need the whole signal (8, 24, 32,
/// FLAC): read those with [`super::read_signals`].
pub fn decode_samples(format: Format, bytes: &[u8], n_samples: usize) -> Option<Vec<i16>> {
    if format.encoding() != Encoding::Packed {
        return None;
    }
    let need = format.bytes_for(n_samples as u64)?;
    if (bytes.len() as u64) < need {
        return None;
    }
    let mut out = vec![0i16; n_samples];
    decode_into(format, bytes, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, info) in FORMATS.iter().enumerate() {
            assert_eq!(info.format.info(), info, "{:?}", info.format);
            assert_eq!(Format::from_fmt(info.fmt), Some(info.format));
            assert_eq!(FORMATS.iter().filter(|j| j.fmt == info.fmt).count(), 1);
            // The format's own range, as wfdb-python's SAMPLE_VALUE_RANGE and
            // INVALID_SAMPLE_VALUE give it.
            let half = 1i64 << (info.bits.min(32) - 1);
            if info.format == Format::F8 {
                assert_eq!(info.stored_invalid, None);
                assert_eq!((info.stored_min, info.stored_max), (i32::MIN, i32::MAX));
            } else {
                assert_eq!(i64::from(info.stored_min), -half, "fmt {}", info.fmt);
                assert_eq!(i64::from(info.stored_max), half - 1, "fmt {}", info.fmt);
                assert_eq!(
                    info.stored_invalid,
                    Some(info.stored_min),
                    "fmt {}",
                    info.fmt
                );
            }
            if info.encoding != Encoding::Packed {
                // Held in 16 bits: the whole i16 range, i16::MIN marking a missing sample (FLAC
                // of 8 bits keeps its own range).
                assert_eq!(info.invalid_adu, info.min_adu, "fmt {}", info.fmt);
                assert_eq!(
                    info.format.bytes_for(3).is_none(),
                    info.encoding == Encoding::Flac
                );
                continue;
            }
            let half = 1i32 << (info.bits - 1);
            assert_eq!(i32::from(info.min_adu), -half, "fmt {}", info.fmt);
            assert_eq!(i32::from(info.max_adu), half - 1, "fmt {}", info.fmt);
            assert_eq!(info.invalid_adu, info.min_adu, "fmt {}", info.fmt);
            assert_eq!(
                info.bytes_per_group * 8,
                info.samples_per_group * info.bits as usize
                    + if info.fmt >= 310 && info.fmt <= 311 {
                        2
                    } else {
                        0
                    },
                "fmt {} bits",
                info.fmt
            );
            assert!(info.samples_per_group <= 3, "row {i}");
            assert_eq!(info.partial_group_bytes[0], 0);
            // Every partial group needs fewer bytes than a whole one, more as samples grow.
            for k in 1..info.samples_per_group {
                assert!(info.partial_group_bytes[k] <= info.bytes_per_group);
                assert!(info.partial_group_bytes[k] > info.partial_group_bytes[k - 1]);
            }
        }
        assert_eq!(Format::from_fmt(24), Some(Format::F24));
        assert_eq!(Format::from_fmt(0), None);
        assert_eq!(Format::from_fmt(160), Some(Format::F160));
    }

    #[test]
    fn bytes_for_matches_wfdb_python_required_byte_num() {
        // _required_byte_num("read", fmt, n) for n = 0..7.
        let cases: [(Format, [u64; 7]); 4] = [
            (Format::F16, [0, 2, 4, 6, 8, 10, 12]),
            (Format::F212, [0, 2, 3, 5, 6, 8, 9]),
            (Format::F310, [0, 2, 4, 4, 6, 8, 8]),
            (Format::F311, [0, 2, 3, 4, 6, 7, 8]),
        ];
        for (f, want) in cases {
            for (n, w) in want.iter().enumerate() {
                assert_eq!(f.bytes_for(n as u64), Some(*w), "{f:?} n={n}");
            }
        }
        assert_eq!(Format::F80.bytes_for(5), Some(5));
        assert_eq!(Format::F16.bytes_for(u64::MAX), None);
    }

    #[test]
    fn samples_in_floors_like_infer_sig_len() {
        assert_eq!(Format::F212.samples_in(1_950_000), 1_300_000);
        assert_eq!(Format::F212.samples_in(4), 2); // int(4 / 1.5)
        assert_eq!(Format::F212.samples_in(5), 3);
        assert_eq!(Format::F310.samples_in(8), 6);
        assert_eq!(Format::F311.samples_in(7), 5); // int(7 / (4/3)) = 5
        assert_eq!(Format::F16.samples_in(7), 3);
        assert_eq!(Format::F80.samples_in(7), 7);
    }

    #[test]
    fn format_212_sign_extends_both_samples() {
        // Sample 0 = 0x800 (−2048), sample 1 = 0x7FF (2047): byte1 = high nibbles 0x7 | 0x8.
        let s = decode_samples(Format::F212, &[0x00, 0x78, 0xff], 2).unwrap();
        assert_eq!(s, [-2048, 2047]);
        // −1 and −1: 0xFFF, 0xFFF.
        let s = decode_samples(Format::F212, &[0xff, 0xff, 0xff], 2).unwrap();
        assert_eq!(s, [-1, -1]);
        // 995 (0x3E3) and 1011 (0x3F3), the first samples of MIT-BIH record 100.
        let s = decode_samples(Format::F212, &[0xe3, 0x33, 0xf3], 2).unwrap();
        assert_eq!(s, [995, 1011]);
        // An odd count reads the first sample of the last triplet from two bytes only.
        let s = decode_samples(Format::F212, &[0xe3, 0x33, 0xf3, 0x01, 0x08], 3).unwrap();
        assert_eq!(s, [995, 1011, -2047]);
        assert_eq!(
            decode_samples(Format::F212, &[0xe3, 0x33, 0xf3, 0x01], 3),
            None
        );
    }

    #[test]
    fn format_310_and_311_layouts() {
        // 310: w0 = (a << 1) | (c_lo << 11), w1 = (b << 1) | (c_hi << 11), as WFDB's w310.
        let (a, b, c) = (-512i32, 511i32, -3i32);
        let (ua, ub, uc) = (a as u32 & 0x3ff, b as u32 & 0x3ff, c as u32 & 0x3ff);
        let w0 = (ua << 1) | ((uc & 0x1f) << 11);
        let w1 = (ub << 1) | ((uc >> 5) << 11);
        let bytes = [w0 as u8, (w0 >> 8) as u8, w1 as u8, (w1 >> 8) as u8];
        assert_eq!(
            decode_samples(Format::F310, &bytes, 3).unwrap(),
            [-512, 511, -3]
        );
        // 311: the 30 low bits of a little-endian word.
        let w = ua | (ub << 10) | (uc << 20);
        assert_eq!(
            decode_samples(Format::F311, &w.to_le_bytes(), 3).unwrap(),
            [-512, 511, -3]
        );
        // Bits 30–31 are ignored (WFDB r311 masks them off).
        let w = w | 0xc000_0000;
        assert_eq!(
            decode_samples(Format::F311, &w.to_le_bytes(), 3).unwrap(),
            [-512, 511, -3]
        );
    }

    #[test]
    fn formats_16_61_80() {
        assert_eq!(
            decode_samples(Format::F16, &[0x00, 0x80, 0xff, 0x7f], 2).unwrap(),
            [i16::MIN, i16::MAX]
        );
        assert_eq!(
            decode_samples(Format::F61, &[0x80, 0x00, 0x7f, 0xff], 2).unwrap(),
            [i16::MIN, i16::MAX]
        );
        assert_eq!(
            decode_samples(Format::F80, &[0, 128, 255], 3).unwrap(),
            [-128, 0, 127]
        );
    }
}
