//! The application protocol the seed describes, as the demo peer speaks it: a fixed 2-byte
//! big-endian length, then a UTF-8 JSON header of that length naming the body's
//! `content-type`, `content-encoding` and `content-length`, then the body.
//!
//! The page builds requests with [`encode`]; the companion's `app_protocol` peer reads them with
//! [`content_length`] and answers with [`answer`] or [`error_reply`], in the same framing.

use serde_json::{json, Value};

/// Frames a message: `struct.pack('>H', len(header))`, the header, the body.
///
/// ```
/// use socklab_core::appproto::encode;
/// let m = encode("text/plain", "utf-8", b"hi");
/// let header_len = usize::from(u16::from_be_bytes([m[0], m[1]]));
/// assert_eq!(header_len, m.len() - 2 - 2); // the length, the header, then the 2-byte body
/// assert!(m.ends_with(b"hi"));
/// ```
pub fn encode(content_type: &str, content_encoding: &str, body: &[u8]) -> Vec<u8> {
    let header = json!({
        "byteorder": "big",
        "content-type": content_type,
        "content-encoding": content_encoding,
        "content-length": body.len(),
    });
    frame(&header, body)
}

fn frame(header: &Value, body: &[u8]) -> Vec<u8> {
    let header = header.to_string().into_bytes();
    let len = u16::try_from(header.len()).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(2 + header.len() + body.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&header[..usize::from(len)]);
    out.extend_from_slice(body);
    out
}

fn parse_header(header: &[u8]) -> Result<serde_json::Map<String, Value>, String> {
    let text = std::str::from_utf8(header)
        .map_err(|e| format!("the header is not UTF-8 ({e}); the protocol says UTF-8 JSON"))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => {
            Err("the header is JSON but not an object; send {\"content-length\": N, ...}".into())
        }
        Err(e) => Err(format!("the header is not valid JSON: {e}")),
    }
}

/// The body length a header announces.
///
/// ```
/// use socklab_core::appproto::content_length;
/// assert_eq!(content_length(br#"{"content-length": 5}"#), Ok(5));
/// assert!(content_length(b"{}").unwrap_err().contains("content-length"));
/// ```
pub fn content_length(header: &[u8]) -> Result<usize, String> {
    let map = parse_header(header)?;
    map.get("content-length")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| {
            "the header has no \"content-length\" with a non-negative integer; \
             the receiver cannot know where the body ends without it"
                .to_owned()
        })
}

/// The peer's answer to a well-framed request: what it received, decoded with the
/// `content-encoding` the header declared.
pub fn answer(header: &[u8], body: &[u8]) -> Vec<u8> {
    let map = match parse_header(header) {
        Ok(m) => m,
        Err(e) => return error_reply(&e),
    };
    let encoding = map
        .get("content-encoding")
        .and_then(Value::as_str)
        .unwrap_or("utf-8")
        .to_ascii_lowercase();
    let text = match encoding.as_str() {
        "utf-8" | "utf8" => match std::str::from_utf8(body) {
            Ok(t) => Value::String(t.to_owned()),
            Err(e) => return error_reply(&format!("the body is not valid UTF-8: {e}")),
        },
        "binary" => Value::Null,
        other => {
            return error_reply(&format!(
                "this peer reads content-encoding \"utf-8\" or \"binary\", not {other:?}"
            ))
        }
    };
    let reply = json!({
        "result": "ok",
        "received_header": Value::Object(map),
        "received_bytes": body.len(),
        "text": text,
    })
    .to_string();
    encode("text/json", "utf-8", reply.as_bytes())
}

/// The peer's answer to a request it could not read.
pub fn error_reply(problem: &str) -> Vec<u8> {
    let reply = json!({ "result": "error", "error": problem }).to_string();
    encode("text/json", "utf-8", reply.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(m: &[u8]) -> (Value, Vec<u8>) {
        let n = usize::from(u16::from_be_bytes([m[0], m[1]]));
        let header: Value = serde_json::from_slice(&m[2..2 + n]).unwrap();
        (header, m[2 + n..].to_vec())
    }

    #[test]
    fn answers_in_the_same_framing() {
        let request = encode("text/plain", "utf-8", "你好".as_bytes());
        let (header, body) = split(&request);
        assert_eq!(header["content-length"], 6);
        let header_bytes = &request[2..request.len() - body.len()];
        let reply = answer(header_bytes, &body);
        let (h, b) = split(&reply);
        assert_eq!(h["content-length"].as_u64().unwrap() as usize, b.len());
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["text"], "你好");
        assert_eq!(v["received_bytes"], 6);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let v: Value =
            serde_json::from_slice(&split(&answer(br#"{"content-encoding":"gbk"}"#, b"x")).1)
                .unwrap();
        assert!(v["error"].as_str().unwrap().contains("gbk"));
        assert!(content_length(b"[1]")
            .unwrap_err()
            .contains("not an object"));
        assert!(content_length(b"\xff").unwrap_err().contains("not UTF-8"));
        assert!(content_length(br#"{"content-length": -1}"#).is_err());
    }
}
