//! Python's `int`: arbitrary size, parsed from Python literal syntax, printed as `repr` prints it.
//!
//! Learners type numbers the way Python reads them (`256`, `-1`, `0x7f`, `0b1010`, `1_000`),
//! and Python's errors depend on how far a number is out of range (`2**64` fails differently
//! from `70000`), so socklab keeps the exact value, whatever its size.

use crate::pyerror::{Hint, PyExcClass, PyException};
use std::cmp::Ordering;
use std::fmt;

/// Base-2**32 digits; values up to 128 bits (every struct code) need no heap allocation.
type Limbs = smallvec::SmallVec<[u32; 4]>;

/// CPython 3.11's limit on decimal digits in int/str conversions (`sys.int_info.default_max_str_digits`).
pub const MAX_STR_DIGITS: usize = 4300;

/// A Python `int` of any size: a sign and a magnitude in base 2**32, least significant first.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PyInt {
    negative: bool,
    /// Little-endian base-2**32 digits, with no trailing zero limbs; empty means zero.
    limbs: Limbs,
}

impl PyInt {
    /// Zero.
    pub fn zero() -> PyInt {
        PyInt::default()
    }

    /// Is it below zero?
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Is it zero?
    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// `int.bit_length()`: bits needed for the magnitude, sign excluded.
    ///
    /// ```
    /// use socklab_core::pyint::PyInt;
    /// assert_eq!(PyInt::from(256).bit_length(), 9);
    /// assert_eq!(PyInt::from(-1).bit_length(), 1);
    /// ```
    pub fn bit_length(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(top) => (self.limbs.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros()),
        }
    }

    /// The magnitude, if it fits in 128 bits.
    pub fn magnitude_u128(&self) -> Option<u128> {
        if self.limbs.len() > 4 {
            return None;
        }
        Some(
            self.limbs
                .iter()
                .rev()
                .fold(0u128, |acc, &l| (acc << 32) | u128::from(l)),
        )
    }

    /// The value as an `i128`, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let m = self.magnitude_u128()?;
        if self.negative {
            if m <= i128::MAX as u128 + 1 {
                Some((m as i128).wrapping_neg())
            } else {
                None
            }
        } else {
            i128::try_from(m).ok()
        }
    }

    /// The value as a `u128`, if it is non-negative and fits.
    pub fn to_u128(&self) -> Option<u128> {
        if self.negative {
            None
        } else {
            self.magnitude_u128()
        }
    }

    /// The value as an `i64` (a C `long` on x86-64 Linux), if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as a `u64` (a C `unsigned long`), if it is non-negative and fits.
    pub fn to_u64(&self) -> Option<u64> {
        self.to_u128().and_then(|v| u64::try_from(v).ok())
    }

    /// `float(n)`: the nearest double (ties to even), or `None` where CPython raises
    /// `OverflowError: int too large to convert to float`.
    ///
    /// ```
    /// use socklab_core::pyint::PyInt;
    /// assert_eq!(PyInt::from(1u128 << 100).to_f64(), Some(2f64.powi(100)));
    /// assert_eq!(PyInt::from((1u128 << 53) + 1).to_f64(), Some(2f64.powi(53)));
    /// ```
    pub fn to_f64(&self) -> Option<f64> {
        let bits = self.bit_length();
        let magnitude = if bits <= 64 {
            self.magnitude_u128()? as u64 as f64
        } else if bits > 1024 {
            return None;
        } else {
            // The top 64 bits, with every lower bit folded into a sticky bit: one rounding.
            let shift = bits - 64;
            let mut top = 0u64;
            let mut sticky = false;
            for i in (0..bits).rev() {
                let bit = (self.limbs[(i / 32) as usize] >> (i % 32)) & 1 == 1;
                if i >= shift {
                    top = (top << 1) | u64::from(bit);
                } else if bit {
                    sticky = true;
                    break;
                }
            }
            let top = top | u64::from(sticky);
            let scaled = top as f64 * 2f64.powi(shift as i32);
            if scaled.is_infinite() {
                return None;
            }
            scaled
        };
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// Compares with a small number.
    pub fn cmp_i128(&self, other: i128) -> Ordering {
        match self.to_i128() {
            Some(v) => v.cmp(&other),
            None if self.negative => Ordering::Less,
            None => Ordering::Greater,
        }
    }

    /// Builds an int from a magnitude (big-endian bytes) and a sign.
    pub fn from_be_magnitude(negative: bool, bytes: &[u8]) -> PyInt {
        let mut limbs = Limbs::with_capacity(bytes.len() / 4 + 1);
        for chunk in bytes.rchunks(4) {
            limbs.push(chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)));
        }
        PyInt::from_parts(negative, limbs)
    }

    fn from_parts(negative: bool, mut limbs: Limbs) -> PyInt {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        let negative = negative && !limbs.is_empty();
        PyInt { negative, limbs }
    }

    /// The magnitude as big-endian bytes, without leading zeros (empty for zero).
    pub fn magnitude_be_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self
            .limbs
            .iter()
            .rev()
            .flat_map(|l| l.to_be_bytes())
            .collect();
        let first = out.iter().position(|&b| b != 0).unwrap_or(out.len());
        out.drain(..first);
        out
    }

    fn mul_add_small(limbs: &mut Limbs, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * u64::from(mul) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
    }

    /// Divides the magnitude in place by a small divisor, returning the remainder.
    fn div_rem_small(limbs: &mut Limbs, div: u32) -> u32 {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(div)) as u32;
            rem = cur % u64::from(div);
        }
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        rem as u32
    }

    /// `repr(n)`: decimal, with CPython 3.11's 4300-digit limit on int-to-str conversion.
    pub fn to_decimal(&self) -> Result<String, PyException> {
        if self.limbs.is_empty() {
            return Ok("0".to_owned());
        }
        // Each step takes nine decimal digits off the bottom.
        let mut limbs = self.limbs.clone();
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            chunks.push(Self::div_rem_small(&mut limbs, 1_000_000_000));
        }
        let mut s = String::with_capacity(chunks.len() * 9 + 1);
        if self.negative {
            s.push('-');
        }
        let mut iter = chunks.iter().rev();
        if let Some(first) = iter.next() {
            s.push_str(&first.to_string());
        }
        for c in iter {
            s.push_str(&format!("{c:09}"));
        }
        let digits = s.len() - usize::from(self.negative);
        if digits > MAX_STR_DIGITS {
            return Err(PyException::new(
                PyExcClass::ValueError,
                format!(
                    "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion; \
                     use sys.set_int_max_str_digits() to increase the limit"
                ),
            ));
        }
        Ok(s)
    }

    /// `hex(n)`: `0x..`, or `-0x..` for a negative number.
    pub fn to_hex(&self) -> String {
        let mag = self.magnitude_be_bytes();
        let mut s = String::from(if self.negative { "-0x" } else { "0x" });
        if mag.is_empty() {
            s.push('0');
        } else {
            let body: String = mag.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(body.trim_start_matches('0'));
        }
        s
    }

    /// Parses a Python integer literal with an optional sign, as `ast.literal_eval` reads it:
    /// `256`, `-1`, `+0x7f`, `0o17`, `0b1010`, `1_000_000`.
    ///
    /// Errors are CPython's `SyntaxError` messages for the same text.
    ///
    /// ```
    /// use socklab_core::pyint::PyInt;
    /// assert_eq!(PyInt::parse_literal("0x1_00").unwrap(), PyInt::from(256));
    /// assert_eq!(
    ///     PyInt::parse_literal("007").unwrap_err().message,
    ///     "leading zeros in decimal integer literals are not permitted; \
    ///      use an 0o prefix for octal integers"
    /// );
    /// ```
    pub fn parse_literal(text: &str) -> Result<PyInt, PyException> {
        let t = text.trim();
        let (negative, body) = match t.as_bytes().first() {
            Some(b'-') => (true, t[1..].trim_start()),
            Some(b'+') => (false, t[1..].trim_start()),
            _ => (false, t),
        };
        let magnitude = parse_unsigned_literal(body)?;
        Ok(PyInt {
            negative: negative && !magnitude.is_empty(),
            limbs: magnitude,
        })
    }
}

