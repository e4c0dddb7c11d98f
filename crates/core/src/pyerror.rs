//! Python exceptions as CPython prints them, plus a hint for the learner in their language.
//!
//! A [`PyException`] is what a Python call would raise: its class and its message, exactly.
//! [`PyException::traceback_line`] is the last line of the traceback CPython prints for it.
//! The optional [`Hint`] names a catalog entry (see [`crate::i18n`]) that explains, in the
//! user's language, what was wrong and what would be right.

use std::fmt;
use std::ops::Range;

/// The exception classes socklab can raise, named as a traceback names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PyExcClass {
    /// `OverflowError`
    OverflowError,
    /// `TypeError`
    TypeError,
    /// `ValueError`
    ValueError,
    /// `SyntaxError` (a literal Python would not parse)
    SyntaxError,
    /// `NameError` (a bare word that is not a literal)
    NameError,
    /// `struct.error`
    StructError,
    /// `IndexError`
    IndexError,
    /// `OSError` (without an errno: what `inet_aton` and friends raise)
    OsError,
    /// `UnicodeEncodeError`
    UnicodeEncodeError,
    /// `UnicodeDecodeError`
    UnicodeDecodeError,
    /// `SystemError` (CPython's own internal complaint, e.g. `struct.unpack('0p', b'')`)
    SystemError,
    /// Not Python's: a limit of socklab's own (a result too large to show), named as such.
    SocklabLimit,
}

impl PyExcClass {
    /// The name a traceback prints before the colon: `OverflowError`, `struct.error`, ...
    pub fn traceback_name(self) -> &'static str {
        match self {
            PyExcClass::OverflowError => "OverflowError",
            PyExcClass::TypeError => "TypeError",
            PyExcClass::ValueError => "ValueError",
            PyExcClass::SyntaxError => "SyntaxError",
            PyExcClass::NameError => "NameError",
            PyExcClass::StructError => "struct.error",
            PyExcClass::IndexError => "IndexError",
            PyExcClass::OsError => "OSError",
            PyExcClass::UnicodeEncodeError => "UnicodeEncodeError",
            PyExcClass::UnicodeDecodeError => "UnicodeDecodeError",
            PyExcClass::SystemError => "SystemError",
            PyExcClass::SocklabLimit => "socklab.LimitError",
        }
    }
}

/// A traceback as the app shows it: the header, an elision for the frames, and the last line.
///
/// ```
/// assert_eq!(
///     socklab_core::pyerror::traceback("TimeoutError: timed out"),
///     "Traceback (most recent call last):\n  ...\nTimeoutError: timed out"
/// );
/// ```
pub fn traceback(last_line: &str) -> String {
    format!("Traceback (most recent call last):\n  ...\n{last_line}")
}

/// A catalog key and its named arguments: the learner-facing explanation of an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The key in the language catalogs, e.g. `hint.int_too_big`.
    pub key: &'static str,
    /// Values for the `{name}` placeholders of that catalog entry.
    pub args: Vec<(&'static str, String)>,
}

impl Hint {
    /// A hint with no arguments.
    pub fn new(key: &'static str) -> Hint {
        Hint {
            key,
            args: Vec::new(),
        }
    }

    /// Adds one `{name}` argument.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Hint {
        self.args.push((name, value.to_string()));
        self
    }
}

/// An exception exactly as CPython 3.11 would raise it.
///
/// ```
/// use socklab_core::pyerror::{PyException, PyExcClass};
/// let e = PyException::new(PyExcClass::StructError, "bad char in struct format");
/// assert_eq!(e.traceback_line(), "struct.error: bad char in struct format");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.traceback_line())]
pub struct PyException {
    /// The exception's class.
    pub class: PyExcClass,
    /// `str(exception)`, to the letter.
    pub message: String,
    /// What a learner should read about it, if socklab has something to say.
    pub hint: Option<Hint>,
    /// Where in the input (a byte range of the format string, the literal, ...) it went
    /// wrong, so a page can point at it. Not part of what Python prints.
    pub span: Option<Range<usize>>,
}

impl PyException {
    /// An exception without a hint.
    pub fn new(class: PyExcClass, message: impl Into<String>) -> PyException {
        PyException {
            class,
            message: message.into(),
            hint: None,
            span: None,
        }
    }

    /// Records where in the input the error is.
    pub fn at(mut self, span: Range<usize>) -> PyException {
        self.span = Some(span);
        self
    }

    /// Attaches a learner-facing hint.
    pub fn with_hint(mut self, hint: Hint) -> PyException {
        self.hint = Some(hint);
        self
    }

    /// The last line of the traceback CPython prints: `ClassName: message`.
    pub fn traceback_line(&self) -> String {
        if self.message.is_empty() {
            self.class.traceback_name().to_owned()
        } else {
            format!("{}: {}", self.class.traceback_name(), self.message)
        }
    }
}
