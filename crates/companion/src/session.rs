//! One WebSocket session: the loop that reads the page's messages and answers them.
//!
//! Every source of work (a frame from the page, the server shutting down, the keep-alive
//! tick) becomes one arm of a single `select!`, as in rust-playground's backend. Bad input is
//! answered, never ignored: malformed JSON and unknown types get an `error` reply; a message
//! over the size limit closes the session with 1009. Whatever ends the loop, the socket and
//! the session's slot are dropped with it.

use crate::live::{Live, Rules};
use crate::serve::{FaultSite, SessionSlot, Shared};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use socklab_core::protocol::{
    decode_client, encode, AddrinfoOutcome, ClientMessage, ErrorCode, ServerInfo, ServerMessage,
    WireError, CLOSE_GOING_AWAY, CLOSE_POLICY, CLOSE_TOO_BIG, PROTOCOL_VERSION,
};
use std::sync::Arc;
use std::time::Duration;

/// How often an idle session is pinged, so a vanished browser is noticed and its session freed.
const KEEPALIVE: Duration = Duration::from_secs(20);

/// How many getaddrinfo calls one session may have in flight at once.
const MAX_LOOKUPS_IN_FLIGHT: usize = 4;

/// How many answers and events may wait for the page before their senders wait in turn.
const OUTBOX: usize = 64;

/// What the session knows between messages.
struct SessionState {
    said_hello: bool,
    lookups: Arc<std::sync::atomic::AtomicUsize>,
    live: Live,
    bucket: Bucket,
}

/// A token bucket: `rate` requests at once, refilled at `rate` per second.
struct Bucket {
    rate: f64,
    tokens: f64,
    last: tokio::time::Instant,
}

