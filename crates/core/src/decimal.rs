//! Decimal text to the nearest `f64`, with the grammar and the results of Rust's
//! `str::parse::<f64>` (and so of CPython's `float()` on the same text), in little code.
//!
//! The standard library's parser (Eisel-Lemire with a fallback) carries a 10 KB table of powers
//! of five, random-looking bytes that no compression shrinks, plus its code: about 12 KB of the
//! app as served, for the few floats a learner types. This one computes with exact integers
//! instead: the value is `digits × 10^exp`, and the nearest double is found by dividing two big
//! integers, rounding half to even. Slower (microseconds, not nanoseconds), which no page
//! notices; `tests/decimal.rs` checks it against the standard parser on a hundred thousand
//! strings, the halfway points between neighbouring doubles among them.

/// The nearest `f64` to `text`, as `text.parse::<f64>()` gives it: an optional sign, then
/// `inf`, `infinity` or `nan` in any case, or digits with an optional `.` and fraction (at
/// least one digit in all) and an optional exponent (`e` or `E`, an optional sign, digits).
/// `None` for anything else, as the standard parser's `Err`.
///
/// ```
/// use socklab_core::decimal::parse_f64;
/// assert_eq!(parse_f64("2.7"), Some(2.7));
/// assert_eq!(parse_f64("-1e-400"), Some(-0.0));
/// assert_eq!(parse_f64("1.7976931348623159e308"), Some(f64::INFINITY));
/// assert_eq!(parse_f64("4.9406564584124654e-324"), Some(5e-324));
/// assert_eq!(parse_f64("1_000.0"), None);
/// ```
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        let (digits, exp) = decimal(rest.as_bytes())?;
        nearest(&digits, exp)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The significant digits (no leading or trailing zeros; at most [`MAX_DIGITS`] and a sticky
/// one, see there) and the exponent of ten they are multiplied by; `None` if not a decimal.
fn decimal(text: &[u8]) -> Option<(Vec<u8>, i64)> {
    let mut at = 0;
    let mut digits = Vec::new();
    let mut exp: i64 = 0;
    let mut seen = false; // any digit at all, before or after the point
    let mut sticky = false; // a nonzero digit past MAX_DIGITS
    let mut take = |d: u8, fraction: bool, digits: &mut Vec<u8>, exp: &mut i64| {
        if digits.is_empty() && d == 0 {
            // A leading zero: nothing, but one place further down after the point.
            *exp -= i64::from(fraction);
            return;
        }
        if digits.len() < MAX_DIGITS {
            digits.push(d);
            *exp -= i64::from(fraction);
        } else {
            sticky |= d != 0;
            *exp += i64::from(!fraction);
        }
    };
    while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
        take(b - b'0', false, &mut digits, &mut exp);
        seen = true;
        at += 1;
    }
    if text.get(at) == Some(&b'.') {
        at += 1;
        while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
            take(b - b'0', true, &mut digits, &mut exp);
            seen = true;
            at += 1;
        }
    }
    if !seen {
        return None;
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        let negative = match text.get(at) {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let start = at;
        let mut written: i64 = 0;
        while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
            // Past a billion the value is 0 or infinite whatever the digits: saturate.
            written = (written * 10 + i64::from(b - b'0')).min(1 << 40);
            at += 1;
        }
        if at == start {
            return None;
        }
        exp += if negative { -written } else { written };
    }
    if at != text.len() {
        return None;
    }
    if sticky {
        // Everything past MAX_DIGITS only decides a tie, and only whether it is nonzero.
        digits.push(1);
        exp -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    Some((digits, exp))
}

/// Decimal digits that decide the nearest double: a halfway point between two doubles has at
/// most 767 significant digits, so 800 and a sticky digit for the rest round the same.
const MAX_DIGITS: usize = 800;

