//! "Predict, then run", on every page: the page's exercises (core's `data/exercises.txt`), each
//! a question as code, an answer typed or picked, and, on "Check", what Python prints, run by
//! core's console evaluator (live ones through the companion), and why.
//!
//! Keyboard: Enter checks; `r` reveals the answer while an exercise has focus (outside its
//! text field), so a teacher can reveal it from the keyboard. Exercises answered right are
//! remembered in this browser (localStorage) and ticked.

pub mod state;

use crate::companion::{use_companion, Companion};
use crate::i18n::use_i18n;
use crate::route::Route;
use socklab_core::exercise::{for_page, Answer, Exercise};
use state::{solved_from, solved_with, Action, Card, Phase, Purpose, SOLVED_KEY};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`Predict`].
#[derive(Properties, PartialEq)]
pub struct PredictProps {
    /// The page shown.
    pub route: Route,
}

/// The page's exercises.
#[function_component]
pub fn Predict(props: &PredictProps) -> Html {
    let i18n = use_i18n();
    let exercises = for_page(props.route.path());
    if exercises.is_empty() {
        return html! {};
    }
    html! {
        <section class="card predict" data-testid="predict" aria-labelledby="predict-title">
            <h2 id="predict-title">{ i18n.t("predict.title") }</h2>
            <p class="help">{ i18n.t("predict.lede") }</p>
            <ol class="exercises">
                { for exercises.into_iter().enumerate().map(|(n, e)| html! {
                    <ExerciseCard key={e.id.clone()} exercise={e} n={n + 1} />
                }) }
            </ol>
        </section>
    }
}

/// Runs the exercise's lines through the console's evaluator (live ones through the
/// companion), and hands the card what Python printed.
#[cfg(feature = "evaluator")]
fn run(e: &'static Exercise, companion: Companion, store: UseReducerHandle<CardStore>) {
    use crate::host::{LiveHost, Unwatched};
    let host = LiveHost::new(companion, Rc::new(Unwatched));
    wasm_bindgen_futures::spawn_local(async move {
        let answer: Answer = e.run(&host).await;
        store.dispatch(Action::Ran(answer));
    });
}

/// The lite build has no evaluator: it hands the card the answer the evaluator computed, as
/// core wrote it down. Its pages ask only computed exercises (the live ones are on the pages of
/// the builds with the evaluator; core's tests check both).
#[cfg(not(feature = "evaluator"))]
#[allow(clippy::needless_pass_by_value)] // the evaluator's signature, which moves both
fn run(e: &'static Exercise, _: Companion, store: UseReducerHandle<CardStore>) {
    // Should a live one get here, the card says it cannot be run (`predict.unavailable`).
    let answer = e.answer().unwrap_or(Answer {
        printed: String::new(),
        raised: false,
        unavailable: true,
    });
    store.dispatch(Action::Ran(answer));
}

/// Props of [`ExerciseCard`].
#[derive(Properties, PartialEq)]
struct CardProps {
    exercise: &'static Exercise,
    /// Its number on the page, from 1.
    n: usize,
}

/// A card in yew: the plain [`Card`] behind a reducer.
#[derive(Default, PartialEq)]
struct CardStore(Card);

impl Reducible for CardStore {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<CardStore> {
        Rc::new(CardStore(self.0.clone().update(action)))
    }
}

