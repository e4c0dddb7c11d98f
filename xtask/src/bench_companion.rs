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

use crate::{cmd, root, status};
use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How many sessions are being opened at once (both servers get the same).
const SETUP_CONCURRENCY: usize = 32;
/// How long one session may take to open (upgrade and, for socklab, hello/peer/socket/connect).
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one call may take before its session counts it as timed out and stops.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the servers get to settle before their memory is read.
const SETTLE: Duration = Duration::from_secs(1);
/// The flags that lift socklab's per-session limits for the bench.
const SOCKLAB_LIMITS: [&str; 4] = ["--max-sessions", "2000", "--rate", "100000"];

struct Options {
    sessions: Vec<usize>,
    secs: u64,
    /// The paced phase's interval between one session's calls; `None` skips the phase.
    pace: Option<Duration>,
    build: bool,
    binary: PathBuf,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        sessions: vec![100, 500, 1000],
        secs: 5,
        pace: Some(Duration::from_millis(100)),
        build: true,
        binary: root().join("target/release/socklab"),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--sessions" => {
                o.sessions = value()?
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .context("--sessions takes numbers separated by commas: 100,500,1000")?;
            }
            "--secs" => o.secs = value()?.parse().context("--secs takes whole seconds")?,
            "--pace" => {
                let ms: u64 = value()?
                    .parse()
                    .context("--pace takes milliseconds between one session's calls (0: none)")?;
                o.pace = (ms > 0).then(|| Duration::from_millis(ms));
            }
            "--no-build" => o.build = false,
            "--binary" => {
                o.binary = PathBuf::from(value()?);
                o.build = false;
            }
            other => bail!(
                "unknown option {other}; bench companion takes --sessions 100,500,1000, \
                 --secs 5, --pace 100 (ms; 0 for none), --no-build, --binary PATH"
            ),
        }
    }
    anyhow::ensure!(
        !o.sessions.is_empty() && o.sessions.iter().all(|&n| n > 0),
        "--sessions needs at least one number above 0"
    );
    anyhow::ensure!(o.secs > 0, "--secs must be at least 1");
    Ok(o)
}

