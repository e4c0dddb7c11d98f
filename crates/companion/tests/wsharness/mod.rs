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
        Running::start_in(tempfile::tempdir().unwrap(), config).await
    }

    /// Starts serving `dist`, a folder the test has filled already (the server compresses the
    /// assets it finds there as it starts).
    pub(crate) async fn start_in(dist: tempfile::TempDir, config: Config) -> Running {
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
    /// Every line it printed after the first ones, as they come (read on a thread, so the
    /// server never writes into a closed pipe).
    pub(crate) printed: Arc<std::sync::Mutex<Vec<String>>>,
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
        // `--port 0` unless the caller names a port.
        let port: &[&str] = if extra.contains(&"--port") {
            &[]
        } else {
            &["--port", "0"]
        };
        let mut process = std::process::Command::new(env!("CARGO_BIN_EXE_socklab"))
            .arg("serve")
            .args(port)
            .arg("--dist")
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
        let printed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = Arc::clone(&printed);
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        let child = Child {
            process,
            url: urls[0].clone(),
            printed,
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
    /// The ids of calls the companion said wait, in order.
    pub(crate) waiting: Vec<u64>,
    /// Classroom news (`class` counts, `show` links), in order.
    pub(crate) class: Vec<Value>,
    pub(crate) next: u64,
}

impl Session {
    /// A session on a WebSocket that already said hello.
    pub(crate) fn new(ws: Ws) -> Session {
        Session {
            ws,
            events: Vec::new(),
            waiting: Vec::new(),
            class: Vec::new(),
            next: 100,
        }
    }

    pub(crate) async fn open(server: &Running) -> Session {
        let mut ws = server.connect().await;
        let h = hello(&mut ws).await;
        assert_eq!(h["type"], "hello", "{h}");
        Session::new(ws)
    }

    /// The next message that is not an event (events are kept in `self.events`).
    pub(crate) async fn reply(&mut self) -> Value {
        loop {
            let m = recv_within(&mut self.ws, Duration::from_secs(10)).await;
            if m["type"] == "event" {
                self.events.push(m["event"].clone());
                continue;
            }
            // A call that waits says so before its result; tests that care read `waiting`.
            if m["type"] == "waiting" {
                self.waiting.push(m["id"].as_u64().unwrap_or(0));
                continue;
            }
            if m["type"] == "class" || m["type"] == "show" {
                self.class.push(m);
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

    /// Waits until classroom news matching `pred` came (or was already kept), and takes it and
    /// all that came before it.
    pub(crate) async fn news(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(at) = self.class.iter().position(&pred) {
                return self.class.drain(..=at).next_back().unwrap();
            }
            let m = recv_within(&mut self.ws, Duration::from_secs(10)).await;
            if m["type"] == "event" {
                self.events.push(m["event"].clone());
            } else {
                assert!(
                    m["type"] == "class" || m["type"] == "show",
                    "waiting for news, got {m}"
                );
                self.class.push(m);
            }
        }
    }

    /// Waits until an event matching `pred` came (or was already kept).
    pub(crate) async fn event(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(e) = self.events.iter().find(|e| pred(e)) {
            return e.clone();
        }
        loop {
            let m = recv_within(&mut self.ws, Duration::from_secs(10)).await;
            if m["type"] == "class" || m["type"] == "show" {
                self.class.push(m);
                continue;
            }
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

/// A WebSocket client written by hand on a plain TCP socket: it sends frames no library would
/// (bad UTF-8, reserved bits, no mask), and it answers no ping and reads nothing unless told to,
/// as a page whose machine vanished.
pub(crate) struct RawWs {
    pub(crate) tcp: TcpStream,
}

impl RawWs {
    /// Connects to `addr` and upgrades with the right token, Host and Origin.
    pub(crate) async fn connect(addr: SocketAddr) -> RawWs {
        RawWs::connect_with(addr, None).await
    }

    /// [`RawWs::connect`] with a receive buffer of `rcvbuf` bytes, so a client that never reads
    /// fills up sooner.
    pub(crate) async fn connect_with(addr: SocketAddr, rcvbuf: Option<u32>) -> RawWs {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(size) = rcvbuf {
            socket.set_recv_buffer_size(size).unwrap();
        }
        let mut tcp = socket.connect(addr).await.unwrap();
        let request = format!(
            "GET /ws?token={TOKEN} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        // Byte by byte up to the blank line, so no frame after the head is read here.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(tcp.read_u8().await.expect("an upgrade response"));
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        RawWs { tcp }
    }

    /// Sends one frame: `first` is the FIN/RSV/opcode byte; the payload is masked, as a
    /// client's must be, unless `masked` is false.
    pub(crate) async fn send_frame(&mut self, first: u8, payload: &[u8], masked: bool) {
        use tokio::io::AsyncWriteExt;
        let frame = RawWs::frame(first, payload, masked);
        self.tcp.write_all(&frame).await.unwrap();
    }

    /// The bytes of one frame, as [`RawWs::send_frame`] sends it.
    pub(crate) fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
        let mask_bit = if masked { 0x80 } else { 0 };
        let mut frame = vec![first];
        match payload.len() {
            n @ 0..=125 => frame.push(mask_bit | n as u8),
            n @ 126..=0xffff => {
                frame.push(mask_bit | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(mask_bit | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if masked {
            let key = [0x37, 0xfa, 0x21, 0x3d];
            frame.extend_from_slice(&key);
            frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        } else {
            frame.extend_from_slice(payload);
        }
        frame
    }

    pub(crate) async fn send_text(&mut self, text: &str) {
        self.send_frame(0x81, text.as_bytes(), true).await;
    }

    /// The next frame from the server: its opcode and payload.
    pub(crate) async fn read_frame(&mut self) -> (u8, Vec<u8>) {
        use tokio::io::AsyncReadExt;
        let mut head = [0u8; 2];
        self.tcp.read_exact(&mut head).await.unwrap();
        assert_eq!(head[1] & 0x80, 0, "a server's frames are not masked");
        let len = match head[1] & 0x7f {
            126 => u64::from(self.tcp.read_u16().await.unwrap()),
            127 => self.tcp.read_u64().await.unwrap(),
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(len).unwrap()];
        self.tcp.read_exact(&mut payload).await.unwrap();
        (head[0] & 0x0f, payload)
    }

    /// The next text frame, as JSON (skipping pings, which this client does not answer).
    pub(crate) async fn recv(&mut self) -> Value {
        loop {
            let (opcode, payload) = tokio::time::timeout(Duration::from_secs(5), self.read_frame())
                .await
                .expect("a frame within 5 s");
            match opcode {
                0x1 => return serde_json::from_slice(&payload).unwrap(),
                0x9 | 0xa => continue,
                other => panic!("expected a text frame, got opcode {other:#x}"),
            }
        }
    }

    /// The code and reason of the close frame the server sends next (skipping other frames),
    /// or `None` if the connection ends without one.
    pub(crate) async fn close_frame(&mut self) -> Option<(u16, String)> {
        use tokio::io::AsyncReadExt;
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let mut head = [0u8; 2];
                if self.tcp.read_exact(&mut head).await.is_err() {
                    return None;
                }
                let len = match head[1] & 0x7f {
                    126 => usize::from(self.tcp.read_u16().await.ok()?),
                    127 => usize::try_from(self.tcp.read_u64().await.ok()?).unwrap(),
                    n => usize::from(n),
                };
                let mut payload = vec![0u8; len];
                self.tcp.read_exact(&mut payload).await.ok()?;
                if head[0] & 0x0f == 0x8 {
                    if payload.len() < 2 {
                        return Some((1005, String::new())); // a close frame with no code
                    }
                    let code = u16::from_be_bytes([payload[0], payload[1]]);
                    return Some((code, String::from_utf8_lossy(&payload[2..]).into_owned()));
                }
            }
        })
        .await
        .expect("a close frame or the end of the connection within 5 s")
    }

    /// Says hello and waits for the companion's.
    pub(crate) async fn hello(&mut self) {
        self.send_text(r#"{"type":"hello","protocol":1,"client":"raw"}"#)
            .await;
        assert_eq!(self.recv().await["type"], "hello");
    }
}
