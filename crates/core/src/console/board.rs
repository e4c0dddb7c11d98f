//! What the console draws beside the panes: every socket with its state ([`SockRow`]), and a
//! sequence diagram ([`Arrow`]s between the panes and the demo peers), both built from the
//! calls the panes made and the events the companion pushed, as they happen.
//!
//! The board never asks the kernel anything itself. It reads what a call was and how it ended,
//! which is exactly what the learner saw, plus the local and remote addresses the page looks up
//! after a call that changes them ([`Board::named`]).

use crate::protocol::call::{Address, Call, Method, ModuleCall, Timeout};
use crate::protocol::{
    hex_decode, CallOutcome, PeerAction, PeerKind, PyReturn, SockId, SocketEvent,
};
use crate::pyliteral::PyValue;

/// Where a socket is in its life, as the lessons name the states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockState {
    /// `socket.socket()` made it; nothing else yet.
    Created,
    /// `bind()` gave it a local address.
    Bound,
    /// `listen()`: it waits for connections.
    Listening,
    /// Connected (by `connect()` or `accept()`), both directions open.
    Connected,
    /// A UDP socket (datagrams, no connection).
    Datagram,
    /// It was reset (RST): `recv()` raises ConnectionResetError.
    Reset,
    /// `close()`.
    Closed,
}

impl SockState {
    /// The catalog key of the state's name.
    pub fn key(self) -> &'static str {
        match self {
            SockState::Created => "con.st_created",
            SockState::Bound => "con.st_bound",
            SockState::Listening => "con.st_listening",
            SockState::Connected => "con.st_connected",
            SockState::Datagram => "con.st_datagram",
            SockState::Reset => "con.st_reset",
            SockState::Closed => "con.st_closed",
        }
    }
}

/// One socket of the console, as the socket panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SockRow {
    /// The companion's name for it.
    pub id: SockId,
    /// The pane that made or accepted it (0-based).
    pub pane: usize,
    /// TCP (`SOCK_STREAM`) or not.
    pub stream: bool,
    /// IPv6.
    pub v6: bool,
    /// The state.
    pub state: SockState,
    /// This side sent its FIN (`shutdown(SHUT_WR)`): it can still read.
    pub fin_sent: bool,
    /// The peer's FIN arrived: `recv()` gives `b''` once the buffer is read.
    pub peer_closed: bool,
    /// `getsockname()`, as Python prints it, once known.
    pub local: Option<String>,
    /// `getpeername()` (or the address accepted from), once known.
    pub remote: Option<String>,
    /// What `gettimeout()` returns: `None`, `0.0`, `2.5`.
    pub timeout: String,
    /// Bytes in the receive buffer, as the companion last reported them.
    pub unread: u64,
    /// A listener with a connection waiting for `accept()`.
    pub incoming: bool,
    /// Where its connection goes (for the diagram).
    remote_lane: Option<Lane>,
    /// The port it is bound to, once known (to pair a connect with a listener).
    port: Option<u16>,
    /// For an accepted socket whose client is not known yet: its listener, and the index of
    /// its "accepted" arrow (the client's connect may be reported after the accept).
    unpaired: Option<(SockId, usize)>,
}

/// A column of the sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// A console pane (0-based).
    Pane(usize),
    /// A demo peer of the companion's.
    Peer(PeerKind),
    /// Anything else: a port nobody here listens on, another program.
    Elsewhere,
}

/// What an arrow of the diagram carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// `connect()`: the handshake's SYN.
    Connect,
    /// The connection was accepted (the handshake completed, `accept()` returned it).
    Accept,
    /// Data: this many bytes.
    Data(u64),
    /// A datagram of this many bytes.
    Datagram(u64),
    /// FIN: no more data in this direction.
    Fin,
    /// RST: the connection is aborted (or refused).
    Rst,
}

impl Signal {
    /// The catalog key of the arrow's label (`{n}` is the byte count).
    pub fn key(self) -> &'static str {
        match self {
            Signal::Connect => "con.sig_connect",
            Signal::Accept => "con.sig_accept",
            Signal::Data(_) => "con.sig_data",
            Signal::Datagram(_) => "con.sig_datagram",
            Signal::Fin => "con.sig_fin",
            Signal::Rst => "con.sig_rst",
        }
    }

    /// The byte count it carries, if any.
    pub fn bytes(self) -> Option<u64> {
        match self {
            Signal::Data(n) | Signal::Datagram(n) => Some(n),
            _ => None,
        }
    }
}

