//! The `OSError` family: which class an errno becomes (PEP 3151), and the tree they form.
//!
//! Since Python 3.3, `OSError(errno, text)` does not stay an `OSError`: the constructor looks
//! the errno up and returns a subclass, so `except ConnectionRefusedError:` works without
//! comparing numbers. The classes below are the builtins that mapping uses, plus the two the
//! `socket` module adds for name lookups.

/// A class in the `OSError` tree, as a traceback names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum OsErrorClass {
    /// `OSError` (also spelt `IOError`, `EnvironmentError`, `socket.error`, `select.error`).
    OsError,
    /// `BlockingIOError`: a non-blocking call that would have had to wait.
    BlockingIoError,
    /// `ChildProcessError`
    ChildProcessError,
    /// `ConnectionError`: the parent of the four connection errors; no errno of its own.
    ConnectionError,
    /// `BrokenPipeError`
    BrokenPipeError,
    /// `ConnectionAbortedError`
    ConnectionAbortedError,
    /// `ConnectionRefusedError`
    ConnectionRefusedError,
    /// `ConnectionResetError`
    ConnectionResetError,
    /// `FileExistsError`
    FileExistsError,
    /// `FileNotFoundError`
    FileNotFoundError,
    /// `InterruptedError`
    InterruptedError,
    /// `IsADirectoryError`
    IsADirectoryError,
    /// `NotADirectoryError`
    NotADirectoryError,
    /// `PermissionError`
    PermissionError,
    /// `ProcessLookupError`
    ProcessLookupError,
    /// `TimeoutError` (also `socket.timeout` since Python 3.10).
    TimeoutError,
    /// `socket.gaierror`: getaddrinfo and getnameinfo failures.
    Gaierror,
    /// `socket.herror`: the legacy gethostbyaddr family's failures.
    Herror,
}

use OsErrorClass::*;

/// Other spellings of a class: deprecated aliases that are the very same class object.
const ALIASES: [(&str, OsErrorClass); 5] = [
    ("socket.error", OsError),
    ("socket.timeout", TimeoutError),
    ("IOError", OsError),
    ("EnvironmentError", OsError),
    ("select.error", OsError),
];

impl OsErrorClass {
    /// Every class, parents before their children.
    pub const ALL: [OsErrorClass; 18] = [
        OsError,
        BlockingIoError,
        ChildProcessError,
        ConnectionError,
        BrokenPipeError,
        ConnectionAbortedError,
        ConnectionRefusedError,
        ConnectionResetError,
        FileExistsError,
        FileNotFoundError,
        InterruptedError,
        IsADirectoryError,
        NotADirectoryError,
        PermissionError,
        ProcessLookupError,
        TimeoutError,
        Gaierror,
        Herror,
    ];

    /// The name a traceback prints: `ConnectionRefusedError`, `socket.gaierror`, ...
    pub fn name(self) -> &'static str {
        match self {
            OsError => "OSError",
            BlockingIoError => "BlockingIOError",
            ChildProcessError => "ChildProcessError",
            ConnectionError => "ConnectionError",
            BrokenPipeError => "BrokenPipeError",
            ConnectionAbortedError => "ConnectionAbortedError",
            ConnectionRefusedError => "ConnectionRefusedError",
            ConnectionResetError => "ConnectionResetError",
            FileExistsError => "FileExistsError",
            FileNotFoundError => "FileNotFoundError",
            InterruptedError => "InterruptedError",
            IsADirectoryError => "IsADirectoryError",
            NotADirectoryError => "NotADirectoryError",
            PermissionError => "PermissionError",
            ProcessLookupError => "ProcessLookupError",
            TimeoutError => "TimeoutError",
            Gaierror => "socket.gaierror",
            Herror => "socket.herror",
        }
    }

    /// The class this one derives from; `None` for `OSError` itself (whose parents,
    /// `Exception` and `BaseException`, are not in this tree).
    pub fn parent(self) -> Option<OsErrorClass> {
        match self {
            OsError => None,
            BrokenPipeError
            | ConnectionAbortedError
            | ConnectionRefusedError
            | ConnectionResetError => Some(ConnectionError),
            _ => Some(OsError),
        }
    }

    /// The classes deriving directly from this one, in [`OsErrorClass::ALL`] order.
    pub fn children(self) -> Vec<OsErrorClass> {
        OsErrorClass::ALL
            .into_iter()
            .filter(|c| c.parent() == Some(self))
            .collect()
    }

    /// `cls.__mro__` without `object`, as names: what `except` clauses catch this class.
    ///
    /// ```
    /// use socklab_core::errno::OsErrorClass;
    /// assert_eq!(
    ///     OsErrorClass::ConnectionRefusedError.mro(),
    ///     ["ConnectionRefusedError", "ConnectionError", "OSError", "Exception", "BaseException"]
    /// );
    /// ```
    pub fn mro(self) -> Vec<&'static str> {
        let mut chain = vec![self.name()];
        let mut class = self;
        while let Some(parent) = class.parent() {
            chain.push(parent.name());
            class = parent;
        }
        chain.extend(["Exception", "BaseException"]);
        chain
    }

    /// Whether `except other:` catches this class.
    pub fn is_subclass_of(self, other: OsErrorClass) -> bool {
        let mut class = Some(self);
        while let Some(c) = class {
            if c == other {
                return true;
            }
            class = c.parent();
        }
        false
    }

    /// Finds a class by the name Python code uses for it, ignoring case: `TimeoutError`,
    /// `socket.timeout` (the same class since 3.10), `gaierror`, `socket.error`, `IOError` ...
    ///
    /// ```
    /// use socklab_core::errno::OsErrorClass;
    /// assert_eq!(OsErrorClass::from_name("socket.timeout"), Some(OsErrorClass::TimeoutError));
    /// assert_eq!(OsErrorClass::from_name("gaierror"), Some(OsErrorClass::Gaierror));
    /// ```
    pub fn from_name(name: &str) -> Option<OsErrorClass> {
        let name = name.trim();
        let bare = |full: &'static str| full.rsplit('.').next().unwrap_or(full);
        OsErrorClass::ALL
            .into_iter()
            .find(|c| {
                c.name().eq_ignore_ascii_case(name) || bare(c.name()).eq_ignore_ascii_case(name)
            })
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, _)| {
                        alias.eq_ignore_ascii_case(name) || bare(alias).eq_ignore_ascii_case(name)
                    })
                    .map(|&(_, class)| class)
            })
    }

    /// The other names of this class (`socket.error` for `OSError`, `socket.timeout` for
    /// `TimeoutError`).
    pub fn aliases(self) -> Vec<&'static str> {
        ALIASES
            .iter()
            .filter(|&&(_, class)| class == self)
            .map(|&(alias, _)| alias)
            .collect()
    }
}

impl std::fmt::Display for OsErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
