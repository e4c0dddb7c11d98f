//! Live socket calls: what the page asks the companion to run, and how the answers look.
//!
//! A session's sockets are named by small numbers ([`SockId`]) that the companion hands out;
//! they are shown to the learner as Python variables `s1`, `s2`, ... Arguments that Python
//! accepts in several types (an address tuple, the bytes to send, a socket option's value) travel
//! as the Python literal the learner typed, so the companion can refuse them with exactly the
//! `TypeError` or `OverflowError` CPython would raise.

use crate::fence::Refusal;
use serde::{Deserialize, Serialize};

/// A session's name for one of its sockets: `3` is shown as `s3`.
pub type SockId = u32;

/// The Python variable a socket is shown as.
pub fn sock_var(sock: SockId) -> String {
    format!("s{sock}")
}

/// One call on the `socket` module or on one of the session's sockets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum SocketCall {
    /// `socket.socket(family, type, proto)`.
    Socket {
        /// `AF_INET` (2) or `AF_INET6` (10).
        #[serde(default = "af_inet")]
        family: i32,
        /// `SOCK_STREAM` (1) or `SOCK_DGRAM` (2).
        #[serde(default = "sock_stream")]
        socktype: i32,
        /// Usually 0.
        #[serde(default)]
        proto: i32,
    },
    /// `s.setsockopt(level, option, value)`; `value` is a Python int or bytes literal.
    Setsockopt {
        /// The socket.
        sock: SockId,
        /// `SOL_SOCKET` (1), `IPPROTO_TCP` (6).
        level: i32,
        /// `SO_REUSEADDR` (2), `TCP_NODELAY` (1), ...
        option: i32,
        /// `1`, or `struct.pack('ii', 1, 0)` written as `b'\x01\x00\x00\x00\x00\x00\x00\x00'`.
        value: String,
    },
    /// `s.getsockopt(level, option[, buflen])`.
    Getsockopt {
        /// The socket.
        sock: SockId,
        /// The level.
        level: i32,
        /// The option.
        option: i32,
        /// With a length, Python returns the raw bytes.
        #[serde(default)]
        buflen: Option<u32>,
    },
    /// `s.setblocking(flag)`.
    Setblocking {
        /// The socket.
        sock: SockId,
        /// `True` for blocking.
        flag: bool,
    },
    /// `s.settimeout(timeout)`: `None`, `0.0` or seconds.
    Settimeout {
        /// The socket.
        sock: SockId,
        /// Seconds; `None` is blocking.
        timeout: Option<f64>,
    },
    /// `s.gettimeout()`.
    Gettimeout {
        /// The socket.
        sock: SockId,
    },
    /// `s.bind(address)`; `address` is a Python tuple literal: `('127.0.0.1', 0)`.
    Bind {
        /// The socket.
        sock: SockId,
        /// The address tuple, as Python text.
        address: String,
    },
    /// `s.listen([backlog])`.
    Listen {
        /// The socket.
        sock: SockId,
        /// The backlog; Python's default when absent.
        #[serde(default)]
        backlog: Option<i32>,
    },
    /// `s.accept()`.
    Accept {
        /// The socket.
        sock: SockId,
    },
    /// `s.connect(address)`.
    Connect {
        /// The socket.
        sock: SockId,
        /// The address tuple, as Python text.
        address: String,
    },
    /// `s.connect_ex(address)`: the errno instead of an exception.
    ConnectEx {
        /// The socket.
        sock: SockId,
        /// The address tuple, as Python text.
        address: String,
    },
    /// `s.send(data)`; `data` is a Python bytes literal.
    Send {
        /// The socket.
        sock: SockId,
        /// `b'hello'`.
        data: String,
    },
    /// `s.sendall(data)`.
    Sendall {
        /// The socket.
        sock: SockId,
        /// `b'hello'`.
        data: String,
    },
    /// `s.sendto(data, address)`.
    Sendto {
        /// The socket.
        sock: SockId,
        /// `b'hello'`.
        data: String,
        /// The address tuple, as Python text.
        address: String,
    },
    /// `s.recv(bufsize)`.
    Recv {
        /// The socket.
        sock: SockId,
        /// At most this many bytes.
        bufsize: i64,
    },
    /// `s.recvfrom(bufsize)`.
    Recvfrom {
        /// The socket.
        sock: SockId,
        /// At most this many bytes.
        bufsize: i64,
    },
    /// `s.shutdown(how)`: `SHUT_RD` (0), `SHUT_WR` (1), `SHUT_RDWR` (2).
    Shutdown {
        /// The socket.
        sock: SockId,
        /// How.
        how: i32,
    },
    /// `s.close()`.
    Close {
        /// The socket.
        sock: SockId,
    },
    /// `s.getsockname()`.
    Getsockname {
        /// The socket.
        sock: SockId,
    },
    /// `s.getpeername()`.
    Getpeername {
        /// The socket.
        sock: SockId,
    },
    /// `socket.getnameinfo(address, flags)`; `address` is a Python tuple literal.
    Getnameinfo {
        /// The address tuple, as Python text.
        address: String,
        /// `NI_*` flags.
        #[serde(default)]
        flags: i32,
    },
    /// `socket.gethostname()`.
    Gethostname {},
}

