//! `cargo xtask`: socklab's workflow in Rust, needing nothing but cargo to start.
//!
//! - `setup`: installs every tool at its pinned version (skips what is there already);
//! - `run`:   setup, build the app, serve it with the companion (the README's first command);
//! - `dev`:   the companion plus `trunk serve` with live reload;
//! - `test`:  setup, then every check and test suite, ending with one summary line (the
//!   README's second command, and what `.ci/run` runs);
//! - `deferred`: writes the data the app fetches when a page needs it (trunk's post-build hook);
//! - `bench`: the struct engine against CPython's `struct`, side by side; `bench companion`:
//!   the companion's live calls under load against websockify; `bench web`: the app in
//!   headless Chromium (transfer size, first render, keystroke to DOM).

mod bench;
mod css;
#[cfg(test)]
mod layout;
mod lzma;
mod serving;
mod setup;
mod test;

use anyhow::{bail, Context, Result};
use socklab_core::builds::Build;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <setup|run|dev|test|bench>
  setup   install the pinned toolchain pieces (idempotent)
  run     setup, build the app, and serve it: open the URL it prints
  dev     companion + `trunk serve` with live reload, for working on the UI
  test    setup, fmt, clippy, native tests, wasm tests in Chromium, end-to-end tests
  deferred [DIR]   write the data the app fetches later into DIR
  post-build       trunk's post-build hook (in TRUNK_STAGING_DIR): `deferred`, then name the
                   lite build by its hash, write each build's wasm in LZMA with its decoder,
                   write both builds' names into index.html, and minify the stylesheet
  bench   the struct engine against CPython's struct, per call, side by side
  bench companion   live calls through the companion under load, against websockify
  bench console     a console line from Enter to its output drawn, in Chromium
  bench web         transfer size, first render (loopback, 10 Mbit/s + 40 ms), keystroke to DOM";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run().map(|_| ()),
        Some("run") => run(),
        Some("dev") => dev(),
        Some("test") => test::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("deferred") => deferred(args.get(1).map(PathBuf::from)),
        Some("post-build") => post_build(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives in `<root>/xtask`).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// PATH with the project's npm tools (wasm-opt) and cargo's bin folder in front.
pub(crate) fn tool_path() -> String {
    let mut dirs = vec![root().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    let current = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&current));
    std::env::join_paths(dirs)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A command run in the workspace root with the project's PATH.
pub(crate) fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

/// Runs a command, failing with its description if it fails.
pub(crate) fn status(c: &mut Command, what: &str) -> Result<()> {
    let s = c
        .status()
        .with_context(|| format!("could not start: {what}"))?;
    if !s.success() {
        bail!("{what} failed ({s})");
    }
    Ok(())
}

/// Writes each [`Deferred`] file (the data the app's browser build leaves out and fetches when it
/// needs it) into `dir`, or trunk's staging folder when it runs this as its post-build hook
/// (Trunk.toml), under the name the app computed from the same bytes; and writes the catalogs'
/// names into that folder's index.html, whose first script preloads the reader's catalog
/// beside the wasm.
///
/// [`Deferred`]: socklab_core::deferred::Deferred
fn deferred(dir: Option<PathBuf>) -> Result<()> {
    use socklab_core::deferred::Deferred;
    use socklab_core::i18n::Lang;
    let Some(dir) = dir.or_else(|| std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from)) else {
        bail!("deferred: give a folder, or run it as trunk's hook (TRUNK_STAGING_DIR)");
    };
    for file in Deferred::ALL {
        let path = dir.join(file.file_name());
        std::fs::write(&path, file.contents())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let index = dir.join("index.html");
    if index.exists() {
        let html = std::fs::read_to_string(&index)
            .with_context(|| format!("reading {}", index.display()))?;
        let by_lang =
            |file: &dyn Fn(Lang) -> Deferred| -> serde_json::Map<String, serde_json::Value> {
                Lang::ALL
                    .into_iter()
                    .map(|l| {
                        (
                            l.tag().to_owned(),
                            format!("/{}", file(l).file_name()).into(),
                        )
                    })
                    .collect()
            };
        // {"en": ..., "zh-CN": ..., "lite": {"en": ..., "zh-CN": ...}, "console": ...}: the
        // texts every page may use, and each build's own, which its pages take too.
        let mut names = by_lang(&|l: Lang| l.catalog_file(None));
        for build in Build::ALL {
            names.insert(
                build.name().to_owned(),
                by_lang(&|l: Lang| l.catalog_file(Some(build))).into(),
            );
        }
        let filled = html.replacen(
            CATALOGS_SLOT,
            &serde_json::Value::Object(names).to_string(),
            1,
        );
        if filled == html {
            bail!(
                "deferred: {} has no {CATALOGS_SLOT} to fill",
                index.display()
            );
        }
        std::fs::write(&index, filled).with_context(|| format!("writing {}", index.display()))?;
    }
    Ok(())
}

