//! 阻塞调用 / 关闭连接 Blocking & closing: Python's three blocking modes and the two ways a TCP
//! connection ends, each shown live by the companion on the learner's own machine.

pub mod state;

use crate::components::python::{commented_line, snippet_text, CodeLine};
use crate::components::scenario::LiveScenario;
use crate::components::segmented::{Segment, Segmented};
use crate::i18n::{use_i18n, I18n};
use crate::pages::{dispatch_to, use_page_store, PageProps};
use socklab_core::protocol::Scenario;
use state::{Action, Closing, LiveState, Mode};
use yew::prelude::*;

/// Per mode: (test id, label as code, catalog key of its meaning, the snippet, scenarios).
fn mode_facts(
    mode: Mode,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static [CodeLine],
    &'static [Scenario],
) {
    match mode {
        Mode::Blocking => (
            "mode-blocking",
            "setblocking(True)",
            "sock.mode_blocking",
            &[
                ("s.setblocking(True)", "sock.c_blocking_default"),
                ("s.gettimeout()", "sock.c_none"),
                ("data = s.recv(1024)", "sock.c_blocking_recv"),
            ],
            &[],
        ),
        Mode::Timeout => (
            "mode-timeout",
            "settimeout(t)",
            "sock.mode_timeout",
            &[
                ("s.settimeout(0.5)", "sock.c_timeout_half"),
                ("s.gettimeout()", "sock.c_half"),
                ("data = s.recv(1024)", "sock.c_timeout_recv"),
            ],
            &[Scenario::Etimedout],
        ),
        Mode::NonBlocking => (
            "mode-nonblocking",
            "setblocking(False)",
            "sock.mode_nonblocking",
            &[
                ("s.setblocking(False)", "sock.c_nonblocking_same"),
                ("s.gettimeout()", "sock.c_zero"),
                ("data = s.recv(1024)", "sock.c_nonblocking_recv"),
            ],
            &[Scenario::EwouldblockRecv, Scenario::EwouldblockSend],
        ),
    }
}

