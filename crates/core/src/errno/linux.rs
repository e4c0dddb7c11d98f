//! Linux's errno table, as glibc and CPython 3.11 on x86-64 and arm64 Linux have it.
//!
//! One row per number: the name Linux headers use first, its aliases, glibc's `strerror`,
//! and the class `OSError(n, strerror)` becomes. Then the same error on the other two systems
//! a learner's code may run on: macOS numbers its errnos BSD's way (ECONNREFUSED is 61), and
//! Winsock reports socket errors as `WSAE...` codes, 10000 plus the BSD number (10061).
//! `vectors/errno.json` (from CPython) proves the Linux columns; the macOS numbers are
//! `<sys/errno.h>`'s and the Windows ones `<winsock2.h>`'s.

use super::ErrnoEntry;
use super::OsErrorClass::*;

const fn e(
    number: i32,
    name: &'static str,
    strerror: &'static str,
    class: super::OsErrorClass,
) -> ErrnoEntry {
    ErrnoEntry {
        name,
        aliases: &[],
        number,
        strerror,
        class,
        errorcode: Some(name),
        macos: None,
        macos_alias: None,
        windows: None,
    }
}

impl ErrnoEntry {
    const fn also_named(mut self, aliases: &'static [&'static str]) -> ErrnoEntry {
        self.aliases = aliases;
        self
    }
    /// Python's `errno.errorcode[n]` is the name defined last, which may be an alias.
    const fn errorcode_is(mut self, name: &'static str) -> ErrnoEntry {
        self.errorcode = Some(name);
        self
    }
    /// Linux has it, but Python 3.11's `errno` module does not name it.
    const fn not_in_python_errno(mut self) -> ErrnoEntry {
        self.errorcode = None;
        self
    }
    const fn on_macos(mut self, number: i32) -> ErrnoEntry {
        self.macos = Some(number);
        self
    }
    /// A second macOS name for the same Linux error, with a number of its own.
    const fn on_macos_also(mut self, name: &'static str, number: i32) -> ErrnoEntry {
        self.macos_alias = Some((name, number));
        self
    }
    const fn on_windows(mut self, name: &'static str, number: i32) -> ErrnoEntry {
        self.windows = Some((name, number));
        self
    }
}

