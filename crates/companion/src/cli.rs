//! The `socklab` command line: `serve`, and calculators that print what Python prints.
//!
//! Every calculator prints `repr(result)` on stdout. On error it exits 1 and ends stderr with
//! the exact last line of the traceback CPython would print, so scripts can diff the two.

use crate::gate::{Gate, Token};
use crate::serve::{Config, Server};
use clap::{Parser, Subcommand};
use socklab_core::byteorder::{swap, Endian, SwapFn};
use socklab_core::pyerror::PyException;
use socklab_core::pyliteral;
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
    Errno(crate::errno_cmd::ErrnoArgs),
    /// socket.getaddrinfo via the system resolver: `socklab getaddrinfo localhost 80` prints its list.
    Getaddrinfo(crate::getaddrinfo_cmd::GetaddrinfoArgs),
    /// Address conversions: `socklab inet pton AF_INET 127.1` fails as Python does.
    Inet {
        #[command(subcommand)]
        function: crate::inet_cmd::InetCommand,
    },
    /// The struct module: `socklab struct pack '>H' 256` prints b'\x01\x00'.
    Struct {
        /// The native (`@`) ABI: linux-x86_64 (what python3 here uses), windows-x64,
        /// linux-i386, linux-aarch64 or macos-arm64.
        #[arg(long, global = true, default_value = "linux-x86_64", value_parser = parse_abi)]
        platform: Abi,
        #[command(subcommand)]
        function: crate::struct_cmd::StructCommand,
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
            match serve(port, config, &allow_origins, lan) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("socklab: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Struct { platform, function } => crate::struct_cmd::run(function, platform),
        Command::Inet { function } => crate::inet_cmd::run(function),
        Command::Errno(args) => crate::errno_cmd::run(&args),
        Command::Getaddrinfo(args) => crate::getaddrinfo_cmd::run(&args),
        Command::Byteorder { function, value } => {
            let func = SwapFn::from_name(&function).unwrap_or(SwapFn::Htons);
            let call = format!("socket.{function}({value})");
            python_result(&call, || {
                let arg = pyliteral::parse(&value)?;
                swap(func, &arg, host_endian())?.to_decimal()
            })
        }
    }
}

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
fn host_endian() -> Endian {
    if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    }
}

/// A bytes argument typed as a Python literal, or the TypeError Python raises for anything else.
pub(crate) fn bytes_arg(text: &str) -> Result<Vec<u8>, PyException> {
    match pyliteral::parse(text)? {
        pyliteral::PyValue::Bytes(b) => Ok(b),
        other => Err(PyException::new(
            socklab_core::pyerror::PyExcClass::TypeError,
            format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ),
        )),
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

/// Every address of this machine's interfaces, up or not: in classroom mode a student's target
/// at any of them is this machine (fence rule 7).
fn local_addresses() -> Vec<std::net::IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut out: Vec<std::net::IpAddr> = addrs
        .filter_map(|a| {
            let a = a.address?;
            a.as_sockaddr_in()
                .map(|s| std::net::IpAddr::V4(s.ip()))
                .or_else(|| a.as_sockaddr_in6().map(|s| std::net::IpAddr::V6(s.ip())))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// This machine's IPv4 addresses that are up and neither loopback nor link-local.
fn lan_addresses() -> Vec<std::net::IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut out: Vec<std::net::IpAddr> = addrs
        .filter(|a| a.flags.contains(nix::net::if_::InterfaceFlags::IFF_UP))
        .filter_map(|a| {
            a.address?
                .as_sockaddr_in()
                .map(|s| std::net::IpAddr::V4(s.ip()))
        })
        .filter(|ip| {
            !ip.is_loopback() && !matches!(ip, std::net::IpAddr::V4(v4) if v4.is_link_local())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn serve(port: u16, config: Config, allow_origins: &[String], lan: bool) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SOCKLAB_LOG")
                .unwrap_or_else(|_| "socklab=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e} (is another socklab running? try --port 0)"))?;
        let port = listener.local_addr()?.port();
        let token = Token::generate()?;
        let url = format!("http://127.0.0.1:{port}/?token={}", token.as_str());
        let dist = config.dist.clone();
        let lan_ips = if lan { lan_addresses() } else { Vec::new() };
        let mut listeners = vec![listener];
        // `localhost` is ::1 as well as 127.0.0.1, and the browser may pick either: serve it
        // only if [::1] on this port is ours too, or another program there would receive it.
        let localhost = match tokio::net::TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port)).await {
            Ok(l) => {
                listeners.push(l);
                true
            }
            Err(e) => {
                eprintln!("note: cannot listen on [::1]:{port} ({e}), so pages at http://localhost:{port} are refused; use the 127.0.0.1 URL");
                false
            }
        };
        for ip in &lan_ips {
            let l = tokio::net::TcpListener::bind((*ip, port))
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {ip}:{port} for --lan: {e}"))?;
            listeners.push(l);
        }
        let lan_urls: Vec<String> = lan_ips
            .iter()
            .map(|ip| format!("http://{ip}:{port}/?token={}", token.as_str()))
            .collect();
        let mut config = config;
        if lan {
            config.policy = std::sync::Arc::new(socklab_core::fence::Policy {
                lan: lan_ips.clone(),
                local: local_addresses(),
                ..(*config.policy).clone()
            });
        }
        let gate = Gate::new(token, port, allow_origins)
            .with_localhost(port, localhost)
            .with_lan(port, &lan_ips);
        let server = Server::new(gate, config);
        // The URL is the first line on stdout, so scripts can read it; classroom URLs follow.
        println!("{url}");
        for u in &lan_urls {
            println!("{u}");
        }
        if lan && lan_urls.is_empty() {
            eprintln!("--lan: this machine has no LAN address that is up; serving on loopback only");
        } else if lan {
            eprintln!("classroom mode: students open one of the LAN URLs above (each gets their own sockets)");
        }
        eprintln!("socklab {} serving {} and its companion on 127.0.0.1:{port}", env!("CARGO_PKG_VERSION"), dist.display());
        if !dist.join("index.html").exists() {
            eprintln!("note: {} has no index.html; build the app with `cargo xtask run`", dist.display());
        }
        eprintln!("{}", server.shared().reach());
        eprintln!("open the URL above in your browser; Ctrl-C stops");
        server
            .run_on(listeners, async {
                let _ = tokio::signal::ctrl_c().await;
                eprintln!("\nsocklab: shutting down");
            })
            .await
    });
    // Dropping the runtime would wait for every blocking thread, and a getaddrinfo stuck on one
    // waits out the resolver's timeouts (up to ~30 s). Give them a moment, then leave them to
    // the process's exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    served
}
