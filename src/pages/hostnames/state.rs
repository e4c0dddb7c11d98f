//! The hostnames page's state: the seed's recommendation table as a helper. Plain Rust, no yew.

use socklab_core::addr::{check_tuple, classify, Caller, HostKind};
use socklab_core::inet::Family;
use socklab_core::pyerror::PyException;
use socklab_core::pyliteral::PyValue;
use socklab_core::pyrepr::str_repr;

use crate::route::{get, parse_query};

/// Server or client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Binds and listens.
    Server,
    /// Connects.
    Client,
}

/// Where the traffic goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// This machine only.
    Loopback,
    /// A real network interface (Ethernet, Wi-Fi).
    Ethernet,
}

/// Everything the learner has chosen or typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostnameState {
    /// Server or client.
    pub role: Role,
    /// Loopback or Ethernet.
    pub network: Network,
    /// IPv4 or IPv6.
    pub family: Family,
    /// For a server on Ethernet: every interface (`''`) rather than one address.
    pub all_interfaces: bool,
    /// The Ethernet address (or a name, to see why not).
    pub address: String,
}

impl Default for HostnameState {
    fn default() -> HostnameState {
        HostnameState {
            role: Role::Server,
            network: Network::Loopback,
            family: Family::Inet,
            all_interfaces: false,
            address: "10.1.2.3".to_owned(),
        }
    }
}

/// What the learner can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Chose a role.
    SetRole(Role),
    /// Chose a network.
    SetNetwork(Network),
    /// Chose a family.
    SetFamily(Family),
    /// Ticked "every interface".
    SetAllInterfaces(bool),
    /// Typed the Ethernet address.
    SetAddress(String),
    /// Chose a row of the guide's table: a role and a network at once.
    SetRow(Role, Network),
}

/// The guide's table, row by row: the page's examples, in the order of its rows.
pub const ROWS: [(Role, Network); 4] = [
    (Role::Server, Network::Loopback),
    (Role::Server, Network::Ethernet),
    (Role::Client, Network::Loopback),
    (Role::Client, Network::Ethernet),
];

/// The recommendation.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// The host to put in the tuple.
    pub host: String,
    /// Catalog key: why.
    pub why: &'static str,
    /// The code to write.
    pub code: String,
    /// Python's verdict on the tuple, and the kind of host.
    pub check: Result<HostKind, PyException>,
    /// Is the address loopback, private, global? (catalog key)
    pub scope: Option<&'static str>,
    /// The row of the seed's table that applies (0-3).
    pub row: usize,
}

impl crate::pages::PageState for HostnameState {
    type Action = Action;

    fn update(self, action: Action) -> HostnameState {
        HostnameState::update(self, action)
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        HostnameState::to_query(self)
    }

    /// The examples are the rows of the guide's table ([`ROWS`]).
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        let (role, network) = step.cycle(&ROWS, &(self.role, self.network));
        Some(Action::SetRow(role, network))
    }
}

impl HostnameState {
    /// The state after an action.
    pub fn update(mut self, action: Action) -> HostnameState {
        match action {
            Action::SetRole(r) => self.role = r,
            Action::SetNetwork(n) => self.network = n,
            Action::SetFamily(f) => {
                if f == Family::Inet6 && self.address == "10.1.2.3" {
                    "fd00::1:2:3".clone_into(&mut self.address);
                } else if f == Family::Inet && self.address == "fd00::1:2:3" {
                    "10.1.2.3".clone_into(&mut self.address);
                }
                self.family = f;
            }
            Action::SetAllInterfaces(a) => self.all_interfaces = a,
            Action::SetAddress(a) => self.address = a,
            Action::SetRow(r, n) => {
                self.role = r;
                self.network = n;
            }
        }
        self
    }

