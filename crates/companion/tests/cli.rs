//! `socklab byteorder` against live CPython: same stdout, same last stderr line, same exit status.

mod common;

/// What Python prints for `repr(call)`, with `socket` imported.
fn python(call: &str) -> Option<common::Outcome> {
    common::python(&format!("import socket\nprint(repr({call}))"))
}

use common::socklab;

#[test]
fn byteorder_matches_python() {
    let values = [
        "0",
        "1",
        "256",
        "65535",
        "65536",
        "-1",
        "0xffffffff",
        "4294967296",
        "2**63",
        "True",
        "1.5",
        "'1'",
        "None",
        "-2**40",
        "18446744073709551616",
    ];
    let mut compared = 0;
    for func in ["htons", "ntohs", "htonl", "ntohl"] {
        for value in values {
            // The CLI takes literals; 2**63 and friends are spelled out for it.
            let literal = match value {
                "2**63" => "9223372036854775808",
                "-2**40" => "-1099511627776",
                v => v,
            };
            let Some(expected) = python(&format!("socket.{func}({literal})")) else {
                println!("SKIPPED: no python3");
                return;
            };
            assert_eq!(
                socklab(&["byteorder", func, literal]),
                expected,
                "socket.{func}({literal})"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 60);
}

#[test]
fn documented_example_exits_1_with_pythons_line() {
    let (ok, stdout, last) = socklab(&["byteorder", "htons", "70000"]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert_eq!(
        last,
        "OverflowError: htons: Python int too large to convert to C 16-bit unsigned integer"
    );
}
