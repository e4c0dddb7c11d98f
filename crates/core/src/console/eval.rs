//! Running statements: one [`Pane`] is one `python3 -i`, its names and its sockets.

use super::names;
use super::suggest::suggestion;
use super::syntax::{parse_line, BinOp, CmpOp, Expr, Stmt, SyntaxProblem, Target};
use super::value::{socket_repr, Func, Module, PyErr, SocketObj, Value, SOCKET_PY};
use super::{AddrinfoQuery, Gone, Host, Note};
use crate::byteorder::{Endian, SwapFn};
use crate::errno::OsErrorClass;
use crate::protocol::call::{Address, Call, Method, ModuleCall, OptName, OptValue, Timeout};
use crate::protocol::{AddrinfoOutcome, CallOutcome, PyReturn, SockId};
use crate::pyliteral::PyValue;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

/// What one line printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ran {
    /// Exactly what `python3 -i` prints after the prompt line (no trailing newline; empty when
    /// it prints nothing).
    pub output: String,
    /// The line raised (or was refused).
    pub raised: bool,
    /// socklab's own line, a refusal or a companion problem, instead of Python's output (the
    /// last line of `output`, in English).
    pub note: Option<Note>,
}

/// One Python session of the console.
#[derive(Debug, Default)]
pub struct Pane {
    /// Names in the order they were first bound (CPython's suggestions read globals in order).
    order: Vec<String>,
    names: HashMap<String, Value>,
    closed: HashSet<SockId>,
    /// The sockets this pane made or accepted, in order.
    sockets: Vec<SocketObj>,
    printed: String,
    /// The companion session that made this pane's first sockets has ended.
    stale: bool,
    /// Which companion session this pane's new sockets belong to (socket ids start again at 1
    /// in a new session, so an old socket is told by its session, not by its id).
    epoch: u32,
}

type Flow<T> = Result<T, Fail>;

/// Why evaluation stopped.
#[derive(Debug)]
enum Fail {
    /// A Python exception.
    Py(PyErr),
    /// socklab's own refusal or a companion problem: one line, no traceback.
    Socklab(Note),
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Fail {
        Fail::Py(e)
    }
}

impl From<crate::pyerror::PyException> for Fail {
    fn from(e: crate::pyerror::PyException) -> Fail {
        Fail::Py(e.into())
    }
}

impl From<Gone> for Fail {
    fn from(g: Gone) -> Fail {
        Fail::Socklab(Note::Gone(g))
    }
}

fn unsupported(what: &str) -> Fail {
    Fail::Socklab(Note::Unsupported(what.to_owned()))
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

const BUILTIN_FUNCS: [(&str, Func); 7] = [
    ("len", Func::Len),
    ("print", Func::Print),
    ("repr", Func::Repr),
    ("str", Func::Str),
    ("int", Func::Int),
    ("bytes", Func::Bytes),
    ("type", Func::Type),
];

/// The exception classes a script names, and how they print.
const EXCEPTIONS: [&str; 16] = [
    "Exception",
    "OSError",
    "BlockingIOError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "BrokenPipeError",
    "TimeoutError",
    "InterruptedError",
    "PermissionError",
    "TypeError",
    "ValueError",
    "OverflowError",
    "NameError",
    "KeyboardInterrupt",
];

const SOCKET_FUNCS: [(&str, Func); 14] = [
    ("socket", Func::SocketClass),
    ("getaddrinfo", Func::Getaddrinfo),
    ("gethostname", Func::Gethostname),
    ("getnameinfo", Func::Getnameinfo),
    ("create_connection", Func::CreateConnection),
    ("create_server", Func::CreateServer),
    ("htons", Func::Swap(SwapFn::Htons)),
    ("ntohs", Func::Swap(SwapFn::Ntohs)),
    ("htonl", Func::Swap(SwapFn::Htonl)),
    ("ntohl", Func::Swap(SwapFn::Ntohl)),
    ("inet_aton", Func::InetAton),
    ("inet_ntoa", Func::InetNtoa),
    ("inet_pton", Func::InetPton),
    ("inet_ntop", Func::InetNtop),
];

/// The socket methods the console runs.
const SOCKET_METHODS: [&str; 22] = [
    "accept",
    "bind",
    "close",
    "connect",
    "connect_ex",
    "fileno",
    "getpeername",
    "getsockname",
    "getsockopt",
    "gettimeout",
    "listen",
    "recv",
    "recvfrom",
    "send",
    "sendall",
    "sendto",
    "setblocking",
    "setsockopt",
    "settimeout",
    "shutdown",
    "getblocking",
    "detach",
];

const TEXT_METHODS: [&str; 13] = [
    "encode",
    "decode",
    "upper",
    "lower",
    "startswith",
    "endswith",
    "strip",
    "split",
    "replace",
    "find",
    "hex",
    "count",
    "join",
];

fn socket_constant(name: &str) -> Option<Value> {
    names::SOCKET_CONSTANTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(n, class, v)| {
            if class.is_empty() {
                Value::Int(i128::from(*v))
            } else {
                Value::Enum {
                    class,
                    name: n,
                    value: *v as i32,
                }
            }
        })
}

/// `cls.__mro__` of a class the console knows, as names: the `OSError` family's from
/// [`OsErrorClass::mro`], the rest as CPython 3.11 has them; `object` last.
fn exc_mro(class: &'static str) -> Vec<&'static str> {
    let mut mro = match OsErrorClass::ALL.into_iter().find(|c| c.name() == class) {
        Some(c) => c.mro(),
        None => match class {
            "object" => return vec!["object"],
            "BaseException" => vec![class],
            "Exception" | "KeyboardInterrupt" => vec![class, "BaseException"],
            "OverflowError" => vec![class, "ArithmeticError", "Exception", "BaseException"],
            // TypeError, ValueError, NameError, struct.error, ArithmeticError.
            _ => vec![class, "Exception", "BaseException"],
        },
    };
    mro.push("object");
    mro
}

fn socket_attr(name: &str) -> Option<Value> {
    if let Some(v) = socket_constant(name) {
        return Some(v);
    }
    if let Some((_, f)) = SOCKET_FUNCS.iter().find(|(n, _)| *n == name) {
        return Some(Value::Func(*f));
    }
    Some(Value::ExcClass(match name {
        "timeout" => "TimeoutError",
        "error" => "OSError",
        "gaierror" => "socket.gaierror",
        "herror" => "socket.herror",
        _ => return None,
    }))
}

/// Completions for what is typed so far: a socket's methods after `s.`, the module's
/// constants after `socket.`, the pane's names otherwise.
///
/// ```
/// use socklab_core::console::{completions, Pane};
/// let pane = Pane::default();
/// assert!(completions(&pane, "socket.SO_REU").contains(&"socket.SO_REUSEADDR".to_owned()));
/// ```
pub fn completions(pane: &Pane, typed: &str) -> Vec<String> {
    let start = typed
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let (head, word) = typed.split_at(start);
    let (object, partial) = match word.rfind('.') {
        Some(dot) => (Some(&word[..dot]), &word[dot + 1..]),
        None => (None, word),
    };
    let candidates: Vec<&str> = match object {
        Some("socket") => names::SOCKET_MODULE
            .iter()
            .copied()
            .filter(|n| socket_attr(n).is_some())
            .collect(),
        Some("struct") => vec!["pack", "unpack", "calcsize", "error"],
        Some("time") => vec!["sleep", "time", "monotonic"],
        Some("select") => vec!["select"],
        Some(obj) => match pane.names.get(obj) {
            Some(Value::Socket(_)) => SOCKET_METHODS.to_vec(),
            Some(Value::Str(_) | Value::Bytes(_)) => TEXT_METHODS.to_vec(),
            _ => Vec::new(),
        },
        None => pane
            .order
            .iter()
            .map(String::as_str)
            .chain(BUILTIN_FUNCS.iter().map(|(n, _)| *n))
            .chain(["import", "socket", "struct", "select", "time"])
            .collect(),
    };
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(partial) && !c.starts_with('_'))
        .map(|c| match object {
            Some(o) => format!("{head}{o}.{c}"),
            None => format!("{head}{c}"),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn arity_exact_one(name: &str, n: usize) -> Flow<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(PyErr::type_error(format!(
            "socket.{name}() takes exactly one argument ({n} given)"
        ))
        .into())
    }
}

fn arity_none(name: &str, n: usize) -> Flow<()> {
    if n == 0 {
        Ok(())
    } else {
        Err(PyErr::type_error(format!("socket.{name}() takes no arguments ({n} given)")).into())
    }
}

fn arity_range(name: &str, n: usize, min: usize, max: usize) -> Flow<()> {
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let msg = if min == max && n != min {
        format!("{name}() takes exactly {min} {} ({n} given)", plural(min))
    } else if n < min {
        format!("{name}() takes at least {min} {} ({n} given)", plural(min))
    } else if n > max {
        format!("{name}() takes at most {max} {} ({n} given)", plural(max))
    } else {
        return Ok(());
    };
    Err(PyErr::type_error(msg).into())
}

/// A method defined in socket.py (`accept`, `close`): Python's own count, self included.
fn arity_python(name: &str, n: usize) -> Flow<()> {
    if n == 0 {
        Ok(())
    } else {
        Err(PyErr::type_error(format!(
            "socket.{name}() takes 1 positional argument but {} were given",
            n + 1
        ))
        .into())
    }
}

fn no_kwargs(name: &str, kwargs: &[(String, Value)]) -> Flow<()> {
    if kwargs.is_empty() {
        Ok(())
    } else {
        Err(PyErr::type_error(format!("{name}() takes no keyword arguments")).into())
    }
}

fn bytes_like(v: &Value) -> Flow<Vec<u8>> {
    match v {
        Value::Bytes(b) => Ok(b.clone()),
        other => {
            Err(PyErr::type_error(crate::pyliteral::bytes_like_message(other.type_name())).into())
        }
    }
}

fn c_int(v: &Value) -> Flow<i32> {
    let n = v.index()?;
    i32::try_from(n).map_err(|_| {
        Fail::Py(PyErr::new(
            "OverflowError",
            if n < 0 {
                "signed integer is less than minimum"
            } else {
                "signed integer is greater than maximum"
            },
        ))
    })
}

/// An address argument, as the boundary's [`Address`] reads it.
fn address(v: &Value) -> Flow<Address> {
    match v {
        Value::Tuple(items) => {
            let mut out = Vec::new();
            for item in items {
                match item.to_literal() {
                    Some(lit) => out.push(lit),
                    None if out.is_empty() => {
                        return Err(PyErr::type_error(format!(
                            "str, bytes or bytearray expected, not {}",
                            item.type_name()
                        ))
                        .into())
                    }
                    None => {
                        return Err(PyErr::type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            item.type_name()
                        ))
                        .into())
                    }
                }
            }
            Ok(Address::Tuple(out))
        }
        other => Ok(Address::Other(other.to_literal().unwrap_or(PyValue::None))).and_then(|a| {
            if other.to_literal().is_none() {
                Err(PyErr::type_error(format!(
                    "AF_INET address must be tuple, not {}",
                    other.type_name()
                ))
                .into())
            } else {
                Ok(a)
            }
        }),
    }
}

