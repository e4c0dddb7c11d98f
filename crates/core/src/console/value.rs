//! The console's values and the exceptions it raises, with their reprs as CPython 3.11 prints
//! them.

use crate::protocol::SockId;
use crate::pyliteral::PyValue;
use crate::pyrepr;
use std::rc::Rc;

/// Where CPython's `socket.py` is said to be in a traceback. The frames the module's Python
/// code adds (`accept`, `create_connection`, `socket.__init__`) name this file; the real path
/// depends on how Python was installed, and the differential tests put the local one in its
/// place.
pub const SOCKET_PY: &str = "/usr/lib/python3.11/socket.py";

/// A module the console can import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// `socket`
    Socket,
    /// `struct`
    Struct,
    /// `time`
    Time,
    /// `select`
    Select,
}

impl Module {
    /// The module of an import.
    pub fn named(name: &str) -> Option<Module> {
        Some(match name {
            "socket" => Module::Socket,
            "struct" => Module::Struct,
            "time" => Module::Time,
            "select" => Module::Select,
            _ => return None,
        })
    }

    /// The module's name.
    pub fn name(self) -> &'static str {
        match self {
            Module::Socket => "socket",
            Module::Struct => "struct",
            Module::Time => "time",
            Module::Select => "select",
        }
    }

    fn repr(self) -> String {
        match self {
            Module::Socket => format!("<module 'socket' from '{SOCKET_PY}'>"),
            Module::Struct => "<module 'struct' from '/usr/lib/python3.11/struct.py'>".to_owned(),
            Module::Time | Module::Select => format!("<module '{}' (built-in)>", self.name()),
        }
    }
}

/// A function the console knows: a builtin or one of a module's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `len`
    Len,
    /// `print`
    Print,
    /// `repr`
    Repr,
    /// `str`
    Str,
    /// `int`
    Int,
    /// `bytes`
    Bytes,
    /// `type`
    Type,
    /// `socket.socket` (a class)
    SocketClass,
    /// `socket.getaddrinfo`
    Getaddrinfo,
    /// `socket.gethostname`
    Gethostname,
    /// `socket.getnameinfo`
    Getnameinfo,
    /// `socket.create_connection`
    CreateConnection,
    /// `socket.create_server`
    CreateServer,
    /// `socket.htons` & co.
    Swap(crate::byteorder::SwapFn),
    /// `socket.inet_aton`
    InetAton,
    /// `socket.inet_ntoa`
    InetNtoa,
    /// `socket.inet_pton`
    InetPton,
    /// `socket.inet_ntop`
    InetNtop,
    /// `struct.pack`
    Pack,
    /// `struct.unpack`
    Unpack,
    /// `struct.calcsize`
    Calcsize,
    /// `time.sleep`
    Sleep,
    /// `time.time`
    Time,
    /// `time.monotonic`
    Monotonic,
    /// `select.select`
    Select,
}

impl Func {
    /// The name `repr` shows.
    pub fn name(self) -> &'static str {
        match self {
            Func::Len => "len",
            Func::Print => "print",
            Func::Repr => "repr",
            Func::Str => "str",
            Func::Int => "int",
            Func::Bytes => "bytes",
            Func::Type => "type",
            Func::SocketClass => "socket",
            Func::Getaddrinfo => "getaddrinfo",
            Func::Gethostname => "gethostname",
            Func::Getnameinfo => "getnameinfo",
            Func::CreateConnection => "create_connection",
            Func::CreateServer => "create_server",
            Func::Swap(f) => f.name(),
            Func::InetAton => "inet_aton",
            Func::InetNtoa => "inet_ntoa",
            Func::InetPton => "inet_pton",
            Func::InetNtop => "inet_ntop",
            Func::Pack => "pack",
            Func::Unpack => "unpack",
            Func::Calcsize => "calcsize",
            Func::Sleep => "sleep",
            Func::Time => "time",
            Func::Monotonic => "monotonic",
            Func::Select => "select",
        }
    }

    fn repr(self) -> String {
        match self {
            Func::Str | Func::Int | Func::Bytes | Func::Type => {
                format!("<class '{}'>", self.name())
            }
            Func::SocketClass => "<class 'socket.socket'>".to_owned(),
            // Python functions of socket.py print their address, which differs every run.
            Func::Getaddrinfo | Func::CreateConnection | Func::CreateServer => {
                format!("<function {} at 0x7f0000000000>", self.name())
            }
            _ => format!("<built-in function {}>", self.name()),
        }
    }
}

