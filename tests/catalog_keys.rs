#![cfg(not(target_arch = "wasm32"))]
//! Every catalog key the app's source names (or an exercise's why) exists in both catalogs, and
//! every key in the catalogs is used somewhere (no dead translations).

use socklab_core::builds::Build;
use socklab_core::i18n::{Catalog, Lang};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    let mut used: BTreeSet<String> = sources.iter().flat_map(|s| keys_in(s)).collect();
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
fn sources_but(dir: &Path, skip: &[PathBuf], out: &mut Vec<(String, String)>) {
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

/// The build each page's module (`src/pages/<name>.rs` and `src/pages/<name>/`) belongs to.
const PAGES: [(&str, Build); 8] = [
    ("errors", Build::Lite),
    ("addresses", Build::Lite),
    ("hostnames", Build::Lite),
    ("byteorder", Build::Lite),
    ("structs", Build::Lite),
    ("text", Build::Lite),
    ("console", Build::Console),
    ("live", Build::Live),
];

/// The keys the code of `build` names: every source of the app and of core but the pages of the
/// other builds and, in the lite build, the evaluator (the app's `host` and core's console, which
/// it does not compile or never runs: its Predict shows the answers written down in core); and
/// the whys of its pages' exercises.
fn keys_of(build: Build) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut skip = Vec::new();
    for (name, of) in PAGES {
        if of != build {
            skip.push(root.join(format!("src/pages/{name}.rs")));
            skip.push(root.join(format!("src/pages/{name}")));
        }
    }
    if !build.evaluates() {
        skip.push(root.join("src/host.rs"));
        skip.push(root.join("crates/core/src/console"));
    }
    let mut sources = Vec::new();
    sources_but(&root.join("src"), &skip, &mut sources);
    sources_but(&root.join("crates/core/src"), &skip, &mut sources);
    let mut keys: BTreeSet<String> = sources.iter().flat_map(|(_, s)| keys_in(s)).collect();
    keys.extend(
        socklab_core::exercise::exercises()
            .iter()
            .filter(|e| Build::of(&e.page) == build)
            .map(socklab_core::exercise::Exercise::why_key),
    );
    keys
}

/// The keys of one catalog file (English; the Chinese one has the same, a core test checks).
fn file_keys(part: Option<Build>) -> BTreeSet<String> {
    let catalog = Catalog::available(&[Lang::En.catalog_file(part)]).expect("compiled in");
    catalog.keys().into_iter().map(str::to_owned).collect()
}

/// The table above has every page, and the app declares the pages and the evaluator for the
/// builds that have them.
#[test]
fn every_page_has_its_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = std::fs::read_to_string(root.join("src/pages.rs")).unwrap();
    let declared: Vec<&str> = pages
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect();
    let mut listed: Vec<&str> = PAGES.iter().map(|(name, _)| *name).collect();
    let mut declared_sorted = declared.clone();
    listed.sort_unstable();
    declared_sorted.sort_unstable();
    assert_eq!(listed, declared_sorted, "src/pages.rs's modules");
    for (name, build) in PAGES {
        if build != Build::Lite {
            let cfg = format!("#[cfg(feature = \"{}\")]\npub mod {name};", build.name());
            assert!(pages.contains(&cfg), "src/pages.rs: {cfg}");
        }
    }
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    assert!(lib.contains("#[cfg(feature = \"evaluator\")]\npub mod host;"));
}

/// Each build fetches two catalog files: the texts every page may use (`locales/`) and its own
/// pages' (`locales/<build>/`). The code it is built from may name no key of another build's
/// file; and a text is in a build's file exactly when only that build's code names it, so that
/// no page downloads texts it never shows.
#[test]
fn each_builds_code_names_only_keys_of_its_two_catalog_files() {
    let shared = file_keys(None);
    let named: Vec<(Build, BTreeSet<String>)> =
        Build::ALL.into_iter().map(|b| (b, keys_of(b))).collect();
    for (build, keys) in &named {
        let own = file_keys(Some(*build));
        assert!(own.len() > 20, "locales/{}/en.txt has texts", build.name());
        for key in keys {
            let only_here = named.iter().all(|(b, k)| b == build || !k.contains(key));
            assert!(
                shared.contains(key) || own.contains(key),
                "the {} build's code names `{key}`, which is not in a file it fetches: move it to \
                 {} (and its zh-CN.txt)",
                build.name(),
                if only_here {
                    format!("locales/{}/en.txt", build.name())
                } else {
                    "locales/en.txt".to_owned()
                }
            );
        }
        for key in &own {
            let also: Vec<&str> = named
                .iter()
                .filter(|(b, k)| b != build && k.contains(key))
                .map(|(b, _)| b.name())
                .collect();
            assert!(
                also.is_empty(),
                "`{key}` is in locales/{}/, but the {also:?} build's code names it too: move it \
                 to locales/en.txt (and zh-CN.txt)",
                build.name()
            );
        }
    }
    for key in &shared {
        let by: Vec<&str> = named
            .iter()
            .filter(|(_, k)| k.contains(key))
            .map(|(b, _)| b.name())
            .collect();
        assert!(
            by.len() > 1,
            "`{key}` is in locales/en.txt, which every build fetches, but only the {by:?} \
             build's code names it: move it to that build's file"
        );
    }
}
