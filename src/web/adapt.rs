//! "Adapt to this patient", under a record classified by a kept run: the worker picks the beats
//! whose labels would help most, the person labels each on a strip of signal around it (keys
//! n s v f q, or buttons), a copy of the model is fine-tuned on them in the worker, and the
//! record's classes before and after are shown — with Se, +P and F1 on the beats the person did
//! not label, against the record's annotations when it has any. Or, as the AAMI EC57
//! patient-specific protocol does, the first 5 minutes are labelled from the record's
//! annotations, when the person chooses that.
//!
//! Every figure comes from the worker's views ([`crate::session::adapt`]); this file only lays
//! them out.

use leptos::prelude::*;

use super::charts::{class_colour, polyline_path, range_of, thousands};
use super::field::count_field;
use super::state::AppState;
use super::table::{Shown, Table, col, num};
use crate::ecg::aami::{AamiClass, ClassCounts};
use crate::session::Request;
use crate::session::adapt::{AdaptQueriesView, AdaptView, MAX_K, MAX_ROUNDS, QueryView};
use crate::session::views::ClassifiedView;
use crate::training::patient::Budget;

const STRIP_W: f64 = 800.0;
const STRIP_H: f64 = 150.0;

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

/// A figure and what it becomes, "–" where it is not defined (`defined` false).
fn change(before: (f64, bool), after: (f64, bool)) -> String {
    let f = |(x, ok): (f64, bool)| if ok { pct(x) } else { "–".into() };
    format!("{} → {}", f(before), f(after))
}

