//! "Reproduce it live": runs one of the companion's scripted scenarios on the learner's machine
//! and shows every call it made as a Python session, with how long each call took, and what
//! happened on the wire meanwhile (the companion's events: data arrived, the peer closed, what
//! the demo peer did) as a timeline.

use crate::companion::{sort_reply, use_companion, use_request, Status, Subscription, TimedEvent};
use crate::i18n::use_i18n;
use socklab_core::protocol::{sock_var, ReplOutput};
use socklab_core::protocol::{
    ClientMessage, PeerAction, PeerKind, Scenario, ServerMessage, SockId, SocketEvent, Step,
};
use std::rc::Rc;
use yew::prelude::*;

/// How long after its transcript a scenario's timeline still takes events: the demo peer's
/// last actions (closing) can reach the page just after the transcript.
const LATE_EVENTS_MS: u32 = 300;

/// Whether an event belongs to a run of `scenario` whose transcript is `steps`: it concerns one
/// of the sockets the run made, or the demo peer it talks to. (Events of other runs, on the
/// page at the same time, stay out.)
pub fn belongs(event: &SocketEvent, scenario: Scenario, steps: &[Step]) -> bool {
    use socklab_core::protocol::{CallOutcome, PyReturn};
    let made = |id: SockId| {
        steps.iter().any(|step| {
            matches!(
                &step.outcome,
                CallOutcome::Returned {
                    value: PyReturn::Socket { sock, .. } | PyReturn::Accepted { sock, .. },
                } if *sock == id
            )
        })
    };
    match event {
        SocketEvent::Data { sock, .. }
        | SocketEvent::PeerClosed { sock }
        | SocketEvent::Reset { sock }
        | SocketEvent::Incoming { sock } => made(*sock),
        SocketEvent::Peer { peer, .. } => scenario.peer() == Some(*peer),
    }
}

/// A demo peer's name inside a sentence, by catalog key: "the half-close peer", 半关闭对端.
pub fn peer_in_sentence(peer: PeerKind) -> &'static str {
    match peer {
        PeerKind::EchoTcp => "live.peer_echo_tcp",
        PeerKind::EchoUdp => "live.peer_echo_udp",
        PeerKind::Silent => "live.peer_silent",
        PeerKind::Reset => "live.peer_reset",
        PeerKind::HalfClose => "live.peer_half_close",
        PeerKind::AppProtocol => "live.peer_app_protocol",
    }
}

/// An event as a timeline line: the catalog key and its arguments (the `peer` argument is the
/// catalog key of the peer's name, which the line shows in the reader's language).
pub fn event_message(event: &SocketEvent) -> (&'static str, Vec<(&'static str, String)>) {
    let sock = |s: &SockId| ("sock", sock_var(*s));
    match event {
        SocketEvent::Data { sock: s, available } => {
            ("live.ev_data", vec![sock(s), ("n", available.to_string())])
        }
        SocketEvent::PeerClosed { sock: s } => ("live.ev_peer_closed", vec![sock(s)]),
        SocketEvent::Reset { sock: s } => ("live.ev_reset", vec![sock(s)]),
        SocketEvent::Incoming { sock: s } => ("live.ev_incoming", vec![sock(s)]),
        SocketEvent::Peer { peer, what } => {
            let peer = ("peer", peer_in_sentence(*peer).to_owned());
            match what {
                PeerAction::Accepted { from } => {
                    ("live.ev_accepted", vec![peer, ("from", from.clone())])
                }
                PeerAction::Received { bytes } => {
                    ("live.ev_received", vec![peer, ("n", bytes.to_string())])
                }
                PeerAction::ReadEof => ("live.ev_eof", vec![peer]),
                PeerAction::Sent { bytes } => {
                    ("live.ev_sent", vec![peer, ("n", bytes.to_string())])
                }
                PeerAction::Closed => ("live.ev_closed", vec![peer]),
                PeerAction::Aborted => ("live.ev_aborted", vec![peer]),
            }
        }
    }
}

/// The catalog key naming what a scenario does, for its button.
pub fn scenario_key(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Econnrefused => "live.scen_econnrefused",
        Scenario::Eaddrinuse => "live.scen_eaddrinuse",
        Scenario::Econnreset => "live.scen_econnreset",
        Scenario::Etimedout => "live.scen_etimedout",
        Scenario::EtimedoutConnect => "live.scen_etimedout_connect",
        Scenario::EwouldblockRecv => "live.scen_ewouldblock_recv",
        Scenario::EwouldblockSend => "live.scen_ewouldblock_send",
        Scenario::Epipe => "live.scen_epipe",
        Scenario::Eaddrnotavail => "live.scen_eaddrnotavail",
        Scenario::HalfClose => "live.scen_half_close",
    }
}

