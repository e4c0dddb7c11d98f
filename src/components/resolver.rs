//! A live `socket.getaddrinfo(...)`: asks the companion, which asks this machine's resolver,
//! and shows what Python prints.

use crate::companion::{use_companion, Status};
use crate::i18n::use_i18n;
use socklab_core::protocol::{ClientMessage, ServerMessage};
use yew::prelude::*;

/// Props of [`LiveGetaddrinfo`].
#[derive(Properties, PartialEq, Clone)]
pub struct LiveGetaddrinfoProps {
    /// The host (`None` is Python's `None`).
    pub host: Option<String>,
    /// The port or service as text, or `None`.
    pub port: Option<String>,
    /// `AF_*`.
    #[prop_or_default]
    pub family: i32,
    /// `SOCK_*`.
    #[prop_or_default]
    pub socktype: i32,
    /// `IPPROTO_*`.
    #[prop_or_default]
    pub proto: i32,
    /// `AI_*`.
    #[prop_or_default]
    pub flags: i32,
    /// The call as Python source, shown at `>>>`.
    pub call: AttrValue,
    /// A test id for the result.
    pub testid: AttrValue,
}

/// A button that runs getaddrinfo on the learner's machine, and its answer.
#[function_component]
pub fn LiveGetaddrinfo(props: &LiveGetaddrinfoProps) -> Html {
    let i18n = use_i18n();
    let companion = use_companion();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    // The answer, for the call it answered (a changed form clears it).
    let answer = use_state(|| None::<(AttrValue, Result<String, String>)>);
    let waiting = use_state(|| false);
    let connected = matches!(status, Status::Connected { .. });
    let onclick = {
        let props = props.clone();
        let answer = answer.clone();
        let waiting = waiting.clone();
        Callback::from(move |_| {
            let call = props.call.clone();
            let (answer, waiting_done) = (answer.clone(), waiting.clone());
            let reply = Callback::from(move |message: ServerMessage| {
                let result = match message {
                    ServerMessage::Addrinfo { outcome, .. } => outcome.python(),
                    ServerMessage::Error(e) => Err(format!("socklab: {}", e.message)),
                    other => Err(format!("socklab: unexpected reply {other:?}")),
                };
                answer.set(Some((call.clone(), result)));
                waiting_done.set(false);
            });
            let p = props.clone();
            let sent = companion.request(
                move |id| ClientMessage::Getaddrinfo {
                    id,
                    host: p.host,
                    port: p.port,
                    family: p.family,
                    socktype: p.socktype,
                    proto: p.proto,
                    flags: p.flags,
                },
                reply,
            );
            waiting.set(sent);
        })
    };
    let shown = answer
        .as_ref()
        .filter(|(call, _)| *call == props.call)
        .map(|(_, r)| r.clone());
    let output = match &shown {
        None => html! {},
        Some(Ok(repr)) => {
            html! { <code class="py-out" data-testid={props.testid.clone()}>{ repr }</code> }
        }
        Some(Err(line)) => {
            html! { <code class="py-err" data-testid={props.testid.clone()}>{ socklab_core::pyerror::traceback(line) }</code> }
        }
    };
    html! {
        <div class="live">
            <button type="button" class="run-btn" disabled={!connected || *waiting} {onclick}
                data-testid={format!("{}-run", props.testid)}>
                { if *waiting { i18n.t("live.running") } else { i18n.t("live.run") } }
            </button>
            if !connected {
                <span class="muted">{" "}{ i18n.t("live.needs_companion") }</span>
            }
            <pre class="py">
                <span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in">{ props.call.clone() }</code>{"\n"}{ output }
            </pre>
        </div>
    }
}
