//! `cargo xtask bench console`: one console line that makes one companion call, from Enter to
//! its output drawn, in headless Chromium against a release `socklab serve` on loopback.
//!
//! Builds the app (`trunk build --release`) and the companion (release), starts the companion,
//! and runs `tests/bench/console_line.mjs`, which types `s.getsockname()` into a pane N times and
//! times each from Enter's keydown to the mutation that puts `('0.0.0.0', 0)` into the
//! transcript, one line every 300 ms or so (as a person types; the URL is written 250 ms after a
//! line, outside its time). Prints p50, p90 and p99; `--lines N` (default 300) and `--no-build`
//! change it.

use crate::{cmd, root};
use anyhow::{bail, Context, Result};

/// Runs the benchmark.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut lines = 300_u32;
    let mut build = true;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--lines" => {
                lines = rest
                    .next()
                    .context("--lines needs a number")?
                    .parse()
                    .context("--lines needs a number, such as 300")?;
            }
            "--no-build" => build = false,
            other => bail!("bench console: unknown option {other:?} (try --lines 300, --no-build)"),
        }
    }
    crate::setup::run()?;
    if build {
        crate::serving::build_release()?;
    }
    let companion = crate::serving::Companion::start("release")?;
    let out = cmd("node")
        .arg(root().join("tests/bench/console_line.mjs"))
        .arg(&companion.url)
        .arg(lines.to_string())
        .env("NODE_PATH", root().join("node_modules"))
        .output()
        .context("running node");
    drop(companion);
    let out = out?;
    if !out.status.success() {
        bail!(
            "console_line.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let ms = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "console line with one companion call, Enter to output drawn ({} lines):",
        v["samples"]
    );
    println!(
        "  p50 {:.1} ms   p90 {:.1} ms   p99 {:.1} ms   min {:.1} ms",
        ms("p50"),
        ms("p90"),
        ms("p99"),
        ms("min")
    );
    Ok(())
}
