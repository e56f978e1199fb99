//! The footer's line on what this browser keeps of the person's work
//! ([`super::state::persist`]): what was restored when the page opened, what is kept now and
//! how much space it takes, and "Forget everything".

use leptos::prelude::*;

use super::state::AppState;
use super::state::persist::{count, mb};

/// What is kept, and the button that forgets it.
#[component]
pub fn KeptLine() -> impl IntoView {
    let state = AppState::get();
    let persist = state.persist;
    let text = move || {
        if let Some(why) = persist.refused.get() {
            let kept = persist.kept.get();
            return Some(format!(
                "Not kept in this browser: {why}, so this visit's work is lost on a reload \
                 (it goes on working). Kept from before: {}.",
                kept.map_or_else(
                    || "nothing".to_string(),
                    |k| format!(
                        "{} and {} ({})",
                        count(k.files as usize, "file"),
                        count(k.runs as usize, "run"),
                        mb(k.bytes)
                    )
                ),
            ));
        }
        let kept = persist.kept.get()?;
        let data = if kept.files > 0 {
            count(kept.files as usize, "file")
        } else {
            "no files (the page opens on the demo set)".to_string()
        };
        Some(format!(
            "Kept in this browser so that a reload loses nothing: {data} and {} with \
             {} ({}; the page uses {} in all, its own files for offline use included). \
             Nothing leaves this browser.",
            count(kept.runs as usize, "run"),
            if kept.runs == 1 {
                "its model"
            } else {
                "their models"
            },
            mb(kept.bytes),
            mb(kept.usage),
        ))
    };
    view! {
        {move || persist.refused.get().map(|why| view! {
            <p class="notice warning" role="alert" data-testid="kept-refused">
                <strong>"Not kept: "</strong>
                {format!("{why}. Everything goes on working, but this visit's work is lost on a reload. \"Forget everything\" frees the space this page holds.")}
            </p>
        })}
        {move || persist.restored.get().map(|t| view! {
            <p class="kept-restored" role="status" data-testid="restored">{t}</p>
        })}
        <p class="kept" data-testid="kept" data-state=move || if persist.refused.get().is_some() { "refused" } else { "on" }>
            <span data-testid="kept-text">{move || text().unwrap_or_else(|| "Your files and runs are kept in this browser (IndexedDB) so that a reload loses nothing; nothing leaves it.".into())}</span>
            " "
            <button type="button" class="link" data-testid="forget-everything"
                title="Delete the files, runs and settings this page keeps in this browser, and start afresh"
                on:click=move |_| persist.forget_all(state)>
                "Forget everything"
            </button>
        </p>
    }
}