    /// The state as query pairs; defaults left out.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = HostnameState::default();
        let mut q = Vec::new();
        if self.role == Role::Client {
            q.push(("role", "client".to_owned()));
        }
        if self.network == Network::Ethernet {
            q.push(("net", "ethernet".to_owned()));
        }
        if self.family == Family::Inet6 {
            q.push(("af", "6".to_owned()));
        }
        if self.all_interfaces {
            q.push(("all", "1".to_owned()));
        }
        if self.address != d.address {
            q.push(("addr", self.address.clone()));
        }
        q
    }

    /// The state a query describes.
    pub fn from_query(query: &str) -> HostnameState {
        let pairs = parse_query(query);
        let d = HostnameState::default();
        HostnameState {
            role: if get(&pairs, "role") == Some("client") {
                Role::Client
            } else {
                Role::Server
            },
            network: if get(&pairs, "net") == Some("ethernet") {
                Network::Ethernet
            } else {
                Network::Loopback
            },
            family: if get(&pairs, "af") == Some("6") {
                Family::Inet6
            } else {
                Family::Inet
            },
            all_interfaces: get(&pairs, "all") == Some("1"),
            address: get(&pairs, "addr").map_or(d.address, str::to_owned),
        }
    }

    /// The recommendation for the choices.
    pub fn advice(&self) -> Advice {
        let v6 = self.family == Family::Inet6;
        let (host, why, row) = match (self.role, self.network) {
            (Role::Server, Network::Loopback) => (
                if v6 { "::1" } else { "127.0.0.1" }.to_owned(),
                "host.why_server_loopback",
                0,
            ),
            (Role::Server, Network::Ethernet) if self.all_interfaces => {
                (String::new(), "host.why_server_all", 1)
            }
            (Role::Server, Network::Ethernet) => (
                self.address.trim().to_owned(),
                "host.why_server_ethernet",
                1,
            ),
            (Role::Client, Network::Loopback) => (
                if v6 { "::1" } else { "127.0.0.1" }.to_owned(),
                "host.why_client_loopback",
                2,
            ),
            (Role::Client, Network::Ethernet) => (
                self.address.trim().to_owned(),
                "host.why_client_ethernet",
                3,
            ),
        };
        let af = self.family.name();
        let tuple = format!("({}, 65432)", str_repr(&host));
        let code = match self.role {
            Role::Server => format!(
                "import socket\n\nwith socket.socket(socket.{af}, socket.SOCK_STREAM) as s:\n    s.bind({tuple})\n    s.listen()\n    conn, addr = s.accept()"
            ),
            Role::Client => format!(
                "import socket\n\nwith socket.socket(socket.{af}, socket.SOCK_STREAM) as s:\n    s.connect({tuple})\n    s.sendall(b'Hello, world')"
            ),
        };
        let caller = if self.role == Role::Server {
            Caller::Bind
        } else {
            Caller::Connect
        };
        let checked = check_tuple(
            self.family,
            &[PyValue::Str(host.clone()), PyValue::Int(65432.into())],
            caller,
        );
        let scope = checked
            .as_ref()
            .ok()
            .and_then(|r| r.packed.as_deref())
            .map(|p| {
                let c = classify(p);
                if c.is_unspecified {
                    "host.scope_any"
                } else if c.is_loopback {
                    "host.scope_loopback"
                } else if c.is_private {
                    "host.scope_private"
                } else {
                    "host.scope_global"
                }
            });
        Advice {
            host,
            why,
            code,
            check: checked.map(|r| r.kind),
            scope,
            row,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_rows_of_the_seed() {
        let s = HostnameState::default();
        assert_eq!(s.advice().host, "127.0.0.1");
        let s = s
            .update(Action::SetNetwork(Network::Ethernet))
            .update(Action::SetAllInterfaces(true));
        let a = s.advice();
        assert_eq!(
            (a.host.as_str(), a.row, a.scope),
            ("", 1, Some("host.scope_any"))
        );
        assert!(a.code.contains("s.bind(('', 65432))"));
        let s = s
            .update(Action::SetRole(Role::Client))
            .update(Action::SetAddress("localhost".into()));
        let a = s.advice();
        assert_eq!((a.row, a.check.clone().unwrap()), (3, HostKind::Name));
        assert!(a.code.contains("s.connect(('localhost', 65432))"));
        let s = s
            .update(Action::SetFamily(Family::Inet6))
            .update(Action::SetNetwork(Network::Loopback));
        assert_eq!(s.advice().host, "::1");
        assert_eq!(
            HostnameState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }
}
