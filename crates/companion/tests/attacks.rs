//! The companion under attack: each test makes one attack that got through before (a student in
//! classroom mode, a host on the LAN, another program on the machine, a resolver that never
//! answers) and checks that it fails now. Each runs inside network namespaces of its own
//! (`netns::in_classroom`), so nothing it sends can leave them.

mod netns;
mod wsharness;

use netns::{assert_isolated, in_classroom, on_lan_host, LAN_HOST, TEACHER};
use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use wsharness::{hello, outcome_line, Child, Running, Session};

/// The port and token of a URL that `socklab serve` printed.
fn port_and_token(url: &str) -> (u16, String) {
    let rest = url.split_once("://").unwrap().1;
    let (host, token) = rest.split_once("/?token=").unwrap();
    let port = host.rsplit(':').next().unwrap().parse().unwrap();
    (port, token.to_owned())
}

/// A session opened the way a student's browser opens it: from another machine on the LAN
/// (its TCP connection made in the LAN host's namespace), to the teacher's LAN URL.
async fn student(lan_url: &str) -> Session {
    let (port, token) = port_and_token(lan_url);
    let stream = on_lan_host(move || TcpStream::connect((TEACHER, port)).expect("the LAN URL"));
    stream.set_nonblocking(true).unwrap();
    let tcp = tokio::net::TcpStream::from_std(stream).unwrap();
    let mut request = format!("ws://{TEACHER}:{port}/ws?token={token}")
        .into_client_request()
        .unwrap();
    let origin = format!("http://{TEACHER}:{port}");
    request
        .headers_mut()
        .insert("Origin", origin.parse().unwrap());
    let (mut ws, _) =
        tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
            .await
            .expect("the student's WebSocket");
    hello(&mut ws).await;
    Session::new(ws)
}

/// A session of the person at the teacher's machine (its WebSocket comes from loopback).
async fn at_the_machine(child: &Child) -> Session {
    let mut ws = child.connect().await;
    hello(&mut ws).await;
    Session::new(ws)
}

/// The port of a `getsockname()` line: `('127.0.0.1', 40000)` or `('::1', 40000, 0, 0)`.
fn port_of(line: &str) -> u16 {
    line.trim_end_matches(')')
        .split(", ")
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("an address tuple: {line}"))
}

/// How many connections wait on a non-blocking listener now.
fn accepted(listener: &TcpListener) -> usize {
    let mut n = 0;
    while listener.accept().is_ok() {
        n += 1;
    }
    n
}

/// How many datagrams wait on a non-blocking socket now.
fn datagrams(socket: &UdpSocket) -> usize {
    let mut buf = [0u8; 2048];
    let mut n = 0;
    while socket.recv_from(&mut buf).is_ok() {
        n += 1;
    }
    n
}

fn refused_as(m: &Value, kind: &str) {
    assert_eq!(m["outcome"]["status"], "refused", "{m}");
    assert_eq!(m["outcome"]["refusal"]["kind"], kind, "{m}");
}

#[test]
fn a_student_reaches_only_their_own_sockets_on_the_teachers_machine() {
    in_classroom("student_reach_inside", None);
}

