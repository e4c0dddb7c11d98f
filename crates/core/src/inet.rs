//! `socket.inet_aton`, `inet_ntoa`, `inet_pton` and `inet_ntop` as CPython 3.11 on Linux
//! gives them: glibc's parsers and printer, ported, with Python's messages.
//!
//! The two parsers disagree on purpose, and that is worth seeing: `inet_aton` still accepts the
//! 1980s forms (`127.1`, `0x7f.1`, `017.0.0.1` in octal, `2130706433`, and anything after a
//! space), while `inet_pton` accepts exactly four decimal octets. A filter that checks an
//! address with one and connects with the other can be walked around.

use crate::pyerror::{Hint, PyExcClass, PyException};

/// An address family, with Linux's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `AF_INET` (2): IPv4.
    Inet,
    /// `AF_INET6` (10): IPv6.
    Inet6,
}

impl Family {
    /// The constant's name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Inet => "AF_INET",
            Family::Inet6 => "AF_INET6",
        }
    }

    /// Its value on Linux.
    pub fn number(self) -> i64 {
        match self {
            Family::Inet => 2,
            Family::Inet6 => 10,
        }
    }

    /// The family of a name (`AF_INET`) or number (`2`).
    pub fn parse(text: &str) -> Option<Family> {
        match text.trim().trim_start_matches("socket.") {
            "AF_INET" | "2" => Some(Family::Inet),
            "AF_INET6" | "10" => Some(Family::Inet6),
            _ => None,
        }
    }

    /// The packed size of an address.
    pub fn packed_len(self) -> usize {
        match self {
            Family::Inet => 4,
            Family::Inet6 => 16,
        }
    }
}

fn os_error(msg: &str, hint: &'static str) -> PyException {
    PyException::new(PyExcClass::OsError, msg).with_hint(Hint::new(hint))
}

/// glibc's `strtoul(s, &end, 0)` on text that starts with a digit: the value (saturated past
/// `u64`) and how many bytes it read.
fn strtoul(s: &[u8]) -> (u128, usize) {
    let (radix, start) = match s {
        [b'0', b'x' | b'X', h, ..] if h.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let mut value: u128 = 0;
    let mut i = start;
    while let Some(d) = s.get(i).and_then(|&c| char::from(c).to_digit(radix)) {
        value = (value * u128::from(radix) + u128::from(d)).min(u128::from(u64::MAX) + 1);
        i += 1;
    }
    (value, i)
}

/// `socket.inet_aton(text)`: glibc's `inet_aton`, legacy forms included.
///
/// ```
/// use socklab_core::inet::inet_aton;
/// assert_eq!(inet_aton("127.1").unwrap(), [127, 0, 0, 1]);
/// assert_eq!(inet_aton("0x7f.0.0.1 trailing words").unwrap(), [127, 0, 0, 1]);
/// assert_eq!(inet_aton("256.0.0.1").unwrap_err().message, "illegal IP address string passed to inet_aton");
/// ```
pub fn inet_aton(text: &str) -> Result<[u8; 4], PyException> {
    if text.contains('\0') {
        return Err(PyException::new(
            PyExcClass::ValueError,
            "embedded null character",
        ));
    }
    let bad = || {
        os_error(
            "illegal IP address string passed to inet_aton",
            "hint.inet_aton",
        )
    };
    let s = text.as_bytes();
    let mut parts: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut val: u128;
    loop {
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(bad());
        }
        let (v, used) = strtoul(&s[i..]);
        if v > 0xffff_ffff {
            return Err(bad());
        }
        val = v;
        i += used;
        if s.get(i) == Some(&b'.') {
            if parts.len() > 2 || val > 0xff {
                return Err(bad());
            }
            parts.push(val as u8);
            i += 1;
        } else {
            break;
        }
    }
    // Anything may follow after white space; nothing else may.
    if let Some(&c) = s.get(i) {
        if !(c.is_ascii() && (c == b' ' || (b'\t'..=b'\r').contains(&c))) {
            return Err(bad());
        }
    }
    let max: [u128; 4] = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff];
    if val > max[parts.len()] {
        return Err(bad());
    }
    let mut word = val as u32;
    for (k, &p) in parts.iter().enumerate() {
        word |= u32::from(p) << (24 - 8 * k);
    }
    Ok(word.to_be_bytes())
}

/// `socket.inet_ntoa(packed)`.
pub fn inet_ntoa(packed: &[u8]) -> Result<String, PyException> {
    match packed {
        [a, b, c, d] => Ok(format!("{a}.{b}.{c}.{d}")),
        _ => Err(os_error(
            "packed IP wrong length for inet_ntoa",
            "hint.inet_length",
        )),
    }
}

/// glibc's `inet_pton4`: exactly four decimal octets, no leading zeros.
fn pton4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &ch in s {
        if ch.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(ch - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = cur as u8;
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            saw_digit = false;
            cur = 0;
        } else {
            return None;
        }
    }
    (octets == 4).then_some(out)
}

