//! Text to bytes and back as CPython 3.11's codecs do it: UTF-8 (with and without a BOM),
//! UTF-16 and UTF-32 (BOM, LE, BE), ASCII, Latin-1 and GBK, with the `strict`, `replace` and `ignore`
//! error modes and CPython's UnicodeEncodeError/UnicodeDecodeError messages to the letter.
//!
//! Python strings can hold lone surrogates (U+D800 to U+DFFF on their own) and Rust strings
//! cannot, so [`encode_points`] takes code points; a page gets them from a str literal such as
//! `'\ud800'` ([`crate::pyliteral::parse_text_input`]), and gets CPython's "surrogates not
//! allowed" errors for them.

use crate::pyerror::{Hint, PyExcClass, PyException};

/// A codec, by the name Python uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// `utf-8`
    Utf8,
    /// `utf-8-sig`: UTF-8 with a BOM written, and skipped when reading.
    Utf8Sig,
    /// `utf-16`: a BOM, then native (little-endian) order; reading follows the BOM.
    Utf16,
    /// `utf-16-le`
    Utf16Le,
    /// `utf-16-be`
    Utf16Be,
    /// `utf-32`: a BOM, then little-endian.
    Utf32,
    /// `utf-32-le`
    Utf32Le,
    /// `utf-32-be`
    Utf32Be,
    /// `ascii`
    Ascii,
    /// `latin-1`
    Latin1,
    /// `gbk`: Simplified Chinese, two bytes per character (CPython's table, 21,791 characters).
    Gbk,
}

/// What happens to what cannot be encoded or decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Errors {
    /// Raise.
    #[default]
    Strict,
    /// `?` when encoding, U+FFFD when decoding.
    Replace,
    /// Drop it.
    Ignore,
}

impl Errors {
    /// Every mode.
    pub const ALL: [Errors; 3] = [Errors::Strict, Errors::Replace, Errors::Ignore];

