//! IEEE 754 half and single precision as CPython converts them (`PyFloat_Pack2`,
//! `PyFloat_Unpack2`, `PyFloat_Pack4`), bit for bit, NaNs included, on any host.

/// `PyFloat_Pack2`: the half-precision bits of `x`, rounding half to even, or `None` where
/// CPython raises `OverflowError: float too large to pack with e format`.
pub(crate) fn pack2(x: f64) -> Option<u16> {
    let sign = u16::from(x.is_sign_negative());
    let (e, bits): (i32, u16) = if x == 0.0 {
        (0, 0)
    } else if x.is_infinite() {
        (0x1f, 0)
    } else if x.is_nan() {
        (0x1f, 512)
    } else {
        let (mut f, mut e) = frexp(x.abs());
        // Normalize f to [1.0, 2.0).
        f *= 2.0;
        e -= 1;
        if e >= 16 {
            return None;
        } else if e < -25 {
            f = 0.0;
            e = 0;
        } else if e < -14 {
            f = ldexp(f, 14 + e);
            e = 0;
        } else {
            e += 15;
            f -= 1.0;
        }
        f *= 1024.0;
        let mut bits = f as u16;
        let rest = f - f64::from(bits);
        if rest > 0.5 || (rest == 0.5 && bits % 2 == 1) {
            bits += 1;
            if bits == 1024 {
                bits = 0;
                e += 1;
                if e == 31 {
                    return None;
                }
            }
        }
        (e, bits)
    };
    Some(bits | ((e as u16) << 10) | (sign << 15))
}

/// `PyFloat_Unpack2`.
pub(crate) fn unpack2(h: u16) -> f64 {
    let negative = h & 0x8000 != 0;
    let e = i32::from((h >> 10) & 0x1f);
    let f = f64::from(h & 0x3ff);
    let x = if e == 0x1f {
        if f == 0.0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    } else if e == 0 {
        ldexp(f, -24)
    } else {
        ldexp(f + 1024.0, e - 25)
    };
    if negative {
        -x
    } else {
        x
    }
}

/// `(float)x` as x86-64 and AArch64 convert it: round to nearest even, and a NaN keeps its
/// sign and the top of its payload, quieted.
pub(crate) fn to_f32_bits(x: f64) -> u32 {
    if x.is_nan() {
        let b = x.to_bits();
        let sign = ((b >> 63) as u32) << 31;
        let payload = ((b >> 29) & 0x7f_ffff) as u32;
        return sign | 0x7fc0_0000 | payload;
    }
    (x as f32).to_bits()
}

/// `(double)f` for a float's bits, NaN payloads kept the way the hardware keeps them.
pub(crate) fn from_f32_bits(bits: u32) -> f64 {
    let f = f32::from_bits(bits);
    if f.is_nan() {
        let sign = u64::from(bits >> 31) << 63;
        let payload = u64::from(bits & 0x7f_ffff) << 29;
        return f64::from_bits(sign | 0x7ff8_0000_0000_0000 | payload);
    }
    f64::from(f)
}

/// C's `frexp` for a finite, non-zero, non-negative x: x = f * 2**e with f in [0.5, 1).
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up into the normal range first.
        let (f, e) = frexp(x * 2f64.powi(64));
        return (f, e - 64);
    }
    let f = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (f, exp - 1022)
}

/// C's `ldexp` for the exponents these conversions use (exact: powers of two).
fn ldexp(x: f64, e: i32) -> f64 {
    if e < -1000 {
        return x * 2f64.powi(-1000) * 2f64.powi(e + 1000);
    }
    x * 2f64.powi(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_halves() {
        assert_eq!(pack2(1.0), Some(0x3c00));
        assert_eq!(pack2(-2.0), Some(0xc000));
        assert_eq!(pack2(65504.0), Some(0x7bff));
        assert_eq!(pack2(65519.0), Some(0x7bff));
        assert_eq!(pack2(65520.0), None);
        assert_eq!(pack2(f64::INFINITY), Some(0x7c00));
        assert_eq!(pack2(f64::NAN), Some(0x7e00));
        assert_eq!(pack2(-f64::NAN), Some(0xfe00));
        assert_eq!(pack2(-0.0), Some(0x8000));
        assert_eq!(pack2(2f64.powi(-24)), Some(1));
        assert_eq!(pack2(2f64.powi(-25)), Some(0)); // a tie, to even
        assert_eq!(pack2(2f64.powi(-25) * 1.5), Some(1));
        assert_eq!(pack2(5e-324), Some(0));
        assert_eq!(unpack2(0x7bff), 65504.0);
        assert_eq!(unpack2(1), 2f64.powi(-24));
        assert!(unpack2(0x7e00).is_nan());
    }

    #[test]
    fn every_half_round_trips() {
        for h in 0..=u16::MAX {
            let x = unpack2(h);
            let back = pack2(x).unwrap();
            if x.is_nan() {
                assert_eq!(back & 0xfc00 | 0x200, h & 0xfc00 | 0x200);
            } else {
                assert_eq!(back, h, "{h:#06x}");
            }
        }
    }

    #[test]
    fn singles() {
        assert_eq!(to_f32_bits(f64::NAN), 0x7fc0_0000);
        assert_eq!(to_f32_bits(-f64::NAN), 0xffc0_0000);
        assert_eq!(from_f32_bits(0x7fc0_0000).to_bits(), f64::NAN.to_bits());
        assert_eq!(
            f64::from(f32::from_bits(to_f32_bits(2.7))),
            2.700000047683716
        );
    }
}
