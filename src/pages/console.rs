//! 控制台 The socket console: the learner's own Python, one statement per line, in two to four
//! panes (a server and a client, like two terminals running `python3`), each line run for real
//! through the companion and printed as `python3 -i` prints it; beside them every socket's
//! state and a sequence diagram of what crossed the wire.
//!
//! Core runs the language ([`Pane`]) and draws the board ([`Board`]); this file is the browser
//! half: the [`Watch`] that draws a pane's calls as [`LiveHost`] sends them over the page's one
//! WebSocket, the runtime that holds the panes while their lines run, and the markup.

pub mod state;

use crate::companion::{use_companion, Companion, Status, Subscription};
use crate::host::{LiveHost, Watch};
use crate::i18n::{use_i18n, I18n};
use socklab_core::console::board::{Board, Lane, Signal, SockRow, SockState};
use socklab_core::console::syntax::Refusal;
use socklab_core::console::{completions, Gone, Note, Pane, Ran};
use socklab_core::protocol::call::{Call, Method};
use socklab_core::protocol::{
    CallOutcome, ClientMessage, PeerKind, PyReturn, ServerMessage, SockId, SocketCall,
};
use state::{pane_name, run_all_step, took_text, ConsoleQuery, PaneState, Transcript, MAX_PANES};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Milliseconds on the page's clock.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// One pane while the page lives.
struct PaneRt {
    /// The interpreter; `None` while one of its lines runs (the line's task holds it).
    py: Option<Pane>,
    transcript: Transcript,
    /// This pane's identity, new for every pane made and every restart (the page's panes are
    /// numbered by position, which changes when one is removed): a line's task finds its pane
    /// by it, and a line of a pane since restarted or removed is dropped when it ends.
    generation: u32,
    /// The companion call in flight, for Cancel.
    in_flight: Option<u64>,
    /// When the running line started.
    started_ms: f64,
    /// Lines typed, newest last, for the arrow keys; and where in it the arrows are.
    history: Vec<String>,
    history_at: Option<usize>,
    input: String,
    /// Names the pane's sockets go by (`srv`, `conn`), as of its last line.
    names: HashMap<SockId, Vec<String>>,
    /// The companion's session ended while a line ran: forget the sockets when it is back.
    forget_sockets: bool,
    /// Shown above the input: the sockets are gone.
    gone_notice: bool,
    /// What Tab offered last.
    offered: Vec<String>,
    /// Draws the running line after 20 ms: a line that ends sooner is drawn once, finished
    /// (a render between Enter and the answer delayed the answer's handling).
    show_running: Option<gloo_timers::callback::Timeout>,
}

/// A pane identity no pane of this page had before (see [`PaneRt::generation`]).
fn next_generation() -> u32 {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        let g = n.get();
        n.set(g.wrapping_add(1));
        g
    })
}

impl PaneRt {
    fn new(script: &[String]) -> PaneRt {
        PaneRt {
            py: Some(Pane::new()),
            transcript: Transcript::with_script(script),
            generation: next_generation(),
            in_flight: None,
            started_ms: 0.0,
            history: Vec::new(),
            history_at: None,
            input: String::new(),
            names: HashMap::new(),
            forget_sockets: false,
            gone_notice: false,
            offered: Vec::new(),
            show_running: None,
        }
    }

    fn remember_names(&mut self) {
        if let Some(py) = &self.py {
            self.names = py
                .sockets()
                .map(|(s, _)| {
                    let names = py.names_of(s.id).into_iter().map(str::to_owned).collect();
                    (s.id, names)
                })
                .collect();
        }
    }
}

/// Everything the console holds while the page lives.
#[derive(Default)]
struct Runtime {
    panes: Vec<PaneRt>,
    board: Board,
    /// "Run all" in progress: how many panes it has let go.
    run_all: Option<usize>,
    /// How many times the companion connected (a second time means a new session).
    connections: u32,
    /// The demo peers started in this session: their address as Python prints it.
    peers: HashMap<PeerKind, String>,
    /// The pane the peer menu types into.
    focus: usize,
    /// A pending write of the panes' code into the URL (see [`Ctx::save_query`]).
    url_timer: Option<gloo_timers::callback::Timeout>,
}

/// The page's handle on its runtime, given to every callback and task.
#[derive(Clone)]
struct Ctx {
    rt: Rc<RefCell<Runtime>>,
    companion: Companion,
    redraw: Callback<()>,
    on_query: Callback<String>,
}

impl Ctx {
    /// Every pane's script, as the URL keeps them.
    fn query(&self) -> ConsoleQuery {
        let panes = self
            .rt
            .borrow()
            .panes
            .iter()
            .map(|p| p.transcript.script())
            .collect();
        ConsoleQuery { panes }
    }

    /// Changes the panes (add, restart, remove), then keeps the URL and the page up to date.
    fn change(&self, f: impl FnOnce(&mut Runtime)) {
        f(&mut self.rt.borrow_mut());
        self.save_query();
        self.redraw.emit(());
    }

    /// Puts every pane's script into the URL, a quarter of a second after the first change
    /// of a burst: `history.replaceState` costs the browser a millisecond or more, and doing it
    /// for every line ran it twice between Enter and the line's output (the console bench).
    fn save_query(&self) {
        if self.rt.borrow().url_timer.is_some() {
            return;
        }
        let ctx = self.clone();
        let timer = gloo_timers::callback::Timeout::new(250, move || {
            ctx.rt.borrow_mut().url_timer = None;
            ctx.on_query.emit(ctx.query().to_query());
        });
        self.rt.borrow_mut().url_timer = Some(timer);
    }

