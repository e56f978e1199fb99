//! The page's Web Worker entry point (wasm32): holds the data and runs long jobs off the UI
//! thread. Built by Trunk as `worker.js` + `worker_bg.wasm` (see index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    ecg_balance_lab::web::worker::start_worker();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "`worker` is the page's Web Worker entry point; build it with `.ci/serve` (see README)."
    );
    std::process::exit(2);
}
