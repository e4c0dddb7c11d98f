//! The `socklab` command line: parsing and dispatch only. `serve` runs [`crate::serve::command`];
//! the calculators, which print what Python prints, are [`crate::calc`].
//!
//! Every calculator prints `repr(result)` on stdout. On error it exits 1 and ends stderr with
//! the exact last line of the traceback CPython would print, so scripts can diff the two.

use crate::calc::{self, parse_abi};
use crate::serve::Config;
use clap::{Parser, Subcommand};
use socklab_core::pystruct::Abi;
use std::path::PathBuf;
use std::process::ExitCode;

/// socklab: learn how sockets really work.
#[derive(Debug, Parser)]
#[command(name = "socklab", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app and the companion's WebSocket on 127.0.0.1, and print the URL to open.
    Serve {
        /// Port to listen on; 0 picks a free one (the printed URL shows which).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// The folder `trunk build` wrote.
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// Also accept pages from this origin (exactly, e.g. http://127.0.0.1:8080 for trunk serve).
        #[arg(long = "allow-origin", value_name = "ORIGIN")]
        allow_origins: Vec<String>,
        /// The largest WebSocket message accepted, in bytes.
        #[arg(long, default_value_t = 64 * 1024)]
        max_message_bytes: usize,
        /// Classroom mode: listen on this machine's LAN addresses too and print their URLs,
        /// so students' browsers can connect. Each student's sockets stay theirs; a student
        /// reaches only their own sockets and demo peers on this machine (plus --lan-allow
        /// ports), and bind may also use the LAN addresses.
        #[arg(long)]
        lan: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// socket.htons/htonl/ntohs/ntohl on this machine: `socklab byteorder htons 256` prints 1.
    Byteorder {
        /// htons, htonl, ntohs or ntohl.
        #[arg(value_parser = ["htons", "htonl", "ntohs", "ntohl"])]
        function: String,
        /// A Python literal: 256, 0x100, -1, True, 1.5, 'text' ...
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// The error catalog: `socklab errno 111` prints what Python prints, then what it means.
    Errno(calc::errno::ErrnoArgs),
    /// socket.getaddrinfo via the system resolver: `socklab getaddrinfo localhost 80` prints its list.
    Getaddrinfo(calc::getaddrinfo::GetaddrinfoArgs),
    /// Address conversions: `socklab inet pton AF_INET 127.1` fails as Python does.
    Inet {
        #[command(subcommand)]
        function: calc::inet::InetCommand,
    },
    /// The struct module: `socklab struct pack '>H' 256` prints b'\x01\x00'.
    Struct {
        /// The native (`@`) ABI: linux-x86_64 (what python3 here uses), windows-x64,
        /// linux-i386, linux-aarch64 or macos-arm64.
        #[arg(long, global = true, default_value = "linux-x86_64", value_parser = parse_abi)]
        platform: Abi,
        #[command(subcommand)]
        function: calc::structs::StructCommand,
    },
}

/// Where live calls may go, and how much a session may do: each a flag with a sane default.
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// Also let sessions connect/sendto this network (repeatable), e.g. 10.0.0.0/8 or
    /// 192.168.1.7. Loopback is always allowed; link-local and cloud-metadata addresses only
    /// when named exactly (169.254.169.254/32).
    #[arg(long = "allow", value_name = "CIDR")]
    allow: Vec<socklab_core::fence::Cidr>,
    /// Classroom mode: let students' sessions reach this port on this machine (repeatable).
    /// Without it a student reaches only their own sockets and demo peers here, never the
    /// services of the machine that serves the class.
    #[arg(long = "lan-allow", value_name = "PORT")]
    lan_allow: Vec<u16>,
    /// How many sessions (browser tabs) may be open at once.
    #[arg(long, default_value_t = 64)]
    max_sessions: usize,
    /// How many sockets one session may have open at once.
    #[arg(long, default_value_t = 32)]
    max_sockets: usize,
    /// The most one recv(n)/recvfrom(n) may return, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_recv_bytes: usize,
    /// The largest SO_RCVBUF/SO_SNDBUF a session may set, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_socket_buffer: usize,
    /// How long a blocking call may wait before the companion stops it, in seconds.
    #[arg(long, default_value_t = 60.0)]
    max_block: f64,
    /// Requests per second one session may make (also the burst it may make at once).
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// Close a session after this many seconds without a request.
    #[arg(long, default_value_t = 30 * 60)]
    idle_timeout: u64,
    /// Close a session after this many seconds, whatever it does.
    #[arg(long, default_value_t = 8 * 60 * 60)]
    session_lifetime: u64,
}

impl LimitArgs {
    fn apply(self, config: Config) -> Config {
        let max_block_ms = (self.max_block.max(0.0) * 1000.0).min(u64::MAX as f64) as u64;
        Config {
            max_sessions: self.max_sessions,
            policy: std::sync::Arc::new(socklab_core::fence::Policy {
                allow: self.allow,
                lan_allow: self.lan_allow,
                ..socklab_core::fence::Policy::default()
            }),
            limits: socklab_core::protocol::SessionLimits {
                max_sockets: self.max_sockets,
                max_recv_bytes: self.max_recv_bytes,
                max_block_ms,
                requests_per_second: self.rate,
                idle_secs: self.idle_timeout,
                lifetime_secs: self.session_lifetime,
            },
            max_socket_buffer: self.max_socket_buffer,
            ..config
        }
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            port,
            dist,
            allow_origins,
            max_message_bytes,
            lan,
            limits,
        } => {
            let config = limits.apply(Config {
                dist,
                max_message_bytes,
                ..Config::default()
            });
            match crate::serve::command::run(port, config, &allow_origins, lan) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("socklab: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Struct { platform, function } => calc::structs::run(function, platform),
        Command::Inet { function } => calc::inet::run(function),
        Command::Errno(args) => calc::errno::run(&args),
        Command::Getaddrinfo(args) => calc::getaddrinfo::run(&args),
        Command::Byteorder { function, value } => calc::byteorder::run(&function, &value),
    }
}
