//! The app's hashed assets (wasm, JS, CSS), compressed once when the server starts, with brotli
//! and gzip; and which of them a request's `Accept-Encoding` takes.
//!
//! Compressing a megabyte of wasm with brotli at its best quality takes seconds (3.5 s in a
//! release build here, 15 s in the debug build the tests run), far too long to do per request,
//! and the assets do not change while the server runs: trunk names each one after a hash of
//! its content. So [`Precompressed::start`] compresses them once, in the background, while the
//! server already answers; until it is done the assets go out as they are. A variant is kept
//! beside the bytes it was made from and served only while the file on disk still holds
//! exactly those bytes, so a rebuilt `dist/` is never answered with an old build.

use axum::body::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// A content coding the server can answer with, besides the file as it is (`identity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Brotli (RFC 7932): the smallest, and what every current browser asks for over HTTP.
    Br,
    /// gzip (RFC 1952): for clients that do not take brotli.
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Encoding::Br => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// The encoding to answer with, given a request's `Accept-Encoding`: the one with the higher
/// quality value, brotli on a tie; `None` (identity) when it accepts neither.
///
/// `*` stands for any coding not named; a coding with `q=0` (or an unreadable q) is refused.
pub(crate) fn negotiate(accept_encoding: Option<&str>) -> Option<Encoding> {
    let (mut br, mut gzip, mut any) = (None, None, None);
    for item in accept_encoding.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().unwrap_or(0.0))
            })
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let br = br.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Some(Encoding::Br)
    } else if gzip > 0.0 {
        Some(Encoding::Gzip)
    } else {
        None
    }
}

