//! The text-encodings page's state: text to bytes in every codec, and bytes back. Plain Rust.

use socklab_core::codec::{decode, encode_points, Codec, Errors};
use socklab_core::pyerror::PyException;
use socklab_core::pyliteral::{parse_bytes_input, parse_text_input};
use socklab_core::pyrepr::{bytes_repr, code_point_escape, hex_spaced, str_repr, str_repr_points};

use crate::route::{get, parse_query};

/// The codecs the per-character table shows, in columns.
pub const COLUMNS: [Codec; 7] = [
    Codec::Utf8,
    Codec::Gbk,
    Codec::Utf16Le,
    Codec::Utf16Be,
    Codec::Utf32Le,
    Codec::Latin1,
    Codec::Ascii,
];

/// The decoders a receiver might guess, side by side.
pub const GUESS_CODECS: [Codec; 3] = [Codec::Utf8, Codec::Gbk, Codec::Latin1];

/// Texts a sender might send, each with the encoding it uses: the receiver sees only the bytes.
pub const GUESS_PRESETS: [(&str, Codec); 4] = [
    ("你好", Codec::Utf8),
    ("中文", Codec::Utf8),
    ("中文", Codec::Gbk),
    ("hello", Codec::Ascii),
];

/// The bytes of a preset, as the page's hex.
pub fn guess_preset_hex(k: usize) -> String {
    let (text, codec) = GUESS_PRESETS[k % GUESS_PRESETS.len()];
    let points: Vec<u32> = text.chars().map(u32::from).collect();
    encode_points(&points, codec, Errors::Strict).map_or_else(|_| String::new(), |b| hex_spaced(&b))
}

/// A preset as its button says it: the text as Python writes it, and the codec's name.
pub fn guess_preset_label(k: usize) -> (String, &'static str) {
    let (text, codec) = GUESS_PRESETS[k % GUESS_PRESETS.len()];
    (str_repr(text), codec.name())
}

/// Everything the learner has typed or chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextState {
    /// The text to encode, as typed: plain text, or a str literal (`'a\ud800'`) for what
    /// cannot be typed, such as a lone surrogate.
    pub text: String,
    /// The codec for `text.encode(...)`.
    pub codec: Codec,
    /// Its error mode.
    pub errors: Errors,
    /// Bytes to decode (hex or a bytes literal).
    pub data: String,
    /// The codec for `data.decode(...)`.
    pub dcodec: Codec,
    /// Its error mode.
    pub derrors: Errors,
    /// Bytes a receiver got, to decode with every guess (hex or a bytes literal).
    pub guess: String,
}

impl Default for TextState {
    fn default() -> TextState {
        TextState {
            text: "你好, socket".to_owned(),
            codec: Codec::Utf8,
            errors: Errors::Strict,
            data: "e4 bd a0 e5 a5 bd ff".to_owned(),
            dcodec: Codec::Utf8,
            derrors: Errors::Strict,
            guess: guess_preset_hex(0),
        }
    }
}

/// What the learner can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Typed text.
    SetText(String),
    /// Chose the encode codec.
    SetCodec(Codec),
    /// Chose the encode error mode.
    SetErrors(Errors),
    /// Typed bytes.
    SetData(String),
    /// Chose the decode codec.
    SetDcodec(Codec),
    /// Chose the decode error mode.
    SetDerrors(Errors),
    /// Took the encoded bytes over to decode them.
    DecodeThese,
    /// Typed the bytes a receiver got.
    SetGuess(String),
    /// Chose one of [`GUESS_PRESETS`].
    GuessPreset(usize),
}

/// One character of the text, with its bytes in each column's codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharRow {
    /// The character, or its escape where it has no glyph (a lone surrogate: `\ud800`).
    pub ch: String,
    /// Whether it is a lone surrogate (U+D800 to U+DFFF), which no UTF codec encodes.
    pub surrogate: bool,
    /// `U+4E2D`.
    pub code_point: String,
    /// Hex bytes per column (`None` where the codec cannot encode it).
    pub bytes: Vec<Option<String>>,
}

/// One Python call and what CPython prints.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The call at `>>>`.
    pub code: String,
    /// The result.
    pub result: Result<String, PyException>,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TextView {
    /// Per character (at most 64).
    pub chars: Vec<CharRow>,
    /// `len(text.encode(codec))` for every codec (`None` where strict encoding fails).
    pub totals: Vec<(Codec, Option<usize>)>,
    /// The encode call.
    pub encode: Call,
    /// The decode call.
    pub decode: Call,
    /// The received bytes decoded with each of [`GUESS_CODECS`] (strict), side by side; or,
    /// when they are not bytes, one call with the error.
    pub guesses: Vec<Call>,
}

impl crate::pages::PageState for TextState {
    type Action = Action;