    /// Replaces the panes with example `n` of [`EXAMPLES`], not yet run (closing the old
    /// panes' sockets).
    fn load_example(&self, n: usize) {
        let Some((_, panes)) = EXAMPLES.get(n) else {
            return;
        };
        {
            let mut rt = self.rt.borrow_mut();
            let old = std::mem::take(&mut rt.panes);
            let count = panes.len().max(2);
            rt.panes = (0..count)
                .map(|k| {
                    let lines: Vec<String> = panes
                        .get(k)
                        .map(|l| l.iter().map(|s| (*s).to_owned()).collect())
                        .unwrap_or_default();
                    PaneRt::new(&lines)
                })
                .collect();
            rt.run_all = None;
            close_sockets(&self.companion, &old);
        }
        self.save_query();
        self.redraw.emit(());
    }

    /// Runs `line` in pane `k` (nothing happens if a line runs there already).
    fn run_line(&self, k: usize, line: String) {
        let (mut py, generation) = {
            let mut rt = self.rt.borrow_mut();
            let Some(p) = rt.panes.get_mut(k) else { return };
            let Some(py) = p.py.take() else { return };
            p.transcript.start(line.clone());
            p.started_ms = now_ms();
            p.offered.clear();
            let redraw = self.redraw.clone();
            p.show_running = Some(gloo_timers::callback::Timeout::new(20, move || {
                redraw.emit(());
            }));
            (py, p.generation)
        };
        let ctx = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let watch = PaneWatch {
                ctx: ctx.clone(),
                generation,
            };
            let host = LiveHost::new(ctx.companion.clone(), Rc::new(watch));
            let started = now_ms();
            let ran: Ran = py.run(&host, &line).await;
            let took = now_ms() - started;
            // Where the pane is now: a pane before it may have been removed meanwhile.
            let Some(k) = ctx.pane_index(generation) else {
                return; // restarted or removed: its line's end goes with it
            };
            {
                let mut rt = ctx.rt.borrow_mut();
                let Some(p) = rt.panes.get_mut(k) else {
                    return;
                };
                if std::mem::take(&mut p.forget_sockets) {
                    py.companion_restarted();
                    p.gone_notice = true;
                }
                p.py = Some(py);
                p.in_flight = None;
                p.show_running = None;
                p.transcript.finish(ran.output, ran.raised, ran.note, took);
                p.remember_names();
            }
            ctx.save_query();
            let next = ctx
                .rt
                .borrow_mut()
                .panes
                .get_mut(k)
                .and_then(|p| p.transcript.typed_ahead.pop_front());
            if let Some(next) = next {
                ctx.run_line(k, next);
            }
            ctx.advance();
            ctx.redraw.emit(());
        });
    }

    /// Where the pane `generation` names is now, if it is still there.
    fn pane_index(&self, generation: u32) -> Option<usize> {
        self.rt
            .borrow()
            .panes
            .iter()
            .position(|p| p.generation == generation)
    }

    /// Does `f` to the pane `generation` names, if it is still there.
    fn with_pane(&self, generation: u32, f: impl FnOnce(&mut PaneRt)) {
        if let Some(p) = self
            .rt
            .borrow_mut()
            .panes
            .iter_mut()
            .find(|p| p.generation == generation)
        {
            f(p);
        }
    }

    /// "Run all": lets the panes take their pending lines, pane by pane.
    fn advance(&self) {
        let step = {
            let mut rt = self.rt.borrow_mut();
            let Some(open) = rt.run_all else { return };
            let states: Vec<(PaneState, bool)> = rt
                .panes
                .iter()
                .map(|p| (p.transcript.state(), !p.transcript.pending.is_empty()))
                .collect();
            let (open, step) = run_all_step(&states, open);
            let finished = states.iter().all(|(s, pending)| {
                !pending && !matches!(s, PaneState::Running | PaneState::Waiting)
            });
            rt.run_all = (!finished).then_some(open);
            step.into_iter()
                .filter_map(|k| Some((k, rt.panes[k].transcript.pending.pop_front()?)))
                .collect::<Vec<_>>()
        };
        for (k, line) in step {
            self.run_line(k, line);
        }
    }

    /// The companion's session changed: every pane's sockets are gone.
    fn session_ended(&self) {
        let mut rt = self.rt.borrow_mut();
        rt.board.clear();
        rt.peers.clear();
        for p in &mut rt.panes {
            match &mut p.py {
                Some(py) if py.sockets().next().is_some() => {
                    py.companion_restarted();
                    p.gone_notice = true;
                    p.names.clear();
                }
                Some(_) => {}
                None => p.forget_sockets = true,
            }
        }
    }

    /// Cancels pane `k`'s waiting call.
    fn cancel(&self, k: usize) {
        let call = self.rt.borrow().panes.get(k).and_then(|p| p.in_flight);
        if let Some(call) = call {
            self.companion
                .request(|id| ClientMessage::Cancel { id, call }, Callback::noop());
        }
    }

    /// After a call that gives a socket an address, asks for it (quietly: not in any pane).
    fn look_up_names(&self, call: &Call, outcome: &CallOutcome) {
        let CallOutcome::Returned { value } = outcome else {
            return;
        };
        let (sock, peer) = match (call, value) {
            (
                Call::Method {
                    sock,
                    method: Method::Bind(_) | Method::Listen { .. },
                },
                _,
            ) => (*sock, false),
            (
                Call::Method {
                    sock,
                    method: Method::Connect { .. },
                },
                _,
            ) => (*sock, true),
            (_, PyReturn::Accepted { sock, .. }) => (*sock, false),
            _ => return,
        };
        self.ask_name(sock, false);
        if peer {
            self.ask_name(sock, true);
        }
    }

    fn ask_name(&self, sock: SockId, peer: bool) {
        let ctx = self.clone();
        let call = SocketCall::from(&Call::Method {
            sock,
            method: Method::Name { peer },
        });
        let reply = Callback::from(move |m: ServerMessage| {
            if let ServerMessage::Result {
                outcome:
                    CallOutcome::Returned {
                        value: PyReturn::Tuple { repr },
                    },
                ..
            } = m
            {
                let (local, remote) = if peer {
                    (None, Some(repr))
                } else {
                    (Some(repr), None)
                };
                ctx.rt.borrow_mut().board.named(sock, local, remote);
                ctx.redraw.emit(());
            }
        });
        self.companion
            .request(|id| ClientMessage::Call { id, call }, reply);
    }

    /// Starts (or finds) a demo peer and types its address into the focused pane's input.
    fn use_peer(&self, kind: PeerKind) {
        let known = self.rt.borrow().peers.get(&kind).cloned();
        if let Some(address) = known {
            self.type_into_focus(&address);
            return;
        }
        let ctx = self.clone();
        let reply = Callback::from(move |m: ServerMessage| {
            if let ServerMessage::Peer {
                kind,
                address,
                port,
                ..
            } = m
            {
                {
                    let mut rt = ctx.rt.borrow_mut();
                    rt.peers.insert(kind, address.clone());
                    rt.board.peer_started(kind, port);
                }
                ctx.type_into_focus(&address);
            }
        });
        self.companion
            .request(|id| ClientMessage::Peer { id, kind }, reply);
    }

    fn type_into_focus(&self, text: &str) {
        {
            let mut rt = self.rt.borrow_mut();
            let k = rt.focus.min(rt.panes.len().saturating_sub(1));
            if let Some(p) = rt.panes.get_mut(k) {
                p.input.push_str(text);
            }
        }
        self.redraw.emit(());
    }
}

