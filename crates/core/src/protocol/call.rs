//! The companion's call boundary: a wire call ([`SocketCall`], whose arguments are the Python
//! literals the learner typed) is checked once, here, into a [`Call`] with typed arguments, or
//! into the exception CPython raises while it reads those arguments. Past this point nothing is
//! parsed again: the companion's I/O code sees bytes, addresses, options and timeouts.
//!
//! This is the pattern of rust-playground's WebSocket edge: plain serde structs come in, and a
//! `TryFrom` turns each into a checked type with a typed error.

use super::socket::{SockId, SocketCall};
use crate::addr::{check_tuple, Caller, Resolved};
use crate::inet::Family;
use crate::pyerror::{PyExcClass, PyException};
use crate::pyliteral::{self, bytes_arg, bytes_like_required, PyValue};
use crate::pysocket::SockOpt;
use std::time::Duration;

/// An address argument, read once: a tuple's items, or the one value that was not a tuple.
/// Which tuple is right depends on the socket's family, which only the companion knows, so the
/// family's check ([`Address::check`]) comes later, still pure.
#[derive(Clone, Debug, PartialEq)]
pub enum Address {
    /// `('127.0.0.1', 80)`: the items.
    Tuple(Vec<PyValue>),
    /// Anything else (`'127.0.0.1'`), for CPython's "must be tuple" TypeError.
    Other(PyValue),
}

impl Address {
    /// Reads an address literal: a parenthesised tuple, or any other literal.
    ///
    /// ```
    /// use socklab_core::protocol::call::Address;
    /// use socklab_core::pyliteral::PyValue;
    /// let a = Address::parse("('127.0.0.1', 80)").unwrap();
    /// assert_eq!(a, Address::Tuple(vec![PyValue::Str("127.0.0.1".into()), PyValue::Int(80.into())]));
    /// ```
    pub fn parse(text: &str) -> Result<Address, PyException> {
        let t = text.trim();
        match t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            Some(items) => Ok(Address::Tuple(pyliteral::parse_args(items)?)),
            None => Ok(Address::Other(pyliteral::parse(t)?)),
        }
    }

    /// An IPv4 `(host, port)` tuple, as a scenario builds one.
    pub fn inet(host: &str, port: u16) -> Address {
        Address::Tuple(vec![
            PyValue::Str(host.to_owned()),
            PyValue::Int(i128::from(port).into()),
        ])
    }

    /// CPython's `getsockaddrarg` for a socket of `family`: the host as text and how it reads,
    /// or the TypeError/OverflowError/ValueError CPython raises.
    ///
    /// ```
    /// use socklab_core::addr::Caller;
    /// use socklab_core::inet::Family;
    /// use socklab_core::protocol::call::Address;
    /// let e = Address::parse("'127.0.0.1'").unwrap().check(Family::Inet, Caller::Connect);
    /// assert_eq!(e.unwrap_err().traceback_line(), "TypeError: AF_INET address must be tuple, not str");
    /// ```
    pub fn check(&self, family: Family, caller: Caller) -> Result<(String, Resolved), PyException> {
        match self {
            Address::Other(value) => Err(PyException::new(
                PyExcClass::TypeError,
                format!(
                    "{} address must be tuple, not {}",
                    family.name(),
                    value.type_name()
                ),
            )),
            Address::Tuple(items) => {
                let resolved = check_tuple(family, items, caller)?;
                let host = match items.first() {
                    Some(PyValue::Str(s)) => s.clone(),
                    Some(PyValue::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
                    _ => String::new(),
                };
                Ok((host, resolved))
            }
        }
    }
}

/// A socket option's name: one the lessons use, or numbers the companion will refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptName {
    /// One of [`SockOpt`].
    Known(SockOpt),
    /// Any other `(level, option)`.
    Other {
        /// The level.
        level: i32,
        /// The option.
        option: i32,
    },
}

impl OptName {
    /// The name of `(level, option)`.
    pub fn of(level: i32, option: i32) -> OptName {
        SockOpt::from_numbers(level, option)
            .map_or(OptName::Other { level, option }, OptName::Known)
    }
}

/// `setsockopt`'s value, as CPython reads it: an int first, else any bytes-like object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptValue {
    /// An int (C `int`).
    Int(i32),
    /// Bytes, handed to the kernel as they are (`struct linger` for SO_LINGER).
    Bytes(Vec<u8>),
}

