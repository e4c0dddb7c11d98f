//! A small JSON reader for the page's side of the wire: text in, a [`Json`] tree out, with the
//! rules serde_json applies to the companion's messages (RFC 8259, at most 127 nested arrays
//! and objects, integers kept exact). The page decodes [`super::ServerMessage`] from this tree
//! ([`super::decode_server`]) instead of through serde, whose derived deserializers were an
//! eighth of the app's wasm (issue #15); `tests/page_wire.rs` checks both readings agree.

/// A JSON value. Numbers are kept only as exactly as the wire needs them: every number field
/// of a server message is an integer, so a fraction, an exponent or an integer past 64 bits is
/// just [`Json::Float`], which no field accepts (as serde refuses a float for an integer).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true`, `false`
    Bool(bool),
    /// An integer from 0 to `u64::MAX`.
    Uint(u64),
    /// A negative integer down to `i64::MIN`.
    Int(i64),
    /// Any other number (serde_json reads these as f64; `-0` is one of them).
    Float,
    /// A string, escapes resolved.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object's members in their order; a repeated key stays repeated.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// What kind of value this is, to name it in an error: `a string`, `null`.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Uint(_) | Json::Int(_) => "an integer",
            Json::Float => "a float",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }
}

/// Reads one JSON value filling the whole text (whitespace around it allowed).
///
/// ```
/// use socklab_core::protocol::json::{parse, Json};
/// assert_eq!(parse(r#" {"id": 7, "n": [-1, "\u00e9"]} "#).unwrap(), Json::Obj(vec![
///     ("id".into(), Json::Uint(7)),
///     ("n".into(), Json::Arr(vec![Json::Int(-1), Json::Str("é".into())])),
/// ]));
/// assert!(parse("{\"id\": 7,}").is_err());
/// ```
pub fn parse(text: &str) -> Result<Json, String> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
        depth: 128,
    };
    let value = reader.value()?;
    reader.space();
    if reader.at < reader.text.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    /// Containers that may still open: serde_json's recursion limit.
    depth: u32,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips `word` (`true`, `null`...) or fails.
    fn word(&mut self, word: &[u8]) -> Result<(), String> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// Skips `byte` after whitespace, if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn value(&mut self) -> Result<Json, String> {
        self.space();
        match self.peek() {
            Some(b'n') => self.word(b"null").map(|()| Json::Null),
            Some(b't') => self.word(b"true").map(|()| Json::Bool(true)),
            Some(b'f') => self.word(b"false").map(|()| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(open @ (b'[' | b'{')) => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.error("recursion limit exceeded"));
                }
                self.at += 1;
                let value = self.container(open == b'{');
                self.depth += 1;
                value
            }
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("EOF while parsing a value")),
        }
    }

    /// The members of an array or object, its opening bracket read.
    fn container(&mut self, object: bool) -> Result<Json, String> {
        let close = if object { b'}' } else { b']' };
        let mut items = Vec::new();
        let mut members = Vec::new();
        if !self.eat(close) {
            loop {
                if object {
                    self.space();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a key"));
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.error("expected `:`"));
                    }
                    members.push((key, self.value()?));
                } else {
                    items.push(self.value()?);
                }
                if self.eat(close) {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.error("expected `,` or the end of the list"));
                }
            }
        }
        Ok(if object {
            Json::Obj(members)
        } else {
            Json::Arr(items)
        })
    }

    /// Digits from here on, at least one.
    fn digits(&mut self) -> Result<(), String> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        if self.at == start {
            return Err(self.error("invalid number"));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Json, String> {
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let start = self.at;
        if self.peek() == Some(b'0') {
            self.at += 1;
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
        } else {
            self.digits()?;
        }
        let whole = &self.text[start..self.at];
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
            float = true;
        }
        // The digits are ASCII: the parse fails only past u64, which serde_json reads as f64.
        let magnitude = std::str::from_utf8(whole)
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        Ok(match (float, magnitude, negative) {
            (false, Some(m), false) => Json::Uint(m),
            // serde_json: -0 and anything below i64::MIN are floats.
            (false, Some(m @ 1..=0x8000_0000_0000_0000), true) => {
                Json::Int((m as i64).wrapping_neg())
            }
            _ => Json::Float,
        })
    }

    /// A string, its opening quote next.
    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // The text is UTF-8 and the run stops only at ASCII bytes, so it is whole chars.
            out.push_str(std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.peek();
                    self.at += 1;
                    out.push(match escaped {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode()?,
                        _ => return Err(self.error("invalid escape")),
                    });
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
    }

    /// Four hex digits after `\u`.
    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.text.get(self.at..self.at + 4);
        let value = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| u32::from_str_radix(std::str::from_utf8(d).ok()?, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.at += 4;
        Ok(value)
    }

    /// The char of a `\u` escape (its `\u` read), with its low surrogate if it needs one.
    fn unicode(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with(b"\\u") {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("lone trailing surrogate in hex escape"))
    }
}