/// What a pane's running line shows of its requests: their waiting (the clock and Cancel), the
/// call Cancel cancels, and every answer drawn on the board.
struct PaneWatch {
    ctx: Ctx,
    /// The pane's identity, not its position, which changes when a pane before it is removed.
    generation: u32,
}

impl Watch for PaneWatch {
    fn waiting(&self) -> Option<Callback<()>> {
        let ctx = self.ctx.clone();
        let generation = self.generation;
        Some(Callback::from(move |()| {
            ctx.with_pane(generation, |p| p.transcript.waiting = true);
            ctx.advance();
            ctx.redraw.emit(());
        }))
    }

    fn sent(&self, id: u64) {
        self.ctx
            .with_pane(self.generation, |p| p.in_flight = Some(id));
    }

    fn settled(&self) {
        self.ctx.with_pane(self.generation, |p| {
            p.in_flight = None;
            p.transcript.waiting = false;
        });
    }

    fn answered(&self, call: &Call, outcome: &CallOutcome) {
        if let Some(k) = self.ctx.pane_index(self.generation) {
            self.ctx.rt.borrow_mut().board.call(k, call, outcome);
        }
        self.ctx.look_up_names(call, outcome);
        // Drawn with the line's end, or (a line making several calls) with the next tick of
        // its clock.
    }
}

/// Ready-made experiments: (catalog key of the name, each pane's lines). Their ports sit below
/// Linux's ephemeral range (32768-60999), so no client's own port can be lingering on them in
/// TIME_WAIT, which would make `bind()` fail for a reason the example is not about.
const EXAMPLES: [(&str, &[&[&str]]); 4] = [
    (
        "con.ex_echo",
        &[
            &[
                "import socket",
                "srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                "srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "srv.bind(('127.0.0.1', 20007))",
                "srv.listen()",
                "conn, addr = srv.accept()",
                "data = conn.recv(1024)",
                "conn.sendall(data.upper())",
                "conn.close()",
                "srv.close()",
            ],
            &[
                "import socket",
                "c = socket.create_connection(('127.0.0.1', 20007))",
                "c.sendall(b'hello')",
                "c.recv(1024)",
                "c.recv(1024)",
                "c.close()",
            ],
        ],
    ),
    (
        "con.ex_half_close",
        &[
            &[
                "import socket",
                "srv = socket.create_server(('127.0.0.1', 20008))",
                "conn, addr = srv.accept()",
                "conn.recv(1024)",
                "conn.recv(1024)",
                "conn.sendall(b'got it')",
                "conn.close()",
            ],
            &[
                "import socket",
                "c = socket.create_connection(('127.0.0.1', 20008))",
                "c.sendall(b'request')",
                "c.shutdown(socket.SHUT_WR)",
                "c.send(b'more')",
                "c.recv(1024)",
                "c.recv(1024)",
            ],
        ],
    ),
    (
        "con.ex_nonblocking",
        &[
            &[
                "import socket, select",
                "srv = socket.create_server(('127.0.0.1', 20009))",
                "conn, addr = srv.accept()",
                "conn.setblocking(False)",
                "conn.recv(1024)",
                "select.select([conn], [], [], 5)",
                "conn.recv(1024)",
            ],
            &[
                "import socket, time",
                "c = socket.create_connection(('127.0.0.1', 20009))",
                "time.sleep(1)",
                "c.sendall(b'ready now')",
            ],
        ],
    ),
    (
        "con.ex_refused",
        &[&[
            "import socket",
            "s = socket.socket()",
            "s.connect(('127.0.0.1', 9))",
            "s.connect_ex(('127.0.0.1', 9))",
            "import errno",
            "s.connect('127.0.0.1', 80)",
        ]],
    ),
];

