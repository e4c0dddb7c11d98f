//! `socklab serve`: binds 127.0.0.1 (and [::1], and in classroom mode the LAN addresses),
//! prints the URLs and what live calls may reach, sets up logging, and runs the [`Server`]
//! until Ctrl-C.
//!
//! In classroom mode it prints the teacher's link first (loopback, the teacher's token; it works
//! on this machine only), then the students' links (the LAN addresses, the students' token), then
//! each students' link as a QR code to project.

use super::{Config, Server};
use crate::gate::{Gate, Token};

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

/// Runs `socklab serve` with these flags until Ctrl-C.
pub(crate) fn run(
    port: u16,
    config: Config,
    allow_origins: &[String],
    lan: bool,
) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            // RUST_LOG=debug shows every call; the default logs sessions and refusals.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .or_else(|_| tracing_subscriber::EnvFilter::try_from_env("SOCKLAB_LOG"))
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
        let token = match Token::from_env().map_err(|e| anyhow::anyhow!(e))? {
            Some(token) => token,
            None => Token::generate()?,
        };
        // Classroom mode: the teacher gets a token of their own, an independent random draw.
        let teacher = if lan { Some(Token::generate()?) } else { None };
        let url = format!(
            "http://127.0.0.1:{port}/?token={}",
            teacher.as_ref().unwrap_or(&token).as_str()
        );
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
        let mut lan_urls: Vec<String> = lan_ips
            .iter()
            .map(|ip| format!("http://{ip}:{port}/?token={}", token.as_str()))
            .collect();
        if lan && lan_urls.is_empty() {
            // No LAN: the students' link on this machine, to try the class out on one machine.
            lan_urls.push(format!("http://127.0.0.1:{port}/?token={}", token.as_str()));
        }
        let mut config = config;
        if lan {
            config.policy = std::sync::Arc::new(socklab_core::fence::Policy {
                lan: lan_ips.clone(),
                local: local_addresses(),
                ..(*config.policy).clone()
            });
        }
        let mut gate = Gate::new(token, port, allow_origins)
            .with_localhost(port, localhost)
            .with_lan(port, &lan_ips);
        if let Some(teacher) = teacher {
            gate = gate.with_teacher(teacher).map_err(|e| anyhow::anyhow!(e))?;
        }
        let server = Server::new(gate, config);
        // The URL is the first line on stdout, so scripts can read it; classroom URLs follow.
        println!("{url}");
        for u in &lan_urls {
            println!("{u}");
        }
        if lan {
            let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
            for u in &lan_urls {
                println!();
                match super::qr::render(u, colour) {
                    Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
                    Err(_) => println!("(too long for a QR code)"),
                }
                println!("{u}");
            }
        }
        if lan && lan_ips.is_empty() {
            eprintln!("--lan: this machine has no LAN address that is up; serving on loopback only (the students' link above works on this machine)");
        }
        if lan {
            eprintln!("classroom mode: the first URL is the teacher's, for this machine only (its page can show the class a link); students open a LAN URL or scan its QR code (each gets their own sockets)");
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