fn syntax(msg: impl Into<String>) -> PyException {
    PyException::new(PyExcClass::SyntaxError, msg).with_hint(Hint::new("hint.int_literal"))
}

/// Parses an unsigned integer literal into limbs.
fn parse_unsigned_literal(body: &str) -> Result<Limbs, PyException> {
    let bytes = body.as_bytes();
    if bytes.is_empty() {
        return Err(syntax("invalid syntax"));
    }
    if let Some(c) = body.chars().find(|c| !c.is_ascii()) {
        if c.is_numeric() || c.is_alphabetic() {
            return Err(syntax(format!(
                "invalid character '{c}' (U+{:04X})",
                c as u32
            )));
        }
    }
    if bytes[0] == b'0' && bytes.len() > 1 && bytes[1].is_ascii_alphabetic() {
        let (radix, name) = match bytes[1] {
            b'x' | b'X' => (16, "hexadecimal"),
            b'o' | b'O' => (8, "octal"),
            b'b' | b'B' => (2, "binary"),
            _ => return Err(syntax("invalid decimal literal")),
        };
        return parse_digits(&body[2..], radix, name);
    }
    if !bytes[0].is_ascii_digit() {
        return Err(syntax("invalid syntax"));
    }
    let digits = check_underscores(body, 10, "decimal")?;
    if digits.len() > 1 && digits.starts_with('0') {
        if digits.bytes().all(|b| b == b'0') {
            return Ok(Limbs::new());
        }
        return Err(syntax(
            "leading zeros in decimal integer literals are not permitted; \
             use an 0o prefix for octal integers",
        ));
    }
    if digits.len() > MAX_STR_DIGITS {
        return Err(syntax(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: value has {} \
             digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal \
             for huge integer literals to avoid decimal conversion limits.",
            digits.len()
        )));
    }
    let mut limbs = Limbs::new();
    for d in digits.bytes() {
        PyInt::mul_add_small(&mut limbs, 10, u32::from(d - b'0'));
    }
    Ok(limbs)
}

