//! The WebSocket protocol between the page and the companion, shared by both ends.
//!
//! Every message is one JSON text frame, an object whose `type` names its kind. The page opens
//! with `hello`; the companion answers with its own `hello` (protocol version, server version,
//! capabilities, limits). Requests carry an `id` that the reply repeats. Anything the companion
//! cannot accept is answered with an `error` that says what was wrong. `docs/PROTOCOL.md`
//! documents this with an example exchange.

pub mod call;
mod decode;
pub mod event;
pub mod json;
pub mod link;
pub mod outcome;
pub mod scenario;
pub mod socket;
mod write;

pub use decode::decode_server;
pub use event::{PeerAction, PeerKind, SocketEvent};
pub use outcome::{hex_decode, hex_encode, CallOutcome, LimitKind, PyReturn, Raised};
pub use scenario::{
    console_lines, is_assignment, step_comment, ReplOutput, Scenario, Step, STEP_COMMENTS,
};
use serde::{Deserialize, Serialize};
pub use socket::{sock_var, SockId, SocketCall};

/// The protocol version this build speaks. A `hello` with another version is refused.
pub const PROTOCOL_VERSION: u32 = 1;

/// WebSocket close code: the message was larger than the companion accepts (RFC 6455, 1009).
pub const CLOSE_TOO_BIG: u16 = 1009;
/// WebSocket close code: the companion is shutting down (RFC 6455, 1001 "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// WebSocket close code: a session limit (idle, lifetime) was reached (RFC 6455, 1008 policy).
pub const CLOSE_POLICY: u16 = 1008;

/// A message from the page to the companion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message of a session.
    Hello {
        /// The protocol version the page speaks.
        protocol: u32,
        /// Who is speaking, for logs: `socklab-app 0.1.0`.
        client: String,
    },
    /// Asks for a `pong` with the same id; the page measures round trips with it.
    Ping {
        /// Request id, echoed in the reply.
        id: u64,
    },
    /// `socket.getaddrinfo(host, port, family, type, proto, flags)` through the system resolver.
    Getaddrinfo {
        /// Request id, echoed in the reply.
        id: u64,
        /// The host (`None` is Python's `None`).
        host: Option<String>,
        /// The port or service, as text (`"80"`, `"http"`), or `None`.
        port: Option<String>,
        /// `AF_*` (0 for AF_UNSPEC).
        #[serde(default)]
        family: i32,
        /// `SOCK_*` (0 for any).
        #[serde(default, rename = "socktype")]
        socktype: i32,
        /// `IPPROTO_*` (0 for any).
        #[serde(default)]
        proto: i32,
        /// `AI_*` flags.
        #[serde(default)]
        flags: i32,
    },
    /// A call on the `socket` module or on one of the session's sockets; answered by `result`.
    Call {
        /// Request id, echoed in the reply.
        id: u64,
        /// The call.
        call: SocketCall,
    },
    /// Cancels a call that is waiting (a blocking `accept`, `recv`, ...); answered by
    /// `cancelled`, and the call itself then ends with the `cancelled` outcome.
    Cancel {
        /// Request id, echoed in the reply.
        id: u64,
        /// The id of the call to cancel.
        call: u64,
    },
    /// Starts one of the companion's demo peers for this session (or finds the running one);
    /// answered by `peer`.
    Peer {
        /// Request id, echoed in the reply.
        id: u64,
        /// Which peer.
        kind: PeerKind,
    },
    /// Runs a scripted demonstration of one error; answered by `transcript`.
    Scenario {
        /// Request id, echoed in the reply.
        id: u64,
        /// Which one.
        scenario: Scenario,
    },
    /// Classroom mode, a student: whether this page follows the teacher (it does from the
    /// start); answered by `following`.
    Follow {
        /// Request id, echoed in the reply.
        id: u64,
        /// True to open the links the teacher shows, false to explore alone.
        follow: bool,
    },
    /// Classroom mode, the teacher: "Show the class" this link (an in-app route with its
    /// query, see [`link::check_link`]); answered by `shown`.
    ShowClass {
        /// Request id, echoed in the reply.
        id: u64,
        /// The link: `/struct?f=%3EH&v=1`.
        link: String,
    },
}

