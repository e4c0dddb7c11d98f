//! 字节序 Byte order: an integer to bytes in both orders, htons and friends, and bytes back.
//!
//! The state lives in the URL (`?v=256&w=2`), so a reload or a shared link shows the same.

pub mod state;

use crate::components::bytes::{ByteBits, ByteBoxes};
use crate::components::python::{PyCallView, PyErrorView};
use crate::components::segmented::{Segment, Segmented};
use crate::i18n::use_i18n;
use crate::pages::{dispatch_to, input_value, use_page_store, PageProps, Store};
use socklab_core::byteorder::{Endian, SwapFn};
use socklab_core::pyfloat::{FloatCode, FloatKind};
use state::{byte_bits, Action, ByteOrderState, Encoding, FloatView, WIDTHS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// The byte-order page.
#[function_component]
pub fn ByteOrderPage(props: &PageProps<ByteOrderState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = &store.0;
    let view = use_memo(s.clone(), ByteOrderState::view);
    let dispatch = |f: fn(String) -> Action| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| store.dispatch(f(input_value(&e))))
    };
    let toggle = |f: fn(bool) -> Action| {
        let store = store.clone();
        Callback::from(move |e: Event| store.dispatch(f(checked(&e))))
    };

    let widths: Vec<_> = WIDTHS
        .iter()
        .map(|&w| {
            let label = i18n.f("bo.bytes_n", &[("n", &w.to_string())]);
            Segment::new(w, label, format!("width-{w}"))
        })
        .collect();

    let facts = view.number.as_ref().map(|n| {
        html! {
            <p class="facts" data-testid="facts">
                <code>{ &n.decimal }</code>{" = "}<code>{ &n.hex }</code>{" · "}
                <code>{"bit_length() = "}{ n.bit_length }</code>{" · "}
                { i18n.f(if s.signed { "bo.needs_signed" } else { "bo.needs_unsigned" }, &[("bits", &n.needed_bits.to_string())]) }
            </p>
        }
    });

    let encodings = match &view.encodings {
        Err(e) => html! { <PyErrorView error={e.clone()} /> },
        Ok(encs) => html! {
            <div class="orders">{ for encs.iter().map(|enc| encoding_card(&i18n, enc, store.clone())) }</div>
        },
    };

    let host_radio = |endian: Endian, key: &'static str| {
        let store = store.clone();
        html! {
            <label class="radio">
                <input type="radio" name="bo-host" checked={s.host == endian}
                    onchange={Callback::from(move |_| store.dispatch(Action::SetHost(endian)))} />
                { i18n.t(key) }
            </label>
        }
    };

    let swap_rows = view.swaps.iter().map(|row| {
        let desc = match row.func {
            SwapFn::Ntohl => "bo.ntohl",
            SwapFn::Ntohs => "bo.ntohs",
            SwapFn::Htonl => "bo.htonl",
            SwapFn::Htons => "bo.htons",
        };
        let result = match &row.result {
            Ok((dec, hex)) => html! { <><code class="py-out">{ dec }</code>{" "}<span class="muted">{"= "}{ hex }</span></> },
            Err(e) => html! { <code class="py-err">{ e.traceback_line() }</code> },
        };
        html! {
            <tr data-testid={format!("swap-{}", row.func.name())}>
                <th scope="row"><code>{ format!("socket.{}(x)", row.func.name()) }</code></th>
                <td class="desc">{ i18n.t(desc) }</td>
                <td><code class="py-in">{ &row.call }</code></td>
                <td>{ result }</td>
            </tr>
        }
    });
    let swap_hint = view
        .swaps
        .iter()
        .find_map(|r| r.result.as_ref().err())
        .and_then(|e| e.hint.clone());

    let reading = match &view.reading {
        Err(e) => html! { <PyErrorView error={e.clone()} /> },
        Ok(r) => html! {
            <>
                <p class="facts">{ i18n.f("bo.read_len", &[("n", &r.len.to_string())]) }</p>
                <div class="calls">{ for r.calls.iter().map(|c| html! { <PyCallView code={c.code.clone()} result={c.result.clone()} /> }) }</div>
            </>
        },
    };

    let float_codes: Vec<_> = FloatCode::ALL
        .iter()
        .map(|&c| {
            let label = format!(
                "{} · {}",
                c.char(),
                i18n.f("bo.bytes_n", &[("n", &c.size().to_string())])
            );
            Segment::new(c, label, format!("float-{}", c.char()))
        })
        .collect();
    let float_body = match &view.float {
        Err(e) => html! { <PyErrorView error={e.clone()} /> },
        Ok(f) => float_view(&i18n, f),
    };

    html! {
        <article class="page" data-page="byte-order">
            <header class="page-head">
                <h1>{ i18n.t("bo.title") }</h1>
                <p class="lede">{ i18n.t("bo.lede") }</p>
            </header>

            <section class="card" aria-labelledby="bo-to-bytes">
                <h2 id="bo-to-bytes">{ i18n.t("bo.to_bytes") }</h2>
                <div class="controls">
                    <label class="field">
                        <span>{ i18n.t("bo.value") }</span>
                        <input id="bo-value" data-testid="bo-value" type="text" inputmode="text" spellcheck="false"
                            autocomplete="off" value={s.value.clone()} oninput={dispatch(Action::SetValue)} />
                    </label>
                    <div class="field" role="group" aria-label={i18n.t("bo.width").to_owned()}>
                        <span>{ i18n.t("bo.width") }</span>
                        <Segmented<usize> options={widths} current={s.width} onchange={dispatch_to(&store, Action::SetWidth)} />
                    </div>
                    <label class="check">
                        <input type="checkbox" data-testid="bo-signed" checked={s.signed} onchange={toggle(Action::SetSigned)} />
                        { i18n.t("bo.signed") }
                    </label>
                </div>
                <p class="help">{ i18n.t("bo.value_help") }</p>
                { for facts }
                { encodings }
            </section>

            <section class="card" aria-labelledby="bo-swap">
                <h2 id="bo-swap">{ i18n.t("bo.swap_title") }</h2>
                <p>{ i18n.t("bo.swap_lede") }</p>
                <div class="controls" role="radiogroup" aria-label={i18n.t("bo.host").to_owned()}>
                    <span class="label">{ i18n.t("bo.host") }</span>
                    { host_radio(Endian::Little, "bo.host_little") }
                    { host_radio(Endian::Big, "bo.host_big") }
                </div>
                if view.swaps.is_empty() {
                    <p class="muted">{ i18n.t("bo.swap_needs_int") }</p>
                } else {
                    <div class="table-wrap">
                        <table class="swap">
                            <thead><tr>
                                <th scope="col">{ i18n.t("bo.col_function") }</th>
                                <th scope="col">{ i18n.t("bo.col_meaning") }</th>
                                <th scope="col">{ i18n.t("bo.col_call") }</th>
                                <th scope="col">{ i18n.t("bo.col_result") }</th>
                            </tr></thead>
                            <tbody>{ for swap_rows }</tbody>
                        </table>
                    </div>
                }
                if let Some(hint) = swap_hint {
                    <p class="hint"><span class="hint-mark" aria-hidden="true">{"→ "}</span>{ i18n.hint(&hint) }</p>
                }
            </section>

            <section class="card" aria-labelledby="bo-floats">
                <h2 id="bo-floats">{ i18n.t("bo.floats") }</h2>
                <p>{ i18n.t("bo.floats_lede") }</p>
                <div class="controls">
                    <label class="field">
                        <span>{ i18n.t("bo.float_value") }</span>
                        <input data-testid="bo-float" type="text" spellcheck="false" autocomplete="off"
                            value={s.float.clone()} oninput={dispatch(Action::SetFloat)} />
                    </label>
                    <div class="field" role="group" aria-label={i18n.t("bo.float_format").to_owned()}>
                        <span>{ i18n.t("bo.float_format") }</span>
                        <Segmented<FloatCode> options={float_codes} current={s.float_code}
                            onchange={dispatch_to(&store, Action::SetFloatCode)} />
                    </div>
                </div>
                <p class="help">{ i18n.t("bo.float_help") }</p>
                { float_body }
            </section>

            <section class="card" aria-labelledby="bo-from-bytes">
                <h2 id="bo-from-bytes">{ i18n.t("bo.from_bytes") }</h2>
                <div class="controls">
                    <label class="field wide">
                        <span>{ i18n.t("bo.bytes") }</span>
                        <input id="bo-bytes" data-testid="bo-bytes" type="text" spellcheck="false" autocomplete="off"
                            value={s.bytes.clone()} oninput={dispatch(Action::SetBytes)} />
                    </label>
                    <label class="check">
                        <input type="checkbox" checked={s.bytes_signed} onchange={toggle(Action::SetBytesSigned)} />
                        { i18n.t("bo.signed") }
                    </label>
                </div>
                <p class="help">{ i18n.t("bo.bytes_help") }</p>
                { reading }
            </section>
        </article>
    }
}

