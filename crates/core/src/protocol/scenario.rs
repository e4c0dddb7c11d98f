//! Scripted demonstrations ([`Scenario`]) and their transcripts: each [`Step`] is a line of
//! Python and what it gave, with the REPL's rules for showing it ([`ReplOutput`]).

use super::{CallOutcome, PeerKind, PyReturn};
use serde::{Deserialize, Serialize};

/// The scripted demonstrations: each makes one error of the seed happen for real, or (the
/// half-close) shows the seed's closing lesson working as it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Connect to a loopback port nobody listens on: ConnectionRefusedError.
    Econnrefused,
    /// Restart a server on a port left in TIME_WAIT: EADDRINUSE when the first server had no
    /// SO_REUSEADDR, success when both had it.
    Eaddrinuse,
    /// Read from the reset peer: ConnectionResetError.
    Econnreset,
    /// Wait for the silent peer with a timeout: TimeoutError (settimeout's, no errno).
    Etimedout,
    /// `connect()` to a listener whose backlog is full, with TCP_USER_TIMEOUT lowered: the
    /// kernel's own ETIMEDOUT (`[Errno 110] Connection timed out`).
    EtimedoutConnect,
    /// Non-blocking recv with nothing to read: BlockingIOError.
    EwouldblockRecv,
    /// Non-blocking send until the buffer is full: BlockingIOError.
    EwouldblockSend,
    /// Send after the peer reset the connection: BrokenPipeError.
    Epipe,
    /// Bind to an address this machine does not have: EADDRNOTAVAIL.
    Eaddrnotavail,
    /// Send a request, `shutdown(SHUT_WR)`, and still receive the half-close peer's answer,
    /// then `b''` when it closes: no error.
    HalfClose,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 10] = [
        Scenario::Econnrefused,
        Scenario::Eaddrinuse,
        Scenario::Econnreset,
        Scenario::Etimedout,
        Scenario::EtimedoutConnect,
        Scenario::EwouldblockRecv,
        Scenario::EwouldblockSend,
        Scenario::Epipe,
        Scenario::Eaddrnotavail,
        Scenario::HalfClose,
    ];

    /// The errno name the scenario raises (`ETIMEDOUT` stands for TimeoutError); `None` for
    /// the half-close, which raises nothing.
    pub fn errno_name(self) -> Option<&'static str> {
        Some(match self {
            Scenario::Econnrefused => "ECONNREFUSED",
            Scenario::Eaddrinuse => "EADDRINUSE",
            Scenario::Econnreset => "ECONNRESET",
            Scenario::EtimedoutConnect => "ETIMEDOUT",
            Scenario::EwouldblockRecv | Scenario::EwouldblockSend => "EWOULDBLOCK",
            Scenario::Epipe => "EPIPE",
            Scenario::Eaddrnotavail => "EADDRNOTAVAIL",
            // settimeout's TimeoutError carries no errno: it is the timeout lesson's, not
            // ETIMEDOUT's.
            Scenario::Etimedout | Scenario::HalfClose => return None,
        })
    }

    /// The demo peer the scenario talks to, if it uses one.
    pub fn peer(self) -> Option<PeerKind> {
        match self {
            Scenario::Econnreset => Some(PeerKind::Reset),
            Scenario::Etimedout | Scenario::EwouldblockRecv | Scenario::EwouldblockSend => {
                Some(PeerKind::Silent)
            }
            Scenario::HalfClose => Some(PeerKind::HalfClose),
            Scenario::Econnrefused
            | Scenario::Eaddrinuse
            | Scenario::EtimedoutConnect
            | Scenario::Epipe
            | Scenario::Eaddrnotavail => None,
        }
    }

    /// The wire name: `ewouldblock_recv`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Econnrefused => "econnrefused",
            Scenario::Eaddrinuse => "eaddrinuse",
            Scenario::Econnreset => "econnreset",
            Scenario::Etimedout => "etimedout",
            Scenario::EtimedoutConnect => "etimedout_connect",
            Scenario::EwouldblockRecv => "ewouldblock_recv",
            Scenario::EwouldblockSend => "ewouldblock_send",
            Scenario::Epipe => "epipe",
            Scenario::Eaddrnotavail => "eaddrnotavail",
            Scenario::HalfClose => "half_close",
        }
    }

    /// The scenarios that raise an errno (by name or alias), for the error reference's
    /// "reproduce it live" button.
    pub fn for_errno(name: &str) -> Vec<Scenario> {
        let name = match name {
            "EAGAIN" => "EWOULDBLOCK",
            n => n,
        };
        Scenario::ALL
            .into_iter()
            .filter(|s| s.errno_name() == Some(name))
            .collect()
    }
}

