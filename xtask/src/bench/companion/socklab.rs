//! socklab under load: a fresh `socklab serve` per N, and sessions that speak its protocol
//! through socklab-core's own types, as the page does: `hello`, an `echo_tcp` peer, `socket()`,
//! `connect()`, then `send(b'ping')` and `recv(64)` in turn. A protocol change breaks the bench
//! when it compiles, not when it runs.

use super::load::{both_phases, open_all, ws_connect, Load, Schedule, Ws, CALL_TIMEOUT, SETTLE};
use super::procfs::{usage, Memory};
use super::report::Row;
use super::{path_str, Options, SOCKLAB_LIMITS};
use crate::cmd;
use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use socklab_core::protocol::hex_decode;
use socklab_core::protocol::{
    encode, CallOutcome, ClientMessage, ErrorCode, LimitKind, PeerKind, PyReturn, ServerMessage,
    SockId, SocketCall, PROTOCOL_VERSION,
};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// A `socklab serve` started for one N.
struct Socklab {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    ws_url: String,
}

impl Drop for Socklab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &Path, dist: &Path, limits: bool, log: &Path) -> Result<Socklab> {
    let mut c = cmd(path_str(binary));
    c.args(["serve", "--port", "0", "--dist", path_str(dist)]);
    if limits {
        c.args(SOCKLAB_LIMITS);
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("starting socklab serve")?;
    let mut stdout = BufReader::new(child.stdout.take().context("socklab's stdout")?);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    // `http://127.0.0.1:PORT/?token=TOKEN`
    let (host, token) = line
        .trim()
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once("/?token="))
        .with_context(|| format!("socklab printed {line:?}, not its URL"))?;
    anyhow::ensure!(
        host.starts_with("127.0.0.1:"),
        "socklab serves {host}, not 127.0.0.1"
    );
    Ok(Socklab {
        child,
        _stdout: stdout,
        ws_url: format!("ws://{host}/ws?token={token}"),
    })
}

