//! The live build's entry point: the same app, built with the feature `live` only (see
//! Cargo.toml), so with the live lessons and the evaluator. trunk builds it beside the lite and
//! console builds.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
