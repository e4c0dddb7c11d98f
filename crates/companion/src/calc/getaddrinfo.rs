//! `socklab getaddrinfo`: `socket.getaddrinfo(...)` through the system resolver, printing the
//! list Python prints, or the last line of the traceback Python ends with.
//!
//! CPython checks its arguments before it asks the resolver anything, in this order: the four
//! ints must fit a C `int` (`OverflowError`), a str host goes through the `idna` codec
//! (`UnicodeError` for an empty or too long label), and the port must be an int that fits a C
//! `long`, a str, bytes or None (`OverflowError`, `OSError`). Those checks are repeated here in
//! that order. Everything after them is the resolver's own answer, so a port is not checked
//! against 0-65535: Python hands `99999` to glibc as text, and glibc wraps it to 34463.

use clap::Args;
use socklab_core::pyerror::{PyExcClass, PyException};
use socklab_core::pyint::PyInt;
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pyrepr::{bytes_repr, str_repr};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  socklab getaddrinfo localhost 80
  socklab getaddrinfo localhost http                  # a service name, passed as a str
  socklab getaddrinfo ::1 0 --family AF_INET6 --type SOCK_DGRAM
  socklab getaddrinfo None 80 --flags AI_PASSIVE      # the addresses to bind a server to
  socklab getaddrinfo 127.0.0.1 80 --flags 'AI_NUMERICHOST|AI_CANONNAME'";

/// The arguments of `socklab getaddrinfo`, in `socket.getaddrinfo`'s order.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct GetaddrinfoArgs {
    /// A host name or address (localhost, 127.0.0.1, ::1), or None. A quoted Python literal
    /// ('None', b'localhost') is passed as that str or bytes.
    host: String,
    /// A port number (80, passed as an int), a service name (http, passed as a str), or None.
    /// Other Python literals are passed as typed: '80' is a str, 1.5 a float.
    #[arg(allow_negative_numbers = true)]
    port: String,
    /// AF_UNSPEC (the default: both), AF_INET, AF_INET6, or a number.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_family)]
    family: Option<Constant>,
    /// SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, or a number (the default, 0, means any).
    #[arg(
        long = "type",
        value_name = "TYPE",
        allow_negative_numbers = true,
        value_parser = parse_socktype
    )]
    socktype: Option<Constant>,
    /// IPPROTO_TCP, IPPROTO_UDP, or a number (the default, 0, means any).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_proto)]
    proto: Option<Constant>,
    /// AI_* names or numbers joined by |, e.g. 'AI_NUMERICHOST|AI_CANONNAME' (quote the |).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_flags)]
    flags: Option<Constant>,
}

/// An int argument as the learner typed it: its value, and how the Python call spells it
/// (`socket.AF_INET`, `socket.AI_PASSIVE|socket.AI_CANONNAME`, `99`).
#[derive(Clone, Debug)]
pub(crate) struct Constant {
    value: i128,
    spelled: String,
}

// Linux's values, like the rest of what socklab prints (the repr in core, too, knows
// AF_INET6 as 10).
const FAMILIES: &[(&str, i128)] = &[("AF_UNSPEC", 0), ("AF_INET", 2), ("AF_INET6", 10)];
const SOCKTYPES: &[(&str, i128)] = &[("SOCK_STREAM", 1), ("SOCK_DGRAM", 2), ("SOCK_RAW", 3)];
const PROTOS: &[(&str, i128)] = &[("IPPROTO_TCP", 6), ("IPPROTO_UDP", 17)];
const FLAGS: &[(&str, i128)] = &[
    ("AI_PASSIVE", 0x1),
    ("AI_CANONNAME", 0x2),
    ("AI_NUMERICHOST", 0x4),
    ("AI_V4MAPPED", 0x8),
    ("AI_ALL", 0x10),
    ("AI_ADDRCONFIG", 0x20),
    ("AI_NUMERICSERV", 0x400),
];

