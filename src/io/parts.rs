//! Splitting a large load into parts the page reads and sends one after another, so that the
//! worker holds the bytes of one part at a time (and releases them once the part is parsed)
//! instead of every file of the load at once.
//!
//! Parts are planned from names and sizes alone (the page has not read a byte yet): the files
//! of one WFDB record — `NAME.hea`, `NAME.dat` and its annotation files, in one folder — always
//! travel together. When the names do not show which files belong together (a header without a
//! signal file of its name, as a multi-segment record's master header, or a signal file without
//! a header of its name), every WFDB file of the load goes in one part, as if it were not split.
//! Any other file (a zip archive, a CSV, a beat file) is a part of its own, or shares one.

use std::collections::{BTreeMap, BTreeSet};

use super::files::{ANNOTATORS, split_ext, split_path};

/// Bytes of files one part holds, at most (a record larger than this is a part of its own):
/// 32 MiB, about 15 MIT-BIH records. Small enough that the page and its worker each hold
/// little beside what is loaded; large enough that a part's overhead (a message each way) is
/// negligible.
pub const LOAD_PART_BYTES: u64 = 32 << 20;

/// What a file is, for planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Header,
    Signal,
    Annotation,
    Other,
}

fn kind(path: &str) -> Kind {
    let (_, ext) = split_ext(split_path(path).1);
    match ext.as_str() {
        "hea" => Kind::Header,
        "dat" => Kind::Signal,
        e if ANNOTATORS.contains(&e) => Kind::Annotation,
        _ => Kind::Other,
    }
}

