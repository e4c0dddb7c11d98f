//! Address tuples as CPython 3.11 checks them for `bind` and `connect`, what `ipaddress` says
//! about an address, and the `sockaddr_in`/`sockaddr_in6` bytes a tuple becomes on Linux.

use crate::inet::{inet_aton, inet_pton, Family};
use crate::pyerror::{Hint, PyExcClass, PyException};
use crate::pyliteral::PyValue;
use std::ops::Range;

/// What Python's `ipaddress` says about an address (CPython 3.11.7's tables).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Classification {
    /// `is_private`
    pub is_private: bool,
    /// `is_global`
    pub is_global: bool,
    /// `is_loopback`
    pub is_loopback: bool,
    /// `is_link_local`
    pub is_link_local: bool,
    /// `is_multicast`
    pub is_multicast: bool,
    /// `is_unspecified`
    pub is_unspecified: bool,
    /// `is_reserved`
    pub is_reserved: bool,
    /// `ipv4_mapped` (IPv6 only), as text.
    pub ipv4_mapped: Option<String>,
}

fn in_net(addr: u128, bits: u32, net: u128, prefix: u32) -> bool {
    let shift = bits - prefix;
    if shift >= 128 {
        return true;
    }
    (addr >> shift) == (net >> shift)
}

fn v4(text: &str) -> u128 {
    let b = inet_pton(Family::Inet, text).unwrap_or_default();
    b.iter().fold(0, |acc, &x| (acc << 8) | u128::from(x))
}

fn v6(text: &str) -> u128 {
    let b = inet_pton(Family::Inet6, text).unwrap_or_default();
    b.iter().fold(0, |acc, &x| (acc << 8) | u128::from(x))
}

const V4_PRIVATE: [(&str, u32); 14] = [
    ("0.0.0.0", 8),
    ("10.0.0.0", 8),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
    ("172.16.0.0", 12),
    ("192.0.0.0", 29),
    ("192.0.0.170", 31),
    ("192.0.2.0", 24),
    ("192.168.0.0", 16),
    ("198.18.0.0", 15),
    ("198.51.100.0", 24),
    ("203.0.113.0", 24),
    ("240.0.0.0", 4),
    ("255.255.255.255", 32),
];

const V6_PRIVATE: [(&str, u32); 10] = [
    ("::1", 128),
    ("::", 128),
    ("::ffff:0:0", 96),
    ("100::", 64),
    ("2001::", 23),
    ("2001:2::", 48),
    ("2001:db8::", 32),
    ("2001:10::", 28),
    ("fc00::", 7),
    ("fe80::", 10),
];

const V6_RESERVED: [(&str, u32); 15] = [
    ("::", 8),
    ("100::", 8),
    ("200::", 7),
    ("400::", 6),
    ("800::", 5),
    ("1000::", 4),
    ("4000::", 3),
    ("6000::", 3),
    ("8000::", 3),
    ("a000::", 3),
    ("c000::", 3),
    ("e000::", 4),
    ("f000::", 5),
    ("f800::", 6),
    ("fe00::", 9),
];

fn classify_v4(a: u128) -> Classification {
    let is_private = V4_PRIVATE.iter().any(|&(n, p)| in_net(a, 32, v4(n), p));
    Classification {
        is_private,
        is_global: !in_net(a, 32, v4("100.64.0.0"), 10) && !is_private,
        is_loopback: in_net(a, 32, v4("127.0.0.0"), 8),
        is_link_local: in_net(a, 32, v4("169.254.0.0"), 16),
        is_multicast: in_net(a, 32, v4("224.0.0.0"), 4),
        is_unspecified: a == 0,
        is_reserved: in_net(a, 32, v4("240.0.0.0"), 4),
        ipv4_mapped: None,
    }
}

/// Classifies a packed address (4 or 16 bytes) as `ipaddress.ip_address(...)` would.
///
/// ```
/// use socklab_core::addr::classify;
/// let c = classify(&[127, 0, 0, 1]);
/// assert!(c.is_loopback && c.is_private && !c.is_global);
/// ```
pub fn classify(packed: &[u8]) -> Classification {
    let a = packed
        .iter()
        .fold(0u128, |acc, &x| (acc << 8) | u128::from(x));
    if packed.len() == 4 {
        return classify_v4(a);
    }
    let mapped = (a >> 32 == 0xffff).then_some(a & 0xffff_ffff);
    let is_private = match mapped {
        Some(m) => classify_v4(m).is_private,
        None => V6_PRIVATE.iter().any(|&(n, p)| in_net(a, 128, v6(n), p)),
    };
    Classification {
        is_private,
        is_global: !is_private,
        is_loopback: a == 1,
        is_link_local: in_net(a, 128, v6("fe80::"), 10),
        is_multicast: in_net(a, 128, v6("ff00::"), 8),
        is_unspecified: a == 0,
        is_reserved: V6_RESERVED.iter().any(|&(n, p)| in_net(a, 128, v6(n), p)),
        ipv4_mapped: mapped.map(|m| {
            let b = (m as u32).to_be_bytes();
            format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
        }),
    }
}

