//! `decimal::parse_f64` against the standard library's parser (correctly rounded, and the
//! grammar the app's callers relied on): the same `Option` and the same bits for random decimal
//! text of every shape, and for the hardest inputs there are, the exact halfway points between
//! neighbouring doubles (which round to the even one) and the numbers just above and below them.

use proptest::prelude::*;
use socklab_core::decimal::parse_f64;

fn same(text: &str) {
    let want = text.parse::<f64>().ok();
    let got = parse_f64(text);
    match (got, want) {
        (Some(g), Some(w)) => assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "{text}: {g:e} ({:#x}), the standard parser {w:e} ({:#x})",
            g.to_bits(),
            w.to_bits()
        ),
        (g, w) => assert_eq!(g.is_some(), w.is_some(), "{text:?}: {g:?} against {w:?}"),
    }
}

/// `x`'s exact decimal expansion, with 1100 digits after the point (every double's is shorter).
fn exact(x: f64) -> String {
    format!("{x:.1100}")
}

/// (a + b) / 2 for two exact non-negative decimals of the same shape (same number of digits after
/// the point), exactly: one more digit after the point.
fn midpoint(a: &str, b: &str) -> String {
    let (ai, af) = a.split_once('.').unwrap();
    let (bi, bf) = b.split_once('.').unwrap();
    let width = ai.len().max(bi.len());
    let a: Vec<u8> = format!("{ai:0>width$}{af}")
        .bytes()
        .map(|c| c - b'0')
        .collect();
    let b: Vec<u8> = format!("{bi:0>width$}{bf}")
        .bytes()
        .map(|c| c - b'0')
        .collect();
    // Sum, most significant digit first, with a carry digit in front.
    let mut sum = vec![0_u8; a.len() + 1];
    let mut carry = 0;
    for i in (0..a.len()).rev() {
        let d = a[i] + b[i] + carry;
        sum[i + 1] = d % 10;
        carry = d / 10;
    }
    sum[0] = carry;
    sum.push(0); // one more place for the half
    let mut half = Vec::with_capacity(sum.len());
    let mut rest = 0;
    for d in sum {
        let v = rest * 10 + d;
        half.push(v / 2);
        rest = v % 2;
    }
    let point = width + 1;
    let digits: String = half.iter().map(|d| char::from(b'0' + d)).collect();
    format!("{}.{}", &digits[..point], &digits[point..])
}

#[test]
fn the_midpoint_helper_is_exact() {
    assert_eq!(midpoint("1.50", "2.25"), "01.875");
    assert_eq!(midpoint("9.9", "9.9"), "09.90");
}

fn decimal_text() -> impl Strategy<Value = String> {
    let digits = prop_oneof![
        4 => "[0-9]{1,20}",
        1 => "[0-9]{700,900}",
        1 => "0{0,30}[1-9][0-9]{0,5}0{0,40}",
    ];
    (
        prop_oneof![Just(""), Just("-"), Just("+")],
        digits,
        prop::option::of(0_usize..40),
        prop_oneof![
            2 => Just(String::new()),
            3 => (-360_i32..330).prop_map(|e| format!("e{e}")),
            1 => (-1200_i32..1200).prop_map(|e| format!("E{e:+}")),
            1 => "[eE][+-]?[0-9]{0,25}",
        ],
    )
        .prop_map(|(sign, digits, point, exp)| {
            let body = match point {
                Some(p) => {
                    let p = p.min(digits.len());
                    format!("{}.{}", &digits[..p], &digits[p..])
                }
                None => digits,
            };
            format!("{sign}{body}{exp}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn any_decimal_text_reads_as_the_standard_parser_reads_it(text in decimal_text()) {
        same(&text);
    }

    #[test]
    fn any_text_at_all_is_refused_or_read_alike(text in "[-+0-9.eEinfatyINFATY_ x]{0,12}") {
        same(&text);
    }

    #[test]
    fn halfway_between_two_doubles_rounds_to_even_and_a_hair_off_it_to_the_nearer(bits in 0_u64..0x7fef_ffff_ffff_ffff) {
        let low = f64::from_bits(bits);
        let high = f64::from_bits(bits + 1);
        let mid = midpoint(&exact(low), &exact(high));
        same(&mid);
        // A hair above (a nonzero digit far past the 800 that decide) and below.
        same(&format!("{mid}{}1", "0".repeat(300)));
        let below = mid.trim_end_matches('0');
        let below = format!("{}{}", &below[..below.len() - 1], "4999999999");
        same(&below);
        // The same value written with an exponent: I.F as 0.IFe+len(I).
        let (int, frac) = mid.split_once('.').unwrap();
        same(&format!("0.{int}{frac}e+{}", int.len()));
    }

    #[test]
    fn every_double_reads_back_from_its_shortest_and_its_exact_text(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        same(&format!("{x:e}"));
        same(&format!("{x}"));
        if x.is_finite() {
            same(&exact(x.abs()));
        }
    }
}
