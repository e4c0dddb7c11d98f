//! A live `socket.getaddrinfo(...)`: asks the companion, which asks this machine's resolver,
//! and shows what Python prints.

use crate::companion::{sort_reply, use_request, Status};
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

/// What Python prints for getaddrinfo's reply: the list, or the traceback's last line.
fn addrinfo(reply: ServerMessage) -> Result<String, String> {
    let picked = sort_reply(reply, |reply| match reply {
        ServerMessage::Addrinfo { outcome, .. } => Ok(outcome),
        other => Err(Box::new(other)),
    });
    picked.map_err(|e| e.line())?.python()
}

/// A button that runs getaddrinfo on the learner's machine, and its answer.
#[function_component]
pub fn LiveGetaddrinfo(props: &LiveGetaddrinfoProps) -> Html {
    let i18n = use_i18n();
    // The answer, for the call it answered (a changed form hides it).
    let request = use_request::<(AttrValue, Result<String, String>)>();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    let connected = matches!(status, Status::Connected { .. });
    let onclick = {
        let props = props.clone();
        let request = request.clone();
        Callback::from(move |_| {
            let p = props.clone();
            let call = props.call.clone();
            request.send(
                move |id| ClientMessage::Getaddrinfo {
                    id,
                    host: p.host,
                    port: p.port,
                    family: p.family,
                    socktype: p.socktype,
                    proto: p.proto,
                    flags: p.flags,
                },
                move |reply| (call, addrinfo(reply)),
            );
        })
    };
    let shown = request
        .reply()
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
            <button type="button" class="run-btn" disabled={!connected || request.in_flight()} {onclick}
                data-testid={format!("{}-run", props.testid)}>
                { if request.in_flight() { i18n.t("live.running") } else { i18n.t("live.run") } }
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
