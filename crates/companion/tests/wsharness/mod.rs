//! The real companion on 127.0.0.1:0 (or a real `socklab serve` child), driven by real
//! WebSocket clients: the harness the integration tests share.
#![allow(dead_code)] // each test file uses part of it

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use socklab_companion::gate::{Gate, Token};
use socklab_companion::serve::{Config, Server, Shared};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) const TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    pub(crate) stop: Option<oneshot::Sender<()>>,
    pub(crate) task: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub(crate) _dist: tempfile::TempDir,
}

impl Running {
    pub(crate) async fn start(config: Config) -> Running {
        let dist = tempfile::tempdir().unwrap();
        let config = Config {
            dist: dist.path().to_path_buf(),
            ..config
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Server::new(
            Gate::new(Token::from_string(TOKEN), addr.port(), &[]),
            config,
        );
        let shared = server.shared();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server.run(listener, async {
            let _ = rx.await;
        }));
        Running {
            addr,
            shared,
            stop: Some(tx),
            task,
            _dist: dist,
        }
    }

    pub(crate) fn url(&self, token: Option<&str>) -> String {
        match token {
            Some(t) => format!("ws://{}/ws?token={t}", self.addr),
            None => format!("ws://{}/ws", self.addr),
        }
    }

    /// Opens a session with this server's own Origin and Host.
    pub(crate) async fn connect(&self) -> Ws {
        self.try_connect(Some(TOKEN), None, Some(&format!("http://{}", self.addr)))
            .await
            .expect("connects")
    }

    pub(crate) async fn try_connect(
        &self,
        token: Option<&str>,
        host: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, WsError> {
        let mut request = self.url(token).into_client_request().unwrap();
        if let Some(host) = host {
            request.headers_mut().insert("Host", host.parse().unwrap());
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", origin.parse().unwrap());
        }
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(ws, _)| ws)
    }

    pub(crate) async fn wait_for_no_sessions(&self) {
        for _ in 0..500 {
            if self.shared.stats.active_sessions() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "sessions still open: {}",
            self.shared.stats.active_sessions()
        );
    }
}

pub(crate) async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

pub(crate) async fn recv(ws: &mut Ws) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a reply within 5 s")
        {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text reply, got {other:?}"),
        }
    }
}

pub(crate) async fn hello(ws: &mut Ws) -> Value {
    send(
        ws,
        json!({"type": "hello", "protocol": 1, "client": "test"}),
    )
    .await;
    recv(ws).await
}

/// The close frame the server sends next (skipping pings).
pub(crate) async fn close_code(ws: &mut Ws) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a close within 5 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (u16::from(frame.code), frame.reason.to_string())
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A process's resident memory (VmRSS), in KiB.
pub(crate) fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

pub(crate) struct Child {
    pub(crate) process: std::process::Child,
    pub(crate) url: String,
}

impl Child {
    pub(crate) fn start() -> Child {
        Child::start_with(&[], 1).0
    }

    /// Starts `socklab serve --port 0` with more arguments; returns the first `lines` lines
    /// it prints (the URLs).
    pub(crate) fn start_with(extra: &[&str], lines: usize) -> (Child, Vec<String>) {
        use std::io::BufRead;
        let dist = tempfile::tempdir().unwrap();
        let mut process = std::process::Command::new(env!("CARGO_BIN_EXE_socklab"))
            .args(["serve", "--port", "0", "--dist"])
            .arg(dist.path())
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(process.stdout.take().unwrap());
        let urls: Vec<String> = (0..lines)
            .map(|_| {
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                line.trim().to_owned()
            })
            .collect();
        let child = Child {
            process,
            url: urls[0].clone(),
        };
        (child, urls)
    }

