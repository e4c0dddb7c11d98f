//! Attacks on the companion's edges, each made for real: clients that send half a request or
//! nothing, that never read, that vanish, that send broken frames; symlinks out of `dist/`;
//! foreign Host headers; a squatter on `[::1]`. Each test makes one attack and checks the
//! server's answer to it.

mod netns;

use futures_util::StreamExt;
use serde_json::json;
use socklab_companion::serve::Config;
use socklab_core::protocol::SessionLimits;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

mod wsharness;
use wsharness::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Reads until the server closes the connection; fails if it is still open after `limit`.
async fn until_closed(tcp: &mut TcpStream, limit: Duration) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the connection was still open after {limit:?}; it sent {:?}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

/// Reads one response whose body has a Content-Length, leaving the connection open.
async fn one_response(tcp: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.expect("a response head"));
    }
    let head = String::from_utf8(head).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a content-length");
    let mut body = vec![0u8; length];
    tcp.read_exact(&mut body).await.unwrap();
    head + &String::from_utf8_lossy(&body)
}

/// `GET path` with this Host header (none if `None`), answered and closed.
async fn get(addr: SocketAddr, path: &str, host: Option<&str>) -> String {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    until_closed(&mut tcp, Duration::from_secs(5)).await
}

async fn get_own(addr: SocketAddr, path: &str) -> String {
    get(addr, path, Some(&addr.to_string())).await
}

/// Waits up to `limit` for the server to have no session open.
async fn sessions_end_within(server: &Running, limit: Duration, what: &str) {
    let started = Instant::now();
    while server.shared.stats.active_sessions() > 0 {
        assert!(
            started.elapsed() < limit,
            "{what}: the session was still open after {limit:?}"
        );
        tokio::time::sleep(ms(20)).await;
    }
}

// --- 1. Clients that send half a request, or nothing ---------------------------------------

fn quick_heads() -> Config {
    Config {
        header_read_timeout: ms(300),
        ..Config::default()
    }
}

#[tokio::test]
async fn a_silent_connection_is_closed_at_the_head_timeout() {
    let server = Running::start(quick_heads()).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    let answer = until_closed(&mut tcp, Duration::from_secs(3)).await;
    assert!(started.elapsed() >= ms(250), "{:?}", started.elapsed());
    assert_eq!(answer, "", "nothing was asked, so nothing is answered");
}