/// Python's three modes of a socket, as `settimeout`/`setblocking` set them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Timeout {
    /// `settimeout(None)`, `setblocking(True)`.
    Blocking,
    /// `settimeout(0.0)`, `setblocking(False)`.
    NonBlocking,
    /// `settimeout(t)`: at most 292 years, as CPython keeps it (int64 nanoseconds).
    After(Duration),
}

impl Timeout {
    /// CPython's `socket_parse_timeout` of a float, or its ValueError/OverflowError.
    ///
    /// ```
    /// use socklab_core::protocol::call::Timeout;
    /// assert_eq!(Timeout::from_seconds(None).unwrap(), Timeout::Blocking);
    /// assert_eq!(
    ///     Timeout::from_seconds(Some(1e19)).unwrap_err().traceback_line(),
    ///     "OverflowError: timestamp out of range for platform time_t"
    /// );
    /// ```
    pub fn from_seconds(seconds: Option<f64>) -> Result<Timeout, PyException> {
        match seconds {
            None => Ok(Timeout::Blocking),
            Some(t) if t.is_nan() => Err(PyException::new(
                PyExcClass::ValueError,
                "Invalid value NaN (not a number)",
            )),
            Some(t) if t < 0.0 => Err(PyException::new(
                PyExcClass::ValueError,
                "Timeout value out of range",
            )),
            Some(0.0) => Ok(Timeout::NonBlocking),
            // CPython keeps a timeout as int64 nanoseconds, rounded up: what does not fit is
            // refused here, so no deadline computed from it can overflow later.
            Some(t) if (t * 1e9).ceil() >= 9_223_372_036_854_775_808.0 => Err(PyException::new(
                PyExcClass::OverflowError,
                "timestamp out of range for platform time_t",
            )),
            Some(t) => Ok(Timeout::After(Duration::from_secs_f64(t))),
        }
    }
}

/// A call with its arguments checked and typed: what the companion runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    /// A function of the `socket` module.
    Module(ModuleCall),
    /// A method of one of the session's sockets.
    Method {
        /// The socket.
        sock: SockId,
        /// The method and its arguments.
        method: Method,
    },
}

/// A function of the `socket` module.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleCall {
    /// `socket.socket(family, type, proto)`: the numbers go to the kernel (after the fence).
    Socket {
        /// The family.
        family: i32,
        /// The type.
        socktype: i32,
        /// The protocol.
        proto: i32,
    },
    /// `socket.getnameinfo((host, port), flags)`.
    Getnameinfo {
        /// The host, as given (the companion reads it as a numeric address).
        host: String,
        /// The port.
        port: u16,
        /// `NI_*` flags.
        flags: i32,
    },
    /// `socket.gethostname()`.
    Gethostname,
    /// `select.select(read, write, except, timeout)`.
    Select {
        /// Watched for reading.
        read: Vec<SockId>,
        /// Watched for writing.
        write: Vec<SockId>,
        /// Watched for exceptional conditions.
        except: Vec<SockId>,
        /// How long to wait; `None` waits (up to the companion's cap).
        timeout: Option<Duration>,
    },
}

/// A method of a socket, with its arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// `s.setsockopt(level, option, value)`.
    Setsockopt {
        /// The option.
        opt: OptName,
        /// The value.
        value: OptValue,
    },
    /// `s.getsockopt(level, option[, buflen])`.
    Getsockopt {
        /// The option.
        opt: OptName,
        /// With a length, Python returns the raw bytes.
        buflen: Option<u32>,
    },
    /// `s.settimeout(t)`.
    SetTimeout(Timeout),
    /// `s.setblocking(flag)`: `settimeout(None)` or `settimeout(0.0)`, as it was written.
    SetBlocking(bool),
    /// `s.gettimeout()`.
    Gettimeout,
    /// `s.bind(address)`.
    Bind(Address),
    /// `s.listen([backlog])`.
    Listen {
        /// The backlog, if given.
        backlog: Option<i32>,
    },
    /// `s.accept()`.
    Accept,
    /// `s.connect(address)`, or `s.connect_ex(address)` (`ex`: the errno instead of raising).
    Connect {
        /// The address.
        address: Address,
        /// `connect_ex`.
        ex: bool,
    },
    /// `s.send(data)`, or `s.sendall(data)` (`all`).
    Send {
        /// The bytes.
        data: Vec<u8>,
        /// `sendall`.
        all: bool,
    },
    /// `s.sendto(data, address)`.
    Sendto {
        /// The bytes.
        data: Vec<u8>,
        /// The address.
        address: Address,
    },
    /// `s.recv(bufsize)`, or `s.recvfrom(bufsize)` (`from`).
    Recv {
        /// At most this many bytes.
        bufsize: usize,
        /// `recvfrom`.
        from: bool,
    },
    /// `s.shutdown(how)`: `SHUT_RD` (0), `SHUT_WR` (1), `SHUT_RDWR` (2), or what the kernel
    /// refuses.
    Shutdown(i32),
    /// `s.close()`.
    Close,
    /// `s.getsockname()`, or `s.getpeername()` (`peer`).
    Name {
        /// `getpeername`.
        peer: bool,
    },
}

