//! MIT-format annotation files (`.atr` and other annotators).
//!
//! The file is a sequence of 16-bit little-endian words. The top 6 bits are a code `A`, the low
//! 10 bits a datum `I` (WFDB `annot(5)`; WFDB `lib/annot.c`):
//!
//! | `A` | meaning |
//! |---|---|
//! | 1–49 (and 50–58) | an annotation of that code, `I` samples after the previous one |
//! | 0 with `I` = 0 | end of file |
//! | 59 `SKIP` | the next two words hold a 32-bit interval, high word first (PDP-11 order), added to the time |
//! | 60 `NUM` | the previous annotation's `num` is the low byte of `I`, signed |
//! | 61 `SUB` | the previous annotation's `subtype` is the low byte of `I`, signed |
//! | 62 `CHN` | the previous annotation's `chan` is the low byte of `I` |
//! | 63 `AUX` | the previous annotation's `aux_note`: the low byte of `I` gives its length; that many bytes follow, padded to an even count |
//!
//! `num` and `chan` carry over to the following annotations until changed; `subtype` and
//! `aux_note` do not. `sample` is in samples (frames) from the start of the record.
//!
//! Matches wfdb-python 4.3.1 `rdann` (`proc_ann_bytes`, `get_special_inds`): annotations of code
//! 0 are dropped (their interval still counts), and so are note annotations (`"`, code 22) at
//! sample 0, which carry file definitions such as `## time resolution: 360`. `aux_note` bytes are
//! decoded as Latin-1, like wfdb-python's `chr(byte)`, so every byte round-trips. Unlike
//! wfdb-python, reading stops at the end-of-file word (WFDB's rule) and a file that ends without
//! one is read to its last complete entry.

use super::error::WfdbError;
use crate::Annotation;
use crate::io::limits::MAX_ANNOTATIONS;

/// Pseudo-code: a 32-bit interval follows.
pub const SKIP: u8 = 59;
/// Pseudo-code: sets `num`.
pub const NUM: u8 = 60;
/// Pseudo-code: sets `subtype`.
pub const SUB: u8 = 61;
/// Pseudo-code: sets `chan`.
pub const CHN: u8 = 62;
/// Pseudo-code: an `aux_note` follows.
pub const AUX: u8 = 63;
/// Code of a note annotation (`"`), used at sample 0 for file definitions.
pub const NOTE: u8 = 22;
/// Largest interval one annotation word holds, in samples.
pub const MAX_WORD_INTERVAL: i64 = 0x3ff;

/// Name of a pseudo-code, for messages.
fn pseudo_name(code: u8) -> &'static str {
    match code {
        SKIP => "SKIP",
        NUM => "NUM",
        SUB => "SUB",
        CHN => "CHN",
        AUX => "AUX",
        _ => "annotation",
    }
}

fn cut(byte_offset: usize, what: &str, need: usize, have: usize) -> WfdbError {
    WfdbError::Annotation {
        byte_offset,
        reason: format!(
            "the file ends in the middle of {what}: {need} bytes expected, {have} left — the file is truncated"
        ),
    }
}