/// Every Linux errno, by number (1 to 133; 41 and 58 are unused).
pub(super) static LINUX: &[ErrnoEntry] = &[
    e(1, "EPERM", "Operation not permitted", PermissionError).on_macos(1),
    e(2, "ENOENT", "No such file or directory", FileNotFoundError).on_macos(2),
    e(3, "ESRCH", "No such process", ProcessLookupError).on_macos(3),
    e(4, "EINTR", "Interrupted system call", InterruptedError)
        .on_macos(4)
        .on_windows("WSAEINTR", 10004),
    e(5, "EIO", "Input/output error", OsError).on_macos(5),
    e(6, "ENXIO", "No such device or address", OsError).on_macos(6),
    e(7, "E2BIG", "Argument list too long", OsError).on_macos(7),
    e(8, "ENOEXEC", "Exec format error", OsError).on_macos(8),
    e(9, "EBADF", "Bad file descriptor", OsError)
        .on_macos(9)
        .on_windows("WSAEBADF", 10009),
    e(10, "ECHILD", "No child processes", ChildProcessError).on_macos(10),
    e(
        11,
        "EAGAIN",
        "Resource temporarily unavailable",
        BlockingIoError,
    )
    .also_named(&["EWOULDBLOCK"])
    .on_macos(35)
    .on_windows("WSAEWOULDBLOCK", 10035),
    e(12, "ENOMEM", "Cannot allocate memory", OsError).on_macos(12),
    e(13, "EACCES", "Permission denied", PermissionError)
        .on_macos(13)
        .on_windows("WSAEACCES", 10013),
    e(14, "EFAULT", "Bad address", OsError)
        .on_macos(14)
        .on_windows("WSAEFAULT", 10014),
    e(15, "ENOTBLK", "Block device required", OsError).on_macos(15),
    e(16, "EBUSY", "Device or resource busy", OsError).on_macos(16),
    e(17, "EEXIST", "File exists", FileExistsError).on_macos(17),
    e(18, "EXDEV", "Invalid cross-device link", OsError).on_macos(18),
    e(19, "ENODEV", "No such device", OsError).on_macos(19),
    e(20, "ENOTDIR", "Not a directory", NotADirectoryError).on_macos(20),
    e(21, "EISDIR", "Is a directory", IsADirectoryError).on_macos(21),
    e(22, "EINVAL", "Invalid argument", OsError)
        .on_macos(22)
        .on_windows("WSAEINVAL", 10022),
    e(23, "ENFILE", "Too many open files in system", OsError).on_macos(23),
    e(24, "EMFILE", "Too many open files", OsError)
        .on_macos(24)
        .on_windows("WSAEMFILE", 10024),
    e(25, "ENOTTY", "Inappropriate ioctl for device", OsError).on_macos(25),
    e(26, "ETXTBSY", "Text file busy", OsError).on_macos(26),
    e(27, "EFBIG", "File too large", OsError).on_macos(27),
    e(28, "ENOSPC", "No space left on device", OsError).on_macos(28),
    e(29, "ESPIPE", "Illegal seek", OsError).on_macos(29),
    e(30, "EROFS", "Read-only file system", OsError).on_macos(30),
    e(31, "EMLINK", "Too many links", OsError).on_macos(31),
    e(32, "EPIPE", "Broken pipe", BrokenPipeError).on_macos(32),
    e(33, "EDOM", "Numerical argument out of domain", OsError).on_macos(33),
    e(34, "ERANGE", "Numerical result out of range", OsError).on_macos(34),
    e(35, "EDEADLK", "Resource deadlock avoided", OsError)
        .also_named(&["EDEADLOCK"])
        .errorcode_is("EDEADLOCK")
        .on_macos(11),
    e(36, "ENAMETOOLONG", "File name too long", OsError)
        .on_macos(63)
        .on_windows("WSAENAMETOOLONG", 10063),
    e(37, "ENOLCK", "No locks available", OsError).on_macos(77),
    e(38, "ENOSYS", "Function not implemented", OsError).on_macos(78),
    e(39, "ENOTEMPTY", "Directory not empty", OsError)
        .on_macos(66)
        .on_windows("WSAENOTEMPTY", 10066),
    e(40, "ELOOP", "Too many levels of symbolic links", OsError)
        .on_macos(62)
        .on_windows("WSAELOOP", 10062),
    e(42, "ENOMSG", "No message of desired type", OsError).on_macos(91),
    e(43, "EIDRM", "Identifier removed", OsError).on_macos(90),
    e(44, "ECHRNG", "Channel number out of range", OsError),
    e(45, "EL2NSYNC", "Level 2 not synchronized", OsError),
    e(46, "EL3HLT", "Level 3 halted", OsError),
    e(47, "EL3RST", "Level 3 reset", OsError),
    e(48, "ELNRNG", "Link number out of range", OsError),
    e(49, "EUNATCH", "Protocol driver not attached", OsError),
    e(50, "ENOCSI", "No CSI structure available", OsError),
    e(51, "EL2HLT", "Level 2 halted", OsError),
    e(52, "EBADE", "Invalid exchange", OsError),
    e(53, "EBADR", "Invalid request descriptor", OsError),
    e(54, "EXFULL", "Exchange full", OsError),
    e(55, "ENOANO", "No anode", OsError),
    e(56, "EBADRQC", "Invalid request code", OsError),
    e(57, "EBADSLT", "Invalid slot", OsError),
    e(59, "EBFONT", "Bad font file format", OsError),
    e(60, "ENOSTR", "Device not a stream", OsError).on_macos(99),
    e(61, "ENODATA", "No data available", OsError).on_macos(96),
    e(62, "ETIME", "Timer expired", OsError).on_macos(101),
    e(63, "ENOSR", "Out of streams resources", OsError).on_macos(98),
    e(64, "ENONET", "Machine is not on the network", OsError),
    e(65, "ENOPKG", "Package not installed", OsError),
    e(66, "EREMOTE", "Object is remote", OsError)
        .on_macos(71)
        .on_windows("WSAEREMOTE", 10071),
    e(67, "ENOLINK", "Link has been severed", OsError).on_macos(97),
    e(68, "EADV", "Advertise error", OsError),
    e(69, "ESRMNT", "Srmount error", OsError),
    e(70, "ECOMM", "Communication error on send", OsError),
    e(71, "EPROTO", "Protocol error", OsError).on_macos(100),
    e(72, "EMULTIHOP", "Multihop attempted", OsError).on_macos(95),
    e(73, "EDOTDOT", "RFS specific error", OsError),
    e(74, "EBADMSG", "Bad message", OsError).on_macos(94),
    e(
        75,
        "EOVERFLOW",
        "Value too large for defined data type",
        OsError,
    )
    .on_macos(84),
    e(76, "ENOTUNIQ", "Name not unique on network", OsError),
    e(77, "EBADFD", "File descriptor in bad state", OsError),
    e(78, "EREMCHG", "Remote address changed", OsError),
    e(
        79,
        "ELIBACC",
        "Can not access a needed shared library",
        OsError,
    ),
    e(
        80,
        "ELIBBAD",
        "Accessing a corrupted shared library",
        OsError,
    ),
    e(81, "ELIBSCN", ".lib section in a.out corrupted", OsError),
    e(
        82,
        "ELIBMAX",
        "Attempting to link in too many shared libraries",
        OsError,
    ),
    e(
        83,
        "ELIBEXEC",
        "Cannot exec a shared library directly",
        OsError,
    ),
    e(
        84,
        "EILSEQ",
        "Invalid or incomplete multibyte or wide character",
        OsError,
    )
    .on_macos(92),
    e(
        85,
        "ERESTART",
        "Interrupted system call should be restarted",
        OsError,
    ),
    e(86, "ESTRPIPE", "Streams pipe error", OsError),
    e(87, "EUSERS", "Too many users", OsError)
        .on_macos(68)
        .on_windows("WSAEUSERS", 10068),
    e(88, "ENOTSOCK", "Socket operation on non-socket", OsError)
        .on_macos(38)
        .on_windows("WSAENOTSOCK", 10038),
    e(89, "EDESTADDRREQ", "Destination address required", OsError)
        .on_macos(39)
        .on_windows("WSAEDESTADDRREQ", 10039),
    e(90, "EMSGSIZE", "Message too long", OsError)
        .on_macos(40)
        .on_windows("WSAEMSGSIZE", 10040),
    e(91, "EPROTOTYPE", "Protocol wrong type for socket", OsError)
        .on_macos(41)
        .on_windows("WSAEPROTOTYPE", 10041),
    e(92, "ENOPROTOOPT", "Protocol not available", OsError)
        .on_macos(42)
        .on_windows("WSAENOPROTOOPT", 10042),
    e(93, "EPROTONOSUPPORT", "Protocol not supported", OsError)
        .on_macos(43)
        .on_windows("WSAEPROTONOSUPPORT", 10043),
    e(94, "ESOCKTNOSUPPORT", "Socket type not supported", OsError)
        .on_macos(44)
        .on_windows("WSAESOCKTNOSUPPORT", 10044),
    e(95, "EOPNOTSUPP", "Operation not supported", OsError)
        .also_named(&["ENOTSUP"])
        .errorcode_is("ENOTSUP")
        .on_macos(102)
        .on_macos_also("ENOTSUP", 45)
        .on_windows("WSAEOPNOTSUPP", 10045),
    e(96, "EPFNOSUPPORT", "Protocol family not supported", OsError)
        .on_macos(46)
        .on_windows("WSAEPFNOSUPPORT", 10046),
    e(
        97,
        "EAFNOSUPPORT",
        "Address family not supported by protocol",
        OsError,
    )
    .on_macos(47)
    .on_windows("WSAEAFNOSUPPORT", 10047),
    e(98, "EADDRINUSE", "Address already in use", OsError)
        .on_macos(48)
        .on_windows("WSAEADDRINUSE", 10048),
    e(
        99,
        "EADDRNOTAVAIL",
        "Cannot assign requested address",
        OsError,
    )
    .on_macos(49)
    .on_windows("WSAEADDRNOTAVAIL", 10049),
    e(100, "ENETDOWN", "Network is down", OsError)
        .on_macos(50)
        .on_windows("WSAENETDOWN", 10050),
    e(101, "ENETUNREACH", "Network is unreachable", OsError)
        .on_macos(51)
        .on_windows("WSAENETUNREACH", 10051),
    e(
        102,
        "ENETRESET",
        "Network dropped connection on reset",
        OsError,
    )
    .on_macos(52)
    .on_windows("WSAENETRESET", 10052),
    e(
        103,
        "ECONNABORTED",
        "Software caused connection abort",
        ConnectionAbortedError,
    )
    .on_macos(53)
    .on_windows("WSAECONNABORTED", 10053),
    e(
        104,
        "ECONNRESET",
        "Connection reset by peer",
        ConnectionResetError,
    )
    .on_macos(54)
    .on_windows("WSAECONNRESET", 10054),
    e(105, "ENOBUFS", "No buffer space available", OsError)
        .on_macos(55)
        .on_windows("WSAENOBUFS", 10055),
    e(
        106,
        "EISCONN",
        "Transport endpoint is already connected",
        OsError,
    )
    .on_macos(56)
    .on_windows("WSAEISCONN", 10056),
    e(
        107,
        "ENOTCONN",
        "Transport endpoint is not connected",
        OsError,
    )
    .on_macos(57)
    .on_windows("WSAENOTCONN", 10057),
    e(
        108,
        "ESHUTDOWN",
        "Cannot send after transport endpoint shutdown",
        BrokenPipeError,
    )
    .on_macos(58)
    .on_windows("WSAESHUTDOWN", 10058),
    e(
        109,
        "ETOOMANYREFS",
        "Too many references: cannot splice",
        OsError,
    )
    .on_macos(59)
    .on_windows("WSAETOOMANYREFS", 10059),
    e(110, "ETIMEDOUT", "Connection timed out", TimeoutError)
        .on_macos(60)
        .on_windows("WSAETIMEDOUT", 10060),
    e(
        111,
        "ECONNREFUSED",
        "Connection refused",
        ConnectionRefusedError,
    )
    .on_macos(61)
    .on_windows("WSAECONNREFUSED", 10061),
    e(112, "EHOSTDOWN", "Host is down", OsError)
        .on_macos(64)
        .on_windows("WSAEHOSTDOWN", 10064),
    e(113, "EHOSTUNREACH", "No route to host", OsError)
        .on_macos(65)
        .on_windows("WSAEHOSTUNREACH", 10065),
    e(
        114,
        "EALREADY",
        "Operation already in progress",
        BlockingIoError,
    )
    .on_macos(37)
    .on_windows("WSAEALREADY", 10037),
    e(
        115,
        "EINPROGRESS",
        "Operation now in progress",
        BlockingIoError,
    )
    .on_macos(36)
    .on_windows("WSAEINPROGRESS", 10036),
    e(116, "ESTALE", "Stale file handle", OsError)
        .on_macos(70)
        .on_windows("WSAESTALE", 10070),
    e(117, "EUCLEAN", "Structure needs cleaning", OsError),
    e(118, "ENOTNAM", "Not a XENIX named type file", OsError),
    e(119, "ENAVAIL", "No XENIX semaphores available", OsError),
    e(120, "EISNAM", "Is a named type file", OsError),
    e(121, "EREMOTEIO", "Remote I/O error", OsError),
    e(122, "EDQUOT", "Disk quota exceeded", OsError)
        .on_macos(69)
        .on_windows("WSAEDQUOT", 10069),
    e(123, "ENOMEDIUM", "No medium found", OsError),
    e(124, "EMEDIUMTYPE", "Wrong medium type", OsError),
    e(125, "ECANCELED", "Operation canceled", OsError).on_macos(89),
    e(126, "ENOKEY", "Required key not available", OsError),
    e(127, "EKEYEXPIRED", "Key has expired", OsError),
    e(128, "EKEYREVOKED", "Key has been revoked", OsError),
    e(129, "EKEYREJECTED", "Key was rejected by service", OsError),
    e(130, "EOWNERDEAD", "Owner died", OsError).on_macos(105),
    e(131, "ENOTRECOVERABLE", "State not recoverable", OsError).on_macos(104),
    e(
        132,
        "ERFKILL",
        "Operation not possible due to RF-kill",
        OsError,
    ),
    e(133, "EHWPOISON", "Memory page has hardware error", OsError).not_in_python_errno(),
];
