//! Running one [`SocketCall`] on a real socket, with CPython's semantics and messages.

use super::{Inner, Mode, Slot, Sock};
use nix::sys::socket::SockaddrStorage;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use socklab_core::addr::{check_tuple, Caller, HostKind, Resolved};
use socklab_core::fence::{Destination, Refusal};
use socklab_core::inet::{inet_ntop, Family};
use socklab_core::protocol::socket::{hex_encode, sock_var};
use socklab_core::protocol::{CallOutcome, LimitKind, PyReturn, Raised, SocketCall};
use socklab_core::pyerror::{PyExcClass, PyException};
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pyrepr;
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

/// Why a call did not return.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The OS said no: raised as the errno's OSError subclass.
    Os(io::Error),
    /// Python itself said no (TypeError, ValueError, ...).
    Py(PyException),
    /// The resolver said no: socket.gaierror.
    Gai(i32, String),
    /// A timeout-mode call ran out of time: `TimeoutError: timed out`.
    Timeout,
    /// The fence.
    Refused(Refusal),
    /// A limit of the companion's.
    Limit(LimitKind, String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Os(e)
    }
}

impl From<PyException> for Fail {
    fn from(e: PyException) -> Fail {
        Fail::Py(e)
    }
}

impl From<crate::resolve::Unanswered> for Fail {
    fn from(u: crate::resolve::Unanswered) -> Fail {
        match u {
            crate::resolve::Unanswered::Busy(m) | crate::resolve::Unanswered::Late(m) => {
                Fail::Limit(LimitKind::Lookups, m)
            }
        }
    }
}

impl From<Refusal> for Fail {
    fn from(r: Refusal) -> Fail {
        Fail::Refused(r)
    }
}

/// The exception an errno raises, as Python shows it.
pub(crate) fn raised_errno(n: i32) -> Raised {
    let entry = socklab_core::errno::by_number(n);
    Raised {
        class: entry.map_or("OSError", |e| e.class().name()).to_owned(),
        errno: Some(n),
        errno_name: entry.map(|e| e.name().to_owned()),
        line: socklab_core::errno::os_error_line(n),
    }
}

impl Fail {
    pub(crate) fn into_outcome(self) -> CallOutcome {
        match self {
            Fail::Os(e) => CallOutcome::Raised(raised_errno(e.raw_os_error().unwrap_or(5))),
            Fail::Py(e) => CallOutcome::Raised(Raised {
                class: e.class.traceback_name().to_owned(),
                errno: None,
                errno_name: None,
                line: e.traceback_line(),
            }),
            Fail::Gai(errno, message) => CallOutcome::Raised(Raised {
                class: "socket.gaierror".to_owned(),
                errno: Some(errno),
                errno_name: socklab_core::errno::gai_by_number(errno).map(|g| g.name.to_owned()),
                line: format!("socket.gaierror: [Errno {errno}] {message}"),
            }),
            Fail::Timeout => CallOutcome::Raised(Raised {
                class: "TimeoutError".to_owned(),
                errno: None,
                errno_name: None,
                line: "TimeoutError: timed out".to_owned(),
            }),
            Fail::Refused(refusal) => CallOutcome::Refused {
                line: refusal.python(),
                refusal,
            },
            Fail::Limit(limit, message) => CallOutcome::Limit { limit, message },
        }
    }
}

type Done = Result<PyReturn, Fail>;

/// Runs a call; a panic inside becomes an `internal` limit instead of a lost answer.
pub(crate) async fn run_guarded(inner: &Arc<Inner>, id: u64, call: SocketCall) -> CallOutcome {
    use futures_util::FutureExt;
    let guarded = async {
        inner.rules.fault.at(crate::serve::FaultSite::Call, &call);
        run(inner, id, call).await
    };
    match std::panic::AssertUnwindSafe(guarded).catch_unwind().await {
        Ok(Ok(value)) => CallOutcome::Returned { value },
        Ok(Err(fail)) => fail.into_outcome(),
        Err(_) => CallOutcome::Limit {
            limit: LimitKind::Internal,
            message:
                "the companion failed inside while running this call (a bug: please report it)"
                    .to_owned(),
        },
    }
}

fn py(class: PyExcClass, message: impl Into<String>) -> Fail {
    Fail::Py(PyException::new(class, message))
}