/// The console page.
#[function_component]
pub fn ConsolePage(props: &ConsoleProps) -> Html {
    let i18n = use_i18n();
    let companion = use_companion();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    let redraw = use_force_update();
    let rt = {
        let initial = props.initial.clone();
        use_mut_ref(move || Runtime {
            panes: initial.panes.iter().map(|s| PaneRt::new(s)).collect(),
            focus: 1,
            ..Runtime::default()
        })
    };
    let ctx = Ctx {
        rt: Rc::clone(&rt),
        companion: companion.clone(),
        redraw: Callback::from(move |()| redraw.force_update()),
        on_query: props.on_query.clone(),
    };
    // The companion's events go to the board.
    {
        let ctx = ctx.clone();
        use_effect_with((), move |()| {
            let listening: Subscription = ctx.companion.subscribe(Callback::from({
                let ctx = ctx.clone();
                move |(_, event)| {
                    ctx.rt.borrow_mut().board.event(&event);
                    ctx.redraw.emit(());
                }
            }));
            move || drop(listening)
        });
    }
    // A second connection is a new session: the panes' sockets died with the first.
    {
        let ctx = ctx.clone();
        let connected = matches!(status, Status::Connected { .. });
        use_effect_with(connected, move |connected| {
            if *connected {
                let again = {
                    let mut rt = ctx.rt.borrow_mut();
                    rt.connections += 1;
                    rt.connections > 1
                };
                if again {
                    ctx.session_ended();
                    ctx.redraw.emit(());
                }
            }
        });
    }
    // A running line's clock ticks.
    let busy = rt.borrow().panes.iter().any(|p| p.transcript.running());
    {
        let ctx = ctx.clone();
        use_effect_with(busy, move |busy| {
            let tick = busy
                .then(|| gloo_timers::callback::Interval::new(100, move || ctx.redraw.emit(())));
            move || drop(tick)
        });
    }
    let connected = matches!(status, Status::Connected { .. });
    let run_all = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.rt.borrow_mut().run_all = Some(0);
            ctx.advance();
        })
    };
    let load_example = {
        let ctx = ctx.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let Ok(n) = select.value().parse::<usize>() else {
                return;
            };
            select.set_value("");
            ctx.load_example(n);
        })
    };
    // A presenter's arrow keys load the next (or previous) example.
    {
        let ctx = ctx.clone();
        let presenting = use_context::<crate::present::Presenting>()
            .unwrap_or_default()
            .0;
        use_effect_with(presenting, move |&presenting| {
            let listener = presenting.then(|| {
                crate::browser::on_key(move |key, modified, in_field| {
                    let Some(step) = crate::present::Step::from_key(key, modified, in_field) else {
                        return false;
                    };
                    let examples = EXAMPLES.map(|(_, panes)| panes);
                    ctx.load_example(ctx.query().step_example(&examples, step));
                    true
                })
            });
            move || drop(listener)
        });
    }
    let add_pane = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.change(|rt| {
                if rt.panes.len() < MAX_PANES {
                    rt.panes.push(PaneRt::new(&[]));
                }
            });
        })
    };
    let pane_count = rt.borrow().panes.len();
    let panes = (0..pane_count).map(|k| pane_view(&ctx, &i18n, k, connected));
    let peers = PeerKind::ALL.iter().map(|&kind| {
        let ctx = ctx.clone();
        let onclick = Callback::from(move |_| ctx.use_peer(kind));
        html! {
            <li>
                <button type="button" class="chip" disabled={!connected} data-testid={format!("console-peer-{}", kind.name())} {onclick}>
                    { i18n.t(peer_key(kind)) }
                </button>
            </li>
        }
    });
    let examples = EXAMPLES.iter().enumerate().map(|(n, (key, _))| {
        html! { <option value={n.to_string()}>{ i18n.t(key) }</option> }
    });
    let rt_ref = rt.borrow();
    html! {
        <section class="console-page" aria-labelledby="console-title">
            <h1 id="console-title">{ i18n.t("con.title") }</h1>
            <p class="lede">{ i18n.t("con.lede") }</p>
            if !connected {
                <p class="notice" role="status" data-testid="console-no-companion">{ i18n.t("con.no_companion") }</p>
            }
            <div class="console-bar">
                <button type="button" class="run-btn" data-testid="console-run-all" onclick={run_all}>{ i18n.t("con.run_all") }</button>
                <label class="field inline">
                    <span>{ i18n.t("con.examples") }</span>
                    <select data-testid="console-examples" onchange={load_example}>
                        <option value="" selected=true>{ "…" }</option>
                        { for examples }
                    </select>
                </label>
                if pane_count < MAX_PANES {
                    <button type="button" class="link-btn" data-testid="console-add-pane" onclick={add_pane}>{ i18n.t("con.add_pane") }</button>
                }
            </div>
            <div class="console-peers">
                <span class="muted small">{ i18n.t("con.peers") }</span>
                <ul class="presets">{ for peers }</ul>
            </div>
            <div class={classes!("panes", (pane_count > 2).then_some("panes-many"))}>{ for panes }</div>
            <div class="console-side">
                { socket_panel(&i18n, &rt_ref) }
                { diagram(&i18n, &rt_ref) }
            </div>
        </section>
    }
}

