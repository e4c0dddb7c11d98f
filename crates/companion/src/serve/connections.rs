//! The HTTP connections: accepting them, capping how many may wait, timing out slow request
//! heads, and dropping whatever is left at shutdown.
//!
//! A connection costs the server a file descriptor for as long as it is open, and a client
//! decides how long that is unless the server does. So every connection here is bounded:
//! - at most `max_http_connections` that are not WebSocket sessions (yet) are open at once;
//!   one more is answered `503` and closed (sessions have their own limit, `max_sessions`);
//! - a request's head must arrive within `header_read_timeout`, and a kept-alive connection may
//!   wait no longer than that for its next request (hyper's `header_read_timeout` covers both);
//! - at shutdown each connection finishes the request it is in, and whatever is still open at
//!   the deadline is dropped, whatever its client does.

use crate::state::{stopping, ConnectionSlot, Shared};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Accepts connections on `listener` until shutdown, each served in its own task. Returns the
/// tasks still running, for [`super::Server::run_on`] to wait for and then drop.
pub(super) async fn accept(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
) -> JoinSet<()> {
    let mut stop = shared.shutdown.clone();
    let mut open = JoinSet::new();
    loop {
        tokio::select! {
            () = stopping(&mut stop) => break,
            // Reap finished connections as they end, so the set holds only open ones.
            Some(_) = open.join_next(), if !open.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    // Each answer is a small frame the page waits for: send it now, not after
                    // Nagle's delayed-ACK dance (~40 ms per answer that follows an event).
                    let _ = tcp.set_nodelay(true);
                    match shared.open_connection() {
                        Some(slot) => {
                            open.spawn(serve(tcp, peer, slot, Arc::clone(&shared), router.clone()));
                        }
                        None => {
                            let max = shared.config.max_http_connections;
                            tracing::info!(%peer, max, "refused a connection with 503: too many open");
                            open.spawn(answer_and_close(tcp, busy(max)));
                        }
                    }
                }
                // One connection's trouble (it was reset before we took it): take the next.
                Err(e) if is_connection_error(&e) => {}
                // Out of file descriptors, most likely: wait for some to be freed rather than spin.
                Err(e) => {
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    open
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// Serves one connection's requests (hyper's HTTP/1, with upgrades for `/ws`) until it closes,
/// its head timeout fires, or shutdown.
async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    slot: ConnectionSlot,
    shared: Arc<Shared>,
    router: Router,
) {
    let _slot = slot; // released when this task ends, however it ends
    let head_timeout = shared.config.header_read_timeout;
    // The router learns the peer's address as axum's `ConnectInfo`.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let mut conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    let mut stop = shared.shutdown.clone();
    let served = tokio::select! {
        served = &mut conn => served,
        () = stopping(&mut stop) => {
            // Finish the request in progress, keep nothing alive; run_on drops this task at
            // the shutdown deadline if the client does not let it finish.
            std::pin::Pin::new(&mut conn).graceful_shutdown();
            (&mut conn).await
        }
    };
    match served {
        Err(e) if e.is_timeout() => {
            let Some(parts) = conn.into_parts() else {
                return;
            };
            // Bytes of a request that never got its end: the client waits for an answer.
            // None: an idle connection, closed without an answer nobody asked for.
            if !parts.read_buf.is_empty() {
                tracing::info!(%peer, ?head_timeout, "answered 408: the request head was not complete in time");
                answer_and_close(parts.io.into_inner(), timed_out(head_timeout)).await;
            }
        }
        Err(e) => tracing::debug!(%peer, "connection ended: {e}"),
        Ok(()) => {}
    }
}

/// `408 Request Timeout`, as the server sends it when a request's head came too slowly.
fn timed_out(limit: Duration) -> String {
    response(
        "408 Request Timeout",
        &format!(
            "request timeout: the request's head did not arrive within {}; send the whole request again\n",
            crate::state::seconds(limit)
        ),
    )
}

/// `503 Service Unavailable`, for a connection over `max_http_connections`.
fn busy(max: usize) -> String {
    response(
        "503 Service Unavailable",
        &format!(
            "socklab is busy: {max} connections are open, its limit. Wait a few seconds and reload; \
             if this keeps happening, a program on this machine or your network is holding \
             connections to socklab open.\n"
        ),
    )
}

fn response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Writes `response`, closes the sending side, and reads (and drops) what the client still
/// sends for a moment before closing: closing with its request unread would make the kernel
/// send a reset, and a reset can make the client lose the answer before it reads it.
/// Each step is bounded in time, so a client that reads nothing holds nothing.
async fn answer_and_close(mut tcp: TcpStream, response: String) {
    let limit = Duration::from_millis(500);
    let wrote = tokio::time::timeout(limit, tcp.write_all(response.as_bytes())).await;
    if !matches!(wrote, Ok(Ok(()))) {
        return;
    }
    let _ = tcp.shutdown().await;
    let _ = tokio::time::timeout(limit, async {
        let mut sink = [0u8; 4096];
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}
