//! The console through a real companion, against real `python3 -i` processes: the same panes,
//! run the way "Run all" runs them (pane 1 until it finishes or waits, then pane 2, each going
//! on by itself when its call returns), must print the same, apart from fd numbers, ephemeral
//! ports and where socket.py lives.

use futures_util::{SinkExt, StreamExt};
use socklab_companion::serve::Config;
use socklab_core::console::value::SOCKET_PY;
use socklab_core::console::{AddrinfoQuery, Gone, Host, Pane};
use socklab_core::protocol::call::Call;
use socklab_core::protocol::{
    encode, AddrinfoOutcome, CallOutcome, ClientMessage, ServerMessage, SocketCall,
};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

mod wsharness;
use wsharness::*;

type Sink = futures_util::stream::SplitSink<Ws, Message>;

/// One companion session shared by the panes, as the page shares its one WebSocket.
struct Link {
    sink: tokio::sync::Mutex<Sink>,
    next: Cell<u64>,
    pending: RefCell<HashMap<u64, oneshot::Sender<ServerMessage>>>,
    waiting: RefCell<HashSet<u64>>,
}

impl Link {
    async fn open(server: &Running) -> Rc<Link> {
        let mut ws = server.connect().await;
        let h = hello(&mut ws).await;
        assert_eq!(h["type"], "hello");
        let (sink, mut stream) = ws.split();
        let link = Rc::new(Link {
            sink: tokio::sync::Mutex::new(sink),
            next: Cell::new(0),
            pending: RefCell::default(),
            waiting: RefCell::default(),
        });
        let reader = Rc::clone(&link);
        tokio::task::spawn_local(async move {
            while let Some(Ok(Message::Text(text))) = stream.next().await {
                let Ok(message) = serde_json::from_str::<ServerMessage>(&text) else {
                    continue;
                };
                if let ServerMessage::Waiting { id } = message {
                    reader.waiting.borrow_mut().insert(id);
                } else if let Some(id) = message.reply_id() {
                    if let Some(tx) = reader.pending.borrow_mut().remove(&id) {
                        let _ = tx.send(message);
                    }
                }
            }
        });
        link
    }

    async fn ask(
        &self,
        make: impl FnOnce(u64) -> ClientMessage,
        current: &Cell<Option<u64>>,
    ) -> Result<ServerMessage, Gone> {
        let id = self.next.get() + 1;
        self.next.set(id);
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        current.set(Some(id));
        let text = encode(&make(id));
        self.sink
            .lock()
            .await
            .send(Message::text(text))
            .await
            .map_err(|_| Gone::Disconnected)?;
        let reply = rx.await.map_err(|_| Gone::Disconnected);
        current.set(None);
        reply
    }
}

/// A pane's view of the link: which of its calls is in flight.
struct PaneHost {
    link: Rc<Link>,
    current: Cell<Option<u64>>,
}

impl PaneHost {
    fn waits(&self) -> bool {
        self.current
            .get()
            .is_some_and(|id| self.link.waiting.borrow().contains(&id))
    }
}

impl Host for PaneHost {
    async fn call(&self, call: &Call) -> Result<CallOutcome, Gone> {
        let wire = SocketCall::from(call);
        match self
            .link
            .ask(|id| ClientMessage::Call { id, call: wire }, &self.current)
            .await?
        {
            ServerMessage::Result { outcome, .. } => Ok(outcome),
            _ => Err(Gone::Disconnected),
        }
    }

