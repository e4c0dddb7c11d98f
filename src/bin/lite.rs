//! The lite build's entry point: the same app, built without the feature `console` (see
//! Cargo.toml), so without the console's evaluator. trunk builds it beside the full one.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
