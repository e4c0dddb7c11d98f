//! The companion's fence: which addresses a browser session may connect, send or bind to.
//!
//! The companion runs real socket calls for a web page, so it must never become an open proxy
//! into the learner's network. By default a session reaches loopback only, where the companion's
//! own demo peers live; `socklab serve --allow CIDR` widens that for `connect`, `connect_ex` and
//! `sendto`, and classroom mode names the LAN addresses `bind` may also use.
//!
//! The rules, in the order [`Policy::check_target`] and [`Policy::check_bind`] apply them:
//!
//! 1. Canonicalize first. An IPv4-mapped IPv6 address `::ffff:a.b.c.d` is judged as the IPv4
//!    address `a.b.c.d`, because a Linux dual-stack socket really connects to it. NAT64
//!    (`64:ff9b::/96`), 6to4 (`2002::/16`), IPv4-compatible (`::a.b.c.d`) and IPv4-translated
//!    (`::ffff:0:a.b.c.d`) addresses are *not* seen through: packets to them leave the machine, so
//!    they are ordinary non-loopback IPv6 addresses.
//! 2. A target on loopback (`127.0.0.0/8`, `::1`) is allowed.
//! 3. The unspecified address (`0.0.0.0`, `::`) is never a target: on Linux, connecting to it
//!    reaches every service on the machine.
//! 4. Link-local addresses (`169.254.0.0/16`, `fe80::/10`) and cloud metadata services
//!    ([`METADATA`]) are refused even when an `--allow` network contains them; only an `--allow`
//!    of exactly that one address (`/32`, `/128`) opens one.
//! 5. Any other target is allowed only if an `--allow` network contains it. Multicast and
//!    broadcast addresses are no exception.
//! 6. `bind` takes a loopback address or one of the classroom LAN addresses, never the
//!    unspecified address, and port 0 (any free port) or 1024 to 65535. `--allow` does not widen
//!    `bind`.
//! 7. Classroom mode: a session whose page came from another machine (a student, [`Origin::Lan`])
//!    reaches this machine (loopback, its LAN addresses, any of its own addresses) only at the
//!    session's own endpoints (its bound or listening sockets, its demo peers) and at the ports
//!    the teacher opened with `--lan-allow PORT`. The teacher's own services on loopback, and
//!    other students' sockets, stay out of reach. The person at the machine ([`Origin::Local`])
//!    keeps rule 2.
//!
//! Rule 4 also sees through the IPv6 forms that carry an IPv4 address (NAT64, 6to4, Teredo,
//! IPv4-compatible and -translated): `64:ff9b::a9fe:a9fe` is refused as 169.254.169.254 is, even
//! under `--allow ::/0`, unless an `--allow` names that very IPv6 address.
//!
//! The fence sees numbers only. Legacy IPv4 spellings (`127.1`, `0x7f.1`, `2130706433`) and host
//! names are resolved before the fence is asked, and the caller must then use the very address it
//! checked (resolving again could answer differently). The caller names itself
//! ([`Destination`]), so a refusal says `connect to` or `sendto` as the learner's call did.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// Cloud metadata services, refused even inside an `--allow` network (rule 4). Each hands out
/// the credentials of the machine it runs on to whoever asks.
pub const METADATA: [IpAddr; 5] = [
    // AWS, Azure, GCP, Oracle, DigitalOcean...
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    // AWS over IPv6.
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
    // Alibaba Cloud.
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    // Azure's wire server.
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    // Oracle Cloud's IMDS alias (192.0.0.0/24, IETF protocol assignments).
    IpAddr::V4(Ipv4Addr::new(192, 0, 0, 192)),
];

/// The IPv4 addresses an IPv6 address carries in one of the standard embeddings, any of which
/// may lead to that IPv4 host through a translator or tunnel: NAT64 (`64:ff9b::/96` and the
/// local-use `64:ff9b:1::/48`), 6to4 (`2002::/16`), Teredo (`2001::/32`: its server, and its
/// client with the bits inverted), IPv4-compatible (`::a.b.c.d`) and IPv4-translated
/// (`::ffff:0:a.b.c.d`). Mapped addresses are not here: rule 1 judges them as IPv4 outright.
///
/// ```
/// use socklab_core::fence::embedded_ipv4;
///
/// let carried = embedded_ipv4("64:ff9b::a9fe:a9fe".parse().unwrap());
/// assert_eq!(carried, vec!["169.254.169.254".parse::<std::net::Ipv4Addr>().unwrap()]);
/// assert!(embedded_ipv4("2001:db8::1".parse().unwrap()).is_empty());
/// ```
pub fn embedded_ipv4(ip: IpAddr) -> Vec<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else {
        return Vec::new();
    };
    let n = u128::from(v6);
    let low = Ipv4Addr::from((n & 0xffff_ffff) as u32);
    let s = v6.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1) {
        vec![low]
    } else if s[0] == 0x2002 {
        vec![Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32)]
    } else if s[0] == 0x2001 && s[1] == 0 {
        let server = Ipv4Addr::from(((n >> 64) & 0xffff_ffff) as u32);
        vec![server, Ipv4Addr::from(!u32::from(low))]
    } else if (s[..6] == [0; 6] && n > 1) || (s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0) {
        // IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
        vec![low]
    } else {
        Vec::new()
    }
}

/// A network: an address and a prefix length, as `--allow 10.0.0.0/8` names it.
///
/// Parsing refuses host bits beyond the prefix (`10.0.0.1/8`) rather than quietly widening them,
/// and refuses IPv4-mapped IPv6 networks (`::ffff:10.0.0.0/104`), which could never match since
/// mapped addresses are judged as IPv4.
///
/// ```
/// use socklab_core::fence::Cidr;
///
/// let net: Cidr = "10.0.0.0/8".parse().unwrap();
/// assert!(net.contains("10.1.2.3".parse().unwrap()));
/// assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a text is not a [`Cidr`]; the message says what a right value looks like.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// The part before `/` is not an IPv4 or IPv6 address in standard notation.
    #[error(
        "invalid CIDR {input:?}: {address:?} is not an IPv4 or IPv6 address; write an address \
         with an optional prefix length, e.g. 10.0.0.0/8, 192.168.1.7 or fe80::/10"
    )]
    Address {
        /// The whole text given.
        input: String,
        /// The part before `/`.
        address: String,
    },
    /// The prefix length is not a number from 0 to 32 (IPv4) or 0 to 128 (IPv6).
    #[error(
        "invalid CIDR {input:?}: the prefix length of an {} network is 0 to {}, e.g. {}",
        if *.ipv6 { "IPv6" } else { "IPv4" },
        if *.ipv6 { 128 } else { 32 },
        if *.ipv6 { "fe80::/10" } else { "10.0.0.0/8" }
    )]
    Prefix {
        /// The whole text given.
        input: String,
        /// Whether the address was IPv6.
        ipv6: bool,
    },
    /// The address has bits set beyond the prefix, like `10.0.0.1/8`.
    #[error(
        "invalid CIDR {input:?}: {address} has bits set beyond the /{} prefix; write the network \
         as {network}, or {address}/{} for that one address",
        network.prefix_len(),
        bits(*address)
    )]
    HostBits {
        /// The whole text given.
        input: String,
        /// The address as given.
        address: IpAddr,
        /// The network the prefix names.
        network: Cidr,
    },
    /// An IPv4-mapped IPv6 network, which rule 1 judges as IPv4.
    #[error(
        "invalid CIDR {input:?}: IPv4-mapped addresses are judged as the IPv4 address they \
         carry, so this network would never match; write it as {ipv4}"
    )]
    Mapped {
        /// The whole text given.
        input: String,
        /// The same network written as IPv4.
        ipv4: Cidr,
    },
}

