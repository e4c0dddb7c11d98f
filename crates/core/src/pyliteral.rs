//! Python literals as a learner types them: the arguments of socklab's calculators and CLI.
//!
//! `256`, `-0x10`, `1.5`, `inf`, `True`, `b'\x01\x00'`, `'text'` and `None` become a
//! [`PyValue`]. What is not a literal gets the error Python would give for it.

use crate::pyerror::{Hint, PyExcClass, PyException};
use crate::pyint::PyInt;

/// A Python value of one of the types socklab's calculators take.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    /// `int`
    Int(PyInt),
    /// `float`
    Float(f64),
    /// `bool`
    Bool(bool),
    /// `bytes`
    Bytes(Vec<u8>),
    /// `str`
    Str(String),
    /// `None`
    None,
}

impl PyValue {
    /// The type's name as `type(v).__name__` gives it (used in CPython's TypeError messages).
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Bool(_) => "bool",
            PyValue::Bytes(_) => "bytes",
            PyValue::Str(_) => "str",
            PyValue::None => "NoneType",
        }
    }

    /// The value as an int if Python's `__index__` gives one (ints and bools).
    pub fn as_index(&self) -> Option<PyInt> {
        match self {
            PyValue::Int(n) => Some(n.clone()),
            PyValue::Bool(b) => Some(PyInt::from(i128::from(*b))),
            _ => None,
        }
    }

    /// `operator.index(v)`: the int, or CPython's TypeError for other types.
    pub fn index(&self) -> Result<PyInt, PyException> {
        self.as_index().ok_or_else(|| {
            PyException::new(
                PyExcClass::TypeError,
                format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name()
                ),
            )
            .with_hint(Hint::new("hint.needs_int").arg("type", self.type_name()))
        })
    }
}

/// Parses one Python literal.
///
/// ```
/// use socklab_core::pyliteral::{parse, PyValue};
/// assert_eq!(parse("b'\\x01\\x00'").unwrap(), PyValue::Bytes(vec![1, 0]));
/// assert_eq!(parse("True").unwrap(), PyValue::Bool(true));
/// ```
pub fn parse(text: &str) -> Result<PyValue, PyException> {
    let t = text.trim();
    match t {
        "True" => return Ok(PyValue::Bool(true)),
        "False" => return Ok(PyValue::Bool(false)),
        "None" => return Ok(PyValue::None),
        _ => {}
    }
    if let Some(v) = parse_special_float(t) {
        return Ok(PyValue::Float(v));
    }
    let first = t.chars().next();
    if matches!(first, Some('b' | 'B' | 'r' | 'R')) && t.len() >= 3 {
        if let Some(result) = parse_bytes_literal(t) {
            return result.map(PyValue::Bytes);
        }
    }
    if matches!(first, Some('\'' | '"')) {
        return parse_str_literal(t).map(PyValue::Str);
    }
    if first.is_some_and(|c| c.is_alphabetic() || c == '_') {
        return Err(
            PyException::new(PyExcClass::NameError, format!("name '{t}' is not defined"))
                .with_hint(Hint::new("hint.not_a_literal")),
        );
    }
    let unsigned = t.trim_start_matches(['+', '-']).trim_start();
    if looks_like_float(unsigned) {
        return parse_float_literal(t).map(PyValue::Float);
    }
    PyInt::parse_literal(t).map(PyValue::Int)
}

fn parse_special_float(t: &str) -> Option<f64> {
    match t {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" => Some(f64::NAN),
        "-nan" => Some(-f64::NAN),
        _ => None,
    }
}

