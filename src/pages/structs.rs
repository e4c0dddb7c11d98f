//! struct: pack and unpack with any format, every byte annotated with its field, calcsize with
//! the alignment explained, and the native layout on several platforms side by side.
//!
//! The state lives in the URL (`?fmt=>HH4s&args=1,2,b'data'`), so a link shows the same.

pub mod state;

use crate::components::python::PyCallView;
use crate::components::segmented::{Segment, Segmented};
use crate::i18n::{use_i18n, I18n};
use crate::pages::{dispatch_to, input_value, use_page_store, PageProps};
use socklab_core::pyerror::PyException;
use socklab_core::pystruct::Abi;
use state::{Action, Cell, FieldRow, Input, Mode, Preset, Role, StructState, StructView};
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The struct page.
#[function_component]
pub fn StructPage(props: &PageProps<StructState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    // The field under the pointer or the keyboard focus: its bytes and its legend row light up.
    let lit = use_state(|| None::<usize>);
    let s = &store.0;
    let view = use_memo(s.clone(), StructState::view);
    let dispatch = |f: fn(String) -> Action| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| store.dispatch(f(input_value(&e))))
    };

    let presets = Preset::ALL.iter().map(|&p| {
        let store = store.clone();
        html! {
            <button type="button" class="chip" data-testid={format!("preset-{}", p.name())}
                onclick={Callback::from(move |_| store.dispatch(Action::Preset(p)))}>
                { i18n.t(p.key()) }
            </button>
        }
    });
    let modes = vec![
        Segment::new(Mode::Pack, i18n.t("st.pack"), "st-mode-pack"),
        Segment::new(Mode::Unpack, i18n.t("st.unpack"), "st-mode-unpack"),
    ];
    let error = view.result.as_ref().err();
    let caret_for = |input: Input, text: &str| -> Html {
        match (error, view.error_in) {
            (Some(e), Some(at)) if at == input => caret(text, e),
            _ => html! {},
        }
    };
    let abi_select = {
        let store = store.clone();
        let onchange = Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(abi) = Abi::from_name(&name) {
                store.dispatch(Action::SetAbi(abi));
            }
        });
        html! {
            <label class="field">
                <span>{ i18n.t("st.platform") }</span>
                <select data-testid="st-abi" {onchange}>
                    { for Abi::ALL.iter().map(|a| html! {
                        <option value={a.name()} selected={*a == s.abi}>{ a.title() }</option>
                    }) }
                </select>
            </label>
        }
    };

    let inputs = match s.mode {
        Mode::Pack => html! {
            <label class="field wide">
                <span>{ i18n.t("st.values") }</span>
                <input data-testid="st-args" type="text" spellcheck="false" autocomplete="off"
                    value={s.args.clone()} oninput={dispatch(Action::SetArgs)} />
                { caret_for(Input::Args, &s.args) }
            </label>
        },
        Mode::Unpack => {
            let store = store.clone();
            let iter = s.iter;
            html! {
                <>
                    <label class="field wide">
                        <span>{ i18n.t("st.bytes") }</span>
                        <input data-testid="st-data" type="text" spellcheck="false" autocomplete="off"
                            value={s.data.clone()} oninput={dispatch(Action::SetData)} />
                    </label>
                    <label class="check">
                        <input type="checkbox" data-testid="st-iter" checked={iter}
                            onchange={Callback::from(move |_| store.dispatch(Action::SetIter(!iter)))} />
                        <code>{"iter_unpack"}</code>
                    </label>
                </>
            }
        }
    };
    let help = match s.mode {
        Mode::Pack => "st.values_help",
        Mode::Unpack => "st.bytes_help",
    };
    let unpack_these = view.packed.as_ref().map(|_| {
        let store = store.clone();
        html! {
            <button type="button" class="link-btn" data-testid="st-unpack-these"
                onclick={Callback::from(move |_| store.dispatch(Action::UnpackThese))}>
                { i18n.t("st.unpack_these") }
            </button>
        }
    });

    html! {
        <article class="page" data-page="struct">
            <header class="page-head">
                <h1>{ i18n.t("st.title") }</h1>
                <p class="lede">{ i18n.t("st.lede") }</p>
            </header>

            <section class="card" aria-labelledby="st-calc">
                <h2 id="st-calc">{ i18n.t("st.calculator") }</h2>
                <div class="presets" role="group" aria-label={i18n.t("st.presets").to_owned()}>
                    <span class="label">{ i18n.t("st.presets") }</span>
                    { for presets }
                </div>
                <div class="controls">
                    <Segmented<Mode> label={i18n.t("st.mode").to_owned()} options={modes} current={s.mode}
                        onchange={dispatch_to(&store, Action::SetMode)} />
                    <label class="field">
                        <span>{ i18n.t("st.format") }</span>
                        <input data-testid="st-format" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.format.clone()} oninput={dispatch(Action::SetFormat)} />
                        { caret_for(Input::Format, &s.format) }
                    </label>
                    { inputs }
                </div>
                <p class="help">{ i18n.t("st.format_help") }{" "}{ i18n.t(help) }</p>
                <div data-testid="st-call">
                    <PyCallView code={view.call.clone()} result={view.result.clone()} />
                </div>
                { for unpack_these }
            </section>

            <section class="card" aria-labelledby="st-bytes">
                <h2 id="st-bytes">{ i18n.t("st.annotated") }</h2>
                { annotated(&i18n, &view, &lit) }
            </section>

            <section class="card" aria-labelledby="st-size">
                <h2 id="st-size">{ i18n.t("st.calcsize") }</h2>
                { calcsize(&i18n, &view) }
            </section>

            <section class="card" aria-labelledby="st-abis">
                <h2 id="st-abis">{ i18n.t("st.platforms") }</h2>
                if view.platforms.is_empty() {
                    <p class="muted" data-testid="st-standard-note">{ i18n.t("st.standard_note") }</p>
                } else {
                    <p>{ i18n.t("st.platforms_lede") }</p>
                    <div class="controls">{ abi_select }</div>
                    { platforms(&i18n, &view, s.abi) }
                }
            </section>
        </article>
    }
}