/// socklab's row for `n` sessions: memory idle, then both phases.
pub(super) async fn bench(n: usize, opts: &Options, dist: &Path, limits: bool, logs: &Path) -> Row {
    let server = match start(&opts.binary(), dist, limits, &logs.join("socklab.log")) {
        Ok(s) => s,
        Err(e) => return Row::failed("socklab", n, format!("could not start: {e:#}")),
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id();
    let base = usage(pid, false);
    let url = server.ws_url.clone();
    let (sessions, opened) = open_all(n, || {
        let url = url.clone();
        async move { open(&url).await.map_err(|e| e.to_string()) }
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    let idle = usage(pid, false);
    let runs = both_phases(sessions, opts, drive).await;
    drop(server);
    let alive = opened.up;
    Row::measured("socklab", n, opened, alive, Memory { base, idle }, runs)
}

/// How a request failed, in the few words the report counts it under.
enum Failure {
    /// The companion refused the message: `error rate_limited`.
    Wire(ErrorCode),
    /// One of the companion's limits stopped the call: `limit calls_in_flight`.
    Limit(LimitKind),
    /// The call raised, as Python would: `raised ConnectionResetError`.
    Raised(String),
    /// The fence refused the call.
    Refused,
    /// The call was cancelled.
    Cancelled,
    /// The connection failed or closed, or the answer was not what was asked for.
    Broken(String),
}

impl Failure {
    /// Whether the session is done for: after a refused message or a limit it can go on.
    fn ends_session(&self) -> bool {
        !matches!(self, Failure::Wire(_) | Failure::Limit(_))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An error code or limit is named as on the wire (`rate_limited`): its JSON string.
        match self {
            Failure::Wire(code) => write!(f, "error {}", encode(code).trim_matches('"')),
            Failure::Limit(limit) => write!(f, "limit {}", encode(limit).trim_matches('"')),
            Failure::Raised(class) => write!(f, "raised {class}"),
            Failure::Refused => f.write_str("refused"),
            Failure::Cancelled => f.write_str("cancelled"),
            Failure::Broken(what) => f.write_str(what),
        }
    }
}

/// Sends `message` and waits for its answer: the reply with its id (for `hello`, the server's
/// `hello`), or an error about it. Events and other replies are skipped.
async fn request(ws: &mut Ws, message: &ClientMessage) -> Result<ServerMessage, Failure> {
    ws.send(Message::Text(encode(message).into()))
        .await
        .map_err(|e| Failure::Broken(format!("send failed: {e}")))?;
    let id = message.id();
    loop {
        let frame = tokio::time::timeout(CALL_TIMEOUT, ws.next())
            .await
            .map_err(|_| {
                Failure::Broken(format!("no answer within {} s", CALL_TIMEOUT.as_secs()))
            })?;
        let text = match frame {
            None => return Err(Failure::Broken("connection closed".to_owned())),
            Some(Err(e)) => return Err(Failure::Broken(format!("connection failed: {e}"))),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(f))) => {
                return Err(Failure::Broken(format!(
                    "closed by the server ({})",
                    f.map_or_else(|| "no code".to_owned(), |f| u16::from(f.code).to_string())
                )))
            }
            Some(Ok(_)) => continue,
        };
        // The companion has no decoder of its own for what it sends: serde's is the protocol's.
        let answer: ServerMessage = serde_json::from_str(text.as_str())
            .map_err(|e| Failure::Broken(format!("bad JSON from socklab: {e}")))?;
        match answer {
            ServerMessage::Event { .. } => {}
            ServerMessage::Error(e) if id.is_none() || e.id.is_none() || e.id == id => {
                return Err(Failure::Wire(e.code))
            }
            answer if answer.reply_id() == id => return Ok(answer),
            _ => {}
        }
    }
}

/// Makes one call and returns what it returned, or how it failed.
async fn call(ws: &mut Ws, id: u64, call: SocketCall) -> Result<PyReturn, Failure> {
    let outcome = match request(ws, &ClientMessage::Call { id, call }).await? {
        ServerMessage::Result { outcome, .. } => outcome,
        other => {
            return Err(Failure::Broken(format!(
                "a call answered by {}",
                encode(&other)
            )))
        }
    };
    match outcome {
        CallOutcome::Returned { value } => Ok(value),
        CallOutcome::Raised(raised) => Err(Failure::Raised(raised.class)),
        CallOutcome::Limit { limit, .. } => Err(Failure::Limit(limit)),
        CallOutcome::Refused { .. } => Err(Failure::Refused),
        CallOutcome::Cancelled => Err(Failure::Cancelled),
    }
}

struct SocklabSession {
    ws: Ws,
    sock: SockId,
    /// The last request id used.
    id: u64,
    /// Bytes sent and not read back yet, and how many were read back in all.
    pending: usize,
    echoed: usize,
}

/// hello, an echo peer, `socket()`, `connect()` to the peer.
async fn open(url: &str) -> Result<SocklabSession, Failure> {
    let mut ws = ws_connect(url).await.map_err(Failure::Broken)?;
    let hello = ClientMessage::Hello {
        protocol: PROTOCOL_VERSION,
        client: "bench".to_owned(),
    };
    request(&mut ws, &hello).await?;
    let peer = ClientMessage::Peer {
        id: 1,
        kind: PeerKind::EchoTcp,
    };
    let ServerMessage::Peer { port, .. } = request(&mut ws, &peer).await? else {
        return Err(Failure::Broken("a peer without a port".to_owned()));
    };
    let socket = SocketCall::Socket {
        family: 2,
        socktype: 1,
        proto: 0,
    };
    let PyReturn::Socket { sock, .. } = call(&mut ws, 2, socket).await? else {
        return Err(Failure::Broken("socket() gave no sock".to_owned()));
    };
    let address = format!("('127.0.0.1', {port})");
    call(&mut ws, 3, SocketCall::Connect { sock, address }).await?;
    Ok(SocklabSession {
        ws,
        sock,
        id: 100,
        pending: 0,
        echoed: 0,
    })
}

/// `send(b'ping')` and `recv(64)` in turn as the schedule says; every call is timed on its
/// own. Gives the session back unless it broke.
async fn drive(mut s: SocklabSession, mut schedule: Schedule) -> (Option<SocklabSession>, Load) {
    let send = SocketCall::Send {
        sock: s.sock,
        data: "b'ping'".to_owned(),
    };
    let recv = SocketCall::Recv {
        sock: s.sock,
        bufsize: 64,
    };
    let mut load = Load::default();
    while schedule.next(&mut load).await {
        s.id += 1;
        let t = Instant::now();
        let sending = s.pending == 0;
        let next = if sending { &send } else { &recv };
        match call(&mut s.ws, s.id, next.clone()).await {
            Ok(PyReturn::Int { value: sent }) if sending && sent > 0 => {
                load.ok(t);
                s.pending += sent as usize;
            }
            Ok(v) if sending => load.error(format!("send returned {}", encode(&v))),
            Ok(v) => {
                let data = match &v {
                    PyReturn::Bytes { hex } => hex_decode(hex),
                    _ => Vec::new(),
                };
                let right = data
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| b == b"ping"[(s.echoed + i) % 4]);
                if data.is_empty() || data.len() > s.pending || !right {
                    load.error(format!("recv returned {}", encode(&v)));
                    return (None, load.done());
                }
                load.ok(t);
                s.pending -= data.len();
                s.echoed += data.len();
            }
            Err(e) => {
                if matches!(e, Failure::Wire(ErrorCode::RateLimited)) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let fatal = e.ends_session();
                load.error(e.to_string());
                if fatal {
                    return (None, load.done());
                }
            }
        }
    }
    (Some(s), load.done())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report counts failures under these words; they were the wire's strings before the
    /// bench used core's types, and must stay so.
    #[test]
    fn failures_read_as_the_report_counts_them() {
        let cases = [
            (Failure::Wire(ErrorCode::RateLimited), "error rate_limited"),
            (
                Failure::Limit(LimitKind::CallsInFlight),
                "limit calls_in_flight",
            ),
            (
                Failure::Raised("BrokenPipeError".to_owned()),
                "raised BrokenPipeError",
            ),
            (Failure::Refused, "refused"),
        ];
        for (failure, text) in cases {
            assert_eq!(failure.to_string(), text);
        }
        assert!(!Failure::Wire(ErrorCode::Busy).ends_session());
        assert!(Failure::Broken("connection closed".to_owned()).ends_session());
    }
}
