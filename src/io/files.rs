//! From a heap of dropped files to units that can be read one at a time.
//!
//! People drop any mix: the 144 files of a WFDB database, a few records, a whole folder, a
//! PhysioNet `.zip` (files under one top folder), Kaggle heartbeat CSVs, plain CSVs. This module
//! expands archives, sorts files by kind and groups the files of each WFDB record (header,
//! signal files, annotation file) so the caller can read them one unit at a time, reporting
//! progress and yielding in between. Files that are not ECG data (`RECORDS`, `.html`, …) are
//! listed as skipped, never silently dropped.

use std::collections::{BTreeMap, HashMap};

use crate::io::limits::MAX_UNZIPPED_BYTES;
use crate::io::zip::{ZipReader, looks_like_zip};

/// A file as the user gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    /// Path as given (`mitdb/100.hea`, or just `100.hea`), `/`-separated.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Annotation file extensions, in order of preference when a record has several (`atr` is the
/// reference annotator of PhysioNet's beat-annotated databases).
pub const ANNOTATORS: [&str; 7] = ["atr", "ari", "ann", "ecg", "qrs", "man", "pu"];

/// Files that belong to databases but hold no signal or beat data we read.
const SKIPPED_NAMES: [&str; 6] = [
    "records",
    "annotators",
    "license.txt",
    "sha256sums.txt",
    "sha256sums",
    "readme",
];
const SKIPPED_EXTENSIONS: [&str; 10] = [
    "html", "htm", "txt", "md", "xws", "json", "pdf", "png", "shtml", "xyz",
];

/// One thing to read.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadUnit {
    /// A WFDB record: its header, and its preferred annotation file if one was given.
    Wfdb {
        /// Record name (the header's file stem).
        name: String,
        /// Path of the header.
        header: String,
        /// Path of the annotation file.
        annotation: Option<String>,
    },
    /// An annotation file whose header was not among the files (it may belong to a record
    /// loaded earlier).
    AnnotationOnly {
        /// Record name.
        name: String,
        /// Path of the annotation file.
        path: String,
    },
    /// A CSV file (Kaggle heartbeat or plain).
    Csv {
        /// Path.
        path: String,
    },
    /// A beat set in the project's own format (`.ecgbeats`).
    Beats {
        /// Path.
        path: String,
    },
}

impl LoadUnit {
    /// Path of the file the unit is named after (for messages).
    pub fn main_path(&self) -> &str {
        match self {
            LoadUnit::Wfdb { header, .. } => header,
            LoadUnit::AnnotationOnly { path, .. }
            | LoadUnit::Csv { path }
            | LoadUnit::Beats { path } => path,
        }
    }
}

/// A file that could not be used, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileError {
    /// File name or path as the user knows it.
    pub file: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

/// Dropped files, sorted into units.
#[derive(Debug, Default)]
pub struct Grouped {
    /// Contents by path.
    pub files: HashMap<String, Vec<u8>>,
    /// Units to read, in a stable order (records by name, then CSVs).
    pub units: Vec<LoadUnit>,
    /// Files that were not usable at all (damaged archives).
    pub errors: Vec<FileError>,
    /// Files that are not ECG data, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Signal (`.dat`) files, to report those no header used.
    pub signal_files: Vec<String>,
}

/// Splits `path` into (directory with trailing `/` or empty, file name).
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Splits a file name into (stem, lowercase extension).
pub fn split_ext(name: &str) -> (&str, String) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], name[i + 1..].to_ascii_lowercase()),
        _ => (name, String::new()),
    }
}

/// Sorting dropped files into units in steps: each [`Grouper::step`] expands one zip entry or
/// takes one file, so a long unzip reports progress and can stop between entries. All zip
/// archives of one load share one byte budget ([`crate::io::limits::MAX_UNZIPPED_BYTES`]).
pub struct Grouper {
    pending: std::collections::VecDeque<InputFile>,
    zip: Option<(String, ZipReader<Vec<u8>>)>,
    /// Index in `flat` of the open archive's first entry.
    zip_start: usize,
    flat: Vec<InputFile>,
    errors: Vec<FileError>,
    budget_left: u64,
    total_bytes: u64,
    done_bytes: u64,
}

