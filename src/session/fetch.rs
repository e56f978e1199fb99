//! The worker's side of fetching through LightWAVE: the page fetches the answers (the network is
//! the page's), the worker parses and assembles them — the long part — one answer per step, and
//! hands back the record as WFDB files that the page caches and loads like dropped files.

use super::job::Job;
use super::protocol::{ErrorKind, Failure, LightwavePart, Response};
use super::views::Progress;
use crate::io::lightwave::{Assembler, parse_fetch, parse_info};
use crate::io::wfdb::write_record;
use crate::workspace::Workspace;

/// Parses and assembles LightWAVE answers, one per step.
pub struct AssembleJob {
    key: String,
    annotator: String,
    parts: Vec<(LightwavePart, Vec<u8>)>,
    next: usize,
    assembler: Option<Assembler>,
}

impl AssembleJob {
    /// A job over `parts` and their `answers`; refused when they do not pair up or `info` is
    /// not first.
    pub fn new(
        key: String,
        annotator: String,
        parts: Vec<LightwavePart>,
        answers: Vec<Vec<u8>>,
    ) -> Result<Self, Failure> {
        let refuse = |message: String| Failure {
            kind: ErrorKind::Protocol,
            message,
        };
        if parts.len() != answers.len() {
            return Err(refuse(format!(
                "{} LightWAVE parts named but {} arrived",
                parts.len(),
                answers.len()
            )));
        }
        if parts.first() != Some(&LightwavePart::Info) || parts[1..].contains(&LightwavePart::Info)
        {
            return Err(refuse(
                "the LightWAVE answers must start with the record's info, once".into(),
            ));
        }
        Ok(Self {
            key,
            annotator,
            parts: parts.into_iter().zip(answers).collect(),
            next: 0,
            assembler: None,
        })
    }

    fn name(&self) -> String {
        self.assembler
            .as_ref()
            .map_or_else(String::new, |a| a.name().to_string())
    }

    fn fail(&self, name: String, error: Failure, out: &mut dyn FnMut(Response)) {
        out(Response::Assembled {
            key: self.key.clone(),
            name,
            paths: Vec::new(),
            error: Some(error),
            files: Vec::new(),
        });
    }

    /// Handles part `i`.
    fn take(&mut self, i: usize) -> Result<(), crate::Error> {
        let (kind, bytes) = &mut self.parts[i];
        let bytes = std::mem::take(bytes);
        match kind {
            LightwavePart::Info => {
                self.assembler = Some(Assembler::new(&parse_info(&bytes)?)?);
            }
            LightwavePart::Annotations => {
                let fetch = parse_fetch(&bytes)?;
                if let Some(a) = self.assembler.as_mut() {
                    a.add_annotations(&fetch, &self.annotator)?;
                }
            }
            LightwavePart::Signals => {
                let fetch = parse_fetch(&bytes)?;
                if let Some(a) = self.assembler.as_mut() {
                    a.add_signals(&fetch)?;
                }
            }
        }
        Ok(())
    }
}

impl Job for AssembleJob {
    fn name(&self) -> &str {
        "assemble"
    }

    fn step(
        &mut self,
        _ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        if self.next < self.parts.len() {
            let i = self.next;
            self.next += 1;
            if let Err(e) = self.take(i) {
                self.fail(self.name(), (&e).into(), out);
                return true;
            }
            out(Response::Progress(Progress {
                job: "assemble".into(),
                done: self.next as f64,
                total: self.parts.len() as f64 + 1.0,
                label: format!(
                    "assembling record {} from LightWAVE: answer {} of {}",
                    self.name(),
                    self.next,
                    self.parts.len()
                ),
            }));
            return false;
        }
        let Some(assembler) = self.assembler.take() else {
            let error = Failure {
                kind: ErrorKind::Protocol,
                message: "no info answer".into(),
            };
            self.fail(String::new(), error, out);
            return true;
        };
        let name = assembler.name().to_string();
        let written = assembler
            .finish()
            .map_err(crate::Error::from)
            .and_then(|r| write_record(&r).map_err(crate::Error::from));
        match written {
            Ok(files) => {
                let mut paths = vec![files.hea.0, files.dat.0];
                let mut bytes = vec![files.hea.1, files.dat.1];
                if let Some((p, b)) = files.atr {
                    paths.push(p);
                    bytes.push(b);
                }
                out(Response::Assembled {
                    key: self.key.clone(),
                    name,
                    paths,
                    error: None,
                    files: bytes,
                });
            }
            Err(e) => self.fail(name, (&e).into(), out),
        }
        true
    }

    fn cancel(
        &mut self,
        _ws: &mut Workspace,
        _now_ms: &dyn Fn() -> f64,
        out: &mut dyn FnMut(Response),
    ) -> bool {
        let error = Failure {
            kind: ErrorKind::Cancelled,
            message: crate::io::remote::RemoteError::Cancelled.to_string(),
        };
        self.fail(self.name(), error, out);
        true
    }
}
