//! The error catalog: every errno a socket program can meet, as Python shows it.
//!
//! A failed system call leaves a number in `errno`; Python turns it into an exception whose
//! class depends on the number (PEP 3151: 111 becomes `ConnectionRefusedError`) and whose
//! text is the C library's `strerror`. This module knows every Linux errno that way:
//! name, aliases, number, glibc's text, the class and its parents, and the same error's number
//! on macOS and Windows. For the errors socket code runs into, a [`Lesson`] adds what it
//! means, why it happens and what to do, in English and Chinese, with a Python example.
//! Name lookups fail differently (`socket.gaierror`, negative numbers): see [`GaiError`].
//!
//! ```
//! use socklab_core::errno;
//! assert_eq!(errno::os_error_line(111), "ConnectionRefusedError: [Errno 111] Connection refused");
//! assert_eq!(errno::by_name("ewouldblock").unwrap().name(), "EAGAIN");
//! ```
//!
//! Numbers are not portable: 61 is `ECONNREFUSED` on macOS but `ENODATA` on Linux. So
//! [`decode`] answers a bare number with every reading it has, one per system, and leaves the
//! choice to the reader.

mod class;
mod gai;
mod lesson;
mod linux;
mod search;

pub use class::OsErrorClass;
pub use gai::{
    gai_by_name, gai_by_number, host_error_by_name, GaiError, HostError, GAI_ERRORS, HOST_ERRORS,
    SOCKET_TIMEOUT_LINE,
};
pub use lesson::{
    check_lessons, lessons, parse_lessons, ExampleRuns, Lesson, LessonError, LessonText,
};
pub use search::{closest_names, search};

use std::borrow::Cow;

/// An operating system whose numbering [`decode`] knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum System {
    /// Linux with glibc: the numbers Python on Linux shows, and this catalog's own.
    Linux,
    /// macOS (BSD numbering).
    MacOs,
    /// Windows (Winsock `WSAE...` codes for sockets).
    Windows,
}

impl System {
    /// All three, in the order readings are listed.
    pub const ALL: [System; 3] = [System::Linux, System::MacOs, System::Windows];

    /// `Linux`, `macOS`, `Windows`.
    pub fn name(self) -> &'static str {
        match self {
            System::Linux => "Linux",
            System::MacOs => "macOS",
            System::Windows => "Windows",
        }
    }
}

/// An error's name and number on one system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ForeignCode {
    /// Which system.
    pub system: System,
    /// The name there: `ECONNREFUSED`, `WSAECONNREFUSED`.
    pub name: &'static str,
    /// The number there.
    pub number: i32,
}

