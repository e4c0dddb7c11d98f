//! Data the app fetches when it needs it, instead of carrying it in the wasm every page
//! downloads (issue #15's size budget): the string catalog of the reader's language (the other
//! one only if they switch; and of its texts, only those every page may use and those of the
//! pages of the build it loaded, see [`crate::builds`]), the errno lessons, which only `/errors`
//! shows, and the GBK table, which `/text` and the console need.
//!
//! Each is one file beside the app, named after a hash of its bytes like trunk's own files
//! (`lessons-<16 hex digits>.txt`), so a browser may keep it forever and a page can only ever
//! get the file of its own build. Core computes the name at compile time from the same bytes the
//! build step writes (`cargo xtask deferred`, trunk's post-build hook). With the `deferred`
//! feature (the app's browser build) the bytes are left out of the program: [`Deferred::get`]
//! is `None` until the page [`Deferred::install`]s the fetched file, which checks its hash.
//! Without it (the companion, the CLI, every test) they are compiled in and always there.

use std::fmt;

use crate::builds::Build;
use crate::lang::Lang;

/// One file of data left out of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Deferred {
    /// `crates/core/data/errno/`: the examples, then the English and Chinese texts, each
    /// followed by a NUL byte.
    Lessons,
    /// The GBK table as the codec carries it (each code point as a difference, see `codec`).
    Gbk,
    /// A language's string catalog without its comments: with `None`, the texts every build's
    /// pages may use (`locales/en.txt`, `locales/zh-CN.txt`); with a build, those only its
    /// pages use (`locales/<build>/en.txt`...), which no other build fetches.
    Catalog(Lang, Option<Build>),
}

/// A catalog file as the page gets it (see [`served`]), its FNV-1a hash, and its name
/// (`catalog-<build>-<lang>-<hash>.txt`, the shared one without a build). Constants, not
/// statics, so the browser build keeps only the hashes and names; the bytes' one use beyond a
/// hash is compiled only where they are carried (the lint's worry is a large array copied at
/// every use).
macro_rules! catalog_file {
    ($bytes:ident, $hash:ident, $name:ident, $path:literal, $stem:literal) => {
        #[allow(clippy::large_const_arrays)]
        const $bytes: [u8; served_len(include_str!(concat!("../../../locales/", $path)))] =
            served(include_str!(concat!("../../../locales/", $path)));
        const $hash: u64 = fnv1a(&$bytes);
        const $name: [u8; $stem.len() + 20] = file_name($stem, $hash, b".txt");
    };
}
catalog_file!(EN, EN_HASH, EN_NAME, "en.txt", b"catalog-en-");
catalog_file!(ZH, ZH_HASH, ZH_NAME, "zh-CN.txt", b"catalog-zh-CN-");
catalog_file!(
    LITE_EN,
    LITE_EN_HASH,
    LITE_EN_NAME,
    "lite/en.txt",
    b"catalog-lite-en-"
);
catalog_file!(
    LITE_ZH,
    LITE_ZH_HASH,
    LITE_ZH_NAME,
    "lite/zh-CN.txt",
    b"catalog-lite-zh-CN-"
);
catalog_file!(
    CONSOLE_EN,
    CONSOLE_EN_HASH,
    CONSOLE_EN_NAME,
    "console/en.txt",
    b"catalog-console-en-"
);
catalog_file!(
    CONSOLE_ZH,
    CONSOLE_ZH_HASH,
    CONSOLE_ZH_NAME,
    "console/zh-CN.txt",
    b"catalog-console-zh-CN-"
);
catalog_file!(
    LIVE_EN,
    LIVE_EN_HASH,
    LIVE_EN_NAME,
    "live/en.txt",
    b"catalog-live-en-"
);
catalog_file!(
    LIVE_ZH,
    LIVE_ZH_HASH,
    LIVE_ZH_NAME,
    "live/zh-CN.txt",
    b"catalog-live-zh-CN-"
);

