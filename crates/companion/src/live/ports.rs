//! Who holds a port: the kernel's socket tables (`/proc/net/tcp`, `udp` and their `6`
//! twins), read so that `bind` never joins a port a socket outside the session is using.
//!
//! With `SO_REUSEADDR` on both sockets, Linux lets a UDP socket bind beside another one on the
//! same address and port, and the newcomer then receives the other's datagrams; `SO_REUSEPORT`
//! (which socklab refuses) would do the same for TCP listeners. The tables list every socket of
//! this network namespace, whoever owns it, with its inode; the session's own sockets are
//! recognised by theirs. Sockets no process holds any more (inode 0: TIME_WAIT and the orphans
//! of a close) block nobody: they are what the TIME_WAIT restart lesson binds over.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One line of a table: the local address and the socket's inode (0 when no process has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) local: SocketAddr,
    pub(crate) inode: u64,
}

/// The kernel's `/proc/net` address: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in
/// the host's byte order, then `:` and the port in hex.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_ne_bytes())
    };
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut octets = [0u8; 16];
            for i in 0..4 {
                octets[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// The sockets a table lists (its header line and anything malformed are skipped).
pub(crate) fn parse_table(text: &str) -> Vec<Holder> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            Some(Holder {
                local: parse_address(fields.get(1)?)?,
                inode: fields.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// Whether binding `addr` would join a port that a socket outside `own` (inodes) holds: a
/// socket some process has, on the same port, at the same address or where either address is
/// the wildcard (IPv4-mapped addresses are compared as IPv4).
pub(crate) fn conflicts(holders: &[Holder], addr: SocketAddr, own: &[u64]) -> bool {
    let ip = addr.ip().to_canonical();
    holders.iter().any(|h| {
        let other = h.local.ip().to_canonical();
        h.inode != 0
            && !own.contains(&h.inode)
            && h.local.port() == addr.port()
            && (other == ip || other.is_unspecified() || ip.is_unspecified())
    })
}

/// [`conflicts`] against the live tables of the kind of `socktype` (TCP or UDP, both families).
pub(crate) fn held_by_others(socktype: i32, addr: SocketAddr, own: &[u64]) -> io::Result<bool> {
    let proto = if socktype == libc::SOCK_DGRAM {
        "udp"
    } else {
        "tcp"
    };
    let mut holders = Vec::new();
    for table in [proto.to_owned(), format!("{proto}6")] {
        match std::fs::read_to_string(format!("/proc/net/{table}")) {
            Ok(text) => holders.extend(parse_table(&text)),
            // A kernel without IPv6 has no tcp6/udp6 table.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(conflicts(&holders, addr, own))
}

/// The inode of the socket behind a descriptor (`socket:[12345]` in `/proc/self/fd`).
pub(crate) fn inode(fd: &impl std::os::fd::AsRawFd) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).ok()?;
    link.to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UDP: &str = "\
   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 0
  101: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5151 2 0000000000000000 0
  102: 0100007F:2328 0100007F:9C40 06 00000000:00000000 03:00001000 00000000     0        0 0 3 0000000000000000
  garbage
";
    const UDP6: &str = "\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
   5: 00000000000000000000000001000000:2710 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0
   6: 0000000000000000FFFF00000100007F:2711 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 778 2 0000000000000000 0
";

    fn at(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn tables_parse_as_the_kernel_writes_them() {
        let v4 = parse_table(UDP);
        assert_eq!(
            v4,
            vec![
                Holder {
                    local: at("127.0.0.1:5353"),
                    inode: 4242
                },
                Holder {
                    local: at("0.0.0.0:8080"),
                    inode: 5151
                },
                Holder {
                    local: at("127.0.0.1:9000"),
                    inode: 0
                },
            ]
        );
        let v6 = parse_table(UDP6);
        assert_eq!(v6[0].local, at("[::1]:10000"));
        assert_eq!(v6[1].local, at("[::ffff:127.0.0.1]:10001"));
    }

    #[test]
    fn who_blocks_a_bind() {
        let mut holders = parse_table(UDP);
        holders.extend(parse_table(UDP6));
        let check = |addr: &str, own: &[u64]| conflicts(&holders, at(addr), own);
        // Someone else's socket on that address and port, or on the wildcard.
        assert!(check("127.0.0.1:5353", &[]));
        assert!(check("[::ffff:127.0.0.1]:5353", &[]));
        assert!(check("127.0.0.1:8080", &[]));
        assert!(check("127.0.0.2:8080", &[]));
        assert!(check("[::1]:10000", &[]));
        assert!(check("127.0.0.1:10001", &[]));
        // The session's own socket, another address, another port: free.
        assert!(!check("127.0.0.1:5353", &[4242]));
        assert!(!check("127.0.0.2:5353", &[]));
        assert!(!check("127.0.0.1:5354", &[]));
        assert!(!check("[::1]:10001", &[]));
        // A socket no process holds (TIME_WAIT, an orphan) blocks nobody.
        assert!(!check("127.0.0.1:9000", &[]));
    }

    #[test]
    fn a_socket_knows_its_inode() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let inode = inode(&socket).expect("an inode");
        let table = parse_table(&std::fs::read_to_string("/proc/net/udp").unwrap());
        assert!(table
            .iter()
            .any(|h| h.inode == inode && h.local.port() == port));
        assert!(held_by_others(libc::SOCK_DGRAM, at(&format!("127.0.0.1:{port}")), &[]).unwrap());
        assert!(
            !held_by_others(libc::SOCK_DGRAM, at(&format!("127.0.0.1:{port}")), &[inode]).unwrap()
        );
    }
}