/// Runs one call. `id` is the call's request id (a close does not cancel itself).
pub(crate) async fn run(inner: &Arc<Inner>, id: u64, call: SocketCall) -> Done {
    use SocketCall as C;
    let sock = match call.sock() {
        None => None,
        Some(s) => match inner.slot(s) {
            Slot::Open(sock) => Some(sock),
            // Python: the object still exists, its fd is -1; close() again is fine.
            Slot::Closed if matches!(call, C::Close { .. }) => return Ok(PyReturn::None),
            Slot::Closed => return Err(Fail::Os(io::Error::from_raw_os_error(libc::EBADF))),
            Slot::Unknown => {
                return Err(py(
                    PyExcClass::NameError,
                    format!("name '{}' is not defined", sock_var(s)),
                ))
            }
        },
    };
    let s = || sock.clone().expect("a method call has its socket");
    match call {
        C::Socket {
            family,
            socktype,
            proto,
        } => new_socket(inner, family, socktype, proto),
        C::Gethostname {} => Ok(PyReturn::Str { value: hostname()? }),
        C::Getnameinfo { address, flags } => getnameinfo(inner, &address, flags).await,
        C::Setsockopt {
            level,
            option,
            value,
            ..
        } => setsockopt(inner, &s(), level, option, &value),
        C::Getsockopt {
            level,
            option,
            buflen,
            ..
        } => getsockopt(&s(), level, option, buflen),
        C::Setblocking { flag, .. } => {
            s().set_mode(if flag {
                Mode::Blocking
            } else {
                Mode::NonBlocking
            });
            Ok(PyReturn::None)
        }
        C::Settimeout { timeout, .. } => {
            s().set_mode(timeout_mode(timeout)?);
            Ok(PyReturn::None)
        }
        C::Gettimeout { .. } => Ok(match s().mode() {
            Mode::Blocking => PyReturn::None,
            Mode::NonBlocking => PyReturn::Float { repr: "0.0".into() },
            Mode::Timeout(d) => PyReturn::Float {
                repr: pyrepr::float_repr(d.as_secs_f64()),
            },
        }),
        C::Bind { address, .. } => {
            let sock = s();
            let addr = resolve_address(&sock, &address, Caller::Bind).await?;
            inner.rules.policy.check_bind(addr.ip(), addr.port())?;
            bind(inner, &sock, addr)?;
            Ok(PyReturn::None)
        }
        C::Listen { backlog, .. } => {
            let sock = s();
            // The system would bind an unbound socket to every interface: never here.
            if sock.socktype == libc::SOCK_STREAM && local_port(&sock) == 0 {
                return Err(Refusal::UnboundListen {
                    ipv6: sock.family == libc::AF_INET6,
                }
                .into());
            }
            // CPython: the default is min(SOMAXCONN, 128); a negative backlog becomes 0.
            let backlog = backlog.unwrap_or(128).max(0);
            sock.raw.listen(backlog)?;
            sock.reregister()?;
            sock.set_listening();
            inner.watch(&sock);
            Ok(PyReturn::None)
        }
        C::Accept { .. } => accept(inner, &s()).await,
        C::Connect { address, .. } => {
            connect(inner, &s(), &address).await?;
            Ok(PyReturn::None)
        }
        C::ConnectEx { address, .. } => match connect(inner, &s(), &address).await {
            Ok(()) => Ok(PyReturn::Int { value: 0 }),
            Err(Fail::Os(e)) => Ok(PyReturn::Int {
                value: i64::from(e.raw_os_error().unwrap_or(0)),
            }),
            // CPython's connect_ex reports its own timeout as EWOULDBLOCK.
            Err(Fail::Timeout) => Ok(PyReturn::Int {
                value: i64::from(libc::EWOULDBLOCK),
            }),
            Err(other) => Err(other),
        },
        C::Send { data, .. } => {
            let sock = s();
            let data = bytes_arg(&data)?;
            let n = io_call(inner, &sock, Wait::Write, |fd| {
                fd.send_with_flags(&data, libc::MSG_NOSIGNAL)
            })
            .await?;
            Ok(PyReturn::Int { value: n as i64 })
        }
        C::Sendall { data, .. } => {
            sendall(inner, &s(), &bytes_arg(&data)?).await?;
            Ok(PyReturn::None)
        }
        C::Sendto { data, address, .. } => {
            let sock = s();
            let data = bytes_arg(&data)?;
            let addr = resolve_address(&sock, &address, Caller::Connect).await?;
            inner.check_target(addr, Destination::Sendto).await?;
            bind_before_sending(&sock, addr)?;
            let to = SockAddr::from(addr);
            let n = io_call(inner, &sock, Wait::Write, |fd| {
                fd.send_to_with_flags(&data, &to, libc::MSG_NOSIGNAL)
            })
            .await?;
            Ok(PyReturn::Int { value: n as i64 })
        }
        C::Recv { bufsize, .. } => {
            let sock = s();
            let n = bufsize_arg(inner, bufsize, "recv")?;
            let mut buf = vec![0u8; n];
            let got = io_call(inner, &sock, Wait::Read, |mut fd| fd.read(&mut buf)).await?;
            Ok(PyReturn::Bytes {
                hex: hex_encode(&buf[..got]),
            })
        }
        C::Recvfrom { bufsize, .. } => {
            let sock = s();
            let n = bufsize_arg(inner, bufsize, "recvfrom")?;
            let mut buf = vec![0u8; n];
            let (got, from) = io_call(inner, &sock, Wait::Read, |fd| {
                nix::sys::socket::recvfrom::<SockaddrStorage>(fd.as_raw_fd(), &mut buf)
                    .map_err(io::Error::from)
            })
            .await?;
            Ok(PyReturn::Received {
                hex: hex_encode(&buf[..got]),
                address: from
                    .and_then(|a| storage_addr(&a))
                    .map_or_else(|| "None".to_owned(), |a| addr_repr(&a)),
            })
        }
        C::Shutdown { how, .. } => {
            let how = match how {
                0 => std::net::Shutdown::Read,
                1 => std::net::Shutdown::Write,
                2 => std::net::Shutdown::Both,
                // What the kernel answers for any other `how`.
                _ => return Err(Fail::Os(io::Error::from_raw_os_error(libc::EINVAL))),
            };
            s().raw.shutdown(how)?;
            Ok(PyReturn::None)
        }
        C::Close { .. } => {
            inner.close(s().id, id).await;
            Ok(PyReturn::None)
        }
        C::Getsockname { .. } => {
            let a = s().raw.local_addr()?;
            Ok(PyReturn::Tuple {
                repr: sockaddr_repr(&a),
            })
        }
        C::Getpeername { .. } => {
            let a = s().raw.peer_addr()?;
            Ok(PyReturn::Tuple {
                repr: sockaddr_repr(&a),
            })
        }
    }
}