fn encoding_card(
    i18n: &crate::i18n::I18n,
    enc: &Encoding,
    store: UseReducerHandle<Store<ByteOrderState>>,
) -> Html {
    let (title, note, order) = match enc.order {
        Endian::Big => ("bo.big", "bo.big_note", "big"),
        Endian::Little => ("bo.little", "bo.little_note", "little"),
    };
    let body = match &enc.bytes {
        Ok(bytes) => {
            let hex = socklab_core::pyrepr::hex_spaced(bytes);
            let fields = bit_fields(i18n, enc.order, bytes.len());
            html! {
                <>
                    <ByteBoxes bytes={bytes.clone()} label={i18n.t(title).to_owned()} fields={fields.clone()} />
                    if enc.bits.is_some() {
                        <div class="bits"><span class="label" aria-hidden="true">{ i18n.t("bo.bits") }</span>
                            <ByteBits bytes={bytes.clone()} label={format!("{} · {}", i18n.t("bo.bits"), i18n.t(title))} {fields} /></div>
                    }
                    <button type="button" class="link-btn" onclick={Callback::from(move |_| store.dispatch(Action::UseBytes(hex.clone())))}>
                        { i18n.t("bo.read_back") }
                    </button>
                </>
            }
        }
        Err(_) => html! {},
    };
    html! {
        <div class="order" data-order={order}>
            <h3>{ i18n.t(title) }<small>{ i18n.t(note) }</small></h3>
            { body }
            <div class="calls">{ for enc.calls.iter().map(|c| html! { <PyCallView code={c.code.clone()} result={c.result.clone()} /> }) }</div>
        </div>
    }
}

