//! The page's reading of the companion's messages: [`decode_server`] turns a text frame into a
//! [`ServerMessage`] by hand, from the [`json`](super::json) tree, instead of through serde's
//! derived deserializers. Those, with serde_json's reader and the buffering that internally
//! tagged enums need, were the app's largest single part after yew (issue #15: 54 KB of the
//! brotli wasm). The companion still writes messages with serde, and
//! `tests/page_wire.rs` proves this reading agrees with serde's: every kind of message and
//! outcome round-trips, and on thousands of mangled messages both accept or both refuse.
//!
//! It follows serde's rules for these types: members in any order, unknown members ignored, a
//! known member twice refused, an `Option` absent or `null` is `None`, `#[serde(default)]`
//! members may be absent, integers must fit their type.

use super::json::{self, Json};
use super::{
    AddrinfoEntry, AddrinfoOutcome, CallOutcome, ErrorCode, LimitKind, PeerAction, PeerKind,
    PyReturn, Raised, Role, Scenario, ServerInfo, ServerMessage, SessionLimits, SocketEvent, Step,
    WireError,
};
use crate::fence::{Destination, Refusal};
use std::net::IpAddr;

/// Reads one text frame from the companion.
///
/// ```
/// use socklab_core::protocol::{decode_server, ServerMessage};
/// assert_eq!(decode_server(r#"{"type":"pong","id":7}"#), Ok(ServerMessage::Pong { id: 7 }));
/// assert!(decode_server(r#"{"type":"pong","id":-7}"#).is_err());
/// ```
pub fn decode_server(text: &str) -> Result<ServerMessage, String> {
    ServerMessage::read(&json::parse(text)?)
}

/// A type the page reads from JSON.
trait Read: Sized {
    fn read(value: &Json) -> Result<Self, String>;

    /// The value of an absent member: an error, except for `Option` (serde's rule).
    fn absent(name: &str) -> Result<Self, String> {
        Err(missing(name))
    }
}

// The errors are built out of line, once, rather than in each of the many generic readers
// (`get::<u64>`, `get::<String>`...): the wasm keeps one copy (issue #15).

#[cold]
#[inline(never)]
fn missing(name: &str) -> String {
    format!("missing field `{name}`")
}

#[cold]
#[inline(never)]
fn within(name: &str, mut error: String) -> String {
    error.insert_str(0, ": ");
    error.insert_str(0, name);
    error
}

#[cold]
#[inline(never)]
fn expected(what: &str, found: &Json) -> String {
    format!("expected {what}, found {}", found.kind())
}

/// An object's members.
struct Members<'a>(&'a [(String, Json)]);

impl<'a> Members<'a> {
    fn of(value: &'a Json) -> Result<Members<'a>, String> {
        match value {
            Json::Obj(members) => Ok(Members(members)),
            other => Err(expected("an object", other)),
        }
    }

    /// The member `name`, if present once; present twice is an error.
    fn find(&self, name: &str) -> Result<Option<&'a Json>, String> {
        let mut found = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = found.next();
        match found.next() {
            Some(_) => Err(format!("duplicate field `{name}`")),
            None => Ok(first),
        }
    }

    /// The member `name`, read as `T`.
    fn get<T: Read>(&self, name: &str) -> Result<T, String> {
        match self.find(name)? {
            Some(value) => T::read(value).map_err(|e| within(name, e)),
            None => T::absent(name),
        }
    }

    /// The member `name`, or `T`'s default when absent (`#[serde(default)]`).
    fn or_default<T: Read + Default>(&self, name: &str) -> Result<T, String> {
        match self.find(name)? {
            Some(_) => self.get(name),
            None => Ok(T::default()),
        }
    }

    /// The string member `tag` of an internally tagged enum.
    fn tag(&self, tag: &str) -> Result<&'a str, String> {
        match self.find(tag)? {
            Some(Json::Str(name)) => Ok(name),
            Some(other) => Err(within(tag, expected("a string", other))),
            None => Err(missing(tag)),
        }
    }
}

fn unknown<T>(what: &str, name: &str) -> Result<T, String> {
    Err(format!("unknown {what} `{name}`"))
}

impl Read for u64 {
    fn read(value: &Json) -> Result<u64, String> {
        match value {
            Json::Uint(n) => Ok(*n),
            Json::Int(_) => Err("expected a non-negative integer".to_owned()),
            other => Err(expected("an integer", other)),
        }
    }
}

