//! Fuzzes struct format parsing, unpack, unpack_from, iter_unpack and pack with arbitrary
//! input: nothing may panic, hang, or break the layout's own invariants.
//!
//! Run: `cargo +nightly fuzz run struct_format -- -max_total_time=600`
#![no_main]

use libfuzzer_sys::fuzz_target;
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pystruct::{Abi, Layout};

fuzz_target!(|input: &[u8]| {
    let Some((&op, rest)) = input.split_first() else {
        return;
    };
    // The format is the text up to the first NUL; the rest is the buffer (or the arguments).
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let format = String::from_utf8_lossy(&rest[..split]);
    let data = rest.get(split + 1..).unwrap_or_default();
    let abi = Abi::ALL[usize::from(op >> 5) % Abi::ALL.len()];
    let Ok(layout) = Layout::parse(&format, abi) else {
        return;
    };
    let total: u64 = layout.fields.iter().map(|f| f.pad_before + f.len()).sum();
    assert_eq!(total, layout.size, "{format:?}");
    match op % 4 {
        0 => {
            if let Ok(values) = layout.unpack(data) {
                assert_eq!(values.len() as u64, layout.values);
                let bytes = layout.pack(&values).expect("what unpack made, pack takes");
                assert_eq!(bytes.len(), data.len());
            }
        }
        1 => {
            let offset = PyValue::Int(i128::from(i8::from_le_bytes([op])).into());
            let _ = layout.unpack_from(data, &offset);
            let _ = layout.pack_into(data, &offset, &[]);
        }
        2 => {
            if let Ok(rows) = layout.iter_unpack(data) {
                assert_eq!(rows.len() as u64 * layout.size, data.len() as u64);
            }
        }
        _ => {
            if let Ok(args) = pyliteral::parse_args(&String::from_utf8_lossy(data)) {
                if let Ok(bytes) = layout.pack(&args) {
                    assert_eq!(bytes.len() as u64, layout.size);
                }
            }
        }
    }
});
