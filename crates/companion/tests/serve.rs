//! The real companion on 127.0.0.1:0, driven by real WebSocket and HTTP clients.

use futures_util::SinkExt;
use serde_json::json;
use socklab_companion::serve::Config;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

mod wsharness;
use wsharness::*;

#[tokio::test]
async fn hello_then_ping() {
    let server = Running::start(Config::default()).await;
    let mut ws = server.connect().await;
    let reply = hello(&mut ws).await;
    assert_eq!(reply["type"], "hello");
    assert_eq!(reply["protocol"], 1);
    assert_eq!(reply["server_version"], env!("CARGO_PKG_VERSION"));
    assert!(reply["capabilities"]
        .as_array()
        .unwrap()
        .contains(&json!("ping")));
    send(&mut ws, json!({"type": "ping", "id": 41})).await;
    assert_eq!(recv(&mut ws).await, json!({"type": "pong", "id": 41}));
}

#[tokio::test]
async fn bad_input_is_answered_and_the_session_lives_on() {
    let server = Running::start(Config::default()).await;
    let mut ws = server.connect().await;
    send(&mut ws, json!({"type": "ping", "id": 1})).await;
    let r = recv(&mut ws).await;
    assert_eq!(
        (r["code"].as_str(), r["id"].as_u64()),
        (Some("hello_required"), Some(1)),
        "{r}"
    );
    hello(&mut ws).await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    let r = recv(&mut ws).await;
    assert_eq!(r["type"], "error");
    assert_eq!(r["code"], "malformed_json");
    assert!(
        r["message"].as_str().unwrap().contains("not valid JSON"),
        "{r}"
    );
    send(&mut ws, json!({"type": "teleport", "id": 2})).await;
    let r = recv(&mut ws).await;
    assert_eq!(
        (r["code"].as_str(), r["id"].as_u64()),
        (Some("unknown_type"), Some(2))
    );
    assert!(
        r["message"].as_str().unwrap().contains("\"teleport\""),
        "names the bad type: {r}"
    );
    send(&mut ws, json!({"type": "ping"})).await;
    let r = recv(&mut ws).await;
    assert_eq!(r["code"], "invalid_message");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("missing field `id`"),
        "{r}"
    );
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(recv(&mut ws).await["code"], "binary_frame");
    send(
        &mut ws,
        json!({"type": "hello", "protocol": 1, "client": "again"}),
    )
    .await;
    assert_eq!(recv(&mut ws).await["code"], "already_hello");
    send(&mut ws, json!({"type": "ping", "id": 3})).await;
    assert_eq!(
        recv(&mut ws).await,
        json!({"type": "pong", "id": 3}),
        "still serving after all that"
    );
}

#[tokio::test]
async fn wrong_protocol_version_is_refused_by_name() {
    let server = Running::start(Config::default()).await;
    let mut ws = server.connect().await;
    send(
        &mut ws,
        json!({"type": "hello", "protocol": 99, "client": "future"}),
    )
    .await;
    let r = recv(&mut ws).await;
    assert_eq!(r["code"], "unsupported_protocol");
    assert!(
        r["message"].as_str().unwrap().contains("speaks protocol 1"),
        "{r}"
    );
}

#[tokio::test]
async fn oversized_message_closes_only_that_session_with_1009() {
    let server = Running::start(Config {
        max_message_bytes: 1024,
        ..Config::default()
    })
    .await;
    let mut bystander = server.connect().await;
    hello(&mut bystander).await;
    for size in [1025, 1024 * 64] {
        let mut ws = server.connect().await;
        hello(&mut ws).await;
        let _ = ws.send(Message::Text("x".repeat(size).into())).await;
        let (code, reason) = close_code(&mut ws).await;
        assert_eq!(code, 1009, "a {size}-byte message");
        assert!(
            reason.contains("1024 bytes"),
            "the reason names the limit: {reason}"
        );
    }
    send(&mut bystander, json!({"type": "ping", "id": 9})).await;
    assert_eq!(recv(&mut bystander).await, json!({"type": "pong", "id": 9}));
    drop(bystander);
    server.wait_for_no_sessions().await;
}

#[track_caller]
fn assert_forbidden(result: Result<Ws, WsError>, needle: &str) {
    match result {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status(), 403);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .into_owned();
            assert!(body.contains(needle), "403 body {body:?} lacks {needle:?}");
        }
        Err(other) => panic!("expected HTTP 403, got {other}"),
        Ok(_) => panic!("expected HTTP 403, but the upgrade was accepted"),
    }
}