/// The port a socket is bound to; 0 when it is not bound.
fn local_port(sock: &Sock) -> u16 {
    sock.raw
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port())
}

/// Caps a socket's kernel buffers at what it has now (the system's defaults), and at most the
/// companion's `--max-socket-buffer`. Setting them explicitly also stops the kernel from
/// growing them (TCP autotuning goes up to megabytes a socket), so one session cannot pin the
/// host's socket memory. Linux doubles what it is given, so half of the current value keeps the
/// sizes `getsockopt` reports exactly as CPython would see them on a fresh socket.
pub(crate) fn cap_buffers(socket: &impl std::os::fd::AsFd, max: usize) -> io::Result<()> {
    let fd = socket2::SockRef::from(socket);
    let rcv = fd.recv_buffer_size()?;
    fd.set_recv_buffer_size((rcv / 2).min(max))?;
    let snd = fd.send_buffer_size()?;
    fd.set_send_buffer_size((snd / 2).min(max))?;
    Ok(())
}

/// `bind()`, which never joins a port that a socket outside the session holds: with
/// `SO_REUSEADDR` a UDP socket could share it and take its datagrams (the fence's `PortInUse`).
/// TCP keeps the option's one lesson: a restart over the session's own TIME_WAIT leftovers.
fn bind(inner: &Inner, sock: &Sock, addr: SocketAddr) -> Result<(), Fail> {
    let fd = &sock.raw;
    if !fd.reuse_address()? {
        fd.bind(&SockAddr::from(addr))?;
        return Ok(());
    }
    if addr.port() == 0 {
        // The kernel may pick a UDP port that another SO_REUSEADDR socket holds: let it pick
        // without the option, then set the option back.
        fd.set_reuse_address(false)?;
        let bound = fd.bind(&SockAddr::from(addr));
        fd.set_reuse_address(true)?;
        return Ok(bound?);
    }
    let own = inner.own_inodes();
    if super::ports::held_by_others(sock.socktype, addr, &own)? {
        return Err(Refusal::PortInUse {
            ip: addr.ip(),
            port: addr.port(),
        }
        .into());
    }
    fd.bind(&SockAddr::from(addr))?;
    Ok(())
}