/// Where a [`Grouper`] is.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupProgress {
    /// Input bytes handled (archives count when finished).
    pub done_bytes: u64,
    /// Input bytes in all.
    pub total_bytes: u64,
    /// What the last step did, for a progress label.
    pub label: String,
}

impl Grouper {
    /// Starts sorting `files` with the default unzip budget.
    pub fn new(files: Vec<InputFile>) -> Grouper {
        Grouper::with_budget(files, MAX_UNZIPPED_BYTES)
    }

    /// Starts sorting `files`; zip archives may inflate to `budget` bytes in all.
    pub fn with_budget(files: Vec<InputFile>, budget: u64) -> Grouper {
        let total_bytes = files.iter().map(|f| f.bytes.len() as u64).sum();
        Grouper {
            pending: files.into(),
            zip: None,
            zip_start: 0,
            flat: Vec::new(),
            errors: Vec::new(),
            budget_left: budget,
            total_bytes,
            done_bytes: 0,
        }
    }

    /// Does one piece of work; `None` when every file is sorted (then call
    /// [`Grouper::finish`]).
    pub fn step(&mut self) -> Option<GroupProgress> {
        if let Some((path, reader)) = self.zip.as_mut() {
            let label = format!(
                "unzipping {path}: entry {} of {}",
                reader.done() + 1,
                reader.len()
            );
            match reader.next_entry() {
                Ok(Some(entry)) => {
                    self.flat.extend(entry.map(|e| InputFile {
                        path: e.path,
                        bytes: e.bytes,
                    }));
                }
                Ok(None) => {
                    self.budget_left = reader.budget_left();
                    self.done_bytes += reader_input_len(reader);
                    self.zip = None;
                }
                Err(e) => {
                    // Entries already taken from a damaged archive are dropped with it: the
                    // user is told the archive could not be read, not given half of it.
                    self.flat.truncate(self.zip_start);
                    self.errors.push(FileError {
                        file: path.clone(),
                        message: e.to_string(),
                    });
                    self.done_bytes += reader_input_len(reader);
                    self.zip = None;
                }
            }
            // Within an archive, progress moves with its entries.
            let partial = self.zip.as_ref().map_or(0, |(_, r)| {
                (r.input_len() as u64).saturating_mul(r.done() as u64) / (r.len().max(1) as u64)
            });
            let mut p = self.progress(label);
            p.done_bytes += partial;
            return Some(p);
        }
        let f = self.pending.pop_front()?;
        let (_, name) = split_path(&f.path);
        let (_, ext) = split_ext(name);
        let label = format!("sorting {}", f.path);
        if ext == "zip" || looks_like_zip(&f.bytes) {
            let len = f.bytes.len() as u64;
            match ZipReader::new(f.bytes, self.budget_left) {
                Ok(reader) => {
                    self.zip_start = self.flat.len();
                    self.zip = Some((f.path, reader));
                }
                Err(e) => {
                    self.errors.push(FileError {
                        file: f.path,
                        message: e.to_string(),
                    });
                    self.done_bytes += len;
                }
            }
        } else {
            self.done_bytes += f.bytes.len() as u64;
            self.flat.push(f);
        }
        Some(self.progress(label))
    }

    fn progress(&self, label: String) -> GroupProgress {
        GroupProgress {
            done_bytes: self.done_bytes,
            total_bytes: self.total_bytes,
            label,
        }
    }

    /// What the archives of later loads sharing this one's budget may still inflate to (the
    /// parts of one load: [`crate::io::parts`]).
    pub fn budget_left(&self) -> u64 {
        self.zip
            .as_ref()
            .map_or(self.budget_left, |(_, r)| r.budget_left())
    }

    /// Sorts what was expanded into units. Files still pending (a load cancelled part-way) are
    /// left out.
    pub fn finish(self) -> Grouped {
        let mut g = Grouped::from_flat(self.flat);
        g.errors.splice(0..0, self.errors);
        g
    }
}

fn reader_input_len(reader: &ZipReader<Vec<u8>>) -> u64 {
    reader.input_len() as u64
}