/// One Linux errno, with everything the catalog knows about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrnoEntry {
    name: &'static str,
    aliases: &'static [&'static str],
    number: i32,
    strerror: &'static str,
    class: OsErrorClass,
    errorcode: Option<&'static str>,
    macos: Option<i32>,
    macos_alias: Option<(&'static str, i32)>,
    windows: Option<(&'static str, i32)>,
}

impl ErrnoEntry {
    /// The name, as `errno -l` lists it first: `EAGAIN`, `EDEADLK`, `EOPNOTSUPP`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Other names for the same number on Linux: `EWOULDBLOCK` for `EAGAIN`.
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// The name and then the aliases.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }

    /// The entry's other names when it is shown under `shown`, one of its names: the guide
    /// writes `EWOULDBLOCK`, which is `EAGAIN` again.
    ///
    /// ```
    /// let e = socklab_core::errno::by_name("EWOULDBLOCK").unwrap();
    /// assert_eq!(e.other_names("EWOULDBLOCK"), ["EAGAIN"]);
    /// assert_eq!(e.other_names("EAGAIN"), ["EWOULDBLOCK"]);
    /// ```
    pub fn other_names(&self, shown: &str) -> Vec<&'static str> {
        self.names().filter(|n| *n != shown).collect()
    }

    /// The number on Linux.
    pub fn number(&self) -> i32 {
        self.number
    }

    /// glibc's `strerror(number)`, which is `os.strerror(number)` and the exception's text.
    pub fn strerror(&self) -> &'static str {
        self.strerror
    }

    /// The class `OSError(number, strerror)` becomes.
    pub fn class(&self) -> OsErrorClass {
        self.class
    }

    /// `errno.errorcode[number]` in Python 3.11: the name defined last (`EDEADLOCK` for 35,
    /// `ENOTSUP` for 95), or `None` where Python's `errno` module has no name (`EHWPOISON`).
    pub fn python_errorcode(&self) -> Option<&'static str> {
        self.errorcode
    }

    /// The last traceback line of `OSError(number, os.strerror(number))`.
    ///
    /// ```
    /// use socklab_core::errno::by_name;
    /// assert_eq!(by_name("EPIPE").unwrap().os_error_line(), "BrokenPipeError: [Errno 32] Broken pipe");
    /// ```
    pub fn os_error_line(&self) -> String {
        format!(
            "{}: [Errno {}] {}",
            self.class.name(),
            self.number,
            self.strerror
        )
    }

    /// The same error on a system: Linux's own code, macOS's (two for `EOPNOTSUPP`, which
    /// macOS splits from `ENOTSUP`), or Winsock's. Empty where that system has no such error.
    ///
    /// ```
    /// use socklab_core::errno::{by_name, System};
    /// let refused = by_name("ECONNREFUSED").unwrap();
    /// assert_eq!(refused.codes_on(System::MacOs)[0].number, 61);
    /// assert_eq!(refused.codes_on(System::Windows)[0].name, "WSAECONNREFUSED");
    /// assert!(by_name("EPIPE").unwrap().codes_on(System::Windows).is_empty());
    /// ```
    pub fn codes_on(&self, system: System) -> Vec<ForeignCode> {
        let code = |name, number| ForeignCode {
            system,
            name,
            number,
        };
        match system {
            System::Linux => vec![code(self.name, self.number)],
            System::MacOs => self
                .macos
                .map(|n| code(self.name, n))
                .into_iter()
                .chain(self.macos_alias.map(|(name, n)| code(name, n)))
                .collect(),
            System::Windows => self
                .windows
                .map(|(name, n)| code(name, n))
                .into_iter()
                .collect(),
        }
    }

    /// The learner's lesson for this error, if it is one socket code meets.
    pub fn lesson(&self) -> Option<&'static Lesson> {
        lesson::lesson(self.name)
    }
}

/// Every Linux errno, by number.
pub fn errnos() -> &'static [ErrnoEntry] {
    linux::LINUX
}

/// An entry of the catalog: an errno, a getaddrinfo error or an `h_errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogEntry {
    /// An errno: `OSError` and its subclasses.
    Errno(&'static ErrnoEntry),
    /// A getaddrinfo code: `socket.gaierror`.
    Gai(&'static GaiError),
    /// An `h_errno`: `socket.herror`.
    Host(&'static HostError),
}

impl CatalogEntry {
    /// The C name: `ECONNREFUSED`, `EAI_NONAME`, `HOST_NOT_FOUND`.
    pub fn name(&self) -> &'static str {
        match self {
            CatalogEntry::Errno(e) => e.name,
            CatalogEntry::Gai(g) => g.name,
            CatalogEntry::Host(h) => h.name,
        }
    }

    /// The number on Linux.
    pub fn number(&self) -> i32 {
        match self {
            CatalogEntry::Errno(e) => e.number,
            CatalogEntry::Gai(g) => g.number,
            CatalogEntry::Host(h) => h.number,
        }
    }

    /// The C library's text for it.
    pub fn strerror(&self) -> &'static str {
        match self {
            CatalogEntry::Errno(e) => e.strerror,
            CatalogEntry::Gai(g) => g.strerror,
            CatalogEntry::Host(h) => h.strerror,
        }
    }

    /// The exception class Python raises for it.
    pub fn class(&self) -> OsErrorClass {
        match self {
            CatalogEntry::Errno(e) => e.class,
            CatalogEntry::Gai(_) => OsErrorClass::Gaierror,
            CatalogEntry::Host(_) => OsErrorClass::Herror,
        }
    }

    /// The last traceback line Python prints for it on Linux.
    pub fn traceback_line(&self) -> String {
        match self {
            CatalogEntry::Errno(e) => e.os_error_line(),
            CatalogEntry::Gai(g) => g.traceback_line(),
            CatalogEntry::Host(h) => h.traceback_line(),
        }
    }

    /// The learner's lesson, if the catalog has one.
    pub fn lesson(&self) -> Option<&'static Lesson> {
        lesson::lesson(self.name())
    }
}