impl Method {
    /// The mode `settimeout`/`setblocking` sets, if this is one of them.
    pub fn timeout(&self) -> Option<Timeout> {
        match self {
            Method::SetTimeout(t) => Some(*t),
            Method::SetBlocking(true) => Some(Timeout::Blocking),
            Method::SetBlocking(false) => Some(Timeout::NonBlocking),
            _ => None,
        }
    }

    /// The backlog `listen` passes to the kernel: CPython's default is min(SOMAXCONN, 128), and
    /// a negative backlog becomes 0.
    pub fn listen_backlog(backlog: Option<i32>) -> i32 {
        backlog.unwrap_or(128).max(0)
    }
}

impl Address {
    /// The literal as Python prints it: `('127.0.0.1', 80)`.
    pub fn literal(&self) -> String {
        let shown = match self {
            Address::Tuple(items) => crate::pyrepr::tuple_repr(items),
            Address::Other(value) => crate::pyrepr::value_repr(value),
        };
        shown.unwrap_or_else(|e| e.traceback_line())
    }
}

impl From<&Call> for SocketCall {
    /// The wire form of a checked call, its arguments written as Python literals: what a
    /// scenario's call looks like on the wire and in its transcript (`SocketCall::python`).
    fn from(call: &Call) -> SocketCall {
        use SocketCall as W;
        let bytes = |b: &[u8]| crate::pyrepr::bytes_repr(b);
        let (sock, method) = match call {
            Call::Module(ModuleCall::Socket {
                family,
                socktype,
                proto,
            }) => {
                return W::Socket {
                    family: *family,
                    socktype: *socktype,
                    proto: *proto,
                }
            }
            Call::Module(ModuleCall::Getnameinfo { host, port, flags }) => {
                return W::Getnameinfo {
                    address: format!("({}, {port})", crate::pyrepr::str_repr(host)),
                    flags: *flags,
                }
            }
            Call::Module(ModuleCall::Gethostname) => return W::Gethostname {},
            Call::Module(ModuleCall::Select {
                read,
                write,
                except,
                timeout,
            }) => {
                return W::Select {
                    read: read.clone(),
                    write: write.clone(),
                    except: except.clone(),
                    timeout: timeout.map(|d| d.as_secs_f64()),
                }
            }
            Call::Method { sock, method } => (*sock, method),
        };
        match method {
            Method::Setsockopt { opt, value } => {
                let (level, option) = match opt {
                    OptName::Known(o) => o.numbers(),
                    OptName::Other { level, option } => (*level, *option),
                };
                W::Setsockopt {
                    sock,
                    level,
                    option,
                    value: match value {
                        OptValue::Int(n) => n.to_string(),
                        OptValue::Bytes(b) => bytes(b),
                    },
                }
            }
            Method::Getsockopt { opt, buflen } => {
                let (level, option) = match opt {
                    OptName::Known(o) => o.numbers(),
                    OptName::Other { level, option } => (*level, *option),
                };
                W::Getsockopt {
                    sock,
                    level,
                    option,
                    buflen: *buflen,
                }
            }
            Method::SetTimeout(t) => W::Settimeout {
                sock,
                timeout: match t {
                    Timeout::Blocking => None,
                    Timeout::NonBlocking => Some(0.0),
                    Timeout::After(d) => Some(d.as_secs_f64()),
                },
            },
            Method::SetBlocking(flag) => W::Setblocking { sock, flag: *flag },
            Method::Gettimeout => W::Gettimeout { sock },
            Method::Bind(a) => W::Bind {
                sock,
                address: a.literal(),
            },
            Method::Listen { backlog } => W::Listen {
                sock,
                backlog: *backlog,
            },
            Method::Accept => W::Accept { sock },
            Method::Connect { address, ex } => {
                let address = address.literal();
                if *ex {
                    W::ConnectEx { sock, address }
                } else {
                    W::Connect { sock, address }
                }
            }
            Method::Send { data, all } => {
                let data = bytes(data);
                if *all {
                    W::Sendall { sock, data }
                } else {
                    W::Send { sock, data }
                }
            }
            Method::Sendto { data, address } => W::Sendto {
                sock,
                data: bytes(data),
                address: address.literal(),
            },
            Method::Recv { bufsize, from } => {
                let bufsize = i64::try_from(*bufsize).unwrap_or(i64::MAX);
                if *from {
                    W::Recvfrom { sock, bufsize }
                } else {
                    W::Recv { sock, bufsize }
                }
            }
            Method::Shutdown(how) => W::Shutdown { sock, how: *how },
            Method::Close => W::Close { sock },
            Method::Name { peer: false } => W::Getsockname { sock },
            Method::Name { peer: true } => W::Getpeername { sock },
        }
    }
}

