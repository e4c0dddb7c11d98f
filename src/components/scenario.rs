//! "Reproduce it live": runs one of the companion's scripted scenarios on the learner's machine
//! and shows every call it made as a Python session, with how long each call took.

use crate::companion::{use_companion, Status};
use crate::i18n::use_i18n;
use socklab_core::protocol::{CallOutcome, ClientMessage, PyReturn, Scenario, ServerMessage, Step};
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
    }
}

/// The scenario's wire name (`ewouldblock_recv`), for test ids.
pub fn scenario_id(scenario: Scenario) -> String {
    serde_json::to_value(scenario)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A step's time as the transcript shows it: `0.1 ms`, `500.4 ms`.
pub fn elapsed_text(elapsed_us: u64) -> String {
    // Integer arithmetic, rounded to a tenth of a millisecond: no float formatting surprises.
    let tenths = (elapsed_us + 50) / 100;
    format!("{}.{} ms", tenths / 10, tenths % 10)
}

/// Whether a line of Python is an assignment (`s1 = ...`, `s3, addr = ...`): the REPL prints
/// nothing for it.
pub fn is_assignment(code: &str) -> bool {
    code.split_once(" = ").is_some_and(|(targets, _)| {
        !targets.is_empty()
            && targets
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ',' | ' '))
    })
}

/// What the REPL prints under a step: nothing for `None` or an assignment, the repr, or the
/// traceback's end.
pub fn step_output(code: &str, outcome: &CallOutcome) -> Option<(bool, String)> {
    match outcome {
        CallOutcome::Returned {
            value: PyReturn::None,
        } => None,
        CallOutcome::Returned { .. } if is_assignment(code) => None,
        CallOutcome::Returned { .. } => Some((false, outcome.line())),
        _ => Some((
            true,
            format!(
                "Traceback (most recent call last):\n  ...\n{}",
                outcome.line()
            ),
        )),
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
    let id = scenario_id(props.scenario);
    let body = match &*transcript {
        None => html! {},
        Some(Err(line)) => html! {
            <pre class="py"><code class="py-err" data-testid="scenario-error">{ line }</code></pre>
        },
        Some(Ok(steps)) => {
            let rows = steps.iter().map(|step| {
                let output = step_output(&step.code, &step.outcome).map(|(err, text)| {
                    let class = if err { "py-err" } else { "py-out" };
                    html! { <code class={classes!(class, "step-out")}>{ text }</code> }
                });
                html! {
                    <li class="step">
                        <span class="step-code"><span class="py-prompt" aria-hidden="true">{">>> "}</span><code class="py-in">{ &step.code }</code></span>
                        <span class="step-time" title={i18n.t("live.elapsed").to_owned()}>{ elapsed_text(step.elapsed_us) }</span>
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
        <div class="live scenario" data-testid={format!("scenario-{id}")} data-scenario={id.clone()}>
            <button type="button" class="run-btn" disabled={!connected || *waiting} {onclick}
                data-testid={format!("scenario-{id}-run")}>
                { if *waiting { i18n.t("live.running") } else { i18n.t("live.reproduce") } }
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
    use socklab_core::protocol::Raised;

    #[test]
    fn elapsed() {
        assert_eq!(elapsed_text(0), "0.0 ms");
        assert_eq!(elapsed_text(149), "0.1 ms");
        assert_eq!(elapsed_text(500_449), "500.4 ms");
        assert_eq!(elapsed_text(1_000_050), "1000.1 ms");
    }

    #[test]
    fn outputs() {
        let none = CallOutcome::Returned {
            value: PyReturn::None,
        };
        assert_eq!(step_output("s1.close()", &none), None);
        let five = CallOutcome::Returned {
            value: PyReturn::Int { value: 5 },
        };
        assert_eq!(
            step_output("s1.send(b'hello')", &five),
            Some((false, "5".to_owned()))
        );
        assert_eq!(step_output("port = s1.getsockname()[1]", &five), None);
        assert!(is_assignment("s3, addr = s1.accept()"));
        assert!(!is_assignment("s1.connect(('127.0.0.1', port))  # a = b"));
        let refused = CallOutcome::Raised(Raised {
            class: "ConnectionRefusedError".to_owned(),
            errno: Some(111),
            errno_name: Some("ECONNREFUSED".to_owned()),
            line: "ConnectionRefusedError: [Errno 111] Connection refused".to_owned(),
        });
        let (err, text) = step_output("s1.connect(('127.0.0.1', 9))", &refused).unwrap();
        assert!(err);
        assert!(text.ends_with("\nConnectionRefusedError: [Errno 111] Connection refused"));
    }

    #[test]
    fn every_scenario_has_a_name() {
        assert_eq!(scenario_id(Scenario::EwouldblockRecv), "ewouldblock_recv");
        let keys: std::collections::BTreeSet<_> =
            Scenario::ALL.iter().map(|&s| scenario_key(s)).collect();
        assert_eq!(keys.len(), Scenario::ALL.len());
    }
}
