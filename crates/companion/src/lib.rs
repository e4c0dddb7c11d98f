//! The socklab companion: serves the app and runs real socket calls for it, on loopback.
//!
//! - [`cli`]: the `socklab` command line, parsing and dispatch;
//! - `calc`: the Python-exact calculators (`struct`, `inet`, `byteorder`, `errno`, `getaddrinfo`);
//! - [`serve`]: the HTTP server, its bounded connections, static files, the `/ws` endpoint, and
//!   `socklab serve` itself;
//! - `classroom` (`--lan`): who is in the class, and the links the teacher shows it;
//! - `state`: the configuration, counters and places every layer shares;
//! - [`gate`]: who may open a WebSocket session (token, Host, Origin);
//! - `session`: one session's message loop;
//! - `live`: the session's real sockets, demo peers, events and scenarios;
//! - `resolve`: the system resolver, bounded;
//! - `fault` (the `testing` feature only): fault injection for the companion's tests.
#![warn(missing_docs)]

mod calc;
mod classroom;
pub mod cli;
#[cfg(feature = "testing")]
pub mod fault;
pub mod gate;
mod live;
mod resolve;
pub mod serve;
mod session;
mod state;
