//! The demo peers: small servers the companion runs itself, on ephemeral loopback ports, for
//! one session. They report what they do as events, and end with the session.

use super::Inner;
use socklab_core::protocol::{PeerAction, PeerKind, SocketEvent};
use std::sync::{Arc, Weak};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How many connections one peer serves at once; more wait in its backlog.
const CONNECTIONS_PER_PEER: usize = 8;
/// The most a peer reads in one go, and the most the half-close and protocol peers collect.
const PEER_BUFFER: usize = 64 * 1024;

/// A running peer; dropping it stops it and every connection it holds.
pub(super) struct Peer {
    port: u16,
    tasks: JoinSet<()>,
}

impl Peer {
    /// The loopback port it listens on.
    pub(super) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

/// Starts the session's peer of this kind, or finds it running; returns its port.
pub(super) async fn start(inner: &Arc<Inner>, kind: PeerKind) -> std::io::Result<u16> {
    let mut peers = inner.peers.lock().await;
    if let Some(peer) = peers.get(&kind) {
        return Ok(peer.port);
    }
    let weak = Arc::downgrade(inner);
    let mut tasks = JoinSet::new();
    let max = inner.rules.max_socket_buffer;
    let port = if kind == PeerKind::EchoUdp {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        super::options::cap_buffers(&socket, max)?;
        let port = socket.local_addr()?.port();
        tasks.spawn(echo_udp(weak, socket));
        port
    } else {
        let socket = tokio::net::TcpSocket::new_v4()?;
        // Its connections inherit the listener's capped buffers.
        super::options::cap_buffers(&socket, max)?;
        if kind == PeerKind::Silent {
            // A small window, so a sender fills it quickly (the EWOULDBLOCK lesson).
            socket.set_recv_buffer_size(4096)?;
        }
        socket.bind("127.0.0.1:0".parse().expect("a literal address"))?;
        let listener = socket.listen(16)?;
        let port = listener.local_addr()?.port();
        tasks.spawn(serve_tcp(weak, kind, listener));
        port
    };
    peers.insert(kind, Peer { port, tasks });
    Ok(port)
}

async fn tell(inner: &Weak<Inner>, peer: PeerKind, what: PeerAction) {
    if let Some(inner) = inner.upgrade() {
        inner.event(SocketEvent::Peer { peer, what }).await;
    }
}

async fn serve_tcp(inner: Weak<Inner>, kind: PeerKind, listener: TcpListener) {
    let slots = Arc::new(Semaphore::new(CONNECTIONS_PER_PEER));
    let mut connections = JoinSet::new();
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Ok((stream, from)) = listener.accept().await else {
            continue;
        };
        let inner = inner.clone();
        connections.spawn(async move {
            let _permit = permit;
            tell(
                &inner,
                kind,
                PeerAction::Accepted {
                    from: socklab_core::pysocket::sockaddr_repr(&from),
                },
            )
            .await;
            let _ = serve_one(&inner, kind, stream).await;
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
}

async fn serve_one(
    inner: &Weak<Inner>,
    kind: PeerKind,
    mut stream: TcpStream,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; PEER_BUFFER];
    match kind {
        PeerKind::EchoTcp => loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                tell(inner, kind, PeerAction::ReadEof).await;
                stream.shutdown().await?;
                tell(inner, kind, PeerAction::Closed).await;
                return Ok(());
            }
            tell(inner, kind, PeerAction::Received { bytes: n as u64 }).await;
            stream.write_all(&buf[..n]).await?;
            tell(inner, kind, PeerAction::Sent { bytes: n as u64 }).await;
        },
        PeerKind::Silent => {
            // Hold the connection, never read, never answer: until the session ends.
            std::future::pending::<()>().await;
            Ok(())
        }
        PeerKind::Reset => {
            stream.set_zero_linger()?;
            drop(stream);
            tell(inner, kind, PeerAction::Aborted).await;
            Ok(())
        }
        PeerKind::HalfClose => {
            let got = read_to_eof(inner, kind, &mut stream, &mut buf).await?;
            stream.write_all(&buf[..got]).await?;
            tell(inner, kind, PeerAction::Sent { bytes: got as u64 }).await;
            stream.shutdown().await?;
            tell(inner, kind, PeerAction::Closed).await;
            Ok(())
        }
        PeerKind::AppProtocol => {
            let reply = match read_message(&mut stream).await {
                Ok((header, body)) => {
                    tell(
                        inner,
                        kind,
                        PeerAction::Received {
                            bytes: (2 + header.len() + body.len()) as u64,
                        },
                    )
                    .await;
                    socklab_core::appproto::answer(&header, &body)
                }
                Err(problem) => socklab_core::appproto::error_reply(&problem),
            };
            stream.write_all(&reply).await?;
            tell(
                inner,
                kind,
                PeerAction::Sent {
                    bytes: reply.len() as u64,
                },
            )
            .await;
            stream.shutdown().await?;
            tell(inner, kind, PeerAction::Closed).await;
            Ok(())
        }
        PeerKind::EchoUdp => Ok(()),
    }
}

/// Reads until the client shuts down its side; keeps the first PEER_BUFFER bytes.
async fn read_to_eof(
    inner: &Weak<Inner>,
    kind: PeerKind,
    stream: &mut TcpStream,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    let mut got = 0;
    let mut scratch = [0u8; 4096];
    loop {
        let n = if got < buf.len() {
            stream.read(&mut buf[got..]).await?
        } else {
            stream.read(&mut scratch).await?
        };
        if n == 0 {
            tell(inner, kind, PeerAction::ReadEof).await;
            return Ok(got);
        }
        tell(inner, kind, PeerAction::Received { bytes: n as u64 }).await;
        got = (got + n).min(buf.len());
    }
}

/// One message of the application protocol: 2-byte big-endian header length, header, body.
async fn read_message(stream: &mut TcpStream) -> Result<(Vec<u8>, Vec<u8>), String> {
    let io = |e: std::io::Error| format!("could not read the message: {e}");
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await.map_err(io)?;
    let header_len = usize::from(u16::from_be_bytes(len));
    let mut header = vec![0u8; header_len];
    stream.read_exact(&mut header).await.map_err(io)?;
    let body_len = socklab_core::appproto::content_length(&header)?;
    if body_len > PEER_BUFFER {
        return Err(format!(
            "content-length {body_len} is more than this demo peer reads ({PEER_BUFFER} bytes)"
        ));
    }
    let mut body = vec![0u8; body_len];
    stream.read_exact(&mut body).await.map_err(io)?;
    Ok((header, body))
}

async fn echo_udp(inner: Weak<Inner>, socket: UdpSocket) {
    let kind = PeerKind::EchoUdp;
    let mut buf = vec![0u8; PEER_BUFFER];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        // It answers loopback senders only (it listens on 127.0.0.1, so that is all it hears).
        if !from.ip().is_loopback() {
            continue;
        }
        tell(&inner, kind, PeerAction::Received { bytes: n as u64 }).await;
        if socket.send_to(&buf[..n], from).await.is_ok() {
            tell(&inner, kind, PeerAction::Sent { bytes: n as u64 }).await;
        }
    }
}