/// The two ways a receiver can know where a message ends, each as a server and a client the
/// console can run: (test id, title key, text key, [server lines, client lines]).
type Framing = (
    &'static str,
    &'static str,
    &'static str,
    [&'static [CodeLine]; 2],
);

const FRAMINGS: [Framing; 2] = [
    (
        "length",
        "sock.framing_length",
        "sock.framing_length_1",
        [
            &[
                ("import socket, struct", ""),
                ("srv = socket.create_server(('127.0.0.1', 20011))", ""),
                ("conn, addr = srv.accept()", ""),
                (
                    "(size,) = struct.unpack('!H', conn.recv(2))",
                    "sock.c_header",
                ),
                ("size", ""),
                ("conn.recv(size).decode('utf-8')", "sock.c_one_message"),
                (
                    "(size,) = struct.unpack('!H', conn.recv(2))",
                    "sock.c_next_message",
                ),
                ("conn.recv(size).decode('utf-8')", ""),
                ("conn.close()", ""),
                ("srv.close()", ""),
            ],
            &[
                ("import socket, struct", ""),
                ("c = socket.create_connection(('127.0.0.1', 20011))", ""),
                ("body = '你好'.encode('utf-8')", ""),
                ("c.sendall(struct.pack('!H', len(body)) + body)", ""),
                ("c.sendall(struct.pack('!H', 5) + b'again')", ""),
                ("c.close()", ""),
            ],
        ],
    ),
    (
        "eof",
        "sock.framing_eof",
        "sock.framing_eof_1",
        [
            &[
                ("import socket", ""),
                ("srv = socket.create_server(('127.0.0.1', 20012))", ""),
                ("conn, addr = srv.accept()", ""),
                ("conn.recv(1024)", ""),
                ("conn.recv(1024)", "sock.c_request_complete"),
                ("conn.sendall(b'the answer')", ""),
                ("conn.close()", ""),
                ("srv.close()", ""),
            ],
            &[
                ("import socket", ""),
                ("c = socket.create_connection(('127.0.0.1', 20012))", ""),
                ("c.sendall(b'the whole request')", ""),
                ("c.shutdown(socket.SHUT_WR)", "sock.c_end_of_stream"),
                ("c.recv(1024)", ""),
                ("c.recv(1024)", ""),
                ("c.close()", ""),
            ],
        ],
    ),
];

/// The console with a framing's server and client, not yet run.
fn framing_link(i18n: &I18n, panes: &[&[CodeLine]; 2]) -> String {
    let panes: Vec<Vec<String>> = panes
        .iter()
        .map(|lines| lines.iter().map(|&l| commented_line(i18n, l)).collect())
        .collect();
    crate::route::console_with(&panes)
}

/// The live sockets page.
#[function_component]
pub fn LivePage(props: &PageProps<LiveState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = store.0;
    let modes: Vec<_> = Mode::ALL
        .iter()
        .map(|&m| {
            let (id, label, _, _, _) = mode_facts(m);
            Segment::new(m, html! { <code>{ label }</code> }, id)
        })
        .collect();
    let closings = vec![
        Segment::new(Closing::HalfClose, i18n.t("sock.half_close"), "close-half"),
        Segment::new(Closing::Reset, i18n.t("sock.reset"), "close-reset"),
    ];
    let (_, _, meaning, snippet, scenarios) = mode_facts(s.mode);
    let mode_rows = Mode::ALL.iter().map(|&m| {
        let (_, label, _, _, _) = mode_facts(m);
        let (timeout, recv) = match m {
            Mode::Blocking => ("None", "sock.recv_blocking"),
            Mode::Timeout => ("0.5", "sock.recv_timeout"),
            Mode::NonBlocking => ("0.0", "sock.recv_nonblocking"),
        };
        html! {
            <tr class={classes!((m == s.mode).then_some("current"))}>
                <td><code>{ label }</code></td><td class="timeout"><code>{ timeout }</code></td><td class="desc">{ i18n.t(recv) }</td>
            </tr>
        }
    });
    let closing = match s.closing {
        Closing::HalfClose => html! {
            <>
                <p>{ i18n.t("sock.half_1") }</p>
                <pre class="py snippet" data-testid="half-code"><code class="py-in">{ snippet_text(&i18n, &[
                    ("s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')", ""),
                    ("s.shutdown(socket.SHUT_WR)", "live.c_no_more_sending"),
                    ("answer = s.recv(1024)", "sock.c_still_receives_answer"),
                    ("s.close()", ""),
                ]) }</code></pre>
                <LiveScenario key="half_close" scenario={Scenario::HalfClose} />
                <p>{ i18n.t("sock.half_2") }</p>
            </>
        },
        Closing::Reset => html! {
            <>
                <p>{ i18n.t("sock.reset_1") }</p>
                <LiveScenario key="econnreset" scenario={Scenario::Econnreset} />
                <p>{ i18n.t("sock.reset_2") }</p>
                <LiveScenario key="epipe" scenario={Scenario::Epipe} />
            </>
        },
    };

    html! {
        <article class="page" data-page="live">
            <header class="page-head">
                <h1>{ i18n.t("sock.title") }</h1>
                <p class="lede">{ i18n.t("sock.lede") }</p>
            </header>

            <section class="card" aria-labelledby="sock-blocking">
                <h2 id="sock-blocking">{ i18n.t("sock.blocking_title") }</h2>
                <p>{ i18n.t("sock.blocking_1") }</p>
                <p>{ i18n.t("sock.blocking_2") }</p>
                <div class="table-wrap">
                    <table class="flags seed-table modes" data-testid="mode-table">
                        <thead><tr>
                            <th scope="col">{ i18n.t("sock.col_mode") }</th>
                            <th scope="col">{"gettimeout()"}</th>
                            <th scope="col">{ i18n.t("sock.col_recv") }</th>
                        </tr></thead>
                        <tbody>{ for mode_rows }</tbody>
                    </table>
                </div>
                <div class="controls">
                    <Segmented<Mode> label={i18n.t("sock.col_mode").to_owned()} options={modes}
                        current={s.mode} onchange={dispatch_to(&store, Action::SetMode)} />
                </div>
                <p data-testid="mode-meaning">{ i18n.t(meaning) }</p>
                <pre class="py snippet"><code class="py-in">{ snippet_text(&i18n, snippet) }</code></pre>
                if scenarios.is_empty() {
                    <p class="muted">{ i18n.t("sock.blocking_cap") }</p>
                }
                { for scenarios.iter().map(|&scenario| html! { <LiveScenario key={format!("{scenario:?}")} {scenario} /> }) }
            </section>

            <section class="card" aria-labelledby="sock-closing">
                <h2 id="sock-closing">{ i18n.t("sock.closing_title") }</h2>
                <p>{ i18n.t("sock.closing_1") }</p>
                <pre class="py snippet"><code class="py-in">{ snippet_text(&i18n, &[
                    ("with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:", ""),
                    ("    s.connect(('127.0.0.1', 8080))", ""),
                    ("    ...", ""),
                    ("", "sock.c_with_closes"),
                ]) }</code></pre>
                <div class="controls">
                    <Segmented<Closing> label={i18n.t("sock.closing_title").to_owned()} options={closings}
                        current={s.closing} onchange={dispatch_to(&store, Action::SetClosing)} />
                </div>
                { closing }
            </section>

            <section class="card" aria-labelledby="sock-framing" data-testid="framing">
                <h2 id="sock-framing">{ i18n.t("sock.framing_title") }</h2>
                <p>{ i18n.t("sock.framing_lede") }</p>
                <div class="orders">
                    { for FRAMINGS.iter().map(|(id, title, text, panes)| html! {
                        <div class="order" data-testid={format!("framing-{id}")}>
                            <h3>{ i18n.t(title) }</h3>
                            <p>{ i18n.t(text) }</p>
                            <pre class="py snippet"><code class="py-in">{ snippet_text(&i18n, panes[1]) }</code></pre>
                            <pre class="py snippet"><code class="py-in">{ snippet_text(&i18n, panes[0]) }</code></pre>
                            <a href={framing_link(&i18n, panes)} data-testid={format!("framing-{id}-console")}>{ i18n.t("sock.framing_open") }</a>
                        </div>
                    }) }
                </div>
            </section>
        </article>
    }
}
