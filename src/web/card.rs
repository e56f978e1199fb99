//! The page's panels, drawn one way: a section named by its heading, a short muted
//! introduction, then what the panel holds.

use leptos::prelude::*;

/// A panel: `<section class="card">` labelled by its `<h2 id="{id}-title">`.
#[component]
pub fn Card(
    /// Stem of the heading's id (`{id}-title`).
    id: &'static str,
    /// The heading.
    #[prop(into)]
    title: String,
    /// The section's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// What the panel does, in a sentence or three (muted, small).
    #[prop(optional, into)]
    intro: Option<String>,
    /// What the panel holds.
    children: Children,
) -> impl IntoView {
    let labelled_by = format!("{id}-title");
    let title_id = labelled_by.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid=testid>
            <h2 id=title_id>{title}</h2>
            {intro.map(|text| view! { <p class="muted small">{text}</p> })}
            {children()}
        </section>
    }
}