/// Binds an unbound socket before its first `sendto`, where the system would bind it to every
/// interface (and it would then receive datagrams from the network): to loopback when the
/// datagram stays on this machine, else to the address the system would send from.
fn bind_before_sending(sock: &Sock, to: SocketAddr) -> Result<(), Fail> {
    if local_port(sock) != 0 {
        return Ok(());
    }
    let v6 = sock.family == libc::AF_INET6;
    let canonical = to.ip().to_canonical();
    let from: IpAddr = if canonical.is_loopback() {
        match (v6, to.ip()) {
            (false, _) => Ipv4Addr::LOCALHOST.into(),
            // A mapped target needs a mapped source on a dual-stack socket.
            (true, IpAddr::V6(t)) if t.to_ipv4_mapped().is_some() => {
                Ipv4Addr::LOCALHOST.to_ipv6_mapped().into()
            }
            (true, _) => Ipv6Addr::LOCALHOST.into(),
        }
    } else {
        // Ask the routing table which address a datagram to `to` leaves from.
        let probe = Socket::new(Domain::from(sock.family), Type::DGRAM, None)?;
        probe.connect(&SockAddr::from(to))?;
        probe
            .local_addr()?
            .as_socket()
            .map(|a| a.ip())
            .ok_or_else(|| Fail::Os(io::Error::from_raw_os_error(libc::EINVAL)))?
    };
    let addr = SocketAddr::new(from, 0);
    sock.raw.bind(&SockAddr::from(addr))?;
    let bound = sock.raw.local_addr()?.as_socket().unwrap_or(addr);
    sock.set_implicit_bind(bound);
    Ok(())
}

fn storage_addr(a: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = a.as_sockaddr_in() {
        return Some(SocketAddr::V4(SocketAddrV4::from(*v4)));
    }
    a.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6(SocketAddrV6::from(*v6)))
}

fn hostname() -> Result<String, Fail> {
    Ok(dns_lookup::get_hostname()?)
}

/// The family and type numbers socklab makes sockets of.
fn new_socket(inner: &Arc<Inner>, family: i32, socktype: i32, proto: i32) -> Done {
    if !matches!(family, libc::AF_INET | libc::AF_INET6)
        || !matches!(socktype, libc::SOCK_STREAM | libc::SOCK_DGRAM)
        || !matches!(proto, 0 | libc::IPPROTO_TCP | libc::IPPROTO_UDP)
    {
        return Err(Refusal::SocketKind {
            family,
            socktype,
            proto,
        }
        .into());
    }
    // A mismatch (SOCK_STREAM with IPPROTO_UDP) is the kernel's EPROTONOSUPPORT, as in CPython.
    let socket = Socket::new(
        Domain::from(family),
        Type::from(socktype),
        (proto != 0).then_some(Protocol::from(proto)),
    )?;
    cap_buffers(&socket, inner.rules.max_socket_buffer)?;
    let sock = inner.adopt(socket, family, socktype, proto)?;
    Ok(PyReturn::Socket {
        sock: sock.id,
        repr: socket_repr(&sock),
    })
}

/// `<socket.socket fd=7, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>`, as Python 3.11.
pub(crate) fn socket_repr(sock: &Sock) -> String {
    let fd = &sock.raw;
    let mut s = format!(
        "<socket.socket fd={}, family={}, type={}, proto={}",
        fd.as_raw_fd(),
        sock.family,
        sock.socktype,
        sock.proto
    );
    if let Ok(a) = fd.local_addr() {
        s.push_str(&format!(", laddr={}", sockaddr_repr(&a)));
    }
    if let Ok(a) = fd.peer_addr() {
        s.push_str(&format!(", raddr={}", sockaddr_repr(&a)));
    }
    s.push('>');
    s
}

fn sockaddr_repr(a: &SockAddr) -> String {
    a.as_socket()
        .map_or_else(|| "None".to_owned(), |a| addr_repr(&a))
}

/// An address as Python prints the tuple: `('127.0.0.1', 80)`, `('::1', 80, 0, 0)`.
pub(crate) fn addr_repr(a: &SocketAddr) -> String {
    match a {
        SocketAddr::V4(a) => format!("('{}', {})", a.ip(), a.port()),
        SocketAddr::V6(a) => format!(
            "('{}', {}, {}, {})",
            inet_ntop(Family::Inet6, &a.ip().octets()).unwrap_or_default(),
            a.port(),
            a.flowinfo(),
            a.scope_id()
        ),
    }
}

