//! Live socket calls through the real companion: real sockets on loopback, real demo peers,
//! answers checked against what CPython prints.

use serde_json::{json, Value};
use socklab_companion::serve::Config;
use socklab_core::protocol::SessionLimits;
use std::time::{Duration, Instant};

mod wsharness;
use wsharness::*;

fn addr(port: u16) -> String {
    format!("('127.0.0.1', {port})")
}

fn hex(bytes: &[u8]) -> String {
    socklab_core::protocol::hex_encode(bytes)
}

#[tokio::test]
async fn tcp_echo_round_trip_with_events() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let port = s.peer("echo_tcp").await;
    assert_eq!(s.peer("echo_tcp").await, port, "one echo peer per session");
    let sock = s.tcp().await;
    let connect = s
        .call(json!({"op": "connect", "sock": sock, "address": addr(port)}))
        .await;
    assert_eq!(
        connect["code"],
        format!("s{sock}.connect(('127.0.0.1', {port}))")
    );
    assert_eq!(outcome_line(&connect["outcome"]), "None");
    let sent = s
        .line(json!({"op": "send", "sock": sock, "data": "b'hello \\xe4\\xb8\\xad'"}))
        .await;
    assert_eq!(sent, "9");
    s.event(|e| e["event"] == "data" && e["sock"] == json!(sock) && e["available"] == 9)
        .await;
    let got = s
        .call(json!({"op": "recv", "sock": sock, "bufsize": 1024}))
        .await;
    assert_eq!(got["outcome"]["value"]["hex"], hex("hello 中".as_bytes()));
    assert_eq!(outcome_line(&got["outcome"]), r"b'hello \xe4\xb8\xad'");
    let peer = s.line(json!({"op": "getpeername", "sock": sock})).await;
    assert_eq!(peer, addr(port));
    let name = s.line(json!({"op": "getsockname", "sock": sock})).await;
    assert!(name.starts_with("('127.0.0.1', "), "{name}");
    // The peer's side of the story came as events too.
    s.event(|e| e["event"] == "peer" && e["what"]["action"] == "accepted")
        .await;
    s.event(|e| e["event"] == "peer" && e["what"]["action"] == "sent")
        .await;
    // Half-close: the echo peer reads EOF, closes its side; recv gives b''.
    s.line(json!({"op": "shutdown", "sock": sock, "how": 1}))
        .await;
    s.event(|e| e["event"] == "peer_closed" && e["sock"] == json!(sock))
        .await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": sock, "bufsize": 10}))
            .await,
        "b''"
    );
}

#[tokio::test]
async fn udp_echo_and_recvfrom() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let port = s.peer("echo_udp").await;
    let u = s.socket(2, 2).await;
    let n = s
        .line(json!({"op": "sendto", "sock": u, "data": "b'ping'", "address": addr(port)}))
        .await;
    assert_eq!(n, "4");
    let got = s
        .line(json!({"op": "recvfrom", "sock": u, "bufsize": 100}))
        .await;
    assert_eq!(got, format!("(b'ping', {})", addr(port)));
}

#[tokio::test]
async fn listen_accept_and_a_half_closed_connection() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let l = s.tcp().await;
    s.line(json!({"op": "setsockopt", "sock": l, "level": 1, "option": 2, "value": "1"}))
        .await;
    assert_eq!(
        s.line(json!({"op": "getsockopt", "sock": l, "level": 1, "option": 2}))
            .await,
        "1"
    );
    s.line(json!({"op": "bind", "sock": l, "address": "('127.0.0.1', 0)"}))
        .await;
    s.line(json!({"op": "listen", "sock": l})).await;
    let name = s.line(json!({"op": "getsockname", "sock": l})).await;
    let port: u16 = name
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let c = s.tcp().await;
    s.line(json!({"op": "connect", "sock": c, "address": addr(port)}))
        .await;
    s.event(|e| e["event"] == "incoming" && e["sock"] == json!(l))
        .await;
    let accepted = s.call(json!({"op": "accept", "sock": l})).await;
    let value = &accepted["outcome"]["value"];
    assert_eq!(value["kind"], "accepted", "{accepted}");
    let a = value["sock"].as_u64().unwrap();
    let repr = value["repr"].as_str().unwrap();
    assert!(
        repr.starts_with("<socket.socket fd=")
            && repr.contains(", family=2, type=1, proto=0, laddr=('127.0.0.1', ")
            && repr.contains("raddr=('127.0.0.1', "),
        "{repr}"
    );
    // The client says all it has to say, then shuts down its sending side.
    s.line(json!({"op": "sendall", "sock": c, "data": "b'request'"}))
        .await;
    s.line(json!({"op": "shutdown", "sock": c, "how": 1})).await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": a, "bufsize": 100}))
            .await,
        "b'request'"
    );
    s.event(|e| e["event"] == "peer_closed" && e["sock"] == json!(a))
        .await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": a, "bufsize": 100}))
            .await,
        "b''"
    );
    // ... and can still read the answer.
    s.line(json!({"op": "send", "sock": a, "data": "b'answer'"}))
        .await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": c, "bufsize": 100}))
            .await,
        "b'answer'"
    );
}