#[tokio::test]
#[ignore = "run inside network namespaces by a_student_reaches_only_their_own_sockets_on_the_teachers_machine"]
async fn student_reach_inside() {
    assert_isolated(&["lan0", "lo"]);
    // The teacher's own services on loopback (a database, a dev server...), and one the
    // teacher opens to the class on purpose.
    let service = TcpListener::bind("127.0.0.1:0").unwrap();
    service.set_nonblocking(true).unwrap();
    let p = service.local_addr().unwrap().port();
    let udp_service = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp_service.set_nonblocking(true).unwrap();
    let q = udp_service.local_addr().unwrap().port();
    let opened = TcpListener::bind("127.0.0.1:0").unwrap();
    let o = opened.local_addr().unwrap().port();
    let (child, urls) = Child::start_with(&["--lan", "--lan-allow", &o.to_string()], 2);
    let mut s = student(&urls[1]).await;

    // Every spelling of this machine, by number or by name, at the teacher's port: refused.
    for (family, target) in [
        (2, format!("('127.0.0.1', {p})")),
        (2, format!("('127.0.0.2', {p})")),
        (2, format!("('127.1', {p})")),
        (2, format!("('localhost', {p})")),
        (2, format!("('{TEACHER}', {p})")),
        (10, format!("('::ffff:127.0.0.1', {p})")),
        (10, format!("('::1', {p})")),
    ] {
        let t = s.socket(family, 1).await;
        let m = s
            .call(json!({"op": "connect", "sock": t, "address": target}))
            .await;
        refused_as(&m, "classroom");
        assert!(
            outcome_line(&m["outcome"]).contains(&format!("--lan-allow {p}")),
            "{m}"
        );
    }
    for target in [format!("('0.0.0.0', {p})"), format!("('', {p})")] {
        let t = s.tcp().await;
        let m = s
            .call(json!({"op": "connect", "sock": t, "address": target}))
            .await;
        refused_as(&m, "unspecified");
    }
    let u = s.socket(2, 2).await;
    let m = s
        .call(json!({"op": "sendto", "sock": u, "data": "b'secret?'", "address": format!("('127.0.0.1', {q})")}))
        .await;
    refused_as(&m, "classroom");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        accepted(&service),
        0,
        "a student reached the teacher's service"
    );
    assert_eq!(datagrams(&udp_service), 0, "a student's datagram arrived");

    // Their own listener, their own demo peer, and the port the teacher opened: reached.
    let l = s.listening().await;
    let mine = port_of(&s.line(json!({"op": "getsockname", "sock": l})).await);
    let c = s.tcp().await;
    let own = format!("('127.0.0.1', {mine})");
    assert_eq!(
        s.line(json!({"op": "connect", "sock": c, "address": own}))
            .await,
        "None"
    );
    let echo = s.peer("echo_tcp").await;
    let c = s.tcp().await;
    assert_eq!(
        s.line(json!({"op": "connect", "sock": c, "address": format!("('127.0.0.1', {echo})")}))
            .await,
        "None"
    );
    let c = s.tcp().await;
    assert_eq!(
        s.line(json!({"op": "connect", "sock": c, "address": format!("('127.0.0.1', {o})")}))
            .await,
        "None"
    );

    // Another student cannot reach the first one's listener.
    let mut other = student(&urls[1]).await;
    let c = other.tcp().await;
    let m = other
        .call(json!({"op": "connect", "sock": c, "address": own}))
        .await;
    refused_as(&m, "classroom");

    // The person at the machine keeps reaching what runs there.
    let mut teacher = at_the_machine(&child).await;
    let c = teacher.tcp().await;
    assert_eq!(
        teacher
            .line(json!({"op": "connect", "sock": c, "address": format!("('127.0.0.1', {p})")}))
            .await,
        "None"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(accepted(&service), 1);
}

#[test]
fn an_unbound_socket_never_listens_or_receives_on_every_interface() {
    in_classroom("unbound_inside", None);
}