/// Closes the sockets of panes that are being replaced (quietly), so they do not pile up in
/// the companion's session.
fn close_sockets(companion: &Companion, panes: &[PaneRt]) {
    for p in panes {
        let Some(py) = &p.py else { continue };
        for (s, closed) in py.sockets() {
            if !closed {
                let call = SocketCall::from(&Call::Method {
                    sock: s.id,
                    method: Method::Close,
                });
                companion.request(|id| ClientMessage::Call { id, call }, Callback::noop());
            }
        }
    }
}

/// Props of [`ConsolePage`].
#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The panes' scripts from the URL.
    pub initial: ConsoleQuery,
    /// Called with the query whenever a script changes.
    #[prop_or_default]
    pub on_query: Callback<String>,
}

fn peer_key(kind: PeerKind) -> &'static str {
    match kind {
        PeerKind::EchoTcp => "con.peer_echo_tcp",
        PeerKind::EchoUdp => "con.peer_echo_udp",
        PeerKind::Silent => "con.peer_silent",
        PeerKind::Reset => "con.peer_reset",
        PeerKind::HalfClose => "con.peer_half_close",
        PeerKind::AppProtocol => "con.peer_app_protocol",
    }
}

/// The name a pane goes by (`server`, `client`, `pane 3`).
fn pane_title(i18n: &I18n, k: usize) -> String {
    let (key, _) = pane_name(k);
    i18n.f(key, &[("n", &(k + 1).to_string())])
}

fn pane_view(ctx: &Ctx, i18n: &I18n, k: usize, connected: bool) -> Html {
    let rt = ctx.rt.borrow();
    let p = &rt.panes[k];
    let t = &p.transcript;
    let state = t.state();
    let n = k + 1;
    let now = now_ms();
    let entries = t.entries.iter().enumerate().map(|(i, e)| {
        let last = i + 1 == t.entries.len();
        let running = e.output.is_none();
        if !running {
            // A finished line never changes: a component yew skips when its props are equal.
            return html! { <DoneLine key={i} entry={e.clone()} /> };
        }
        let time = match e.took_ms {
            Some(ms) => took_text(ms),
            None => took_text(now - p.started_ms),
        };
        let cancel = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.cancel(k))
        };
        let out_class = e.output_class();
        html! {
            <li key={i} class={classes!("con-line", running.then_some("con-running"))}>
                <div class="con-in">
                    <code><span class="py-prompt" aria-hidden="true">{">>> "}</span><span class="py-in">{ e.line.clone() }</span></code>
                    <span class="con-time" data-testid={running.then_some(format!("console-clock-{n}"))}>{ time }</span>
                    if running && last && p.in_flight.is_some() {
                        <span class="con-wait">{ if t.waiting { i18n.t("con.waiting") } else { "" } }</span>
                        <button type="button" class="link-btn" data-testid={format!("console-cancel-{n}")} onclick={cancel}>{ i18n.t("con.cancel") }</button>
                    }
                </div>
                if let Some(out) = e.output.as_ref().filter(|o| !o.is_empty()) {
                    <pre class={classes!("con-out", out_class)}>{ out.clone() }</pre>
                }
            </li>
        }
    });
    let pending = t.typed_ahead.iter().chain(&t.pending).enumerate().map(|(j, line)| {
        html! { <li key={format!("p{j}")} class="con-line con-pending"><code><span class="py-prompt" aria-hidden="true">{"··· "}</span>{ line.clone() }</code></li> }
    });
    let onkeydown = {
        let ctx = ctx.clone();
        Callback::from(move |e: KeyboardEvent| on_key(&ctx, k, &e))
    };
    let oninput = {
        let ctx = ctx.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut rt = ctx.rt.borrow_mut();
            rt.focus = k;
            if let Some(p) = rt.panes.get_mut(k) {
                p.input = value;
                p.history_at = None;
            }
        })
    };
    let onfocus = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.rt.borrow_mut().focus = k)
    };
    let restart = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let companion = ctx.companion.clone();
            ctx.change(|rt| {
                let Some(p) = rt.panes.get_mut(k) else { return };
                let old = std::mem::replace(p, PaneRt::new(&[]));
                p.history = old.history.clone();
                close_sockets(&companion, std::slice::from_ref(&old));
                rt.board.pane_restarted(k);
            });
        })
    };
    let remove = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let companion = ctx.companion.clone();
            ctx.change(|rt| {
                if k < rt.panes.len() && k >= 2 {
                    let old = rt.panes.remove(k);
                    close_sockets(&companion, std::slice::from_ref(&old));
                    rt.board.pane_removed(k);
                }
            });
        })
    };
    let names: Vec<String> = rt
        .panes
        .iter()
        .enumerate()
        .map(|(j, _)| pane_name(j).1)
        .collect();
    // The file is written when it is about to be downloaded, not on every render: a long
    // transcript made each line's render slower.
    // Written when a pointer goes down on the link or it takes the focus (before the browser
    // reads `href` for the download; a click handler is too late for that).
    let export = {
        let ctx = ctx.clone();
        let names = names.clone();
        Callback::from(move |e: Event| {
            let order: Vec<&str> = names.iter().map(String::as_str).collect();
            let lines = ctx
                .rt
                .borrow()
                .panes
                .get(k)
                .map(|p| p.transcript.script())
                .unwrap_or_default();
            let script = socklab_core::console::export::script(&names[k], &order, &lines);
            let href = format!(
                "data:text/x-python;charset=utf-8,{}",
                crate::route::percent_encode(&script)
            );
            // yew delegates events, so the current target is the page's root: the link is the
            // target's nearest `<a>`.
            if let Some(link) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a").ok().flatten())
            {
                let _ = link.set_attribute("href", &href);
            }
        })
    };
    let title = pane_title(i18n, k);
    let placeholder = if k == 0 {
        "srv = socket.create_server(('127.0.0.1', 20007))"
    } else {
        "c = socket.create_connection(('127.0.0.1', 20007))"
    };
    html! {
        <div class="pane card" data-testid={format!("console-pane-{n}")}>
            <div class="pane-head">
                <h2>{ title.clone() }</h2>
                <span class="pane-tools">
                    <a class="link-btn" href="#" onpointerdown={export.reform(|e: PointerEvent| e.into())} onfocus={export.reform(|e: FocusEvent| e.into())} download={format!("{}.py", names[k])} data-testid={format!("console-export-{n}")}>{ i18n.f("con.export", &[("file", &format!("{}.py", names[k]))]) }</a>
                    <button type="button" class="link-btn" data-testid={format!("console-restart-{n}")} onclick={restart}>{ i18n.t("con.restart") }</button>
                    if k >= 2 {
                        <button type="button" class="link-btn" data-testid={format!("console-remove-{n}")} onclick={remove}>{ i18n.t("con.remove_pane") }</button>
                    }
                </span>
            </div>
            <ol class="con-transcript" data-testid={format!("console-transcript-{n}")} data-state={state.name()} data-text={t.text()} aria-live="polite">
                { for entries }
                { for pending }
            </ol>
            if p.gone_notice {
                <p class="notice small">{ i18n.t("con.sockets_gone") }</p>
            }
            if !connected {
                <p class="notice small">{ i18n.t("con.no_companion_short") }</p>
            }
            <div class="con-prompt">
                <span class="py-prompt" aria-hidden="true">{">>>"}</span>
                <input type="text" class="con-input" spellcheck="false" autocomplete="off" autocapitalize="off"
                    aria-label={i18n.f("con.input_label", &[("pane", &title)])}
                    data-testid={format!("console-input-{n}")} value={p.input.clone()} {placeholder}
                    {onkeydown} {oninput} {onfocus} />
            </div>
            if p.offered.len() > 1 {
                <p class="con-offers small" data-testid={format!("console-completions-{n}")}>{ p.offered.join("  ") }</p>
            }
        </div>
    }
}

