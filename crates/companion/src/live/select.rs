//! `select.select(r, w, x, timeout)` on the session's sockets: the kernel's own answer (poll(2)
//! with a zero timeout, read as select(2) reads it), asked again each time one of the sockets
//! changes readiness, until something is ready or the time is up.

use super::blocking::bounded;
use super::fail::{name_error, py, Done, Fail};
use super::{Inner, Slot, Sock};
use socklab_core::protocol::call::Timeout;
use socklab_core::protocol::{PyReturn, SockId};
use socklab_core::pyerror::PyExcClass;
use std::future::Future;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// select(2)'s sets, as the kernel's fs/select.c builds them from poll bits.
const READ_SET: i16 =
    libc::POLLIN | libc::POLLRDNORM | libc::POLLRDBAND | libc::POLLHUP | libc::POLLERR;
const WRITE_SET: i16 = libc::POLLOUT | libc::POLLWRNORM | libc::POLLWRBAND | libc::POLLERR;
const EXCEPT_SET: i16 = libc::POLLPRI;

fn sockets(inner: &Inner, ids: &[SockId]) -> Result<Vec<(SockId, Arc<Sock>)>, Fail> {
    ids.iter()
        .map(|&id| match inner.slot(id) {
            Slot::Open(s) => Ok((id, s)),
            // A closed Python socket's fileno() is -1.
            Slot::Closed => Err(py(
                PyExcClass::ValueError,
                "file descriptor cannot be a negative integer (-1)",
            )),
            Slot::Unknown => Err(name_error(id)),
        })
        .collect()
}

/// Which of `socks` are in `set` now.
fn ready(socks: &[(SockId, Arc<Sock>)], set: i16) -> std::io::Result<Vec<SockId>> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let flags = PollFlags::from_bits_truncate(set);
    let mut fds: Vec<PollFd<'_>> = socks
        .iter()
        .map(|(_, s)| PollFd::new(s.raw.as_fd(), flags))
        .collect();
    poll(&mut fds, PollTimeout::ZERO).map_err(std::io::Error::from)?;
    Ok(socks
        .iter()
        .zip(&fds)
        .filter(|(_, p)| p.revents().is_some_and(|r| r.intersects(flags)))
        .map(|((id, _), _)| *id)
        .collect())
}

type Sets = (Vec<SockId>, Vec<SockId>, Vec<SockId>);

fn all_ready(
    r: &[(SockId, Arc<Sock>)],
    w: &[(SockId, Arc<Sock>)],
    x: &[(SockId, Arc<Sock>)],
) -> std::io::Result<Option<Sets>> {
    let sets = (
        ready(r, READ_SET)?,
        ready(w, WRITE_SET)?,
        ready(x, EXCEPT_SET)?,
    );
    let any = !(sets.0.is_empty() && sets.1.is_empty() && sets.2.is_empty());
    Ok(any.then_some(sets))
}

pub(crate) async fn select(
    inner: &Arc<Inner>,
    read: &[SockId],
    write: &[SockId],
    except: &[SockId],
    timeout: Option<Duration>,
) -> Done {
    let (r, w, x) = (
        sockets(inner, read)?,
        sockets(inner, write)?,
        sockets(inner, except)?,
    );
    let answer = |(read, write, except): Sets| PyReturn::Ready {
        read,
        write,
        except,
    };
    if let Some(sets) = all_ready(&r, &w, &x)? {
        return Ok(answer(sets));
    }
    if timeout == Some(Duration::ZERO)
        || (r.is_empty() && w.is_empty() && x.is_empty() && timeout.is_some())
    {
        if let Some(t) = timeout.filter(|t| !t.is_zero()) {
            tokio::time::sleep(t).await;
        }
        return Ok(answer(Default::default()));
    }
    let waiting = async {
        let ios: Vec<_> = r.iter().chain(&w).chain(&x).map(|(_, s)| s.io()).collect();
        let for_read = |i: usize| i < r.len() || i >= r.len() + w.len();
        loop {
            if let Some(sets) = all_ready(&r, &w, &x).map_err(Fail::Os)? {
                return Ok(sets);
            }
            if ios.is_empty() {
                std::future::pending::<()>().await;
            }
            // Wake when any of the sockets changes readiness, and ask the kernel again. Real
            // readiness is left for the call that will use it; a readiness the kernel does
            // not confirm is stale, and cleared, so the next wait is a real one.
            let changes: Vec<Pin<Box<dyn Future<Output = usize> + Send + '_>>> = ios
                .iter()
                .enumerate()
                .map(|(i, io)| {
                    Box::pin(async move {
                        let _ = if for_read(i) {
                            io.readable().await.map(drop)
                        } else {
                            io.writable().await.map(drop)
                        };
                        i
                    }) as Pin<Box<dyn Future<Output = usize> + Send + '_>>
                })
                .collect();
            let (fired, _, _) = futures_util::future::select_all(changes).await;
            if all_ready(&r, &w, &x).map_err(Fail::Os)?.is_some() {
                continue;
            }
            let io = &ios[fired];
            let stale = if for_read(fired) {
                io.readable().await
            } else {
                io.writable().await
            };
            if let Ok(mut guard) = stale {
                guard.clear_ready();
            }
        }
    };
    let mode = match timeout {
        Some(t) => Timeout::After(t),
        None => Timeout::Blocking,
    };
    match bounded(inner, mode, waiting).await {
        Ok(sets) => Ok(answer(sets)),
        // select's timeout is not an error: three empty lists.
        Err(Fail::Timeout) => Ok(answer(Default::default())),
        Err(e) => Err(e),
    }
}
