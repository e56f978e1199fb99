//! Reading zip archives (PhysioNet offers each database as one `.zip`), with the `zip` crate
//! (deflate only): entries stored (method 0) or deflated (method 8), ZIP64 included, every
//! entry's CRC-32 checked. Directories, macOS resource forks (`__MACOSX/`) and hidden files are
//! skipped. Encrypted entries and other compression methods are refused by name.
//!
//! Archives come from strangers, so what they claim is checked before it is believed
//! ([`crate::io::limits`]): at most [`MAX_ZIP_ENTRIES`] entries; entries whose data overlap (a
//! zip bomb that counts one compressed stream many times) are refused; and all entries of a
//! load together inflate to at most a byte budget ([`MAX_UNZIPPED_BYTES`] unless the caller
//! gives another), checked against each entry's stated size before inflating and against the
//! bytes that actually come out while inflating. [`ZipReader`] extracts one entry per call, so
//! the page can show progress and cancel between entries.

/// What can be wrong with a zip archive.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ZipError {
    /// No end-of-central-directory record.
    #[error("not a zip archive (no end-of-central-directory record); is the file complete?")]
    NotZip,
    /// A structure points outside the file.
    #[error(
        "the archive is truncated or damaged: {what} at byte {offset} lies outside the {len}-byte file"
    )]
    Truncated {
        /// The structure.
        what: &'static str,
        /// Where it should be.
        offset: u64,
        /// File length.
        len: usize,
    },
    /// A signature did not match.
    #[error("the archive is damaged: expected a {what} at byte {offset}")]
    BadSignature {
        /// The structure expected.
        what: &'static str,
        /// Where.
        offset: u64,
    },
    /// Unsupported compression or encryption.
    #[error("{name}: {reason}")]
    Unsupported {
        /// Entry name.
        name: String,
        /// What is not supported.
        reason: String,
    },
    /// Inflating failed or the checksum disagrees.
    #[error("{name}: {reason}")]
    Corrupt {
        /// Entry name.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// The archive's structure is damaged.
    #[error("the archive is damaged: {reason}")]
    Damaged {
        /// What is wrong, as the zip reader found it.
        reason: String,
    },
    /// The archive inflates past the byte budget, lists too many entries, or has entries whose
    /// data overlap.
    #[error("{reason}")]
    TooLarge {
        /// What, and the limit.
        reason: String,
    },
}

/// One file of an archive.
#[derive(Debug, Clone, PartialEq)]
pub struct ZipEntry {
    /// Path inside the archive, `/`-separated.
    pub path: String,
    /// Uncompressed bytes.
    pub bytes: Vec<u8>,
}

use std::io::{Cursor, Read};

use crate::io::limits::{MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES};

/// True when `bytes` start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// True for entries that hold no user file: directories, macOS resource forks, hidden files.
fn skipped(name: &str) -> bool {
    name.ends_with('/')
        || name.starts_with("__MACOSX/")
        || name.contains("/__MACOSX/")
        || name
            .rsplit('/')
            .next()
            .is_none_or(|base| base.is_empty() || base.starts_with('.'))
}

fn damaged(e: zip::result::ZipError) -> ZipError {
    ZipError::Damaged {
        reason: e.to_string(),
    }
}

/// A zip archive being extracted one entry at a time, within a byte budget.
pub struct ZipReader<B: AsRef<[u8]>> {
    archive: zip::ZipArchive<Cursor<B>>,
    archive_len: usize,
    next: usize,
    budget_left: u64,
}

