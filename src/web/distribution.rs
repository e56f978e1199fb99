//! The class-balance screen: the distribution table overall and per side of the split.

use leptos::prelude::*;

use super::card::Card;
use super::charts::{class_colour, thousands};
use super::state::AppState;
use super::table::{Table, col, num};
use crate::dataset::split::SplitKind;
use crate::session::views::NamedDistribution;

/// The class-balance screen.
#[component]
pub fn DistributionPanel() -> impl IntoView {
    let state = AppState::get();
    Effect::new(move |_| {
        if state.distribution.get_untracked().is_none()
            && state.workspace.with(|w| w.record_counts.total() > 0)
        {
            state.refresh_distribution();
        }
    });
    view! {
        <SplitChooser />
        {move || match state.distribution.get() {
            None => view! {
                <section class="card"><p class="muted">"Load records (or the demo set) to see their class balance."</p></section>
            }.into_any(),
            Some(d) => view! {
                {d.optimistic.then(|| view! {
                    <p class="warning-banner" role="note" data-testid="optimistic-warning">
                        "Optimistic split: beats of the same patient are on both sides, so test figures will look better than they would on new patients."
                    </p>
                })}
                <p class="muted small" data-testid="split-text">{d.split_text.clone()}</p>
                <div class="dist-grid">
                    <DistributionTable key="all" data=d.all.clone() />
                    <DistributionTable key="train" data=d.train.clone() />
                    <DistributionTable key="test" data=d.test.clone() />
                </div>
                {(d.excluded.total() > 0).then(|| view! {
                    <p class="muted small" data-testid="excluded-text">
                        {format!("Left out of both sides: {} beats of paced records (102, 104, 107, 217), as ANSI/AAMI EC57 asks.", thousands(d.excluded.total()))}
                    </p>
                })}
            }.into_any(),
        }}
    }
}

#[component]
fn SplitChooser() -> impl IntoView {
    let state = AppState::get();
    let is_random = move || matches!(state.split.get(), SplitKind::RandomBeats { .. });
    let seed = RwSignal::new(String::from("42"));
    let fraction = RwSignal::new(String::from("20"));
    let apply_random = move || {
        let s = seed.get_untracked().trim().parse::<u64>().unwrap_or(42);
        let f = fraction
            .get_untracked()
            .trim()
            .parse::<f64>()
            .unwrap_or(20.0)
            .clamp(1.0, 90.0)
            / 100.0;
        state.split.set(SplitKind::RandomBeats {
            seed: s,
            test_fraction: f,
        });
        state.refresh_distribution();
    };
    view! {
        <Card id="split" title="Split">
            <fieldset class="radios">
                <legend class="visually-hidden">"How to split beats into training and test"</legend>
                <label>
                    <input
                        type="radio"
                        name="split"
                        data-testid="split-inter"
                        prop:checked=move || !is_random()
                        on:change=move |_| {
                            state.split.set(SplitKind::default());
                            state.refresh_distribution();
                        }
                    />
                    " By patient — inter-patient (de Chazal 2004: DS1 trains, DS2 tests; paced records out). "
                    <span class="badge good">"honest"</span>
                </label>
                <label>
                    <input
                        type="radio"
                        name="split"
                        data-testid="split-random"
                        prop:checked=is_random
                        on:change=move |_| apply_random()
                    />
                    " Random beats (seeded, stratified). "
                    <span class="badge warn">"optimistic"</span>
                </label>
            </fieldset>
            <Show when=is_random>
                <div class="inline-fields">
                    <label>"Seed " <input type="number" data-testid="split-seed" prop:value=move || seed.get() on:change=move |ev| { seed.set(event_target_value(&ev)); apply_random(); } /></label>
                    <label>"Test share (%) " <input type="number" min="1" max="90" data-testid="split-fraction" prop:value=move || fraction.get() on:change=move |ev| { fraction.set(event_target_value(&ev)); apply_random(); } /></label>
                </div>
            </Show>
        </Card>
    }
}

/// One distribution table in the seed guide's layout, with bars.
#[component]
pub fn DistributionTable(
    /// Test-id suffix: `all`, `train` or `test`.
    key: &'static str,
    /// The table and its title.
    data: NamedDistribution,
) -> impl IntoView {
    let table = data.table.clone();
    let max_pct = table
        .rows
        .iter()
        .map(|r| r.percent)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let records_text = if data.records.len() > 12 {
        format!("{} records", data.records.len())
    } else {
        data.records.join(", ")
    };
    let (total, ratio) = (thousands(table.total), table.ratio_text());
    let foot: Children = Box::new(move || {
        view! {
            <tr>
                <th scope="row">"Total"</th>
                <td class="num" data-testid="total">{total}</td>
                <td class="num">"100"</td>
                <td colspan="2">
                    "Imbalance (largest : smallest) "
                    <strong data-testid="imbalance-ratio">{ratio}</strong>
                </td>
            </tr>
        }
        .into_any()
    });
    view! {
        <section class="card dist" data-testid=format!("dist-{key}") aria-labelledby=format!("dist-title-{key}")>
            <h3 id=format!("dist-title-{key}")>{data.title.clone()}</h3>
            <p class="muted small">{records_text}</p>
            <Table head=vec![col("Class"), num("Count"), num("%"), col("Status"), col("Share").class("bar-col")] foot=foot>
                        {table.rows.iter().map(|r| {
                            let w = 100.0 * r.percent / max_pct;
                            view! {
                                <tr data-testid=format!("dist-{key}-{}", r.class.code()) data-class=r.class.code()>
                                    <th scope="row">
                                        <span class="swatch" style=format!("background:{}", class_colour(r.class))></span>
                                        <strong>{r.class.code()}</strong>
                                        " "
                                        <span class="muted">{r.class.name()}</span>
                                    </th>
                                    <td class="num" data-testid="count">{thousands(r.count)}</td>
                                    <td class="num" data-testid="percent">{format!("{:.1}", r.percent)}</td>
                                    <td class=format!("status s-{:?}", r.status) data-testid="status">{r.status.words()}</td>
                                    <td class="bar-col" aria-hidden="true">
                                        <div class="hbar" style=format!("width:{w:.1}%;background:{}", class_colour(r.class))></div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
            </Table>
        </section>
    }
}