impl Read for i64 {
    fn read(value: &Json) -> Result<i64, String> {
        match value {
            Json::Int(n) => Ok(*n),
            _ => i64::try_from(u64::read(value)?).map_err(|_| "integer out of range".to_owned()),
        }
    }
}

/// The narrower integers, read as the wider ones and checked.
macro_rules! narrow {
    ($($t:ty: $wide:ty),*) => {$(
        impl Read for $t {
            fn read(value: &Json) -> Result<$t, String> {
                <$t>::try_from(<$wide>::read(value)?)
                    .map_err(|_| concat!("integer out of range for ", stringify!($t)).to_owned())
            }
        }
    )*};
}
narrow!(u32: u64, u16: u64, usize: u64, i32: i64);

impl Read for bool {
    fn read(value: &Json) -> Result<bool, String> {
        match value {
            Json::Bool(b) => Ok(*b),
            other => Err(expected("a boolean", other)),
        }
    }
}

impl Read for String {
    fn read(value: &Json) -> Result<String, String> {
        match value {
            Json::Str(s) => Ok(s.clone()),
            other => Err(expected("a string", other)),
        }
    }
}

impl Read for IpAddr {
    fn read(value: &Json) -> Result<IpAddr, String> {
        String::read(value)?
            .parse()
            .map_err(|_| "invalid IP address syntax".to_owned())
    }
}

impl<T: Read> Read for Option<T> {
    fn read(value: &Json) -> Result<Option<T>, String> {
        match value {
            Json::Null => Ok(None),
            value => T::read(value).map(Some),
        }
    }

    fn absent(_: &str) -> Result<Option<T>, String> {
        Ok(None)
    }
}

impl<T: Read> Read for Vec<T> {
    fn read(value: &Json) -> Result<Vec<T>, String> {
        match value {
            Json::Arr(items) => items.iter().map(T::read).collect(),
            other => Err(expected("an array", other)),
        }
    }
}

/// Unit enums, written as their snake_case names.
macro_rules! named {
    ($($t:ty { $($name:literal => $variant:expr),* $(,)? })*) => {$(
        impl Read for $t {
            fn read(value: &Json) -> Result<$t, String> {
                match String::read(value)?.as_str() {
                    $($name => Ok($variant),)*
                    other => unknown("variant", other),
                }
            }
        }
    )*};
}

named! {
    Role { "solo" => Role::Solo, "teacher" => Role::Teacher, "student" => Role::Student }
    LimitKind {
        "block_cap" => LimitKind::BlockCap,
        "sockets" => LimitKind::Sockets,
        "recv_bytes" => LimitKind::RecvBytes,
        "socket_buffer" => LimitKind::SocketBuffer,
        "lookups" => LimitKind::Lookups,
        "calls_in_flight" => LimitKind::CallsInFlight,
        "internal" => LimitKind::Internal,
    }
    Destination {
        "connect" => Destination::Connect,
        "sendto" => Destination::Sendto,
        "getnameinfo" => Destination::Getnameinfo,
    }
    ErrorCode {
        "malformed_json" => ErrorCode::MalformedJson,
        "missing_type" => ErrorCode::MissingType,
        "unknown_type" => ErrorCode::UnknownType,
        "invalid_message" => ErrorCode::InvalidMessage,
        "hello_required" => ErrorCode::HelloRequired,
        "already_hello" => ErrorCode::AlreadyHello,
        "unsupported_protocol" => ErrorCode::UnsupportedProtocol,
        "binary_frame" => ErrorCode::BinaryFrame,
        "rate_limited" => ErrorCode::RateLimited,
        "peer_failed" => ErrorCode::PeerFailed,
        "connection_lost" => ErrorCode::ConnectionLost,
        "busy" => ErrorCode::Busy,
        "internal" => ErrorCode::Internal,
        "not_allowed" => ErrorCode::NotAllowed,
        "bad_link" => ErrorCode::BadLink,
    }
}

impl Read for PeerKind {
    fn read(value: &Json) -> Result<PeerKind, String> {
        let name = String::read(value)?;
        PeerKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .map_or_else(|| unknown("variant", &name), Ok)
    }
}

impl Read for Scenario {
    fn read(value: &Json) -> Result<Scenario, String> {
        let name = String::read(value)?;
        Scenario::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .map_or_else(|| unknown("variant", &name), Ok)
    }
}

impl Read for SessionLimits {
    fn read(value: &Json) -> Result<SessionLimits, String> {
        let m = Members::of(value)?;
        Ok(SessionLimits {
            max_sockets: m.get("max_sockets")?,
            max_recv_bytes: m.get("max_recv_bytes")?,
            max_block_ms: m.get("max_block_ms")?,
            requests_per_second: m.get("requests_per_second")?,
            idle_secs: m.get("idle_secs")?,
            lifetime_secs: m.get("lifetime_secs")?,
        })
    }
}