impl<B: AsRef<[u8]>> ZipReader<B> {
    /// Opens an archive, checking its directory: entry count, and that no two entries' data
    /// overlap. `budget` is the number of bytes its entries may inflate to, in total.
    pub fn new(bytes: B, budget: u64) -> Result<Self, ZipError> {
        let has_eocd = bytes
            .as_ref()
            .windows(4)
            .rev()
            .take(22 + 65_535)
            .any(|w| w == b"PK\x05\x06");
        if !has_eocd {
            return Err(ZipError::NotZip);
        }
        let archive_len = bytes.as_ref().len();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
        if archive.len() > MAX_ZIP_ENTRIES {
            return Err(ZipError::TooLarge {
                reason: format!(
                    "the archive lists {} entries, more than the {MAX_ZIP_ENTRIES} read here",
                    archive.len()
                ),
            });
        }
        let mut spans: Vec<(u64, u64, usize)> = Vec::with_capacity(archive.len());
        for i in 0..archive.len() {
            let f = archive.by_index_raw(i).map_err(damaged)?;
            let end = f.data_start().saturating_add(f.compressed_size());
            spans.push((f.header_start(), end, i));
        }
        spans.sort_unstable();
        if let Some(w) = spans.windows(2).find(|w| w[1].0 < w[0].1) {
            let name = |i: usize| archive.name_for_index(i).unwrap_or("?").to_string();
            return Err(ZipError::TooLarge {
                reason: format!(
                    "entries {} and {} of the archive share their data (overlapping entries, as in a zip bomb); \
                     the archive is refused",
                    name(w[0].2),
                    name(w[1].2)
                ),
            });
        }
        Ok(Self {
            archive,
            archive_len,
            next: 0,
            budget_left: budget,
        })
    }

    /// Entries in the archive (skipped ones included).
    pub fn len(&self) -> usize {
        self.archive.len()
    }

    /// True when the archive lists no entry.
    pub fn is_empty(&self) -> bool {
        self.archive.len() == 0
    }

    /// Bytes of the archive itself.
    pub fn input_len(&self) -> usize {
        self.archive_len
    }

    /// Entries handled so far.
    pub fn done(&self) -> usize {
        self.next
    }

    /// Bytes the remaining entries may still inflate to.
    pub fn budget_left(&self) -> u64 {
        self.budget_left
    }

    /// Extracts the next entry: `Ok(None)` when the archive is done, `Ok(Some(None))` for an
    /// entry that is skipped (directory, hidden file).
    #[allow(clippy::option_option)]
    pub fn next_entry(&mut self) -> Result<Option<Option<ZipEntry>>, ZipError> {
        if self.next >= self.archive.len() {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        let mut f = self.archive.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(what) => ZipError::Unsupported {
                name: self_name(i),
                reason: format!(
                    "{what}: only stored and deflated entries without encryption are read; re-zip with a standard tool or drop the files"
                ),
            },
            other => damaged(other),
        })?;
        let name = f.name().replace('\\', "/");
        if f.is_dir() || skipped(&name) {
            return Ok(Some(None));
        }
        if f.encrypted() {
            return Err(ZipError::Unsupported {
                name,
                reason: "the entry is encrypted; unzip it with its password first".into(),
            });
        }
        let stated = f.size();
        if stated > self.budget_left {
            return Err(budget_error(&name, stated, self.budget_left));
        }
        // The stated size is the archive's word: read at most one byte past the budget, so a
        // lie is caught without inflating further.
        let cap = usize::try_from(stated).unwrap_or(usize::MAX).min(1 << 24);
        let mut bytes = Vec::with_capacity(cap);
        let read = (&mut f)
            .take(self.budget_left.saturating_add(1))
            .read_to_end(&mut bytes);
        if let Err(e) = read {
            return Err(ZipError::Corrupt {
                name,
                reason: format!("cannot inflate the entry ({e}): the archive is damaged"),
            });
        }
        let got = bytes.len() as u64;
        if got > self.budget_left {
            return Err(budget_error(&name, got, self.budget_left));
        }
        if got != stated {
            return Err(ZipError::Corrupt {
                name,
                reason: format!(
                    "the entry inflates to {got} bytes but the archive's directory says {stated}: the archive is damaged"
                ),
            });
        }
        self.budget_left -= got;
        Ok(Some(Some(ZipEntry { path: name, bytes })))
    }
}