/// One line of a scenario's transcript: the Python it ran and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The Python: `s1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)`.
    pub code: String,
    /// How it ended.
    pub outcome: CallOutcome,
    /// How long it took, in microseconds.
    pub elapsed_us: u64,
}

/// A transcript as lines for the console: the imports its lines need, then each line as it
/// ran (comments included), so the learner can run it again, change it, and run it again. A
/// compound step (`try:` ... `except`), which the console's one statement per line cannot
/// hold, stays out.
///
/// ```
/// use socklab_core::protocol::{console_lines, CallOutcome, PyReturn, Step};
/// let step = |code: &str| Step {
///     code: code.into(),
///     outcome: CallOutcome::Returned { value: PyReturn::None },
///     elapsed_us: 1,
/// };
/// let lines = console_lines(&[step("s1 = socket.socket()"), step("time.sleep(0.1)")]);
/// assert_eq!(lines, ["import socket", "import time", "s1 = socket.socket()", "time.sleep(0.1)"]);
/// ```
pub fn console_lines(steps: &[Step]) -> Vec<String> {
    let mut lines = vec!["import socket".to_owned()];
    if steps.iter().any(|s| s.code.contains("time.")) {
        lines.push("import time".to_owned());
    }
    lines.extend(
        steps
            .iter()
            .filter(|s| !s.code.contains('\n'))
            .map(|s| s.code.clone()),
    );
    lines
}

/// The comments scenario lines carry, by catalog key: the companion writes the English text
/// after `  # ` (CPython ignores it on replay), and the page shows the comment in the reader's
/// language by finding it here ([`Step::comment`]).
pub const STEP_COMMENTS: [(&str, &str); 16] = [
    (
        "live.c_reset_peer",
        "the reset peer: accepts, then aborts (RST)",
    ),
    (
        "live.c_silent_peer",
        "the silent peer: accepts, never answers",
    ),
    ("live.c_silent_reader", "the silent peer: never reads"),
    (
        "live.c_half_close_peer",
        "the half-close peer: reads to EOF, answers with what it read, closes",
    ),
    (
        "live.c_server_closes_first",
        "the server closes first: TIME_WAIT is on its side",
    ),
    (
        "live.c_first_no_reuse",
        "the first server had no SO_REUSEADDR",
    ),
    (
        "live.c_both_reuse",
        "both have SO_REUSEADDR: the restart works",
    ),
    (
        "live.c_backlog_zero",
        "room for one connection nobody accepts",
    ),
    ("live.c_user_timeout", "give up after 1.5 s"),
    (
        "live.c_backlog_full",
        "the backlog is full: no answer to the SYN",
    ),
    (
        "live.c_peer_closed_rst",
        "the peer has closed: this reaches it, it answers RST",
    ),
    (
        "live.c_no_more_sending",
        "no more sending: the peer's recv() returns b''",
    ),
    ("live.c_sending_half_closed", "the sending half is closed"),
    ("live.c_still_receives", "but this side still receives"),
    ("live.c_peer_closed_too", "b'': the peer has closed too"),
    ("live.c_test_net", "TEST-NET-1: no machine has this address"),
];

/// The English text of a scenario comment, by its catalog key.
///
/// # Panics
/// For a key that is not in [`STEP_COMMENTS`] (a bug in the companion, caught by its tests).
pub fn step_comment(key: &str) -> &'static str {
    STEP_COMMENTS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no scenario comment {key}"))
}