/// The console with a run's lines in its first pane, not yet run, editable: the link "open in
/// the console" follows.
pub fn console_link(steps: &[Step]) -> String {
    crate::route::console_with(&[socklab_core::protocol::console_lines(steps), Vec::new()])
}

/// A step's line, its comment in the reader's language (the companion writes it in English).
fn step_code(i18n: &crate::i18n::I18n, step: &Step) -> Html {
    match step.comment() {
        Some((code, key)) => html! {
            <>
                <code class="py-in">{ code }</code>
                <code class="py-comment">{ format!("  # {}", i18n.t(key)) }</code>
            </>
        },
        // A compound step (`try:` ... `except`): its lines after the first at `... `, and the
        // empty line that ends it, as the REPL shows them.
        None => html! { <code class="py-in">{ step.code.replace('\n', "\n... ") }</code> },
    }
}

/// A scenario's reply: the transcript's steps, or the line shown instead.
fn transcript(reply: ServerMessage) -> Result<Vec<Step>, String> {
    let picked = sort_reply(reply, |reply| match reply {
        ServerMessage::Transcript { steps, .. } => Ok(steps),
        other => Err(Box::new(other)),
    });
    picked.map_err(|e| e.line())
}

/// Props of [`LiveScenario`].
#[derive(Properties, PartialEq, Clone)]
pub struct LiveScenarioProps {
    /// Which scenario.
    pub scenario: Scenario,
}