/// Each call and the exact line CPython prints for the same call.
#[tokio::test]
async fn errors_are_pythons_to_the_letter() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let closed = closed_port();
    let t = s.tcp().await;
    let cases: Vec<(Value, String)> = vec![
        (
            json!({"op": "recv", "sock": t, "bufsize": 1}),
            "OSError: [Errno 107] Transport endpoint is not connected".into(),
        ),
        (
            json!({"op": "recv", "sock": t, "bufsize": -1}),
            "ValueError: negative buffersize in recv".into(),
        ),
        (
            json!({"op": "recvfrom", "sock": t, "bufsize": -1}),
            "ValueError: negative buffersize in recvfrom".into(),
        ),
        (
            json!({"op": "settimeout", "sock": t, "timeout": -1.0}),
            "ValueError: Timeout value out of range".into(),
        ),
        (
            json!({"op": "send", "sock": t, "data": "'text'"}),
            "TypeError: a bytes-like object is required, not 'str'".into(),
        ),
        (
            json!({"op": "send", "sock": t, "data": "b'x'"}),
            "BrokenPipeError: [Errno 32] Broken pipe".into(),
        ),
        (
            json!({"op": "setsockopt", "sock": t, "level": 1, "option": 2, "value": "'x'"}),
            "TypeError: a bytes-like object is required, not 'str'".into(),
        ),
        (
            json!({"op": "setsockopt", "sock": t, "level": 1, "option": 2, "value": "2**40"}),
            // Not a literal: the companion takes literals only, and says so as Python would.
            String::new(),
        ),
        (
            json!({"op": "getsockopt", "sock": t, "level": 1, "option": 2, "buflen": 2000}),
            "OSError: getsockopt buflen out of range".into(),
        ),
        (
            json!({"op": "shutdown", "sock": t, "how": 7}),
            "OSError: [Errno 22] Invalid argument".into(),
        ),
        (
            json!({"op": "connect", "sock": t, "address": "'127.0.0.1'"}),
            "TypeError: AF_INET address must be tuple, not str".into(),
        ),
        (
            json!({"op": "connect", "sock": t, "address": "('127.0.0.1', 70000)"}),
            "OverflowError: connect(): port must be 0-65535.".into(),
        ),
        (
            json!({"op": "connect_ex", "sock": t, "address": addr(closed)}),
            "111".into(),
        ),
        (json!({"op": "gettimeout", "sock": t}), "None".into()),
        (
            json!({"op": "getnameinfo", "address": "('127.0.0.1', 80)", "flags": 0}),
            "('localhost', 'http')".into(),
        ),
        (
            json!({"op": "getnameinfo", "address": "('127.0.0.1',)", "flags": 0}),
            "TypeError: getnameinfo(): illegal sockaddr argument".into(),
        ),
        (
            json!({"op": "recv", "sock": 99, "bufsize": 1}),
            "NameError: name 's99' is not defined".into(),
        ),
    ];
    for (call, want) in cases {
        let got = s.line(call.clone()).await;
        if want.is_empty() {
            assert!(
                got.starts_with("NameError")
                    || got.starts_with("SyntaxError")
                    || got.starts_with("TypeError"),
                "{call}: {got}"
            );
        } else {
            assert_eq!(got, want, "{call}");
        }
    }
    // A fresh socket's connect to the closed port: refused.
    let fresh = s.tcp().await;
    assert_eq!(
        s.line(json!({"op": "connect", "sock": fresh, "address": addr(closed)}))
            .await,
        "ConnectionRefusedError: [Errno 111] Connection refused"
    );
    // After close(), every call raises EBADF; close() again is fine.
    s.line(json!({"op": "close", "sock": t})).await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": t, "bufsize": 1})).await,
        "OSError: [Errno 9] Bad file descriptor"
    );
    assert_eq!(s.line(json!({"op": "close", "sock": t})).await, "None");
    // An AF_INET6 socket speaks AF_INET6 tuples.
    let v6 = s.socket(10, 1).await;
    assert_eq!(
        s.line(json!({"op": "bind", "sock": v6, "address": "('::1', 0)"}))
            .await,
        "None"
    );
    let name = s.line(json!({"op": "getsockname", "sock": v6})).await;
    assert!(
        name.starts_with("('::1', ") && name.ends_with(", 0, 0)"),
        "{name}"
    );
    assert_eq!(
        s.line(json!({"op": "gethostname"})).await,
        format!("'{}'", hostname())
    );
}

/// A loopback port that was just free: nobody listens there.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The default config with some of each session's limits changed.
fn limited(change: impl FnOnce(&mut SessionLimits)) -> Config {
    let mut config = Config::default();
    change(&mut config.limits);
    config
}

