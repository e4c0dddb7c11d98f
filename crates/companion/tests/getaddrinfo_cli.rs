//! `socklab getaddrinfo` against live CPython: same stdout, same last stderr line, same exit
//! status, for the same call through the same system resolver.
//!
//! Every name here is answered on this machine (`localhost` from /etc/hosts, numeric
//! addresses, service names from /etc/services), or fails before the resolver is asked, so no
//! case sends a packet off loopback. The one exception, a `.invalid` name, is asked of DNS,
//! and runs only when every configured name server is on loopback.

use std::process::Command;

mod common;

/// One CLI argument list, and the same call's arguments written in Python.
#[track_caller]
fn check(args: &[&str], python_args: &str) {
    let source = format!("import socket\nprint(socket.getaddrinfo({python_args}))");
    let Some(want) = common::python(&source) else {
        println!("SKIPPED: no python3");
        return;
    };
    let mut argv = vec!["getaddrinfo"];
    argv.extend_from_slice(args);
    assert_eq!(
        common::socklab(&argv),
        want,
        "socket.getaddrinfo({python_args})"
    );
}

#[test]
fn results_match_cpython() {
    check(&["localhost", "80"], "'localhost', 80");
    check(&["127.0.0.1", "80"], "'127.0.0.1', 80");
    check(&["::1", "80"], "'::1', 80");
    check(
        &[
            "localhost",
            "80",
            "--family",
            "AF_INET",
            "--type",
            "SOCK_STREAM",
        ],
        "'localhost', 80, socket.AF_INET, socket.SOCK_STREAM",
    );
    check(
        &["::1", "0", "--family", "AF_INET6", "--type", "SOCK_DGRAM"],
        "'::1', 0, socket.AF_INET6, socket.SOCK_DGRAM",
    );
    check(&["localhost", "http"], "'localhost', 'http'");
    check(&["localhost", "None"], "'localhost', None");
    check(
        &["None", "80", "--flags", "AI_PASSIVE"],
        "None, 80, flags=socket.AI_PASSIVE",
    );
    check(
        &["127.0.0.1", "80", "--flags", "AI_NUMERICHOST|AI_CANONNAME"],
        "'127.0.0.1', 80, flags=socket.AI_NUMERICHOST|socket.AI_CANONNAME",
    );
    check(
        &[
            "127.0.0.1",
            "80",
            "--family",
            "socket.AF_INET6",
            "--flags",
            "AI_V4MAPPED",
        ],
        "'127.0.0.1', 80, socket.AF_INET6, flags=socket.AI_V4MAPPED",
    );
    check(
        &["localhost", "53", "--proto", "IPPROTO_UDP"],
        "'localhost', 53, proto=socket.IPPROTO_UDP",
    );
    // Ports are text to the resolver: glibc wraps 99999 to 34463, and so does Python.
    check(&["localhost", "99999"], "'localhost', 99999");
    check(&["localhost", "65536"], "'localhost', 65536");
    check(&["localhost", "'80'"], "'localhost', '80'");
    check(&["localhost", "b'http'"], "'localhost', b'http'");
    check(&["b'localhost'", "80"], "b'localhost', 80");
}