/// Each byte's field for a screen reader: the bits of the value it holds ("bits 15–8").
fn bit_fields(i18n: &crate::i18n::I18n, order: Endian, width: usize) -> Vec<String> {
    (0..width)
        .map(|i| {
            let (high, low) = byte_bits(order, width, i);
            i18n.f(
                "bo.byte_bits",
                &[("high", &high.to_string()), ("low", &low.to_string())],
            )
        })
        .collect()
}

fn float_view(i18n: &crate::i18n::I18n, f: &FloatView) -> Html {
    let p = &f.parts;
    let exponent = match p.power {
        Some(power) if p.kind == FloatKind::Subnormal => i18n.f(
            "bo.float_exp_subnormal",
            &[("power", &power.to_string()), ("bias", &p.bias.to_string())],
        ),
        Some(power) => i18n.f(
            "bo.float_exp_normal",
            &[
                ("field", &p.exponent_field.to_string()),
                ("bias", &p.bias.to_string()),
                ("power", &power.to_string()),
            ],
        ),
        None => i18n.t("bo.float_exp_special").to_owned(),
    };
    let exact = if p.exact {
        i18n.t("bo.float_exact").to_owned()
    } else {
        i18n.f("bo.float_inexact", &[("stored", &p.stored_repr)])
    };
    html! {
        <div class="float" data-testid="float-parts" data-kind={format!("{:?}", p.kind)}>
            <ByteBoxes bytes={p.big_endian.clone()} label={i18n.t("bo.big").to_owned()}
                fields={bit_fields(i18n, Endian::Big, p.big_endian.len())} />
            <p class="fbits">
                <span class="sr-only">{ i18n.t("bo.bits") }{": "}</span>
                <code class="fb-sign" title={i18n.t("bo.float_sign").to_owned()}><span class="sr-only">{ i18n.t("bo.float_sign") }{" "}</span>{ if p.sign { "1" } else { "0" } }</code>
                <code class="fb-exp" title={i18n.t("bo.float_exponent").to_owned()}><span class="sr-only">{ i18n.t("bo.float_exponent") }{" "}</span>{ &p.exponent_bits }</code>
                <code class="fb-man" title={i18n.t("bo.float_mantissa").to_owned()}><span class="sr-only">{ i18n.t("bo.float_mantissa") }{" "}</span>{ &p.mantissa_bits }</code>
            </p>
            <dl class="fparts">
                <dt><span class="swatch fb-sign-bg" aria-hidden="true"></span>{ i18n.t("bo.float_sign") }</dt>
                <dd>{ if p.sign { i18n.t("bo.float_negative") } else { i18n.t("bo.float_positive") } }</dd>
                <dt><span class="swatch fb-exp-bg" aria-hidden="true"></span>{ i18n.t("bo.float_exponent") }</dt>
                <dd>{ exponent }</dd>
                <dt><span class="swatch fb-man-bg" aria-hidden="true"></span>{ i18n.t("bo.float_mantissa") }</dt>
                <dd>{ i18n.t(p.kind.catalog_key()) }</dd>
            </dl>
            <p class="facts" data-testid="float-exact">{ exact }</p>
            <div class="calls">{ for f.calls.iter().map(|c| html! { <PyCallView code={c.code.clone()} result={c.result.clone()} /> }) }</div>
        </div>
    }
}