fn af_inet() -> i32 {
    2
}

fn sock_stream() -> i32 {
    1
}

use crate::pysocket::{family_name, how_name, socktype_name};
pub use crate::pysocket::{level_name, option_name};

fn timeout_text(timeout: Option<f64>) -> String {
    timeout.map_or_else(|| "None".to_owned(), crate::pyrepr::float_repr)
}

impl SocketCall {
    /// The socket the call is made on, if it is a method call.
    pub fn sock(&self) -> Option<SockId> {
        use SocketCall::*;
        match self {
            Socket { .. } | Getnameinfo { .. } | Gethostname {} => None,
            Setsockopt { sock, .. }
            | Getsockopt { sock, .. }
            | Setblocking { sock, .. }
            | Settimeout { sock, .. }
            | Gettimeout { sock }
            | Bind { sock, .. }
            | Listen { sock, .. }
            | Accept { sock }
            | Connect { sock, .. }
            | ConnectEx { sock, .. }
            | Send { sock, .. }
            | Sendall { sock, .. }
            | Sendto { sock, .. }
            | Recv { sock, .. }
            | Recvfrom { sock, .. }
            | Shutdown { sock, .. }
            | Close { sock }
            | Getsockname { sock }
            | Getpeername { sock } => Some(*sock),
        }
    }

