//! `cargo xtask test`: setup, then every check and suite, then one summary line.
//!
//! Stages run in order and all run even when one fails, so one report shows everything; the
//! exit code is non-zero if anything failed. Test counts are read from each runner's own
//! closing lines (cargo's `test result:`, Playwright's `N passed`).

use crate::{cmd, setup};
use anyhow::{bail, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Counts gathered from the runners.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
    lines: Vec<String>,
}

impl Tally {
    fn record(&mut self, stage: &str, outcome: &Outcome) {
        self.passed += outcome.passed;
        self.failed += outcome.failed + u64::from(!outcome.ok && outcome.failed == 0);
        let mark = if outcome.ok { "✓" } else { "✗" };
        let counts = if outcome.counted {
            format!(" {} passed, {} failed", outcome.passed, outcome.failed)
        } else {
            String::new()
        };
        self.lines
            .push(format!("  {mark} {stage}{counts} ({:.0?})", outcome.took));
    }
}

/// What one stage did.
#[derive(Debug)]
struct Outcome {
    ok: bool,
    counted: bool,
    passed: u64,
    failed: u64,
    took: std::time::Duration,
}

/// Runs a command, echoing its stdout while reading test counts from it.
fn stage(c: &mut Command) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        ok: false,
        counted: false,
        passed: 0,
        failed: 0,
        took: Default::default(),
    };
    let child = c.stdout(Stdio::piped()).spawn();
    let Ok(mut child) = child else {
        eprintln!("xtask test: could not start {c:?}");
        return outcome;
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some((p, f)) = counts(&line) {
                outcome.counted = true;
                outcome.passed += p;
                outcome.failed += f;
            }
        }
    }
    outcome.ok = child.wait().is_ok_and(|s| s.success());
    outcome.took = started.elapsed();
    outcome
}

/// Test counts in a runner's closing line: cargo/wasm-bindgen's `test result: ok. 3 passed; 1
/// failed; ...`, or Playwright's `  7 passed (14.7s)` / `  1 failed`.
fn counts(line: &str) -> Option<(u64, u64)> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("test result: ") {
        let num = |word: &str| {
            rest.split(';').find_map(|part| {
                part.trim()
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .strip_suffix(word)?
                    .trim()
                    .parse()
                    .ok()
            })
        };
        return Some((num(" passed").unwrap_or(0), num(" failed").unwrap_or(0)));
    }
    let mut words = t.split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next()? {
        "passed" => Some((n, 0)),
        "failed" => Some((0, n)),
        _ => None,
    }
}

/// The app built for the browser, as the wasm tests select it (core's data compiled in).
const WASM_APP: &[&str] = &[
    "-p",
    "socklab-app",
    "--target",
    "wasm32-unknown-unknown",
    "--features",
    "csr",
];
/// The app as trunk ships it (index.html): core's deferred data left out, for clippy.
const WASM_SHIPPED: &[&str] = &[
    "-p",
    "socklab-app",
    "--target",
    "wasm32-unknown-unknown",
    "--features",
    "csr,deferred",
];
/// Each build as trunk ships it (index.html: one feature of core's builds each), for clippy.
const WASM_BUILDS: [&str; 3] = [
    "csr,deferred,lite",
    "csr,deferred,console",
    "csr,deferred,live",
];

pub(crate) fn run() -> Result<()> {
    let started = Instant::now();
    let tools = setup::run()?;
    let mut tally = Tally::default();
    let cargo = |args: &[&str]| {
        let mut c = cmd("cargo");
        c.args(args);
        c
    };

    println!("\n== rustfmt");
    tally.record(
        "cargo fmt --check",
        &stage(&mut cargo(&["fmt", "--all", "--", "--check"])),
    );
    println!("\n== clippy (native)");
    tally.record(
        "clippy -D warnings",
        &stage(&mut cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    println!("\n== clippy (wasm app)");
    tally.record(
        "clippy wasm32 -D warnings",
        &stage(&mut cargo(
            &[
                &["clippy"],
                WASM_SHIPPED,
                &["--all-targets", "--", "-D", "warnings"],
            ]
            .concat(),
        )),
    );
    for features in WASM_BUILDS {
        println!("\n== clippy (wasm app, {features})");
        tally.record(
            &format!("clippy wasm32 {features} -D warnings"),
            &stage(&mut cargo(&[
                "clippy",
                "-p",
                "socklab-app",
                "--target",
                "wasm32-unknown-unknown",
                "--no-default-features",
                "--features",
                features,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])),
        );
    }
    println!("\n== native tests (whole workspace, CPython differential included)");
    tally.record("native tests", &stage(&mut cargo(&["test", "--workspace"])));

    if !tools.browser {
        tally.failed += 1;
        tally.lines.push("  ✗ browser suites: chromium and chromium-driver are not installed (see setup's message)".to_owned());
    } else {
        println!("\n== wasm tests in headless Chromium");
        let mut wasm = cargo(&[&["test"], WASM_APP, &["--test", "web"]].concat());
        wasm.env("CHROMEDRIVER", "/usr/bin/chromedriver");
        tally.record("wasm tests (Chromium)", &stage(&mut wasm));

        println!("\n== app build (trunk build --release) and companion build");
        let build = stage(cmd("trunk").args(["build", "--release"]));
        let companion_build = stage(&mut cargo(&["build", "-p", "socklab"]));
        let built = build.ok && companion_build.ok;
        tally.record("trunk build --release", &build);
        tally.record("cargo build -p socklab", &companion_build);
        if built {
            println!("\n== end-to-end tests (Playwright, Chromium, real socklab serve)");
            let companion = crate::serving::Companion::start("debug")?;
            println!("socklab serve: {}", companion.url);
            let mut e2e = cmd("playwright");
            e2e.args(["test"]).env("SOCKLAB_URL", &companion.url);
            tally.record("end-to-end (Playwright)", &stage(&mut e2e));
            drop(companion);
        }
    }

    println!("\n== summary ({:.0?})", started.elapsed());
    for line in &tally.lines {
        println!("{line}");
    }
    println!("socklab: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        bail!("{} failed", tally.failed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::counts;

    #[test]
    fn reads_runner_closing_lines() {
        assert_eq!(
            counts("test result: ok. 16 passed; 0 failed; 0 ignored; 0 measured"),
            Some((16, 0))
        );
        assert_eq!(
            counts("test result: FAILED. 15 passed; 1 failed; 0 ignored"),
            Some((15, 1))
        );
        assert_eq!(counts("  7 passed (14.7s)"), Some((7, 0)));
        assert_eq!(counts("  2 failed"), Some((0, 2)));
        assert_eq!(counts("  1 flaky"), None);
        assert_eq!(counts("Compiling socklab v0.1.0"), None);
    }
}