/// trunk's post-build hook, in its staging folder: the deferred data, then the app's builds.
fn post_build() -> Result<()> {
    let Some(dir) = std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from) else {
        bail!("post-build: run by trunk, which sets TRUNK_STAGING_DIR");
    };
    deferred(Some(dir.clone()))?;
    builds(&dir)?;
    stylesheet(&dir)
}

/// The one file in `dir` that trunk named `<stem><hex hash><suffix>`.
fn hashed_file(dir: &Path, stem: &str, suffix: &str) -> Result<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let hash = name
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_suffix(suffix));
        if hash.is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())) {
            names.push(name);
        }
    }
    match <[String; 1]>::try_from(names) {
        Ok([one]) => Ok(one),
        Err(names) => bail!("post-build: expected one {stem}<hash>{suffix}, found {names:?}"),
    }
}

/// Minifies trunk's stylesheet (`css::minify`), names it by the hash of what it now holds, as
/// trunk named it, and gives index.html its new name and integrity.
fn stylesheet(dir: &Path) -> Result<()> {
    use base64::Engine;
    use sha2::Digest;
    let old = &hashed_file(dir, "style-", ".css")?;
    let css = css::minify(&std::fs::read_to_string(dir.join(old))?);
    let new = format!(
        "style-{:016x}.css",
        socklab_core::deferred::fnv1a(css.as_bytes())
    );
    let integrity = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(css.as_bytes()))
    );
    std::fs::write(dir.join(&new), &css)?;
    if new != *old {
        std::fs::remove_file(dir.join(old))?;
    }
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let link = format!("href=\"/{old}\" integrity=\"");
    let start = html
        .find(&link)
        .with_context(|| format!("post-build: index.html has no {link}"))?;
    let value = start + link.len();
    let end = value + html[value..].find('"').context("an unclosed integrity")?;
    let html = format!(
        "{}href=\"/{new}\" integrity=\"{integrity}{}",
        &html[..start],
        &html[end..]
    );
    std::fs::write(&index, html)?;
    Ok(())
}

/// The trunk binary of each of core's builds (index.html builds them all): trunk names the
/// first, its main app, by a hash; the others are "workers" to trunk, written as `<bin>.js` and
/// `<bin>_bg.wasm`, which [`builds`] names by the hash of their wasm in the same way.
const BUILD_BINS: [(Build, &str); 3] = [
    (Build::Console, "socklab-app"),
    (Build::Lite, "socklab-lite"),
    (Build::Live, "socklab-live"),
];

/// Names the worker builds by the hash of their wasm, as trunk names the main one, so all are
/// cached for good under their names; writes each build's wasm in LZMA beside it, and the
/// decoder (`lzma.rs`); and writes every build's files, and which pages each has, into
/// index.html, whose loader chooses the build for the page.
fn builds(dir: &Path) -> Result<()> {
    use socklab_core::deferred::fnv1a;
    let mut files = serde_json::Map::new();
    let mut pages = serde_json::Map::new();
    for (build, bin) in BUILD_BINS {
        let plain = dir.join(format!("{bin}_bg.wasm"));
        let (js, wasm, bytes) = if plain.exists() {
            let wasm = std::fs::read(&plain)?;
            let js = std::fs::read_to_string(dir.join(format!("{bin}.js")))
                .with_context(|| format!("post-build: trunk wrote no {bin}.js"))?;
            let stem = format!("{bin}-{:016x}", fnv1a(&wasm));
            // The glue's default wasm URL, for completeness: the loader always passes it.
            let js = js.replace(&format!("{bin}_bg.wasm"), &format!("{stem}_bg.wasm"));
            std::fs::write(dir.join(format!("{stem}.js")), js)?;
            std::fs::rename(&plain, dir.join(format!("{stem}_bg.wasm")))?;
            std::fs::remove_file(dir.join(format!("{bin}.js")))?;
            (format!("/{stem}.js"), format!("/{stem}_bg.wasm"), wasm)
        } else {
            let js = format!("/{}", hashed_file(dir, &format!("{bin}-"), ".js")?);
            let wasm = format!("/{}", hashed_file(dir, &format!("{bin}-"), "_bg.wasm")?);
            let bytes = std::fs::read(dir.join(&wasm[1..]))?;
            (js, wasm, bytes)
        };
        minify_glue(&dir.join(&js[1..]))?;
        // Each wasm in LZMA too, for pages at a plain-http address (lzma.rs).
        let packed = wasm.replace("_bg.wasm", "_bg.lzma");
        std::fs::write(dir.join(&packed[1..]), lzma::pack(&bytes)?)?;
        files.insert(
            build.name().to_owned(),
            serde_json::json!([js, wasm, packed]),
        );
        if build != Build::Lite {
            for page in build.pages() {
                pages.insert((*page).to_owned(), build.name().into());
            }
        }
    }
    let decoder = format!("unlzma-{:016x}.js", fnv1a(lzma::DECODER.as_bytes()));
    std::fs::write(dir.join(&decoder), lzma::DECODER)?;
    files.insert("pages".to_owned(), pages.into());
    files.insert("unlzma".to_owned(), format!("/{decoder}").into());
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let filled = html.replacen(
        BUILDS_SLOT,
        &serde_json::Value::Object(files).to_string(),
        1,
    );
    if filled == html {
        bail!(
            "post-build: {} has no {BUILDS_SLOT} to fill",
            index.display()
        );
    }
    // trunk leaves the main build's link in place when it injects no script: it loads nothing.
    let filled = match filled.find("<link data-trunk rel=\"rust\"") {
        Some(start) => {
            let end = start + filled[start..].find("/>").context("an unclosed link")? + 2;
            format!(
                "{}{}",
                &filled[..start],
                filled[end..].trim_start_matches([' ', '\n'])
            )
        }
        None => filled,
    };
    std::fs::write(&index, filled)?;
    Ok(())
}