impl Grouped {
    /// Sorts `files` into units, expanding zip archives (all at once; see [`Grouper`] for the
    /// same in steps).
    pub fn new(files: Vec<InputFile>) -> Grouped {
        let mut grouper = Grouper::new(files);
        while grouper.step().is_some() {}
        grouper.finish()
    }

    /// Sorts files (no archives among them) into units.
    fn from_flat(flat: Vec<InputFile>) -> Grouped {
        let mut g = Grouped::default();
        // Segments of multi-segment records are read through their record, not on their own.
        let mut segments: std::collections::HashSet<(String, String)> = Default::default();
        for f in &flat {
            let (dir, name) = split_path(&f.path);
            let (_, ext) = split_ext(name);
            if ext == "hea" {
                if let Some(names) = crate::io::wfdb::header::segment_names(&f.bytes) {
                    segments.extend(names.into_iter().map(|n| (dir.to_string(), n)));
                }
            }
        }
        // Per record key (directory + stem): header and annotation files.
        let mut headers: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut annotations: BTreeMap<(String, String), Vec<(usize, String)>> = BTreeMap::new();
        let mut csvs = Vec::new();
        let mut beat_sets = Vec::new();
        for f in &flat {
            let (dir, name) = split_path(&f.path);
            let (stem, ext) = split_ext(name);
            let key = (dir.to_string(), stem.to_string());
            let lower = name.to_ascii_lowercase();
            let segment = segments.contains(&key);
            if ext == "hea" && segment {
                g.skipped.push((
                    f.path.clone(),
                    "a segment of a multi-segment record: read as part of that record".to_string(),
                ));
            } else if ext == "hea" {
                headers.insert(key, f.path.clone());
            } else if ext == "dat" {
                if !segment {
                    g.signal_files.push(f.path.clone());
                }
            } else if ext == "csv" {
                csvs.push(f.path.clone());
            } else if ext == "ecgbeats" {
                beat_sets.push(f.path.clone());
            } else if let Some(rank) = ANNOTATORS.iter().position(|a| *a == ext) {
                annotations
                    .entry(key)
                    .or_default()
                    .push((rank, f.path.clone()));
            } else if SKIPPED_NAMES.contains(&lower.as_str())
                || SKIPPED_EXTENSIONS.contains(&ext.as_str())
                || ext.is_empty()
            {
                g.skipped.push((
                    f.path.clone(),
                    "not ECG data (database metadata)".to_string(),
                ));
            } else {
                g.skipped.push((
                    f.path.clone(),
                    format!(
                        "not a file type ECG Balance Lab reads (.{ext}); it reads WFDB .hea/.dat and annotation files, .zip and .csv"
                    ),
                ));
            }
        }
        for (key, header) in &headers {
            let annotation = annotations.remove(key).and_then(|mut list| {
                list.sort();
                list.into_iter().next().map(|(_, p)| p)
            });
            g.units.push(LoadUnit::Wfdb {
                name: key.1.clone(),
                header: header.clone(),
                annotation,
            });
        }
        for ((_, stem), list) in annotations {
            for (_, path) in list {
                g.units.push(LoadUnit::AnnotationOnly {
                    name: stem.clone(),
                    path,
                });
            }
        }
        csvs.sort();
        g.units
            .extend(csvs.into_iter().map(|path| LoadUnit::Csv { path }));
        beat_sets.sort();
        g.units
            .extend(beat_sets.into_iter().map(|path| LoadUnit::Beats { path }));
        g.files = flat.into_iter().map(|f| (f.path, f.bytes)).collect();
        g
    }

    /// Bytes of `path`.
    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Bytes of the files `unit` reads, for progress: its main file, its annotation file and,
    /// for a WFDB record, the signal file named after it beside its header.
    pub fn unit_bytes(&self, unit: &LoadUnit) -> usize {
        let len = |path: &str| self.bytes(path).map_or(0, <[u8]>::len);
        let beside = match unit {
            LoadUnit::Wfdb {
                name,
                header,
                annotation,
            } => {
                let dir = split_path(header).0;
                annotation.as_deref().map_or(0, len) + len(&format!("{dir}{name}.dat"))
            }
            LoadUnit::AnnotationOnly { .. } | LoadUnit::Csv { .. } | LoadUnit::Beats { .. } => 0,
        };
        len(unit.main_path()) + beside
    }