/// A socket object of the pane: the companion's socket, with what its repr needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketObj {
    /// The companion's name for it.
    pub id: SockId,
    /// The descriptor the companion's process gave it (what `fileno()` returns).
    pub fd: i32,
    /// `AF_*`.
    pub family: i32,
    /// `SOCK_*`.
    pub socktype: i32,
    /// The protocol.
    pub proto: i32,
    /// The companion session it belongs to, as the pane counts them (0 for the first).
    pub epoch: u32,
}

/// An exception, as the console raises it and prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyErr {
    /// The class as a traceback names it: `ConnectionRefusedError`, `socket.gaierror`.
    pub class: String,
    /// What follows `class: ` (empty for a bare class).
    pub message: String,
    /// `e.errno`, for OSError and its subclasses.
    pub errno: Option<i32>,
    /// Frames below `<stdin>`'s: the lines a traceback prints for code in `socket.py`.
    pub frames: Vec<String>,
}

impl PyErr {
    /// An exception with a message.
    pub fn new(class: impl Into<String>, message: impl Into<String>) -> PyErr {
        PyErr {
            class: class.into(),
            message: message.into(),
            errno: None,
            frames: Vec::new(),
        }
    }

    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> PyErr {
        PyErr::new("TypeError", message)
    }

    /// The same exception raised inside `socket.py`'s `function`, at `line`, running `code`
    /// (the caret line under it, if CPython prints one).
    pub fn in_socket_py(
        mut self,
        function: &str,
        line: u32,
        code: &str,
        caret: Option<&str>,
    ) -> PyErr {
        let mut frame = format!("  File \"{SOCKET_PY}\", line {line}, in {function}\n    {code}");
        if let Some(c) = caret {
            frame.push_str("\n    ");
            frame.push_str(c);
        }
        self.frames.push(frame);
        self
    }

    /// The traceback's last line: `ConnectionRefusedError: [Errno 111] Connection refused`.
    pub fn line(&self) -> String {
        if self.message.is_empty() {
            self.class.clone()
        } else {
            format!("{}: {}", self.class, self.message)
        }
    }

    /// The whole traceback, as `python3 -i` prints it for a line typed at its prompt.
    pub fn traceback(&self) -> String {
        let mut out = String::from(
            "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n",
        );
        for f in &self.frames {
            out.push_str(f);
            out.push('\n');
        }
        out.push_str(&self.line());
        out
    }
}

impl From<crate::pyerror::PyException> for PyErr {
    fn from(e: crate::pyerror::PyException) -> PyErr {
        PyErr::new(e.class.traceback_name(), e.message)
    }
}