/// One arrow of the sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// Who sent it.
    pub from: Lane,
    /// Who it went to.
    pub to: Lane,
    /// What it carried.
    pub signal: Signal,
}

/// The sockets and the diagram of one console.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    rows: Vec<SockRow>,
    arrows: Vec<Arrow>,
    peers: Vec<(PeerKind, u16)>,
    /// Connections a pane made to another pane's listener, not yet accepted: (client, listener).
    unaccepted: Vec<(SockId, SockId)>,
}

/// The port of an address argument, if it has one.
fn port_of(address: &Address) -> Option<u16> {
    match address {
        Address::Tuple(items) => match items.get(1) {
            Some(PyValue::Int(n)) => u16::try_from(n.to_i128()?).ok(),
            _ => None,
        },
        Address::Other(_) => None,
    }
}

/// The port at the end of an address tuple as Python prints it: `('127.0.0.1', 5000)`.
fn port_in_repr(repr: &str) -> Option<u16> {
    let inner = repr.strip_prefix('(')?.strip_suffix(')')?;
    let mut items = inner.split(", ");
    items.nth(1)?.trim().parse().ok()
}

impl Board {
    /// An empty board.
    pub fn new() -> Board {
        Board::default()
    }

    /// The sockets, in the order they were made.
    pub fn rows(&self) -> &[SockRow] {
        &self.rows
    }

    /// The diagram's arrows, oldest first.
    pub fn arrows(&self) -> &[Arrow] {
        &self.arrows
    }

    /// The diagram's columns: the panes (always), then the peers and "elsewhere" that any arrow
    /// touches, in the order they first appeared.
    pub fn lanes(&self, panes: usize) -> Vec<Lane> {
        let mut lanes: Vec<Lane> = (0..panes).map(Lane::Pane).collect();
        for a in &self.arrows {
            for lane in [a.from, a.to] {
                if !lanes.contains(&lane) {
                    lanes.push(lane);
                }
            }
        }
        lanes
    }

    /// A demo peer listens on this port (the page asked the companion to start it).
    pub fn peer_started(&mut self, kind: PeerKind, port: u16) {
        self.peers.retain(|(k, _)| *k != kind);
        self.peers.push((kind, port));
    }

    /// Forgets everything: the companion session that owned the sockets has ended.
    pub fn clear(&mut self) {
        *self = Board::default();
    }

    /// A pane was removed (its sockets closed): its rows and the arrows to or from it go, and
    /// the panes after it move up one, rows and arrows with them, as the page renumbers them.
    pub fn pane_removed(&mut self, pane: usize) {
        self.rows.retain(|r| r.pane != pane);
        for row in &mut self.rows {
            if row.pane > pane {
                row.pane -= 1;
            }
        }
        let gone = Lane::Pane(pane);
        self.arrows.retain(|a| a.from != gone && a.to != gone);
        let shift = |lane: &mut Lane| {
            if let Lane::Pane(j) = lane {
                if *j > pane {
                    *j -= 1;
                }
            }
        };
        for a in &mut self.arrows {
            shift(&mut a.from);
            shift(&mut a.to);
        }
        let ids: Vec<SockId> = self.rows.iter().map(|r| r.id).collect();
        self.unaccepted
            .retain(|(client, listener)| ids.contains(client) && ids.contains(listener));
    }

    /// A pane was restarted (its sockets closed): its rows show closed; the diagram keeps what
    /// already crossed the wire.
    pub fn pane_restarted(&mut self, pane: usize) {
        for row in self.rows.iter_mut().filter(|r| r.pane == pane) {
            row.state = SockState::Closed;
        }
    }

    fn row(&mut self, id: SockId) -> Option<&mut SockRow> {
        self.rows.iter_mut().find(|r| r.id == id)
    }

    fn lane_of_sock(&self, id: SockId) -> Lane {
        self.rows
            .iter()
            .find(|r| r.id == id)
            .map_or(Lane::Elsewhere, |r| Lane::Pane(r.pane))
    }

