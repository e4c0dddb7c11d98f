#![cfg(not(target_arch = "wasm32"))]
//! Every catalog key the app's source names (or an exercise's why) exists in both catalogs, and
//! every key in the catalogs is used somewhere (no dead translations).

use socklab_core::i18n::{Catalog, Lang};
use std::path::Path;

fn source_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(path).unwrap());
        }
    }
}

/// String literals shaped like catalog keys: `"bo.title"`, `"hint.int_too_big"`.
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for prefix in [
        "app",
        "nav",
        "prefs",
        "status",
        "addr",
        "host",
        "live",
        "sock",
        "err",
        "text",
        "st",
        "py",
        "bo",
        "hint",
        "read",
        "struct.code",
        "con",
        "predict",
        "class",
        "qr",
        "a11y",
        "data",
    ] {
        let opening = format!("\"{prefix}.");
        for (at, _) in source.match_indices(&opening) {
            let rest = &source[at + opening.len()..];
            let Some(end) = rest.find('"') else { continue };
            let name = &rest[..end];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                keys.push(format!("{prefix}.{name}"));
            }
        }
    }
    keys
}

#[test]
fn every_used_key_exists_and_every_key_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    source_files(&root.join("src"), &mut sources);
    source_files(&root.join("crates/core/src"), &mut sources);
    let mut used: std::collections::BTreeSet<String> =
        sources.iter().flat_map(|s| keys_in(s)).collect();
    // Why each exercise prints what it prints: named by the exercise's id (core's tests check
    // that each is in the catalog file its page's build loads).
    used.extend(
        socklab_core::exercise::exercises()
            .iter()
            .map(socklab_core::exercise::Exercise::why_key),
    );
    assert!(
        used.len() > 40,
        "found only {} keys; is the scan broken?",
        used.len()
    );
    for lang in Lang::ALL {
        let catalog = Catalog::builtin(lang);
        let missing: Vec<_> = used.iter().filter(|k| !catalog.contains(k)).collect();
        assert!(missing.is_empty(), "{lang:?} catalog lacks {missing:?}");
        let unused: Vec<_> = catalog
            .keys()
            .into_iter()
            .filter(|k| !used.contains(*k))
            .collect();
        assert!(
            unused.is_empty(),
            "{lang:?} catalog has unused keys {unused:?}"
        );
    }
}

/// Every `.rs` file under `dir` but those under `skip`, as (path, text).
fn sources_but(dir: &Path, skip: &[std::path::PathBuf], out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if skip.contains(&path) {
            continue;
        }
        if path.is_dir() {
            sources_but(&path, skip, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

/// The modules `file` declares only for the full build (`#[cfg(feature = "full")]` before
/// `pub mod name;`), as the file and folder each may be.
fn full_only_modules(file: &Path) -> Vec<std::path::PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let dir = file.with_extension("");
    let dir = if file.ends_with("lib.rs") {
        file.parent().unwrap().to_path_buf()
    } else {
        dir
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        if pair[0] == "#[cfg(feature = \"full\")]" {
            if let Some(name) = pair[1]
                .strip_prefix("pub mod ")
                .and_then(|r| r.strip_suffix(';'))
            {
                out.push(dir.join(format!("{name}.rs")));
                out.push(dir.join(name));
            }
        }
    }
    out
}

/// The lite build (every page but the console and the live lessons) loads only the first of a
/// language's two catalog files: the code it is built from may name no key of the second
/// (`locales/full/`), which only the full build fetches.
#[test]
fn the_lite_builds_code_names_only_keys_of_the_lite_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut skip = full_only_modules(&root.join("src/lib.rs"));
    skip.extend(full_only_modules(&root.join("src/pages.rs")));
    assert_eq!(skip.len(), 8, "host, console, hostnames, live: {skip:?}");
    // Core's console evaluator, which only the full build runs (the lite build's Predict shows
    // the answers written down in core instead), with the texts of its board.
    skip.push(root.join("crates/core/src/console"));
    let mut sources = Vec::new();
    sources_but(&root.join("src"), &skip, &mut sources);
    sources_but(&root.join("crates/core/src"), &skip, &mut sources);
    let lite = Catalog::parse(Lang::En.catalog_source().unwrap()).unwrap();
    let full = Catalog::parse(Lang::En.full_catalog_source().unwrap()).unwrap();
    assert!(full.keys().len() > 100, "the full build's texts are there");
    for (path, text) in &sources {
        for key in keys_in(text) {
            assert!(
                lite.contains(&key),
                "{path} names `{key}`, which is not in locales/en.txt (the lite build's texts){}",
                if full.contains(&key) {
                    ": move it there from locales/full/"
                } else {
                    ""
                }
            );
        }
    }
}