#[test]
fn errors_match_cpython() {
    // socket.gaierror, from the resolver.
    check(
        &["localhost", "80", "--flags", "AI_NUMERICHOST"],
        "'localhost', 80, flags=socket.AI_NUMERICHOST",
    );
    check(
        &["localhost", "nosuchservice"],
        "'localhost', 'nosuchservice'",
    );
    check(&["localhost", "-1"], "'localhost', -1");
    check(&["None", "None"], "None, None");
    check(
        &["::1", "80", "--family", "AF_INET"],
        "'::1', 80, socket.AF_INET",
    );
    check(
        &["localhost", "80", "--type", "99"],
        "'localhost', 80, 0, 99",
    );
    check(
        &["localhost", "80", "--flags", "0x10000"],
        "'localhost', 80, flags=0x10000",
    );
    check(
        &["None", "80", "--flags", "AI_CANONNAME"],
        "None, 80, flags=socket.AI_CANONNAME",
    );
    check(
        &["no-such-host.invalid", "80", "--flags", "AI_NUMERICHOST"],
        "'no-such-host.invalid', 80, flags=socket.AI_NUMERICHOST",
    );
    // Raised by CPython before it asks the resolver anything.
    check(&["a..b", "80"], "'a..b', 80");
    let long_label = "a".repeat(64);
    check(&[&long_label, "80"], &format!("'{long_label}', 80"));
    check(
        &["localhost", "80", "--family", "4294967296"],
        "'localhost', 80, 4294967296",
    );
    check(
        &["a..b", "80", "--proto", "-4294967296"],
        "'a..b', 80, 0, 0, -4294967296",
    );
    check(
        &["localhost", "1180591620717411303424"],
        "'localhost', 1180591620717411303424",
    );
    check(&["a..b", "1180591620717411303424"], "'a..b', 2**70");
    check(&["localhost", "1.5"], "'localhost', 1.5");
    check(&["localhost", "True"], "'localhost', True");
}

/// A name that does not exist needs a DNS question; it stays on this machine only when the
/// name servers do (a local stub such as systemd-resolved answers `.invalid` itself).
#[test]
fn a_name_that_does_not_exist() {
    let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let mut servers = resolv
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .map(str::trim);
    if !servers.all(|s| s.starts_with("127.") || s == "::1") {
        println!("SKIPPED: a name server is off loopback; the lookup would leave this machine");
        return;
    }
    check(
        &["no-such-host.invalid", "80"],
        "'no-such-host.invalid', 80",
    );
}

#[test]
fn the_documented_examples() {
    let (ok, out, _) = common::socklab(&[
        "getaddrinfo",
        "localhost",
        "80",
        "--family",
        "AF_INET",
        "--type",
        "SOCK_STREAM",
    ]);
    assert!(ok);
    assert_eq!(
        out,
        "[(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))]"
    );
    let (ok, out, last) = common::socklab(&[
        "getaddrinfo",
        "localhost",
        "80",
        "--flags",
        "AI_NUMERICHOST",
    ]);
    assert!(!ok);
    assert_eq!(out, "");
    assert_eq!(
        last,
        "socket.gaierror: [Errno -2] Name or service not known"
    );
}

/// Names socklab does not know are usage errors (exit 2) that list the names it does know.
#[test]
fn unknown_names_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["--family", "AF_INET7"], "AF_UNSPEC, AF_INET, AF_INET6"),
        (
            &["--type", "SOCK_STREEM"],
            "SOCK_STREAM, SOCK_DGRAM, SOCK_RAW",
        ),
        (&["--proto", "TCP"], "IPPROTO_TCP, IPPROTO_UDP"),
        (&["--flags", "AI_PASSIVE|AI_BOGUS"], "AI_NUMERICSERV"),
    ];
    for (extra, names) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
            .args(["getaddrinfo", "localhost", "80"])
            .args(*extra)
            .output()
            .expect("socklab runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(names), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
}

/// Python sends a non-ASCII name through IDNA 2003's nameprep, which socklab does not
/// reproduce: it says so (exit 2) rather than print a guess.
#[test]
fn non_ascii_names_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
        .args(["getaddrinfo", "b\u{fc}cher.invalid", "80"])
        .output()
        .expect("socklab runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("xn--"), "{stderr}");
}

#[test]
fn help_says_what_it_prints_and_shows_examples() {
    let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
        .args(["getaddrinfo", "--help"])
        .output()
        .expect("socklab runs");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(help.contains("socket.getaddrinfo"), "{help}");
    assert!(help.contains("socklab getaddrinfo localhost 80"), "{help}");
}
