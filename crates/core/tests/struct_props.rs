//! Property tests: `unpack(pack(values)) == values` and `pack(unpack(bytes)) == bytes` wherever
//! CPython's struct round-trips (every integer in range, every double, every float and half
//! that the format can hold exactly, bools, bytes of the right length).

use proptest::prelude::*;
use socklab_core::pyint::PyInt;
use socklab_core::pyliteral::PyValue;
use socklab_core::pystruct::{Abi, Code, Layout};

const PREFIXES: [&str; 6] = ["", "@", "=", "<", ">", "!"];

fn format() -> impl Strategy<Value = String> {
    let item = (
        prop::sample::select(b"bBhHiIlLqQnNPefdc?sp".to_vec()),
        0u8..4,
    );
    (
        prop::sample::select(PREFIXES.to_vec()),
        prop::collection::vec(item, 1..6),
    )
        .prop_map(|(prefix, items)| {
            let mut f = prefix.to_owned();
            for (code, count) in items {
                let code = char::from(code);
                // n N P are native only; 0p cannot be unpacked at all.
                let code = if !matches!(prefix, "" | "@") && "nNP".contains(code) {
                    'q'
                } else {
                    code
                };
                let count = if code == 'p' { count.max(1) } else { count };
                f.push_str(&format!("{count}{code}"));
            }
            f
        })
}

fn signed(code: Code) -> bool {
    matches!(code.char(), 'b' | 'h' | 'i' | 'l' | 'q' | 'n')
}

/// A value the field can hold exactly, derived from a random seed.
fn value(code: Code, size: u64, count: u64, seed: u64) -> PyValue {
    match code.char() {
        'd' => {
            let x = f64::from_bits(seed);
            PyValue::Float(if x.is_nan() { 0.25 } else { x })
        }
        'f' => {
            let x = f64::from(f32::from_bits(seed as u32));
            PyValue::Float(if x.is_nan() { -1.5 } else { x })
        }
        'e' => {
            let half = Layout::parse("<e", Abi::default()).unwrap();
            match half.unpack(&(seed as u16).to_le_bytes()).unwrap().remove(0) {
                PyValue::Float(x) if x.is_nan() => PyValue::Float(0.5),
                v => v,
            }
        }
        '?' => PyValue::Bool(seed % 2 == 1),
        'c' => PyValue::Bytes(vec![seed as u8]),
        's' => PyValue::Bytes((0..count).map(|i| (seed >> (i % 8 * 8)) as u8).collect()),
        'p' => {
            let n = (count - 1).min(255).min(seed % 300);
            PyValue::Bytes((0..n).map(|i| (i as u8) ^ (seed as u8)).collect())
        }
        _ => {
            let bits = 8 * size as u32;
            let (lo, span) = if signed(code) {
                (-(1i128 << (bits - 1)), 1u128 << bits)
            } else {
                (0, 1u128 << bits)
            };
            PyValue::Int(PyInt::from(lo + (u128::from(seed) % span) as i128))
        }
    }
}

fn same(a: &[PyValue], b: &[PyValue]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (PyValue::Float(x), PyValue::Float(y)) => x.to_bits() == y.to_bits(),
            _ => x == y,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn values_survive_pack_then_unpack(fmt in format(), seeds in prop::collection::vec(any::<u64>(), 64)) {
        let layout = Layout::parse(&fmt, Abi::LinuxX86_64).unwrap();
        let mut values = Vec::new();
        for field in layout.value_fields() {
            for k in 0..field.values {
                let seed = seeds[values.len() % seeds.len()].rotate_left(k as u32);
                values.push(value(field.code, field.item_size, field.count, seed));
            }
        }
        let bytes = layout.pack(&values).unwrap();
        prop_assert_eq!(bytes.len() as u64, layout.size);
        let back = layout.unpack(&bytes).unwrap();
        prop_assert!(same(&values, &back), "{fmt}: {values:?} -> {bytes:?} -> {back:?}");
    }

    #[test]
    fn bytes_survive_unpack_then_pack(fmt in format(), noise in prop::collection::vec(any::<u8>(), 256)) {
        // Codes whose every byte pattern is a distinct value: the integers, d, c and s.
        let fmt: String = fmt.chars().map(|c| match c { 'e' | 'f' | '?' | 'p' => 'B', c => c }).collect();
        let layout = Layout::parse(&fmt, Abi::LinuxX86_64).unwrap();
        let mut bytes: Vec<u8> = (0..layout.size as usize).map(|i| noise[i % noise.len()]).collect();
        // Alignment padding is written as zeros, whatever was there.
        for field in &layout.fields {
            for k in 0..field.pad_before {
                bytes[(field.offset - field.pad_before + k) as usize] = 0;
            }
        }
        let values = layout.unpack(&bytes).unwrap();
        prop_assert_eq!(layout.pack(&values).unwrap(), bytes, "{}", fmt);
    }

    #[test]
    fn any_format_text_parses_or_fails_cleanly(fmt in "[ -~\\t\\n]{0,12}|[0-9]{15,25}[a-z]") {
        if let Ok(layout) = Layout::parse(&fmt, Abi::LinuxX86_64) {
            let total: u64 = layout.fields.iter().map(|f| f.pad_before + f.len()).sum();
            prop_assert_eq!(total, layout.size);
        }
    }
}
