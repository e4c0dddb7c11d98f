//! The shell: providers, the header (companion status, language, theme), navigation, and the
//! current page, whose state is kept in the URL.

use crate::companion::{use_companion, CompanionProvider, Status, Unavailable};
use crate::components::segmented::{Segment, Segmented};
use crate::deferred::NeedsData;
use crate::i18n::{use_i18n, I18nProvider};
#[cfg(feature = "lite")]
use crate::pages::addresses::{state::AddressState, AddressPage};
#[cfg(feature = "lite")]
use crate::pages::byteorder::{state::ByteOrderState, ByteOrderPage};
#[cfg(feature = "console")]
use crate::pages::console::{state::ConsoleQuery, ConsolePage};
#[cfg(feature = "lite")]
use crate::pages::errors::{state::ErrorsState, ErrorsPage};
#[cfg(feature = "lite")]
use crate::pages::hostnames::{state::HostnameState, HostnamePage};
#[cfg(feature = "live")]
use crate::pages::live::{state::LiveState, LivePage};
#[cfg(feature = "lite")]
use crate::pages::structs::{state::StructState, StructPage};
#[cfg(feature = "lite")]
use crate::pages::text::{state::TextState, TextPage};
use crate::present::{self, Presenting};
use crate::route::Route;
use crate::theme::{self, Theme};
use socklab_core::deferred::Deferred;
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

/// Where the app is: the page, the query it opened with, and which visit this is (each
/// navigation is a new visit, so a page opened again starts afresh from its query).
#[derive(Clone, Debug, PartialEq)]
struct Place {
    route: Route,
    query: String,
    visit: u32,
}

impl Place {
    /// The place the browser's address bar shows.
    fn current(visit: u32) -> Place {
        Place {
            route: Route::from_path(&crate::browser::path()),
            query: crate::browser::query(),
            visit,
        }
    }
}

/// The link a click inside the app followed, if it is a plain left click on a link to a page
/// of this app (`href` starting with one `/`): the app opens those itself, without a reload.
fn app_link(e: &MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let modified = e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key();
    if e.default_prevented() || e.button() != 0 || modified {
        return None;
    }
    let target: web_sys::Element = e.target()?.dyn_into().ok()?;
    let link = target.closest("a[href]").ok()??;
    let href = link.get_attribute("href")?;
    (href.starts_with('/') && !href.starts_with("//") && link.get_attribute("target").is_none())
        .then_some(href)
}

