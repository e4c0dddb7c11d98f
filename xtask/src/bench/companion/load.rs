//! The load engine, shared by both servers: opens N sessions a few at a time, then drives all of
//! them at once in a phase, back to back (closed loop) or one call per interval (paced), and
//! merges what each session measured.

use super::Options;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client's end of a WebSocket, to either server.
pub(super) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How many sessions are being opened at once (both servers get the same).
const SETUP_CONCURRENCY: usize = 32;
/// How long one session may take to open (upgrade and, for socklab, hello/peer/socket/connect).
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one call may take before its session counts it as timed out and stops.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the servers get to settle before their memory is read.
pub(super) const SETTLE: Duration = Duration::from_secs(1);

/// What the sessions of one run measured, merged.
#[derive(Default)]
pub(super) struct Load {
    pub(super) latencies_us: Vec<u32>,
    pub(super) failed: u64,
    pub(super) errors: BTreeMap<String, u64>,
    /// Sessions that made calls and saw none fail.
    pub(super) served: usize,
    /// Paced calls that started more than one interval after their time (the load generator
    /// fell behind, so the latencies of this phase would understate the truth).
    pub(super) late: u64,
}

impl Load {
    pub(super) fn ok(&mut self, since: Instant) {
        let us = since.elapsed().as_micros();
        self.latencies_us
            .push(u32::try_from(us).unwrap_or(u32::MAX));
    }

    pub(super) fn error(&mut self, kind: String) {
        self.failed += 1;
        *self.errors.entry(kind).or_default() += 1;
    }

    /// Ends one session's part: it was served if it made calls and none failed.
    pub(super) fn done(mut self) -> Load {
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

/// The sessions that opened, and why the others did not.
pub(super) struct Opened {
    pub(super) up: usize,
    pub(super) secs: f64,
    pub(super) errors: BTreeMap<String, u64>,
}

/// Opens `n` sessions, [`SETUP_CONCURRENCY`] at a time.
pub(super) async fn open_all<S, F, Fut>(n: usize, open: F) -> (Vec<S>, Opened)
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

pub(super) struct Run {
    pub(super) load: Load,
    pub(super) elapsed: Duration,
}

/// When one session makes its calls in a phase: back to back (closed loop) or one per `pace`.
#[derive(Clone, Copy)]
pub(super) struct Schedule {
    until: Instant,
    pace: Option<Duration>,
    /// The paced phase's next call time.
    next: Instant,
}

impl Schedule {
    /// Waits until the next call may start; false once the phase is over. Paced calls start at
    /// `next`, `next + pace`, and so on; one that starts more than an interval late (the load
    /// generator fell behind) is counted in `load.late`.
    pub(super) async fn next(&mut self, load: &mut Load) -> bool {
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
pub(super) async fn both_phases<S, F, Fut>(
    sessions: Vec<S>,
    opts: &Options,
    drive: F,
) -> (Run, Option<Run>)
where
    S: Send + 'static,
    F: Fn(S, Schedule) -> Fut + Copy,
    Fut: Future<Output = (Option<S>, Load)> + Send + 'static,
{
    let (sessions, closed) = load_all(sessions, opts.secs, None, drive).await;
    let paced = match opts.pace() {
        Some(pace) => Some(load_all(sessions, opts.secs, Some(pace), drive).await.1),
        None => None,
    };
    (closed, paced)
}

pub(super) async fn ws_connect(url: &str) -> Result<Ws, String> {
    match tokio_tungstenite::connect_async_with_config(url, None, true).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            Err(format!("upgrade refused: HTTP {}", resp.status()))
        }
        Err(e) => Err(format!("WebSocket connect: {e}")),
    }
}
