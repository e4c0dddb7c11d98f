//! "Reproduce it live": runs one of the companion's scripted scenarios on the learner's machine
//! and shows every call it made as a Python session, with how long each call took.

use crate::companion::{use_companion, Status};
use crate::i18n::use_i18n;
use socklab_core::protocol::socket::ReplOutput;
use socklab_core::protocol::{ClientMessage, Scenario, ServerMessage, Step};
use yew::prelude::*;

/// The catalog key naming what a scenario does, for its button.
pub fn scenario_key(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Econnrefused => "live.scen_econnrefused",
        Scenario::Eaddrinuse => "live.scen_eaddrinuse",
        Scenario::Econnreset => "live.scen_econnreset",
        Scenario::Etimedout => "live.scen_etimedout",
        Scenario::EwouldblockRecv => "live.scen_ewouldblock_recv",
        Scenario::EwouldblockSend => "live.scen_ewouldblock_send",
        Scenario::Epipe => "live.scen_epipe",
        Scenario::Eaddrnotavail => "live.scen_eaddrnotavail",
        Scenario::HalfClose => "live.scen_half_close",
    }
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
    let companion = use_companion();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    let transcript = use_state(|| None::<Result<Vec<Step>, String>>);
    let waiting = use_state(|| false);
    let connected = matches!(status, Status::Connected { .. });
    let onclick = {
        let scenario = props.scenario;
        let transcript = transcript.clone();
        let waiting = waiting.clone();
        Callback::from(move |_| {
            let (transcript, done) = (transcript.clone(), waiting.clone());
            let reply = Callback::from(move |message: ServerMessage| {
                transcript.set(Some(match message {
                    ServerMessage::Transcript { steps, .. } => Ok(steps),
                    ServerMessage::Error(e) => Err(format!("socklab: {}", e.message)),
                    other => Err(format!("socklab: unexpected reply {other:?}")),
                }));
                done.set(false);
            });
            let sent = companion.request(move |id| ClientMessage::Scenario { id, scenario }, reply);
            waiting.set(sent);
        })
    };
    let id = props.scenario.name();
    let body = match &*transcript {
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
                        <span class="step-code"><span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in">{ &step.code }</code></span>
                        <span class="step-time" title={i18n.t("live.elapsed").to_owned()}>{ step.elapsed_text() }</span>
                        { for output }
                    </li>
                }
            });
            html! {
                <>
                    <ol class="py transcript" data-testid="scenario-transcript" aria-label={i18n.t("py.session").to_owned()}>{ for rows }</ol>
                    <p class="muted small">{ i18n.t("live.ran_for_real") }</p>
                </>
            }
        }
    };
    html! {
        <div class="live scenario" data-testid={format!("scenario-{id}")} data-scenario={id}>
            <button type="button" class="run-btn" disabled={!connected || *waiting} {onclick}
                data-testid={format!("scenario-{id}-run")}>
                { if *waiting {
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
    fn every_scenario_has_a_name() {
        let keys: std::collections::BTreeSet<_> =
            Scenario::ALL.iter().map(|&s| scenario_key(s)).collect();
        assert_eq!(keys.len(), Scenario::ALL.len());
    }
}