fn looks_like_float(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() > 1 && b[0] == b'0' && matches!(b[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B') {
        return false;
    }
    t.contains(['.', 'e', 'E'])
}

fn parse_float_literal(t: &str) -> Result<f64, PyException> {
    let cleaned: String = t
        .chars()
        .filter(|&c| c != '_' && !c.is_whitespace())
        .collect();
    if cleaned.matches('.').count() > 1 {
        // `1.5.5` tokenizes as `1.5` then `.5`: two numbers in a row.
        return Err(PyException::new(PyExcClass::SyntaxError, "invalid syntax")
            .with_hint(Hint::new("hint.float_literal")));
    }
    let bad_underscore =
        t.contains("__") || t.contains("_.") || t.contains("._") || t.ends_with('_');
    match crate::decimal::parse_f64(&cleaned) {
        Some(v) if !bad_underscore && !cleaned.ends_with(['e', 'E']) => Ok(v),
        _ => Err(
            PyException::new(PyExcClass::SyntaxError, "invalid decimal literal")
                .with_hint(Hint::new("hint.float_literal")),
        ),
    }
}

/// Parses `b'..'`, `b".."`, `rb'..'`, `br'..'`; `None` if the text is not shaped like one.
fn parse_bytes_literal(t: &str) -> Option<Result<Vec<u8>, PyException>> {
    let lower = t.to_ascii_lowercase();
    let (raw, rest) = if let Some(r) = lower
        .strip_prefix("rb")
        .or_else(|| lower.strip_prefix("br"))
    {
        (true, &t[t.len() - r.len()..])
    } else if let Some(r) = lower.strip_prefix('b') {
        (false, &t[t.len() - r.len()..])
    } else {
        return None;
    };
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    Some(parse_quoted(rest, quote, raw, true).and_then(|chars| {
        chars
            .into_iter()
            .map(|c| {
                u8::try_from(c).map_err(|_| {
                    PyException::new(
                        PyExcClass::SyntaxError,
                        "bytes can only contain ASCII literal characters",
                    )
                    .with_hint(Hint::new("hint.bytes_literal"))
                })
            })
            .collect()
    }))
}

fn parse_str_literal(t: &str) -> Result<String, PyException> {
    let quote = t.chars().next().unwrap_or('\'');
    // A value for socket and struct arguments: a lone surrogate, which no call here accepts,
    // becomes U+FFFD.
    parse_quoted(t, quote, false, false).map(|points| {
        points
            .into_iter()
            .map(|n| char::from_u32(n).unwrap_or('\u{fffd}'))
            .collect()
    })
}

/// A bytes argument, as the learner typed it (`b'hi'`): anything else is Python's TypeError.
///
/// ```
/// use socklab_core::pyliteral::bytes_arg;
/// assert_eq!(bytes_arg("b'hi'").unwrap(), b"hi");
/// assert_eq!(
///     bytes_arg("'hi'").unwrap_err().traceback_line(),
///     "TypeError: a bytes-like object is required, not 'str'"
/// );
/// ```
pub fn bytes_arg(text: &str) -> Result<Vec<u8>, PyException> {
    match parse(text.trim())? {
        PyValue::Bytes(b) => Ok(b),
        other => Err(bytes_like_required(&other)),
    }
}

/// CPython's TypeError for a value where a bytes-like object is required.
pub fn bytes_like_required(value: &PyValue) -> PyException {
    PyException::new(PyExcClass::TypeError, bytes_like_message(value.type_name()))
}

/// The message of that TypeError, for a value of type `type_name`.
pub fn bytes_like_message(type_name: &str) -> String {
    format!("a bytes-like object is required, not '{type_name}'")
}

/// A Python str typed into a page: a str literal (`'a\ud800'`, quotes and escapes as Python
/// reads them) when the trimmed input starts and ends with the same quote, the text as typed
/// otherwise. Code points, since a literal can hold lone surrogates.
///
/// ```
/// use socklab_core::pyliteral::parse_text_input;
/// assert_eq!(parse_text_input("中 a").unwrap(), vec![0x4e2d, 0x20, 0x61]);
/// assert_eq!(parse_text_input(" '\\ud800' ").unwrap(), vec![0xd800]);
/// assert_eq!(
///     parse_text_input("'\\u12'").unwrap_err().message,
///     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: truncated \\uXXXX escape"
/// );
/// ```
pub fn parse_text_input(text: &str) -> Result<Vec<u32>, PyException> {
    let t = text.trim();
    for quote in ['\'', '"'] {
        if t.len() >= 2 && t.starts_with(quote) && t.ends_with(quote) {
            return parse_quoted(t, quote, false, false);
        }
    }
    Ok(text.chars().map(u32::from).collect())
}

/// Reads a quoted body with Python's escapes, as code points (a str literal may hold lone
/// surrogates). For bytes, a non-ASCII character is an error.
fn parse_quoted(t: &str, quote: char, raw: bool, is_bytes: bool) -> Result<Vec<u32>, PyException> {
    let hint = || {
        Hint::new(if is_bytes {
            "hint.bytes_literal"
        } else {
            "hint.str_literal"
        })
    };
    let unterminated = || {
        PyException::new(
            PyExcClass::SyntaxError,
            "unterminated string literal (detected at line 1)",
        )
        .with_hint(hint())
    };
    // CPython's escape errors give positions in the body as its decoder sees it: bytes for a
    // bytes literal; for a str, every non-ASCII character counts 10 (it becomes `\UXXXXXXXX`
    // before the escapes are decoded).
    let width = |c: char| if c.is_ascii() || is_bytes { 1 } else { 10 };
    let escape_error = |start: usize, end: usize, what: &str| {
        let message = if is_bytes {
            format!("(value error) invalid \\x escape at position {start}")
        } else {
            format!(
                "(unicode error) 'unicodeescape' codec can't decode bytes in position \
                 {start}-{}: {what}",
                end - 1
            )
        };
        PyException::new(PyExcClass::SyntaxError, message).with_hint(hint())
    };
    let inner = t.strip_prefix(quote).ok_or_else(unterminated)?;
    let mut out = Vec::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    let mut pos = 0;
    loop {
        let c = chars.next().ok_or_else(unterminated)?;
        if c == quote {
            break;
        }
        if is_bytes && !c.is_ascii() {
            return Err(PyException::new(
                PyExcClass::SyntaxError,
                "bytes can only contain ASCII literal characters",
            )
            .with_hint(hint()));
        }
        if c != '\\' || raw {
            pos += width(c);
            out.push(u32::from(c));
            if raw && c == '\\' {
                if let Some(next) = chars.next() {
                    pos += width(next);
                    out.push(u32::from(next));
                }
            }
            continue;
        }
        let start = pos;
        let e = chars.next().ok_or_else(unterminated)?;
        pos += 1 + width(e);
        // The code point the escape stands for (none for a backslash-newline).
        let escaped =
            match e {
                '\n' => None,
                '\\' | '\'' | '"' => Some(u32::from(e)),
                'a' => Some(0x07),
                'b' => Some(0x08),
                'f' => Some(0x0c),
                'n' => Some(0x0a),
                'r' => Some(0x0d),
                't' => Some(0x09),
                'v' => Some(0x0b),
                'x' | 'u' | 'U' if e == 'x' || !is_bytes => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = (0..n)
                        .filter_map(|_| chars.next_if(char::is_ascii_hexdigit))
                        .collect();
                    pos += hex.len();
                    let what = format!("truncated \\{e}{} escape", "X".repeat(n));
                    if hex.len() != n {
                        return Err(escape_error(start, pos, &what));
                    }
                    let v = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
                    if v > 0x10_ffff {
                        return Err(escape_error(start, pos, "illegal Unicode character"));
                    }
                    Some(v)
                }
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match chars.next_if(|c| c.is_digit(8)).and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                pos += 1;
                            }
                            None => break,
                        }
                    }
                    // CPython keeps the low byte of octal escapes above 0o377 in bytes (with a warning).
                    Some(if is_bytes { v & 0xff } else { v })
                }
                'N' if !is_bytes => return Err(PyException::new(
                    PyExcClass::SyntaxError,
                    "[socklab] \\N{...} escapes need Unicode's table of character names, which \
                     socklab leaves out: write the character itself, or its code point as \\uXXXX",
                )
                .with_hint(Hint::new("hint.named_escape"))),
                other => {
                    // Unknown escapes keep their backslash (a DeprecationWarning, not an error).
                    out.push(u32::from('\\'));
                    Some(u32::from(other))
                }
            };
        out.extend(escaped);
    }
    if chars.next().is_some() {
        return Err(PyException::new(PyExcClass::SyntaxError, "invalid syntax").with_hint(hint()));
    }
    Ok(out)
}