fn seconds(v: &Value) -> Flow<Option<f64>> {
    match v {
        Value::None => Ok(None),
        Value::Float(x) => Ok(Some(*x)),
        other => match other.as_int() {
            Some(n) => Ok(Some(n as f64)),
            None => Err(PyErr::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            ))
            .into()),
        },
    }
}

fn codec_named(name: &str) -> Flow<crate::codec::Codec> {
    let norm = name.to_ascii_lowercase().replace('_', "-");
    let norm = match norm.as_str() {
        "utf8" | "u8" => "utf-8".to_owned(),
        "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => "latin-1".to_owned(),
        "us-ascii" => "ascii".to_owned(),
        "utf16" => "utf-16".to_owned(),
        "utf32" => "utf-32".to_owned(),
        // CPython's aliases of GBK (encodings.aliases).
        "cp936" | "ms936" | "936" => "gbk".to_owned(),
        _ => norm,
    };
    crate::codec::Codec::from_name(&norm).ok_or_else(|| {
        Fail::Py(PyErr::new(
            "LookupError",
            format!("unknown encoding: {name}"),
        ))
    })
}

fn str_arg(v: &Value, func: &str, n: usize) -> Flow<String> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(PyErr::type_error(format!(
            "{func}() argument {n} must be str, not {}",
            other.type_name()
        ))
        .into()),
    }
}

fn sequence(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Tuple(items) | Value::List(items) => Some(items),
        _ => None,
    }
}

/// Python's index into a sequence of `len`, or its IndexError.
fn position(i: i128, len: usize, what: &str) -> Flow<usize> {
    let len = len as i128;
    let at = if i < 0 { i + len } else { i };
    if (0..len).contains(&at) {
        Ok(at as usize)
    } else {
        Err(PyErr::new("IndexError", format!("{what} index out of range")).into())
    }
}

fn slice_bounds(start: Option<i128>, stop: Option<i128>, len: usize) -> (usize, usize) {
    let len = len as i128;
    let clamp = |v: i128| {
        let v = if v < 0 { v + len } else { v };
        v.clamp(0, len) as usize
    };
    let a = start.map_or(0, clamp);
    let b = stop.map_or(len as usize, clamp);
    (a, b.max(a))
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> Flow<bool> {
    use std::cmp::Ordering;
    let order = |a: &Value, b: &Value| -> Option<Ordering> {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
            (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
            (Value::Float(x), _) => b
                .as_int()
                .map(|n| n as f64)
                .or(match b {
                    Value::Float(y) => Some(*y),
                    _ => None,
                })
                .and_then(|y| x.partial_cmp(&y)),
            (_, Value::Float(y)) => a.as_int().and_then(|n| (n as f64).partial_cmp(y)),
            _ => match (a.as_int(), b.as_int()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => None,
            },
        }
    };
    let equal = |a: &Value, b: &Value| -> bool {
        match (a, b) {
            (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(p, q)| compare(CmpOp::Eq, p, q).unwrap_or(false))
            }
            (Value::Socket(x), Value::Socket(y)) => x.id == y.id,
            _ => order(a, b) == Some(Ordering::Equal) || (a == b && !matches!(a, Value::Float(_))),
        }
    };
    Ok(match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::Ne => !equal(a, b),
        CmpOp::Is => match (a, b) {
            (Value::None, Value::None) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            _ => equal(a, b) && !matches!(a, Value::Str(_) | Value::Bytes(_)),
        },
        CmpOp::IsNot => !compare(CmpOp::Is, a, b)?,
        CmpOp::In | CmpOp::NotIn => {
            let found = match (b, a) {
                (Value::Str(hay), Value::Str(needle)) => hay.contains(needle.as_str()),
                (Value::Bytes(hay), Value::Bytes(needle)) => {
                    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle.as_slice())
                }
                (Value::Bytes(hay), other) if other.as_int().is_some() => {
                    let n = other.as_int().unwrap_or(-1);
                    if !(0..256).contains(&n) {
                        return Err(
                            PyErr::new("ValueError", "byte must be in range(0, 256)").into()
                        );
                    }
                    hay.contains(&(n as u8))
                }
                (Value::Str(_), other) => {
                    return Err(PyErr::type_error(format!(
                        "'in <string>' requires string as left operand, not {}",
                        other.type_name()
                    ))
                    .into())
                }
                (hay, needle) => match sequence(hay) {
                    Some(items) => items.iter().any(|i| equal(i, needle)),
                    None => {
                        return Err(PyErr::type_error(format!(
                            "argument of type '{}' is not iterable",
                            hay.type_name()
                        ))
                        .into())
                    }
                },
            };
            if op == CmpOp::In {
                found
            } else {
                !found
            }
        }
        _ => match order(a, b) {
            Some(o) => match op {
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            },
            None => {
                return Err(PyErr::type_error(format!(
                    "'{}' not supported between instances of '{}' and '{}'",
                    op.symbol(),
                    a.type_name(),
                    b.type_name()
                ))
                .into())
            }
        },
    })
}

fn int_overflow() -> Fail {
    Fail::Socklab(Note::IntTooLarge)
}

fn binop(op: BinOp, a: &Value, b: &Value) -> Flow<Value> {
    let unsupported = || {
        Fail::Py(PyErr::type_error(format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op.symbol(),
            a.type_name(),
            b.type_name()
        )))
    };
    let float_of = |v: &Value| match v {
        Value::Float(x) => Some(*x),
        other => other.as_int().map(|n| n as f64),
    };
    let repeat = |items: &dyn Fn(usize) -> Value, n: i128| -> Flow<Value> {
        let n = usize::try_from(n.max(0)).map_err(|_| int_overflow())?;
        if n > 1 << 20 {
            return Err(Fail::Socklab(Note::TooLarge));
        }
        Ok(items(n))
    };
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => Ok(Value::Str(format!("{x}{y}"))),
        (BinOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
            Ok(Value::Bytes([x.as_slice(), y].concat()))
        }
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            Ok(Value::Tuple([x.as_slice(), y].concat()))
        }
        (BinOp::Add, Value::List(x), Value::List(y)) => Ok(Value::List([x.as_slice(), y].concat())),
        (BinOp::Add, Value::Bytes(_), other) => {
            Err(PyErr::type_error(format!("can't concat {} to bytes", other.type_name())).into())
        }
        (BinOp::Add, Value::Str(_), other) => Err(PyErr::type_error(format!(
            "can only concatenate str (not \"{}\") to str",
            other.type_name()
        ))
        .into()),
        (BinOp::Mul, Value::Str(s), n) | (BinOp::Mul, n, Value::Str(s)) if n.as_int().is_some() => {
            repeat(&|k| Value::Str(s.repeat(k)), n.as_int().unwrap_or(0))
        }
        (BinOp::Mul, Value::Bytes(s), n) | (BinOp::Mul, n, Value::Bytes(s))
            if n.as_int().is_some() =>
        {
            repeat(&|k| Value::Bytes(s.repeat(k)), n.as_int().unwrap_or(0))
        }
        _ => {
            if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
                let zero = || {
                    Fail::Py(PyErr::new(
                        "ZeroDivisionError",
                        match op {
                            BinOp::Mod => "integer modulo by zero",
                            BinOp::Div => "division by zero",
                            _ => "integer division or modulo by zero",
                        },
                    ))
                };
                return match op {
                    BinOp::Add => x.checked_add(y).map(Value::Int).ok_or_else(int_overflow),
                    BinOp::Sub => x.checked_sub(y).map(Value::Int).ok_or_else(int_overflow),
                    BinOp::Mul => x.checked_mul(y).map(Value::Int).ok_or_else(int_overflow),
                    BinOp::Div if y == 0 => Err(zero()),
                    BinOp::Div => Ok(Value::Float(x as f64 / y as f64)),
                    _ if y == 0 => Err(zero()),
                    BinOp::FloorDiv => Ok(Value::Int(
                        x.div_euclid(y) - i128::from(y < 0 && x.rem_euclid(y) != 0),
                    )),
                    BinOp::Mod => {
                        let r = x % y;
                        Ok(Value::Int(if r != 0 && (r < 0) != (y < 0) {
                            r + y
                        } else {
                            r
                        }))
                    }
                };
            }
            let (Some(x), Some(y)) = (float_of(a), float_of(b)) else {
                return Err(unsupported());
            };
            if matches!(a, Value::Str(_) | Value::Bytes(_))
                || matches!(b, Value::Str(_) | Value::Bytes(_))
            {
                return Err(unsupported());
            }
            let zero = || {
                Fail::Py(PyErr::new(
                    "ZeroDivisionError",
                    match op {
                        BinOp::Div => "float division by zero",
                        BinOp::FloorDiv => "float floor division by zero",
                        _ => "float modulo",
                    },
                ))
            };
            Ok(Value::Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                _ if y == 0.0 => return Err(zero()),
                BinOp::Div => x / y,
                BinOp::FloorDiv => (x / y).floor(),
                BinOp::Mod => {
                    let r = x % y;
                    if r != 0.0 && (r < 0.0) != (y < 0.0) {
                        r + y
                    } else {
                        r
                    }
                }
            }))
        }
    }
}

/// The companion's answer as a console value.
fn returned(value: PyReturn, made: &mut Vec<SocketObj>, epoch: u32) -> Flow<Value> {
    Ok(match value {
        PyReturn::None => Value::None,
        PyReturn::Int { value } => Value::Int(i128::from(value)),
        PyReturn::Float { repr } => {
            Value::Float(crate::decimal::parse_f64(&repr).unwrap_or(f64::NAN))
        }
        PyReturn::Str { value } => Value::Str(value),
        PyReturn::Bytes { hex } => Value::Bytes(crate::protocol::hex_decode(&hex)),
        PyReturn::Socket { sock, repr } => {
            let obj = socket_from_repr(sock, &repr, epoch);
            made.push(obj.clone());
            Value::Socket(obj)
        }
        PyReturn::Accepted {
            sock,
            repr,
            address,
        } => {
            let obj = socket_from_repr(sock, &repr, epoch);
            made.push(obj.clone());
            Value::Tuple(vec![Value::Socket(obj), literal_value(&address)])
        }
        PyReturn::Tuple { repr } => literal_value(&repr),
        PyReturn::Received { hex, address } => Value::Tuple(vec![
            Value::Bytes(crate::protocol::hex_decode(&hex)),
            literal_value(&address),
        ]),
        PyReturn::Ready { .. } | PyReturn::Printed { .. } => Value::None,
    })
}

