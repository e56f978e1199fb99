// Reading zip archives (PhysioNet offers each database as one `.zip`).
//
// Reads the central directory (APPNOTE.TXT 6.3.10, §4.3), including the ZIP64 extensions for
// archives over 4 GiB or with more than 65,535 entries; entries stored (method 0) or deflated
// (method 8, inflated with `miniz_oxide`); every entry's CRC-32 is checked. Directories,
// macOS resource forks (`__MACOSX/`) and hidden files are skipped. Encrypted entries and other
// compression methods are refused by name.

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
}

/// One file of an archive.
#[derive(Debug, Clone, PartialEq)]
pub struct ZipEntry {
    /// Path inside the archive, `/`-separated.
    pub path: String,
    /// Uncompressed bytes.
    pub bytes: Vec<u8>,
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], o: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(o..o + 8)?.try_into().ok()?))
}

/// True when `bytes` start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses).
pub fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *e = c;
        }
        t
    });
    let mut c = !0u32;
    for &b in bytes {
        c = table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

struct CentralEntry {
    name: String,
    method: u16,
    flags: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
}

/// Lists and extracts the files of a zip archive. `progress(done, total)` is called per entry.
pub fn read_zip(
    bytes: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<ZipEntry>, ZipError> {
    let len = bytes.len();
    // End of central directory: 22 bytes + comment of up to 65,535 bytes, at the end.
    let search_from = len.saturating_sub(22 + 65_535);
    let eocd = (search_from..=len.saturating_sub(22))
        .rev()
        .find(|&i| bytes.get(i..i + 4) == Some(b"PK\x05\x06"))
        .ok_or(ZipError::NotZip)?;
    let trunc = |what, offset: u64| ZipError::Truncated { what, offset, len };
    let mut n_entries = u64::from(u16_at(bytes, eocd + 10).ok_or(trunc("directory", eocd as u64))?);
    let mut cd_size = u64::from(u32_at(bytes, eocd + 12).ok_or(trunc("directory", eocd as u64))?);
    let mut cd_offset = u64::from(u32_at(bytes, eocd + 16).ok_or(trunc("directory", eocd as u64))?);
    // ZIP64 end-of-central-directory locator sits just before the EOCD.
    if eocd >= 20 && bytes.get(eocd - 20..eocd - 16) == Some(b"PK\x06\x07") {
        let z64 = u64_at(bytes, eocd - 12).ok_or(trunc("ZIP64 locator", (eocd - 20) as u64))?;
        let z = usize::try_from(z64).map_err(|_| trunc("ZIP64 directory", z64))?;
        if bytes.get(z..z + 4) != Some(b"PK\x06\x06") {
            return Err(ZipError::BadSignature {
                what: "ZIP64 end of central directory",
                offset: z64,
            });
        }
        n_entries = u64_at(bytes, z + 32).ok_or(trunc("ZIP64 directory", z64))?;
        cd_size = u64_at(bytes, z + 40).ok_or(trunc("ZIP64 directory", z64))?;
        cd_offset = u64_at(bytes, z + 48).ok_or(trunc("ZIP64 directory", z64))?;
    }
    let cd_end = cd_offset.saturating_add(cd_size);
    if cd_end > len as u64 {
        return Err(trunc("central directory", cd_offset));
    }
    let mut entries = Vec::new();
    let mut p = cd_offset as usize;
    for _ in 0..n_entries {
        if bytes.get(p..p + 4) != Some(b"PK\x01\x02") {
            return Err(ZipError::BadSignature {
                what: "central directory entry",
                offset: p as u64,
            });
        }
        let t = || trunc("central directory entry", p as u64);
        let flags = u16_at(bytes, p + 8).ok_or_else(t)?;
        let method = u16_at(bytes, p + 10).ok_or_else(t)?;
        let crc = u32_at(bytes, p + 16).ok_or_else(t)?;
        let mut compressed = u64::from(u32_at(bytes, p + 20).ok_or_else(t)?);
        let mut uncompressed = u64::from(u32_at(bytes, p + 24).ok_or_else(t)?);
        let name_len = usize::from(u16_at(bytes, p + 28).ok_or_else(t)?);
        let extra_len = usize::from(u16_at(bytes, p + 30).ok_or_else(t)?);
        let comment_len = usize::from(u16_at(bytes, p + 32).ok_or_else(t)?);
        let mut local_offset = u64::from(u32_at(bytes, p + 42).ok_or_else(t)?);
        let name_bytes = bytes.get(p + 46..p + 46 + name_len).ok_or_else(t)?;
        let name = String::from_utf8_lossy(name_bytes).replace('\\', "/");
        let extra = bytes
            .get(p + 46 + name_len..p + 46 + name_len + extra_len)
            .ok_or_else(t)?;
        // ZIP64 extended information (header id 1): the fields that overflowed, in order.
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e).unwrap_or(0);
            let size = usize::from(u16_at(extra, e + 2).unwrap_or(0));
            if id == 1 {
                let mut q = e + 4;
                let mut take = |field: &mut u64| {
                    if *field == u64::from(u32::MAX) {
                        if let Some(v) = u64_at(extra, q) {
                            *field = v;
                            q += 8;
                        }
                    }
                };
                take(&mut uncompressed);
                take(&mut compressed);
                take(&mut local_offset);
            }
            e += 4 + size;
        }
        entries.push(CentralEntry {
            name,
            method,
            flags,
            crc,
            compressed,
            uncompressed,
            local_offset,
        });
        p += 46 + name_len + extra_len + comment_len;
    }
    let total = entries.len();
    let mut out = Vec::new();
    for (k, ce) in entries.into_iter().enumerate() {
        progress(k, total);
        let base = ce.name.rsplit('/').next().unwrap_or("");
        if ce.name.ends_with('/')
            || ce.name.starts_with("__MACOSX/")
            || ce.name.contains("/__MACOSX/")
            || base.starts_with('.')
            || base.is_empty()
        {
            continue;
        }
        if ce.flags & 1 != 0 {
            return Err(ZipError::Unsupported {
                name: ce.name,
                reason: "the entry is encrypted; unpack the archive and drop the files".into(),
            });
        }
        let lo =
            usize::try_from(ce.local_offset).map_err(|_| trunc("local header", ce.local_offset))?;
        if bytes.get(lo..lo + 4) != Some(b"PK\x03\x04") {
            return Err(ZipError::BadSignature {
                what: "local file header",
                offset: ce.local_offset,
            });
        }
        let lt = || trunc("local file header", ce.local_offset);
        let lname = usize::from(u16_at(bytes, lo + 26).ok_or_else(lt)?);
        let lextra = usize::from(u16_at(bytes, lo + 28).ok_or_else(lt)?);
        let start = lo + 30 + lname + lextra;
        let end = usize::try_from(ce.compressed)
            .ok()
            .and_then(|c| start.checked_add(c))
            .filter(|&e| e <= len)
            .ok_or_else(|| trunc("file data", start as u64))?;
        let data = &bytes[start..end];
        let expanded = match ce.method {
            0 => data.to_vec(),
            8 => {
                let limit = usize::try_from(ce.uncompressed).unwrap_or(usize::MAX);
                miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit.max(1)).map_err(
                    |e| ZipError::Corrupt {
                        name: ce.name.clone(),
                        reason: format!("cannot inflate the entry ({:?})", e.status),
                    },
                )?
            }
            m => {
                return Err(ZipError::Unsupported {
                    name: ce.name,
                    reason: format!(
                        "compression method {m} is not supported (stored and deflate are); re-zip with a standard tool or drop the files"
                    ),
                });
            }
        };
        if expanded.len() as u64 != ce.uncompressed || crc32(&expanded) != ce.crc {
            return Err(ZipError::Corrupt {
                name: ce.name,
                reason: "the entry's size or CRC-32 does not match the archive's directory: the archive is damaged".into(),
            });
        }
        out.push(ZipEntry {
            path: ce.name,
            bytes: expanded,
        });
    }
    progress(total, total);
    Ok(out)
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