impl Step {
    /// The line's code without its comment, and the comment's catalog key, when the comment is
    /// one of [`STEP_COMMENTS`].
    ///
    /// ```
    /// use socklab_core::protocol::{CallOutcome, PyReturn, Step};
    /// let step = Step {
    ///     code: "s1.send(b'more')  # the sending half is closed".into(),
    ///     outcome: CallOutcome::Returned { value: PyReturn::None },
    ///     elapsed_us: 1,
    /// };
    /// assert_eq!(step.comment(), Some(("s1.send(b'more')", "live.c_sending_half_closed")));
    /// ```
    pub fn comment(&self) -> Option<(&str, &'static str)> {
        let (code, text) = self.code.split_once("  # ")?;
        let key = STEP_COMMENTS.iter().find(|(_, t)| *t == text)?.0;
        Some((code, key))
    }
}

/// Whether a line of Python is an assignment (`s1 = ...`, `s3, addr = ...`), for which the REPL
/// prints nothing.
pub fn is_assignment(code: &str) -> bool {
    code.split_once(" = ").is_some_and(|(targets, _)| {
        !targets.is_empty()
            && targets
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ',' | ' '))
    })
}

/// What the REPL prints under a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplOutput {
    /// The value's repr.
    Value(String),
    /// The traceback.
    Raised(String),
}

impl Step {
    /// What the REPL prints under the step: nothing for `None` or an assignment, the repr, or
    /// the traceback.
    ///
    /// ```
    /// use socklab_core::protocol::{CallOutcome, PyReturn, ReplOutput, Step};
    /// let step = |code: &str, value| Step {
    ///     code: code.into(),
    ///     outcome: CallOutcome::Returned { value },
    ///     elapsed_us: 0,
    /// };
    /// assert_eq!(step("s1.close()", PyReturn::None).repl_output(), None);
    /// assert_eq!(step("port = s1.getsockname()[1]", PyReturn::Int { value: 5 }).repl_output(), None);
    /// assert_eq!(
    ///     step("s1.send(b'hello')", PyReturn::Int { value: 5 }).repl_output(),
    ///     Some(ReplOutput::Value("5".into()))
    /// );
    /// ```
    pub fn repl_output(&self) -> Option<ReplOutput> {
        match &self.outcome {
            CallOutcome::Returned {
                value: PyReturn::None,
            } => None,
            CallOutcome::Returned { .. } if is_assignment(&self.code) => None,
            CallOutcome::Returned { value } => Some(ReplOutput::Value(value.repr())),
            other => Some(ReplOutput::Raised(crate::pyerror::traceback(&other.line()))),
        }
    }

    /// The step's time as a transcript shows it, to a tenth of a millisecond: `500.4 ms`.
    pub fn elapsed_text(&self) -> String {
        // Integer arithmetic: no float formatting surprises.
        let tenths = (self.elapsed_us + 50) / 100;
        format!("{}.{} ms", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Raised;

    #[test]
    fn repl_rules() {
        assert!(is_assignment("s3, addr = s1.accept()"));
        assert!(!is_assignment("s1.connect(('127.0.0.1', port))  # a = b"));
        let step = |outcome, elapsed_us| Step {
            code: "s1.connect(('127.0.0.1', 9))".into(),
            outcome,
            elapsed_us,
        };
        let refused = step(
            CallOutcome::Raised(Raised {
                class: "ConnectionRefusedError".into(),
                errno: Some(111),
                errno_name: Some("ECONNREFUSED".into()),
                line: "ConnectionRefusedError: [Errno 111] Connection refused".into(),
            }),
            149,
        );
        assert_eq!(
            refused.repl_output(),
            Some(ReplOutput::Raised(
                "Traceback (most recent call last):\n  ...\nConnectionRefusedError: [Errno 111] Connection refused".into()
            ))
        );
        assert_eq!(refused.elapsed_text(), "0.1 ms");
        for (us, text) in [
            (0, "0.0 ms"),
            (500_449, "500.4 ms"),
            (1_000_050, "1000.1 ms"),
        ] {
            assert_eq!(step(CallOutcome::Cancelled, us).elapsed_text(), text);
        }
        for s in Scenario::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}