    /// Who listens on `port`: a pane's listener, a demo peer, or nobody we know.
    fn lane_at_port(&self, port: Option<u16>) -> (Lane, Option<SockId>) {
        let Some(port) = port else {
            return (Lane::Elsewhere, None);
        };
        if let Some(l) = self
            .rows
            .iter()
            .find(|r| r.port == Some(port) && r.state == SockState::Listening)
        {
            return (Lane::Pane(l.pane), Some(l.id));
        }
        if let Some((kind, _)) = self.peers.iter().find(|(_, p)| *p == port) {
            return (Lane::Peer(*kind), None);
        }
        if let Some(r) = self.rows.iter().find(|r| r.port == Some(port) && !r.stream) {
            return (Lane::Pane(r.pane), Some(r.id));
        }
        (Lane::Elsewhere, None)
    }

    fn arrow(&mut self, from: Lane, to: Lane, signal: Signal) {
        self.arrows.push(Arrow { from, to, signal });
    }

    /// A call pane `pane` made, and how it ended.
    pub fn call(&mut self, pane: usize, call: &Call, outcome: &CallOutcome) {
        let here = Lane::Pane(pane);
        let returned = match outcome {
            CallOutcome::Returned { value } => Some(value),
            _ => None,
        };
        let raised = match outcome {
            CallOutcome::Raised(r) => Some(r),
            _ => None,
        };
        match call {
            Call::Module(ModuleCall::Socket {
                family, socktype, ..
            }) => {
                if let Some(PyReturn::Socket { sock, .. }) = returned {
                    let stream = *socktype & 0xf == 1;
                    self.rows.push(SockRow {
                        id: *sock,
                        pane,
                        stream,
                        v6: *family == 10,
                        state: if stream {
                            SockState::Created
                        } else {
                            SockState::Datagram
                        },
                        fin_sent: false,
                        peer_closed: false,
                        local: None,
                        remote: None,
                        timeout: "None".to_owned(),
                        unread: 0,
                        incoming: false,
                        remote_lane: None,
                        port: None,
                        unpaired: None,
                    });
                }
            }
            Call::Module(_) => {}
            Call::Method { sock, method } => self.method(here, *sock, method, returned, raised),
        }
    }

