//! socklab's browser app: a playground for the reference part of Python socket programming.
//!
//! - [`app`]: the shell (providers, header, navigation) and [`app::App`], the root component.
//! - [`pages`]: one module per topic, each with a plain `state` module (no yew) and its view.
//! - [`components`]: pieces pages share (Python sessions, byte rows).
//! - [`companion`]: the WebSocket link to the native companion.
//! - [`i18n`], [`theme`], [`route`]: language, theme, and the URL.
//! - [`present`]: presenter mode (the `?present=1` flag, arrow keys through examples).
//! - [`qr`]: the page's link as a QR code (an SVG path), for students' phones.
//! - [`reading`]: each page's further reading, the guide's external references.
//!
//! Everything the pages show is computed by `socklab-core`; components only render and dispatch.

pub mod app;
mod browser;
pub mod companion;
pub mod components;
pub mod deferred;
mod fetching;
#[cfg(feature = "evaluator")]
pub mod host;
pub mod i18n;
pub mod pages;
pub mod present;
pub mod qr;
pub mod reading;
pub mod route;
pub mod theme;

/// Mounts the app on `<body>` (the trunk build's entry point).
#[cfg(feature = "csr")]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
