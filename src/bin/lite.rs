//! The lite build's entry point: the same app, built without the feature `full` (see
//! Cargo.toml), so without the console and the live lessons. trunk builds it beside the full one.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
