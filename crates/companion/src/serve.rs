//! `socklab serve`: the built app over HTTP and the companion's WebSocket at `/ws`, on 127.0.0.1.
//!
//! [`Server::run`] takes a bound listener and a shutdown future (as mini-redis's `server::run`
//! does), so tests bind `127.0.0.1:0` and drive the real server. [`app`] is the router alone;
//! `connections` accepts the connections and keeps each one bounded in time and number.

pub(crate) mod command;
mod connections;
mod qr;

use crate::gate::{Gate, Refusal};
use crate::session;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use socklab_core::fence::Origin;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use crate::state::{Config, Shared, Stats};

/// How long, at shutdown, a connection may take to finish the request it is in (within
/// `shutdown_grace`): the app's files are local and small.
const HTTP_GRACE: Duration = Duration::from_millis(500);

/// The router: `/ws` for the companion, everything else from `dist/`.
///
/// Its handlers log who asked, so each request must carry its peer's address as a
/// `ConnectInfo<SocketAddr>` extension, as [`Server`]'s connections add it.
pub fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", get(ws_upgrade))
        .fallback(static_file)
        .with_state(shared)
}

async fn ws_upgrade(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let header_str = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let from_loopback = Origin::of_peer(peer.ip()) == Origin::Local;
    let verdict = shared.gate.check(
        query.get("token").map(String::as_str),
        header_str(header::HOST),
        header_str(header::ORIGIN),
        from_loopback,
    );
    let role = match verdict {
        Ok(role) => role,
        Err(refusal) => {
            tracing::info!(%peer, ?refusal, "refused a WebSocket upgrade with 403");
            return refuse(refusal);
        }
    };
    if *shared.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "socklab is shutting down").into_response();
    }
    let Some(context) = shared.open_session(peer, role) else {
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
        .on_upgrade(move |socket| shared.sessions.track_future(session::run(socket, context)))
}

fn refuse(refusal: Refusal) -> Response {
    (StatusCode::FORBIDDEN, refusal.to_string()).into_response()
}

/// Serves a file from `dist/`, `index.html` for any other path (the app routes itself), or a
/// page that says how to build the app when there is no build; to this server's own Host only.
async fn static_file(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    // A page at a rebinding name (evil.example, now resolving to 127.0.0.1) is same-origin with
    // whatever answers there: it must not read the app, nor anything else served here.
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !shared.gate.host_allowed(host) {
        tracing::info!(%peer, ?host, "refused a page with 403: foreign Host");
        return refuse(Refusal::ForeignHost);
    }
    let dist = &shared.config.dist;
    let path = uri.path().trim_start_matches('/');
    if path.split('/').any(|seg| seg == ".." || seg.contains('\\')) {
        // Browsers resolve `..` before they ask, so this is a tool trying to climb out.
        tracing::info!(%peer, path, "path climbing out of dist/: answered with index.html");
    }
    let plain = !path
        .split('/')
        .any(|seg| seg.starts_with('.') || seg.contains('\\'));
    if plain && !path.is_empty() {
        match read_inside(dist, path).await {
            Inside::File(bytes) => {
                return ([(header::CONTENT_TYPE, content_type(path))], bytes).into_response()
            }
            Inside::Outside => return outside(peer, path),
            Inside::Missing => {}
        }
    }
    match read_inside(dist, "index.html").await {
        Inside::File(bytes) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Inside::Outside => outside(peer, "index.html"),
        Inside::Missing => Html(not_built_page(dist)).into_response(),
    }
}

/// What `dist/` holds at a path.
enum Inside {
    /// A file inside `dist/`, once every symbolic link on the way is followed.
    File(Vec<u8>),
    /// Something outside `dist/`: a symbolic link points out.
    Outside,
    /// Nothing readable.
    Missing,
}

/// Reads `dist/relative`, following symbolic links only as far as they stay inside `dist/`.
async fn read_inside(dist: &Path, relative: &str) -> Inside {
    let (Ok(root), Ok(real)) = (
        tokio::fs::canonicalize(dist).await,
        tokio::fs::canonicalize(dist.join(relative)).await,
    ) else {
        return Inside::Missing;
    };
    // Component by component: /srv/dist-old does not start with /srv/dist.
    if !real.starts_with(&root) {
        return Inside::Outside;
    }
    match tokio::fs::read(&real).await {
        Ok(bytes) => Inside::File(bytes),
        Err(_) => Inside::Missing, // a folder, or gone since
    }
}

fn outside(peer: SocketAddr, path: &str) -> Response {
    tracing::info!(%peer, path, "refused a file with 403: a link out of dist/");
    (
        StatusCode::FORBIDDEN,
        "refused: this path is a link to a file outside the app's folder (dist/)",
    )
        .into_response()
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

fn not_built_page(dist: &Path) -> String {
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
            shared: Arc::new(Shared::new(gate, config, stop_rx)),
            stop,
        }
    }

    /// The state every handler shares, counters included.
    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    /// Serves on `listener` until `shutdown` completes; then tells every session to close
    /// (code 1001) and every connection to finish its request, waits up to
    /// `config.shutdown_grace` for them, drops what is left, and returns.
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
        let router = app(Arc::clone(&shared));
        let accepting: Vec<_> = listeners
            .into_iter()
            .map(|listener| {
                tokio::spawn(connections::accept(
                    listener,
                    Arc::clone(&shared),
                    router.clone(),
                ))
            })
            .collect();
        shutdown.await;
        let _ = stop.send(true);
        let started = tokio::time::Instant::now();
        let deadline = started + shared.config.shutdown_grace;
        let mut open = Vec::new();
        for listener in accepting {
            open.push(listener.await?);
        }
        // Connections finish the request they are in, briefly; what is still open then (a
        // client that sends or reads nothing) is dropped.
        let finished = async {
            for connections in &mut open {
                while connections.join_next().await.is_some() {}
            }
        };
        let http_deadline = deadline.min(started + HTTP_GRACE);
        let _ = tokio::time::timeout_at(http_deadline, finished).await;
        for connections in &mut open {
            connections.shutdown().await;
        }
        // Upgraded connections are the sessions' own: wait for the sessions themselves. Each
        // sends its close frame, waiting at most a second for a page that does not read.
        shared.sessions.close();
        let _ = tokio::time::timeout_at(deadline, shared.sessions.wait()).await;
        Ok(())
    }
}