/// Runs the bench: `cargo xtask bench companion [--sessions 100,500,1000] [--secs 5]
/// [--no-build | --binary PATH]`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    if cfg!(debug_assertions) {
        return run_optimized(args);
    }
    if opts.build {
        println!("== building the companion (cargo build --release -p socklab)");
        status(
            cmd("cargo").args(["build", "--release", "-p", "socklab"]),
            "cargo build --release -p socklab",
        )?;
    }
    anyhow::ensure!(
        opts.binary.exists(),
        "{} does not exist: build it, or drop --no-build",
        opts.binary.display()
    );
    let help = cmd(path_str(&opts.binary))
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
    let websockify = ensure_websockify();
    let max_n = opts.sessions.iter().copied().max().unwrap_or(0);
    let fd_note = raise_fd_limit(4 * max_n as u64 + 512);
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
            let row = bench_socklab(n, &opts, &dist, has_limits, &logs).await;
            print_row(&row);
            rows.push(row);
            println!("== N = {n}: websockify");
            let row = match &websockify {
                Ok(w) => bench_websockify(n, &opts, &w.exe, &logs).await,
                Err(e) => Row::failed("websockify", n, format!("not installed: {e:#}")),
            };
            print_row(&row);
            rows.push(row);
        }
        rows
    });
    let _ = std::fs::remove_dir_all(&dist);

    let report = report(
        &rows,
        &opts,
        websockify.as_ref().ok(),
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

// ---------------------------------------------------------------------------------------------
// Results

/// What the sessions of one run measured, merged.
#[derive(Default)]
struct Load {
    latencies_us: Vec<u32>,
    failed: u64,
    errors: BTreeMap<String, u64>,
    /// Sessions that made calls and saw none fail.
    served: usize,
    /// Paced calls that started more than one interval after their time (the load generator
    /// fell behind, so the latencies of this phase would understate the truth).
    late: u64,
}

impl Load {
    fn ok(&mut self, since: Instant) {
        let us = since.elapsed().as_micros();
        self.latencies_us
            .push(u32::try_from(us).unwrap_or(u32::MAX));
    }

    fn error(&mut self, kind: String) {
        self.failed += 1;
        *self.errors.entry(kind).or_default() += 1;
    }

    /// Ends one session's part: it was served if it made calls and none failed.
    fn done(mut self) -> Load {
        self.served = usize::from(self.failed == 0 && !self.latencies_us.is_empty());
        self
    }

    fn merge(&mut self, other: Load) {
        self.served += other.served;
        self.late += other.late;
        self.latencies_us.extend(other.latencies_us);
        self.failed += other.failed;
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }
}

/// One line of the table.
struct Row {
    server: &'static str,
    n: usize,
    up: usize,
    setup_secs: f64,
    /// The closed-loop phase.
    closed: Phase,
    /// The paced phase, unless `--pace 0`.
    paced: Option<Phase>,
    idle_kib: Option<f64>,
    idle_pss_kib: Option<f64>,
    processes: usize,
    setup_errors: BTreeMap<String, u64>,
    note: Option<String>,
}

impl Row {
    fn failed(server: &'static str, n: usize, note: String) -> Row {
        Row {
            server,
            n,
            up: 0,
            setup_secs: 0.0,
            closed: Phase::default(),
            paced: None,
            idle_kib: None,
            idle_pss_kib: None,
            processes: 0,
            setup_errors: BTreeMap::new(),
            note: Some(note),
        }
    }

    /// `alive` is how many sessions were open when the memory was read.
    fn measured(
        server: &'static str,
        n: usize,
        opened: Opened,
        alive: usize,
        memory: Memory,
        (closed, paced): (Run, Option<Run>),
    ) -> Row {
        let per_session = |kib: u64, base: u64| {
            (alive > 0).then(|| kib.saturating_sub(base) as f64 / alive as f64)
        };
        Row {
            server,
            n,
            up: opened.up,
            setup_secs: opened.secs,
            closed: Phase::from(closed),
            paced: paced.map(Phase::from),
            idle_kib: per_session(memory.idle.rss_kib, memory.base.rss_kib),
            idle_pss_kib: per_session(memory.idle.pss_kib, memory.base.pss_kib),
            processes: memory.idle.processes,
            setup_errors: opened.errors,
            note: None,
        }
    }
}

/// What one phase of a row measured.
#[derive(Default)]
struct Phase {
    /// Sessions that made calls in it and saw none fail.
    served: usize,
    p50_us: Option<u32>,
    p99_us: Option<u32>,
    calls: usize,
    calls_per_sec: f64,
    failed: u64,
    late: u64,
    errors: BTreeMap<String, u64>,
}

impl From<Run> for Phase {
    fn from(run: Run) -> Phase {
        let Run { mut load, elapsed } = run;
        load.latencies_us.sort_unstable();
        Phase {
            served: load.served,
            p50_us: percentile(&load.latencies_us, 0.50),
            p99_us: percentile(&load.latencies_us, 0.99),
            calls: load.latencies_us.len(),
            calls_per_sec: load.latencies_us.len() as f64 / elapsed.as_secs_f64().max(1e-9),
            failed: load.failed,
            late: load.late,
            errors: load.errors,
        }
    }
}

fn percentile(sorted: &[u32], q: f64) -> Option<u32> {
    let last = sorted.len().checked_sub(1)?;
    sorted.get(((last as f64) * q).round() as usize).copied()
}

fn ms(us: Option<u32>) -> String {
    us.map_or_else(
        || "–".to_owned(),
        |us| format!("{:.2}", f64::from(us) / 1000.0),
    )
}

fn print_row(row: &Row) {
    println!(
        "   {} sessions opened of {}, {} served (opened in {:.1} s); p50 {} ms, p99 {} ms, \
         {:.0} calls/s, {} KiB per idle session, {} failed calls",
        row.up,
        row.n,
        row.closed.served,
        row.setup_secs,
        ms(row.closed.p50_us),
        ms(row.closed.p99_us),
        row.closed.calls_per_sec,
        row.idle_kib
            .map_or_else(|| "–".to_owned(), |k| format!("{k:.0}")),
        row.closed.failed
    );
    for (what, count) in row.setup_errors.iter().chain(&row.closed.errors) {
        println!("   {count} × {what}");
    }
    if let Some(p) = &row.paced {
        println!(
            "   paced: p50 {} ms, p99 {} ms, {:.0} calls/s, {} started late, {} failed calls",
            ms(p.p50_us),
            ms(p.p99_us),
            p.calls_per_sec,
            p.late,
            p.failed
        );
        for (what, count) in &p.errors {
            println!("   paced: {count} × {what}");
        }
    }
    if let Some(note) = &row.note {
        println!("   {note}");
    }
}

fn errors_text(errors: &BTreeMap<String, u64>) -> String {
    errors
        .iter()
        .map(|(what, count)| format!("{count} × {what}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn report(
    rows: &[Row],
    opts: &Options,
    websockify: Option<&Websockify>,
    has_limits: bool,
    fd_note: Option<&str>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| N sessions | server | sessions served | p50 (ms) | p99 (ms) | calls/s | paced p50 (ms) | paced p99 (ms) | KiB per idle session | failed calls |"
    );
    let _ = writeln!(s, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let paced = |f: fn(&Phase) -> Option<u32>| ms(r.paced.as_ref().and_then(f));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {} |",
            r.n,
            r.server,
            r.closed.served,
            ms(r.closed.p50_us),
            ms(r.closed.p99_us),
            r.closed.calls_per_sec,
            paced(|p| p.p50_us),
            paced(|p| p.p99_us),
            r.idle_kib
                .map_or_else(|| "–".to_owned(), |k| format!("{k:.0}")),
            r.closed.failed + r.paced.as_ref().map_or(0, |p| p.failed)
        );
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "- Sessions served: sessions that opened, made calls, and had none fail. p50/p99: \
         latency of one call. calls/s: calls answered by all sessions together, per second."
    );
    let _ = writeln!(
        s,
        "- Machine: {cores} cores ({cpu}); the servers and this one-thread load generator share \
         them. Everything on 127.0.0.1. Two phases of {} s per N, after all N sessions are \
         open. Closed loop (p50, p99, calls/s): every session busy at once, one call outstanding \
         per session, the next sent as soon as the last is answered; this measures throughput, \
         and its latency is N over throughput (Little's law). {}",
        opts.secs,
        match opts.pace {
            Some(p) => format!(
                "Paced (paced p50, p99): each session makes one call every {} ms, the sessions' \
                 calls spread evenly over the interval, as learners do not click in step; this \
                 measures the latency one call sees at that load (N / {} s calls per second in \
                 all), timed from when it is sent.",
                p.as_millis(),
                p.as_secs_f64()
            ),
            None => "No paced phase (--pace 0).".to_owned(),
        }
    );
    let _ = writeln!(
        s,
        "- socklab: `socklab serve {}`, a fresh process per N. One live call = one `call` message \
         answered by its `result` (`send(b'ping')` or `recv(64)` on a socket connected to the \
         session's `echo_tcp` peer), with the `event` pushes in between skipped. Idle memory: \
         VmRSS of the socklab process with N sessions open (each after hello, peer, socket, \
         connect), minus VmRSS with none, over N; it includes each session's echo peer (its \
         listener and both ends of its TCP connection).",
        if has_limits {
            SOCKLAB_LIMITS.join(" ")
        } else {
            "(no --max-sessions/--rate in this build: its defaults applied)".to_owned()
        }
    );
    let version = websockify.map_or_else(|| "not installed".to_owned(), |w| w.version.clone());
    let _ = writeln!(
        s,
        "- websockify {version}: `websockify 127.0.0.1:WSPORT 127.0.0.1:ECHOPORT` in its default \
         mode, which forks one process per connection; a fresh server per N; the echo server is \
         a tokio task in the bench process. One call = one binary frame `ping` out and its echo \
         back. Idle memory: the VmRSS of the parent and all its child processes, summed, with N \
         connections open (each proxied to the echo server), minus the parent's alone, over the \
         connections whose child process was alive then. \
         Summed RSS counts the pages forked children share with their parent once per process; \
         the proportional set size (Pss, /proc/PID/smaps_rollup), which splits shared pages \
         between the processes sharing them, is given below."
    );
    for r in rows {
        let mut parts = vec![format!(
            "{} of {} sessions opened in {:.1} s",
            r.up, r.n, r.setup_secs
        )];
        if r.server == "websockify" && r.processes > 0 {
            parts.push(format!("{} processes with N open", r.processes));
        }
        if let Some(pss) = r.idle_pss_kib {
            parts.push(format!("{pss:.0} KiB Pss per idle session"));
        }
        parts.push(format!("{} calls", r.closed.calls));
        if let Some(p) = &r.paced {
            parts.push(format!(
                "paced: {} calls, {:.0} calls/s, {} started over an interval late",
                p.calls, p.calls_per_sec, p.late
            ));
            if !p.errors.is_empty() {
                parts.push(format!("paced failed calls: {}", errors_text(&p.errors)));
            }
        }
        if !r.setup_errors.is_empty() {
            parts.push(format!(
                "sessions that did not open: {}",
                errors_text(&r.setup_errors)
            ));
        }
        if !r.closed.errors.is_empty() {
            parts.push(format!("failed calls: {}", errors_text(&r.closed.errors)));
        }
        if let Some(note) = &r.note {
            parts.push(note.clone());
        }
        let _ = writeln!(s, "- N = {}, {}: {}.", r.n, r.server, parts.join(", "));
    }
    if let Some(note) = fd_note {
        let _ = writeln!(s, "- {note}");
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Phases shared by both servers

/// The sessions that opened, and why the others did not.
struct Opened {
    up: usize,
    secs: f64,
    errors: BTreeMap<String, u64>,
}

/// Opens `n` sessions, [`SETUP_CONCURRENCY`] at a time.
async fn open_all<S, F, Fut>(n: usize, open: F) -> (Vec<S>, Opened)
where
    S: Send + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<S, String>> + Send + 'static,
{
    let start = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(SETUP_CONCURRENCY));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let gate = Arc::clone(&gate);
            let fut = open();
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await;
                match tokio::time::timeout(SETUP_TIMEOUT, fut).await {
                    Ok(r) => r,
                    Err(_) => Err(format!("did not open within {} s", SETUP_TIMEOUT.as_secs())),
                }
            })
        })
        .collect();
    let mut sessions = Vec::with_capacity(n);
    let mut errors = BTreeMap::new();
    for task in tasks {
        match task.await {
            Ok(Ok(s)) => sessions.push(s),
            Ok(Err(e)) => *errors.entry(e).or_default() += 1,
            Err(e) => *errors.entry(format!("task failed: {e}")).or_default() += 1,
        }
    }
    let opened = Opened {
        up: sessions.len(),
        secs: start.elapsed().as_secs_f64(),
        errors,
    };
    (sessions, opened)
}

