//! The interface's languages and their string catalogs.
//!
//! Every string the app shows comes from one catalog file per language (`locales/*.txt` at the
//! workspace root), so a translation can be reviewed as a whole. The format is one entry per
//! line, `key = text`, with `#` comments, `\n` for a line break, and `{name}` placeholders.
//! A count's noun agrees with it through a plural form, `{name|one|other}`: `{n} {n|byte|bytes}`
//! gives "1 byte" and "2 bytes". English needs it; Chinese nouns do not change.

use crate::builds::Build;
use crate::deferred::Deferred;
use std::collections::HashMap;

pub use crate::lang::Lang;

/// The catalog's files (core's `deferred`), by language.
impl Lang {
    /// A file of this language's catalog: with `None`, the texts every build's pages may use;
    /// with a build, those only its pages use. Compiled in, or fetched by the app's browser
    /// build.
    pub fn catalog_file(self, part: Option<Build>) -> Deferred {
        Deferred::Catalog(self, part)
    }

    /// Every file of this language's catalog: the shared texts, then each build's.
    pub fn all_catalog_files(self) -> [Deferred; 4] {
        let [lite, console, live] = Build::ALL.map(|b| self.catalog_file(Some(b)));
        [self.catalog_file(None), lite, console, live]
    }
}

/// A problem in a catalog file, with its line number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A line with no ` = `.
    #[error("line {line}: expected `key = text`")]
    NoEquals {
        /// 1-based line number.
        line: usize,
    },
    /// The same key twice.
    #[error("line {line}: duplicate key `{key}`")]
    Duplicate {
        /// 1-based line number.
        line: usize,
        /// The key.
        key: String,
    },
}

/// One language's strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    entries: HashMap<String, String>,
}