/// Checks the digits and underscores of a literal body and returns the digits alone.
fn check_underscores(body: &str, radix: u32, name: &str) -> Result<String, PyException> {
    let mut digits = String::with_capacity(body.len());
    let mut prev_underscore = true; // a leading underscore is as bad as a doubled one
    for c in body.chars() {
        if c == '_' {
            if prev_underscore {
                return Err(syntax(format!("invalid {name} literal")));
            }
            prev_underscore = true;
        } else if c.is_digit(radix) {
            digits.push(c);
            prev_underscore = false;
        } else if radix < 10 && c.is_ascii_digit() {
            return Err(syntax(format!("invalid digit '{c}' in {name} literal")));
        } else {
            return Err(syntax(format!("invalid {name} literal")));
        }
    }
    if prev_underscore && radix == 10 {
        return Err(syntax(format!("invalid {name} literal")));
    }
    Ok(digits)
}

/// Parses the digits after `0x`/`0o`/`0b`, where an underscore may also follow the prefix.
fn parse_digits(rest: &str, radix: u32, name: &str) -> Result<Limbs, PyException> {
    let rest_digits = rest.strip_prefix('_').unwrap_or(rest);
    if rest_digits.is_empty() || rest_digits.starts_with('_') || rest.ends_with('_') {
        return Err(syntax(format!("invalid {name} literal")));
    }
    let digits = check_underscores(rest_digits, radix, name)?;
    // Power-of-two radix: place bits directly, so a long literal costs linear time.
    let bits_per_digit = radix.trailing_zeros() as usize;
    let mut limbs: Limbs = smallvec::smallvec![0u32; (digits.len() * bits_per_digit).div_ceil(32)];
    for (i, c) in digits.bytes().rev().enumerate() {
        let v = (c as char).to_digit(radix).unwrap_or(0) as u64;
        let bit = i * bits_per_digit;
        let (limb, shift) = (bit / 32, bit % 32);
        let wide = v << shift;
        limbs[limb] |= wide as u32;
        if wide >> 32 != 0 {
            limbs[limb + 1] |= (wide >> 32) as u32;
        }
    }
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    Ok(limbs)
}

