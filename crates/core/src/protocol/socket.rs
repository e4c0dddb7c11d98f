//! Live socket calls as they travel: what the page asks the companion to run ([`SocketCall`]),
//! and each call as the line of Python it stands for.
//!
//! A session's sockets are named by small numbers ([`SockId`]) that the companion hands out;
//! they are shown to the learner as Python variables `s1`, `s2`, ... Arguments that Python
//! accepts in several types (an address tuple, the bytes to send, a socket option's value) travel
//! as the Python literal the learner typed, so the companion can refuse them with exactly the
//! `TypeError` or `OverflowError` CPython would raise.

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
    /// `select.select(read, write, except, timeout)` on the session's sockets.
    Select {
        /// Watched for reading.
        #[serde(default)]
        read: Vec<SockId>,
        /// Watched for writing.
        #[serde(default)]
        write: Vec<SockId>,
        /// Watched for exceptional conditions.
        #[serde(default)]
        except: Vec<SockId>,
        /// Seconds; `None` waits (up to the companion's cap).
        #[serde(default)]
        timeout: Option<f64>,
    },
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
            Socket { .. } | Getnameinfo { .. } | Gethostname {} | Select { .. } => None,
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
            Select { .. } => "select",
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
            Select {
                read,
                write,
                except,
                timeout,
            } => {
                let list = |ids: &[SockId]| {
                    let names: Vec<String> = ids.iter().map(|s| sock_var(*s)).collect();
                    format!("[{}]", names.join(", "))
                };
                let mut a = format!("{}, {}, {}", list(read), list(write), list(except));
                if let Some(t) = timeout {
                    a.push_str(&format!(", {}", crate::pyrepr::float_repr(*t)));
                }
                return format!("select.select({a})");
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CallOutcome, PyReturn, Scenario};

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