    /// Bytes of the signal file `file_name` that a header in directory `dir` refers to: the file
    /// in the same directory, else the only file of that name anywhere.
    pub fn signal_file(&self, dir: &str, file_name: &str) -> Option<&[u8]> {
        let full = format!("{dir}{file_name}");
        if let Some(b) = self.files.get(&full) {
            return Some(b);
        }
        let mut matches = self
            .files
            .iter()
            .filter(|(p, _)| split_path(p).1 == file_name);
        match (matches.next(), matches.next()) {
            (Some((_, b)), None) => Some(b),
            _ => None,
        }
    }

    /// Total bytes of all units' main files and signal files, for progress.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::zip::{ZipEntry, write_stored_zip};

    fn f(path: &str, bytes: &[u8]) -> InputFile {
        InputFile {
            path: path.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn groups_records_annotations_and_csvs() {
        let g = Grouped::new(vec![
            f("db/101.dat", b"d"),
            f("db/101.hea", b"h"),
            f("db/101.atr", b"a"),
            f("db/101.qrs", b"q"),
            f("db/100.hea", b"h"),
            f("db/100.dat", b"d"),
            f("db/RECORDS", b"100\n"),
            f("db/index.html", b"<html>"),
            f("x/mitbih_test.csv", b"1,2"),
            f("db/105.atr", b"a"),
            f("db/100.weird", b"?"),
        ]);
        assert_eq!(
            g.units,
            vec![
                LoadUnit::Wfdb {
                    name: "100".into(),
                    header: "db/100.hea".into(),
                    annotation: None
                },
                LoadUnit::Wfdb {
                    name: "101".into(),
                    header: "db/101.hea".into(),
                    annotation: Some("db/101.atr".into())
                },
                LoadUnit::AnnotationOnly {
                    name: "105".into(),
                    path: "db/105.atr".into()
                },
                LoadUnit::Csv {
                    path: "x/mitbih_test.csv".into()
                },
            ]
        );
        assert_eq!(g.skipped.len(), 3);
        assert!(
            g.skipped
                .iter()
                .any(|(p, why)| p == "db/100.weird" && why.contains(".weird"))
        );
        assert_eq!(g.signal_file("db/", "101.dat"), Some(&b"d"[..]));
        assert_eq!(g.signal_file("elsewhere/", "101.dat"), Some(&b"d"[..]));
        assert_eq!(g.signal_file("db/", "999.dat"), None);
        assert_eq!(g.signal_files.len(), 2);
    }

    #[test]
    fn zips_expand_and_damaged_zips_are_errors() {
        let z = write_stored_zip(&[
            ZipEntry {
                path: "mitdb-1.0.0/100.hea".into(),
                bytes: b"h".to_vec(),
            },
            ZipEntry {
                path: "mitdb-1.0.0/100.dat".into(),
                bytes: b"d".to_vec(),
            },
        ]);
        let mut broken = z.clone();
        broken.truncate(z.len() - 3);
        let g = Grouped::new(vec![f("mitdb.zip", &z), f("bad.zip", &broken)]);
        assert_eq!(g.units.len(), 1);
        assert_eq!(g.errors.len(), 1);
        assert_eq!(g.errors[0].file, "bad.zip");
        assert_eq!(g.bytes("mitdb-1.0.0/100.dat"), Some(&b"d"[..]));
    }

    #[test]
    fn path_helpers() {
        assert_eq!(split_path("a/b/c.hea"), ("a/b/", "c.hea"));
        assert_eq!(split_path("c.hea"), ("", "c.hea"));
        assert_eq!(split_ext("00001_lr.HEA"), ("00001_lr", "hea".to_string()));
        assert_eq!(split_ext("RECORDS"), ("RECORDS", String::new()));
        assert_eq!(split_ext(".hidden"), (".hidden", String::new()));
    }
}
