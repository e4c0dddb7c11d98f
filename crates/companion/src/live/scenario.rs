//! Scenarios: scripted calls that make one of the seed's errors happen for real (or show its
//! half-close working), on the session's own sockets and demo peers, with the whole transcript
//! of what ran.

use super::fail::Fail;
use super::ops;
use super::{micros, Inner};
use socklab_core::protocol::call::{Address, Call, Method, ModuleCall, OptName, OptValue, Timeout};
use socklab_core::protocol::{sock_var, step_comment};
use socklab_core::protocol::{CallOutcome, PeerKind, PyReturn, Scenario, SockId, Step};
use socklab_core::pysocket::SockOpt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Records each call of a scenario as a line of Python and what it gave.
struct Script<'a> {
    inner: &'a Arc<Inner>,
    steps: Vec<Step>,
    made: Vec<SockId>,
}

impl Script<'_> {
    fn record(&mut self, code: String, outcome: CallOutcome, started: Instant) {
        self.steps.push(Step {
            code,
            outcome,
            elapsed_us: micros(started.elapsed()),
        });
    }

    /// Runs a checked call and records it (as `code` when given, else as the call's own line).
    async fn run(&mut self, call: Call, code: Option<String>) -> Option<PyReturn> {
        let code = code.unwrap_or_else(|| call.python());
        let started = Instant::now();
        #[cfg(feature = "testing")]
        self.inner.rules.fault.at(
            crate::fault::FaultSite::Scenario,
            &socklab_core::protocol::SocketCall::from(&call),
        );
        let outcome = match ops::run(self.inner, 0, call).await {
            Ok(value) => CallOutcome::Returned { value },
            Err(fail) => fail.into_outcome(),
        };
        let value = match &outcome {
            CallOutcome::Returned { value } => Some(value.clone()),
            _ => None,
        };
        self.inner.log_outcome(&code, &outcome, started.elapsed());
        self.record(code, outcome, started);
        value
    }

    async fn call(&mut self, call: Call) -> Option<PyReturn> {
        self.run(call, None).await
    }

    /// Shows the last step as assigned to `targets`: `s1 = socket.socket(...)`.
    fn assign_last(&mut self, targets: &str) {
        if let Some(step) = self.steps.last_mut() {
            step.code = format!("{targets} = {}", step.code);
        }
    }

    /// `sN = socket.socket(...)`.
    async fn socket(&mut self, family: i32, socktype: i32) -> Option<SockId> {
        let call = Call::Module(ModuleCall::Socket {
            family,
            socktype,
            proto: 0,
        });
        let PyReturn::Socket { sock, .. } = self.call(call).await? else {
            return None;
        };
        self.assign_last(&sock_var(sock));
        self.made.push(sock);
        Some(sock)
    }

    async fn tcp(&mut self) -> Option<SockId> {
        self.socket(libc::AF_INET, libc::SOCK_STREAM).await
    }

    async fn sleep(&mut self, secs: f64) {
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        self.record(
            format!("time.sleep({secs})"),
            CallOutcome::Returned {
                value: PyReturn::None,
            },
            started,
        );
    }

    async fn peer(&mut self, kind: PeerKind) -> Option<u16> {
        super::peers::start(self.inner, kind).await.ok()
    }

    /// The port a socket is bound to (what `s.getsockname()[1]` gives).
    fn port_of(&self, sock: SockId) -> Option<u16> {
        match self.inner.slot(sock) {
            super::Slot::Open(s) => s.raw.local_addr().ok()?.as_socket().map(|a| a.port()),
            _ => None,
        }
    }

    /// `port = sN.getsockname()[1]`: the port the kernel chose, as a variable later lines use.
    fn port_step(&mut self, sock: SockId) -> Option<u16> {
        let started = Instant::now();
        let port = self.port_of(sock)?;
        self.record(
            format!("port = {}.getsockname()[1]", sock_var(sock)),
            CallOutcome::Returned {
                value: PyReturn::Int {
                    value: i64::from(port),
                },
            },
            started,
        );
        Some(port)
    }

    /// `sN.METHOD(('127.0.0.1', port))`: the call at the port a `port_step` found, shown
    /// with its variable.
    async fn at_port(&mut self, sock: SockId, method: Method, name: &str) -> Option<PyReturn> {
        let code = format!("{}.{name}(('127.0.0.1', port))", sock_var(sock));
        self.run(Call::on(sock, method), Some(code)).await
    }

    async fn connect(&mut self, sock: SockId, port: u16, comment: &str) -> Option<PyReturn> {
        let call = Call::on(sock, connect_to(port));
        let code = format!("{}  # {}", call.python(), step_comment(comment));
        self.run(call, Some(code)).await
    }

    /// `s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); port = ...`.
    async fn listener(&mut self) -> Option<(SockId, u16)> {
        let s = self.tcp().await?;
        self.call(bind_any(s)).await?;
        self.call(Call::on(s, Method::Listen { backlog: None }))
            .await?;
        Some((s, self.port_step(s)?))
    }

    /// Records `code` as a step that `op` performs on the session's sockets directly, for what
    /// the fence does not offer pages (an address no machine has, TCP_USER_TIMEOUT).
    fn raw(&mut self, code: String, op: impl FnOnce(&Inner) -> Result<(), Fail>) {
        let started = Instant::now();
        let outcome = match op(self.inner) {
            Ok(()) => CallOutcome::Returned {
                value: PyReturn::None,
            },
            Err(fail) => fail.into_outcome(),
        };
        self.record(code, outcome, started);
    }

    /// A new server socket, with SO_REUSEADDR, bound to `port` again: `sN.bind(('127.0.0.1', port))`.
    async fn restart(&mut self, port: u16, comment: &str) -> Option<PyReturn> {
        let comment = step_comment(comment);
        let sock = self.tcp().await?;
        self.reuse_address(sock).await?;
        let bind = Method::Bind(Address::inet("127.0.0.1", port));
        let code = format!("{}.bind(('127.0.0.1', port))  # {comment}", sock_var(sock));
        self.run(Call::on(sock, bind), Some(code)).await
    }

    /// `try: sN.recv(1024)` / `except BlockingIOError as e: print(...)`, as the guide writes
    /// non-blocking code: the recv() runs for real, and the step prints what the except clause
    /// prints (nothing if it received data).
    async fn caught_wouldblock(&mut self, sock: SockId) {
        let started = Instant::now();
        let outcome = match ops::run(self.inner, 0, recv(sock)).await {
            Err(fail) => match fail.into_outcome() {
                CallOutcome::Raised(r) if r.errno == Some(libc::EWOULDBLOCK) => {
                    CallOutcome::Returned {
                        value: PyReturn::Printed {
                            text: format!("True {}", libc::EWOULDBLOCK),
                        },
                    }
                }
                other => other,
            },
            Ok(_) => CallOutcome::Returned {
                value: PyReturn::None,
            },
        };
        let code = format!(
            "try:\n    {}.recv(1024)\nexcept BlockingIOError as e:\n    print(e.errno == socket.EWOULDBLOCK, e.errno)\n",
            sock_var(sock)
        );
        self.record(code, outcome, started);
    }

    /// `sN.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)`.
    async fn reuse_address(&mut self, sock: SockId) -> Option<PyReturn> {
        let on = Method::Setsockopt {
            opt: OptName::Known(SockOpt::ReuseAddr),
            value: OptValue::Int(1),
        };
        self.call(Call::on(sock, on)).await
    }

    /// A server (with SO_REUSEADDR or not) accepts one connection, then the server side
    /// closes first and the client after it: the port is left in TIME_WAIT. Returns the port.
    async fn served_and_closed(&mut self, reuse: bool) -> Option<u16> {
        let srv = self.tcp().await?;
        if reuse {
            self.reuse_address(srv).await?;
        }
        self.call(bind_any(srv)).await?;
        self.call(Call::on(srv, Method::Listen { backlog: None }))
            .await?;
        let port = self.port_step(srv)?;
        let client = self.tcp().await?;
        self.at_port(client, connect_to(port), "connect").await?;
        let accepted = self.call(Call::on(srv, Method::Accept)).await?;
        let PyReturn::Accepted { sock: conn, .. } = accepted else {
            return None;
        };
        self.made.push(conn);
        self.assign_last(&format!("{}, addr", sock_var(conn)));
        let close = Call::on(conn, Method::Close);
        let code = format!(
            "{}  # {}",
            close.python(),
            step_comment("live.c_server_closes_first")
        );
        self.run(close, Some(code)).await?;
        self.call(Call::on(client, Method::Close)).await?;
        self.call(Call::on(srv, Method::Close)).await?;
        Some(port)
    }

    /// Closes what the scenario opened, recording each close.
    async fn clean_up(&mut self) {
        for sock in std::mem::take(&mut self.made) {
            if matches!(self.inner.slot(sock), super::Slot::Open(_)) {
                self.call(Call::on(sock, Method::Close)).await;
            }
        }
    }
}

