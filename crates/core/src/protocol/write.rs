//! The page's writing of its messages: [`ClientMessage::to_json`] writes the JSON serde would
//! write for a [`ClientMessage`], by hand, so that the wasm carries neither serde's derived
//! serializers nor serde_json (issue #15). `tests/page_wire.rs` checks it against serde: the
//! same bytes for every kind of message (floats aside, which are written as Python's repr, a
//! JSON number serde_json reads back to the same f64), and the companion's decoder reads both
//! alike.

use super::{ClientMessage, SocketCall};

/// An object being written: `{"key":value,...}`.
struct Object(String);

impl Object {
    /// An object that opens with its tag: `{"type":"call"`.
    fn tagged(tag: &str, name: &str) -> Object {
        let mut object = Object(String::from("{"));
        object.str(tag, name);
        object
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
        &mut self.0
    }

    /// A member whose value is already JSON.
    fn raw(&mut self, key: &str, json: &str) {
        self.key(key).push_str(json);
    }

    fn int(&mut self, key: &str, n: impl std::fmt::Display) {
        let n = n.to_string();
        self.raw(key, &n);
    }

    fn str(&mut self, key: &str, text: &str) {
        let out = self.key(key);
        string(out, text);
    }

    fn opt_str(&mut self, key: &str, text: Option<&str>) {
        match text {
            Some(text) => self.str(key, text),
            None => self.raw(key, "null"),
        }
    }

    fn opt_int(&mut self, key: &str, n: Option<impl std::fmt::Display>) {
        match n {
            Some(n) => self.int(key, n),
            None => self.raw(key, "null"),
        }
    }

    /// A float as Python's repr, which is JSON for every finite float and reads back to it;
    /// serde_json writes `null` for the others.
    fn float(&mut self, key: &str, x: Option<f64>) {
        match x.filter(|x| x.is_finite()) {
            Some(x) => self.raw(key, &crate::pyrepr::float_repr(x)),
            None => self.raw(key, "null"),
        }
    }

    fn list(&mut self, key: &str, items: &[u32]) {
        let items: Vec<String> = items.iter().map(u32::to_string).collect();
        self.raw(key, &format!("[{}]", items.join(",")));
    }

    fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// `text` as a JSON string, escaped as serde_json escapes it: `"`, `\`, and the control
/// characters (`\n`, `\u001b`); everything else as it is.
fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl SocketCall {
    /// The call as JSON, as serde writes it: `{"op":"connect","sock":1,"address":"..."}`.
    fn to_json(&self) -> String {
        use SocketCall::*;
        let mut o = Object::tagged("op", self.name());
        match self {
            Socket {
                family,
                socktype,
                proto,
            } => {
                o.int("family", family);
                o.int("socktype", socktype);
                o.int("proto", proto);
            }
            Setsockopt {
                sock,
                level,
                option,
                value,
            } => {
                o.int("sock", sock);
                o.int("level", level);
                o.int("option", option);
                o.str("value", value);
            }
            Getsockopt {
                sock,
                level,
                option,
                buflen,
            } => {
                o.int("sock", sock);
                o.int("level", level);
                o.int("option", option);
                o.opt_int("buflen", *buflen);
            }
            Setblocking { sock, flag } => {
                o.int("sock", sock);
                o.raw("flag", if *flag { "true" } else { "false" });
            }
            Settimeout { sock, timeout } => {
                o.int("sock", sock);
                o.float("timeout", *timeout);
            }
            Gettimeout { sock }
            | Accept { sock }
            | Close { sock }
            | Getsockname { sock }
            | Getpeername { sock } => o.int("sock", sock),
            Bind { sock, address } | Connect { sock, address } | ConnectEx { sock, address } => {
                o.int("sock", sock);
                o.str("address", address);
            }
            Listen { sock, backlog } => {
                o.int("sock", sock);
                o.opt_int("backlog", *backlog);
            }
            Send { sock, data } | Sendall { sock, data } => {
                o.int("sock", sock);
                o.str("data", data);
            }
            Sendto {
                sock,
                data,
                address,
            } => {
                o.int("sock", sock);
                o.str("data", data);
                o.str("address", address);
            }
            Recv { sock, bufsize } | Recvfrom { sock, bufsize } => {
                o.int("sock", sock);
                o.int("bufsize", bufsize);
            }
            Shutdown { sock, how } => {
                o.int("sock", sock);
                o.int("how", how);
            }
            Getnameinfo { address, flags } => {
                o.str("address", address);
                o.int("flags", flags);
            }
            Gethostname {} => {}
            Select {
                read,
                write,
                except,
                timeout,
            } => {
                o.list("read", read);
                o.list("write", write);
                o.list("except", except);
                o.float("timeout", *timeout);
            }
        }
        o.end()
    }
}

impl ClientMessage {
    /// The message as one JSON text frame, as serde writes it.
    ///
    /// ```
    /// use socklab_core::protocol::ClientMessage;
    /// let ping = ClientMessage::Ping { id: 7 };
    /// assert_eq!(ping.to_json(), r#"{"type":"ping","id":7}"#);
    /// ```
    pub fn to_json(&self) -> String {
        use ClientMessage::*;
        let mut o = Object::tagged("type", self.name());
        match self {
            Hello { protocol, client } => {
                o.int("protocol", protocol);
                o.str("client", client);
            }
            Ping { id } => o.int("id", id),
            Getaddrinfo {
                id,
                host,
                port,
                family,
                socktype,
                proto,
                flags,
            } => {
                o.int("id", id);
                o.opt_str("host", host.as_deref());
                o.opt_str("port", port.as_deref());
                o.int("family", family);
                o.int("socktype", socktype);
                o.int("proto", proto);
                o.int("flags", flags);
            }
            Call { id, call } => {
                o.int("id", id);
                o.raw("call", &call.to_json());
            }
            Cancel { id, call } => {
                o.int("id", id);
                o.int("call", call);
            }
            Peer { id, kind } => {
                o.int("id", id);
                o.str("kind", kind.name());
            }
            Scenario { id, scenario } => {
                o.int("id", id);
                o.str("scenario", scenario.name());
            }
            Follow { id, follow } => {
                o.int("id", id);
                o.raw("follow", if *follow { "true" } else { "false" });
            }
            ShowClass { id, link } => {
                o.int("id", id);
                o.str("link", link);
            }
        }
        o.end()
    }

    /// The wire name of the message's kind: `show_class`.
    pub fn name(&self) -> &'static str {
        match self {
            ClientMessage::Hello { .. } => "hello",
            ClientMessage::Ping { .. } => "ping",
            ClientMessage::Getaddrinfo { .. } => "getaddrinfo",
            ClientMessage::Call { .. } => "call",
            ClientMessage::Cancel { .. } => "cancel",
            ClientMessage::Peer { .. } => "peer",
            ClientMessage::Scenario { .. } => "scenario",
            ClientMessage::Follow { .. } => "follow",
            ClientMessage::ShowClass { .. } => "show_class",
        }
    }
}
