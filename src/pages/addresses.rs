//! 地址族 Address families: build an AF_INET or AF_INET6 tuple and see what Python makes of it
//! (the check, the classification, the C `sockaddr` bytes), compare inet_aton with inet_pton,
//! and read getaddrinfo's 5-tuples.

pub mod state;

use crate::components::python::{PyCallView, PyErrorView};
use crate::components::resolver::LiveGetaddrinfo;
use crate::components::segmented::{Segment, Segmented};
use crate::i18n::{use_i18n, I18n};
use crate::pages::{dispatch_to, input_value, use_page_store, PageProps};
use socklab_core::addr::Caller;
use socklab_core::inet::Family;
use state::{Action, AddressState, Checked, GaiForm, GAI_FLAGS};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The seed's getaddrinfo example, as CPython printed it there.
const SEED_GETADDRINFO: &str = "[(<AddressFamily.AF_INET6: 10>, <SocketType.SOCK_STREAM: 1>,\n  6, '', ('2606:2800:220:1:248:1893:25c8:1946', 80, 0, 0)),\n (<AddressFamily.AF_INET: 2>, <SocketType.SOCK_STREAM: 1>,\n  6, '', ('93.184.216.34', 80))]";

/// The address-families page.
#[function_component]
pub fn AddressPage(props: &PageProps<AddressState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = &store.0;
    let view = use_memo(s.clone(), AddressState::view);
    let dispatch = |f: fn(String) -> Action| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| store.dispatch(f(input_value(&e))))
    };
    let families = [Family::Inet, Family::Inet6].map(|f| {
        let label = format!(
            "{} · {}",
            f.name(),
            if f == Family::Inet { "IPv4" } else { "IPv6" }
        );
        Segment::new(f, label, format!("af-{}", f.number()))
    });
    let callers = [
        (Caller::Bind, "addr.bind"),
        (Caller::Connect, "addr.connect"),
    ]
    .map(|(c, key)| Segment::new(c, i18n.t(key), format!("caller-{}", c.name())));
    let checked = match &view.checked {
        Err(e) => html! { <PyErrorView error={e.clone()} /> },
        Ok(c) => checked_view(&i18n, c),
    };
    let gai = &s.gai;
    let set_gai = |f: fn(&mut GaiForm, String)| {
        let store = store.clone();
        let current = gai.clone();
        Callback::from(move |value: String| {
            let mut g = current.clone();
            f(&mut g, value);
            store.dispatch(Action::SetGai(g));
        })
    };
    let on_text =
        |cb: Callback<String>| Callback::from(move |e: InputEvent| cb.emit(input_value(&e)));
    let on_select = |cb: Callback<String>| {
        Callback::from(move |e: Event| {
            cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value());
        })
    };
    let flag_boxes = GAI_FLAGS.iter().map(|&(name, bit)| {
        let cb = set_gai(match bit {
            1 => |g: &mut GaiForm, _| g.flags ^= 1,
            2 => |g: &mut GaiForm, _| g.flags ^= 2,
            _ => |g: &mut GaiForm, _| g.flags ^= 4,
        });
        html! {
            <label class="check">
                <input type="checkbox" data-testid={format!("gai-{name}")} checked={gai.flags & bit != 0}
                    onchange={Callback::from(move |_| cb.emit(String::new()))} />
                <code>{ name }</code>
            </label>
        }
    });
    let conversions = view
        .conversions
        .iter()
        .map(|c| html! { <PyCallView code={c.code.clone()} result={c.result.clone()} /> });

    html! {
        <article class="page" data-page="addresses">
            <header class="page-head">
                <h1>{ i18n.t("addr.title") }</h1>
                <p class="lede">{ i18n.t("addr.lede") }</p>
            </header>

            <section class="card" aria-labelledby="addr-builder">
                <h2 id="addr-builder">{ i18n.t("addr.builder") }</h2>
                <div class="controls">
                    <Segmented<Family> label={i18n.t("addr.family").to_owned()} options={families.to_vec()}
                        current={s.family} onchange={dispatch_to(&store, Action::SetFamily)} />
                    <Segmented<Caller> label={i18n.t("addr.role").to_owned()} options={callers.to_vec()}
                        current={s.caller} onchange={dispatch_to(&store, Action::SetCaller)} />
                </div>
                <div class="controls">
                    <label class="field">
                        <span>{ "host" }</span>
                        <input data-testid="addr-host" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.host.clone()} oninput={dispatch(Action::SetHost)} />
                    </label>
                    <label class="field">
                        <span>{ "port" }</span>
                        <input data-testid="addr-port" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.port.clone()} oninput={dispatch(Action::SetPort)} />
                    </label>
                    if s.family == Family::Inet6 {
                        <label class="field">
                            <span>{ "flowinfo" }</span>
                            <input data-testid="addr-flowinfo" class="mono" type="text" spellcheck="false" autocomplete="off"
                                placeholder="0" value={s.flowinfo.clone()} oninput={dispatch(Action::SetFlowinfo)} />
                        </label>
                        <label class="field">
                            <span>{ "scope_id" }</span>
                            <input data-testid="addr-scope" class="mono" type="text" spellcheck="false" autocomplete="off"
                                placeholder="0" value={s.scope_id.clone()} oninput={dispatch(Action::SetScopeId)} />
                        </label>
                    }
                </div>
                <p class="help">{ i18n.t(if s.family == Family::Inet { "addr.help4" } else { "addr.help6" }) }</p>
                <pre class="py snippet" data-testid="addr-snippet"><code class="py-in">{ &view.snippet }</code></pre>
                { checked }
            </section>

            <section class="card" aria-labelledby="addr-parsers">
                <h2 id="addr-parsers">{ i18n.t("addr.parsers") }</h2>
                <p>{ i18n.t("addr.parsers_lede") }</p>
                <div class="controls">
                    <label class="field wide">
                        <span>{ i18n.t("addr.text") }</span>
                        <input data-testid="addr-compare" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={s.compare.clone()} oninput={dispatch(Action::SetCompare)} />
                    </label>
                </div>
                <p class="help">{ i18n.t("addr.parsers_try") }</p>
                <div class="calls">{ for conversions }</div>
                if view.parsers_disagree {
                    <p class="hint warn" data-testid="addr-disagree"><span class="hint-mark" aria-hidden="true">{"⚠ "}</span>{ i18n.t("addr.parsers_warning") }</p>
                }
            </section>

            <section class="card" aria-labelledby="addr-gai">
                <h2 id="addr-gai">{ "getaddrinfo()" }</h2>
                <p>{ i18n.t("addr.gai_lede") }</p>
                <pre class="py"><span class="py-prompt">{">>> "}</span><code class="py-in">{ "socket.getaddrinfo(\"example.org\", 80, proto=socket.IPPROTO_TCP)" }</code>{"\n"}<code class="py-out">{ SEED_GETADDRINFO }</code></pre>
                <p class="muted">{ i18n.t("addr.gai_sample_note") }</p>
                <h3>{ i18n.t("addr.gai_live") }</h3>
                <p class="help">{ i18n.t("addr.gai_live_help") }</p>
                <div class="controls">
                    <label class="field">
                        <span>{ "host" }</span>
                        <input data-testid="gai-host" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={gai.host.clone()} oninput={on_text(set_gai(|g, v| g.host = v))} />
                    </label>
                    <label class="field">
                        <span>{ "port" }</span>
                        <input data-testid="gai-port" class="mono" type="text" spellcheck="false" autocomplete="off"
                            value={gai.port.clone()} oninput={on_text(set_gai(|g, v| g.port = v))} />
                    </label>
                    <label class="field">
                        <span>{ "family" }</span>
                        <select data-testid="gai-family" onchange={on_select(set_gai(|g, v| g.family = v.parse().unwrap_or(0)))}>
                            <option value="0" selected={gai.family == 0}>{"AF_UNSPEC"}</option>
                            <option value="2" selected={gai.family == 2}>{"AF_INET"}</option>
                            <option value="10" selected={gai.family == 10}>{"AF_INET6"}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{ "type" }</span>
                        <select data-testid="gai-type" onchange={on_select(set_gai(|g, v| g.socktype = v.parse().unwrap_or(0)))}>
                            <option value="0" selected={gai.socktype == 0}>{"0"}</option>
                            <option value="1" selected={gai.socktype == 1}>{"SOCK_STREAM"}</option>
                            <option value="2" selected={gai.socktype == 2}>{"SOCK_DGRAM"}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{ "proto" }</span>
                        <select data-testid="gai-proto" onchange={on_select(set_gai(|g, v| g.proto = v.parse().unwrap_or(0)))}>
                            <option value="0" selected={gai.proto == 0}>{"0"}</option>
                            <option value="6" selected={gai.proto == 6}>{"IPPROTO_TCP"}</option>
                            <option value="17" selected={gai.proto == 17}>{"IPPROTO_UDP"}</option>
                        </select>
                    </label>
                </div>
                <div class="controls">{ for flag_boxes }</div>
                <LiveGetaddrinfo host={gai.host_arg()} port={gai.port_arg()} family={gai.family} socktype={gai.socktype}
                    proto={gai.proto} flags={gai.flags} call={gai.call()} testid="gai-result" />
                <p class="small">
                    <a href={crate::route::console_with(&[gai.connect_lines(), Vec::new()])} data-testid="gai-connect">{ i18n.t("addr.gai_connect") }</a>
                </p>
                <dl class="gai-fields">
                    <dt><code>{"family"}</code></dt><dd>{ i18n.t("addr.gai_family") }</dd>
                    <dt><code>{"type"}</code></dt><dd>{ i18n.t("addr.gai_type") }</dd>
                    <dt><code>{"proto"}</code></dt><dd>{ i18n.t("addr.gai_proto") }</dd>
                    <dt><code>{"canonname"}</code></dt><dd>{ i18n.t("addr.gai_canonname") }</dd>
                    <dt><code>{"sockaddr"}</code></dt><dd>{ i18n.t("addr.gai_sockaddr") }</dd>
                </dl>
            </section>
        </article>
    }
}

