//! Where `augment` and `synth` write their beats: one file whose extension picks the format, or,
//! with `--shard-beats N`, a folder of Parquet parts `part-00000.parquet`, `part-00001.parquet`,
//! … of at most N beats each, which pandas, Dask and Spark read as one dataset.
//!
//! The destination is checked before any work, so a long run never ends on a bad `--out`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ecg_balance_lab::dataset::BeatSet;

/// Where the beats go.
#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    /// One file (`.parquet` is Parquet; the command's other formats go by extension).
    File,
    /// Parts of at most `beats` beats each in folder `dir`.
    Shards {
        /// The folder (created when missing).
        dir: PathBuf,
        /// Beats per part, at most.
        beats: usize,
    },
}

/// True when `out` names a Parquet file.
pub fn is_parquet(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Checks `--out` against `--shard-beats` and prepares the folder of parts: without shards,
/// `out` must not be a folder; with them, it must be one (made when missing) that holds no
/// `part-*.parquet` already (a reader of the folder would mix old parts with new ones).
pub fn destination(out: &Path, shard_beats: Option<usize>) -> Result<Destination, String> {
    let Some(beats) = shard_beats else {
        if out.is_dir() {
            return Err(format!(
                "--out {} is a folder: name a file, or give --shard-beats N to write Parquet parts into the folder",
                out.display()
            ));
        }
        return Ok(Destination::File);
    };
    if beats == 0 {
        return Err("--shard-beats must be at least 1 beat per part".into());
    }
    if out.extension().is_some() && !out.is_dir() {
        return Err(format!(
            "--shard-beats writes a folder of part-NNNNN.parquet files; --out {} looks like a file: name a folder",
            out.display()
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let old = std::fs::read_dir(out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("part-") && name.ends_with(".parquet"))
        .count();
    if old > 0 {
        return Err(format!(
            "{} already holds {old} part-*.parquet file(s); a reader of the folder would mix them with the new ones: empty it or name another folder",
            out.display()
        ));
    }
    Ok(Destination::Shards {
        dir: out.to_path_buf(),
        beats,
    })
}

/// Name of part `k` of a folder.
pub fn part_name(k: usize) -> String {
    format!("part-{k:05}.parquet")
}

/// Writes `set` as Parquet parts of at most `per_part` beats into `dir`, in the set's order
/// (one empty part for an empty set, so that the folder still tells its columns); the paths
/// written.
pub fn write_shards(set: &BeatSet, dir: &Path, per_part: usize) -> Result<Vec<PathBuf>, String> {
    let per_part = per_part.max(1);
    let parts = set.len().div_ceil(per_part).max(1);
    let mut written = Vec::with_capacity(parts);
    for k in 0..parts {
        let rows = k * per_part..((k + 1) * per_part).min(set.len());
        let path = dir.join(part_name(k));
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let file = std::fs::File::create(&path).map_err(|e| fail(&e))?;
        set.write_parquet(rows, BufWriter::new(file))
            .map_err(|e| fail(&e))?
            .flush()
            .map_err(|e| fail(&e))?;
        written.push(path);
    }
    Ok(written)
}

/// The paths written, as JSON strings.
pub fn files_json(files: &[PathBuf]) -> serde_json::Value {
    files.iter().map(|p| p.display().to_string()).collect()
}
