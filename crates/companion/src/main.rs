//! `socklab`: the companion server and command line. See the library for everything.

fn main() -> std::process::ExitCode {
    socklab_companion::cli::main()
}
