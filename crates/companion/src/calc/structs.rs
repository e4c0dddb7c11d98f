//! `socklab struct`: the `struct` module on the command line, printing what Python prints.

use super::{bytes_arg, python_result};
use clap::Subcommand;
use socklab_core::pyliteral;
use socklab_core::pyrepr::{bytes_repr, str_repr, tuple_repr};
use socklab_core::pystruct::{Abi, Layout};
use std::process::ExitCode;

/// One `struct` function.
#[derive(Debug, Subcommand)]
pub(crate) enum StructCommand {
    /// struct.calcsize(FMT): prints the size in bytes.
    Calcsize {
        /// The format string, e.g. '>HH4s' (quote it for the shell).
        fmt: String,
    },
    /// struct.pack(FMT, ARG...): prints the repr of the bytes.
    Pack {
        /// The format string.
        fmt: String,
        /// Python literals: 256, -0x10, 1.5, 1e+39, inf, nan, True, b'ab', 'text'.
        #[arg(allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// struct.unpack(FMT, BYTES): prints the repr of the tuple.
    Unpack {
        /// The format string.
        fmt: String,
        /// A Python bytes literal, e.g. b'\x01\x00'.
        bytes: String,
    },
    /// struct.iter_unpack(FMT, BYTES): prints one tuple per line.
    IterUnpack {
        /// The format string.
        fmt: String,
        /// A Python bytes literal.
        bytes: String,
    },
}

/// `pack`'s values take anything, `-1` and `-inf` included, so a `--platform` after them
/// arrives among them: take it out.
fn platform_among(args: &mut Vec<String>) -> Result<Option<Abi>, String> {
    let Some(at) = args
        .iter()
        .position(|a| a == "--platform" || a.starts_with("--platform="))
    else {
        return Ok(None);
    };
    let flag = args.remove(at);
    let name = match flag.strip_prefix("--platform=") {
        Some(name) => name.to_owned(),
        None if at < args.len() => args.remove(at),
        None => return Err("--platform needs a value".to_owned()),
    };
    super::parse_abi(&name).map(Some)
}

/// Runs one `socklab struct` command for the given native ABI.
pub(crate) fn run(command: StructCommand, abi: Abi) -> ExitCode {
    match command {
        StructCommand::Calcsize { fmt } => {
            let call = format!("struct.calcsize({})", str_repr(&fmt));
            python_result(&call, || Ok(Layout::parse(&fmt, abi)?.size.to_string()))
        }
        StructCommand::Pack { fmt, mut args } => {
            let abi = match platform_among(&mut args) {
                Ok(found) => found.unwrap_or(abi),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut shown = vec![str_repr(&fmt)];
            shown.extend(args.iter().cloned());
            let call = format!("struct.pack({})", shown.join(", "));
            python_result(&call, || {
                let layout = Layout::parse(&fmt, abi)?;
                let values = args
                    .iter()
                    .map(|a| pyliteral::parse(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(bytes_repr(&layout.pack(&values)?))
            })
        }
        StructCommand::Unpack { fmt, bytes } => {
            let call = format!("struct.unpack({}, {bytes})", str_repr(&fmt));
            python_result(&call, || {
                let layout = Layout::parse(&fmt, abi)?;
                tuple_repr(&layout.unpack(&bytes_arg(&bytes)?)?)
            })
        }
        StructCommand::IterUnpack { fmt, bytes } => {
            let call = format!("struct.iter_unpack({}, {bytes})", str_repr(&fmt));
            python_result(&call, || {
                let layout = Layout::parse(&fmt, abi)?;
                let rows = layout.iter_unpack(&bytes_arg(&bytes)?)?;
                let lines = rows
                    .iter()
                    .map(|r| tuple_repr(r))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(lines.join("\n"))
            })
        }
    }
}