#[function_component]
fn ExerciseCard(props: &CardProps) -> Html {
    let i18n = use_i18n();
    let companion = use_companion();
    let store = use_reducer(CardStore::default);
    let card = &store.0;
    let e = props.exercise;
    let solved =
        use_state(|| solved_from(crate::browser::load(SOLVED_KEY).as_deref()).contains(&e.id));
    let input_ref = use_node_ref();
    let card_ref = use_node_ref();
    let again_ref = use_node_ref();
    let act = {
        let store = store.clone();
        Callback::from(move |action: Action| store.dispatch(action))
    };
    // When the phase changes: a run starts (its answer comes back as `Ran`), a right answer is
    // remembered in this browser, and the focus follows what the learner did.
    {
        let store = store.clone();
        let solved = solved.clone();
        let (input_ref, card_ref, again_ref) =
            (input_ref.clone(), card_ref.clone(), again_ref.clone());
        let last = use_mut_ref(|| Phase::Open);
        use_effect_with(card.phase.clone(), move |phase| {
            let before = std::mem::replace(&mut *last.borrow_mut(), phase.clone());
            match phase {
                Phase::Running(_) => run(e, companion, store),
                Phase::Right => {
                    let stored = crate::browser::load(SOLVED_KEY);
                    crate::browser::store(SOLVED_KEY, &solved_with(stored.as_deref(), &e.id));
                    solved.set(true);
                }
                _ => {}
            }
            // The field was disabled while the lines ran: the focus goes to "Try again" after a
            // wrong answer, else back to the exercise (where `r` works and Tab reaches its
            // buttons), and to the field after "Try again".
            let target = match (&before, phase) {
                (Phase::Running(_), Phase::Wrong(_) | Phase::Unavailable) => {
                    again_ref.cast::<web_sys::HtmlElement>()
                }
                (Phase::Running(_), _) => card_ref.cast::<web_sys::HtmlElement>(),
                (Phase::Wrong(_) | Phase::Unavailable, Phase::Open) => {
                    input_ref.cast::<web_sys::HtmlElement>()
                }
                _ => None,
            };
            if let Some(target) = target {
                let _ = target.focus();
            }
        });
    }

    let onsubmit = {
        let act = act.clone();
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            act.emit(Action::Check);
        })
    };
    let onkeydown = {
        let act = act.clone();
        Callback::from(move |ev: KeyboardEvent| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .is_some_and(|i| i.type_() == "text");
            if ev.key() == "r" && !typing && !(ev.ctrl_key() || ev.meta_key() || ev.alt_key()) {
                ev.prevent_default();
                act.emit(Action::Reveal);
            }
        })
    };
    let button = |key: &'static str, action: Action, testid: &'static str| {
        let act = act.clone();
        let node = if action == Action::Again {
            again_ref.clone()
        } else {
            NodeRef::default()
        };
        html! {
            <button ref={node} type="button" class="link-btn" data-testid={testid}
                onclick={Callback::from(move |_| act.emit(action.clone()))}>{ i18n.t(key) }</button>
        }
    };
    let running = matches!(card.phase, Phase::Running(_));
    let settled = matches!(card.phase, Phase::Right | Phase::Revealed);

    let question = e.setup.iter().map(|l| html! {
        <><span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in">{ l }</code>{"\n"}</>
    });
    let answer_field = if e.choices.is_empty() {
        let oninput = {
            let act = act.clone();
            Callback::from(move |ev: InputEvent| {
                act.emit(Action::Say(
                    ev.target_unchecked_into::<HtmlInputElement>().value(),
                ));
            })
        };
        html! {
            <label class="field wide"><span>{ i18n.t("predict.your_answer") }</span>
                <input ref={input_ref.clone()} data-testid="predict-input" class="mono" type="text"
                    spellcheck="false" autocomplete="off" value={card.said.clone()}
                    disabled={running || settled} {oninput} />
            </label>
        }
    } else {
        let name = format!("predict-{}", e.id);
        html! {
            <fieldset class="choices" disabled={running || settled}>
                <legend>{ i18n.t("predict.pick") }</legend>
                { for e.choices.iter().enumerate().map(|(k, c)| {
                    let act = act.clone();
                    let value = c.clone();
                    let onchange = Callback::from(move |_: Event| act.emit(Action::Say(value.clone())));
                    html! {
                        <label class="choice">
                            <input type="radio" name={name.clone()} data-testid="predict-choice"
                                ref={if k == 0 { input_ref.clone() } else { NodeRef::default() }}
                                value={c.clone()} checked={card.said == *c} {onchange} />
                            <code>{ c }</code>
                        </label>
                    }
                }) }
            </fieldset>
        }
    };
    let verdict = match &card.phase {
        Phase::Open => html! {},
        Phase::Running(_) => html! {
            <p class="muted" data-testid="predict-running" role="status">{ i18n.t("predict.running") }</p>
        },
        Phase::Wrong(said) => html! {
            <div class="verdict wrong" data-testid="predict-wrong" role="status">
                <p>{ i18n.f("predict.wrong", &[("said", said.trim())]) }</p>
                <p>{ button("predict.again", Action::Again, "predict-again") }{" · "}{ button("predict.reveal", Action::Reveal, "predict-reveal") }</p>
            </div>
        },
        Phase::Unavailable => html! {
            <div class="verdict wrong" data-testid="predict-unavailable" role="status">
                <p>{ i18n.t("predict.unavailable") }</p>
                <p>{ button("predict.again", Action::Again, "predict-again") }</p>
            </div>
        },
        Phase::Right => html! {
            <p class="verdict right ok-line" data-testid="predict-right" role="status">
                <span class="ok-mark" aria-hidden="true">{"✓ "}</span>{ i18n.t("predict.right") }
            </p>
        },
        Phase::Revealed => html! {},
    };
    let shown = card.shown().map(|a| {
        let class = if a.raised { "py-err" } else { "py-out" };
        html! {
            <div class="predict-answer" data-testid="predict-answer">
                <p class="label">{ i18n.t("predict.prints") }</p>
                <pre class="py"><span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in">{ &e.line }</code>{"\n"}<code class={class} data-testid="predict-printed">{ &a.printed }</code></pre>
                <p class="why" data-testid="predict-why"><strong>{ i18n.t("predict.why") }</strong>{" "}{ i18n.t(&e.why_key()) }</p>
            </div>
        }
    });
    let title = i18n.f("predict.card", &[("n", &props.n.to_string())]);
    html! {
        <li ref={card_ref} class="exercise" tabindex="0" data-testid="predict-exercise" data-id={e.id.clone()}
            data-phase={phase_name(&card.phase)} aria-label={title.clone()}
            aria-keyshortcuts="r" title={i18n.t("predict.keys").to_owned()} {onkeydown}>
            <div class="exercise-head">
                <span class="exercise-n">{ title }</span>
                if e.live {
                    <span class="badge" data-testid="predict-live">{ i18n.t("predict.live") }</span>
                }
                if *solved {
                    <span class="tick ok-mark" data-testid="predict-tick" role="img"
                        aria-label={i18n.t("predict.solved").to_owned()} title={i18n.t("predict.solved").to_owned()}>{"✓"}</span>
                }
            </div>
            <p class="question">{ i18n.t("predict.question") }</p>
            <pre class="py" data-testid="predict-question">{ for question }<span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in py-asked">{ &e.line }</code></pre>
            <form class="controls" {onsubmit}>
                // Revealed without an answer: no empty field to show.
                if !(settled && card.said.is_empty()) {
                    { answer_field }
                }
                if !settled && !matches!(card.phase, Phase::Wrong(_)) {
                    <button type="submit" class="run-btn" data-testid="predict-check"
                        disabled={running || !card.can_check()}>{ i18n.t("predict.check") }</button>
                    if matches!(card.phase, Phase::Open) {
                        { button("predict.reveal", Action::Reveal, "predict-reveal") }
                    }
                }
            </form>
            { verdict }
            { for shown }
        </li>
    }
}

/// The phase as `data-phase` says it, for tests and styles.
fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Open => "open",
        Phase::Running(Purpose::Check) => "checking",
        Phase::Running(Purpose::Reveal) => "revealing",
        Phase::Wrong(_) => "wrong",
        Phase::Right => "right",
        Phase::Revealed => "revealed",
        Phase::Unavailable => "unavailable",
    }
}
