//! `socklab inet`: inet_aton, inet_ntoa, inet_pton and inet_ntop, printing what Python prints.

use super::{bytes_arg, python_result};
use clap::Subcommand;
use socklab_core::inet::{self, Family};
use socklab_core::pyrepr::{bytes_repr, str_repr};
use std::process::ExitCode;

/// One `socket.inet_*` function.
#[derive(Debug, Subcommand)]
pub(crate) enum InetCommand {
    /// socket.inet_aton(ADDR): glibc's lenient IPv4 parser (127.1, 0x7f.0.0.1, 2130706433 ...).
    Aton {
        /// The address text, e.g. 127.0.0.1.
        addr: String,
    },
    /// socket.inet_ntoa(BYTES): 4 bytes to dotted-quad text.
    Ntoa {
        /// A Python bytes literal, e.g. b'\x7f\x00\x00\x01'.
        bytes: String,
    },
    /// socket.inet_pton(FAMILY, ADDR): the strict parser.
    Pton {
        /// AF_INET or AF_INET6.
        #[arg(value_parser = parse_family)]
        family: Family,
        /// The address text.
        addr: String,
    },
    /// socket.inet_ntop(FAMILY, BYTES): packed bytes to text (IPv6 compressed as Linux does).
    Ntop {
        /// AF_INET or AF_INET6.
        #[arg(value_parser = parse_family)]
        family: Family,
        /// A Python bytes literal.
        bytes: String,
    },
}

fn parse_family(text: &str) -> Result<Family, String> {
    Family::parse(text).ok_or_else(|| format!("unknown family {text:?}; use AF_INET or AF_INET6"))
}

/// Runs one `socklab inet` command.
pub(crate) fn run(command: InetCommand) -> ExitCode {
    match command {
        InetCommand::Aton { addr } => {
            let call = format!("socket.inet_aton({})", str_repr(&addr));
            python_result(&call, || Ok(bytes_repr(&inet::inet_aton(&addr)?)))
        }
        InetCommand::Ntoa { bytes } => {
            let call = format!("socket.inet_ntoa({bytes})");
            python_result(&call, || {
                Ok(str_repr(&inet::inet_ntoa(&bytes_arg(&bytes)?)?))
            })
        }
        InetCommand::Pton { family, addr } => {
            let call = format!(
                "socket.inet_pton(socket.{}, {})",
                family.name(),
                str_repr(&addr)
            );
            python_result(&call, || Ok(bytes_repr(&inet::inet_pton(family, &addr)?)))
        }
        InetCommand::Ntop { family, bytes } => {
            let call = format!("socket.inet_ntop(socket.{}, {bytes})", family.name());
            python_result(&call, || {
                Ok(str_repr(&inet::inet_ntop(family, &bytes_arg(&bytes)?)?))
            })
        }
    }
}
