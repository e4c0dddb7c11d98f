//! Byte order: integers to bytes and back, and `socket.htons/htonl/ntohs/ntohl`.
//!
//! TCP/IP puts multi-byte integers on the wire big-endian ("network order"); most CPUs keep
//! them little-endian in memory. These functions are what Python does to convert between the
//! two, with CPython's exact results and errors.

use crate::pyerror::{Hint, PyExcClass, PyException};
use crate::pyint::PyInt;
use crate::pyliteral::PyValue;

/// The order of bytes in memory or on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Endian {
    /// Most significant byte first: network order, `'big'`, `>`.
    Big,
    /// Least significant byte first: x86 and ARM in memory, `'little'`, `<`.
    Little,
}

impl Endian {
    /// The `byteorder` argument of `int.to_bytes`: `'big'` or `'little'`.
    pub fn python_name(self) -> &'static str {
        match self {
            Endian::Big => "big",
            Endian::Little => "little",
        }
    }
}

/// `n.to_bytes(length, byteorder, signed=signed)`.
///
/// ```
/// use socklab_core::byteorder::{int_to_bytes, Endian};
/// assert_eq!(int_to_bytes(&256.into(), 2, Endian::Big, false).unwrap(), vec![1, 0]);
/// assert_eq!(
///     int_to_bytes(&(-1).into(), 2, Endian::Big, false).unwrap_err().traceback_line(),
///     "OverflowError: can't convert negative int to unsigned"
/// );
/// ```
pub fn int_to_bytes(
    n: &PyInt,
    length: usize,
    order: Endian,
    signed: bool,
) -> Result<Vec<u8>, PyException> {
    if n.is_negative() && !signed {
        return Err(PyException::new(
            PyExcClass::OverflowError,
            "can't convert negative int to unsigned",
        )
        .with_hint(Hint::new("hint.negative_unsigned").arg("value", n)));
    }
    let bits = 8 * length as u64;
    let needed = needed_bits(n, signed);
    if needed > bits {
        return Err(
            PyException::new(PyExcClass::OverflowError, "int too big to convert").with_hint(
                Hint::new("hint.int_too_big")
                    .arg("value", n)
                    .arg("need", needed)
                    .arg("have", bits)
                    .arg("width", length),
            ),
        );
    }
    // Two's complement over `length` bytes, built big-endian from the magnitude.
    let mag = n.magnitude_be_bytes();
    let mut out = vec![0u8; length];
    out[length - mag.len()..].copy_from_slice(&mag);
    if n.is_negative() {
        negate_in_place(&mut out);
    }
    if order == Endian::Little {
        out.reverse();
    }
    Ok(out)
}

/// How many bits `n` needs in the given signedness (two's complement when signed).
///
/// ```
/// use socklab_core::byteorder::needed_bits;
/// assert_eq!(needed_bits(&255.into(), false), 8);
/// assert_eq!(needed_bits(&255.into(), true), 9);
/// assert_eq!(needed_bits(&(-128).into(), true), 8);
/// ```
pub fn needed_bits(n: &PyInt, signed: bool) -> u64 {
    if !signed {
        return n.bit_length().max(1);
    }
    if n.is_negative() {
        // -2**k fits in k+1 bits; other negatives need bit_length(|n|) + 1.
        let mag = n.magnitude_be_bytes();
        let power_of_two = mag.iter().map(|b| b.count_ones()).sum::<u32>() == 1;
        n.bit_length() + u64::from(!power_of_two)
    } else {
        n.bit_length() + 1
    }
}

fn negate_in_place(bytes: &mut [u8]) {
    let mut carry = true;
    for b in bytes.iter_mut().rev() {
        let (v, c) = (!*b).overflowing_add(u8::from(carry));
        *b = v;
        carry = c;
    }
}

/// `int.from_bytes(data, byteorder, signed=signed)`.
///
/// ```
/// use socklab_core::byteorder::{int_from_bytes, Endian};
/// assert_eq!(int_from_bytes(&[1, 0], Endian::Big, false), 256.into());
/// assert_eq!(int_from_bytes(&[0xff, 0xff], Endian::Little, true), (-1).into());
/// ```
pub fn int_from_bytes(data: &[u8], order: Endian, signed: bool) -> PyInt {
    let mut be = data.to_vec();
    if order == Endian::Little {
        be.reverse();
    }
    let negative = signed && be.first().is_some_and(|b| b & 0x80 != 0);
    if negative {
        negate_in_place(&mut be);
    }
    PyInt::from_be_magnitude(negative, &be)
}

/// One of the four conversions in the `socket` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SwapFn {
    /// `socket.htons`: host to network, 16 bits.
    Htons,
    /// `socket.ntohs`: network to host, 16 bits.
    Ntohs,
    /// `socket.htonl`: host to network, 32 bits.
    Htonl,
    /// `socket.ntohl`: network to host, 32 bits.
    Ntohl,
}

impl SwapFn {
    /// All four, in the seed's table order.
    pub const ALL: [SwapFn; 4] = [SwapFn::Ntohl, SwapFn::Ntohs, SwapFn::Htonl, SwapFn::Htons];

