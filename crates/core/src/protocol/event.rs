//! What happens on the wire while no call asks: the demo peers the companion runs
//! ([`PeerKind`]), what they do ([`PeerAction`]), and the events pushed to the page
//! ([`SocketEvent`]).

use super::SockId;
use serde::{Deserialize, Serialize};

/// The demo services the companion runs itself, on loopback, for one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerKind {
    /// TCP: sends back whatever it reads.
    EchoTcp,
    /// UDP: sends every datagram back to its sender.
    EchoUdp,
    /// TCP: accepts and never answers nor closes (for timeouts).
    Silent,
    /// TCP: accepts, then aborts with `SO_LINGER` 0 (an RST: ConnectionResetError).
    Reset,
    /// TCP: reads to EOF, answers with what it read, then closes (half-close lesson).
    HalfClose,
    /// TCP: reads one message framed as a 2-byte big-endian header length, a UTF-8 JSON header
    /// with `content-length`, and a body; answers in the same framing.
    AppProtocol,
}

impl PeerKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [PeerKind; 6] = [
        PeerKind::EchoTcp,
        PeerKind::EchoUdp,
        PeerKind::Silent,
        PeerKind::Reset,
        PeerKind::HalfClose,
        PeerKind::AppProtocol,
    ];

    /// The wire name: `echo_tcp`.
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::EchoTcp => "echo_tcp",
            PeerKind::EchoUdp => "echo_udp",
            PeerKind::Silent => "silent",
            PeerKind::Reset => "reset",
            PeerKind::HalfClose => "half_close",
            PeerKind::AppProtocol => "app_protocol",
        }
    }
}

/// Something that happened on its own, pushed to the page as it happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SocketEvent {
    /// Data arrived on a session socket and waits to be read.
    Data {
        /// The socket.
        sock: SockId,
        /// Bytes waiting in the receive buffer now.
        available: u64,
    },
    /// The peer closed its side: `recv` will return `b''`.
    PeerClosed {
        /// The socket.
        sock: SockId,
    },
    /// The connection was reset: `recv` will raise ConnectionResetError.
    Reset {
        /// The socket.
        sock: SockId,
    },
    /// A listening socket has a connection waiting for `accept()`.
    Incoming {
        /// The listening socket.
        sock: SockId,
    },
    /// Something a demo peer did.
    Peer {
        /// Which peer.
        peer: PeerKind,
        /// What it did.
        what: PeerAction,
    },
}

/// What a demo peer did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PeerAction {
    /// It accepted a connection from this address.
    Accepted {
        /// The client's address tuple, as Python prints it.
        from: String,
    },
    /// It read this many bytes.
    Received {
        /// How many.
        bytes: u64,
    },
    /// It read end-of-file: the client shut down its sending side or closed.
    ReadEof,
    /// It sent this many bytes.
    Sent {
        /// How many.
        bytes: u64,
    },
    /// It closed the connection normally (FIN).
    Closed,
    /// It aborted the connection (RST).
    Aborted,
}