/// Splits files (path and size, in bytes) into parts of at most `max_bytes` each (a group of
/// files that must travel together and is larger goes alone): the indices of each part's
/// files. Groups are in the order of their folder and record name (the order records are
/// listed in when loaded at once); every index appears exactly once.
pub fn load_parts(files: &[(&str, u64)], max_bytes: u64) -> Vec<Vec<usize>> {
    // WFDB files by (folder, record name); every other file alone.
    let mut records: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut headers = BTreeSet::new();
    let mut signals = BTreeSet::new();
    let mut others = Vec::new();
    for (i, (path, _)) in files.iter().enumerate() {
        let (dir, name) = split_path(path);
        let (stem, _) = split_ext(name);
        match kind(path) {
            Kind::Other => others.push(i),
            k => {
                if k == Kind::Header {
                    headers.insert((dir, stem));
                } else if k == Kind::Signal {
                    signals.insert((dir, stem));
                }
                records.entry((dir, stem)).or_default().push(i);
            }
        }
    }
    let plain = headers == signals;
    let mut groups: Vec<Vec<usize>> = if plain {
        records.into_values().collect()
    } else {
        vec![records.into_values().flatten().collect()]
    };
    groups.retain(|g| !g.is_empty());
    others.sort_by_key(|&i| files[i].0);
    groups.extend(others.into_iter().map(|i| vec![i]));

    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut bytes = 0u64;
    for group in groups {
        let size: u64 = group.iter().map(|&i| files[i].1).sum();
        match parts.last_mut() {
            Some(part) if bytes.saturating_add(size) <= max_bytes => {
                part.extend(group);
                bytes += size;
            }
            _ => {
                parts.push(group);
                bytes = size;
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<'a>(files: &[(&'a str, u64)], parts: &[Vec<usize>]) -> Vec<Vec<&'a str>> {
        parts
            .iter()
            .map(|p| p.iter().map(|&i| files[i].0).collect())
            .collect()
    }

    /// Every file once, and no part over the limit unless it is one group.
    fn check(files: &[(&str, u64)], parts: &[Vec<usize>]) {
        let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..files.len()).collect::<Vec<_>>());
    }

    #[test]
    fn records_travel_whole_and_parts_stay_under_the_limit() {
        // MIT-BIH's sizes: 1,950,000 bytes of signal, a small header and annotation file.
        let mut files = Vec::new();
        let names_of: Vec<String> = (100..130)
            .flat_map(|r| ["atr", "dat", "hea"].map(|e| format!("mitdb/{r}.{e}")))
            .collect();
        for n in &names_of {
            let size = if n.ends_with(".dat") {
                1_950_000
            } else {
                4_000
            };
            files.push((n.as_str(), size));
        }
        files.push(("mitdb/RECORDS", 200));
        let parts = load_parts(&files, LOAD_PART_BYTES);
        check(&files, &parts);
        // 30 records of 1,958,000 bytes: 17 fit in 32 MiB, then 13 and the RECORDS file.
        let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
        assert_eq!(sizes, [51, 40]);
        for part in &parts {
            let bytes: u64 = part.iter().map(|&i| files[i].1).sum();
            assert!(bytes <= LOAD_PART_BYTES, "{bytes}");
            // Each record's three files are in the same part.
            let mut stems: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in part {
                *stems
                    .entry(files[i].0.split('.').next().unwrap_or(""))
                    .or_default() += 1;
            }
            stems.remove("mitdb/RECORDS");
            assert!(stems.values().all(|&n| n == 3), "{stems:?}");
        }
        assert_eq!(
            names(&files, &parts)[0][..3],
            ["mitdb/100.atr", "mitdb/100.dat", "mitdb/100.hea"]
        );
        assert_eq!(names(&files, &parts)[1].last(), Some(&"mitdb/RECORDS"));
    }

    #[test]
    fn a_record_larger_than_the_limit_goes_alone() {
        let files = [
            ("a.hea", 100),
            ("a.dat", 50),
            ("big.hea", 100),
            ("big.dat", 5_000),
            ("c.hea", 100),
            ("c.dat", 50),
        ];
        let parts = load_parts(&files, 1_000);
        check(&files, &parts);
        assert_eq!(
            names(&files, &parts),
            [
                vec!["a.hea", "a.dat"],
                vec!["big.hea", "big.dat"],
                vec!["c.hea", "c.dat"]
            ]
        );
    }

    #[test]
    fn same_names_in_other_folders_are_other_records() {
        let files = [
            ("x/100.hea", 10),
            ("x/100.dat", 10),
            ("y/100.hea", 10),
            ("y/100.dat", 10),
        ];
        let parts = load_parts(&files, 25);
        assert_eq!(
            names(&files, &parts),
            [
                vec!["x/100.hea", "x/100.dat"],
                vec!["y/100.hea", "y/100.dat"]
            ]
        );
    }

    #[test]
    fn names_that_do_not_pair_keep_every_wfdb_file_together() {
        // A multi-segment record: the master header and the layout header have no signal file
        // of their name, and the segments' files are named after the segments.
        let files = [
            ("3000003.hea", 100),
            ("3000003_layout.hea", 100),
            ("3000003_0001.hea", 100),
            ("3000003_0001.dat", 500),
            ("3000003_0002.hea", 100),
            ("3000003_0002.dat", 500),
            ("notes.csv", 10),
        ];
        let parts = load_parts(&files, 200);
        check(&files, &parts);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 6);
        assert_eq!(names(&files, &parts)[1], ["notes.csv"]);
        // A signal file whose header is not among the files: the same.
        let files = [("a.hea", 10), ("a.dat", 10), ("b.dat", 10)];
        assert_eq!(load_parts(&files, 15).len(), 1);
    }

    #[test]
    fn zips_and_csvs_are_parts_of_their_own_or_share_one() {
        let files = [("b.zip", 100), ("a.csv", 10), ("c.ecgbeats", 10)];
        let parts = load_parts(&files, 50);
        check(&files, &parts);
        assert_eq!(
            names(&files, &parts),
            [vec!["a.csv"], vec!["b.zip"], vec!["c.ecgbeats"]]
        );
        assert!(load_parts(&[], 50).is_empty());
    }
}