/// Whether trunk named this file after its content: `style-9c302bdf39e67c31.css`,
/// `socklab-app-c55db081006cfdc5_bg.wasm` (a `-` and the hash in hex before the extension,
/// and wasm-bindgen's `_bg`). Such a file never changes under its name. Trunk writes its 64-bit
/// hash without leading zeros, so one build in sixteen has 15 digits (`-400af4d6e0f3a82.js`,
/// which a clean CI build had); 10 to 16 are taken, fewer would be a hash of 24 leading zero
/// bits.
pub(crate) fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, _extension)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(base, hash)| {
        !base.is_empty()
            && (10..=16).contains(&hash.len())
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Whether only a page at a plain-http address fetches this file: each build's wasm in LZMA
/// (`…_bg.lzma`) and its decoder (`unlzma-….js`), which index.html's loader takes instead of the
/// wasm where the browser takes no brotli. Such a page has no service worker, so the worker
/// does not keep them.
pub(crate) fn plain_http_only(name: &str) -> bool {
    name.ends_with("_bg.lzma") || name.starts_with("unlzma-")
}

/// What is compressed: the hashed wasm, JS and CSS, which are most of what a first visit
/// downloads, the data a page fetches when it first needs it (`lessons-….txt`, `gbk-….bin`),
/// and `index.html`, which every page load fetches again (5 KB since its loader chooses between
/// two builds, and a page of the other build is a page load). (The icon is 249 bytes; the wasm
/// in LZMA is compressed already.)
fn worth_compressing(path: &str) -> bool {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    path == INDEX || matches!(extension, "wasm" | "js" | "css" | "txt" | "bin") && is_hashed(path)
}

/// The app's page, which the file server answers every app route with.
pub(crate) const INDEX: &str = "index.html";

/// One asset: the bytes it was compressed from, and each variant smaller than them.
#[derive(Debug)]
struct Variants {
    original: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// The compressed variants of `dist/`'s hashed assets, by path relative to `dist/`, once they
/// are made.
#[derive(Debug, Default)]
pub struct Precompressed {
    assets: OnceLock<HashMap<String, Variants>>,
}

impl Precompressed {
    /// Starts compressing `dist`'s hashed assets in the background.
    pub fn start(dist: &Path) -> Arc<Precompressed> {
        let compressed = Arc::new(Precompressed::default());
        let filling = Arc::clone(&compressed);
        let dist = dist.to_path_buf();
        tokio::spawn(async move {
            let _ = filling.assets.set(compress_dist(dist).await);
        });
        compressed
    }

    /// Whether `path` is one of the assets compressed (so its responses vary with
    /// Accept-Encoding), ready or not.
    pub(crate) fn covers(path: &str) -> bool {
        worth_compressing(path)
    }

    /// `path`'s variant in `encoding`, if there is one and it was made from exactly `current`,
    /// the file's bytes as just read.
    pub(crate) fn variant(&self, path: &str, current: &[u8], encoding: Encoding) -> Option<Bytes> {
        let variants = self.assets.get()?.get(path)?;
        if variants.original != current {
            return None;
        }
        match encoding {
            Encoding::Br => variants.br.clone(),
            Encoding::Gzip => variants.gzip.clone(),
        }
    }
}

/// The names of the hashed files at the top of `dist` (trunk writes no folders for this app),
/// sorted: what the build is made of besides `index.html`. A file that is a link out of `dist`
/// is left out (the file server refuses it anyway); a missing `dist` gives none.
pub(crate) async fn hashed_files(dist: &Path) -> Vec<String> {
    let Ok(root) = tokio::fs::canonicalize(dist).await else {
        return Vec::new();
    };
    let Ok(mut entries) = tokio::fs::read_dir(&root).await else {
        return Vec::new();
    };
    let mut names = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !is_hashed(&name) {
            continue;
        }
        let inside_file = match tokio::fs::canonicalize(entry.path()).await {
            Ok(real) if real.starts_with(&root) => tokio::fs::metadata(&real)
                .await
                .is_ok_and(|meta| meta.is_file()),
            _ => false,
        };
        if inside_file {
            names.push(name);
        }
    }
    names.sort();
    names
}

/// Compresses `index.html` and the hashed wasm, JS and CSS of `dist` ([`hashed_files`]), each
/// file and coding in a blocking task of its own.
async fn compress_dist(dist: PathBuf) -> HashMap<String, Variants> {
    let started = Instant::now();
    let mut originals = Vec::new();
    let mut names = hashed_files(&dist).await;
    names.push(INDEX.to_owned());
    for name in names {
        if !worth_compressing(&name) {
            continue;
        }
        if let Ok(bytes) = tokio::fs::read(dist.join(&name)).await {
            originals.push((name, Bytes::from(bytes)));
        }
    }
    let mut tasks = Vec::new();
    for (name, original) in &originals {
        for encoding in [Encoding::Br, Encoding::Gzip] {
            let original = original.clone();
            tasks.push((
                name.clone(),
                encoding,
                tokio::task::spawn_blocking(move || compress(&original, encoding)),
            ));
        }
    }
    let mut assets: HashMap<String, Variants> = originals
        .into_iter()
        .map(|(name, original)| {
            let variants = Variants {
                original,
                br: None,
                gzip: None,
            };
            (name, variants)
        })
        .collect();
    for (name, encoding, task) in tasks {
        let (Ok(compressed), Some(variants)) = (task.await, assets.get_mut(&name)) else {
            continue;
        };
        // A variant no smaller than the file is not worth a Content-Encoding.
        let compressed = (compressed.len() < variants.original.len()).then_some(compressed);
        match encoding {
            Encoding::Br => variants.br = compressed.map(Bytes::from),
            Encoding::Gzip => variants.gzip = compressed.map(Bytes::from),
        }
    }
    for (name, v) in &assets {
        let size = |b: &Option<Bytes>| b.as_ref().map_or(0, Bytes::len);
        tracing::info!(
            asset = %name,
            bytes = v.original.len(),
            br = size(&v.br),
            gzip = size(&v.gzip),
            "compressed"
        );
    }
    tracing::info!(
        assets = assets.len(),
        ms = started.elapsed().as_millis(),
        "compressed the app's hashed assets with brotli and gzip"
    );
    assets
}

/// `bytes` compressed at the coding's best setting: brotli at quality 11 with a 4 MiB window;
/// gzip by zopfli, one iteration (the wasm: 523,907 bytes against gzip -9's 546,258, in 1.5 s
/// against 0.1 s; more iterations win under 0.2% more). Slow, but done once per asset.
fn compress(bytes: &[u8], encoding: Encoding) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    match encoding {
        Encoding::Br => {
            let out = Vec::with_capacity(bytes.len() / 3);
            let mut writer = brotli::CompressorWriter::new(out, 64 * 1024, 11, 22);
            let _ = writer.write_all(bytes);
            writer.into_inner() // finishes the stream
        }
        Encoding::Gzip => {
            let mut out = Vec::with_capacity(bytes.len() / 3);
            let options = zopfli::Options {
                iteration_count: std::num::NonZeroU64::MIN,
                ..zopfli::Options::default()
            };
            let _ = zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(accept: Option<&str>, want: Option<Encoding>) {
        assert_eq!(negotiate(accept), want, "Accept-Encoding: {accept:?}");
    }

    #[test]
    fn negotiates_as_browsers_and_tools_ask() {
        use Encoding::{Br, Gzip};
        check(Some("gzip, deflate, br, zstd"), Some(Br)); // Chromium
        check(Some("gzip, deflate, br"), Some(Br)); // Firefox
        check(Some("gzip"), Some(Gzip)); // curl --compressed without brotli
        check(Some("deflate"), None);
        check(None, None);
        check(Some(""), None);
        check(Some("identity"), None);
        check(Some("BR"), Some(Br));
        check(Some("br;q=0, gzip"), Some(Gzip));
        check(Some("br;q=0.5, gzip;q=0.8"), Some(Gzip));
        check(Some("br;q=0.8, gzip;q=0.8"), Some(Br));
        check(Some("br; q=0 , gzip ; Q=0"), None);
        check(Some("br;q=nonsense, gzip"), Some(Gzip));
        check(Some("*"), Some(Br));
        check(Some("*;q=0.1, br;q=0"), Some(Gzip));
        check(Some("x-gzip"), Some(Gzip));
    }

    #[test]
    fn knows_trunks_hashed_names() {
        for hashed in [
            "socklab-app-c55db081006cfdc5_bg.wasm",
            "socklab-app-c55db081006cfdc5.js",
            "style-9c302bdf39e67c31.css",
            "favicon-9e943feca9dc4925.svg",
            "snippets/x-0123456789abcdef.js",
            "socklab-app-400af4d6e0f3a82.js",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        // The data the app fetches later, named by core.
        for file in socklab_core::deferred::Deferred::ALL {
            assert!(is_hashed(file.file_name()), "{}", file.file_name());
            assert!(worth_compressing(file.file_name()), "{}", file.file_name());
        }
        // The wasm in LZMA and its decoder: hashed (cached for good), but the LZMA is not
        // compressed again, and neither is kept by the service worker.
        for packed in [
            "socklab-app-c55db081006cfdc5_bg.lzma",
            "unlzma-0123456789abcdef.js",
        ] {
            assert!(is_hashed(packed), "{packed}");
            assert!(plain_http_only(packed), "{packed}");
        }
        assert!(!worth_compressing("socklab-app-c55db081006cfdc5_bg.lzma"));
        assert!(!plain_http_only("socklab-app-c55db081006cfdc5_bg.wasm"));
        for plain in [
            "index.html",
            "app.wasm",
            "style.css",
            "-9c302bdf39e67c31.css",
            "style-9c302bdf3.css",
            "style-9c302bdf39e67c312.css",
            "style-9c302bdf39e67c3g.css",
            "9c302bdf39e67c31",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn variants_decompress_to_the_original() {
        let original: Vec<u8> = (0..100_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let br = compress(&original, Encoding::Br);
        let gz = compress(&original, Encoding::Gzip);
        assert!(br.len() < original.len() / 10 && gz.len() < original.len() / 5);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, original);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, original);
    }
}