struct Run {
    load: Load,
    elapsed: Duration,
}

/// When one session makes its calls in a phase: back to back (closed loop) or one per `pace`.
#[derive(Clone, Copy)]
struct Schedule {
    until: Instant,
    pace: Option<Duration>,
    /// The paced phase's next call time.
    next: Instant,
}

impl Schedule {
    /// Waits until the next call may start; false once the phase is over. Paced calls start at
    /// `next`, `next + pace`, and so on; one that starts more than an interval late (the load
    /// generator fell behind) is counted in `load.late`.
    async fn next(&mut self, load: &mut Load) -> bool {
        if let Some(pace) = self.pace {
            tokio::time::sleep_until(self.next.into()).await;
            if self.next.elapsed() > pace {
                load.late += 1;
            }
            self.next += pace;
        }
        Instant::now() < self.until
    }
}

/// Drives every session at once until `secs` have passed, back to back or one call per `pace`;
/// each finishes the call it is in. Returns the sessions still usable, for the next phase.
async fn load_all<S, F, Fut>(
    sessions: Vec<S>,
    secs: u64,
    pace: Option<Duration>,
    drive: F,
) -> (Vec<S>, Run)
where
    S: Send + 'static,
    F: Fn(S, Schedule) -> Fut,
    Fut: Future<Output = (Option<S>, Load)> + Send + 'static,
{
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let n = sessions.len().max(1) as f64;
    let tasks: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            // Paced sessions start spread over one interval: learners do not click in step.
            let offset = pace.map_or(Duration::ZERO, |p| p.mul_f64(i as f64 / n));
            let schedule = Schedule {
                until,
                pace,
                next: start + offset,
            };
            tokio::spawn(drive(s, schedule))
        })
        .collect();
    let mut load = Load::default();
    let mut usable = Vec::new();
    for task in tasks {
        match task.await {
            Ok((s, l)) => {
                load.merge(l);
                usable.extend(s);
            }
            Err(e) => load.error(format!("task failed: {e}")),
        }
    }
    let run = Run {
        load,
        elapsed: start.elapsed(),
    };
    (usable, run)
}

