//! `cargo xtask bench`: socklab's struct engine against CPython's `struct`, side by side.
//!
//! Runs the criterion benchmark `crates/core/benches/pystruct.rs`, then
//! `crates/core/benches/cpython_struct.py` (timeit on `struct.Struct(fmt).pack/unpack`) on the
//! same cases, and prints nanoseconds per call for both and the ratio.
//!
//! `cargo xtask bench companion` is the companion's live calls under load against websockify
//! instead: see `companion/mod.rs`. `cargo xtask bench console` times a console line from
//! Enter to its output drawn: see `console.rs`. `cargo xtask bench web` is the app in a
//! browser (transfer size, first render, keystroke to DOM): see `web.rs`.

mod companion;
mod console;
mod web;

use crate::{cmd, root, status};
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// Criterion's mean estimate for a benchmark id, in nanoseconds.
fn criterion_mean(id: &str) -> Result<f64> {
    // Criterion keeps the id `pack/seed_H` in the folder `pack_seed_H`.
    let path = root()
        .join("target/criterion")
        .join(Path::new(&id.replace('/', "_")))
        .join("new/estimates.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value = serde_json::from_str(&text)?;
    v["mean"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no mean in {}", path.display()))
}

/// Runs both benchmarks; with `--report-only`, prints the table from the last criterion run.
pub(crate) fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("companion") => return companion::run(&args[1..]),
        Some("web") => return web::run(&args[1..]),
        _ => {}
    }
    if args.first().map(String::as_str) == Some("console") {
        return console::run(&args[1..]);
    }
    if !args.iter().any(|a| a == "--report-only") {
        println!("== criterion: socklab-core (native, release)");
        status(
            cmd("cargo")
                .args(["bench", "-p", "socklab-core", "--bench", "pystruct"])
                .current_dir(root()),
            "cargo bench",
        )?;
    }
    println!("\n== timeit: CPython's struct.Struct(fmt)");
    let out = cmd("python3")
        .arg(root().join("crates/core/benches/cpython_struct.py"))
        .output()
        .context("running python3")?;
    anyhow::ensure!(
        out.status.success(),
        "cpython_struct.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cpython: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout)?;
    println!(
        "\n{:<24} {:>12} {:>12} {:>9}",
        "case", "socklab ns", "CPython ns", "speed-up"
    );
    for (id, py) in &cpython {
        let py = py.as_f64().unwrap_or(f64::NAN);
        let ours = criterion_mean(id)?;
        println!("{id:<24} {ours:>12.1} {py:>12.1} {:>8.1}×", py / ours);
    }
    println!(
        "\n(calcsize: socklab parses the format each call; CPython answers from its Struct cache.)"
    );
    Ok(())
}