    /// The method's name, as Python spells it: `connect_ex`, `socket`, ...
    pub fn name(&self) -> &'static str {
        use SocketCall::*;
        match self {
            Socket { .. } => "socket",
            Setsockopt { .. } => "setsockopt",
            Getsockopt { .. } => "getsockopt",
            Setblocking { .. } => "setblocking",
            Settimeout { .. } => "settimeout",
            Gettimeout { .. } => "gettimeout",
            Bind { .. } => "bind",
            Listen { .. } => "listen",
            Accept { .. } => "accept",
            Connect { .. } => "connect",
            ConnectEx { .. } => "connect_ex",
            Send { .. } => "send",
            Sendall { .. } => "sendall",
            Sendto { .. } => "sendto",
            Recv { .. } => "recv",
            Recvfrom { .. } => "recvfrom",
            Shutdown { .. } => "shutdown",
            Close { .. } => "close",
            Getsockname { .. } => "getsockname",
            Getpeername { .. } => "getpeername",
            Getnameinfo { .. } => "getnameinfo",
            Gethostname {} => "gethostname",
        }
    }

    /// The call as a line of Python, without what it is assigned to:
    /// `s1.connect(('127.0.0.1', 8080))`.
    ///
    /// ```
    /// use socklab_core::protocol::socket::SocketCall;
    /// let c = SocketCall::Connect { sock: 1, address: "('127.0.0.1', 8080)".into() };
    /// assert_eq!(c.python(), "s1.connect(('127.0.0.1', 8080))");
    /// let s = SocketCall::Socket { family: 2, socktype: 1, proto: 0 };
    /// assert_eq!(s.python(), "socket.socket(socket.AF_INET, socket.SOCK_STREAM)");
    /// ```
    pub fn python(&self) -> String {
        use SocketCall::*;
        let args = match self {
            Socket {
                family,
                socktype,
                proto,
            } => {
                let mut a = format!("{}, {}", family_name(*family), socktype_name(*socktype));
                if *proto != 0 {
                    a.push_str(&format!(", {proto}"));
                }
                return format!("socket.socket({a})");
            }
            Getnameinfo { address, flags } => {
                return format!("socket.getnameinfo({}, {flags})", address.trim());
            }
            Gethostname {} => return "socket.gethostname()".to_owned(),
            Setsockopt {
                level,
                option,
                value,
                ..
            } => format!(
                "{}, {}, {}",
                level_name(*level),
                option_name(*level, *option),
                value.trim()
            ),
            Getsockopt {
                level,
                option,
                buflen,
                ..
            } => {
                let mut a = format!("{}, {}", level_name(*level), option_name(*level, *option));
                if let Some(n) = buflen {
                    a.push_str(&format!(", {n}"));
                }
                a
            }
            Setblocking { flag, .. } => crate::pyrepr::bool_repr(*flag).to_owned(),
            Settimeout { timeout, .. } => timeout_text(*timeout),
            Listen {
                backlog: Some(n), ..
            } => n.to_string(),
            Bind { address, .. } | Connect { address, .. } | ConnectEx { address, .. } => {
                address.trim().to_owned()
            }
            Send { data, .. } | Sendall { data, .. } => data.trim().to_owned(),
            Sendto { data, address, .. } => format!("{}, {}", data.trim(), address.trim()),
            Recv { bufsize, .. } | Recvfrom { bufsize, .. } => bufsize.to_string(),
            Shutdown { how, .. } => how_name(*how),
            Gettimeout { .. }
            | Listen { backlog: None, .. }
            | Accept { .. }
            | Close { .. }
            | Getsockname { .. }
            | Getpeername { .. } => String::new(),
        };
        let sock = self.sock().map(sock_var).unwrap_or_default();
        format!("{sock}.{}({args})", self.name())
    }
}

/// What a call returned, typed enough for the page to draw it; [`PyReturn::repr`] is what
/// Python's REPL would print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PyReturn {
    /// `None` (the REPL prints nothing).
    None,
    /// An int: bytes sent, an errno from `connect_ex`, an option's value.
    Int {
        /// The value.
        value: i64,
    },
    /// A float (`gettimeout()`), as Python's repr.
    Float {
        /// `2.5`
        repr: String,
    },
    /// A str (`gethostname()`).
    Str {
        /// The text.
        value: String,
    },
    /// Bytes (`recv`, `getsockopt` with a length), as lowercase hex.
    Bytes {
        /// `68656c6c6f`
        hex: String,
    },
    /// A new socket (`socket.socket()`).
    Socket {
        /// The session's name for it.
        sock: SockId,
        /// `<socket.socket fd=7, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>`
        repr: String,
    },
    /// `accept()`'s pair: the new socket and the peer's address.
    Accepted {
        /// The session's name for the new socket.
        sock: SockId,
        /// The new socket's repr.
        repr: String,
        /// The peer's address tuple, as Python prints it.
        address: String,
    },
    /// An address or name tuple (`getsockname()`, `getnameinfo()`), as Python prints it.
    Tuple {
        /// `('127.0.0.1', 8080)`
        repr: String,
    },
    /// `recvfrom()`'s pair.
    Received {
        /// The bytes, as lowercase hex.
        hex: String,
        /// The sender's address tuple, as Python prints it.
        address: String,
    },
}

