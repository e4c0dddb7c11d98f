//! The header's classroom bar (`socklab serve --lan` only): on the teacher's page the
//! "Show the class" button and how many students follow; on a student's page the
//! "Follow the teacher" switch and how many students are connected. Without a class, nothing.

use crate::companion::{use_companion, Class};
use crate::i18n::use_i18n;
use crate::route::Route;
use socklab_core::protocol::{ClientMessage, Role, ServerMessage};
use yew::prelude::*;

/// Props of [`ClassBar`].
#[derive(Properties, PartialEq)]
pub struct ClassBarProps {
    /// The page shown, whose link the teacher shows the class.
    pub route: Route,
}

/// What became of the teacher's last "Show the class".
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    /// Sent to this many students.
    To(u32),
    /// Refused, with the companion's words.
    Refused(String),
}

/// The classroom bar.
#[function_component]
pub fn ClassBar(props: &ClassBarProps) -> Html {
    let i18n = use_i18n();
    let class = use_context::<Class>().unwrap_or_default();
    let companion = use_companion();
    let shown = use_state(|| None::<Shown>);
    let students = class.students.to_string();
    match class.role {
        Role::Solo => html! {},
        Role::Teacher => {
            let route = props.route;
            let onclick = {
                let shown = shown.clone();
                Callback::from(move |_: MouseEvent| {
                    let link = crate::route::class_link(route, &crate::browser::query());
                    let shown = shown.clone();
                    let reply = Callback::from(move |m: ServerMessage| {
                        shown.set(Some(match m {
                            ServerMessage::Shown { students, .. } => Shown::To(students),
                            ServerMessage::Error(e) => Shown::Refused(e.message),
                            other => Shown::Refused(format!("{other:?}")),
                        }));
                    });
                    companion.request(|id| ClientMessage::ShowClass { id, link }, reply);
                })
            };
            let result = shown.as_ref().map(|s| match s {
                Shown::To(n) => i18n.f("class.shown", &[("n", &n.to_string())]),
                Shown::Refused(message) => i18n.f("class.refused", &[("message", message)]),
            });
            let following = class.following.to_string();
            html! {
                <div class="class-bar" data-role="teacher">
                    <button type="button" class="seg-btn class-show" data-testid="show-class" {onclick}>{ i18n.t("class.show") }</button>
                    <span class="class-count" data-testid="class-count">
                        { i18n.f("class.teacher_count", &[("n", &students), ("following", &following)]) }
                    </span>
                    if let Some(result) = result {
                        <span class="class-result" data-testid="class-result" role="status">{ result }</span>
                    }
                </div>
            }
        }
        Role::Student => {
            let onchange = Callback::from(move |e: Event| {
                use wasm_bindgen::JsCast;
                if let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    companion.set_follow(input.checked());
                }
            });
            html! {
                <div class="class-bar" data-role="student">
                    <label class="class-follow">
                        <input type="checkbox" data-testid="follow-teacher" checked={class.follow} {onchange} />
                        { i18n.t("class.follow") }
                    </label>
                    <span class="class-count" data-testid="class-count">
                        { i18n.f("class.student_count", &[("n", &students)]) }
                    </span>
                </div>
            }
        }
    }
}