#[tokio::test]
async fn upgrades_are_refused_with_403_and_no_session() {
    let server = Running::start(Config::default()).await;
    let own = format!("http://{}", server.addr);
    assert_forbidden(
        server.try_connect(None, None, Some(&own)).await,
        "missing token",
    );
    assert_forbidden(
        server
            .try_connect(Some("ffffffffffffffffffffffffffffffff"), None, Some(&own))
            .await,
        "wrong token",
    );
    assert_forbidden(
        server
            .try_connect(Some(TOKEN), None, Some("http://evil.example"))
            .await,
        "foreign Origin",
    );
    let rebound = format!("rebind.example:{}", server.addr.port());
    assert_forbidden(
        server.try_connect(Some(TOKEN), Some(&rebound), None).await,
        "Host",
    );
    assert_eq!(
        server.shared.stats.opened_sessions(),
        0,
        "no refused upgrade made a session"
    );
    // ...while the right token, Host and Origin get in.
    server.connect().await;
    assert_eq!(server.shared.stats.opened_sessions(), 1);
}

#[tokio::test]
async fn sessions_past_the_limit_are_refused_with_503_until_one_closes() {
    let server = Running::start(Config {
        max_sessions: 2,
        ..Config::default()
    })
    .await;
    let first = server.connect().await;
    let _second = server.connect().await;
    let own = format!("http://{}", server.addr);
    match server.try_connect(Some(TOKEN), None, Some(&own)).await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status(), 503);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .into_owned();
            assert_eq!(
                body,
                "too many sessions: this socklab allows 2 at once; close a tab that uses it, or \
                 restart it with --max-sessions 4"
            );
        }
        Err(other) => panic!("expected HTTP 503, got {other}"),
        Ok(_) => panic!("a third session got in past --max-sessions 2"),
    }
    assert_eq!(server.shared.stats.opened_sessions(), 2);
    // A closed session frees its place.
    drop(first);
    for _ in 0..500 {
        if server.shared.stats.active_sessions() < 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut third = server.connect().await;
    assert_eq!(hello(&mut third).await["type"], "hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_reads_cannot_make_the_server_buffer_without_bound() {
    let (child, _) = Child::start_with(&["--rate", "1000000"], 1);
    let mut stuck = child.connect().await;
    hello(&mut stuck).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib(child.process.id());
    // Requests whose answers (an unknown_type error, ~15 times the request's size) are never
    // read: the answers fill this side's receive buffer, then the server's send buffer; the
    // server then stops reading, and this side's sends stop going out.
    let request = Message::Text(r#"{"type":"x"}"#.into());
    let started = std::time::Instant::now();
    let mut sent = 0_u64;
    loop {
        match tokio::time::timeout(Duration::from_millis(500), stuck.send(request.clone())).await {
            Ok(Ok(())) => sent += 1,
            Ok(Err(e)) => panic!("the connection failed after {sent} requests: {e}"),
            Err(_) => break,
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server was still taking requests after 60 s ({sent} sent, none read)"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rss_kib(child.process.id());
    eprintln!("{sent} requests sent unread; server RSS {before} -> {after} KiB");
    assert!(
        sent > 1000,
        "only {sent} requests went out before the sends blocked"
    );
    assert!(
        after < before + 16 * 1024,
        "the server buffered: RSS {before} -> {after} KiB after {sent} unread answers"
    );
    // Everyone else is served meanwhile.
    let mut other = child.connect().await;
    hello(&mut other).await;
    send(&mut other, json!({"type": "ping", "id": 7})).await;
    assert_eq!(recv(&mut other).await["type"], "pong");
}

/// The real `socklab serve --port 0` binary, as a child process.
#[test]
fn serve_prints_its_real_url_with_a_fresh_token() {
    let (a, b) = (Child::start(), Child::start());
    for child in [&a, &b] {
        let rest = child
            .url
            .strip_prefix("http://127.0.0.1:")
            .expect(&child.url);
        let (port, token) = rest.split_once("/?token=").expect(&child.url);
        assert_ne!(port.parse::<u16>().unwrap(), 0, "the real port, not 0");
        assert!(
            token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()),
            "128-bit token: {token}"
        );
        std::net::TcpStream::connect(format!("127.0.0.1:{port}"))
            .expect("listening on the printed port");
    }
    assert_ne!(a.url, b.url, "a fresh port and token each start");
}

#[tokio::test]
async fn abrupt_disconnects_release_every_descriptor() {
    let child = Child::start();
    // One session first, so descriptors the runtime makes lazily exist before the baseline.
    let mut warm = child.connect().await;
    hello(&mut warm).await;
    drop(warm);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = child.descriptors();
    let mut sessions = Vec::new();
    for _ in 0..50 {
        let mut ws = child.connect().await;
        hello(&mut ws).await;
        sessions.push(ws);
    }
    assert!(
        child.descriptors() >= baseline + 50,
        "50 sessions hold 50 sockets: {} vs {baseline}",
        child.descriptors()
    );
    // Drop the TCP connections with no WebSocket close handshake, as a killed browser would.
    drop(sessions);
    let mut after = child.descriptors();
    for _ in 0..300 {
        if after <= baseline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        after = child.descriptors();
    }
    assert!(
        after <= baseline,
        "descriptors: {baseline} before, {after} after the sessions died"
    );
}

#[tokio::test]
async fn shutdown_closes_sessions_with_1001_quickly() {
    let mut server = Running::start(Config::default()).await;
    let mut ws = server.connect().await;
    hello(&mut ws).await;
    let started = std::time::Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    let (code, reason) = close_code(&mut ws).await;
    assert_eq!(code, u16::from(CloseCode::Away));
    assert!(reason.contains("shutting down"), "{reason}");
    tokio::time::timeout(Duration::from_secs(2), server.task)
        .await
        .expect("stops within 2 s")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn serves_the_build_or_says_how_to_make_it() {
    let server = Running::start(Config::default()).await;
    let page = http_get(server.addr, "/").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("cargo xtask run"),
        "the not-built page says how to build: {page}"
    );
    // With a build, files are served and unknown paths get index.html (the app routes itself).
    let dist = server._dist.path();
    std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(dist.join("app.wasm"), b"\0asm").unwrap();
    assert!(http_get(server.addr, "/")
        .await
        .ends_with("<html>app</html>"));
    assert!(http_get(server.addr, "/byte-order?v=1")
        .await
        .ends_with("<html>app</html>"));
    let wasm = http_get(server.addr, "/app.wasm").await;
    assert!(wasm.contains("content-type: application/wasm"), "{wasm}");
    assert!(
        http_get(server.addr, "/../Cargo.toml")
            .await
            .ends_with("<html>app</html>"),
        "no escape from dist"
    );
}

/// What Python prints for a call: the repr, or the traceback's last line.
fn python_says(call: &str) -> Option<Result<String, String>> {
    let out = std::process::Command::new("python3")
        .args(["-c", &format!("import socket\nprint(repr({call}))")])
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let last = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    Some(if out.status.success() {
        Ok(stdout)
    } else {
        Err(last)
    })
}

#[tokio::test]
async fn getaddrinfo_answers_as_python_does() {
    // Only names this machine answers from its own files and numeric hosts: no DNS traffic.
    let cases = [
        (json!({"host": "localhost", "port": "80", "family": 2, "socktype": 1}),
         "socket.getaddrinfo('localhost', 80, socket.AF_INET, socket.SOCK_STREAM)"),
        (json!({"host": "127.0.0.1", "port": "7"}), "socket.getaddrinfo('127.0.0.1', 7)"),
        (json!({"host": "::1", "port": "443", "family": 10, "socktype": 2}),
         "socket.getaddrinfo('::1', 443, socket.AF_INET6, socket.SOCK_DGRAM)"),
        (json!({"host": "::ffff:1.2.3.4", "port": "0", "family": 10, "socktype": 1, "flags": 4}),
         "socket.getaddrinfo('::ffff:1.2.3.4', 0, socket.AF_INET6, socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)"),
        (json!({"host": "not-a-number", "port": "80", "flags": 4}),
         "socket.getaddrinfo('not-a-number', 80, flags=socket.AI_NUMERICHOST)"),
        (json!({"host": "localhost", "port": "80", "family": 12345}),
         "socket.getaddrinfo('localhost', 80, 12345)"),
        (json!({"host": null, "port": null}), "socket.getaddrinfo(None, None)"),
        (json!({"host": "127.0.0.1", "port": "no-such-service-xyz", "flags": 4}),
         "socket.getaddrinfo('127.0.0.1', 'no-such-service-xyz', flags=socket.AI_NUMERICHOST)"),
    ];
    let server = Running::start(Config::default()).await;
    let mut ws = server.connect().await;
    hello(&mut ws).await;
    for (id, (mut request, call)) in cases.into_iter().enumerate() {
        let Some(want) = python_says(call) else {
            println!("SKIPPED: no python3");
            return;
        };
        request["type"] = json!("getaddrinfo");
        request["id"] = json!(id);
        send(&mut ws, request).await;
        let reply = recv(&mut ws).await;
        assert_eq!(reply["type"], "addrinfo", "{reply}");
        assert_eq!(reply["id"], json!(id));
        let outcome: socklab_core::protocol::AddrinfoOutcome =
            serde_json::from_value(reply["outcome"].clone()).unwrap();
        assert_eq!(outcome.python(), want, "{call}");
    }
}