/// How a tuple's host was turned into an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// A numeric address `inet_pton` reads.
    Numeric,
    /// `''`: INADDR_ANY (`0.0.0.0`) or `::`.
    Any,
    /// `'<broadcast>'` or `'255.255.255.255'`: INADDR_BROADCAST.
    Broadcast,
    /// Not numeric to `inet_pton`, so Python asks `getaddrinfo`; glibc still reads the legacy
    /// `inet_aton` forms without any lookup.
    LegacyNumeric,
    /// An IPv6 address with a zone (`fe80::1%eth0`): inet_pton refuses the `%`, so Python
    /// asks getaddrinfo, which reads the address and turns the zone into a scope id (a number
    /// is an interface index; a name must be one of this machine's interfaces).
    Scoped {
        /// The text after `%`.
        zone: String,
    },
    /// A name: only a real resolver can answer (the companion).
    Name,
}

/// A tuple that passed Python's checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The family.
    pub family: Family,
    /// How the host was read.
    pub kind: HostKind,
    /// The address, when it is known without a resolver.
    pub packed: Option<Vec<u8>>,
    /// The port.
    pub port: u16,
    /// IPv6 flow information (20 bits).
    pub flowinfo: u32,
    /// IPv6 scope id (an interface index).
    pub scope_id: u32,
}

/// `sock.bind(address)` or `sock.connect(address)`: which function the messages name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// `bind`
    Bind,
    /// `connect`
    Connect,
}

impl Caller {
    /// The name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Caller::Bind => "bind",
            Caller::Connect => "connect",
        }
    }
}

fn type_error(msg: impl Into<String>, hint: &'static str) -> PyException {
    PyException::new(PyExcClass::TypeError, msg).with_hint(Hint::new(hint))
}

/// The `i`/`I` argument parsers of `PyArg_ParseTuple`: ints and bools, `None` past 128 bits.
fn int_item(v: &PyValue) -> Result<Option<i128>, PyException> {
    match v {
        PyValue::Int(n) => Ok(n.to_i128()),
        PyValue::Bool(b) => Ok(Some(i128::from(*b))),
        other => Err(type_error(
            format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            ),
            "hint.addr_int",
        )),
    }
}

fn host_item(v: &PyValue) -> Result<String, PyException> {
    let host = match v {
        PyValue::Str(s) => s.clone(),
        PyValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => {
            return Err(type_error(
                format!(
                    "str, bytes or bytearray expected, not {}",
                    other.type_name()
                ),
                "hint.addr_host",
            ))
        }
    };
    if host.contains('\0') {
        return Err(type_error(
            "host name must not contain null character",
            "hint.addr_host",
        ));
    }
    Ok(host)
}

/// Checks an address tuple the way `getsockaddrarg` does for `bind`/`connect`.
///
/// ```
/// use socklab_core::addr::{check_tuple, Caller};
/// use socklab_core::inet::Family;
/// use socklab_core::pyliteral::PyValue;
/// let t = [PyValue::Str("127.0.0.1".into()), PyValue::Int(70000.into())];
/// let e = check_tuple(Family::Inet, &t, Caller::Bind).unwrap_err();
/// assert_eq!(e.traceback_line(), "OverflowError: bind(): port must be 0-65535.");
/// ```
pub fn check_tuple(
    family: Family,
    items: &[PyValue],
    caller: Caller,
) -> Result<Resolved, PyException> {
    let c = caller.name();
    let (pair_msg, ok_len) = match family {
        Family::Inet => ("AF_INET address must be a pair (host, port)", 2..=2),
        Family::Inet6 => (
            "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
            2..=4,
        ),
    };
    if !ok_len.contains(&items.len()) {
        return Err(type_error(pair_msg, "hint.addr_shape"));
    }
    let host = host_item(&items[0])?;
    let port_overflow = || {
        PyException::new(
            PyExcClass::OverflowError,
            format!("{c}(): port must be 0-65535."),
        )
        .with_hint(Hint::new("hint.addr_port"))
    };
    // PyArg_ParseTuple's "i" overflows outside C int, and that becomes the port message.
    let port = int_item(&items[1])?
        .filter(|p| i128::from(i32::MIN) <= *p && *p <= i128::from(i32::MAX))
        .ok_or_else(port_overflow)?;
    let mut flowinfo = 0u32;
    let mut scope_id = 0u32;
    if family == Family::Inet6 {
        // "I" (unsigned int, no overflow check beyond C unsigned long) for both.
        let unsigned = |v: &PyValue| -> Result<u32, PyException> {
            let n = int_item(v)?;
            Ok(n.map_or(0, |x| (x as u64 & 0xffff_ffff) as u32))
        };
        if let Some(v) = items.get(2) {
            flowinfo = unsigned(v)?;
        }
        if let Some(v) = items.get(3) {
            scope_id = unsigned(v)?;
        }
    }
    // setipaddr, before the port check.
    let (kind, packed) = if host.is_empty() {
        (HostKind::Any, Some(vec![0; family.packed_len()]))
    } else if host == "<broadcast>" || host == "255.255.255.255" {
        if family != Family::Inet {
            return Err(
                PyException::new(PyExcClass::OsError, "address family mismatched")
                    .with_hint(Hint::new("hint.addr_broadcast6")),
            );
        }
        (HostKind::Broadcast, Some(vec![255; 4]))
    } else if let Ok(p) = inet_pton(family, &host) {
        (HostKind::Numeric, Some(p))
    } else if let Some((addr, zone)) = host.split_once('%').filter(|_| family == Family::Inet6) {
        match inet_pton(Family::Inet6, addr) {
            Ok(p) if !zone.is_empty() => (
                HostKind::Scoped {
                    zone: zone.to_owned(),
                },
                Some(p),
            ),
            _ => (HostKind::Name, None),
        }
    } else if family == Family::Inet && legacy_exact(&host).is_some() {
        (
            HostKind::LegacyNumeric,
            legacy_exact(&host).map(|a| a.to_vec()),
        )
    } else {
        (HostKind::Name, None)
    };
    if !(0..=0xffff).contains(&port) {
        return Err(port_overflow());
    }
    if family == Family::Inet6 && flowinfo > 0xfffff {
        return Err(PyException::new(
            PyExcClass::OverflowError,
            format!("{c}(): flowinfo must be 0-1048575."),
        )
        .with_hint(Hint::new("hint.addr_flowinfo")));
    }
    Ok(Resolved {
        family,
        kind,
        packed,
        port: port as u16,
        flowinfo,
        scope_id,
    })
}