impl PyReturn {
    /// What the REPL prints for the value (`None` prints as `None` here; the page may hide it).
    ///
    /// ```
    /// use socklab_core::protocol::socket::PyReturn;
    /// let r = PyReturn::Received { hex: "6869".into(), address: "('127.0.0.1', 9)".into() };
    /// assert_eq!(r.repr(), "(b'hi', ('127.0.0.1', 9))");
    /// ```
    pub fn repr(&self) -> String {
        match self {
            PyReturn::None => "None".to_owned(),
            PyReturn::Int { value } => value.to_string(),
            PyReturn::Float { repr } | PyReturn::Tuple { repr } | PyReturn::Socket { repr, .. } => {
                repr.clone()
            }
            PyReturn::Str { value } => crate::pyrepr::str_repr(value),
            PyReturn::Bytes { hex } => crate::pyrepr::bytes_repr(&hex_decode(hex)),
            PyReturn::Accepted { repr, address, .. } => format!("({repr}, {address})"),
            PyReturn::Received { hex, address } => {
                format!(
                    "({}, {address})",
                    crate::pyrepr::bytes_repr(&hex_decode(hex))
                )
            }
        }
    }
}

/// Lowercase hex of some bytes: the wire form of bytes.
pub fn hex_encode(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes of lowercase or uppercase hex; a malformed pair or an odd end is dropped.
pub fn hex_decode(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks_exact(2)
        .filter_map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
        })
        .collect()
}

/// An exception a call raised, as Python would raise it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raised {
    /// The class as the traceback names it: `ConnectionRefusedError`, `socket.gaierror`,
    /// `TimeoutError`, `TypeError`.
    pub class: String,
    /// The errno, for OSError and its subclasses (negative for gaierror).
    pub errno: Option<i32>,
    /// The errno's symbolic name: `ECONNREFUSED`.
    pub errno_name: Option<String>,
    /// The last line of the traceback:
    /// `ConnectionRefusedError: [Errno 111] Connection refused`.
    pub line: String,
}

/// One of the companion's own limits, reported as itself and never as a socket error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// A blocking call waited as long as the companion lets one wait (`--max-block`).
    BlockCap,
    /// The session has as many sockets as it may (`--max-sockets`).
    Sockets,
    /// `recv(n)` asked for more than a call may return (`--max-recv-bytes`).
    RecvBytes,
    /// A socket's buffer size past what the companion allows (`--max-socket-buffer`).
    SocketBuffer,
    /// The companion already waits on as many name lookups as it allows, server-wide.
    Lookups,
    /// Too many calls waiting at once in one session.
    CallsInFlight,
    /// The companion failed inside (a bug), reported instead of crashing the session.
    Internal,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CallOutcome {
    /// It returned.
    Returned {
        /// What it returned.
        value: PyReturn,
    },
    /// It raised, as Python would have.
    Raised(Raised),
    /// The fence refused it before anything was sent.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The line to show: `PermissionError: [socklab] ...`.
        line: String,
    },
    /// A limit of the companion's stopped it.
    Limit {
        /// Which limit.
        limit: LimitKind,
        /// What happened and what to do, in English.
        message: String,
    },
    /// The page cancelled it while it waited.
    Cancelled,
}

impl CallOutcome {
    /// The line the page prints after the call: the repr, or the exception's last line.
    pub fn line(&self) -> String {
        match self {
            CallOutcome::Returned { value } => value.repr(),
            CallOutcome::Raised(r) => r.line.clone(),
            CallOutcome::Refused { line, .. } => line.clone(),
            CallOutcome::Limit { message, .. } => format!("socklab.LimitError: {message}"),
            CallOutcome::Cancelled => "socklab.Cancelled: the page cancelled the call".to_owned(),
        }
    }
}