/// The catalog files' hashes and names, by [`catalog_index`].
const CATALOG_HASHES: [u64; 8] = [
    EN_HASH,
    ZH_HASH,
    LITE_EN_HASH,
    LITE_ZH_HASH,
    CONSOLE_EN_HASH,
    CONSOLE_ZH_HASH,
    LIVE_EN_HASH,
    LIVE_ZH_HASH,
];
const CATALOG_NAMES: [&[u8]; 8] = [
    &EN_NAME,
    &ZH_NAME,
    &LITE_EN_NAME,
    &LITE_ZH_NAME,
    &CONSOLE_EN_NAME,
    &CONSOLE_ZH_NAME,
    &LIVE_EN_NAME,
    &LIVE_ZH_NAME,
];

/// Where a catalog file is in the tables above: the shared texts, then each build's, each in
/// English then Chinese.
const fn catalog_index(lang: Lang, part: Option<Build>) -> usize {
    let part = match part {
        None => 0,
        Some(Build::Lite) => 1,
        Some(Build::Console) => 2,
        Some(Build::Live) => 3,
    };
    2 * part
        + match lang {
            Lang::En => 0,
            Lang::Zh => 1,
        }
}

/// Whether the line `text[start..end]` (its `\n` left out) goes to the page: not a comment
/// (`#` first, for the translators) and not blank; each one a catalog's parser skips.
const fn served_line(text: &[u8], start: usize, end: usize) -> bool {
    end > start && text[start] != b'#'
}