fn bind_any(sock: SockId) -> Call {
    Call::on(sock, Method::Bind(Address::inet("127.0.0.1", 0)))
}

fn connect_to(port: u16) -> Method {
    Method::Connect {
        address: Address::inet("127.0.0.1", port),
        ex: false,
    }
}

fn recv(sock: SockId) -> Call {
    Call::on(
        sock,
        Method::Recv {
            bufsize: 1024,
            from: false,
        },
    )
}

/// Runs a scenario to its error (or as far as it gets) and returns the transcript.
pub(crate) async fn run(inner: &Arc<Inner>, which: Scenario) -> Vec<Step> {
    let mut script = Script {
        inner,
        steps: Vec::new(),
        made: Vec::new(),
    };
    let _ = play(&mut script, which).await;
    script.clean_up().await;
    script.steps
}

/// Plays a scenario. Its demo peer is the one `Scenario::peer` names (the page picks the
/// peer's events for the timeline by the same answer).
async fn play(sc: &mut Script<'_>, which: Scenario) -> Option<()> {
    match which {
        Scenario::Econnrefused => {
            let s1 = sc.tcp().await?;
            sc.call(bind_any(s1)).await?;
            let port = sc.port_step(s1)?;
            sc.call(Call::on(s1, Method::Close)).await?;
            let s2 = sc.tcp().await?;
            sc.at_port(s2, connect_to(port), "connect").await;
        }
        Scenario::Eaddrinuse => {
            // The case the guide means: a server that accepted a connection and closed it
            // leaves its port in TIME_WAIT. On Linux, SO_REUSEADDR on the new socket helps only
            // when the old one had it too: the first restart fails, the second works.
            let port = sc.served_and_closed(false).await?;
            sc.restart(port, "live.c_first_no_reuse").await;
            let port = sc.served_and_closed(true).await?;
            sc.restart(port, "live.c_both_reuse").await?;
        }
        Scenario::Econnreset => {
            let port = sc.peer(which.peer()?).await?;
            let s1 = sc.tcp().await?;
            sc.connect(s1, port, "live.c_reset_peer").await?;
            sc.sleep(0.1).await;
            sc.call(recv(s1)).await;
        }
        Scenario::EtimedoutConnect => {
            // A listener with a backlog of 0 holds one connection nobody accepts; the kernel
            // then drops the next SYNs, and a connect() that may retry for only 1.5 s
            // (TCP_USER_TIMEOUT) gives up with ETIMEDOUT, as one to a silent host does.
            let s1 = sc.tcp().await?;
            sc.call(bind_any(s1)).await?;
            let port = sc.port_step(s1)?;
            let listen = Call::on(s1, Method::Listen { backlog: Some(0) });
            let code = format!(
                "{}  # {}",
                listen.python(),
                step_comment("live.c_backlog_zero")
            );
            sc.run(listen, Some(code)).await?;
            let s2 = sc.tcp().await?;
            sc.at_port(s2, connect_to(port), "connect").await?;
            let s3 = sc.tcp().await?;
            let code = format!(
                "{}.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 1500)  # {}",
                sock_var(s3),
                step_comment("live.c_user_timeout")
            );
            sc.raw(code, |inner| {
                inner_user_timeout(inner, s3, Duration::from_millis(1500))
            });
            let code = format!(
                "{}.connect(('127.0.0.1', port))  # {}",
                sock_var(s3),
                step_comment("live.c_backlog_full")
            );
            sc.run(Call::on(s3, connect_to(port)), Some(code)).await;
        }
        Scenario::Etimedout => {
            let port = sc.peer(which.peer()?).await?;
            let s1 = sc.tcp().await?;
            let half_a_second = Timeout::After(Duration::from_millis(500));
            sc.call(Call::on(s1, Method::SetTimeout(half_a_second)))
                .await?;
            sc.connect(s1, port, "live.c_silent_peer").await?;
            sc.call(recv(s1)).await;
        }
        Scenario::EwouldblockRecv => {
            let port = sc.peer(which.peer()?).await?;
            let s1 = sc.tcp().await?;
            sc.connect(s1, port, "live.c_silent_peer").await?;
            sc.call(Call::on(s1, Method::SetBlocking(false))).await?;
            sc.call(recv(s1)).await;
            // The guide's way: catch it, and see that its errno is EWOULDBLOCK (EAGAIN).
            sc.caught_wouldblock(s1).await;
        }
        Scenario::EwouldblockSend => {
            let port = sc.peer(which.peer()?).await?;
            let s1 = sc.tcp().await?;
            let small = Method::Setsockopt {
                opt: OptName::Known(SockOpt::SndBuf),
                value: OptValue::Int(4096),
            };
            sc.call(Call::on(s1, small)).await?;
            sc.connect(s1, port, "live.c_silent_reader").await?;
            sc.call(Call::on(s1, Method::SetBlocking(false))).await?;
            const CHUNK: usize = 16 * 1024;
            for _ in 0..64 {
                let call = Call::on(
                    s1,
                    Method::Send {
                        data: vec![b'x'; CHUNK],
                        all: false,
                    },
                );
                let code = format!("{}.send(b'x' * {CHUNK})", sock_var(s1));
                sc.run(call, Some(code)).await?;
            }
        }
        Scenario::Epipe => {
            let (s1, port) = sc.listener().await?;
            let s2 = sc.tcp().await?;
            sc.at_port(s2, connect_to(port), "connect").await?;
            let accepted = sc.call(Call::on(s1, Method::Accept)).await?;
            let PyReturn::Accepted { sock: s3, .. } = accepted else {
                return None;
            };
            sc.made.push(s3);
            sc.assign_last(&format!("{}, addr", sock_var(s3)));
            sc.call(Call::on(s3, Method::Close)).await?;
            let send = Call::on(
                s2,
                Method::Send {
                    data: b"x".to_vec(),
                    all: false,
                },
            );
            sc.run(
                send.clone(),
                Some(format!(
                    "{}  # {}",
                    send.python(),
                    step_comment("live.c_peer_closed_rst")
                )),
            )
            .await?;
            sc.sleep(0.1).await;
            sc.call(send).await;
        }
        Scenario::HalfClose => {
            let port = sc.peer(which.peer()?).await?;
            let s1 = sc.tcp().await?;
            sc.connect(s1, port, "live.c_half_close_peer").await?;
            let request = Method::Send {
                data: b"GET / HTTP/1.0\r\n\r\n".to_vec(),
                all: true,
            };
            sc.call(Call::on(s1, request)).await?;
            let shutdown = Call::on(s1, Method::Shutdown(libc::SHUT_WR));
            let code = format!(
                "{}  # {}",
                shutdown.python(),
                step_comment("live.c_no_more_sending")
            );
            sc.run(shutdown, Some(code)).await?;
            let more = Call::on(
                s1,
                Method::Send {
                    data: b"more".to_vec(),
                    all: false,
                },
            );
            let code = format!(
                "{}  # {}",
                more.python(),
                step_comment("live.c_sending_half_closed")
            );
            sc.run(more, Some(code)).await;
            // A moment for the peer to answer: its answer and its close then wait here, and
            // the timeline shows them arriving before recv() takes them.
            sc.sleep(0.1).await;
            let recv = recv(s1);
            let code = format!(
                "{}  # {}",
                recv.python(),
                step_comment("live.c_still_receives")
            );
            sc.run(recv.clone(), Some(code)).await?;
            let code = format!(
                "{}  # {}",
                recv.python(),
                step_comment("live.c_peer_closed_too")
            );
            sc.run(recv, Some(code)).await?;
        }
        Scenario::Eaddrnotavail => {
            let s1 = sc.tcp().await?;
            // The one call that does not go through the fence: bind sends no packet, and
            // 192.0.2.1 is TEST-NET-1 (RFC 5737), an address documentation reserves and no
            // machine has, so the kernel answers EADDRNOTAVAIL.
            let code = format!(
                "{}.bind(('192.0.2.1', 0))  # {}",
                sock_var(s1),
                step_comment("live.c_test_net")
            );
            sc.raw(code, |inner| inner_bind(inner, s1, "192.0.2.1"));
        }
    }
    Some(())
}

/// `setsockopt(IPPROTO_TCP, TCP_USER_TIMEOUT, ms)`: an option only this scenario sets (the
/// fence does not offer it to pages).
fn inner_user_timeout(inner: &Inner, sock: SockId, timeout: Duration) -> Result<(), Fail> {
    let super::Slot::Open(s) = inner.slot(sock) else {
        return Err(Fail::Os(std::io::Error::from_raw_os_error(libc::EBADF)));
    };
    s.raw.set_tcp_user_timeout(Some(timeout))?;
    Ok(())
}

fn inner_bind(inner: &Inner, sock: SockId, ip: &str) -> Result<(), Fail> {
    let super::Slot::Open(s) = inner.slot(sock) else {
        return Err(Fail::Os(std::io::Error::from_raw_os_error(libc::EBADF)));
    };
    let addr: std::net::SocketAddr = format!("{ip}:0")
        .parse()
        .map_err(|_| Fail::Os(std::io::Error::from_raw_os_error(libc::EINVAL)))?;
    s.raw.bind(&addr.into())?;
    Ok(())
}