fn hostname() -> String {
    std::process::Command::new("python3")
        .args(["-c", "import socket; print(socket.gethostname())"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap()
}

#[tokio::test]
async fn blocking_non_blocking_and_timeout_modes() {
    let config = limited(|l| l.max_block_ms = 400);
    let server = Running::start(config).await;
    let mut s = Session::open(&server).await;
    let silent = s.peer("silent").await;
    let t = s.tcp().await;
    s.line(json!({"op": "connect", "sock": t, "address": addr(silent)}))
        .await;
    // Non-blocking: EAGAIN at once.
    s.line(json!({"op": "setblocking", "sock": t, "flag": false}))
        .await;
    assert_eq!(s.line(json!({"op": "gettimeout", "sock": t})).await, "0.0");
    let m = s
        .call(json!({"op": "recv", "sock": t, "bufsize": 10}))
        .await;
    assert_eq!(
        outcome_line(&m["outcome"]),
        "BlockingIOError: [Errno 11] Resource temporarily unavailable"
    );
    assert_eq!(m["outcome"]["errno_name"], "EAGAIN");
    assert!(m["elapsed_us"].as_u64().unwrap() < 100_000);
    // Timeout: waits that long, then TimeoutError.
    s.line(json!({"op": "settimeout", "sock": t, "timeout": 0.25}))
        .await;
    assert_eq!(s.line(json!({"op": "gettimeout", "sock": t})).await, "0.25");
    let m = s
        .call(json!({"op": "recv", "sock": t, "bufsize": 10}))
        .await;
    assert_eq!(outcome_line(&m["outcome"]), "TimeoutError: timed out");
    let waited = m["elapsed_us"].as_u64().unwrap();
    assert!((240_000..1_000_000).contains(&waited), "waited {waited} µs");
    // Blocking: waits until the companion's cap, reported as the cap.
    s.line(json!({"op": "settimeout", "sock": t, "timeout": null}))
        .await;
    let m = s
        .call(json!({"op": "recv", "sock": t, "bufsize": 10}))
        .await;
    assert_eq!(m["outcome"]["status"], "limit", "{m}");
    assert_eq!(m["outcome"]["limit"], "block_cap");
    assert!(m["elapsed_us"].as_u64().unwrap() >= 390_000);
    // A non-blocking connect is in progress, as Python says.
    let n = s.tcp().await;
    s.line(json!({"op": "setblocking", "sock": n, "flag": false}))
        .await;
    assert_eq!(
        s.line(json!({"op": "connect", "sock": n, "address": addr(silent)}))
            .await,
        "BlockingIOError: [Errno 115] Operation now in progress"
    );
}

/// Runs lines of Python one by one, as a REPL would; returns what each printed: the repr of
/// an expression's value, nothing for a statement, the exception line for one that raised.
fn python_repl(lines: &[String]) -> Vec<String> {
    // Rust's Debug quoting of these ASCII lines is a valid Python list of str literals.
    let program = format!(
        "import socket, time, traceback\nns = {{'socket': socket, 'time': time}}\n\
         for line in {lines:?}:\n    try:\n        try:\n            code = compile(line, '<s>', 'eval')\n        \
         except SyntaxError:\n            exec(line, ns)\n            print()\n        \
         else:\n            print(repr(eval(code, ns)))\n    except Exception as e:\n        \
         print(traceback.format_exception_only(e)[-1].strip())\n",
    );
    python_prints(&program).lines().map(str::to_owned).collect()
}

/// What `python3 -c program` prints.
fn python_prints(program: &str) -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", program])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Replays `code` in CPython, REPL-style, on a blocking thread (the demo peers it talks to run
/// on this runtime), and checks it shows `ours`, line for line.
async fn assert_cpython_shows(code: Vec<String>, ours: &[String]) {
    let python = tokio::task::spawn_blocking(move || python_repl(&code))
        .await
        .unwrap();
    assert_eq!(ours, python, "the companion, then CPython");
}

#[tokio::test]
async fn a_failed_connect_is_retried_as_python_retries_it_in_each_mode() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let closed = closed_port();
    let blocking = s.tcp().await;
    let timeout = s.tcp().await;
    let mut calls = vec![json!({"op": "settimeout", "sock": timeout, "timeout": 2.0})];
    // Blocking: every retry is a new attempt (111, 111, 111). Timeout mode: CPython's own
    // non-blocking handshake leaves the socket "connecting", so its retry raises ECONNABORTED
    // once (111, 103, 111).
    for sock in [blocking, timeout] {
        for _ in 0..3 {
            calls.push(json!({"op": "connect", "sock": sock, "address": addr(closed)}));
        }
        calls.push(json!({"op": "connect_ex", "sock": sock, "address": addr(closed)}));
    }
    let mut code = vec![
        format!("s{blocking} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"),
        format!("s{timeout} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"),
    ];
    let mut ours = vec![String::new(), String::new()];
    for call in calls {
        let m = s.call(call).await;
        code.push(m["code"].as_str().unwrap().to_owned());
        ours.push(outcome_line(&m["outcome"]));
    }
    assert_eq!(
        ours[3..6],
        ["ConnectionRefusedError: [Errno 111] Connection refused"; 3]
    );
    assert_eq!(
        ours[8],
        "ConnectionAbortedError: [Errno 103] Software caused connection abort"
    );
    assert_cpython_shows(code, &ours).await;
}

#[tokio::test]
async fn the_half_close_scenario_answers_after_shutdown_as_in_cpython() {
    use socklab_core::protocol::is_assignment;
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let m = s
        .request(json!({"type": "scenario", "scenario": "half_close"}))
        .await;
    assert_eq!(m["type"], "transcript", "{m}");
    let steps = m["steps"].as_array().unwrap();
    let code: Vec<String> = steps
        .iter()
        .map(|st| st["code"].as_str().unwrap().to_owned())
        .collect();
    // What a REPL shows for each line, as `python_repl` prints it.
    let ours: Vec<String> = steps
        .iter()
        .zip(&code)
        .map(|(st, code)| {
            if is_assignment(code) {
                String::new()
            } else {
                outcome_line(&st["outcome"])
            }
        })
        .collect();
    // Only the send() after shutdown(SHUT_WR) raises: that half is closed, the other works.
    let raised: Vec<(&String, &String)> = code
        .iter()
        .zip(&ours)
        .zip(steps)
        .filter(|(_, st)| st["outcome"]["status"] != "returned")
        .map(|(pair, _)| pair)
        .collect();
    assert_eq!(raised.len(), 1, "{m:#}");
    assert!(raised[0].0.contains(".send(b'more')"), "{m:#}");
    assert_eq!(
        raised[0].1, "BrokenPipeError: [Errno 32] Broken pipe",
        "{m:#}"
    );
    let recvs: Vec<&String> = code
        .iter()
        .zip(&ours)
        .filter(|(c, _)| c.contains(".recv(1024)"))
        .map(|(_, out)| out)
        .collect();
    assert_eq!(recvs, [r"b'GET / HTTP/1.0\r\n\r\n'", "b''"], "{m:#}");
    // While it slept, the answer and the close arrived, and were pushed as events.
    let sock = steps[0]["outcome"]["value"]["sock"].clone();
    s.event(|e| e["event"] == "data" && e["sock"] == sock && e["available"] == 18)
        .await;
    s.event(|e| e["event"] == "peer_closed" && e["sock"] == sock)
        .await;
    s.event(|e| e["event"] == "peer" && e["what"]["action"] == "read_eof")
        .await;
    // CPython, on the same lines against the session's own half-close peer, shows the same.
    assert_cpython_shows(code, &ours).await;
}

#[tokio::test]
async fn a_waiting_call_can_be_cancelled_and_others_go_on_meanwhile() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let l = s.listening().await;
    let started = Instant::now();
    let accept = s
        .send(json!({"type": "call", "call": {"op": "accept", "sock": l}}))
        .await;
    // While accept() waits, other calls run.
    let other = s.tcp().await;
    assert!(other > l);
    let cancel = s.request(json!({"type": "cancel", "call": accept})).await;
    // The cancelled call's own answer may come before or after the cancel's.
    let (cancelled, ack) = if cancel["type"] == "result" {
        (cancel, s.reply().await)
    } else {
        let r = s.reply().await;
        (r, cancel)
    };
    assert_eq!(ack["type"], "cancelled", "{ack}");
    assert_eq!(ack["found"], true);
    assert_eq!(cancelled["id"], json!(accept));
    assert_eq!(cancelled["outcome"]["status"], "cancelled");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Cancelling what is not waiting says so.
    let again = s.request(json!({"type": "cancel", "call": accept})).await;
    assert_eq!(again["found"], false);
}

#[tokio::test]
async fn every_scenario_raises_its_error_for_real_as_python_does() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let expected = [
        (
            "econnrefused",
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ),
        ("eaddrinuse", "OSError: [Errno 98] Address already in use"),
        (
            "econnreset",
            "ConnectionResetError: [Errno 104] Connection reset by peer",
        ),
        ("etimedout", "TimeoutError: timed out"),
        (
            "etimedout_connect",
            "TimeoutError: [Errno 110] Connection timed out",
        ),
        (
            "ewouldblock_recv",
            "BlockingIOError: [Errno 11] Resource temporarily unavailable",
        ),
        (
            "ewouldblock_send",
            "BlockingIOError: [Errno 11] Resource temporarily unavailable",
        ),
        ("epipe", "BrokenPipeError: [Errno 32] Broken pipe"),
        (
            "eaddrnotavail",
            "OSError: [Errno 99] Cannot assign requested address",
        ),
    ];
    for (scenario, line) in expected {
        let m = s
            .request(json!({"type": "scenario", "scenario": scenario}))
            .await;
        assert_eq!(m["type"], "transcript", "{m}");
        let steps = m["steps"].as_array().unwrap();
        let raised: Vec<&Value> = steps
            .iter()
            .filter(|st| st["outcome"]["status"] != "returned")
            .collect();
        assert_eq!(raised.len(), 1, "{scenario}: exactly one step fails: {m:#}");
        assert_eq!(outcome_line(&raised[0]["outcome"]), line, "{scenario}");
        // The same lines, run by CPython while the session's peers still listen, fail the
        // same way.
        let code: Vec<String> = steps
            .iter()
            .map(|st| st["code"].as_str().unwrap().to_owned())
            .collect();
        // On a blocking thread: the peers CPython talks to run on this runtime.
        let python = tokio::task::spawn_blocking(move || python_runs(&code))
            .await
            .unwrap();
        assert_eq!(
            python, line,
            "{scenario}: CPython on the transcript of {m:#}"
        );
    }
}