#[tokio::test]
async fn a_half_sent_head_gets_408_at_the_head_timeout() {
    let server = Running::start(quick_heads()).await;
    for part in ["G", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"] {
        let mut tcp = TcpStream::connect(server.addr).await.unwrap();
        tcp.write_all(part.as_bytes()).await.unwrap();
        let answer = until_closed(&mut tcp, Duration::from_secs(3)).await;
        assert!(
            answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "after {part:?}: {answer:?}"
        );
        assert!(
            answer.ends_with(
                "request timeout: the request's head did not arrive within 0.3 s; \
                 send the whole request again\n"
            ),
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_head_timeout() {
    let server = Running::start(quick_heads()).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    tcp.write_all(request.as_bytes()).await.unwrap();
    assert!(one_response(&mut tcp).await.starts_with("HTTP/1.1 200"));
    // Kept alive, then nothing more: closed, without an answer nobody asked for.
    let answer = until_closed(&mut tcp, Duration::from_secs(3)).await;
    assert_eq!(answer, "");
}

#[tokio::test]
async fn connections_past_the_cap_get_503_and_places_come_back() {
    let server = Running::start(Config {
        max_http_connections: 3,
        ..Config::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(server.addr).await.unwrap());
    }
    let answer = get_own(server.addr, "/").await;
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(
        answer.contains("3 connections are open, its limit")
            && answer.contains("Wait a few seconds and reload"),
        "says what happened and what to do: {answer}"
    );
    assert_eq!(server.shared.stats.http_connections(), 3);
    // A connection that ends frees its place.
    drop(held.pop());
    let started = Instant::now();
    loop {
        let answer = get_own(server.addr, "/").await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(3), "{answer}");
        tokio::time::sleep(ms(20)).await;
    }
}

#[tokio::test]
async fn websocket_sessions_do_not_count_against_the_connection_cap() {
    let server = Running::start(Config {
        max_http_connections: 2,
        ..Config::default()
    })
    .await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        let mut ws = server.connect().await;
        hello(&mut ws).await;
        sessions.push(ws);
    }
    assert_eq!(server.shared.stats.http_connections(), 0);
    assert!(get_own(server.addr, "/").await.starts_with("HTTP/1.1 200"));
}

/// A WebSocket session whose client says hello and then only sends, never reading a byte, so
/// the server's answers fill both sockets' buffers. Returns the sending task and how many
/// requests went out so far.
async fn flooding_session(addr: SocketAddr) -> (tokio::task::JoinHandle<()>, Arc<AtomicUsize>) {
    let mut ws = RawWs::connect_with(addr, Some(4096)).await;
    ws.hello().await;
    let request = format!(r#"{{"type":"{}"}}"#, "x".repeat(1000));
    let frame = RawWs::frame(0x81, request.as_bytes(), true);
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    let task = tokio::spawn(async move {
        // Until the server closes the connection.
        while ws.tcp.write_all(&frame).await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (task, sent)
}

/// Waits until the flood's requests stop going out: the server has stopped reading them,
/// because it cannot send its answers.
async fn until_stuck(sent: &AtomicUsize) {
    let started = Instant::now();
    let mut last = usize::MAX;
    while sent.load(Ordering::SeqCst) != last {
        last = sent.load(Ordering::SeqCst);
        tokio::time::sleep(ms(300)).await;
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server still reads requests after 30 s of unread answers"
        );
    }
}

#[tokio::test]
async fn shutdown_returns_within_2_s_whatever_clients_do() {
    let mut server = Running::start(Config::default()).await;
    std::fs::write(server._dist.path().join("big.bin"), vec![0u8; 32 << 20]).unwrap();
    // One byte of a request, and never the rest.
    let mut g = TcpStream::connect(server.addr).await.unwrap();
    g.write_all(b"G").await.unwrap();
    // Nothing at all.
    let _silent = TcpStream::connect(server.addr).await.unwrap();
    // A request for a big file whose answer is never read.
    let mut unread = TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET /big.bin HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    unread.write_all(request.as_bytes()).await.unwrap();
    // A session whose page never reads, and whose answers fill the buffers.
    let (flood, sent) = flooding_session(server.addr).await;
    until_stuck(&sent).await;
    assert_eq!(server.shared.stats.active_sessions(), 1);
    let started = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(2), &mut server.task)
        .await
        .expect("Server::run_on returns within 2 s of the shutdown signal")
        .unwrap()
        .unwrap();
    eprintln!("stopped in {:?}", started.elapsed());
    flood.abort();
}

// --- 2. A session whose page never reads ---------------------------------------------------

fn limits(change: impl FnOnce(&mut SessionLimits)) -> Config {
    let mut config = Config::default();
    config.limits.requests_per_second = 1_000_000;
    change(&mut config.limits);
    config
}

#[tokio::test]
async fn a_session_that_never_reads_ends_at_its_idle_timeout() {
    let server = Running::start(limits(|l| l.idle_secs = 1)).await;
    let (flood, _) = flooding_session(server.addr).await;
    sessions_end_within(&server, Duration::from_secs(10), "idle timeout 1 s").await;
    flood.abort();
}

#[tokio::test]
async fn a_session_that_never_reads_ends_at_its_lifetime() {
    let server = Running::start(limits(|l| l.lifetime_secs = 1)).await;
    let (flood, _) = flooding_session(server.addr).await;
    sessions_end_within(&server, Duration::from_secs(10), "lifetime 1 s").await;
    flood.abort();
}

// --- 3. Keep-alive: a ping wants its pong ----------------------------------------------------

#[tokio::test]
async fn a_page_that_stops_answering_pings_is_closed() {
    let server = Running::start(Config {
        keepalive_interval: ms(200),
        ..Config::default()
    })
    .await;
    // This client reads what comes, but answers no ping: a page whose machine is gone.
    let mut ws = RawWs::connect(server.addr).await;
    ws.hello().await;
    let started = Instant::now();
    let (code, reason) = ws.close_frame().await.expect("a close frame");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, 1008);
    assert!(reason.contains("ping"), "{reason}");
    sessions_end_within(&server, Duration::from_secs(1), "no pong").await;
}

#[tokio::test]
async fn a_page_that_answers_pings_stays_open() {
    let server = Running::start(Config {
        keepalive_interval: ms(100),
        ..Config::default()
    })
    .await;
    let mut ws = server.connect().await;
    hello(&mut ws).await;
    // Reading is what makes tungstenite answer each ping.
    let mut pings = 0;
    let until = Instant::now() + Duration::from_secs(1);
    while let Ok(frame) = tokio::time::timeout_at(until.into(), ws.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected only pings, got {other:?}"),
        }
    }
    assert!(pings >= 5, "{pings} pings in 1 s");
    send(&mut ws, json!({"type": "ping", "id": 5})).await;
    assert_eq!(recv(&mut ws).await, json!({"type": "pong", "id": 5}));
}

