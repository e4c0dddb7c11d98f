//! What the server, its connections and its sessions share: the configuration, the counters
//! and the places (RAII permits) that bound sessions and connections, the session tracker that
//! shutdown waits on, the classroom, and the shutdown signal. Under `serve`, `session` and
//! `live`, it names none of them (only the `classroom` leaf).

use crate::classroom::Classroom;
use crate::gate::{Gate, Role};
use socklab_core::fence::Policy;
use socklab_core::protocol::SessionLimits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

/// How the server is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The folder `trunk build` wrote (`dist/`).
    pub dist: PathBuf,
    /// The largest WebSocket message accepted; a larger one closes its session with 1009.
    pub max_message_bytes: usize,
    /// How many sessions may be open at once; more are refused with 503.
    pub max_sessions: usize,
    /// How long shutdown waits for sessions to close before it stops anyway.
    pub shutdown_grace: Duration,
    /// How long a client may take to send a request's head, and how long a kept-alive
    /// connection may sit idle between requests; then it is closed (408 if a head was begun).
    pub header_read_timeout: Duration,
    /// How many connections that are not (yet) WebSocket sessions may be open at once; more
    /// are answered 503 and closed.
    pub max_http_connections: usize,
    /// How often a session is pinged; a session whose page has not answered the last ping by
    /// the next one is closed.
    pub keepalive_interval: Duration,
    /// Where sessions may connect and bind (the fence).
    pub policy: Arc<Policy>,
    /// Each session's limits, announced in the companion's `hello`.
    pub limits: SessionLimits,
    /// The largest SO_RCVBUF/SO_SNDBUF a session may set, in bytes.
    pub max_socket_buffer: usize,
    /// Fault injection, for the companion's own tests only.
    #[cfg(feature = "testing")]
    pub fault: crate::fault::Fault,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            dist: PathBuf::from("dist"),
            max_message_bytes: 64 * 1024,
            max_sessions: 64,
            shutdown_grace: Duration::from_millis(1500),
            header_read_timeout: Duration::from_secs(10),
            max_http_connections: 256,
            keepalive_interval: Duration::from_secs(20),
            policy: Arc::new(Policy::default()),
            limits: SessionLimits {
                max_sockets: 32,
                max_recv_bytes: 64 * 1024,
                max_block_ms: 60_000,
                requests_per_second: 50,
                idle_secs: 30 * 60,
                lifetime_secs: 8 * 60 * 60,
            },
            max_socket_buffer: 1024 * 1024,
            #[cfg(feature = "testing")]
            fault: crate::fault::Fault::default(),
        }
    }
}

/// Live counters, for tests and logs. The places themselves are semaphores' permits: a session
/// or connection holds one for as long as it is open, however it ends (return, error, panic).
#[derive(Debug)]
pub struct Stats {
    sessions: Arc<Semaphore>,
    max_sessions: usize,
    http: Arc<Semaphore>,
    max_http: usize,
    opened: AtomicUsize,
}

impl Stats {
    fn new(config: &Config) -> Stats {
        Stats {
            sessions: Arc::new(Semaphore::new(config.max_sessions)),
            max_sessions: config.max_sessions,
            http: Arc::new(Semaphore::new(config.max_http_connections)),
            max_http: config.max_http_connections,
            opened: AtomicUsize::new(0),
        }
    }

    /// Connections open now that are not WebSocket sessions (each counts against
    /// `max_http_connections`).
    pub fn http_connections(&self) -> usize {
        self.max_http - self.http.available_permits()
    }

    /// Sessions open now.
    pub fn active_sessions(&self) -> usize {
        self.max_sessions - self.sessions.available_permits()
    }

    /// Sessions opened since start.
    pub fn opened_sessions(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

/// A session's place among `max_sessions`, released when dropped.
#[derive(Debug)]
pub(crate) struct SessionSlot(#[allow(dead_code)] OwnedSemaphorePermit);

/// A connection's place among `max_http_connections`, released when dropped: when it ends, or
/// when it becomes a WebSocket session (its task ends then, handing the socket to the session).
#[derive(Debug)]
pub(crate) struct ConnectionSlot(#[allow(dead_code)] OwnedSemaphorePermit);

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    pub(crate) gate: Gate,
    pub(crate) config: Arc<Config>,
    /// The counters.
    pub stats: Stats,
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Every session's task, for shutdown to wait on.
    pub(crate) sessions: TaskTracker,
    /// Classroom mode: who is in the class (empty otherwise).
    pub(crate) classroom: Arc<Classroom>,
}

/// What one session is given: the configuration, the shutdown signal, where its page is, who
/// it is (its token's role) and the class it may join, and its place (held until it ends).
#[derive(Debug)]
pub(crate) struct SessionContext {
    pub(crate) config: Arc<Config>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) peer: SocketAddr,
    pub(crate) role: Role,
    pub(crate) classroom: Arc<Classroom>,
    pub(crate) _slot: SessionSlot,
}

impl Shared {
    pub(crate) fn new(gate: Gate, config: Config, shutdown: watch::Receiver<bool>) -> Shared {
        Shared {
            gate,
            stats: Stats::new(&config),
            config: Arc::new(config),
            shutdown,
            sessions: TaskTracker::new(),
            classroom: Arc::default(),
        }
    }

    /// One line on where live calls may go, printed at start so the fence is visible.
    pub fn reach(&self) -> String {
        let policy = &self.config.policy;
        let mut lines = vec![if policy.allow.is_empty() {
            "live calls reach loopback and the demo peers only (widen with --allow CIDR)".to_owned()
        } else {
            let nets: Vec<String> = policy.allow.iter().map(ToString::to_string).collect();
            format!(
                "live calls reach loopback, the demo peers and, as you allowed: {}",
                nets.join(", ")
            )
        }];
        if !policy.lan.is_empty() {
            let opened = if policy.lan_allow.is_empty() {
                " (open a port of this machine to them with --lan-allow PORT)".to_owned()
            } else {
                let ports: Vec<String> = policy.lan_allow.iter().map(u16::to_string).collect();
                format!(
                    ", and the ports you opened with --lan-allow: {}",
                    ports.join(", ")
                )
            };
            lines.push(format!(
                "students (sessions from the LAN) reach only their own sockets and demo peers on \
                 this machine, never its other services or each other's sockets{opened}"
            ));
        }
        lines.join("\n")
    }

    /// A session's context, or `None` when `max_sessions` are open.
    pub(crate) fn open_session(&self, peer: SocketAddr, role: Role) -> Option<SessionContext> {
        let permit = Arc::clone(&self.stats.sessions).try_acquire_owned().ok()?;
        self.stats.opened.fetch_add(1, Ordering::SeqCst);
        Some(SessionContext {
            config: Arc::clone(&self.config),
            shutdown: self.shutdown.clone(),
            peer,
            role,
            classroom: Arc::clone(&self.classroom),
            _slot: SessionSlot(permit),
        })
    }

    /// A connection's place, or `None` when `max_http_connections` are open.
    pub(crate) fn open_connection(&self) -> Option<ConnectionSlot> {
        let permit = Arc::clone(&self.stats.http).try_acquire_owned().ok()?;
        Some(ConnectionSlot(permit))
    }
}

/// Completes when the server starts shutting down.
pub(crate) async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not Send: drop it here, not in the caller's select!.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// A duration as a person reads it in a message: `10 s`, `0.3 s`.
pub(crate) fn seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs} s")
    }
}