fn parse_family(text: &str) -> Result<Constant, String> {
    constant(text, FAMILIES)
}

fn parse_socktype(text: &str) -> Result<Constant, String> {
    constant(text, SOCKTYPES)
}

fn parse_proto(text: &str) -> Result<Constant, String> {
    constant(text, PROTOS)
}

/// Flags are or-ed together, as `socket.AI_PASSIVE|socket.AI_CANONNAME` is in Python.
fn parse_flags(text: &str) -> Result<Constant, String> {
    let mut value = 0;
    let mut spelled = Vec::new();
    for part in text.split('|') {
        let c = constant(part, FLAGS)?;
        value |= c.value;
        spelled.push(c.spelled);
    }
    Ok(Constant {
        value,
        spelled: spelled.join("|"),
    })
}

/// A name from `table` (`AF_INET` or `socket.AF_INET`) or an int literal (`10`, `0x400`, `-1`).
fn constant(text: &str, table: &[(&str, i128)]) -> Result<Constant, String> {
    let text = text.trim();
    let name = text.strip_prefix("socket.").unwrap_or(text);
    if let Some(&(name, value)) = table.iter().find(|(n, _)| *n == name) {
        return Ok(Constant {
            value,
            spelled: format!("socket.{name}"),
        });
    }
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    match PyInt::parse_literal(text) {
        // Anything up to i128 is kept, so that Python's OverflowError for a value beyond a C
        // int is reported as Python reports it.
        Ok(n) => n
            .to_i128()
            .map(|value| Constant {
                value,
                spelled: text.to_owned(),
            })
            .ok_or_else(|| format!("{text} is too large; use a number that fits 32 bits")),
        Err(_) => Err(format!(
            "unknown name {text:?}; use one of {}, or a number",
            names.join(", ")
        )),
    }
}

/// How a run ends when it does not print a list.
enum Failure {
    /// What Python raises: the last line of its traceback.
    Python(String),
    /// What socklab cannot reproduce exactly: refused as a usage error rather than guessed.
    Unsupported(String),
}

impl From<PyException> for Failure {
    fn from(e: PyException) -> Failure {
        Failure::Python(e.traceback_line())
    }
}

/// Runs `socklab getaddrinfo`.
pub(crate) fn run(args: &GetaddrinfoArgs) -> ExitCode {
    let (host, host_spelled) = read_host(&args.host);
    let (port, port_spelled) = read_port(&args.port);
    let mut shown = vec![host_spelled, port_spelled];
    let ints = [
        ("family", &args.family),
        ("type", &args.socktype),
        ("proto", &args.proto),
        ("flags", &args.flags),
    ];
    for (keyword, given) in ints {
        if let Some(c) = given {
            shown.push(format!("{keyword}={}", c.spelled));
        }
    }
    let call = format!("socket.getaddrinfo({})", shown.join(", "));
    let [family, socktype, proto, flags] = ints.map(|(_, c)| c.as_ref().map_or(0, |c| c.value));

    // A literal Python would not parse fails before the call, whichever argument it is.
    let outcome = host
        .and_then(|host| Ok((host, port?)))
        .map_err(Failure::from)
        .and_then(|(host, port)| getaddrinfo(&host, &port, [family, socktype, proto, flags]));
    match outcome {
        Ok(repr) => {
            println!("{repr}");
            ExitCode::SUCCESS
        }
        // For exceptions core has no class for (socket.gaierror, UnicodeError).
        Err(Failure::Python(last_line)) => super::traceback(&call, &last_line),
        Err(Failure::Unsupported(why)) => {
            eprintln!("error: {why}");
            ExitCode::from(2)
        }
    }
}

