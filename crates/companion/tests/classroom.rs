//! Leading the class: a real `socklab serve --lan`, its teacher on this machine and two students
//! on another machine of the LAN, over real WebSockets. Each test runs inside network namespaces
//! of its own (`netns::in_classroom`), so nothing it sends can leave them.
//!
//! What it proves: the teacher's and the students' tokens are two, and the teacher's works only
//! on this machine; a link the teacher shows reaches the students who follow, and only them;
//! a student cannot show one; a link that would leave the app is refused; pushes are limited;
//! each student's sockets stay their own; and the terminal's QR code holds the students' link.

mod netns;
mod wsharness;

use netns::{assert_isolated, in_classroom, on_lan_host, TEACHER};
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Error as WsError;
use wsharness::{hello, Child, Session, Ws};

/// The port and token of a URL that `socklab serve` printed.
fn port_and_token(url: &str) -> (u16, String) {
    let rest = url.split_once("://").unwrap().1;
    let (host, token) = rest.split_once("/?token=").unwrap();
    let port = host.rsplit(':').next().unwrap().parse().unwrap();
    (port, token.to_owned())
}

/// A WebSocket opened the way a student's browser opens it: from another machine on the LAN,
/// to the teacher's LAN address, with `token`.
async fn from_lan(port: u16, token: &str) -> Result<Ws, WsError> {
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
    tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
        .await
        .map(|(ws, _)| ws)
}

/// A student's session, from the LAN, with the students' link.
async fn student(url: &str) -> Session {
    let (port, token) = port_and_token(url);
    let mut ws = from_lan(port, &token)
        .await
        .expect("the student's WebSocket");
    let h = hello(&mut ws).await;
    assert_eq!(h["role"], "student", "{h}");
    assert!(h["capabilities"].to_string().contains("\"follow\""), "{h}");
    Session::new(ws)
}

/// The teacher's session: this machine, the teacher's link (the first URL printed).
async fn teacher(child: &Child) -> Session {
    let mut ws = child.connect().await;
    let h = hello(&mut ws).await;
    assert_eq!(h["role"], "teacher", "{h}");
    assert!(h["capabilities"].to_string().contains("show_class"), "{h}");
    Session::new(ws)
}

fn is_class(students: u64, following: u64) -> impl Fn(&Value) -> bool {
    move |m| m["type"] == "class" && m["students"] == students && m["following"] == following
}

fn is_show(m: &Value) -> bool {
    m["type"] == "show"
}

#[track_caller]
fn error_code(m: &Value, code: &str) {
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["code"], code, "{m}");
}

/// No `show` came to `s`, after the pushes so far reached everyone they were sent to.
async fn shown_nothing(s: &mut Session) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pong = s.request(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "pong");
    assert!(!s.class.iter().any(is_show), "{:?}", s.class);
}

#[test]
fn a_teacher_leads_two_students() {
    in_classroom("lead_inside", None);
}