    pub(crate) fn descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.process.id()))
            .map(Iterator::count)
            .unwrap_or(0)
    }

    /// What each open descriptor is (`socket:[123]`, `anon_inode:[eventpoll]`...), for messages.
    pub(crate) fn open_files(&self) -> Vec<String> {
        let dir = format!("/proc/{}/fd", self.process.id());
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let target = std::fs::read_link(e.path())
                            .map_or_else(|_| "?".into(), |t| t.display().to_string());
                        format!("{}={target}", e.file_name().to_string_lossy())
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    pub(crate) async fn connect(&self) -> Ws {
        let ws_url = self
            .url
            .replacen("http://", "ws://", 1)
            .replacen("/?token=", "/ws?token=", 1);
        tokio_tungstenite::connect_async(ws_url)
            .await
            .expect("connects")
            .0
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A session that said hello, with helpers for live calls; events are kept as they come.
pub(crate) struct Session {
    pub(crate) ws: Ws,
    pub(crate) events: Vec<Value>,
    pub(crate) next: u64,
}

impl Session {
    pub(crate) async fn open(server: &Running) -> Session {
        let mut ws = server.connect().await;
        let h = hello(&mut ws).await;
        assert_eq!(h["type"], "hello", "{h}");
        Session {
            ws,
            events: Vec::new(),
            next: 100,
        }
    }

    /// The next message that is not an event (events are kept in `self.events`).
    pub(crate) async fn reply(&mut self) -> Value {
        loop {
            let m = recv_within(&mut self.ws, Duration::from_secs(10)).await;
            if m["type"] == "event" {
                self.events.push(m["event"].clone());
                continue;
            }
            return m;
        }
    }

    /// Sends a request with a fresh id (set into `message`) and returns that id.
    pub(crate) async fn send(&mut self, mut message: Value) -> u64 {
        self.next += 1;
        message["id"] = json!(self.next);
        send(&mut self.ws, message).await;
        self.next
    }

    /// Sends a request and waits for the reply with its id.
    pub(crate) async fn request(&mut self, message: Value) -> Value {
        let id = self.send(message).await;
        self.reply_to(id).await
    }

    pub(crate) async fn reply_to(&mut self, id: u64) -> Value {
        let m = self.reply().await;
        assert_eq!(m["id"], json!(id), "replies come in order here: {m}");
        m
    }

    /// Runs a call and returns its whole `result` message.
    pub(crate) async fn call(&mut self, call: Value) -> Value {
        let m = self.request(json!({"type": "call", "call": call})).await;
        assert_eq!(m["type"], "result", "{m}");
        m
    }

    /// Runs a call and returns the line the page shows: the repr, or the exception.
    pub(crate) async fn line(&mut self, call: Value) -> String {
        let m = self.call(call).await;
        outcome_line(&m["outcome"])
    }

    pub(crate) async fn socket(&mut self, family: i32, socktype: i32) -> u64 {
        let m = self
            .call(json!({"op": "socket", "family": family, "socktype": socktype}))
            .await;
        m["outcome"]["value"]["sock"]
            .as_u64()
            .unwrap_or_else(|| panic!("a socket: {m}"))
    }

    pub(crate) async fn tcp(&mut self) -> u64 {
        self.socket(2, 1).await
    }

    /// A TCP socket bound to a free loopback port and listening.
    pub(crate) async fn listening(&mut self) -> u64 {
        let l = self.tcp().await;
        self.line(json!({"op": "bind", "sock": l, "address": "('127.0.0.1', 0)"}))
            .await;
        self.line(json!({"op": "listen", "sock": l})).await;
        l
    }

    pub(crate) async fn peer(&mut self, kind: &str) -> u16 {
        let m = self.request(json!({"type": "peer", "kind": kind})).await;
        assert_eq!(m["type"], "peer", "{m}");
        m["port"].as_u64().unwrap() as u16
    }

    /// Waits until an event matching `pred` came (or was already kept).
    pub(crate) async fn event(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(e) = self.events.iter().find(|e| pred(e)) {
            return e.clone();
        }
        loop {
            let m = recv_within(&mut self.ws, Duration::from_secs(10)).await;
            assert_eq!(m["type"], "event", "waiting for an event, got {m}");
            self.events.push(m["event"].clone());
            if pred(&m["event"]) {
                return m["event"].clone();
            }
        }
    }
}

/// What the page prints for a call's outcome (the shared core type decides).
pub(crate) fn outcome_line(outcome: &Value) -> String {
    serde_json::from_value::<socklab_core::protocol::CallOutcome>(outcome.clone())
        .unwrap_or_else(|e| panic!("an outcome: {e}: {outcome}"))
        .line()
}

pub(crate) async fn recv_within(ws: &mut Ws, limit: Duration) -> Value {
    loop {
        match tokio::time::timeout(limit, ws.next())
            .await
            .expect("a message in time")
        {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}
