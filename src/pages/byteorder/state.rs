//! The byte-order page's state, its actions, and what it shows: plain Rust, no yew.
//!
//! [`ByteOrderState::view`] asks socklab-core for every number, byte and message, and pairs
//! each with the Python call that produces it, so the page can show both.

use socklab_core::byteorder::{
    bits_spaced, int_from_bytes, int_to_bytes, needed_bits, swap, Endian, SwapFn,
};
use socklab_core::pyerror::PyException;
use socklab_core::pyfloat::{float_parts, FloatCode, FloatParts};
use socklab_core::pyint::PyInt;
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pyrepr::{bytes_repr, hex_spaced};
use socklab_core::pystruct::{pack_int, unpack_int, IntCode, Prefix};

use crate::route::{get, parse_query};

/// The widths the calculator offers, in bytes.
pub const WIDTHS: [usize; 5] = [1, 2, 4, 8, 16];

/// The bits of a `width`-byte value that its byte `index` holds in `order`, as (highest,
/// lowest), bit 0 being the least significant: in big-endian byte 0 holds the top bits.
pub fn byte_bits(order: Endian, width: usize, index: usize) -> (usize, usize) {
    let from_bottom = match order {
        Endian::Big => width - 1 - index,
        Endian::Little => index,
    };
    (8 * from_bottom + 7, 8 * from_bottom)
}

/// Everything the learner has typed or chosen on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteOrderState {
    /// The integer, as typed (a Python literal).
    pub value: String,
    /// Width in bytes: one of [`WIDTHS`].
    pub width: usize,
    /// Two's complement (`signed=True`, codes `b h i q`) or unsigned (`B H I Q`).
    pub signed: bool,
    /// The byte order of the machine running Python, for htons and friends.
    pub host: Endian,
    /// Bytes to read back, as hex or a bytes literal.
    pub bytes: String,
    /// Read those bytes as signed?
    pub bytes_signed: bool,
    /// A float, as typed (a Python literal).
    pub float: String,
    /// The float format: `e`, `f` or `d`.
    pub float_code: FloatCode,
}

impl Default for ByteOrderState {
    /// The seed's example: `struct.pack('>H', 256)`.
    fn default() -> ByteOrderState {
        ByteOrderState {
            value: "256".to_owned(),
            width: 2,
            signed: false,
            host: Endian::Little,
            bytes: "01 00".to_owned(),
            bytes_signed: false,
            float: "2.7".to_owned(),
            float_code: FloatCode::Single,
        }
    }
}

/// What the learner can do on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Typed in the integer field.
    SetValue(String),
    /// Chose a width.
    SetWidth(usize),
    /// Ticked or unticked "signed".
    SetSigned(bool),
    /// Chose the host's byte order.
    SetHost(Endian),
    /// Typed in the bytes field.
    SetBytes(String),
    /// Ticked or unticked "signed" for reading bytes.
    SetBytesSigned(bool),
    /// Copied the big-endian bytes of the integer into the bytes field.
    UseBytes(String),
    /// Typed in the float field.
    SetFloat(String),
    /// Chose a float format.
    SetFloatCode(FloatCode),
}

impl crate::pages::PageState for ByteOrderState {
    type Action = Action;

    fn update(self, action: Action) -> ByteOrderState {
        ByteOrderState::update(self, action)
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        ByteOrderState::to_query(self)
    }

    /// The examples are the widths: the same integer in 1, 2, 4, 8 and 16 bytes (256 in one
    /// byte is the OverflowError).
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        Some(Action::SetWidth(step.cycle(&WIDTHS, &self.width)))
    }
}

impl ByteOrderState {
    /// The state after an action.
    pub fn update(mut self, action: Action) -> ByteOrderState {
        match action {
            Action::SetValue(v) => self.value = v,
            Action::SetWidth(w) if WIDTHS.contains(&w) => self.width = w,
            Action::SetWidth(_) => {}
            Action::SetSigned(s) => self.signed = s,
            Action::SetHost(h) => self.host = h,
            Action::SetBytes(b) | Action::UseBytes(b) => self.bytes = b,
            Action::SetBytesSigned(s) => self.bytes_signed = s,
            Action::SetFloat(f) => self.float = f,
            Action::SetFloatCode(c) => self.float_code = c,
        }
        self
    }