/// Runs lines of Python one by one; returns the exception line of the first that raises.
fn python_runs(lines: &[String]) -> String {
    // Rust's Debug quoting of these ASCII lines is a valid Python list of str literals.
    let program = format!(
        "import socket, time, traceback\nns = {{'socket': socket, 'time': time}}\n\
         for line in {lines:?}:\n    try:\n        exec(line, ns)\n    except Exception as e:\n        \
         print(traceback.format_exception_only(e)[-1].strip())\n        break\n",
    );
    python_prints(&program).trim().to_owned()
}

#[tokio::test]
async fn the_fence_refuses_before_anything_is_sent() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let t = s.tcp().await;
    // Only an address that cannot leave this machine anyway: every other refusal is tested
    // inside a network namespace (fence_inside_namespace), where nothing can leave at all.
    let m = s
        .call(json!({"op": "connect", "sock": t, "address": "('0.0.0.0', 80)"}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["kind"], "unspecified", "{m}");
    let line = outcome_line(&m["outcome"]);
    assert!(
        line.starts_with("PermissionError: [socklab] ") && line.contains("127.0.0.1"),
        "{line}"
    );
    for (address, needle) in [
        ("('0.0.0.0', 8080)", "bind '127.0.0.1'"),
        ("('', 8080)", "bind '127.0.0.1'"),
        ("('127.0.0.1', 80)", "below 1024"),
    ] {
        let line = s
            .line(json!({"op": "bind", "sock": t, "address": address}))
            .await;
        assert!(
            line.starts_with("PermissionError: [socklab] ") && line.contains(needle),
            "{address}: {line}"
        );
    }
    let raw = s
        .call(json!({"op": "socket", "family": 2, "socktype": 3}))
        .await;
    assert_eq!(raw["outcome"]["refusal"]["kind"], "socket_kind", "{raw}");
    let opt = s
        .call(json!({"op": "setsockopt", "sock": t, "level": 1, "option": 25, "value": "b'lo'"}))
        .await;
    assert_eq!(opt["outcome"]["refusal"]["kind"], "socket_option", "{opt}");
}

#[tokio::test]
async fn limits_are_reported_as_themselves() {
    let config = Config {
        limits: SessionLimits {
            max_sockets: 2,
            max_recv_bytes: 1000,
            requests_per_second: 20,
            ..Config::default().limits
        },
        max_socket_buffer: 65536,
        ..Config::default()
    };
    let server = Running::start(config).await;
    let mut s = Session::open(&server).await;
    let a = s.tcp().await;
    s.tcp().await;
    let m = s.call(json!({"op": "socket"})).await;
    assert_eq!(m["outcome"]["limit"], "sockets", "{m}");
    assert!(outcome_line(&m["outcome"]).contains("--max-sockets"));
    let m = s
        .call(json!({"op": "recv", "sock": a, "bufsize": 1001}))
        .await;
    assert_eq!(m["outcome"]["limit"], "recv_bytes", "{m}");
    let m = s
        .call(json!({"op": "setsockopt", "sock": a, "level": 1, "option": 8, "value": "1000000"}))
        .await;
    assert_eq!(m["outcome"]["limit"], "socket_buffer", "{m}");
    // Closing a socket frees its place.
    s.line(json!({"op": "close", "sock": a})).await;
    s.tcp().await;
    // Requests past the rate are refused by name, and the session lives on.
    let mut refused = 0;
    for _ in 0..40 {
        let m = s.request(json!({"type": "ping"})).await;
        if m["type"] == "error" {
            assert_eq!(m["code"], "rate_limited", "{m}");
            refused += 1;
        }
    }
    assert!(refused > 0, "40 pings at once exceed 20 per second");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(s.request(json!({"type": "ping"})).await["type"], "pong");
}

#[tokio::test]
async fn calls_waiting_at_once_are_capped_and_each_id_runs_once() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let l = s.listening().await;
    // Sixteen blocking accept() calls wait at once...
    let mut waiting = Vec::new();
    for _ in 0..16 {
        waiting.push(
            s.send(json!({"type": "call", "call": {"op": "accept", "sock": l}}))
                .await,
        );
    }
    // ...and the seventeenth call of any kind, or a scenario, is refused by name, at once.
    let m = s
        .request(json!({"type": "scenario", "scenario": "econnrefused"}))
        .await;
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["code"], "busy", "{m}");
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .contains("16 calls are already waiting"),
        "{m}"
    );
    let m = s.call(json!({"op": "gettimeout", "sock": l})).await;
    assert_eq!(m["outcome"]["status"], "limit", "{m}");
    assert_eq!(m["outcome"]["limit"], "calls_in_flight", "{m}");
    assert_eq!(
        outcome_line(&m["outcome"]),
        "socklab.LimitError: 16 calls are already waiting in this session; cancel one or wait \
         for it"
    );
    // An id that is still running cannot be reused, even when there is room.
    let first = waiting.remove(0);
    let cancel = s.send(json!({"type": "cancel", "call": first})).await;
    let mut acked = false;
    let mut cancelled = false;
    while !(acked && cancelled) {
        let m = s.reply().await;
        if m["id"] == json!(cancel) {
            assert_eq!(m["found"], true, "{m}");
            acked = true;
        } else {
            assert_eq!(m["id"], json!(first), "{m}");
            assert_eq!(m["outcome"]["status"], "cancelled", "{m}");
            cancelled = true;
        }
    }
    let busy = waiting[0];
    send(
        &mut s.ws,
        json!({"type": "call", "id": busy, "call": {"op": "gettimeout", "sock": l}}),
    )
    .await;
    let m = s.reply().await;
    assert_eq!(m["outcome"]["limit"], "calls_in_flight", "{m}");
    assert!(
        outcome_line(&m["outcome"]).contains(&format!("a call with id {busy} is still running")),
        "{m}"
    );
    // The cancelled call's place is free again.
    assert_eq!(s.line(json!({"op": "gettimeout", "sock": l})).await, "None");
}