    /// The name Python uses.
    pub fn name(self) -> &'static str {
        match self {
            Errors::Strict => "strict",
            Errors::Replace => "replace",
            Errors::Ignore => "ignore",
        }
    }

    /// The mode of a name.
    pub fn from_name(name: &str) -> Option<Errors> {
        Errors::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl Codec {
    /// Every codec, in the order pages list them.
    pub const ALL: [Codec; 11] = [
        Codec::Utf8,
        Codec::Utf8Sig,
        Codec::Utf16,
        Codec::Utf16Le,
        Codec::Utf16Be,
        Codec::Utf32,
        Codec::Utf32Le,
        Codec::Utf32Be,
        Codec::Ascii,
        Codec::Latin1,
        Codec::Gbk,
    ];

    /// The name Python uses (and prints in its error messages).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Utf8Sig => "utf-8-sig",
            Codec::Utf16 => "utf-16",
            Codec::Utf16Le => "utf-16-le",
            Codec::Utf16Be => "utf-16-be",
            Codec::Utf32 => "utf-32",
            Codec::Utf32Le => "utf-32-le",
            Codec::Utf32Be => "utf-32-be",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
            Codec::Gbk => "gbk",
        }
    }

    /// The codec of a name.
    pub fn from_name(name: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// CPython's UnicodeEncodeError for `points[start..end]`, named `name`, for `reason`.
fn encode_error(
    codec: Codec,
    name: &str,
    points: &[u32],
    (start, end): (usize, usize),
    reason: &str,
) -> PyException {
    let message = if end - start == 1 {
        format!(
            "'{name}' codec can't encode character '{}' in position {start}: {reason}",
            crate::pyrepr::code_point_escape(points[start])
        )
    } else {
        format!(
            "'{name}' codec can't encode characters in position {start}-{}: {reason}",
            end - 1
        )
    };
    let hint = if reason == SURROGATES {
        Hint::new("hint.codec_surrogate")
    } else {
        Hint::new("hint.codec_encode")
    };
    PyException::new(PyExcClass::UnicodeEncodeError, message)
        .with_hint(hint.arg("codec", codec.name()))
}

/// The reason CPython gives for a lone surrogate in a UTF codec.
const SURROGATES: &str = "surrogates not allowed";
/// The reason CPython's CJK codecs give for what has no mapping.
const ILLEGAL: &str = "illegal multibyte sequence";

/// The GBK table as a [`Deferred`](crate::deferred::Deferred) file has it.
/// CPython's GBK, from its own table (`vectors/gen_gbk.py`).
mod gbk {
    use crate::deferred::Deferred;
    use std::sync::OnceLock;

    /// Trail bytes per lead byte: 0x40 to 0xfe.
    const TRAILS: usize = 0xff - 0x40;

    /// The table ([`Deferred::Gbk`]: CPython's, carried as differences), summed up again on
    /// first use.
    ///
    /// # Panics
    /// In the app's browser build, if the page did not fetch the table before using GBK: every
    /// page that can waits for it first (the app's `NeedsData`), and its tests would show this.
    fn table() -> &'static [u16] {
        static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
        TABLE.get_or_init(|| {
            let deltas = Deferred::Gbk
                .get()
                .expect("the GBK table is fetched before a page that uses GBK opens");
            let mut last = 0u16;
            deltas
                .chunks_exact(2)
                .map(|d| match u16::from_le_bytes([d[0], d[1]]) {
                    0 => 0,
                    delta => {
                        last = last.wrapping_add(delta);
                        last
                    }
                })
                .collect()
        })
    }

    /// The character two bytes stand for.
    pub(super) fn decode(lead: u8, trail: u8) -> Option<char> {
        if !(0x81..=0xfe).contains(&lead) || !(0x40..=0xfe).contains(&trail) {
            return None;
        }
        let n = table()[usize::from(lead - 0x81) * TRAILS + usize::from(trail - 0x40)];
        (n != 0).then(|| char::from_u32(u32::from(n))).flatten()
    }

    /// The two bytes of a character, if GBK has it. The reverse table is built on first use.
    pub(super) fn encode(n: u32) -> Option<[u8; 2]> {
        static REVERSE: OnceLock<Vec<(u16, [u8; 2])>> = OnceLock::new();
        let reverse = REVERSE.get_or_init(|| {
            let mut pairs: Vec<(u16, [u8; 2])> = table()
                .iter()
                .enumerate()
                .filter_map(|(i, &n)| {
                    let lead = 0x81 + (i / TRAILS) as u8;
                    let trail = 0x40 + (i % TRAILS) as u8;
                    (n != 0).then_some((n, [lead, trail]))
                })
                .collect();
            pairs.sort_unstable();
            pairs
        });
        let n = u16::try_from(n).ok()?;
        reverse
            .binary_search_by_key(&n, |&(cp, _)| cp)
            .ok()
            .map(|i| reverse[i].1)
    }
}

/// `text.encode(codec, errors)`.
///
/// ```
/// use socklab_core::codec::{encode, Codec, Errors};
/// assert_eq!(encode("中", Codec::Utf8, Errors::Strict).unwrap(), b"\xe4\xb8\xad");
/// assert_eq!(
///     encode("中", Codec::Ascii, Errors::Strict).unwrap_err().traceback_line(),
///     "UnicodeEncodeError: 'ascii' codec can't encode character '\\u4e2d' in position 0: ordinal not in range(128)"
/// );
/// ```
pub fn encode(text: &str, codec: Codec, errors: Errors) -> Result<Vec<u8>, PyException> {
    let points: Vec<u32> = text.chars().map(u32::from).collect();
    encode_points(&points, codec, errors)
}