fn checked_view(i18n: &I18n, c: &Checked) -> Html {
    let flags = c.flags.iter().map(|f| {
        html! {
            <tr class={classes!(f.value.then_some("yes"))} data-flag={f.name}>
                <th scope="row"><code>{ f.name }</code></th>
                <td><code class="py-out">{ if f.value { "True" } else { "False" } }</code></td>
                <td class="desc">{ i18n.t(f.key) }</td>
            </tr>
        }
    });
    let sockaddr = c.sockaddr.as_ref().map(|(bytes, fields)| {
        let cells = fields.iter().enumerate().flat_map(|(i, f)| {
            f.range.clone().map(move |o| (i, f.name, o))
        }).map(|(i, name, o)| html! {
            <li class={classes!("cell", "value", format!("f{}", i % 8))} title={name} data-field={i.to_string()}
                aria-label={i18n.f("a11y.byte", &[("offset", &o.to_string()), ("value", &format!("{:02x}", bytes[o])), ("field", name)])}>
                <span class="cell-off" aria-hidden="true">{ o }</span>
                <span class="cell-hex" aria-hidden="true">{ format!("{:02x}", bytes[o]) }</span>
            </li>
        });
        let legend = fields.iter().enumerate().map(|(i, f)| html! {
            <tr class={format!("f{}", i % 8)}>
                <th scope="row"><span class="swatch" aria-hidden="true"></span><code>{ f.name }</code></th>
                <td>{ format!("{}–{}", f.range.start, f.range.end - 1) }</td>
                <td class="desc">{ i18n.t(f.note) }</td>
            </tr>
        });
        html! {
            <>
                <h3>{ i18n.t("addr.sockaddr") }</h3>
                <p class="help">{ i18n.t("addr.sockaddr_help") }{" "}<a href="/byte-order">{ i18n.t("addr.see_byteorder") }</a></p>
                <ol class="hexview" data-testid="addr-sockaddr" aria-label={i18n.t("addr.sockaddr").to_owned()}>{ for cells }</ol>
                <div class="table-wrap"><table class="legend"><tbody>{ for legend }</tbody></table></div>
            </>
        }
    });
    html! {
        <div class="checked" data-testid="addr-valid">
            <p class="ok-line"><span class="ok-mark" aria-hidden="true">{"✓ "}</span>{ i18n.t("addr.valid") }{" "}{ i18n.t(c.kind_key) }</p>
            if let Some(m) = &c.ipv4_mapped {
                <p class="facts">{ i18n.f("addr.mapped", &[("v4", m)]) }</p>
            }
            if !c.flags.is_empty() {
                <h3>{ i18n.t("addr.classification") }</h3>
                <div class="table-wrap"><table class="flags" data-testid="addr-flags"><tbody>{ for flags }</tbody></table></div>
            }
            { for sockaddr }
        </div>
    }
}
