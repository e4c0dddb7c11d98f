//! Python's `socket` module vocabulary in one place: the constants socklab's lessons use
//! (families, kinds, levels, options, `SHUT_*`) with their Linux numbers and the names Python
//! gives them, and the reprs of the values they appear in.
//!
//! Every line of Python socklab shows (a scenario's transcript, a call's code, the console)
//! names constants through here, and the companion decides which options a page may touch from
//! [`SockOpt`], so a name and its number can never disagree.

/// A socket option the lessons use, with its level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SockOpt {
    /// `SO_REUSEADDR`: bind over TIME_WAIT leftovers.
    ReuseAddr,
    /// `SO_REUSEPORT`: share a port with another socket (readable only: socklab refuses to set
    /// it, since it lets a socket take another program's connections).
    ReusePort,
    /// `SO_LINGER`: what `close()` does with unsent data (`struct linger`).
    Linger,
    /// `SO_KEEPALIVE`: probe an idle connection.
    KeepAlive,
    /// `SO_SNDBUF`: the send buffer's size.
    SndBuf,
    /// `SO_RCVBUF`: the receive buffer's size.
    RcvBuf,
    /// `SO_ERROR`: the pending error (read only).
    Error,
    /// `SO_TYPE`: the socket's type (read only).
    Type,
    /// `TCP_NODELAY`: no Nagle delay.
    TcpNoDelay,
}

/// `SOL_SOCKET` on Linux.
pub const SOL_SOCKET: i32 = 1;
/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: i32 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: i32 = 17;
/// `AF_INET`.
pub const AF_INET: i32 = 2;
/// `AF_INET6` on Linux.
pub const AF_INET6: i32 = 10;
/// `SOCK_STREAM`.
pub const SOCK_STREAM: i32 = 1;
/// `SOCK_DGRAM`.
pub const SOCK_DGRAM: i32 = 2;

impl SockOpt {
    /// Every option, in the order the lessons meet them.
    pub const ALL: [SockOpt; 9] = [
        SockOpt::ReuseAddr,
        SockOpt::ReusePort,
        SockOpt::Linger,
        SockOpt::KeepAlive,
        SockOpt::SndBuf,
        SockOpt::RcvBuf,
        SockOpt::Error,
        SockOpt::Type,
        SockOpt::TcpNoDelay,
    ];

    /// `(level, option)` as Linux numbers them.
    pub fn numbers(self) -> (i32, i32) {
        match self {
            SockOpt::ReuseAddr => (SOL_SOCKET, 2),
            SockOpt::ReusePort => (SOL_SOCKET, 15),
            SockOpt::Linger => (SOL_SOCKET, 13),
            SockOpt::KeepAlive => (SOL_SOCKET, 9),
            SockOpt::SndBuf => (SOL_SOCKET, 7),
            SockOpt::RcvBuf => (SOL_SOCKET, 8),
            SockOpt::Error => (SOL_SOCKET, 4),
            SockOpt::Type => (SOL_SOCKET, 3),
            SockOpt::TcpNoDelay => (IPPROTO_TCP, 1),
        }
    }

    /// The option a `(level, option)` pair names, if the lessons use it.
    ///
    /// ```
    /// use socklab_core::pysocket::SockOpt;
    /// assert_eq!(SockOpt::from_numbers(1, 2), Some(SockOpt::ReuseAddr));
    /// assert_eq!(SockOpt::from_numbers(6, 2), None);
    /// ```
    pub fn from_numbers(level: i32, option: i32) -> Option<SockOpt> {
        SockOpt::ALL
            .into_iter()
            .find(|o| o.numbers() == (level, option))
    }

    /// The constant's name in the `socket` module: `SO_REUSEADDR`.
    pub fn name(self) -> &'static str {
        match self {
            SockOpt::ReuseAddr => "SO_REUSEADDR",
            SockOpt::ReusePort => "SO_REUSEPORT",
            SockOpt::Linger => "SO_LINGER",
            SockOpt::KeepAlive => "SO_KEEPALIVE",
            SockOpt::SndBuf => "SO_SNDBUF",
            SockOpt::RcvBuf => "SO_RCVBUF",
            SockOpt::Error => "SO_ERROR",
            SockOpt::Type => "SO_TYPE",
            SockOpt::TcpNoDelay => "TCP_NODELAY",
        }
    }

    /// Whether a page may set it (`SO_REUSEPORT` and the read-only ones may not).
    pub fn settable(self) -> bool {
        !matches!(self, SockOpt::ReusePort | SockOpt::Error | SockOpt::Type)
    }
}

/// `socket.AF_INET`, or the number for a family the lessons do not name.
pub fn family_name(family: i32) -> String {
    match family {
        AF_INET => "socket.AF_INET".to_owned(),
        AF_INET6 => "socket.AF_INET6".to_owned(),
        n => n.to_string(),
    }
}

/// `socket.SOCK_STREAM`, or the number.
pub fn socktype_name(socktype: i32) -> String {
    match socktype {
        SOCK_STREAM => "socket.SOCK_STREAM".to_owned(),
        SOCK_DGRAM => "socket.SOCK_DGRAM".to_owned(),
        n => n.to_string(),
    }
}

