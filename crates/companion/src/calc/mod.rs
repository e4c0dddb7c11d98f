//! The calculators of the `socklab` command line (`struct`, `inet`, `byteorder`, `errno`,
//! `getaddrinfo`): each prints `repr(result)` on stdout, or exits 1 with the exact last line of
//! the traceback CPython would print, so scripts can diff the two. This file holds what they
//! share (printing like Python, the traceback, the `--platform` ABI); it names none of them.

pub(crate) mod byteorder;
pub(crate) mod errno;
pub(crate) mod getaddrinfo;
pub(crate) mod inet;
pub(crate) mod structs;

use socklab_core::byteorder::Endian;
use socklab_core::pyerror::PyException;
use socklab_core::pystruct::Abi;
use std::process::ExitCode;

/// A bytes argument typed as a Python literal, or the TypeError Python raises for anything else.
pub(crate) use socklab_core::pyliteral::bytes_arg;

pub(crate) fn parse_abi(name: &str) -> Result<Abi, String> {
    Abi::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Abi::ALL.iter().map(|a| a.name()).collect();
        format!(
            "unknown platform {name:?}; choose one of: {}",
            names.join(", ")
        )
    })
}

/// The byte order of the machine running this, which is the one Python here would use.
pub(crate) fn host_endian() -> Endian {
    if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    }
}

/// Prints a result as Python would: the repr on stdout, or a traceback on stderr and exit 1.
pub(crate) fn python_result(
    call: &str,
    f: impl FnOnce() -> Result<String, PyException>,
) -> ExitCode {
    match f() {
        Ok(repr) => {
            println!("{repr}");
            ExitCode::SUCCESS
        }
        Err(e) => traceback(call, &e.traceback_line()),
    }
}

/// Prints the traceback Python prints for `call` raising, ending with `last_line`, and fails.
pub(crate) fn traceback(call: &str, last_line: &str) -> ExitCode {
    eprintln!("Traceback (most recent call last):");
    eprintln!("  File \"<socklab>\", line 1, in <module>");
    eprintln!("    {call}");
    eprintln!("{last_line}");
    ExitCode::FAILURE
}