fn timeout_mode(timeout: Option<f64>) -> Result<Mode, Fail> {
    match timeout {
        None => Ok(Mode::Blocking),
        Some(t) if t.is_nan() => Err(py(
            PyExcClass::ValueError,
            "Invalid value NaN (not a number)",
        )),
        Some(t) if t < 0.0 => Err(py(PyExcClass::ValueError, "Timeout value out of range")),
        Some(0.0) => Ok(Mode::NonBlocking),
        // CPython keeps a timeout as int64 nanoseconds, rounded up; what does not fit is
        // refused there, so no deadline computed from it can overflow later.
        Some(t) if !((t * 1e9).ceil() < 9_223_372_036_854_775_808.0) => Err(py(
            PyExcClass::OverflowError,
            "timestamp out of range for platform time_t",
        )),
        Some(t) => Ok(Mode::Timeout(Duration::from_secs_f64(t))),
    }
}

fn bufsize_arg(inner: &Inner, bufsize: i64, name: &str) -> Result<usize, Fail> {
    if bufsize < 0 {
        return Err(py(
            PyExcClass::ValueError,
            format!("negative buffersize in {name}"),
        ));
    }
    let max = inner.rules.limits.max_recv_bytes;
    usize::try_from(bufsize)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| {
            Fail::Limit(
                LimitKind::RecvBytes,
                format!(
                    "{name}({bufsize}) asks for more than the companion returns in one call \
                     ({max} bytes, --max-recv-bytes); ask for less and call again"
                ),
            )
        })
}

/// A bytes argument, as the learner typed it (`b'hi'`): anything else is Python's TypeError.
fn bytes_arg(text: &str) -> Result<Vec<u8>, Fail> {
    match pyliteral::parse(text.trim())? {
        PyValue::Bytes(b) => Ok(b),
        other => Err(py(
            PyExcClass::TypeError,
            format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ),
        )),
    }
}

