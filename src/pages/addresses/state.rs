//! The address-families page's state, its actions, and what it shows: plain Rust, no yew.

use socklab_core::addr::{
    check_tuple, classify, sockaddr, Caller, Classification, HostKind, Resolved, SockaddrField,
};
use socklab_core::inet::{inet_aton, inet_pton, Family};
use socklab_core::pyerror::PyException;
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pyrepr::{bytes_repr, str_repr};

use crate::route::{get, parse_query};

/// Everything the learner has typed or chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressState {
    /// AF_INET or AF_INET6.
    pub family: Family,
    /// The host, as text (what goes between the quotes).
    pub host: String,
    /// The port, as a Python literal (so `'80'` shows Python's TypeError).
    pub port: String,
    /// IPv6 flowinfo, as a Python literal; empty leaves it out of the tuple.
    pub flowinfo: String,
    /// IPv6 scope id, as a Python literal; empty leaves it out of the tuple.
    pub scope_id: String,
    /// bind (a server) or connect (a client).
    pub caller: Caller,
    /// The text fed to inet_aton and inet_pton side by side.
    pub compare: String,
    /// The live getaddrinfo form.
    pub gai: GaiForm,
}

/// The arguments of a live `socket.getaddrinfo` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaiForm {
    /// The host as typed; `None` (typed) is Python's None.
    pub host: String,
    /// The port as typed: digits are an int, other text a service name, empty is None.
    pub port: String,
    /// 0 (AF_UNSPEC), 2 (AF_INET) or 10 (AF_INET6).
    pub family: i32,
    /// 0 (any), 1 (SOCK_STREAM) or 2 (SOCK_DGRAM).
    pub socktype: i32,
    /// 0 (any), 6 (IPPROTO_TCP) or 17 (IPPROTO_UDP): the guide's
    /// `getaddrinfo("example.org", 80, proto=socket.IPPROTO_TCP)`.
    pub proto: i32,
    /// AI_* flags.
    pub flags: i32,
}

impl Default for GaiForm {
    fn default() -> GaiForm {
        GaiForm {
            host: "localhost".to_owned(),
            port: "80".to_owned(),
            family: 0,
            socktype: 1,
            proto: 0,
            flags: 0,
        }
    }
}

/// The AI_* flags the form offers, with Linux's values.
pub const GAI_FLAGS: [(&str, i32); 3] = [
    ("AI_PASSIVE", 1),
    ("AI_CANONNAME", 2),
    ("AI_NUMERICHOST", 4),
];

impl GaiForm {
    /// The host argument (None for the text `None`).
    pub fn host_arg(&self) -> Option<String> {
        (self.host.trim() != "None").then(|| self.host.trim().to_owned())
    }

    /// The port argument as a service string (None when empty or `None`).
    pub fn port_arg(&self) -> Option<String> {
        let p = self.port.trim();
        (!p.is_empty() && p != "None").then(|| p.to_owned())
    }

    /// The call as Python source.
    pub fn call(&self) -> String {
        let host = self.host_arg().map_or("None".to_owned(), |h| str_repr(&h));
        let port = match self.port_arg() {
            None => "None".to_owned(),
            Some(p) if p.chars().all(|c| c.is_ascii_digit()) => p,
            Some(p) => str_repr(&p),
        };
        let mut args = vec![host, port];
        match self.family {
            2 => args.push("family=socket.AF_INET".to_owned()),
            10 => args.push("family=socket.AF_INET6".to_owned()),
            _ => {}
        }
        match self.socktype {
            1 => args.push("type=socket.SOCK_STREAM".to_owned()),
            2 => args.push("type=socket.SOCK_DGRAM".to_owned()),
            _ => {}
        }
        match self.proto {
            6 => args.push("proto=socket.IPPROTO_TCP".to_owned()),
            17 => args.push("proto=socket.IPPROTO_UDP".to_owned()),
            _ => {}
        }
        let flags: Vec<String> = GAI_FLAGS
            .iter()
            .filter(|(_, v)| self.flags & v != 0)
            .map(|(n, _)| format!("socket.{n}"))
            .collect();
        if !flags.is_empty() {
            args.push(format!("flags={}", flags.join(" | ")));
        }
        format!("socket.getaddrinfo({})", args.join(", "))
    }

    /// The lines that use the first answer, as the docs' client does: make a socket of its
    /// family, type and protocol, and connect it to its address (for the console).
    pub fn connect_lines(&self) -> Vec<String> {
        vec![
            "import socket".to_owned(),
            format!("res = {}", self.call()),
            "res[0]".to_owned(),
            "family, type_, proto, canonname, sockaddr = res[0]".to_owned(),
            "s = socket.socket(family, type_, proto)".to_owned(),
            "s.connect(sockaddr)".to_owned(),
            "s.getpeername()".to_owned(),
        ]
    }
}

