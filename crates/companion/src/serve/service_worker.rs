//! `/sw.js`: the service worker that keeps the app working offline after one visit, written
//! per request from what `dist/` holds at that moment.
//!
//! The worker itself is `sw.js` beside this file; this module fills in the build it keeps: a
//! build id and the build's hashed files (every file [`precompressed::is_hashed`] accepts, so a
//! hashed data file added later is kept too, but for those only a page at a plain-http address
//! fetches, [`precompressed::plain_http_only`]). The id is a hash of `index.html` and those names
//! (which are hashes of their content), so the same `dist/` gives the very same script, and the
//! browser, comparing it byte for byte on each visit, installs a new worker exactly when the app
//! is rebuilt. Without `index.html` there is no worker (404): nothing is kept of a "not built"
//! page.
//!
//! Browsers run service workers only in secure contexts (https, `localhost`, `127.0.0.1`), so
//! a student at the teacher's LAN address (`http://192.168...`) gets none; the page works as
//! before, online.

use super::files::{self, Inside};
use super::precompressed;
use crate::state::Shared;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The worker, with `__SOCKLAB_BUILD__` and `__SOCKLAB_FILES__` still to fill in.
const TEMPLATE: &str = include_str!("sw.js");

/// Serves `/sw.js` for the build `dist/` holds now, to this server's own Host only.
pub(super) async fn script(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = files::refuse_foreign_host(&shared, peer, &headers) {
        return refused;
    }
    let dist = &shared.config.dist;
    let Inside::File(index) = files::read_inside(dist, "index.html").await else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-cache")],
            "no service worker: the app is not built (dist/ has no index.html)",
        )
            .into_response();
    };
    let mut names = precompressed::hashed_files(dist).await;
    names.retain(|name| !precompressed::plain_http_only(name));
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // The browser asks again on every visit; the same build gives the same bytes.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        worker(&index, &names),
    )
        .into_response()
}

/// The worker for a build: its `index.html` and its hashed files' names, sorted.
fn worker(index: &[u8], names: &[String]) -> String {
    // Names come from the file system: written as JSON strings, whatever they hold.
    let list = serde_json::to_string(names).unwrap_or_else(|_| "[]".to_owned());
    TEMPLATE
        .replace(
            "__SOCKLAB_BUILD__",
            &format!("{:016x}", build_id(index, names)),
        )
        .replace("__SOCKLAB_FILES__", &list)
}

/// FNV-1a (64 bits) over `index.html`'s bytes, then each name after a `\n`: the same for the
/// same build, different as soon as `index.html` or any hashed file's name (its content)
/// changes. Not a defence against anyone; only a name for the build. `sw.js`'s `buildId`
/// computes the same, to check the `index.html` it fetches.
fn build_id(index: &[u8], names: &[String]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let bytes = index.iter().chain(
        names
            .iter()
            .flat_map(|name| std::iter::once(&b'\n').chain(name.as_bytes())),
    );
    bytes.fold(OFFSET, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    const BUILD: [&str; 3] = [
        "socklab-app-c55db081006cfdc5.js",
        "socklab-app-c55db081006cfdc5_bg.wasm",
        "style-9c302bdf39e67c31.css",
    ];

    #[test]
    fn fnv1a_64_as_published() {
        // The FNV reference vectors (draft-eastlake-fnv): "" and "a".
        assert_eq!(build_id(b"", &[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(build_id(b"a", &[]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(build_id(b"foobar", &[]), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_build_id_names_index_html_and_the_hashed_names() {
        let index = b"<html>build A</html>";
        let a = build_id(index, &names(&BUILD));
        assert_eq!(a, build_id(index, &names(&BUILD)), "stable");
        assert_ne!(a, build_id(b"<html>build B</html>", &names(&BUILD)));
        let mut renamed = names(&BUILD);
        renamed[2] = "style-0000000000000001.css".to_owned();
        assert_ne!(a, build_id(index, &renamed));
        assert_ne!(a, build_id(index, &names(&BUILD[..2])), "a file fewer");
        // The separator keeps the boundaries: one name is not two.
        assert_ne!(
            build_id(b"", &names(&["ab-0123456789abcdef.js"])),
            build_id(b"", &names(&["ab", "-0123456789abcdef.js"]))
        );
    }

    #[test]
    fn the_worker_is_the_template_filled_in() {
        let script = worker(b"<html>A</html>", &names(&BUILD));
        let id = format!("{:016x}", build_id(b"<html>A</html>", &names(&BUILD)));
        assert!(
            script.contains(&format!("const BUILD = \"{id}\";")),
            "{script}"
        );
        assert!(script.contains(
            "const FILES = [\"socklab-app-c55db081006cfdc5.js\",\
             \"socklab-app-c55db081006cfdc5_bg.wasm\",\"style-9c302bdf39e67c31.css\"];"
        ));
        assert!(!script.contains("__SOCKLAB_"));
        assert_eq!(
            script,
            worker(b"<html>A</html>", &names(&BUILD)),
            "byte-identical"
        );
        let odd = worker(b"", &names(&["a\"b-0123456789abcdef.js"]));
        assert!(odd.contains(r#"const FILES = ["a\"b-0123456789abcdef.js"];"#));
    }
}