#[function_component]
fn Shell() -> Html {
    let i18n = use_i18n();
    // Read once, before anything rewrites the URL.
    let place = use_state(|| Place::current(0));
    let visits = use_mut_ref(|| 0_u32);
    let route = place.route;
    {
        let title = format!("{} · socklab", i18n.t(route.title_key()));
        use_effect_with(title, |title| crate::browser::set_title(title));
    }
    // Back and forward reopen the page the address bar then shows.
    {
        let place = place.clone();
        let visits = visits.clone();
        use_effect_with((), move |()| {
            let listener = crate::browser::on_history(move || {
                *visits.borrow_mut() += 1;
                place.set(Place::current(*visits.borrow()));
            });
            move || drop(listener)
        });
    }
    // Presenter mode: read from the address bar, kept in it on every address the app writes.
    let presenting = use_state(|| present::is_on(&crate::browser::query()));
    {
        let presenting = presenting.clone();
        use_effect_with(*presenting, move |&on| {
            crate::browser::set_root_attribute("data-present", on.then_some("1"));
        });
        let place = place.clone();
        use_effect_with(place.visit, move |_| {
            if place.visit > 0 {
                presenting.set(present::is_on(&crate::browser::query()));
            }
        });
    }
    let on = *presenting;
    let toggle_present = {
        let presenting = presenting.clone();
        Callback::from(move |_| {
            let here = format!("{}{}", crate::browser::path(), crate::browser::query());
            crate::browser::replace_url(&present::with_flag(&here, !*presenting));
            presenting.set(!*presenting);
        })
    };
    let go = {
        let place = place.clone();
        Callback::from(move |href: String| {
            let href = present::with_flag(&href, on);
            // A page of another build loads that build (a page load).
            if !Route::from_path(href.split('?').next().unwrap_or_default()).in_this_build() {
                crate::browser::load_page(&href);
                return;
            }
            crate::browser::push_url(&href);
            *visits.borrow_mut() += 1;
            place.set(Place::current(*visits.borrow()));
            crate::browser::scroll_to_top();
        })
    };
    // A student page that follows opens the links the teacher shows, as a click inside the app
    // would (the companion's link checked them: only in-app routes reach `go`).
    {
        let companion = use_companion();
        let go = go.clone();
        use_effect_with((), move |()| {
            companion.set_on_show(Some(go));
            move || companion.set_on_show(None)
        });
    }
    let on_query = Callback::from(move |query: String| {
        crate::browser::replace_url(&present::with_flag(&format!("{}{query}", route.path()), on));
    });
    let on_link = {
        let go = go.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(href) = app_link(&e) {
                e.prevent_default();
                go.emit(href);
            }
        })
    };
    let shown = if on {
        present::nav_routes(route)
    } else {
        Route::ALL.to_vec()
    };
    let nav = shown.into_iter().map(|r| {
        let current = route == r;
        let go = go.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            go.emit(r.path().to_owned());
        });
        html! {
            <li><a href={r.path()} aria-current={current.then_some("page")} {onclick}>{ i18n.t(r.title_key()) }</a></li>
        }
    });
    let initial_query = place.query.clone();
    let key = place.visit.to_string();
    let page = match route {
        #[cfg(feature = "lite")]
        Route::ByteOrder => {
            html! { <ByteOrderPage key={key.clone()} initial={ByteOrderState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "lite")]
        Route::Errors => {
            html! { <ErrorsPage key={key.clone()} initial={ErrorsState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "lite")]
        Route::Addresses => {
            html! { <AddressPage key={key.clone()} initial={AddressState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "lite")]
        Route::Hostnames => {
            html! { <HostnamePage key={key.clone()} initial={HostnameState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "live")]
        Route::Live => {
            html! { <LivePage key={key.clone()} initial={LiveState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "lite")]
        Route::Text => {
            html! { <TextPage key={key.clone()} initial={TextState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "lite")]
        Route::Struct => {
            html! { <StructPage key={key.clone()} initial={StructState::from_query(&initial_query)} {on_query} /> }
        }
        #[cfg(feature = "console")]
        Route::Console => {
            html! { <ConsolePage key={key.clone()} initial={ConsoleQuery::from_query(&initial_query)} {on_query} /> }
        }
        // index.html's loader loads the build that has the page, so this one does not get
        // here; should it, a link loads the build that has it.
        #[cfg(not(feature = "lite"))]
        Route::ByteOrder
        | Route::Errors
        | Route::Addresses
        | Route::Hostnames
        | Route::Text
        | Route::Struct => other_build(&i18n, route),
        #[cfg(not(feature = "console"))]
        Route::Console => other_build(&i18n, route),
        #[cfg(not(feature = "live"))]
        Route::Live => other_build(&i18n, route),
    };
    html! {
        <ContextProvider<Presenting> context={Presenting(on)}>
        <div class="shell" onclick={on_link}>
            <header class="top">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">{"⇄"}</span>
                    <span class="brand-name">{"socklab"}</span>
                    <span class="brand-tag">{ i18n.t("app.tagline") }</span>
                </a>
                <CompanionBadge />
                <crate::components::classroom::ClassBar {route} />
                <div class="prefs">
                    <crate::components::qr::LinkQr />
                    <button type="button" class="present-btn" data-testid="present-toggle" aria-pressed={on.to_string()}
                        onclick={toggle_present}>{ i18n.t("prefs.present") }</button>
                    <LangSwitch />
                    <ThemeToggle />
                </div>
            </header>
            <nav class="topics" aria-label={i18n.t("nav.label").to_owned()}>
                <ul>{ for nav }</ul>
                if on {
                    <p class="present-keys" data-testid="present-keys">{ i18n.t("prefs.present_keys") }</p>
                }
            </nav>
            <main id="main">
                <NeedsData files={needs_data(route)}>
                    { page }<crate::components::predict::Predict key={route.path()} {route} />
                </NeedsData>
                <crate::components::reading::FurtherReading {route} />
            </main>
            <footer class="foot">
                <p>{ i18n.t("app.footer") }</p>
            </footer>
        </div>
        </ContextProvider<Presenting>>
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
    let option = |lang: Lang, name: &str| {
        Segment::new(lang, name, format!("lang-{}", lang.tag())).lang(lang.tag())
    };
    let onchange = {
        let i18n = i18n.clone();
        Callback::from(move |lang| i18n.set(lang))
    };
    html! {
        <Segmented<Lang> class="lang" label={i18n.t("prefs.language").to_owned()} current={i18n.lang} {onchange}
            options={vec![option(Lang::En, "English"), option(Lang::Zh, "中文")]} />
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

/// The data a page needs that the app fetches when it opens (core's [`Deferred`]): `/errors`
/// shows the errno lessons; `/text` and the console encode and decode GBK (so do `/text`'s
/// exercises).
fn needs_data(route: Route) -> Vec<Deferred> {
    match route {
        Route::Errors => vec![Deferred::Lessons],
        Route::Text => vec![Deferred::Gbk],
        // The console fetches the GBK table when a line first names the codec (core's
        // `Host::data`).
        Route::Console
        | Route::ByteOrder
        | Route::Addresses
        | Route::Hostnames
        | Route::Live
        | Route::Struct => Vec::new(),
    }
}

/// What this build shows for a page only another build has (index.html's loader never brings
/// a reader here): the page's name, as a link that loads the build that has it.
// The natively built app, with every page, links to no other build.
#[cfg_attr(
    all(feature = "lite", feature = "console", feature = "live"),
    allow(dead_code)
)]
fn other_build(i18n: &crate::i18n::I18n, route: Route) -> Html {
    html! {
        <p class="card" data-testid="other-build">
            <a href={crate::browser::href()} onclick={Callback::from(|e: MouseEvent| {
                e.prevent_default();
                crate::browser::load_page(&crate::browser::href());
            })}>{ i18n.t(route.title_key()) }</a>
        </p>
    }
}
