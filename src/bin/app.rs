//! The page's entry point (wasm32): mounts the Leptos app. Build with Trunk (see README).

#[cfg(target_arch = "wasm32")]
fn main() {
    ecg_balance_lab::web::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "`app` is the page's WebAssembly entry point; build and serve it with `.ci/serve` (see README)."
    );
    std::process::exit(2);
}