    /// The state as query pairs; values equal to the default are left out to keep links short.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = ByteOrderState::default();
        let mut q = Vec::new();
        if self.value != d.value {
            q.push(("v", self.value.clone()));
        }
        if self.width != d.width {
            q.push(("w", self.width.to_string()));
        }
        if self.signed {
            q.push(("s", "1".to_owned()));
        }
        if self.host == Endian::Big {
            q.push(("host", "big".to_owned()));
        }
        if self.bytes != d.bytes {
            q.push(("b", self.bytes.clone()));
        }
        if self.bytes_signed {
            q.push(("bs", "1".to_owned()));
        }
        if self.float != d.float {
            q.push(("fv", self.float.clone()));
        }
        if self.float_code != d.float_code {
            q.push(("fc", self.float_code.char().to_string()));
        }
        q
    }

    /// The state a query string describes; anything missing or unreadable takes its default.
    pub fn from_query(query: &str) -> ByteOrderState {
        let pairs = parse_query(query);
        let d = ByteOrderState::default();
        ByteOrderState {
            value: get(&pairs, "v").map_or(d.value, str::to_owned),
            width: get(&pairs, "w")
                .and_then(|w| w.parse().ok())
                .filter(|w| WIDTHS.contains(w))
                .unwrap_or(d.width),
            signed: get(&pairs, "s") == Some("1"),
            host: if get(&pairs, "host") == Some("big") {
                Endian::Big
            } else {
                Endian::Little
            },
            bytes: get(&pairs, "b").map_or(d.bytes, str::to_owned),
            bytes_signed: get(&pairs, "bs") == Some("1"),
            float: get(&pairs, "fv").map_or(d.float, str::to_owned),
            float_code: get(&pairs, "fc")
                .and_then(|c| c.chars().next())
                .and_then(FloatCode::from_char)
                .unwrap_or(d.float_code),
        }
    }

    /// Everything the page shows, computed.
    pub fn view(&self) -> ByteOrderView {
        let literal = self.value.trim().to_owned();
        let parsed = pyliteral::parse(&self.value).and_then(|v| v.index().map(|n| (v, n)));
        let code = IntCode::for_width(self.width, self.signed);
        let encodings = match &parsed {
            Err(e) => Err(e.clone()),
            Ok((value, n)) => Ok([Endian::Big, Endian::Little]
                .map(|order| self.encoding(&literal, value, n, order, code))),
        };
        let swaps = match &parsed {
            Err(_) => Vec::new(),
            Ok((value, _)) => SwapFn::ALL
                .into_iter()
                .map(|f| SwapRow {
                    func: f,
                    call: format!("socket.{}({literal})", f.name()),
                    result: swap(f, value, self.host).map(|r| {
                        (
                            r.to_string(),
                            format!(
                                "0x{:0width$x}",
                                r.to_u128().unwrap_or(0),
                                width = f.bits() as usize / 4
                            ),
                        )
                    }),
                })
                .collect(),
        };
        let number = parsed.as_ref().ok().map(|(_, n)| NumberFacts {
            decimal: n.to_string(),
            hex: n.to_hex(),
            bit_length: n.bit_length(),
            needed_bits: needed_bits(n, self.signed),
        });
        ByteOrderView {
            encodings,
            swaps,
            number,
            code,
            reading: self.reading(),
            float: self.float_view(),
        }
    }

    fn float_view(&self) -> Result<FloatView, PyException> {
        let literal = self.float.trim();
        let value = pyliteral::parse(literal)?;
        let parts = float_parts(self.float_code, &value)?;
        let c = self.float_code.char();
        let mut little = parts.big_endian.clone();
        little.reverse();
        let calls = vec![
            PyCall {
                code: format!("struct.pack('>{c}', {literal})"),
                result: Ok(bytes_repr(&parts.big_endian)),
            },
            PyCall {
                code: format!("struct.pack('<{c}', {literal})"),
                result: Ok(bytes_repr(&little)),
            },
            PyCall {
                code: format!("struct.unpack('>{c}', struct.pack('>{c}', {literal}))[0]"),
                result: Ok(parts.stored_repr.clone()),
            },
        ];
        Ok(FloatView { parts, calls })
    }

    fn encoding(
        &self,
        literal: &str,
        value: &PyValue,
        n: &PyInt,
        order: Endian,
        code: Option<IntCode>,
    ) -> Encoding {
        let bytes = int_to_bytes(n, self.width, order, self.signed);
        let signed_arg = if self.signed { ", signed=True" } else { "" };
        let mut calls = Vec::new();
        if let Some(code) = code {
            let prefix = if order == Endian::Big {
                Prefix::Big
            } else {
                Prefix::Little
            };
            calls.push(PyCall {
                code: format!("struct.pack('{}{}', {literal})", prefix.char(), code.char()),
                result: pack_int(prefix, code, value).map(|b| bytes_repr(&b)),
            });
        }
        calls.push(PyCall {
            code: format!(
                "({literal}).to_bytes({}, '{}'{signed_arg})",
                self.width,
                order.python_name()
            ),
            result: bytes.as_ref().map(|b| bytes_repr(b)).map_err(Clone::clone),
        });
        let bits = bytes.as_ref().ok().map(|b| bits_spaced(b));
        Encoding {
            order,
            bytes,
            calls,
            bits,
        }
    }

    fn reading(&self) -> Result<Reading, PyException> {
        let data = pyliteral::parse_bytes_input(&self.bytes)?;
        let literal = bytes_repr(&data);
        let signed_arg = if self.bytes_signed {
            ", signed=True"
        } else {
            ""
        };
        let mut calls: Vec<PyCall> = [Endian::Big, Endian::Little]
            .into_iter()
            .map(|order| PyCall {
                code: format!(
                    "int.from_bytes({literal}, '{}'{signed_arg})",
                    order.python_name()
                ),
                result: Ok(int_from_bytes(&data, order, self.bytes_signed).to_string()),
            })
            .collect();
        if let Some(code) = IntCode::for_width(data.len(), self.bytes_signed) {
            for prefix in [Prefix::Big, Prefix::Little] {
                calls.push(PyCall {
                    code: format!(
                        "struct.unpack('{}{}', {literal})",
                        prefix.char(),
                        code.char()
                    ),
                    result: unpack_int(prefix, code, &data).map(|n| format!("({n},)")),
                });
            }
        }
        Ok(Reading {
            hex: hex_spaced(&data),
            len: data.len(),
            calls,
        })
    }
}

