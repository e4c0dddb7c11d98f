//! `socklab inet` against live CPython: same stdout, same last stderr line, same exit status.

mod common;

#[test]
fn inet_commands_match_cpython() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["pton", "AF_INET", "127.1"],
            "socket.inet_pton(socket.AF_INET, '127.1')",
        ),
        (
            &["pton", "AF_INET", "127.0.0.1"],
            "socket.inet_pton(socket.AF_INET, '127.0.0.1')",
        ),
        (
            &["pton", "AF_INET6", "fe80::1%eth0"],
            "socket.inet_pton(socket.AF_INET6, 'fe80::1%eth0')",
        ),
        (
            &["pton", "AF_INET6", "::ffff:1.2.3.4"],
            "socket.inet_pton(socket.AF_INET6, '::ffff:1.2.3.4')",
        ),
        (&["aton", "127.1"], "socket.inet_aton('127.1')"),
        (&["aton", "0x7f.0.0.1"], "socket.inet_aton('0x7f.0.0.1')"),
        (&["aton", "017.0.0.1"], "socket.inet_aton('017.0.0.1')"),
        (&["aton", "4294967295"], "socket.inet_aton('4294967295')"),
        (
            &["aton", "127.0.0.1 and more"],
            "socket.inet_aton('127.0.0.1 and more')",
        ),
        (&["aton", "256.1.1.1"], "socket.inet_aton('256.1.1.1')"),
        (
            &["ntoa", r"b'\x7f\x00\x00\x01'"],
            r"socket.inet_ntoa(b'\x7f\x00\x00\x01')",
        ),
        (&["ntoa", r"b'\x7f'"], r"socket.inet_ntoa(b'\x7f')"),
        (
            &[
                "ntop",
                "AF_INET6",
                &format!("b'{}'", r"\x00".repeat(15) + r"\x01"),
            ],
            "",
        ),
        (
            &["ntop", "AF_INET", r"b'\x7f\x00'"],
            r"socket.inet_ntop(socket.AF_INET, b'\x7f\x00')",
        ),
    ];
    for (args, call) in cases {
        // Arguments Python would write as expressions are spelled out for the CLI.
        if call.is_empty() {
            let want = common::python(&format!(
                "import socket\nprint(repr(socket.inet_ntop(socket.AF_INET6, {})))",
                args[2]
            ));
            let Some(want) = want else { return };
            let mut argv = vec!["inet"];
            argv.extend_from_slice(args);
            assert_eq!(common::socklab(&argv), want, "{args:?}");
            continue;
        }
        let Some(want) = common::python(&format!("import socket\nprint(repr({call}))")) else {
            println!("SKIPPED: no python3");
            return;
        };
        let mut argv = vec!["inet"];
        argv.extend_from_slice(args);
        assert_eq!(common::socklab(&argv), want, "{call}");
    }
}

#[test]
fn the_documented_example() {
    let (ok, _, last) = common::socklab(&["inet", "pton", "AF_INET", "127.1"]);
    assert!(!ok);
    assert_eq!(
        last,
        "OSError: illegal IP address string passed to inet_pton"
    );
}
