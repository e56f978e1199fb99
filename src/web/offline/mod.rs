//! Offline use: the page registers its service worker (`sw.js`, made at build time by
//! `manifest.sh` from `sw.js` here), which keeps the page's own files — never the person's data —
//! so that after one visit the page opens, loads files from disk and trains with no network.
//! (Records fetched from a server have a cache of their own, `remote.js`, which it leaves alone.)
//! The footer says where that stands and how much the browser keeps.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/offline/offline.js")]
extern "C" {
    #[wasm_bindgen(js_name = keepOffline)]
    fn keep_offline(on_status: &js_sys::Function);
}

/// Where offline use stands.
#[derive(Clone, PartialEq)]
enum Offline {
    /// Not asked yet.
    Unknown,
    /// This browser (or a page opened from a file, or over plain http from another machine) has
    /// no service worker.
    Unsupported(String),
    /// The service worker is keeping the page's files.
    Installing,
    /// Kept: the bytes the browser holds of the page's files.
    Ready(f64),
    /// Registering failed: why.
    Failed(String),
}

impl Offline {
    fn from_js(state: &str, detail: String, bytes: f64) -> Self {
        match state {
            "unsupported" => Self::Unsupported(detail),
            "installing" => Self::Installing,
            "ready" => Self::Ready(bytes),
            "failed" => Self::Failed(detail),
            _ => Self::Unknown,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Unsupported(_) => "unsupported",
            Self::Installing => "installing",
            Self::Ready(_) => "ready",
            Self::Failed(_) => "failed",
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Unknown => String::new(),
            Self::Unsupported(protocol) => format!(
                "Offline use is not available here (no service worker for a page opened over \
                 {protocol}); the page still works while it stays open."
            ),
            Self::Installing => "Keeping this page's own files for offline use…".into(),
            Self::Ready(bytes) => format!(
                "Works offline: your browser keeps this page's own files ({:.1} MB), so it opens \
                 and trains without a network after this visit. Files you load from your disk are \
                 not stored.",
                bytes / 1e6
            ),
            Self::Failed(why) => format!(
                "Offline use could not be set up ({why}); the page works while the network does."
            ),
        }
    }
}

/// The footer line on offline use; registers the service worker once, when first shown.
#[component]
pub fn OfflineStatus() -> impl IntoView {
    let status = RwSignal::new(Offline::Unknown);
    let on_status = Closure::<dyn FnMut(String, String, f64)>::new(
        move |state: String, detail: String, bytes: f64| {
            status.set(Offline::from_js(&state, detail, bytes));
        },
    );
    keep_offline(on_status.as_ref().unchecked_ref());
    // Called for as long as the page lives.
    on_status.forget();
    view! {
        <p class="offline-status" role="status" data-testid="offline-status" data-state=move || status.with(|s| s.key())>
            {move || status.with(|s| s.text())}
        </p>
    }
}