/// glibc's `inet_pton6`, embedded IPv4 included.
fn pton6(s: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0;
    if s.is_empty() {
        return None;
    }
    if s[0] == b':' {
        i = 1;
        if s.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits = 0;
    let mut val: u32 = 0;
    while i < s.len() {
        let ch = s[i];
        i += 1;
        if let Some(d) = char::from(ch).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == s.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = val as u8;
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(v4) = pton4(&s[curtok..]) {
                tmp[tp..tp + 4].copy_from_slice(&v4);
                tp += 4;
                xdigits = 0;
                break;
            }
        }
        return None;
    }
    if xdigits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = val as u8;
        tp += 2;
    }
    if let Some(c) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - c;
        tmp.copy_within(c..tp, 16 - n);
        tmp[c..16 - n].fill(0);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// `socket.inet_pton(family, text)`.
///
/// ```
/// use socklab_core::inet::{inet_pton, Family};
/// assert_eq!(inet_pton(Family::Inet6, "::1").unwrap()[15], 1);
/// assert_eq!(
///     inet_pton(Family::Inet, "127.1").unwrap_err().traceback_line(),
///     "OSError: illegal IP address string passed to inet_pton"
/// );
/// ```
pub fn inet_pton(family: Family, text: &str) -> Result<Vec<u8>, PyException> {
    if text.contains('\0') {
        return Err(PyException::new(
            PyExcClass::ValueError,
            "embedded null character",
        ));
    }
    let s = text.as_bytes();
    let parsed = match family {
        Family::Inet => pton4(s).map(|a| a.to_vec()),
        Family::Inet6 => pton6(s).map(|a| a.to_vec()),
    };
    parsed.ok_or_else(|| {
        let hint = if family == Family::Inet6 && text.contains('%') {
            "hint.inet_zone"
        } else if family == Family::Inet && inet_aton(text).is_ok() {
            "hint.inet_legacy"
        } else {
            "hint.inet_pton"
        };
        os_error("illegal IP address string passed to inet_pton", hint)
    })
}

/// `socket.inet_ntop(family, packed)`: glibc's printer (RFC 5952 compression, `::ffff:1.2.3.4`).
///
/// ```
/// use socklab_core::inet::{inet_ntop, Family};
/// let mut b = [0u8; 16];
/// b[10] = 0xff; b[11] = 0xff; b[12] = 1; b[15] = 4;
/// assert_eq!(inet_ntop(Family::Inet6, &b).unwrap(), "::ffff:1.0.0.4");
/// ```
pub fn inet_ntop(family: Family, packed: &[u8]) -> Result<String, PyException> {
    if packed.len() != family.packed_len() {
        return Err(PyException::new(
            PyExcClass::ValueError,
            "invalid length of packed IP address string",
        )
        .with_hint(Hint::new("hint.inet_length")));
    }
    if family == Family::Inet {
        return inet_ntoa(packed);
    }
    let words: Vec<u16> = packed
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    // The longest run of zero words (the first of equals), if at least two long.
    // Runs as (first word, length).
    let mut best: Option<(usize, usize)> = None;
    let mut cur: Option<(usize, usize)> = None;
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            cur = Some(cur.map_or((i, 1), |(b, l)| (b, l + 1)));
        } else if let Some(c) = cur.take() {
            if best.is_none_or(|b| c.1 > b.1) {
                best = Some(c);
            }
        }
    }
    if let Some(c) = cur {
        if best.is_none_or(|b| c.1 > b.1) {
            best = Some(c);
        }
    }
    let best = best.filter(|b| b.1 >= 2);
    let mut out = String::new();
    for (i, &w) in words.iter().enumerate() {
        if let Some((base, len)) = best {
            if (base..base + len).contains(&i) {
                if i == base {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best.is_some_and(|(b, l)| b == 0 && (l == 6 || (l == 5 && words[5] == 0xffff)))
        {
            out.push_str(&inet_ntoa(&packed[12..])?);
            return Ok(out);
        }
        out.push_str(&format!("{w:x}"));
    }
    if best.is_some_and(|(b, l)| b + l == 8) {
        out.push(':');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aton_and_pton_disagree_where_it_matters() {
        for text in [
            "127.1",
            "0x7f.0.0.1",
            "017.0.0.1",
            "2130706433",
            "127.0.0.1 junk",
        ] {
            assert!(inet_aton(text).is_ok(), "{text}");
            assert!(inet_pton(Family::Inet, text).is_err(), "{text}");
        }
        assert_eq!(inet_aton("017.0.0.1").unwrap(), [15, 0, 0, 1]);
        assert_eq!(
            inet_pton(Family::Inet, "127.1")
                .unwrap_err()
                .hint
                .unwrap()
                .key,
            "hint.inet_legacy"
        );
    }

    #[test]
    fn ipv6_round_trips() {
        for text in [
            "::",
            "::1",
            "1::",
            "fe80::1",
            "2001:db8::8:800:200c:417a",
            "::ffff:1.2.3.4",
            "1:0:0:1::1",
        ] {
            let packed = inet_pton(Family::Inet6, text).unwrap();
            assert_eq!(inet_ntop(Family::Inet6, &packed).unwrap(), text);
        }
        assert!(inet_pton(Family::Inet6, "fe80::1%eth0").is_err());
        assert!(inet_pton(Family::Inet6, "1:2:3:4:5:6:7::").is_ok());
        assert!(inet_pton(Family::Inet6, "1:2:3:4:5:6:7:8::").is_err());
    }
}
