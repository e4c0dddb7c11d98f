//! The socklab companion: serves the app and runs real socket calls for it, on loopback.
//!
//! - [`cli`]: the `socklab` command line (`serve`, and Python-exact calculators).
//! - [`serve`]: the HTTP server, static files and the `/ws` endpoint.
//! - [`gate`]: who may open a WebSocket session (token, Host, Origin).
//! - `session`: one session's message loop.
#![warn(missing_docs)]

mod calc;
pub mod cli;
#[cfg(feature = "testing")]
pub mod fault;
pub mod gate;
mod live;
mod resolve;
pub mod serve;
mod session;
mod state;
