//! Name resolution for the page: `getaddrinfo` through the system resolver, reported as
//! Python reports it.

use dns_lookup::AddrInfoHints;
use socklab_core::inet::{inet_ntop, Family};
use socklab_core::protocol::{AddrinfoEntry, AddrinfoOutcome};
use std::net::SocketAddr;

/// glibc's `EAI_NONAME`: what `getaddrinfo(NULL, NULL, ...)` returns.
const EAI_NONAME: i32 = -2;

/// How long a lookup may take before the page is told the companion stopped waiting.
pub(crate) const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How many lookups may wait on the resolver at once, in the whole server: each holds a
/// blocking thread until the resolver answers, even after its caller stopped waiting. Without a
/// bound, sessions asking a resolver that never answers would pile up threads until the runtime's
/// blocking pool (which also reads the static files) was full.
pub(crate) const MAX_LOOKUPS: usize = 32;

/// The server-wide count of [`MAX_LOOKUPS`]: one process serves one socklab.
static LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);

/// Why a lookup did not run or did not finish: a limit of the companion's, in English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unanswered {
    /// [`MAX_LOOKUPS`] are already waiting on the resolver.
    Busy(String),
    /// The resolver took longer than [`LOOKUP_TIMEOUT`], or the lookup failed inside.
    Late(String),
}

/// Runs a resolver function on a blocking thread, within the server-wide [`MAX_LOOKUPS`] (the
/// thread holds its place until the resolver returns), and waits for it at most
/// [`LOOKUP_TIMEOUT`]. Every lookup of the companion goes through here: `getaddrinfo` for the
/// page, the names in `connect`/`bind`/`sendto` addresses, and `getnameinfo`.
pub(crate) async fn lookup_bounded<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Unanswered> {
    let Ok(place) = LOOKUPS.try_acquire() else {
        return Err(Unanswered::Busy(format!(
            "the companion is already waiting on the resolver for {MAX_LOOKUPS} lookups (its \
             limit for all sessions together); try again when some are answered"
        )));
    };
    let blocking = tokio::task::spawn_blocking(move || {
        let _place = place; // held until the resolver returns, however long after the caller left
        f()
    });
    match tokio::time::timeout(LOOKUP_TIMEOUT, blocking).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(Unanswered::Late(
            "the lookup failed inside the companion".to_owned(),
        )),
        Err(_) => Err(Unanswered::Late(timed_out())),
    }
}

/// [`getaddrinfo`] through [`lookup_bounded`] (a limit is a `limit` outcome, never disguised as
/// a gaierror).
pub(crate) async fn getaddrinfo_bounded(
    host: Option<String>,
    port: Option<String>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> AddrinfoOutcome {
    let answer = lookup_bounded(move || {
        getaddrinfo(
            host.as_deref(),
            port.as_deref(),
            family,
            socktype,
            proto,
            flags,
        )
    })
    .await;
    match answer {
        Ok(outcome) => outcome,
        Err(Unanswered::Busy(message) | Unanswered::Late(message)) => {
            AddrinfoOutcome::Limit { message }
        }
    }
}

/// What the page is told when the resolver took longer than [`LOOKUP_TIMEOUT`].
pub(crate) fn timed_out() -> String {
    format!(
        "the resolver did not answer within {} s; the companion stopped waiting",
        LOOKUP_TIMEOUT.as_secs()
    )
}

/// A resolver error as `socket.gaierror` shows it: its number and glibc's text.
pub(crate) fn gai_error(e: dns_lookup::LookupError) -> (i32, String) {
    let errno = e.error_num();
    let text = std::io::Error::from(e).to_string();
    let message = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text)
        .to_owned();
    (errno, message)
}

/// One `socket.getaddrinfo(host, port, family, type, proto, flags)`. Blocking: call it from a
/// blocking thread.
pub(crate) fn getaddrinfo(
    host: Option<&str>,
    port: Option<&str>,
    family: i32,
    socktype: i32,
    proto: i32,
    flags: i32,
) -> AddrinfoOutcome {
    if host.is_none() && port.is_none() {
        return gai(EAI_NONAME, "Name or service not known".to_owned());
    }
    let hints = AddrInfoHints {
        flags,
        address: family,
        socktype,
        protocol: proto,
    };
    let entries = match dns_lookup::getaddrinfo(host, port, Some(hints)) {
        Ok(iter) => iter,
        Err(e) => {
            let (errno, message) = gai_error(e);
            return gai(errno, message);
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let Ok(info) = entry else { continue };
        let (address, port, flowinfo, scope_id) = match info.sockaddr {
            SocketAddr::V4(a) => (a.ip().to_string(), a.port(), 0, 0),
            // Printed by glibc's inet_ntop, as Python prints it (Rust's Display differs on
            // IPv4-compatible addresses).
            SocketAddr::V6(a) => (
                inet_ntop(Family::Inet6, &a.ip().octets()).unwrap_or_default(),
                a.port(),
                a.flowinfo(),
                a.scope_id(),
            ),
        };
        out.push(AddrinfoEntry {
            family: info.address,
            socktype: info.socktype,
            proto: info.protocol,
            canonname: info.canonname.unwrap_or_default(),
            address,
            port,
            flowinfo,
            scope_id,
        });
    }
    AddrinfoOutcome::Ok { entries: out }
}

fn gai(errno: i32, message: String) -> AddrinfoOutcome {
    AddrinfoOutcome::Gaierror { errno, message }
}
