//! The Leptos page (wasm32 only): components and app state over the core.