/// Reads an MIT-format annotation file.
///
/// Errors: [`WfdbError::Empty`] for a 0-byte file, [`WfdbError::Annotation`] (with the byte
/// offset) for a file cut inside an entry, a modifier before any annotation, or a position
/// before the start of the record; [`WfdbError::TooLarge`] past
/// [`MAX_ANNOTATIONS`] annotations.
pub fn read_annotations(bytes: &[u8]) -> Result<Vec<Annotation>, WfdbError> {
    if bytes.is_empty() {
        return Err(WfdbError::Empty {
            file: "annotation file".into(),
        });
    }
    // MIT files hold about one word per annotation; a file that is not one (raw samples under
    // an annotator's extension) must not reserve for all its words, so the first reservation is
    // capped and the count is checked as annotations come.
    let mut out: Vec<Annotation> = Vec::with_capacity((bytes.len() / 2).min(1 << 16));
    let mut current: Option<Annotation> = None;
    let mut time: i64 = 0;
    let mut chan: u8 = 0;
    let mut num: i8 = 0;
    let mut pos = 0usize;

    let keep = |a: &Annotation| !(a.code == 0 || (a.code == NOTE && a.sample == 0));

    while pos < bytes.len() {
        let Some(&[b0, b1]) = bytes.get(pos..pos + 2) else {
            return Err(cut(pos, "a 16-bit word", 2, bytes.len() - pos));
        };
        let word = u16::from_le_bytes([b0, b1]);
        if word == 0 {
            break;
        }
        let code = (word >> 10) as u8;
        let datum = word & 0x3ff;
        let low = datum as u8;
        match code {
            SKIP => {
                let Some(&[h0, h1, l0, l1]) = bytes.get(pos + 2..pos + 6) else {
                    return Err(cut(pos, "a SKIP entry", 6, bytes.len() - pos));
                };
                // PDP-11 long: high 16-bit word first, each word little-endian.
                let hi = u32::from(u16::from_le_bytes([h0, h1]));
                let lo = u32::from(u16::from_le_bytes([l0, l1]));
                let interval = ((hi << 16) | lo) as i32;
                time =
                    time.checked_add(i64::from(interval))
                        .ok_or_else(|| WfdbError::Annotation {
                            byte_offset: pos,
                            reason: "the SKIP intervals add up beyond any record length".into(),
                        })?;
                pos += 6;
            }
            NUM | SUB | CHN | AUX => {
                let Some(a) = current.as_mut() else {
                    return Err(WfdbError::Annotation {
                        byte_offset: pos,
                        reason: format!(
                            "a {} modifier comes before any annotation; expected an annotation word first",
                            pseudo_name(code)
                        ),
                    });
                };
                match code {
                    NUM => {
                        num = low as i8;
                        a.num = num;
                        pos += 2;
                    }
                    SUB => {
                        a.subtype = low as i8;
                        pos += 2;
                    }
                    CHN => {
                        chan = low;
                        a.chan = chan;
                        pos += 2;
                    }
                    _ => {
                        let len = usize::from(low);
                        let padded = len + (len & 1);
                        let Some(text) = bytes.get(pos + 2..pos + 2 + padded) else {
                            return Err(cut(pos, "an AUX entry", 2 + padded, bytes.len() - pos));
                        };
                        a.aux_note = Some(text.iter().take(len).map(|&b| char::from(b)).collect());
                        pos += 2 + padded;
                    }
                }
            }
            _ => {
                time = time.saturating_add(i64::from(datum));
                let sample = u64::try_from(time).map_err(|_| WfdbError::Annotation {
                    byte_offset: pos,
                    reason: format!(
                        "the annotation lies at sample {time}, before the start of the record (negative SKIP)"
                    ),
                })?;
                if let Some(prev) = current.take().filter(keep) {
                    if out.len() >= MAX_ANNOTATIONS {
                        return Err(WfdbError::TooLarge {
                            reason: format!(
                                "annotation file, byte {pos}: more than {MAX_ANNOTATIONS} annotations, more than \
                                 twenty days of beats — this is not an annotation file (a signal file given an \
                                 annotator's extension?)"
                            ),
                        });
                    }
                    out.push(prev);
                }
                current = Some(Annotation {
                    sample,
                    code,
                    subtype: 0,
                    chan,
                    num,
                    aux_note: None,
                });
                pos += 2;
            }
        }
    }
    if let Some(last) = current.filter(keep) {
        out.push(last);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(code: u8, datum: u16) -> [u8; 2] {
        ((u16::from(code) << 10) | datum).to_le_bytes()
    }

    #[test]
    fn skip_is_pdp11_middle_endian() {
        // SKIP of 0x0001_2345 = 74565 samples, then an N 7 samples later.
        let mut f = Vec::new();
        f.extend(word(SKIP, 0));
        f.extend([0x01, 0x00, 0x45, 0x23]);
        f.extend(word(1, 7));
        f.extend([0, 0]);
        let a = read_annotations(&f).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].sample, 0x0001_2345 + 7);
        // A negative SKIP: −2 = 0xFFFF_FFFE → high word FFFF, low word FFFE.
        let mut g = Vec::new();
        g.extend(word(1, 10));
        g.extend(word(SKIP, 0));
        g.extend([0xff, 0xff, 0xfe, 0xff]);
        g.extend(word(5, 0));
        let a = read_annotations(&g).unwrap();
        assert_eq!(a.iter().map(|a| a.sample).collect::<Vec<_>>(), [10, 8]);
    }

    #[test]
    fn aux_is_length_prefixed_and_padded() {
        let mut f = Vec::new();
        f.extend(word(28, 18)); // '+' at 18
        f.extend(word(AUX, 3));
        f.extend(b"(N\0\0"); // 3 bytes: '(' 'N' '\0', then one pad byte
        f.extend(word(1, 5));
        f.extend(word(AUX, 2));
        f.extend(b"\xe9x");
        f.extend([0, 0]);
        let a = read_annotations(&f).unwrap();
        assert_eq!(a[0].aux_note.as_deref(), Some("(N\0"));
        assert_eq!((a[1].sample, a[1].aux_note.as_deref()), (23, Some("éx")));
        // Cut inside the padded text.
        let e = read_annotations(&f[..5]).unwrap_err();
        assert_eq!(
            e,
            WfdbError::Annotation {
                byte_offset: 2,
                reason: "the file ends in the middle of an AUX entry: 6 bytes expected, 3 left — the file is truncated"
                    .into()
            }
        );
    }

    #[test]
    fn num_and_chan_carry_over_subtype_does_not() {
        let mut f = Vec::new();
        f.extend(word(1, 1));
        f.extend(word(NUM, 0xff)); // −1
        f.extend(word(SUB, 3));
        f.extend(word(CHN, 2));
        f.extend(word(1, 1));
        f.extend(word(0, 4)); // code 0: dropped, but its interval counts
        f.extend(word(NOTE, 1));
        f.extend([0, 0]);
        f.extend(word(1, 1)); // after the end-of-file word: ignored
        let a = read_annotations(&f).unwrap();
        let got: Vec<_> = a
            .iter()
            .map(|a| (a.sample, a.code, a.num, a.subtype, a.chan))
            .collect();
        assert_eq!(
            got,
            [(1, 1, -1, 3, 2), (2, 1, -1, 0, 2), (7, NOTE, -1, 0, 2)]
        );
    }

    #[test]
    fn notes_at_sample_0_are_file_definitions() {
        let mut f = Vec::new();
        f.extend(word(NOTE, 0));
        f.extend(word(AUX, 4));
        f.extend(b"## x");
        f.extend(word(1, 3));
        let a = read_annotations(&f).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].sample, 3);
    }

    #[test]
    fn malformed_files_are_typed_errors() {
        assert!(matches!(
            read_annotations(&[]),
            Err(WfdbError::Empty { .. })
        ));
        assert!(matches!(
            read_annotations(&[1, 4, 7]),
            Err(WfdbError::Annotation { byte_offset: 2, .. })
        ));
        let mut f = Vec::new();
        f.extend(word(SKIP, 0));
        f.extend([1, 0]);
        assert!(matches!(
            read_annotations(&f),
            Err(WfdbError::Annotation { byte_offset: 0, .. })
        ));
        assert!(matches!(
            read_annotations(&word(NUM, 1)),
            Err(WfdbError::Annotation { byte_offset: 0, .. })
        ));
    }
}
