//! Where the app is: the topic in the URL's path, the page's state in its query string.
//!
//! Pure functions only, so the URL scheme is tested natively. `/byte-order?v=256&w=2` is the
//! byte-order page with 256 in two bytes; a teacher can share exactly that link.

pub use socklab_core::builds::Build;

/// Whether this build of the app has `build`'s pages: by its features (Cargo.toml), one in each
/// build trunk makes, all three in the native one the tests use.
pub fn this_build_has(build: Build) -> bool {
    match build {
        Build::Lite => cfg!(feature = "lite"),
        Build::Console => cfg!(feature = "console"),
        Build::Live => cfg!(feature = "live"),
    }
}

/// A topic page. Only topics that exist are listed; the order is the seed's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// 错误信息: the exception table grown into a catalog.
    Errors,
    /// 地址族: address tuples, inet_aton/inet_pton, getaddrinfo.
    Addresses,
    /// 使用主机名: which address to use where, and why names are a risk.
    Hostnames,
    /// 阻塞调用, 关闭连接: blocking modes and closing, live.
    Live,
    /// 字节序: integers to bytes and back, htons and friends.
    ByteOrder,
    /// struct: pack and unpack with any format, annotated.
    Struct,
    /// 文本与编码: text to bytes and back in every codec.
    Text,
    /// 控制台: the learner's own socket code, run for real in panes side by side.
    Console,
}

impl Route {
    /// Every page, in navigation order.
    pub const ALL: [Route; 8] = [
        Route::Errors,
        Route::Addresses,
        Route::Hostnames,
        Route::Live,
        Route::ByteOrder,
        Route::Struct,
        Route::Text,
        Route::Console,
    ];

    /// The URL path.
    pub fn path(self) -> &'static str {
        match self {
            Route::Errors => "/errors",
            Route::Addresses => "/addresses",
            Route::Hostnames => "/hostnames",
            Route::Live => "/live",
            Route::ByteOrder => "/byte-order",
            Route::Struct => "/struct",
            Route::Text => "/text",
            Route::Console => "/console",
        }
    }

    /// The build of the app that has this page (core's `builds`).
    pub fn build(self) -> Build {
        Build::of(self.path())
    }

    /// Whether this build of the app shows this page. The builds split the pages between them
    /// (each leaves the others' out, so that each page downloads only what it needs), and a page
    /// of another build opens with a page load, which index.html's loader gives the build that
    /// has it. The app built natively for the tests, with every feature, has every page.
    pub fn in_this_build(self) -> bool {
        this_build_has(self.build())
    }

    /// The catalog key of the page's name.
    pub fn title_key(self) -> &'static str {
        match self {
            Route::Errors => "nav.errors",
            Route::Addresses => "nav.addresses",
            Route::Hostnames => "nav.hostnames",
            Route::Live => "nav.live",
            Route::ByteOrder => "nav.byteorder",
            Route::Struct => "nav.struct",
            Route::Text => "nav.text",
            Route::Console => "nav.console",
        }
    }

    /// The page for a path; `/` and unknown paths go to the first topic.
    pub fn from_path(path: &str) -> Route {
        let path = path.trim_end_matches('/');
        Route::ALL
            .into_iter()
            .find(|r| r.path() == path)
            .unwrap_or(Route::ByteOrder)
    }
}

/// The console's query for these panes' lines: `p1`, `p2`, … one statement per line.
pub fn console_query(panes: &[Vec<String>]) -> String {
    let names = ["p1", "p2", "p3", "p4"];
    let pairs: Vec<(&str, String)> = panes
        .iter()
        .zip(names)
        .map(|(lines, name)| (name, lines.join("\n")))
        .collect();
    build_query(&pairs)
}

/// The console with these panes' lines, not yet run: where every "open in the console" link
/// goes.
pub fn console_with(panes: &[Vec<String>]) -> String {
    format!("{}{}", Route::Console.path(), console_query(panes))
}

/// The link of the page shown, as the teacher shows it to the class: its path and its query
/// (the page's whole state), without a `token` should one still be there.
pub fn class_link(route: Route, query: &str) -> String {
    let pairs = parse_query(query);
    if pairs.iter().all(|(k, _)| !k.eq_ignore_ascii_case("token")) {
        return format!("{}{query}", route.path());
    }
    let rest: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("token"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    format!("{}{}", route.path(), build_query(&rest))
}

/// Splits a query string (`?a=1&b=x%20y` or `a=1...`) into decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Builds a query string (with its `?`, or empty when there are no pairs).
pub fn build_query(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    format!("?{}", body.join("&"))
}

/// The value of a key in decoded pairs.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` and `+`; invalid escapes are kept as they are.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(Route::from_path("/byte-order"), Route::ByteOrder);
        assert_eq!(Route::from_path("/byte-order/"), Route::ByteOrder);
        assert_eq!(Route::from_path("/"), Route::ByteOrder);
        assert_eq!(Route::from_path("/nope"), Route::ByteOrder);
        assert_eq!(Route::from_path("/live"), Route::Live);
        assert_eq!(Route::from_path("/console"), Route::Console);
    }

    /// Core decides which links may be shown to a class from its own list of the app's pages.
    #[test]
    fn core_knows_every_page() {
        let paths: Vec<&str> = Route::ALL.iter().map(|r| r.path()).collect();
        assert_eq!(paths, socklab_core::protocol::link::APP_PATHS);
    }

    #[test]
    fn the_class_is_shown_the_page_without_a_token() {
        use socklab_core::protocol::link::check_link;
        let link = class_link(Route::Struct, "?f=%3EH&v=1");
        assert_eq!(link, "/struct?f=%3EH&v=1");
        assert!(check_link(&link).is_ok());
        assert_eq!(class_link(Route::Text, ""), "/text");
        let link = class_link(Route::Console, "?p1=x%3D1&token=00ff&p2=");
        assert_eq!(link, "/console?p1=x%3D1&p2=");
        assert!(check_link(&link).is_ok());
    }

    #[test]
    fn query_round_trip() {
        let q = build_query(&[("v", "b'\\x01\\x00' 中".to_owned()), ("w", "2".to_owned())]);
        assert!(q.starts_with("?v=b%27%5Cx01"), "{q}");
        let pairs = parse_query(&q);
        assert_eq!(get(&pairs, "v"), Some("b'\\x01\\x00' 中"));
        assert_eq!(get(&pairs, "w"), Some("2"));
        assert_eq!(get(&pairs, "x"), None);
        assert_eq!(build_query(&[]), "");
    }

    #[test]
    fn bad_escapes_survive() {
        assert_eq!(
            parse_query("a=%&b=%zz&c=%4"),
            vec![
                ("a".to_owned(), "%".to_owned()),
                ("b".to_owned(), "%zz".to_owned()),
                ("c".to_owned(), "%4".to_owned())
            ]
        );
        assert_eq!(
            parse_query("a=x+y"),
            vec![("a".to_owned(), "x y".to_owned())]
        );
    }
}
