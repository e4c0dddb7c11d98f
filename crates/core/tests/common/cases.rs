//! One golden case through socklab-core: shared by the native tests (`tests/cpython.rs`) and
//! the wasm tests in Chromium (`/tests/web.rs`), so both check the same thing.

use serde_json::{json, Value};
use socklab_core::byteorder::{int_from_bytes, int_to_bytes, swap, Endian, SwapFn};
use socklab_core::pyerror::PyException;
use socklab_core::pyliteral;
use socklab_core::pyliteral::PyValue;
use socklab_core::pyrepr::{bytes_repr, str_repr, str_repr_points, tuple_repr, value_repr};
use socklab_core::pystruct::{pack_int, unpack_int, Abi, IntCode, Layout, Prefix};
use socklab_core::{addr, codec, inet};

/// What socklab-core says for one case, in the oracle's shape.
pub(crate) fn socklab(case: &Value) -> Value {
    match socklab_result(case) {
        Ok(out) => json!({ "out": out }),
        Err(e) => json!({ "err": e.traceback_line() }),
    }
}

/// What socklab-core says for one case: the repr of the result, or the exception with its
/// hint.
pub(crate) fn socklab_result(case: &Value) -> Result<String, PyException> {
    let s = |k: &str| case[k].as_str().unwrap_or_default();
    (|| {
        let arg = || pyliteral::parse(s("arg"));
        let order = || {
            if s("order") == "big" {
                Endian::Big
            } else {
                Endian::Little
            }
        };
        let hex = || pyliteral::parse_bytes_input(s("hex")).expect("vector hex is valid");
        match s("fn") {
            "literal" => value_repr(&arg()?),
            f @ ("htons" | "ntohs" | "htonl" | "ntohl") => {
                let func = SwapFn::from_name(f).expect("known function");
                Ok(swap(func, &arg()?, Endian::Little)?.to_decimal()?)
            }
            "to_bytes" => {
                let n = arg()?.index()?;
                let length = case["length"].as_u64().expect("length") as usize;
                Ok(bytes_repr(&int_to_bytes(
                    &n,
                    length,
                    order(),
                    case["signed"] == json!(true),
                )?))
            }
            "from_bytes" => {
                Ok(int_from_bytes(&hex(), order(), case["signed"] == json!(true)).to_decimal()?)
            }
            "pack" | "unpack" => {
                let (prefix, code) = parse_fmt(s("fmt"));
                if s("fn") == "pack" {
                    Ok(bytes_repr(&pack_int(prefix, code, &arg()?)?))
                } else {
                    Ok(format!(
                        "({},)",
                        unpack_int(prefix, code, &hex())?.to_decimal()?
                    ))
                }
            }
            f if f.starts_with("struct.") => struct_case(case),
            "classify" => {
                let text = s("text");
                let family = if text.contains(':') {
                    inet::Family::Inet6
                } else {
                    inet::Family::Inet
                };
                let c = addr::classify(&inet::inet_pton(family, text)?);
                let b = |x: bool| if x { "True" } else { "False" };
                Ok(format!(
                    "({}, {}, {}, {}, {}, {}, {}, {})",
                    b(c.is_private),
                    b(c.is_global),
                    b(c.is_loopback),
                    b(c.is_link_local),
                    b(c.is_multicast),
                    b(c.is_unspecified),
                    b(c.is_reserved),
                    c.ipv4_mapped.map_or("None".to_owned(), |m| str_repr(&m))
                ))
            }
            "check_tuple" => {
                let family = inet::Family::parse(&case["family"].to_string()).expect("family");
                let items = case["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|a| pyliteral::parse(a.as_str().expect("literal")))
                    .collect::<Result<Vec<_>, _>>()?;
                let caller = if s("caller") == "bind" {
                    addr::Caller::Bind
                } else {
                    addr::Caller::Connect
                };
                addr::check_tuple(family, &items, caller).map(|_| "valid".to_owned())
            }
            "str_literal" => Ok(str_repr_points(&pyliteral::parse_text_input(s("arg"))?)),
            "encode" | "encode_points" | "decode" => {
                let codec = codec::Codec::from_name(s("codec")).expect("codec");
                let errors = codec::Errors::from_name(s("errors")).expect("errors");
                match s("fn") {
                    "encode" => Ok(bytes_repr(&codec::encode(s("text"), codec, errors)?)),
                    "encode_points" => {
                        let points: Vec<u32> = case["points"]
                            .as_array()
                            .expect("points")
                            .iter()
                            .map(|p| u32::try_from(p.as_u64().expect("a code point")).expect("u32"))
                            .collect();
                        Ok(bytes_repr(&codec::encode_points(&points, codec, errors)?))
                    }
                    _ => Ok(str_repr(&codec::decode(&hex(), codec, errors)?)),
                }
            }
            "inet_aton" => Ok(bytes_repr(&inet::inet_aton(s("text"))?)),
            "inet_ntoa" => inet::inet_ntoa(&hex()).map(|t| str_repr(&t)),
            "inet_pton" | "inet_ntop" => {
                let family = case["family"].as_i64().expect("family");
                let family = inet::Family::parse(&family.to_string()).expect("AF_INET or AF_INET6");
                if s("fn") == "inet_pton" {
                    Ok(bytes_repr(&inet::inet_pton(family, s("text"))?))
                } else {
                    inet::inet_ntop(family, &hex()).map(|t| str_repr(&t))
                }
            }
            other => panic!("no socklab function for case fn {other:?}"),
        }
    })()
}

/// The `struct.*` cases: the whole module through [`Layout`].
fn struct_case(case: &Value) -> Result<String, PyException> {
    let s = |k: &str| case[k].as_str().unwrap_or_default();
    let layout = Layout::parse(s("fmt"), Abi::LinuxX86_64)?;
    let hex = || pyliteral::parse_bytes_input(s("hex")).expect("vector hex is valid");
    let args = || -> Result<Vec<PyValue>, PyException> {
        case["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| pyliteral::parse(a.as_str().expect("literal")))
            .collect()
    };
    let offset = || pyliteral::parse(s("offset"));
    match s("fn") {
        "struct.calcsize" => Ok(layout.size.to_string()),
        "struct.pack" => Ok(bytes_repr(&layout.pack(&args()?)?)),
        "struct.unpack" => tuple_repr(&layout.unpack(&hex())?),
        "struct.pack_into" => Ok(bytes_repr(&layout.pack_into(
            &hex(),
            &offset()?,
            &args()?,
        )?)),
        "struct.unpack_from" => tuple_repr(&layout.unpack_from(&hex(), &offset()?)?),
        "struct.iter_unpack" => {
            let rows = layout.iter_unpack(&hex())?;
            let reprs: Result<Vec<String>, PyException> =
                rows.iter().map(|r| tuple_repr(r)).collect();
            Ok(format!("[{}]", reprs?.join(", ")))
        }
        other => panic!("no socklab function for case fn {other:?}"),
    }
}

fn parse_fmt(fmt: &str) -> (Prefix, IntCode) {
    let mut chars = fmt.chars();
    let prefix = match chars.next() {
        Some('@') => Prefix::Native,
        Some('=') => Prefix::NativeStandard,
        Some('<') => Prefix::Little,
        Some('>') => Prefix::Big,
        Some('!') => Prefix::Network,
        other => panic!("vector format without prefix: {other:?}"),
    };
    (
        prefix,
        chars
            .next()
            .and_then(IntCode::from_char)
            .expect("integer code"),
    )
}

pub(crate) fn expected(case: &Value) -> Value {
    match (case.get("out"), case.get("err")) {
        (Some(out), _) => json!({ "out": out }),
        (None, Some(err)) => json!({ "err": err }),
        _ => panic!("case without out or err: {case}"),
    }
}
