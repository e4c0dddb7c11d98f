//! `socklab serve`: the built app over HTTP and the companion's WebSocket at `/ws`, on 127.0.0.1.
//!
//! [`Server::run`] takes a bound listener and a shutdown future (as mini-redis's `server::run`
//! does), so tests bind `127.0.0.1:0` and drive the real server. [`app`] is the router alone;
//! `connections` accepts the connections and keeps each one bounded in time and number;
//! `files` serves `dist/`, its hashed assets in the variants `precompressed` made at start-up;
//! `service_worker` writes `/sw.js`, which keeps the build `dist/` holds for offline use.

pub(crate) mod command;
mod connections;
mod files;
mod precompressed;
mod qr;
mod service_worker;

use crate::gate::{Gate, Refusal};
use crate::session;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use socklab_core::fence::Origin;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use crate::state::{Config, Shared, Stats};
pub use precompressed::Precompressed;

/// How long, at shutdown, a connection may take to finish the request it is in (within
/// `shutdown_grace`): the app's files are local and small.
const HTTP_GRACE: Duration = Duration::from_millis(500);

/// The router: `/ws` for the companion, `/sw.js` for the service worker of the build `dist/`
/// holds, everything else from `dist/`, whose hashed assets `compressed` holds in brotli and
/// gzip.
///
/// Its handlers log who asked, so each request must carry its peer's address as a
/// `ConnectInfo<SocketAddr>` extension, as [`Server`]'s connections add it.
pub fn app(shared: Arc<Shared>, compressed: Arc<Precompressed>) -> Router {
    Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/sw.js", get(service_worker::script))
        .fallback(files::static_file)
        .layer(Extension(compressed))
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

    /// Serves on `listener` (starting to compress `dist/`'s hashed assets, see
    /// [`Precompressed`]) until `shutdown` completes; then tells every session to close
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
        let compressed = Precompressed::start(&shared.config.dist);
        let router = app(Arc::clone(&shared), compressed);
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