fn self_name(i: usize) -> String {
    format!("entry {i}")
}

fn budget_error(name: &str, size: u64, left: u64) -> ZipError {
    ZipError::TooLarge {
        reason: format!(
            "{name}: the archive inflates past {} MiB, the most one load unpacks ({} bytes were left for this \
             {size}-byte entry); a zip bomb, or unzip it yourself and drop the files you need",
            MAX_UNZIPPED_BYTES >> 20,
            left
        ),
    }
}

/// Lists and extracts the files of a zip archive within [`MAX_UNZIPPED_BYTES`].
/// `progress(done, total)` is called per entry.
pub fn read_zip(
    bytes: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<ZipEntry>, ZipError> {
    let mut reader = ZipReader::new(bytes, MAX_UNZIPPED_BYTES)?;
    let total = reader.len();
    let mut out = Vec::new();
    while let Some(entry) = reader.next_entry()? {
        progress(reader.done(), total);
        out.extend(entry);
    }
    progress(total, total);
    Ok(out)
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses), by `crc32fast`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// Writes a zip archive of stored (uncompressed) entries; used to export and in tests.
pub fn write_stored_zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let crc = crc32(&e.bytes);
        let size = e.bytes.len() as u32;
        let name = e.path.as_bytes();
        let header = |sig: &[u8], central_entry: bool, buf: &mut Vec<u8>| {
            buf.extend_from_slice(sig);
            if central_entry {
                buf.extend_from_slice(&20u16.to_le_bytes()); // version made by
            }
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags
            buf.extend_from_slice(&0u16.to_le_bytes()); // method: stored
            buf.extend_from_slice(&0u32.to_le_bytes()); // time, date
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central_entry {
                buf.extend_from_slice(&[0u8; 6]); // comment length, disk, internal attrs
                buf.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                buf.extend_from_slice(&offset.to_le_bytes());
            }
            buf.extend_from_slice(name);
        };
        header(b"PK\x03\x04", false, &mut out);
        out.extend_from_slice(&e.bytes);
        header(b"PK\x01\x02", true, &mut central);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn stored_round_trip_skips_hidden_and_directories() {
        let entries = vec![
            ZipEntry {
                path: "mitdb/100.hea".into(),
                bytes: b"100 2 360 650000\n".to_vec(),
            },
            ZipEntry {
                path: "mitdb/.DS_Store".into(),
                bytes: vec![1, 2],
            },
            ZipEntry {
                path: "__MACOSX/mitdb/._100.hea".into(),
                bytes: vec![3],
            },
            ZipEntry {
                path: "mitdb/".into(),
                bytes: vec![],
            },
        ];
        let z = write_stored_zip(&entries);
        assert!(looks_like_zip(&z));
        let read = read_zip(&z, &mut |_, _| {}).expect("valid");
        assert_eq!(read, entries[..1].to_vec());
    }

    #[test]
    fn deflated_entry_inflates() {
        // A deflated entry built by hand: local header + raw deflate data + central directory.
        let content = b"hello hello hello hello hello ECG".repeat(10);
        let deflated = miniz_oxide::deflate::compress_to_vec(&content, 6);
        let mut z = write_stored_zip(&[ZipEntry {
            path: "a.txt".into(),
            bytes: content.clone(),
        }]);
        // Rewrite as method 8 with the deflated payload.
        let name = b"a.txt";
        let mut local = Vec::new();
        local.extend_from_slice(&z[..30]);
        local[8..10].copy_from_slice(&8u16.to_le_bytes());
        local[18..22].copy_from_slice(&(deflated.len() as u32).to_le_bytes());
        local.extend_from_slice(name);
        local.extend_from_slice(&deflated);
        let cd_start = 30 + name.len() + content.len();
        let mut central = z[cd_start..cd_start + 46 + name.len()].to_vec();
        central[10..12].copy_from_slice(&8u16.to_le_bytes());
        central[20..24].copy_from_slice(&(deflated.len() as u32).to_le_bytes());
        let mut eocd = z[z.len() - 22..].to_vec();
        eocd[16..20].copy_from_slice(&(local.len() as u32).to_le_bytes());
        z = [local, central, eocd].concat();
        let read = read_zip(&z, &mut |_, _| {}).expect("valid");
        assert_eq!(read[0].bytes, content);
    }

    #[test]
    fn damage_is_reported_not_panicked() {
        let z = write_stored_zip(&[ZipEntry {
            path: "x.dat".into(),
            bytes: vec![7; 100],
        }]);
        assert_eq!(
            read_zip(b"not a zip", &mut |_, _| {}),
            Err(ZipError::NotZip)
        );
        let mut flipped = z.clone();
        flipped[40] ^= 0xFF; // inside the data: CRC mismatch
        assert!(matches!(
            read_zip(&flipped, &mut |_, _| {}),
            Err(ZipError::Corrupt { .. })
        ));
        for cut in [10, 60, z.len() - 30, z.len() - 5] {
            assert!(read_zip(&z[..cut], &mut |_, _| {}).is_err(), "cut at {cut}");
        }
    }
    #[test]
    fn reads_a_zip_made_by_python() {
        // Made with CPython 3.11's zipfile (ZIP_DEFLATED):
        // python3 -c "import zipfile,io; b=io.BytesIO(); z=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED);
        //   z.writestr('db-1.0.0/RECORDS','100\\n101\\n'*20);
        //   z.writestr('db-1.0.0/x.hea','x 1 360 10\\nx.dat 16 200 16 0 0 0 0 MLII\\n'); z.close(); print(b.getvalue())"
        let z = b"\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\xf8\x09\x78\x5d\xa4\x74\x8c\x39\x0d\x00\x00\x00\xa0\x00\x00\x00\x10\x00\x00\x00\x64\x62\x2d\x31\x2e\x30\x2e\x30\x2f\x52\x45\x43\x4f\x52\x44\x53\x33\x34\x30\xe0\x32\x34\x30\x04\xe2\xc1\x49\x03\x00\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\xf8\x09\x78\x5d\x5f\x27\x34\x66\x22\x00\x00\x00\x28\x00\x00\x00\x0e\x00\x00\x00\x64\x62\x2d\x31\x2e\x30\x2e\x30\x2f\x78\x2e\x68\x65\x61\xab\x50\x30\x54\x30\x36\x33\x50\x30\x34\xe0\xaa\xd0\x4b\x49\x2c\x51\x30\x34\x53\x30\x32\x30\x00\x51\x06\x50\xe8\xeb\xe3\xe9\xc9\x05\x00\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00\xf8\x09\x78\x5d\xa4\x74\x8c\x39\x0d\x00\x00\x00\xa0\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00\x64\x62\x2d\x31\x2e\x30\x2e\x30\x2f\x52\x45\x43\x4f\x52\x44\x53\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00\xf8\x09\x78\x5d\x5f\x27\x34\x66\x22\x00\x00\x00\x28\x00\x00\x00\x0e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x3b\x00\x00\x00\x64\x62\x2d\x31\x2e\x30\x2e\x30\x2f\x78\x2e\x68\x65\x61\x50\x4b\x05\x06\x00\x00\x00\x00\x02\x00\x02\x00\x7a\x00\x00\x00\x89\x00\x00\x00\x00\x00";
        let read = read_zip(z, &mut |_, _| {}).expect("valid");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].path, "db-1.0.0/RECORDS");
        assert_eq!(read[0].bytes, b"100\n101\n".repeat(20));
        assert_eq!(read[1].bytes, b"x 1 360 10\nx.dat 16 200 16 0 0 0 0 MLII\n");
    }
}
