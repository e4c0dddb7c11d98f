//! Running one call on a real socket: the dispatch from a checked [`Call`] to the I/O that
//! performs it, with CPython's semantics and messages. What the calls share lives beside it:
//! [`super::blocking`] (CPython's blocking, non-blocking and timeout modes), [`super::address`]
//! (resolving and binding addresses within the fence) and [`super::options`] (socket options).

use super::address::{bind, bind_before_sending, local_port, resolve_address};
use super::blocking::{connect, io_call, sendall, Wait};
use super::fail::{name_error, Done, Fail};
use super::options::{cap_buffers, getsockopt, setsockopt};
use super::{Inner, Slot, Sock};
use nix::sys::socket::SockaddrStorage;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use socklab_core::addr::Caller;
use socklab_core::fence::{Destination, Refusal};
use socklab_core::protocol::call::{Call, Method, ModuleCall, Timeout};
use socklab_core::protocol::hex_encode;
use socklab_core::protocol::{CallOutcome, LimitKind, PyReturn, SocketCall};
use socklab_core::{pyrepr, pysocket};
use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::AsRawFd;
use std::sync::Arc;

/// Runs a wire call; a panic inside becomes an `internal` limit instead of a lost answer.
pub(crate) async fn run_guarded(inner: &Arc<Inner>, id: u64, call: SocketCall) -> CallOutcome {
    use futures_util::FutureExt;
    let guarded = async {
        #[cfg(feature = "testing")]
        inner.rules.fault.at(crate::fault::FaultSite::Call, &call);
        run_wire(inner, id, &call).await
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

/// A wire call, in CPython's order: a socket name the session never made is a NameError before
/// anything else; then the arguments are read, once ([`Call::try_from`], CPython's TypeError
/// and friends); then the call runs.
pub(crate) async fn run_wire(inner: &Arc<Inner>, id: u64, wire: &SocketCall) -> Done {
    if let Some(s) = wire.sock() {
        if matches!(inner.slot(s), Slot::Unknown) {
            return Err(name_error(s));
        }
    }
    run(inner, id, Call::try_from(wire)?).await
}

/// Runs one checked call. `id` is the call's request id (a close does not cancel itself).
pub(crate) async fn run(inner: &Arc<Inner>, id: u64, call: Call) -> Done {
    match call {
        Call::Module(call) => module(inner, call).await,
        Call::Method { sock, method: m } => match inner.slot(sock) {
            Slot::Open(sock) => method(inner, id, &sock, m).await,
            // Python: the object still exists, its fd is -1; close() again is fine.
            Slot::Closed if m == Method::Close => Ok(PyReturn::None),
            Slot::Closed => Err(Fail::Os(io::Error::from_raw_os_error(libc::EBADF))),
            Slot::Unknown => Err(name_error(sock)),
        },
    }
}

async fn module(inner: &Arc<Inner>, call: ModuleCall) -> Done {
    match call {
        ModuleCall::Socket {
            family,
            socktype,
            proto,
        } => new_socket(inner, family, socktype, proto),
        ModuleCall::Gethostname => Ok(PyReturn::Str {
            value: dns_lookup::get_hostname()?,
        }),
        ModuleCall::Getnameinfo { host, port, flags } => {
            getnameinfo(inner, &host, port, flags).await
        }
        ModuleCall::Select {
            read,
            write,
            except,
            timeout,
        } => super::select::select(inner, &read, &write, &except, timeout).await,
    }
}

async fn method(inner: &Arc<Inner>, id: u64, sock: &Arc<Sock>, method: Method) -> Done {
    match method {
        Method::Setsockopt { opt, value } => setsockopt(inner, sock, opt, &value),
        Method::Getsockopt { opt, buflen } => getsockopt(sock, opt, buflen),
        Method::SetTimeout(_) | Method::SetBlocking(_) => {
            if let Some(timeout) = method.timeout() {
                sock.set_mode(timeout);
            }
            Ok(PyReturn::None)
        }
        Method::Gettimeout => Ok(match sock.mode() {
            Timeout::Blocking => PyReturn::None,
            Timeout::NonBlocking => PyReturn::Float { repr: "0.0".into() },
            Timeout::After(d) => PyReturn::Float {
                repr: pyrepr::float_repr(d.as_secs_f64()),
            },
        }),
        Method::Bind(address) => {
            let addr = resolve_address(sock, &address, Caller::Bind).await?;
            inner.rules.policy.check_bind(addr.ip(), addr.port())?;
            bind(inner, sock, addr)?;
            Ok(PyReturn::None)
        }
        Method::Listen { backlog } => {
            // The system would bind an unbound socket to every interface: never here.
            if sock.socktype == libc::SOCK_STREAM && local_port(sock) == 0 {
                return Err(Refusal::UnboundListen {
                    ipv6: sock.family == libc::AF_INET6,
                }
                .into());
            }
            sock.raw.listen(Method::listen_backlog(backlog))?;
            sock.reregister()?;
            sock.set_listening();
            inner.watch(sock);
            Ok(PyReturn::None)
        }
        Method::Accept => accept(inner, sock).await,
        Method::Connect { address, ex: false } => {
            connect(inner, sock, &address).await?;
            Ok(PyReturn::None)
        }
        Method::Connect { address, ex: true } => match connect(inner, sock, &address).await {
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
        Method::Send { data, all: false } => {
            let n = io_call(inner, sock, Wait::Write, |fd| {
                fd.send_with_flags(&data, libc::MSG_NOSIGNAL)
            })
            .await?;
            Ok(PyReturn::Int { value: n as i64 })
        }
        Method::Send { data, all: true } => {
            sendall(inner, sock, &data).await?;
            Ok(PyReturn::None)
        }
        Method::Sendto { data, address } => {
            let addr = resolve_address(sock, &address, Caller::Connect).await?;
            inner.check_target(addr, Destination::Sendto).await?;
            bind_before_sending(sock, addr)?;
            let to = SockAddr::from(addr);
            let n = io_call(inner, sock, Wait::Write, |fd| {
                fd.send_to_with_flags(&data, &to, libc::MSG_NOSIGNAL)
            })
            .await?;
            Ok(PyReturn::Int { value: n as i64 })
        }
        Method::Recv { bufsize, from } => recv(inner, sock, bufsize, from).await,
        Method::Shutdown(how) => {
            let how = match how {
                0 => std::net::Shutdown::Read,
                1 => std::net::Shutdown::Write,
                2 => std::net::Shutdown::Both,
                // What the kernel answers for any other `how`.
                _ => return Err(Fail::Os(io::Error::from_raw_os_error(libc::EINVAL))),
            };
            sock.raw.shutdown(how)?;
            Ok(PyReturn::None)
        }
        Method::Close => {
            inner.close(sock.id, id).await;
            Ok(PyReturn::None)
        }
        Method::Name { peer } => {
            let a = if peer {
                sock.raw.peer_addr()?
            } else {
                sock.raw.local_addr()?
            };
            Ok(PyReturn::Tuple {
                repr: sockaddr_repr(&a),
            })
        }
    }
}

/// `recv(n)` / `recvfrom(n)`, at most `--max-recv-bytes` at a time.
async fn recv(inner: &Inner, sock: &Sock, bufsize: usize, from: bool) -> Done {
    let max = inner.rules.limits.max_recv_bytes;
    if bufsize > max {
        let name = if from { "recvfrom" } else { "recv" };
        return Err(Fail::Limit(
            LimitKind::RecvBytes,
            format!(
                "{name}({bufsize}) asks for more than the companion returns in one call \
                 ({max} bytes, --max-recv-bytes); ask for less and call again"
            ),
        ));
    }
    let mut buf = vec![0u8; bufsize];
    if !from {
        let got = io_call(inner, sock, Wait::Read, |mut fd| fd.read(&mut buf)).await?;
        return Ok(PyReturn::Bytes {
            hex: hex_encode(&buf[..got]),
        });
    }
    let (got, sender) = io_call(inner, sock, Wait::Read, |fd| {
        nix::sys::socket::recvfrom::<SockaddrStorage>(fd.as_raw_fd(), &mut buf)
            .map_err(io::Error::from)
    })
    .await?;
    Ok(PyReturn::Received {
        hex: hex_encode(&buf[..got]),
        address: sender
            .and_then(|a| storage_addr(&a))
            .map_or_else(|| "None".to_owned(), |a| pysocket::sockaddr_repr(&a)),
    })
}

fn storage_addr(a: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = a.as_sockaddr_in() {
        return Some(SocketAddr::V4(SocketAddrV4::from(*v4)));
    }
    a.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6(SocketAddrV6::from(*v6)))
}

/// `socket.socket(family, type, proto)`, within the kinds socklab makes.
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
    pysocket::socket_repr(
        fd.as_raw_fd(),
        sock.family,
        sock.socktype,
        sock.proto,
        fd.local_addr().ok().and_then(|a| a.as_socket()),
        fd.peer_addr().ok().and_then(|a| a.as_socket()),
    )
}

fn sockaddr_repr(a: &SockAddr) -> String {
    a.as_socket()
        .map_or_else(|| "None".to_owned(), |a| pysocket::sockaddr_repr(&a))
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

/// `socket.getnameinfo((host, port), flags)`: the host must be numeric (CPython asks
/// getaddrinfo with AI_NUMERICHOST); a name lookup for a non-loopback address would leave the
/// machine, so it is fenced like a connection unless NI_NUMERICHOST asks for no lookup.
async fn getnameinfo(inner: &Inner, host: &str, port: u16, flags: i32) -> Done {
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