/// Address width in bits: 32 or 128.
fn bits(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// `ip` with every bit beyond `prefix` cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    let zeros = u32::from(bits(ip) - prefix);
    match ip {
        IpAddr::V4(v4) => {
            let keep = u32::MAX.checked_shl(zeros).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & keep))
        }
        IpAddr::V6(v6) => {
            let keep = u128::MAX.checked_shl(zeros).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & keep))
        }
    }
}

impl Cidr {
    /// The network address (`10.0.0.0` in `10.0.0.0/8`).
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length (`8` in `10.0.0.0/8`).
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network. `ip` is canonicalized first (rule 1), and an IPv4
    /// network contains only IPv4 addresses, an IPv6 network only IPv6 ones: `0.0.0.0/0` does
    /// not contain `2001:db8::1`, and `::/0` does not contain `::ffff:10.0.0.1`.
    ///
    /// ```
    /// use socklab_core::fence::Cidr;
    ///
    /// let net: Cidr = "10.0.0.0/8".parse().unwrap();
    /// assert!(net.contains("::ffff:10.0.0.1".parse().unwrap()));
    /// assert!(!net.contains("::10.0.0.1".parse().unwrap()));
    /// ```
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }

    /// Whether this network is one address (`/32` for IPv4, `/128` for IPv6).
    pub fn is_single(&self) -> bool {
        self.prefix == bits(self.network)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// Parses `10.0.0.0/8`, `fe80::/10`, or a bare address (`192.168.1.7` = `/32`,
    /// `::1` = `/128`).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match input.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (input, None),
        };
        let Ok(ip) = address.parse::<IpAddr>() else {
            return Err(CidrError::Address {
                input: input.to_owned(),
                address: address.to_owned(),
            });
        };
        // Digits only: u8's parser would also take "+8".
        let prefix = match prefix {
            None => Some(bits(ip)),
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse::<u8>().ok(),
            Some(_) => None,
        };
        let prefix = match prefix {
            Some(n) if n <= bits(ip) => n,
            _ => {
                return Err(CidrError::Prefix {
                    input: input.to_owned(),
                    ipv6: ip.is_ipv6(),
                })
            }
        };
        // A network inside ::ffff:0:0/96 holds only mapped addresses, which rule 1 judges as
        // IPv4: say how to write it as IPv4 rather than accept an entry that never matches.
        let mapped = match ip {
            IpAddr::V6(v6) if prefix >= 96 => v6.to_ipv4_mapped(),
            _ => None,
        };
        if let Some(v4) = mapped {
            let prefix = prefix - 96;
            let network = mask(IpAddr::V4(v4), prefix);
            return Err(CidrError::Mapped {
                input: input.to_owned(),
                ipv4: Cidr { network, prefix },
            });
        }
        let network = mask(ip, prefix);
        if network != ip {
            return Err(CidrError::HostBits {
                input: input.to_owned(),
                address: ip,
                network: Cidr { network, prefix },
            });
        }
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    /// `10.0.0.0/8`, `::1/128`: always with the prefix length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Which call asked the fence about a target, so its refusal names that call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// `connect` or `connect_ex`.
    Connect,
    /// `sendto`.
    Sendto,
    /// `getnameinfo` of an address (a reverse lookup asks the network about it).
    Getnameinfo,
}

impl Destination {
    /// The words before the address: `connect to 10.0.0.1` or `sendto 10.0.0.1`.
    fn verb(self) -> &'static str {
        match self {
            Destination::Connect => "connect to",
            Destination::Sendto => "sendto",
            Destination::Getnameinfo => "getnameinfo of",
        }
    }

    /// What socklab does with loopback, in the call's own terms.
    fn only(self) -> &'static str {
        match self {
            Destination::Connect => "only connects to",
            Destination::Sendto => "only sends to",
            Destination::Getnameinfo => "only looks up",
        }
    }
}

/// What a session may reach: loopback always, plus the `--allow` networks for targets and the
/// classroom LAN addresses for `bind`. The default is loopback only.
///
/// ```
/// use socklab_core::fence::{Asker, Destination, Policy};
///
/// let policy = Policy::default();
/// let connect = |ip: &str| {
///     let target = std::net::SocketAddr::new(ip.parse().unwrap(), 80);
///     policy.check_target(target, Destination::Connect, Asker::LOCAL)
/// };
/// assert!(connect("127.0.0.1").is_ok());
/// assert!(connect("10.0.0.1").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Policy {
    /// `--allow` networks: targets beyond loopback that `connect`, `connect_ex` and `sendto` may
    /// reach (rule 5). They do not widen `bind`.
    pub allow: Vec<Cidr>,
    /// The machine's LAN addresses that `bind` may use in classroom mode (rule 6).
    pub lan: Vec<IpAddr>,
    /// Every address of this machine (all interfaces), in classroom mode: a student's target
    /// at one of them is this machine, judged by rule 7.
    pub local: Vec<IpAddr>,
    /// `--lan-allow PORT`: ports on this machine that students' sessions may reach (rule 7).
    pub lan_allow: Vec<u16>,
}

/// Where a session's page runs, told by the address its WebSocket came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// From loopback: the person at this machine, who may reach what they run here.
    Local,
    /// From another machine (classroom mode): a student, who reaches only their own sockets
    /// and demo peers on this machine (rule 7).
    Lan,
}

impl Origin {
    /// The origin of a session whose WebSocket came from `peer`.
    ///
    /// ```
    /// use socklab_core::fence::Origin;
    ///
    /// assert_eq!(Origin::of_peer("127.0.0.1".parse().unwrap()), Origin::Local);
    /// assert_eq!(Origin::of_peer("::ffff:127.0.0.1".parse().unwrap()), Origin::Local);
    /// assert_eq!(Origin::of_peer("10.77.0.2".parse().unwrap()), Origin::Lan);
    /// ```
    pub fn of_peer(peer: IpAddr) -> Origin {
        if peer.to_canonical().is_loopback() {
            Origin::Local
        } else {
            Origin::Lan
        }
    }
}