/// `socket.getaddrinfo(host, port, family, type, proto, flags)`, checks first, as CPython's
/// `socket_getaddrinfo` makes them.
fn getaddrinfo(host: &PyValue, port: &PyValue, ints: [i128; 4]) -> Result<String, Failure> {
    // PyArg_ParseTupleAndKeywords's "iiii": before the host and port are looked at.
    let mut c_ints = [0; 4];
    for (c, n) in c_ints.iter_mut().zip(ints) {
        *c = c_int(n)?;
    }
    let [family, socktype, proto, flags] = c_ints;
    let host = host_text(host)?;
    let port = port_text(port)?;
    crate::resolve::getaddrinfo(
        host.as_deref(),
        port.as_deref(),
        family,
        socktype,
        proto,
        flags,
    )
    .python()
    .map_err(Failure::Python)
}

/// A C `int` argument, or the OverflowError `PyArg_Parse`'s `i` raises.
fn c_int(n: i128) -> Result<i32, PyException> {
    i32::try_from(n).map_err(|_| {
        let side = if n > 0 {
            "greater than maximum"
        } else {
            "less than minimum"
        };
        PyException::new(
            PyExcClass::OverflowError,
            format!("signed integer is {side}"),
        )
    })
}

/// HOST as Python gets it: None, a quoted literal, or else the text as a str.
fn read_host(text: &str) -> (Result<PyValue, PyException>, String) {
    if text == "None" || looks_quoted(text) {
        (pyliteral::parse(text), text.to_owned())
    } else {
        (Ok(PyValue::Str(text.to_owned())), str_repr(text))
    }
}

/// PORT as Python gets it: a literal as typed (80, None, 'http', 1.5), or else the text as a
/// str (a service name such as http, or text that is no literal, such as 080).
fn read_port(text: &str) -> (Result<PyValue, PyException>, String) {
    if looks_quoted(text) {
        return (pyliteral::parse(text), text.to_owned());
    }
    match pyliteral::parse(text) {
        Ok(value) if text.trim() == text => (Ok(value), text.to_owned()),
        _ => (Ok(PyValue::Str(text.to_owned())), str_repr(text)),
    }
}

/// `'...'`, `"..."`, `b'...'`, `rb'...'`: a str or bytes literal, rather than a bare name.
fn looks_quoted(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let body = ["rb", "br", "b", ""].iter().find_map(|prefix| {
        lower
            .strip_prefix(prefix)
            .filter(|b| b.starts_with(['\'', '"']))
    });
    body.is_some()
}

/// The host as C's getaddrinfo receives it: a str through the `idna` codec, bytes as they are.
fn host_text(host: &PyValue) -> Result<Option<String>, Failure> {
    match host {
        PyValue::None => Ok(None),
        PyValue::Str(s) => idna_encode(s).map(|s| Some(c_string(s.to_owned()))),
        PyValue::Bytes(b) => utf8(b, "host").map(Some),
        _ => Err(PyException::new(
            PyExcClass::TypeError,
            "getaddrinfo() argument 1 must be string or None",
        )
        .into()),
    }
}

/// The port as C's getaddrinfo receives it: an int as `"%ld"` prints it, str and bytes as
/// they are.
fn port_text(port: &PyValue) -> Result<Option<String>, Failure> {
    match port {
        PyValue::None => Ok(None),
        PyValue::Int(n) => match n.to_i64() {
            Some(n) => Ok(Some(n.to_string())),
            None => Err(PyException::new(
                PyExcClass::OverflowError,
                "Python int too large to convert to C long",
            )
            .into()),
        },
        PyValue::Str(s) => Ok(Some(c_string(s.clone()))),
        PyValue::Bytes(b) => utf8(b, "port").map(Some),
        // A bool is an int, but CPython asks for exactly an int (PyLong_CheckExact).
        PyValue::Bool(_) | PyValue::Float(_) => {
            Err(PyException::new(PyExcClass::OsError, "Int or String expected").into())
        }
    }
}

