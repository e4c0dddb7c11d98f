//! The stylesheet as the page gets it: without comments and needless white space (issue #15's
//! transfer budget; 1.3 KB less in brotli). trunk could minify it, but only with the HTML,
//! whose minifier rewrites index.html's scripts and drops the slots `post-build` fills.
//!
//! Only what cannot change a rule's meaning goes: a comment, a run of white space (kept as one
//! space where it separates two tokens), the space beside `{`, `}`, `;` and `,` and after a `:`,
//! and the `;` before a `}`. Strings are kept byte for byte.

/// `source` without comments and needless white space.
pub(crate) fn minify(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    // White space (or a comment) seen since the last character written.
    let mut gap = false;
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                flush_gap(&mut out, &mut gap, c);
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
                gap = true;
            }
            c if c.is_whitespace() => gap = true,
            '}' => {
                if out.ends_with(';') {
                    out.pop();
                }
                gap = false;
                out.push(c);
            }
            _ => {
                flush_gap(&mut out, &mut gap, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes the pending gap as one space, unless `next` or the character before it makes it
/// needless: `{`, `}`, `;` and `,` on either side, or a `:` before it (`color: red`; before a
/// `:` the space means something: `a :hover` is not `a:hover`).
fn flush_gap(out: &mut String, gap: &mut bool, next: char) {
    let bare = |c: char| matches!(c, '{' | '}' | ';' | ',');
    let before = out.chars().next_back();
    if std::mem::take(gap) && !bare(next) && before.is_some_and(|c| !bare(c) && c != ':') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn comments_and_white_space_go() {
        let css = "/* the page */\nbody {\n  margin: 0 auto;\n  color: red;\n}\n\na ,  b > c:hover { x: 1 }\n";
        assert_eq!(
            minify(css),
            "body{margin:0 auto;color:red}a,b > c:hover{x:1}"
        );
    }

    #[test]
    fn a_space_that_separates_tokens_stays() {
        // A descendant selector, a shorthand value, and a pseudo-class on any descendant.
        assert_eq!(minify("nav  a {}"), "nav a{}");
        assert_eq!(minify("a { margin: 0\n 1px }"), "a{margin:0 1px}");
        assert_eq!(minify("a :hover {}"), "a :hover{}");
        assert_eq!(minify("a/* x */b {}"), "a b{}");
        assert_eq!(
            minify("@media (min-width: 1200px) and (max-width: 2000px) { a { b: c } }"),
            "@media (min-width:1200px) and (max-width:2000px){a{b:c}}"
        );
    }

    #[test]
    fn strings_are_kept_as_they_are() {
        assert_eq!(
            minify("a::before { content: \"gettimeout()  →  /* not a comment */ \"; }"),
            "a::before{content:\"gettimeout()  →  /* not a comment */ \"}"
        );
        assert_eq!(
            minify("a[href^='x  y'] { content: '\\'  ;' }"),
            "a[href^='x  y']{content:'\\'  ;'}"
        );
    }

    /// The shipped stylesheet: smaller, and the same rules (checked loosely: as many blocks,
    /// and every generated content's string).
    #[test]
    fn the_stylesheet_keeps_its_rules() {
        let css = std::fs::read_to_string(crate::root().join("www/style.css")).unwrap();
        let small = minify(&css);
        assert!(
            small.len() < css.len() * 9 / 10,
            "{} of {}",
            small.len(),
            css.len()
        );
        assert_eq!(small.matches('{').count(), css.matches('{').count());
        assert_eq!(small.matches('}').count(), css.matches('}').count());
        assert!(!small.contains("/*"));
        for line in css.lines().filter(|l| l.contains("content: \"")) {
            let at = line.find("content: \"").unwrap() + "content: ".len();
            let string = &line[at..at + 1 + line[at + 1..].find('"').unwrap() + 1];
            assert!(small.contains(&format!("content:{string}")), "{string}");
        }
    }
}