#[tokio::test]
#[ignore = "run inside network namespaces by an_unbound_socket_never_listens_or_receives_on_every_interface"]
async fn unbound_inside() {
    assert_isolated(&["lan0", "lo"]);
    let (child, _) = Child::start_with(&[], 1);
    let mut s = at_the_machine(&child).await;
    for (family, bind_first) in [(2, "s.bind(('127.0.0.1', 0))"), (10, "s.bind(('::1', 0))")] {
        let t = s.socket(family, 1).await;
        let m = s.call(json!({"op": "listen", "sock": t})).await;
        // The attack: a host on the LAN dials the port the system picked.
        let port = port_of(&s.line(json!({"op": "getsockname", "sock": t})).await);
        if port != 0 {
            let dialed = on_lan_host(move || {
                TcpStream::connect_timeout(
                    &SocketAddr::new(TEACHER.parse().unwrap(), port),
                    Duration::from_secs(1),
                )
            });
            assert!(
                dialed.is_err(),
                "a LAN host connected to the page's listener"
            );
        }
        refused_as(&m, "unbound_listen");
        assert!(outcome_line(&m["outcome"]).contains(bind_first), "{m}");
    }
    // UDP client code keeps working: the first sendto binds the socket, to loopback.
    let echo = s.peer("echo_udp").await;
    let u = s.socket(2, 2).await;
    let m = s
        .call(json!({"op": "sendto", "sock": u, "data": "b'hi'", "address": format!("('127.0.0.1', {echo})")}))
        .await;
    assert_eq!(outcome_line(&m["outcome"]), "2", "{m}");
    let m = s.call(json!({"op": "getsockname", "sock": u})).await;
    let name = outcome_line(&m["outcome"]);
    assert!(name.starts_with("('127.0.0.1', "), "{name}");
    let note = m["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("('0.0.0.0', ") && note.contains("every network interface"),
        "the transcript says where socklab differs from CPython: {m}"
    );
    let reply = s
        .line(json!({"op": "recvfrom", "sock": u, "bufsize": 100}))
        .await;
    assert_eq!(reply, format!("(b'hi', ('127.0.0.1', {echo}))"));
    // The attack: a host on the LAN sends to that port; nothing arrives.
    let port = port_of(&name);
    on_lan_host(move || {
        let from = UdpSocket::bind((LAN_HOST, 0)).unwrap();
        from.send_to(b"from the LAN", (TEACHER, port)).unwrap();
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.line(json!({"op": "setblocking", "sock": u, "flag": false}))
        .await;
    assert_eq!(
        s.line(json!({"op": "recvfrom", "sock": u, "bufsize": 100}))
            .await,
        "BlockingIOError: [Errno 11] Resource temporarily unavailable"
    );
}

#[test]
fn the_page_cannot_take_other_programs_ports() {
    in_classroom("ports_inside", None);
}

#[tokio::test]
#[ignore = "run inside network namespaces by the_page_cannot_take_other_programs_ports"]
async fn ports_inside() {
    use socket2::{Domain, Socket, Type};
    assert_isolated(&["lan0", "lo"]);
    let server = Running::start(socklab_companion::serve::Config::default()).await;
    let mut s = Session::open(&server).await;
    // A same-user SO_REUSEPORT service: the page may not join it.
    let service = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    service.set_reuse_port(true).unwrap();
    service
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    service.listen(64).unwrap();
    let r = service.local_addr().unwrap().as_socket().unwrap().port();
    let t = s.tcp().await;
    let m = s
        .call(json!({"op": "setsockopt", "sock": t, "level": 1, "option": 15, "value": "1"}))
        .await;
    let bound = s
        .line(json!({"op": "bind", "sock": t, "address": format!("('127.0.0.1', {r})")}))
        .await;
    if bound == "None" {
        s.line(json!({"op": "listen", "sock": t})).await;
    }
    let clients: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(("127.0.0.1", r)).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let listener: TcpListener = service.into();
    listener.set_nonblocking(true).unwrap();
    assert_eq!(accepted(&listener), 20, "the page took connections");
    drop(clients);
    refused_as(&m, "socket_option");
    assert_eq!(bound, "OSError: [Errno 98] Address already in use");

    // Another program's UDP service with SO_REUSEADDR: the page may not bind beside it.
    let udp = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    udp.set_reuse_address(true).unwrap();
    udp.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    let udp: UdpSocket = udp.into();
    udp.set_nonblocking(true).unwrap();
    let port = udp.local_addr().unwrap().port();
    let u = s.socket(2, 2).await;
    s.line(json!({"op": "setsockopt", "sock": u, "level": 1, "option": 2, "value": "1"}))
        .await;
    let m = s
        .call(json!({"op": "bind", "sock": u, "address": format!("('127.0.0.1', {port})")}))
        .await;
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..10 {
        sender
            .send_to(b"for the service", ("127.0.0.1", port))
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(datagrams(&udp), 10, "the page took the service's datagrams");
    refused_as(&m, "port_in_use");
    // Port 0 with SO_REUSEADDR gets a port of its own.
    let v = s.socket(2, 2).await;
    s.line(json!({"op": "setsockopt", "sock": v, "level": 1, "option": 2, "value": "1"}))
        .await;
    s.line(json!({"op": "bind", "sock": v, "address": "('127.0.0.1', 0)"}))
        .await;
    let got = port_of(&s.line(json!({"op": "getsockname", "sock": v})).await);
    assert_ne!(got, port);

    // SO_REUSEADDR keeps its lesson: a server restarted over its own TIME_WAIT.
    let srv = s.tcp().await;
    s.line(json!({"op": "setsockopt", "sock": srv, "level": 1, "option": 2, "value": "1"}))
        .await;
    s.line(json!({"op": "bind", "sock": srv, "address": "('127.0.0.1', 0)"}))
        .await;
    s.line(json!({"op": "listen", "sock": srv})).await;
    let x = port_of(&s.line(json!({"op": "getsockname", "sock": srv})).await);
    let c = s.tcp().await;
    let at_x = format!("('127.0.0.1', {x})");
    s.line(json!({"op": "connect", "sock": c, "address": at_x}))
        .await;
    let m = s.call(json!({"op": "accept", "sock": srv})).await;
    let conn = m["outcome"]["value"]["sock"].as_u64().unwrap();
    for sock in [conn, srv, c] {
        s.line(json!({"op": "close", "sock": sock})).await;
    }
    let plain = s.tcp().await;
    assert_eq!(
        s.line(json!({"op": "bind", "sock": plain, "address": at_x}))
            .await,
        "OSError: [Errno 98] Address already in use"
    );
    let again = s.tcp().await;
    s.line(json!({"op": "setsockopt", "sock": again, "level": 1, "option": 2, "value": "1"}))
        .await;
    assert_eq!(
        s.line(json!({"op": "bind", "sock": again, "address": at_x}))
            .await,
        "None"
    );
    assert_eq!(s.line(json!({"op": "listen", "sock": again})).await, "None");
}

/// Every socket's kernel memory as `ss -tm` reports it in this namespace: `(rb, tb, r + w)`,
/// the receive and send buffer limits and what is allocated now. The WebSocket's own
/// connection (either end at `server_port`) is left out: the attack is on the session's sockets.
fn socket_memory(server_port: u16) -> Vec<(u64, u64, u64)> {
    let out = std::process::Command::new("ss")
        .args(["-tmnH"])
        .output()
        .expect("ss (iproute2)");
    let text = String::from_utf8_lossy(&out.stdout);
    let server = format!(":{server_port}");
    let mut parts = text.split("skmem:(");
    // Each part after the first: this socket's skmem fields, `)`, then the next socket's line.
    let mut head = parts.next().unwrap_or("");
    let mut sockets = Vec::new();
    for part in parts {
        let (fields, next) = part.split_once(')').unwrap_or((part, ""));
        let websocket = head
            .split_whitespace()
            .any(|end| end.contains(':') && end.ends_with(&server));
        if !websocket {
            let get = |name: &str| -> u64 {
                fields
                    .split(',')
                    .find_map(|f| {
                        f.strip_prefix(name)
                            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            sockets.push((get("rb"), get("tb"), get("r") + get("w")));
        }
        head = next;
    }
    sockets
}

#[test]
fn one_session_cannot_pin_the_hosts_socket_memory() {
    in_classroom("kernel_memory_inside", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run inside network namespaces by one_session_cannot_pin_the_hosts_socket_memory"]
async fn kernel_memory_inside() {
    assert_isolated(&["lan0", "lo"]);
    let mut config = socklab_companion::serve::Config::default();
    config.limits.requests_per_second = 100_000;
    let server = Running::start(config).await;
    let mut s = Session::open(&server).await;
    let l = s.listening().await;
    let at = format!(
        "('127.0.0.1', {})",
        port_of(&s.line(json!({"op": "getsockname", "sock": l})).await)
    );
    let chunk = format!("b'{}'", "x".repeat(60_000));
    let mut pairs = Vec::new();
    for _ in 0..8 {
        let c = s.tcp().await;
        s.line(json!({"op": "connect", "sock": c, "address": at}))
            .await;
        let m = s.call(json!({"op": "accept", "sock": l})).await;
        let a = m["outcome"]["value"]["sock"].as_u64().unwrap();
        for sock in [c, a] {
            s.line(json!({"op": "setblocking", "sock": sock, "flag": false}))
                .await;
        }
        pairs.push((c, a));
    }
    // The attack: fill every connection, read a little now and then (which is what makes
    // the kernel grow a receive buffer), and fill again, for a few seconds.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        for &(c, a) in &pairs {
            for _ in 0..64 {
                let line = s
                    .line(json!({"op": "send", "sock": c, "data": chunk}))
                    .await;
                if line.starts_with("BlockingIOError") {
                    break;
                }
            }
            for _ in 0..4 {
                s.line(json!({"op": "recv", "sock": a, "bufsize": 65536}))
                    .await;
            }
        }
    }
    let sockets = socket_memory(server.addr.port());
    assert!(sockets.len() >= 16, "ss saw {} sockets", sockets.len());
    let max = 2 * 1024 * 1024; // Linux doubles the 1 MiB --max-socket-buffer
    let total: u64 = sockets.iter().map(|(_, _, used)| used).sum();
    eprintln!(
        "socket memory after the flood: {total} bytes in {} sockets",
        sockets.len()
    );
    for &(rb, tb, _) in &sockets {
        assert!(
            rb <= max && tb <= max,
            "a buffer grew past the cap: rb {rb}, tb {tb}"
        );
    }
    assert!(total <= 8 * 1024 * 1024, "{total} bytes of socket memory");
}

#[test]
fn a_silent_resolver_neither_exhausts_threads_nor_delays_ctrl_c() {
    in_classroom(
        "silent_resolver_inside",
        Some("nameserver 127.0.0.1\noptions timeout:5 attempts:3\n"),
    );
}

/// Threads of a process now.
fn threads(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run inside network namespaces by a_silent_resolver_neither_exhausts_threads_nor_delays_ctrl_c"]
async fn silent_resolver_inside() {
    assert_isolated(&["lan0", "lo"]);
    // The resolver: it takes every query and never answers.
    let _resolver = UdpSocket::bind("127.0.0.1:53").unwrap();
    let mut child = Child::start();
    let mut sessions = Vec::new();
    let mut n = 0;
    for _ in 0..32 {
        let mut ws = child.connect().await;
        hello(&mut ws).await;
        let mut s = Session::new(ws);
        let sockets = [s.tcp().await, s.tcp().await];
        for _ in 0..4 {
            n += 1;
            let host = format!("slow{n}.socklab.test");
            s.send(json!({"type": "getaddrinfo", "host": host, "port": "80"}))
                .await;
        }
        for t in sockets {
            n += 1;
            let address = format!("('slow{n}.socklab.test', 80)");
            s.send(
                json!({"type": "call", "call": {"op": "connect", "sock": t, "address": address}}),
            )
            .await;
        }
        sessions.push(s);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = child.process.id();
    let count = threads(pid);
    eprintln!("threads with 192 lookups asked of a silent resolver: {count}");
    assert!(count <= 64, "{count} threads");
    // The lookups past the bound are answered at once, as a limit.
    let m = sessions[31].reply().await;
    let text = m.to_string();
    assert!(
        text.contains("waiting on the resolver for 32 lookups"),
        "{m}"
    );
    // The page is still served promptly.
    let (port, _) = port_and_token(&child.url);
    let started = Instant::now();
    let page = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut http = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let host = format!("127.0.0.1:{port}");
            write!(
                http,
                "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut answer = String::new();
            let _ = http.read_to_string(&mut answer);
            answer
        }),
    )
    .await
    .expect("the page within 3 s")
    .unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the page took {:?}",
        started.elapsed()
    );
    // Ctrl-C still stops it within 2 s, lookups pending or not.
    let stop = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    loop {
        if child.process.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            stop.elapsed() < Duration::from_secs(2),
            "still running 2 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(sessions);
}
