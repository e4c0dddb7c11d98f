//! One WebSocket session: the loop that reads the page's messages and answers them.
//!
//! Every source of work (a frame from the page, the server shutting down, the timers) becomes
//! one arm of a single `select!`, as in rust-playground's backend. Bad input is answered, never
//! ignored: malformed JSON and unknown types get an `error` reply; a message over the size
//! limit closes the session with 1009, a broken frame with 1007 or 1002. Whatever ends the
//! loop, the socket and the session's slot are dropped with it.
//!
//! The page decides how fast it reads, so no send may wait for it without end: each one waits
//! at most until the session's next deadline (its idle timeout, its lifetime, or one keep-alive
//! interval), and a page that has not taken a message by then is treated as gone. A page that
//! does not answer a ping before the next one is gone too: its machine may have vanished
//! without a word, and TCP alone would not notice for many minutes.

use crate::classroom::{Classroom, Seat};
use crate::live::{Live, Rules};
use crate::state::{seconds, stopping, Config, SessionContext};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use socklab_core::fence::Origin;
use socklab_core::protocol::{
    decode_client, encode, AddrinfoOutcome, ClientMessage, ErrorCode, Role, ServerInfo,
    ServerMessage, WireError, CLOSE_GOING_AWAY, CLOSE_POLICY, CLOSE_TOO_BIG, PROTOCOL_VERSION,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use tungstenite::error::{CapacityError, ProtocolError};

/// Close code for a frame that breaks the WebSocket protocol (RFC 6455, 7.4.1).
const CLOSE_PROTOCOL_ERROR: u16 = 1002;

/// Close code for a text frame that is not UTF-8 (RFC 6455, 7.4.1).
const CLOSE_INVALID_DATA: u16 = 1007;

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
    /// Calls and scenarios asked for, for the log.
    calls: u64,
    /// Who the session is (its token's role), and the class it joins after its hello.
    role: Role,
    classroom: Arc<Classroom>,
    /// Where the class's news reach this session: its own outbox.
    outbox: tokio::sync::mpsc::Sender<ServerMessage>,
    /// Its place in the class, once it said hello (classroom mode only).
    seat: Option<Seat>,
}