/// Props of [`DoneLine`].
#[derive(Properties, PartialEq)]
struct DoneLineProps {
    entry: state::Entry,
}

/// A line that has run: `>>> line`, how long it took, what it printed (socklab's own note, if
/// it ended in one, in the reader's language).
#[function_component]
fn DoneLine(props: &DoneLineProps) -> Html {
    let i18n = use_i18n();
    let e = &props.entry;
    let out_class = e.output_class();
    let out = match e.printed_and_note() {
        ("", Some(note)) => note_text(&i18n, note),
        (printed, Some(note)) => format!("{printed}\n{}", note_text(&i18n, note)),
        (printed, None) => printed.to_owned(),
    };
    html! {
        <li class="con-line">
            <div class="con-in">
                <code><span class="py-prompt" aria-hidden="true">{">>> "}</span><span class="py-in">{ e.line.clone() }</span></code>
                <span class="con-time">{ e.took_ms.map(took_text).unwrap_or_default() }</span>
            </div>
            if !out.is_empty() {
                <pre class={classes!("con-out", out_class)}>{ out }</pre>
            }
        </li>
    }
}

/// socklab's note in the reader's language, as the transcript shows it: `[socklab] ...`.
fn note_text(i18n: &I18n, note: &Note) -> String {
    let (key, args): (&str, Vec<(&str, &str)>) = match note {
        Note::Refused(r) => (
            match r {
                Refusal::Loop => "con.note_loop",
                Refusal::Conditional => "con.note_if",
                Refusal::Definition => "con.note_def",
                Refusal::With => "con.note_with",
                Refusal::Exceptions => "con.note_try",
                Refusal::FString => "con.note_fstring",
                Refusal::Semicolon => "con.note_semicolon",
                Refusal::Operator => "con.note_operator",
                Refusal::Other => "con.note_statement",
            },
            vec![],
        ),
        Note::Unsupported(what) => ("con.note_unsupported", vec![("what", what.as_str())]),
        Note::IntTooLarge => ("con.note_int_bits", vec![]),
        Note::TooLarge => ("con.note_too_large", vec![]),
        Note::Module(module) => ("con.note_module", vec![("module", module.as_str())]),
        Note::NoGbkTable(why) => ("con.note_gbk", vec![("why", why.as_str())]),
        Note::LongSleep => ("con.note_sleep", vec![]),
        Note::Gone(Gone::NotConnected) => ("con.note_no_companion", vec![]),
        Note::Gone(Gone::Disconnected) => ("con.note_disconnected", vec![]),
        Note::Gone(Gone::Stale) => ("con.note_stale", vec![]),
        Note::Gone(Gone::Refused(message)) => {
            ("con.note_refused", vec![("message", message.as_str())])
        }
    };
    format!("[socklab] {}", i18n.f(key, &args))
}

