//! The page's tables, drawn one way: in a box that scrolls sideways on a narrow screen
//! (`table-wrap`), with a caption saying what the table holds (for screen readers only unless
//! the table shows it), a row of column headings, the body rows the caller gives and, for a
//! table with totals, a footer.

use leptos::prelude::*;

/// A column heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Col {
    text: String,
    class: &'static str,
    title: Option<&'static str>,
}

/// A column of words (left-aligned).
pub fn col(text: impl Into<String>) -> Col {
    Col {
        text: text.into(),
        class: "",
        title: None,
    }
}

/// A column of figures (right-aligned, `num`).
pub fn num(text: impl Into<String>) -> Col {
    Col {
        class: "num",
        ..col(text)
    }
}

impl Col {
    /// The heading with other classes.
    pub fn class(self, class: &'static str) -> Col {
        Col { class, ..self }
    }

    /// The heading with a tooltip saying what the column holds.
    pub fn title(self, title: &'static str) -> Col {
        Col {
            title: Some(title),
            ..self
        }
    }
}

/// How a table's caption is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    /// Read to screen readers only.
    #[default]
    Hidden,
    /// Shown above the table (muted, small).
    Note,
    /// Shown above the table as a title.
    Title,
}

/// A table: `head` are its column headings, the children its body rows.
#[component]
pub fn Table(
    /// The table's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// The table's classes.
    #[prop(optional)]
    class: Option<&'static str>,
    /// What the table holds.
    #[prop(optional, into)]
    caption: Option<String>,
    /// How the caption is shown.
    #[prop(optional)]
    shown: Shown,
    /// The caption's `data-testid`.
    #[prop(optional)]
    caption_testid: Option<&'static str>,
    /// Id of the element that describes the table (`aria-describedby`).
    #[prop(optional)]
    describedby: Option<&'static str>,
    /// The column headings.
    head: Vec<Col>,
    /// The footer rows (totals).
    #[prop(optional)]
    foot: Option<Children>,
    /// The body rows.
    children: Children,
) -> impl IntoView {
    let caption_class = match shown {
        Shown::Hidden => Some("visually-hidden"),
        Shown::Note => Some("muted small"),
        Shown::Title => None,
    };
    let caption = caption.map(|text| {
        view! { <caption class=caption_class data-testid=caption_testid>{text}</caption> }
    });
    let head = head
        .into_iter()
        .map(|c| {
            let class = (!c.class.is_empty()).then_some(c.class);
            view! { <th scope="col" class=class title=c.title>{c.text}</th> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class=class data-testid=testid aria-describedby=describedby>
                {caption}
                <thead><tr>{head}</tr></thead>
                <tbody>{children()}</tbody>
                {foot.map(|f| view! { <tfoot>{f()}</tfoot> })}
            </table>
        </div>
    }
}
