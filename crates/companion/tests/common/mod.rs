//! Running `socklab` and `python3` the same way, to compare what they print.

use std::process::{Command, Output};

/// (success, stdout trimmed, last line of stderr): what a diff against Python looks at.
pub(crate) type Outcome = (bool, String, String);

pub(crate) fn outcome(out: &Output) -> Outcome {
    let last = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        last,
    )
}

/// Runs the socklab binary with these arguments.
pub(crate) fn socklab(args: &[&str]) -> Outcome {
    outcome(
        &Command::new(env!("CARGO_BIN_EXE_socklab"))
            .args(args)
            .output()
            .expect("socklab runs"),
    )
}

/// Runs a Python program, or `None` when there is no python3.
pub(crate) fn python(source: &str) -> Option<Outcome> {
    Command::new("python3")
        .args(["-c", source])
        .output()
        .ok()
        .map(|out| outcome(&out))
}