impl Call {
    /// A method call on socket `sock`.
    pub fn on(sock: SockId, method: Method) -> Call {
        Call::Method { sock, method }
    }

    /// The line of Python this call is: `s2.connect(('127.0.0.1', 5000))`.
    pub fn python(&self) -> String {
        SocketCall::from(self).python()
    }
}

fn type_error(message: impl Into<String>) -> PyException {
    PyException::new(PyExcClass::TypeError, message)
}

/// `setsockopt`'s value: an int that fits a C int, else bytes; CPython's TypeError otherwise
/// (an int too big for a C int falls through to the bytes attempt, which names `int`).
fn opt_value(text: &str) -> Result<OptValue, PyException> {
    let value = pyliteral::parse(text.trim())?;
    match &value {
        PyValue::Int(_) | PyValue::Bool(_) => value
            .as_index()
            .and_then(|n| n.to_i128())
            .and_then(|n| i32::try_from(n).ok())
            .map(OptValue::Int)
            .ok_or_else(|| bytes_like_required(&value)),
        PyValue::Bytes(b) => Ok(OptValue::Bytes(b.clone())),
        other => Err(bytes_like_required(other)),
    }
}

/// `select`'s timeout: CPython's ValueError for a negative one, its OverflowError past int64
/// nanoseconds.
pub fn select_timeout(seconds: Option<f64>) -> Result<Option<Duration>, PyException> {
    match seconds {
        None => Ok(None),
        Some(t) if t < 0.0 => Err(PyException::new(
            PyExcClass::ValueError,
            "timeout must be non-negative",
        )),
        Some(t) => match Timeout::from_seconds(Some(t))? {
            Timeout::After(d) => Ok(Some(d)),
            _ => Ok(Some(Duration::ZERO)),
        },
    }
}

/// `recv`'s bufsize: CPython's ValueError for a negative one.
fn bufsize(n: i64, name: &str) -> Result<usize, PyException> {
    usize::try_from(n).map_err(|_| {
        PyException::new(
            PyExcClass::ValueError,
            format!("negative buffersize in {name}"),
        )
    })
}

/// `getnameinfo`'s sockaddr: a tuple of a str host and a port, at most four items.
fn nameinfo_address(text: &str) -> Result<(String, u16), PyException> {
    let illegal = || type_error("getnameinfo(): illegal sockaddr argument");
    match Address::parse(text)? {
        Address::Other(value) => Err(type_error(format!(
            "getnameinfo() argument 1 must be a tuple, not {}",
            value.type_name()
        ))),
        Address::Tuple(items) => {
            let (Some(PyValue::Str(host)), Some(port)) = (items.first(), items.get(1)) else {
                return Err(illegal());
            };
            if items.len() > 4 {
                return Err(illegal());
            }
            let port = port
                .as_index()
                .and_then(|p| p.to_i128())
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(illegal)?;
            Ok((host.clone(), port))
        }
    }
}

impl TryFrom<&SocketCall> for Call {
    type Error = PyException;