/// Reads an address tuple typed as Python (`('127.0.0.1', 80)`), checks it as CPython's
/// `getsockaddrarg` does, and resolves its host as `setipaddr` does.
async fn resolve_address(sock: &Sock, text: &str, caller: Caller) -> Result<SocketAddr, Fail> {
    let family = if sock.family == libc::AF_INET6 {
        Family::Inet6
    } else {
        Family::Inet
    };
    let items = tuple_items(text, family)?;
    let resolved = check_tuple(family, &items, caller)?;
    let host = match items.first() {
        Some(PyValue::Str(s)) => s.clone(),
        Some(PyValue::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    let numeric = match resolved.kind {
        HostKind::Name | HostKind::Scoped { .. } => None,
        _ => resolved.packed.as_deref().and_then(packed_ip),
    };
    let ip = match numeric {
        Some(ip) => ip,
        None => lookup(&host, family).await?,
    };
    Ok(with_port(ip, &resolved))
}

fn packed_ip(packed: &[u8]) -> Option<IpAddr> {
    match packed.len() {
        4 => <[u8; 4]>::try_from(packed)
            .ok()
            .map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        _ => <[u8; 16]>::try_from(packed)
            .ok()
            .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
    }
}

fn with_port(ip: IpAddr, r: &Resolved) -> SocketAddr {
    match ip {
        IpAddr::V4(ip) => SocketAddr::V4(SocketAddrV4::new(ip, r.port)),
        IpAddr::V6(ip) => SocketAddr::V6(SocketAddrV6::new(ip, r.port, r.flowinfo, r.scope_id)),
    }
}

/// The items of a tuple literal; a non-tuple is the TypeError Python raises for it.
fn tuple_items(text: &str, family: Family) -> Result<Vec<PyValue>, Fail> {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        return Ok(pyliteral::parse_args(inner)?);
    }
    let value = pyliteral::parse(t)?;
    Err(py(
        PyExcClass::TypeError,
        format!(
            "{} address must be tuple, not {}",
            family.name(),
            value.type_name()
        ),
    ))
}

/// A name to an address through the system resolver, as CPython's `setipaddr` asks it.
async fn lookup(host: &str, family: Family) -> Result<IpAddr, Fail> {
    use socklab_core::protocol::AddrinfoOutcome;
    let af = if family == Family::Inet6 {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    let outcome = crate::resolve::getaddrinfo_bounded(
        Some(host.to_owned()),
        None,
        af,
        libc::SOCK_DGRAM,
        0,
        0,
    )
    .await;
    match outcome {
        AddrinfoOutcome::Ok { entries } => entries
            .first()
            .and_then(|e| e.address.parse().ok())
            .ok_or(Fail::Gai(-2, "Name or service not known".to_owned())),
        AddrinfoOutcome::Gaierror { errno, message } => Err(Fail::Gai(errno, message)),
        AddrinfoOutcome::Limit { message } => Err(Fail::Limit(LimitKind::Lookups, message)),
    }
}

/// Which readiness a call waits for.
#[derive(Clone, Copy)]
enum Wait {
    Read,
    Write,
}

/// CPython's `sock_call_ex`: try the syscall; in non-blocking mode report EAGAIN as it is; in
/// timeout mode wait for readiness until the deadline (`TimeoutError`); in blocking mode wait
/// up to the companion's cap (a limit, not a socket error).
async fn io_call<R>(
    inner: &Inner,
    sock: &Sock,
    wait: Wait,
    mut f: impl FnMut(&Socket) -> io::Result<R>,
) -> Result<R, Fail> {
    let mode = sock.mode();
    if mode == Mode::NonBlocking {
        return f(&sock.raw).map_err(Fail::Os);
    }
    let io = sock.io();
    let waiting = async {
        loop {
            let mut guard = match wait {
                Wait::Read => io.readable().await?,
                Wait::Write => io.writable().await?,
            };
            match guard.try_io(|fd| f(fd.get_ref())) {
                Ok(result) => return result.map_err(Fail::Os),
                Err(_would_block) => continue,
            }
        }
    };
    bounded(inner, mode, waiting).await
}

/// Waits as the socket's mode says: in timeout mode up to the timeout (then Python's
/// `TimeoutError`), in blocking mode up to the companion's cap (then the cap, by name).
async fn bounded<R>(
    inner: &Inner,
    mode: Mode,
    waiting: impl std::future::Future<Output = Result<R, Fail>>,
) -> Result<R, Fail> {
    match mode {
        Mode::Timeout(t) => tokio::time::timeout(t, waiting)
            .await
            .unwrap_or(Err(Fail::Timeout)),
        _ => {
            let cap = inner.rules.max_block();
            tokio::time::timeout(cap, waiting)
                .await
                .unwrap_or_else(|_| Err(block_cap(cap)))
        }
    }
}

fn block_cap(cap: Duration) -> Fail {
    Fail::Limit(
        LimitKind::BlockCap,
        format!(
            "the call was still waiting after {} s, as long as the companion lets a blocking \
             call wait (--max-block); in a real program it would still be waiting",
            cap.as_secs_f64()
        ),
    )
}

async fn accept(inner: &Arc<Inner>, sock: &Arc<Sock>) -> Done {
    let (conn, from) = io_call(inner, sock, Wait::Read, Socket::accept).await?;
    cap_buffers(&conn, inner.rules.max_socket_buffer)?;
    // Python's accept() gives a socket in the default mode (blocking), of the listener's kind.
    let new = inner.adopt(conn, sock.family, sock.socktype, sock.proto)?;
    inner.watch(&new);
    Ok(PyReturn::Accepted {
        sock: new.id,
        repr: socket_repr(&new),
        address: sockaddr_repr(&from),
    })
}

async fn connect(inner: &Arc<Inner>, sock: &Arc<Sock>, address: &str) -> Result<(), Fail> {
    let addr = resolve_address(sock, address, Caller::Connect).await?;
    // The fence judges the numeric address and port that is connected to, nothing else.
    inner.check_target(addr, Destination::Connect).await?;
    let fd = &sock.raw;
    match fd.connect(&SockAddr::from(addr)) {
        Ok(()) => {
            sock.reregister()?;
            inner.watch(sock);
            return Ok(());
        }
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {
            sock.reregister()?;
            inner.watch(sock);
            if sock.mode() == Mode::NonBlocking {
                return Err(Fail::Os(e));
            }
        }
        Err(e) => return Err(Fail::Os(e)),
    }
    // Wait until the handshake ends, then read its verdict from SO_ERROR.
    let mode = sock.mode();
    let to = SockAddr::from(addr);
    let waiting = async {
        sock.io().writable().await?.retain_ready();
        match fd.take_error()? {
            Some(e) => {
                if mode == Mode::Blocking {
                    // A failed non-blocking handshake leaves the socket "connecting", so the
                    // next connect() would raise ECONNABORTED (CPython in timeout mode does
                    // show that). A blocking connect fails inside the kernel and leaves the
                    // socket unconnected, so a retry tries again: 111, 111, not 111, 103. One
                    // more connect() on a "connecting" socket never starts a handshake; it
                    // reports the leftover ECONNABORTED and resets the state.
                    let _ = fd.connect(&to);
                }
                Err(Fail::Os(e))
            }
            None => Ok(()),
        }
    };
    bounded(inner, mode, waiting).await
}

/// `sendall`: send until everything is gone. In timeout mode the deadline covers the whole
/// call (CPython 3.5+); in non-blocking mode a full buffer raises BlockingIOError.
async fn sendall(inner: &Inner, sock: &Sock, data: &[u8]) -> Result<(), Fail> {
    let deadline = match sock.mode() {
        // `timeout_mode` keeps t within 292 years, but never panic on a deadline anyway.
        Mode::Timeout(t) => tokio::time::Instant::now().checked_add(t),
        _ => None,
    };
    let mut sent = 0;
    while sent < data.len() {
        let rest = &data[sent..];
        let step = io_call(inner, sock, Wait::Write, |fd| {
            fd.send_with_flags(rest, libc::MSG_NOSIGNAL)
        });
        let n = match deadline {
            Some(d) => tokio::time::timeout_at(d, step)
                .await
                .unwrap_or(Err(Fail::Timeout))?,
            None => step.await?,
        };
        sent += n;
    }
    Ok(())
}

/// The socket options a page may set, and the buffer limit on the two sizes.
fn settable(level: i32, option: i32) -> bool {
    match level {
        // Not SO_REUSEPORT: it would let the socket take connections meant for another
        // program's socket on the same port.
        libc::SOL_SOCKET => matches!(
            option,
            libc::SO_REUSEADDR
                | libc::SO_LINGER
                | libc::SO_KEEPALIVE
                | libc::SO_RCVBUF
                | libc::SO_SNDBUF
        ),
        libc::IPPROTO_TCP => option == libc::TCP_NODELAY,
        _ => false,
    }
}

fn readable_option(level: i32, option: i32) -> bool {
    settable(level, option)
        || (level == libc::SOL_SOCKET
            && matches!(option, libc::SO_REUSEPORT | libc::SO_ERROR | libc::SO_TYPE))
}

fn setsockopt(inner: &Inner, sock: &Sock, level: i32, option: i32, value: &str) -> Done {
    // CPython reads an int first, then any bytes-like object; the TypeError names the type.
    let value = pyliteral::parse(value.trim())?;
    let bytes: Vec<u8> = match &value {
        PyValue::Int(_) | PyValue::Bool(_) => {
            match value
                .as_index()
                .and_then(|n| n.to_i128())
                .and_then(|n| i32::try_from(n).ok())
            {
                Some(n) => n.to_ne_bytes().to_vec(),
                None => {
                    return Err(py(
                        PyExcClass::TypeError,
                        "a bytes-like object is required, not 'int'",
                    ))
                }
            }
        }
        PyValue::Bytes(b) => b.clone(),
        other => {
            return Err(py(
                PyExcClass::TypeError,
                format!(
                    "a bytes-like object is required, not '{}'",
                    other.type_name()
                ),
            ))
        }
    };
    if !settable(level, option) {
        return Err(Refusal::SocketOption { level, option }.into());
    }
    // The kernel reads an int (or a `struct linger`) from the start of the buffer and refuses
    // a shorter buffer with EINVAL; socklab does the same, then sets it through socket2.
    let int_at = |at: usize| -> Result<i32, Fail> {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_ne_bytes)
            .ok_or_else(|| Fail::Os(io::Error::from_raw_os_error(libc::EINVAL)))
    };
    let fd = &sock.raw;
    match (level, option) {
        (libc::SOL_SOCKET, libc::SO_LINGER) => {
            let (on, secs) = (int_at(0)?, int_at(4)?);
            let linger = (on != 0).then(|| Duration::from_secs(u64::try_from(secs).unwrap_or(0)));
            fd.set_linger(linger)?;
        }
        (libc::SOL_SOCKET, libc::SO_RCVBUF | libc::SO_SNDBUF) => {
            let asked = int_at(0)?;
            let max = inner.rules.max_socket_buffer;
            let size = usize::try_from(asked).unwrap_or(0);
            if size > max {
                return Err(Fail::Limit(
                    LimitKind::SocketBuffer,
                    format!(
                        "a buffer of {asked} bytes is more than the companion gives one socket \
                         ({max} bytes, --max-socket-buffer)"
                    ),
                ));
            }
            if option == libc::SO_RCVBUF {
                fd.set_recv_buffer_size(size)?;
            } else {
                fd.set_send_buffer_size(size)?;
            }
        }
        (_, _) => {
            let on = int_at(0)? != 0;
            match option {
                libc::SO_REUSEADDR if level == libc::SOL_SOCKET => fd.set_reuse_address(on)?,
                libc::SO_KEEPALIVE if level == libc::SOL_SOCKET => fd.set_keepalive(on)?,
                _ => fd.set_tcp_nodelay(on)?,
            }
        }
    }
    Ok(PyReturn::None)
}

/// An option's value as the kernel hands it out: an int, or a `struct linger`.
fn option_bytes(fd: &Socket, level: i32, option: i32) -> io::Result<Vec<u8>> {
    let int = |v: i64| i32::try_from(v).unwrap_or(i32::MAX).to_ne_bytes().to_vec();
    Ok(match (level, option) {
        (libc::SOL_SOCKET, libc::SO_LINGER) => {
            let l = fd.linger()?;
            let mut b = i32::from(l.is_some()).to_ne_bytes().to_vec();
            let secs = l.map_or(0, |d| d.as_secs());
            b.extend_from_slice(&i32::try_from(secs).unwrap_or(i32::MAX).to_ne_bytes());
            b
        }
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => int(i64::from(fd.reuse_address()?)),
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => int(i64::from(fd.reuse_port()?)),
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => int(i64::from(fd.keepalive()?)),
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => int(fd.recv_buffer_size()? as i64),
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => int(fd.send_buffer_size()? as i64),
        (libc::SOL_SOCKET, libc::SO_ERROR) => int(i64::from(
            fd.take_error()?.and_then(|e| e.raw_os_error()).unwrap_or(0),
        )),
        (libc::SOL_SOCKET, libc::SO_TYPE) => int(i64::from(i32::from(fd.r#type()?))),
        _ => int(i64::from(fd.tcp_nodelay()?)),
    })
}

fn getsockopt(sock: &Sock, level: i32, option: i32, buflen: Option<u32>) -> Done {
    if !readable_option(level, option) {
        return Err(Refusal::SocketOption { level, option }.into());
    }
    let bytes = option_bytes(&sock.raw, level, option)?;
    match buflen {
        // Without a length (or with 0) Python asks for an int: the first int of the value.
        None | Some(0) => {
            let first = <[u8; 4]>::try_from(&bytes[..4]).map_or(0, i32::from_ne_bytes);
            Ok(PyReturn::Int {
                value: i64::from(first),
            })
        }
        Some(n) if n > 1024 => Err(Fail::Py(PyException::new(
            PyExcClass::OsError,
            "getsockopt buflen out of range",
        ))),
        Some(n) => Ok(PyReturn::Bytes {
            hex: hex_encode(&bytes[..bytes.len().min(n as usize)]),
        }),
    }
}

/// `socket.getnameinfo(sockaddr, flags)`: the host must be numeric (CPython asks getaddrinfo
/// with AI_NUMERICHOST); a name lookup for a non-loopback address would leave the machine, so
/// it is fenced like a connection unless NI_NUMERICHOST asks for no lookup.
async fn getnameinfo(inner: &Inner, address: &str, flags: i32) -> Done {
    let illegal = || {
        py(
            PyExcClass::TypeError,
            "getnameinfo(): illegal sockaddr argument",
        )
    };
    let t = address.trim();
    let Some(items) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        let value = pyliteral::parse(t)?;
        return Err(py(
            PyExcClass::TypeError,
            format!(
                "getnameinfo() argument 1 must be a tuple, not {}",
                value.type_name()
            ),
        ));
    };
    let items = pyliteral::parse_args(items)?;
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
    let ip: IpAddr = host
        .parse()
        .map_err(|_| Fail::Gai(-2, "Name or service not known".to_owned()))?;
    if flags & libc::NI_NUMERICHOST == 0 {
        // A reverse lookup of an address beyond loopback asks the network about it.
        inner
            .check_target(SocketAddr::new(ip, port), Destination::Getnameinfo)
            .await?;
    }
    let addr = SocketAddr::new(ip, port);
    let answer =
        crate::resolve::lookup_bounded(move || dns_lookup::getnameinfo(&addr, flags)).await;
    match answer {
        Ok(Ok((host, service))) => Ok(PyReturn::Tuple {
            repr: format!(
                "({}, {})",
                pyrepr::str_repr(&host),
                pyrepr::str_repr(&service)
            ),
        }),
        Ok(Err(e)) => {
            let (errno, message) = crate::resolve::gai_error(e);
            Err(Fail::Gai(errno, message))
        }
        Err(unanswered) => Err(unanswered.into()),
    }
}
