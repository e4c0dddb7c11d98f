//! CPython's blocking semantics, rebuilt on non-blocking sockets: `sock_call_ex`'s three modes
//! (non-blocking: EAGAIN as it is; timeout: wait for readiness until the deadline; blocking: wait,
//! here up to the companion's cap), and the two calls that wait in their own way, `connect` and
//! `sendall`.

use super::address::resolve_address;
use super::fail::Fail;
use super::{Inner, Sock};
use socket2::{SockAddr, Socket};
use socklab_core::addr::Caller;
use socklab_core::fence::Destination;
use socklab_core::protocol::call::{Address, Timeout};
use socklab_core::protocol::LimitKind;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Which readiness a call waits for.
#[derive(Clone, Copy)]
pub(crate) enum Wait {
    Read,
    Write,
}

/// CPython's `sock_call_ex`: try the syscall; in non-blocking mode report EAGAIN as it is; in
/// timeout mode wait for readiness until the deadline (`TimeoutError`); in blocking mode wait
/// up to the companion's cap (a limit, not a socket error).
pub(crate) async fn io_call<R>(
    inner: &Inner,
    sock: &Sock,
    wait: Wait,
    mut f: impl FnMut(&Socket) -> io::Result<R>,
) -> Result<R, Fail> {
    let mode = sock.mode();
    if mode == Timeout::NonBlocking {
        return f(&sock.raw).map_err(Fail::Os);
    }
    // Try first: readiness the runtime has cleared (another call read it) may still be real.
    match f(&sock.raw) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        done => return done.map_err(Fail::Os),
    }
    let io = sock.io();
    let waiting = async {
        loop {
            let mut guard = match wait {
                Wait::Read => io.readable().await?,
                Wait::Write => io.writable().await?,
            };
            match guard.try_io(|fd| f(fd.get_ref())) {
                Ok(result) => return result.map_err(Fail::Os),
                Err(_would_block) => continue,
            }
        }
    };
    bounded(inner, mode, waiting).await
}

/// Waits as the socket's mode says: in timeout mode up to the timeout (then Python's
/// `TimeoutError`), in blocking mode up to the companion's cap (then the cap, by name).
pub(crate) async fn bounded<R>(
    inner: &Inner,
    mode: Timeout,
    waiting: impl std::future::Future<Output = Result<R, Fail>>,
) -> Result<R, Fail> {
    let waiting = announced(inner, waiting);
    match mode {
        Timeout::After(t) => tokio::time::timeout(t, waiting)
            .await
            .unwrap_or(Err(Fail::Timeout)),
        _ => {
            let cap = inner.rules.max_block();
            tokio::time::timeout(cap, waiting)
                .await
                .unwrap_or_else(|_| Err(block_cap(cap)))
        }
    }
}

/// How long a call may take before the page is told it waits: a loopback handshake or data
/// already on its way is not "waiting" to a learner.
const WAIT_GRACE: Duration = Duration::from_millis(20);

/// Runs `waiting`; if it is still not done after [`WAIT_GRACE`], tells the page the call waits.
async fn announced<R>(inner: &Inner, waiting: impl std::future::Future<Output = R>) -> R {
    tokio::pin!(waiting);
    tokio::select! {
        done = &mut waiting => return done,
        () = tokio::time::sleep(WAIT_GRACE) => {}
    }
    inner.announce_waiting().await;
    waiting.await
}

fn block_cap(cap: Duration) -> Fail {
    Fail::Limit(
        LimitKind::BlockCap,
        format!(
            "the call was still waiting after {} s, as long as the companion lets a blocking \
             call wait (--max-block); in a real program it would still be waiting",
            cap.as_secs_f64()
        ),
    )
}

pub(crate) async fn connect(
    inner: &Arc<Inner>,
    sock: &Arc<Sock>,
    address: &Address,
) -> Result<(), Fail> {
    let addr = resolve_address(sock, address, Caller::Connect).await?;
    // The fence judges the numeric address and port that is connected to, nothing else.
    inner.check_target(addr, Destination::Connect).await?;
    let fd = &sock.raw;
    match fd.connect(&SockAddr::from(addr)) {
        Ok(()) => {
            sock.reregister()?;
            inner.watch(sock);
            return Ok(());
        }
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {
            sock.reregister()?;
            inner.watch(sock);
            if sock.mode() == Timeout::NonBlocking {
                return Err(Fail::Os(e));
            }
        }
        Err(e) => return Err(Fail::Os(e)),
    }
    // Wait until the handshake ends, then read its verdict from SO_ERROR.
    let mode = sock.mode();
    let to = SockAddr::from(addr);
    let waiting = async {
        sock.io().writable().await?.retain_ready();
        match fd.take_error()? {
            Some(e) => {
                if mode == Timeout::Blocking {
                    // A failed non-blocking handshake leaves the socket "connecting", so the
                    // next connect() would raise ECONNABORTED (CPython in timeout mode does
                    // show that). A blocking connect fails inside the kernel and leaves the
                    // socket unconnected, so a retry tries again: 111, 111, not 111, 103. One
                    // more connect() on a "connecting" socket never starts a handshake; it
                    // reports the leftover ECONNABORTED and resets the state.
                    let _ = fd.connect(&to);
                }
                Err(Fail::Os(e))
            }
            None => Ok(()),
        }
    };
    bounded(inner, mode, waiting).await
}

/// `sendall`: send until everything is gone. In timeout mode the deadline covers the whole
/// call (CPython 3.5+); in non-blocking mode a full buffer raises BlockingIOError.
pub(crate) async fn sendall(inner: &Inner, sock: &Sock, data: &[u8]) -> Result<(), Fail> {
    let deadline = match sock.mode() {
        // `timeout_mode` keeps t within 292 years, but never panic on a deadline anyway.
        Timeout::After(t) => tokio::time::Instant::now().checked_add(t),
        _ => None,
    };
    let mut sent = 0;
    while sent < data.len() {
        let rest = &data[sent..];
        let step = io_call(inner, sock, Wait::Write, |fd| {
            fd.send_with_flags(rest, libc::MSG_NOSIGNAL)
        });
        let n = match deadline {
            Some(d) => tokio::time::timeout_at(d, step)
                .await
                .unwrap_or(Err(Fail::Timeout))?,
            None => step.await?,
        };
        sent += n;
    }
    Ok(())
}