/// The closed-loop phase, then (unless `--pace 0`) the paced phase on the same sessions.
async fn both_phases<S, F, Fut>(sessions: Vec<S>, opts: &Options, drive: F) -> (Run, Option<Run>)
where
    S: Send + 'static,
    F: Fn(S, Schedule) -> Fut + Copy,
    Fut: Future<Output = (Option<S>, Load)> + Send + 'static,
{
    let (sessions, closed) = load_all(sessions, opts.secs, None, drive).await;
    let paced = match opts.pace {
        Some(pace) => Some(load_all(sessions, opts.secs, Some(pace), drive).await.1),
        None => None,
    };
    (closed, paced)
}

async fn ws_connect(url: &str) -> Result<Ws, String> {
    match tokio_tungstenite::connect_async_with_config(url, None, true).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            Err(format!("upgrade refused: HTTP {}", resp.status()))
        }
        Err(e) => Err(format!("WebSocket connect: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Memory, from /proc

#[derive(Clone, Copy, Default)]
struct Usage {
    rss_kib: u64,
    pss_kib: u64,
    processes: usize,
}

#[derive(Clone, Copy)]
struct Memory {
    base: Usage,
    idle: Usage,
}

/// A `kB` field of a /proc file (`VmRSS:` of status, `Pss:` of smaps_rollup).
fn proc_kib(pid: u32, file: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Every process whose parent chain leads to `root`, `root` excluded.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

/// Whether a process still runs (exists and is not a zombie waiting to be reaped).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

/// The memory of `pid` alone, or of `pid` and all its descendants.
fn usage(pid: u32, with_children: bool) -> Usage {
    let mut pids = vec![pid];
    if with_children {
        pids.extend(descendants(pid));
    }
    let mut u = Usage::default();
    for p in pids {
        if let Some(rss) = proc_kib(p, "status", "VmRSS:") {
            u.rss_kib += rss;
            u.pss_kib += proc_kib(p, "smaps_rollup", "Pss:").unwrap_or(rss);
            u.processes += 1;
        }
    }
    u
}

/// Lifts the soft limit on open files towards `want` (each socklab session holds four sockets),
/// through util-linux's `prlimit`; says what it did, or why it could not.
fn raise_fd_limit(want: u64) -> Option<String> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut nums = line.split_whitespace().filter_map(|w| {
        w.parse::<u64>()
            .ok()
            .or((w == "unlimited").then_some(u64::MAX))
    });
    let (soft, hard) = (nums.next()?, nums.next()?);
    if soft >= want {
        return None;
    }
    let new = want.min(hard);
    let pid = std::process::id().to_string();
    let ok = cmd("prlimit")
        .args(["--pid", &pid, &format!("--nofile={new}:{hard}")])
        .status()
        .is_ok_and(|s| s.success());
    let note = if ok && new >= want {
        format!("The open-files limit was raised from {soft} to {new} for this run.")
    } else {
        format!(
            "The open-files limit is {soft} (hard {hard}); {want} are wanted for the largest N, \
             so sessions past it may fail to open (raise it with `ulimit -n`)."
        )
    };
    println!("note: {note}");
    Some(note)
}

// ---------------------------------------------------------------------------------------------
// socklab

/// A `socklab serve` started for one N.
struct Socklab {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    ws_url: String,
}

impl Drop for Socklab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_socklab(binary: &Path, dist: &Path, limits: bool, log: &Path) -> Result<Socklab> {
    let mut c = cmd(path_str(binary));
    c.args(["serve", "--port", "0", "--dist", path_str(dist)]);
    if limits {
        c.args(SOCKLAB_LIMITS);
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("starting socklab serve")?;
    let mut stdout = BufReader::new(child.stdout.take().context("socklab's stdout")?);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    // `http://127.0.0.1:PORT/?token=TOKEN`
    let (host, token) = line
        .trim()
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once("/?token="))
        .with_context(|| format!("socklab printed {line:?}, not its URL"))?;
    anyhow::ensure!(
        host.starts_with("127.0.0.1:"),
        "socklab serves {host}, not 127.0.0.1"
    );
    Ok(Socklab {
        child,
        _stdout: stdout,
        ws_url: format!("ws://{host}/ws?token={token}"),
    })
}

async fn bench_socklab(n: usize, opts: &Options, dist: &Path, limits: bool, logs: &Path) -> Row {
    let server = match start_socklab(&opts.binary, dist, limits, &logs.join("socklab.log")) {
        Ok(s) => s,
        Err(e) => return Row::failed("socklab", n, format!("could not start: {e:#}")),
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id();
    let base = usage(pid, false);
    let url = server.ws_url.clone();
    let (sessions, opened) = open_all(n, || socklab_open(url.clone())).await;
    tokio::time::sleep(SETTLE).await;
    let idle = usage(pid, false);
    let runs = both_phases(sessions, opts, socklab_drive).await;
    drop(server);
    let alive = opened.up;
    Row::measured("socklab", n, opened, alive, Memory { base, idle }, runs)
}

/// Sends `text` and waits for the reply of `kind` (with `id`, when given), skipping events.
async fn request(ws: &mut Ws, text: String, kind: &str, id: Option<u64>) -> Result<Value, String> {
    ws.send(Message::Text(text.into()))
        .await
        .map_err(|e| format!("send failed: {e}"))?;
    loop {
        let frame = tokio::time::timeout(CALL_TIMEOUT, ws.next())
            .await
            .map_err(|_| format!("no answer within {} s", CALL_TIMEOUT.as_secs()))?;
        let text = match frame {
            None => return Err("connection closed".to_owned()),
            Some(Err(e)) => return Err(format!("connection failed: {e}")),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(f))) => {
                return Err(format!(
                    "closed by the server ({})",
                    f.map_or_else(|| "no code".to_owned(), |f| u16::from(f.code).to_string())
                ))
            }
            Some(Ok(_)) => continue,
        };
        if text.starts_with(r#"{"type":"event""#) {
            continue;
        }
        let v: Value = serde_json::from_str(text.as_str())
            .map_err(|e| format!("bad JSON from socklab: {e}"))?;
        let same_id = id.is_none_or(|id| v["id"].as_u64() == Some(id));
        match v["type"].as_str() {
            Some("error") if same_id || v["id"].is_null() => {
                return Err(format!(
                    "error {}",
                    v["code"].as_str().unwrap_or("without a code")
                ))
            }
            Some(t) if t == kind && same_id => return Ok(v),
            _ => {}
        }
    }
}

/// Makes one call and returns what it returned, or how it failed, in a few words.
async fn call(ws: &mut Ws, id: u64, call: &str) -> Result<Value, String> {
    let text = format!(r#"{{"type":"call","id":{id},"call":{call}}}"#);
    let mut v = request(ws, text, "result", Some(id)).await?;
    let outcome = v["outcome"].take();
    match outcome["status"].as_str() {
        Some("returned") => Ok(outcome["value"].clone()),
        Some("raised") => Err(format!(
            "raised {}",
            outcome["class"].as_str().unwrap_or("?")
        )),
        Some("limit") => Err(format!(
            "limit {}",
            outcome["limit"].as_str().unwrap_or("?")
        )),
        Some(other) => Err(other.to_owned()),
        None => Err("a result without an outcome".to_owned()),
    }
}

struct SocklabSession {
    ws: Ws,
    sock: u64,
    /// The last request id used.
    id: u64,
    /// Bytes sent and not read back yet, and how many were read back in all.
    pending: usize,
    echoed: usize,
}

/// hello, an echo peer, `socket()`, `connect()` to the peer.
async fn socklab_open(url: String) -> Result<SocklabSession, String> {
    let mut ws = ws_connect(&url).await?;
    let hello = r#"{"type":"hello","protocol":1,"client":"bench"}"#.to_owned();
    request(&mut ws, hello, "hello", None).await?;
    let peer = r#"{"type":"peer","id":1,"kind":"echo_tcp"}"#.to_owned();
    let port = request(&mut ws, peer, "peer", Some(1)).await?["port"]
        .as_u64()
        .ok_or("a peer without a port")?;
    let socket = call(&mut ws, 2, r#"{"op":"socket","family":2,"socktype":1}"#).await?;
    let sock = socket["sock"].as_u64().ok_or("socket() gave no sock")?;
    let connect = format!(r#"{{"op":"connect","sock":{sock},"address":"('127.0.0.1', {port})"}}"#);
    call(&mut ws, 3, &connect).await?;
    Ok(SocklabSession {
        ws,
        sock,
        id: 100,
        pending: 0,
        echoed: 0,
    })
}

/// `send(b'ping')` and `recv(64)` in turn as the schedule says; every call is timed on its
/// own. Gives the session back unless it broke.
async fn socklab_drive(
    mut s: SocklabSession,
    mut schedule: Schedule,
) -> (Option<SocklabSession>, Load) {
    let send = format!(r#"{{"op":"send","sock":{},"data":"b'ping'"}}"#, s.sock);
    let recv = format!(r#"{{"op":"recv","sock":{},"bufsize":64}}"#, s.sock);
    let mut load = Load::default();
    while schedule.next(&mut load).await {
        s.id += 1;
        let t = Instant::now();
        let sending = s.pending == 0;
        let result = call(&mut s.ws, s.id, if sending { &send } else { &recv }).await;
        match result {
            Ok(v) if sending => match v["value"].as_u64() {
                Some(sent) if sent > 0 => {
                    load.ok(t);
                    s.pending += sent as usize;
                }
                _ => load.error(format!("send returned {v}")),
            },
            Ok(v) => {
                let data = v["hex"].as_str().map(hex_decode).unwrap_or_default();
                let right = data
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| b == b"ping"[(s.echoed + i) % 4]);
                if data.is_empty() || data.len() > s.pending || !right {
                    load.error(format!("recv returned {v}"));
                    return (None, load.done());
                }
                load.ok(t);
                s.pending -= data.len();
                s.echoed += data.len();
            }
            Err(e) => {
                let fatal = !e.starts_with("error ") && !e.starts_with("limit ");
                if e == "error rate_limited" {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                load.error(e);
                if fatal {
                    return (None, load.done());
                }
            }
        }
    }
    (Some(s), load.done())
}

fn hex_decode(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks_exact(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// websockify

struct Websockify {
    exe: PathBuf,
    version: String,
}

/// websockify from PyPI in `target/bench-venv`, installed there on first use.
fn ensure_websockify() -> Result<Websockify> {
    let venv = root().join("target/bench-venv");
    let exe = venv.join("bin/websockify");
    let python = venv.join("bin/python");
    if !exe.exists() {
        println!("== installing websockify into {}", venv.display());
        status(
            cmd("python3").args(["-m", "venv", path_str(&venv)]),
            "python3 -m venv target/bench-venv",
        )?;
        status(
            cmd(path_str(&venv.join("bin/pip"))).args(["install", "--quiet", "websockify"]),
            "pip install websockify",
        )?;
    }
    let out = cmd(path_str(&python))
        .args([
            "-c",
            "import importlib.metadata as m, sys; \
             print(m.version('websockify'), 'on Python', sys.version.split()[0])",
        ])
        .output()?;
    anyhow::ensure!(out.status.success(), "websockify is not importable");
    Ok(Websockify {
        exe,
        version: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    })
}

/// A websockify started for one N; on drop it is asked to stop (SIGTERM, which makes it
/// terminate its children), then killed, and any child it left is killed by its pid.
struct WebsockifyServer {
    child: Child,
}

impl Drop for WebsockifyServer {
    fn drop(&mut self) {
        let pid = self.child.id();
        let children = descendants(pid);
        let _ = cmd("kill").args(["-TERM", &pid.to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let left: Vec<String> = children
            .iter()
            .filter(|c| Path::new(&format!("/proc/{c}")).exists())
            .map(u32::to_string)
            .collect();
        if !left.is_empty() {
            let _ = cmd("kill").arg("-KILL").args(&left).status();
        }
        // The next server's run must not share the CPU with these processes' exit.
        let gone = Instant::now() + Duration::from_secs(10);
        while Instant::now() < gone && children.iter().any(|&c| alive(c)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(SETTLE);
    }
}

/// A TCP echo server on 127.0.0.1, counting the connections it accepted.
async fn echo_server() -> std::io::Result<(u16, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let (mut r, mut w) = stream.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    Ok((port, accepted))
}

async fn bench_websockify(n: usize, opts: &Options, exe: &Path, logs: &Path) -> Row {
    match websockify_run(n, opts, exe, logs).await {
        Ok(row) => row,
        Err(e) => Row::failed("websockify", n, format!("{e:#}")),
    }
}

async fn websockify_run(n: usize, opts: &Options, exe: &Path, logs: &Path) -> Result<Row> {
    let (echo_port, accepted) = echo_server().await?;
    let ws_port = std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port();
    let log_path = logs.join("websockify.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)?;
    let log_start = log.metadata()?.len();
    let child = cmd(path_str(exe))
        .args([
            format!("127.0.0.1:{ws_port}"),
            format!("127.0.0.1:{echo_port}"),
        ])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting websockify")?;
    let server = WebsockifyServer { child };
    let pid = server.child.id();
    // Ready when it accepts; the probe's own child process then exits.
    let ready = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", ws_port)).await.is_err() {
        anyhow::ensure!(
            Instant::now() < ready,
            "websockify did not listen within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let quiet = Instant::now() + Duration::from_secs(5);
    while !descendants(pid).is_empty() && Instant::now() < quiet {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = usage(pid, false);
    let url = format!("ws://127.0.0.1:{ws_port}/");
    let (sessions, opened) = open_all(n, || {
        let url = url.clone();
        async move { ws_connect(&url).await }
    })
    .await;
    // Each child connects to the echo server after the upgrade: wait until all have.
    let proxied = Instant::now() + Duration::from_secs(10);
    while accepted.load(Ordering::SeqCst) < opened.up && Instant::now() < proxied {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(SETTLE).await;
    let idle = usage(pid, true);
    // One child process per open connection, besides the parent.
    let alive = opened.up.min(idle.processes.saturating_sub(1));
    let runs = both_phases(sessions, opts, websockify_drive).await;
    drop(server);
    let mut row = Row::measured("websockify", n, opened, alive, Memory { base, idle }, runs);
    let reached = accepted.load(Ordering::SeqCst);
    let mut notes = Vec::new();
    if reached < row.up {
        notes.push(format!(
            "only {reached} of {} connections reached the echo server",
            row.up
        ));
    }
    if alive < row.up {
        notes.push(format!(
            "only {alive} of the {} connections still had their child process when idle memory \
             was read (the other children had exited: see target/bench-companion-logs/websockify.log)",
            row.up
        ));
    }
    let logged = handler_exceptions(&log_path, log_start);
    if !logged.is_empty() {
        notes.push(format!("websockify logged {}", errors_text(&logged)));
    }
    if !notes.is_empty() {
        row.note = Some(notes.join("; "));
    }
    Ok(row)
}

/// websockify's `handler exception: ...` lines past `offset` of its log, counted.
fn handler_exceptions(log: &Path, offset: u64) -> BTreeMap<String, u64> {
    let text = std::fs::read(log).unwrap_or_default();
    let from = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    let mut found = BTreeMap::new();
    for line in String::from_utf8_lossy(&text[from..]).lines() {
        if let Some(at) = line.find("handler exception:") {
            *found.entry(format!("`{}`", line[at..].trim())).or_default() += 1;
        }
    }
    found
}

/// A binary frame `ping` out and its echo back, as the schedule says. Gives the connection
/// back unless it broke.
async fn websockify_drive(mut ws: Ws, mut schedule: Schedule) -> (Option<Ws>, Load) {
    let mut load = Load::default();
    while schedule.next(&mut load).await {
        let t = Instant::now();
        if let Err(e) = ws.send(Message::Binary(b"ping".to_vec().into())).await {
            load.error(format!("send failed: {e}"));
            return (None, load.done());
        }
        let mut got = Vec::new();
        while got.len() < 4 {
            let frame = match tokio::time::timeout(CALL_TIMEOUT, ws.next()).await {
                Err(_) => Err(format!("no echo within {} s", CALL_TIMEOUT.as_secs())),
                Ok(None) => Err("connection closed".to_owned()),
                Ok(Some(Err(e))) => Err(format!("connection failed: {e}")),
                Ok(Some(Ok(Message::Close(_)))) => Err("closed by the server".to_owned()),
                Ok(Some(Ok(m))) => Ok(m),
            };
            match frame {
                Ok(Message::Binary(b)) => got.extend_from_slice(&b),
                Ok(_) => {}
                Err(e) => {
                    load.error(e);
                    return (None, load.done());
                }
            }
        }
        if got != b"ping" {
            load.error(format!("echo was {got:?}"));
            return (None, load.done());
        }
        load.ok(t);
    }
    (Some(ws), load.done())
}
