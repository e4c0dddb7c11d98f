//! IEEE 754 floats as `struct` stores them: `e` (binary16), `f` (binary32), `d` (binary64),
//! taken apart into sign, exponent and mantissa, with the value that survives the round trip.

use crate::pyerror::PyException;
use crate::pyliteral::PyValue;
use crate::pyrepr::float_repr;
use crate::pystruct::{Abi, Layout};

/// A float format code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FloatCode {
    /// `e`: half precision, 2 bytes.
    Half,
    /// `f`: single precision, 4 bytes.
    #[default]
    Single,
    /// `d`: double precision, 8 bytes.
    Double,
}

impl FloatCode {
    /// Every code, narrowest first.
    pub const ALL: [FloatCode; 3] = [FloatCode::Half, FloatCode::Single, FloatCode::Double];

    /// The format character.
    pub fn char(self) -> char {
        match self {
            FloatCode::Half => 'e',
            FloatCode::Single => 'f',
            FloatCode::Double => 'd',
        }
    }

    /// The code for a character.
    pub fn from_char(c: char) -> Option<FloatCode> {
        FloatCode::ALL.into_iter().find(|f| f.char() == c)
    }

    /// Exponent and mantissa widths in bits.
    pub fn widths(self) -> (u32, u32) {
        match self {
            FloatCode::Half => (5, 10),
            FloatCode::Single => (8, 23),
            FloatCode::Double => (11, 52),
        }
    }

    /// Size in bytes.
    pub fn size(self) -> usize {
        let (e, m) = self.widths();
        ((1 + e + m) / 8) as usize
    }
}

/// What kind of number the bits encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatKind {
    /// All-zero exponent and mantissa: +0.0 or -0.0.
    Zero,
    /// All-zero exponent, non-zero mantissa: no implicit leading 1, fixed smallest exponent.
    Subnormal,
    /// An ordinary number: 1.mantissa × 2^(exponent − bias).
    Normal,
    /// All-ones exponent, zero mantissa.
    Infinity,
    /// All-ones exponent, non-zero mantissa.
    NaN,
}

impl FloatKind {
    /// The catalog key that explains it.
    pub fn catalog_key(self) -> &'static str {
        match self {
            FloatKind::Zero => "bo.float_zero",
            FloatKind::Subnormal => "bo.float_subnormal",
            FloatKind::Normal => "bo.float_normal",
            FloatKind::Infinity => "bo.float_inf",
            FloatKind::NaN => "bo.float_nan",
        }
    }
}

/// A float taken apart.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatParts {
    /// The code.
    pub code: FloatCode,
    /// `struct.pack('>' + code, x)`: the bytes, big-endian.
    pub big_endian: Vec<u8>,
    /// The sign bit.
    pub sign: bool,
    /// The exponent field's bits, most significant first (`"10000000"`).
    pub exponent_bits: String,
    /// The mantissa field's bits, most significant first.
    pub mantissa_bits: String,
    /// The raw exponent field.
    pub exponent_field: u32,
    /// The exponent bias (15, 127, 1023).
    pub bias: i32,
    /// The power of two the value is scaled by (for normal and subnormal numbers).
    pub power: Option<i32>,
    /// What the bits encode.
    pub kind: FloatKind,
    /// `struct.unpack('>' + code, bytes)[0]`, as Python prints it.
    pub stored_repr: String,
    /// Did the value survive exactly?
    pub exact: bool,
}

/// Packs `value` with code `code` and takes the result apart; CPython's error if it does not pack.
///
/// ```
/// use socklab_core::pyfloat::{float_parts, FloatCode, FloatKind};
/// use socklab_core::pyliteral::PyValue;
/// let p = float_parts(FloatCode::Single, &PyValue::Float(2.7)).unwrap();
/// assert_eq!(p.stored_repr, "2.700000047683716");
/// assert_eq!((p.sign, p.exponent_field, p.power, p.kind), (false, 128, Some(1), FloatKind::Normal));
/// assert!(!p.exact);
/// ```
pub fn float_parts(code: FloatCode, value: &PyValue) -> Result<FloatParts, PyException> {
    let layout = Layout::parse(&format!(">{}", code.char()), Abi::default())?;
    let bytes = layout.pack(std::slice::from_ref(value))?;
    let stored = match layout.unpack(&bytes)?.pop() {
        Some(PyValue::Float(x)) => x,
        _ => f64::NAN,
    };
    let bits = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let (ew, mw) = code.widths();
    let sign = bits >> (ew + mw) & 1 == 1;
    let exponent_field = ((bits >> mw) & ((1 << ew) - 1)) as u32;
    let mantissa = bits & ((1 << mw) - 1);
    let bias = (1 << (ew - 1)) - 1;
    let all_ones = (1 << ew) - 1;
    let (kind, power) = match (exponent_field, mantissa) {
        (0, 0) => (FloatKind::Zero, None),
        (0, _) => (FloatKind::Subnormal, Some(1 - bias)),
        (e, 0) if e == all_ones => (FloatKind::Infinity, None),
        (e, _) if e == all_ones => (FloatKind::NaN, None),
        (e, _) => (FloatKind::Normal, Some(e as i32 - bias)),
    };
    let input = match value {
        PyValue::Float(x) => Some(*x),
        PyValue::Int(n) => n.to_f64(),
        PyValue::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    let exact =
        input.is_some_and(|x| x.to_bits() == stored.to_bits() || (x.is_nan() && stored.is_nan()));
    Ok(FloatParts {
        code,
        big_endian: bytes,
        sign,
        exponent_bits: format!("{exponent_field:0width$b}", width = ew as usize),
        mantissa_bits: format!("{mantissa:0width$b}", width = mw as usize),
        exponent_field,
        bias,
        power,
        kind,
        stored_repr: float_repr(stored),
        exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(code: FloatCode, x: f64) -> FloatParts {
        float_parts(code, &PyValue::Float(x)).unwrap()
    }

    #[test]
    fn special_values() {
        assert_eq!(parts(FloatCode::Double, -0.0).kind, FloatKind::Zero);
        assert!(parts(FloatCode::Double, -0.0).sign);
        assert_eq!(
            parts(FloatCode::Half, f64::INFINITY).kind,
            FloatKind::Infinity
        );
        let nan = parts(FloatCode::Single, f64::NAN);
        assert_eq!(
            (nan.kind, nan.stored_repr.as_str(), nan.exact),
            (FloatKind::NaN, "nan", true)
        );
        let tiny = parts(FloatCode::Half, 2f64.powi(-24));
        assert_eq!(
            (tiny.kind, tiny.power, tiny.mantissa_bits.as_str()),
            (FloatKind::Subnormal, Some(-14), "0000000001")
        );
        assert_eq!(
            parts(FloatCode::Double, 1.0).big_endian,
            vec![0x3f, 0xf0, 0, 0, 0, 0, 0, 0]
        );
        assert!(parts(FloatCode::Double, 0.1).exact);
        assert!(!parts(FloatCode::Half, 0.1).exact);
    }

    #[test]
    fn overflow_is_cpythons_error() {
        let e = float_parts(FloatCode::Half, &PyValue::Float(1e5)).unwrap_err();
        assert_eq!(
            e.traceback_line(),
            "OverflowError: float too large to pack with e format"
        );
        let e = float_parts(FloatCode::Single, &PyValue::Str("x".into())).unwrap_err();
        assert_eq!(
            e.traceback_line(),
            "struct.error: required argument is not a float"
        );
    }
}