impl From<i128> for PyInt {
    fn from(v: i128) -> PyInt {
        let mut n = PyInt::from(v.unsigned_abs());
        n.negative = v < 0;
        n
    }
}

impl From<u128> for PyInt {
    fn from(m: u128) -> PyInt {
        // Built in place (the struct hot path): no pushes, no trailing zero limbs.
        let used = (128 - m.leading_zeros()).div_ceil(32) as usize;
        let buf = [
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            (m >> 96) as u32,
        ];
        PyInt {
            negative: false,
            limbs: Limbs::from_buf_and_len(buf, used),
        }
    }
}

impl From<i64> for PyInt {
    fn from(v: i64) -> PyInt {
        PyInt::from(i128::from(v))
    }
}

impl From<i32> for PyInt {
    fn from(v: i32) -> PyInt {
        PyInt::from(i128::from(v))
    }
}

impl From<u64> for PyInt {
    fn from(v: u64) -> PyInt {
        PyInt::from(u128::from(v))
    }
}

impl fmt::Display for PyInt {
    /// Decimal; past CPython's digit limit it prints the hex form instead of failing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_decimal() {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str(&self.to_hex()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: Result<&str, &str>) {
        let got = PyInt::parse_literal(text)
            .map(|n| n.to_string())
            .map_err(|e| e.traceback_line());
        let expect = expect
            .map(str::to_owned)
            .map_err(|m| format!("SyntaxError: {m}"));
        assert_eq!(got, expect, "parsing {text:?}");
    }

    #[test]
    fn literals() {
        check("0", Ok("0"));
        check("-0", Ok("0"));
        check("00", Ok("0"));
        check("0_0", Ok("0"));
        check("256", Ok("256"));
        check("- 5", Ok("-5"));
        check("+0x10", Ok("16"));
        check("0X_ff", Ok("255"));
        check("0b_1", Ok("1"));
        check("0o_7", Ok("7"));
        check("1_000_000", Ok("1000000"));
        check(
            "340282366920938463463374607431768211456",
            Ok("340282366920938463463374607431768211456"),
        );
        check(
            "0xffffffffffffffffffffffffffffffffff",
            Ok("87112285931760246646623899502532662132735"),
        );
        check("0x", Err("invalid hexadecimal literal"));
        check("0x_", Err("invalid hexadecimal literal"));
        check("0xg", Err("invalid hexadecimal literal"));
        check("0b", Err("invalid binary literal"));
        check("0b2", Err("invalid digit '2' in binary literal"));
        check("0o8", Err("invalid digit '8' in octal literal"));
        check("1_", Err("invalid decimal literal"));
        check("1__0", Err("invalid decimal literal"));
        check("12abc", Err("invalid decimal literal"));
        check("", Err("invalid syntax"));
        check("٣", Err("invalid character '٣' (U+0663)"));
        check(
            "007",
            Err("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"),
        );
    }

    #[test]
    fn conversions() {
        let n = PyInt::from(-1i128);
        assert_eq!(n.to_i64(), Some(-1));
        assert_eq!(n.to_u64(), None);
        assert_eq!(PyInt::from(i128::MIN).to_i128(), Some(i128::MIN));
        assert_eq!(PyInt::from(u128::MAX).to_u128(), Some(u128::MAX));
        assert_eq!(PyInt::from(u128::MAX).to_i128(), None);
        assert_eq!(PyInt::from(255).to_hex(), "0xff");
        assert_eq!(PyInt::from(-4096).to_hex(), "-0x1000");
        assert_eq!(PyInt::from_be_magnitude(false, &[1, 0]), PyInt::from(256));
        assert_eq!(PyInt::from(256).magnitude_be_bytes(), vec![1, 0]);
        assert_eq!(PyInt::from(u128::MAX).bit_length(), 128);
    }

    #[test]
    fn huge_decimal_is_limited_like_cpython() {
        let n = PyInt::parse_literal(&format!("0x1{}", "0".repeat(4000))).unwrap();
        let e = n.to_decimal().unwrap_err();
        assert!(e.message.starts_with("Exceeds the limit (4300 digits)"));
    }
}