impl Read for ServerInfo {
    fn read(value: &Json) -> Result<ServerInfo, String> {
        let m = Members::of(value)?;
        Ok(ServerInfo {
            protocol: m.get("protocol")?,
            server_version: m.get("server_version")?,
            capabilities: m.get("capabilities")?,
            max_message_bytes: m.get("max_message_bytes")?,
            limits: m.or_default("limits")?,
            role: m.or_default("role")?,
        })
    }
}

impl Read for AddrinfoEntry {
    fn read(value: &Json) -> Result<AddrinfoEntry, String> {
        let m = Members::of(value)?;
        Ok(AddrinfoEntry {
            family: m.get("family")?,
            socktype: m.get("socktype")?,
            proto: m.get("proto")?,
            canonname: m.get("canonname")?,
            address: m.get("address")?,
            port: m.get("port")?,
            flowinfo: m.get("flowinfo")?,
            scope_id: m.get("scope_id")?,
        })
    }
}

impl Read for AddrinfoOutcome {
    fn read(value: &Json) -> Result<AddrinfoOutcome, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("status")? {
            "ok" => AddrinfoOutcome::Ok {
                entries: m.get("entries")?,
            },
            "gaierror" => AddrinfoOutcome::Gaierror {
                errno: m.get("errno")?,
                message: m.get("message")?,
            },
            "limit" => AddrinfoOutcome::Limit {
                message: m.get("message")?,
            },
            other => return unknown("variant", other),
        })
    }
}

impl Read for PyReturn {
    fn read(value: &Json) -> Result<PyReturn, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("kind")? {
            "none" => PyReturn::None,
            "int" => PyReturn::Int {
                value: m.get("value")?,
            },
            "float" => PyReturn::Float {
                repr: m.get("repr")?,
            },
            "str" => PyReturn::Str {
                value: m.get("value")?,
            },
            "bytes" => PyReturn::Bytes { hex: m.get("hex")? },
            "socket" => PyReturn::Socket {
                sock: m.get("sock")?,
                repr: m.get("repr")?,
            },
            "accepted" => PyReturn::Accepted {
                sock: m.get("sock")?,
                repr: m.get("repr")?,
                address: m.get("address")?,
            },
            "tuple" => PyReturn::Tuple {
                repr: m.get("repr")?,
            },
            "ready" => PyReturn::Ready {
                read: m.get("read")?,
                write: m.get("write")?,
                except: m.get("except")?,
            },
            "printed" => PyReturn::Printed {
                text: m.get("text")?,
            },
            "received" => PyReturn::Received {
                hex: m.get("hex")?,
                address: m.get("address")?,
            },
            other => return unknown("variant", other),
        })
    }
}

impl Read for Refusal {
    fn read(value: &Json) -> Result<Refusal, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("kind")? {
            "unspecified" => Refusal::Unspecified {
                ip: m.get("ip")?,
                call: m.get("call")?,
            },
            "link_local" => Refusal::LinkLocal {
                ip: m.get("ip")?,
                metadata: m.get("metadata")?,
                call: m.get("call")?,
            },
            "not_allowed" => Refusal::NotAllowed {
                ip: m.get("ip")?,
                call: m.get("call")?,
            },
            "bind_address" => Refusal::BindAddress {
                ip: m.get("ip")?,
                lan: m.get("lan")?,
            },
            "privileged_port" => Refusal::PrivilegedPort {
                port: m.get("port")?,
            },
            "classroom" => Refusal::Classroom {
                ip: m.get("ip")?,
                port: m.get("port")?,
                call: m.get("call")?,
            },
            "unbound_listen" => Refusal::UnboundListen {
                ipv6: m.get("ipv6")?,
            },
            "port_in_use" => Refusal::PortInUse {
                ip: m.get("ip")?,
                port: m.get("port")?,
            },
            "socket_kind" => Refusal::SocketKind {
                family: m.get("family")?,
                socktype: m.get("socktype")?,
                proto: m.or_default("proto")?,
            },
            "socket_option" => Refusal::SocketOption {
                level: m.get("level")?,
                option: m.get("option")?,
            },
            other => return unknown("variant", other),
        })
    }
}

