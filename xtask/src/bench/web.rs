//! `cargo xtask bench web`: the app as a learner's browser gets it, from a release
//! `socklab serve` on 127.0.0.1: what a first visit transfers (per asset, as served), how long
//! the first render takes on loopback and on a throttled link (10 Mbit/s, 40 ms), and how long
//! a keystroke takes to reach the DOM on `/struct` with a 64-field format, and the memory a tab
//! holds after visiting every page.
//!
//! The browser half is `web.mjs` (headless Chromium through Playwright, with CDP's
//! `Network.emulateNetworkConditions` for the throttled link); this half builds the app and the
//! companion in release, starts the server, runs the script, and prints the table, also
//! written to `target/bench-web.md`. Sizes are exact; times vary from run to run (medians of
//! `--runs` cold loads, and of `--keystrokes` keystrokes). With `--identity` the browser asks
//! for every file uncompressed, as socklab served them before issue #15: the comparison
//! (`target/bench-web-identity.md`); with `--gzip` it asks as at a plain-http LAN address,
//! where browsers do not ask for brotli: what a classroom's students get
//! (`target/bench-web-gzip.md`).

use crate::{cmd, root};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::fmt::Write as _;
use std::process::Stdio;

/// The aims, printed beside what was measured.
const AIM_LOOPBACK_MS: f64 = 800.0;
const AIM_THROTTLED_MS: f64 = 1000.0;
const AIM_KEYSTROKE_MS: f64 = 4.0;
const BUDGET_BYTES: u64 = 300_000; // tests/e2e/transfer.spec.ts holds the budget enforced

/// The value of `--name N` in `args`, or `default`.
fn flag(args: &[String], name: &str, default: u32) -> Result<u32> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{name} takes a whole number")),
        None => Ok(default),
    }
}

/// Runs the bench: `cargo xtask bench web [--runs 7] [--keystrokes 50] [--no-build]
/// [--identity | --gzip]`.
pub(super) fn run(args: &[String]) -> Result<()> {
    let runs = flag(args, "--runs", 7)?;
    let keystrokes = flag(args, "--keystrokes", 50)?;
    let encoding = ["identity", "gzip"]
        .into_iter()
        .find(|e| args.iter().any(|a| a.strip_prefix("--") == Some(e)));
    if !args.iter().any(|a| a == "--no-build") {
        println!("== building the app (trunk build --release) and the companion (release)");
        crate::serving::build_release()?;
    }
    let server = crate::serving::Companion::start("release")?;
    println!("== measuring in headless Chromium against {}", server.url);
    let out = cmd("node")
        .arg(root().join("xtask/src/bench/web.mjs"))
        .args([&server.url, &runs.to_string(), &keystrokes.to_string()])
        .args(encoding)
        .stderr(Stdio::inherit())
        .output()
        .context("running node xtask/src/bench/web.mjs")?;
    drop(server);
    if !out.status.success() {
        bail!("web.mjs failed ({})", out.status);
    }
    let measured: Value = serde_json::from_slice(&out.stdout).context("reading web.mjs's JSON")?;
    let mut table = report(&measured)?;
    let name = match encoding {
        Some(e) => {
            writeln!(table, "\n(Every file asked for with Accept-Encoding: {e}.)")?;
            format!("target/bench-web-{e}.md")
        }
        None => "target/bench-web.md".to_owned(),
    };
    println!("\n{table}");
    let path = root().join(name);
    std::fs::write(&path, &table).with_context(|| format!("writing {}", path.display()))?;
    println!("(written to {})", path.display());
    Ok(())
}

/// The median of some numbers (the mean of the middle two for an even count).
fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn numbers(v: &Value, field: &str) -> Vec<f64> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|run| run[field].as_f64())
        .collect()
}

fn range(xs: &[f64]) -> String {
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.0}–{max:.0}")
}