impl ClientMessage {
    /// Every `type` a client may send, for error messages.
    pub const TYPES: &'static [&'static str] = &[
        "hello",
        "ping",
        "getaddrinfo",
        "call",
        "cancel",
        "peer",
        "scenario",
        "follow",
        "show_class",
    ];

    /// The request id, for messages that have one.
    pub fn id(&self) -> Option<u64> {
        match self {
            ClientMessage::Hello { .. } => None,
            ClientMessage::Ping { id }
            | ClientMessage::Getaddrinfo { id, .. }
            | ClientMessage::Call { id, .. }
            | ClientMessage::Cancel { id, .. }
            | ClientMessage::Peer { id, .. }
            | ClientMessage::Scenario { id, .. }
            | ClientMessage::Follow { id, .. }
            | ClientMessage::ShowClass { id, .. } => Some(*id),
        }
    }
}

/// What the companion reports about itself in its `hello`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The protocol version it speaks.
    pub protocol: u32,
    /// `socklab` version, e.g. `0.1.0`.
    pub server_version: String,
    /// What it can do, e.g. `ping`.
    pub capabilities: Vec<String>,
    /// The largest message it accepts, in bytes.
    pub max_message_bytes: usize,
    /// The session's other limits.
    #[serde(default)]
    pub limits: SessionLimits,
    /// Who this session is in a class, decided by the token it opened with.
    #[serde(default)]
    pub role: Role,
}

/// Who a session is, decided by the token its page holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// No class (`socklab serve` without `--lan`): one token, one learner.
    #[default]
    Solo,
    /// Classroom mode, the teacher's token: may show the class a link.
    Teacher,
    /// Classroom mode, the students' token: follows the teacher's links, unless it says not to.
    Student,
}

/// The limits a session runs under, announced in the companion's `hello`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLimits {
    /// Sockets a session may have open at once.
    pub max_sockets: usize,
    /// The most one `recv(n)` may return.
    pub max_recv_bytes: usize,
    /// How long a blocking call may wait, in milliseconds.
    pub max_block_ms: u64,
    /// Requests per second a session may make (a burst of this many, refilled each second).
    pub requests_per_second: u32,
    /// A session with no request for this long is closed, in seconds.
    pub idle_secs: u64,
    /// A session is closed after this long whatever it does, in seconds.
    pub lifetime_secs: u64,
}

