//! 文本与编码 Text and encodings: each character's code point and bytes in every codec, the byte
//! counts, `str.encode` and `bytes.decode` with CPython's errors, and the seed's advice on BOMs
//! and declaring the encoding in a protocol.

pub mod state;

use crate::components::python::PyCallView;
use crate::i18n::use_i18n;
use crate::pages::structs::state::Preset;
use crate::pages::{input_value, use_page_store, PageProps};
use socklab_core::codec::{Codec, Errors};
use state::{guess_preset_label, Action, TextState, COLUMNS, GUESS_PRESETS};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The text-encodings page.
#[function_component]
pub fn TextPage(props: &PageProps<TextState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = &store.0;
    let view = use_memo(s.clone(), TextState::view);
    let text_input = |f: fn(String) -> Action| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| store.dispatch(f(input_value(&e))))
    };
    // Texts that show what typing alone cannot: a lone surrogate, and an emoji's two UTF-16
    // halves as two separate code points.
    let examples = ["'a\\ud800b'", "'\\ud83d\\ude00'", "'\\U0001f600'"].map(|text| {
        let store = store.clone();
        html! {
            <button type="button" class="chip mono" data-testid="text-example"
                onclick={Callback::from(move |_| store.dispatch(Action::SetText(text.to_owned())))}>
                { text }
            </button>
        }
    });
    let codec_select = |current: Codec, f: fn(Codec) -> Action, id: &'static str| {
        let store = store.clone();
        let onchange = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(c) = Codec::from_name(&v) {
                store.dispatch(f(c));
            }
        });
        html! {
            <label class="field"><span>{ i18n.t("text.codec") }</span>
                <select data-testid={id} {onchange}>
                    { for Codec::ALL.iter().map(|c| html! { <option value={c.name()} selected={*c == current}>{ c.name() }</option> }) }
                </select>
            </label>
        }
    };
    let errors_select = |current: Errors, f: fn(Errors) -> Action, id: &'static str| {
        let store = store.clone();
        let onchange = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(x) = Errors::from_name(&v) {
                store.dispatch(f(x));
            }
        });
        html! {
            <label class="field"><span>{ "errors" }</span>
                <select data-testid={id} {onchange}>
                    { for Errors::ALL.iter().map(|x| html! { <option value={x.name()} selected={*x == current}>{ x.name() }</option> }) }
                </select>
            </label>
        }
    };
    let rows = view.chars.iter().map(|r| html! {
        <tr>
            <th scope="row"><span class={classes!("glyph", r.surrogate.then_some("escape"))}>{ &r.ch }</span></th>
            <td><code>{ &r.code_point }</code></td>
            { for r.bytes.iter().zip(COLUMNS).map(|(b, c)| html! {
                <td class="codec-bytes" data-label={c.name()}><code>{ b.clone().unwrap_or_else(|| "—".to_owned()) }</code></td>
            }) }
        </tr>
    });
    let totals = view.totals.iter().map(|(c, n)| html! {
        <li data-codec={c.name()}><code>{ c.name() }</code>{": "}<strong>{ n.map_or_else(|| "—".to_owned(), |n| n.to_string()) }</strong></li>
    });
    let decode_these = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::DecodeThese))
    };

    let presets = (0..GUESS_PRESETS.len()).map(|k| {
        let store = store.clone();
        let (text, codec) = guess_preset_label(k);
        let label = i18n.f("text.guess_preset", &[("text", &text), ("codec", codec)]);
        html! {
            <button type="button" class="chip" data-testid="guess-preset" aria-pressed={(s.guess_preset() == Some(k)).to_string()}
                onclick={Callback::from(move |_| store.dispatch(Action::GuessPreset(k)))}>{ label }</button>
        }
    });
    let guesses = view.guesses.iter().map(|c| html! {
        <div class="guess" data-testid="guess"><PyCallView code={c.code.clone()} result={c.result.clone()} /></div>
    });

    html! {
        <article class="page" data-page="text">
            <header class="page-head">
                <h1>{ i18n.t("text.title") }</h1>
                <p class="lede">{ i18n.t("text.lede") }</p>
            </header>
            <section class="card" aria-labelledby="text-encode">
                <h2 id="text-encode">{ i18n.t("text.encode") }</h2>
                <div class="controls">
                    <label class="field wide"><span>{ i18n.t("text.text") }</span>
                        <input data-testid="text-input" type="text" spellcheck="false" autocomplete="off"
                            value={s.text.clone()} oninput={text_input(Action::SetText)} />
                    </label>
                    { codec_select(s.codec, Action::SetCodec, "text-codec") }
                    { errors_select(s.errors, Action::SetErrors, "text-errors") }
                </div>
                <p class="help">{ i18n.t("text.literal_help") }{" "}{ for examples }</p>
                <div data-testid="text-encode-call"><PyCallView code={view.encode.code.clone()} result={view.encode.result.clone()} /></div>
                <button type="button" class="link-btn" data-testid="text-decode-these" onclick={decode_these}>{ i18n.t("text.decode_these") }</button>
                <h3>{ i18n.t("text.per_char") }</h3>
                <div class="table-wrap">
                    <table class="flags chars" data-testid="text-chars">
                        <thead><tr>
                            <th scope="col">{ i18n.t("text.char") }</th><th scope="col">{ i18n.t("text.code_point") }</th>
                            { for COLUMNS.iter().map(|c| html! { <th scope="col"><code>{ c.name() }</code></th> }) }
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
                <h3>{ i18n.t("text.totals") }</h3>
                <ul class="totals" data-testid="text-totals">{ for totals }</ul>
            </section>
            <section class="card" aria-labelledby="text-decode">
                <h2 id="text-decode">{ i18n.t("text.decode") }</h2>
                <div class="controls">
                    <label class="field wide"><span>{ i18n.t("text.bytes") }</span>
                        <input data-testid="text-data" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.data.clone()} oninput={text_input(Action::SetData)} />
                    </label>
                    { codec_select(s.dcodec, Action::SetDcodec, "text-dcodec") }
                    { errors_select(s.derrors, Action::SetDerrors, "text-derrors") }
                </div>
                <div data-testid="text-decode-call"><PyCallView code={view.decode.code.clone()} result={view.decode.result.clone()} /></div>
            </section>
            <section class="card" data-testid="text-guess" aria-labelledby="text-guess">
                <h2 id="text-guess">{ i18n.t("text.guess_title") }</h2>
                <p>{ i18n.t("text.guess_lede") }</p>
                <div class="presets">{ for presets }</div>
                <div class="controls">
                    <label class="field wide"><span>{ i18n.t("text.guess_bytes") }</span>
                        <input data-testid="guess-data" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.guess.clone()} oninput={text_input(Action::SetGuess)} />
                    </label>
                </div>
                <div class="guesses">{ for guesses }</div>
                <p>{ i18n.t("text.guess_why") }</p>
                <p class="advice-note" data-testid="guess-advice">{ i18n.t("text.guess_advice") }</p>
            </section>
            <section class="card" aria-labelledby="text-bom">
                <h2 id="text-bom">{ i18n.t("text.bom_title") }</h2>
                <p>{ i18n.t("text.bom_1") }</p>
                <p>{ i18n.t("text.bom_2") }</p>
                <p>{ i18n.t("text.header") }{" "}<a href={Preset::LengthPrefixed.href()}>{ i18n.t("text.header_link") }</a></p>
            </section>
        </article>
    }
}