impl Read for Raised {
    fn read(value: &Json) -> Result<Raised, String> {
        let m = Members::of(value)?;
        Ok(Raised {
            class: m.get("class")?,
            errno: m.get("errno")?,
            errno_name: m.get("errno_name")?,
            line: m.get("line")?,
        })
    }
}

impl Read for CallOutcome {
    fn read(value: &Json) -> Result<CallOutcome, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("status")? {
            "returned" => CallOutcome::Returned {
                value: m.get("value")?,
            },
            "raised" => CallOutcome::Raised(Raised::read(value)?),
            "refused" => CallOutcome::Refused {
                refusal: m.get("refusal")?,
                line: m.get("line")?,
            },
            "limit" => CallOutcome::Limit {
                limit: m.get("limit")?,
                message: m.get("message")?,
            },
            "cancelled" => CallOutcome::Cancelled,
            other => return unknown("variant", other),
        })
    }
}

impl Read for Step {
    fn read(value: &Json) -> Result<Step, String> {
        let m = Members::of(value)?;
        Ok(Step {
            code: m.get("code")?,
            outcome: m.get("outcome")?,
            elapsed_us: m.get("elapsed_us")?,
        })
    }
}

impl Read for PeerAction {
    fn read(value: &Json) -> Result<PeerAction, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("action")? {
            "accepted" => PeerAction::Accepted {
                from: m.get("from")?,
            },
            "received" => PeerAction::Received {
                bytes: m.get("bytes")?,
            },
            "read_eof" => PeerAction::ReadEof,
            "sent" => PeerAction::Sent {
                bytes: m.get("bytes")?,
            },
            "closed" => PeerAction::Closed,
            "aborted" => PeerAction::Aborted,
            other => return unknown("variant", other),
        })
    }
}

impl Read for SocketEvent {
    fn read(value: &Json) -> Result<SocketEvent, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("event")? {
            "data" => SocketEvent::Data {
                sock: m.get("sock")?,
                available: m.get("available")?,
            },
            "peer_closed" => SocketEvent::PeerClosed {
                sock: m.get("sock")?,
            },
            "reset" => SocketEvent::Reset {
                sock: m.get("sock")?,
            },
            "incoming" => SocketEvent::Incoming {
                sock: m.get("sock")?,
            },
            "peer" => SocketEvent::Peer {
                peer: m.get("peer")?,
                what: m.get("what")?,
            },
            other => return unknown("variant", other),
        })
    }
}

impl Read for WireError {
    fn read(value: &Json) -> Result<WireError, String> {
        let m = Members::of(value)?;
        Ok(WireError {
            id: m.get("id")?,
            code: m.get("code")?,
            message: m.get("message")?,
        })
    }
}

impl Read for ServerMessage {
    fn read(value: &Json) -> Result<ServerMessage, String> {
        let m = Members::of(value)?;
        Ok(match m.tag("type")? {
            "hello" => ServerMessage::Hello(ServerInfo::read(value)?),
            "pong" => ServerMessage::Pong { id: m.get("id")? },
            "addrinfo" => ServerMessage::Addrinfo {
                id: m.get("id")?,
                outcome: m.get("outcome")?,
            },
            "result" => ServerMessage::Result {
                id: m.get("id")?,
                code: m.get("code")?,
                outcome: m.get("outcome")?,
                elapsed_us: m.get("elapsed_us")?,
                note: m.get("note")?,
            },
            "waiting" => ServerMessage::Waiting { id: m.get("id")? },
            "cancelled" => ServerMessage::Cancelled {
                id: m.get("id")?,
                call: m.get("call")?,
                found: m.get("found")?,
            },
            "peer" => ServerMessage::Peer {
                id: m.get("id")?,
                kind: m.get("kind")?,
                address: m.get("address")?,
                port: m.get("port")?,
            },
            "transcript" => ServerMessage::Transcript {
                id: m.get("id")?,
                scenario: m.get("scenario")?,
                steps: m.get("steps")?,
            },
            "event" => ServerMessage::Event {
                at_ms: m.get("at_ms")?,
                event: m.get("event")?,
            },
            "following" => ServerMessage::Following {
                id: m.get("id")?,
                follow: m.get("follow")?,
            },
            "shown" => ServerMessage::Shown {
                id: m.get("id")?,
                link: m.get("link")?,
                students: m.get("students")?,
            },
            "class" => ServerMessage::Class {
                students: m.get("students")?,
                following: m.get("following")?,
            },
            "show" => ServerMessage::Show {
                link: m.get("link")?,
            },
            "error" => ServerMessage::Error(WireError::read(value)?),
            other => return unknown("message type", other),
        })
    }
}