/// The session that asks the fence: where its page runs, and the local addresses of its own
/// sockets (bound or listening) and demo peers, which a student may always reach.
#[derive(Clone, Copy, Debug)]
pub struct Asker<'a> {
    /// Where the session's page runs.
    pub origin: Origin,
    /// The session's own endpoints.
    pub own: &'a [SocketAddr],
}

impl Asker<'_> {
    /// The person at this machine, with no sockets yet.
    pub const LOCAL: Asker<'static> = Asker {
        origin: Origin::Local,
        own: &[],
    };

    /// Whether `(ip, port)` is one of the session's own endpoints.
    fn owns(&self, ip: IpAddr, port: u16) -> bool {
        self.own
            .iter()
            .any(|a| a.port() == port && a.ip().to_canonical() == ip)
    }
}

/// Whether `ip` (already canonical) is link-local: `169.254.0.0/16` or `fe80::/10`.
fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

impl Policy {
    /// Whether `ip` (already canonical) is this machine: loopback, a classroom LAN address, or
    /// any other address of its interfaces.
    fn is_this_machine(&self, ip: IpAddr) -> bool {
        ip.is_loopback()
            || self.lan.iter().any(|l| l.to_canonical() == ip)
            || self.local.iter().any(|l| l.to_canonical() == ip)
    }

    /// Whether the session `asker` may send to `target`, the destination of `connect`,
    /// `connect_ex` or `sendto` (or the address `getnameinfo` looks up). In order: canonicalize
    /// (rule 1); refuse the unspecified address (rule 3); on this machine, allow the person at it
    /// (rule 2) and a student only at their own endpoints or a `--lan-allow` port (rule 7);
    /// refuse link-local and metadata addresses, also inside an IPv6 embedding, unless an
    /// `--allow` entry is exactly that address (rule 4); allow what an `--allow` network
    /// contains, and refuse the rest (rule 5).
    ///
    /// ```
    /// use socklab_core::fence::{Asker, Destination, Origin, Policy, Refusal};
    ///
    /// let policy = Policy { allow: vec!["0.0.0.0/0".parse().unwrap()], ..Policy::default() };
    /// let call = Destination::Sendto;
    /// let at = |ip: &str| std::net::SocketAddr::new(ip.parse().unwrap(), 53);
    /// assert!(policy.check_target(at("8.8.8.8"), call, Asker::LOCAL).is_ok());
    /// let ip = "169.254.169.254".parse().unwrap();
    /// let refused = Refusal::LinkLocal { ip, metadata: true, call };
    /// assert_eq!(policy.check_target(at("169.254.169.254"), call, Asker::LOCAL), Err(refused));
    /// // A student reaches the teacher's loopback only at their own sockets.
    /// let student = Asker { origin: Origin::Lan, own: &[at("127.0.0.1")] };
    /// assert!(policy.check_target(at("127.0.0.1"), call, student).is_ok());
    /// let other = std::net::SocketAddr::new("127.0.0.1".parse().unwrap(), 5432);
    /// assert!(policy.check_target(other, call, student).is_err());
    /// ```
    pub fn check_target(
        &self,
        target: SocketAddr,
        call: Destination,
        asker: Asker<'_>,
    ) -> Result<(), Refusal> {
        let ip = target.ip();
        let port = target.port();
        let canonical = ip.to_canonical();
        if canonical.is_unspecified() {
            return Err(Refusal::Unspecified { ip, call });
        }
        // A packet to this machine never leaves it: the person at it may reach anything here,
        // a student only what is theirs or what the teacher opened (a reverse lookup of an
        // address here reveals nothing the student does not know).
        if self.is_this_machine(canonical) {
            let open = asker.origin == Origin::Local
                || call == Destination::Getnameinfo
                || asker.owns(canonical, port)
                || self.lan_allow.contains(&port);
            return if open {
                Ok(())
            } else {
                Err(Refusal::Classroom { ip, port, call })
            };
        }
        let carried = embedded_ipv4(canonical);
        let metadata = METADATA.contains(&canonical)
            || carried.iter().any(|v4| METADATA.contains(&IpAddr::V4(*v4)));
        let link_local = is_link_local(canonical) || carried.iter().any(Ipv4Addr::is_link_local);
        if metadata || link_local {
            let exact = self
                .allow
                .iter()
                .any(|c| c.is_single() && c.network == canonical);
            return if exact {
                Ok(())
            } else {
                Err(Refusal::LinkLocal { ip, metadata, call })
            };
        }
        if self.allow.iter().any(|c| c.contains(canonical)) {
            Ok(())
        } else {
            Err(Refusal::NotAllowed { ip, call })
        }
    }

    /// Whether a session may bind to `(ip, port)` (rule 6). The address is checked first: it
    /// must be loopback or one of [`Policy::lan`] after canonicalization (rule 1), and never the
    /// unspecified address, even if `lan` lists it. Then the port: 0 or 1024 to 65535.
    ///
    /// ```
    /// use socklab_core::fence::{Policy, Refusal};
    ///
    /// let policy = Policy::default();
    /// assert!(policy.check_bind("127.0.0.1".parse().unwrap(), 0).is_ok());
    /// let refused = policy.check_bind("127.0.0.1".parse().unwrap(), 80);
    /// assert_eq!(refused, Err(Refusal::PrivilegedPort { port: 80 }));
    /// ```
    pub fn check_bind(&self, ip: IpAddr, port: u16) -> Result<(), Refusal> {
        let canonical = ip.to_canonical();
        let on_lan = self.lan.iter().any(|l| l.to_canonical() == canonical);
        if canonical.is_unspecified() || !(canonical.is_loopback() || on_lan) {
            return Err(Refusal::BindAddress {
                ip,
                lan: self.lan.clone(),
            });
        }
        if (1..1024).contains(&port) {
            return Err(Refusal::PrivilegedPort { port });
        }
        Ok(())
    }
}

