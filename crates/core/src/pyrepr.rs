//! `repr()` as CPython prints it, for the values socklab shows.

/// `repr(b)` for a bytes object: `b'\x01\x00'`, `b"it's"`, `b'\t\n\r\\'`.
///
/// CPython picks single quotes unless the bytes contain `'` and no `"`.
///
/// ```
/// use socklab_core::pyrepr::bytes_repr;
/// assert_eq!(bytes_repr(&[1, 0]), r"b'\x01\x00'");
/// assert_eq!(bytes_repr(b"it's"), r#"b"it's""#);
/// ```
pub fn bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::with_capacity(bytes.len() * 4 + 3);
    s.push('b');
    s.push(quote);
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            _ if char::from(b) == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push(quote);
    s
}

/// `repr(s)` for a str: quotes chosen as CPython chooses them, non-printable characters escaped.
///
/// ```
/// use socklab_core::pyrepr::str_repr;
/// assert_eq!(str_repr("big"), "'big'");
/// assert_eq!(str_repr("中文\n"), r"'中文\n'");
/// ```
pub fn str_repr(text: &str) -> String {
    let points: Vec<u32> = text.chars().map(u32::from).collect();
    str_repr_points(&points)
}

/// `repr(s)` for a Python str given as code points: lone surrogates, which a Rust string
/// cannot hold, are escaped as CPython escapes them.
///
/// ```
/// use socklab_core::pyrepr::str_repr_points;
/// assert_eq!(str_repr_points(&[0x61, 0xd800]), r"'a\ud800'");
/// ```
pub fn str_repr_points(points: &[u32]) -> String {
    let has = |q: u32| points.contains(&q);
    let quote = if has(u32::from('\'')) && !has(u32::from('"')) {
        '"'
    } else {
        '\''
    };
    let mut s = String::with_capacity(points.len() + 2);
    s.push(quote);
    for &n in points {
        let Some(c) = char::from_u32(n) else {
            s.push_str(&code_point_escape(n));
            continue;
        };
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            _ if c == quote => {
                s.push('\\');
                s.push(quote);
            }
            _ if is_printable(c) => s.push(c),
            _ => s.push_str(&code_point_escape(n)),
        }
    }
    s.push(quote);
    s
}

/// An approximation of `str.isprintable()` for one character: control characters, separators
/// other than the space, and unassigned/private-use code points are not printable.
fn is_printable(c: char) -> bool {
    let n = u32::from(c);
    crate::pyrepr_printable::NOT_PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < n {
                std::cmp::Ordering::Less
            } else if lo > n {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

/// `repr(x)` for a float: the shortest text that reads back as the same float, in fixed
/// notation when the decimal exponent is in -4..16 and scientific notation otherwise.
///
/// ```
/// use socklab_core::pyrepr::float_repr;
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(1e15), "1000000000000000.0");
/// assert_eq!(float_repr(2.700000047683716), "2.700000047683716");
/// assert_eq!(float_repr(5e-324), "5e-324");
/// assert_eq!(float_repr(-0.0), "-0.0");
/// assert_eq!(float_repr(-0.000139713287353515625), "-0.00013971328735351562");
/// assert_eq!(float_repr(2f64.powi(-24)), "5.960464477539063e-08");
/// ```
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-trip digits, like Python's repr.
    // Rust's `{:e}` finds the shortest round-trip digits, like Python's repr. On an exact tie
    // between two such strings it rounds up, where Python's dtoa rounds half to even; Rust's
    // fixed-precision mode rounds ties to even, so that string wins whenever it reads back
    // as the same float (next to a power of two the gap below is narrower, and it may not).
    let shortest = format!("{:e}", x.abs());
    let len = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.chars().filter(char::is_ascii_digit).count());
    let even = format!("{:.*e}", len.saturating_sub(1), x.abs());
    let sci = if crate::decimal::parse_f64(&even) == Some(x.abs()) {
        even
    } else {
        shortest
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let frac = if digits.len() > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{}{frac}e{esign}{:02}", &digits[..1], exp.abs())
    };
    format!("{sign}{body}")
}

/// `repr(v)` for any value socklab's calculators take.
pub fn value_repr(v: &crate::pyliteral::PyValue) -> Result<String, crate::pyerror::PyException> {
    use crate::pyliteral::PyValue;
    Ok(match v {
        PyValue::Int(n) => n.to_decimal()?,
        PyValue::Float(x) => float_repr(*x),
        PyValue::Bool(b) => bool_repr(*b).to_owned(),
        PyValue::Bytes(b) => bytes_repr(b),
        PyValue::Str(s) => str_repr(s),
        PyValue::None => "None".to_owned(),
    })
}

/// `repr(b)` for a bool.
pub fn bool_repr(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The bytes as spaced hex pairs, the way the pages show them: `01 00`.
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A character as CPython's UnicodeError messages quote it: always escaped, `\xe9`, `\u4e2d`,
/// `\U0001f600` (unlike `repr`, which leaves printable characters alone).
///
/// ```
/// assert_eq!(socklab_core::pyrepr::codec_char_escape('中'), "\\u4e2d");
/// assert_eq!(socklab_core::pyrepr::codec_char_escape('é'), "\\xe9");
/// ```
pub fn codec_char_escape(c: char) -> String {
    code_point_escape(u32::from(c))
}

/// [`codec_char_escape`] for any code point, lone surrogates included: `\ud800`.
pub fn code_point_escape(n: u32) -> String {
    if n < 0x100 {
        format!("\\x{n:02x}")
    } else if n < 0x10000 {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

/// `repr(tuple(values))`: `()`, `(1,)`, `(1, b'a')`.
///
/// ```
/// use socklab_core::pyliteral::PyValue;
/// use socklab_core::pyrepr::tuple_repr;
/// assert_eq!(tuple_repr(&[]).unwrap(), "()");
/// assert_eq!(tuple_repr(&[PyValue::Int(1.into())]).unwrap(), "(1,)");
/// assert_eq!(tuple_repr(&[PyValue::Bool(true), PyValue::Float(0.5)]).unwrap(), "(True, 0.5)");
/// ```
pub fn tuple_repr(
    values: &[crate::pyliteral::PyValue],
) -> Result<String, crate::pyerror::PyException> {
    let mut out = String::from("(");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&value_repr(v)?);
    }
    if values.len() == 1 {
        out.push(',');
    }
    out.push(')');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_quotes_and_escapes() {
        assert_eq!(bytes_repr(b""), "b''");
        assert_eq!(
            bytes_repr(b"\x00\x7f\x80\xff\t\n\r\\'\""),
            r#"b'\x00\x7f\x80\xff\t\n\r\\\'"'"#
        );
        assert_eq!(bytes_repr(b"'"), r#"b"'""#);
        assert_eq!(bytes_repr(b"\""), r#"b'"'"#);
        assert_eq!(bytes_repr(b"p\x11\x01\x00"), r"b'p\x11\x01\x00'");
    }

    #[test]
    fn str_quotes_and_escapes() {
        assert_eq!(str_repr("it's"), r#""it's""#);
        assert_eq!(str_repr("\u{7f}\u{200b}"), r"'\x7f\u200b'");
        assert_eq!(hex_spaced(&[1, 0, 255]), "01 00 ff");
    }
}
