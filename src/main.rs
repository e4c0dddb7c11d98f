//! The console build's entry point (trunk builds it with the feature `console` only, see
//! Cargo.toml and index.html): mount the app.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
