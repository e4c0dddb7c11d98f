//! The page reads the companion's messages by hand (`decode_server`, no serde in the wasm); the
//! companion writes them with serde. This proves the two readings agree: serde's own
//! `Deserialize` is the oracle.
//!
//! - Every kind of message, outcome, return value, refusal, event and name round-trips.
//! - On every message mangled in every place (a member removed, doubled, renamed, added, or
//!   given a value of another type or range; strings with escapes; truncations), serde and the
//!   hand reading both accept, with the same value, or both refuse.

use serde_json::Value;
use socklab_core::fence::{Destination, Refusal};
use socklab_core::protocol::{
    decode_server, encode, AddrinfoEntry, AddrinfoOutcome, CallOutcome, ErrorCode, LimitKind,
    PeerAction, PeerKind, PyReturn, Raised, Role, Scenario, ServerInfo, ServerMessage,
    SessionLimits, SocketEvent, Step, WireError,
};
use std::collections::BTreeSet;

const ERROR_CODES: [ErrorCode; 15] = [
    ErrorCode::MalformedJson,
    ErrorCode::MissingType,
    ErrorCode::UnknownType,
    ErrorCode::InvalidMessage,
    ErrorCode::HelloRequired,
    ErrorCode::AlreadyHello,
    ErrorCode::UnsupportedProtocol,
    ErrorCode::BinaryFrame,
    ErrorCode::RateLimited,
    ErrorCode::PeerFailed,
    ErrorCode::ConnectionLost,
    ErrorCode::Busy,
    ErrorCode::Internal,
    ErrorCode::NotAllowed,
    ErrorCode::BadLink,
];

const LIMITS: [LimitKind; 7] = [
    LimitKind::BlockCap,
    LimitKind::Sockets,
    LimitKind::RecvBytes,
    LimitKind::SocketBuffer,
    LimitKind::Lookups,
    LimitKind::CallsInFlight,
    LimitKind::Internal,
];

/// Fails to compile when a variant is added to one of these enums, so that it joins the lists
/// above (and so the samples below).
#[allow(dead_code)]
fn every_variant_is_listed(code: ErrorCode, limit: LimitKind, role: Role, to: Destination) {
    use ErrorCode as E;
    match code {
        E::MalformedJson | E::MissingType | E::UnknownType | E::InvalidMessage => {}
        E::HelloRequired | E::AlreadyHello | E::UnsupportedProtocol | E::BinaryFrame => {}
        E::RateLimited | E::PeerFailed | E::ConnectionLost | E::Busy | E::Internal => {}
        E::NotAllowed | E::BadLink => {}
    }
    match limit {
        LimitKind::BlockCap | LimitKind::Sockets | LimitKind::RecvBytes => {}
        LimitKind::SocketBuffer | LimitKind::Lookups | LimitKind::CallsInFlight => {}
        LimitKind::Internal => {}
    }
    match role {
        Role::Solo | Role::Teacher | Role::Student => {}
    }
    match to {
        Destination::Connect | Destination::Sendto | Destination::Getnameinfo => {}
    }
}

/// The kind of a call's outcome, by its return value or refusal.
fn outcome_kind(outcome: &CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Returned { value } => match value {
            PyReturn::None => "ret:none",
            PyReturn::Int { .. } => "ret:int",
            PyReturn::Float { .. } => "ret:float",
            PyReturn::Str { .. } => "ret:str",
            PyReturn::Bytes { .. } => "ret:bytes",
            PyReturn::Socket { .. } => "ret:socket",
            PyReturn::Accepted { .. } => "ret:accepted",
            PyReturn::Tuple { .. } => "ret:tuple",
            PyReturn::Ready { .. } => "ret:ready",
            PyReturn::Printed { .. } => "ret:printed",
            PyReturn::Received { .. } => "ret:received",
        },
        CallOutcome::Raised(_) => "raised",
        CallOutcome::Refused { refusal, .. } => match refusal {
            Refusal::Unspecified { .. } => "ref:unspecified",
            Refusal::LinkLocal { .. } => "ref:link_local",
            Refusal::NotAllowed { .. } => "ref:not_allowed",
            Refusal::BindAddress { .. } => "ref:bind_address",
            Refusal::PrivilegedPort { .. } => "ref:privileged_port",
            Refusal::Classroom { .. } => "ref:classroom",
            Refusal::UnboundListen { .. } => "ref:unbound_listen",
            Refusal::PortInUse { .. } => "ref:port_in_use",
            Refusal::SocketKind { .. } => "ref:socket_kind",
            Refusal::SocketOption { .. } => "ref:socket_option",
        },
        CallOutcome::Limit { .. } => "limit",
        CallOutcome::Cancelled => "cancelled",
    }
}

