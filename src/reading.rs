//! Further reading: the guide's external references, per page, in one place.
//!
//! The guide is mostly a list of references (Python's socket docs, the HOWTO, the notes on
//! timeouts, Wikipedia, RFCs, the ssl module, the let-localhost draft). Each page ends with the
//! ones about its topic. The addresses live here, not in components; the titles live in the
//! catalogs (`read.*`). Where the Python docs or Wikipedia have a Chinese version, the Chinese
//! page links to it.

use crate::route::Route;
use socklab_core::i18n::Lang;

/// One outside page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// The catalog key of its title.
    pub key: &'static str,
    /// Its address.
    pub url: &'static str,
    /// Its Chinese version's address, where there is one.
    pub url_zh: Option<&'static str>,
}

impl Link {
    /// The address to open in a language.
    pub fn url(&self, lang: Lang) -> &'static str {
        match (lang, self.url_zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => self.url,
        }
    }
}

const fn link(key: &'static str, url: &'static str, url_zh: Option<&'static str>) -> Link {
    Link { key, url, url_zh }
}

const SOCKET: Link = link(
    "read.socket",
    "https://docs.python.org/3.11/library/socket.html",
    Some("https://docs.python.org/zh-cn/3.11/library/socket.html"),
);
const HOWTO: Link = link(
    "read.howto",
    "https://docs.python.org/3.11/howto/sockets.html",
    Some("https://docs.python.org/zh-cn/3.11/howto/sockets.html"),
);
const EXCEPTIONS: Link = link(
    "read.exceptions",
    "https://docs.python.org/3.11/library/exceptions.html#os-exceptions",
    Some("https://docs.python.org/zh-cn/3.11/library/exceptions.html#os-exceptions"),
);
const FAMILIES: Link = link(
    "read.families",
    "https://docs.python.org/3.11/library/socket.html#socket-families",
    Some("https://docs.python.org/zh-cn/3.11/library/socket.html#socket-families"),
);
const EXAMPLES: Link = link(
    "read.examples",
    "https://docs.python.org/3.11/library/socket.html#example",
    Some("https://docs.python.org/zh-cn/3.11/library/socket.html#example"),
);
const TIMEOUTS: Link = link(
    "read.timeouts",
    "https://docs.python.org/3.11/library/socket.html#notes-on-socket-timeouts",
    Some("https://docs.python.org/zh-cn/3.11/library/socket.html#notes-on-socket-timeouts"),
);
const SSL: Link = link(
    "read.ssl",
    "https://docs.python.org/3.11/library/ssl.html",
    Some("https://docs.python.org/zh-cn/3.11/library/ssl.html"),
);
const STRUCT: Link = link(
    "read.struct",
    "https://docs.python.org/3.11/library/struct.html",
    Some("https://docs.python.org/zh-cn/3.11/library/struct.html"),
);
const ENDIANNESS: Link = link(
    "read.endianness",
    "https://en.wikipedia.org/wiki/Endianness",
    Some("https://zh.wikipedia.org/wiki/%E5%AD%97%E8%8A%82%E5%BA%8F"),
);
const UNICODE: Link = link(
    "read.unicode",
    "https://en.wikipedia.org/wiki/Unicode",
    Some("https://zh.wikipedia.org/wiki/Unicode"),
);
const RFC3629: Link = link(
    "read.rfc3629",
    "https://www.rfc-editor.org/rfc/rfc3629#section-6",
    None,
);
const RFC9110: Link = link(
    "read.rfc9110",
    "https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1",
    None,
);
const RFC9112: Link = link(
    "read.rfc9112",
    "https://www.rfc-editor.org/rfc/rfc9112#section-9.6",
    None,
);
const LOCALHOST: Link = link(
    "read.localhost",
    "https://datatracker.ietf.org/doc/html/draft-ietf-dnsop-let-localhost-be-localhost",
    None,
);

/// Every page's list. A page missing here gets none, and a test fails.
const READING: [(Route, &[Link]); 8] = [
    (Route::Errors, &[EXCEPTIONS, SOCKET, HOWTO]),
    (Route::Addresses, &[FAMILIES, SOCKET, EXAMPLES]),
    (Route::Hostnames, &[FAMILIES, LOCALHOST, SSL]),
    (Route::Live, &[TIMEOUTS, HOWTO, RFC9110, RFC9112]),
    (Route::ByteOrder, &[ENDIANNESS, SOCKET, STRUCT]),
    (Route::Struct, &[STRUCT, ENDIANNESS]),
    (Route::Text, &[UNICODE, RFC3629]),
    (Route::Console, &[EXAMPLES, HOWTO, TIMEOUTS]),
];

/// The further reading at the end of a page.
pub fn for_route(route: Route) -> &'static [Link] {
    READING
        .iter()
        .find(|(r, _)| *r == route)
        .map_or(&[], |(_, links)| links)
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab_core::i18n::Catalog;

    #[test]
    fn every_page_has_its_further_reading() {
        for route in Route::ALL {
            let links = for_route(route);
            assert!(!links.is_empty(), "{route:?} has no further reading");
            for lang in Lang::ALL {
                let catalog = Catalog::builtin(lang);
                for l in links {
                    assert!(catalog.contains(l.key), "{lang:?} lacks {}", l.key);
                    assert!(l.url(lang).starts_with("https://"), "{}", l.url(lang));
                }
            }
        }
    }

    /// The guide's references are all there, each on at least one page.
    #[test]
    fn the_guides_references_are_all_linked() {
        let all: Vec<&str> = Route::ALL
            .into_iter()
            .flat_map(for_route)
            .map(|l| l.url)
            .collect();
        for want in [
            "library/socket.html",
            "howto/sockets.html",
            "#notes-on-socket-timeouts",
            "socket.html#example",
            "wiki/Endianness",
            "wiki/Unicode",
            "rfc3629",
            "rfc9110",
            "rfc9112",
            "library/ssl.html",
            "let-localhost-be-localhost",
        ] {
            assert!(all.iter().any(|u| u.contains(want)), "no link to {want}");
        }
        assert_eq!(ENDIANNESS.url(Lang::Zh), ENDIANNESS.url_zh.unwrap());
        assert_eq!(RFC3629.url(Lang::Zh), RFC3629.url);
    }
}
