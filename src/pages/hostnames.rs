//! 使用主机名 Hostnames: the seed's server/client × loopback/Ethernet recommendations as a
//! helper, what can make `localhost` surprising, and the security advice.

pub mod state;

use crate::components::python::snippet_text;
use crate::components::python::PyErrorView;
use crate::components::resolver::LiveGetaddrinfo;
use crate::components::segmented::{Segment, Segmented};
use crate::i18n::use_i18n;
use crate::pages::{dispatch_to, input_value, use_page_store, PageProps};
use socklab_core::addr::HostKind;
use socklab_core::inet::Family;
use state::{Action, HostnameState, Network, Role};
use yew::prelude::*;

/// The seed's table: (role key, network key, advice key).
const TABLE: [(&str, &str, &str); 4] = [
    ("host.server", "host.loopback", "host.row_server_loopback"),
    ("host.server", "host.ethernet", "host.row_server_ethernet"),
    ("host.client", "host.loopback", "host.row_client_loopback"),
    ("host.client", "host.ethernet", "host.row_client_ethernet"),
];

/// The hostnames page.
#[function_component]
pub fn HostnamePage(props: &PageProps<HostnameState>) -> Html {
    let i18n = use_i18n();
    let store = use_page_store(props);
    let s = &store.0;
    let advice = use_memo(s.clone(), HostnameState::advice);
    let roles = vec![
        Segment::new(Role::Server, i18n.t("host.server"), "host-server"),
        Segment::new(Role::Client, i18n.t("host.client"), "host-client"),
    ];
    let networks = vec![
        Segment::new(Network::Loopback, i18n.t("host.loopback"), "host-loopback"),
        Segment::new(Network::Ethernet, i18n.t("host.ethernet"), "host-ethernet"),
    ];
    let families = vec![
        Segment::new(Family::Inet, "IPv4", "host-v4"),
        Segment::new(Family::Inet6, "IPv6", "host-v6"),
    ];
    let address_input = {
        let store = store.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            store.dispatch(Action::SetAddress(input_value(&e)));
        });
        html! {
            <label class="field">
                <span>{ i18n.t("host.address") }</span>
                <input data-testid="host-address" class="mono" type="text" spellcheck="false" autocomplete="off"
                    value={s.address.clone()} {oninput} disabled={s.role == Role::Server && s.all_interfaces} />
            </label>
        }
    };
    let all_toggle = {
        let store = store.clone();
        let all = s.all_interfaces;
        html! {
            <label class="check">
                <input type="checkbox" data-testid="host-all" checked={all}
                    onchange={Callback::from(move |_| store.dispatch(Action::SetAllInterfaces(!all)))} />
                { i18n.t("host.all_interfaces") }
            </label>
        }
    };
    let verdict = match &advice.check {
        Err(e) => html! { <PyErrorView error={e.clone()} /> },
        Ok(HostKind::Name) => html! {
            <p class="hint warn" data-testid="host-name-warning"><span class="hint-mark" aria-hidden="true">{"⚠ "}</span>{ i18n.t("host.name_warning") }</p>
        },
        Ok(_) => html! {
            <p class="ok-line" data-testid="host-ok"><span class="ok-mark" aria-hidden="true">{"✓ "}</span>{ i18n.t("host.numeric_ok") }
                if let Some(scope) = advice.scope { {" "}{ i18n.t(scope) } }
            </p>
        },
    };
    let rows = TABLE.iter().enumerate().map(|(i, (role, net, text))| {
        html! {
            <tr class={classes!((i == advice.row).then_some("current"))} data-row={i.to_string()}>
                <td>{ i18n.t(role) }</td><td>{ i18n.t(net) }</td><td>{ i18n.t(text) }</td>
            </tr>
        }
    });

    html! {
        <article class="page" data-page="hostnames">
            <header class="page-head">
                <h1>{ i18n.t("host.title") }</h1>
                <p class="lede">{ i18n.t("host.lede") }</p>
            </header>

            <section class="card" aria-labelledby="host-helper">
                <h2 id="host-helper">{ i18n.t("host.helper") }</h2>
                <div class="controls">
                    <Segmented<Role> label={i18n.t("host.role").to_owned()} options={roles} current={s.role}
                        onchange={dispatch_to(&store, Action::SetRole)} />
                    <Segmented<Network> label={i18n.t("host.network").to_owned()} options={networks} current={s.network}
                        onchange={dispatch_to(&store, Action::SetNetwork)} />
                    <Segmented<Family> label="IPv4 / IPv6" options={families} current={s.family}
                        onchange={dispatch_to(&store, Action::SetFamily)} />
                </div>
                if s.network == Network::Ethernet {
                    <div class="controls">
                        { address_input }
                        if s.role == Role::Server { { all_toggle } }
                    </div>
                }
                <p class="advice" data-testid="host-advice">
                    { i18n.t("host.use") }{" "}<code class="py-out">{ socklab_core::pyrepr::str_repr(&advice.host) }</code>
                </p>
                <p>{ i18n.t(advice.why) }</p>
                <pre class="py snippet" data-testid="host-code"><code class="py-in">{ &advice.code }</code></pre>
                { verdict }
                <div class="table-wrap">
                    <table class="flags seed-table" data-testid="host-table">
                        <thead><tr><th scope="col">{ i18n.t("host.col_app") }</th><th scope="col">{ i18n.t("host.col_use") }</th><th scope="col">{ i18n.t("host.col_advice") }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            </section>

            <section class="card" aria-labelledby="host-localhost">
                <h2 id="host-localhost">{ i18n.t("host.localhost_title") }</h2>
                <p>{ i18n.t("host.localhost_1") }</p>
                <ul class="notes">
                    <li>{ i18n.t("host.localhost_hosts") }</li>
                    <li>{ i18n.t("host.localhost_nsswitch") }</li>
                    <li>{ i18n.t("host.localhost_order") }</li>
                </ul>
                <p>{ i18n.t("host.localhost_live") }</p>
                <LiveGetaddrinfo host={Some("localhost".to_owned())} port={None::<String>} socktype={1}
                    call="socket.getaddrinfo('localhost', None, type=socket.SOCK_STREAM)" testid="localhost-result" />
                <pre class="py snippet"><code class="py-in">{ snippet_text(&i18n, &[
                    ("", "host.c_hosts_file"),
                    ("127.0.0.1   localhost", ""),
                    ("::1         localhost ip6-localhost ip6-loopback", ""),
                    ("", ""),
                    ("", "host.c_nsswitch"),
                    ("hosts:      files dns", ""),
                ]) }</code></pre>
            </section>

            <section class="card" aria-labelledby="host-security">
                <h2 id="host-security">{ i18n.t("host.security_title") }</h2>
                <p>{ i18n.t("host.security_lede") }</p>
                <ul class="notes">
                    <li>{ i18n.t("host.security_updates") }</li>
                    <li>{ i18n.t("host.security_firewall") }</li>
                    <li>{ i18n.t("host.security_dns") }</li>
                    <li>{ i18n.t("host.security_validate") }</li>
                    <li>{ i18n.t("host.security_tls") }</li>
                </ul>
            </section>
        </article>
    }
}
