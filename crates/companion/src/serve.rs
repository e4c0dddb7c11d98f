//! `socklab serve`: the built app over HTTP and the companion's WebSocket at `/ws`, on 127.0.0.1.
//!
//! [`run`] takes a bound listener and a shutdown future (as mini-redis's `server::run` does), so
//! tests bind `127.0.0.1:0` and drive the real server. [`app`] is the router alone.

use crate::gate::{Gate, Refusal};
use crate::session;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use socklab_core::fence::Policy;
use socklab_core::protocol::{SessionLimits, SocketCall};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

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
    /// Where sessions may connect and bind (the fence).
    pub policy: Arc<Policy>,
    /// Each session's limits, announced in the companion's `hello`.
    pub limits: SessionLimits,
    /// The largest SO_RCVBUF/SO_SNDBUF a session may set, in bytes.
    pub max_socket_buffer: usize,
    /// Fault injection for tests: none in `socklab serve`.
    pub fault: Fault,
}

/// Where a [`Fault`] hook is called: in the session's own task as a call arrives, or in the
/// call's task (inside its panic guard) just before the call runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultSite {
    /// The session task, as it reads a `call` request.
    Session,
    /// The call's task, just before the socket call runs.
    Call,
}

/// A hook that tests use to make the companion fail inside (panic) at a chosen place, to prove
/// that a failure stays in the session, or the call, where it happened. `socklab serve` never
/// sets one.
#[derive(Clone, Default)]
pub struct Fault(pub Option<FaultHook>);

/// The function a [`Fault`] calls: it panics where the test wants a failure.
pub type FaultHook = Arc<dyn Fn(FaultSite, &SocketCall) + Send + Sync>;

impl Fault {
    /// Runs the hook, if there is one.
    pub(crate) fn at(&self, site: FaultSite, call: &SocketCall) {
        if let Some(hook) = &self.0 {
            hook(site, call);
        }
    }
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Fault(hook)"
        } else {
            "Fault(none)"
        })
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            dist: PathBuf::from("dist"),
            max_message_bytes: 64 * 1024,
            max_sessions: 64,
            shutdown_grace: Duration::from_millis(1500),
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
            fault: Fault::default(),
        }
    }
}

/// Live counters, for tests and for the shutdown wait.
#[derive(Debug, Default)]
pub struct Stats {
    active: AtomicUsize,
    opened: AtomicUsize,
}