/// glibc's `strerror(n)`: `os.strerror(n)` on Linux, for any number.
///
/// ```
/// use socklab_core::errno::strerror;
/// assert_eq!(strerror(104), "Connection reset by peer");
/// assert_eq!(strerror(0), "Success");
/// assert_eq!(strerror(41), "Unknown error 41");
/// ```
pub fn strerror(n: i32) -> Cow<'static, str> {
    match by_number(n) {
        Some(entry) => Cow::Borrowed(entry.strerror),
        None if n == 0 => Cow::Borrowed("Success"),
        None => Cow::Owned(format!("Unknown error {n}")),
    }
}

/// Exactly the last traceback line Python on Linux prints for `OSError(n, os.strerror(n))`.
///
/// ```
/// use socklab_core::errno::os_error_line;
/// assert_eq!(os_error_line(111), "ConnectionRefusedError: [Errno 111] Connection refused");
/// assert_eq!(os_error_line(11), "BlockingIOError: [Errno 11] Resource temporarily unavailable");
/// assert_eq!(os_error_line(200), "OSError: [Errno 200] Unknown error 200");
/// ```
pub fn os_error_line(n: i32) -> String {
    let class = by_number(n).map_or(OsErrorClass::OsError, |e| e.class);
    format!("{}: [Errno {n}] {}", class.name(), strerror(n))
}

/// The errno with this Linux number.
pub fn by_number(n: i32) -> Option<&'static ErrnoEntry> {
    linux::LINUX.iter().find(|e| e.number == n)
}

/// The errno with this name, ignoring case. Aliases resolve to their entry (`EWOULDBLOCK` is
/// `EAGAIN`), and so do the macOS-only spelling and Winsock names (`WSAECONNREFUSED`).
///
/// ```
/// use socklab_core::errno::by_name;
/// assert_eq!(by_name("EDEADLOCK").unwrap().name(), "EDEADLK");
/// assert_eq!(by_name("wsaeconnrefused").unwrap().number(), 111);
/// ```
pub fn by_name(name: &str) -> Option<&'static ErrnoEntry> {
    let name = name.trim();
    linux::LINUX.iter().find(|e| {
        e.names().any(|n| n.eq_ignore_ascii_case(name))
            || System::ALL
                .iter()
                .flat_map(|&s| e.codes_on(s))
                .any(|c| c.name.eq_ignore_ascii_case(name))
    })
}

/// Every entry Python raises as exactly this class (not its subclasses).
///
/// ```
/// use socklab_core::errno::{by_class, OsErrorClass};
/// let names: Vec<_> = by_class(OsErrorClass::BlockingIoError).iter().map(|e| e.name()).collect();
/// assert_eq!(names, ["EAGAIN", "EALREADY", "EINPROGRESS"]);
/// ```
pub fn by_class(class: OsErrorClass) -> Vec<CatalogEntry> {
    all_entries().filter(|e| e.class() == class).collect()
}

/// Every entry `except class:` catches: the class's own and its subclasses'.
///
/// ```
/// use socklab_core::errno::{caught_by, OsErrorClass};
/// let names: Vec<_> = caught_by(OsErrorClass::ConnectionError).iter().map(|e| e.name()).collect();
/// assert_eq!(names, ["EPIPE", "ECONNABORTED", "ECONNRESET", "ESHUTDOWN", "ECONNREFUSED"]);
/// ```
pub fn caught_by(class: OsErrorClass) -> Vec<CatalogEntry> {
    all_entries()
        .filter(|e| e.class().is_subclass_of(class))
        .collect()
}

/// Every entry: errnos by number, then getaddrinfo codes, then `h_errno`s.
pub fn all_entries() -> impl Iterator<Item = CatalogEntry> {
    linux::LINUX
        .iter()
        .map(CatalogEntry::Errno)
        .chain(GAI_ERRORS.iter().map(CatalogEntry::Gai))
        .chain(HOST_ERRORS.iter().map(CatalogEntry::Host))
}

/// One meaning of a bare number: on this system, in this numbering, it is this entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The system where the number means this.
    pub system: System,
    /// The name there (`WSAECONNREFUSED` on Windows).
    pub name: &'static str,
    /// The number that was decoded.
    pub number: i32,
    /// The catalog entry it stands for (its Linux number may differ).
    pub entry: CatalogEntry,
}

