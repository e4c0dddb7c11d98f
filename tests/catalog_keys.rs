#![cfg(not(target_arch = "wasm32"))]
//! Every catalog key the app's source names exists in both catalogs, and every key in the
//! catalogs is used somewhere (no dead translations).

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
    let used: std::collections::BTreeSet<String> =
        sources.iter().flat_map(|s| keys_in(s)).collect();
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