/// The kinds of a message and of what it carries, to check the samples hold them all (the
/// matches fail to compile when a kind is added).
fn kinds(message: &ServerMessage) -> Vec<&'static str> {
    match message {
        ServerMessage::Hello(_) => vec!["hello"],
        ServerMessage::Pong { .. } => vec!["pong"],
        ServerMessage::Addrinfo { outcome, .. } => vec![match outcome {
            AddrinfoOutcome::Ok { .. } => "addrinfo:ok",
            AddrinfoOutcome::Gaierror { .. } => "addrinfo:gaierror",
            AddrinfoOutcome::Limit { .. } => "addrinfo:limit",
        }],
        ServerMessage::Result { outcome, .. } => vec!["result", outcome_kind(outcome)],
        ServerMessage::Waiting { .. } => vec!["waiting"],
        ServerMessage::Cancelled { .. } => vec!["cancelled_msg"],
        ServerMessage::Peer { .. } => vec!["peer"],
        ServerMessage::Transcript { steps, .. } => std::iter::once("transcript")
            .chain(steps.iter().map(|s| outcome_kind(&s.outcome)))
            .collect(),
        ServerMessage::Event { event, .. } => vec![match event {
            SocketEvent::Data { .. } => "ev:data",
            SocketEvent::PeerClosed { .. } => "ev:peer_closed",
            SocketEvent::Reset { .. } => "ev:reset",
            SocketEvent::Incoming { .. } => "ev:incoming",
            SocketEvent::Peer { what, .. } => match what {
                PeerAction::Accepted { .. } => "act:accepted",
                PeerAction::Received { .. } => "act:received",
                PeerAction::ReadEof => "act:read_eof",
                PeerAction::Sent { .. } => "act:sent",
                PeerAction::Closed => "act:closed",
                PeerAction::Aborted => "act:aborted",
            },
        }],
        ServerMessage::Following { .. } => vec!["following"],
        ServerMessage::Shown { .. } => vec!["shown"],
        ServerMessage::Class { .. } => vec!["class"],
        ServerMessage::Show { .. } => vec!["show"],
        ServerMessage::Error(_) => vec!["error"],
    }
}

/// An address as a message carries it. This file only writes and reads messages: no address
/// in it (the LAN and metadata ones included) is ever connected or sent to.
fn ip(text: &str) -> std::net::IpAddr {
    text.parse().unwrap()
}

fn returned(value: PyReturn) -> CallOutcome {
    CallOutcome::Returned { value }
}

fn refused(refusal: Refusal) -> CallOutcome {
    CallOutcome::Refused {
        line: format!("PermissionError: [socklab] {refusal}"),
        refusal,
    }
}