/// Minifies a build's JS glue (wasm-bindgen's, 44 KB as written) in place with esbuild from
/// npm (`cargo xtask setup`): 6.7 KB → 5.1 KB in brotli on every first visit. Only whitespace,
/// comments and local names change: its exports and the import object's names (which the wasm
/// asks for by name) are properties, which esbuild leaves as they are.
fn minify_glue(js: &Path) -> Result<()> {
    let out = js.with_extension("min.js");
    status(
        cmd("esbuild")
            .arg(js)
            .args(["--minify", "--format=esm", "--log-level=warning"])
            .arg(format!("--outfile={}", out.display())),
        "esbuild (post-build, minifying the JS glue; `cargo xtask setup` installs it)",
    )?;
    std::fs::rename(&out, js)?;
    Ok(())
}

/// Where index.html's loader takes the builds' file names from.
const BUILDS_SLOT: &str = "/*socklab:builds*/{}";

/// Where index.html's script takes the catalogs' file names (by language tag) from.
const CATALOGS_SLOT: &str = "/*socklab:catalogs*/{}";

fn build_app() -> Result<()> {
    println!("xtask: building the app (trunk build --release)");
    status(
        cmd("trunk").args(["build", "--release"]),
        "trunk build --release",
    )
}

fn run() -> Result<()> {
    setup::run()?;
    build_app()?;
    println!("xtask: building the companion (cargo build --release -p socklab)");
    status(
        cmd("cargo").args(["build", "--release", "-p", "socklab"]),
        "cargo build -p socklab",
    )?;
    let binary = root().join("target/release/socklab");
    let mut serve = cmd(binary.to_str().unwrap_or("target/release/socklab"));
    serve.args(["serve", "--dist", "dist"]);
    // Become the server, so Ctrl-C reaches it directly and it shuts down cleanly.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(serve.exec()).context("could not start socklab serve")
    }
    #[cfg(not(unix))]
    status(&mut serve, "socklab serve")
}

fn dev() -> Result<()> {
    setup::run()?;
    status(
        cmd("cargo").args(["build", "-p", "socklab"]),
        "cargo build -p socklab",
    )?;
    let mut companion = cmd(root()
        .join("target/debug/socklab")
        .to_str()
        .unwrap_or_default())
    .args([
        "serve",
        "--port",
        "8765",
        "--dist",
        "dist",
        "--allow-origin",
        "http://127.0.0.1:8080",
    ])
    .stdout(std::process::Stdio::piped())
    .spawn()
    .context("could not start the companion")?;
    let mut line = String::new();
    if let Some(out) = companion.stdout.take() {
        std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line)?;
    }
    let url = line.trim().replacen(":8765/", ":8080/", 1);
    println!("xtask: companion on 127.0.0.1:8765; trunk serves the app with live reload at\n\n    {url}\n");
    let trunk = cmd("trunk").args(["serve"]).status();
    let _ = companion.kill();
    let _ = companion.wait();
    trunk.context("could not start trunk serve")?;
    Ok(())
}
