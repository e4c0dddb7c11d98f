//! The Chinese text, checked as a whole: full-width punctuation in prose, and one term per concept.
//!
//! These tests read every Chinese file a learner sees, wherever it lives: the interface catalogs
//! (`locales/zh-CN.txt` and `locales/<build>/zh-CN.txt`: the exercises' whys too) and every zh data
//! file under `crates/*/data/` (the errno lessons). A new zh file is checked as soon as it
//! exists.
//!
//! Code inside prose stays code. What counts as code is deliberately simple, and written down
//! in [`code_mask`]: a backtick span, a quoted Python literal, a `{placeholder}`, a call such as
//! `s.recv(1024)`, a tuple such as `(host, port)`, and an IPv6 address such as `::1`. A full
//! sentence quoted in “…。” (Windows's own Chinese messages) is a verbatim quotation, left as
//! its author wrote it.

use std::path::{Path, PathBuf};

/// The workspace's root, from this crate's manifest.
pub(super) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every zh catalog and zh data file, as (path relative to the root, text).
fn zh_files() -> Vec<(String, String)> {
    let files = text_files("zh");
    for known in ["locales/zh-CN.txt", "crates/core/data/errno/zh-CN.txt"] {
        assert!(
            files.iter().any(|(name, _)| name == known),
            "{known} was not found among {:?}",
            files.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
    files
}

/// Every catalog (`locales/`) and data file (`crates/*/data/`) of one language, named
/// `<lang>*.txt`, as (path relative to the root, text).
pub(super) fn text_files(lang: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, lang: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, lang, out);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(lang) && n.ends_with(".txt"))
            {
                out.push(path);
            }
        }
    }
    let root = workspace_root();
    let mut paths = Vec::new();
    walk(&root.join("locales"), lang, &mut paths);
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for krate in crates.flatten() {
            walk(&krate.path().join("data"), lang, &mut paths);
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            let name = p.strip_prefix(&root).unwrap_or(p).display().to_string();
            (name, text)
        })
        .collect()
}

/// A Chinese character, or Chinese (full-width) punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{3000}'..='\u{303f}'
        | '\u{ff01}'..='\u{ff5e}'
        | '“' | '”')
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// The index of the `)` matching the `(` at `open`, if any.
fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Which characters of a line are code (or a verbatim quotation), not prose.
fn code_mask(chars: &[char]) -> Vec<bool> {
    let n = chars.len();
    let mut mask = vec![false; n];
    // Spans between a pair of delimiters: `code`, "literal", 'literal', and “quotations。”.
    let pairs = |mask: &mut Vec<bool>, open: char, close: char, verbatim_only: bool| {
        let mut i = 0;
        while i < n {
            if chars[i] == open && !mask[i] {
                if let Some(len) = chars[i + 1..].iter().position(|&c| c == close) {
                    let end = i + 1 + len;
                    if !verbatim_only || (end > 0 && chars[end - 1] == '。') {
                        mask[i..=end].iter_mut().for_each(|m| *m = true);
                    }
                    i = end + 1;
                    continue;
                }
            }
            i += 1;
        }
    };
    pairs(&mut mask, '`', '`', false);
    pairs(&mut mask, '“', '”', true);
    pairs(&mut mask, '"', '"', false);
    pairs(&mut mask, '\'', '\'', false);
    pairs(&mut mask, '{', '}', false);
    // A call: a name immediately followed by balanced parentheses, such as `s.recv(1024)`.
    // A tuple: parentheses holding a comma and no Chinese, such as `(host, port)`.
    let mut i = 0;
    while i < n {
        if chars[i] == '(' && !mask[i] {
            if let Some(close) = matching_paren(chars, i) {
                let mut start = i;
                while start > 0 && is_ident(chars[start - 1]) && !mask[start - 1] {
                    start -= 1;
                }
                let inner = &chars[i + 1..close];
                let is_call = start < i;
                let is_tuple = inner.contains(&',') && !inner.iter().any(|&c| is_chinese(c));
                if is_call || is_tuple {
                    mask[start..=close].iter_mut().for_each(|m| *m = true);
                    i = close + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    // An IPv6 address: a run of hex digits and colons with a `::` in it, such as `::1`.
    let mut i = 0;
    while i < n {
        let start = i;
        while i < n && (chars[i].is_ascii_hexdigit() || chars[i] == ':' || chars[i] == '.') {
            i += 1;
        }
        if chars[start..i].windows(2).any(|w| w == [':', ':']) {
            mask[start..i].iter_mut().for_each(|m| *m = true);
        }
        if i == start {
            i += 1;
        }
    }
    mask
}

/// The half-width `, : ; ( ) ! ?` in a line's prose that touch a Chinese character, by index.
fn half_width_in_prose(line: &str) -> Vec<(usize, char)> {
    let chars: Vec<char> = line.chars().collect();
    let mask = code_mask(&chars);
    let prose_chinese =
        |j: Option<usize>| j.is_some_and(|j| j < chars.len() && !mask[j] && is_chinese(chars[j]));
    (0..chars.len())
        .filter(|&i| !mask[i] && matches!(chars[i], ',' | ':' | ';' | '(' | ')' | '!' | '?'))
        .filter(|&i| prose_chinese(i.checked_sub(1)) || prose_chinese(Some(i + 1)))
        .map(|i| (i, chars[i]))
        .collect()
}

#[track_caller]
fn check_punctuation(line: &str, expect: &[char]) {
    let got: Vec<char> = half_width_in_prose(line)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(got, expect, "in {line:?}");
}

#[test]
fn the_punctuation_check_tells_prose_from_code() {
    check_punctuation("大端序(高位字节在前),这就是", &['(', ')', ',']);
    check_punctuation("请输入:256", &[':']);
    check_punctuation("真的吗?是的!", &['?', '!']);
    check_punctuation("大端序（高位字节在前），这就是", &[]);
    check_punctuation("先 `s.recv(1024)`,再", &[',']);
    check_punctuation("调用 s.recv(1024)，再调用 connect()。", &[]);
    check_punctuation("例如('127.0.0.1', 80)。", &[]);
    check_punctuation("AF_INET 用 (host, port)；", &[]);
    check_punctuation("{sock}:到达", &[':']);
    check_punctuation("{sock}：到达 {n} 字节", &[]);
    check_punctuation("写 '中文:' 或 \"a,b\"。", &[]);
    check_punctuation("IPv6 则是 ::。", &[]);
    check_punctuation(
        "（“通常每个套接字地址(协议/网络地址/端口)只允许使用一次。”）",
        &[],
    );
    check_punctuation("这叫“端口(不可达)”", &['(', ')']);
    check_punctuation("settimeout(秒数)。", &[]);
}

#[test]
fn zh_prose_uses_full_width_punctuation() {
    let mut found = Vec::new();
    for (name, text) in zh_files() {
        for (n, line) in text.lines().enumerate() {
            for (col, c) in half_width_in_prose(line) {
                found.push(format!(
                    "{name}:{}:{}: half-width {c:?} in {line:?}",
                    n + 1,
                    col + 1
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Chinese prose takes full-width punctuation (，：；（）！？); code stays as it is, \
         in backticks or as a Python literal, call or tuple (see i18n/zh_text.rs):\n{}",
        found.join("\n")
    );
}