/// Enter runs, the arrows walk the history, Tab completes.
fn on_key(ctx: &Ctx, k: usize, e: &KeyboardEvent) {
    match e.key().as_str() {
        "Enter" => {
            e.prevent_default();
            let line = {
                let mut rt = ctx.rt.borrow_mut();
                let Some(p) = rt.panes.get_mut(k) else { return };
                let line = std::mem::take(&mut p.input);
                p.history_at = None;
                if line.trim().is_empty() {
                    return;
                }
                p.history.push(line.clone());
                if p.py.is_none() || !p.transcript.typed_ahead.is_empty() {
                    // A line runs: this one waits its turn, as typing ahead in a terminal does.
                    p.transcript.typed_ahead.push_back(line);
                    drop(rt);
                    ctx.redraw.emit(());
                    ctx.save_query();
                    return;
                }
                line
            };
            ctx.run_line(k, line);
            ctx.save_query();
        }
        "ArrowUp" | "ArrowDown" => {
            e.prevent_default();
            let up = e.key() == "ArrowUp";
            let mut rt = ctx.rt.borrow_mut();
            let Some(p) = rt.panes.get_mut(k) else { return };
            let len = p.history.len();
            if len == 0 {
                return;
            }
            let at = match (p.history_at, up) {
                (None, true) => Some(len - 1),
                (None, false) => None,
                (Some(i), true) => Some(i.saturating_sub(1)),
                (Some(i), false) => (i + 1 < len).then_some(i + 1),
            };
            p.history_at = at;
            p.input = at.map(|i| p.history[i].clone()).unwrap_or_default();
            drop(rt);
            ctx.redraw.emit(());
        }
        "Tab" => {
            let mut rt = ctx.rt.borrow_mut();
            let Some(p) = rt.panes.get_mut(k) else { return };
            let Some(py) = &p.py else { return };
            let offered = completions(py, &p.input);
            if offered.is_empty() {
                return;
            }
            e.prevent_default();
            p.input = common_prefix(&offered);
            p.offered = offered;
            drop(rt);
            ctx.redraw.emit(());
        }
        _ => {}
    }
}

/// The longest start the completions share.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| a != b)
                .map_or(end.min(w.len()), |((i, _), _)| i),
        );
    }
    first[..end].to_owned()
}

fn state_text(i18n: &I18n, row: &SockRow) -> String {
    let mut parts = vec![i18n.t(row.state.key()).to_owned()];
    if row.state == SockState::Connected || row.state == SockState::Closed {
        if row.fin_sent {
            parts.push(i18n.t("con.st_fin_sent").to_owned());
        }
        if row.peer_closed {
            parts.push(i18n.t("con.st_peer_closed").to_owned());
        }
    }
    if row.incoming {
        parts.push(i18n.t("con.st_incoming").to_owned());
    }
    parts.join(" · ")
}