/// A button that runs a scenario through the companion, and the transcript it sent back.
#[function_component]
pub fn LiveScenario(props: &LiveScenarioProps) -> Html {
    let i18n = use_i18n();
    let request = use_request::<Result<Vec<Step>, String>>();
    let companion = use_companion();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    // The events of the latest run, and the subscription that collects them while it runs.
    let events = use_mut_ref(Vec::<TimedEvent>::new);
    let rerender = use_force_update();
    let listening = use_mut_ref(|| None::<Subscription>);
    let stop_timer = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let connected = matches!(status, Status::Connected { .. });
    let onclick = {
        let scenario = props.scenario;
        let request = request.clone();
        let events = Rc::clone(&events);
        Callback::from(move |_| {
            events.borrow_mut().clear();
            let on_event = {
                let (events, rerender) = (Rc::clone(&events), rerender.clone());
                Callback::from(move |event: TimedEvent| {
                    events.borrow_mut().push(event);
                    rerender.force_update();
                })
            };
            *listening.borrow_mut() = Some(companion.subscribe(on_event));
            let listening = Rc::clone(&listening);
            let stop_timer = Rc::clone(&stop_timer);
            // Stop listening a moment after the reply, so events of later runs elsewhere stay out.
            let stop_listening = move || {
                *stop_timer.borrow_mut() = Some(gloo_timers::callback::Timeout::new(
                    LATE_EVENTS_MS,
                    move || {
                        listening.borrow_mut().take();
                    },
                ));
            };
            request.send_then(
                move |id| ClientMessage::Scenario { id, scenario },
                transcript,
                stop_listening,
            );
        })
    };
    let scenario = props.scenario;
    let timeline = |steps: &[Step]| {
        let events = events.borrow();
        let mine: Vec<&TimedEvent> = events
            .iter()
            .filter(|(_, event)| belongs(event, scenario, steps))
            .collect();
        let first = mine.first().map(|(at, _)| *at)?;
        let items = mine.into_iter().map(|(at, event)| {
            let (key, args) = event_message(event);
            let args: Vec<(&str, &str)> = args
                .iter()
                .map(|(k, v)| (*k, if *k == "peer" { i18n.t(v) } else { v.as_str() }))
                .collect();
            html! {
                <li>
                    <span class="ev-time">{ format!("+{} ms", at - first) }</span>
                    <span class="ev-text">{ i18n.f(key, &args) }</span>
                </li>
            }
        });
        Some(html! {
            <div class="timeline" data-testid="scenario-timeline">
                <h5>{ i18n.t("live.timeline") }</h5>
                <ol>{ for items }</ol>
            </div>
        })
    };
    let id = props.scenario.name();
    let body = match request.reply() {
        None => html! {},
        Some(Err(line)) => html! {
            <pre class="py"><code class="py-err" data-testid="scenario-error">{ line }</code></pre>
        },
        Some(Ok(steps)) => {
            let rows = steps.iter().map(|step| {
                let output = step.repl_output().map(|out| {
                    let (class, text) = match out {
                        ReplOutput::Value(t) => ("py-out", t),
                        ReplOutput::Raised(t) => ("py-err", t),
                    };
                    html! { <code class={classes!(class, "step-out")}>{ text }</code> }
                });
                html! {
                    <li class="step">
                        <span class="step-code"><span class="py-prompt" aria-hidden="true">{">>> "}</span>{ step_code(&i18n, step) }</span>
                        <span class="step-time" title={i18n.t("live.elapsed").to_owned()}>{ step.elapsed_text() }</span>
                        { for output }
                    </li>
                }
            });
            html! {
                <>
                    <ol class="py transcript" data-testid="scenario-transcript" aria-label={i18n.t("py.session").to_owned()}>{ for rows }</ol>
                    { for timeline(steps) }
                    <p class="muted small">{ i18n.t("live.ran_for_real") }
                        {" "}<a href={console_link(steps)} data-testid={format!("scenario-{id}-console")}>{ i18n.t("live.open_in_console") }</a>
                    </p>
                </>
            }
        }
    };
    html! {
        <div class="live scenario" data-testid={format!("scenario-{id}")} data-scenario={id}>
            <button type="button" class="run-btn" disabled={!connected || request.in_flight()} {onclick}
                data-testid={format!("scenario-{id}-run")}>
                { if request.in_flight() {
                    i18n.t("live.running")
                } else if props.scenario.errno_name().is_some() {
                    i18n.t("live.reproduce")
                } else {
                    i18n.t("live.run")
                } }
            </button>
            {" "}<span class="scenario-what">{ i18n.t(scenario_key(props.scenario)) }</span>
            if !connected {
                <p class="muted small">{ i18n.t("live.needs_companion") }</p>
            }
            { body }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_line() {
        use socklab_core::protocol::PeerKind;
        let peer = |what| SocketEvent::Peer {
            peer: PeerKind::HalfClose,
            what,
        };
        let events = [
            SocketEvent::Data {
                sock: 1,
                available: 18,
            },
            SocketEvent::PeerClosed { sock: 1 },
            SocketEvent::Reset { sock: 2 },
            SocketEvent::Incoming { sock: 3 },
            peer(PeerAction::Accepted {
                from: "('127.0.0.1', 40000)".into(),
            }),
            peer(PeerAction::Received { bytes: 18 }),
            peer(PeerAction::ReadEof),
            peer(PeerAction::Sent { bytes: 18 }),
            peer(PeerAction::Closed),
            peer(PeerAction::Aborted),
        ];
        let keys: std::collections::BTreeSet<_> =
            events.iter().map(|e| event_message(e).0).collect();
        assert_eq!(keys.len(), events.len(), "one line per kind of event");
        let (key, args) = event_message(&events[0]);
        assert_eq!(key, "live.ev_data");
        assert_eq!(args, [("sock", "s1".to_owned()), ("n", "18".to_owned())]);
        let (_, args) = event_message(&events[4]);
        assert_eq!(args[0], ("peer", "live.peer_half_close".to_owned()));
    }

    #[test]
    fn a_timeline_keeps_its_own_runs_events() {
        use socklab_core::protocol::{CallOutcome, PeerKind, PyReturn};
        let made = Step {
            code: "s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)".into(),
            outcome: CallOutcome::Returned {
                value: PyReturn::Socket {
                    sock: 2,
                    repr: "<socket.socket fd=7>".into(),
                },
            },
            elapsed_us: 10,
        };
        let steps = [made];
        let half = Scenario::HalfClose;
        assert!(belongs(&SocketEvent::PeerClosed { sock: 2 }, half, &steps));
        assert!(!belongs(&SocketEvent::Reset { sock: 3 }, half, &steps));
        let peer = |peer| SocketEvent::Peer {
            peer,
            what: PeerAction::Closed,
        };
        assert!(belongs(&peer(PeerKind::HalfClose), half, &steps));
        assert!(!belongs(&peer(PeerKind::Silent), half, &steps));
        assert!(!belongs(&peer(PeerKind::Reset), Scenario::Epipe, &steps));
    }

    #[test]
    fn every_scenario_has_a_name() {
        let keys: std::collections::BTreeSet<_> =
            Scenario::ALL.iter().map(|&s| scenario_key(s)).collect();
        assert_eq!(keys.len(), Scenario::ALL.len());
    }
}
