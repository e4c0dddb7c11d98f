//! struct.pack and struct.unpack, per call, on pre-parsed formats: the same cases that
//! `cpython_struct.py` times with `struct.Struct(fmt).pack/unpack`. `cargo xtask bench` runs
//! both and prints them side by side.

use criterion::{criterion_group, criterion_main, Criterion};
use socklab_core::pyliteral;
use socklab_core::pystruct::{Abi, Layout};
use std::hint::black_box;

fn cases() -> Vec<(String, Layout, Vec<pyliteral::PyValue>)> {
    let all: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("struct_cases.json")).expect("cases parse");
    all.iter()
        .map(|c| {
            let layout = Layout::parse(c["fmt"].as_str().unwrap_or_default(), Abi::LinuxX86_64)
                .expect("bench formats parse");
            let args = c["args"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| pyliteral::parse(v.as_str().unwrap_or_default()).expect("literal"))
                        .collect()
                })
                .unwrap_or_default();
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                layout,
                args,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for (name, layout, args) in cases() {
        let bytes = layout.pack(&args).expect("bench values pack");
        c.bench_function(&format!("pack/{name}"), |b| {
            b.iter(|| black_box(&layout).pack(black_box(&args)));
        });
        c.bench_function(&format!("unpack/{name}"), |b| {
            b.iter(|| black_box(&layout).unpack(black_box(&bytes)));
        });
    }
    c.bench_function("calcsize/native_bhiq", |b| {
        b.iter(|| Layout::parse(black_box("@bhiq"), Abi::LinuxX86_64).map(|l| l.size));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