/// Every kind of message, with every kind of value inside, and values at their types' edges.
fn samples() -> Vec<ServerMessage> {
    let limits = SessionLimits {
        max_sockets: 64,
        max_recv_bytes: 1 << 20,
        max_block_ms: 30_000,
        requests_per_second: 200,
        idle_secs: 600,
        lifetime_secs: u64::MAX,
    };
    let mut out: Vec<ServerMessage> = [Role::Solo, Role::Teacher, Role::Student]
        .into_iter()
        .map(|role| {
            ServerMessage::Hello(ServerInfo {
                protocol: 1,
                server_version: "0.1.0".into(),
                capabilities: vec!["ping".into(), "call".into()],
                max_message_bytes: 65_536,
                limits: limits.clone(),
                role,
            })
        })
        .collect();
    out.push(ServerMessage::Pong { id: 0 });
    out.push(ServerMessage::Pong { id: u64::MAX });
    let entry = |family, address: &str, port, scope_id| AddrinfoEntry {
        family,
        socktype: 1,
        proto: 6,
        canonname: String::new(),
        address: address.into(),
        port,
        flowinfo: 0,
        scope_id,
    };
    out.push(ServerMessage::Addrinfo {
        id: 3,
        outcome: AddrinfoOutcome::Ok {
            entries: vec![
                entry(10, "::1", 65535, u32::MAX),
                entry(2, "127.0.0.1", 0, 0),
            ],
        },
    });
    out.push(ServerMessage::Addrinfo {
        id: 4,
        outcome: AddrinfoOutcome::Gaierror {
            errno: -2,
            message: "Name or service not known".into(),
        },
    });
    out.push(ServerMessage::Addrinfo {
        id: 5,
        outcome: AddrinfoOutcome::Limit {
            message: "too many lookups".into(),
        },
    });

    let mut outcomes = vec![
        returned(PyReturn::None),
        returned(PyReturn::Int { value: i64::MIN }),
        returned(PyReturn::Int { value: i64::MAX }),
        returned(PyReturn::Float { repr: "2.5".into() }),
        returned(PyReturn::Str {
            value: "h\u{e9}llo \"w\u{1F600}rld\"\n\t\\ \u{1}".into(),
        }),
        returned(PyReturn::Bytes {
            hex: "68656c6c6f".into(),
        }),
        returned(PyReturn::Socket {
            sock: u32::MAX,
            repr: "<socket.socket fd=7, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>".into(),
        }),
        returned(PyReturn::Accepted {
            sock: 2,
            repr: "<socket.socket fd=8>".into(),
            address: "('127.0.0.1', 50000)".into(),
        }),
        returned(PyReturn::Tuple {
            repr: "('127.0.0.1', 8080)".into(),
        }),
        returned(PyReturn::Ready {
            read: vec![1, 2],
            write: vec![],
            except: vec![3],
        }),
        returned(PyReturn::Printed {
            text: "caught".into(),
        }),
        returned(PyReturn::Received {
            hex: "6869".into(),
            address: "('127.0.0.1', 9)".into(),
        }),
        CallOutcome::Raised(Raised {
            class: "ConnectionRefusedError".into(),
            errno: Some(111),
            errno_name: Some("ECONNREFUSED".into()),
            line: "ConnectionRefusedError: [Errno 111] Connection refused".into(),
        }),
        CallOutcome::Raised(Raised {
            class: "TimeoutError".into(),
            errno: None,
            errno_name: None,
            line: "TimeoutError: timed out".into(),
        }),
        CallOutcome::Raised(Raised {
            class: "socket.gaierror".into(),
            errno: Some(i32::MIN),
            errno_name: None,
            line: "socket.gaierror: [Errno -2] Name or service not known".into(),
        }),
        CallOutcome::Cancelled,
    ];
    for (i, call) in [
        Destination::Connect,
        Destination::Sendto,
        Destination::Getnameinfo,
    ]
    .into_iter()
    .enumerate()
    {
        outcomes.push(refused(Refusal::Unspecified {
            ip: ip(["0.0.0.0", "::", "0.0.0.0"][i]),
            call,
        }));
        outcomes.push(refused(Refusal::LinkLocal {
            ip: ip("169.254.169.254"),
            metadata: i == 0,
            call,
        }));
        outcomes.push(refused(Refusal::NotAllowed {
            ip: ip("::ffff:10.0.0.1"),
            call,
        }));
        outcomes.push(refused(Refusal::Classroom {
            ip: ip("192.168.1.20"),
            port: 22,
            call,
        }));
    }
    outcomes.extend([
        refused(Refusal::BindAddress {
            ip: ip("10.1.2.3"),
            lan: vec![ip("192.168.1.20"), ip("fe80::1")],
        }),
        refused(Refusal::BindAddress {
            ip: ip("10.1.2.3"),
            lan: vec![],
        }),
        refused(Refusal::PrivilegedPort { port: 80 }),
        refused(Refusal::UnboundListen { ipv6: true }),
        refused(Refusal::UnboundListen { ipv6: false }),
        refused(Refusal::PortInUse {
            ip: ip("127.0.0.1"),
            port: 8080,
        }),
        refused(Refusal::SocketKind {
            family: 17,
            socktype: 3,
            proto: -1,
        }),
        refused(Refusal::SocketOption {
            level: 1,
            option: 2,
        }),
    ]);
    outcomes.extend(LIMITS.map(|limit| CallOutcome::Limit {
        limit,
        message: "a limit".into(),
    }));
    for (i, outcome) in outcomes.iter().enumerate() {
        out.push(ServerMessage::Result {
            id: i as u64,
            code: "s1.connect(('127.0.0.1', 8080))".into(),
            outcome: outcome.clone(),
            elapsed_us: 17,
            note: (i % 3 == 0).then(|| "[socklab] a note".into()),
        });
    }
    out.push(ServerMessage::Waiting { id: 9 });
    out.push(ServerMessage::Cancelled {
        id: 10,
        call: 9,
        found: true,
    });
    out.push(ServerMessage::Cancelled {
        id: 11,
        call: 9,
        found: false,
    });
    for (i, kind) in PeerKind::ALL.into_iter().enumerate() {
        out.push(ServerMessage::Peer {
            id: 20 + i as u64,
            kind,
            address: "('127.0.0.1', 41234)".into(),
            port: 41234,
        });
    }
    for (i, scenario) in Scenario::ALL.into_iter().enumerate() {
        out.push(ServerMessage::Transcript {
            id: 30 + i as u64,
            scenario,
            steps: outcomes
                .iter()
                .skip(i * 4)
                .take(i)
                .map(|o| Step {
                    code: "s1 = socket.socket()".into(),
                    outcome: o.clone(),
                    elapsed_us: i as u64,
                })
                .collect(),
        });
    }
    let mut events = vec![
        SocketEvent::Data {
            sock: 1,
            available: u64::MAX,
        },
        SocketEvent::PeerClosed { sock: 1 },
        SocketEvent::Reset { sock: 2 },
        SocketEvent::Incoming { sock: 3 },
    ];
    let actions = [
        PeerAction::Accepted {
            from: "('127.0.0.1', 5)".into(),
        },
        PeerAction::Received { bytes: 5 },
        PeerAction::ReadEof,
        PeerAction::Sent { bytes: 0 },
        PeerAction::Closed,
        PeerAction::Aborted,
    ];
    for (kind, what) in PeerKind::ALL.into_iter().zip(actions) {
        events.push(SocketEvent::Peer { peer: kind, what });
    }
    out.extend(
        events
            .into_iter()
            .enumerate()
            .map(|(i, event)| ServerMessage::Event {
                at_ms: i as u64,
                event,
            }),
    );
    out.push(ServerMessage::Following {
        id: 40,
        follow: true,
    });
    out.push(ServerMessage::Shown {
        id: 41,
        link: "/struct?f=%3EH&v=1".into(),
        students: 30,
    });
    out.push(ServerMessage::Class {
        students: 30,
        following: 29,
    });
    out.push(ServerMessage::Show {
        link: "/console".into(),
    });
    for (i, code) in ERROR_CODES.into_iter().enumerate() {
        out.push(ServerMessage::Error(WireError {
            id: (i % 2 == 0).then_some(i as u64),
            code,
            message: "what was wrong".into(),
        }));
    }
    out
}