/// The input's text with the culprit marked and a caret line under it.
fn caret(text: &str, e: &PyException) -> Html {
    let Some(span) = e.span.clone() else {
        return html! {};
    };
    if span.end > text.len()
        || !text.is_char_boundary(span.start)
        || !text.is_char_boundary(span.end)
    {
        return html! {};
    }
    let before = &text[..span.start];
    let marked = &text[span.clone()];
    let pad: String = before.chars().map(|_| ' ').collect();
    let carets: String = marked.chars().map(|_| '^').collect();
    html! {
        <pre class="caret" data-testid="st-caret" aria-hidden="true">
            { before }<mark>{ marked }</mark>{ &text[span.end..] }{"\n"}{ pad }<span class="caret-marks">{ carets }</span>
        </pre>
    }
}

fn field_class(index: usize) -> String {
    format!("f{}", index % 8)
}

fn annotated(i18n: &I18n, view: &StructView, lit: &UseStateHandle<Option<usize>>) -> Html {
    if view.layout.is_err() {
        return html! { <p class="muted">{ i18n.t("st.no_layout") }</p> };
    }
    if view.total_bytes == 0 {
        return html! { <p class="muted">{ i18n.t("st.empty") }</p> };
    }
    let cells = view.cells.iter().map(|c| cell(i18n, c, view, lit));
    let rows = view.fields.iter().map(|f| legend_row(i18n, f, lit));
    let light = Light::new(lit);
    let legend_light = light.clone();
    html! {
        <>
            <p class="facts">{ i18n.f("st.total", &[("n", &view.total_bytes.to_string())]) }
                if (view.cells.len() as u64) < view.total_bytes {
                    {" · "}{ i18n.f("st.truncated", &[("n", &view.cells.len().to_string())]) }
                }
            </p>
            <ol class="hexview" data-testid="st-hex" aria-label={i18n.t("st.annotated").to_owned()}
                onmouseover={light.over} onmouseout={light.out}
                onfocusin={light.focus_in} onfocusout={light.focus_out}>{ for cells }</ol>
            <div class="table-wrap">
                <table class="legend"
                    onmouseover={legend_light.over} onmouseout={legend_light.out}
                    onfocusin={legend_light.focus_in} onfocusout={legend_light.focus_out}>
                    <thead><tr>
                        <th scope="col">{ i18n.t("st.col_field") }</th>
                        <th scope="col">{ i18n.t("st.col_type") }</th>
                        <th scope="col">{ i18n.t("st.col_offset") }</th>
                        <th scope="col">{ i18n.t("st.col_size") }</th>
                        <th scope="col">{ i18n.t("st.col_values") }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </>
    }
}

