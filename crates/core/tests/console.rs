//! The console's evaluator against CPython 3.11: sessions typed at `python3 -i`, recorded by
//! `vectors/gen_console.py` (the lines need no companion), replayed line by line through a
//! fresh [`Pane`]; and the refusals, which CPython would run and the console does not.

use socklab_core::console::value::SOCKET_PY;
use socklab_core::console::{Alone, Pane};

/// Runs a line's future that needs no companion to its end.
fn ready<T>(f: impl std::future::Future<Output = T>) -> T {
    socklab_core::console::ready(f).expect("a line with no companion must not wait")
}

#[test]
fn sessions_print_what_python3_i_prints() {
    let text = include_str!("../vectors/console.json");
    let golden: serde_json::Value = serde_json::from_str(text).unwrap();
    let local_socket_py = golden["socket_py"].as_str().unwrap();
    let mut mismatches = Vec::new();
    let mut total = 0;
    for session in golden["sessions"].as_array().unwrap() {
        let mut pane = Pane::new();
        let lines = session["lines"].as_array().unwrap();
        let outputs = session["outputs"].as_array().unwrap();
        for (line, want) in lines.iter().zip(outputs) {
            total += 1;
            let line = line.as_str().unwrap();
            let want = want.as_str().unwrap().replace(local_socket_py, SOCKET_PY);
            let got = ready(pane.run(&Alone, line)).output;
            if got != want {
                mismatches.push(format!(
                    ">>> {line}\n--- CPython:\n{want}\n--- console:\n{got}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {total} lines differ from CPython:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

#[test]
fn what_the_console_does_not_run_is_refused_in_one_line() {
    let cases = [
        (
            "for i in range(3): print(i)",
            "loops are not supported here",
        ),
        ("while True: pass", "loops are not supported here"),
        ("if x: pass", "if/else is not supported here"),
        ("def f(): pass", "def, class and lambda"),
        (
            "with socket.socket() as s: pass",
            "with is not supported here",
        ),
        ("try: s.recv(1)", "try/except"),
        ("x += 1", "this statement is not supported here"),
        ("f'{x}'", "f-strings are not supported here"),
        ("import os", "os is not available here"),
    ];
    for (line, want) in cases {
        let ran = ready(Pane::new().run(&Alone, line));
        let note = ran.note.as_ref().expect("socklab's note");
        assert!(ran.raised, "{line}: {ran:?}");
        assert_eq!(note.line(), ran.output, "{line}");
        assert!(
            ran.output.starts_with("[socklab] ")
                && ran.output.contains(want)
                && !ran.output.contains('\n'),
            "{line}: {}",
            ran.output
        );
    }
}

#[test]
fn a_socket_line_without_a_companion_says_how_to_start_it() {
    let mut pane = Pane::new();
    assert_eq!(ready(pane.run(&Alone, "import socket")).output, "");
    let ran = ready(pane.run(&Alone, "s = socket.socket()"));
    assert_eq!(
        ran.note,
        Some(socklab_core::console::Note::Gone(
            socklab_core::console::Gone::NotConnected
        )),
        "{ran:?}"
    );
    assert!(
        ran.output.contains("no companion") && ran.output.contains("cargo xtask run"),
        "{}",
        ran.output
    );
    // Lines that need no companion still run.
    assert_eq!(ready(pane.run(&Alone, "socket.htons(80)")).output, "20480");
}

/// A line CPython runs is never a SyntaxError in the console: what the console does not run
/// (`;`, `@`, `|`, `{}`, shifts...) is socklab's refusal, and CPython itself (the live
/// interpreter) confirms each line is valid Python.
#[test]
fn valid_python_the_console_does_not_run_is_refused_not_a_syntax_error() {
    use socklab_core::console::syntax::Refusal;
    let cases = [
        ("print('hi'); x = 1", Refusal::Semicolon),
        ("x = 1;", Refusal::Semicolon),
        ("a = 1 @ 2", Refusal::Operator),
        ("x = ~1", Refusal::Operator),
        ("a = 1 ^ 2", Refusal::Operator),
        ("a = 1 & 2", Refusal::Operator),
        ("a = 1 | 2", Refusal::Operator),
        ("x = {1: 2}", Refusal::Operator),
        ("x = {1}", Refusal::Operator),
        ("x = 1 << 2", Refusal::Operator),
        ("x = 1 >> 2", Refusal::Operator),
        ("x = 2 ** 8", Refusal::Operator),
        ("2 ** 8", Refusal::Operator),
        ("x += 1", Refusal::Other),
    ];
    let lines: Vec<&str> = cases.iter().map(|(line, _)| *line).collect();
    let program = "import sys\nfor line in sys.stdin.read().split('\\n'):\n    compile(line, '<stdin>', 'single')\nprint('ok')";
    let out = std::process::Command::new("python3")
        .args(["-c", program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(lines.join("\n").as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3 (CPython 3.11, the reference) runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ok",
        "CPython: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (line, refusal) in cases {
        let ran = ready(Pane::new().run(&Alone, line));
        assert_eq!(
            ran.note,
            Some(socklab_core::console::Note::Refused(refusal)),
            "{line}: {}",
            ran.output
        );
    }
}
