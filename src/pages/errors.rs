//! 错误信息 Errors: the seed's exception table, grown into a searchable catalog of every errno
//! and getaddrinfo error, each entry explained, and Python's OSError tree.

pub mod state;

use crate::components::scenario::LiveScenario;
use crate::i18n::{use_i18n, I18n};
use crate::pages::{input_value, use_page_store, PageProps};
use socklab_core::errno::{by_class, CatalogEntry, OsErrorClass, System};
use socklab_core::protocol::Scenario;
use state::{lesson_links, Action, ErrorsState, Row, ORDINARY_DEMOS};
use yew::prelude::*;

/// The errors page.
#[function_component]
pub fn ErrorsPage(props: &PageProps<ErrorsState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = &store.0;
    let rows = use_memo((s.query.clone(), s.all), |_| store.0.rows());
    let open = |name: &'static str| {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::Open(Some(name.to_owned()))))
    };
    let on_query = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| store.dispatch(Action::SetQuery(input_value(&e))))
    };
    let all = s.all;
    let on_all = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::SetAll(!all)))
    };
    let opened = s.opened();
    let table_rows = rows
        .iter()
        .map(|r| table_row(&i18n, r, opened, open(r.name)));
    let shown = s.opened_name().unwrap_or_default();
    let entry = opened.map(|e| {
        let close = {
            let store = store.clone();
            Callback::from(move |_| store.dispatch(Action::Open(None)))
        };
        entry_view(&i18n, e, shown, close)
    });

    html! {
        <article class="page" data-page="errors">
            <header class="page-head">
                <h1>{ i18n.t("err.title") }</h1>
                <p class="lede">{ i18n.t("err.lede") }</p>
                <p data-testid="err-ordinary">{ i18n.t("err.ordinary") }
                    { for ORDINARY_DEMOS.iter().enumerate().map(|(i, (href, key))| html! {
                        <>{ if i == 0 { " " } else { " · " } }<a href={*href}>{ i18n.t(key) }</a></>
                    }) }
                </p>
            </header>

            <section class="card" aria-labelledby="err-catalog">
                <h2 id="err-catalog">{ i18n.t("err.catalog") }</h2>
                <div class="controls">
                    <label class="field wide">
                        <span>{ i18n.t("err.search") }</span>
                        <input data-testid="err-search" type="search" spellcheck="false" autocomplete="off"
                            placeholder="ECONNREFUSED · 111 · 10061 · ConnectionError · 拒绝 · refused"
                            value={s.query.clone()} oninput={on_query} />
                    </label>
                    <label class="check">
                        <input type="checkbox" data-testid="err-all" checked={all} onchange={on_all} />
                        { i18n.t("err.show_all") }
                    </label>
                </div>
                <p class="facts" data-testid="err-count">{ i18n.f("err.count", &[("n", &rows.len().to_string())]) }</p>
                { for entry }
                <div class="table-wrap">
                    <table class="flags errors" data-testid="err-table">
                        <thead><tr>
                            <th scope="col">{ i18n.t("err.col_exception") }</th>
                            <th scope="col">{ i18n.t("err.col_constant") }</th>
                            <th scope="col">{"Linux"}</th>
                            <th scope="col">{"macOS"}</th>
                            <th scope="col">{"Windows"}</th>
                            <th scope="col">{ i18n.t("err.col_meaning") }</th>
                        </tr></thead>
                        <tbody>{ for table_rows }</tbody>
                    </table>
                </div>
            </section>

            <section class="card" aria-labelledby="err-tree">
                <h2 id="err-tree">{ i18n.t("err.tree") }</h2>
                <p>{ i18n.t("err.tree_lede") }</p>
                <ul class="tree" data-testid="err-tree">{ tree_node(OsErrorClass::OsError, &open) }</ul>
            </section>
        </article>
    }
}

fn table_row(
    i18n: &I18n,
    r: &Row,
    opened: Option<CatalogEntry>,
    onclick: Callback<MouseEvent>,
) -> Html {
    let e = r.entry;
    let meaning = e.lesson().map_or_else(
        || e.strerror().to_owned(),
        |l| l.text(i18n.lang).summary.clone(),
    );
    let foreign = |f: Option<(&'static str, i32)>| {
        f.map_or_else(|| "—".to_owned(), |(n, v)| format!("{n} {v}"))
    };
    let is_open = opened == Some(e);
    html! {
        <tr class={classes!(r.from_seed.then_some("seed"), is_open.then_some("current"))} data-name={e.name()}>
            <td><code>{ e.class().name() }</code></td>
            <th scope="row">
                <button type="button" class="link-btn mono" {onclick} aria-expanded={is_open.to_string()}>{ r.name }</button>
                if !r.also.is_empty() { <span class="muted also">{ i18n.f("err.aliases", &[("names", &r.also.join(", "))]) }</span> }
                if r.from_seed { <span class="badge">{ i18n.t("err.seed_badge") }</span> }
            </th>
            <td data-label="Linux">{ e.number() }</td>
            <td class="muted" data-label="macOS">{ foreign(r.macos) }</td>
            <td class="muted" data-label="Windows">{ foreign(r.windows) }</td>
            <td class="desc">{ meaning }</td>
        </tr>
    }
}