/// A message from the companion to the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to the page's `hello`.
    Hello(ServerInfo),
    /// The answer to a `ping`.
    Pong {
        /// The ping's id.
        id: u64,
    },
    /// The answer to a `getaddrinfo`.
    Addrinfo {
        /// The request's id.
        id: u64,
        /// What the resolver said.
        outcome: AddrinfoOutcome,
    },
    /// The answer to a `call`.
    Result {
        /// The call's id.
        id: u64,
        /// The Python line that ran: `s1.connect(('127.0.0.1', 8080))`.
        code: String,
        /// How it ended.
        outcome: CallOutcome,
        /// How long it took (how long a blocking call waited), in microseconds.
        elapsed_us: u64,
        /// Where the companion did something CPython would not, and the result differs from
        /// what CPython would show: `[socklab] ...`, in English. Absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A call has waited 20 ms and still waits (sent at most once per call, before its `result`):
    /// `accept()` with nobody connecting, `recv()` with nothing to read, a blocking `connect()`
    /// or `select()`. The page shows it waiting and may `cancel` it.
    Waiting {
        /// The call's id.
        id: u64,
    },
    /// The answer to a `cancel`.
    Cancelled {
        /// The cancel request's id.
        id: u64,
        /// The id of the call it named.
        call: u64,
        /// Whether that call was still waiting (it then ends with the `cancelled` outcome).
        found: bool,
    },
    /// The answer to a `peer`: where the demo peer listens.
    Peer {
        /// The request's id.
        id: u64,
        /// Which peer.
        kind: PeerKind,
        /// Its loopback address, as Python prints the tuple: `('127.0.0.1', 41234)`.
        address: String,
        /// Its port.
        port: u16,
    },
    /// The answer to a `scenario`: every call it made, in order.
    Transcript {
        /// The request's id.
        id: u64,
        /// Which scenario.
        scenario: Scenario,
        /// The calls and what each returned or raised.
        steps: Vec<Step>,
    },
    /// Something that happened on its own: data arrived, a peer closed, a connection waits.
    Event {
        /// Milliseconds since the session started.
        at_ms: u64,
        /// What happened.
        event: SocketEvent,
    },
    /// The answer to `follow`: whether the page now follows the teacher.
    Following {
        /// The request's id.
        id: u64,
        /// What it asked.
        follow: bool,
    },
    /// The answer to `show_class`: the link went to every student page that follows.
    Shown {
        /// The request's id.
        id: u64,
        /// The link shown.
        link: String,
        /// How many student pages it was sent to.
        students: u32,
    },
    /// Classroom mode, pushed to the teacher and every student when it changes (and after the
    /// `hello`): how many students are connected, and how many follow the teacher.
    Class {
        /// Student sessions open now.
        students: u32,
        /// Of those, how many follow the teacher.
        following: u32,
    },
    /// Classroom mode, pushed to each student page that follows: the teacher shows this link
    /// (checked by [`link::check_link`] before it was sent; the page checks it again).
    Show {
        /// The link to open: `/struct?f=%3EH&v=1`.
        link: String,
    },
    /// A request or message that could not be accepted.
    Error(WireError),
}

impl ServerMessage {
    /// The id of the request this message finally answers; `None` for the hello, events and
    /// `waiting` (which says a call waits, and is followed by its `result`).
    pub fn reply_id(&self) -> Option<u64> {
        match self {
            ServerMessage::Pong { id }
            | ServerMessage::Addrinfo { id, .. }
            | ServerMessage::Result { id, .. }
            | ServerMessage::Cancelled { id, .. }
            | ServerMessage::Peer { id, .. }
            | ServerMessage::Transcript { id, .. }
            | ServerMessage::Following { id, .. }
            | ServerMessage::Shown { id, .. } => Some(*id),
            ServerMessage::Error(e) => e.id,
            ServerMessage::Hello(_)
            | ServerMessage::Event { .. }
            | ServerMessage::Class { .. }
            | ServerMessage::Show { .. }
            | ServerMessage::Waiting { .. } => None,
        }
    }
}

/// One entry of getaddrinfo's list: `(family, type, proto, canonname, sockaddr)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddrinfoEntry {
    /// `AF_INET` (2) or `AF_INET6` (10).
    pub family: i32,
    /// `SOCK_STREAM` (1), `SOCK_DGRAM` (2), `SOCK_RAW` (3).
    pub socktype: i32,
    /// The protocol number (6 TCP, 17 UDP).
    pub proto: i32,
    /// The canonical name ('' unless AI_CANONNAME).
    pub canonname: String,
    /// The address, as text.
    pub address: String,
    /// The port.
    pub port: u16,
    /// IPv6 flowinfo.
    pub flowinfo: u32,
    /// IPv6 scope id.
    pub scope_id: u32,
}

/// What getaddrinfo returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AddrinfoOutcome {
    /// The list, in the resolver's order.
    Ok {
        /// The entries.
        entries: Vec<AddrinfoEntry>,
    },
    /// `socket.gaierror`.
    Gaierror {
        /// The `EAI_*` number (negative on Linux).
        errno: i32,
        /// `gai_strerror`'s text.
        message: String,
    },
    /// A limit of the companion's (time, requests in flight), named as such.
    Limit {
        /// What limit, and what to do.
        message: String,
    },
}