/// Python's `idna` codec for an ASCII name: every label but the last must be 1 to 63
/// characters, the last at most 63 (it may be empty: `localhost.`).
///
/// A non-ASCII name goes through IDNA 2003's nameprep (Unicode 3.2 tables) first, which
/// socklab does not reproduce, so it is refused instead of guessed.
fn idna_encode(host: &str) -> Result<&str, Failure> {
    if !host.is_ascii() {
        return Err(Failure::Unsupported(format!(
            "{} is not ASCII; Python would encode it with the idna codec (nameprep), which \
             socklab does not reproduce. Pass its xn-- form: python3 -c 'print({}.encode(\"idna\"))'",
            str_repr(host),
            str_repr(host)
        )));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let reason = if host.is_empty() {
        None
    } else if labels[..labels.len() - 1]
        .iter()
        .any(|l| l.is_empty() || l.len() >= 64)
    {
        Some("label empty or too long")
    } else if labels[labels.len() - 1].len() >= 64 {
        Some("label too long")
    } else {
        None
    };
    match reason {
        // The codec's error, wrapped by the encoder, is the traceback's last line.
        Some(reason) => Err(Failure::Python(format!(
            "UnicodeError: encoding with 'idna' codec failed (UnicodeError: {reason})"
        ))),
        None => Ok(host),
    }
}

/// C reads a string up to its first NUL, and so does getaddrinfo.
fn c_string(mut text: String) -> String {
    if let Some(end) = text.find('\0') {
        text.truncate(end);
    }
    text
}

/// Bytes, which the resolver call here takes as text.
fn utf8(bytes: &[u8], what: &str) -> Result<String, Failure> {
    String::from_utf8(bytes.to_vec())
        .map(c_string)
        .map_err(|_| {
            Failure::Unsupported(format!(
                "the {what} {} is not UTF-8, which socklab's resolver call needs",
                bytes_repr(bytes)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_idna(host: &str, want: Option<&str>) {
        let got = match idna_encode(host) {
            Ok(_) => None,
            Err(Failure::Python(line)) => Some(line),
            Err(Failure::Unsupported(why)) => panic!("{why}"),
        };
        let want = want.map(|r| {
            format!("UnicodeError: encoding with 'idna' codec failed (UnicodeError: {r})")
        });
        assert_eq!(got, want, "{host:?}");
    }

    #[test]
    fn idna_checks_labels_as_python_does() {
        check_idna("", None);
        check_idna("localhost", None);
        check_idna("localhost.", None);
        check_idna(&"a".repeat(63), None);
        check_idna(&"a".repeat(64), Some("label too long"));
        check_idna(&format!("x.{}", "a".repeat(64)), Some("label too long"));
        check_idna(
            &format!("{}.", "a".repeat(64)),
            Some("label empty or too long"),
        );
        check_idna("a..b", Some("label empty or too long"));
        check_idna(".", Some("label empty or too long"));
    }

    #[test]
    fn constants_by_name_or_number() {
        let c = parse_flags("AI_NUMERICHOST|socket.AI_CANONNAME|0x10").unwrap();
        assert_eq!(c.value, 0x16);
        assert_eq!(c.spelled, "socket.AI_NUMERICHOST|socket.AI_CANONNAME|0x10");
        assert_eq!(parse_family("AF_INET6").unwrap().value, 10);
        assert_eq!(parse_family("-1").unwrap().value, -1);
        let err = parse_family("AF_INET7").unwrap_err();
        assert!(err.contains("AF_UNSPEC, AF_INET, AF_INET6"), "{err}");
    }

    #[test]
    fn ports_as_python_reads_them() {
        let int = |text: &str| matches!(read_port(text).0, Ok(PyValue::Int(_)));
        assert!(int("80") && int("-1") && int("0x50"));
        assert_eq!(read_port("http").1, "'http'");
        assert_eq!(read_port("080").1, "'080'");
        assert_eq!(read_port("'80'").0.unwrap(), PyValue::Str("80".to_owned()));
        assert_eq!(read_port("None").0.unwrap(), PyValue::None);
        assert_eq!(read_host("None").0.unwrap(), PyValue::None);
        assert_eq!(
            read_host("'None'").0.unwrap(),
            PyValue::Str("None".to_owned())
        );
    }
}