/// Why the fence refused a call. It travels to the page, which shows [`Refusal::python`] as the
/// exception the call raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[error("{}", self.message())]
pub enum Refusal {
    /// The target is `0.0.0.0` or `::` (rule 3).
    Unspecified {
        /// The address as the session gave it.
        ip: IpAddr,
        /// The call that asked.
        call: Destination,
    },
    /// The target is link-local or a cloud metadata service, and no `--allow` entry is exactly
    /// that address (rule 4).
    LinkLocal {
        /// The address as the session gave it.
        ip: IpAddr,
        /// Whether it is one of [`METADATA`].
        metadata: bool,
        /// The call that asked.
        call: Destination,
    },
    /// No `--allow` network contains the target (rule 5).
    NotAllowed {
        /// The address as the session gave it.
        ip: IpAddr,
        /// The call that asked.
        call: Destination,
    },
    /// `bind` to an address that is neither loopback nor a classroom LAN address (rule 6).
    BindAddress {
        /// The address as the session gave it.
        ip: IpAddr,
        /// The LAN addresses that `bind` may use, to suggest them.
        lan: Vec<IpAddr>,
    },
    /// `bind` to a port from 1 to 1023 (rule 6).
    PrivilegedPort {
        /// The port asked for.
        port: u16,
    },
    /// A student's session (classroom mode) reaching this machine at a port that is neither
    /// its own nor opened with `--lan-allow` (rule 7).
    Classroom {
        /// The address as the session gave it.
        ip: IpAddr,
        /// The port.
        port: u16,
        /// The call that asked.
        call: Destination,
    },
    /// `listen()` on a socket that was never bound: the system would bind it to every
    /// interface, where other machines could connect.
    UnboundListen {
        /// Whether the socket is AF_INET6 (the example to bind is then `'::1'`).
        ipv6: bool,
    },
    /// `bind` to a port that a socket outside the session holds: `SO_REUSEADDR` would let a
    /// UDP socket share it and take its datagrams.
    PortInUse {
        /// The address asked for.
        ip: IpAddr,
        /// The port asked for.
        port: u16,
    },
    /// A socket other than AF_INET/AF_INET6 of type SOCK_STREAM/SOCK_DGRAM with protocol 0,
    /// 6 (TCP) or 17 (UDP): raw sockets, MPTCP, UDP-Lite and the rest could step around every
    /// rule above.
    SocketKind {
        /// The family asked for.
        family: i32,
        /// The type asked for.
        socktype: i32,
        /// The protocol asked for.
        #[serde(default)]
        proto: i32,
    },
    /// A socket option outside the ones the lessons use.
    SocketOption {
        /// The level.
        level: i32,
        /// The option.
        option: i32,
    },
}

/// `ip` as the learner wrote it, with the IPv4 address it is judged as when they differ:
/// `::ffff:10.0.0.1 (the IPv4 address 10.0.0.1)`.
fn shown(ip: IpAddr) -> String {
    let canonical = ip.to_canonical();
    let carried = embedded_ipv4(canonical);
    let noted = carried
        .iter()
        .find(|v4| v4.is_link_local() || METADATA.contains(&IpAddr::V4(**v4)));
    if canonical != ip {
        format!("{ip} (the IPv4 address {canonical})")
    } else if let Some(v4) = noted {
        format!("{ip} (which carries the IPv4 address {v4})")
    } else {
        ip.to_string()
    }
}

/// The `--allow` flag that opens exactly `ip`: `--allow 10.0.0.1/32`.
fn allow_flag(ip: IpAddr) -> String {
    let canonical = ip.to_canonical();
    format!("--allow {canonical}/{}", bits(canonical))
}