impl AddrinfoOutcome {
    /// What Python prints: the list's repr, or the last line of the traceback.
    ///
    /// ```
    /// use socklab_core::protocol::{AddrinfoEntry, AddrinfoOutcome};
    /// let e = AddrinfoEntry { family: 2, socktype: 1, proto: 6, canonname: String::new(),
    ///     address: "127.0.0.1".into(), port: 80, flowinfo: 0, scope_id: 0 };
    /// assert_eq!(
    ///     AddrinfoOutcome::Ok { entries: vec![e] }.python(),
    ///     Ok("[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))]".to_owned())
    /// );
    /// let gai = AddrinfoOutcome::Gaierror { errno: -2, message: "Name or service not known".into() };
    /// assert_eq!(gai.python(), Err("socket.gaierror: [Errno -2] Name or service not known".to_owned()));
    /// ```
    pub fn python(&self) -> Result<String, String> {
        match self {
            AddrinfoOutcome::Ok { entries } => {
                let items: Vec<String> = entries.iter().map(entry_repr).collect();
                Ok(format!("[{}]", items.join(", ")))
            }
            AddrinfoOutcome::Gaierror { errno, message } => {
                Err(format!("socket.gaierror: [Errno {errno}] {message}"))
            }
            AddrinfoOutcome::Limit { message } => Err(format!("socklab.LimitError: {message}")),
        }
    }
}

fn entry_repr(e: &AddrinfoEntry) -> String {
    let family = crate::pysocket::family_repr(e.family);
    let socktype = crate::pysocket::socktype_repr(e.socktype);
    let address = crate::pyrepr::str_repr(&e.address);
    let sockaddr = if e.family == 10 {
        format!("({address}, {}, {}, {})", e.port, e.flowinfo, e.scope_id)
    } else {
        format!("({address}, {})", e.port)
    };
    format!(
        "({family}, {socktype}, {}, {}, {sockaddr})",
        e.proto,
        crate::pyrepr::str_repr(&e.canonname)
    )
}

/// Why a message was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not valid JSON.
    MalformedJson,
    /// Valid JSON, but not an object with a string `type`.
    MissingType,
    /// A `type` this companion does not know.
    UnknownType,
    /// A known `type` with missing, extra or mistyped fields.
    InvalidMessage,
    /// A request before the `hello` handshake.
    HelloRequired,
    /// A second `hello` in the same session.
    AlreadyHello,
    /// A `hello` with a protocol version this companion does not speak.
    UnsupportedProtocol,
    /// A binary frame: the protocol is JSON text only.
    BinaryFrame,
    /// More requests per second than the session may make; wait a moment.
    RateLimited,
    /// A demo peer could not start: the operating system refused it a socket or a port (out of
    /// descriptors or ephemeral ports). The message carries the OS error.
    PeerFailed,
    /// Never sent by the companion: the page uses it for a request whose connection dropped
    /// before the answer came.
    ConnectionLost,
    /// The session already has as many calls and scenarios running as it may; cancel one or
    /// wait for it.
    Busy,
    /// The companion failed inside (a bug), answered instead of leaving the page waiting.
    Internal,
    /// A classroom request from a session whose token does not allow it: only the teacher's
    /// token shows the class a link, only a student follows.
    NotAllowed,
    /// A link that may not be shown to the class (see [`link::check_link`]).
    BadLink,
}

/// An error reply: what was wrong, with the id of the request it answers if there was one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct WireError {
    /// The id of the request this answers, when the message had a readable one.
    pub id: Option<u64>,
    /// The kind of error, for programs.
    pub code: ErrorCode,
    /// What was wrong and what would be right, for people.
    pub message: String,
}

impl WireError {
    fn new(id: Option<u64>, code: ErrorCode, message: impl Into<String>) -> WireError {
        WireError {
            id,
            code,
            message: message.into(),
        }
    }
}