impl Default for AddressState {
    fn default() -> AddressState {
        AddressState {
            family: Family::Inet,
            host: "127.0.0.1".to_owned(),
            port: "65432".to_owned(),
            flowinfo: String::new(),
            scope_id: String::new(),
            caller: Caller::Bind,
            compare: "127.1".to_owned(),
            gai: GaiForm::default(),
        }
    }
}

/// What the learner can do on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Chose a family (the host switches to that family's loopback if it was the other's).
    SetFamily(Family),
    /// Typed a host.
    SetHost(String),
    /// Typed a port.
    SetPort(String),
    /// Typed flowinfo.
    SetFlowinfo(String),
    /// Typed a scope id.
    SetScopeId(String),
    /// Chose bind or connect.
    SetCaller(Caller),
    /// Typed in the comparison field.
    SetCompare(String),
    /// Changed the live getaddrinfo form.
    SetGai(GaiForm),
}

/// One `ipaddress` flag and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The property name: `is_loopback`.
    pub name: &'static str,
    /// Its value.
    pub value: bool,
    /// The catalog key explaining what it means for a server or a client.
    pub key: &'static str,
}

/// The tuple checked, and what follows from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// How the host was read.
    pub kind: HostKind,
    /// The catalog key that says what that means in this family.
    pub kind_key: &'static str,
    /// The address's `ipaddress` flags (when the address is known without a resolver).
    pub flags: Vec<Flag>,
    /// `ipv4_mapped`, for IPv6.
    pub ipv4_mapped: Option<String>,
    /// The C socket address, bytes and labelled fields.
    pub sockaddr: Option<(Vec<u8>, Vec<SockaddrField>)>,
}

/// One side of the inet_aton / inet_pton comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// The call as typed at `>>>`.
    pub code: String,
    /// What CPython prints.
    pub result: Result<String, PyException>,
}

/// Everything the page shows, computed.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressView {
    /// The tuple as Python source.
    pub tuple: String,
    /// The snippet that creates the socket and binds or connects it.
    pub snippet: String,
    /// The checked tuple, or CPython's exception.
    pub checked: Result<Checked, PyException>,
    /// inet_aton, inet_pton(AF_INET) and inet_pton(AF_INET6) on the comparison text.
    pub conversions: Vec<Conversion>,
    /// Do inet_aton and inet_pton(AF_INET) disagree on it?
    pub parsers_disagree: bool,
}

fn flags(c: &Classification) -> Vec<Flag> {
    vec![
        Flag {
            name: "is_loopback",
            value: c.is_loopback,
            key: "addr.flag_loopback",
        },
        Flag {
            name: "is_private",
            value: c.is_private,
            key: "addr.flag_private",
        },
        Flag {
            name: "is_global",
            value: c.is_global,
            key: "addr.flag_global",
        },
        Flag {
            name: "is_link_local",
            value: c.is_link_local,
            key: "addr.flag_link_local",
        },
        Flag {
            name: "is_multicast",
            value: c.is_multicast,
            key: "addr.flag_multicast",
        },
        Flag {
            name: "is_unspecified",
            value: c.is_unspecified,
            key: "addr.flag_unspecified",
        },
        Flag {
            name: "is_reserved",
            value: c.is_reserved,
            key: "addr.flag_reserved",
        },
    ]
}

/// What the page says about how the host was read. `''` with AF_INET6 works in CPython 3.11
/// (it becomes `::`), and the text says so beside the docs' advice to avoid it with IPv6.
fn kind_key(kind: &HostKind, family: Family) -> &'static str {
    match kind {
        HostKind::Numeric => "addr.kind_numeric",
        HostKind::Any if family == Family::Inet6 => "addr.kind_any6",
        HostKind::Any => "addr.kind_any",
        HostKind::Broadcast => "addr.kind_broadcast",
        HostKind::LegacyNumeric => "addr.kind_legacy",
        HostKind::Scoped { .. } => "addr.kind_scoped",
        HostKind::Name => "addr.kind_name",
    }
}

impl crate::pages::PageState for AddressState {
    type Action = Action;

    fn update(self, action: Action) -> AddressState {
        AddressState::update(self, action)
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        AddressState::to_query(self)
    }

    /// The examples are the two families: the same address as an AF_INET and an AF_INET6
    /// tuple, and their sockaddr bytes.
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        Some(Action::SetFamily(
            step.cycle(&[Family::Inet, Family::Inet6], &self.family),
        ))
    }
}

