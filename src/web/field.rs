//! The page's number inputs, drawn one way.

use leptos::prelude::*;

/// A labelled number input (at least 0, in steps of `step`) whose text is `sig`; its id and
/// `data-testid` are `id`.
pub fn number_field(
    label: &'static str,
    id: &'static str,
    sig: RwSignal<String>,
    step: &'static str,
) -> impl IntoView {
    view! {
        <label for=id>
            {label}
            <input id=id type="number" min="0" step=step data-testid=id prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
        </label>
    }
}

/// A labelled whole number from 1 to `max` whose text is `sig`, off while `disabled`; its id and
/// `data-testid` are `id`, and `describedby` names the element that explains it.
pub fn count_field(
    label: &'static str,
    id: &'static str,
    sig: RwSignal<String>,
    max: usize,
    disabled: Signal<bool>,
    describedby: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label for=id>
            {label}
            <input id=id type="number" min="1" max=max.to_string() step="1" data-testid=id
                aria-describedby=describedby
                disabled=move || disabled.get()
                prop:value=move || sig.get()
                on:input=move |ev| sig.set(event_target_value(&ev)) />
        </label>
    }
}
