//! Addresses within the fence: a checked address argument resolved as CPython's `setipaddr`
//! resolves it, and the binds the system would make on every interface made on loopback, or
//! refused, instead.

use super::fail::Fail;
use super::{Inner, Sock};
use socket2::{Domain, SockAddr, Socket, Type};
use socklab_core::addr::{Caller, HostKind, Resolved};
use socklab_core::fence::Refusal;
use socklab_core::inet::Family;
use socklab_core::protocol::call::Address;
use socklab_core::protocol::LimitKind;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// The port a socket is bound to; 0 when it is not bound.
pub(crate) fn local_port(sock: &Sock) -> u16 {
    sock.raw
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port())
}

/// `bind()`, which never joins a port that a socket outside the session holds: with
/// `SO_REUSEADDR` a UDP socket could share it and take its datagrams (the fence's `PortInUse`).
/// TCP keeps the option's one lesson: a restart over the session's own TIME_WAIT leftovers.
pub(crate) fn bind(inner: &Inner, sock: &Sock, addr: SocketAddr) -> Result<(), Fail> {
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
pub(crate) fn bind_before_sending(sock: &Sock, to: SocketAddr) -> Result<(), Fail> {
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

/// Checks an address argument as CPython's `getsockaddrarg` does for the socket's family, and
/// resolves its host as `setipaddr` does.
pub(crate) async fn resolve_address(
    sock: &Sock,
    address: &Address,
    caller: Caller,
) -> Result<SocketAddr, Fail> {
    let family = if sock.family == libc::AF_INET6 {
        Family::Inet6
    } else {
        Family::Inet
    };
    let (host, resolved) = address.check(family, caller)?;
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