/// Every meaning `n` has: as a Linux errno, getaddrinfo code or `h_errno`, then as a macOS
/// errno or getaddrinfo code, then as a Winsock code. Empty if it means nothing anywhere.
///
/// ```
/// use socklab_core::errno::{decode, System};
/// let readings = decode(61);
/// assert_eq!((readings[0].system, readings[0].name), (System::Linux, "ENODATA"));
/// assert_eq!((readings[1].system, readings[1].name), (System::MacOs, "ECONNREFUSED"));
/// assert_eq!(decode(10061)[0].entry.number(), 111);
/// ```
pub fn decode(n: i64) -> Vec<Reading> {
    let Ok(n) = i32::try_from(n) else {
        return Vec::new();
    };
    let mut readings = Vec::new();
    let mut add = |system, name, entry| {
        readings.push(Reading {
            system,
            name,
            number: n,
            entry,
        });
    };
    for system in System::ALL {
        for entry in linux::LINUX {
            for code in entry.codes_on(system) {
                if code.number == n {
                    add(system, code.name, CatalogEntry::Errno(entry));
                }
            }
        }
        for gai in &GAI_ERRORS {
            if let Some((name, number)) = gai.code_on(system) {
                if number == n {
                    add(system, name, CatalogEntry::Gai(gai));
                }
            }
        }
        if system == System::Linux {
            for host in HOST_ERRORS.iter().filter(|h| h.number == n) {
                add(system, host.name, CatalogEntry::Host(host));
            }
        }
    }
    readings
}

/// What a query found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A name (an errno, alias, Winsock name, `EAI_*` or `h_errno` name).
    Name(CatalogEntry),
    /// A number, with every reading [`decode`] has, Linux's first; never empty.
    Number {
        /// The number asked about.
        number: i64,
        /// Its meanings.
        readings: Vec<Reading>,
    },
}

impl Found {
    /// The entry to show first: the named one, or the number's first reading.
    pub fn primary(&self) -> CatalogEntry {
        match self {
            Found::Name(entry) => *entry,
            Found::Number { readings, .. } => readings[0].entry,
        }
    }
}

/// Why a query found nothing, with what would have been right.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The query was empty.
    #[error("nothing to look up: give an errno name (ECONNREFUSED) or number (111)")]
    Empty,
    /// Not a name the catalog has.
    #[error("no errno or getaddrinfo error is named {query:?}")]
    UnknownName {
        /// What was asked.
        query: String,
        /// Names spelt like it, closest first.
        closest: Vec<&'static str>,
        /// Entries whose texts mention it (see [`search`]).
        mentioned_by: Vec<&'static str>,
        /// The class it names, if it is an exception class rather than an errno.
        class: Option<OsErrorClass>,
    },
    /// A number that means nothing on any system the catalog knows.
    #[error("{number} is not an error number on Linux, macOS or Windows")]
    UnknownNumber {
        /// What was asked.
        number: i64,
    },
}

/// Looks up a name or a number: the one entry point for the CLI and the page.
///
/// ```
/// use socklab_core::errno::{lookup, Found};
/// assert_eq!(lookup("ECONNREFUSED").unwrap().primary().number(), 111);
/// assert_eq!(lookup("10061").unwrap().primary().name(), "ECONNREFUSED");
/// assert_eq!(lookup("-2").unwrap().primary().name(), "EAI_NONAME");
/// assert!(lookup("ECONREFUSED").is_err());
/// ```
pub fn lookup(query: &str) -> Result<Found, LookupError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(LookupError::Empty);
    }
    if let Ok(number) = query.parse::<i64>() {
        let readings = decode(number);
        if readings.is_empty() {
            return Err(LookupError::UnknownNumber { number });
        }
        return Ok(Found::Number { number, readings });
    }
    if let Some(entry) = by_name(query) {
        return Ok(Found::Name(CatalogEntry::Errno(entry)));
    }
    if let Some(gai) = gai_by_name(query) {
        return Ok(Found::Name(CatalogEntry::Gai(gai)));
    }
    if let Some(host) = host_error_by_name(query) {
        return Ok(Found::Name(CatalogEntry::Host(host)));
    }
    Err(LookupError::UnknownName {
        query: query.to_owned(),
        closest: closest_names(query, 3),
        mentioned_by: search(query)
            .iter()
            .take(5)
            .map(CatalogEntry::name)
            .collect(),
        class: OsErrorClass::from_name(query),
    })
}

#[cfg(test)]
mod tests;