    fn update(mut self, action: Action) -> TextState {
        match action {
            Action::SetText(t) => self.text = t,
            Action::SetCodec(c) => self.codec = c,
            Action::SetErrors(e) => self.errors = e,
            Action::SetData(d) => self.data = d,
            Action::SetDcodec(c) => self.dcodec = c,
            Action::SetDerrors(e) => self.derrors = e,
            Action::SetGuess(g) => self.guess = g,
            Action::GuessPreset(k) => self.guess = guess_preset_hex(k),
            Action::DecodeThese => {
                let encoded = parse_text_input(&self.text)
                    .and_then(|points| encode_points(&points, self.codec, self.errors));
                if let Ok(b) = encoded {
                    self.data = hex_spaced(&b);
                    self.dcodec = self.codec;
                }
            }
        }
        self
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = TextState::default();
        let mut q = Vec::new();
        if self.text != d.text {
            q.push(("t", self.text.clone()));
        }
        if self.codec != d.codec {
            q.push(("c", self.codec.name().to_owned()));
        }
        if self.errors != d.errors {
            q.push(("e", self.errors.name().to_owned()));
        }
        if self.data != d.data {
            q.push(("d", self.data.clone()));
        }
        if self.dcodec != d.dcodec {
            q.push(("dc", self.dcodec.name().to_owned()));
        }
        if self.derrors != d.derrors {
            q.push(("de", self.derrors.name().to_owned()));
        }
        if self.guess != d.guess {
            q.push(("g", self.guess.clone()));
        }
        q
    }

    /// The examples are the received bytes of [`GUESS_PRESETS`], each read by every guess.
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        let all: Vec<Option<usize>> = (0..GUESS_PRESETS.len()).map(Some).collect();
        Some(Action::GuessPreset(step.cycle(&all, &self.guess_preset())?))
    }
}

impl TextState {
    /// The preset whose bytes are the received bytes, if any.
    pub fn guess_preset(&self) -> Option<usize> {
        (0..GUESS_PRESETS.len()).find(|&k| guess_preset_hex(k) == self.guess.trim())
    }

    /// The state a query describes.
    pub fn from_query(query: &str) -> TextState {
        let pairs = parse_query(query);
        let d = TextState::default();
        let codec = |k: &str, def| get(&pairs, k).and_then(Codec::from_name).unwrap_or(def);
        let errors = |k: &str, def| get(&pairs, k).and_then(Errors::from_name).unwrap_or(def);
        TextState {
            text: get(&pairs, "t").map_or(d.text, str::to_owned),
            codec: codec("c", d.codec),
            errors: errors("e", d.errors),
            data: get(&pairs, "d").map_or(d.data, str::to_owned),
            dcodec: codec("dc", d.dcodec),
            derrors: errors("de", d.derrors),
            guess: get(&pairs, "g").map_or(d.guess, str::to_owned),
        }
    }