impl Catalog {
    /// Parses a catalog file.
    ///
    /// ```
    /// use socklab_core::i18n::Catalog;
    /// let c = Catalog::parse("# greeting\nhello = Hello, {name}!\n").unwrap();
    /// assert_eq!(c.format("hello", &[("name", "socklab")]), "Hello, socklab!");
    /// ```
    pub fn parse(source: &str) -> Result<Catalog, CatalogError> {
        let mut entries = HashMap::new();
        for (i, raw) in source.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, text)) = line
                .split_once(" = ")
                .or_else(|| line.strip_suffix(" =").map(|k| (k, "")))
            else {
                return Err(CatalogError::NoEquals { line: i + 1 });
            };
            let key = key.trim().to_owned();
            let text = text.trim().replace("\\n", "\n");
            if entries.insert(key.clone(), text).is_some() {
                return Err(CatalogError::Duplicate { line: i + 1, key });
            }
        }
        Ok(Catalog { entries })
    }

    /// The texts of these catalog files joined: `None` in the app's browser build until the
    /// page has fetched them all.
    ///
    /// # Panics
    /// If a file is malformed, which a unit test rules out.
    pub fn available(files: &[Deferred]) -> Option<Catalog> {
        // All there before any is parsed: a page waiting for its second file parses nothing.
        let sources: Vec<&[u8]> = files.iter().map(|f| f.get()).collect::<Option<_>>()?;
        let mut catalog = Catalog::default();
        for bytes in sources {
            let source = std::str::from_utf8(bytes).ok()?;
            let part = Catalog::parse(source).expect("built-in catalogs are checked by tests");
            catalog.entries.extend(part.entries);
        }
        Some(catalog)
    }

    /// Every text of a language, every build's, compiled in (tests, the companion).
    ///
    /// # Panics
    /// If it is not there (the app's browser build, which fetches its files: use
    /// [`Catalog::available`]), or malformed, which a unit test rules out.
    pub fn builtin(lang: Lang) -> Catalog {
        Catalog::available(&lang.all_catalog_files())
            .expect("the catalog is compiled in or fetched before use")
    }

    /// The text of a key, or the key itself if it is missing (visible, never a crash).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.entries.get(key).map_or(key, String::as_str)
    }

    /// Does the catalog have this key?
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// The text of a key with its `{name}` placeholders filled in, and its plural forms
    /// `{name|one|other}` chosen by the value: `one` for exactly 1, `other` for anything else.
    ///
    /// ```
    /// use socklab_core::i18n::Catalog;
    /// let c = Catalog::parse("got = {n} {n|byte|bytes} in {k} {k|entry|entries}\n").unwrap();
    /// assert_eq!(c.format("got", &[("n", "1"), ("k", "2")]), "1 byte in 2 entries");
    /// assert_eq!(c.format("got", &[("n", "0"), ("k", "1")]), "0 bytes in 1 entry");
    /// ```
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
            text = choose_plural(&text, name, value);
        }
        text
    }

    /// The text of a [`crate::pyerror::Hint`].
    pub fn hint(&self, hint: &crate::pyerror::Hint) -> String {
        let args: Vec<(&str, &str)> = hint.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.format(hint.key, &args)
    }

    /// All keys, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.entries.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    /// The `{name}` placeholders a key's text uses, sorted.
    pub fn placeholders(&self, key: &str) -> Vec<String> {
        let text = self.get(key);
        let mut out: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(inside, _)| inside))
            .map(|inside| inside.split('|').next().unwrap_or_default().to_owned())
            .filter(|name| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Replaces every `{name|one|other}` in `text` with the form `value` asks for.
fn choose_plural(text: &str, name: &str, value: &str) -> String {
    let opening = format!("{{{name}|");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&opening) {
        let inside = &rest[at + opening.len()..];
        let Some(end) = inside.find('}') else { break };
        let (one, other) = inside[..end]
            .split_once('|')
            .unwrap_or((&inside[..end], ""));
        out.push_str(&rest[..at]);
        out.push_str(if value.trim() == "1" { one } else { other });
        rest = &inside[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod glossary;
#[cfg(test)]
mod zh_text;

#[cfg(test)]
mod tests {
    use super::*;

    /// A language's files: the texts every page may use, then each build's own, with the path
    /// of each in `locales/`.
    fn files(lang: Lang) -> [(String, Catalog); 4] {
        lang.all_catalog_files().map(|file| {
            let Deferred::Catalog(_, part) = file else {
                unreachable!("catalog files")
            };
            let path = match part {
                None => format!("locales/{}.txt", lang.tag()),
                Some(b) => format!("locales/{}/{}.txt", b.name(), lang.tag()),
            };
            let source = std::str::from_utf8(file.get().expect("compiled in")).unwrap();
            let catalog = Catalog::parse(source).unwrap_or_else(|e| panic!("{path}: {e}"));
            (path, catalog)
        })
    }

    /// A catalog file as served (core's `deferred`) is the file in `locales/` without its
    /// comments and blank lines: the same texts.
    #[test]
    fn a_served_catalog_holds_every_text_of_its_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for lang in Lang::ALL {
            for ((path, catalog), file) in files(lang).into_iter().zip(lang.all_catalog_files()) {
                let source = std::fs::read_to_string(root.join(&path)).unwrap();
                let served = std::str::from_utf8(file.get().expect("compiled in")).unwrap();
                assert_eq!(Catalog::parse(&source).as_ref(), Ok(&catalog), "{path}");
                assert!(
                    source.lines().any(|l| l.starts_with('#')),
                    "{path} has comments"
                );
                assert!(served.lines().all(|l| !l.is_empty() && !l.starts_with('#')));
                assert!(served.ends_with('\n'));
            }
        }
    }

    /// Every file parses, and no key is in two: a build joins the shared file and its own.
    #[test]
    fn builtin_catalogs_parse() {
        for lang in Lang::ALL {
            let files = files(lang);
            let mut seen = HashMap::new();
            for (path, catalog) in &files {
                assert!(catalog.keys().len() > 20, "{path} has texts");
                for key in catalog.keys() {
                    if let Some(other) = seen.insert(key.to_owned(), path.clone()) {
                        panic!("`{key}` is in both {other} and {path}");
                    }
                }
            }
            assert_eq!(Catalog::builtin(lang).keys().len(), seen.len());
        }
    }

    /// The two languages' files must have exactly the same keys (the lite build, in either
    /// language, has every text its pages use), and each key the same placeholders.
    #[test]
    fn catalogs_have_the_same_keys_and_placeholders() {
        for ((_, en), (_, zh)) in files(Lang::En).into_iter().zip(files(Lang::Zh)) {
            same_keys_and_placeholders(&en, &zh);
        }
    }

    fn same_keys_and_placeholders(en: &Catalog, zh: &Catalog) {
        let only_en: Vec<_> = en.keys().into_iter().filter(|k| !zh.contains(k)).collect();
        let only_zh: Vec<_> = zh.keys().into_iter().filter(|k| !en.contains(k)).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "only in en: {only_en:?}; only in zh-CN: {only_zh:?}"
        );
        for key in en.keys() {
            assert_eq!(
                en.placeholders(key),
                zh.placeholders(key),
                "placeholders of `{key}` differ"
            );
        }
    }

    /// Every plural form names a placeholder of its text and has exactly two forms; and no
    /// English text, filled with 1 wherever it takes a number, says "1 bytes".
    #[test]
    fn counts_agree_with_their_nouns() {
        let en = Catalog::builtin(Lang::En);
        let zh = Catalog::builtin(Lang::Zh);
        for catalog in [&en, &zh] {
            for key in catalog.keys() {
                let text = catalog.get(key);
                for inside in text.split('{').skip(1).filter_map(|r| r.split_once('}')) {
                    let parts: Vec<&str> = inside.0.split('|').collect();
                    if parts.len() > 1 {
                        assert_eq!(parts.len(), 3, "{key}: {{{}}} has two forms", inside.0);
                        assert!(
                            text.contains(&format!("{{{}}}", parts[0])),
                            "{key}: the plural of {} has no {{{}}} beside it",
                            parts[0],
                            parts[0]
                        );
                    }
                }
            }
        }
        let plurals = [
            "bytes", "bits", "entries", "values", "structs", "seconds", "were", "hold",
        ];
        let mut found = Vec::new();
        for key in en.keys() {
            let names = en.placeholders(key);
            let ones: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
            let text = en.format(key, &ones);
            let words: Vec<&str> = text.split_whitespace().collect();
            for pair in words.windows(2) {
                let noun = pair[1].trim_end_matches(|c: char| !c.is_alphanumeric());
                if pair[0] == "1" && plurals.contains(&noun) {
                    found.push(format!("{key}: {text}"));
                }
            }
        }
        assert!(
            found.is_empty(),
            "use {{n|one|other}}:\n{}",
            found.join("\n")
        );
        assert_eq!(
            en.format("st.total", &[("n", "1")]),
            "1 byte in all",
            "st.total takes the singular"
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            Catalog::parse("a = 1\nb").unwrap_err(),
            CatalogError::NoEquals { line: 2 }
        );
        assert_eq!(
            Catalog::parse("a = 1\na = 2").unwrap_err(),
            CatalogError::Duplicate {
                line: 2,
                key: "a".to_owned()
            }
        );
    }

    #[test]
    fn preferences() {
        assert_eq!(Lang::from_preferences(["fr-FR", "zh-CN", "en"]), Lang::Zh);
        assert_eq!(Lang::from_preferences(["de"]), Lang::En);
    }
}
