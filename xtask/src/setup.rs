//! `cargo xtask setup`: every tool socklab needs, at the version pinned in one place each.
//!
//! - Rust crates: `Cargo.lock` (wasm-bindgen's version decides wasm-bindgen-cli's);
//! - trunk: [`TRUNK_VERSION`] (0.21.14, the newest that builds with rustc 1.95);
//! - npm pieces (wasm-opt from binaryen, Playwright): `package.json` + `package-lock.json`;
//! - Chromium, ChromeDriver and a CJK font: Debian's packages.
//!
//! Each step first checks what is installed and skips itself when the version is right, so
//! a second run takes seconds. Nothing is downloaded from outside the package registries.

use crate::{cmd, root, status};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The trunk release that builds with the machines' rustc 1.95.
const TRUNK_VERSION: &str = "0.21.14";
/// Debian packages for the browser tests; the font makes Chinese text render in screenshots;
/// `xz` makes the LZMA streams `unlzma.spec.ts` decodes.
const DEBIAN_PACKAGES: [&str; 4] = ["chromium", "chromium-driver", "fonts-noto-cjk", "xz-utils"];

/// What setup found or installed, for the caller's messages.
#[derive(Debug, Default)]
pub(crate) struct Tools {
    /// Chromium and ChromeDriver are there (the browser suites can run).
    pub(crate) browser: bool,
}

/// Runs every step.
pub(crate) fn run() -> Result<Tools> {
    let started = Instant::now();
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    npm()?;
    let browser = debian_packages()?;
    println!("xtask setup: done in {:.0?}", started.elapsed());
    Ok(Tools { browser })
}

/// The first line a tool prints for `--version`, if it runs at all.
fn version_of(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program).args(args).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output();
    if installed
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
    {
        println!("xtask setup: wasm32-unknown-unknown target ✓");
        return Ok(());
    }
    println!("xtask setup: adding the wasm32-unknown-unknown target (a few seconds)");
    status(
        Command::new("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"])
            .current_dir(root()),
        "rustup target add",
    )
}

fn trunk() -> Result<()> {
    let want = format!("trunk {TRUNK_VERSION}");
    if version_of("trunk", &["--version"]).as_deref() == Some(want.as_str()) {
        println!("xtask setup: {want} ✓");
        return Ok(());
    }
    println!("xtask setup: installing {want} from crates.io. This compiles trunk: about 10 minutes on 2 cores.");
    let t = Instant::now();
    status(
        cmd("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
        "cargo install trunk",
    )?;
    println!("xtask setup: {want} installed in {:.0?}", t.elapsed());
    Ok(())
}

/// The wasm-bindgen version Cargo.lock resolved, which the CLI must match exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock names no wasm-bindgen")
}

fn wasm_bindgen() -> Result<()> {
    let version = locked_wasm_bindgen()?;
    let want = format!("wasm-bindgen {version}");
    let have_cli = version_of("wasm-bindgen", &["--version"]).as_deref() == Some(want.as_str());
    let have_runner = version_of("wasm-bindgen-test-runner", &["--version"])
        .is_some_and(|v| v.ends_with(&version));
    if have_cli && have_runner {
        println!("xtask setup: {want} (and its test runner) ✓");
        return Ok(());
    }
    println!("xtask setup: installing wasm-bindgen-cli {version} (matches Cargo.lock). This compiles it: about 3 minutes.");
    let t = Instant::now();
    // No --locked: the CLI's own lock file names a webpki-roots version the registry lacks.
    status(
        cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]),
        "cargo install wasm-bindgen-cli",
    )?;
    println!(
        "xtask setup: wasm-bindgen-cli installed in {:.0?}",
        t.elapsed()
    );
    Ok(())
}

/// The version an installed npm package reports in its package.json.
fn npm_installed_version(package: &str) -> Option<String> {
    let text = std::fs::read_to_string(
        root()
            .join("node_modules")
            .join(package)
            .join("package.json"),
    )
    .ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(manifest["version"].as_str()?.to_owned())
}

fn npm() -> Result<()> {
    let lock = std::fs::read_to_string(root().join("package-lock.json"))
        .context("reading package-lock.json")?;
    let wanted = |package: &str| lock_version(&lock, package);
    // Every package package.json names, at the version the lock pins: a package added since
    // the last `npm ci` (a new test's decoder, say) makes setup install again.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("package.json")).context("reading package.json")?,
    )
    .context("parsing package.json")?;
    let packages: Vec<String> = manifest["devDependencies"]
        .as_object()
        .map(|deps| deps.keys().cloned().collect())
        .unwrap_or_default();
    let ok = !packages.is_empty()
        && packages
            .iter()
            .all(|p| wanted(p).is_some() && npm_installed_version(p) == wanted(p));
    let bins = ["wasm-opt", "esbuild"].map(|b| root().join("node_modules/.bin").join(b));
    if ok && bins.iter().all(|b| b.exists()) {
        println!(
            "xtask setup: npm packages as locked ({}) ✓",
            packages.join(", ")
        );
        return Ok(());
    }
    if version_of("npm", &["--version"]).is_none() {
        bail!("npm is not installed: install Node.js 20 and npm (Debian: apt-get install nodejs npm), then rerun");
    }
    println!("xtask setup: npm ci (binaryen's wasm-opt, esbuild, Playwright; no browser download)");
    status(
        cmd("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        "npm ci",
    )
}

/// The version package-lock.json pins for a top-level package (lockfile v2/v3: `packages`,
/// keyed by `node_modules/NAME`).
fn lock_version(lock: &str, package: &str) -> Option<String> {
    let lock: serde_json::Value = serde_json::from_str(lock).ok()?;
    let entry = &lock["packages"][format!("node_modules/{package}")];
    Some(entry["version"].as_str()?.to_owned())
}

fn debian_packages() -> Result<bool> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    let browser =
        || Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if missing.is_empty() {
        println!("xtask setup: {} ✓", DEBIAN_PACKAGES.join(", "));
        return Ok(true);
    }
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root_user || Command::new("apt-get").arg("--version").output().is_err() {
        println!(
            "xtask setup: missing Debian packages {missing:?}. Install them with\n    sudo apt-get install -y {}\n\
             (the browser tests need chromium and chromium-driver; the font makes Chinese readable in screenshots)",
            missing.join(" ")
        );
        return Ok(browser());
    }
    println!(
        "xtask setup: apt-get install {} (a minute or two)",
        missing.join(" ")
    );
    status(
        Command::new("apt-get").args(["update", "-qq"]),
        "apt-get update",
    )?;
    status(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "apt-get install",
    )?;
    Ok(browser())
}
