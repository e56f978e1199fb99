//! Limits that come from the file: how much a file may make the readers allocate.
//!
//! Files come from strangers (downloads, zips, servers), and a few bytes can claim anything: a
//! header can say 10¹² samples, a zip entry can inflate a thousandfold, a LightWAVE answer can
//! describe 12 signals of 555 hours. Every reader checks what a file claims against these
//! limits *before* allocating for it, and refuses with a message naming the limit. The page
//! runs in a WebAssembly worker with at most 4 GiB of memory, so the limits keep one load well
//! inside that; the CLI uses the same ones, so both read the same files.
//!
//! Sampling rates have their own type, [`crate::record::SamplingRate`] (0.001 Hz to 1 MHz).

/// Samples one record may hold, over all its signals: 2²⁸ (512 MiB as 16-bit samples) — a
/// 12-lead recording at 500 Hz for 12 hours, or MIT-BIH's 48 records twice over.
pub const MAX_RECORD_SAMPLES: u64 = 1 << 28;

/// Samples the workspace may hold, over all loaded records: 2²⁹ (1 GiB as 16-bit samples,
/// twice [`MAX_RECORD_SAMPLES`]) — MIT-BIH's 48 records eight times over. Unlike the limits
/// above, this one is not about one file's claims but about a load of many good files: the
/// beat windows cut from the records come on top (about as many bytes again at MIT-BIH's
/// 360 Hz and two leads), and the page's worker has at most 4 GiB in all. A record that would
/// take the workspace past it is refused by name; what is loaded stays loaded.
pub const MAX_WORKSPACE_SAMPLES: u64 = 1 << 29;

/// Annotations one annotation file may hold: 2²¹, twenty days of beats at 70 per minute (a
/// 24-hour Holter record has about 100,000). A file past this is not an annotation file (it is
/// most often a signal file given the annotator's extension).
pub const MAX_ANNOTATIONS: usize = 1 << 21;

/// Bytes the entries of the zip archives of one load may inflate to, in total: 1 GiB. A zip
/// bomb (a small archive inflating to terabytes, or entries overlapping so one compressed
/// stream is counted many times) stops at this budget with an error.
pub const MAX_UNZIPPED_BYTES: u64 = 1 << 30;

/// Entries one zip archive may list: PhysioNet's largest ECG databases have about 100,000
/// files.
pub const MAX_ZIP_ENTRIES: usize = 250_000;

/// Columns a plain CSV may have (leads, plus a time column): body-surface maps have a few
/// hundred leads.
pub const MAX_CSV_COLUMNS: usize = 1024;

/// Values a CSV file may hold in total (the same budget as a record's samples).
pub const MAX_CSV_VALUES: u64 = MAX_RECORD_SAMPLES;

/// Samples per beat window in a beat file: the page's window settings allow at most 4,096.
pub const MAX_BEAT_WINDOW: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_fit_a_wasm_worker() {
        let four_gib = 4u64 << 30;
        assert!(MAX_RECORD_SAMPLES * 2 <= four_gib / 4);
        // The workspace's samples and about as many bytes of beat windows, with room left.
        const { assert!(MAX_WORKSPACE_SAMPLES >= MAX_RECORD_SAMPLES) };
        assert!(MAX_WORKSPACE_SAMPLES * 2 * 2 <= four_gib / 2);
        assert!(MAX_UNZIPPED_BYTES <= four_gib / 4);
        assert!(MAX_CSV_VALUES * 8 <= four_gib / 2);
        // An annotation is 40 bytes in memory.
        assert!(MAX_ANNOTATIONS as u64 * 40 <= four_gib / 16);
    }
}