impl Stats {
    /// Sessions open now.
    pub fn active_sessions(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Sessions opened since start.
    pub fn opened_sessions(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

/// Counts a session as open until dropped, however the session ends (return, error, panic).
pub(crate) struct SessionSlot(Arc<Shared>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.stats.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What every request handler and session shares.
#[derive(Debug)]
pub struct Shared {
    pub(crate) gate: Gate,
    pub(crate) config: Config,
    /// The counters.
    pub stats: Stats,
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl Shared {
    /// One line on where live calls may go, printed at start so the fence is visible.
    pub fn reach(&self) -> String {
        let allow = &self.config.policy.allow;
        if allow.is_empty() {
            "live calls reach loopback and the demo peers only (widen with --allow CIDR)".to_owned()
        } else {
            let nets: Vec<String> = allow.iter().map(ToString::to_string).collect();
            format!(
                "live calls reach loopback, the demo peers and, as you allowed: {}",
                nets.join(", ")
            )
        }
    }

    /// Takes a session slot, or `None` when `max_sessions` are open.
    fn open_slot(self: &Arc<Self>) -> Option<SessionSlot> {
        let max = self.config.max_sessions;
        self.stats
            .active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()?;
        self.stats.opened.fetch_add(1, Ordering::SeqCst);
        Some(SessionSlot(Arc::clone(self)))
    }
}

/// The router: `/ws` for the companion, everything else from `dist/`.
pub fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", get(ws_upgrade))
        .fallback(static_file)
        .with_state(shared)
}

async fn ws_upgrade(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let header_str = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let verdict = shared.gate.check(
        query.get("token").map(String::as_str),
        header_str(header::HOST),
        header_str(header::ORIGIN),
    );
    if let Err(refusal) = verdict {
        tracing::info!(?refusal, "refused a WebSocket upgrade");
        return refuse(refusal);
    }
    if *shared.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "socklab is shutting down").into_response();
    }
    let Some(slot) = shared.open_slot() else {
        let msg = format!(
            "too many sessions: this socklab allows {} at once; close a tab that uses it, or \
             restart it with --max-sessions {}",
            shared.config.max_sessions,
            shared.config.max_sessions.saturating_mul(2)
        );
        return (StatusCode::SERVICE_UNAVAILABLE, msg).into_response();
    };
    // Let frames up to four times the limit through the codec, so an oversized message reaches
    // the session loop and gets its 1009 close instead of a bare protocol error.
    let codec_limit = shared.config.max_message_bytes.saturating_mul(4);
    ws.max_message_size(codec_limit)
        .max_frame_size(codec_limit)
        .on_upgrade(move |socket| session::run(socket, shared, slot))
}

fn refuse(refusal: Refusal) -> Response {
    (StatusCode::FORBIDDEN, refusal.to_string()).into_response()
}

/// Serves a file from `dist/`, `index.html` for any other path (the app routes itself), or a
/// page that says how to build the app when there is no build.
async fn static_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let dist = &shared.config.dist;
    let path = uri.path().trim_start_matches('/');
    let safe = !path
        .split('/')
        .any(|seg| seg == ".." || seg.starts_with('.') || seg.contains('\\'));
    if safe && !path.is_empty() {
        let file = dist.join(path);
        if let Ok(bytes) = tokio::fs::read(&file).await {
            return ([(header::CONTENT_TYPE, content_type(path))], bytes).into_response();
        }
    }
    match tokio::fs::read(dist.join("index.html")).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => Html(not_built_page(dist)).into_response(),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

fn not_built_page(dist: &std::path::Path) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>socklab: app not built</title>\
         <body style=\"font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5\">\
         <h1>socklab is running, but the app is not built</h1>\
         <p>There is no <code>index.html</code> in <code>{}</code>. Build and serve it with:</p>\
         <pre>cargo xtask run</pre><p>or build it alone with <code>trunk build --release</code> and \
         restart <code>socklab serve</code>. The companion's WebSocket at <code>/ws</code> works already.</p>\
         <p lang=\"zh-CN\">socklab 已在运行,但前端尚未构建。请运行 <code>cargo xtask run</code>。</p></body></html>",
        dist.display()
    )
}

/// A server ready to run: its shared state exists before it accepts anything, so a caller
/// (a test) can watch its [`Stats`] while it runs.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Server {
    /// A server with this gate and configuration.
    pub fn new(gate: Gate, config: Config) -> Server {
        let (stop, stop_rx) = watch::channel(false);
        Server {
            shared: Arc::new(Shared {
                gate,
                config,
                stats: Stats::default(),
                shutdown: stop_rx,
            }),
            stop,
        }
    }

    /// The state every handler shares, counters included.
    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    /// Serves on `listener` until `shutdown` completes; then tells every session to close
    /// (code 1001), waits up to `config.shutdown_grace` for them, and returns.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.run_on(vec![listener], shutdown).await
    }

    /// [`Server::run`] on several listeners at once (loopback and, in classroom mode, the LAN
    /// addresses), all sharing one state, one session limit and one shutdown.
    pub async fn run_on(
        self,
        listeners: Vec<TcpListener>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Server { shared, stop } = self;
        let mut servers = tokio::task::JoinSet::new();
        for listener in listeners {
            let mut stopped = shared.shutdown.clone();
            // Each answer is a small frame the page waits for: send it now, not after Nagle's
            // delayed-ACK dance (~40 ms per answer that follows an event).
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let server = axum::serve(listener, app(Arc::clone(&shared))).with_graceful_shutdown(
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            );
            servers.spawn(async move { server.await });
        }
        let trigger = tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        while let Some(done) = servers.join_next().await {
            done??;
        }
        trigger.abort();
        // Upgraded connections are not the HTTP server's any more: wait for the sessions themselves.
        let deadline = tokio::time::Instant::now() + shared.config.shutdown_grace;
        while shared.stats.active_sessions() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }
}