/// `text.encode(codec, errors)` for a Python str given as code points, lone surrogates
/// included.
///
/// ```
/// use socklab_core::codec::{encode_points, Codec, Errors};
/// let text = [0x61, 0xd800, 0x62]; // 'a\ud800b'
/// assert_eq!(
///     encode_points(&text, Codec::Utf8, Errors::Strict).unwrap_err().message,
///     "'utf-8' codec can't encode character '\\ud800' in position 1: surrogates not allowed"
/// );
/// assert_eq!(encode_points(&text, Codec::Utf16Le, Errors::Replace).unwrap(), b"a\0?\0b\0");
/// ```
pub fn encode_points(points: &[u32], codec: Codec, errors: Errors) -> Result<Vec<u8>, PyException> {
    // How CPython reports what cannot be encoded: the UTF-8 codec names a whole run of
    // surrogates (as `utf-8`, even for `utf-8-sig`), UTF-16 and UTF-32 the first one only, and
    // the CJK codecs one character at a time whatever the reason.
    let (name, whole_run, reason) = match codec {
        Codec::Ascii => ("ascii", true, "ordinal not in range(128)"),
        Codec::Latin1 => ("latin-1", true, "ordinal not in range(256)"),
        Codec::Utf8 | Codec::Utf8Sig => ("utf-8", true, SURROGATES),
        Codec::Gbk => ("gbk", false, ILLEGAL),
        other => (other.name(), false, SURROGATES),
    };
    let mut out = match codec {
        Codec::Utf8Sig => vec![0xef, 0xbb, 0xbf],
        Codec::Utf16 => vec![0xff, 0xfe],
        Codec::Utf32 => vec![0xff, 0xfe, 0, 0],
        _ => Vec::new(),
    };
    out.reserve(points.len() * 4);
    let mut i = 0;
    while i < points.len() {
        if encode_one(codec, points[i], &mut out) {
            i += 1;
            continue;
        }
        // A failed `encode_one` writes nothing, so an empty Vec never allocates here.
        let end = i + points[i..]
            .iter()
            .take_while(|&&n| !encode_one(codec, n, &mut Vec::new()))
            .count();
        match errors {
            Errors::Strict => {
                let end = if whole_run { end } else { i + 1 };
                return Err(encode_error(codec, name, points, (i, end), reason));
            }
            Errors::Replace => (i..end).for_each(|_| {
                encode_one(codec, u32::from(b'?'), &mut out);
            }),
            Errors::Ignore => {}
        }
        i = end;
    }
    Ok(out)
}

/// Appends the bytes of one code point if `codec` can encode it; false (and nothing written)
/// if it cannot: past the codec's range, or a lone surrogate, which no UTF codec takes.
fn encode_one(codec: Codec, n: u32, out: &mut Vec<u8>) -> bool {
    match codec {
        Codec::Ascii | Codec::Latin1 => {
            let limit = if codec == Codec::Ascii { 0x80 } else { 0x100 };
            match u8::try_from(n) {
                Ok(byte) if n < limit => out.push(byte),
                _ => return false,
            }
        }
        Codec::Gbk => match u8::try_from(n) {
            Ok(byte) if byte < 0x80 => out.push(byte),
            _ => match gbk::encode(n) {
                Some(pair) => out.extend(pair),
                None => return false,
            },
        },
        utf => {
            // `char` excludes exactly the surrogates (and what is past U+10FFFF).
            let Some(c) = char::from_u32(n) else {
                return false;
            };
            match utf {
                Codec::Utf8 | Codec::Utf8Sig => {
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
                    for u in c.encode_utf16(&mut [0; 2]) {
                        out.extend(if utf == Codec::Utf16Be {
                            u.to_be_bytes()
                        } else {
                            u.to_le_bytes()
                        });
                    }
                }
                Codec::Utf32Be => out.extend(n.to_be_bytes()),
                _ => out.extend(n.to_le_bytes()),
            }
        }
    }
    true
}

/// One decoding problem: the byte range and CPython's reason.
struct Bad {
    start: usize,
    end: usize,
    reason: &'static str,
}

fn decode_error(codec: Codec, name: &str, data: &[u8], bad: &Bad) -> PyException {
    let message = if bad.end - bad.start == 1 {
        format!(
            "'{name}' codec can't decode byte 0x{:02x} in position {}: {}",
            data[bad.start], bad.start, bad.reason
        )
    } else {
        format!(
            "'{name}' codec can't decode bytes in position {}-{}: {}",
            bad.start,
            bad.end - 1,
            bad.reason
        )
    };
    PyException::new(PyExcClass::UnicodeDecodeError, message)
        .with_hint(Hint::new("hint.codec_decode").arg("codec", codec.name()))
        .at(bad.start..bad.end)
}

