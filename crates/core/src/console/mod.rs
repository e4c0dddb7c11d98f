//! The socket console: lines of Python, run as `python3 -i` runs them, with every socket call
//! made for real by the companion.
//!
//! [`syntax`] reads a line into a statement. A [`Pane`] is one interpreter: its names, its
//! sockets, and [`Pane::run`], which runs a statement and gives back what the REPL prints.
//! Everything that is not a socket call (struct, htons, bytes methods, arithmetic) is computed
//! here, by core, exactly as elsewhere in socklab; socket calls are built as checked
//! [`Call`]s (the same type the companion's boundary produces) and handed to a [`Host`], which
//! the page implements over its WebSocket and the tests over a real companion.

pub mod board;
mod eval;
pub mod export;
mod names;
pub mod suggest;
pub mod syntax;
pub mod value;

use crate::deferred::Deferred;
use crate::protocol::call::Call;
use crate::protocol::{AddrinfoOutcome, CallOutcome};
pub use eval::{completions, Pane, Ran};
use std::future::Future;
use std::time::Duration;
pub use value::{PyErr, SocketObj, Value};

/// `socket.getaddrinfo`'s arguments, as the companion takes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrinfoQuery {
    /// The host, or `None`.
    pub host: Option<String>,
    /// The port or service, as text, or `None`.
    pub port: Option<String>,
    /// `AF_*`.
    pub family: i32,
    /// `SOCK_*`.
    pub socktype: i32,
    /// `IPPROTO_*`.
    pub proto: i32,
    /// `AI_*`.
    pub flags: i32,
}

impl AddrinfoQuery {
    /// The request that asks the companion, with its id.
    pub fn message(&self, id: u64) -> crate::protocol::ClientMessage {
        crate::protocol::ClientMessage::Getaddrinfo {
            id,
            host: self.host.clone(),
            port: self.port.clone(),
            family: self.family,
            socktype: self.socktype,
            proto: self.proto,
            flags: self.flags,
        }
    }
}

/// Why the companion gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gone {
    /// No companion is connected.
    NotConnected,
    /// The companion went away while the call waited.
    Disconnected,
    /// The socket belongs to a companion session that has ended (the page reconnected since).
    Stale,
    /// The companion refused the request itself (too many requests per second, too many calls
    /// waiting): its message, which says what to do.
    Refused(String),
}

/// socklab's own line in a transcript, where Python would print something: why the console
/// did not run a line, or what became of the companion. [`Note::line`] is the line in English,
/// as the transcript keeps it; the console page shows it in the reader's language, by the note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Python the console recognises and does not run.
    Refused(syntax::Refusal),
    /// A call or name the console does not run (`what`: `socket.socketpair()`, ...).
    Unsupported(String),
    /// An int result beyond 128 bits.
    IntTooLarge,
    /// A value of 1 MiB or more.
    TooLarge,
    /// A standard module other than socket, struct, time and select.
    Module(String),
    /// The GBK table could not be fetched (`why`).
    NoGbkTable(String),
    /// `time.sleep()` for more than a minute.
    LongSleep,
    /// The companion is not there, or went away.
    Gone(Gone),
}

impl Note {
    /// The line as the transcript prints it, in English: `[socklab] ...`.
    pub fn line(&self) -> String {
        match self {
            Note::Refused(r) => r.line().to_owned(),
            Note::Gone(g) => g.line(),
            Note::Unsupported(what) => format!(
                "[socklab] {what} is not supported in the console; it runs the socket calls, \
                 struct, time.sleep, select.select and the str/bytes methods socket code uses"
            ),
            Note::Module(m) => format!(
                "[socklab] the console has the socket, struct, time and select modules; {m} is \
                 not available here"
            ),
            Note::NoGbkTable(why) => format!(
                "[socklab] the GBK codec needs its table, which could not be fetched ({why}); run \
                 the line again once the page is back online"
            ),
            Note::IntTooLarge => {
                "[socklab] the console keeps ints within 128 bits; this result is larger".to_owned()
            }
            Note::TooLarge => "[socklab] the console keeps values under 1 MiB".to_owned(),
            Note::LongSleep => {
                "[socklab] time.sleep() waits at most 60 s in the console".to_owned()
            }
        }
    }
}

impl Gone {
    /// What the transcript prints.
    pub fn line(&self) -> String {
        let text = match self {
            Gone::NotConnected => {
                "[socklab] no companion: this line needs a real socket. Start it with `cargo xtask run` (or `socklab serve`) and the page connects by itself"
            }
            Gone::Disconnected => "[socklab] companion disconnected: the call ended without an answer",
            Gone::Stale => {
                "[socklab] this socket belonged to a companion session that has ended; the companion reconnected with no sockets, so make a new one"
            }
            Gone::Refused(message) => return format!("[socklab] the companion refused the call: {message}"),
        };
        text.to_owned()
    }
}

/// What the console needs from outside: the companion's calls, and time.
pub trait Host {
    /// Runs one call on the companion.
    fn call(&self, call: &Call) -> impl Future<Output = Result<CallOutcome, Gone>>;
    /// `socket.getaddrinfo` on the companion.
    fn getaddrinfo(
        &self,
        query: &AddrinfoQuery,
    ) -> impl Future<Output = Result<AddrinfoOutcome, Gone>>;
    /// Waits (`time.sleep`).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
    /// Seconds since the epoch (`time.time()`).
    fn now(&self) -> f64;
    /// Makes sure a file of data the page fetches when it first needs it is here
    /// ([`Deferred::get`]): the console asks for the GBK table when a line first names the
    /// codec, not as it opens. `Err` says why it could not be had. Natively (tests, the
    /// companion) every file is built in, so the default has nothing to fetch.
    fn data(&self, file: Deferred) -> impl Future<Output = Result<(), String>> {
        std::future::ready(
            file.get()
                .map(|_| ())
                .ok_or_else(|| format!("{} is not here", file.file_name())),
        )
    }
}

/// The host with no companion: every socket call and lookup is [`Gone::NotConnected`], and
/// `time.sleep` returns at once. How tests and examples run the lines that need no companion.
#[derive(Clone, Copy, Debug, Default)]
pub struct Alone;

impl Host for Alone {
    async fn call(&self, _: &Call) -> Result<CallOutcome, Gone> {
        Err(Gone::NotConnected)
    }
    async fn getaddrinfo(&self, _: &AddrinfoQuery) -> Result<AddrinfoOutcome, Gone> {
        Err(Gone::NotConnected)
    }
    async fn sleep(&self, _: Duration) {}
    fn now(&self) -> f64 {
        0.0
    }
}

/// Runs a future that never waits (a line run with [`Alone`]) to its end, or `None` if it
/// would wait.
///
/// ```
/// use socklab_core::console::{ready, Alone, Pane};
/// let mut pane = Pane::new();
/// assert_eq!(ready(pane.run(&Alone, "import struct")).unwrap().output, "");
/// let ran = ready(pane.run(&Alone, "struct.calcsize('BHxHH')")).unwrap();
/// assert_eq!(ran.output, "10");
/// ```
pub fn ready<T>(f: impl Future<Output = T>) -> Option<T> {
    let mut f = std::pin::pin!(f);
    match f
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}