/// How long [`served`] makes `text`.
const fn served_len(text: &str) -> usize {
    let text = text.as_bytes();
    let (mut i, mut start, mut len) = (0, 0, 0);
    while i <= text.len() {
        if i == text.len() || text[i] == b'\n' {
            if served_line(text, start, i) {
                len += i - start + 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    len
}

/// A catalog file as the page gets it: its lines but the comments and the blank ones, each
/// ending in `\n` (about 400 bytes less in brotli, on every first visit). The compiler makes
/// it, so the file's name is the hash of these bytes.
const fn served<const N: usize>(text: &str) -> [u8; N] {
    let text = text.as_bytes();
    let mut out = [0u8; N];
    let (mut i, mut start, mut at) = (0, 0, 0);
    while i <= text.len() {
        if i == text.len() || text[i] == b'\n' {
            if served_line(text, start, i) {
                let mut j = start;
                while j < i {
                    out[at] = text[j];
                    at += 1;
                    j += 1;
                }
                out[at] = b'\n';
                at += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    assert!(at == N, "served_len and served agree");
    out
}

/// The lesson files, joined as [`Deferred::Lessons`] has them.
pub(crate) const LESSONS: &str = concat!(
    include_str!("../data/errno/examples.txt"),
    "\0",
    include_str!("../data/errno/en.txt"),
    "\0",
    include_str!("../data/errno/zh-CN.txt"),
    "\0",
);

/// CPython's GBK table (`vectors/gen_gbk.py`): code points by (lead - 0x81) * 191 +
/// (trail - 0x40), little-endian; 0 where there is none. Only the compiler reads it.
const GBK_SOURCE: &[u8; 48_132] = include_bytes!("codec_tables/gbk.bin");

/// What the [`Deferred::Gbk`] file holds instead: each code point as its difference from the
/// one before it that is not 0 (0 stays 0). GBK's later rows run in Unicode order, so most
/// differences are 1: brotli makes 14.7 KB of this, against 27.6 KB of the table itself.
#[cfg(not(feature = "deferred"))]
static GBK_DELTAS: [u8; 48_132] = gbk_deltas(GBK_SOURCE);
const GBK_HASH: u64 = fnv1a(&gbk_deltas(GBK_SOURCE));

const fn gbk_deltas<const N: usize>(table: &[u8; N]) -> [u8; N] {
    let mut out = [0; N];
    let (mut i, mut last) = (0, 0u16);
    while i < N {
        let n = u16::from_le_bytes([table[i], table[i + 1]]);
        if n != 0 {
            let delta = n.wrapping_sub(last);
            // 0 means "no character": no two neighbours may be the same character.
            assert!(delta != 0, "GBK table: a character twice in a row");
            let [lo, hi] = delta.to_le_bytes();
            out[i] = lo;
            out[i + 1] = hi;
            last = n;
        }
        i += 2;
    }
    out
}

const LESSONS_HASH: u64 = fnv1a(LESSONS.as_bytes());
const LESSONS_NAME: [u8; 28] = file_name(b"lessons-", LESSONS_HASH, b".txt");
const GBK_NAME: [u8; 24] = file_name(b"gbk-", GBK_HASH, b".bin");

impl Deferred {
    /// Every deferred file: the lessons, the GBK table, and each language's catalog files.
    pub const ALL: [Deferred; 10] = [
        Deferred::Lessons,
        Deferred::Gbk,
        Deferred::Catalog(Lang::En, None),
        Deferred::Catalog(Lang::Zh, None),
        Deferred::Catalog(Lang::En, Some(Build::Lite)),
        Deferred::Catalog(Lang::Zh, Some(Build::Lite)),
        Deferred::Catalog(Lang::En, Some(Build::Console)),
        Deferred::Catalog(Lang::Zh, Some(Build::Console)),
        Deferred::Catalog(Lang::En, Some(Build::Live)),
        Deferred::Catalog(Lang::Zh, Some(Build::Live)),
    ];

    /// Where the file is in [`Deferred::ALL`].
    #[cfg(any(test, feature = "deferred"))]
    const fn index(self) -> usize {
        match self {
            Deferred::Lessons => 0,
            Deferred::Gbk => 1,
            Deferred::Catalog(lang, part) => 2 + catalog_index(lang, part),
        }
    }

    /// The file's name beside the app's other files: `lessons-0123456789abcdef.txt`.
    pub fn file_name(self) -> &'static str {
        let bytes: &'static [u8] = match self {
            Deferred::Lessons => &LESSONS_NAME,
            Deferred::Gbk => &GBK_NAME,
            Deferred::Catalog(lang, part) => CATALOG_NAMES[catalog_index(lang, part)],
        };
        // Built from ASCII by `file_name` below.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The FNV-1a hash of the file's bytes: the 16 hex digits of its name.
    pub fn hash(self) -> u64 {
        match self {
            Deferred::Lessons => LESSONS_HASH,
            Deferred::Gbk => GBK_HASH,
            Deferred::Catalog(lang, part) => CATALOG_HASHES[catalog_index(lang, part)],
        }
    }

    /// The file's bytes, as the build writes them next to the app.
    #[cfg(not(feature = "deferred"))]
    pub fn contents(self) -> &'static [u8] {
        const CATALOGS: [&[u8]; 8] = [
            &EN,
            &ZH,
            &LITE_EN,
            &LITE_ZH,
            &CONSOLE_EN,
            &CONSOLE_ZH,
            &LIVE_EN,
            &LIVE_ZH,
        ];
        match self {
            Deferred::Lessons => LESSONS.as_bytes(),
            Deferred::Gbk => &GBK_DELTAS,
            Deferred::Catalog(lang, part) => CATALOGS[catalog_index(lang, part)],
        }
    }

    /// The bytes, if this program has them: always when they are compiled in; once installed
    /// when they are not.
    pub fn get(self) -> Option<&'static [u8]> {
        #[cfg(not(feature = "deferred"))]
        {
            Some(self.contents())
        }
        #[cfg(feature = "deferred")]
        {
            installed::slot(self).get().copied()
        }
    }

    /// Takes the fetched file. It must be this build's: its hash must be the one in the name
    /// (a page of an older build that outlived a rebuild gets a 404, never another build's
    /// file, but a proxy or a hand-copied `dist/` could still mix them).
    pub fn install(self, bytes: Vec<u8>) -> Result<(), Mismatch> {
        let got = fnv1a(&bytes);
        if got != self.hash() {
            return Err(Mismatch {
                file: self,
                got,
                len: bytes.len(),
            });
        }
        #[cfg(feature = "deferred")]
        {
            // Kept for the page's life, like the compiled-in bytes it stands for.
            let _ = installed::slot(self).set(Vec::leak(bytes));
        }
        #[cfg(not(feature = "deferred"))]
        drop(bytes); // the same bytes are compiled in
        Ok(())
    }
}

/// A fetched file whose bytes are not the ones its name promises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What was fetched.
    pub file: Deferred,
    /// The hash of what came.
    pub got: u64,
    /// How many bytes came.
    pub len: usize,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not this build's file: {} bytes hashing to {:016x}",
            self.file.file_name(),
            self.len,
            self.got
        )
    }
}

