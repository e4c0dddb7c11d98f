//! The lite build's entry point: the same app, built with the feature `lite` only (see
//! Cargo.toml), so with the calculators and references but without the evaluator. trunk builds
//! it beside the console and live builds.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