/// A value of the console.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `None`
    None,
    /// `True`, `False`
    Bool(bool),
    /// An int.
    Int(i128),
    /// A float.
    Float(f64),
    /// A str.
    Str(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A list.
    List(Vec<Value>),
    /// A member of one of socket's IntEnums: `socket.AF_INET`, `socket.SOCK_STREAM`.
    Enum {
        /// `AddressFamily`, `SocketKind`
        class: &'static str,
        /// `AF_INET`
        name: &'static str,
        /// 2
        value: i32,
    },
    /// A socket object.
    Socket(SocketObj),
    /// A module.
    Module(Module),
    /// A function or class.
    Func(Func),
    /// A method bound to its object: `s.recv`, `b'x'.decode`.
    Method(Rc<Value>, &'static str),
    /// An exception class: `OSError`, `socket.timeout`.
    ExcClass(&'static str),
}

impl Value {
    /// `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Enum { class, .. } => class,
            Value::Socket(_) => "socket",
            Value::Module(_) => "module",
            Value::Func(Func::Str | Func::Int | Func::Bytes | Func::Type | Func::SocketClass)
            | Value::ExcClass(_) => "type",
            Value::Func(Func::Getaddrinfo | Func::CreateConnection | Func::CreateServer) => {
                "function"
            }
            Value::Func(_) => "builtin_function_or_method",
            Value::Method(..) => "builtin_function_or_method",
        }
    }

    /// The int behind an int, a bool or an IntEnum member (`__index__`).
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Bool(b) => Some(i128::from(*b)),
            Value::Enum { value, .. } => Some(i128::from(*value)),
            _ => None,
        }
    }

    /// `operator.index(v)`, or CPython's TypeError.
    pub fn index(&self) -> Result<i128, PyErr> {
        self.as_int().ok_or_else(|| {
            PyErr::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_name()
            ))
        })
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Float(x) => *x != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(v) | Value::List(v) => !v.is_empty(),
            Value::Enum { value, .. } => *value != 0,
            _ => true,
        }
    }

    /// The value as a literal the rest of core reads, if it is one.
    pub fn to_literal(&self) -> Option<PyValue> {
        Some(match self {
            Value::None => PyValue::None,
            Value::Bool(b) => PyValue::Bool(*b),
            Value::Int(n) => PyValue::Int((*n).into()),
            Value::Enum { value, .. } => PyValue::Int(i128::from(*value).into()),
            Value::Float(x) => PyValue::Float(*x),
            Value::Str(s) => PyValue::Str(s.clone()),
            Value::Bytes(b) => PyValue::Bytes(b.clone()),
            _ => return None,
        })
    }

    /// A literal of the rest of core as a console value (ints beyond 128 bits are refused).
    pub fn from_literal(v: &PyValue) -> Result<Value, PyErr> {
        Ok(match v {
            PyValue::None => Value::None,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(n) => Value::Int(n.to_i128().ok_or_else(too_big)?),
            PyValue::Float(x) => Value::Float(*x),
            PyValue::Str(s) => Value::Str(s.clone()),
            PyValue::Bytes(b) => Value::Bytes(b.clone()),
        })
    }

    /// `repr(v)`, for values that need no companion to show (a socket's needs its addresses:
    /// see [`Value::socket_repr`]).
    pub fn repr(&self) -> String {
        match self {
            Value::None => "None".to_owned(),
            Value::Bool(b) => pyrepr::bool_repr(*b).to_owned(),
            Value::Int(n) => n.to_string(),
            Value::Float(x) => pyrepr::float_repr(*x),
            Value::Str(s) => pyrepr::str_repr(s),
            Value::Bytes(b) => pyrepr::bytes_repr(b),
            Value::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(Value::repr).collect();
                if items.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            Value::List(items) => {
                let inner: Vec<String> = items.iter().map(Value::repr).collect();
                format!("[{}]", inner.join(", "))
            }
            Value::Enum { class, name, value } => format!("<{class}.{name}: {value}>"),
            Value::Socket(s) => format!(
                "<socket.socket fd={}, family={}, type={}, proto={}>",
                s.fd, s.family, s.socktype, s.proto
            ),
            Value::Module(m) => m.repr(),
            Value::Func(f) => f.repr(),
            Value::Method(owner, name) => match &**owner {
                Value::Socket(_) => {
                    format!("<bound method socket.{name} of {}>", owner.repr())
                }
                other => format!(
                    "<built-in method {name} of {} object at 0x7f0000000000>",
                    other.type_name()
                ),
            },
            Value::ExcClass(name) => format!("<class '{name}'>"),
        }
    }

    /// `str(v)`: the text for str, the repr otherwise (an IntEnum prints its number).
    pub fn str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Enum { value, .. } => value.to_string(),
            other => other.repr(),
        }
    }
}

fn too_big() -> PyErr {
    PyErr::new(
        "socklab.LimitError",
        "the console keeps ints within 128 bits; this one is larger",
    )
}

/// A socket's repr with its addresses, as CPython 3.11 prints it.
pub fn socket_repr(
    s: &SocketObj,
    closed: bool,
    laddr: Option<&str>,
    raddr: Option<&str>,
) -> String {
    if closed {
        return format!(
            "<socket.socket [closed] fd=-1, family={}, type={}, proto={}>",
            s.family, s.socktype, s.proto
        );
    }
    let mut out = format!(
        "<socket.socket fd={}, family={}, type={}, proto={}",
        s.fd, s.family, s.socktype, s.proto
    );
    if let Some(a) = laddr {
        out.push_str(", laddr=");
        out.push_str(a);
    }
    if let Some(a) = raddr {
        out.push_str(", raddr=");
        out.push_str(a);
    }
    out.push('>');
    out
}
