//! A link the teacher shows the class: an in-app route with its query, and nothing else.
//!
//! In classroom mode the teacher's page sends the link of the page it shows, and every student
//! page that follows the teacher opens it at once. Whatever travels that way must never take a
//! student's browser away from socklab, nor carry a token. So both ends (the companion before it
//! forwards a link, the student page before it opens one) run [`check_link`] on it: one of the
//! app's own paths ([`APP_PATHS`]), then optionally `?` and a query of plain URL characters, with
//! no fragment, no `token` parameter, no backslash, no control character, no space and nothing
//! outside ASCII (the page percent-encodes its queries).

/// The app's pages, as their paths. The app's `Route::path` lists the same (a test there checks
/// it), and a link to any other path is refused.
pub const APP_PATHS: [&str; 8] = [
    "/errors",
    "/addresses",
    "/hostnames",
    "/live",
    "/byte-order",
    "/struct",
    "/text",
    "/console",
];

/// The longest link the class is shown, in bytes: the console's four panes of code fit.
pub const MAX_LINK_BYTES: usize = 16 * 1024;

/// Why a link may not be shown to the class.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Nothing at all.
    #[error("the link is empty")]
    Empty,
    /// Longer than [`MAX_LINK_BYTES`].
    #[error("the link is {0} bytes long; at most {MAX_LINK_BYTES} may be shown to the class")]
    TooLong(usize),
    /// Not a path of this site: `https://...`, `//host/...`, `javascript:...`, `errors`.
    #[error("only a page of this app may be shown to the class (a path such as /struct?f=%3EH), not another site or scheme")]
    NotInApp,
    /// A path the app has no page for.
    #[error("the app has no page {0:?}; its pages are {pages}", pages = APP_PATHS.join(", "))]
    UnknownPage(String),
    /// A character a link of the app never holds (a backslash, a control character, a space,
    /// `#`, anything outside ASCII), or a `%` not followed by two hex digits.
    #[error("the link holds {0:?}, which no link of the app holds")]
    BadCharacter(char),
    /// A `token` parameter: a token is never shown to the class.
    #[error("the link carries a token; tokens are never shown to the class")]
    Token,
}

/// A link that passed [`check_link`]: one of [`APP_PATHS`] and its query (empty, or starting
/// with `?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassLink<'a> {
    /// The page's path, one of [`APP_PATHS`].
    pub path: &'static str,
    /// The query, with its `?`, or empty.
    pub query: &'a str,
}

/// Checks a link before it is shown to the class (by the companion) or opened (by a student's
/// page): it must be exactly one of the app's pages with its query.
///
/// ```
/// use socklab_core::protocol::link::{check_link, LinkError};
/// let ok = check_link("/struct?f=%3EH&v=1").unwrap();
/// assert_eq!((ok.path, ok.query), ("/struct", "?f=%3EH&v=1"));
/// assert_eq!(check_link("//evil.example/struct"), Err(LinkError::NotInApp));
/// assert_eq!(check_link("javascript:alert(1)"), Err(LinkError::NotInApp));
/// assert_eq!(check_link("/struct?token=00ff"), Err(LinkError::Token));
/// ```
///
/// # Errors
/// A [`LinkError`] saying what is wrong.
pub fn check_link(link: &str) -> Result<ClassLink<'_>, LinkError> {
    if link.is_empty() {
        return Err(LinkError::Empty);
    }
    if link.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong(link.len()));
    }
    // Characters first, so `\\evil.example` and `/\evil.example` (which browsers read as
    // `//evil.example`) are refused for their backslash whatever else they hold.
    if let Some(c) = link.chars().find(|&c| !allowed(c)) {
        return Err(LinkError::BadCharacter(c));
    }
    if !link.starts_with('/') || link.starts_with("//") {
        return Err(LinkError::NotInApp);
    }
    let (path, query) = match link.find('?') {
        Some(at) => link.split_at(at),
        None => (link, ""),
    };
    let Some(path) = APP_PATHS.into_iter().find(|p| *p == path) else {
        return Err(LinkError::UnknownPage(path.to_owned()));
    };
    check_escapes(query)?;
    let has_token = query
        .trim_start_matches('?')
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key))
        .any(|key| decode(key).eq_ignore_ascii_case("token"));
    if has_token {
        return Err(LinkError::Token);
    }
    Ok(ClassLink { path, query })
}

/// A character a link of the app may hold: RFC 3986's path and query characters, unescaped.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?%".contains(c)
}

