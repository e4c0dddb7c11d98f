//! The WebSocket protocol between the page and the companion, shared by both ends.
//!
//! Every message is one JSON text frame, an object whose `type` names its kind. The page opens
//! with `hello`; the companion answers with its own `hello` (protocol version, server version,
//! capabilities, limits). Requests carry an `id` that the reply repeats. Anything the companion
//! cannot accept is answered with an `error` that says what was wrong. `docs/PROTOCOL.md`
//! documents this with an example exchange.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. A `hello` with another version is refused.
pub const PROTOCOL_VERSION: u32 = 1;

/// WebSocket close code: the message was larger than the companion accepts (RFC 6455, 1009).
pub const CLOSE_TOO_BIG: u16 = 1009;
/// WebSocket close code: the companion is shutting down (RFC 6455, 1001 "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// WebSocket close code: a session limit (idle, lifetime) was reached (RFC 6455, 1008 policy).
pub const CLOSE_POLICY: u16 = 1008;

/// A message from the page to the companion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message of a session.
    Hello {
        /// The protocol version the page speaks.
        protocol: u32,
        /// Who is speaking, for logs: `socklab-app 0.1.0`.
        client: String,
    },
    /// Asks for a `pong` with the same id; the page measures round trips with it.
    Ping {
        /// Request id, echoed in the reply.
        id: u64,
    },
}

impl ClientMessage {
    /// Every `type` a client may send, for error messages.
    pub const TYPES: &'static [&'static str] = &["hello", "ping"];

    /// The request id, for messages that have one.
    pub fn id(&self) -> Option<u64> {
        match self {
            ClientMessage::Hello { .. } => None,
            ClientMessage::Ping { id } => Some(*id),
        }
    }
}

/// What the companion reports about itself in its `hello`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The protocol version it speaks.
    pub protocol: u32,
    /// `socklab` version, e.g. `0.1.0`.
    pub server_version: String,
    /// What it can do, e.g. `ping`.
    pub capabilities: Vec<String>,
    /// The largest message it accepts, in bytes.
    pub max_message_bytes: usize,
}

/// A message from the companion to the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to the page's `hello`.
    Hello(ServerInfo),
    /// The answer to a `ping`.
    Pong {
        /// The ping's id.
        id: u64,
    },
    /// A request or message that could not be accepted.
    Error(WireError),
}

/// Why a message was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not valid JSON.
    MalformedJson,
    /// Valid JSON, but not an object with a string `type`.
    MissingType,
    /// A `type` this companion does not know.
    UnknownType,
    /// A known `type` with missing, extra or mistyped fields.
    InvalidMessage,
    /// A request before the `hello` handshake.
    HelloRequired,
    /// A second `hello` in the same session.
    AlreadyHello,
    /// A `hello` with a protocol version this companion does not speak.
    UnsupportedProtocol,
    /// A binary frame: the protocol is JSON text only.
    BinaryFrame,
}

/// An error reply: what was wrong, with the id of the request it answers if there was one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct WireError {
    /// The id of the request this answers, when the message had a readable one.
    pub id: Option<u64>,
    /// The kind of error, for programs.
    pub code: ErrorCode,
    /// What was wrong and what would be right, for people.
    pub message: String,
}

impl WireError {
    fn new(id: Option<u64>, code: ErrorCode, message: impl Into<String>) -> WireError {
        WireError {
            id,
            code,
            message: message.into(),
        }
    }
}

/// Decodes one text frame from the page, naming exactly what is wrong when it cannot.
///
/// ```
/// use socklab_core::protocol::{decode_client, ClientMessage, ErrorCode};
/// assert_eq!(decode_client(r#"{"type":"ping","id":7}"#).unwrap(), ClientMessage::Ping { id: 7 });
/// let e = decode_client(r#"{"type":"teleport","id":8}"#).unwrap_err();
/// assert_eq!((e.id, e.code), (Some(8), ErrorCode::UnknownType));
/// ```
pub fn decode_client(text: &str) -> Result<ClientMessage, WireError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        WireError::new(
            None,
            ErrorCode::MalformedJson,
            format!("the message is not valid JSON: {e}"),
        )
    })?;
    let id = value.get("id").and_then(serde_json::Value::as_u64);
    let Some(kind) = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
    else {
        return Err(WireError::new(
            id,
            ErrorCode::MissingType,
            "a message must be a JSON object with a string field \"type\"",
        ));
    };
    if !ClientMessage::TYPES.contains(&kind.as_str()) {
        return Err(WireError::new(
            id,
            ErrorCode::UnknownType,
            format!(
                "unknown message type {kind:?}; expected one of: {}",
                ClientMessage::TYPES.join(", ")
            ),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        WireError::new(
            id,
            ErrorCode::InvalidMessage,
            format!("invalid {kind:?} message: {e}"),
        )
    })
}

/// Encodes a message for the wire.
pub fn encode<T: Serialize>(message: &T) -> String {
    // Serializing these plain enums cannot fail: no maps with non-string keys, no I/O.
    serde_json::to_string(message).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn refused(text: &str, code: ErrorCode, needle: &str) {
        let e = decode_client(text).unwrap_err();
        assert_eq!(e.code, code, "{text}: {e}");
        assert!(
            e.message.contains(needle),
            "{text}: {:?} lacks {needle:?}",
            e.message
        );
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode_client(r#"{"type":"hello","protocol":1,"client":"t"}"#).unwrap(),
            ClientMessage::Hello {
                protocol: 1,
                client: "t".to_owned()
            }
        );
        refused("{", ErrorCode::MalformedJson, "not valid JSON");
        refused("[1]", ErrorCode::MissingType, "\"type\"");
        refused(r#"{"type":3}"#, ErrorCode::MissingType, "\"type\"");
        refused(r#"{"type":"nope"}"#, ErrorCode::UnknownType, "hello, ping");
        refused(
            r#"{"type":"ping"}"#,
            ErrorCode::InvalidMessage,
            "missing field `id`",
        );
        refused(
            r#"{"type":"ping","id":-1}"#,
            ErrorCode::InvalidMessage,
            "invalid",
        );
        refused(
            r#"{"type":"ping","id":1,"x":2}"#,
            ErrorCode::InvalidMessage,
            "unknown field `x`",
        );
    }

    #[test]
    fn server_messages_round_trip() {
        let hello = ServerMessage::Hello(ServerInfo {
            protocol: PROTOCOL_VERSION,
            server_version: "0.1.0".to_owned(),
            capabilities: vec!["ping".to_owned()],
            max_message_bytes: 65536,
        });
        let text = encode(&hello);
        assert!(
            text.starts_with(r#"{"type":"hello","protocol":1"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ServerMessage>(&text).unwrap(), hello);
        let err = ServerMessage::Error(WireError::new(Some(2), ErrorCode::UnknownType, "x"));
        assert_eq!(
            encode(&err),
            r#"{"type":"error","id":2,"code":"unknown_type","message":"x"}"#
        );
    }
}
