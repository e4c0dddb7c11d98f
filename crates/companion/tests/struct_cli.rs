//! `socklab struct` against live CPython: same stdout, same last stderr line, same exit status.

mod common;

use common::Outcome;
use std::process::Command;

fn socklab(args: &[&str]) -> Outcome {
    let mut all = vec!["struct"];
    all.extend_from_slice(args);
    common::socklab(&all)
}

/// Runs Python source that prints the result, or `None` without a python3.
fn python(source: &str) -> Option<Outcome> {
    common::python(&format!(
        "import struct\nfrom math import inf, nan\n{source}"
    ))
}

fn py_call(function: &str, fmt: &str, args: &[&str]) -> String {
    let mut all = vec![format!("{fmt:?}")];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let call = format!("struct.{function}({})", all.join(", "));
    if function == "iter_unpack" {
        format!("for t in {call}: print(repr(t))")
    } else {
        format!("print(repr({call}))")
    }
}

#[test]
fn struct_commands_match_cpython() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("calcsize", "@bq", &[]),
        ("calcsize", "<bq", &[]),
        ("calcsize", "3", &[]),
        ("calcsize", "2 h", &[]),
        ("calcsize", ">P", &[]),
        ("pack", ">H", &["256"]),
        ("pack", "!H", &["70000"]),
        ("pack", "h", &["70000"]),
        ("pack", ">q", &["2**64"]),
        ("pack", "<Q", &["-1"]),
        ("pack", ">HH4s", &["1", "2", "b'data'"]),
        ("pack", "2h", &["1"]),
        ("pack", "i", &["1.5"]),
        ("pack", "s", &["'text'"]),
        ("pack", "e", &["1e+39"]),
        ("pack", "<f", &["1e+39"]),
        ("pack", "@f", &["1e+39"]),
        ("pack", "d", &["-0.0"]),
        ("pack", "e", &["nan"]),
        ("pack", ">d", &["inf"]),
        ("pack", "?", &["'x'"]),
        ("pack", "c", &["b'ab'"]),
        ("pack", "3p", &["b'\\t\\n\\r\\\\'"]),
        ("pack", "5s", &["b'\"quoted\\''"]),
        ("pack", "I", &["0x7f_ff"]),
        ("pack", "b", &["-0b1010"]),
        ("unpack", ">I", &["b'ab'"]),
        ("unpack", "<f", &["b'\\xcd\\xcc,@'"]),
        ("unpack", ">e", &["b'\\x7c\\x00'"]),
        (
            "unpack",
            "d",
            &["b'\\x00\\x00\\x00\\x00\\x00\\x00\\xf0\\x7f'"],
        ),
        ("unpack", "?2x3s", &["b'\\x02\\x00\\x00abc'"]),
        ("unpack", "h", &["'ab'"]),
        ("iter_unpack", "<h", &["b'\\x01\\x00\\x02\\x00\\xff\\xff'"]),
        ("iter_unpack", "<h", &["b'\\x01'"]),
        ("iter_unpack", "", &["b''"]),
    ];
    for (function, fmt, args) in cases {
        let Some(want) = python(&py_call(function, fmt, args)) else {
            println!("SKIPPED: no python3");
            return;
        };
        let mut argv = vec![function.replace('_', "-"), (*fmt).to_owned()];
        // The CLI takes literals; Python evaluates the same text (2**64 is Python-only syntax).
        argv.extend(
            args.iter()
                .map(|a| a.replace("2**64", "18446744073709551616")),
        );
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let got = socklab(&argv);
        assert_eq!(got, want, "socklab struct {argv:?}");
    }
}

#[test]
fn platform_changes_the_native_layout() {
    let size = |platform: &str, fmt: &str| socklab(&["calcsize", fmt, "--platform", platform]).1;
    assert_eq!(size("linux-x86_64", "@cl"), "16");
    assert_eq!(size("windows-x64", "@cl"), "8");
    assert_eq!(size("linux-i386", "@cq"), "12");
    assert_eq!(size("linux-i386", "<cq"), "9");
    let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
        .args(["struct", "calcsize", "q", "--platform", "vax"])
        .output()
        .expect("socklab runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("choose one of: linux-x86_64"), "{err}");
    // On Windows a native long is 4 bytes, so 2**40 no longer fits.
    let (ok, _, err) = socklab(&["pack", "@l", "1099511627776", "--platform", "windows-x64"]);
    assert!(!ok);
    assert_eq!(err, "struct.error: argument out of range");
}
