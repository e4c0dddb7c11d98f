//! How a call ends when it does not return: [`Fail`], and its answer on the wire (the OSError
//! subclass of an errno, Python's own exceptions, socket.gaierror, a timeout, the fence's
//! refusal, or one of the companion's limits).

use socklab_core::fence::Refusal;
use socklab_core::protocol::{CallOutcome, LimitKind, PyReturn, Raised};
use socklab_core::pyerror::{PyExcClass, PyException};
use std::io;

/// Why a call did not return.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The OS said no: raised as the errno's OSError subclass.
    Os(io::Error),
    /// Python itself said no (TypeError, ValueError, ...).
    Py(PyException),
    /// The resolver said no: socket.gaierror.
    Gai(i32, String),
    /// A timeout-mode call ran out of time: `TimeoutError: timed out`.
    Timeout,
    /// The fence.
    Refused(Refusal),
    /// A limit of the companion's.
    Limit(LimitKind, String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Os(e)
    }
}

impl From<PyException> for Fail {
    fn from(e: PyException) -> Fail {
        Fail::Py(e)
    }
}

impl From<crate::resolve::Unanswered> for Fail {
    fn from(u: crate::resolve::Unanswered) -> Fail {
        match u {
            crate::resolve::Unanswered::Busy(m) | crate::resolve::Unanswered::Late(m) => {
                Fail::Limit(LimitKind::Lookups, m)
            }
        }
    }
}

impl From<Refusal> for Fail {
    fn from(r: Refusal) -> Fail {
        Fail::Refused(r)
    }
}

/// The exception an errno raises, as Python shows it.
pub(crate) fn raised_errno(n: i32) -> Raised {
    let entry = socklab_core::errno::by_number(n);
    Raised {
        class: entry.map_or("OSError", |e| e.class().name()).to_owned(),
        errno: Some(n),
        errno_name: entry.map(|e| e.name().to_owned()),
        line: socklab_core::errno::os_error_line(n),
    }
}

impl Fail {
    pub(crate) fn into_outcome(self) -> CallOutcome {
        match self {
            Fail::Os(e) => CallOutcome::Raised(raised_errno(e.raw_os_error().unwrap_or(5))),
            Fail::Py(e) => CallOutcome::Raised(Raised {
                class: e.class.traceback_name().to_owned(),
                errno: None,
                errno_name: None,
                line: e.traceback_line(),
            }),
            Fail::Gai(errno, message) => CallOutcome::Raised(Raised {
                class: "socket.gaierror".to_owned(),
                errno: Some(errno),
                errno_name: socklab_core::errno::gai_by_number(errno).map(|g| g.name.to_owned()),
                line: format!("socket.gaierror: [Errno {errno}] {message}"),
            }),
            Fail::Timeout => CallOutcome::Raised(Raised {
                class: "TimeoutError".to_owned(),
                errno: None,
                errno_name: None,
                line: "TimeoutError: timed out".to_owned(),
            }),
            Fail::Refused(refusal) => CallOutcome::Refused {
                line: refusal.python(),
                refusal,
            },
            Fail::Limit(limit, message) => CallOutcome::Limit { limit, message },
        }
    }
}

pub(crate) type Done = Result<PyReturn, Fail>;

/// The NameError for a socket name the session never made.
pub(crate) fn name_error(sock: u32) -> Fail {
    py(
        PyExcClass::NameError,
        format!(
            "name '{}' is not defined",
            socklab_core::protocol::sock_var(sock)
        ),
    )
}

pub(crate) fn py(class: PyExcClass, message: impl Into<String>) -> Fail {
    Fail::Py(PyException::new(class, message))
}