/// One step of a decoder: a character and how many bytes it took, or a problem.
type Step = Result<(char, usize), Bad>;

fn utf8_step(s: &[u8], i: usize) -> Step {
    let n = s.len();
    let b = s[i];
    let cont = |x: u8| (0x80..=0xbf).contains(&x);
    let invalid = |end: usize| Bad {
        start: i,
        end,
        reason: "invalid continuation byte",
    };
    let eod = Bad {
        start: i,
        end: n,
        reason: "unexpected end of data",
    };
    let (len, second): (usize, std::ops::RangeInclusive<u8>) = match b {
        0x00..=0x7f => return Ok((char::from(b), 1)),
        0xc2..=0xdf => (2, 0x80..=0xbf),
        0xe0 => (3, 0xa0..=0xbf),
        0xed => (3, 0x80..=0x9f),
        0xe1..=0xef => (3, 0x80..=0xbf),
        0xf0 => (4, 0x90..=0xbf),
        0xf4 => (4, 0x80..=0x8f),
        0xf1..=0xf3 => (4, 0x80..=0xbf),
        _ => {
            return Err(Bad {
                start: i,
                end: i + 1,
                reason: "invalid start byte",
            })
        }
    };
    for k in 1..len {
        let Some(&x) = s.get(i + k) else {
            return Err(eod);
        };
        let ok = if k == 1 { second.contains(&x) } else { cont(x) };
        if !ok {
            return Err(invalid(i + k));
        }
    }
    let text = std::str::from_utf8(&s[i..i + len]).map_err(|_| invalid(i + 1))?;
    Ok((text.chars().next().unwrap_or('\u{fffd}'), len))
}