/// The demo services the companion runs itself, on loopback, for one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerKind {
    /// TCP: sends back whatever it reads.
    EchoTcp,
    /// UDP: sends every datagram back to its sender.
    EchoUdp,
    /// TCP: accepts and never answers nor closes (for timeouts).
    Silent,
    /// TCP: accepts, then aborts with `SO_LINGER` 0 (an RST: ConnectionResetError).
    Reset,
    /// TCP: reads to EOF, answers with what it read, then closes (half-close lesson).
    HalfClose,
    /// TCP: reads one message framed as a 2-byte big-endian header length, a UTF-8 JSON header
    /// with `content-length`, and a body; answers in the same framing.
    AppProtocol,
}

impl PeerKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [PeerKind; 6] = [
        PeerKind::EchoTcp,
        PeerKind::EchoUdp,
        PeerKind::Silent,
        PeerKind::Reset,
        PeerKind::HalfClose,
        PeerKind::AppProtocol,
    ];

    /// The wire name: `echo_tcp`.
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::EchoTcp => "echo_tcp",
            PeerKind::EchoUdp => "echo_udp",
            PeerKind::Silent => "silent",
            PeerKind::Reset => "reset",
            PeerKind::HalfClose => "half_close",
            PeerKind::AppProtocol => "app_protocol",
        }
    }
}

/// Something that happened on its own, pushed to the page as it happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SocketEvent {
    /// Data arrived on a session socket and waits to be read.
    Data {
        /// The socket.
        sock: SockId,
        /// Bytes waiting in the receive buffer now.
        available: u64,
    },
    /// The peer closed its side: `recv` will return `b''`.
    PeerClosed {
        /// The socket.
        sock: SockId,
    },
    /// The connection was reset: `recv` will raise ConnectionResetError.
    Reset {
        /// The socket.
        sock: SockId,
    },
    /// A listening socket has a connection waiting for `accept()`.
    Incoming {
        /// The listening socket.
        sock: SockId,
    },
    /// Something a demo peer did.
    Peer {
        /// Which peer.
        peer: PeerKind,
        /// What it did.
        what: PeerAction,
    },
}

/// What a demo peer did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PeerAction {
    /// It accepted a connection from this address.
    Accepted {
        /// The client's address tuple, as Python prints it.
        from: String,
    },
    /// It read this many bytes.
    Received {
        /// How many.
        bytes: u64,
    },
    /// It read end-of-file: the client shut down its sending side or closed.
    ReadEof,
    /// It sent this many bytes.
    Sent {
        /// How many.
        bytes: u64,
    },
    /// It closed the connection normally (FIN).
    Closed,
    /// It aborted the connection (RST).
    Aborted,
}

