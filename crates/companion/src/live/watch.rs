//! Pushes what happens on a socket to the page as it happens: data arrived, the peer closed,
//! the connection was reset, a connection waits for `accept()`.
//!
//! The watcher looks through its own duplicate of the descriptor, so its readiness is its own
//! and never steals a wake-up from a call waiting on the socket. It only looks: the error
//! readiness epoll reports (reading the error would consume it), then a peek, never a read.

use super::{Inner, Sock};
use socklab_core::protocol::SocketEvent;
use std::mem::MaybeUninit;
use std::sync::Weak;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// What one look at the socket found.
enum Seen {
    Nothing,
    Data(u64),
    Closed,
    Reset,
    Incoming,
}

/// How far a peek looks to count the bytes waiting.
const PEEK: usize = 64 * 1024;

fn look(fd: &socket2::Socket, error: bool, listening: bool, buf: &mut [MaybeUninit<u8>]) -> Seen {
    if error {
        return Seen::Reset;
    }
    if listening {
        return Seen::Incoming;
    }
    match fd.peek(buf) {
        Ok(0) => Seen::Closed,
        Ok(n) => Seen::Data(n as u64),
        Err(e) if e.raw_os_error() == Some(libc::ECONNRESET) => Seen::Reset,
        Err(_) => Seen::Nothing,
    }
}

/// Watches one socket until it is closed, reset, or the session ends.
pub(super) async fn watch(inner: Weak<Inner>, sock: Weak<Sock>, fd: socket2::Socket) {
    // See `register` on why this is sound for an owned socket.
    #[allow(deprecated)]
    let Ok(fd) = AsyncFd::with_interest(fd, Interest::READABLE | Interest::ERROR) else {
        return;
    };
    let mut buf = vec![MaybeUninit::<u8>::uninit(); PEEK];
    let mut last_available = 0;
    loop {
        let Ok(mut guard) = fd.ready(Interest::READABLE | Interest::ERROR).await else {
            return;
        };
        let Some(s) = sock.upgrade() else { return };
        let id = s.id;
        // A pending error is read by `poll` without consuming it; a peek would consume it
        // and steal ConnectionResetError from the learner's next recv.
        let ready = guard.ready();
        let seen = look(fd.get_ref(), ready.is_error(), s.is_listening(), &mut buf);
        drop(s);
        guard.clear_ready();
        // End-of-file is a state, not an edge: the readiness stays. Report the data still
        // waiting, then the close, and stop watching.
        if ready.is_read_closed() {
            if let Seen::Data(n) = seen {
                if n != last_available {
                    let Some(inner) = inner.upgrade() else { return };
                    inner
                        .event(SocketEvent::Data {
                            sock: id,
                            available: n,
                        })
                        .await;
                }
            }
            let end = match seen {
                Seen::Reset => SocketEvent::Reset { sock: id },
                _ => SocketEvent::PeerClosed { sock: id },
            };
            if let Some(inner) = inner.upgrade() {
                inner.event(end).await;
            }
            return;
        }
        let event = match seen {
            Seen::Nothing => {
                last_available = 0;
                continue;
            }
            Seen::Data(n) if n == last_available => continue,
            Seen::Data(n) => {
                last_available = n;
                SocketEvent::Data {
                    sock: id,
                    available: n,
                }
            }
            Seen::Incoming => SocketEvent::Incoming { sock: id },
            Seen::Closed => SocketEvent::PeerClosed { sock: id },
            Seen::Reset => SocketEvent::Reset { sock: id },
        };
        let end = matches!(
            event,
            SocketEvent::PeerClosed { .. } | SocketEvent::Reset { .. }
        );
        let Some(inner) = inner.upgrade() else { return };
        inner.event(event).await;
        drop(inner);
        if end {
            return;
        }
    }
}
