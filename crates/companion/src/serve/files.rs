//! The app's files from `dist/`, written for this job rather than taken from a general file
//! server, because each rule here is one a general server does not keep:
//! - only to this server's own `Host` (a page at a rebinding name must not read the app);
//! - only files inside `dist/`: a symbolic link is followed only as far as it stays inside;
//! - any other path gets `index.html`, since the app routes itself;
//! - the hashed assets in brotli or gzip as the request accepts, from the variants
//!   [`Precompressed`] makes once at start-up, with `Vary: Accept-Encoding`;
//! - hashed assets cached for a year as `immutable` (their names change with their content),
//!   everything else, `index.html` first, revalidated on every load (`no-cache`).

use super::precompressed::{self, Precompressed};
use crate::gate::Refusal;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// `Cache-Control` for a file whose name is a hash of its content: a browser keeps it for a
/// year and never asks again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for everything else: the browser may keep it, but asks before each use.
const REVALIDATE: &str = "no-cache";

/// Serves a file from `dist/`, `index.html` for any other path (the app routes itself), or a
/// page that says how to build the app when there is no build; to this server's own Host only.
pub(super) async fn static_file(
    State(shared): State<Arc<Shared>>,
    Extension(compressed): Extension<Arc<Precompressed>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refused) = refuse_foreign_host(&shared, peer, &headers) {
        return refused;
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
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    if plain && !path.is_empty() {
        match read_inside(dist, path).await {
            Inside::File(bytes) => return file_response(path, bytes, accept, &compressed),
            Inside::Outside => return outside(peer, path),
            Inside::Missing => {}
        }
    }
    match read_inside(dist, precompressed::INDEX).await {
        Inside::File(bytes) => file_response(precompressed::INDEX, bytes, accept, &compressed),
        Inside::Outside => outside(peer, "index.html"),
        Inside::Missing => (
            [(header::CACHE_CONTROL, REVALIDATE)],
            Html(not_built_page(dist)),
        )
            .into_response(),
    }
}

/// The 403 for a request whose `Host` is not this server's own, or `None` for one that is.
///
/// A page at a rebinding name (evil.example, now resolving to 127.0.0.1) is same-origin with
/// whatever answers there: it must not read the app, nor anything else served here.
pub(super) fn refuse_foreign_host(
    shared: &Shared,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Option<Response> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if shared.gate.host_allowed(host) {
        return None;
    }
    tracing::info!(%peer, ?host, "refused a page with 403: foreign Host");
    Some((StatusCode::FORBIDDEN, Refusal::ForeignHost.to_string()).into_response())
}

/// A file's response: its type, how long it may be cached, and its bytes in the best encoding
/// the request accepts that a variant exists in.
fn file_response(
    path: &str,
    bytes: Vec<u8>,
    accept_encoding: Option<&str>,
    compressed: &Precompressed,
) -> Response {
    let cache = if precompressed::is_hashed(path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut response = match precompressed::negotiate(accept_encoding)
        .and_then(|encoding| Some((encoding, compressed.variant(path, &bytes, encoding)?)))
    {
        Some((encoding, body)) => (
            [(header::CONTENT_ENCODING, encoding.as_str())],
            Bytes::clone(&body),
        )
            .into_response(),
        None => bytes.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if Precompressed::covers(path) {
        // The same URL answers differently by Accept-Encoding: caches must keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// What `dist/` holds at a path.
pub(super) enum Inside {
    /// A file inside `dist/`, once every symbolic link on the way is followed.
    File(Vec<u8>),
    /// Something outside `dist/`: a symbolic link points out.
    Outside,
    /// Nothing readable.
    Missing,
}

/// Reads `dist/relative`, following symbolic links only as far as they stay inside `dist/`.
pub(super) async fn read_inside(dist: &Path, relative: &str) -> Inside {
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
        "txt" => "text/plain; charset=utf-8",
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