impl Refusal {
    /// What was refused, why, and what to do instead, in English.
    pub fn message(&self) -> String {
        match self {
            Refusal::Unspecified { ip, call } => format!(
                "{} {} refused: {} is the unspecified address, which as a destination \
                 reaches every service on this machine; use 127.0.0.1 (IPv4) or ::1 (IPv6) \
                 instead",
                call.verb(),
                shown(*ip),
                ip.to_canonical()
            ),
            Refusal::LinkLocal { ip, metadata, call } => {
                let what = if *metadata {
                    "a cloud metadata service, which hands out this machine's credentials"
                } else {
                    "link-local (169.254.0.0/16, fe80::/10), where cloud metadata services live"
                };
                format!(
                    "{} {} refused: it is {what}, so socklab refuses it even when an \
                     --allow network contains it; restart it with {} to allow exactly this \
                     address",
                    call.verb(),
                    shown(*ip),
                    allow_flag(*ip)
                )
            }
            Refusal::NotAllowed { ip, call } => format!(
                "{} {} refused: socklab {} loopback (127.0.0.0/8, ::1) and its own demo \
                 peers; restart it with {} to allow this address",
                call.verb(),
                shown(*ip),
                call.only(),
                allow_flag(*ip)
            ),
            Refusal::BindAddress { ip, lan } => {
                let why = if ip.to_canonical().is_unspecified() {
                    format!(
                        "'' and {} mean every network interface, and ",
                        ip.to_canonical()
                    )
                } else {
                    String::new()
                };
                if lan.is_empty() {
                    format!(
                        "bind to {} refused: {why}socklab binds loopback only (--allow does not \
                         change that); bind '127.0.0.1' (or '::1' for IPv6) instead",
                        shown(*ip)
                    )
                } else {
                    let lan: Vec<String> = lan.iter().map(|l| format!("'{l}'")).collect();
                    format!(
                        "bind to {} refused: {why}socklab binds loopback and this machine's LAN \
                         addresses only (--allow does not change that); bind '127.0.0.1' (or \
                         '::1' for IPv6) or one of {}",
                        shown(*ip),
                        lan.join(", ")
                    )
                }
            }
            Refusal::PrivilegedPort { port } => format!(
                "bind to port {port} refused: ports below 1024 are privileged; socklab refuses \
                 them: use 0 for any free port, or a port from 1024 to 65535"
            ),
            Refusal::Classroom { ip, port, call } => format!(
                "{} {} port {port} refused: this page comes from another machine (classroom \
                 mode), and on the teacher's machine socklab lets it reach only its own sockets \
                 and demo peers; the teacher can open this port to students with --lan-allow \
                 {port}",
                call.verb(),
                shown(*ip)
            ),
            Refusal::UnboundListen { ipv6 } => {
                let (any, lo) = if *ipv6 {
                    ("('::', port)", "'::1'")
                } else {
                    ("('0.0.0.0', port)", "'127.0.0.1'")
                };
                format!(
                    "listen() on an unbound socket refused: the system would bind it to {any}, \
                     every network interface, where other machines could connect; bind it \
                     first: s.bind(({lo}, 0))"
                )
            }
            Refusal::PortInUse { ip, port } => format!(
                "bind to {} port {port} refused: another program on this machine holds that \
                 port, and SO_REUSEADDR would let this socket share it and take its traffic; \
                 choose another port, or 0 for any free one",
                shown(*ip)
            ),
            Refusal::SocketKind {
                family,
                socktype,
                proto,
            } => format!(
                "socket(family={family}, type={socktype}, proto={proto}) refused: socklab makes \
                 AF_INET (2) and AF_INET6 (10) sockets of type SOCK_STREAM (1) or SOCK_DGRAM (2), \
                 with proto 0, 6 (IPPROTO_TCP) or 17 (IPPROTO_UDP), only"
            ),
            Refusal::SocketOption { level, option } => {
                use crate::pysocket::SockOpt;
                // "a, b and c", from the one list of options the lessons use.
                let names = |settable: bool| -> String {
                    let names: Vec<&str> = SockOpt::ALL
                        .into_iter()
                        .filter(|o| o.settable() == settable)
                        .map(SockOpt::name)
                        .collect();
                    match names.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("{} and {last}", rest.join(", "))
                        }
                        _ => names.concat(),
                    }
                };
                format!(
                    "option {option} at level {level} refused: socklab sets {} (and reads {}) \
                     only; SO_REUSEPORT would let a socket take connections meant for another \
                     program",
                    names(true),
                    names(false)
                )
            }
        }
    }

    /// The line the page shows as the exception the call raised:
    /// `PermissionError: [socklab] connect to 10.0.0.1 refused: ...`. Always `PermissionError`,
    /// and always `[socklab]` where the OS would put `[Errno 13]`, so a learner sees the
    /// companion's fence and not the operating system.
    ///
    /// ```
    /// use socklab_core::fence::Refusal;
    ///
    /// let line = Refusal::PrivilegedPort { port: 80 }.python();
    /// assert!(line.starts_with("PermissionError: [socklab] bind to port 80 refused"));
    /// ```
    pub fn python(&self) -> String {
        format!("PermissionError: [socklab] {}", self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str], lan: &[&str]) -> Policy {
        Policy {
            allow: allow.iter().map(|c| c.parse().unwrap()).collect(),
            lan: lan.iter().map(|l| l.parse().unwrap()).collect(),
            ..Policy::default()
        }
    }

    /// The outcome as one word: `ok`, or the refusal's kind (`link_local` split into `metadata`).
    fn outcome(result: &Result<(), Refusal>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(Refusal::Unspecified { .. }) => "unspecified",
            Err(Refusal::LinkLocal { metadata: true, .. }) => "metadata",
            Err(Refusal::LinkLocal {
                metadata: false, ..
            }) => "link_local",
            Err(Refusal::NotAllowed { .. }) => "not_allowed",
            Err(Refusal::BindAddress { .. }) => "bind_address",
            Err(Refusal::PrivilegedPort { .. }) => "privileged_port",
            Err(Refusal::Classroom { .. }) => "classroom",
            Err(
                Refusal::SocketKind { .. }
                | Refusal::SocketOption { .. }
                | Refusal::UnboundListen { .. }
                | Refusal::PortInUse { .. },
            ) => "kind",
        }
    }

    #[track_caller]
    fn check_target(allow: &[&str], ip: &str, expect: &str) {
        let target = SocketAddr::new(ip.parse().unwrap(), 80);
        let got =
            outcome(&policy(allow, &[]).check_target(target, Destination::Connect, Asker::LOCAL));
        assert_eq!(got, expect, "connect to {ip} with --allow {allow:?}");
    }

    /// A classroom: LAN address 10.77.0.1, another interface 172.17.0.1, --lan-allow 8000,
    /// `--allow 10.0.0.0/8`; the student owns a listener at 127.0.0.1:40000, a UDP socket at
    /// [::1]:40001, a socket at 10.77.0.1:40002 and a demo peer at 127.0.0.1:41000.
    #[track_caller]
    fn check_student(origin: Origin, target: &str, call: Destination, expect: &str) {
        let policy = Policy {
            allow: vec!["10.0.0.0/8".parse().unwrap()],
            lan: vec!["10.77.0.1".parse().unwrap()],
            local: vec!["10.77.0.1".parse().unwrap(), "172.17.0.1".parse().unwrap()],
            lan_allow: vec![8000],
        };
        let own: Vec<SocketAddr> = [
            "127.0.0.1:40000",
            "[::1]:40001",
            "10.77.0.1:40002",
            "127.0.0.1:41000",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        let asker = Asker { origin, own: &own };
        let got = outcome(&policy.check_target(target.parse().unwrap(), call, asker));
        assert_eq!(got, expect, "{origin:?} {call:?} {target}");
    }

    #[test]
    fn students_reach_only_their_own_endpoints_on_this_machine() {
        use Destination::{Connect, Getnameinfo, Sendto};
        use Origin::{Lan, Local};
        // The person at the machine keeps rule 2.
        check_student(Local, "127.0.0.1:5432", Connect, "ok");
        check_student(Local, "[::1]:5432", Sendto, "ok");
        check_student(Local, "10.77.0.1:5432", Connect, "ok");
        // A student: the teacher's services, in every spelling of this machine, are refused.
        check_student(Lan, "127.0.0.1:5432", Connect, "classroom");
        check_student(Lan, "127.0.0.2:5432", Connect, "classroom");
        check_student(Lan, "127.255.255.254:5432", Sendto, "classroom");
        check_student(Lan, "[::1]:5432", Connect, "classroom");
        check_student(Lan, "[::ffff:127.0.0.1]:5432", Connect, "classroom");
        check_student(Lan, "10.77.0.1:5432", Connect, "classroom");
        check_student(Lan, "[::ffff:10.77.0.1]:5432", Sendto, "classroom");
        check_student(Lan, "172.17.0.1:2375", Connect, "classroom");
        check_student(Lan, "0.0.0.0:5432", Connect, "unspecified");
        check_student(Lan, "[::]:5432", Connect, "unspecified");
        // Their own endpoints and demo peers, exactly (address and port).
        check_student(Lan, "127.0.0.1:40000", Connect, "ok");
        check_student(Lan, "[::ffff:127.0.0.1]:40000", Connect, "ok");
        check_student(Lan, "127.0.0.2:40000", Connect, "classroom");
        check_student(Lan, "[::1]:40001", Sendto, "ok");
        check_student(Lan, "127.0.0.1:40001", Sendto, "classroom");
        check_student(Lan, "10.77.0.1:40002", Connect, "ok");
        check_student(Lan, "127.0.0.1:41000", Connect, "ok");
        // What the teacher opened.
        check_student(Lan, "127.0.0.1:8000", Connect, "ok");
        check_student(Lan, "10.77.0.1:8000", Sendto, "ok");
        // Elsewhere, rules 4 and 5 as for anyone; a reverse lookup reveals nothing.
        check_student(Lan, "10.0.0.9:80", Connect, "ok");
        check_student(Lan, "192.168.0.1:80", Connect, "not_allowed");
        check_student(Lan, "127.0.0.1:5432", Getnameinfo, "ok");
    }

    #[test]
    fn metadata_stays_refused_in_every_spelling() {
        // NAT64, 6to4, Teredo, IPv4-compatible and -translated forms of 169.254.169.254.
        for spelling in [
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "2001:0:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:5601:5601",
            "::169.254.169.254",
            "::ffff:0:a9fe:a9fe",
        ] {
            check_target(&["::/0"], spelling, "metadata");
            check_target(&["0.0.0.0/0", "::/0"], spelling, "metadata");
        }
        check_target(&["::/0"], "64:ff9b::a9fe:101", "link_local");
        check_target(&["0.0.0.0/0"], "192.0.0.192", "metadata");
        check_target(&["192.0.0.0/24"], "192.0.0.192", "metadata");
        check_target(&["192.0.0.192/32"], "192.0.0.192", "ok");
        check_target(&["::/0"], "64:ff9b::c000:c0", "metadata");
        // Named exactly, as that very IPv6 address, it opens.
        check_target(&["64:ff9b::a9fe:a9fe/128"], "64:ff9b::a9fe:a9fe", "ok");
        check_target(
            &["169.254.169.254/32", "::/0"],
            "64:ff9b::a9fe:a9fe",
            "metadata",
        );
        // Other embedded addresses are ordinary IPv6 targets.
        check_target(&["::/0"], "64:ff9b::808:808", "ok");
        check_target(&["::/0"], "2002:808:808::1", "ok");
    }

    #[track_caller]
    fn check_bind(lan: &[&str], allow: &[&str], ip: &str, port: u16, expect: &str) {
        let got = outcome(&policy(allow, lan).check_bind(ip.parse().unwrap(), port));
        assert_eq!(
            got, expect,
            "bind to ({ip}, {port}) with lan {lan:?}, --allow {allow:?}"
        );
    }

    #[test]
    fn targets() {
        // Loopback, including mapped loopback (rules 1 and 2).
        check_target(&[], "127.0.0.1", "ok");
        check_target(&[], "127.255.255.254", "ok");
        check_target(&[], "::1", "ok");
        check_target(&[], "::ffff:127.0.0.1", "ok");
        check_target(&[], "::ffff:7f00:1", "ok");
        // Mapped addresses are judged as IPv4, by IPv4 networks only (rule 1).
        check_target(&[], "::ffff:10.0.0.1", "not_allowed");
        check_target(&["10.0.0.0/8"], "::ffff:10.0.0.1", "ok");
        check_target(&["::/0"], "::ffff:10.0.0.1", "not_allowed");
        // Embeddings that leave the machine are not seen through (rule 1).
        check_target(&[], "::127.0.0.1", "not_allowed");
        check_target(&[], "64:ff9b::7f00:1", "not_allowed");
        check_target(&[], "2002:7f00:1::", "not_allowed");
        check_target(&[], "::ffff:0:7f00:1", "not_allowed");
        check_target(&["0.0.0.0/0"], "::127.0.0.1", "not_allowed");
        check_target(&["0.0.0.0/0"], "64:ff9b::7f00:1", "not_allowed");
        check_target(&["64:ff9b::/96"], "64:ff9b::7f00:1", "ok");
        check_target(&["2002::/16"], "2002:7f00:1::", "ok");
        // Unspecified, whatever --allow says (rule 3).
        check_target(&[], "0.0.0.0", "unspecified");
        check_target(&[], "::", "unspecified");
        check_target(&[], "::ffff:0.0.0.0", "unspecified");
        check_target(&["0.0.0.0/0", "::/0"], "0.0.0.0", "unspecified");
        check_target(&["0.0.0.0/0", "::/0"], "::", "unspecified");
        check_target(&["0.0.0.0/32"], "0.0.0.0", "unspecified");
        // Metadata and link-local: only an exact single-address --allow opens them (rule 4).
        check_target(&[], "169.254.169.254", "metadata");
        check_target(&["0.0.0.0/0"], "169.254.169.254", "metadata");
        check_target(&["169.254.0.0/16"], "169.254.169.254", "metadata");
        check_target(&["169.254.169.254/32"], "169.254.169.254", "ok");
        check_target(&["169.254.169.254"], "::ffff:169.254.169.254", "ok");
        check_target(&["0.0.0.0/0"], "::ffff:169.254.169.254", "metadata");
        check_target(&["169.254.169.255/32"], "169.254.169.254", "metadata");
        check_target(&["169.254.0.0/16"], "169.254.1.1", "link_local");
        check_target(&["169.254.1.1/32"], "169.254.1.1", "ok");
        check_target(&[], "fe80::1", "link_local");
        check_target(&["::/0"], "fe80::1", "link_local");
        check_target(&["fe80::/10"], "fe80::1", "link_local");
        check_target(&["fe80::1/128"], "fe80::1", "ok");
        check_target(&["febf::/16"], "febf:ffff::1", "link_local");
        check_target(&["fec0::/10"], "fec0::1", "ok"); // site-local: not link-local
        check_target(&[], "fd00:ec2::254", "metadata");
        check_target(&["fd00::/8"], "fd00:ec2::254", "metadata");
        check_target(&["fd00:ec2::254/128"], "fd00:ec2::254", "ok");
        check_target(&["fd00::/8"], "fd00:ec2::253", "ok");
        check_target(&["100.64.0.0/10"], "100.100.100.200", "metadata");
        check_target(&["100.64.0.0/10"], "100.100.100.201", "ok");
        check_target(&["100.100.100.200/32"], "100.100.100.200", "ok");
        check_target(&["0.0.0.0/0"], "168.63.129.16", "metadata");
        // Everything else needs an --allow network that contains it (rule 5).
        check_target(&[], "10.0.0.1", "not_allowed");
        check_target(&["10.0.0.0/8"], "10.0.0.1", "ok");
        check_target(&["10.0.0.0/8"], "11.0.0.1", "not_allowed");
        check_target(&["10.0.0.1"], "10.0.0.1", "ok");
        check_target(&["10.0.0.1"], "10.0.0.2", "not_allowed");
        check_target(&[], "224.0.0.1", "not_allowed");
        check_target(&["224.0.0.0/4"], "224.0.0.1", "ok");
        check_target(&[], "255.255.255.255", "not_allowed");
        check_target(&["255.255.255.255/32"], "255.255.255.255", "ok");
        check_target(&[], "8.8.8.8", "not_allowed");
        check_target(&["0.0.0.0/0"], "8.8.8.8", "ok");
        check_target(&[], "2001:db8::1", "not_allowed");
        check_target(&["2001:db8::/32"], "2001:db8::1", "ok");
        check_target(&["2001:db8::/32"], "2001:db9::1", "not_allowed");
        check_target(&[], "ff02::1", "not_allowed");
        // An IPv4 network never matches an IPv6 address, nor the reverse.
        check_target(&["0.0.0.0/0"], "2001:db8::1", "not_allowed");
        check_target(&["0.0.0.0/0"], "::ffff:0:808:808", "not_allowed");
        check_target(&["::/0"], "8.8.8.8", "not_allowed");
        check_target(&["::/0"], "2001:db8::1", "ok");
    }

    #[test]
    fn binds() {
        check_bind(&[], &[], "127.0.0.1", 0, "ok");
        check_bind(&[], &[], "127.0.0.5", 8080, "ok");
        check_bind(&[], &[], "::1", 1024, "ok");
        check_bind(&[], &[], "::1", 65535, "ok");
        check_bind(&[], &[], "::ffff:127.0.0.1", 2000, "ok");
        check_bind(&[], &[], "0.0.0.0", 8080, "bind_address");
        check_bind(&[], &[], "::", 8080, "bind_address");
        check_bind(&[], &[], "::ffff:0.0.0.0", 8080, "bind_address");
        check_bind(&["0.0.0.0"], &[], "0.0.0.0", 8080, "bind_address");
        check_bind(&[], &[], "127.0.0.1", 80, "privileged_port");
        check_bind(&[], &[], "127.0.0.1", 1, "privileged_port");
        check_bind(&[], &[], "127.0.0.1", 1023, "privileged_port");
        check_bind(&[], &[], "0.0.0.0", 80, "bind_address"); // the address is checked first
        check_bind(&[], &[], "192.168.1.5", 5000, "bind_address");
        check_bind(&["192.168.1.5"], &[], "192.168.1.5", 5000, "ok");
        check_bind(&["192.168.1.5"], &[], "::ffff:192.168.1.5", 5000, "ok");
        check_bind(&["192.168.1.5"], &[], "192.168.1.6", 5000, "bind_address");
        check_bind(&["192.168.1.5"], &[], "192.168.1.5", 443, "privileged_port");
        check_bind(&[], &["10.0.0.0/8"], "10.0.0.1", 5000, "bind_address");
        check_bind(&[], &["0.0.0.0/0", "::/0"], "8.8.8.8", 5000, "bind_address");
        check_bind(&[], &[], "::127.0.0.1", 5000, "bind_address");
    }

    #[track_caller]
    fn check_cidr(input: &str, expect: Result<&str, &str>) {
        let got = input
            .parse::<Cidr>()
            .map(|c| c.to_string())
            .map_err(|e| e.to_string());
        let expect = expect.map(str::to_owned).map_err(str::to_owned);
        assert_eq!(got, expect, "parsing {input:?}");
    }

    #[test]
    fn cidr_parsing() {
        check_cidr("10.0.0.0/8", Ok("10.0.0.0/8"));
        check_cidr("192.168.1.7", Ok("192.168.1.7/32"));
        check_cidr("0.0.0.0/0", Ok("0.0.0.0/0"));
        check_cidr("fe80::1/128", Ok("fe80::1/128"));
        check_cidr("::1", Ok("::1/128"));
        check_cidr("::/0", Ok("::/0"));
        check_cidr("2001:DB8::/32", Ok("2001:db8::/32"));
        check_cidr("10.0.0.0/008", Ok("10.0.0.0/8"));
        check_cidr(
            "10.0.0.0/33",
            Err(
                "invalid CIDR \"10.0.0.0/33\": the prefix length of an IPv4 network is 0 to 32, \
                 e.g. 10.0.0.0/8",
            ),
        );
        check_cidr(
            "fe80::/129",
            Err(
                "invalid CIDR \"fe80::/129\": the prefix length of an IPv6 network is 0 to 128, \
                 e.g. fe80::/10",
            ),
        );
        for bad_prefix in [
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/-1",
            "10.0.0.0/x",
            "10.0.0.0/8/8",
        ] {
            let err = bad_prefix.parse::<Cidr>().unwrap_err();
            assert!(
                matches!(err, CidrError::Prefix { ipv6: false, .. }),
                "{bad_prefix}: {err}"
            );
        }
        check_cidr(
            "10.0.0/8",
            Err(
                "invalid CIDR \"10.0.0/8\": \"10.0.0\" is not an IPv4 or IPv6 address; write an \
                 address with an optional prefix length, e.g. 10.0.0.0/8, 192.168.1.7 or \
                 fe80::/10",
            ),
        );
        for bad_address in [
            "",
            "/8",
            "127.1",
            "0x7f.0.0.1",
            "2130706433",
            "localhost",
            " ::1",
            "fe80::1%eth0",
            "[::1]",
            "10.0.0.256/32",
        ] {
            let err = bad_address.parse::<Cidr>().unwrap_err();
            assert!(
                matches!(err, CidrError::Address { .. }),
                "{bad_address:?}: {err}"
            );
        }
        check_cidr(
            "10.0.0.1/8",
            Err(
                "invalid CIDR \"10.0.0.1/8\": 10.0.0.1 has bits set beyond the /8 prefix; write \
                 the network as 10.0.0.0/8, or 10.0.0.1/32 for that one address",
            ),
        );
        check_cidr(
            "fe80::1/10",
            Err(
                "invalid CIDR \"fe80::1/10\": fe80::1 has bits set beyond the /10 prefix; write \
                 the network as fe80::/10, or fe80::1/128 for that one address",
            ),
        );
        check_cidr(
            "::ffff:10.0.0.0/104",
            Err(
                "invalid CIDR \"::ffff:10.0.0.0/104\": IPv4-mapped addresses are judged as the \
                 IPv4 address they carry, so this network would never match; write it as \
                 10.0.0.0/8",
            ),
        );
        check_cidr(
            "::ffff:127.0.0.1",
            Err(
                "invalid CIDR \"::ffff:127.0.0.1\": IPv4-mapped addresses are judged as the IPv4 \
                 address they carry, so this network would never match; write it as \
                 127.0.0.1/32",
            ),
        );
        // Below /96 a network is not made of mapped addresses: an ordinary IPv6 network.
        check_cidr("::fffe:0:0/95", Ok("::fffe:0:0/95"));
        let err = "::ffff:0:0/95".parse::<Cidr>().unwrap_err();
        assert!(matches!(err, CidrError::HostBits { .. }), "{err}");
    }

    #[test]
    fn cidr_contains_and_is_single() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.255.255.255".parse().unwrap()));
        assert!(!net.contains("9.255.255.255".parse().unwrap()));
        assert!(!net.contains("::a00:1".parse().unwrap()));
        assert!(!net.is_single());
        assert!("10.0.0.1".parse::<Cidr>().unwrap().is_single());
        assert!("::1/128".parse::<Cidr>().unwrap().is_single());
        assert!(!"::/0".parse::<Cidr>().unwrap().is_single());
        assert_eq!(net.network(), "10.0.0.0".parse::<IpAddr>().unwrap());
        assert_eq!(net.prefix_len(), 8);
    }

    /// One of each refusal, and the words its message must contain to say what to do.
    fn every_refusal() -> Vec<(Refusal, &'static [&'static str])> {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        vec![
            (
                Refusal::Unspecified {
                    ip: ip("0.0.0.0"),
                    call: Destination::Connect,
                },
                &["connect to 0.0.0.0", "127.0.0.1", "::1"],
            ),
            (
                Refusal::Unspecified {
                    ip: ip("::ffff:0.0.0.0"),
                    call: Destination::Sendto,
                },
                &["sendto ::ffff:0.0.0.0", "127.0.0.1", "::1"],
            ),
            (
                Refusal::LinkLocal {
                    ip: ip("169.254.169.254"),
                    metadata: true,
                    call: Destination::Connect,
                },
                &["--allow 169.254.169.254/32", "metadata"],
            ),
            (
                Refusal::LinkLocal {
                    ip: ip("fe80::1"),
                    metadata: false,
                    call: Destination::Sendto,
                },
                &["--allow fe80::1/128", "link-local"],
            ),
            (
                Refusal::NotAllowed {
                    ip: ip("10.0.0.1"),
                    call: Destination::Connect,
                },
                &["--allow 10.0.0.1/32", "only connects to"],
            ),
            (
                Refusal::NotAllowed {
                    ip: ip("10.0.0.1"),
                    call: Destination::Getnameinfo,
                },
                &[
                    "getnameinfo of 10.0.0.1",
                    "only looks up",
                    "--allow 10.0.0.1/32",
                ],
            ),
            (
                Refusal::NotAllowed {
                    ip: ip("::ffff:10.0.0.1"),
                    call: Destination::Connect,
                },
                &[
                    "::ffff:10.0.0.1 (the IPv4 address 10.0.0.1)",
                    "--allow 10.0.0.1/32",
                ],
            ),
            (
                Refusal::NotAllowed {
                    ip: ip("2001:db8::1"),
                    call: Destination::Sendto,
                },
                &[
                    "--allow 2001:db8::1/128",
                    "sendto 2001:db8::1",
                    "only sends to",
                ],
            ),
            (
                Refusal::BindAddress {
                    ip: ip("0.0.0.0"),
                    lan: vec![],
                },
                &["'127.0.0.1'", "'' and 0.0.0.0"],
            ),
            (
                Refusal::BindAddress {
                    ip: ip("::"),
                    lan: vec![],
                },
                &["'127.0.0.1'", "'' and ::"],
            ),
            (
                Refusal::BindAddress {
                    ip: ip("10.0.0.1"),
                    lan: vec![],
                },
                &["'127.0.0.1'", "loopback only"],
            ),
            (
                Refusal::BindAddress {
                    ip: ip("0.0.0.0"),
                    lan: vec![ip("192.168.1.5"), ip("10.1.2.3")],
                },
                &["'127.0.0.1'", "'192.168.1.5', '10.1.2.3'"],
            ),
            (Refusal::PrivilegedPort { port: 80 }, &["1024", "use 0"]),
            (
                Refusal::Classroom {
                    ip: ip("127.0.0.1"),
                    port: 5432,
                    call: Destination::Connect,
                },
                &["connect to 127.0.0.1 port 5432", "--lan-allow 5432"],
            ),
            (
                Refusal::UnboundListen { ipv6: false },
                &["s.bind(('127.0.0.1', 0))", "every network interface"],
            ),
            (
                Refusal::UnboundListen { ipv6: true },
                &["s.bind(('::1', 0))"],
            ),
            (
                Refusal::PortInUse {
                    ip: ip("127.0.0.1"),
                    port: 5353,
                },
                &["another program", "or 0 for any free one"],
            ),
            (
                Refusal::LinkLocal {
                    ip: ip("64:ff9b::a9fe:a9fe"),
                    metadata: true,
                    call: Destination::Connect,
                },
                &[
                    "64:ff9b::a9fe:a9fe (which carries the IPv4 address 169.254.169.254)",
                    "--allow 64:ff9b::a9fe:a9fe/128",
                ],
            ),
            (
                Refusal::SocketKind {
                    family: 2,
                    socktype: 1,
                    proto: 262,
                },
                &["proto=262", "17 (IPPROTO_UDP)"],
            ),
            (
                Refusal::SocketOption {
                    level: 1,
                    option: 15,
                },
                &["SO_REUSEPORT would let"],
            ),
        ]
    }

    #[test]
    fn every_refusal_says_what_to_do() {
        for (refusal, words) in every_refusal() {
            let message = refusal.message();
            for word in words {
                assert!(
                    message.contains(word),
                    "{refusal:?}: {message:?} lacks {word:?}"
                );
            }
            assert_eq!(refusal.to_string(), message);
            assert_eq!(
                refusal.python(),
                format!("PermissionError: [socklab] {message}")
            );
            assert!(refusal.python().starts_with("PermissionError: [socklab] "));
        }
    }

    #[test]
    fn refusal_messages_exactly() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let not_allowed = |call| Refusal::NotAllowed {
            ip: ip("10.0.0.1"),
            call,
        };
        assert_eq!(
            not_allowed(Destination::Connect).python(),
            "PermissionError: [socklab] connect to 10.0.0.1 refused: socklab only connects to \
             loopback (127.0.0.0/8, ::1) and its own demo peers; restart it with --allow \
             10.0.0.1/32 to allow this address"
        );
        assert_eq!(
            not_allowed(Destination::Sendto).python(),
            "PermissionError: [socklab] sendto 10.0.0.1 refused: socklab only sends to \
             loopback (127.0.0.0/8, ::1) and its own demo peers; restart it with --allow \
             10.0.0.1/32 to allow this address"
        );
        assert_eq!(
            Refusal::PrivilegedPort { port: 80 }.message(),
            "bind to port 80 refused: ports below 1024 are privileged; socklab refuses them: use \
             0 for any free port, or a port from 1024 to 65535"
        );
    }

    #[test]
    fn refusal_on_the_wire() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let refusal = Refusal::LinkLocal {
            ip: ip("169.254.169.254"),
            metadata: true,
            call: Destination::Sendto,
        };
        let json = serde_json::to_string(&refusal).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"link_local","ip":"169.254.169.254","metadata":true,"call":"sendto"}"#
        );
        let bind = Refusal::BindAddress {
            ip: ip("::"),
            lan: vec![ip("192.168.1.5")],
        };
        assert_eq!(
            serde_json::to_string(&bind).unwrap(),
            r#"{"kind":"bind_address","ip":"::","lan":["192.168.1.5"]}"#
        );
        for (refusal, _) in every_refusal() {
            let json = serde_json::to_string(&refusal).unwrap();
            assert_eq!(
                serde_json::from_str::<Refusal>(&json).unwrap(),
                refusal,
                "{json}"
            );
        }
    }
}