impl AddressState {
    /// The state after an action.
    pub fn update(mut self, action: Action) -> AddressState {
        match action {
            Action::SetFamily(f) => {
                if f == Family::Inet6 && self.host == "127.0.0.1" {
                    "::1".clone_into(&mut self.host);
                } else if f == Family::Inet && self.host == "::1" {
                    "127.0.0.1".clone_into(&mut self.host);
                }
                self.family = f;
            }
            Action::SetHost(h) => self.host = h,
            Action::SetPort(p) => self.port = p,
            Action::SetFlowinfo(v) => self.flowinfo = v,
            Action::SetScopeId(v) => self.scope_id = v,
            Action::SetCaller(c) => self.caller = c,
            Action::SetCompare(c) => self.compare = c,
            Action::SetGai(g) => self.gai = g,
        }
        self
    }

    /// The state as query pairs; defaults are left out.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = AddressState::default();
        let mut q = Vec::new();
        if self.family == Family::Inet6 {
            q.push(("af", "6".to_owned()));
        }
        if self.host != d.host {
            q.push(("host", self.host.clone()));
        }
        if self.port != d.port {
            q.push(("port", self.port.clone()));
        }
        if !self.flowinfo.is_empty() {
            q.push(("flow", self.flowinfo.clone()));
        }
        if !self.scope_id.is_empty() {
            q.push(("scope", self.scope_id.clone()));
        }
        if self.caller == Caller::Connect {
            q.push(("call", "connect".to_owned()));
        }
        if self.compare != d.compare {
            q.push(("cmp", self.compare.clone()));
        }
        if self.gai != d.gai {
            q.push(("gh", self.gai.host.clone()));
            q.push(("gp", self.gai.port.clone()));
            q.push(("gf", self.gai.family.to_string()));
            q.push(("gt", self.gai.socktype.to_string()));
            q.push(("gr", self.gai.proto.to_string()));
            q.push(("gx", self.gai.flags.to_string()));
        }
        q
    }

    /// The state a query string describes; anything missing takes its default.
    pub fn from_query(query: &str) -> AddressState {
        let pairs = parse_query(query);
        let d = AddressState::default();
        AddressState {
            family: if get(&pairs, "af") == Some("6") {
                Family::Inet6
            } else {
                Family::Inet
            },
            host: get(&pairs, "host").map_or(d.host, str::to_owned),
            port: get(&pairs, "port").map_or(d.port, str::to_owned),
            flowinfo: get(&pairs, "flow").unwrap_or_default().to_owned(),
            scope_id: get(&pairs, "scope").unwrap_or_default().to_owned(),
            caller: if get(&pairs, "call") == Some("connect") {
                Caller::Connect
            } else {
                Caller::Bind
            },
            compare: get(&pairs, "cmp").map_or(d.compare, str::to_owned),
            gai: match get(&pairs, "gh") {
                None => d.gai,
                Some(host) => {
                    let int = |k: &str, allowed: &[i32], def: i32| {
                        get(&pairs, k)
                            .and_then(|v| v.parse().ok())
                            .filter(|v| allowed.contains(v))
                            .unwrap_or(def)
                    };
                    GaiForm {
                        host: host.to_owned(),
                        port: get(&pairs, "gp").unwrap_or_default().to_owned(),
                        family: int("gf", &[0, 2, 10], 0),
                        socktype: int("gt", &[0, 1, 2], 1),
                        proto: int("gr", &[0, 6, 17], 0),
                        flags: get(&pairs, "gx").and_then(|v| v.parse().ok()).unwrap_or(0) & 7,
                    }
                }
            },
        }
    }

    /// The tuple's items as Python source, in order (flowinfo and scope id only for IPv6).
    fn items_source(&self) -> Vec<String> {
        let mut items = vec![str_repr(&self.host), self.port.trim().to_owned()];
        if self.family == Family::Inet6 {
            let flow = self.flowinfo.trim();
            let scope = self.scope_id.trim();
            if !flow.is_empty() || !scope.is_empty() {
                items.push(if flow.is_empty() {
                    "0".to_owned()
                } else {
                    flow.to_owned()
                });
            }
            if !scope.is_empty() {
                items.push(scope.to_owned());
            }
        }
        items
    }

    fn check(&self) -> Result<Resolved, PyException> {
        let mut values = vec![PyValue::Str(self.host.clone())];
        for source in &self.items_source()[1..] {
            values.push(pyliteral::parse(source)?);
        }
        check_tuple(self.family, &values, self.caller)
    }

    /// Everything the page shows, computed.
    pub fn view(&self) -> AddressView {
        let items = self.items_source();
        let tuple = format!("({})", items.join(", "));
        let snippet = format!(
            "import socket\ns = socket.socket(socket.{}, socket.SOCK_STREAM)\ns.{}({tuple})",
            self.family.name(),
            self.caller.name()
        );
        let checked = self.check().map(|r| {
            let c = r.packed.as_deref().map(classify);
            Checked {
                kind_key: kind_key(&r.kind, self.family),
                kind: r.kind.clone(),
                flags: c.as_ref().map(flags).unwrap_or_default(),
                ipv4_mapped: c.and_then(|c| c.ipv4_mapped),
                sockaddr: sockaddr(&r),
            }
        });
        let text = &self.compare;
        let aton = inet_aton(text).map(|b| bytes_repr(&b));
        let pton4 = inet_pton(Family::Inet, text).map(|b| bytes_repr(&b));
        let pton6 = inet_pton(Family::Inet6, text).map(|b| bytes_repr(&b));
        let parsers_disagree =
            aton.is_ok() != pton4.is_ok() || matches!((&aton, &pton4), (Ok(a), Ok(p)) if a != p);
        let quoted = str_repr(text);
        AddressView {
            tuple,
            snippet,
            checked,
            conversions: vec![
                Conversion {
                    code: format!("socket.inet_aton({quoted})"),
                    result: aton,
                },
                Conversion {
                    code: format!("socket.inet_pton(socket.AF_INET, {quoted})"),
                    result: pton4,
                },
                Conversion {
                    code: format!("socket.inet_pton(socket.AF_INET6, {quoted})"),
                    result: pton6,
                },
            ],
            parsers_disagree,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_bind_is_valid_and_laid_out() {
        let v = AddressState::default().view();
        assert_eq!(v.tuple, "('127.0.0.1', 65432)");
        assert!(v.snippet.ends_with("s.bind(('127.0.0.1', 65432))"));
        let c = v.checked.unwrap();
        assert_eq!(c.kind, HostKind::Numeric);
        assert!(c.flags.iter().any(|f| f.name == "is_loopback" && f.value));
        let (bytes, fields) = c.sockaddr.unwrap();
        assert_eq!(&bytes[..8], &[2, 0, 0xff, 0x98, 127, 0, 0, 1]);
        assert_eq!(fields[1].name, "sin_port");
        assert!(v.parsers_disagree, "127.1: inet_aton yes, inet_pton no");
    }

    #[test]
    fn ipv6_tuples_and_errors() {
        let s = AddressState::default()
            .update(Action::SetFamily(Family::Inet6))
            .update(Action::SetFlowinfo("1048576".to_owned()));
        assert_eq!(s.host, "::1");
        let v = s.view();
        assert_eq!(v.tuple, "('::1', 65432, 1048576)");
        assert_eq!(
            v.checked.unwrap_err().traceback_line(),
            "OverflowError: bind(): flowinfo must be 0-1048575."
        );
        let s = s
            .update(Action::SetFlowinfo(String::new()))
            .update(Action::SetHost("<broadcast>".into()));
        assert_eq!(
            s.view().checked.unwrap_err().traceback_line(),
            "OSError: address family mismatched"
        );
        let s = s.update(Action::SetHost(String::new()));
        let c = s.view().checked.unwrap();
        assert_eq!((c.kind, c.kind_key), (HostKind::Any, "addr.kind_any6"));
        let (bytes, _) = c.sockaddr.unwrap();
        assert_eq!(&bytes[8..24], &[0; 16], "'' is :: in AF_INET6");
        let v4 = s
            .clone()
            .update(Action::SetFamily(Family::Inet))
            .update(Action::SetHost(String::new()));
        assert_eq!(v4.view().checked.unwrap().kind_key, "addr.kind_any");
        let s = s.update(Action::SetHost("localhost".into()));
        assert_eq!(s.view().checked.unwrap().kind, HostKind::Name);
        assert_eq!(
            AddressState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }

    /// The guide's exact call runs: `proto=` is in the form, the URL and the Python.
    #[test]
    fn the_guides_getaddrinfo_with_proto() {
        let mut s = AddressState::default();
        s.gai.host = "example.org".to_owned();
        s.gai.socktype = 0;
        s.gai.proto = 6;
        assert_eq!(
            s.gai.call(),
            "socket.getaddrinfo('example.org', 80, proto=socket.IPPROTO_TCP)"
        );
        let back = AddressState::from_query(&crate::route::build_query(&s.to_query()));
        assert_eq!(back.gai.proto, 6);
        assert_eq!(
            s.gai.connect_lines()[1],
            "res = socket.getaddrinfo('example.org', 80, proto=socket.IPPROTO_TCP)"
        );
        // Only what the kernel knows is read back from a link.
        let odd = AddressState::from_query("?gh=localhost&gr=99");
        assert_eq!(odd.gai.proto, 0);
    }
}
