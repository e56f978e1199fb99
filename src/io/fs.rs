//! Reading from the file system (native only): walking folders into the [`InputFile`]s the
//! readers take, finding annotated WFDB records, and reading one record named by its path.
//!
//! Every reader of [`crate::io`] takes bytes; this module is the one place that turns paths into
//! bytes, for the CLI and the native tests. The page gets its bytes from the browser instead.

use std::path::{Path, PathBuf};

use crate::Record;
use crate::io::files::InputFile;
use crate::io::wfdb::{parse_header, read_record};

/// A path that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The file system refused (missing file, no permission, …).
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A WFDB record was named but its header is not there.
    #[error(
        "{}: {source} (give a WFDB record path without extension, a .hea file or a .csv file)",
        path.display()
    )]
    NoHeader {
        /// The header's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A plain CSV has no time column and no rate was given.
    #[error("{}: a plain CSV has no sampling rate: give it one (e.g. 360 Hz)", path.display())]
    NoRate {
        /// The file.
        path: PathBuf,
    },
    /// The file was read but its contents are not what its name says.
    #[error("{}: {source}", path.display())]
    Format {
        /// The file or record.
        path: PathBuf,
        /// Why.
        source: crate::Error,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    std::fs::read(path).map_err(|source| FsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn format_error(path: &Path, e: impl Into<crate::Error>) -> FsError {
    FsError::Format {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// Reads one record: a WFDB record named by its path without extension or by its `.hea` file
/// (signal files from the header's directory; the `.atr` annotations beside it when `with_atr`
/// and present), or a plain CSV (`.csv`, one column per lead in mV) at `fs_hz` (or the rate its
/// time column implies).
pub fn read_record_path(
    path: &Path,
    fs_hz: Option<f64>,
    with_atr: bool,
) -> Result<Record, FsError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if ext.as_deref() == Some("csv") {
        let name = path
            .file_stem()
            .map_or_else(|| "record".into(), |s| s.to_string_lossy().into_owned());
        let plain = crate::io::csv::read_plain(&read(path)?).map_err(|e| format_error(path, e))?;
        let fs = fs_hz
            .or(plain.fs_hz_from_time)
            .ok_or_else(|| FsError::NoRate {
                path: path.to_path_buf(),
            })?;
        return plain
            .into_record(&name, fs)
            .map_err(|e| format_error(path, e));
    }
    let base = if ext.as_deref() == Some("hea") {
        path.with_extension("")
    } else {
        path.to_path_buf()
    };
    let dir = base.parent().map(Path::to_path_buf).unwrap_or_default();
    let hea_path = PathBuf::from(format!("{}.hea", base.display()));
    let hea = std::fs::read(&hea_path).map_err(|source| FsError::NoHeader {
        path: hea_path.clone(),
        source,
    })?;
    let header = parse_header(&hea).map_err(|e| format_error(&hea_path, e))?;
    let mut dats: Vec<(String, Vec<u8>)> = Vec::new();
    for s in &header.signals {
        if dats.iter().all(|(n, _)| *n != s.file_name) {
            dats.push((s.file_name.clone(), read(&dir.join(&s.file_name))?));
        }
    }
    let atr_path = PathBuf::from(format!("{}.atr", base.display()));
    let atr = if with_atr && atr_path.exists() {
        Some(read(&atr_path)?)
    } else {
        None
    };
    let name = base
        .file_name()
        .map_or_else(|| "record".into(), |s| s.to_string_lossy().into_owned());
    read_record(
        &name,
        &hea,
        |f| dats.iter().find(|(n, _)| n == f).map(|(_, b)| b.as_slice()),
        atr.as_deref(),
    )
    .map_err(|e| format_error(&base, e))
}

/// WFDB records (`.hea` with an `.atr` beside them) under `dir`, recursively, sorted; each as
/// its path without extension.
pub fn annotated_records(dir: &Path) -> Result<Vec<PathBuf>, FsError> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), FsError> {
        for path in entries(p)? {
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|x| x == "hea")
                && path.with_extension("atr").exists()
            {
                out.push(path.with_extension(""));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// The entries of folder `p`, sorted.
fn entries(p: &Path) -> Result<Vec<PathBuf>, FsError> {
    let io = |source| FsError::Io {
        path: p.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    Ok(entries)
}

/// Reads every file under `paths` (folders recursively, in name order) into memory. Each file's
/// path is relative to the folder given (or is its file name, for a file given by itself),
/// `/`-separated — as a browser gives the files of a dropped folder.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<InputFile>, FsError> {
    fn walk(root: &Path, p: &Path, out: &mut Vec<InputFile>) -> Result<(), FsError> {
        let meta = std::fs::metadata(p).map_err(|source| FsError::Io {
            path: p.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            for e in entries(p)? {
                walk(root, &e, out)?;
            }
        } else {
            let rel = p.strip_prefix(root).unwrap_or(p);
            let rel = if rel.as_os_str().is_empty() {
                p.file_name().map(PathBuf::from).unwrap_or_default()
            } else {
                rel.to_path_buf()
            };
            out.push(InputFile {
                path: rel.to_string_lossy().replace('\\', "/"),
                bytes: read(p)?,
            });
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        let root = if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        walk(&root, p, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system temp dir.
    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ecg-io-fs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
        dir
    }

    #[test]
    fn folders_are_walked_in_name_order_with_relative_paths() {
        let dir = temp("walk");
        for (p, b) in [
            ("b.hea", "h"),
            ("a.csv", "c"),
            ("sub/z.dat", "d"),
            ("b.atr", "a"),
            ("sub/z.hea", "h"),
        ] {
            std::fs::write(dir.join(p), b).expect("write");
        }
        let got = read_inputs(std::slice::from_ref(&dir)).expect("read");
        let paths: Vec<&str> = got.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.csv", "b.atr", "b.hea", "sub/z.dat", "sub/z.hea"]);
        // A file given by itself is named by its file name.
        let one = read_inputs(&[dir.join("sub/z.dat")]).expect("read");
        assert_eq!(
            (one[0].path.as_str(), one[0].bytes.as_slice()),
            ("z.dat", &b"d"[..])
        );
        // Only headers with annotations beside them are annotated records.
        assert_eq!(annotated_records(&dir).expect("walk"), [dir.join("b")]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_files_and_rates_are_named() {
        let dir = temp("errors");
        let e = read_record_path(&dir.join("nothing"), None, true).unwrap_err();
        assert!(matches!(e, FsError::NoHeader { .. }), "{e}");
        assert!(e.to_string().contains("nothing.hea"), "{e}");
        std::fs::write(dir.join("x.csv"), "ECG\n0.1\n0.2\n").expect("write");
        let e = read_record_path(&dir.join("x.csv"), None, false).unwrap_err();
        assert!(matches!(e, FsError::NoRate { .. }), "{e}");
        let r = read_record_path(&dir.join("x.csv"), Some(250.0), false).expect("csv");
        assert_eq!((r.name.as_str(), r.sig_len()), ("x", 2));
        assert!(read_inputs(&[dir.join("missing")]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