/// The scripted demonstrations: each makes one error of the seed happen for real, or (the
/// half-close) shows the seed's closing lesson working as it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Connect to a loopback port nobody listens on: ConnectionRefusedError.
    Econnrefused,
    /// Bind a second socket to a port in use, without SO_REUSEADDR: EADDRINUSE.
    Eaddrinuse,
    /// Read from the reset peer: ConnectionResetError.
    Econnreset,
    /// Wait for the silent peer with a timeout: TimeoutError.
    Etimedout,
    /// Non-blocking recv with nothing to read: BlockingIOError.
    EwouldblockRecv,
    /// Non-blocking send until the buffer is full: BlockingIOError.
    EwouldblockSend,
    /// Send after the peer reset the connection: BrokenPipeError.
    Epipe,
    /// Bind to an address this machine does not have: EADDRNOTAVAIL.
    Eaddrnotavail,
    /// Send a request, `shutdown(SHUT_WR)`, and still receive the half-close peer's answer,
    /// then `b''` when it closes: no error.
    HalfClose,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 9] = [
        Scenario::Econnrefused,
        Scenario::Eaddrinuse,
        Scenario::Econnreset,
        Scenario::Etimedout,
        Scenario::EwouldblockRecv,
        Scenario::EwouldblockSend,
        Scenario::Epipe,
        Scenario::Eaddrnotavail,
        Scenario::HalfClose,
    ];

    /// The errno name the scenario raises (`ETIMEDOUT` stands for TimeoutError); `None` for
    /// the half-close, which raises nothing.
    pub fn errno_name(self) -> Option<&'static str> {
        Some(match self {
            Scenario::Econnrefused => "ECONNREFUSED",
            Scenario::Eaddrinuse => "EADDRINUSE",
            Scenario::Econnreset => "ECONNRESET",
            Scenario::Etimedout => "ETIMEDOUT",
            Scenario::EwouldblockRecv | Scenario::EwouldblockSend => "EWOULDBLOCK",
            Scenario::Epipe => "EPIPE",
            Scenario::Eaddrnotavail => "EADDRNOTAVAIL",
            Scenario::HalfClose => return None,
        })
    }

    /// The demo peer the scenario talks to, if it uses one.
    pub fn peer(self) -> Option<PeerKind> {
        match self {
            Scenario::Econnreset => Some(PeerKind::Reset),
            Scenario::Etimedout | Scenario::EwouldblockRecv | Scenario::EwouldblockSend => {
                Some(PeerKind::Silent)
            }
            Scenario::HalfClose => Some(PeerKind::HalfClose),
            Scenario::Econnrefused
            | Scenario::Eaddrinuse
            | Scenario::Epipe
            | Scenario::Eaddrnotavail => None,
        }
    }

    /// The wire name: `ewouldblock_recv`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Econnrefused => "econnrefused",
            Scenario::Eaddrinuse => "eaddrinuse",
            Scenario::Econnreset => "econnreset",
            Scenario::Etimedout => "etimedout",
            Scenario::EwouldblockRecv => "ewouldblock_recv",
            Scenario::EwouldblockSend => "ewouldblock_send",
            Scenario::Epipe => "epipe",
            Scenario::Eaddrnotavail => "eaddrnotavail",
            Scenario::HalfClose => "half_close",
        }
    }

    /// The scenarios that raise an errno (by name or alias), for the error reference's
    /// "reproduce it live" button.
    pub fn for_errno(name: &str) -> Vec<Scenario> {
        let name = match name {
            "EAGAIN" => "EWOULDBLOCK",
            n => n,
        };
        Scenario::ALL
            .into_iter()
            .filter(|s| s.errno_name() == Some(name))
            .collect()
    }
}

/// One line of a scenario's transcript: the Python it ran and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The Python: `s1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)`.
    pub code: String,
    /// How it ended.
    pub outcome: CallOutcome,
    /// How long it took, in microseconds.
    pub elapsed_us: u64,
}

/// Whether a line of Python is an assignment (`s1 = ...`, `s3, addr = ...`), for which the REPL
/// prints nothing.
pub fn is_assignment(code: &str) -> bool {
    code.split_once(" = ").is_some_and(|(targets, _)| {
        !targets.is_empty()
            && targets
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ',' | ' '))
    })
}

/// What the REPL prints under a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplOutput {
    /// The value's repr.
    Value(String),
    /// The traceback.
    Raised(String),
}

impl Step {
    /// What the REPL prints under the step: nothing for `None` or an assignment, the repr, or
    /// the traceback.
    ///
    /// ```
    /// use socklab_core::protocol::socket::{CallOutcome, PyReturn, ReplOutput, Step};
    /// let step = |code: &str, value| Step {
    ///     code: code.into(),
    ///     outcome: CallOutcome::Returned { value },
    ///     elapsed_us: 0,
    /// };
    /// assert_eq!(step("s1.close()", PyReturn::None).repl_output(), None);
    /// assert_eq!(step("port = s1.getsockname()[1]", PyReturn::Int { value: 5 }).repl_output(), None);
    /// assert_eq!(
    ///     step("s1.send(b'hello')", PyReturn::Int { value: 5 }).repl_output(),
    ///     Some(ReplOutput::Value("5".into()))
    /// );
    /// ```
    pub fn repl_output(&self) -> Option<ReplOutput> {
        match &self.outcome {
            CallOutcome::Returned {
                value: PyReturn::None,
            } => None,
            CallOutcome::Returned { .. } if is_assignment(&self.code) => None,
            CallOutcome::Returned { value } => Some(ReplOutput::Value(value.repr())),
            other => Some(ReplOutput::Raised(crate::pyerror::traceback(&other.line()))),
        }
    }