fn socket_panel(i18n: &I18n, rt: &Runtime) -> Html {
    let rows = rt.board.rows().iter().map(|row| {
        let names = rt
            .panes
            .get(row.pane)
            .and_then(|p| p.names.get(&row.id))
            .map(|n| n.join(", "))
            .unwrap_or_default();
        let kind = match (row.stream, row.v6) {
            (true, false) => "TCP",
            (false, false) => "UDP",
            (true, true) => "TCP6",
            (false, true) => "UDP6",
        };
        let state_name = match row.state {
            SockState::Created => "created",
            SockState::Bound => "bound",
            SockState::Listening => "listening",
            SockState::Connected => "connected",
            SockState::Datagram => "datagram",
            SockState::Reset => "reset",
            SockState::Closed => "closed",
        };
        let dash = || "—".to_owned();
        html! {
            <tr data-testid={format!("console-sock-{}", row.id)} data-state={state_name}
                data-fin={row.fin_sent.to_string()} data-peer-closed={row.peer_closed.to_string()}>
                <td data-label={i18n.t("con.col_pane").to_owned()}>{ pane_title(i18n, row.pane) }</td>
                <td data-label={i18n.t("con.col_names").to_owned()}><code>{ names }</code></td>
                <td data-label={i18n.t("con.col_kind").to_owned()}>{ kind }</td>
                <td data-label={i18n.t("con.col_state").to_owned()} class="con-state">{ state_text(i18n, row) }</td>
                <td data-label={i18n.t("con.col_local").to_owned()}><code>{ row.local.clone().unwrap_or_else(dash) }</code></td>
                <td data-label={i18n.t("con.col_remote").to_owned()}><code>{ row.remote.clone().unwrap_or_else(dash) }</code></td>
                <td data-label={i18n.t("con.col_timeout").to_owned()}><code>{ row.timeout.clone() }</code></td>
                <td data-label={i18n.t("con.col_unread").to_owned()}>{ row.unread }</td>
            </tr>
        }
    });
    html! {
        <section class="card con-sockets" data-testid="console-sockets" aria-labelledby="con-sockets-title">
            <h2 id="con-sockets-title">{ i18n.t("con.sockets") }</h2>
            if rt.board.rows().is_empty() {
                <p class="muted small">{ i18n.t("con.no_sockets") }</p>
            } else {
                <div class="table-wrap">
                    <table class="stack-table">
                        <thead><tr>
                            <th>{ i18n.t("con.col_pane") }</th><th>{ i18n.t("con.col_names") }</th>
                            <th>{ i18n.t("con.col_kind") }</th><th>{ i18n.t("con.col_state") }</th>
                            <th>{ i18n.t("con.col_local") }</th><th>{ i18n.t("con.col_remote") }</th>
                            <th>{ i18n.t("con.col_timeout") }</th><th>{ i18n.t("con.col_unread") }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
        </section>
    }
}

fn lane_name(i18n: &I18n, lane: Lane) -> String {
    match lane {
        Lane::Pane(k) => pane_title(i18n, k),
        Lane::Peer(kind) => i18n.t(peer_key(kind)).to_owned(),
        Lane::Elsewhere => i18n.t("con.lane_elsewhere").to_owned(),
    }
}

fn lane_id(lane: Lane) -> String {
    match lane {
        Lane::Pane(k) => format!("pane{}", k + 1),
        Lane::Peer(kind) => kind.name().to_owned(),
        Lane::Elsewhere => "elsewhere".to_owned(),
    }
}

fn diagram(i18n: &I18n, rt: &Runtime) -> Html {
    let lanes = rt.board.lanes(rt.panes.len());
    let col = |lane: Lane| lanes.iter().position(|l| *l == lane).unwrap_or(0);
    let heads = lanes
        .iter()
        .map(|&l| html! { <div class="seq-head">{ lane_name(i18n, l) }</div> });
    let arrows = rt.board.arrows().iter().map(|a| {
        let (from, to) = (col(a.from), col(a.to));
        let (lo, hi) = (from.min(to), from.max(to));
        let n = a.signal.bytes().unwrap_or(0).to_string();
        let label = i18n.f(a.signal.key(), &[("n", &n)]);
        let signal = match a.signal {
            Signal::Connect => "connect",
            Signal::Accept => "accept",
            Signal::Data(_) | Signal::Datagram(_) => "data",
            Signal::Fin => "fin",
            Signal::Rst => "rst",
        };
        let dir = if to >= from { "seq-right" } else { "seq-left" };
        let style = format!("grid-column: {} / {}", lo + 1, hi + 2);
        html! {
            <div class={classes!("seq-arrow", dir, format!("seq-{signal}"))} {style}
                data-testid="console-arrow" data-signal={signal} data-from={lane_id(a.from)} data-to={lane_id(a.to)}>
                <span class="seq-label">{ label }</span>
                <span class="seq-line" aria-hidden="true"></span>
            </div>
        }
    });
    let style = format!(
        "grid-template-columns: repeat({}, minmax(0, 1fr))",
        lanes.len()
    );
    html! {
        <section class="card con-diagram" data-testid="console-diagram" aria-labelledby="con-diagram-title">
            <h2 id="con-diagram-title">{ i18n.t("con.diagram") }</h2>
            if rt.board.arrows().is_empty() {
                <p class="muted small">{ i18n.t("con.no_arrows") }</p>
            } else {
                <div class="seq" {style}>
                    { for heads }
                    { for arrows }
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab_core::i18n::Lang;

    /// Every kind of note, with arguments where it takes them.
    fn every_note() -> Vec<Note> {
        let refusals = [
            Refusal::Loop,
            Refusal::Conditional,
            Refusal::Definition,
            Refusal::With,
            Refusal::Exceptions,
            Refusal::FString,
            Refusal::Semicolon,
            Refusal::Operator,
            Refusal::Other,
        ];
        let mut notes: Vec<Note> = refusals.into_iter().map(Note::Refused).collect();
        notes.extend([
            Note::Unsupported("socket.socketpair()".to_owned()),
            Note::IntTooLarge,
            Note::TooLarge,
            Note::Module("tkinter".to_owned()),
            Note::NoGbkTable("HTTP 404".to_owned()),
            Note::LongSleep,
            Note::Gone(Gone::NotConnected),
            Note::Gone(Gone::Disconnected),
            Note::Gone(Gone::Stale),
            Note::Gone(Gone::Refused("too many calls waiting".to_owned())),
        ]);
        notes
    }

    /// The page's English is the transcript's, word for word, and each note has a Chinese text
    /// of its own (with the same arguments in it).
    #[test]
    fn a_note_reads_in_english_as_the_transcript_keeps_it_and_in_chinese() {
        let en = I18n::fixed(Lang::En);
        let zh = I18n::fixed(Lang::Zh);
        for note in every_note() {
            assert_eq!(note_text(&en, &note), note.line(), "{note:?}");
            let chinese = note_text(&zh, &note);
            assert_ne!(chinese, note.line(), "{note:?}");
            assert!(chinese.starts_with("[socklab] ") && !chinese.contains(".note_"));
            assert!(
                chinese
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{chinese}"
            );
            for arg in [
                "socket.socketpair()",
                "tkinter",
                "HTTP 404",
                "too many calls waiting",
            ] {
                assert_eq!(note.line().contains(arg), chinese.contains(arg), "{note:?}");
            }
        }
    }

    /// What a line printed before its note stays as it is; the note is what changes language.
    #[test]
    fn a_note_after_printed_output_is_split_from_it() {
        let mut t = Transcript::default();
        t.start("print('hi'); time.sleep(61)".to_owned());
        let note = Note::LongSleep;
        t.finish(
            format!("hi\n{}", note.line()),
            true,
            Some(note.clone()),
            1.0,
        );
        assert_eq!(t.entries[0].printed_and_note(), ("hi", Some(&note)));
        t.start("socket.socket()".to_owned());
        let gone = Note::Gone(Gone::NotConnected);
        t.finish(gone.line(), true, Some(gone.clone()), 1.0);
        assert_eq!(t.entries[1].printed_and_note(), ("", Some(&gone)));
        t.start("1".to_owned());
        t.finish("1".to_owned(), false, None, 1.0);
        assert_eq!(t.entries[2].printed_and_note(), ("1", None));
    }
}