/// `<socket.socket fd=7, family=2, type=1, proto=0, ...>` read back into its numbers.
fn socket_from_repr(id: SockId, repr: &str, epoch: u32) -> SocketObj {
    let field = |name: &str| -> i32 {
        repr.split([' ', ',', '<', '>'])
            .find_map(|part| part.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(-1)
    };
    SocketObj {
        id,
        fd: field("fd"),
        family: field("family"),
        socktype: field("type"),
        proto: field("proto"),
        epoch,
    }
}

/// A tuple of literals as Python printed it, read back: `('127.0.0.1', 5000)`.
fn literal_value(text: &str) -> Value {
    fn lit(e: &Expr) -> Option<Value> {
        match e {
            Expr::Lit(v) => Value::from_literal(v).ok(),
            Expr::Tuple(items) => items
                .iter()
                .map(lit)
                .collect::<Option<Vec<_>>>()
                .map(Value::Tuple),
            Expr::Neg(inner, true) => match lit(inner)? {
                Value::Int(n) => Some(Value::Int(-n)),
                _ => None,
            },
            _ => None,
        }
    }
    match parse_line(text) {
        Ok(Stmt::Expr(e)) => lit(&e).unwrap_or_else(|| Value::Str(text.to_owned())),
        _ => Value::Str(text.to_owned()),
    }
}

fn outcome_value(outcome: CallOutcome, made: &mut Vec<SocketObj>, epoch: u32) -> Flow<Value> {
    match outcome {
        CallOutcome::Returned { value } => returned(value, made, epoch),
        CallOutcome::Raised(r) => {
            let message = r
                .line
                .strip_prefix(&format!("{}: ", r.class))
                .unwrap_or(if r.line == r.class { "" } else { &r.line })
                .to_owned();
            Err(Fail::Py(PyErr {
                class: r.class,
                message,
                errno: r.errno,
                frames: Vec::new(),
            }))
        }
        CallOutcome::Refused { line, .. } => {
            let (class, message) = line.split_once(": ").unwrap_or(("PermissionError", &line));
            Err(Fail::Py(PyErr::new(class, message)))
        }
        CallOutcome::Limit { message, .. } => {
            Err(Fail::Py(PyErr::new("socklab.LimitError", message)))
        }
        // What a person sees when they press Ctrl-C while a call waits.
        CallOutcome::Cancelled => Err(Fail::Py(PyErr::new("KeyboardInterrupt", ""))),
    }
}

fn in_frame(
    f: Flow<Value>,
    function: &str,
    line: u32,
    code: &str,
    caret: Option<&str>,
) -> Flow<Value> {
    f.map_err(|e| match e {
        Fail::Py(p) if p.class != "KeyboardInterrupt" || !p.frames.is_empty() => {
            Fail::Py(p.in_socket_py(function, line, code, caret))
        }
        other => other,
    })
}

impl Pane {
    /// A fresh session: no names but the builtins.
    pub fn new() -> Pane {
        Pane::default()
    }

    /// The sockets this pane made or accepted, and whether each is closed.
    pub fn sockets(&self) -> impl Iterator<Item = (&SocketObj, bool)> {
        self.sockets
            .iter()
            .map(|s| (s, self.closed.contains(&s.id)))
    }

    /// The names that hold socket `id` now, in the order they were bound (`srv`, `conn`).
    pub fn names_of(&self, id: SockId) -> Vec<&str> {
        self.order
            .iter()
            .filter(|n| {
                matches!(self.names.get(n.as_str()), Some(Value::Socket(s)) if s.id == id && s.epoch == self.epoch)
            })
            .map(String::as_str)
            .collect()
    }

    /// Forgets every socket: the companion session that owned them has ended. Names that held
    /// one now hold a socket the console reports as gone.
    pub fn companion_restarted(&mut self) {
        // The new session numbers its sockets from 1 again: the old ones are told apart by
        // their epoch, and the ids they closed mean nothing to it.
        self.closed.clear();
        self.sockets.clear();
        self.stale = true;
        self.epoch += 1;
    }

    /// Runs one line as `python3 -i` would, making its socket calls through `host`.
    pub async fn run<H: Host>(&mut self, host: &H, line: &str) -> Ran {
        self.printed.clear();
        let stmt = match parse_line(line) {
            Ok(s) => s,
            Err(SyntaxProblem::Refused(r)) => {
                return Ran {
                    output: r.line().to_owned(),
                    raised: true,
                    note: Some(Note::Refused(r)),
                }
            }
            Err(SyntaxProblem::Error {
                message,
                offset,
                end,
            }) => {
                let caret_len = end.saturating_sub(offset).max(1);
                let text = line.trim_end();
                let output = format!(
                    "  File \"<stdin>\", line 1\n    {text}\n    {}{}\nSyntaxError: {message}",
                    " ".repeat(offset.saturating_sub(1)),
                    "^".repeat(caret_len)
                );
                return Ran {
                    output,
                    raised: true,
                    note: None,
                };
            }
        };
        let result = self.stmt(host, &stmt).await;
        let mut output = std::mem::take(&mut self.printed);
        let (raised, note) = match result {
            Ok(()) => (false, None),
            Err(Fail::Py(e)) => {
                output.push_str(&e.traceback());
                output.push('\n');
                (true, None)
            }
            Err(Fail::Socklab(note)) => {
                output.push_str(&note.line());
                output.push('\n');
                (true, Some(note))
            }
        };
        if output.ends_with('\n') {
            output.pop();
        }
        Ran {
            output,
            raised,
            note,
        }
    }

    fn bind(&mut self, name: &str, value: Value) {
        if !self.names.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.names.insert(name.to_owned(), value);
    }

    fn assign(&mut self, target: &Target, value: Value) -> Flow<()> {
        match target {
            Target::Name(n) => {
                self.bind(n, value);
                Ok(())
            }
            Target::Tuple(targets) => {
                let items: Vec<Value> = match &value {
                    Value::Tuple(v) | Value::List(v) => v.clone(),
                    Value::Bytes(b) => b.iter().map(|x| Value::Int(i128::from(*x))).collect(),
                    Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "cannot unpack non-iterable {} object",
                            other.type_name()
                        ))
                        .into())
                    }
                };
                if items.len() > targets.len() {
                    return Err(PyErr::new(
                        "ValueError",
                        format!("too many values to unpack (expected {})", targets.len()),
                    )
                    .into());
                }
                if items.len() < targets.len() {
                    return Err(PyErr::new(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            targets.len(),
                            items.len()
                        ),
                    )
                    .into());
                }
                for (t, v) in targets.iter().zip(items) {
                    self.assign(t, v)?;
                }
                Ok(())
            }
        }
    }

    async fn stmt<H: Host>(&mut self, host: &H, stmt: &Stmt) -> Flow<()> {
        match stmt {
            Stmt::Nothing | Stmt::Pass => Ok(()),
            Stmt::Import(modules) => {
                for m in modules {
                    let top = m.split('.').next().unwrap_or(m);
                    match Module::named(m) {
                        Some(module) => self.bind(m, Value::Module(module)),
                        None if names::STDLIB_MODULES.contains(&top) => {
                            return Err(Fail::Socklab(Note::Module(m.clone())))
                        }
                        None => {
                            return Err(PyErr::new(
                                "ModuleNotFoundError",
                                format!("No module named '{top}'"),
                            )
                            .into())
                        }
                    }
                }
                Ok(())
            }
            Stmt::FromImport {
                module,
                names: wanted,
            } => {
                let Some(m) = Module::named(module) else {
                    return Box::pin(self.stmt(host, &Stmt::Import(vec![module.clone()]))).await;
                };
                let attrs: Vec<String> = match wanted {
                    Some(list) => list.clone(),
                    None => match m {
                        Module::Socket => names::SOCKET_MODULE
                            .iter()
                            .filter(|n| !n.starts_with('_') && socket_attr(n).is_some())
                            .map(|n| (*n).to_owned())
                            .collect(),
                        Module::Struct => ["pack", "unpack", "calcsize", "error"]
                            .map(String::from)
                            .to_vec(),
                        Module::Time => ["sleep", "time", "monotonic"].map(String::from).to_vec(),
                        Module::Select => vec!["select".to_owned()],
                    },
                };
                for a in attrs {
                    match self.module_attr(m, &a) {
                        Ok(v) => self.bind(&a, v),
                        Err(Fail::Py(e)) if e.class == "AttributeError" => {
                            let file = match m {
                                Module::Socket => format!(" ({SOCKET_PY})"),
                                Module::Struct => " (/usr/lib/python3.11/struct.py)".to_owned(),
                                _ => " (unknown location)".to_owned(),
                            };
                            return Err(PyErr::new(
                                "ImportError",
                                format!("cannot import name '{a}' from '{}'{file}", m.name()),
                            )
                            .into());
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Stmt::Del(list) => {
                for n in list {
                    if self.names.remove(n).is_none() {
                        return Err(self.name_error(n).into());
                    }
                    self.order.retain(|o| o != n);
                }
                Ok(())
            }
            Stmt::Assign { targets, value } => {
                let v = self.eval(host, value).await?;
                for t in targets {
                    self.assign(t, v.clone())?;
                }
                Ok(())
            }
            Stmt::Expr(e) => {
                let v = self.eval(host, e).await?;
                if v != Value::None {
                    let shown = self.repr(host, &v).await;
                    self.printed.push_str(&shown);
                    self.printed.push('\n');
                }
                Ok(())
            }
        }
    }

    fn name_error(&self, name: &str) -> PyErr {
        // CPython looks in the module's globals (in order), then in builtins.
        let globals = [
            "__name__",
            "__doc__",
            "__package__",
            "__loader__",
            "__spec__",
            "__annotations__",
            "__builtins__",
        ]
        .into_iter()
        .chain(self.order.iter().map(String::as_str));
        let hint =
            suggestion(name, globals).or_else(|| suggestion(name, names::BUILTINS.iter().copied()));
        let mut message = format!("name '{name}' is not defined");
        if let Some(h) = hint {
            message.push_str(&format!(". Did you mean: '{h}'?"));
        }
        PyErr::new("NameError", message)
    }

    fn lookup(&self, name: &str) -> Flow<Value> {
        if let Some(v) = self.names.get(name) {
            return Ok(v.clone());
        }
        if let Some((_, f)) = BUILTIN_FUNCS.iter().find(|(n, _)| *n == name) {
            return Ok(Value::Func(*f));
        }
        if let Some(e) = EXCEPTIONS.iter().find(|e| **e == name) {
            return Ok(Value::ExcClass(e));
        }
        if names::BUILTINS.contains(&name) {
            return Err(unsupported(&format!("the builtin {name}")));
        }
        Err(self.name_error(name).into())
    }

    fn module_attr(&self, m: Module, name: &str) -> Flow<Value> {
        let (found, dir) = match m {
            Module::Socket => (socket_attr(name), names::SOCKET_MODULE),
            Module::Struct => (
                match name {
                    "pack" => Some(Value::Func(Func::Pack)),
                    "unpack" => Some(Value::Func(Func::Unpack)),
                    "calcsize" => Some(Value::Func(Func::Calcsize)),
                    "error" => Some(Value::ExcClass("struct.error")),
                    _ => None,
                },
                names::STRUCT_MODULE,
            ),
            Module::Time => (
                match name {
                    "sleep" => Some(Value::Func(Func::Sleep)),
                    "time" => Some(Value::Func(Func::Time)),
                    "monotonic" => Some(Value::Func(Func::Monotonic)),
                    _ => None,
                },
                names::TIME_MODULE,
            ),
            Module::Select => (
                (name == "select").then_some(Value::Func(Func::Select)),
                names::SELECT_MODULE,
            ),
        };
        if let Some(v) = found {
            return Ok(v);
        }
        if dir.contains(&name) {
            return Err(unsupported(&format!("{}.{name}", m.name())));
        }
        let mut message = format!("module '{}' has no attribute '{name}'", m.name());
        if let Some(h) = suggestion(name, dir.iter().copied()) {
            message.push_str(&format!(". Did you mean: '{h}'?"));
        }
        Err(PyErr::new("AttributeError", message).into())
    }

    fn attribute(&self, owner: &Value, name: &str) -> Flow<Value> {
        let no_attr = |dir: &[&str], type_name: &str| -> Fail {
            if dir.contains(&name) {
                return unsupported(&format!("{type_name}.{name}"));
            }
            let mut message = format!("'{type_name}' object has no attribute '{name}'");
            if let Some(h) = suggestion(name, dir.iter().copied()) {
                message.push_str(&format!(". Did you mean: '{h}'?"));
            }
            Fail::Py(PyErr::new("AttributeError", message))
        };
        let method = |list: &[&'static str]| -> Option<Value> {
            list.iter()
                .find(|m| **m == name)
                .map(|m| Value::Method(Rc::new(owner.clone()), m))
        };
        match owner {
            Value::Module(m) => self.module_attr(*m, name),
            Value::Socket(s) => {
                let enum_of = |class: &str, value: i32| {
                    names::SOCKET_CONSTANTS
                        .iter()
                        .find(|(_, c, v)| *c == class && *v == i64::from(value))
                        .and_then(|(n, _, _)| socket_constant(n))
                        .unwrap_or(Value::Int(i128::from(value)))
                };
                match name {
                    "family" => Ok(enum_of("AddressFamily", s.family)),
                    "type" => Ok(enum_of("SocketKind", s.socktype)),
                    "proto" => Ok(Value::Int(i128::from(s.proto))),
                    _ => method(&SOCKET_METHODS)
                        .ok_or_else(|| no_attr(names::SOCKET_OBJECT, "socket")),
                }
            }
            Value::Str(_) => method(&TEXT_METHODS)
                .filter(|_| name != "decode" && name != "hex")
                .ok_or_else(|| no_attr(names::STR, "str")),
            Value::Bytes(_) => method(&TEXT_METHODS)
                .filter(|_| name != "encode")
                .ok_or_else(|| no_attr(names::BYTES, "bytes")),
            Value::Int(_) | Value::Bool(_) | Value::Enum { .. } => {
                if name == "to_bytes" {
                    Ok(Value::Method(Rc::new(owner.clone()), "to_bytes"))
                } else {
                    Err(no_attr(names::INT, owner.type_name()))
                }
            }
            Value::Func(Func::Int) if name == "from_bytes" => {
                Ok(Value::Method(Rc::new(owner.clone()), "from_bytes"))
            }
            Value::ExcClass(class) if name == "__mro__" || name == "__bases__" => {
                let mro = exc_mro(class);
                let shown = if name == "__mro__" {
                    &mro[..]
                } else {
                    &mro[1.min(mro.len())..2.min(mro.len())]
                };
                Ok(Value::Tuple(
                    shown.iter().map(|c| Value::ExcClass(c)).collect(),
                ))
            }
            Value::ExcClass(_) | Value::Func(_) if name == "__name__" => match owner {
                Value::ExcClass(n) => Ok(Value::Str(n.rsplit('.').next().unwrap_or(n).to_owned())),
                Value::Func(f) => Ok(Value::Str(f.name().to_owned())),
                _ => Err(no_attr(&[], owner.type_name())),
            },
            Value::Tuple(_) => Err(no_attr(names::TUPLE, "tuple")),
            Value::List(_) => Err(no_attr(names::LIST, "list")),
            other => Err(no_attr(&[], other.type_name())),
        }
    }

    /// `repr(v)` with each socket's current addresses, asked of the companion.
    fn repr<'a, H: Host>(&'a self, host: &'a H, v: &'a Value) -> Boxed<'a, String> {
        Box::pin(async move {
            match v {
                Value::Socket(s) => {
                    if self.closed.contains(&s.id) {
                        return socket_repr(s, true, None, None);
                    }
                    let name = |peer| async move {
                        match host.call(&Call::on(s.id, Method::Name { peer })).await {
                            Ok(CallOutcome::Returned {
                                value: PyReturn::Tuple { repr },
                            }) => Some(repr),
                            _ => None,
                        }
                    };
                    let laddr = name(false).await;
                    let raddr = name(true).await;
                    socket_repr(s, false, laddr.as_deref(), raddr.as_deref())
                }
                Value::Tuple(items) | Value::List(items) => {
                    let mut shown = Vec::new();
                    for i in items {
                        shown.push(self.repr(host, i).await);
                    }
                    if matches!(v, Value::List(_)) {
                        format!("[{}]", shown.join(", "))
                    } else if shown.len() == 1 {
                        format!("({},)", shown[0])
                    } else {
                        format!("({})", shown.join(", "))
                    }
                }
                other => other.repr(),
            }
        })
    }

    fn eval<'a, H: Host>(&'a mut self, host: &'a H, e: &'a Expr) -> Boxed<'a, Flow<Value>> {
        Box::pin(async move {
            match e {
                Expr::Lit(v) => Ok(Value::from_literal(v)?),
                Expr::Name(n) => self.lookup(n),
                Expr::Tuple(items) | Expr::List(items) => {
                    let mut out = Vec::new();
                    for i in items {
                        out.push(self.eval(host, i).await?);
                    }
                    Ok(if matches!(e, Expr::List(_)) {
                        Value::List(out)
                    } else {
                        Value::Tuple(out)
                    })
                }
                Expr::Attr(owner, name) => {
                    let owner = self.eval(host, owner).await?;
                    self.attribute(&owner, name)
                }
                Expr::Call { func, args, kwargs } => {
                    let f = self.eval(host, func).await?;
                    let mut values = Vec::new();
                    for a in args {
                        values.push(self.eval(host, a).await?);
                    }
                    let mut keywords = Vec::new();
                    for (k, a) in kwargs {
                        keywords.push((k.clone(), self.eval(host, a).await?));
                    }
                    self.call(host, f, values, keywords).await
                }
                Expr::Index(owner, index) => {
                    let owner = self.eval(host, owner).await?;
                    let index = self.eval(host, index).await?;
                    let Some(i) = index.as_int() else {
                        let what = match owner {
                            Value::Str(_) => "string",
                            Value::Bytes(_) => "byte",
                            _ => owner.type_name(),
                        };
                        return Err(PyErr::type_error(format!(
                            "{what} indices must be integers{}, not {}",
                            if matches!(owner, Value::Tuple(_) | Value::List(_) | Value::Bytes(_)) {
                                " or slices"
                            } else {
                                ""
                            },
                            index.type_name()
                        ))
                        .into());
                    };
                    match &owner {
                        Value::Bytes(b) => Ok(Value::Int(i128::from(
                            b[position(i, b.len(), "").map_err(|_| {
                                Fail::Py(PyErr::new("IndexError", "index out of range"))
                            })?],
                        ))),
                        Value::Str(s) => {
                            let chars: Vec<char> = s.chars().collect();
                            Ok(Value::Str(
                                chars[position(i, chars.len(), "string")?].to_string(),
                            ))
                        }
                        Value::Tuple(v) => Ok(v[position(i, v.len(), "tuple")?].clone()),
                        Value::List(v) => Ok(v[position(i, v.len(), "list")?].clone()),
                        other => Err(PyErr::type_error(format!(
                            "'{}' object is not subscriptable",
                            other.type_name()
                        ))
                        .into()),
                    }
                }
                Expr::Slice(owner, start, stop) => {
                    let owner = self.eval(host, owner).await?;
                    let bound = |b: Option<Value>| -> Flow<Option<i128>> {
                        match b {
                            None | Some(Value::None) => Ok(None),
                            Some(v) => v.as_int().map(Some).ok_or_else(|| {
                                Fail::Py(PyErr::type_error(
                                    "slice indices must be integers or None or have an __index__ method",
                                ))
                            }),
                        }
                    };
                    let a = match start {
                        Some(s) => Some(self.eval(host, s).await?),
                        None => None,
                    };
                    let b = match stop {
                        Some(s) => Some(self.eval(host, s).await?),
                        None => None,
                    };
                    let (a, b) = (bound(a)?, bound(b)?);
                    match owner {
                        Value::Bytes(v) => {
                            let (x, y) = slice_bounds(a, b, v.len());
                            Ok(Value::Bytes(v[x..y].to_vec()))
                        }
                        Value::Str(s) => {
                            let chars: Vec<char> = s.chars().collect();
                            let (x, y) = slice_bounds(a, b, chars.len());
                            Ok(Value::Str(chars[x..y].iter().collect()))
                        }
                        Value::Tuple(v) => {
                            let (x, y) = slice_bounds(a, b, v.len());
                            Ok(Value::Tuple(v[x..y].to_vec()))
                        }
                        Value::List(v) => {
                            let (x, y) = slice_bounds(a, b, v.len());
                            Ok(Value::List(v[x..y].to_vec()))
                        }
                        other => Err(PyErr::type_error(format!(
                            "'{}' object is not subscriptable",
                            other.type_name()
                        ))
                        .into()),
                    }
                }
                Expr::Bin(op, a, b) => {
                    let a = self.eval(host, a).await?;
                    let b = self.eval(host, b).await?;
                    binop(*op, &a, &b)
                }
                Expr::Neg(inner, negate) => {
                    let v = self.eval(host, inner).await?;
                    match (&v, negate) {
                        (Value::Float(x), true) => Ok(Value::Float(-x)),
                        (Value::Float(_), false) => Ok(v),
                        _ => match v.as_int() {
                            Some(n) if *negate => Ok(Value::Int(-n)),
                            Some(n) => Ok(Value::Int(n)),
                            None => Err(PyErr::type_error(format!(
                                "bad operand type for unary {}: '{}'",
                                if *negate { "-" } else { "+" },
                                v.type_name()
                            ))
                            .into()),
                        },
                    }
                }
                Expr::Not(inner) => Ok(Value::Bool(!self.eval(host, inner).await?.truthy())),
                Expr::Logic(and, a, b) => {
                    let left = self.eval(host, a).await?;
                    if left.truthy() == *and {
                        self.eval(host, b).await
                    } else {
                        Ok(left)
                    }
                }
                Expr::Compare(first, links) => {
                    let mut left = self.eval(host, first).await?;
                    for (op, right) in links {
                        let right = self.eval(host, right).await?;
                        if !compare(*op, &left, &right)? {
                            return Ok(Value::Bool(false));
                        }
                        left = right;
                    }
                    Ok(Value::Bool(true))
                }
            }
        })
    }

    async fn companion<H: Host>(&mut self, host: &H, call: Call) -> Flow<Value> {
        if self.stale {
            if let Call::Method { sock, .. } = &call {
                if !self.sockets.iter().any(|s| s.id == *sock) {
                    return Err(Gone::Stale.into());
                }
            }
        }
        let outcome = host.call(&call).await?;
        outcome_value(outcome, &mut self.sockets, self.epoch)
    }

    async fn call<H: Host>(
        &mut self,
        host: &H,
        f: Value,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        // The GBK table comes when a call first names the codec (`'中'.encode('gbk')`,
        // `str(b, 'cp936')`), not as the console opens.
        let names_gbk = |v: &Value| {
            let Value::Str(name) = v else { return false };
            matches!(codec_named(name), Ok(crate::codec::Codec::Gbk))
        };
        let table = crate::deferred::Deferred::Gbk;
        if table.get().is_none()
            && args
                .iter()
                .chain(kwargs.iter().map(|(_, v)| v))
                .any(names_gbk)
        {
            host.data(table)
                .await
                .map_err(|why| Fail::Socklab(Note::NoGbkTable(why.to_string())))?;
        }
        match f {
            Value::Func(func) => self.call_func(host, func, args, kwargs).await,
            Value::Method(owner, name) => match &*owner {
                Value::Socket(s) => {
                    let s = s.clone();
                    self.socket_method(host, &s, name, args, kwargs).await
                }
                other => text_method(other, name, &args, &kwargs),
            },
            Value::ExcClass(name) => Err(unsupported(&format!("raising {name} yourself"))),
            other => Err(PyErr::type_error(format!(
                "'{}' object is not callable",
                other.type_name()
            ))
            .into()),
        }
    }

    async fn socket_method<H: Host>(
        &mut self,
        host: &H,
        s: &SocketObj,
        name: &'static str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        let n = args.len();
        let py_level = matches!(name, "accept" | "close" | "detach");
        if !py_level {
            no_kwargs(&format!("socket.{name}"), &kwargs)?;
        } else if let Some((k, _)) = kwargs.first() {
            return Err(PyErr::type_error(format!(
                "socket.{name}() got an unexpected keyword argument '{k}'"
            ))
            .into());
        }
        let stale = s.epoch != self.epoch;
        let method = match name {
            "fileno" => {
                arity_none(name, n)?;
                return Ok(Value::Int(if stale || self.closed.contains(&s.id) {
                    -1
                } else {
                    i128::from(s.fd)
                }));
            }
            "getblocking" => {
                arity_none(name, n)?;
                let t = self
                    .companion(host, Call::on(s.id, Method::Gettimeout))
                    .await?;
                return Ok(Value::Bool(
                    t == Value::None || matches!(t, Value::Float(x) if x > 0.0),
                ));
            }
            "detach" => return Err(unsupported("socket.detach")),
            "accept" => {
                arity_python(name, n)?;
                Method::Accept
            }
            "close" => {
                arity_python(name, n)?;
                if stale || self.closed.contains(&s.id) {
                    self.closed.insert(s.id);
                    return Ok(Value::None);
                }
                Method::Close
            }
            "bind" | "connect" | "connect_ex" => {
                arity_exact_one(name, n)?;
                let address = address(&args[0]).map_err(|e| match e {
                    Fail::Py(mut p) if s.family == 10 => {
                        p.message = p.message.replace("AF_INET address", "AF_INET6 address");
                        Fail::Py(p)
                    }
                    other => other,
                })?;
                match name {
                    "bind" => Method::Bind(address),
                    _ => Method::Connect {
                        address,
                        ex: name == "connect_ex",
                    },
                }
            }
            "shutdown" => {
                arity_exact_one(name, n)?;
                Method::Shutdown(c_int(&args[0])?)
            }
            "settimeout" => {
                arity_exact_one(name, n)?;
                Method::SetTimeout(Timeout::from_seconds(seconds(&args[0])?)?)
            }
            "setblocking" => {
                arity_exact_one(name, n)?;
                Method::SetBlocking(args[0].truthy())
            }
            "gettimeout" => {
                arity_none(name, n)?;
                Method::Gettimeout
            }
            "getsockname" | "getpeername" => {
                arity_none(name, n)?;
                Method::Name {
                    peer: name == "getpeername",
                }
            }
            "listen" => {
                arity_range(name, n, 0, 1)?;
                Method::Listen {
                    backlog: args.first().map(c_int).transpose()?,
                }
            }
            "recv" | "recvfrom" => {
                arity_range(name, n, 1, 2)?;
                let size = args[0].index()?;
                if let Some(flags) = args.get(1) {
                    if flags.index()? != 0 {
                        return Err(unsupported(&format!("{name}() with flags")));
                    }
                }
                if size < 0 {
                    return Err(
                        PyErr::new("ValueError", format!("negative buffersize in {name}")).into(),
                    );
                }
                Method::Recv {
                    bufsize: usize::try_from(size).unwrap_or(usize::MAX),
                    from: name == "recvfrom",
                }
            }
            "send" | "sendall" => {
                arity_range(name, n, 1, 2)?;
                let data = bytes_like(&args[0])?;
                if let Some(flags) = args.get(1) {
                    if flags.index()? != 0 {
                        return Err(unsupported(&format!("{name}() with flags")));
                    }
                }
                Method::Send {
                    data,
                    all: name == "sendall",
                }
            }
            "sendto" => {
                if !(2..=3).contains(&n) {
                    return Err(PyErr::type_error(format!(
                        "sendto() takes 2 or 3 arguments ({n} given)"
                    ))
                    .into());
                }
                let data = bytes_like(&args[0])?;
                if n == 3 && args[1].index()? != 0 {
                    return Err(unsupported("sendto() with flags"));
                }
                Method::Sendto {
                    data,
                    address: address(&args[n - 1])?,
                }
            }
            "setsockopt" => {
                arity_range(name, n, 3, 3)?;
                let level = c_int(&args[0])?;
                let option = c_int(&args[1])?;
                let value = match &args[2] {
                    Value::Bytes(b) => OptValue::Bytes(b.clone()),
                    v => match v.as_int() {
                        Some(i) => {
                            OptValue::Int(i32::try_from(i).map_err(|_| bytes_like(v).unwrap_err())?)
                        }
                        None => return Err(bytes_like(v).unwrap_err()),
                    },
                };
                Method::Setsockopt {
                    opt: OptName::of(level, option),
                    value,
                }
            }
            "getsockopt" => {
                arity_range(name, n, 2, 3)?;
                let level = c_int(&args[0])?;
                let option = c_int(&args[1])?;
                let buflen = match args.get(2) {
                    Some(v) => {
                        let b = v.index()?;
                        Some(u32::try_from(b).map_err(|_| {
                            Fail::Py(PyErr::new("OSError", "getsockopt buflen out of range"))
                        })?)
                    }
                    None => None,
                };
                Method::Getsockopt {
                    opt: OptName::of(level, option),
                    buflen,
                }
            }
            other => return Err(unsupported(&format!("socket.{other}"))),
        };
        if stale {
            return Err(Gone::Stale.into());
        }
        let is_close = method == Method::Close;
        let is_accept = method == Method::Accept;
        let result = self.companion(host, Call::on(s.id, method)).await;
        if is_close && result.is_ok() {
            self.closed.insert(s.id);
        }
        if is_accept {
            return in_frame(
                result,
                "accept",
                294,
                "fd, addr = self._accept()",
                Some("           ^^^^^^^^^^^^^^"),
            );
        }
        result
    }

    async fn call_func<H: Host>(
        &mut self,
        host: &H,
        func: Func,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        let n = args.len();
        let one = |name: &str| -> Flow<()> {
            if n == 1 {
                Ok(())
            } else {
                Err(
                    PyErr::type_error(format!("{name}() takes exactly one argument ({n} given)"))
                        .into(),
                )
            }
        };
        match func {
            Func::Print => {
                let mut sep = " ".to_owned();
                let mut end = "\n".to_owned();
                for (k, v) in &kwargs {
                    let text = match v {
                        Value::None => None,
                        Value::Str(s) => Some(s.clone()),
                        other => {
                            return Err(PyErr::type_error(format!(
                                "{k} must be None or a string, not {}",
                                other.type_name()
                            ))
                            .into())
                        }
                    };
                    match k.as_str() {
                        "sep" => sep = text.unwrap_or_else(|| " ".to_owned()),
                        "end" => end = text.unwrap_or_else(|| "\n".to_owned()),
                        _ => {
                            return Err(PyErr::type_error(format!(
                                "'{k}' is an invalid keyword argument for print()"
                            ))
                            .into())
                        }
                    }
                }
                let mut parts = Vec::new();
                for a in &args {
                    parts.push(match a {
                        Value::Socket(_) | Value::Tuple(_) | Value::List(_) => self.repr(host, a).await,
                        other => other.str(),
                    });
                }
                self.printed.push_str(&parts.join(&sep));
                self.printed.push_str(&end);
                Ok(Value::None)
            }
            Func::Len => {
                no_kwargs("len", &kwargs)?;
                one("len")?;
                let len = match &args[0] {
                    Value::Str(s) => s.chars().count(),
                    Value::Bytes(b) => b.len(),
                    Value::Tuple(v) | Value::List(v) => v.len(),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "object of type '{}' has no len()",
                            other.type_name()
                        ))
                        .into())
                    }
                };
                Ok(Value::Int(len as i128))
            }
            Func::Repr => {
                no_kwargs("repr", &kwargs)?;
                one("repr")?;
                Ok(Value::Str(self.repr(host, &args[0]).await))
            }
            Func::Type => {
                one("type")?;
                Ok(Value::ExcClass(match &args[0] {
                    Value::Socket(_) => "socket.socket",
                    other => other.type_name(),
                }))
            }
            Func::Str => match args.as_slice() {
                [] => Ok(Value::Str(String::new())),
                [v] => Ok(Value::Str(match v {
                    Value::Socket(_) | Value::Tuple(_) | Value::List(_) => self.repr(host, v).await,
                    other => other.str(),
                })),
                [Value::Bytes(b), Value::Str(enc)] => {
                    let codec = codec_named(enc)?;
                    Ok(Value::Str(crate::codec::decode(b, codec, crate::codec::Errors::Strict)?))
                }
                [other, _] => Err(PyErr::type_error(format!(
                    "decoding to str: need a bytes-like object, {} found",
                    other.type_name()
                ))
                .into()),
                _ => Err(PyErr::type_error(format!("str() takes at most 3 arguments ({n} given)")).into()),
            },
            Func::Int => match args.as_slice() {
                [] => Ok(Value::Int(0)),
                [Value::Float(x)] => {
                    if x.is_finite() {
                        Ok(Value::Int(x.trunc() as i128))
                    } else if x.is_nan() {
                        Err(PyErr::new("ValueError", "cannot convert float NaN to integer").into())
                    } else {
                        Err(PyErr::new("OverflowError", "cannot convert float infinity to integer").into())
                    }
                }
                [Value::Str(s)] | [Value::Str(s), _] => {
                    let base = match args.get(1) {
                        Some(b) => b.index()?,
                        None => 10,
                    };
                    let t = s.trim().replace('_', "");
                    let (negative, digits) = match t.strip_prefix('-') {
                        Some(rest) => (true, rest.to_owned()),
                        None => (false, t.trim_start_matches('+').to_owned()),
                    };
                    let lower = digits.to_ascii_lowercase();
                    let (base, digits) = match (base, lower.get(..2)) {
                        (16 | 0, Some("0x")) => (16, &digits[2..]),
                        (8 | 0, Some("0o")) => (8, &digits[2..]),
                        (2 | 0, Some("0b")) => (2, &digits[2..]),
                        (0, _) => (10, digits.as_str()),
                        (b, _) => (b, digits.as_str()),
                    };
                    if !(2..=36).contains(&base) {
                        return Err(PyErr::new("ValueError", "int() base must be >= 2 and <= 36, or 0").into());
                    }
                    i128::from_str_radix(digits, base as u32)
                        .map(|v| if negative { -v } else { v })
                        .map(Value::Int)
                        .map_err(|_| {
                            Fail::Py(PyErr::new(
                                "ValueError",
                                format!("invalid literal for int() with base {base}: {}", crate::pyrepr::str_repr(s)),
                            ))
                        })
                }
                [v] if v.as_int().is_some() => Ok(Value::Int(v.as_int().unwrap_or(0))),
                [other] => Err(PyErr::type_error(format!(
                    "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                    other.type_name()
                ))
                .into()),
                _ => Err(PyErr::type_error("int() can't convert non-string with explicit base").into()),
            },
            Func::Bytes => match args.as_slice() {
                [] => Ok(Value::Bytes(Vec::new())),
                [Value::Str(_)] => Err(PyErr::type_error("string argument without an encoding").into()),
                [Value::Str(s), Value::Str(enc)] => {
                    let codec = codec_named(enc)?;
                    Ok(Value::Bytes(crate::codec::encode(s, codec, crate::codec::Errors::Strict)?))
                }
                [Value::Bytes(b)] => Ok(Value::Bytes(b.clone())),
                [v] if v.as_int().is_some() => {
                    let k = v.as_int().unwrap_or(0);
                    if k < 0 {
                        return Err(PyErr::new("ValueError", "negative count").into());
                    }
                    if k > 1 << 20 {
                        return Err(Fail::Socklab(Note::TooLarge));
                    }
                    Ok(Value::Bytes(vec![0; k as usize]))
                }
                [v] => match sequence(v) {
                    Some(items) => items
                        .iter()
                        .map(|i| {
                            let b = i.index()?;
                            u8::try_from(b).map_err(|_| Fail::Py(PyErr::new("ValueError", "bytes must be in range(0, 256)")))
                        })
                        .collect::<Flow<Vec<u8>>>()
                        .map(Value::Bytes),
                    None => Err(PyErr::type_error(format!("cannot convert '{}' object to bytes", v.type_name())).into()),
                },
                _ => Err(unsupported("this form of bytes()")),
            },
            Func::Swap(f) => {
                no_kwargs(f.name(), &kwargs)?;
                if n != 1 {
                    return Err(PyErr::type_error(format!("{}() takes exactly one argument ({n} given)", f.name())).into());
                }
                let lit = args[0].to_literal().unwrap_or(PyValue::Str(String::new()));
                let lit = match &args[0] {
                    v if v.to_literal().is_none() => {
                        return Err(PyErr::type_error(format!("'{}' object cannot be interpreted as an integer", v.type_name())).into())
                    }
                    _ => lit,
                };
                let r = crate::byteorder::swap(f, &lit, Endian::Little)?;
                Ok(Value::Int(r.to_i128().unwrap_or(0)))
            }
            Func::InetAton => {
                one("inet_aton")?;
                let text = str_arg(&args[0], "inet_aton", 1)?;
                Ok(Value::Bytes(crate::inet::inet_aton(&text)?.to_vec()))
            }
            Func::InetNtoa => {
                one("inet_ntoa")?;
                Ok(Value::Str(crate::inet::inet_ntoa(&bytes_like(&args[0])?)?))
            }
            Func::InetPton | Func::InetNtop => {
                let name = func.name();
                if n != 2 {
                    return Err(PyErr::type_error(format!("{name} expected 2 arguments, got {n}")).into());
                }
                let family = match args[0].index()? {
                    2 => crate::inet::Family::Inet,
                    10 => crate::inet::Family::Inet6,
                    _ => return Err(PyErr::new("OSError", "[Errno 97] Address family not supported by protocol").into()),
                };
                if func == Func::InetPton {
                    let text = str_arg(&args[1], name, 2)?;
                    Ok(Value::Bytes(crate::inet::inet_pton(family, &text)?))
                } else {
                    Ok(Value::Str(crate::inet::inet_ntop(family, &bytes_like(&args[1])?)?))
                }
            }
            Func::Pack | Func::Unpack | Func::Calcsize => {
                no_kwargs(func.name(), &kwargs)?;
                let Some(fmt) = args.first() else {
                    return Err(PyErr::type_error(match func {
                        Func::Pack => "pack expected at least 1 argument, got 0".to_owned(),
                        Func::Unpack => "unpack expected 2 arguments, got 0".to_owned(),
                        _ => "calcsize() takes exactly one argument (0 given)".to_owned(),
                    })
                    .into());
                };
                let fmt = match fmt {
                    Value::Str(s) => s.clone(),
                    Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    other => {
                        return Err(PyErr::type_error(format!(
                            "Struct() argument 1 must be a str or bytes object, not {}",
                            other.type_name()
                        ))
                        .into())
                    }
                };
                let layout = crate::pystruct::Layout::parse(&fmt, crate::pystruct::Abi::LinuxX86_64)?;
                match func {
                    Func::Calcsize => {
                        one("calcsize")?;
                        Ok(Value::Int(i128::from(layout.size)))
                    }
                    Func::Pack => {
                        let values = args[1..]
                            .iter()
                            .map(|v| v.to_literal().ok_or_else(|| Fail::Py(PyErr::new("struct.error", "required argument is not an integer"))))
                            .collect::<Flow<Vec<_>>>()?;
                        Ok(Value::Bytes(layout.pack(&values)?))
                    }
                    _ => {
                        if n != 2 {
                            return Err(PyErr::type_error(format!("unpack expected 2 arguments, got {n}")).into());
                        }
                        let data = match &args[1] {
                            Value::Bytes(b) => b.clone(),
                            other => {
                                return Err(PyErr::type_error(format!(
                                    "a bytes-like object is required, not '{}'",
                                    other.type_name()
                                ))
                                .into())
                            }
                        };
                        let values = layout.unpack(&data)?;
                        Ok(Value::Tuple(values.iter().map(Value::from_literal).collect::<Result<_, _>>()?))
                    }
                }
            }
            Func::Sleep => {
                one("sleep")?;
                let t = match &args[0] {
                    Value::Float(x) => *x,
                    v => match v.as_int() {
                        Some(i) => i as f64,
                        None => {
                            return Err(PyErr::type_error(format!(
                                "'{}' object cannot be interpreted as an integer",
                                v.type_name()
                            ))
                            .into())
                        }
                    },
                };
                if t.is_nan() {
                    return Err(PyErr::new("ValueError", "Invalid value NaN (not a number)").into());
                }
                if t < 0.0 {
                    return Err(PyErr::new("ValueError", "sleep length must be non-negative").into());
                }
                if t > 60.0 {
                    return Err(Fail::Socklab(Note::LongSleep));
                }
                host.sleep(Duration::from_secs_f64(t)).await;
                Ok(Value::None)
            }
            Func::Time | Func::Monotonic => {
                if n != 0 {
                    return Err(PyErr::type_error(format!("time.{}() takes no arguments ({n} given)", func.name())).into());
                }
                Ok(Value::Float(host.now()))
            }
            Func::SocketClass => self.new_socket(host, args, kwargs).await,
            Func::Gethostname => {
                if n != 0 {
                    return Err(PyErr::type_error(format!("gethostname() takes no arguments ({n} given)")).into());
                }
                self.companion(host, Call::Module(ModuleCall::Gethostname)).await
            }
            Func::Getnameinfo => {
                if n != 2 {
                    return Err(PyErr::type_error(format!("getnameinfo() takes exactly 2 arguments ({n} given)")).into());
                }
                let flags = c_int(&args[1])?;
                let (host_name, port) = match &args[0] {
                    Value::Tuple(items) => match (items.first(), items.get(1)) {
                        (Some(Value::Str(h)), Some(p)) if items.len() <= 4 => {
                            let port = p.as_int().and_then(|p| u16::try_from(p).ok()).ok_or_else(|| {
                                Fail::Py(PyErr::type_error("getnameinfo(): illegal sockaddr argument"))
                            })?;
                            (h.clone(), port)
                        }
                        _ => return Err(PyErr::type_error("getnameinfo(): illegal sockaddr argument").into()),
                    },
                    other => {
                        return Err(PyErr::type_error(format!(
                            "getnameinfo() argument 1 must be a tuple, not {}",
                            other.type_name()
                        ))
                        .into())
                    }
                };
                self.companion(host, Call::Module(ModuleCall::Getnameinfo { host: host_name, port, flags })).await
            }
            Func::Getaddrinfo => {
                let r = self.getaddrinfo(host, &args, &kwargs).await;
                in_frame(
                    r,
                    "getaddrinfo",
                    962,
                    "for res in _socket.getaddrinfo(host, port, family, type, proto, flags):",
                    Some("           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"),
                )
            }
            Func::CreateConnection => self.create_connection(host, args, kwargs).await,
            Func::CreateServer => self.create_server(host, args, kwargs).await,
            Func::Select => self.select(host, args, kwargs).await,
        }
    }

    async fn new_socket<H: Host>(
        &mut self,
        host: &H,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        let n = args.len();
        if n > 4 {
            return Err(PyErr::type_error(format!(
                "socket.__init__() takes from 1 to 5 positional arguments but {} were given",
                n + 1
            ))
            .into());
        }
        let mut params: [Option<Value>; 4] = [None, None, None, None];
        for (i, a) in args.into_iter().enumerate() {
            params[i] = Some(a);
        }
        for (k, v) in kwargs {
            let at = match k.as_str() {
                "family" => 0,
                "type" => 1,
                "proto" => 2,
                "fileno" => 3,
                _ => {
                    return Err(PyErr::type_error(format!(
                        "socket.__init__() got an unexpected keyword argument '{k}'"
                    ))
                    .into())
                }
            };
            if params[at].is_some() {
                return Err(PyErr::type_error(format!(
                    "socket.__init__() got multiple values for argument '{k}'"
                ))
                .into());
            }
            params[at] = Some(v);
        }
        if params[3].as_ref().is_some_and(|v| *v != Value::None) {
            return Err(unsupported("socket.socket(fileno=...)"));
        }
        let number = |v: &Option<Value>, default: i32| -> Flow<i32> {
            match v {
                None => Ok(default),
                Some(v) if v.as_int() == Some(-1) => Ok(default),
                Some(v) => c_int(v),
            }
        };
        let made = async {
            let family = number(&params[0], 2)?;
            let socktype = number(&params[1], 1)?;
            let proto = number(&params[2], 0)?;
            self.companion(
                host,
                Call::Module(ModuleCall::Socket {
                    family,
                    socktype,
                    proto,
                }),
            )
            .await
        }
        .await;
        in_frame(
            made,
            "__init__",
            232,
            "_socket.socket.__init__(self, family, type, proto, fileno)",
            None,
        )
    }

    async fn getaddrinfo<H: Host>(
        &mut self,
        host: &H,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Flow<Value> {
        let n = args.len();
        if !(2..=6).contains(&n) {
            return Err(PyErr::type_error(if n < 2 {
                format!(
                    "getaddrinfo() missing {} required positional argument{}: {}",
                    2 - n,
                    if n == 0 { "s" } else { "" },
                    if n == 0 {
                        "'host' and 'port'"
                    } else {
                        "'port'"
                    }
                )
            } else {
                format!("getaddrinfo() takes from 2 to 6 positional arguments but {n} were given")
            })
            .into());
        }
        let mut nums = [0i32; 4];
        for (i, v) in args[2..].iter().enumerate() {
            nums[i] = c_int(v)?;
        }
        for (k, v) in kwargs {
            let at = match k.as_str() {
                "family" => 0,
                "type" => 1,
                "proto" => 2,
                "flags" => 3,
                _ => {
                    return Err(PyErr::type_error(format!(
                        "getaddrinfo() got an unexpected keyword argument '{k}'"
                    ))
                    .into())
                }
            };
            nums[at] = c_int(v)?;
        }
        let host_name = match &args[0] {
            Value::None => None,
            Value::Str(s) => Some(s.clone()),
            Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            other => {
                return Err(PyErr::type_error(format!(
                    "getaddrinfo() argument 1 must be string or None, not {}",
                    other.type_name()
                ))
                .into())
            }
        };
        let port = match &args[1] {
            Value::None => None,
            Value::Str(s) => Some(s.clone()),
            Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            v if v.as_int().is_some() => Some(v.as_int().unwrap_or(0).to_string()),
            _ => return Err(PyErr::new("OSError", "Int or String expected").into()),
        };
        let query = AddrinfoQuery {
            host: host_name,
            port,
            family: nums[0],
            socktype: nums[1],
            proto: nums[2],
            flags: nums[3],
        };
        match host.getaddrinfo(&query).await? {
            AddrinfoOutcome::Ok { entries } => Ok(Value::List(
                entries
                    .into_iter()
                    .map(|e| {
                        let family = names::SOCKET_CONSTANTS
                            .iter()
                            .find(|(_, c, v)| *c == "AddressFamily" && *v == i64::from(e.family))
                            .and_then(|(n, _, _)| socket_constant(n))
                            .unwrap_or(Value::Int(i128::from(e.family)));
                        let kind = names::SOCKET_CONSTANTS
                            .iter()
                            .find(|(_, c, v)| *c == "SocketKind" && *v == i64::from(e.socktype))
                            .and_then(|(n, _, _)| socket_constant(n))
                            .unwrap_or(Value::Int(i128::from(e.socktype)));
                        let mut addr = vec![Value::Str(e.address), Value::Int(i128::from(e.port))];
                        if e.family == 10 {
                            addr.push(Value::Int(i128::from(e.flowinfo)));
                            addr.push(Value::Int(i128::from(e.scope_id)));
                        }
                        Value::Tuple(vec![
                            family,
                            kind,
                            Value::Int(i128::from(e.proto)),
                            Value::Str(e.canonname),
                            Value::Tuple(addr),
                        ])
                    })
                    .collect(),
            )),
            AddrinfoOutcome::Gaierror { errno, message } => Err(Fail::Py(PyErr {
                class: "socket.gaierror".to_owned(),
                message: format!("[Errno {errno}] {message}"),
                errno: Some(errno),
                frames: Vec::new(),
            })),
            AddrinfoOutcome::Limit { message } => {
                Err(Fail::Py(PyErr::new("socklab.LimitError", message)))
            }
        }
    }

    /// socket.py's `create_connection`, step by step as CPython 3.11 runs it.
    async fn create_connection<H: Host>(
        &mut self,
        host: &H,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        let mut params: [Option<Value>; 3] = [None, None, None];
        if args.len() > 4 {
            return Err(PyErr::type_error(format!(
                "create_connection() takes from 1 to 4 positional arguments but {} were given",
                args.len()
            ))
            .into());
        }
        for (i, a) in args.into_iter().take(3).enumerate() {
            params[i] = Some(a);
        }
        for (k, v) in kwargs {
            let at = match k.as_str() {
                "address" => 0,
                "timeout" => 1,
                "source_address" => 2,
                "all_errors" => continue,
                _ => {
                    return Err(PyErr::type_error(format!(
                        "create_connection() got an unexpected keyword argument '{k}'"
                    ))
                    .into())
                }
            };
            params[at] = Some(v);
        }
        let Some(address_value) = params[0].clone() else {
            return Err(PyErr::type_error(
                "create_connection() missing 1 required positional argument: 'address'",
            )
            .into());
        };
        let (h, p) = match &address_value {
            Value::Tuple(items) if items.len() == 2 => (items[0].clone(), items[1].clone()),
            Value::Tuple(items) => {
                let message = if items.len() > 2 {
                    "too many values to unpack (expected 2)".to_owned()
                } else {
                    format!(
                        "not enough values to unpack (expected 2, got {})",
                        items.len()
                    )
                };
                return Err(PyErr::new("ValueError", message)
                    .in_socket_py(
                        "create_connection",
                        827,
                        "host, port = address",
                        Some("^^^^^^^^^^"),
                    )
                    .into());
            }
            other => {
                return Err(PyErr::type_error(format!(
                    "cannot unpack non-iterable {} object",
                    other.type_name()
                ))
                .in_socket_py(
                    "create_connection",
                    827,
                    "host, port = address",
                    Some("^^^^^^^^^^"),
                )
                .into())
            }
        };
        let infos = self
            .getaddrinfo(host, &[h, p, Value::Int(0), Value::Int(1)], &[])
            .await;
        let infos = in_frame(
            infos,
            "create_connection",
            829,
            "for res in getaddrinfo(host, port, 0, SOCK_STREAM):",
            Some(
                "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            ),
        )
        .map_err(|e| match e {
            Fail::Py(mut p) => {
                // The getaddrinfo frame is one level deeper than create_connection's.
                p.frames.reverse();
                Fail::Py(p)
            }
            other @ Fail::Socklab(_) => other,
        })?;
        let Value::List(infos) = infos else {
            return Ok(Value::None);
        };
        let mut last: Option<Fail> = None;
        for info in infos {
            let Value::Tuple(parts) = info else { continue };
            let (Some(af), Some(kind), Some(proto), Some(sa)) =
                (parts.first(), parts.get(1), parts.get(2), parts.get(4))
            else {
                continue;
            };
            let made = self
                .companion(
                    host,
                    Call::Module(ModuleCall::Socket {
                        family: af.as_int().unwrap_or(2) as i32,
                        socktype: kind.as_int().unwrap_or(1) as i32,
                        proto: proto.as_int().unwrap_or(0) as i32,
                    }),
                )
                .await?;
            let Value::Socket(sock) = made else { continue };
            let attempt = async {
                if let Some(t) = &params[1] {
                    let timeout = Timeout::from_seconds(seconds(t)?)?;
                    self.companion(host, Call::on(sock.id, Method::SetTimeout(timeout)))
                        .await?;
                }
                if let Some(src) = params[2].as_ref().filter(|v| v.truthy()) {
                    self.companion(host, Call::on(sock.id, Method::Bind(address(src)?)))
                        .await?;
                }
                self.companion(
                    host,
                    Call::on(
                        sock.id,
                        Method::Connect {
                            address: address(sa)?,
                            ex: false,
                        },
                    ),
                )
                .await
            }
            .await;
            match attempt {
                Ok(_) => return Ok(Value::Socket(sock)),
                Err(Fail::Py(p)) if p.errno.is_some() || p.class == "TimeoutError" => {
                    let _ = self.companion(host, Call::on(sock.id, Method::Close)).await;
                    self.closed.insert(sock.id);
                    last = Some(Fail::Py(p));
                }
                Err(other) => return Err(other),
            }
        }
        match last {
            Some(Fail::Py(p)) => Err(Fail::Py(
                p.in_socket_py("create_connection", 851, "raise exceptions[0]", None)
                    .in_socket_py("create_connection", 836, "sock.connect(sa)", None),
            )),
            Some(other) => Err(other),
            None => Err(PyErr::new("OSError", "getaddrinfo returns an empty list")
                .in_socket_py(
                    "create_connection",
                    853,
                    "raise error(\"getaddrinfo returns an empty list\")",
                    None,
                )
                .into()),
        }
    }

    /// socket.py's `create_server`: SO_REUSEADDR, bind, listen, as CPython 3.11 runs it.
    async fn create_server<H: Host>(
        &mut self,
        host: &H,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        if args.len() != 1 {
            return Err(PyErr::type_error(if args.is_empty() {
                "create_server() missing 1 required positional argument: 'address'".to_owned()
            } else {
                format!(
                    "create_server() takes 1 positional argument but {} were given",
                    args.len()
                )
            })
            .into());
        }
        let mut family = 2;
        let mut backlog = None;
        let mut reuse_port = false;
        for (k, v) in &kwargs {
            match k.as_str() {
                "family" => family = c_int(v)?,
                "backlog" if *v != Value::None => backlog = Some(c_int(v)?),
                "backlog" => {}
                "reuse_port" => reuse_port = v.truthy(),
                "dualstack_ipv6" if v.truthy() => {
                    return Err(unsupported("create_server(dualstack_ipv6=True)"))
                }
                "dualstack_ipv6" => {}
                _ => {
                    return Err(PyErr::type_error(format!(
                        "create_server() got an unexpected keyword argument '{k}'"
                    ))
                    .into())
                }
            }
        }
        let made = self
            .companion(
                host,
                Call::Module(ModuleCall::Socket {
                    family,
                    socktype: 1,
                    proto: 0,
                }),
            )
            .await;
        let Value::Socket(sock) = in_frame(
            made,
            "create_server",
            906,
            "sock = socket(family, SOCK_STREAM)",
            Some("       ^^^^^^^^^^^^^^^^^^^^^^^^^^^"),
        )?
        else {
            return Ok(Value::None);
        };
        let reuse = |opt| Method::Setsockopt {
            opt: OptName::Known(opt),
            value: OptValue::Int(1),
        };
        let _ = self
            .companion(
                host,
                Call::on(sock.id, reuse(crate::pysocket::SockOpt::ReuseAddr)),
            )
            .await;
        let steps = async {
            if reuse_port {
                self.companion(host, Call::on(sock.id, reuse(crate::pysocket::SockOpt::ReusePort))).await?;
            }
            let addr = address(&args[0])?;
            if let Err(e) = self.companion(host, Call::on(sock.id, Method::Bind(addr))).await {
                return Err(match e {
                    Fail::Py(p) if p.errno.is_some() => {
                        let strerror = p.message.split_once("] ").map_or(p.message.as_str(), |(_, s)| s).to_owned();
                        let errno = p.errno.unwrap_or(0);
                        let class = crate::errno::by_number(errno).map_or("OSError", |e| e.class().name());
                        Fail::Py(
                            PyErr {
                                class: class.to_owned(),
                                message: format!(
                                    "[Errno {errno}] {strerror} (while attempting to bind on address {})",
                                    args[0].repr()
                                ),
                                errno: Some(errno),
                                frames: Vec::new(),
                            }
                            .in_socket_py("create_server", 934, "raise error(err.errno, msg) from None", None),
                        )
                    }
                    other => other,
                });
            }
            self.companion(host, Call::on(sock.id, Method::Listen { backlog })).await?;
            Ok(Value::Socket(sock.clone()))
        }
        .await;
        if steps.is_err() {
            let _ = self.companion(host, Call::on(sock.id, Method::Close)).await;
            self.closed.insert(sock.id);
        }
        steps
    }

    async fn select<H: Host>(
        &mut self,
        host: &H,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Flow<Value> {
        no_kwargs("select", &kwargs)?;
        let n = args.len();
        if !(3..=4).contains(&n) {
            return Err(PyErr::type_error(format!(
                "select expected {} arguments, got {n}",
                if n < 3 { "at least 3" } else { "at most 4" }
            ))
            .into());
        }
        let mut lists: Vec<Vec<SocketObj>> = Vec::new();
        for a in &args[..3] {
            let Some(items) = sequence(a) else {
                return Err(PyErr::type_error("arguments 1-3 must be sequences").into());
            };
            let mut socks = Vec::new();
            for i in items {
                match i {
                    Value::Socket(s) => socks.push(s.clone()),
                    _ => {
                        return Err(PyErr::type_error(
                            "argument must be an int, or have a fileno() method.",
                        )
                        .into())
                    }
                }
            }
            lists.push(socks);
        }
        let timeout = match args.get(3) {
            None | Some(Value::None) => None,
            Some(Value::Float(x)) => Some(*x),
            Some(v) => match v.as_int() {
                Some(i) => Some(i as f64),
                None => return Err(PyErr::type_error("timeout must be a float or None").into()),
            },
        };
        let timeout = crate::protocol::call::select_timeout(timeout)?;
        for s in lists.iter().flatten() {
            if self.closed.contains(&s.id) {
                return Err(PyErr::new(
                    "ValueError",
                    "file descriptor cannot be a negative integer (-1)",
                )
                .into());
            }
        }
        let ids = |l: &[SocketObj]| l.iter().map(|s| s.id).collect::<Vec<_>>();
        let call = Call::Module(ModuleCall::Select {
            read: ids(&lists[0]),
            write: ids(&lists[1]),
            except: ids(&lists[2]),
            timeout,
        });
        if lists.iter().flatten().any(|s| s.epoch != self.epoch) {
            return Err(Gone::Stale.into());
        }
        match host.call(&call).await? {
            CallOutcome::Returned {
                value:
                    PyReturn::Ready {
                        read,
                        write,
                        except,
                    },
            } => {
                let pick = |ready: &[SockId], given: &[SocketObj]| {
                    Value::List(
                        given
                            .iter()
                            .filter(|s| ready.contains(&s.id))
                            .cloned()
                            .map(Value::Socket)
                            .collect(),
                    )
                };
                Ok(Value::Tuple(vec![
                    pick(&read, &lists[0]),
                    pick(&write, &lists[1]),
                    pick(&except, &lists[2]),
                ]))
            }
            other => outcome_value(other, &mut self.sockets, self.epoch),
        }
    }
}

/// The str and bytes methods socket code uses.
fn text_method(
    owner: &Value,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Flow<Value> {
    let n = args.len();
    let kw = |key: &str| {
        kwargs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    match (owner, name) {
        (Value::Str(_), "encode") | (Value::Bytes(_), "decode") if n <= 2 => {
            let encoding = match args.first().cloned().or_else(|| kw("encoding")) {
                Some(Value::Str(e)) => e,
                Some(other) => {
                    return Err(PyErr::type_error(format!(
                        "{}() argument 'encoding' must be str, not {}",
                        name,
                        other.type_name()
                    ))
                    .into())
                }
                None => "utf-8".to_owned(),
            };
            let errors = match args.get(1).cloned().or_else(|| kw("errors")) {
                Some(Value::Str(e)) => crate::codec::Errors::from_name(&e)
                    .ok_or_else(|| unsupported(&format!("errors='{e}'")))?,
                _ => crate::codec::Errors::Strict,
            };
            let codec = codec_named(&encoding)?;
            match owner {
                Value::Str(text) => Ok(Value::Bytes(crate::codec::encode(text, codec, errors)?)),
                Value::Bytes(b) => Ok(Value::Str(crate::codec::decode(b, codec, errors)?)),
                _ => Ok(Value::None),
            }
        }
        (Value::Str(s), "upper") => Ok(Value::Str(s.to_uppercase())),
        (Value::Str(s), "lower") => Ok(Value::Str(s.to_lowercase())),
        (Value::Bytes(b), "upper") => Ok(Value::Bytes(b.to_ascii_uppercase())),
        (Value::Bytes(b), "lower") => Ok(Value::Bytes(b.to_ascii_lowercase())),
        (Value::Str(s), "strip") if n == 0 => Ok(Value::Str(s.trim().to_owned())),
        (Value::Bytes(b), "strip") if n == 0 => Ok(Value::Bytes(b.trim_ascii().to_vec())),
        (Value::Bytes(b), "hex") if n == 0 => Ok(Value::Str(crate::protocol::hex_encode(b))),
        (_, "startswith" | "endswith" | "find" | "count" | "split" | "replace" | "join") => {
            let same = |v: &Value| -> Flow<Vec<u8>> {
                match (owner, v) {
                    (Value::Str(_), Value::Str(x)) => Ok(x.as_bytes().to_vec()),
                    (Value::Bytes(_), Value::Bytes(x)) => Ok(x.clone()),
                    (Value::Str(_), other) => Err(PyErr::type_error(format!(
                        "must be str, not {}",
                        other.type_name()
                    ))
                    .into()),
                    (_, other) => Err(PyErr::type_error(format!(
                        "a bytes-like object is required, not '{}'",
                        other.type_name()
                    ))
                    .into()),
                }
            };
            let me: Vec<u8> = match owner {
                Value::Str(s) => s.as_bytes().to_vec(),
                Value::Bytes(b) => b.clone(),
                _ => Vec::new(),
            };
            let wrap = |bytes: Vec<u8>| match owner {
                Value::Str(_) => Value::Str(String::from_utf8_lossy(&bytes).into_owned()),
                _ => Value::Bytes(bytes),
            };
            let find = |hay: &[u8], needle: &[u8]| -> Option<usize> {
                if needle.is_empty() {
                    return Some(0);
                }
                hay.windows(needle.len()).position(|w| w == needle)
            };
            match name {
                "startswith" | "endswith" => {
                    let Some(arg) = args.first() else {
                        return Err(PyErr::type_error(format!(
                            "{name}() takes at least 1 argument (0 given)"
                        ))
                        .into());
                    };
                    let options: Vec<Vec<u8>> = match arg {
                        Value::Tuple(items) => items.iter().map(same).collect::<Flow<_>>()?,
                        v => vec![same(v).map_err(|_| {
                            Fail::Py(PyErr::type_error(format!(
                                "{name} first arg must be {} or a tuple of {}, not {}",
                                if matches!(owner, Value::Str(_)) {
                                    "str"
                                } else {
                                    "bytes"
                                },
                                if matches!(owner, Value::Str(_)) {
                                    "str"
                                } else {
                                    "bytes"
                                },
                                v.type_name()
                            )))
                        })?],
                    };
                    Ok(Value::Bool(options.iter().any(|o| {
                        if name == "startswith" {
                            me.starts_with(o)
                        } else {
                            me.ends_with(o)
                        }
                    })))
                }
                "find" => {
                    let needle = same(args.first().unwrap_or(&Value::None))?;
                    let at = find(&me, &needle);
                    Ok(Value::Int(match (at, owner) {
                        (None, _) => -1,
                        (Some(i), Value::Str(s)) => s[..i].chars().count() as i128,
                        (Some(i), _) => i as i128,
                    }))
                }
                "count" => {
                    let needle = same(args.first().unwrap_or(&Value::None))?;
                    if needle.is_empty() {
                        return Ok(Value::Int(me.len() as i128 + 1));
                    }
                    let mut count = 0;
                    let mut rest = me.as_slice();
                    while let Some(i) = find(rest, &needle) {
                        count += 1;
                        rest = &rest[i + needle.len()..];
                    }
                    Ok(Value::Int(count))
                }
                "replace" => {
                    if n != 2 {
                        return Err(PyErr::type_error(format!(
                            "replace expected at least 2 arguments, got {n}"
                        ))
                        .into());
                    }
                    let (old, new) = (same(&args[0])?, same(&args[1])?);
                    if old.is_empty() {
                        return Err(unsupported("replace() of an empty string"));
                    }
                    let mut out = Vec::new();
                    let mut rest = me.as_slice();
                    while let Some(i) = find(rest, &old) {
                        out.extend_from_slice(&rest[..i]);
                        out.extend_from_slice(&new);
                        rest = &rest[i + old.len()..];
                    }
                    out.extend_from_slice(rest);
                    Ok(wrap(out))
                }
                "split" => {
                    let parts: Vec<Vec<u8>> = match args.first() {
                        None | Some(Value::None) => me
                            .split(u8::is_ascii_whitespace)
                            .filter(|p| !p.is_empty())
                            .map(<[u8]>::to_vec)
                            .collect(),
                        Some(sep) => {
                            let sep = same(sep)?;
                            if sep.is_empty() {
                                return Err(PyErr::new("ValueError", "empty separator").into());
                            }
                            let mut out = Vec::new();
                            let mut rest = me.as_slice();
                            while let Some(i) = find(rest, &sep) {
                                out.push(rest[..i].to_vec());
                                rest = &rest[i + sep.len()..];
                            }
                            out.push(rest.to_vec());
                            out
                        }
                    };
                    Ok(Value::List(parts.into_iter().map(wrap).collect()))
                }
                _ => {
                    let Some(items) = args.first().and_then(sequence) else {
                        return Err(PyErr::type_error("can only join an iterable").into());
                    };
                    let mut out = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.extend_from_slice(&me);
                        }
                        out.extend(same(item).map_err(|_| {
                            Fail::Py(PyErr::type_error(format!(
                                "sequence item {i}: expected {} instance, {} found",
                                if matches!(owner, Value::Str(_)) {
                                    "str"
                                } else {
                                    "a bytes-like object"
                                },
                                item.type_name()
                            )))
                        })?);
                    }
                    Ok(wrap(out))
                }
            }
        }
        (v, "to_bytes") if v.as_int().is_some() => {
            let length = match args.first().cloned().or_else(|| kw("length")) {
                Some(l) => l.index()?,
                None => 1,
            };
            let order = match args.get(1).cloned().or_else(|| kw("byteorder")) {
                Some(Value::Str(o)) if o == "big" => Endian::Big,
                Some(Value::Str(o)) if o == "little" => Endian::Little,
                Some(Value::Str(_)) => {
                    return Err(PyErr::new(
                        "ValueError",
                        "byteorder must be either 'little' or 'big'",
                    )
                    .into())
                }
                None => Endian::Big,
                Some(other) => {
                    return Err(PyErr::type_error(format!(
                        "to_bytes() argument 'byteorder' must be str, not {}",
                        other.type_name()
                    ))
                    .into())
                }
            };
            let signed = kw("signed").is_some_and(|v| v.truthy());
            let length = usize::try_from(length).map_err(|_| {
                Fail::Py(PyErr::new(
                    "ValueError",
                    "length argument must be non-negative",
                ))
            })?;
            let n = crate::pyint::PyInt::from(v.as_int().unwrap_or(0));
            Ok(Value::Bytes(crate::byteorder::int_to_bytes(
                &n, length, order, signed,
            )?))
        }
        (Value::Func(Func::Int), "from_bytes") => {
            let data = bytes_like(args.first().unwrap_or(&Value::None))?;
            let order = match args.get(1).cloned().or_else(|| kw("byteorder")) {
                Some(Value::Str(o)) if o == "little" => Endian::Little,
                Some(Value::Str(o)) if o != "big" => {
                    return Err(PyErr::new(
                        "ValueError",
                        "byteorder must be either 'little' or 'big'",
                    )
                    .into())
                }
                _ => Endian::Big,
            };
            let signed = kw("signed").is_some_and(|v| v.truthy());
            let n = crate::byteorder::int_from_bytes(&data, order, signed);
            Ok(Value::Int(n.to_i128().ok_or_else(int_overflow)?))
        }
        (_, other) => Err(unsupported(&format!(
            "{}.{other}() in this form",
            owner.type_name()
        ))),
    }
}