#[tokio::test]
async fn a_panic_stays_in_the_call_or_the_session_where_it_happened() {
    use socklab_companion::fault::{Fault, FaultSite};
    use socklab_core::protocol::SocketCall;
    let hook = |site: FaultSite, call: &SocketCall| match (site, call) {
        (FaultSite::Call, SocketCall::Gethostname {}) => panic!("injected: a bug inside a call"),
        (FaultSite::Session, SocketCall::Getnameinfo { .. }) => {
            panic!("injected: a bug in a session's task")
        }
        (FaultSite::Scenario, SocketCall::Connect { .. }) => {
            panic!("injected: a bug inside a scenario")
        }
        _ => {}
    };
    let server = Running::start(Config {
        fault: Fault(Some(std::sync::Arc::new(hook))),
        ..Config::default()
    })
    .await;
    let mut a = Session::open(&server).await;
    let mut b = Session::open(&server).await;
    let t = a.tcp().await;
    // A bug inside one call answers that call, and the session goes on.
    let m = a.call(json!({"op": "gethostname"})).await;
    assert_eq!(m["outcome"]["limit"], "internal", "{m}");
    assert!(
        outcome_line(&m["outcome"]).contains("failed inside while running this call"),
        "{m}"
    );
    assert_eq!(a.line(json!({"op": "gettimeout", "sock": t})).await, "None");
    // A bug inside a scenario answers the scenario, and the session goes on.
    let m = a
        .request(json!({"type": "scenario", "scenario": "half_close"}))
        .await;
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["code"], "internal", "{m}");
    assert!(
        m["message"]
            .as_str()
            .unwrap_or_default()
            .contains("failed inside while running this scenario"),
        "{m}"
    );
    assert_eq!(a.line(json!({"op": "gettimeout", "sock": t})).await, "None");
    // A bug in a session's own task ends that session only.
    a.send(json!({"type": "call", "call": {"op": "getnameinfo", "address": "('127.0.0.1', 80)", "flags": 0}}))
        .await;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match futures_util::StreamExt::next(&mut a.ws).await {
                None | Some(Err(_)) => return,
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the failed session's connection ends");
    // The other session, and the server, carry on.
    assert_eq!(b.request(json!({"type": "ping"})).await["type"], "pong");
    let u = b.tcp().await;
    assert_eq!(b.line(json!({"op": "gettimeout", "sock": u})).await, "None");
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.shared.stats.active_sessions() != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.shared.stats.active_sessions(),
        1,
        "the failed session's slot is freed"
    );
    let mut c = Session::open(&server).await;
    assert_eq!(c.request(json!({"type": "ping"})).await["type"], "pong");
}