    async fn getaddrinfo(&self, q: &AddrinfoQuery) -> Result<AddrinfoOutcome, Gone> {
        match self.link.ask(|id| q.message(id), &self.current).await? {
            ServerMessage::Addrinfo { outcome, .. } => Ok(outcome),
            _ => Err(Gone::Disconnected),
        }
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    fn now(&self) -> f64 {
        0.0
    }
}

/// Runs the panes as "Run all" does; what each line of each pane printed.
async fn console(server: &Running, panes: &[Vec<String>]) -> Vec<Vec<String>> {
    let link = Link::open(server).await;
    let mut tasks = Vec::new();
    for lines in panes {
        let host = Rc::new(PaneHost {
            link: Rc::clone(&link),
            current: Cell::new(None),
        });
        let lines = lines.clone();
        let running = Rc::clone(&host);
        let task = tokio::task::spawn_local(async move {
            let mut pane = Pane::new();
            let mut out = Vec::new();
            for line in &lines {
                out.push(pane.run(&*running, line).await.output);
            }
            out
        });
        // Pane by pane: on to the next one when this one is done or waits in a call.
        while !task.is_finished() && !host.waits() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tasks.push(task);
    }
    let mut outputs = Vec::new();
    for t in tasks {
        outputs.push(
            tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .expect("the panes finish")
                .unwrap(),
        );
    }
    outputs
}

/// The same panes in real `python3 -i` processes (vectors/console_panes.py).
fn python(panes: &[Vec<String>]) -> (Vec<Vec<String>>, String) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/vectors/console_panes.py"
    );
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(panes).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let socket_py = std::process::Command::new("python3")
        .args(["-c", "import socket; print(socket.__file__)"])
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).expect("console_panes.py answers JSON"),
        String::from_utf8(socket_py.stdout)
            .unwrap()
            .trim()
            .to_owned(),
    )
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Masks what differs between two runs: fd numbers, the session's ports, ephemeral ports.
fn mask(text: &str, ports: &[(u16, &str)], socket_py: &str) -> String {
    let mut t = text.replace(socket_py, SOCKET_PY);
    for (port, name) in ports {
        t = t.replace(&port.to_string(), name);
    }
    let mut out = String::new();
    let mut rest = t.as_str();
    // `fd=7` → `fd=N`; `', 40122)` → `', EPHEMERAL)`.
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        let (head, tail) = rest.split_at(i);
        let n = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (digits, after) = tail.split_at(n);
        out.push_str(head);
        if head.ends_with("fd=") {
            out.push('N');
        } else if head.ends_with("', ") && after.starts_with(')') && digits.len() >= 4 {
            out.push_str("EPHEMERAL");
        } else {
            out.push_str(digits);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

async fn differential(sessions: &[(&str, Vec<Vec<&str>>)]) {
    let server = Running::start(Config::default()).await;
    let mut failures = Vec::new();
    for (name, panes) in sessions {
        let run = |port: u16, closed: u16| -> Vec<Vec<String>> {
            panes
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|l| {
                            l.replace("PORT", &port.to_string())
                                .replace("CLOSED", &closed.to_string())
                        })
                        .collect()
                })
                .collect()
        };
        let (pp, pc) = (free_port(), free_port());
        let (want, socket_py) = python(&run(pp, pc));
        let (cp, cc) = (free_port(), free_port());
        let got = console(&server, &run(cp, cc)).await;
        for (k, pane) in panes.iter().enumerate() {
            for (i, line) in pane.iter().enumerate() {
                let w = mask(&want[k][i], &[(pp, "PORT"), (pc, "CLOSED")], &socket_py);
                let g = mask(&got[k][i], &[(cp, "PORT"), (cc, "CLOSED")], &socket_py);
                if w != g {
                    failures.push(format!(
                        "{name}, pane {}: >>> {line}\n--- python3:\n{w}\n--- console:\n{g}",
                        k + 1
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "current_thread")]
async fn two_panes_print_what_two_python3_processes_print() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(differential(&[
            (
                "echo server and client",
                vec![
                    vec![
                        "import socket",
                        "srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                        "srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                        "srv.bind(('127.0.0.1', PORT))",
                        "srv.listen()",
                        "conn, addr = srv.accept()",
                        "data = conn.recv(1024)",
                        "data",
                        "conn.sendall(data.upper())",
                        "conn.close()",
                        "srv.close()",
                        "srv",
                    ],
                    vec![
                        "import socket",
                        "c = socket.socket()",
                        "c.connect(('127.0.0.1', PORT))",
                        "c.getpeername()",
                        "c.sendall(b'hello')",
                        "c.recv(1024)",
                        "c.recv(1024)",
                        "c.close()",
                    ],
                ],
            ),
            (
                "refused connect and the errors",
                vec![vec![
                    "import socket",
                    "s = socket.socket()",
                    "s.connect(('127.0.0.1', CLOSED))",
                    "s.connect_ex(('127.0.0.1', CLOSED))",
                    "s.connect('127.0.0.1', 80)",
                    "s.recieve(10)",
                    "s.recv('a')",
                    "s.send('text')",
                    "s.settimeout(-1)",
                    "s.close()",
                    "s.recv(1)",
                    "socket.create_connection(('127.0.0.1', CLOSED))",
                ]],
            ),
            (
                "half-close, both halves",
                vec![
                    vec![
                        "import socket",
                        "srv = socket.create_server(('127.0.0.1', PORT))",
                        "conn, addr = srv.accept()",
                        "conn.recv(100)",
                        "conn.recv(100)",
                        "conn.sendall(b'answer')",
                        "conn.close()",
                    ],
                    vec![
                        "import socket",
                        "c = socket.create_connection(('127.0.0.1', PORT))",
                        "c.sendall(b'request')",
                        "c.shutdown(socket.SHUT_WR)",
                        "c.send(b'more')",
                        "c.recv(100)",
                        "c.recv(100)",
                    ],
                ],
            ),
            (
                "non-blocking recv and select",
                vec![
                    vec![
                        "import socket, select",
                        "srv = socket.create_server(('127.0.0.1', PORT))",
                        "conn, addr = srv.accept()",
                        "conn.setblocking(False)",
                        "conn.recv(10)",
                        "r, w, x = select.select([conn], [], [], 5)",
                        "r == [conn]",
                        "conn.recv(10)",
                        "select.select([conn], [], [], 0)",
                    ],
                    vec![
                        "import socket, time",
                        "c = socket.create_connection(('127.0.0.1', PORT))",
                        "time.sleep(1)",
                        "c.sendall(b'ready')",
                    ],
                ],
            ),
            (
                "TIME_WAIT: a restart without SO_REUSEADDR on the first server fails",
                vec![
                    vec![
                        "import socket",
                        "srv = socket.socket()",
                        "srv.bind(('127.0.0.1', PORT))",
                        "srv.listen()",
                        "conn, addr = srv.accept()",
                        "conn.close()",
                        "srv.close()",
                        "again = socket.socket()",
                        "again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                        "again.bind(('127.0.0.1', PORT))",
                        "again.close()",
                    ],
                    vec![
                        "import socket",
                        "c = socket.create_connection(('127.0.0.1', PORT))",
                        "c.recv(10)",
                        "c.close()",
                    ],
                ],
            ),
            (
                "TIME_WAIT: SO_REUSEADDR on both servers lets the restart bind",
                vec![
                    vec![
                        "import socket",
                        "srv = socket.socket()",
                        "srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                        "srv.bind(('127.0.0.1', PORT))",
                        "srv.listen()",
                        "conn, addr = srv.accept()",
                        "conn.close()",
                        "srv.close()",
                        "again = socket.socket()",
                        "again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                        "again.bind(('127.0.0.1', PORT))",
                        "again.getsockname()[1] == PORT",
                        "again.close()",
                    ],
                    vec![
                        "import socket",
                        "c = socket.create_connection(('127.0.0.1', PORT))",
                        "c.recv(10)",
                        "c.close()",
                    ],
                ],
            ),
            (
                "a timeout on recv",
                vec![
                    vec![
                        "import socket",
                        "srv = socket.create_server(('127.0.0.1', PORT))",
                        "conn, addr = srv.accept()",
                        "conn.recv(10)",
                    ],
                    vec![
                        "import socket",
                        "c = socket.create_connection(('127.0.0.1', PORT), timeout=0.3)",
                        "c.gettimeout()",
                        "c.recv(10)",
                        "c.close()",
                    ],
                ],
            ),
            (
                "getaddrinfo of numeric hosts and struct",
                vec![vec![
                    "import socket, struct",
                    "socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM)",
                    "socket.getaddrinfo('::1', 'http', type=socket.SOCK_STREAM)",
                    "struct.pack('!HH', 1, 2) + b'body'",
                    "s = socket.socket()",
                    "s.settimeout(0.2)",
                    "s.gettimeout()",
                ]],
            ),
        ]))
        .await;
}

/// "Export" gives a pane as a `.py` file that prints, under `python3`, what the console printed
/// for it (`>>> ` and each line, then its output), apart from fd numbers and ports.
#[tokio::test(flavor = "current_thread")]
async fn an_exported_pane_prints_under_python3_what_the_console_printed() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let server = Running::start(Config::default()).await;
            let closed = free_port();
            let lines: Vec<String> = [
                "import socket, struct",
                "s = socket.socket()",
                "s.connect(('127.0.0.1', CLOSED))",
                "s.connect_ex(('127.0.0.1', CLOSED))",
                "s.connect('127.0.0.1', 80)",
                "s.recieve(10)",
                "struct.pack('!H', 256)",
                "print('中文'.encode('utf-8'))",
                "s.close()",
                "s",
            ]
            .iter()
            .map(|l| l.replace("CLOSED", &closed.to_string()))
            .collect();
            let got = console(&server, std::slice::from_ref(&lines)).await;
            let console_text: String = lines
                .iter()
                .zip(&got[0])
                .map(|(line, out)| {
                    if out.is_empty() {
                        format!(">>> {line}\n")
                    } else {
                        format!(">>> {line}\n{out}\n")
                    }
                })
                .collect();
            let script = socklab_core::console::export::script("client", &["client"], &lines);
            let dir = std::env::temp_dir().join(format!("socklab-export-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("client.py");
            std::fs::write(&file, &script).unwrap();
            let out = std::process::Command::new("python3")
                .arg(&file)
                .output()
                .expect("python3 runs");
            std::fs::remove_dir_all(&dir).unwrap();
            let python_text = String::from_utf8(out.stdout).unwrap();
            let socket_py = std::process::Command::new("python3")
                .args(["-c", "import socket; print(socket.__file__)"])
                .output()
                .unwrap();
            let socket_py = String::from_utf8(socket_py.stdout).unwrap();
            let ports = [(closed, "CLOSED")];
            assert_eq!(
                mask(&python_text, &ports, socket_py.trim()),
                mask(&console_text, &ports, socket_py.trim()),
                "the exported script:\n{script}"
            );
        })
        .await;
}

/// After the companion's session ends, a new one numbers its sockets from 1 again: a name that
/// held an old socket must not reach the new socket that took its number.
#[tokio::test(flavor = "current_thread")]
async fn old_sockets_stay_old_when_a_new_session_reuses_their_numbers() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let server = Running::start(Config::default()).await;
            let mut pane = Pane::new();
            let first = PaneHost {
                link: Link::open(&server).await,
                current: Cell::new(None),
            };
            for line in ["import socket", "srv = socket.socket()"] {
                pane.run(&first, line).await;
            }
            pane.companion_restarted();
            let second = PaneHost {
                link: Link::open(&server).await,
                current: Cell::new(None),
            };
            let mut run = async |line: &str| pane.run(&second, line).await.output;
            assert_eq!(run("s = socket.socket()").await, "");
            assert_eq!(run("s.fileno() > 2").await, "True");
            assert_eq!(run("srv.fileno()").await, "-1");
            assert!(run("srv.listen()").await.starts_with(
                "[socklab] this socket belonged to a companion session that has ended"
            ),);
            assert_eq!(
                run("select.select([srv], [], [], 0)")
                    .await
                    .lines()
                    .last()
                    .unwrap(),
                "NameError: name 'select' is not defined"
            );
            run("import select").await;
            assert!(run("select.select([srv], [], [], 0)")
                .await
                .starts_with("[socklab] this socket belonged"));
            assert_eq!(run("s.getsockname()").await, "('0.0.0.0', 0)");
        })
        .await;
}