/// serde's reading and the hand reading of `text` agree: the same message, or both refuse.
#[track_caller]
fn agree(text: &str) -> bool {
    let serde = serde_json::from_str::<ServerMessage>(text);
    let hand = decode_server(text);
    match (&serde, &hand) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
        (Err(_), Err(_)) => {}
        _ => panic!("serde {serde:?} but the page's reading {hand:?}, for {text}"),
    }
    hand.is_ok()
}

#[test]
fn every_kind_of_message_round_trips() {
    let samples = samples();
    let mut seen = BTreeSet::new();
    for message in &samples {
        seen.extend(kinds(message));
        let text = encode(message);
        assert_eq!(decode_server(&text).as_ref(), Ok(message), "{text}");
        let pretty = serde_json::to_string_pretty(message).unwrap();
        assert_eq!(decode_server(&pretty).as_ref(), Ok(message), "{pretty}");
    }
    // 14 message types, in which: 3 addrinfo outcomes, 11 return values, 10 refusals, 3 other
    // call outcomes (raised, limit, cancelled), 4 socket events and 6 peer actions (the
    // addrinfo and event messages are counted by what they carry).
    assert_eq!(seen.len(), 14 - 2 + 3 + 11 + 10 + 3 + 4 + 6, "{seen:?}");
}