#[tokio::test]
#[ignore = "run inside network namespaces by a_teacher_leads_two_students"]
async fn lead_inside() {
    assert_isolated(&["lan0", "lo"]);
    // The teacher's own service on loopback: no student may reach it.
    let service = TcpListener::bind("127.0.0.1:0").unwrap();
    service.set_nonblocking(true).unwrap();
    let p = service.local_addr().unwrap().port();
    let (child, urls) = Child::start_with(&["--lan"], 2);
    let (teacher_url, students_url) = (&urls[0], &urls[1]);
    assert!(teacher_url.starts_with("http://127.0.0.1:"), "{urls:?}");
    assert!(
        students_url.starts_with(&format!("http://{TEACHER}:")),
        "{urls:?}"
    );
    let (port, teacher_token) = port_and_token(teacher_url);
    let (_, students_token) = port_and_token(students_url);
    assert_ne!(teacher_token, students_token);
    assert_eq!(teacher_token.len(), 32);

    // The teacher's token from another machine: refused before any session exists.
    match from_lan(port, &teacher_token).await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status(), 403);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .into_owned();
            assert!(body.contains("teacher's token works only"), "{body}");
        }
        other => panic!("the teacher's token opened a session from the LAN: {other:?}"),
    }

    let mut t = teacher(&child).await;
    t.news(is_class(0, 0)).await;
    let mut a = student(students_url).await;
    let mut b = student(students_url).await;
    t.news(is_class(2, 2)).await;
    b.news(is_class(2, 2)).await;

    // b explores alone: the teacher's link reaches a only.
    let m = b.request(json!({"type": "follow", "follow": false})).await;
    assert_eq!(
        m,
        json!({"type": "following", "id": m["id"], "follow": false})
    );
    t.news(is_class(2, 1)).await;
    a.news(is_class(2, 1)).await;
    let link = "/struct?f=%3EHH&v=1%2C2";
    let m = t.request(json!({"type": "show_class", "link": link})).await;
    assert_eq!(m["type"], "shown", "{m}");
    assert_eq!(
        (m["link"].as_str(), m["students"].as_u64()),
        (Some(link), Some(1))
    );
    assert_eq!(a.news(is_show).await["link"], link);
    shown_nothing(&mut b).await;

    // b follows again: the next link reaches both.
    b.request(json!({"type": "follow", "follow": true})).await;
    t.news(is_class(2, 2)).await;
    let m = t
        .request(json!({"type": "show_class", "link": "/console?p1=s%20%3D%201"}))
        .await;
    assert_eq!(m["students"], 2, "{m}");
    for s in [&mut a, &mut b] {
        assert_eq!(s.news(is_show).await["link"], "/console?p1=s%20%3D%201");
    }

    // A student cannot show the class anything, nor stop following for the teacher.
    let m = a
        .request(json!({"type": "show_class", "link": "/text"}))
        .await;
    error_code(&m, "not_allowed");
    assert!(
        m["message"].as_str().unwrap().contains("teacher's token"),
        "{m}"
    );
    shown_nothing(&mut b).await;
    error_code(
        &t.request(json!({"type": "follow", "follow": false})).await,
        "not_allowed",
    );

    // Links that would leave the app, or carry a token, never reach anyone.
    for bad in [
        "https://evil.example/",
        "//evil.example/struct",
        "javascript:alert(1)",
        "/\\evil.example",
        "/admin",
        "/struct?f=H#x",
        "/struct\n",
        &format!("/struct?token={teacher_token}"),
    ] {
        let m = t.request(json!({"type": "show_class", "link": bad})).await;
        error_code(&m, "bad_link");
    }
    shown_nothing(&mut a).await;

    // Five links in ten seconds; two were shown already.
    for _ in 0..3 {
        let m = t
            .request(json!({"type": "show_class", "link": "/text"}))
            .await;
        assert_eq!(m["type"], "shown", "{m}");
    }
    let m = t
        .request(json!({"type": "show_class", "link": "/text"}))
        .await;
    error_code(&m, "rate_limited");

    // Only links travel: b cannot use a's socket, reach a's listener, or the teacher's service.
    let l = a.listening().await;
    let addr = a.line(json!({"op": "getsockname", "sock": l})).await;
    let line = b.line(json!({"op": "getsockname", "sock": l})).await;
    assert!(line.starts_with("NameError: name 's"), "{line}");
    let c = b.tcp().await;
    let m = b
        .call(json!({"op": "connect", "sock": c, "address": addr}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["kind"], "classroom", "{m}");
    let c = b.tcp().await;
    let m = b
        .call(json!({"op": "connect", "sock": c, "address": format!("('127.0.0.1', {p})")}))
        .await;
    assert_eq!(m["outcome"]["refusal"]["kind"], "classroom", "{m}");
    assert!(
        service.accept().is_err(),
        "a student reached the teacher's service"
    );

    // A student leaving is counted.
    drop(a);
    t.news(is_class(1, 1)).await;
}

/// The QR code's modules, read from the half blocks `socklab serve` printed.
fn modules(lines: &[String]) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in lines {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("{other:?} in the QR code's line {line:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

#[test]
fn the_terminal_shows_the_students_link_as_a_qr_code() {
    in_classroom("qr_inside", None);
}

#[tokio::test]
#[ignore = "run inside network namespaces by the_terminal_shows_the_students_link_as_a_qr_code"]
async fn qr_inside() {
    assert_isolated(&["lan0", "lo"]);
    let (child, urls) = Child::start_with(&["--lan"], 2);
    // After the URLs: a blank line, the code, and the link it holds again.
    let printed = loop {
        let printed = child.printed.lock().unwrap().clone();
        if printed.iter().filter(|l| *l == &urls[1]).count() == 1 {
            break printed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(printed[0], "", "{printed:?}");
    let code: Vec<String> = printed[1..printed.len() - 1].to_vec();
    assert_eq!(printed.last(), Some(&urls[1]));
    let (_, teacher_token) = port_and_token(&urls[0]);
    assert!(printed.iter().all(|l| !l.contains(&teacher_token)));

    // Drawn four pixels a module, as a camera would see it, and decoded.
    let grid = modules(&code);
    let (w, h) = (grid[0].len() * 4, grid.len() * 4);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(
            w,
            h,
            |x, y| {
                if grid[y / 4][x / 4] {
                    0
                } else {
                    255
                }
            },
        );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, content) = grids[0].decode().expect("a readable QR code");
    assert_eq!(content, urls[1]);
}

/// Without `--lan` there is no class: the page is neither teacher nor student, and says so.
#[tokio::test]
async fn without_lan_there_is_no_class() {
    let server = wsharness::Running::start(socklab_companion::serve::Config::default()).await;
    let mut ws = server.connect().await;
    let h = hello(&mut ws).await;
    assert_eq!(h["role"], "solo", "{h}");
    let mut s = Session::new(ws);
    for request in [
        json!({"type": "show_class", "link": "/struct?f=%3EH"}),
        json!({"type": "follow", "follow": false}),
    ] {
        let m = s.request(request).await;
        error_code(&m, "not_allowed");
        assert!(
            m["message"].as_str().unwrap().contains("without --lan"),
            "{m}"
        );
    }
}
