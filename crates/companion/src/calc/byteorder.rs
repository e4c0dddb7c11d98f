//! `socklab byteorder`: `socket.htons/htonl/ntohs/ntohl` on this machine, printing what Python
//! prints.

use super::{host_endian, python_result};
use socklab_core::byteorder::{swap, SwapFn};
use socklab_core::pyliteral;
use std::process::ExitCode;

/// `socket.FUNCTION(VALUE)`, VALUE a Python literal.
pub(crate) fn run(function: &str, value: &str) -> ExitCode {
    let func = SwapFn::from_name(function).unwrap_or(SwapFn::Htons);
    let call = format!("socket.{function}({value})");
    python_result(&call, || {
        let arg = pyliteral::parse(value)?;
        swap(func, &arg, host_endian())?.to_decimal()
    })
}
