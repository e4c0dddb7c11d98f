//! `cargo xtask bench companion`: live calls through the companion under load, side by side with
//! websockify (the usual way to put a TCP socket behind a WebSocket).
//!
//! For each N (100, 500, 1000 by default) it starts a fresh server, opens N sessions, measures
//! the server's memory with them idle, then drives all of them at once in two phases of a few
//! seconds each: closed loop (every session sends its next call as soon as the last is
//! answered: throughput), then paced (each session one call every `--pace` ms, 100 by default:
//! the latency a call sees under that load). A call is:
//!
//! - socklab (`target/release/socklab serve`): each session says `hello`, starts its
//!   `echo_tcp` peer, calls `socket()` and `connect()`, then does echo round trips as the page
//!   does them, `send(b'ping')` then `recv(64)`; each call is one measured "live call";
//! - websockify (from PyPI, in `target/bench-venv`, in its default forking mode) proxies to a
//!   TCP echo server in this process; each binary frame `ping` and its echo is one measured call.
//!
//! The load generator is one thread, on the same machine, talking to 127.0.0.1 only. It prints a
//! Markdown table and writes it to `target/bench-companion.md`.
//!
//! The files, in the order a run uses them: `load.rs` opens the sessions and drives them in
//! phases, `socklab.rs` and `websockify.rs` are the two servers and their clients, `procfs.rs`
//! reads their memory, and `report.rs` turns what was measured into the table.

mod load;
mod procfs;
mod report;
mod socklab;
mod websockify;

use crate::{cmd, root, status};
use anyhow::{Context, Result};
use clap::builder::RangedU64ValueParser;
use clap::Parser;
use report::Row;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The flags that lift socklab's per-session limits for the bench.
const SOCKLAB_LIMITS: [&str; 4] = ["--max-sessions", "2000", "--rate", "100000"];

/// The flags of `cargo xtask bench companion`.
#[derive(Parser)]
#[command(
    name = "cargo xtask bench companion",
    about = "Live calls through the companion under load, side by side with websockify"
)]
struct Options {
    /// The numbers of sessions N to run with, separated by commas.
    #[arg(long, value_delimiter = ',', default_value = "100,500,1000",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    sessions: Vec<usize>,
    /// How long each phase lasts, in whole seconds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    secs: u64,
    /// Milliseconds between one session's calls in the paced phase (0: no paced phase).
    #[arg(long = "pace", value_name = "MS", default_value_t = 100)]
    pace_ms: u64,
    /// Use the socklab already built in target/release instead of building it.
    #[arg(long)]
    no_build: bool,
    /// The socklab binary to run (implies --no-build).
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
}

impl Options {
    /// The paced phase's interval between one session's calls; `None` skips the phase.
    fn pace(&self) -> Option<Duration> {
        (self.pace_ms > 0).then(|| Duration::from_millis(self.pace_ms))
    }

    fn build(&self) -> bool {
        !self.no_build && self.binary.is_none()
    }

    fn binary(&self) -> PathBuf {
        self.binary
            .clone()
            .unwrap_or_else(|| root().join("target/release/socklab"))
    }
}

/// Runs the bench: `cargo xtask bench companion [--sessions 100,500,1000] [--secs 5]
/// [--pace 100] [--no-build | --binary PATH]`.
pub(super) fn run(args: &[String]) -> Result<()> {
    let opts = Options::parse_from(
        std::iter::once("cargo xtask bench companion").chain(args.iter().map(String::as_str)),
    );
    if cfg!(debug_assertions) {
        return run_optimized(args);
    }
    let binary = opts.binary();
    if opts.build() {
        println!("== building the companion (cargo build --release -p socklab)");
        status(
            cmd("cargo").args(["build", "--release", "-p", "socklab"]),
            "cargo build --release -p socklab",
        )?;
    }
    anyhow::ensure!(
        binary.exists(),
        "{} does not exist: build it, or drop --no-build",
        binary.display()
    );
    let help = cmd(path_str(&binary))
        .args(["serve", "--help"])
        .output()
        .context("running socklab serve --help")?;
    let help = String::from_utf8_lossy(&help.stdout);
    let has_limits = help.contains("--max-sessions") && help.contains("--rate");
    if !has_limits {
        println!(
            "note: this socklab has no --max-sessions/--rate yet: it runs with its own limits \
             (64 sessions, 50 requests/s each), so expect refusals and rate_limited errors"
        );
    }
    let websockify = websockify::ensure_installed();
    let max_n = opts.sessions.iter().copied().max().unwrap_or(0);
    let fd_note = procfs::raise_fd_limit(4 * max_n as u64 + 512);
    let logs = root().join("target/bench-companion-logs");
    std::fs::create_dir_all(&logs)?;
    for log in ["socklab.log", "websockify.log"] {
        std::fs::write(logs.join(log), "")?;
    }
    let dist = std::env::temp_dir().join(format!("socklab-bench-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist)?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let rows = rt.block_on(async {
        let mut rows = Vec::new();
        for &n in &opts.sessions {
            println!("\n== N = {n}: socklab");
            let row = socklab::bench(n, &opts, &dist, has_limits, &logs).await;
            report::print_row(&row);
            rows.push(row);
            println!("== N = {n}: websockify");
            let row = match &websockify {
                Ok(w) => websockify::bench(n, &opts, &w.exe, &logs).await,
                Err(e) => Row::failed("websockify", n, format!("not installed: {e:#}")),
            };
            report::print_row(&row);
            rows.push(row);
        }
        rows
    });
    let _ = std::fs::remove_dir_all(&dist);

    let report = report::report(
        &rows,
        &opts,
        websockify.as_ref().ok().map(|w| w.version.as_str()),
        has_limits,
        fd_note.as_deref(),
    );
    println!("\n{report}");
    let out = root().join("target/bench-companion.md");
    std::fs::write(&out, &report).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "(written to {}; server logs in {})",
        out.display(),
        logs.display()
    );
    Ok(())
}

/// `cargo xtask` is a debug build, too slow to be the load generator: builds xtask optimized
/// (in its own target folder, without LTO, so it never touches the socklab build) and runs the
/// bench in it.
fn run_optimized(args: &[String]) -> Result<()> {
    println!("== building the load generator (xtask, optimized, in target/bench-xtask)");
    let target = root().join("target/bench-xtask");
    status(
        cmd("cargo")
            .args(["build", "--release", "-p", "xtask", "--target-dir"])
            .arg(&target)
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        "cargo build --release -p xtask",
    )?;
    status(
        cmd(path_str(&target.join("release/xtask")))
            .args(["bench", "companion"])
            .args(args),
        "the optimized bench",
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(
            std::iter::once("cargo xtask bench companion").chain(args.iter().copied()),
        )
    }

    #[test]
    fn flags() {
        Options::command().debug_assert();
        let o = parse(&[]).unwrap();
        assert_eq!(o.sessions, [100, 500, 1000]);
        assert_eq!(
            (o.secs, o.pace(), o.build()),
            (5, Some(Duration::from_millis(100)), true)
        );
        let o = parse(&[
            "--sessions",
            "1,20",
            "--secs",
            "1",
            "--pace",
            "0",
            "--binary",
            "/s",
        ])
        .unwrap();
        assert_eq!(o.sessions, [1, 20]);
        assert_eq!((o.secs, o.pace(), o.build()), (1, None, false));
        assert_eq!(o.binary(), Path::new("/s"));
        assert!(!parse(&["--no-build"]).unwrap().build());
        for bad in [
            &["--sessions", "0"][..],
            &["--sessions", "1,x"],
            &["--secs", "0"],
            &["--x"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