    /// Reads every argument of a wire call once, in the order CPython reads them.
    fn try_from(call: &SocketCall) -> Result<Call, PyException> {
        use SocketCall as W;
        let method = |sock: &SockId, method| Call::Method {
            sock: *sock,
            method,
        };
        Ok(match call {
            W::Socket {
                family,
                socktype,
                proto,
            } => Call::Module(ModuleCall::Socket {
                family: *family,
                socktype: *socktype,
                proto: *proto,
            }),
            W::Getnameinfo { address, flags } => {
                let (host, port) = nameinfo_address(address)?;
                Call::Module(ModuleCall::Getnameinfo {
                    host,
                    port,
                    flags: *flags,
                })
            }
            W::Gethostname {} => Call::Module(ModuleCall::Gethostname),
            W::Select {
                read,
                write,
                except,
                timeout,
            } => Call::Module(ModuleCall::Select {
                read: read.clone(),
                write: write.clone(),
                except: except.clone(),
                timeout: select_timeout(*timeout)?,
            }),
            W::Setsockopt {
                sock,
                level,
                option,
                value,
            } => method(
                sock,
                Method::Setsockopt {
                    value: opt_value(value)?,
                    opt: OptName::of(*level, *option),
                },
            ),
            W::Getsockopt {
                sock,
                level,
                option,
                buflen,
            } => method(
                sock,
                Method::Getsockopt {
                    opt: OptName::of(*level, *option),
                    buflen: *buflen,
                },
            ),
            W::Setblocking { sock, flag } => method(sock, Method::SetBlocking(*flag)),
            W::Settimeout { sock, timeout } => {
                method(sock, Method::SetTimeout(Timeout::from_seconds(*timeout)?))
            }
            W::Gettimeout { sock } => method(sock, Method::Gettimeout),
            W::Bind { sock, address } => method(sock, Method::Bind(Address::parse(address)?)),
            W::Listen { sock, backlog } => method(sock, Method::Listen { backlog: *backlog }),
            W::Accept { sock } => method(sock, Method::Accept),
            W::Connect { sock, address } | W::ConnectEx { sock, address } => method(
                sock,
                Method::Connect {
                    address: Address::parse(address)?,
                    ex: matches!(call, W::ConnectEx { .. }),
                },
            ),
            W::Send { sock, data } | W::Sendall { sock, data } => method(
                sock,
                Method::Send {
                    data: bytes_arg(data)?,
                    all: matches!(call, W::Sendall { .. }),
                },
            ),
            W::Sendto {
                sock,
                data,
                address,
            } => method(
                sock,
                Method::Sendto {
                    data: bytes_arg(data)?,
                    address: Address::parse(address)?,
                },
            ),
            W::Recv { sock, bufsize: n } => method(
                sock,
                Method::Recv {
                    bufsize: bufsize(*n, "recv")?,
                    from: false,
                },
            ),
            W::Recvfrom { sock, bufsize: n } => method(
                sock,
                Method::Recv {
                    bufsize: bufsize(*n, "recvfrom")?,
                    from: true,
                },
            ),
            W::Shutdown { sock, how } => method(sock, Method::Shutdown(*how)),
            W::Close { sock } => method(sock, Method::Close),
            W::Getsockname { sock } => method(sock, Method::Name { peer: false }),
            W::Getpeername { sock } => method(sock, Method::Name { peer: true }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks one wire call (as JSON) into `Ok(debug of the call)` or `Err(traceback line)`.
    #[track_caller]
    fn check(json: &str, expect: Result<&str, &str>) {
        let wire: SocketCall = serde_json::from_str(json).unwrap();
        let got = Call::try_from(&wire)
            .map(|c| format!("{c:?}"))
            .map_err(|e| e.traceback_line());
        match (&got, expect) {
            (Ok(debug), Ok(want)) => assert!(debug.contains(want), "{json}: {debug}"),
            (Err(line), Err(want)) => assert_eq!(line, want, "{json}"),
            _ => panic!("{json}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn every_cpython_error_of_reading_arguments() {
        // Each line is what CPython 3.11 raises for these arguments (checked against the live
        // interpreter by the companion's errors_are_pythons_to_the_letter).
        check(
            r#"{"op":"send","sock":1,"data":"'hi'"}"#,
            Err("TypeError: a bytes-like object is required, not 'str'"),
        );
        check(
            r#"{"op":"sendall","sock":1,"data":"5"}"#,
            Err("TypeError: a bytes-like object is required, not 'int'"),
        );
        check(
            r#"{"op":"sendto","sock":1,"data":"None","address":"('127.0.0.1', 9)"}"#,
            Err("TypeError: a bytes-like object is required, not 'NoneType'"),
        );
        check(
            r#"{"op":"setsockopt","sock":1,"level":1,"option":2,"value":"'yes'"}"#,
            Err("TypeError: a bytes-like object is required, not 'str'"),
        );
        check(
            r#"{"op":"setsockopt","sock":1,"level":1,"option":2,"value":"1099511627776"}"#,
            Err("TypeError: a bytes-like object is required, not 'int'"),
        );
        check(
            r#"{"op":"setsockopt","sock":1,"level":1,"option":2,"value":"1.5"}"#,
            Err("TypeError: a bytes-like object is required, not 'float'"),
        );
        check(
            r#"{"op":"settimeout","sock":1,"timeout":-1.0}"#,
            Err("ValueError: Timeout value out of range"),
        );
        check(
            r#"{"op":"settimeout","sock":1,"timeout":1e19}"#,
            Err("OverflowError: timestamp out of range for platform time_t"),
        );
        check(
            r#"{"op":"settimeout","sock":1,"timeout":9223372037.0}"#,
            Err("OverflowError: timestamp out of range for platform time_t"),
        );
        check(
            r#"{"op":"recv","sock":1,"bufsize":-1}"#,
            Err("ValueError: negative buffersize in recv"),
        );
        check(
            r#"{"op":"recvfrom","sock":1,"bufsize":-5}"#,
            Err("ValueError: negative buffersize in recvfrom"),
        );
        check(
            r#"{"op":"getnameinfo","address":"'127.0.0.1'","flags":0}"#,
            Err("TypeError: getnameinfo() argument 1 must be a tuple, not str"),
        );
        check(
            r#"{"op":"getnameinfo","address":"(1, 80)","flags":0}"#,
            Err("TypeError: getnameinfo(): illegal sockaddr argument"),
        );
        check(
            r#"{"op":"getnameinfo","address":"('127.0.0.1',)","flags":0}"#,
            Err("TypeError: getnameinfo(): illegal sockaddr argument"),
        );
        check(
            r#"{"op":"getnameinfo","address":"('127.0.0.1', 70000)","flags":0}"#,
            Err("TypeError: getnameinfo(): illegal sockaddr argument"),
        );
        check(
            r#"{"op":"getnameinfo","address":"('::1', 80, 0, 0, 0)","flags":0}"#,
            Err("TypeError: getnameinfo(): illegal sockaddr argument"),
        );
    }

    #[test]
    fn arguments_become_typed_values() {
        check(
            r#"{"op":"settimeout","sock":1,"timeout":null}"#,
            Ok("Blocking"),
        );
        check(
            r#"{"op":"settimeout","sock":1,"timeout":0.0}"#,
            Ok("NonBlocking"),
        );
        check(
            r#"{"op":"settimeout","sock":1,"timeout":9200000000.0}"#,
            Ok("After(9200000000s)"),
        );
        check(
            r#"{"op":"setblocking","sock":1,"flag":false}"#,
            Ok("SetBlocking(false)"),
        );
        check(
            r#"{"op":"setsockopt","sock":1,"level":1,"option":2,"value":"True"}"#,
            Ok("Known(ReuseAddr), value: Int(1)"),
        );
        check(
            r#"{"op":"setsockopt","sock":1,"level":1,"option":13,"value":"b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00'"}"#,
            Ok("Known(Linger), value: Bytes([1, 0, 0, 0, 0, 0, 0, 0])"),
        );
        check(
            r#"{"op":"getsockopt","sock":1,"level":6,"option":9}"#,
            Ok("Other { level: 6, option: 9 }"),
        );
        check(r#"{"op":"listen","sock":1}"#, Ok("backlog: None"));
        check(
            r#"{"op":"listen","sock":1,"backlog":-3}"#,
            Ok("backlog: Some(-3)"),
        );
        check(
            r#"{"op":"connect_ex","sock":2,"address":"('::1', 80, 0, 0)"}"#,
            Ok("ex: true"),
        );
        check(
            r#"{"op":"sendall","sock":2,"data":"b'hi'"}"#,
            Ok("data: [104, 105], all: true"),
        );
        check(
            r#"{"op":"recvfrom","sock":2,"bufsize":1024}"#,
            Ok("bufsize: 1024, from: true"),
        );
        check(
            r#"{"op":"getnameinfo","address":"('127.0.0.1', 80)","flags":1}"#,
            Ok("host: \"127.0.0.1\", port: 80, flags: 1"),
        );
        check(
            r#"{"op":"bind","sock":1,"address":"'x'"}"#,
            Ok("Other(Str(\"x\"))"),
        );
    }

    /// A checked call goes back to the wire call it came from (for arguments written the way
    /// Python prints them), so a scenario's typed call shows the line that runs it.
    #[test]
    fn checked_calls_go_back_to_their_wire_form() {
        for json in [
            r#"{"op":"socket","family":10,"socktype":2,"proto":17}"#,
            r#"{"op":"getnameinfo","address":"('127.0.0.1', 80)","flags":1}"#,
            r#"{"op":"gethostname"}"#,
            r#"{"op":"setsockopt","sock":1,"level":1,"option":2,"value":"1"}"#,
            r#"{"op":"setsockopt","sock":1,"level":1,"option":13,"value":"b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00'"}"#,
            r#"{"op":"getsockopt","sock":1,"level":6,"option":9,"buflen":4}"#,
            r#"{"op":"settimeout","sock":1,"timeout":0.5}"#,
            r#"{"op":"settimeout","sock":1,"timeout":null}"#,
            r#"{"op":"settimeout","sock":1,"timeout":0.0}"#,
            r#"{"op":"setblocking","sock":1,"flag":false}"#,
            r#"{"op":"gettimeout","sock":1}"#,
            r#"{"op":"bind","sock":1,"address":"('127.0.0.1', 0)"}"#,
            r#"{"op":"bind","sock":1,"address":"'x'"}"#,
            r#"{"op":"listen","sock":1}"#,
            r#"{"op":"listen","sock":1,"backlog":-3}"#,
            r#"{"op":"accept","sock":1}"#,
            r#"{"op":"connect","sock":2,"address":"('::1', 80, 0, 0)"}"#,
            r#"{"op":"connect_ex","sock":2,"address":"('127.0.0.1', 9)"}"#,
            r#"{"op":"send","sock":2,"data":"b'hi'"}"#,
            r#"{"op":"sendall","sock":2,"data":"b'GET / HTTP/1.0\\r\\n\\r\\n'"}"#,
            r#"{"op":"sendto","sock":2,"data":"b''","address":"('127.0.0.1', 9)"}"#,
            r#"{"op":"recv","sock":2,"bufsize":1024}"#,
            r#"{"op":"recvfrom","sock":2,"bufsize":0}"#,
            r#"{"op":"shutdown","sock":2,"how":1}"#,
            r#"{"op":"close","sock":2}"#,
            r#"{"op":"getsockname","sock":2}"#,
            r#"{"op":"getpeername","sock":2}"#,
        ] {
            let wire: SocketCall = serde_json::from_str(json).unwrap();
            let call = Call::try_from(&wire).unwrap();
            assert_eq!(SocketCall::from(&call), wire, "{json}");
            assert_eq!(call.python(), wire.python(), "{json}");
        }
        assert_eq!(Method::listen_backlog(None), 128);
        assert_eq!(Method::listen_backlog(Some(-3)), 0);
        assert_eq!(
            Method::SetBlocking(false).timeout(),
            Some(Timeout::NonBlocking)
        );
    }

    #[test]
    fn an_address_is_checked_for_its_socket_family() {
        let line = |text: &str, family, caller| {
            Address::parse(text)
                .and_then(|a| a.check(family, caller))
                .map(|(host, r)| format!("{host} {}", r.port))
                .unwrap_or_else(|e| e.traceback_line())
        };
        assert_eq!(
            line("('127.0.0.1', 80)", Family::Inet, Caller::Connect),
            "127.0.0.1 80"
        );
        assert_eq!(
            line("'127.0.0.1'", Family::Inet6, Caller::Bind),
            "TypeError: AF_INET6 address must be tuple, not str"
        );
        assert_eq!(
            line("('127.0.0.1',)", Family::Inet, Caller::Connect),
            "TypeError: AF_INET address must be a pair (host, port)"
        );
        assert_eq!(
            line("('127.0.0.1', 70000)", Family::Inet, Caller::Connect),
            "OverflowError: connect(): port must be 0-65535."
        );
    }
}