/// Every `%` starts an escape of two hex digits.
fn check_escapes(query: &str) -> Result<(), LinkError> {
    let bytes = query.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(LinkError::BadCharacter('%'));
            }
        }
    }
    Ok(())
}

/// A query key as the app reads it: `%XX` decoded, `+` a space.
fn decode(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn ok(link: &str, path: &str, query: &str) {
        assert_eq!(
            check_link(link),
            Ok(ClassLink {
                path: APP_PATHS.into_iter().find(|p| *p == path).unwrap(),
                query
            }),
            "{link}"
        );
    }

    #[track_caller]
    fn refused(link: &str, expect: LinkError) {
        assert_eq!(check_link(link), Err(expect), "{link:?}");
    }

    #[test]
    fn the_apps_own_pages_with_their_query() {
        for path in APP_PATHS {
            ok(path, path, "");
        }
        ok("/struct?f=%3EHH&v=1%2C2", "/struct", "?f=%3EHH&v=1%2C2");
        ok(
            "/addresses?host=%3A%3A1&port=80&flow=0",
            "/addresses",
            "?host=%3A%3A1&port=80&flow=0",
        );
        ok(
            "/console?p1=s%20%3D%20socket.socket()&p2=",
            "/console",
            "?p1=s%20%3D%20socket.socket()&p2=",
        );
        ok("/text?", "/text", "?");
        ok("/text?tokens=3&mytoken=1", "/text", "?tokens=3&mytoken=1");
    }

    #[test]
    fn anything_that_leaves_the_app_is_refused() {
        use LinkError::*;
        refused("", Empty);
        refused("https://evil.example/struct", NotInApp);
        refused("http:/struct", NotInApp);
        refused("//evil.example/struct", NotInApp);
        refused("///evil.example", NotInApp);
        refused("javascript:alert(1)", NotInApp);
        refused("JavaScript:alert(document.cookie)", NotInApp);
        refused("data:text/html,x", NotInApp);
        refused("struct", NotInApp);
        refused("?f=H", NotInApp);
        refused("/\\evil.example", BadCharacter('\\'));
        refused("\\\\evil.example", BadCharacter('\\'));
        refused("/struct?f=\\x", BadCharacter('\\'));
        refused("/struct#top", BadCharacter('#'));
        refused("/struct?f=H#x", BadCharacter('#'));
        refused(" /struct", BadCharacter(' '));
        refused("/struct?f=a b", BadCharacter(' '));
        refused("\t//evil.example", BadCharacter('\t'));
        refused("/struct\n//evil", BadCharacter('\n'));
        refused("/struct\r", BadCharacter('\r'));
        refused("/struct\0", BadCharacter('\0'));
        refused("/struct\u{7f}", BadCharacter('\u{7f}'));
        refused("/struct?f=中", BadCharacter('中'));
        refused("/ｓtruct", BadCharacter('ｓ'));
        refused("/struct?f=<script>", BadCharacter('<'));
        refused("/struct?f=\"x\"", BadCharacter('"'));
        refused("/struct?f=%", BadCharacter('%'));
        refused("/struct?f=%4", BadCharacter('%'));
        refused("/struct?f=%zz", BadCharacter('%'));
        refused("/", UnknownPage("/".to_owned()));
        refused("/admin", UnknownPage("/admin".to_owned()));
        refused("/struct/", UnknownPage("/struct/".to_owned()));
        refused("/Struct", UnknownPage("/Struct".to_owned()));
        refused("/struct/../x", UnknownPage("/struct/../x".to_owned()));
        refused("/ws?token=x", UnknownPage("/ws".to_owned()));
        refused("/index.html", UnknownPage("/index.html".to_owned()));
        refused(
            "/%2Fevil.example",
            UnknownPage("/%2Fevil.example".to_owned()),
        );
        refused(
            "/errors@evil.example",
            UnknownPage("/errors@evil.example".to_owned()),
        );
        refused(
            &format!("/text?v={}", "a".repeat(MAX_LINK_BYTES)),
            TooLong(MAX_LINK_BYTES + 8),
        );
    }

    #[test]
    fn a_token_never_travels() {
        use LinkError::Token;
        refused("/struct?token=0123", Token);
        refused("/struct?f=H&token=0123", Token);
        refused("/struct?TOKEN=0123", Token);
        refused("/struct?token", Token);
        refused("/struct?to%6Ben=0123", Token);
        refused("/struct?%74oken=1", Token);
        refused("/struct?f=1&&token=", Token);
    }
}
