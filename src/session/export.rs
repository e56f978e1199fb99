//! Beat sets the session saves as files for the user — the rebalanced training set, the
//! synthetic beats, the labelled beats of one record — in the three beat-set formats: the
//! Kaggle-style CSV, the project's own `.ecgbeats`, and Apache Parquet
//! ([`crate::dataset::parquet`]).

use super::classify::Labellings;
use super::protocol::{ErrorKind, ExportFormat, ExportedBeats, Response};
use crate::Record;
use crate::classify::BeatLabelling;
use crate::dataset::BeatSet;
use crate::ecg::beats::{LeadChoice, Resampler, WindowSpec, segment_at};
use crate::workspace::Workspace;

/// The file of `beats` in `format`: the synthetic beats generated last (`synthetic`), or a
/// record's labelled beats ([`labelled_beats`], cut with the workspace's window).
pub fn export_beats(
    workspace: &Workspace,
    labellings: &Labellings,
    synthetic: Option<&BeatSet>,
    beats: &ExportedBeats,
    format: ExportFormat,
) -> Response {
    match beats {
        ExportedBeats::Synthetic => match synthetic {
            Some(set) => beat_file(set, "ecg-balance-synthetic", format),
            None => Response::error(ErrorKind::NotFound, "generate synthetic beats first"),
        },
        ExportedBeats::Record { name } => {
            let Some(record) = workspace.record(name) else {
                return Response::error(
                    ErrorKind::NotFound,
                    format!("no record named {name} is loaded"),
                );
            };
            let Some((labelling, _)) = labellings.of(record) else {
                return Response::error(
                    ErrorKind::NotFound,
                    format!("record {name} has no found beats to export yet"),
                );
            };
            match labelled_beats(record, labelling, workspace.window()) {
                Ok(set) => beat_file(&set, &format!("{name}-beats"), format),
                Err(e) => Response::error_in(name, &e),
            }
        }
    }
}

/// `set` as a file of `format`, named `{stem}.{extension}`; a format that holds no beat set
/// (metrics, a model, annotations) is refused.
pub fn beat_file(set: &BeatSet, stem: &str, format: ExportFormat) -> Response {
    let bytes = match format {
        ExportFormat::Csv => set.to_kaggle_csv().into_bytes(),
        ExportFormat::EcgBeats => set.to_bytes(),
        // Writing to memory fails only on a bug (an inconsistent set).
        ExportFormat::Parquet => match set.to_parquet() {
            Ok(bytes) => bytes,
            Err(e) => return Response::error(ErrorKind::Invalid, e.to_string()),
        },
        ExportFormat::Json | ExportFormat::Model | ExportFormat::WfdbAnnotations => {
            return Response::error(
                ErrorKind::Invalid,
                format!("a beat set cannot be saved as .{}", format.extension()),
            );
        }
    };
    Response::Export {
        file_name: format!("{stem}.{}", format.extension()),
        format,
        bytes,
    }
}

/// The beats of `labelling` (one record's found or annotated beats, classified by a model) as a
/// beat set of that one record: windows cut with `spec` (the Data screen's window) on the
/// labelling's lead, and on the record's second lead when it has one, with RR features from
/// the same beats; every beat `real`. Refused when no model classified them.
pub fn labelled_beats(
    record: &Record,
    labelling: &BeatLabelling,
    spec: &WindowSpec,
) -> Result<BeatSet, crate::Error> {
    let Some(classes) = &labelling.classes else {
        return Err(crate::Error::Invalid(format!(
            "the beats of record {} were found without a model, so they have no classes yet: \
             classify them with a kept run first",
            record.name
        )));
    };
    let layout = spec.layout();
    let lead = labelling.lead;
    let cut = segment_at(
        record,
        lead,
        LeadChoice::pick_second(record, lead),
        &Resampler::new(record.fs_hz, layout),
        labelling.r_samples.clone(),
        classes.clone(),
    );
    let mut set = BeatSet::new(layout);
    set.extend_record(&record.name, &cut);
    Ok(set)
}