    /// The function's name: `htons`, ...
    pub fn name(self) -> &'static str {
        match self {
            SwapFn::Htons => "htons",
            SwapFn::Ntohs => "ntohs",
            SwapFn::Htonl => "htonl",
            SwapFn::Ntohl => "ntohl",
        }
    }

    /// Parses a function name.
    pub fn from_name(name: &str) -> Option<SwapFn> {
        SwapFn::ALL.into_iter().find(|f| f.name() == name)
    }

    /// 16 or 32.
    pub fn bits(self) -> u32 {
        match self {
            SwapFn::Htons | SwapFn::Ntohs => 16,
            SwapFn::Htonl | SwapFn::Ntohl => 32,
        }
    }
}

/// `socket.htons(x)` and friends, as CPython 3.11 computes them on a host of the given order.
/// Python on x86-64 and ARM is little-endian, where these swap bytes; on a big-endian host
/// they return their argument.
///
/// ```
/// use socklab_core::byteorder::{swap, Endian, SwapFn};
/// use socklab_core::pyliteral::PyValue;
/// let v = PyValue::Int(256.into());
/// assert_eq!(swap(SwapFn::Htons, &v, Endian::Little).unwrap(), 1.into());
/// assert_eq!(swap(SwapFn::Htons, &v, Endian::Big).unwrap(), 256.into());
/// ```
pub fn swap(func: SwapFn, arg: &PyValue, host: Endian) -> Result<PyInt, PyException> {
    let x: u32 = match func {
        SwapFn::Htons | SwapFn::Ntohs => short_arg(func, arg)?,
        SwapFn::Htonl | SwapFn::Ntohl => long_arg(func, arg)?,
    };
    let swapped = match (func.bits(), host) {
        (_, Endian::Big) => x,
        (16, Endian::Little) => u32::from((x as u16).swap_bytes()),
        (_, Endian::Little) => x.swap_bytes(),
    };
    Ok(PyInt::from(u64::from(swapped)))
}

fn overflow(func: SwapFn, msg: impl Into<String>) -> PyException {
    PyException::new(PyExcClass::OverflowError, msg).with_hint(
        Hint::new("hint.swap_range")
            .arg("func", func.name())
            .arg("max", (1u64 << func.bits()) - 1)
            .arg("bits", func.bits()),
    )
}

/// htons/ntohs parse their argument with `PyArg_ParseTuple(args, "i:htons", &x)`: a C int
/// first, then the 16-bit check.
fn short_arg(func: SwapFn, arg: &PyValue) -> Result<u32, PyException> {
    let n = arg.index()?;
    let name = func.name();
    let long = n
        .to_i64()
        .ok_or_else(|| overflow(func, "Python int too large to convert to C long"))?;
    if long > i64::from(i32::MAX) {
        return Err(overflow(func, "signed integer is greater than maximum"));
    }
    if long < i64::from(i32::MIN) {
        return Err(overflow(func, "signed integer is less than minimum"));
    }
    if long < 0 {
        return Err(overflow(
            func,
            format!("{name}: can't convert negative Python int to C 16-bit unsigned integer"),
        ));
    }
    if long > 0xffff {
        return Err(overflow(
            func,
            format!("{name}: Python int too large to convert to C 16-bit unsigned integer"),
        ));
    }
    Ok(long as u32)
}

/// htonl/ntohl take only ints (`expected int, float found`), read them as a C unsigned long,
/// then refuse anything over 32 bits.
fn long_arg(func: SwapFn, arg: &PyValue) -> Result<u32, PyException> {
    let Some(n) = arg.as_index() else {
        return Err(PyException::new(
            PyExcClass::TypeError,
            format!("expected int, {} found", arg.type_name()),
        )
        .with_hint(Hint::new("hint.needs_int").arg("type", arg.type_name())));
    };
    if n.is_negative() {
        return Err(overflow(
            func,
            "can't convert negative value to unsigned int",
        ));
    }
    let v = n
        .to_u64()
        .ok_or_else(|| overflow(func, "Python int too large to convert to C unsigned long"))?;
    u32::try_from(v).map_err(|_| overflow(func, "int larger than 32 bits"))
}

/// The bits of each byte, grouped by byte: `00000001 00000000`.
pub fn bits_spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:08b}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_round_trip_over_every_width() {
        for width in [1usize, 2, 4, 8, 16] {
            let bits = 8 * width as u32;
            let max = if bits == 128 {
                i128::MAX
            } else {
                (1i128 << (bits - 1)) - 1
            };
            for v in [0, 1, -1, max, -max - 1, max / 3, -max / 7] {
                let n = PyInt::from(v);
                for order in [Endian::Big, Endian::Little] {
                    let bytes = int_to_bytes(&n, width, order, true).unwrap();
                    assert_eq!(
                        int_from_bytes(&bytes, order, true),
                        n,
                        "{v} in {width} bytes"
                    );
                }
            }
            let over = PyInt::parse_literal(&format!("{max}1")).unwrap();
            let e = int_to_bytes(&over, width, Endian::Big, true).unwrap_err();
            assert_eq!(e.traceback_line(), "OverflowError: int too big to convert");
        }
    }

    #[test]
    fn bits() {
        assert_eq!(bits_spaced(&[1, 0]), "00000001 00000000");
    }
}