// --- 4. Broken frames get a close frame with a reason ----------------------------------------

#[tokio::test]
async fn broken_frames_get_a_close_frame_with_a_reason() {
    let server = Running::start(Config::default()).await;
    // (what, first byte: FIN/RSV/opcode, payload, masked, close code)
    let cases: [(&str, u8, &[u8], bool, u16); 6] = [
        (
            "invalid UTF-8 in a text frame",
            0x81,
            b"{\"type\":\"\xff\"}",
            true,
            1007,
        ),
        ("RSV1 set", 0xc1, b"{}", true, 1002),
        ("RSV3 set", 0x91, b"{}", true, 1002),
        ("an unmasked frame", 0x81, b"{}", false, 1002),
        ("a fragmented ping", 0x09, b"", true, 1002),
        ("a reserved opcode", 0x83, b"{}", true, 1002),
    ];
    let mut wrong = Vec::new();
    for (what, first, payload, masked, want) in cases {
        let mut ws = RawWs::connect(server.addr).await;
        ws.hello().await;
        ws.send_frame(first, payload, masked).await;
        match ws.close_frame().await {
            Some((code, reason)) if code == want && !reason.is_empty() => {
                eprintln!("{what}: {code} {reason}");
            }
            other => wrong.push(format!(
                "{what}: expected {want} with a reason, got {other:?}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    sessions_end_within(&server, Duration::from_secs(2), "after each bad frame").await;
}

// --- 5. Static files: only dist/, only to our own Host ---------------------------------------

#[tokio::test]
async fn a_symlink_out_of_dist_is_not_followed() {
    let server = Running::start(Config::default()).await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    let dist = server._dist.path();
    std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(dist.join("app.js"), "app()").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dist.join("leak")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dist.join("out")).unwrap();
    std::os::unix::fs::symlink(dist.join("app.js"), dist.join("alias.js")).unwrap();
    for path in ["/leak", "/out/secret.txt"] {
        let answer = get_own(server.addr, path).await;
        assert!(!answer.contains("TOP SECRET"), "{path} leaked: {answer}");
        assert!(answer.starts_with("HTTP/1.1 403"), "{path}: {answer}");
    }
    // A link that stays inside dist/ is fine.
    assert!(get_own(server.addr, "/alias.js").await.ends_with("app()"));
    // Nor is index.html followed out of dist/ (it answers every unknown path).
    std::fs::remove_file(dist.join("index.html")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dist.join("index.html")).unwrap();
    for path in ["/", "/some/route"] {
        let answer = get_own(server.addr, path).await;
        assert!(!answer.contains("TOP SECRET"), "{path} leaked: {answer}");
    }
}

#[tokio::test]
async fn pages_are_refused_to_a_foreign_host() {
    let server = Running::start(Config::default()).await;
    let dist = server._dist.path();
    std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(dist.join("app.wasm"), b"\0asm").unwrap();
    // A page at evil.example whose name now resolves to 127.0.0.1 (DNS rebinding).
    let evil = format!("evil.example:{}", server.addr.port());
    for path in ["/", "/app.wasm", "/no/such/route"] {
        let answer = get(server.addr, path, Some(&evil)).await;
        assert!(answer.starts_with("HTTP/1.1 403"), "{path}: {answer}");
        assert!(answer.contains("unexpected Host header"), "{answer}");
        assert!(
            !answer.contains("app") && !answer.contains("asm"),
            "{answer}"
        );
    }
    let hostless = get(server.addr, "/", None).await;
    assert!(hostless.starts_with("HTTP/1.1 403"), "{hostless}");
    assert!(get_own(server.addr, "/")
        .await
        .ends_with("<html>app</html>"));
}

// --- 6. `localhost` only when [::1] is ours too ----------------------------------------------

/// Tries a WebSocket upgrade at `addr` as a page at `http://{host}` would.
async fn upgrade_as(addr: &str, host: &str, token: &str) -> Result<Ws, tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/ws?token={token}")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert("Host", host.parse().unwrap());
    request
        .headers_mut()
        .insert("Origin", format!("http://{host}").parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

fn token_of(child: &Child) -> String {
    child.url.split_once("?token=").unwrap().1.to_owned()
}

#[test]
fn localhost_is_refused_while_another_program_holds_ipv6_loopback() {
    netns::in_loopback_only("localhost_squatted_inside_namespace");
}

#[tokio::test]
#[ignore = "run inside a network namespace by localhost_is_refused_while_another_program_holds_ipv6_loopback"]
async fn localhost_squatted_inside_namespace() {
    netns::assert_isolated(&["lo"]);
    // Someone else holds [::1]:8765, so a browser's `localhost:8765` may reach them, not us.
    let _squatter = std::net::TcpListener::bind("[::1]:8765").unwrap();
    let (child, _) = Child::start_with(&["--port", "8765"], 1);
    let token = token_of(&child);
    let addr: SocketAddr = "127.0.0.1:8765".parse().unwrap();
    match upgrade_as("127.0.0.1:8765", "localhost:8765", &token).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        Err(other) => panic!("expected HTTP 403, got {other}"),
        Ok(_) => panic!("a page at localhost:8765 got a session while [::1]:8765 is not ours"),
    }
    assert!(get(addr, "/", Some("localhost:8765"))
        .await
        .starts_with("HTTP/1.1 403"));
    // 127.0.0.1 is ours, and still works.
    upgrade_as("127.0.0.1:8765", "127.0.0.1:8765", &token)
        .await
        .expect("the printed address still works");
}

#[test]
fn localhost_is_served_on_both_loopbacks() {
    netns::in_loopback_only("localhost_inside_namespace");
}

#[tokio::test]
#[ignore = "run inside a network namespace by localhost_is_served_on_both_loopbacks"]
async fn localhost_inside_namespace() {
    netns::assert_isolated(&["lo"]);
    let (child, _) = Child::start_with(&["--port", "8765"], 1);
    let token = token_of(&child);
    for addr in ["127.0.0.1:8765", "[::1]:8765"] {
        let mut ws = upgrade_as(addr, "localhost:8765", &token)
            .await
            .unwrap_or_else(|e| panic!("a page at localhost:8765, via {addr}: {e}"));
        assert_eq!(hello(&mut ws).await["type"], "hello");
        let page = get(addr.parse().unwrap(), "/", Some("localhost:8765")).await;
        assert!(page.starts_with("HTTP/1.1 200"), "via {addr}: {page}");
    }
}
