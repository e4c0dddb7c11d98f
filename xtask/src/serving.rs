//! A `socklab serve` for the suites and the benches: started on a free port, serving `dist/`,
//! its URL read from its first line, stopped when dropped; and the release build the browser
//! benches measure.

use crate::{cmd, root, status};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// Builds what the browser benches measure: the app (`trunk build --release`) and the companion
/// in release.
pub(crate) fn build_release() -> Result<()> {
    status(
        cmd("trunk").args(["build", "--release"]),
        "trunk build --release",
    )?;
    status(
        cmd("cargo").args(["build", "--release", "-p", "socklab"]),
        "cargo build --release -p socklab",
    )
}

/// The companion serving `dist/` on a free port.
pub(crate) struct Companion {
    child: Child,
    /// The URL it printed, token included.
    pub(crate) url: String,
}

impl Companion {
    /// Starts `target/<profile>/socklab serve` (`profile`: `debug` or `release`).
    pub(crate) fn start(profile: &str) -> Result<Companion> {
        let binary = root().join("target").join(profile).join("socklab");
        let mut child = cmd(binary.to_str().context("the binary's path is not UTF-8")?)
            .args(["serve", "--port", "0", "--dist"])
            .arg(root().join("dist"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut url = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out).read_line(&mut url)?;
        }
        let url = url.trim().to_owned();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            bail!("socklab serve printed {url:?} instead of its URL");
        }
        Ok(Companion { child, url })
    }
}

impl Drop for Companion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