/// Predict, then run: the live exercises (core's `data/exercises.txt`), run as the page runs
/// them (`Exercise::run` over one companion session), print what `python3 -i` prints; exactly
/// one choice is right.
#[tokio::test(flavor = "current_thread")]
async fn live_exercises_answer_what_python3_answers() {
    use socklab_core::exercise::{exercises, judge};
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let server = Running::start(Config::default()).await;
            let live: Vec<_> = exercises().iter().filter(|e| e.live).collect();
            assert!(!live.is_empty());
            let panes: Vec<Vec<String>> = live
                .iter()
                .map(|e| e.lines().map(str::to_owned).collect())
                .collect();
            let mut wrong = Vec::new();
            for (e, lines) in live.iter().zip(&panes) {
                // Each exercise in its own python3, so one cannot wait on another's socket.
                let (want, socket_py) = python(std::slice::from_ref(lines));
                let want = mask(want[0].last().unwrap(), &[], &socket_py);
                let link = Link::open(&server).await;
                let host = PaneHost {
                    link: Rc::clone(&link),
                    current: Cell::new(None),
                };
                let answer = tokio::time::timeout(Duration::from_secs(20), e.run(&host))
                    .await
                    .expect("a live exercise does not wait");
                let got = mask(&answer.printed, &[], &socket_py);
                if answer.unavailable || got != want {
                    wrong.push(format!(
                        "{} >>> {}\n--- python3:\n{want}\n--- socklab:\n{got}",
                        e.id, e.line
                    ));
                }
                let right: Vec<_> = e.choices.iter().filter(|c| judge(&answer, c)).collect();
                assert_eq!(right.len(), 1, "{}: right choices {right:?}", e.id);
            }
            assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
        })
        .await;
}
