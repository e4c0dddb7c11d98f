//! The wasm entry point trunk builds: mount the app.

fn main() {
    #[cfg(feature = "csr")]
    socklab_app::start();
}