    /// Everything the page shows.
    pub fn view(&self) -> TextView {
        let parsed = parse_text_input(&self.text);
        let points = parsed.as_deref().unwrap_or_default();
        let chars = points
            .iter()
            .take(64)
            .map(|&n| CharRow {
                ch: char::from_u32(n).map_or_else(|| code_point_escape(n), String::from),
                surrogate: char::from_u32(n).is_none(),
                code_point: format!("U+{n:04X}"),
                bytes: COLUMNS
                    .iter()
                    .map(|&c| {
                        let one = encode_points(&[n], c, Errors::Strict);
                        one.ok().map(|b| hex_spaced(&b))
                    })
                    .collect(),
            })
            .collect();
        // No totals for text that is not a str (a broken literal).
        let totals = Codec::ALL
            .iter()
            .map(|&c| {
                let all = parsed
                    .as_ref()
                    .ok()
                    .map(|p| encode_points(p, c, Errors::Strict));
                (c, all.and_then(Result::ok).map(|b| b.len()))
            })
            .collect();
        let errors_arg = |e: Errors| {
            if e == Errors::Strict {
                String::new()
            } else {
                format!(", {}", str_repr(e.name()))
            }
        };
        let encode_call = match &parsed {
            Err(e) => Call {
                code: self.text.trim().to_owned(),
                result: Err(e.clone()),
            },
            Ok(points) => Call {
                code: format!(
                    "{}.encode({}{})",
                    str_repr_points(points),
                    str_repr(self.codec.name()),
                    errors_arg(self.errors)
                ),
                result: encode_points(points, self.codec, self.errors).map(|b| bytes_repr(&b)),
            },
        };
        let data = parse_bytes_input(&self.data);
        let decode_call = match data {
            Err(e) => Call {
                code: self.data.trim().to_owned(),
                result: Err(e),
            },
            Ok(bytes) => Call {
                code: format!(
                    "{}.decode({}{})",
                    bytes_repr(&bytes),
                    str_repr(self.dcodec.name()),
                    errors_arg(self.derrors)
                ),
                result: decode(&bytes, self.dcodec, self.derrors).map(|t| str_repr(&t)),
            },
        };
        let guesses = match parse_bytes_input(&self.guess) {
            Err(e) => vec![Call {
                code: self.guess.trim().to_owned(),
                result: Err(e),
            }],
            Ok(bytes) => GUESS_CODECS
                .iter()
                .map(|&c| Call {
                    code: format!("{}.decode({})", bytes_repr(&bytes), str_repr(c.name())),
                    result: decode(&bytes, c, Errors::Strict).map(|t| str_repr(&t)),
                })
                .collect(),
        };
        TextView {
            chars,
            totals,
            encode: encode_call,
            decode: decode_call,
            guesses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::PageState;

    /// What CPython 3.11 prints for `data.decode(codec)`: the repr, or the exception's line.
    /// `None` when python3 is not CPython 3.11 (the oracle).
    fn cpython_decode(data: &[u8], codec: &str) -> Option<String> {
        let hex = socklab_core::protocol::hex_encode(data);
        let script = format!(
            "import sys\n\
             if sys.version_info[:2] != (3, 11): sys.exit(3)\n\
             try: print(repr(bytes.fromhex('{hex}').decode('{codec}')))\n\
             except Exception as e: print(f'{{type(e).__name__}}: {{e}}')"
        );
        let out = std::process::Command::new("python3")
            .args(["-c", &script])
            .env("PYTHONIOENCODING", "utf-8")
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap().trim_end().to_owned())
    }

    #[test]
    fn the_same_bytes_in_three_decoders_are_what_cpython_decodes() {
        let mut checked = 0;
        for k in 0..GUESS_PRESETS.len() {
            let s = TextState::default().update(Action::GuessPreset(k));
            let bytes = parse_bytes_input(&s.guess).unwrap();
            let v = s.view();
            assert_eq!(v.guesses.len(), GUESS_CODECS.len());
            for (call, codec) in v.guesses.iter().zip(GUESS_CODECS) {
                assert_eq!(
                    call.code,
                    format!("{}.decode('{}')", bytes_repr(&bytes), codec.name())
                );
                let Some(want) = cpython_decode(&bytes, codec.name()) else {
                    eprintln!("SKIPPED the CPython comparison: python3 is not CPython 3.11");
                    continue;
                };
                let got = match &call.result {
                    Ok(repr) => repr.clone(),
                    Err(e) => e.traceback_line(),
                };
                assert_eq!(got, want, "{}", call.code);
                checked += 1;
            }
        }
        eprintln!("{checked} decodes compared with CPython");
    }

    #[test]
    fn a_guess_that_decodes_can_still_be_wrong() {
        // The default: 你好 sent as UTF-8. Every guess decodes, and two of three are wrong.
        let v = TextState::default().view();
        let results: Vec<_> = v.guesses.iter().map(|c| c.result.clone()).collect();
        assert_eq!(
            results,
            vec![
                Ok("'你好'".to_owned()),
                Ok("'浣犲ソ'".to_owned()),
                Ok("'ä½\\xa0å¥½'".to_owned()),
            ]
        );
        // 中文 as GBK: UTF-8 refuses it; Latin-1 never refuses anything.
        let v = TextState::default().update(Action::GuessPreset(2)).view();
        assert_eq!(
            v.guesses[0].result.clone().unwrap_err().message,
            "'utf-8' codec can't decode byte 0xd6 in position 0: invalid continuation byte"
        );
        assert_eq!(v.guesses[2].result, Ok("'ÖÐÎÄ'".to_owned()));
        // ASCII: all three agree, which is why the bug hides until the first Chinese text.
        let v = TextState::default().update(Action::GuessPreset(3)).view();
        assert!(v
            .guesses
            .iter()
            .all(|c| c.result == Ok("'hello'".to_owned())));
        assert_eq!(TextState::default().guess_preset(), Some(0));
        assert_eq!(guess_preset_label(2), ("'中文'".to_owned(), "gbk"));
        // Not bytes: one call, with the error; and the state survives the URL.
        let s = TextState::default().update(Action::SetGuess("zz".to_owned()));
        assert_eq!(s.view().guesses.len(), 1);
        assert_eq!(s.guess_preset(), None);
        assert!(s.view().guesses[0].result.is_err());
        assert_eq!(
            TextState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }

    #[test]
    fn chinese_text_in_every_codec() {
        let v = TextState::default().view();
        assert_eq!(v.chars[0].code_point, "U+4F60");
        assert_eq!(v.chars[0].bytes[0].as_deref(), Some("e4 bd a0"));
        assert_eq!(v.chars[0].bytes[1].as_deref(), Some("c4 e3"), "你 in GBK");
        assert_eq!(v.chars[0].bytes[6], None, "ASCII has no 你");
        assert_eq!(
            v.encode.result,
            Ok(r"b'\xe4\xbd\xa0\xe5\xa5\xbd, socket'".to_owned())
        );
        let total = |c| v.totals.iter().find(|(x, _)| *x == c).and_then(|(_, n)| *n);
        assert_eq!(
            (total(Codec::Utf8), total(Codec::Utf16), total(Codec::Ascii)),
            (Some(14), Some(22), None)
        );
        assert_eq!(
            v.decode.result.unwrap_err().message,
            "'utf-8' codec can't decode byte 0xff in position 6: invalid start byte"
        );
        let s = TextState::default()
            .update(Action::SetCodec(Codec::Utf16))
            .update(Action::DecodeThese)
            .update(Action::SetDerrors(Errors::Replace));
        assert_eq!(s.view().decode.result, Ok("'你好, socket'".to_owned()));
        assert_eq!(
            TextState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }
}