/// The float taken apart, and the Python that shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatView {
    /// Sign, exponent, mantissa and the stored value.
    pub parts: FloatParts,
    /// `struct.pack` in both orders and the round trip.
    pub calls: Vec<PyCall>,
}

/// One Python expression and what CPython prints for it.
#[derive(Clone, Debug, PartialEq)]
pub struct PyCall {
    /// The expression, as typed at `>>>`.
    pub code: String,
    /// `repr` of the result, or the exception.
    pub result: Result<String, PyException>,
}

/// The integer in one byte order.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoding {
    /// Big or little.
    pub order: Endian,
    /// The bytes, or why they cannot be made.
    pub bytes: Result<Vec<u8>, PyException>,
    /// `struct.pack(...)` (for widths struct has a code for) and `int.to_bytes(...)`.
    pub calls: Vec<PyCall>,
    /// The bits, byte by byte in this order.
    pub bits: Option<String>,
}

/// One row of the htons/htonl/ntohs/ntohl table.
#[derive(Clone, Debug, PartialEq)]
pub struct SwapRow {
    /// Which function.
    pub func: SwapFn,
    /// `socket.htons(256)`.
    pub call: String,
    /// The result in decimal and in hex, or the exception.
    pub result: Result<(String, String), PyException>,
}

/// Facts about the typed integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberFacts {
    /// `repr(n)`.
    pub decimal: String,
    /// `hex(n)`.
    pub hex: String,
    /// `n.bit_length()`.
    pub bit_length: u64,
    /// Bits needed in the chosen signedness.
    pub needed_bits: u64,
}

/// The bytes field read back as integers.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The bytes as spaced hex.
    pub hex: String,
    /// How many bytes.
    pub len: usize,
    /// `int.from_bytes` both ways, and `struct.unpack` where a code has this size.
    pub calls: Vec<PyCall>,
}