    fn method(
        &mut self,
        here: Lane,
        sock: SockId,
        method: &Method,
        returned: Option<&PyReturn>,
        raised: Option<&crate::protocol::Raised>,
    ) {
        let ok = returned.is_some();
        let errno = raised.and_then(|r| r.errno);
        if let Some(t) = method.timeout().filter(|_| ok) {
            if let Some(row) = self.row(sock) {
                row.timeout = match t {
                    Timeout::Blocking => "None".to_owned(),
                    Timeout::NonBlocking => "0.0".to_owned(),
                    Timeout::After(d) => crate::pyrepr::float_repr(d.as_secs_f64()),
                };
            }
            return;
        }
        match method {
            Method::Bind(address) if ok => {
                let port = port_of(address).filter(|p| *p != 0);
                if let Some(row) = self.row(sock) {
                    if row.stream {
                        row.state = SockState::Bound;
                    }
                    row.port = port.or(row.port);
                }
            }
            Method::Listen { .. } if ok => {
                if let Some(row) = self.row(sock) {
                    row.state = SockState::Listening;
                }
            }
            Method::Accept => {
                if let Some(PyReturn::Accepted {
                    sock: new, address, ..
                }) = returned
                {
                    let listener_local = self
                        .rows
                        .iter()
                        .find(|r| r.id == sock)
                        .and_then(|r| r.local.clone());
                    let pane = match here {
                        Lane::Pane(p) => p,
                        _ => 0,
                    };
                    // The client: a pane's socket whose local port is the address accepted, or
                    // else the oldest connection to this listener not yet accepted (the page
                    // may not know the client's port yet).
                    let from_port = port_in_repr(address);
                    let by_port = self
                        .rows
                        .iter()
                        .find(|r| {
                            r.port.is_some()
                                && r.port == from_port
                                && r.stream
                                && r.state == SockState::Connected
                        })
                        .map(|r| r.id);
                    let queued = self
                        .unaccepted
                        .iter()
                        .position(|(c, l)| *l == sock && by_port.is_none_or(|p| p == *c));
                    let client_id = by_port.or_else(|| queued.map(|i| self.unaccepted[i].0));
                    if let Some(i) = queued {
                        self.unaccepted.remove(i);
                    }
                    let client = client_id
                        .and_then(|id| self.rows.iter().find(|r| r.id == id))
                        .map(|r| (r.id, r.pane));
                    let remote_lane = client.map_or(Lane::Elsewhere, |(_, p)| Lane::Pane(p));
                    if let Some(row) = self.row(sock) {
                        row.incoming = false;
                    }
                    self.rows.push(SockRow {
                        id: *new,
                        pane,
                        stream: true,
                        v6: false,
                        state: SockState::Connected,
                        fin_sent: false,
                        peer_closed: false,
                        local: listener_local,
                        remote: Some(address.clone()),
                        timeout: "None".to_owned(),
                        unread: 0,
                        incoming: false,
                        remote_lane: Some(remote_lane),
                        port: None,
                        unpaired: client.is_none().then_some((sock, self.arrows.len())),
                    });
                    self.arrow(here, remote_lane, Signal::Accept);
                }
            }
            Method::Connect { address, ex } => {
                let (target, listener) = self.lane_at_port(port_of(address));
                let stream = self
                    .rows
                    .iter()
                    .find(|r| r.id == sock)
                    .is_none_or(|r| r.stream);
                let succeeded = match returned {
                    Some(PyReturn::Int { value }) if *ex => *value == 0,
                    Some(_) => true,
                    None => false,
                };
                let refused = errno == Some(111)
                    || matches!(returned, Some(PyReturn::Int { value: 111 }) if *ex);
                if let Some(row) = self.row(sock) {
                    if succeeded || !stream {
                        row.remote_lane = Some(target);
                        if stream {
                            row.state = SockState::Connected;
                        }
                    }
                }
                // The server's accept() may have been reported first: pair with it, and draw
                // the connect before its "accepted".
                let accepted_first = match (succeeded && stream, listener) {
                    (true, Some(l)) => self
                        .rows
                        .iter()
                        .position(|r| r.unpaired.is_some_and(|(by, _)| by == l)),
                    _ => None,
                };
                if let Some(i) = accepted_first {
                    let (_, at) = self.rows[i].unpaired.take().unwrap_or_default();
                    self.rows[i].remote_lane = Some(here);
                    if let Some(a) = self.arrows.get_mut(at) {
                        a.to = here;
                    }
                    self.arrows.insert(
                        at,
                        Arrow {
                            from: here,
                            to: target,
                            signal: Signal::Connect,
                        },
                    );
                    for r in &mut self.rows {
                        if let Some((_, later)) = r.unpaired.as_mut().filter(|(_, a)| *a >= at) {
                            *later += 1;
                        }
                    }
                } else if let (true, true, Some(listener)) = (succeeded, stream, listener) {
                    self.unaccepted.push((sock, listener));
                }
                if stream && accepted_first.is_none() && (succeeded || refused || raised.is_some())
                {
                    self.arrow(here, target, Signal::Connect);
                    if refused {
                        self.arrow(target, here, Signal::Rst);
                    }
                }
            }
            Method::Send { data, .. } => {
                let sent = match returned {
                    Some(PyReturn::Int { value }) => u64::try_from(*value).unwrap_or(0),
                    Some(_) => data.len() as u64,
                    None => return,
                };
                let Some(row) = self.rows.iter().find(|r| r.id == sock) else {
                    return;
                };
                let to = row.remote_lane.unwrap_or(Lane::Elsewhere);
                let signal = if row.stream {
                    Signal::Data(sent)
                } else {
                    Signal::Datagram(sent)
                };
                self.arrow(here, to, signal);
            }
            Method::Sendto { data, address } if ok => {
                let (to, _) = self.lane_at_port(port_of(address));
                self.arrow(here, to, Signal::Datagram(data.len() as u64));
            }
            Method::Recv { .. } => {
                let got = match returned {
                    Some(PyReturn::Bytes { hex } | PyReturn::Received { hex, .. }) => {
                        Some(hex_decode(hex).len() as u64)
                    }
                    _ => None,
                };
                let reset = errno == Some(104);
                if let Some(row) = self.row(sock) {
                    if let Some(n) = got {
                        row.unread = row.unread.saturating_sub(n);
                        if n == 0 && row.stream {
                            row.peer_closed = true;
                        }
                    }
                    if reset {
                        row.state = SockState::Reset;
                    }
                }
            }
            Method::Shutdown(how) if ok && (*how == 1 || *how == 2) => {
                let Some(row) = self.row(sock) else { return };
                if row.fin_sent || row.state != SockState::Connected {
                    return;
                }
                row.fin_sent = true;
                let to = row.remote_lane.unwrap_or(Lane::Elsewhere);
                self.arrow(here, to, Signal::Fin);
            }
            Method::Close if ok => {
                let Some(row) = self.row(sock) else { return };
                let was = row.state;
                row.state = SockState::Closed;
                row.incoming = false;
                let to = row.remote_lane.unwrap_or(Lane::Elsewhere);
                // Closing with unread data makes Linux abort the connection (RST), not end it.
                let signal = if row.unread > 0 {
                    Some(Signal::Rst)
                } else if !row.fin_sent {
                    Some(Signal::Fin)
                } else {
                    None
                };
                if was == SockState::Connected {
                    if let Some(signal) = signal {
                        self.arrow(here, to, signal);
                    }
                }
            }
            _ => {}
        }
    }

