//! websockify under load, for comparison: installed from PyPI into `target/bench-venv`, run in
//! its default forking mode in front of a TCP echo server of ours; a binary frame `ping` out and
//! its echo back is one call.

use super::load::{both_phases, open_all, ws_connect, Load, Schedule, Ws, CALL_TIMEOUT, SETTLE};
use super::procfs::{alive, descendants, usage, Memory};
use super::report::{errors_text, Row};
use super::{path_str, Options};
use crate::{cmd, root, status};
use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// An installed websockify.
pub(super) struct Websockify {
    pub(super) exe: PathBuf,
    /// `0.13.0 on Python 3.11.2`
    pub(super) version: String,
}

/// websockify from PyPI in `target/bench-venv`, installed there on first use.
pub(super) fn ensure_installed() -> Result<Websockify> {
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

/// websockify's row for `n` connections: memory idle, then both phases.
pub(super) async fn bench(n: usize, opts: &Options, exe: &Path, logs: &Path) -> Row {
    match run(n, opts, exe, logs).await {
        Ok(row) => row,
        Err(e) => Row::failed("websockify", n, format!("{e:#}")),
    }
}

async fn run(n: usize, opts: &Options, exe: &Path, logs: &Path) -> Result<Row> {
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
    let runs = both_phases(sessions, opts, drive).await;
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
async fn drive(mut ws: Ws, mut schedule: Schedule) -> (Option<Ws>, Load) {
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