/// The nearest double to `digits × 10^exp` (digits without leading or trailing zeros).
fn nearest(digits: &[u8], exp: i64) -> f64 {
    if digits.is_empty() {
        return 0.0;
    }
    let magnitude = digits.len() as i64 + exp; // the value is below 10^magnitude
    if magnitude > 310 {
        return f64::INFINITY; // at least 10^309 > f64::MAX
    }
    if magnitude < -324 {
        return 0.0; // below 10^-325, under half the least subnormal
    }
    let mut num = Big::from_digits(digits);
    let mut den = Big::one();
    if exp >= 0 {
        num.mul_pow10(exp as u32);
    } else {
        den.mul_pow10((-exp) as u32);
    }
    // num / den = m × 2^k with 2^52 ≤ m < 2^53. The lengths put num / (den × 2^k) in
    // (2^52, 2^54) for this k, so it is one too small at most.
    let quotient = |k: i64| {
        let (mut a, mut b) = (num.clone(), den.clone());
        if k >= 0 {
            b.shl(k as u32);
        } else {
            a.shl((-k) as u32);
        }
        (a, b)
    };
    let mut k = num.bits() as i64 - den.bits() as i64 - 53;
    let (a, b) = quotient(k);
    if a.cmp(&shifted(&b, 53)).is_ge() {
        k += 1;
    }
    // Below the least exponent the double is subnormal (or zero): k stops there, m < 2^52.
    let mut k = k.max(-1074);
    let (a, b) = quotient(k);
    let (mut m, remainder) = a.div_small_quotient(&b);
    // Round half to even: compare twice the remainder with the divisor.
    let mut twice = remainder;
    twice.shl(1);
    match twice.cmp(&b) {
        std::cmp::Ordering::Greater => m += 1,
        std::cmp::Ordering::Equal if m & 1 == 1 => m += 1,
        _ => {}
    }
    if m == 1 << 53 {
        m = 1 << 52;
        k += 1;
    }
    if k > 1023 - 52 {
        return f64::INFINITY;
    }
    if m < 1 << 52 {
        f64::from_bits(m) // subnormal: k is -1074, the exponent field 0
    } else {
        f64::from_bits((((k + 52 + 1023) as u64) << 52) | (m - (1 << 52)))
    }
}

fn shifted(b: &Big, bits: u32) -> Big {
    let mut b = b.clone();
    b.shl(bits);
    b
}

/// A natural number as 32-bit limbs, least significant first, no zero limb at the top.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn one() -> Big {
        Big(vec![1])
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut big = Big(Vec::new());
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0_u32, |v, &d| v * 10 + u32::from(d));
            big.mul_add(10_u32.pow(chunk.len() as u32), value);
        }
        big
    }

    /// self = self × factor + add.
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut exp: u32) {
        while exp > 0 {
            let step = exp.min(9);
            self.mul_add(10_u32.pow(step), 0);
            exp -= step;
        }
    }

    fn bits(&self) -> u32 {
        self.0
            .last()
            .map_or(0, |top| self.0.len() as u32 * 32 - top.leading_zeros())
    }

    fn shl(&mut self, bits: u32) {
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if limbs > 0 && !self.0.is_empty() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// self -= other, where other ≤ self.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0_i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *limb = v.rem_euclid(1 << 32) as u32;
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// The quotient (below 2^54) and the remainder of self / divisor.
    fn div_small_quotient(mut self, divisor: &Big) -> (u64, Big) {
        let mut quotient = 0_u64;
        for bit in (0..54).rev() {
            let step = shifted(divisor, bit);
            if self.cmp(&step).is_ge() {
                self.sub(&step);
                quotient |= 1 << bit;
            }
        }
        (quotient, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_integers_compute_as_integers() {
        let mut a = Big::from_digits(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
        assert_eq!(
            a,
            Big(vec![
                123_456_789_012_u64 as u32,
                (123_456_789_012_u64 >> 32) as u32
            ])
        );
        a.shl(40);
        assert_eq!(a.bits(), 37 + 40);
        let (q, r) = a.clone().div_small_quotient(&Big(vec![1 << 30]));
        assert_eq!((q, r), (123_456_789_012 << 10, Big(vec![])));
        let mut b = Big(vec![0, 1]);
        b.sub(&Big(vec![1]));
        assert_eq!(b, Big(vec![u32::MAX]));
    }

    #[test]
    fn the_edges_of_the_doubles_as_the_standard_parser_reads_them() {
        for text in [
            "0",
            "-0",
            "0e999999999999",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "9007199254740993",
            "9007199254740995",
            ".5",
            "5.",
            "1e-99999999999999999999",
            "1e99999999999999999999",
            "INF",
            "-Infinity",
            "+nan",
        ] {
            let want = text.parse::<f64>().expect(text);
            let got = parse_f64(text).expect(text);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{text}"
            );
        }
        assert_eq!(parse_f64("1.7976931348623159e308"), Some(f64::INFINITY));
        assert_eq!(parse_f64("2.4703282292062328e-324"), Some(5e-324));
        for bad in [
            "", "+", "-", ".", "e5", "1e", "1e+", "1.5.5", "0x10", " 1", "1 ", "in", "nanx", "1_0",
        ] {
            assert_eq!(parse_f64(bad), None, "{bad:?}");
            assert!(bad.parse::<f64>().is_err(), "{bad:?}");
        }
    }
}