#[tokio::test]
async fn a_session_ends_at_its_lifetime_however_busy_it_is() {
    let config = limited(|l| l.lifetime_secs = 1);
    let server = Running::start(config).await;
    let mut s = Session::open(&server).await;
    let started = Instant::now();
    // A busy session (never idle) still ends at its lifetime, with a reason that names the flag.
    let frame = loop {
        s.next += 1;
        send(&mut s.ws, json!({"type": "ping", "id": s.next})).await;
        match tokio::time::timeout(
            Duration::from_secs(5),
            futures_util::StreamExt::next(&mut s.ws),
        )
        .await
        .expect("an answer or a close within 5 s")
        {
            Some(Ok(tungstenite::Message::Close(Some(frame)))) => break frame,
            Some(Ok(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("expected a pong or a close frame, got {other:?}"),
        }
    };
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(u16::from(frame.code), 1008);
    assert_eq!(
        frame.reason.as_str(),
        "the session reached its 1 s lifetime (--session-lifetime): reload the page"
    );
}

#[tokio::test]
async fn idle_sessions_are_closed_with_a_reason() {
    let config = limited(|l| l.idle_secs = 1);
    let server = Running::start(config).await;
    let mut s = Session::open(&server).await;
    let (code, reason) = close_code(&mut s.ws).await;
    assert_eq!(code, 1008);
    assert!(
        reason.contains("idle") && reason.contains("--idle-timeout"),
        "{reason}"
    );
}

/// The namespace test's inside: run by `the_fence_holds_inside_a_network_namespace` in a network
/// namespace where only `lo` is up, so even a broken fence could not send a packet anywhere.
#[tokio::test]
#[ignore = "run inside a network namespace by the_fence_holds_inside_a_network_namespace"]
async fn fence_inside_namespace() {
    assert_isolated(&["lo"]);
    let allow = |nets: &[&str]| socklab_core::fence::Policy {
        allow: nets.iter().map(|n| n.parse().unwrap()).collect(),
        ..socklab_core::fence::Policy::default()
    };
    // Default: refused by the fence, before any packet.
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    for target in [
        "('10.0.0.1', 80)",
        "('169.254.169.254', 80)",
        "('192.0.2.1', 80)",
        "('8.8.8.8', 53)",
        "('::ffff:10.0.0.1', 80)",
        "('224.0.0.1', 80)",
        "('255.255.255.255', 80)",
    ] {
        let family = if target.contains("::") { 10 } else { 2 };
        let t = s.socket(family, 1).await;
        let m = s
            .call(json!({"op": "connect", "sock": t, "address": target}))
            .await;
        assert_eq!(m["outcome"]["status"], "refused", "{target}: {m}");
        assert!(outcome_line(&m["outcome"]).contains("--allow"), "{m}");
        s.line(json!({"op": "close", "sock": t})).await;
    }
    let u = s.socket(2, 2).await;
    let m = s
        .call(json!({"op": "sendto", "sock": u, "data": "b'x'", "address": "('10.0.0.1', 9)"}))
        .await;
    assert_eq!(m["outcome"]["status"], "refused", "{m}");
    assert_eq!(m["outcome"]["refusal"]["call"], "sendto", "{m}");
    assert!(
        outcome_line(&m["outcome"]).starts_with(
            "PermissionError: [socklab] sendto 10.0.0.1 refused: socklab only sends to loopback"
        ),
        "{m}"
    );
    // A reverse lookup of an address off loopback would ask the network: refused too.
    let m = s
        .call(json!({"op": "getnameinfo", "address": "('10.0.0.1', 80)", "flags": 0}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["call"], "getnameinfo", "{m}");
    assert!(
        outcome_line(&m["outcome"])
            .starts_with("PermissionError: [socklab] getnameinfo of 10.0.0.1 refused: socklab only looks up loopback"),
        "{m}"
    );
    // Widened with --allow: the call reaches the OS, which has no route here.
    let wide = Running::start(Config {
        policy: std::sync::Arc::new(allow(&["10.0.0.0/8", "0.0.0.0/0", "::/0"])),
        ..Config::default()
    })
    .await;
    let mut w = Session::open(&wide).await;
    let t = w.tcp().await;
    assert_eq!(
        w.line(json!({"op": "connect", "sock": t, "address": "('10.0.0.1', 80)"}))
            .await,
        "OSError: [Errno 101] Network is unreachable"
    );
    // Metadata stays refused even under 0.0.0.0/0 and ::/0, in every spelling.
    let m = w
        .call(json!({"op": "connect", "sock": t, "address": "('169.254.169.254', 80)"}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["kind"], "link_local", "{m}");
    let m = w
        .call(json!({"op": "connect", "sock": t, "address": "('192.0.0.192', 80)"}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["metadata"], true, "{m}");
    let t6 = w.socket(10, 1).await;
    for nat64 in [
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::c000:c0",
        "2002:a9fe:a9fe::1",
    ] {
        let m = w
            .call(json!({"op": "connect", "sock": t6, "address": format!("('{nat64}', 80)")}))
            .await;
        assert_eq!(m["outcome"]["refusal"]["metadata"], true, "{nat64}: {m}");
    }
}

#[test]
fn the_fence_holds_inside_a_network_namespace() {
    in_namespace("fence_inside_namespace", false);
}

/// One session that opens sockets, starts a peer, connects, then vanishes without a close.
async fn session_that_vanishes(child: &Child) {
    use futures_util::SinkExt;
    let mut ws = child.connect().await;
    hello(&mut ws).await;
    for m in [
        json!({"type": "peer", "id": 1, "kind": "echo_tcp"}),
        json!({"type": "call", "id": 2, "call": {"op": "socket"}}),
        json!({"type": "call", "id": 3, "call": {"op": "socket", "family": 10, "socktype": 2}}),
    ] {
        send(&mut ws, m).await;
    }
    let mut port = None;
    while port.is_none() {
        let m = recv(&mut ws).await;
        if m["type"] == "peer" {
            port = m["port"].as_u64();
        }
    }
    let port = port.unwrap();
    send(
        &mut ws,
        json!({"type": "call", "id": 4, "call": {"op": "connect", "sock": 1, "address": addr(port as u16)}}),
    )
    .await;
    loop {
        let m = recv(&mut ws).await;
        if m["id"] == 4 {
            break;
        }
    }
    // Drop the TCP connection with no close handshake, as a killed tab would.
    let _ = ws.flush().await;
    drop(ws);
}

/// Waits until the child is back to `fds` descriptors (or 10 s), lets it settle, and reads
/// its descriptors and RSS.
async fn settled(child: &Child, fds: usize) -> (usize, u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.descriptors() > fds && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    (child.descriptors(), rss_kib(child.process.id()))
}

/// Runs batches of 50 vanishing sessions; returns the largest RSS seen right after a batch
/// (the working set under this load; the allocator may hand memory back between batches, so a
/// settled reading swings by megabytes, while a leak makes the peak climb batch after batch).
async fn vanish_in_batches(child: &Child, batches: usize) -> u64 {
    let mut peak = 0;
    for _ in 0..batches {
        let batch: Vec<_> = (0..50).map(|_| session_that_vanishes(child)).collect();
        futures_util::future::join_all(batch).await;
        peak = peak.max(rss_kib(child.process.id()));
    }
    peak
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_vanishing_sessions_leave_nothing_behind() {
    let child = Child::start();
    let (fds_start, _) = settled(&child, usize::MAX).await;
    // Warm up with the same load: the runtime and the allocator grow to their working size
    // (threads, buffers for 50 sessions at once).
    let peak0 = vanish_in_batches(&child, 4).await;
    let (fds0, _) = settled(&child, fds_start).await;
    assert!(
        fds0 <= fds_start,
        "descriptors: {fds_start} at start, {fds0} after warm-up"
    );
    let before = child.open_files();
    let peak = vanish_in_batches(&child, 20).await;
    let (fds, _) = settled(&child, fds0).await;
    eprintln!("1,000 sessions: descriptors {fds0} -> {fds}, peak RSS {peak0} -> {peak} KiB");
    assert!(
        fds <= fds0,
        "descriptors: {fds0} before 1,000 sessions, {fds} after: {before:?} -> {:?}",
        child.open_files()
    );
    // A leaked session holds 64 KiB or more (its echo peer's buffer alone): 1,000 of them would
    // lift the peak by 64 MiB. 8 MiB of slack covers the allocator's noise (up to 3.3 MiB seen).
    assert!(
        peak <= peak0 + 8192,
        "peak RSS: {peak0} KiB in the warm-up, {peak} KiB over the next 1,000 sessions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_closes_every_session_with_a_reason_and_exits_within_2_s() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut child = Child::start();
    let mut sessions = Vec::new();
    for _ in 0..3 {
        let mut ws = child.connect().await;
        hello(&mut ws).await;
        // Each with sockets open and a blocking accept() waiting.
        send(
            &mut ws,
            json!({"type": "call", "id": 1, "call": {"op": "socket"}}),
        )
        .await;
        recv(&mut ws).await;
        send(
            &mut ws,
            json!({"type": "call", "id": 2, "call": {"op": "bind", "sock": 1, "address": "('127.0.0.1', 0)"}}),
        )
        .await;
        recv(&mut ws).await;
        send(
            &mut ws,
            json!({"type": "call", "id": 3, "call": {"op": "listen", "sock": 1}}),
        )
        .await;
        recv(&mut ws).await;
        send(
            &mut ws,
            json!({"type": "call", "id": 4, "call": {"op": "accept", "sock": 1}}),
        )
        .await;
        sessions.push(ws);
    }
    let started = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.process.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    for ws in &mut sessions {
        let frame = loop {
            match tokio::time::timeout(Duration::from_secs(2), ws.next()).await {
                Ok(Some(Ok(Message::Close(Some(frame))))) => break frame,
                Ok(Some(Ok(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        assert_eq!(u16::from(frame.code), 1001);
        assert!(frame.reason.contains("shutting down"), "{}", frame.reason);
    }
    let status = loop {
        if let Some(status) = child.process.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "still running 2 s after Ctrl-C"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
}

/// Refuses to go on unless this runs inside the test's own network namespace with exactly these
/// interfaces: the tests that name non-loopback addresses never run where a packet could leave.
fn assert_isolated(interfaces: &[&str]) {
    assert_eq!(
        std::env::var("SOCKLAB_IN_NETNS").as_deref(),
        Ok("1"),
        "only run inside the namespace the outer test makes"
    );
    let mut found: Vec<String> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, interfaces, "the namespace has other interfaces");
}

/// Runs `inner` (an ignored test of this file) in a fresh network namespace with only `lo` up
/// and (with `lan`) a veth pair at 10.77.0.1/24 standing for the classroom LAN.
fn in_namespace(inner: &str, lan: bool) {
    use std::process::Command;
    let name = format!("socklab-{inner}-{}", std::process::id());
    let ip = |args: &[&str]| {
        Command::new("ip")
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ip(&["netns", "add", &name]) {
        eprintln!("SKIPPED: cannot create a network namespace here (needs root and `ip`)");
        return;
    }
    let exec = |args: &[&str]| {
        let mut all = vec!["netns", "exec", &name];
        all.extend_from_slice(args);
        ip(&all)
    };
    let mut ready = exec(&["ip", "link", "set", "lo", "up"]);
    if lan {
        // A veth pair with both ends inside the namespace: a LAN that leads nowhere else.
        ready &= exec(&[
            "ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1",
        ]) && exec(&["ip", "addr", "add", "10.77.0.1/24", "dev", "lan0"])
            && exec(&["ip", "link", "set", "lan0", "up"])
            && exec(&["ip", "link", "set", "lan1", "up"]);
    }
    if !ready {
        ip(&["netns", "del", &name]);
        panic!("could not set up the namespace {name}");
    }
    let out = Command::new("ip")
        .args(["netns", "exec", &name])
        .arg(std::env::current_exe().unwrap())
        .args([inner, "--exact", "--ignored", "--nocapture"])
        .env("SOCKLAB_IN_NETNS", "1")
        .output()
        .unwrap();
    ip(&["netns", "del", &name]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "inside the namespace:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn classroom_mode_serves_the_lan_and_keeps_its_fence() {
    in_namespace("lan_inside_namespace", true);
}

#[tokio::test]
#[ignore = "run inside a network namespace by classroom_mode_serves_the_lan_and_keeps_its_fence"]
async fn lan_inside_namespace() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    assert_isolated(&["lan0", "lan1", "lo"]);
    let (_child, urls) = Child::start_with(&["--lan"], 2);
    assert!(urls[0].starts_with("http://127.0.0.1:"), "{urls:?}");
    let lan = &urls[1];
    let rest = lan.strip_prefix("http://10.77.0.1:").expect(lan);
    let (port, token) = rest.split_once("/?token=").unwrap();
    let origin_of = |host: &str| format!("http://{host}:{port}");
    let open = |origin: String| {
        let mut request = format!("ws://10.77.0.1:{port}/ws?token={token}")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    // A page from another origin is refused, even on the LAN address.
    let foreign = open(origin_of("10.77.0.2")).await;
    assert!(foreign.is_err(), "a foreign origin gets in");
    // The page served from the LAN address gets its own session.
    let (ws, _) = open(origin_of("10.77.0.1"))
        .await
        .expect("the LAN page connects");
    let mut ws = ws;
    hello(&mut ws).await;
    let mut s = Session::new(ws);
    let t = s.tcp().await;
    // bind may use the LAN address; live calls may reach it (it is this machine) ...
    assert_eq!(
        s.line(json!({"op": "bind", "sock": t, "address": "('10.77.0.1', 0)"}))
            .await,
        "None"
    );
    s.line(json!({"op": "listen", "sock": t})).await;
    let name = s.line(json!({"op": "getsockname", "sock": t})).await;
    let c = s.tcp().await;
    let lan_port = name.trim_end_matches(')').rsplit(' ').next().unwrap();
    assert_eq!(
        s.line(
            json!({"op": "connect", "sock": c, "address": format!("('10.77.0.1', {lan_port})")})
        )
        .await,
        "None"
    );
    // ... but not other LAN hosts, and bind not other addresses.
    let d = s.tcp().await;
    let m = s
        .call(json!({"op": "connect", "sock": d, "address": "('10.77.0.2', 80)"}))
        .await;
    assert_eq!(m["outcome"]["status"], "refused", "{m}");
    let m = s
        .call(json!({"op": "bind", "sock": d, "address": "('10.77.0.2', 5000)"}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["kind"], "bind_address", "{m}");
}

#[tokio::test]
async fn the_half_close_and_application_protocol_peers() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    // Half-close: it reads to EOF, then answers with what it read, then closes.
    let port = s.peer("half_close").await;
    let t = s.tcp().await;
    s.line(json!({"op": "connect", "sock": t, "address": addr(port)}))
        .await;
    s.line(json!({"op": "sendall", "sock": t, "data": "b'all of it'"}))
        .await;
    s.line(json!({"op": "shutdown", "sock": t, "how": 1})).await;
    s.event(|e| e["event"] == "peer_closed" && e["sock"] == json!(t))
        .await;
    assert_eq!(
        s.line(json!({"op": "recv", "sock": t, "bufsize": 100}))
            .await,
        "b'all of it'"
    );
    assert_eq!(
        s.line(json!({"op": "recv", "sock": t, "bufsize": 100}))
            .await,
        "b''"
    );
    // The application protocol: a 2-byte length, a JSON header, the body; answered in kind.
    let port = s.peer("app_protocol").await;
    let a = s.tcp().await;
    s.line(json!({"op": "connect", "sock": a, "address": addr(port)}))
        .await;
    let message = socklab_core::appproto::encode("text/plain", "utf-8", "你好".as_bytes());
    let literal = socklab_core::pyrepr::bytes_repr(&message);
    s.line(json!({"op": "sendall", "sock": a, "data": literal}))
        .await;
    s.event(|e| e["event"] == "peer_closed" && e["sock"] == json!(a))
        .await;
    let got = s
        .call(json!({"op": "recv", "sock": a, "bufsize": 4096}))
        .await;
    let hex = got["outcome"]["value"]["hex"].as_str().unwrap();
    let reply = socklab_core::protocol::hex_decode(hex);
    let header_len = usize::from(u16::from_be_bytes([reply[0], reply[1]]));
    let header: Value = serde_json::from_slice(&reply[2..2 + header_len]).unwrap();
    let body: Value = serde_json::from_slice(&reply[2 + header_len..]).unwrap();
    assert_eq!(header["content-length"], reply.len() - 2 - header_len);
    assert_eq!(body["text"], "你好", "{body}");
    assert_eq!(body["received_bytes"], 6);
}

#[tokio::test]
async fn settimeout_beyond_cpythons_range_is_its_overflow_error_and_nothing_panics() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let echo = s.peer("echo_tcp").await;
    let t = s.tcp().await;
    s.line(json!({"op": "connect", "sock": t, "address": addr(echo)}))
        .await;
    let mut code = vec!["s = socket.socket()".to_owned()];
    let mut ours = Vec::new();
    for timeout in [1e19, 9.3e9, 9_223_372_036.854_776, 9.2e9] {
        ours.push(
            s.line(json!({"op": "settimeout", "sock": t, "timeout": timeout}))
                .await,
        );
        code.push(format!("s.settimeout({timeout:?})"));
        // A deadline from what was accepted must not overflow either.
        let sent = s
            .line(json!({"op": "sendall", "sock": t, "data": "b'still fine'"}))
            .await;
        assert_eq!(sent, "None");
    }
    assert_eq!(
        ours[0],
        "OverflowError: timestamp out of range for platform time_t"
    );
    let python = tokio::task::spawn_blocking(move || python_repl(&code))
        .await
        .unwrap();
    // CPython's lines after its set-up line.
    assert_eq!(ours[..], python[1..], "the companion, then CPython");
}

#[tokio::test]
async fn sockets_are_tcp_or_udp_only_and_a_mismatch_is_the_kernels_error() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    for (proto, kind) in [(262, "MPTCP"), (136, "UDP-Lite"), (255, "raw")] {
        let m = s
            .call(json!({"op": "socket", "family": 2, "socktype": 1, "proto": proto}))
            .await;
        assert_eq!(m["outcome"]["status"], "refused", "{kind}: {m}");
        assert_eq!(m["outcome"]["refusal"]["kind"], "socket_kind", "{m}");
    }
    assert_eq!(
        s.line(json!({"op": "socket", "family": 2, "socktype": 1, "proto": 17}))
            .await,
        "OSError: [Errno 93] Protocol not supported"
    );
    let ours = s
        .line(json!({"op": "socket", "family": 2, "socktype": 2, "proto": 17}))
        .await;
    assert!(ours.starts_with("<socket.socket fd="), "{ours}");
    assert!(
        ours.contains("family=2, type=2, proto=17, laddr="),
        "{ours}"
    );
    let python = python_repl(&["socket.socket(2, 1, 17)".to_owned()]);
    assert_eq!(python, ["OSError: [Errno 93] Protocol not supported"]);
}

/// The port of a `getsockname()` line: `('127.0.0.1', 40000)`.
fn port_of(name: &str) -> u16 {
    name.trim_end_matches(')')
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn select_waits_for_readiness_and_the_page_hears_that_a_call_waits() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let l = s.listening().await;
    let port = port_of(&s.line(json!({"op": "getsockname", "sock": l})).await);
    // Nothing ready: select's timeout is three empty lists, not an error.
    let started = Instant::now();
    let m = s
        .call(json!({"op": "select", "read": [l], "timeout": 0.2}))
        .await;
    assert_eq!(
        m["outcome"]["value"],
        json!({"kind": "ready", "read": [], "write": [], "except": []}),
        "{m}"
    );
    assert!(started.elapsed() >= Duration::from_millis(190));
    assert_eq!(s.waiting.len(), 1, "a select that waits says so");
    // A select with no timeout waits until a client connects; the listener is then readable.
    let sel = s
        .send(json!({"type": "call", "call": {"op": "select", "read": [l]}}))
        .await;
    let c = s.tcp().await;
    let conn = s
        .send(json!({"type": "call", "call": {"op": "connect", "sock": c, "address": addr(port)}}))
        .await;
    // The connect and the select it wakes end at once, in either order.
    let (first, second) = (s.reply().await, s.reply().await);
    let (m, connected) = if first["id"] == json!(sel) {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!(connected["id"], json!(conn), "{connected}");
    assert_eq!(m["id"], json!(sel), "{m}");
    assert_eq!(m["outcome"]["value"]["read"], json!([l]), "{m}");
    assert_eq!(s.waiting.last(), Some(&sel));
    // The client is writable at once: no waiting.
    let before = s.waiting.len();
    let m = s
        .call(json!({"op": "select", "write": [c], "timeout": 5.0}))
        .await;
    assert_eq!(m["outcome"]["value"]["write"], json!([c]), "{m}");
    assert_eq!(s.waiting.len(), before);
    // A recv with nothing to read waits, and says so once, before its result.
    let a = s.call(json!({"op": "accept", "sock": l})).await["outcome"]["value"]["sock"]
        .as_u64()
        .unwrap();
    assert_eq!(
        s.waiting.len(),
        before,
        "accept with a connection queued does not wait"
    );
    let r = s
        .send(json!({"type": "call", "call": {"op": "recv", "sock": a, "bufsize": 10}}))
        .await;
    let sent = s
        .send(json!({"type": "call", "call": {"op": "send", "sock": c, "data": "b'hi'"}}))
        .await;
    let (first, second) = (s.reply().await, s.reply().await);
    let (m, other) = if first["id"] == json!(r) {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!(other["id"], json!(sent), "{other}");
    assert_eq!(m["id"], json!(r), "{m}");
    assert_eq!(outcome_line(&m["outcome"]), "b'hi'");
    assert_eq!(s.waiting[before..], [r]);
    // A closed socket in a select is Python's ValueError (its fileno() is -1).
    s.line(json!({"op": "close", "sock": c})).await;
    assert_eq!(
        s.line(json!({"op": "select", "read": [c], "timeout": 0}))
            .await,
        "ValueError: file descriptor cannot be a negative integer (-1)"
    );
}

/// Every comment a scenario writes is one the page can show in the reader's language.
#[tokio::test]
async fn every_scenario_comment_is_one_the_page_translates() {
    use socklab_core::protocol::{Scenario, Step};
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    for scenario in Scenario::ALL {
        let m = s
            .request(json!({"type": "scenario", "scenario": scenario.name()}))
            .await;
        let steps: Vec<Step> = serde_json::from_value(m["steps"].clone()).unwrap();
        for step in steps.iter().filter(|st| st.code.contains("  # ")) {
            assert!(
                step.comment().is_some(),
                "{}: {:?} has a comment STEP_COMMENTS lacks",
                scenario.name(),
                step.code
            );
        }
    }
}

/// Non-blocking the guide's way: the `except BlockingIOError as e` step prints what CPython's
/// except clause prints on the same lines (`e.errno == socket.EWOULDBLOCK` is True).
#[tokio::test]
async fn the_wouldblock_scenario_catches_it_as_the_guide_does() {
    let server = Running::start(Config::default()).await;
    let mut s = Session::open(&server).await;
    let m = s
        .request(json!({"type": "scenario", "scenario": "ewouldblock_recv"}))
        .await;
    let steps = m["steps"].as_array().unwrap();
    let caught = steps
        .iter()
        .find(|st| st["code"].as_str().unwrap().starts_with("try:"))
        .expect("a try/except step");
    assert_eq!(caught["outcome"]["value"]["kind"], "printed", "{m:#}");
    let ours = caught["outcome"]["value"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ours, "True 11");
    // CPython runs the transcript's lines up to that step (the first recv's exception is
    // caught and left out) and prints what that step prints.
    let code: Vec<String> = steps
        .iter()
        .map(|st| st["code"].as_str().unwrap().to_owned())
        .take_while(|c| !c.starts_with("s") || !c.contains(".close()"))
        .collect();
    let program = format!(
        "import socket, io, contextlib\nns = {{'socket': socket}}\nout = ''\n\
         for line in {code:?}:\n    buf = io.StringIO()\n    try:\n        \
         with contextlib.redirect_stdout(buf):\n            exec(line, ns)\n    \
         except BlockingIOError:\n        pass\n    if line.startswith('try:'):\n        out = buf.getvalue()\n\
         print(out, end='')\n"
    );
    let python = tokio::task::spawn_blocking(move || python_prints(&program))
        .await
        .unwrap();
    assert_eq!(python.trim_end(), ours, "CPython on {code:?}");
}
