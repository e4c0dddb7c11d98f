//! What a call gives back: its return value ([`PyReturn`], as Python's REPL would print it),
//! the exception it raised ([`Raised`]), or the companion's own answer (a fence refusal, a
//! limit, a cancel), all as [`CallOutcome`]; and the hex form bytes travel in.

use super::SockId;
use crate::fence::Refusal;
use serde::{Deserialize, Serialize};

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
    /// `select.select()`'s three lists of ready sockets, by the session's names.
    Ready {
        /// Readable.
        read: Vec<SockId>,
        /// Writable.
        write: Vec<SockId>,
        /// With an exceptional condition.
        except: Vec<SockId>,
    },
    /// What a scripted step printed (a `try:`/`except` block of a scenario that calls
    /// `print()`): the REPL shows the text as it is.
    Printed {
        /// The text, without the final newline.
        text: String,
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
    /// use socklab_core::protocol::PyReturn;
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
            PyReturn::Ready {
                read,
                write,
                except,
            } => {
                let list = |ids: &[SockId]| {
                    let names: Vec<String> = ids.iter().map(|s| super::sock_var(*s)).collect();
                    format!("[{}]", names.join(", "))
                };
                format!("({}, {}, {})", list(read), list(write), list(except))
            }
            PyReturn::Printed { text } => text.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)), bytes);
        assert_eq!(hex_encode(b"hi"), "6869");
    }
}