/// One first visit's transfer, per asset as served, with what the first page needs summed.
fn transfer_table(t: &mut String, rows: &Value, page: &str) -> Result<()> {
    writeln!(
        t,
        "| asset (first visit to {page}, cold cache) | encoding | bytes as served |"
    )?;
    writeln!(t, "|---|---|---:|")?;
    let mut assets = 0;
    let mut all = 0;
    for r in rows.as_array().context("no transfer")? {
        let bytes = r["bytes"].as_i64().unwrap_or(0);
        if bytes < 0 {
            continue; // a request Chromium cancelled or repeated from its cache
        }
        let path = r["path"].as_str().unwrap_or("?");
        let bytes = bytes.unsigned_abs();
        writeln!(
            t,
            "| `{path}` | {} | {bytes} |",
            r["encoding"].as_str().unwrap_or("?")
        )?;
        all += bytes;
        // What the first page needs: the wasm, JS and CSS, and the catalog index.html preloads.
        if [".wasm", ".js", ".css"].iter().any(|e| path.ends_with(e))
            || path.starts_with("/catalog-")
        {
            assets += bytes;
        }
    }
    writeln!(
        t,
        "| **wasm + JS + CSS + the reader's catalog** (the issue's aim: {BUDGET_BYTES}) | | **{assets}** |"
    )?;
    writeln!(t, "| everything | | {all} |")?;
    Ok(())
}

/// The Markdown tables: transfer per asset, then times against the aims.
fn report(m: &Value) -> Result<String> {
    let mut t = String::new();
    transfer_table(&mut t, &m["transfer"], "`/byte-order`: the lite build")?;
    for r in m["memory"]["fetchedLater"].as_array().into_iter().flatten() {
        writeln!(
            t,
            "| `{}`, fetched when a page needs it | {} | {} |",
            r["path"].as_str().unwrap_or("?"),
            r["encoding"].as_str().unwrap_or("?"),
            r["bytes"]
        )?;
    }
    writeln!(t)?;
    transfer_table(
        &mut t,
        &m["transferConsole"],
        "`/console`: the console build",
    )?;
    writeln!(t)?;
    transfer_table(&mut t, &m["transferLive"], "`/live`: the live build")?;
    let loopback = numbers(&m["loopback"], "h1");
    let throttled = numbers(&m["throttled"], "h1");
    let keys: Vec<f64> = m["keystroke"]["latencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    writeln!(t)?;
    writeln!(t, "| time | median (ms) | range (ms) | runs | aim (ms) |")?;
    writeln!(t, "|---|---:|---:|---:|---:|")?;
    for (what, xs, aim) in [
        ("first render, loopback", &loopback, AIM_LOOPBACK_MS),
        (
            "first render, 10 Mbit/s + 40 ms, cold cache",
            &throttled,
            AIM_THROTTLED_MS,
        ),
    ] {
        writeln!(
            t,
            "| {what} | {:.0} | {} | {} | < {aim:.0} |",
            median(xs.clone()),
            range(xs),
            xs.len()
        )?;
    }
    writeln!(
        t,
        "| keystroke to DOM, `/struct`, 64 fields ({} hex cells) | {:.1} | {:.1}–{:.1} | {} | < {AIM_KEYSTROKE_MS:.0} |",
        m["keystroke"]["cells"],
        median(keys.clone()),
        keys.iter().copied().fold(f64::INFINITY, f64::min),
        keys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        keys.len()
    )?;
    let mem = &m["memory"];
    let mib = |v: &Value| {
        v.as_f64()
            .map_or("?".to_owned(), |b| format!("{:.1}", b / 1_048_576.0))
    };
    writeln!(t)?;
    writeln!(
        t,
        "| memory after visiting every page ({} pages, one tab, after GC) | |",
        mem["pages"]
    )?;
    writeln!(t, "|---|---:|")?;
    writeln!(t, "| JS heap used (MiB) | {} |", mib(&mem["jsHeapUsed"]))?;
    writeln!(
        t,
        "| wasm linear memory (MiB) | {} |",
        mib(&mem["wasmMemory"])
    )?;
    writeln!(t, "| DOM nodes | {} |", mem["nodes"])?;
    writeln!(t, "| JS event listeners | {} |", mem["listeners"])?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![]).is_nan());
    }
}
