//! What the page keeps so that a worker started in place of one that stopped (a panic, a trap,
//! memory exhausted) can be brought back to where the stopped one was: the files the person
//! loaded (as the browser's `File` handles, not their bytes), the sampling rates given to plain
//! CSVs, and the runs whose figures the page already shows.
//!
//! The records, models and jobs lived in the stopped worker and are gone with it; the page's
//! own state — settings, notices, the figures of every run — never left the main thread.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::session::views::RunReport;

/// Times the page starts a new worker in one visit before it asks for a reload instead: a
/// worker that keeps failing would otherwise fail forever.
pub const MAX_RESTARTS: u32 = 3;

/// A load the page can repeat.
#[derive(Clone)]
enum KeptLoad {
    /// Files from a drop or a file input: `{ path, file }` items (the `File` handles).
    Files(JsValue),
    /// Records fetched from a server: not fetched again without the person asking.
    Fetched,
}

/// The page's memory of what it gave the worker (a handle: copies share it).
#[derive(Clone, Copy)]
pub struct Restart {
    loads: StoredValue<Vec<KeptLoad>, LocalStorage>,
    /// The index in `loads` of a load the worker has not answered yet.
    in_flight: StoredValue<Option<usize>>,
    csv_rates: StoredValue<Vec<(String, f64)>>,
    /// Runs kept from workers that stopped: their figures, without their models.
    runs: StoredValue<Vec<RunReport>>,
    /// Rates to give again once the reloaded files are read (the worker refuses requests
    /// while it loads).
    rates_after_load: StoredValue<Vec<(String, f64)>>,
    restarts: StoredValue<u32>,
    /// A restarted worker has not said it is ready yet.
    resuming: StoredValue<bool>,
}

/// What a new worker is to be given once it is ready.
pub struct Resume {
    /// The files to read again, merged into one `{ path, file }` array; `None` when there are
    /// none.
    pub items: Option<JsValue>,
    /// The highest run number the page holds.
    pub last_run: u32,
}

impl Restart {
    /// Nothing kept yet.
    pub fn new() -> Self {
        Self {
            loads: StoredValue::new_local(Vec::new()),
            in_flight: StoredValue::new(None),
            csv_rates: StoredValue::new(Vec::new()),
            runs: StoredValue::new(Vec::new()),
            rates_after_load: StoredValue::new(Vec::new()),
            restarts: StoredValue::new(0),
            resuming: StoredValue::new(false),
        }
    }

    /// Files from a drop or a file input are on their way to the worker.
    pub fn loading_files(&self, items: JsValue) {
        let mut at = 0;
        self.loads.update_value(|l| {
            l.push(KeptLoad::Files(items));
            at = l.len() - 1;
        });
        self.in_flight.set_value(Some(at));
    }

    /// Records fetched from a server are on their way to the worker.
    pub fn loading_fetched(&self) {
        let mut at = 0;
        self.loads.update_value(|l| {
            l.push(KeptLoad::Fetched);
            at = l.len() - 1;
        });
        self.in_flight.set_value(Some(at));
    }

    /// The worker answered the last load: the plain-CSV rates to give again, when it was the
    /// reload after a restart.
    pub fn loaded(&self) -> Vec<(String, f64)> {
        self.in_flight.set_value(None);
        let mut rates = Vec::new();
        self.rates_after_load
            .update_value(|r| rates = std::mem::take(r));
        rates
    }

    /// The person removed everything: nothing to load again.
    pub fn cleared(&self) {
        self.loads.set_value(Vec::new());
        self.csv_rates.set_value(Vec::new());
        self.in_flight.set_value(None);
    }

    /// A plain CSV was given a rate.
    pub fn csv_rate(&self, file: &str, fs_hz: f64) {
        self.csv_rates.update_value(|r| {
            r.retain(|(f, _)| f != file);
            r.push((file.to_string(), fs_hz));
        });
    }

    /// The rates given to plain CSVs, file by file.
    pub fn csv_rates(&self) -> Vec<(String, f64)> {
        self.csv_rates.get_value()
    }

    /// The runs the page shows: those kept from stopped workers, then the worker's own.
    pub fn with_kept_runs(&self, runs: Vec<RunReport>) -> Vec<RunReport> {
        let mut all = self.runs.get_value();
        all.extend(runs);
        all
    }

    /// True when run `id` was kept from a worker that stopped (its model went with it).
    pub fn is_kept_run(&self, id: u32) -> bool {
        self.runs.with_value(|r| r.iter().any(|x| x.id == id))
    }

    /// Forgets kept run `id`.
    pub fn forget_run(&self, id: u32) {
        self.runs.update_value(|r| r.retain(|x| x.id != id));
    }

    /// The worker stopped: keeps `runs` (what the page shows) and says whether to start
    /// another (false after [`MAX_RESTARTS`]).
    pub fn worker_stopped(&self, runs: Vec<RunReport>) -> bool {
        self.runs.set_value(runs);
        self.restarts.update_value(|r| *r += 1);
        let again = self.restarts.get_value() <= MAX_RESTARTS;
        self.resuming.set_value(again);
        again
    }

    /// What the load under way when the worker stopped was: `Some(true)` files, which are not
    /// read again (they may be what stopped it), `Some(false)` fetched records; it is dropped
    /// from the loads to repeat either way.
    pub fn drop_load_in_flight(&self) -> Option<bool> {
        let at = self.in_flight.get_value()?;
        self.in_flight.set_value(None);
        let mut was_files = None;
        self.loads.update_value(|l| {
            if at < l.len() {
                was_files = Some(matches!(l.remove(at), KeptLoad::Files(_)));
            }
        });
        was_files
    }

    /// True when files from a drop or a file input are kept to read again.
    pub fn has_files(&self) -> bool {
        self.loads
            .with_value(|l| l.iter().any(|x| matches!(x, KeptLoad::Files(_))))
    }

    /// True when records fetched from a server were loaded (they are not fetched again).
    pub fn had_fetched(&self) -> bool {
        self.loads
            .with_value(|l| l.iter().any(|x| matches!(x, KeptLoad::Fetched)))
    }

    /// The new worker is ready: what to give it, once (`None` when it was not a restart).
    pub fn resume(&self) -> Option<Resume> {
        if !self.resuming.get_value() {
            return None;
        }
        self.resuming.set_value(false);
        let items = js_sys::Array::new();
        self.loads.with_value(|l| {
            for load in l {
                if let KeptLoad::Files(files) = load {
                    for item in js_sys::Array::from(files).iter() {
                        items.push(&item);
                    }
                }
            }
        });
        // The files are given again as one load, which keeps itself ([`Restart::loading_files`]);
        // fetched loads are not repeated, so the next restart does not name them.
        self.loads.set_value(Vec::new());
        let last_run = self
            .runs
            .with_value(|r| r.iter().map(|x| x.id).max().unwrap_or(0));
        let items = (items.length() > 0).then(|| items.into());
        if items.is_some() {
            self.rates_after_load.set_value(self.csv_rates.get_value());
        }
        Some(Resume { items, last_run })
    }
}

impl Default for Restart {
    fn default() -> Self {
        Self::new()
    }
}