/// The values a member is given in place of its own: every JSON type, integers at the edges
/// of every integer type on the wire, and strings that are names, addresses or escapes.
const REPLACEMENTS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "-0",
    "255",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "1.0",
    "1e2",
    "0.5",
    "\"\"",
    "\"x\"",
    "\"1\"",
    "\"solo\"",
    "\"echo_tcp\"",
    "\"ok\"",
    "\"127.0.0.1\"",
    "\"::1\"",
    "\"1.2.3\"",
    "\"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
    "\"\\ud83d\"",
    "\"\\ude00\"",
    "\"\\ud83dx\"",
    "\"\\ud83d\\u0041\"",
    "\"\\x\"",
    "\"\\u00g0\"",
    "\"\u{1}\"",
    "\"\u{1f}\"",
    "[]",
    "[1]",
    "[\"a\"]",
    "[null]",
    "{}",
];

/// Every member and element of `value`, by path.
fn paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(k.clone());
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(i.to_string());
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The message's text with the value at `path` written as `with` (raw JSON), or the member
/// removed (`None`), or doubled, or renamed, or joined by an unknown one.
fn mangled(value: &Value, path: &[String], with: Edit<'_>) -> String {
    const MARK: &str = "\u{1}MARK\u{1}";
    let mut copy = value.clone();
    let (last, parent) = path.split_last().unwrap();
    let mut node = &mut copy;
    for step in parent {
        node = match node {
            Value::Object(map) => map.get_mut(step).unwrap(),
            Value::Array(items) => &mut items[step.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    match node {
        Value::Object(map) => {
            let old = map.get(last).cloned().unwrap();
            let old = serde_json::to_string(&old).unwrap();
            let new_member = |key: &str, raw: &str| format!("{}:{raw}", Value::from(key));
            let replacement = match with {
                Edit::Value(raw) => new_member(last, raw),
                Edit::Remove => String::new(),
                Edit::Double(raw) => {
                    format!("{},{}", new_member(last, &old), new_member(last, raw))
                }
                Edit::Rename => new_member(&format!("{last}_"), &old),
                Edit::Extra(raw) => format!("{},{}", new_member(last, &old), new_member("zz", raw)),
            };
            map.insert(last.clone(), Value::from(MARK));
            let text = serde_json::to_string(&copy).unwrap();
            let member = format!("{}:{}", Value::from(last.as_str()), Value::from(MARK));
            let text = text.replace(&member, &replacement);
            // A removed member leaves a stray comma.
            text.replace(",,", ",")
                .replace("{,", "{")
                .replace(",}", "}")
        }
        Value::Array(items) => {
            let i = last.parse::<usize>().unwrap();
            items[i] = Value::from(MARK);
            let text = serde_json::to_string(&copy).unwrap();
            let Edit::Value(raw) = with else {
                return String::new();
            };
            text.replace(&Value::from(MARK).to_string(), raw)
        }
        _ => unreachable!(),
    }
}

/// The members that name an internally tagged enum's variant.
const TAGS: [&str; 5] = ["type", "status", "kind", "event", "action"];

#[derive(Clone, Copy)]
enum Edit<'a> {
    Value(&'a str),
    Remove,
    Double(&'a str),
    Rename,
    Extra(&'a str),
}

#[test]
fn mangled_messages_are_read_alike() {
    let mut cases = 0;
    let mut accepted = 0;
    for message in samples() {
        let value = serde_json::to_value(&message).unwrap();
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        for path in &all {
            let mut edits = vec![Edit::Remove, Edit::Rename];
            for raw in REPLACEMENTS {
                edits.extend([Edit::Value(raw), Edit::Double(raw), Edit::Extra(raw)]);
            }
            for edit in edits {
                let text = mangled(&value, path, edit);
                if text.is_empty() {
                    continue;
                }
                // The one place the page is stricter than serde, on purpose: serde takes an
                // integer for an internally tagged enum's tag, as the variant's index
                // (`"status":0` is `ok`). The companion writes names; the page takes only names.
                if let Edit::Value(raw) = edit {
                    if TAGS.contains(&path.last().unwrap().as_str()) && raw.parse::<u64>().is_ok() {
                        assert!(decode_server(&text).is_err(), "{text}");
                        continue;
                    }
                }
                cases += 1;
                accepted += usize::from(agree(&text));
            }
        }
    }
    // Both readings refuse most of these and accept some (an unknown member, an `Option` made
    // null, a `default` member removed, an integer still in range): the check compares both.
    assert!(cases > 20_000, "{cases} cases");
    assert!(
        accepted > 2_000 && accepted < cases / 2,
        "{accepted} of {cases}"
    );
}

#[test]
fn broken_text_is_read_alike() {
    for message in samples().iter().step_by(7) {
        let text = encode(message);
        // Every truncation.
        for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            assert!(!agree(&text[..end]), "{}", &text[..end]);
        }
        // Whitespace where JSON allows it and where it does not.
        agree(&format!(" \t\r\n{text}\n "));
        agree(&text.replace(':', " : ").replace(',', " ,\n"));
        agree(&format!("{text} x"));
        agree(&format!("{text}{text}"));
        agree(&format!("\u{feff}{text}"));
        agree(&text.replace('"', "'"));
        agree(&text.replace("true", "True"));
        agree(&text.replacen('{', "{\"type\":\"pong\",", 1));
        agree(&format!("[{text}]"));
    }
    for raw in [
        "",
        " ",
        "null",
        "1",
        "\"pong\"",
        "[]",
        "{}",
        "{\"type\":null}",
        "{\"id\":1}",
    ] {
        assert!(!agree(raw), "{raw}");
    }
    for raw in [
        "{\"type\":\"pong\",\"id\":01}",
        "{\"type\":\"pong\",\"id\":-}",
        "{\"type\":\"pong\",\"id\":1.}",
    ] {
        assert!(!agree(raw), "{raw}");
    }
}

#[test]
fn nesting_is_limited_alike() {
    // serde_json reads at most 127 nested arrays and objects; the message object is one.
    for depth in [1, 125, 126, 127, 128, 200] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let text = format!("{{\"type\":\"pong\",\"id\":1,\"zz\":{deep}}}");
        assert_eq!(agree(&text), depth < 127, "depth {depth}");
        let deep = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let text = format!("{{\"type\":\"pong\",\"id\":1,\"zz\":{deep}}}");
        assert_eq!(agree(&text), depth < 127, "depth {depth}");
    }
}

#[test]
fn the_documented_exchange_is_read_alike() {
    let doc = include_str!("../../../docs/PROTOCOL.md");
    let replies: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix('←'))
        .map(str::trim)
        .collect();
    assert!(replies.len() >= 6, "{replies:?}");
    for reply in replies {
        assert!(agree(reply), "{reply}");
    }
}

// The page's writing: `ClientMessage::to_json` against serde's.

use proptest::prelude::*;
use socklab_core::protocol::{decode_client, ClientMessage, SocketCall};

/// A name for each kind of client message and call (fails to compile when one is added).
fn client_kind(message: &ClientMessage) -> &'static str {
    match message {
        ClientMessage::Call { call, .. } => match call {
            SocketCall::Socket { .. } => "socket",
            SocketCall::Setsockopt { .. } => "setsockopt",
            SocketCall::Getsockopt { .. } => "getsockopt",
            SocketCall::Setblocking { .. } => "setblocking",
            SocketCall::Settimeout { .. } => "settimeout",
            SocketCall::Gettimeout { .. } => "gettimeout",
            SocketCall::Bind { .. } => "bind",
            SocketCall::Listen { .. } => "listen",
            SocketCall::Accept { .. } => "accept",
            SocketCall::Connect { .. } => "connect",
            SocketCall::ConnectEx { .. } => "connect_ex",
            SocketCall::Send { .. } => "send",
            SocketCall::Sendall { .. } => "sendall",
            SocketCall::Sendto { .. } => "sendto",
            SocketCall::Recv { .. } => "recv",
            SocketCall::Recvfrom { .. } => "recvfrom",
            SocketCall::Shutdown { .. } => "shutdown",
            SocketCall::Close { .. } => "close",
            SocketCall::Getsockname { .. } => "getsockname",
            SocketCall::Getpeername { .. } => "getpeername",
            SocketCall::Getnameinfo { .. } => "getnameinfo",
            SocketCall::Gethostname {} => "gethostname",
            SocketCall::Select { .. } => "select",
        },
        ClientMessage::Hello { .. } => "hello",
        ClientMessage::Ping { .. } => "ping",
        ClientMessage::Getaddrinfo { .. } => "getaddrinfo",
        ClientMessage::Cancel { .. } => "cancel",
        ClientMessage::Peer { .. } => "peer",
        ClientMessage::Scenario { .. } => "scenario",
        ClientMessage::Follow { .. } => "follow",
        ClientMessage::ShowClass { .. } => "show_class",
    }
}

/// Text with every kind of character JSON escapes, and some it does not.
const AWKWARD: &str =
    "a\"b\\c/d\ne\rf\tg\u{8}h\u{c}i\u{0}j\u{1f}k\u{7f}l\u{e9}m\u{4e2d}n\u{1F600}o\u{2028}";

/// Every kind of client message, without floats.
fn client_samples() -> Vec<ClientMessage> {
    let calls = vec![
        SocketCall::Socket {
            family: 10,
            socktype: 2,
            proto: -1,
        },
        SocketCall::Setsockopt {
            sock: 1,
            level: 1,
            option: 2,
            value: "1".into(),
        },
        SocketCall::Getsockopt {
            sock: 1,
            level: 1,
            option: 2,
            buflen: None,
        },
        SocketCall::Getsockopt {
            sock: 1,
            level: 1,
            option: 2,
            buflen: Some(u32::MAX),
        },
        SocketCall::Setblocking {
            sock: 1,
            flag: false,
        },
        SocketCall::Setblocking {
            sock: 1,
            flag: true,
        },
        SocketCall::Settimeout {
            sock: 1,
            timeout: None,
        },
        SocketCall::Gettimeout { sock: u32::MAX },
        SocketCall::Bind {
            sock: 1,
            address: "('127.0.0.1', 0)".into(),
        },
        SocketCall::Listen {
            sock: 1,
            backlog: None,
        },
        SocketCall::Listen {
            sock: 1,
            backlog: Some(i32::MIN),
        },
        SocketCall::Accept { sock: 0 },
        SocketCall::Connect {
            sock: 1,
            address: AWKWARD.into(),
        },
        SocketCall::ConnectEx {
            sock: 1,
            address: "('::1', 80, 0, 0)".into(),
        },
        SocketCall::Send {
            sock: 1,
            data: "68656c6c6f".into(),
        },
        SocketCall::Sendall {
            sock: 1,
            data: String::new(),
        },
        SocketCall::Sendto {
            sock: 1,
            data: "00".into(),
            address: "('127.0.0.1', 9)".into(),
        },
        SocketCall::Recv {
            sock: 1,
            bufsize: i64::MIN,
        },
        SocketCall::Recvfrom {
            sock: 1,
            bufsize: i64::MAX,
        },
        SocketCall::Shutdown { sock: 1, how: 2 },
        SocketCall::Close { sock: 1 },
        SocketCall::Getsockname { sock: 1 },
        SocketCall::Getpeername { sock: 1 },
        SocketCall::Getnameinfo {
            address: "('127.0.0.1', 80)".into(),
            flags: 8,
        },
        SocketCall::Gethostname {},
        SocketCall::Select {
            read: vec![1, 2],
            write: vec![],
            except: vec![u32::MAX],
            timeout: None,
        },
    ];
    let mut out = vec![
        ClientMessage::Hello {
            protocol: 1,
            client: AWKWARD.into(),
        },
        ClientMessage::Ping { id: u64::MAX },
        ClientMessage::Getaddrinfo {
            id: 1,
            host: None,
            port: None,
            family: 0,
            socktype: 0,
            proto: 0,
            flags: 0,
        },
        ClientMessage::Getaddrinfo {
            id: 2,
            host: Some("localhost".into()),
            port: Some("http".into()),
            family: 10,
            socktype: 1,
            proto: 6,
            flags: -1,
        },
        ClientMessage::Cancel { id: 3, call: 2 },
        ClientMessage::Follow {
            id: 4,
            follow: false,
        },
        ClientMessage::ShowClass {
            id: 5,
            link: "/struct?f=%3EH&v=1".into(),
        },
    ];
    out.extend(
        PeerKind::ALL
            .into_iter()
            .map(|kind| ClientMessage::Peer { id: 6, kind }),
    );
    out.extend(
        Scenario::ALL
            .into_iter()
            .map(|scenario| ClientMessage::Scenario { id: 7, scenario }),
    );
    out.extend(
        calls
            .into_iter()
            .enumerate()
            .map(|(i, call)| ClientMessage::Call { id: i as u64, call }),
    );
    out
}

#[test]
fn the_page_writes_every_kind_of_message_as_serde_does() {
    let samples = client_samples();
    let kinds: BTreeSet<_> = samples.iter().map(client_kind).collect();
    // 9 message types, the `call` one counted by its 23 calls.
    assert_eq!(kinds.len(), 9 - 1 + 23, "{kinds:?}");
    for message in &samples {
        let serde = encode(message);
        assert_eq!(message.to_json(), serde);
        assert_eq!(
            decode_client(&message.to_json()).as_ref(),
            Ok(message),
            "{serde}"
        );
    }
}

/// A float the page sends (a timeout) reads back the same from either writing: itself when
/// finite, `None` (JSON's null) when not.
fn timeout_read_back(timeout: Option<f64>) {
    let settimeout = ClientMessage::Call {
        id: 1,
        call: SocketCall::Settimeout { sock: 1, timeout },
    };
    let select = ClientMessage::Call {
        id: 2,
        call: SocketCall::Select {
            read: vec![1],
            write: vec![],
            except: vec![],
            timeout,
        },
    };
    let read = |text: &str| match decode_client(text) {
        Ok(ClientMessage::Call {
            call: SocketCall::Settimeout { timeout, .. } | SocketCall::Select { timeout, .. },
            ..
        }) => timeout,
        other => panic!("{text}: {other:?}"),
    };
    for message in [settimeout, select] {
        let (hand, serde) = (message.to_json(), encode(&message));
        let (a, b) = (read(&hand), read(&serde));
        assert_eq!(
            a.map(f64::to_bits),
            b.map(f64::to_bits),
            "{hand} against {serde}"
        );
        let sent = timeout.filter(|x| x.is_finite());
        assert_eq!(a.map(f64::to_bits), sent.map(f64::to_bits), "{hand}");
    }
}

#[test]
fn floats_read_back_alike() {
    for x in [
        0.0,
        -0.0,
        0.1,
        2.5,
        1.0,
        1e15,
        1e16,
        1e21,
        1e300,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        timeout_read_back(Some(x));
    }
    timeout_read_back(None);
}

proptest! {
    #[test]
    fn any_text_is_written_as_serde_writes_it(text in any::<String>(), id in any::<u64>()) {
        let message = ClientMessage::ShowClass { id, link: text };
        prop_assert_eq!(message.to_json(), encode(&message));
    }

    #[test]
    fn any_float_reads_back_alike(bits in any::<u64>()) {
        timeout_read_back(Some(f64::from_bits(bits)));
    }
}