/// A token bucket: `rate` requests at once, refilled at `rate` per second.
struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: u32) -> Bucket {
        Bucket {
            rate: f64::from(rate.max(1)),
            tokens: f64::from(rate.max(1)),
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
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

/// How a session ends.
#[derive(Debug)]
enum End {
    /// The page closed it, or the connection is gone.
    Gone,
    /// The session closes it, with this code and reason.
    Close(u16, String),
    /// The page took no message until the session's next deadline: nothing more can reach it,
    /// not even a close frame.
    Stuck,
}

/// Runs a session until the page closes it, the connection drops, a timer ends it, or the
/// server shuts down.
pub(crate) async fn run(mut socket: WebSocket, context: SessionContext) {
    // Its place among the sessions is released on every way out of this function.
    let SessionContext {
        config,
        mut shutdown,
        peer,
        role,
        classroom,
        _slot,
    } = context;
    let origin = Origin::of_peer(peer.ip());
    tracing::info!(%peer, ?origin, ?role, "session opened");
    let opened = Instant::now();
    // Answers of calls, lookups and peers, and events: bounded, so a slow page slows them
    // down instead of making the companion buffer without end.
    let (answers_tx, mut answers) = tokio::sync::mpsc::channel::<ServerMessage>(OUTBOX);
    let rules = Rules {
        limits: config.limits.clone(),
        policy: Arc::clone(&config.policy),
        max_socket_buffer: config.max_socket_buffer,
        #[cfg(feature = "testing")]
        fault: config.fault.clone(),
    };
    let mut state = SessionState {
        said_hello: false,
        lookups: Arc::default(),
        live: Live::new(rules, answers_tx.clone(), origin, peer),
        calls: 0,
        bucket: Bucket::new(config.limits.requests_per_second),
        role,
        classroom,
        outbox: answers_tx.clone(),
        seat: None,
    };
    let limit = config.max_message_bytes;
    let idle = Duration::from_secs(config.limits.idle_secs);
    let lifetime_secs = config.limits.lifetime_secs;
    let lifetime_at = Instant::now() + Duration::from_secs(lifetime_secs);
    let lifetime = tokio::time::sleep_until(lifetime_at);
    tokio::pin!(lifetime);
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(idle_timer);
    let every = config.keepalive_interval;
    let mut keepalive = tokio::time::interval_at(Instant::now() + every, every);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut awaiting_pong = false;
    // How long a send may wait for the page: to the nearest deadline.
    let until = |idle_timer: &tokio::time::Sleep| {
        idle_timer
            .deadline()
            .min(lifetime_at)
            .min(Instant::now() + every)
    };
    let end = loop {
        let reply = tokio::select! {
            frame = socket.recv() => match frame {
                None => break End::Gone,
                Some(Err(e)) => break broken_frame(e, limit),
                Some(Ok(Message::Text(text))) if text.len() > limit => {
                    break End::Close(CLOSE_TOO_BIG, too_big(limit));
                }
                Some(Ok(Message::Text(text))) => {
                    idle_timer.as_mut().reset(Instant::now() + idle);
                    match handle(&mut state, &config, text.as_str()) {
                        Outcome::Reply(m) => Some(m),
                        Outcome::Lookup(request) => {
                            spawn_lookup(request, Arc::clone(&state.lookups), answers_tx.clone());
                            None
                        }
                        Outcome::Started => None,
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    idle_timer.as_mut().reset(Instant::now() + idle);
                    Some(ServerMessage::Error(WireError {
                        id: None,
                        code: ErrorCode::BinaryFrame,
                        message: "binary frames are not part of the protocol: send JSON text".to_owned(),
                    }))
                }
                Some(Ok(Message::Close(_))) => break End::Gone,
                Some(Ok(Message::Pong(_))) => {
                    awaiting_pong = false;
                    None
                }
                // tungstenite answers the page's pings itself.
                Some(Ok(Message::Ping(_))) => None,
            },
            Some(answer) = answers.recv() => Some(answer),
            () = stopping(&mut shutdown) => {
                break End::Close(CLOSE_GOING_AWAY, "socklab is shutting down".to_owned());
            }
            () = &mut idle_timer => {
                break End::Close(
                    CLOSE_POLICY,
                    format!("idle for {} s (--idle-timeout): reload the page to start again", idle.as_secs()),
                );
            }
            () = &mut lifetime => {
                break End::Close(
                    CLOSE_POLICY,
                    format!("the session reached its {lifetime_secs} s lifetime (--session-lifetime): reload the page"),
                );
            }
            _ = keepalive.tick() => {
                if awaiting_pong {
                    break End::Close(
                        CLOSE_POLICY,
                        format!("no answer to the keep-alive ping within {}: reload the page", seconds(every)),
                    );
                }
                awaiting_pong = true;
                let until = until(&idle_timer);
                if let Err(end) = deliver(&mut socket, Message::Ping(Vec::new().into()), until, &mut shutdown).await {
                    break end;
                }
                None
            }
        };
        if let Some(reply) = reply {
            let message = Message::Text(encode(&reply).into());
            let until = until(&idle_timer);
            if let Err(end) = deliver(&mut socket, message, until, &mut shutdown).await {
                break end;
            }
        }
    };
    let lasted = opened.elapsed();
    let calls = state.calls;
    match &end {
        End::Close(code, reason) => {
            tracing::info!(%peer, ?lasted, calls, code, reason, "session closed");
            close(&mut socket, *code, reason).await;
        }
        End::Gone => tracing::info!(%peer, ?lasted, calls, "session ended by the page"),
        End::Stuck => tracing::info!(
            %peer,
            ?lasted,
            calls,
            "session dropped: the page took no data until its deadline"
        ),
    }
}

/// Sends one message, waiting for the page no longer than `until`, nor past shutdown.
async fn deliver(
    socket: &mut WebSocket,
    message: Message,
    until: Instant,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), End> {
    tokio::select! {
        sent = socket.send(message) => sent.map_err(|_| End::Gone),
        () = tokio::time::sleep_until(until) => Err(End::Stuck),
        () = stopping(shutdown) => {
            Err(End::Close(CLOSE_GOING_AWAY, "socklab is shutting down".to_owned()))
        }
    }
}

/// How a frame the codec refused ends the session: with the close code for its fault (matched
/// on tungstenite's error type), or without a close frame when the connection itself is gone.
fn broken_frame(error: axum::Error, limit: usize) -> End {
    let Ok(error) = error.into_inner().downcast::<tungstenite::Error>() else {
        return End::Gone;
    };
    match *error {
        // The codec refuses frames past four times the limit; say so as for any too big one.
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { .. }) => {
            End::Close(CLOSE_TOO_BIG, too_big(limit))
        }
        tungstenite::Error::Utf8(_) => End::Close(
            CLOSE_INVALID_DATA,
            "a text frame must be UTF-8: send binary data in a binary frame".to_owned(),
        ),
        // The TCP connection ended without a close frame: nobody to tell.
        tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => End::Gone,
        tungstenite::Error::Protocol(fault) => End::Close(
            CLOSE_PROTOCOL_ERROR,
            format!("WebSocket protocol error: {fault}"),
        ),
        _ => End::Gone,
    }
}

fn too_big(limit: usize) -> String {
    format!("message too big: the limit is {limit} bytes")
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    // A close frame's reason has room for 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code,
        reason: reason[..end].to_owned().into(),
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
fn handle(state: &mut SessionState, config: &Config, text: &str) -> Outcome {
    let message = match decode_client(text) {
        Ok(m) => m,
        Err(e) => return Outcome::Reply(ServerMessage::Error(e)),
    };
    let id = message.id();
    let error = |code, message: String| {
        Outcome::Reply(ServerMessage::Error(WireError { id, code, message }))
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
            let mut capabilities: Vec<String> =
                ["ping", "getaddrinfo", "call", "cancel", "peer", "scenario"]
                    .map(str::to_owned)
                    .to_vec();
            // Joining after the hello: the class's count, sent through the outbox, comes after
            // this reply.
            match state.role {
                Role::Solo => {}
                Role::Teacher => capabilities.push("show_class".to_owned()),
                Role::Student => capabilities.push("follow".to_owned()),
            }
            if state.role != Role::Solo {
                state.seat = Some(state.classroom.join(state.role, state.outbox.clone()));
            }
            Outcome::Reply(ServerMessage::Hello(ServerInfo {
                protocol: PROTOCOL_VERSION,
                server_version: env!("CARGO_PKG_VERSION").to_owned(),
                capabilities,
                max_message_bytes: config.max_message_bytes,
                limits: config.limits.clone(),
                role: state.role,
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
                config.limits.requests_per_second
            ),
        ),
        ClientMessage::Ping { id } => Outcome::Reply(ServerMessage::Pong { id }),
        ClientMessage::Call { id, call } => {
            state.calls += 1;
            #[cfg(feature = "testing")]
            config.fault.at(crate::fault::FaultSite::Session, &call);
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
        ClientMessage::Scenario { id, scenario } => {
            state.calls += 1;
            match state.live.scenario(id, scenario) {
                Some(refused) => Outcome::Reply(refused),
                None => Outcome::Started,
            }
        }
        ClientMessage::Follow { id, follow } => match &state.seat {
            Some(seat) => match seat.follow(follow) {
                Ok(()) => Outcome::Reply(ServerMessage::Following { id, follow }),
                Err((code, message)) => error(code, message),
            },
            None => error(ErrorCode::NotAllowed, no_class()),
        },
        ClientMessage::ShowClass { id, link } => match &mut state.seat {
            Some(seat) => match seat.show(&link) {
                Ok(students) => {
                    tracing::info!(link, students, "the teacher showed the class a link");
                    Outcome::Reply(ServerMessage::Shown { id, link, students })
                }
                Err((code, message)) => {
                    tracing::info!(?code, "refused to show the class a link");
                    error(code, message)
                }
            },
            None => error(ErrorCode::NotAllowed, no_class()),
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

fn no_class() -> String {
    "there is no class: socklab serve runs without --lan, so this page is neither a teacher's \
     nor a student's"
        .to_owned()
}