/// glibc's getaddrinfo reads a numeric IPv4 host with `inet_aton`, but exactly: no trailing text.
fn legacy_exact(host: &str) -> Option<[u8; 4]> {
    if host.contains(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    inet_aton(host).ok()
}

/// One labelled field of a C socket address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SockaddrField {
    /// The C field name: `sin_family`, `sin_port`, ...
    pub name: &'static str,
    /// Its bytes in the structure.
    pub range: Range<usize>,
    /// How its bytes are ordered (the catalog key of a short note).
    pub note: &'static str,
}

/// The `struct sockaddr_in`/`sockaddr_in6` bytes of a resolved tuple, on Linux x86-64.
///
/// ```
/// use socklab_core::addr::{check_tuple, sockaddr, Caller};
/// use socklab_core::inet::Family;
/// use socklab_core::pyliteral::PyValue;
/// let r = check_tuple(Family::Inet, &[PyValue::Str("127.0.0.1".into()), PyValue::Int(80.into())], Caller::Connect).unwrap();
/// let (bytes, _) = sockaddr(&r).unwrap();
/// assert_eq!(&bytes[..8], &[2, 0, 0, 80, 127, 0, 0, 1]);
/// ```
pub fn sockaddr(r: &Resolved) -> Option<(Vec<u8>, Vec<SockaddrField>)> {
    let packed = r.packed.as_ref()?;
    let family = (r.family.number() as u16).to_le_bytes();
    let port = r.port.to_be_bytes();
    Some(match r.family {
        Family::Inet => {
            let mut b = Vec::with_capacity(16);
            b.extend_from_slice(&family);
            b.extend_from_slice(&port);
            b.extend_from_slice(packed);
            b.extend_from_slice(&[0; 8]);
            (
                b,
                vec![
                    SockaddrField {
                        name: "sin_family",
                        range: 0..2,
                        note: "addr.host_order",
                    },
                    SockaddrField {
                        name: "sin_port",
                        range: 2..4,
                        note: "addr.network_order",
                    },
                    SockaddrField {
                        name: "sin_addr",
                        range: 4..8,
                        note: "addr.network_order",
                    },
                    SockaddrField {
                        name: "sin_zero",
                        range: 8..16,
                        note: "addr.padding",
                    },
                ],
            )
        }
        Family::Inet6 => {
            let mut b = Vec::with_capacity(28);
            b.extend_from_slice(&family);
            b.extend_from_slice(&port);
            b.extend_from_slice(&r.flowinfo.to_be_bytes());
            b.extend_from_slice(packed);
            b.extend_from_slice(&r.scope_id.to_le_bytes());
            (
                b,
                vec![
                    SockaddrField {
                        name: "sin6_family",
                        range: 0..2,
                        note: "addr.host_order",
                    },
                    SockaddrField {
                        name: "sin6_port",
                        range: 2..4,
                        note: "addr.network_order",
                    },
                    SockaddrField {
                        name: "sin6_flowinfo",
                        range: 4..8,
                        note: "addr.network_order",
                    },
                    SockaddrField {
                        name: "sin6_addr",
                        range: 8..24,
                        note: "addr.network_order",
                    },
                    SockaddrField {
                        name: "sin6_scope_id",
                        range: 24..28,
                        note: "addr.host_order",
                    },
                ],
            )
        }
    })
}