/// An opened entry, headed by the name it was opened by (`shown`).
fn entry_view(i18n: &I18n, e: CatalogEntry, shown: &str, close: Callback<MouseEvent>) -> Html {
    let lesson = e.lesson();
    let text = lesson.map(|l| l.text(i18n.lang));
    let numbers = match e {
        CatalogEntry::Errno(x) => [System::Linux, System::MacOs, System::Windows]
            .iter()
            .map(|&sys| {
                let codes = x.codes_on(sys);
                let shown = if codes.is_empty() {
                    i18n.t("err.none_there").to_owned()
                } else {
                    codes.iter().map(|c| format!("{} {}", c.name, c.number)).collect::<Vec<_>>().join(", ")
                };
                html! { <><dt>{ format!("{sys:?}").replace("MacOs", "macOS") }</dt><dd>{ shown }</dd></> }
            })
            .collect::<Html>(),
        _ => html! { <><dt>{"Linux"}</dt><dd>{ e.number() }</dd></> },
    };
    let aliases = match e {
        CatalogEntry::Errno(x) if x.names().nth(1).is_some() => i18n.f(
            "err.aliases",
            &[("names", &x.other_names(shown).join(", "))],
        ),
        _ => String::new(),
    };
    let list = |items: &[String]| html! { <ul class="notes">{ for items.iter().map(|i| html! { <li>{ i }</li> }) }</ul> };
    let lessons = lesson_links(e.name());
    let links = (!lessons.is_empty()).then(|| {
        html! {
            <p data-testid="err-lessons">{ i18n.t("err.see_lesson") }{" "}
                { for lessons.iter().enumerate().map(|(i, &(href, key))| html! {
                    <>{ (i > 0).then_some(" · ") }<a {href}>{ i18n.t(key) }</a></>
                }) }
            </p>
        }
    });
    // Errnos the companion can make happen for real (ETIMEDOUT is TimeoutError, socket.timeout).
    let scenarios = match e {
        CatalogEntry::Errno(_) => Scenario::for_errno(e.name()),
        _ => Vec::new(),
    };
    html! {
        <div class="entry" data-testid="err-entry" data-name={e.name()}>
            <div class="entry-head">
                <h3>{ if shown.is_empty() { e.name() } else { shown } }</h3>
                <button type="button" class="link-btn no-print" data-testid="err-close" onclick={close}>{ i18n.t("err.close") }</button>
            </div>
            <pre class="py"><code class="py-err" data-testid="err-line">{ e.traceback_line() }</code></pre>
            if !aliases.is_empty() { <p class="muted">{ aliases }</p> }
            <p class="facts"><code>{ e.class().mro().join(" → ") }</code></p>
            <dl class="gai-fields">{ numbers }</dl>
            if let Some(t) = text {
                <p>{ &t.explanation }</p>
                <h4>{ i18n.t("err.causes") }</h4>{ list(&t.causes) }
                <h4>{ i18n.t("err.fixes") }</h4>{ list(&t.fixes) }
                if !t.platforms.is_empty() { <p class="muted">{ &t.platforms }</p> }
            }
            if let Some(l) = lesson {
                <p><strong>{ i18n.t("err.calls") }</strong>{" "}{ for l.calls.iter().map(|c| html! { <><code>{ c }</code>{" "}</> }) }</p>
                <h4>{ i18n.t("err.example") }</h4>
                <pre class="py snippet"><code class="py-in">{ &l.example }</code></pre>
            }
            if !scenarios.is_empty() {
                <h4>{ i18n.t("err.live") }</h4>
                { for scenarios.into_iter().map(|scenario| html! { <LiveScenario key={format!("{}-{scenario:?}", e.name())} {scenario} /> }) }
            }
            { for links }
        </div>
    }
}

fn tree_node(class: OsErrorClass, open: &dyn Fn(&'static str) -> Callback<MouseEvent>) -> Html {
    let members: Vec<CatalogEntry> = by_class(class);
    let children = class.children();
    html! {
        <li>
            <code class="cls">{ class.name() }</code>
            if !members.is_empty() {
                <span class="members">{ for members.iter().map(|m| html! {
                    <button type="button" class="chip small" onclick={open(m.name())}>{ m.name() }</button>
                }) }</span>
            }
            if !children.is_empty() {
                <ul>{ for children.into_iter().map(|c| tree_node(c, open)) }</ul>
            }
        </li>
    }
}