/// The field of the cell or legend row an event happened in or went to (`data-field`).
fn field_at(target: Option<web_sys::EventTarget>) -> Option<usize> {
    let element: web_sys::Element = target?.dyn_into().ok()?;
    element
        .closest("[data-field]")
        .ok()??
        .get_attribute("data-field")?
        .parse()
        .ok()
}

/// The handlers that light the field under the pointer or the keyboard focus, set once on the
/// hex view and once on the legend rather than on each cell and row: with 64 fields, making
/// four callbacks for each of 240 cells and 64 rows on every render (and yew swapping every
/// listener, since new callbacks never equal the old) was most of a keystroke's time. Leaving
/// a field clears the light only if it is still that field's and the pointer or focus went to
/// no other field (focus may have moved on).
#[derive(Clone)]
struct Light {
    over: Callback<MouseEvent>,
    out: Callback<MouseEvent>,
    focus_in: Callback<FocusEvent>,
    focus_out: Callback<FocusEvent>,
}

impl Light {
    fn new(lit: &UseStateHandle<Option<usize>>) -> Light {
        let enter = {
            let lit = lit.clone();
            move |target| {
                if let Some(field) = field_at(target) {
                    if *lit != Some(field) {
                        lit.set(Some(field));
                    }
                }
            }
        };
        let leave = {
            let lit = lit.clone();
            move |from, to| {
                let (from, to) = (field_at(from), field_at(to));
                if from.is_some() && from != to && *lit == from {
                    lit.set(to);
                }
            }
        };
        let (enter2, leave2) = (enter.clone(), leave.clone());
        Light {
            over: Callback::from(move |e: MouseEvent| enter(e.target())),
            out: Callback::from(move |e: MouseEvent| leave(e.target(), e.related_target())),
            focus_in: Callback::from(move |e: FocusEvent| enter2(e.target())),
            focus_out: Callback::from(move |e: FocusEvent| leave2(e.target(), e.related_target())),
        }
    }
}

fn cell(i18n: &I18n, c: &Cell, view: &StructView, lit: &UseStateHandle<Option<usize>>) -> Html {
    let field = c.role.field();
    let (kind, label) = match c.role {
        Role::Value { .. } => (
            "value",
            view.fields
                .get(field)
                .map(|f| f.text.clone())
                .unwrap_or_default(),
        ),
        Role::Pad { .. } => ("pad", i18n.t("st.pad").to_owned()),
        Role::Align { .. } => ("align", i18n.t("st.align_pad").to_owned()),
    };
    let hex = c
        .byte
        .map_or_else(|| "··".to_owned(), |b| format!("{b:02x}"));
    let on = **lit == Some(field);
    html! {
        <li class={classes!("cell", kind, field_class(field), on.then_some("hl"))} tabindex="0"
            data-field={field.to_string()} data-kind={kind}
            title={format!("{} · offset {}", label, c.offset)}
            aria-label={i18n.f("a11y.byte", &[("offset", &c.offset.to_string()), ("value", &hex), ("field", &label)])}>
            <span class="cell-off" aria-hidden="true">{ c.offset }</span>
            <span class="cell-hex" aria-hidden="true">{ hex }</span>
        </li>
    }
}

