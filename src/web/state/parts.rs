//! A load sent in parts, between the page's loop that sends the parts ([`crate::web::loading`])
//! and the worker's answers: which part the worker has read, whether the load goes on, and how
//! the loop is woken.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Where a load in parts is, between the page's loop and the worker's answers (a handle:
/// copies share it).
#[derive(Clone, Copy)]
pub struct Parts {
    /// Number of the current load: a new load makes the loop of an older one stop.
    load: StoredValue<u64>,
    /// The last part of the current load the worker has read.
    read: StoredValue<Option<usize>>,
    /// The current load is over, or was cancelled: send nothing more.
    ended: StoredValue<bool>,
    /// Wakes the loop while it waits for the worker.
    wake: StoredValue<Option<js_sys::Function>, LocalStorage>,
}

impl Parts {
    /// No load yet.
    pub fn new() -> Self {
        Self {
            load: StoredValue::new(0),
            read: StoredValue::new(None),
            ended: StoredValue::new(true),
            wake: StoredValue::new_local(None),
        }
    }

    /// The worker has read part `part` and released its bytes.
    pub fn on_part_read(&self, part: usize) {
        self.read.set_value(Some(part));
        self.wake_loop();
    }

    /// The load is over (the worker's `Loaded`, a refused part) or Cancel was pressed: the
    /// loop sends nothing more.
    pub fn end(&self) {
        self.ended.set_value(true);
        self.wake_loop();
    }

    fn wake_loop(&self) {
        let mut wake = None;
        self.wake.update_value(|w| wake = w.take());
        if let Some(f) = wake {
            let _ = f.call0(&JsValue::NULL);
        }
    }

    /// Starts a load; its number.
    pub fn begin(&self) -> u64 {
        let mut load = 0;
        self.load.update_value(|n| {
            *n += 1;
            load = *n;
        });
        self.read.set_value(None);
        self.ended.set_value(false);
        load
    }

    /// True while load `load` is the latest one.
    pub fn is_current(&self, load: u64) -> bool {
        self.load.get_value() == load
    }

    /// True while load `load` is the latest one and goes on.
    pub fn goes_on(&self, load: u64) -> bool {
        self.load.get_value() == load && !self.ended.get_value()
    }

    /// Waits until the worker has read part `part` of load `load` (true), or the load is over
    /// (false).
    pub async fn part_read(&self, load: u64, part: usize) -> bool {
        loop {
            if !self.goes_on(load) {
                return false;
            }
            if self.read.get_value().is_some_and(|r| r >= part) {
                return true;
            }
            let wake = self.wake;
            let promise = js_sys::Promise::new(&mut |resolve, _reject| {
                wake.set_value(Some(resolve));
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    }
}

impl Default for Parts {
    fn default() -> Self {
        Self::new()
    }
}
