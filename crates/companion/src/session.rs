//! One WebSocket session: the loop that reads the page's messages and answers them.
//!
//! Every source of work (a frame from the page, the server shutting down, the keep-alive
//! tick) becomes one arm of a single `select!`, as in rust-playground's backend. Bad input is
//! answered, never ignored: malformed JSON and unknown types get an `error` reply; a message
//! over the size limit closes the session with 1009. Whatever ends the loop, the socket and
//! the session's slot are dropped with it.

use crate::serve::{SessionSlot, Shared};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use socklab_core::protocol::{
    decode_client, encode, ClientMessage, ErrorCode, ServerInfo, ServerMessage, WireError,
    CLOSE_GOING_AWAY, CLOSE_TOO_BIG, PROTOCOL_VERSION,
};
use std::sync::Arc;
use std::time::Duration;

/// How often an idle session is pinged, so a vanished browser is noticed and its session freed.
const KEEPALIVE: Duration = Duration::from_secs(20);

/// What the session knows between messages.
#[derive(Debug, Default)]
struct SessionState {
    said_hello: bool,
}

/// Runs a session until the page closes it, the connection drops, or the server shuts down.
pub(crate) async fn run(mut socket: WebSocket, shared: Arc<Shared>, slot: SessionSlot) {
    let _slot = slot; // released on every way out of this function
    let mut shutdown = shared.shutdown.clone();
    let mut state = SessionState::default();
    let limit = shared.config.max_message_bytes;
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        tokio::select! {
            frame = socket.recv() => {
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
                    Some(Ok(Message::Text(text))) => handle(&mut state, &shared, text.as_str()),
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
            () = async { let _ = shutdown.wait_for(|stop| *stop).await; } => {
                close(&mut socket, CLOSE_GOING_AWAY, "socklab is shutting down").await;
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

/// Answers one text message. Pure but for reading the server's configuration.
fn handle(state: &mut SessionState, shared: &Shared, text: &str) -> Option<ServerMessage> {
    let message = match decode_client(text) {
        Ok(m) => m,
        Err(e) => return Some(ServerMessage::Error(e)),
    };
    let error = |code, message: String| {
        Some(ServerMessage::Error(WireError {
            id: message_id(text),
            code,
            message,
        }))
    };
    match message {
        ClientMessage::Hello { protocol, .. } if state.said_hello => {
            let _ = protocol;
            error(
                ErrorCode::AlreadyHello,
                "this session already said hello".to_owned(),
            )
        }
        ClientMessage::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => error(
            ErrorCode::UnsupportedProtocol,
            format!(
                "this companion speaks protocol {PROTOCOL_VERSION}, the page speaks {protocol}: \
                 reload the page, or run the socklab that built it"
            ),
        ),
        ClientMessage::Hello { .. } => {
            state.said_hello = true;
            Some(ServerMessage::Hello(ServerInfo {
                protocol: PROTOCOL_VERSION,
                server_version: env!("CARGO_PKG_VERSION").to_owned(),
                capabilities: vec!["ping".to_owned()],
                max_message_bytes: shared.config.max_message_bytes,
            }))
        }
        ClientMessage::Ping { id } if !state.said_hello => Some(ServerMessage::Error(WireError {
            id: Some(id),
            code: ErrorCode::HelloRequired,
            message: "send {\"type\":\"hello\",\"protocol\":1,...} first".to_owned(),
        })),
        ClientMessage::Ping { id } => Some(ServerMessage::Pong { id }),
    }
}

fn message_id(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("id")?
        .as_u64()
}