fn counts_text(c: &ClassCounts) -> String {
    AamiClass::ALL
        .into_iter()
        .filter(|&k| c.get(k) > 0)
        .map(|k| format!("{} {}", thousands(c.get(k)), k.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The panel, for the classification `v` of a record (which names the run and how the beats
/// were found).
#[component]
pub fn AdaptPanel(
    /// The record's classification, by a kept run.
    v: ClassifiedView,
    /// True when the record has beat annotations (the first minutes can be labelled from them,
    /// and the result scored against them).
    has_annotations: bool,
) -> impl IntoView {
    let state = AppState::get();
    let adapt = state.adapt;
    // The form's choices live in the state: a reopened page shows those of its kept request.
    let (k, rounds, first_minutes) = (adapt.k, adapt.rounds, adapt.first_minutes);
    // The first minutes are labelled from annotations: a record without them starts on the
    // model's picks, whatever another record's panel chose.
    if !has_annotations {
        first_minutes.set(false);
    }
    let record = v.record.clone();
    let run = v.run;
    let (lead, positions) = (v.lead, v.positions);
    let ask = {
        let record = record.clone();
        move |_| {
            let Some(run) = run else { return };
            let budget = if first_minutes.get_untracked() {
                Budget::FirstMinutes { minutes: 5.0 }
            } else {
                Budget::Beats {
                    k: k.get_untracked().trim().parse().unwrap_or(0),
                }
            };
            adapt.error.set(None);
            adapt.asking.set(true);
            state.send(Request::AdaptQueries {
                run,
                record: record.clone(),
                lead: Some(lead),
                positions,
                budget,
                // An empty or unreadable field is refused, as the beats' field is, rather
                // than read as the default.
                rounds: Some(rounds.get_untracked().trim().parse().unwrap_or(0)),
            });
        }
    };
    let (rec_q, rec_r) = (record.clone(), record.clone());
    let mine = move |r: &str, id: u32| r == rec_q && Some(id) == run;
    let queries = Memo::new(move |_| {
        adapt
            .queries
            .get()
            .filter(|q| q.record == rec_r && Some(q.run) == run)
    });
    let run_text = run.map_or(String::new(), |id| format!("run {id}"));
    view! {
        <section class="adapt" aria-labelledby="adapt-title" data-testid="adapt-panel">
            <h3 id="adapt-title">"Adapt to this patient"</h3>
            <p class="muted small">
                {format!(
                    "Label a few beats of this record and a copy of {run_text}'s model is fine-tuned on them, beside beats of the records it was trained on so it keeps what it learned; {run_text} itself is unchanged. Only for a record the model has not seen. The record's annotations are never used to pick the beats or to fine-tune — only to score the result, on the beats you did not label."
                )}
            </p>
            <fieldset class="adapt-mode">
                <legend>"Which beats are labelled"</legend>
                <label>
                    <input type="radio" name="adapt-mode" data-testid="adapt-mode-k"
                        prop:checked=move || !first_minutes.get()
                        on:change=move |_| first_minutes.set(false) />
                    <span>"Beats the model picks for me to label"</span>
                </label>
                <div class="adapt-budget">
                {count_field("Beats to label", "adapt-k", k, MAX_K, first_minutes.into(), None)}
                {count_field("Rounds", "adapt-rounds", rounds, MAX_ROUNDS, first_minutes.into(), Some("adapt-rounds-help"))}
                <p id="adapt-rounds-help" class="muted small">
                    "With 2 rounds or more, a copy fine-tuned on your first labels picks the later beats, where it still hesitates."
                </p>
                </div>
                <label>
                    <input type="radio" name="adapt-mode" data-testid="adapt-mode-first5"
                        disabled=!has_annotations
                        prop:checked=move || first_minutes.get()
                        on:change=move |_| first_minutes.set(true) />
                    <span>
                        "Label the first 5 minutes: use the record's annotations for the first 5 minutes (the AAMI EC57 patient-specific protocol; scored on the rest of the record)"
                        {(!has_annotations).then(|| view! { <span class="muted small">" — this record has no annotations"</span> })}
                    </span>
                </label>
            </fieldset>
            <div class="actions">
                <button class="primary" data-testid="adapt-start"
                    disabled=move || run.is_none() || adapt.asking.get() || state.busy.get()
                    on:click=ask>
                    {move || if adapt.asking.get() { "Picking beats…" } else { "Adapt to this patient" }}
                </button>
            </div>
            {move || adapt.error.get().map(|e| view! {
                <p class="notice error" role="alert" data-testid="adapt-error">{e}</p>
            })}
            {move || queries.get().map(|q| if q.from_annotations {
                view! { <FirstMinutes q=q /> }.into_any()
            } else {
                view! { <Labeller q=q /> }.into_any()
            })}
            {move || adapt.result.get().filter(|r| mine(&r.record, r.run)).map(|r| view! { <AdaptResult r=r /> })}
        </section>
    }
}

fn send_adapt(state: AppState, q: &AdaptQueriesView, from_annotations: bool) {
    let labels = if from_annotations {
        Vec::new()
    } else {
        state.adapt.given()
    };
    state.adapt.error.set(None);
    state.adapt.result.set(None);
    state.adapt.running.set(true);
    state.send(Request::Adapt {
        run: q.run,
        record: q.record.clone(),
        labels,
        from_annotations,
    });
}

/// The first minutes, labelled from the record's annotations at the person's request.
#[component]
fn FirstMinutes(q: AdaptQueriesView) -> impl IntoView {
    let state = AppState::get();
    let n = q.queries.len();
    view! {
        <div class="adapt-first" data-testid="adapt-first-minutes" data-beats=n.to_string()>
            <p>{format!(
                "{} beats lie in the first 5 minutes of record {}. As you chose, their labels are taken from the record's annotations (a person would not label {} beats by hand); the other {} beats are not labelled and are the ones scored.",
                thousands(n), q.record, thousands(n), thousands(q.beats - n)
            )}</p>
            <button class="primary" data-testid="adapt-finetune"
                disabled=move || state.busy.get() || state.adapt.running.get()
                on:click=move |_| send_adapt(state, &q, true)>
                "Fine-tune on the first 5 minutes"
            </button>
        </div>
    }
}

/// Labelling the queried beats one at a time, by key or button.
#[component]
fn Labeller(q: AdaptQueriesView) -> impl IntoView {
    let state = AppState::get();
    let adapt = state.adapt;
    let n = q.queries.len();
    let box_ref = NodeRef::<leptos::html::Div>::new();
    // Keys go to the labeller: focus it as soon as the beats arrive; a later round also brings
    // it into view (the page may be scrolled down to the fine-tune button, on a phone far
    // below the round's first beat).
    let later_round = q.earlier > 0;
    Effect::new(move |_| {
        if let Some(el) = box_ref.get() {
            let _ = el.focus();
            if later_round {
                el.scroll_into_view();
            }
        }
    });
    // Every label given is kept in this browser (a reload brings them back).
    Effect::new(move |_| {
        adapt
            .labels
            .with(|labels| state.persist.adapt_labels(state, labels));
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        let k = adapt.current.get_untracked();
        match key.as_str() {
            "ArrowRight" => adapt.step(1),
            "ArrowLeft" => adapt.step(-1),
            // Enter on a button clicks it; Enter elsewhere moves on.
            "Enter" if !target_is_button(&ev) => adapt.step(1),
            _ => match AamiClass::from_code(&key.to_uppercase()) {
                Some(c) if key.len() == 1 => adapt.label(k, c),
                _ => return,
            },
        }
        ev.prevent_default();
    };
    let labelled = move || adapt.labels.with(|l| l.iter().flatten().count());
    // Beats the later rounds will ask (picked by the copy fine-tuned on these labels).
    let later = match q.budget {
        Budget::Beats { k } if q.round < q.rounds => k.saturating_sub(n),
        _ => 0,
    };
    let round = (q.rounds > 1).then(|| {
        format!(
            "Round {} of {}{}",
            q.round,
            q.rounds,
            if q.earlier > 0 {
                format!(
                    ": beats {} to {n} were picked by a copy fine-tuned on your first {} labels",
                    q.earlier + 1,
                    q.earlier
                )
            } else {
                format!(
                    ": after these {n}, a copy fine-tuned on your labels picks {later} more where it still hesitates"
                )
            }
        )
    });
    let q_send = q.clone();
    let q_chips = q.queries.clone();
    let lead = format!("{} ({})", q.lead_name, q.units);
    view! {
        <div class="adapt-labeller" data-testid="adapt-labeller" tabindex="0" node_ref=box_ref
            role="group" aria-label="Label the queried beats: keys n, s, v, f, q label the beat shown; Enter or right arrow moves on; left arrow goes back"
            on:keydown=on_key>
            {round.map(|r| view! { <p class="small adapt-round" data-testid="adapt-round" aria-live="polite"
                data-round=q.round.to_string() data-rounds=q.rounds.to_string() data-earlier=q.earlier.to_string()>{r}</p> })}
            <p class="adapt-progress" data-testid="adapt-progress" aria-live="polite"
                data-current=move || adapt.current.get().to_string()
                data-labelled=move || labelled().to_string()>
                {move || format!("beat {} of {n}", adapt.current.get() + 1)}
                <span class="muted small">{move || format!(" · {} labelled", labelled())}</span>
            </p>
            {move || {
                let k = adapt.current.get();
                q.queries.get(k).cloned().map(|b| {
                    let why = b.why.clone();
                    view! {
                        <BeatFigure b=b position=k lead=lead.clone() />
                        {(!why.is_empty()).then(|| view! { <p class="muted small adapt-why" data-testid="adapt-why" aria-live="polite">{why}</p> })}
                    }
                })
            }}
            <div class="label-buttons" role="group" aria-label="Class of this beat">
                {AamiClass::ALL.into_iter().map(|c| {
                    let key = c.code().to_lowercase();
                    view! {
                        <button
                            data-testid=format!("adapt-label-{}", c.code())
                            aria-pressed=move || (adapt.labels.with(|l| l.get(adapt.current.get()).copied().flatten()) == Some(c)).to_string()
                            aria-keyshortcuts=key.clone()
                            aria-label=format!("{} — {} (key {key})", c.code(), c.name())
                            style=format!("border-color:{}", class_colour(c))
                            on:click=move |_| adapt.label(adapt.current.get_untracked(), c)
                        >
                            <strong>{c.code()}</strong>
                            <span class="small">{format!(" {}", c.name())}</span>
                            <kbd>{key.clone()}</kbd>
                        </button>
                    }
                }).collect_view()}
            </div>
            <div class="actions">
                <button data-testid="adapt-prev" disabled=move || adapt.current.get() == 0 on:click=move |_| adapt.step(-1)>"◀ Previous"</button>
                <button data-testid="adapt-next" disabled=move || { adapt.current.get() + 1 >= n } on:click=move |_| adapt.step(1)>"Next ▶"</button>
            </div>
            <ol class="adapt-chips" aria-label="All queried beats">
                {q_chips.into_iter().enumerate().map(|(k, b)| view! {
                    <li>
                        <button
                            data-testid="adapt-chip"
                            aria-current=move || (adapt.current.get() == k).then_some("step")
                            aria-label=move || format!("beat {} of {n} at {:.1} s: {}", k + 1, b.t_s, adapt.labels.with(|l| l.get(k).copied().flatten()).map_or("not labelled", |c| c.name()))
                            on:click=move |_| adapt.current.set(k)
                        >
                            {move || format!("{} {}", k + 1, adapt.labels.with(|l| l.get(k).copied().flatten()).map_or("–", |c| c.code()))}
                        </button>
                    </li>
                }).collect_view()}
            </ol>
            <p class="muted small">
                "A beat left unlabelled is not fine-tuned on; it is still left out of the scores, like every beat asked about."
            </p>
            <button class="primary" data-testid="adapt-finetune"
                disabled=move || labelled() == 0 || state.busy.get() || adapt.running.get()
                on:click=move |_| send_adapt(state, &q_send, false)>
                {move || if later > 0 {
                    format!("Fine-tune on {} labelled beats, then pick {later} more", labelled())
                } else {
                    format!("Fine-tune on {} labelled beats", labelled())
                }}
            </button>
        </div>
    }
}

fn target_is_button(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| e.tag_name().eq_ignore_ascii_case("button"))
}

/// One queried beat on its strip: the beat highlighted, its neighbours marked.
#[component]
fn BeatFigure(b: QueryView, position: usize, lead: String) -> impl IntoView {
    let s = &b.strip;
    let span_s = (s.values.len().max(2) - 1) as f64 * s.dt_s;
    let x_of = |t: f64| (t - s.start_s) / span_s.max(1e-9) * STRIP_W;
    let (lo, hi) = range_of(s.values.iter());
    let path = polyline_path(&s.values, STRIP_W, STRIP_H - 20.0, lo, hi);
    let x = x_of(b.t_s);
    let band = 0.12 / span_s.max(1e-9) * STRIP_W;
    let others: Vec<_> = s
        .beats_s
        .iter()
        .filter(|&&t| (t - b.t_s).abs() > 1e-6)
        .map(|&t| {
            let xo = x_of(t);
            view! { <path d=format!("M{:.1},{} l-4,7 l8,0 Z", xo, STRIP_H - 9.0) class="neighbour" /> }
        })
        .collect();
    view! {
        <figure class="adapt-beat" data-testid="adapt-beat" data-index=b.index.to_string()
            data-r-sample=b.r_sample.to_string() data-position=position.to_string()>
            <svg viewBox=format!("0 0 {STRIP_W} {STRIP_H}") preserveAspectRatio="none" role="img"
                aria-label=format!("Queried beat at {:.2} s, in the middle of {:.1} s of lead {lead}, with its {} neighbours marked ▲ below the trace", b.t_s, span_s, s.beats_s.len().saturating_sub(1))>
                <rect x=format!("{:.1}", x - band) y="0" width=format!("{:.1}", 2.0 * band) height=STRIP_H class="beat-band" />
                <g transform="translate(0,6)"><path d=path class="trace" /></g>
                <path d=format!("M{:.1},{} l-6,10 l12,0 Z", x, STRIP_H - 12.0) class="queried" />
                {others}
            </svg>
            <figcaption class="small">{format!(
                "Beat {} of the record at {:.2} s (sample {}), lead {lead}; the highlighted beat, its neighbours marked ▲.",
                thousands(b.index as usize + 1), b.t_s, thousands(b.r_sample as usize)
            )}</figcaption>
        </figure>
    }
}

/// Before and after.
#[component]
fn AdaptResult(r: AdaptView) -> impl IntoView {
    let how = if r.from_annotations {
        format!(
            "{} beats of the first 5 minutes, labelled from the record's annotations",
            thousands(r.labelled)
        )
    } else {
        format!(
            "{} beats you labelled ({})",
            thousands(r.labelled),
            counts_text(&r.labelled_counts)
        )
    };
    let summary = format!(
        "Fine-tuned a copy of run {}'s model on {how}, beside beats replayed from the {} beats of its training records ({} beats an epoch, {} network(s), {} optimizer steps) in {:.1} s. Run {} itself is unchanged.",
        r.run,
        thousands(r.replay_pool),
        thousands(r.fine_tune_beats),
        r.networks,
        thousands(r.steps),
        r.fine_tune_ms / 1000.0,
        r.run
    );
    let counts = view! {
        <Table class="counts-bars" testid="adapt-counts" shown=Shown::Title caption=format!("Beats of record {} per predicted class (all {} beats)", r.record, thousands(r.beats)) head=vec![col("Class"), num("Before"), num("After")]>
            {AamiClass::ALL.into_iter().map(|c| view! {
                <tr data-testid=format!("adapt-count-{}", c.code())
                    data-before=r.counts_before.get(c).to_string() data-after=r.counts_after.get(c).to_string()>
                    <th scope="row"><span class="swatch" style=format!("background:{}", class_colour(c))></span>{c.code()}<span class="class-name">{format!(" {}", c.name())}</span></th>
                    <td class="num">{thousands(r.counts_before.get(c))}</td>
                    <td class="num">{thousands(r.counts_after.get(c))}</td>
                </tr>
            }).collect_view()}
        </Table>
    };
    let scores = match r.scores.clone() {
        None => view! {
            <p class="muted" data-testid="adapt-unscored">
                "This record has no beat annotations, so the adapted model cannot be scored here; the counts show what changed."
            </p>
        }
        .into_any(),
        Some(sc) => {
            let not_labelled = if r.from_annotations {
                "the beats after the first 5 minutes, which were not labelled"
            } else {
                "beats you did not label"
            };
            let note = format!(
                "Scored on the {} {not_labelled}, against the record's annotations{}. The {} beats asked about are left out, labelled or not.",
                thousands(sc.scored),
                if sc.unmatched > 0 {
                    format!(
                        " ({} found beats with no annotated beat within 150 ms are left out too)",
                        thousands(sc.unmatched)
                    )
                } else {
                    String::new()
                },
                thousands(r.queried)
            );
            view! {
                <p data-testid="adapt-scored-note" data-scored=sc.scored.to_string()>{note}</p>
                <Table class="metrics small" testid="adapt-scores" caption="Sensitivity, positive predictivity and F1 per class before and after adaptation" head=vec![col("Class"), num("Beats"), num("Se % before → after"), num("+P % before → after"), num("F1 % before → after")]>
                    {sc.classes.iter().map(|row| {
                        let has = row.after.support > 0;
                        let (pb, pa) = (row.predicted_before > 0, row.predicted_after > 0);
                        view! {
                        <tr data-testid=format!("adapt-score-{}", row.class.code())
                            data-support=row.after.support.to_string()
                            data-se-before=row.before.se.to_string() data-se-after=row.after.se.to_string()
                            data-ppv-before=row.before.ppv.to_string() data-ppv-after=row.after.ppv.to_string()
                            data-f1-before=row.before.f1.to_string() data-f1-after=row.after.f1.to_string()>
                            <th scope="row">{row.class.code()}<span class="class-name">{format!(" {}", row.class.name())}</span></th>
                            <td class="num">{thousands(row.after.support as usize)}</td>
                            <td class="num">{change((row.before.se, has), (row.after.se, has))}</td>
                            <td class="num">{change((row.before.ppv, pb), (row.after.ppv, pa))}</td>
                            <td class="num"><strong>{change((row.before.f1, has || pb), (row.after.f1, has || pa))}</strong></td>
                        </tr>
                    }}).collect_view()}
                </Table>
                <p class="small" data-testid="adapt-macro-f1">{format!(
                    "Macro-F1 over the classes of N, S, V and F this record has ({}) on these beats: {} → {} %. “–”: not defined (no beat of the class, or none predicted as it).",
                    sc.macro_classes.iter().map(|c| c.code()).collect::<Vec<_>>().join(", "),
                    pct(sc.macro_f1_before), pct(sc.macro_f1_after)
                )}</p>
            }
            .into_any()
        }
    };
    view! {
        <div class="adapt-result" data-testid="adapt-result" data-run=r.run.to_string() data-record=r.record.clone()
            data-fine-tune-ms=format!("{:.0}", r.fine_tune_ms) data-total-ms=format!("{:.0}", r.total_ms)>
            <p role="status" data-testid="adapt-summary">{summary}</p>
            {counts}
            {scores}
        </div>
    }
}