    /// The step's time as a transcript shows it, to a tenth of a millisecond: `500.4 ms`.
    pub fn elapsed_text(&self) -> String {
        // Integer arithmetic: no float formatting surprises.
        let tenths = (self.elapsed_us + 50) / 100;
        format!("{}.{} ms", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repl_rules() {
        assert!(is_assignment("s3, addr = s1.accept()"));
        assert!(!is_assignment("s1.connect(('127.0.0.1', port))  # a = b"));
        let step = |outcome, elapsed_us| Step {
            code: "s1.connect(('127.0.0.1', 9))".into(),
            outcome,
            elapsed_us,
        };
        let refused = step(
            CallOutcome::Raised(Raised {
                class: "ConnectionRefusedError".into(),
                errno: Some(111),
                errno_name: Some("ECONNREFUSED".into()),
                line: "ConnectionRefusedError: [Errno 111] Connection refused".into(),
            }),
            149,
        );
        assert_eq!(
            refused.repl_output(),
            Some(ReplOutput::Raised(
                "Traceback (most recent call last):\n  ...\nConnectionRefusedError: [Errno 111] Connection refused".into()
            ))
        );
        assert_eq!(refused.elapsed_text(), "0.1 ms");
        for (us, text) in [
            (0, "0.0 ms"),
            (500_449, "500.4 ms"),
            (1_000_050, "1000.1 ms"),
        ] {
            assert_eq!(step(CallOutcome::Cancelled, us).elapsed_text(), text);
        }
        for s in Scenario::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }

    #[test]
    fn hex_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)), bytes);
        assert_eq!(hex_encode(b"hi"), "6869");
    }

    #[test]
    fn call_lines() {
        let cases = [
            (
                SocketCall::Setsockopt {
                    sock: 2,
                    level: 1,
                    option: 2,
                    value: "1".into(),
                },
                "s2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            ),
            (
                SocketCall::Settimeout {
                    sock: 1,
                    timeout: Some(2.0),
                },
                "s1.settimeout(2.0)",
            ),
            (
                SocketCall::Settimeout {
                    sock: 1,
                    timeout: None,
                },
                "s1.settimeout(None)",
            ),
            (
                SocketCall::Shutdown { sock: 4, how: 1 },
                "s4.shutdown(socket.SHUT_WR)",
            ),
            (
                SocketCall::Recv {
                    sock: 4,
                    bufsize: 1024,
                },
                "s4.recv(1024)",
            ),
            (SocketCall::Accept { sock: 1 }, "s1.accept()"),
            (
                SocketCall::Sendto {
                    sock: 3,
                    data: "b'x'".into(),
                    address: "('127.0.0.1', 9)".into(),
                },
                "s3.sendto(b'x', ('127.0.0.1', 9))",
            ),
            (SocketCall::Gethostname {}, "socket.gethostname()"),
        ];
        for (call, line) in cases {
            assert_eq!(call.python(), line);
        }
    }

    #[test]
    fn wire_form() {
        let call: SocketCall =
            serde_json::from_str(r#"{"op":"recv","sock":1,"bufsize":5}"#).unwrap();
        assert_eq!(
            call,
            SocketCall::Recv {
                sock: 1,
                bufsize: 5
            }
        );
        let outcome = CallOutcome::Returned {
            value: PyReturn::Int { value: 5 },
        };
        assert_eq!(
            serde_json::to_string(&outcome).unwrap(),
            r#"{"status":"returned","value":{"kind":"int","value":5}}"#
        );
        assert_eq!(
            Scenario::for_errno("EAGAIN"),
            vec![Scenario::EwouldblockRecv, Scenario::EwouldblockSend]
        );
    }
}