/// What the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ByteOrderView {
    /// Big-endian then little-endian, or why the typed value is not an integer.
    pub encodings: Result<[Encoding; 2], PyException>,
    /// The four socket functions applied to the value.
    pub swaps: Vec<SwapRow>,
    /// Decimal, hex and bit counts of the value, when it is an integer.
    pub number: Option<NumberFacts>,
    /// The struct code for this width and signedness (none for 16 bytes).
    pub code: Option<IntCode>,
    /// The bytes field, read back.
    pub reading: Result<Reading, PyException>,
    /// The float, taken apart, or why it cannot be packed.
    pub float: Result<FloatView, PyException>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_show_their_parts_and_round_trip() {
        let v = ByteOrderState::default().view();
        let f = v.float.unwrap();
        assert_eq!(f.calls[0].code, "struct.pack('>f', 2.7)");
        assert_eq!(f.calls[0].result, Ok("b'@,\\xcc\\xcd'".to_owned()));
        assert_eq!(f.calls[2].result, Ok("2.700000047683716".to_owned()));
        let s = ByteOrderState::default()
            .update(Action::SetFloatCode(FloatCode::Half))
            .update(Action::SetFloat("70000.0".to_owned()));
        let e = s.view().float.unwrap_err();
        assert_eq!(
            e.traceback_line(),
            "OverflowError: float too large to pack with e format"
        );
        assert_eq!(
            ByteOrderState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }

    #[test]
    fn the_seed_example_by_default() {
        let view = ByteOrderState::default().view();
        let [big, little] = view.encodings.unwrap();
        assert_eq!(big.bytes.unwrap(), vec![1, 0]);
        assert_eq!(big.calls[0].code, "struct.pack('>H', 256)");
        assert_eq!(big.calls[0].result.as_deref(), Ok(r"b'\x01\x00'"));
        assert_eq!(big.calls[1].code, "(256).to_bytes(2, 'big')");
        assert_eq!(little.calls[0].result.as_deref(), Ok(r"b'\x00\x01'"));
        assert_eq!(big.bits.as_deref(), Some("00000001 00000000"));
        // Byte by byte, which bits of 256 each holds: its field, for a screen reader.
        assert_eq!(byte_bits(Endian::Big, 2, 0), (15, 8));
        assert_eq!(byte_bits(Endian::Big, 2, 1), (7, 0));
        assert_eq!(byte_bits(Endian::Little, 2, 0), (7, 0));
        assert_eq!(byte_bits(Endian::Little, 4, 3), (31, 24));
        let htons = view.swaps.iter().find(|r| r.func == SwapFn::Htons).unwrap();
        assert_eq!(
            htons.result.as_ref().unwrap(),
            &("1".to_owned(), "0x0001".to_owned())
        );
        let reading = view.reading.unwrap();
        assert_eq!(reading.calls[0].code, r"int.from_bytes(b'\x01\x00', 'big')");
        assert_eq!(reading.calls[0].result.as_deref(), Ok("256"));
        assert_eq!(reading.calls[2].code, r"struct.unpack('>H', b'\x01\x00')");
        assert_eq!(reading.calls[2].result.as_deref(), Ok("(256,)"));
    }

    #[test]
    fn errors_are_cpythons() {
        let s = ByteOrderState::default().update(Action::SetValue("70000".to_owned()));
        let [big, _] = s.view().encodings.unwrap();
        assert_eq!(
            big.calls[0].result.as_ref().unwrap_err().traceback_line(),
            "struct.error: 'H' format requires 0 <= number <= 65535"
        );
        assert_eq!(
            big.calls[1].result.as_ref().unwrap_err().traceback_line(),
            "OverflowError: int too big to convert"
        );
        let s = s.update(Action::SetValue("1.5".to_owned()));
        assert_eq!(
            s.view().encodings.unwrap_err().traceback_line(),
            "TypeError: 'float' object cannot be interpreted as an integer"
        );
    }

    #[test]
    fn sixteen_bytes_has_no_struct_code() {
        let s = ByteOrderState::default()
            .update(Action::SetWidth(16))
            .update(Action::SetSigned(true));
        let view = s.update(Action::SetValue("-1".to_owned())).view();
        assert_eq!(view.code, None);
        let [big, _] = view.encodings.unwrap();
        assert_eq!(big.calls.len(), 1);
        assert_eq!(big.calls[0].code, "(-1).to_bytes(16, 'big', signed=True)");
        assert_eq!(big.bytes.unwrap(), vec![0xff; 16]);
    }

    #[test]
    fn query_round_trip_and_defaults() {
        let s = ByteOrderState::default()
            .update(Action::SetValue("-0x10".to_owned()))
            .update(Action::SetWidth(8))
            .update(Action::SetSigned(true))
            .update(Action::SetHost(Endian::Big))
            .update(Action::SetBytes("b'\\xff'".to_owned()))
            .update(Action::SetBytesSigned(true));
        let query = crate::route::build_query(&s.to_query());
        assert_eq!(ByteOrderState::from_query(&query), s);
        assert_eq!(ByteOrderState::default().to_query(), vec![]);
        assert_eq!(
            ByteOrderState::from_query("?w=3&s=yes"),
            ByteOrderState::default(),
            "bad values fall back"
        );
    }

    #[test]
    fn widths_outside_the_list_are_ignored() {
        assert_eq!(
            ByteOrderState::default().update(Action::SetWidth(3)).width,
            2
        );
    }
}