/// Reads bytes typed as hex (`01 00`, `0x0100`, `01:00`, `\x01\x00`) or as a bytes literal.
///
/// ```
/// use socklab_core::pyliteral::parse_bytes_input;
/// assert_eq!(parse_bytes_input("01 00").unwrap(), vec![1, 0]);
/// assert_eq!(parse_bytes_input("b'\\x01\\x00'").unwrap(), vec![1, 0]);
/// ```
pub fn parse_bytes_input(text: &str) -> Result<Vec<u8>, PyException> {
    let t = text.trim();
    if let Some(result) = parse_bytes_literal(t) {
        return result;
    }
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | '-' | ',' | '\n' | '\t'))
        .collect();
    let digits = digits.replace("\\x", "");
    if let Some((pos, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(PyException::new(
            PyExcClass::ValueError,
            format!("non-hexadecimal number found in fromhex() arg at position {pos}"),
        )
        .with_hint(Hint::new("hint.hex_digit").arg("char", c)));
    }
    if digits.len() % 2 == 1 {
        return Err(PyException::new(
            PyExcClass::ValueError,
            format!(
                "non-hexadecimal number found in fromhex() arg at position {}",
                digits.len()
            ),
        )
        .with_hint(Hint::new("hint.hex_odd")));
    }
    Ok((0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or(0))
        .collect())
}

