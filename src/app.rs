//! The shell: providers, the header (companion status, language, theme), navigation, and the
//! current page, whose state is kept in the URL.

use crate::companion::{CompanionProvider, Status, Unavailable};
use crate::i18n::{use_i18n, I18nProvider};
use crate::pages::addresses::state::AddressState;
use crate::pages::addresses::AddressPage;
use crate::pages::byteorder::state::ByteOrderState;
use crate::pages::byteorder::ByteOrderPage;
use crate::pages::errors::state::ErrorsState;
use crate::pages::errors::ErrorsPage;
use crate::pages::hostnames::state::HostnameState;
use crate::pages::hostnames::HostnamePage;
use crate::pages::live::state::LiveState;
use crate::pages::live::LivePage;
use crate::pages::structs::state::StructState;
use crate::pages::structs::StructPage;
use crate::pages::text::state::TextState;
use crate::pages::text::TextPage;
use crate::route::Route;
use crate::theme::{self, Theme};
use socklab_core::i18n::Lang;
use yew::prelude::*;

/// The whole app.
#[function_component]
pub fn App() -> Html {
    html! {
        <I18nProvider>
            <CompanionProvider>
                <Shell />
            </CompanionProvider>
        </I18nProvider>
    }
}

#[function_component]
fn Shell() -> Html {
    let i18n = use_i18n();
    let route = use_state(|| Route::from_path(&crate::browser::path()));
    // The query the first page starts from; read once, before anything rewrites the URL.
    // Pages reached by navigation start from their defaults.
    let landing = use_memo((), |_| {
        (
            Route::from_path(&crate::browser::path()),
            crate::browser::query(),
        )
    });
    let initial_query = if landing.0 == *route {
        landing.1.clone()
    } else {
        String::new()
    };
    {
        let title = format!("{} · socklab", i18n.t(route.title_key()));
        use_effect_with(title, |title| crate::browser::set_title(title));
    }
    let on_query = {
        let route = *route;
        Callback::from(move |query: String| {
            crate::browser::replace_url(&format!("{}{query}", route.path()));
        })
    };
    let nav = Route::ALL.iter().map(|&r| {
        let current = *route == r;
        let route = route.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            crate::browser::push_url(r.path());
            route.set(r);
        });
        html! {
            <li><a href={r.path()} aria-current={current.then_some("page")} {onclick}>{ i18n.t(r.title_key()) }</a></li>
        }
    });
    let page = match *route {
        Route::ByteOrder => {
            html! { <ByteOrderPage initial={ByteOrderState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Errors => {
            html! { <ErrorsPage initial={ErrorsState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Addresses => {
            html! { <AddressPage initial={AddressState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Hostnames => {
            html! { <HostnamePage initial={HostnameState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Live => {
            html! { <LivePage initial={LiveState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Text => {
            html! { <TextPage initial={TextState::from_query(&initial_query)} {on_query} /> }
        }
        Route::Struct => {
            html! { <StructPage initial={StructState::from_query(&initial_query)} {on_query} /> }
        }
    };
    html! {
        <div class="shell">
            <header class="top">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">{"⇄"}</span>
                    <span class="brand-name">{"socklab"}</span>
                    <span class="brand-tag">{ i18n.t("app.tagline") }</span>
                </a>
                <CompanionBadge />
                <div class="prefs">
                    <LangSwitch />
                    <ThemeToggle />
                </div>
            </header>
            <nav class="topics" aria-label={i18n.t("nav.label").to_owned()}>
                <ul>{ for nav }</ul>
            </nav>
            <main id="main">{ page }</main>
            <footer class="foot">
                <p>{ i18n.t("app.footer") }</p>
            </footer>
        </div>
    }
}

#[function_component]
fn CompanionBadge() -> Html {
    let i18n = use_i18n();
    let status = use_context::<Status>().unwrap_or(Status::Connecting);
    let (state, text, hint) = match &status {
        Status::Connecting => ("connecting", i18n.t("status.connecting").to_owned(), None),
        Status::Connected { version } => (
            "connected",
            i18n.f("status.connected", &[("version", version)]),
            None,
        ),
        Status::Unavailable {
            reason,
            retry_in_ms,
        } => {
            let hint = match reason {
                Unavailable::NoToken => i18n.t("status.hint_no_token").to_owned(),
                Unavailable::Refused(message) => {
                    i18n.f("status.hint_refused", &[("message", message)])
                }
                Unavailable::Unreachable => {
                    let secs = retry_in_ms.map_or(0, |ms| ms.div_ceil(1000));
                    i18n.f("status.hint_start", &[("seconds", &secs.to_string())])
                }
            };
            (
                "unavailable",
                i18n.t("status.unavailable").to_owned(),
                Some(hint),
            )
        }
    };
    html! {
        <div class="status" data-state={state} data-testid="companion-status" role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span>
            <span class="status-text">{ text }</span>
            if let Some(hint) = hint {
                <span class="status-hint">{ hint }</span>
            }
        </div>
    }
}

#[function_component]
fn LangSwitch() -> Html {
    let i18n = use_i18n();
    let button = |lang: Lang, name: &'static str| {
        let i18n2 = i18n.clone();
        let on = i18n.lang == lang;
        html! {
            <button type="button" class={classes!("seg-btn", on.then_some("on"))} lang={lang.tag()}
                aria-pressed={on.to_string()} data-testid={format!("lang-{}", lang.tag())}
                onclick={Callback::from(move |_| i18n2.set(lang))}>{ name }</button>
        }
    };
    html! {
        <div class="seg lang" role="group" aria-label={i18n.t("prefs.language").to_owned()}>
            { button(Lang::En, "English") }
            { button(Lang::Zh, "中文") }
        </div>
    }
}

#[function_component]
fn ThemeToggle() -> Html {
    let i18n = use_i18n();
    let current = use_state(theme::effective);
    {
        use_effect_with((), |_| theme::apply(theme::stored()));
    }
    let next = current.toggled();
    let onclick = {
        let current = current.clone();
        Callback::from(move |_| {
            theme::choose(next);
            current.set(next);
        })
    };
    let (icon, label) = match next {
        Theme::Dark => ("☾", i18n.t("prefs.to_dark")),
        Theme::Light => ("☀", i18n.t("prefs.to_light")),
    };
    html! {
        <button type="button" class="theme-btn" data-testid="theme-toggle" title={label.to_owned()} aria-label={label.to_owned()} {onclick}>
            <span aria-hidden="true">{ icon }</span>
        </button>
    }
}