/// Decodes one text frame from the page, naming exactly what is wrong when it cannot.
///
/// ```
/// use socklab_core::protocol::{decode_client, ClientMessage, ErrorCode};
/// assert_eq!(decode_client(r#"{"type":"ping","id":7}"#).unwrap(), ClientMessage::Ping { id: 7 });
/// let e = decode_client(r#"{"type":"teleport","id":8}"#).unwrap_err();
/// assert_eq!((e.id, e.code), (Some(8), ErrorCode::UnknownType));
/// ```
pub fn decode_client(text: &str) -> Result<ClientMessage, WireError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        WireError::new(
            None,
            ErrorCode::MalformedJson,
            format!("the message is not valid JSON: {e}"),
        )
    })?;
    let id = value.get("id").and_then(serde_json::Value::as_u64);
    let Some(kind) = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
    else {
        return Err(WireError::new(
            id,
            ErrorCode::MissingType,
            "a message must be a JSON object with a string field \"type\"",
        ));
    };
    if !ClientMessage::TYPES.contains(&kind.as_str()) {
        return Err(WireError::new(
            id,
            ErrorCode::UnknownType,
            format!(
                "unknown message type {kind:?}; expected one of: {}",
                ClientMessage::TYPES.join(", ")
            ),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        WireError::new(
            id,
            ErrorCode::InvalidMessage,
            format!("invalid {kind:?} message: {e}"),
        )
    })
}

/// Encodes a message for the wire.
pub fn encode<T: Serialize>(message: &T) -> String {
    // Serializing these plain enums cannot fail: no maps with non-string keys, no I/O.
    serde_json::to_string(message).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn refused(text: &str, code: ErrorCode, needle: &str) {
        let e = decode_client(text).unwrap_err();
        assert_eq!(e.code, code, "{text}: {e}");
        assert!(
            e.message.contains(needle),
            "{text}: {:?} lacks {needle:?}",
            e.message
        );
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode_client(r#"{"type":"hello","protocol":1,"client":"t"}"#).unwrap(),
            ClientMessage::Hello {
                protocol: 1,
                client: "t".to_owned()
            }
        );
        refused("{", ErrorCode::MalformedJson, "not valid JSON");
        refused("[1]", ErrorCode::MissingType, "\"type\"");
        refused(r#"{"type":3}"#, ErrorCode::MissingType, "\"type\"");
        refused(r#"{"type":"nope"}"#, ErrorCode::UnknownType, "hello, ping");
        refused(
            r#"{"type":"ping"}"#,
            ErrorCode::InvalidMessage,
            "missing field `id`",
        );
        refused(
            r#"{"type":"ping","id":-1}"#,
            ErrorCode::InvalidMessage,
            "invalid",
        );
        refused(
            r#"{"type":"ping","id":1,"x":2}"#,
            ErrorCode::InvalidMessage,
            "unknown field `x`",
        );
    }

    /// Found by the `protocol_decode` fuzz target: without serde_json's `float_roundtrip`,
    /// some timeouts came back one unit in the last place off.
    #[test]
    fn float_arguments_round_trip_exactly() {
        for t in [
            12.052468534242527,
            0.053903387681878884,
            1803.1796879847207,
            2.5,
        ] {
            let m = ClientMessage::Call {
                id: 1,
                call: SocketCall::Settimeout {
                    sock: 1,
                    timeout: Some(t),
                },
            };
            assert_eq!(decode_client(&encode(&m)).unwrap(), m, "{t}");
        }
    }

    #[test]
    fn server_messages_round_trip() {
        let hello = ServerMessage::Hello(ServerInfo {
            protocol: PROTOCOL_VERSION,
            server_version: "0.1.0".to_owned(),
            capabilities: vec!["ping".to_owned()],
            max_message_bytes: 65536,
            limits: SessionLimits::default(),
            role: Role::Teacher,
        });
        let text = encode(&hello);
        assert!(
            text.starts_with(r#"{"type":"hello","protocol":1"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ServerMessage>(&text).unwrap(), hello);
        let err = ServerMessage::Error(WireError::new(Some(2), ErrorCode::UnknownType, "x"));
        assert_eq!(
            encode(&err),
            r#"{"type":"error","id":2,"code":"unknown_type","message":"x"}"#
        );
    }
}
