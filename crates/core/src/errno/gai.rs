//! Name-lookup errors: `socket.gaierror` (getaddrinfo, getnameinfo) and `socket.herror`.
//!
//! These are not errnos. getaddrinfo returns its own codes, negative on Linux, and CPython
//! raises `socket.gaierror(code, gai_strerror(code))`; so `[Errno -2]` is `EAI_NONAME`, not
//! an errno at all. One code is special: for `EAI_SYSTEM` ("look at errno") CPython raises a
//! plain `OSError` built from errno instead. The legacy `gethostbyaddr` family reports
//! through `h_errno` and `socket.herror(h_errno, hstrerror(h_errno))`.
//!
//! The codes differ by system: macOS numbers them 1 to 14, and Windows reuses Winsock codes
//! (`EAI_NONAME` is `WSAHOST_NOT_FOUND`, 11001). Texts are glibc's, as Python on Linux shows them.

use super::System;

/// One getaddrinfo error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GaiError {
    /// The C name: `EAI_NONAME`; also `socket.EAI_NONAME` in Python.
    pub name: &'static str,
    /// The code on Linux (glibc): negative.
    pub number: i32,
    /// glibc's `gai_strerror(number)`.
    pub strerror: &'static str,
    /// The code on macOS, if macOS defines this name.
    pub macos: Option<i32>,
    /// The code on Windows, as `ws2tcpip.h` defines it (a Winsock error number), if any.
    pub windows: Option<(&'static str, i32)>,
}

impl GaiError {
    /// Whether CPython raises this as `socket.gaierror`. Only `EAI_SYSTEM` is not: for it
    /// `set_gaierror()` raises `OSError` from `errno`, so the traceback shows an errno.
    pub fn raised_as_gaierror(&self) -> bool {
        self.name != "EAI_SYSTEM"
    }

    /// The last traceback line of `socket.gaierror(number, gai_strerror(number))`.
    ///
    /// ```
    /// use socklab_core::errno::gai_by_name;
    /// assert_eq!(
    ///     gai_by_name("EAI_NONAME").unwrap().traceback_line(),
    ///     "socket.gaierror: [Errno -2] Name or service not known"
    /// );
    /// ```
    pub fn traceback_line(&self) -> String {
        format!("socket.gaierror: [Errno {}] {}", self.number, self.strerror)
    }

    /// The number on a given system, with its name there.
    pub fn code_on(&self, system: System) -> Option<(&'static str, i32)> {
        match system {
            System::Linux => Some((self.name, self.number)),
            System::MacOs => self.macos.map(|n| (self.name, n)),
            System::Windows => self.windows,
        }
    }
}

const fn gai(
    name: &'static str,
    number: i32,
    strerror: &'static str,
    macos: Option<i32>,
    windows: Option<(&'static str, i32)>,
) -> GaiError {
    GaiError {
        name,
        number,
        strerror,
        macos,
        windows,
    }
}

/// Every `socket.EAI_*` Python 3.11 has on Linux, by code (-1 first).
pub static GAI_ERRORS: [GaiError; 12] = [
    gai(
        "EAI_BADFLAGS",
        -1,
        "Bad value for ai_flags",
        Some(3),
        Some(("WSAEINVAL", 10022)),
    ),
    gai(
        "EAI_NONAME",
        -2,
        "Name or service not known",
        Some(8),
        Some(("WSAHOST_NOT_FOUND", 11001)),
    ),
    gai(
        "EAI_AGAIN",
        -3,
        "Temporary failure in name resolution",
        Some(2),
        Some(("WSATRY_AGAIN", 11002)),
    ),
    gai(
        "EAI_FAIL",
        -4,
        "Non-recoverable failure in name resolution",
        Some(4),
        Some(("WSANO_RECOVERY", 11003)),
    ),
    // Windows defines EAI_NODATA as EAI_NONAME: the two cannot be told apart there.
    gai(
        "EAI_NODATA",
        -5,
        "No address associated with hostname",
        Some(7),
        Some(("WSAHOST_NOT_FOUND", 11001)),
    ),
    gai(
        "EAI_FAMILY",
        -6,
        "ai_family not supported",
        Some(5),
        Some(("WSAEAFNOSUPPORT", 10047)),
    ),
    gai(
        "EAI_SOCKTYPE",
        -7,
        "ai_socktype not supported",
        Some(10),
        Some(("WSAESOCKTNOSUPPORT", 10044)),
    ),
    gai(
        "EAI_SERVICE",
        -8,
        "Servname not supported for ai_socktype",
        Some(9),
        Some(("WSATYPE_NOT_FOUND", 10109)),
    ),
    gai(
        "EAI_ADDRFAMILY",
        -9,
        "Address family for hostname not supported",
        Some(1),
        None,
    ),
    gai(
        "EAI_MEMORY",
        -10,
        "Memory allocation failure",
        Some(6),
        Some(("WSA_NOT_ENOUGH_MEMORY", 8)),
    ),
    gai("EAI_SYSTEM", -11, "System error", Some(11), None),
    // glibc's gai_strerror has no text for this one.
    gai("EAI_OVERFLOW", -12, "Unknown error", Some(14), None),
];

/// One `h_errno` value, as `socket.herror` carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The C name from `netdb.h`: `HOST_NOT_FOUND` (Python does not export these).
    pub name: &'static str,
    /// The value.
    pub number: i32,
    /// glibc's `hstrerror(number)`.
    pub strerror: &'static str,
}

impl HostError {
    /// The last traceback line of `socket.herror(number, hstrerror(number))`.
    ///
    /// ```
    /// use socklab_core::errno::HOST_ERRORS;
    /// assert_eq!(HOST_ERRORS[0].traceback_line(), "socket.herror: [Errno 1] Unknown host");
    /// ```
    pub fn traceback_line(&self) -> String {
        format!("socket.herror: [Errno {}] {}", self.number, self.strerror)
    }
}

/// The four `h_errno` values `gethostbyaddr` and friends report.
pub static HOST_ERRORS: [HostError; 4] = [
    HostError {
        name: "HOST_NOT_FOUND",
        number: 1,
        strerror: "Unknown host",
    },
    HostError {
        name: "TRY_AGAIN",
        number: 2,
        strerror: "Host name lookup failure",
    },
    HostError {
        name: "NO_RECOVERY",
        number: 3,
        strerror: "Unknown server error",
    },
    HostError {
        name: "NO_DATA",
        number: 4,
        strerror: "No address associated with name",
    },
];

/// What a socket with a timeout (`settimeout`, `create_connection(..., timeout=)`) raises
/// when the time runs out: `socket.timeout`, which is `TimeoutError` since Python 3.10, with
/// no errno at all. Not the same as `ETIMEDOUT` (errno 110), which the kernel reports when
/// TCP itself gives up.
pub const SOCKET_TIMEOUT_LINE: &str = "TimeoutError: timed out";

/// A getaddrinfo error by name, ignoring case (`eai_noname`).
pub fn gai_by_name(name: &str) -> Option<&'static GaiError> {
    let name = name.trim();
    GAI_ERRORS
        .iter()
        .find(|g| g.name.eq_ignore_ascii_case(name))
}

/// A getaddrinfo error by its Linux code (`-2`).
pub fn gai_by_number(number: i32) -> Option<&'static GaiError> {
    GAI_ERRORS.iter().find(|g| g.number == number)
}

/// An `h_errno` by name, ignoring case.
pub fn host_error_by_name(name: &str) -> Option<&'static HostError> {
    let name = name.trim();
    HOST_ERRORS
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
}