/// Parses the arguments of a call as typed after the format: `1, 2.5, b'a,b'`.
///
/// Commas inside quotes belong to the literal; a trailing comma is allowed, as in a Python
/// call; empty text is no arguments. An error carries the byte range of the argument at fault.
///
/// ```
/// use socklab_core::pyliteral::{parse_args, PyValue};
/// let args = parse_args("1, b'a,b',").unwrap();
/// assert_eq!(args, vec![PyValue::Int(1.into()), PyValue::Bytes(b"a,b".to_vec())]);
/// assert_eq!(parse_args("1, , 2").unwrap_err().span, Some(2..3));
/// ```
pub fn parse_args(text: &str) -> Result<Vec<PyValue>, PyException> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == ',' => {
                pieces.push(start..i);
                start = i + 1;
            }
            None => {}
        }
    }
    pieces.push(start..text.len());
    // A trailing comma (or no text at all) ends the list without another argument.
    if pieces
        .last()
        .is_some_and(|r| text[r.clone()].trim().is_empty())
        && (pieces.len() > 1 || text.trim().is_empty())
    {
        pieces.pop();
    }
    pieces
        .into_iter()
        .map(|range| {
            if text[range.clone()].trim().is_empty() {
                return Err(PyException::new(PyExcClass::SyntaxError, "invalid syntax")
                    .with_hint(Hint::new("hint.empty_arg"))
                    .at(range));
            }
            parse(&text[range.clone()]).map_err(|e| e.at(range))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CPython reads `\N{NAME}`; socklab has no table of names, says so, and its hint says what
    /// to type instead (in the reader's language, by its key).
    #[test]
    fn a_named_escape_says_what_to_type_instead() {
        for text in ["'\\N{BULLET}'", "'a\\N{LATIN SMALL LETTER A}'"] {
            let e = parse_text_input(text).unwrap_err();
            assert_eq!(e.class, PyExcClass::SyntaxError, "{text}");
            assert!(e.message.starts_with("[socklab] \\N{...}"), "{}", e.message);
            assert_eq!(e.hint.map(|h| h.key), Some("hint.named_escape"), "{text}");
        }
        // In bytes, \N is no escape at all: CPython keeps the backslash.
        assert_eq!(parse("b'\\N{X}'"), Ok(PyValue::Bytes(b"\\N{X}".to_vec())));
    }

    #[track_caller]
    fn ok(text: &str, expect: &PyValue) {
        assert_eq!(&parse(text).unwrap(), expect, "parsing {text:?}");
    }

    #[track_caller]
    fn err(text: &str, line: &str) {
        assert_eq!(
            parse(text).unwrap_err().traceback_line(),
            line,
            "parsing {text:?}"
        );
    }

    #[test]
    fn values() {
        ok("256", &PyValue::Int(PyInt::from(256)));
        ok("-0x10", &PyValue::Int(PyInt::from(-16)));
        ok("1.5", &PyValue::Float(1.5));
        ok("1e+39", &PyValue::Float(1e39));
        ok("-inf", &PyValue::Float(f64::NEG_INFINITY));
        ok("False", &PyValue::Bool(false));
        ok("None", &PyValue::None);
        ok(r"b'\x01\x00'", &PyValue::Bytes(vec![1, 0]));
        ok(r#"b"it's""#, &PyValue::Bytes(b"it's".to_vec()));
        ok(r"b'\t\n\\\101'", &PyValue::Bytes(b"\t\n\\A".to_vec()));
        ok(r"rb'\x01'", &PyValue::Bytes(br"\x01".to_vec()));
        ok("'中文'", &PyValue::Str("中文".to_owned()));
        ok(r"'\u4e2d'", &PyValue::Str("中".to_owned()));
    }

    #[test]
    fn errors() {
        err("abc", "NameError: name 'abc' is not defined");
        err(
            "b'中'",
            "SyntaxError: bytes can only contain ASCII literal characters",
        );
        err(
            "b'abc",
            "SyntaxError: unterminated string literal (detected at line 1)",
        );
        err("1.5.5", "SyntaxError: invalid syntax");
        err("1e", "SyntaxError: invalid decimal literal");
        assert_eq!(
            parse("1.5").unwrap().index().unwrap_err().traceback_line(),
            "TypeError: 'float' object cannot be interpreted as an integer"
        );
    }

    #[test]
    fn bytes_input() {
        assert_eq!(parse_bytes_input("0x0100").unwrap(), vec![1, 0]);
        assert_eq!(parse_bytes_input(r"\x01\x00").unwrap(), vec![1, 0]);
        assert_eq!(parse_bytes_input("01:00:ff").unwrap(), vec![1, 0, 255]);
        assert_eq!(parse_bytes_input("").unwrap(), Vec::<u8>::new());
        assert!(parse_bytes_input("0g").is_err());
        assert!(parse_bytes_input("010").is_err());
    }
}
