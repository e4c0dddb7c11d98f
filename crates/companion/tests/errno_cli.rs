//! `socklab errno` against live CPython: the first line of stdout is what Python prints for
//! the error, `--list` agrees with Python's `errno` module, and mistakes exit 1 with advice.

mod common;

use std::process::Command;

/// Runs `socklab errno ARGS`: (success, stdout, stderr), untrimmed.
fn socklab(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_socklab"))
        .arg("errno")
        .args(args)
        .output()
        .expect("socklab runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// What Python prints as the last traceback line for `OSError(n, os.strerror(n))`, with `n`
/// given as a Python expression (`111`, `errno.ECONNREFUSED`).
fn python_line(n: &str) -> Option<String> {
    let (ok, stdout, stderr) = common::python(&format!(
        "import errno, os\nn = {n}\nraise OSError(n, os.strerror(n))"
    ))?;
    assert!(!ok && stdout.is_empty(), "python3 did not raise for {n}");
    Some(stderr)
}

#[test]
fn first_line_is_what_python_prints() {
    let names = [
        "ECONNREFUSED",
        "ECONNRESET",
        "EADDRINUSE",
        "ETIMEDOUT",
        "EAGAIN",
        "EWOULDBLOCK",
        "EPIPE",
        "ECONNABORTED",
        "EADDRNOTAVAIL",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EINPROGRESS",
        "EALREADY",
        "EISCONN",
        "ENOTCONN",
        "EMSGSIZE",
        "EAFNOSUPPORT",
        "EINVAL",
        "EACCES",
        "EINTR",
        "EBADF",
        "ENOTSOCK",
        "EPROTOTYPE",
        "ENOENT",
        "EPERM",
        "ESRCH",
        "ECHILD",
        "EEXIST",
        "EISDIR",
        "ENOTDIR",
        "ESHUTDOWN",
        "EDEADLOCK",
        "ENOTSUP",
        "ERFKILL",
    ];
    let mut compared = 0;
    for name in names {
        let Some(want) = python_line(&format!("errno.{name}")) else {
            println!("SKIPPED: no python3");
            return;
        };
        for query in [name.to_owned(), name.to_lowercase()] {
            let (ok, stdout, stderr) = socklab(&[&query]);
            assert!(ok, "socklab errno {query}: {stderr}");
            assert_eq!(stdout.lines().next(), Some(want.as_str()), "{query}");
        }
        compared += 1;
    }
    for n in [
        1, 2, 4, 9, 11, 13, 22, 24, 32, 35, 61, 95, 98, 103, 104, 110, 111, 113, 132,
    ] {
        let want = python_line(&n.to_string()).unwrap();
        let (ok, stdout, stderr) = socklab(&[&n.to_string()]);
        assert!(ok, "socklab errno {n}: {stderr}");
        assert_eq!(stdout.lines().next(), Some(want.as_str()), "{n}");
        compared += 1;
    }
    assert_eq!(compared, names.len() + 19);
}

#[test]
fn other_systems_numbers_decode_to_the_linux_error() {
    let Some(want) = python_line("errno.ECONNREFUSED") else {
        return;
    };
    for (query, note) in [
        ("10061", "WSAECONNREFUSED 10061 on Windows"),
        ("WSAECONNREFUSED", ""),
    ] {
        let (ok, stdout, _) = socklab(&[query]);
        assert!(ok);
        assert_eq!(stdout.lines().next(), Some(want.as_str()), "{query}");
        assert!(stdout.contains(note), "{query}: {stdout}");
    }
    // 61 is ENODATA on Linux; the answer says so first, then that macOS means ECONNREFUSED.
    let (ok, stdout, _) = socklab(&["61"]);
    assert!(ok);
    assert_eq!(stdout.lines().next(), python_line("61").as_deref());
    assert!(stdout.contains("ECONNREFUSED 61 on macOS"), "{stdout}");
}

#[test]
fn getaddrinfo_errors_match_a_real_failure() {
    // A lookup that fails without touching the network: no host and no service.
    let Some((ok, _, want)) = common::python("import socket\nsocket.getaddrinfo(None, None)")
    else {
        return;
    };
    assert!(!ok);
    for query in ["EAI_NONAME", "-2"] {
        let (ok, stdout, stderr) = socklab(&[query]);
        assert!(ok, "{query}: {stderr}");
        assert_eq!(stdout.lines().next(), Some(want.as_str()), "{query}");
    }
}

#[test]
fn list_is_pythons_errno_module() {
    let Some((ok, want, _)) = common::python(
        "import errno, os\n\
         for name in sorted(n for n in dir(errno) if n.startswith('E')):\n    \
             print(name, getattr(errno, name), os.strerror(getattr(errno, name)))",
    ) else {
        return;
    };
    assert!(ok);
    let (ok, stdout, _) = socklab(&["--list"]);
    assert!(ok);
    let ours: Vec<&str> = stdout.lines().collect();
    for line in want.lines() {
        assert!(ours.contains(&line), "--list lacks {line:?}");
    }
    // What Linux has beyond Python 3.11's errno module.
    assert_eq!(ours.len(), want.lines().count() + 1);
    assert!(ours.contains(&"EHWPOISON 133 Memory page has hardware error"));
}

#[test]
fn the_rest_of_the_entry_in_both_languages() {
    let (ok, en, _) = socklab(&["ECONNREFUSED"]);
    assert!(ok);
    for part in [
        "name:        ECONNREFUSED (Linux 111)",
        "macOS:       ECONNREFUSED 61",
        "Windows:     WSAECONNREFUSED 10061",
        "ConnectionRefusedError -> ConnectionError -> OSError",
        "causes:",
        "fixes:",
        "raised by:   connect()",
        "    client.connect(",
    ] {
        assert!(en.contains(part), "{part:?} missing from:\n{en}");
    }
    let (ok, zh, _) = socklab(&["--lang", "zh-CN", "ECONNREFUSED"]);
    assert!(ok);
    assert_eq!(
        zh.lines().next(),
        en.lines().next(),
        "Python's line is Python's"
    );
    assert!(zh.contains("连接被拒绝"), "{zh}");
    assert!(zh.contains("常见原因"), "{zh}");
    // Windows has no EPIPE, and the answer says so.
    let (_, epipe, _) = socklab(&["EPIPE"]);
    assert!(epipe.contains("Windows:     none"), "{epipe}");
}

#[test]
fn mistakes_exit_1_and_say_what_would_be_right() {
    let (ok, stdout, last) = common::socklab(&["errno", "ECONREFUSED"]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(last.contains("socklab errno --list"), "{last}");
    let (_, _, stderr) = socklab(&["ECONREFUSED"]);
    assert!(stderr.contains("no errno or getaddrinfo error is named \"ECONREFUSED\""));
    assert!(stderr.contains("did you mean: ECONNREFUSED?"), "{stderr}");

    let (ok, _, stderr) = socklab(&["ConnectionRefusedError"]);
    assert!(!ok);
    assert!(stderr.contains("is an exception class"), "{stderr}");
    assert!(stderr.contains("ECONNREFUSED"), "{stderr}");

    let (ok, _, stderr) = socklab(&["200"]);
    assert!(!ok);
    assert!(stderr.contains("200 is not an error number"), "{stderr}");
    assert!(
        stderr.contains("OSError: [Errno 200] Unknown error 200"),
        "{stderr}"
    );

    let (ok, _, stderr) = socklab(&["--lang", "fr", "111"]);
    assert!(!ok);
    assert!(stderr.contains("use en or zh-CN"), "{stderr}");
}