/// The Python name of a `setsockopt` level: `socket.SOL_SOCKET`, or the number.
pub fn level_name(level: i32) -> String {
    match level {
        SOL_SOCKET => "socket.SOL_SOCKET".to_owned(),
        IPPROTO_TCP => "socket.IPPROTO_TCP".to_owned(),
        n => n.to_string(),
    }
}

/// The Python name of a socket option at a level: `socket.SO_REUSEADDR`, or the number.
///
/// ```
/// use socklab_core::pysocket::option_name;
/// assert_eq!(option_name(1, 2), "socket.SO_REUSEADDR");
/// assert_eq!(option_name(6, 1), "socket.TCP_NODELAY");
/// assert_eq!(option_name(1, 99), "99");
/// ```
pub fn option_name(level: i32, option: i32) -> String {
    SockOpt::from_numbers(level, option)
        .map_or_else(|| option.to_string(), |o| format!("socket.{}", o.name()))
}

/// `socket.SHUT_WR`, or the number.
pub fn how_name(how: i32) -> String {
    match how {
        0 => "socket.SHUT_RD".to_owned(),
        1 => "socket.SHUT_WR".to_owned(),
        2 => "socket.SHUT_RDWR".to_owned(),
        n => n.to_string(),
    }
}

/// `<AddressFamily.AF_INET: 2>`, as CPython 3.11 prints a family in a tuple.
pub fn family_repr(family: i32) -> String {
    match family {
        AF_INET => "<AddressFamily.AF_INET: 2>".to_owned(),
        AF_INET6 => "<AddressFamily.AF_INET6: 10>".to_owned(),
        n => n.to_string(),
    }
}

/// `<SocketKind.SOCK_STREAM: 1>`, as CPython 3.11 prints a kind in a tuple.
pub fn socktype_repr(socktype: i32) -> String {
    match socktype {
        SOCK_STREAM => "<SocketKind.SOCK_STREAM: 1>".to_owned(),
        SOCK_DGRAM => "<SocketKind.SOCK_DGRAM: 2>".to_owned(),
        3 => "<SocketKind.SOCK_RAW: 3>".to_owned(),
        4 => "<SocketKind.SOCK_RDM: 4>".to_owned(),
        5 => "<SocketKind.SOCK_SEQPACKET: 5>".to_owned(),
        n => n.to_string(),
    }
}

/// An address tuple as Python prints it: `('127.0.0.1', 80)` or `('::1', 80, 0, 0)`, the IPv6
/// host as glibc's `inet_ntop` writes it (Rust's Display differs on IPv4-compatible addresses).
///
/// ```
/// use socklab_core::pysocket::sockaddr_repr;
/// assert_eq!(sockaddr_repr(&"127.0.0.1:80".parse().unwrap()), "('127.0.0.1', 80)");
/// assert_eq!(sockaddr_repr(&"[::1]:80".parse().unwrap()), "('::1', 80, 0, 0)");
/// ```
pub fn sockaddr_repr(a: &std::net::SocketAddr) -> String {
    use crate::inet::{inet_ntop, Family};
    match a {
        std::net::SocketAddr::V4(a) => format!("('{}', {})", a.ip(), a.port()),
        std::net::SocketAddr::V6(a) => format!(
            "('{}', {}, {}, {})",
            inet_ntop(Family::Inet6, &a.ip().octets()).unwrap_or_default(),
            a.port(),
            a.flowinfo(),
            a.scope_id()
        ),
    }
}

/// A socket object as Python 3.11 prints it:
/// `<socket.socket fd=7, family=2, type=1, proto=0, laddr=('127.0.0.1', 5000)>`.
///
/// ```
/// use socklab_core::pysocket::socket_repr;
/// let laddr = "127.0.0.1:5000".parse().ok();
/// assert_eq!(
///     socket_repr(7, 2, 1, 0, laddr, None),
///     "<socket.socket fd=7, family=2, type=1, proto=0, laddr=('127.0.0.1', 5000)>"
/// );
/// ```
pub fn socket_repr(
    fd: i32,
    family: i32,
    socktype: i32,
    proto: i32,
    laddr: Option<std::net::SocketAddr>,
    raddr: Option<std::net::SocketAddr>,
) -> String {
    let mut s = format!("<socket.socket fd={fd}, family={family}, type={socktype}, proto={proto}");
    if let Some(a) = laddr {
        s.push_str(&format!(", laddr={}", sockaddr_repr(&a)));
    }
    if let Some(a) = raddr {
        s.push_str(&format!(", raddr={}", sockaddr_repr(&a)));
    }
    s.push('>');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_round_trips_through_its_numbers() {
        for opt in SockOpt::ALL {
            let (level, option) = opt.numbers();
            assert_eq!(SockOpt::from_numbers(level, option), Some(opt));
            assert_eq!(option_name(level, option), format!("socket.{}", opt.name()));
        }
        assert!(!SockOpt::ReusePort.settable());
        assert!(SockOpt::ReuseAddr.settable());
    }
}
