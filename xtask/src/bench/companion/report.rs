//! The results: one [`Row`] per server and N, made of what the load engine and `/proc` measured,
//! printed as a progress line while the bench runs and as the Markdown table at the end.

use super::load::{Opened, Run};
use super::procfs::Memory;
use super::{Options, SOCKLAB_LIMITS};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One line of the table.
pub(super) struct Row {
    pub(super) server: &'static str,
    pub(super) n: usize,
    pub(super) up: usize,
    setup_secs: f64,
    /// The closed-loop phase.
    closed: Phase,
    /// The paced phase, unless `--pace 0`.
    paced: Option<Phase>,
    idle_kib: Option<f64>,
    idle_pss_kib: Option<f64>,
    processes: usize,
    setup_errors: BTreeMap<String, u64>,
    pub(super) note: Option<String>,
}

impl Row {
    pub(super) fn failed(server: &'static str, n: usize, note: String) -> Row {
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
    pub(super) fn measured(
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

pub(super) fn print_row(row: &Row) {
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

pub(super) fn errors_text(errors: &BTreeMap<String, u64>) -> String {
    errors
        .iter()
        .map(|(what, count)| format!("{count} × {what}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn report(
    rows: &[Row],
    opts: &Options,
    websockify_version: Option<&str>,
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
        match opts.pace() {
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
    let version = websockify_version.unwrap_or("not installed");
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