    /// What `getsockname()` (and, for a connected socket, `getpeername()`) said after a call
    /// that changes them.
    pub fn named(&mut self, sock: SockId, local: Option<String>, remote: Option<String>) {
        if let Some(row) = self.row(sock) {
            if let Some(local) = local {
                row.port = port_in_repr(&local).filter(|p| *p != 0).or(row.port);
                row.local = Some(local);
            }
            if remote.is_some() {
                row.remote = remote;
            }
        }
    }

    /// An event the companion pushed.
    pub fn event(&mut self, event: &SocketEvent) {
        match event {
            SocketEvent::Data { sock, available } => {
                if let Some(row) = self.row(*sock) {
                    row.unread = *available;
                }
            }
            SocketEvent::PeerClosed { sock } => {
                let lane = self.lane_of_sock(*sock);
                let Some(row) = self.row(*sock) else { return };
                if row.peer_closed {
                    return;
                }
                row.peer_closed = true;
                // A pane's own close drew its FIN already; draw only what others sent.
                if let Some(from @ (Lane::Peer(_) | Lane::Elsewhere)) = row.remote_lane {
                    self.arrow(from, lane, Signal::Fin);
                }
            }
            SocketEvent::Reset { sock } => {
                let lane = self.lane_of_sock(*sock);
                let Some(row) = self.row(*sock) else { return };
                if row.state == SockState::Closed {
                    return;
                }
                row.state = SockState::Reset;
                if let Some(from @ (Lane::Peer(_) | Lane::Elsewhere)) = row.remote_lane {
                    self.arrow(from, lane, Signal::Rst);
                }
            }
            SocketEvent::Incoming { sock } => {
                if let Some(row) = self.row(*sock) {
                    row.incoming = true;
                }
            }
            SocketEvent::Peer { peer, what } => {
                // The pane socket most recently connected to this peer.
                let lane = Lane::Peer(*peer);
                let Some(to) = self
                    .rows
                    .iter()
                    .rev()
                    .find(|r| r.remote_lane == Some(lane))
                    .map(|r| Lane::Pane(r.pane))
                else {
                    return;
                };
                match what {
                    PeerAction::Sent { bytes } => {
                        let udp = *peer == PeerKind::EchoUdp;
                        let signal = if udp {
                            Signal::Datagram(*bytes)
                        } else {
                            Signal::Data(*bytes)
                        };
                        self.arrow(lane, to, signal);
                    }
                    PeerAction::Accepted { .. } => self.arrow(lane, to, Signal::Accept),
                    // FIN and RST are drawn from the socket's own events (peer_closed, reset).
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::call::Address;

    fn sock_call() -> Call {
        Call::Module(ModuleCall::Socket {
            family: 2,
            socktype: 1,
            proto: 0,
        })
    }
    fn made(id: SockId) -> CallOutcome {
        CallOutcome::Returned {
            value: PyReturn::Socket {
                sock: id,
                repr: String::new(),
            },
        }
    }
    fn none() -> CallOutcome {
        CallOutcome::Returned {
            value: PyReturn::None,
        }
    }
    fn m(sock: SockId, method: Method) -> Call {
        Call::Method { sock, method }
    }
    fn connect(port: u16) -> Method {
        Method::Connect {
            address: Address::inet("127.0.0.1", port),
            ex: false,
        }
    }
    fn accepted(sock: SockId, from_port: u16) -> CallOutcome {
        CallOutcome::Returned {
            value: PyReturn::Accepted {
                sock,
                repr: String::new(),
                address: format!("('127.0.0.1', {from_port})"),
            },
        }
    }
    fn arrows(b: &Board) -> Vec<(Lane, Lane, Signal)> {
        b.arrows()
            .iter()
            .map(|a| (a.from, a.to, a.signal))
            .collect()
    }
    /// Pane 0's socket 1 listens on port 5000; pane 1's socket 2 is made.
    fn server_and_client() -> Board {
        let mut b = Board::new();
        b.call(0, &sock_call(), &made(1));
        let bind = Method::Bind(Address::inet("127.0.0.1", 5000));
        b.call(0, &m(1, bind), &none());
        b.call(0, &m(1, Method::Listen { backlog: None }), &none());
        b.call(1, &sock_call(), &made(2));
        b
    }

    /// Removing pane 1 of three: its socket and its arrows go, pane 2's become pane 1's.
    #[test]
    fn removing_a_pane_renumbers_the_panes_after_it() {
        let mut b = server_and_client(); // socket 1 in pane 0 listens on 5000; socket 2 in pane 1
        b.call(2, &sock_call(), &made(4));
        b.call(1, &m(2, connect(5000)), &none());
        b.call(2, &m(4, connect(5000)), &none());
        b.pane_removed(1);
        let rows: Vec<(SockId, usize)> = b.rows().iter().map(|r| (r.id, r.pane)).collect();
        assert_eq!(rows, [(1, 0), (4, 1)]);
        assert_eq!(
            arrows(&b),
            [(Lane::Pane(1), Lane::Pane(0), Signal::Connect)]
        );
        // The client that is left is accepted as the one waiting.
        b.call(0, &m(1, Method::Accept), &accepted(5, 40001));
        assert_eq!(b.lanes(2), [Lane::Pane(0), Lane::Pane(1)]);
    }

    /// The echo lesson across two panes: server in pane 0, client in pane 1.
    #[test]
    fn two_panes_connect_send_and_close() {
        let mut b = server_and_client();
        assert_eq!(b.rows()[0].state, SockState::Listening);
        b.call(1, &m(2, connect(5000)), &none());
        b.event(&SocketEvent::Incoming { sock: 1 });
        assert!(b.rows()[0].incoming);
        b.call(0, &m(1, Method::Accept), &accepted(3, 40000));
        // The client's own address comes back after the accept (the page asks for it).
        b.named(
            2,
            Some("('127.0.0.1', 40000)".into()),
            Some("('127.0.0.1', 5000)".into()),
        );
        assert!(!b.rows()[0].incoming);
        let send = Method::Send {
            data: b"hello".to_vec(),
            all: true,
        };
        b.call(1, &m(2, send), &none());
        b.event(&SocketEvent::Data {
            sock: 3,
            available: 5,
        });
        assert_eq!(b.rows()[2].unread, 5);
        let got = CallOutcome::Returned {
            value: PyReturn::Bytes {
                hex: "68656c6c6f".into(),
            },
        };
        b.call(
            0,
            &m(
                3,
                Method::Recv {
                    bufsize: 1024,
                    from: false,
                },
            ),
            &got,
        );
        assert_eq!(b.rows()[2].unread, 0);
        b.call(1, &m(2, Method::Shutdown(1)), &none());
        assert!(b.rows()[1].fin_sent);
        b.event(&SocketEvent::PeerClosed { sock: 3 });
        b.call(0, &m(3, Method::Close), &none());
        let (p0, p1) = (Lane::Pane(0), Lane::Pane(1));
        assert_eq!(
            arrows(&b),
            vec![
                (p1, p0, Signal::Connect),
                (p0, p1, Signal::Accept),
                (p1, p0, Signal::Data(5)),
                (p1, p0, Signal::Fin),
                (p0, p1, Signal::Fin),
            ]
        );
        assert_eq!(b.rows()[2].state, SockState::Closed);
        assert_eq!(b.lanes(2), vec![p0, p1]);
    }

    /// The server's accept() can come back before the client's connect() does: the diagram
    /// still pairs them, in the order they happened.
    #[test]
    fn an_accept_reported_before_its_connect() {
        let mut b = server_and_client();
        b.call(0, &m(1, Method::Accept), &accepted(3, 40000));
        b.call(1, &m(2, connect(5000)), &none());
        b.event(&SocketEvent::PeerClosed { sock: 3 });
        let (p0, p1) = (Lane::Pane(0), Lane::Pane(1));
        assert_eq!(
            arrows(&b),
            vec![(p1, p0, Signal::Connect), (p0, p1, Signal::Accept)],
            "and the peer's close is the client pane's, not a FIN from elsewhere"
        );
    }

    #[test]
    fn refused_and_reset_and_unread_close() {
        let mut b = Board::new();
        b.call(0, &sock_call(), &made(1));
        let refused = CallOutcome::Raised(crate::protocol::Raised {
            class: "ConnectionRefusedError".into(),
            errno: Some(111),
            errno_name: Some("ECONNREFUSED".into()),
            line: String::new(),
        });
        b.call(0, &m(1, connect(9)), &refused);
        assert_eq!(b.rows()[0].state, SockState::Created);
        // The reset peer: connect, then its RST arrives as an event.
        b.peer_started(PeerKind::Reset, 41000);
        b.call(0, &sock_call(), &made(2));
        b.call(0, &m(2, connect(41000)), &none());
        b.event(&SocketEvent::Reset { sock: 2 });
        assert_eq!(b.rows()[1].state, SockState::Reset);
        // The echo peer answers; closing with its answer unread is an RST.
        b.peer_started(PeerKind::EchoTcp, 42000);
        b.call(0, &sock_call(), &made(3));
        b.call(0, &m(3, connect(42000)), &none());
        b.event(&SocketEvent::Peer {
            peer: PeerKind::EchoTcp,
            what: PeerAction::Sent { bytes: 4 },
        });
        b.event(&SocketEvent::Data {
            sock: 3,
            available: 4,
        });
        b.call(0, &m(3, Method::Close), &none());
        let reset = Lane::Peer(PeerKind::Reset);
        let echo = Lane::Peer(PeerKind::EchoTcp);
        let p0 = Lane::Pane(0);
        assert_eq!(
            arrows(&b),
            vec![
                (p0, Lane::Elsewhere, Signal::Connect),
                (Lane::Elsewhere, p0, Signal::Rst),
                (p0, reset, Signal::Connect),
                (reset, p0, Signal::Rst),
                (p0, echo, Signal::Connect),
                (echo, p0, Signal::Data(4)),
                (p0, echo, Signal::Rst),
            ]
        );
        assert_eq!(
            b.lanes(2),
            vec![p0, Lane::Pane(1), Lane::Elsewhere, reset, echo]
        );
    }

    #[test]
    fn modes_and_udp() {
        let mut b = Board::new();
        let udp = Call::Module(ModuleCall::Socket {
            family: 2,
            socktype: 2,
            proto: 0,
        });
        b.call(0, &udp, &made(1));
        assert_eq!(b.rows()[0].state, SockState::Datagram);
        b.call(0, &m(1, Method::SetBlocking(false)), &none());
        assert_eq!(b.rows()[0].timeout, "0.0");
        let t = Timeout::After(std::time::Duration::from_millis(2500));
        b.call(0, &m(1, Method::SetTimeout(t)), &none());
        assert_eq!(b.rows()[0].timeout, "2.5");
        b.peer_started(PeerKind::EchoUdp, 43000);
        let sendto = Method::Sendto {
            data: b"hi".to_vec(),
            address: Address::inet("127.0.0.1", 43000),
        };
        b.call(0, &m(1, sendto), &none());
        assert_eq!(
            b.arrows()[0],
            Arrow {
                from: Lane::Pane(0),
                to: Lane::Peer(PeerKind::EchoUdp),
                signal: Signal::Datagram(2)
            }
        );
    }
}
