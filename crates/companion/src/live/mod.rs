//! Live socket calls for one session: its sockets, its calls in flight, its demo peers.
//!
//! Every socket is a real OS socket, non-blocking underneath; Python's three modes (blocking,
//! non-blocking, timeout) are rebuilt on top exactly as CPython's `sock_call_ex` does, with two
//! additions of the companion's own: a blocking call waits at most `max_block`, and the page may
//! cancel a waiting call. Each call runs in its own task, so a blocking `accept()` does not stop
//! the `connect()` that will end it. [`Live`] owns everything; dropping it (the session ended,
//! however) aborts every call, watcher and peer and closes every socket.

mod address;
mod blocking;
mod fail;
mod ops;
mod options;
mod peers;
mod ports;
pub(crate) mod scenario;
mod select;
mod watch;

use socklab_core::fence::{Asker, Destination, Origin, Policy, Refusal};
use socklab_core::protocol::call::Timeout;
use socklab_core::protocol::{
    CallOutcome, LimitKind, PeerKind, ServerMessage, SessionLimits, SockId, SocketCall, SocketEvent,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

tokio::task_local! {
    /// The request id of the call this task runs, and whether the page was told it waits.
    static CALL: (u64, std::cell::Cell<bool>);
}

/// How many calls one session may have running (waiting) at once.
pub(crate) const MAX_CALLS_IN_FLIGHT: usize = 16;

/// What the session's limits and fence are.
#[derive(Clone, Debug)]
pub(crate) struct Rules {
    pub(crate) limits: SessionLimits,
    pub(crate) policy: Arc<Policy>,
    pub(crate) max_socket_buffer: usize,
    #[cfg(feature = "testing")]
    pub(crate) fault: crate::fault::Fault,
}

impl Rules {
    fn max_block(&self) -> Duration {
        Duration::from_millis(self.limits.max_block_ms)
    }
}

/// One open socket of the session.
#[derive(Debug)]
pub(crate) struct Sock {
    pub(crate) id: SockId,
    /// The socket itself: its descriptor is the one Python would show.
    pub(crate) raw: socket2::Socket,
    /// A duplicate registered with the runtime, for waiting on readiness. Replaced when the
    /// socket connects or listens: an unconnected TCP socket reads as hung up, and the runtime
    /// keeps "closed" readiness for good once it has seen it.
    io: Mutex<Arc<AsyncFd<socket2::Socket>>>,
    pub(crate) family: i32,
    pub(crate) socktype: i32,
    pub(crate) proto: i32,
    mode: Mutex<Timeout>,
    listening: AtomicBool,
    /// Where socklab bound the socket itself, because the system would have bound it to every
    /// interface (an unbound UDP socket's first `sendto`).
    implicit_bind: Mutex<Option<std::net::SocketAddr>>,
}

impl Sock {
    /// The registration to wait on.
    pub(crate) fn io(&self) -> Arc<AsyncFd<socket2::Socket>> {
        Arc::clone(&lock(&self.io))
    }

    /// Registers a fresh duplicate, so readiness starts from the socket's state now.
    pub(crate) fn reregister(&self) -> std::io::Result<()> {
        let fresh = register(self.raw.try_clone()?)?;
        *lock(&self.io) = Arc::new(fresh);
        Ok(())
    }

    pub(crate) fn mode(&self) -> Timeout {
        *lock(&self.mode)
    }

    pub(crate) fn set_mode(&self, mode: Timeout) {
        *lock(&self.mode) = mode;
    }

    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    pub(crate) fn set_listening(&self) {
        self.listening.store(true, Ordering::SeqCst);
    }

    /// Remembers that socklab bound the socket to `addr` on its own.
    pub(crate) fn set_implicit_bind(&self, addr: std::net::SocketAddr) {
        *lock(&self.implicit_bind) = Some(addr);
    }
}

/// What a session name refers to.
pub(crate) enum Slot {
    Open(Arc<Sock>),
    /// Closed by the page: calls raise EBADF, as on a closed Python socket.
    Closed,
    /// Never made: Python would raise NameError.
    Unknown,
}

#[derive(Debug, Default)]
struct Table {
    next: SockId,
    open: HashMap<SockId, (Arc<Sock>, Option<JoinHandle<()>>)>,
    closed: std::collections::HashSet<SockId>,
}

struct Running {
    task: JoinHandle<()>,
    sock: Option<SockId>,
    code: String,
    started: Instant,
}

/// The part of a session every call task shares.
pub(crate) struct Inner {
    pub(crate) rules: Rules,
    /// Where the session's page runs: the person at this machine, or a student (classroom).
    pub(crate) origin: Origin,
    /// The page's address, for the log.
    peer: std::net::SocketAddr,
    started: Instant,
    out: mpsc::Sender<ServerMessage>,
    table: Mutex<Table>,
    calls: Mutex<HashMap<u64, Running>>,
    peers: tokio::sync::Mutex<HashMap<PeerKind, peers::Peer>>,
}

impl Inner {
    /// Tells the page, once per call, that the call it made now waits (it would block): the
    /// console shows a waiting line and goes on with the next pane. Sent before the result.
    pub(crate) async fn announce_waiting(&self) {
        let id = CALL
            .try_with(|(id, told)| (!told.replace(true)).then_some(*id))
            .ok()
            .flatten();
        if let Some(id) = id {
            let _ = self.out.send(ServerMessage::Waiting { id }).await;
        }
    }

    /// Logs a call's outcome: every call at debug level, and at the default level each refusal
    /// of the fence and each limit hit, with the reason (a teacher's view of what went wrong).
    pub(crate) fn log_outcome(&self, code: &str, outcome: &CallOutcome, elapsed: Duration) {
        let peer = self.peer;
        match outcome {
            CallOutcome::Refused { refusal, .. } => {
                tracing::info!(%peer, code, reason = %refusal.python(), "fence refused a call");
            }
            CallOutcome::Limit { limit, message } => {
                tracing::info!(%peer, code, ?limit, message, "a call hit a limit");
            }
            _ => {}
        }
        tracing::debug!(%peer, code, ?elapsed, ?outcome, "call");
    }
}

/// Registers a socket with the runtime.
pub(crate) fn register(socket: socket2::Socket) -> std::io::Result<AsyncFd<socket2::Socket>> {
    // `AsyncFd::new` is deprecated because a `T` that does not own its descriptor could let it
    // be closed while registered; a `socket2::Socket` owns its descriptor, so this is the sound
    // case (and `register`, its replacement, is `unsafe`, which this workspace forbids).
    #[allow(deprecated)]
    AsyncFd::new(socket)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these short locks leaves plain data behind; go on with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// Milliseconds since the session started.
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Pushes an event to the page; waits when the page is slow, so nothing buffers unbounded.
    pub(crate) async fn event(&self, event: SocketEvent) {
        let _ = self
            .out
            .send(ServerMessage::Event {
                at_ms: self.now_ms(),
                event,
            })
            .await;
    }

    /// The local addresses of the session's own sockets that are bound, and of its demo peers:
    /// what a student may reach on this machine (fence rule 7).
    pub(crate) async fn own_endpoints(&self) -> Vec<std::net::SocketAddr> {
        let mut own: Vec<std::net::SocketAddr> = lock(&self.table)
            .open
            .values()
            .filter_map(|(sock, _)| sock.raw.local_addr().ok()?.as_socket())
            .filter(|a| a.port() != 0)
            .collect();
        let peers = self.peers.lock().await;
        own.extend(
            peers
                .values()
                .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p.port()))),
        );
        own
    }

    /// The note for a result that shows a socket's address after socklab bound it on its own:
    /// CPython's would show the wildcard address there.
    fn implicit_bind_note(&self, id: SockId) -> Option<String> {
        let Slot::Open(sock) = self.slot(id) else {
            return None;
        };
        let addr = (*lock(&sock.implicit_bind))?;
        let any = if addr.is_ipv4() { "0.0.0.0" } else { "::" };
        Some(format!(
            "[socklab] this socket was not bound, so before its first sendto() socklab bound it \
             to {} (loopback only); CPython would bind it to ('{any}', {}), every network \
             interface, and getsockname() would show that",
            socklab_core::pysocket::sockaddr_repr(&addr),
            addr.port()
        ))
    }

    /// The inodes of the session's own sockets, by which the kernel's tables name them.
    pub(crate) fn own_inodes(&self) -> Vec<u64> {
        lock(&self.table)
            .open
            .values()
            .filter_map(|(sock, _)| ports::inode(&sock.raw))
            .collect()
    }

    /// Asks the fence whether this session may reach `target`.
    pub(crate) async fn check_target(
        &self,
        target: std::net::SocketAddr,
        call: Destination,
    ) -> Result<(), Refusal> {
        let own = match self.origin {
            // The person at the machine reaches all of it: no need to list what is theirs.
            Origin::Local => Vec::new(),
            Origin::Lan => self.own_endpoints().await,
        };
        let asker = Asker {
            origin: self.origin,
            own: &own,
        };
        self.rules.policy.check_target(target, call, asker)
    }

    pub(crate) fn slot(&self, id: SockId) -> Slot {
        let table = lock(&self.table);
        if let Some((sock, _)) = table.open.get(&id) {
            Slot::Open(Arc::clone(sock))
        } else if table.closed.contains(&id) {
            Slot::Closed
        } else {
            Slot::Unknown
        }
    }

    /// Adopts a new OS socket as the session's, with its event watcher, or says why not.
    pub(crate) fn adopt(
        self: &Arc<Self>,
        socket: socket2::Socket,
        family: i32,
        socktype: i32,
        proto: i32,
    ) -> Result<Arc<Sock>, fail::Fail> {
        let mut table = lock(&self.table);
        let max = self.rules.limits.max_sockets;
        if table.open.len() >= max {
            return Err(fail::Fail::Limit(
                LimitKind::Sockets,
                format!(
                    "this session has {max} open sockets, as many as the companion allows \
                     (--max-sockets); close one first"
                ),
            ));
        }
        socket.set_nonblocking(true).map_err(fail::Fail::Os)?;
        let io = register(socket.try_clone().map_err(fail::Fail::Os)?).map_err(fail::Fail::Os)?;
        table.next += 1;
        let sock = Arc::new(Sock {
            id: table.next,
            raw: socket,
            io: Mutex::new(Arc::new(io)),
            family,
            socktype,
            proto,
            mode: Mutex::new(Timeout::Blocking),
            listening: AtomicBool::new(false),
            implicit_bind: Mutex::new(None),
        });
        table.open.insert(sock.id, (Arc::clone(&sock), None));
        drop(table);
        // A TCP socket is watched once it is connected or listening: before that the kernel
        // reports it as hung up, which says nothing to a learner.
        if socktype != libc::SOCK_STREAM {
            self.watch(&sock);
        }
        Ok(sock)
    }

    /// Starts pushing the socket's events to the page, unless that already happens.
    pub(crate) fn watch(self: &Arc<Self>, sock: &Arc<Sock>) {
        let mut table = lock(&self.table);
        let Some((_, watcher @ None)) = table.open.get_mut(&sock.id) else {
            return;
        };
        let Ok(fd) = sock.raw.try_clone() else {
            return;
        };
        let task = tokio::spawn(watch::watch(Arc::downgrade(self), Arc::downgrade(sock), fd));
        *watcher = Some(task);
    }

    /// Closes a socket: its name now raises EBADF, its watcher stops, its waiting calls end
    /// as cancelled. Returns once every duplicate descriptor is gone, so the OS socket is
    /// really closed when `close()` returns (a late close would turn the peer's FIN into an
    /// RST when data waits unread, and change what the peer sees).
    pub(crate) async fn close(&self, id: SockId, except_call: u64) {
        let entry = {
            let mut table = lock(&self.table);
            let entry = table.open.remove(&id);
            if entry.is_some() {
                table.closed.insert(id);
            }
            entry
        };
        let mut ending = Vec::new();
        if let Some((_, Some(watcher))) = entry {
            watcher.abort();
            ending.push(watcher);
        }
        let waiting: Vec<u64> = lock(&self.calls)
            .iter()
            .filter(|(call, r)| r.sock == Some(id) && **call != except_call)
            .map(|(call, _)| *call)
            .collect();
        ending.extend(
            waiting
                .into_iter()
                .filter_map(|call| self.cancel_task(call)),
        );
        for task in ending {
            let _ = task.await;
        }
    }

    /// Cancels a waiting call; `true` when it was still waiting.
    pub(crate) fn cancel(&self, call: u64) -> bool {
        self.cancel_task(call).is_some()
    }

    /// Cancels a waiting call and hands back its task, to wait for it to be gone.
    fn cancel_task(&self, call: u64) -> Option<JoinHandle<()>> {
        let running = lock(&self.calls).remove(&call)?;
        running.task.abort();
        let reply = ServerMessage::Result {
            id: call,
            code: running.code,
            outcome: CallOutcome::Cancelled,
            elapsed_us: micros(running.started.elapsed()),
            note: None,
        };
        // The answer of an aborted call: never dropped, but never allowed to block the caller.
        let out = self.out.clone();
        tokio::spawn(async move {
            let _ = out.send(reply).await;
        });
        Some(running.task)
    }
}

pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A session's live sockets. Dropping it ends everything it started.
pub(crate) struct Live {
    inner: Arc<Inner>,
}

impl Live {
    pub(crate) fn new(
        rules: Rules,
        out: mpsc::Sender<ServerMessage>,
        origin: Origin,
        peer: std::net::SocketAddr,
    ) -> Live {
        Live {
            inner: Arc::new(Inner {
                rules,
                origin,
                peer,
                started: Instant::now(),
                out,
                table: Mutex::new(Table::default()),
                calls: Mutex::new(HashMap::new()),
                peers: tokio::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Why a call (or scenario) with this id may not start now, if it may not: its id is taken,
    /// or [`MAX_CALLS_IN_FLIGHT`] are running.
    fn busy(calls: &HashMap<u64, Running>, id: u64) -> Option<String> {
        if calls.contains_key(&id) {
            Some(format!(
                "a call with id {id} is still running; give each call its own id"
            ))
        } else if calls.len() >= MAX_CALLS_IN_FLIGHT {
            Some(format!(
                "{MAX_CALLS_IN_FLIGHT} calls are already waiting in this session; \
                 cancel one or wait for it"
            ))
        } else {
            None
        }
    }

    /// Starts a call; its `result` is sent when it ends. Refused at once (the returned reply)
    /// when the session has too many calls waiting.
    pub(crate) fn call(&self, id: u64, call: SocketCall) -> Option<ServerMessage> {
        let code = call.python();
        let mut calls = lock(&self.inner.calls);
        if let Some(message) = Self::busy(&calls, id) {
            return Some(ServerMessage::Result {
                id,
                code,
                outcome: CallOutcome::Limit {
                    limit: LimitKind::CallsInFlight,
                    message,
                },
                elapsed_us: 0,
                note: None,
            });
        }
        let inner = Arc::clone(&self.inner);
        let sock = call.sock();
        let started = Instant::now();
        let task_code = code.clone();
        // The lock is held while the task starts, so it cannot finish before it is registered.
        let shows_address = matches!(
            call,
            SocketCall::Getsockname { .. } | SocketCall::Sendto { .. }
        );
        let task = tokio::spawn(CALL.scope((id, std::cell::Cell::new(false)), async move {
            let outcome = ops::run_guarded(&inner, id, call).await;
            inner.log_outcome(&task_code, &outcome, started.elapsed());
            let still_ours = lock(&inner.calls).remove(&id).is_some();
            if still_ours {
                let note = match (sock, &outcome) {
                    (Some(s), CallOutcome::Returned { .. }) if shows_address => {
                        inner.implicit_bind_note(s)
                    }
                    _ => None,
                };
                let _ = inner
                    .out
                    .send(ServerMessage::Result {
                        id,
                        code: task_code,
                        outcome,
                        elapsed_us: micros(started.elapsed()),
                        note,
                    })
                    .await;
            }
        }));
        calls.insert(
            id,
            Running {
                task,
                sock,
                code,
                started,
            },
        );
        None
    }

    /// Cancels a waiting call.
    pub(crate) fn cancel(&self, id: u64, call: u64) -> ServerMessage {
        let found = self.inner.cancel(call);
        ServerMessage::Cancelled { id, call, found }
    }

    /// Starts (or finds) a demo peer; the reply is sent when it listens.
    pub(crate) fn peer(&self, id: u64, kind: PeerKind) {
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let reply = match peers::start(&inner, kind).await {
                Ok(port) => ServerMessage::Peer {
                    id,
                    kind,
                    address: format!("('127.0.0.1', {port})"),
                    port,
                },
                Err(e) => ServerMessage::Error(socklab_core::protocol::WireError {
                    id: Some(id),
                    code: socklab_core::protocol::ErrorCode::PeerFailed,
                    message: format!(
                        "the {} peer could not start: {e}; close some sockets (or raise the \
                         companion's open-file limit, `ulimit -n`) and try again",
                        kind.name()
                    ),
                }),
            };
            let _ = inner.out.send(reply).await;
        });
    }

    /// Runs a scenario; its transcript is sent when it ends. A scenario counts as a call in
    /// flight (refused at once, the returned reply, when too many wait), ends with its session,
    /// and a panic inside it is answered rather than leaving the page waiting.
    pub(crate) fn scenario(
        &self,
        id: u64,
        which: socklab_core::protocol::Scenario,
    ) -> Option<ServerMessage> {
        use socklab_core::protocol::{ErrorCode, WireError};
        let mut calls = lock(&self.inner.calls);
        if let Some(message) = Self::busy(&calls, id) {
            return Some(ServerMessage::Error(WireError {
                id: Some(id),
                code: ErrorCode::Busy,
                message,
            }));
        }
        let inner = Arc::clone(&self.inner);
        // The lock is held while the task starts, so it cannot finish before it is registered.
        let task = tokio::spawn(async move {
            use futures_util::FutureExt;
            let run = std::panic::AssertUnwindSafe(scenario::run(&inner, which));
            let reply = match run.catch_unwind().await {
                Ok(steps) => ServerMessage::Transcript {
                    id,
                    scenario: which,
                    steps,
                },
                Err(_) => ServerMessage::Error(WireError {
                    id: Some(id),
                    code: ErrorCode::Internal,
                    message: "the companion failed inside while running this scenario (a bug: \
                              please report it)"
                        .to_owned(),
                }),
            };
            if lock(&inner.calls).remove(&id).is_some() {
                let _ = inner.out.send(reply).await;
            }
        });
        calls.insert(
            id,
            Running {
                task,
                sock: None,
                code: format!("# scenario {which:?}"),
                started: Instant::now(),
            },
        );
        None
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        for (_, running) in lock(&self.inner.calls).drain() {
            running.task.abort();
        }
        for (_, (_, watcher)) in lock(&self.inner.table).open.drain() {
            if let Some(w) = watcher {
                w.abort();
            }
        }
        if let Ok(mut peers) = self.inner.peers.try_lock() {
            peers.clear(); // each Peer aborts its tasks when dropped
        }
    }
}