impl Bucket {
    fn new(rate: u32) -> Bucket {
        Bucket {
            rate: f64::from(rate.max(1)),
            tokens: f64::from(rate.max(1)),
            last: tokio::time::Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What one message asks of the session loop.
enum Outcome {
    /// Send this now.
    Reply(ServerMessage),
    /// Resolve this on a blocking thread and send the answer when it comes.
    Lookup(ClientMessage),
    /// Started; its answer comes through the outbox.
    Started,
}

/// Runs a session until the page closes it, the connection drops, or the server shuts down.
pub(crate) async fn run(mut socket: WebSocket, shared: Arc<Shared>, slot: SessionSlot) {
    let _slot = slot; // released on every way out of this function
    let mut shutdown = shared.shutdown.clone();
    // Answers of calls, lookups and peers, and events: bounded, so a slow page slows them
    // down instead of making the companion buffer without end.
    let (answers_tx, mut answers) = tokio::sync::mpsc::channel::<ServerMessage>(OUTBOX);
    let config = &shared.config;
    let rules = Rules {
        limits: config.limits.clone(),
        policy: Arc::clone(&config.policy),
        max_socket_buffer: config.max_socket_buffer,
        fault: config.fault.clone(),
    };
    let mut state = SessionState {
        said_hello: false,
        lookups: Arc::default(),
        live: Live::new(rules, answers_tx.clone(), socklab_core::fence::Origin::Local),
        bucket: Bucket::new(config.limits.requests_per_second),
    };
    let limit = config.max_message_bytes;
    let idle = Duration::from_secs(config.limits.idle_secs);
    let lifetime = tokio::time::sleep(Duration::from_secs(config.limits.lifetime_secs));
    tokio::pin!(lifetime);
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(idle_timer);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        tokio::select! {
            frame = socket.recv() => {
                idle_timer.as_mut().reset(tokio::time::Instant::now() + idle);
                let reply = match frame {
                    None => break,
                    Some(Err(e)) => {
                        // The codec refuses frames past four times the limit; say so the same way.
                        if e.to_string().contains("Space limit exceeded") {
                            close(&mut socket, CLOSE_TOO_BIG, &too_big(limit)).await;
                        }
                        break;
                    }
                    Some(Ok(Message::Text(text))) if text.len() > limit => {
                        close(&mut socket, CLOSE_TOO_BIG, &too_big(limit)).await;
                        break;
                    }
                    Some(Ok(Message::Text(text))) => match handle(&mut state, &shared, text.as_str()) {
                        Outcome::Reply(m) => Some(m),
                        Outcome::Lookup(request) => {
                            spawn_lookup(request, Arc::clone(&state.lookups), answers_tx.clone());
                            None
                        }
                        Outcome::Started => None,
                    },
                    Some(Ok(Message::Binary(_))) => Some(ServerMessage::Error(WireError {
                        id: None,
                        code: ErrorCode::BinaryFrame,
                        message: "binary frames are not part of the protocol: send JSON text".to_owned(),
                    })),
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                };
                if let Some(reply) = reply {
                    if socket.send(Message::Text(encode(&reply).into())).await.is_err() {
                        break;
                    }
                }
            }
            Some(answer) = answers.recv() => {
                if socket.send(Message::Text(encode(&answer).into())).await.is_err() {
                    break;
                }
            }
            () = async { let _ = shutdown.wait_for(|stop| *stop).await; } => {
                close(&mut socket, CLOSE_GOING_AWAY, "socklab is shutting down").await;
                break;
            }
            () = &mut idle_timer => {
                let reason = format!("idle for {} s (--idle-timeout): reload the page to start again", idle.as_secs());
                close(&mut socket, CLOSE_POLICY, &reason).await;
                break;
            }
            () = &mut lifetime => {
                let reason = format!(
                    "the session reached its {} s lifetime (--session-lifetime): reload the page",
                    config.limits.lifetime_secs
                );
                close(&mut socket, CLOSE_POLICY, &reason).await;
                break;
            }
            _ = keepalive.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}

fn too_big(limit: usize) -> String {
    format!("message too big: the limit is {limit} bytes")
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.to_owned().into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

/// Runs one getaddrinfo on a blocking thread, within the session's limits, and sends the
/// answer to the session loop.
fn spawn_lookup(
    request: ClientMessage,
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    answers: tokio::sync::mpsc::Sender<ServerMessage>,
) {
    use std::sync::atomic::Ordering;
    let ClientMessage::Getaddrinfo {
        id,
        host,
        port,
        family,
        socktype,
        proto,
        flags,
    } = request
    else {
        return;
    };
    tokio::spawn(async move {
        let outcome =
            crate::resolve::getaddrinfo_bounded(host, port, family, socktype, proto, flags).await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let _ = answers.send(ServerMessage::Addrinfo { id, outcome }).await;
    });
}

/// Answers one text message. Pure but for reading the server's configuration.
fn handle(state: &mut SessionState, shared: &Shared, text: &str) -> Outcome {
    let message = match decode_client(text) {
        Ok(m) => m,
        Err(e) => return Outcome::Reply(ServerMessage::Error(e)),
    };
    let error = |code, message: String| {
        Outcome::Reply(ServerMessage::Error(WireError {
            id: message_id(text),
            code,
            message,
        }))
    };
    match message {
        ClientMessage::Hello { .. } if state.said_hello => error(
            ErrorCode::AlreadyHello,
            "this session already said hello".to_owned(),
        ),
        ClientMessage::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => error(
            ErrorCode::UnsupportedProtocol,
            format!(
                "this companion speaks protocol {PROTOCOL_VERSION}, the page speaks {protocol}: \
                 reload the page, or run the socklab that built it"
            ),
        ),
        ClientMessage::Hello { .. } => {
            state.said_hello = true;
            Outcome::Reply(ServerMessage::Hello(ServerInfo {
                protocol: PROTOCOL_VERSION,
                server_version: env!("CARGO_PKG_VERSION").to_owned(),
                capabilities: ["ping", "getaddrinfo", "call", "cancel", "peer", "scenario"]
                    .map(str::to_owned)
                    .to_vec(),
                max_message_bytes: shared.config.max_message_bytes,
                limits: shared.config.limits.clone(),
            }))
        }
        _ if !state.said_hello => error(
            ErrorCode::HelloRequired,
            "send {\"type\":\"hello\",\"protocol\":1,...} first".to_owned(),
        ),
        _ if !state.bucket.take() => error(
            ErrorCode::RateLimited,
            format!(
                "more than {} requests per second (--rate): wait a moment and send it again",
                shared.config.limits.requests_per_second
            ),
        ),
        ClientMessage::Ping { id } => Outcome::Reply(ServerMessage::Pong { id }),
        ClientMessage::Call { id, call } => {
            shared.config.fault.at(FaultSite::Session, &call);
            match state.live.call(id, call) {
                Some(refused) => Outcome::Reply(refused),
                None => Outcome::Started,
            }
        }
        ClientMessage::Cancel { id, call } => Outcome::Reply(state.live.cancel(id, call)),
        ClientMessage::Peer { id, kind } => {
            state.live.peer(id, kind);
            Outcome::Started
        }
        ClientMessage::Scenario { id, scenario } => match state.live.scenario(id, scenario) {
            Some(refused) => Outcome::Reply(refused),
            None => Outcome::Started,
        },
        ClientMessage::Getaddrinfo { id, .. } => {
            use std::sync::atomic::Ordering;
            if state.lookups.fetch_add(1, Ordering::SeqCst) >= MAX_LOOKUPS_IN_FLIGHT {
                state.lookups.fetch_sub(1, Ordering::SeqCst);
                return Outcome::Reply(ServerMessage::Addrinfo {
                    id,
                    outcome: AddrinfoOutcome::Limit {
                        message: format!(
                            "at most {MAX_LOOKUPS_IN_FLIGHT} lookups may run at once in a session; wait for an answer"
                        ),
                    },
                });
            }
            Outcome::Lookup(message)
        }
    }
}

fn message_id(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("id")?
        .as_u64()
}
