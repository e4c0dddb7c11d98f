//! The app's files as the real server on 127.0.0.1:0 sends them: brotli or gzip by
//! Accept-Encoding, `Vary`, `Cache-Control`, and the file server's rules (own Host only, no
//! link out of `dist/`, index.html for app routes) holding for the compressed variants too.

use socklab_companion::serve::Config;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod wsharness;
use wsharness::*;

const WASM: &str = "socklab-app-0123456789abcdef_bg.wasm";
const JS: &str = "socklab-app-0123456789abcdef.js";
const CSS: &str = "style-fedcba9876543210.css";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One HTTP response, read until the server closed the connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body with its Content-Encoding undone.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header("content-encoding") {
            None => out.clone_from(&self.body),
            Some("br") => brotli::BrotliDecompress(&mut &self.body[..], &mut out).unwrap(),
            Some("gzip") => {
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Some(other) => panic!("unexpected Content-Encoding {other}"),
        }
        out
    }
}

/// `GET path` with this Host and Accept-Encoding (none if `None`).
async fn fetch(addr: SocketAddr, path: &str, host: &str, accept: Option<&str>) -> Answer {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let accept = accept
        .map(|a| format!("Accept-Encoding: {a}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{accept}Connection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut raw))
        .await
        .expect("answered within 10 s")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

async fn fetch_own(addr: SocketAddr, path: &str, accept: Option<&str>) -> Answer {
    fetch(addr, path, &addr.to_string(), accept).await
}

/// Text that compresses as code does, `size` bytes of it, different for each `seed`.
fn asset(seed: u32, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    let mut i = seed;
    while out.len() < size {
        i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        out.extend_from_slice(
            format!("function f{}(a, b) {{ return a + b; }}\n", i % 97).as_bytes(),
        );
    }
    out.truncate(size);
    out
}

/// A `dist/` as trunk writes it: index.html and three hashed assets.
fn trunk_dist() -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    let d = dist.path();
    std::fs::write(d.join("index.html"), "<html>app</html>").unwrap();
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(asset(1, 200_000));
    std::fs::write(d.join(WASM), wasm).unwrap();
    std::fs::write(d.join(JS), asset(2, 30_000)).unwrap();
    std::fs::write(d.join(CSS), asset(3, 20_000)).unwrap();
    std::fs::write(d.join("favicon-9e943feca9dc4925.svg"), asset(4, 2_000)).unwrap();
    std::fs::write(d.join("notes.js"), asset(5, 5_000)).unwrap();
    dist
}

/// Waits until the server's start-up compression is done (it runs in the background).
async fn until_compressed(addr: SocketAddr) {
    let started = Instant::now();
    loop {
        let answer = fetch_own(addr, &format!("/{WASM}"), Some("br")).await;
        if answer.header("content-encoding") == Some("br") {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no brotli variant 60 s after start: {:?}",
            answer.headers
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn file(dist: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dist.join(name)).unwrap()
}

#[tokio::test]
async fn hashed_assets_go_out_in_the_encoding_the_request_accepts() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    let dist = server._dist.path();
    until_compressed(server.addr).await;
    // (Accept-Encoding, the encoding it gets)
    let cases = [
        (Some("gzip, deflate, br, zstd"), Some("br")), // Chromium's
        (Some("gzip, deflate, br"), Some("br")),       // Firefox's
        (Some("gzip"), Some("gzip")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("deflate"), None),
        (Some("identity"), None),
        (None, None),
    ];
    for name in [WASM, JS, CSS] {
        let original = file(dist, name);
        let mut sizes = Vec::new();
        for (accept, want) in cases {
            let answer = fetch_own(server.addr, &format!("/{name}"), accept).await;
            let what = format!("{name} with Accept-Encoding {accept:?}");
            assert_eq!(answer.status, 200, "{what}");
            assert_eq!(answer.header("content-encoding"), want, "{what}");
            assert_eq!(answer.header("vary"), Some("accept-encoding"), "{what}");
            assert_eq!(
                answer.header("content-length"),
                Some(answer.body.len().to_string().as_str()),
                "{what}"
            );
            assert_eq!(answer.decoded(), original, "{what}: decodes to the file");
            sizes.push((want, answer.body.len()));
        }
        let size = |e| sizes.iter().find(|(w, _)| *w == e).unwrap().1;
        assert!(
            size(Some("br")) < size(Some("gzip")) && size(Some("gzip")) < original.len() / 3,
            "{name}: {sizes:?} of {}",
            original.len()
        );
    }
    // The content types are the file's, whatever the encoding.
    for (name, want) in [
        (WASM, "application/wasm"),
        (JS, "text/javascript; charset=utf-8"),
        (CSS, "text/css; charset=utf-8"),
    ] {
        let answer = fetch_own(server.addr, &format!("/{name}"), Some("br")).await;
        assert_eq!(answer.header("content-type"), Some(want), "{name}");
    }
}

#[tokio::test]
async fn index_html_goes_out_compressed_for_every_app_route_and_as_it_is_once_rebuilt() {
    let dist = trunk_dist();
    // As large as the app's (its loader chooses between two builds): 5 KB.
    let page = asset(8, 5_000);
    std::fs::write(dist.path().join("index.html"), &page).unwrap();
    let server = Running::start_in(dist, Config::default()).await;
    until_compressed(server.addr).await;
    for path in ["/", "/index.html", "/struct?f=%3EH", "/console"] {
        for (accept, want) in [
            (Some("br, gzip"), Some("br")),
            (Some("gzip"), Some("gzip")),
            (None, None),
        ] {
            let answer = fetch_own(server.addr, path, accept).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(answer.header("content-encoding"), want, "{path} {accept:?}");
            assert_eq!(answer.header("vary"), Some("accept-encoding"), "{path}");
            assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
            assert_eq!(
                answer.header("content-type"),
                Some("text/html; charset=utf-8")
            );
            assert_eq!(answer.decoded(), page, "{path} {accept:?}");
            if want.is_some() {
                assert!(
                    answer.body.len() < page.len() / 3,
                    "{path}: {}",
                    answer.body.len()
                );
            }
        }
    }
    // A new index.html since start-up goes out as it now is.
    let rebuilt = asset(9, 5_000);
    std::fs::write(server._dist.path().join("index.html"), &rebuilt).unwrap();
    let answer = fetch_own(server.addr, "/", Some("br")).await;
    assert_eq!(answer.header("content-encoding"), None);
    assert_eq!(answer.body, rebuilt);
}

#[tokio::test]
async fn only_the_hashed_assets_and_index_html_are_compressed() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    until_compressed(server.addr).await;
    // The test dist's index.html is 16 bytes: no variant of it is smaller, so none is sent, but
    // its answer says that it varies with Accept-Encoding; the rest never varies.
    for (path, varies) in [
        ("/", true),
        ("/index.html", true),
        ("/byte-order?v=1", true),
        ("/favicon-9e943feca9dc4925.svg", false),
        ("/notes.js", false),
    ] {
        let answer = fetch_own(server.addr, path, Some("br, gzip")).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.header("content-encoding"), None, "{path}");
        assert_eq!(
            answer.header("vary"),
            varies.then_some("accept-encoding"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_everything_else_is_revalidated() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    until_compressed(server.addr).await;
    for (path, want) in [
        (format!("/{WASM}"), IMMUTABLE),
        (format!("/{JS}"), IMMUTABLE),
        (format!("/{CSS}"), IMMUTABLE),
        ("/favicon-9e943feca9dc4925.svg".to_owned(), IMMUTABLE),
        ("/".to_owned(), "no-cache"),
        ("/index.html".to_owned(), "no-cache"),
        // App routes get index.html, which must not be kept either.
        ("/struct?f=%3EH".to_owned(), "no-cache"),
        ("/no/such/file.wasm".to_owned(), "no-cache"),
        // A file whose name is not a hash of its content may change under that name.
        ("/notes.js".to_owned(), "no-cache"),
    ] {
        for accept in [None, Some("br"), Some("gzip")] {
            let answer = fetch_own(server.addr, &path, accept).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(
                answer.header("cache-control"),
                Some(want),
                "{path} with {accept:?}"
            );
        }
    }
    // Without a build, the page that says how to make one is not kept either.
    let empty = Running::start(Config::default()).await;
    let answer = fetch_own(empty.addr, "/", Some("br")).await;
    assert!(String::from_utf8_lossy(&answer.body).contains("cargo xtask run"));
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn compressed_variants_are_refused_to_a_foreign_host() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    until_compressed(server.addr).await;
    let evil = format!("evil.example:{}", server.addr.port());
    for accept in [Some("br"), Some("gzip"), None] {
        for path in [format!("/{WASM}"), format!("/{JS}"), "/".to_owned()] {
            let answer = fetch(server.addr, &path, &evil, accept).await;
            assert_eq!(answer.status, 403, "{path} {accept:?}");
            assert_eq!(answer.header("content-encoding"), None, "{path}");
            assert!(
                String::from_utf8_lossy(&answer.body).contains("unexpected Host header"),
                "{path}: {:?}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn no_compressed_variant_of_a_file_outside_dist_is_served() {
    let outside = tempfile::tempdir().unwrap();
    let secret = asset(9, 50_000);
    std::fs::write(outside.path().join("secret.js"), &secret).unwrap();
    let dist = trunk_dist();
    // Links named like trunk's assets: one out of dist/ from the start, one that points inside
    // at start-up (so it is compressed) and is turned outward afterwards, at a file with the
    // very same bytes.
    let leak = "leak-1111111111111111.js";
    let turned = "turned-2222222222222222.js";
    std::os::unix::fs::symlink(outside.path().join("secret.js"), dist.path().join(leak)).unwrap();
    std::fs::write(dist.path().join("inside.js"), &secret).unwrap();
    std::os::unix::fs::symlink(dist.path().join("inside.js"), dist.path().join(turned)).unwrap();
    let server = Running::start_in(dist, Config::default()).await;
    until_compressed(server.addr).await;
    let turned_answer = fetch_own(server.addr, &format!("/{turned}"), Some("br")).await;
    assert_eq!(
        turned_answer.header("content-encoding"),
        Some("br"),
        "a link that stays inside dist/ is served like its file"
    );
    std::fs::remove_file(server._dist.path().join(turned)).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.js"),
        server._dist.path().join(turned),
    )
    .unwrap();
    for name in [leak, turned] {
        for accept in [Some("br"), Some("gzip"), None] {
            let answer = fetch_own(server.addr, &format!("/{name}"), accept).await;
            assert_eq!(answer.status, 403, "{name} {accept:?}");
            assert_eq!(answer.header("content-encoding"), None, "{name}");
            assert!(
                String::from_utf8_lossy(&answer.body).contains("outside the app's folder"),
                "{name}"
            );
        }
    }
    // A path that tries to climb out gets index.html, compressed or not.
    for path in [
        "/../secret.js",
        "/%2e%2e/secret.js",
        "/.hidden-3333333333333333.js",
    ] {
        let answer = fetch_own(server.addr, path, Some("br")).await;
        assert_eq!(answer.body, b"<html>app</html>", "{path}");
        assert_eq!(answer.header("content-encoding"), None, "{path}");
    }
}

#[tokio::test]
async fn a_file_rebuilt_after_start_up_is_sent_as_it_now_is() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    until_compressed(server.addr).await;
    // Not what trunk does (a new build has new names), but a hand edit must not be answered
    // with the variant of the bytes that were there before.
    let edited = asset(7, 30_000);
    std::fs::write(server._dist.path().join(JS), &edited).unwrap();
    for accept in [Some("br"), Some("gzip"), None] {
        let answer = fetch_own(server.addr, &format!("/{JS}"), accept).await;
        assert_eq!(answer.header("content-encoding"), None, "{accept:?}");
        assert_eq!(answer.body, edited, "{accept:?}");
    }
    // And a file gone since start-up is gone: the path is an app route again.
    std::fs::remove_file(server._dist.path().join(CSS)).unwrap();
    let answer = fetch_own(server.addr, &format!("/{CSS}"), Some("br")).await;
    assert_eq!(answer.body, b"<html>app</html>");
    assert_eq!(answer.header("content-encoding"), None);
}

/// `/sw.js`'s list of files, as the server filled it in.
fn worker_files(script: &str) -> Vec<String> {
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix("const FILES = "))
        .expect("a FILES line");
    serde_json::from_str(line.trim_end_matches(';')).unwrap()
}

/// `/sw.js`'s build id.
fn worker_build(script: &str) -> String {
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix("const BUILD = "))
        .expect("a BUILD line");
    line.trim_end_matches(';').trim_matches('"').to_owned()
}

#[tokio::test]
async fn the_service_worker_keeps_exactly_the_hashed_files_of_the_build_dist_holds_now() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.js"), "secret").unwrap();
    let dist = trunk_dist();
    // Left out: a link out of dist/ named like an asset, a folder named like one, and the
    // files whose names are not hashes (index.html is kept under "/" by the worker itself).
    std::os::unix::fs::symlink(
        outside.path().join("secret.js"),
        dist.path().join("leak-1111111111111111.js"),
    )
    .unwrap();
    std::fs::create_dir(dist.path().join("folder-2222222222222222.js")).unwrap();
    let server = Running::start_in(dist, Config::default()).await;
    let first = fetch_own(server.addr, "/sw.js", Some("br")).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    assert_eq!(first.header("content-encoding"), None);
    let script = String::from_utf8(first.body.clone()).unwrap();
    let mut hashed = [CSS, JS, WASM, "favicon-9e943feca9dc4925.svg"];
    hashed.sort_unstable();
    assert_eq!(
        worker_files(&script),
        hashed,
        "sorted, hashed, inside dist/"
    );
    assert_eq!(worker_build(&script).len(), 16);
    // Byte for byte the same while dist/ stays the same: the browser installs nothing new.
    assert_eq!(
        fetch_own(server.addr, "/sw.js", None).await.body,
        first.body
    );

    // A hashed data file added later is kept too, under a new build id.
    let d = server._dist.path();
    std::fs::write(d.join("table-3333333333333333.bin"), "data").unwrap();
    let added = String::from_utf8(fetch_own(server.addr, "/sw.js", None).await.body).unwrap();
    assert!(worker_files(&added).contains(&"table-3333333333333333.bin".to_owned()));
    assert_ne!(worker_build(&added), worker_build(&script));
    // A rebuilt index.html (same files) is a new build as well.
    std::fs::write(d.join("index.html"), "<html>app, rebuilt</html>").unwrap();
    let rebuilt = String::from_utf8(fetch_own(server.addr, "/sw.js", None).await.body).unwrap();
    assert_eq!(worker_files(&rebuilt), worker_files(&added));
    assert_ne!(worker_build(&rebuilt), worker_build(&added));
}

#[tokio::test]
async fn no_service_worker_for_a_foreign_host_or_without_a_build() {
    let server = Running::start_in(trunk_dist(), Config::default()).await;
    let evil = format!("evil.example:{}", server.addr.port());
    let answer = fetch(server.addr, "/sw.js", &evil, None).await;
    assert_eq!(answer.status, 403);
    assert!(String::from_utf8_lossy(&answer.body).contains("unexpected Host header"));
    // No index.html: a 404, so no browser keeps the page that says the app is not built.
    let empty = Running::start(Config::default()).await;
    let answer = fetch_own(empty.addr, "/sw.js", None).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    std::fs::remove_file(server._dist.path().join("index.html")).unwrap();
    assert_eq!(fetch_own(server.addr, "/sw.js", None).await.status, 404);
}