fn utf16_step(s: &[u8], i: usize, le: bool) -> Step {
    let n = s.len();
    let unit = |j: usize| -> Option<u16> {
        let b = s.get(j..j + 2)?;
        Some(if le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let Some(u) = unit(i) else {
        return Err(Bad {
            start: i,
            end: n,
            reason: "truncated data",
        });
    };
    match u {
        0xd800..=0xdbff => match unit(i + 2) {
            None if i + 2 >= n || n - (i + 2) < 2 => Err(Bad {
                start: i,
                end: n.min(i + 4).max(i + 2),
                reason: "unexpected end of data",
            }),
            Some(lo @ 0xdc00..=0xdfff) => {
                let c = 0x10000 + ((u32::from(u) - 0xd800) << 10) + (u32::from(lo) - 0xdc00);
                Ok((char::from_u32(c).unwrap_or('\u{fffd}'), 4))
            }
            _ => Err(Bad {
                start: i,
                end: i + 2,
                reason: "illegal UTF-16 surrogate",
            }),
        },
        0xdc00..=0xdfff => Err(Bad {
            start: i,
            end: i + 2,
            reason: "illegal encoding",
        }),
        _ => Ok((char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'), 2)),
    }
}

fn utf32_step(s: &[u8], i: usize, le: bool) -> Step {
    let n = s.len();
    let Some(b) = s.get(i..i + 4) else {
        return Err(Bad {
            start: i,
            end: n,
            reason: "truncated data",
        });
    };
    let b = [b[0], b[1], b[2], b[3]];
    let c = if le {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    };
    match c {
        0xd800..=0xdfff => Err(Bad {
            start: i,
            end: i + 4,
            reason: "code point in surrogate code point range(0xd800, 0xe000)",
        }),
        c if c > 0x10ffff => Err(Bad {
            start: i,
            end: i + 4,
            reason: "code point not in range(0x110000)",
        }),
        c => Ok((char::from_u32(c).unwrap_or('\u{fffd}'), 4)),
    }
}

/// One GBK character: ASCII, or a lead byte and a trail byte. CPython's CJK decoders report a
/// lead byte with no partner as incomplete, and one whose pair has no mapping as illegal, one
/// byte at a time (the next byte is read again on its own).
fn gbk_step(s: &[u8], i: usize) -> Step {
    let lead = s[i];
    if lead < 0x80 {
        return Ok((char::from(lead), 1));
    }
    let Some(&trail) = s.get(i + 1) else {
        return Err(Bad {
            start: i,
            end: s.len(),
            reason: "incomplete multibyte sequence",
        });
    };
    gbk::decode(lead, trail).map(|c| (c, 2)).ok_or(Bad {
        start: i,
        end: i + 1,
        reason: ILLEGAL,
    })
}

/// `data.decode(codec, errors)`.
///
/// ```
/// use socklab_core::codec::{decode, Codec, Errors};
/// assert_eq!(decode(b"\xe4\xb8\xad", Codec::Utf8, Errors::Strict).unwrap(), "中");
/// assert_eq!(
///     decode(b"\xe4\xb8", Codec::Utf8, Errors::Strict).unwrap_err().message,
///     "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
/// );
/// assert_eq!(decode(b"\xed\xa0\x80", Codec::Utf8, Errors::Replace).unwrap(), "\u{fffd}\u{fffd}\u{fffd}");
/// ```
pub fn decode(data: &[u8], codec: Codec, errors: Errors) -> Result<String, PyException> {
    // BOM handling, then one decoder over the rest; positions stay those of `data`.
    // Errors name the codec that did the work: `utf-16` is `utf-16-le` or `utf-16-be` once
    // its BOM (or the lack of one) has decided.
    type StepFn = fn(&[u8], usize) -> Step;
    let le16: StepFn = |s, i| utf16_step(s, i, true);
    let be16: StepFn = |s, i| utf16_step(s, i, false);
    let le32: StepFn = |s, i| utf32_step(s, i, true);
    let be32: StepFn = |s, i| utf32_step(s, i, false);
    let (start, step, name): (usize, StepFn, &str) = match codec {
        Codec::Utf8 => (0, utf8_step, "utf-8"),
        Codec::Utf8Sig => (
            if data.starts_with(&[0xef, 0xbb, 0xbf]) {
                3
            } else {
                0
            },
            utf8_step,
            "utf-8",
        ),
        Codec::Utf16 if data.starts_with(&[0xfe, 0xff]) => (2, be16, "utf-16-be"),
        Codec::Utf16 if data.starts_with(&[0xff, 0xfe]) => (2, le16, "utf-16-le"),
        Codec::Utf16 | Codec::Utf16Le => (0, le16, "utf-16-le"),
        Codec::Utf16Be => (0, be16, "utf-16-be"),
        Codec::Utf32 if data.starts_with(&[0, 0, 0xfe, 0xff]) => (4, be32, "utf-32-be"),
        Codec::Utf32 if data.starts_with(&[0xff, 0xfe, 0, 0]) => (4, le32, "utf-32-le"),
        Codec::Utf32 | Codec::Utf32Le => (0, le32, "utf-32-le"),
        Codec::Utf32Be => (0, be32, "utf-32-be"),
        Codec::Ascii => (
            0,
            |s, i| {
                if s[i] < 0x80 {
                    Ok((char::from(s[i]), 1))
                } else {
                    Err(Bad {
                        start: i,
                        end: i + 1,
                        reason: "ordinal not in range(128)",
                    })
                }
            },
            "ascii",
        ),
        Codec::Latin1 => (0, |s, i| Ok((char::from(s[i]), 1)), "latin-1"),
        Codec::Gbk => (0, gbk_step, "gbk"),
    };
    let mut out = String::with_capacity(data.len());
    let mut i = start;
    while i < data.len() {
        match step(data, i) {
            Ok((c, len)) => {
                out.push(c);
                i += len;
            }
            Err(bad) => {
                match errors {
                    Errors::Strict => return Err(decode_error(codec, name, data, &bad)),
                    Errors::Replace => out.push('\u{fffd}'),
                    Errors::Ignore => {}
                }
                i = bad.end.max(i + 1);
            }
        }
    }
    Ok(out)
}
