//! Public ECG databases worth fetching to add minority classes, as data with their sources.
//!
//! Two kinds: beat-annotated databases (every beat has a position and a label, so the page counts
//! AAMI classes from them — the ones that add minority beats) and record-level 12-lead sets
//! (one or a few labels per 10 s record, no beat positions). Figures come from each database's
//! PhysioNet page or paper (cited in `source`); a figure starting with "about" is rounded or
//! not checked against the files.

use serde::{Deserialize, Serialize};

/// How a database labels its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelKind {
    /// Every beat has a position and a label (MIT annotation files).
    Beats,
    /// Labels per record (diagnostic or rhythm statements), no beat positions.
    Records,
}

impl LabelKind {
    /// Words for the table.
    pub fn text(self) -> &'static str {
        match self {
            LabelKind::Beats => "every beat labelled (MIT .atr annotations)",
            LabelKind::Records => {
                "labels per record (statements / SNOMED codes), no beat positions"
            }
        }
    }
}

/// One database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Database {
    /// Short name, PhysioNet's where it has one (`svdb`).
    pub id: &'static str,
    /// Full title.
    pub title: &'static str,
    /// Number of records.
    pub records: &'static str,
    /// Length and leads of a record.
    pub recordings: &'static str,
    /// Sampling rate(s).
    pub fs: &'static str,
    /// Labels.
    pub labels: LabelKind,
    /// Licence.
    pub licence: &'static str,
    /// Size of the files.
    pub size: &'static str,
    /// What it adds per AAMI class (beat databases) or per label (record-level sets).
    pub adds: &'static str,
    /// Where the figures come from.
    pub source: &'static str,
    /// The database name on PhysioNet's LightWAVE server, for beat databases it serves.
    pub lightwave_db: Option<&'static str>,
    /// The folder of its WFDB files on PhysioNet (for the base-URL fetch).
    pub files_url: Option<&'static str>,
}

/// The catalogue: beat-annotated databases first (those that add minority beats), then the
/// record-level 12-lead sets.
pub const CATALOGUE: [Database; 6] = [
    Database {
        id: "svdb",
        title: "MIT-BIH Supraventricular Arrhythmia Database",
        records: "78",
        recordings: "30 min, 2 leads",
        fs: "128 Hz",
        labels: LabelKind::Beats,
        licence: "ODC Attribution License v1.0",
        size: "about 55 MB",
        adds: "S: many supraventricular ectopic beats, the class MIT-BIH has least of; also V; few F",
        source: "PhysioNet svdb 1.0.0; Greenwald SD, Patil RS, Mark RG, Biomed Instrum Technol 26(2):124–132 (1992)",
        lightwave_db: Some("svdb"),
        files_url: Some("https://physionet.org/files/svdb/1.0.0/"),
    },
    Database {
        id: "incartdb",
        title: "St Petersburg INCART 12-lead Arrhythmia Database",
        records: "75",
        recordings: "30 min, 12 leads",
        fs: "257 Hz",
        labels: LabelKind::Beats,
        licence: "ODC Attribution License v1.0",
        size: "about 800 MB",
        adds: "V: many ventricular ectopic beats; also S and some F (about 175,000 beats in all)",
        source: "PhysioNet incartdb 1.0.0 (St Petersburg Institute of Cardiological Technics)",
        lightwave_db: Some("incartdb"),
        files_url: Some("https://physionet.org/files/incartdb/1.0.0/"),
    },
    Database {
        id: "mitdb",
        title: "MIT-BIH Arrhythmia Database",
        records: "48",
        recordings: "30 min, 2 leads",
        fs: "360 Hz",
        labels: LabelKind::Beats,
        licence: "ODC Attribution License v1.0",
        size: "about 100 MB",
        adds: "The reference set: N 90,631 · S 2,781 · V 7,236 · F 803 · Q 8,043 beats (AAMI EC57)",
        source: "PhysioNet mitdb 1.0.0; Moody GB, Mark RG, IEEE Eng Med Biol 20(3):45–50 (2001); counts read from the files",
        lightwave_db: Some("mitdb"),
        files_url: Some("https://physionet.org/files/mitdb/1.0.0/"),
    },
    Database {
        id: "ptb-xl",
        title: "PTB-XL",
        records: "21,799",
        recordings: "10 s, 12 leads",
        fs: "500 Hz and 100 Hz",
        labels: LabelKind::Records,
        licence: "CC BY 4.0",
        size: "about 3 GB",
        adds: "No beat labels: 71 SCP-ECG statements per record (diagnostic, form, rhythm — PVC and PAC statements among them)",
        source: "PhysioNet ptb-xl 1.0.3; Wagner P et al., Scientific Data 7:154 (2020)",
        lightwave_db: None,
        files_url: Some("https://physionet.org/files/ptb-xl/1.0.3/"),
    },
    Database {
        id: "chapman-shaoxing",
        title: "Chapman University – Shaoxing People's Hospital 12-lead ECG",
        records: "10,646",
        recordings: "10 s, 12 leads",
        fs: "500 Hz",
        labels: LabelKind::Records,
        licence: "CC BY 4.0",
        size: "about 2 GB",
        adds: "No beat labels: 11 rhythm classes (e.g. atrial fibrillation, supraventricular tachycardia) and 67 other conditions per record",
        source: "Zheng J et al., Scientific Data 7:48 (2020); PhysioNet/CinC Challenge 2020–2021",
        lightwave_db: None,
        files_url: None,
    },
    Database {
        id: "georgia",
        title: "Georgia 12-lead ECG Challenge Database",
        records: "10,344",
        recordings: "10 s, 12 leads",
        fs: "500 Hz",
        labels: LabelKind::Records,
        licence: "CC BY 4.0",
        size: "about 1 GB",
        adds: "No beat labels: SNOMED CT diagnoses per record (PVC and PAC among them)",
        source: "Perez Alday EA et al., Physiol Meas 41(12):124003 (2020), PhysioNet/CinC Challenge 2020",
        lightwave_db: None,
        files_url: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        for (i, d) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[..i].iter().all(|e| e.id != d.id),
                "{} twice",
                d.id
            );
            // LightWAVE is offered only for beat-annotated databases, the ones that add beats.
            if d.lightwave_db.is_some() {
                assert_eq!(d.labels, LabelKind::Beats, "{}", d.id);
            }
            if let Some(u) = d.files_url {
                assert!(u.starts_with("https://") && u.ends_with('/'), "{u}");
            }
            assert!(
                d.records.chars().all(|c| c.is_ascii_digit() || c == ','),
                "{}",
                d.records
            );
            assert!(!d.source.is_empty() && !d.licence.is_empty());
        }
        let beats = CATALOGUE
            .iter()
            .take_while(|d| d.labels == LabelKind::Beats)
            .count();
        assert_eq!(beats, 3, "beat databases come first");
    }
}