impl std::error::Error for Mismatch {}

#[cfg(feature = "deferred")]
mod installed {
    use super::Deferred;
    use std::sync::OnceLock;

    static SLOTS: [OnceLock<&'static [u8]>; Deferred::ALL.len()] =
        [const { OnceLock::new() }; Deferred::ALL.len()];

    pub(super) fn slot(file: Deferred) -> &'static OnceLock<&'static [u8]> {
        &SLOTS[file.index()]
    }
}

/// FNV-1a, 64 bits: small, and a `const fn`, so the names are computed by the compiler.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// `stem`, the hash in 16 lower-case hex digits, `extension`.
const fn file_name<const N: usize>(stem: &[u8], hash: u64, extension: &[u8]) -> [u8; N] {
    assert!(stem.len() + 16 + extension.len() == N, "file name length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < stem.len() {
        out[i] = stem[i];
        i += 1;
    }
    let mut d = 0;
    while d < 16 {
        let nibble = ((hash >> (60 - 4 * d)) & 0xf) as u8;
        out[i] = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        };
        i += 1;
        d += 1;
    }
    let mut e = 0;
    while e < extension.len() {
        out[i] = extension[e];
        i += 1;
        e += 1;
    }
    out
}

#[cfg(all(test, not(feature = "deferred")))]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_hash_of_the_bytes_written() {
        for file in Deferred::ALL {
            let name = file.file_name();
            let (stem, extension) = name.rsplit_once('.').expect("an extension");
            let (_, hex) = stem.rsplit_once('-').expect("a hash");
            assert_eq!(hex.len(), 16, "{name}");
            assert_eq!(
                u64::from_str_radix(hex, 16).ok(),
                Some(fnv1a(file.contents())),
                "{name}"
            );
            assert!(matches!(extension, "txt" | "bin"), "{name}");
        }
        assert!(Deferred::Lessons.file_name().starts_with("lessons-"));
        assert!(Deferred::Gbk.file_name().starts_with("gbk-"));
        let name = |lang, part| Deferred::Catalog(lang, part).file_name();
        assert!(name(Lang::En, None).starts_with("catalog-en-"));
        assert!(name(Lang::Zh, None).starts_with("catalog-zh-CN-"));
        assert!(name(Lang::Zh, Some(Build::Console)).starts_with("catalog-console-zh-CN-"));
        assert!(name(Lang::En, Some(Build::Live)).starts_with("catalog-live-en-"));
        for (i, file) in Deferred::ALL.into_iter().enumerate() {
            assert_eq!(file.index(), i, "{file:?}");
        }
    }

    #[test]
    fn fnv1a_is_the_published_function() {
        // The FNV test vectors (http://www.isthe.com/chongo/src/fnv/test_fnv.c).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn only_this_builds_bytes_install() {
        let mut other = Deferred::Lessons.contents().to_vec();
        other.push(b'x');
        let err = Deferred::Lessons
            .install(other)
            .expect_err("another build's file");
        assert_eq!(err.len, Deferred::Lessons.contents().len() + 1);
        assert!(err.to_string().starts_with("lessons-"), "{err}");
        assert_eq!(
            Deferred::Gbk.install(Deferred::Gbk.contents().to_vec()),
            Ok(())
        );
    }
}