fn legend_row(i18n: &I18n, f: &FieldRow, lit: &UseStateHandle<Option<usize>>) -> Html {
    let on = **lit == Some(f.index);
    let values = if f.values.is_empty() {
        html! { <span class="muted">{"—"}</span> }
    } else {
        html! { <code class="py-out">{ f.values.join(", ") }</code> }
    };
    html! {
        <tr class={classes!(field_class(f.index), on.then_some("hl"))} tabindex="0" data-field={f.index.to_string()}>
            <th scope="row"><span class="swatch" aria-hidden="true"></span><code>{ &f.text }</code></th>
            <td>{ i18n.t(f.key) }</td>
            <td>{ f.offset }</td>
            <td>{ f.len }</td>
            <td>{ values }</td>
        </tr>
    }
}

fn calcsize(i18n: &I18n, view: &StructView) -> Html {
    let result = view
        .layout
        .as_ref()
        .map(|l| l.size.to_string())
        .map_err(Clone::clone);
    let notes: Vec<Html> = view
        .fields
        .iter()
        .filter(|f| f.pad_before > 0)
        .map(|f| {
            let key = if f.pad_before == 1 {
                "st.pad_note_one"
            } else {
                "st.pad_note"
            };
            html! {
                <li>{ i18n.f(key, &[
                    ("n", &f.pad_before.to_string()),
                    ("code", &f.code.to_string()),
                    ("offset", &f.offset.to_string()),
                    ("align", &f.align.to_string()),
                ]) }</li>
            }
        })
        .collect();
    let native = view
        .layout
        .as_ref()
        .is_ok_and(|l| l.prefix == socklab_core::pystruct::Prefix::Native);
    html! {
        <>
            <PyCallView code={view.calcsize_call.clone()} result={result} />
            if !notes.is_empty() {
                <ul class="notes" data-testid="st-pad-notes">{ for notes }</ul>
            } else if view.layout.is_ok() {
                <p class="muted">{ i18n.t(if native { "st.no_padding_native" } else { "st.no_padding_standard" }) }</p>
            }
            <p class="help">{ i18n.t("st.align_rule") }</p>
        </>
    }
}

fn platforms(i18n: &I18n, view: &StructView, chosen: Abi) -> Html {
    let head = view.platforms.iter().map(|p| {
        html! { <th scope="col" class={classes!((p.abi == chosen).then_some("chosen"))}>{ p.abi.title() }</th> }
    });
    let base: Vec<u64> = view
        .platforms
        .first()
        .map(|p| p.offsets.clone())
        .unwrap_or_default();
    let rows = view.fields.iter().enumerate().map(|(i, f)| {
        let cols = view.platforms.iter().map(|p| {
            let offset = p.offsets.get(i).copied();
            let differs = offset != base.get(i).copied();
            html! { <td class={classes!(differs.then_some("differs"))}>{ offset.map_or_else(String::new, |o| o.to_string()) }</td> }
        });
        html! {
            <tr><th scope="row"><code>{ &f.text }</code></th>{ for cols }</tr>
        }
    });
    let base_size = view
        .platforms
        .first()
        .and_then(|p| p.size.as_ref().ok().copied());
    let sizes = view.platforms.iter().map(|p| {
        let (text, differs) = match &p.size {
            Ok(n) => (n.to_string(), Some(*n) != base_size),
            Err(e) => (e.traceback_line(), true),
        };
        html! { <td class={classes!(differs.then_some("differs"))}><strong>{ text }</strong></td> }
    });
    html! {
        <div class="table-wrap">
            <table class="abis" data-testid="st-abis">
                <thead><tr><th scope="col">{ i18n.t("st.col_offset_of") }</th>{ for head }</tr></thead>
                <tbody>
                    { for rows }
                    <tr class="total"><th scope="row"><code>{"calcsize"}</code></th>{ for sizes }</tr>
                </tbody>
            </table>
        </div>
    }
}
