//! One term per concept: the table in `locales/GLOSSARY.md`, enforced on every catalog and
//! data file of both languages.
//!
//! The glossary is the single source: this test reads its table, so a new row is checked as
//! soon as it is written. A rejected word is excused only where it is not the page's own voice,
//! as the glossary says: inside a term of the table's first column, inside a verbatim quotation
//! (a sentence in “…。”), or alone in “” as the word being talked about. In a `key = text`
//! line only the text counts: the key is a name in the code, never shown.

use super::zh_text::{text_files, workspace_root};

/// One row of the glossary's table.
#[derive(Debug)]
struct Row {
    /// The terms to use.
    preferred: Vec<String>,
    /// The Chinese words the row rejects.
    rejected_zh: Vec<String>,
    /// The English words the row rejects.
    rejected_en: Vec<String>,
}

/// The words in backticks in a table cell.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_glossary(markdown: &str) -> Vec<Row> {
    markdown
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .skip(1) // the header
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').collect();
            assert!(cells.len() >= 4, "a glossary row has 5 columns: {l}");
            Row {
                preferred: backticked(cells[0]),
                rejected_zh: backticked(cells[2]),
                rejected_en: backticked(cells[3]),
            }
        })
        .collect()
}

fn glossary() -> Vec<Row> {
    let path = workspace_root().join("locales/GLOSSARY.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    parse_glossary(&text)
}

/// The byte ranges of a line where a rejected `word` is not the page's own voice: verbatim
/// quotations (“…。”) and the word alone in “”.
fn quoted_spans(line: &str, word: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut rest = 0;
    while let Some(open) = line[rest..].find('“').map(|i| rest + i) {
        let inner_start = open + '“'.len_utf8();
        let Some(close) = line[inner_start..].find('”').map(|i| inner_start + i) else {
            break;
        };
        let inner = &line[inner_start..close];
        if inner.ends_with('。') || inner == word {
            spans.push(open..close + '”'.len_utf8());
        }
        rest = close + '”'.len_utf8();
    }
    spans
}

/// Where in a line `word` is used as the page's own word (byte offsets).
fn uses(line: &str, word: &str, preferred: &[&str]) -> Vec<usize> {
    let quoted = quoted_spans(line, word);
    let inside_preferred = |at: usize| {
        preferred.iter().filter(|p| p.contains(word)).any(|p| {
            line.match_indices(p)
                .any(|(j, _)| j <= at && at + word.len() <= j + p.len())
        })
    };
    let whole_word = |at: usize| {
        if !word.is_ascii() {
            return true;
        }
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    };
    line.match_indices(word)
        .map(|(at, _)| at)
        .filter(|&at| whole_word(at))
        .filter(|&at| !inside_preferred(at))
        .filter(|&at| !quoted.iter().any(|q| q.start <= at && at < q.end))
        .collect()
}

#[track_caller]
fn check(line: &str, word: &str, expect: usize) {
    let preferred = ["字节顺序标记", "大端序", "DNS 服务器"];
    assert_eq!(
        uses(line, word, &preferred).len(),
        expect,
        "{word} in {line:?}"
    );
}

#[test]
fn the_check_tells_a_use_from_a_mention() {
    check("实时套接字：超时模式", "套接字", 1);
    check("实时 socket：超时模式", "套接字", 0);
    check("字节顺序标记（BOM）", "字节顺序", 0);
    check("按字节顺序排列", "字节顺序", 1);
    check("2 字节大端序长度，网络字节序（大端）", "大端", 1);
    check("连不上 DNS 服务器，服务器超时", "服务器", 1);
    check(
        "（“通常每个套接字地址(协议/网络地址/端口)只允许使用一次。”）",
        "套接字",
        0,
    );
    check("教程译作“半连接”，但中文资料里的“半连接”通常", "半连接", 0);
    check("这叫“半连接队列”", "半连接", 1);
    check("这是半连接", "半连接", 1);
    check("The seed: >H 256", "seed", 1);
    check("seeded randomness", "seed", 0);
}

#[test]
fn the_glossary_table_is_read() {
    let rows = glossary();
    assert!(
        rows.len() >= 15,
        "only {} rows: is the table broken?",
        rows.len()
    );
    let rejects = |w: &str| rows.iter().any(|r| r.rejected_zh.iter().any(|x| x == w));
    for word in [
        "套接字",
        "环回",
        "网卡",
        "半连接",
        "延迟时间",
        "伴随程序",
        "原文",
    ] {
        assert!(rejects(word), "the glossary rejects {word}");
    }
    assert!(rows
        .iter()
        .any(|r| r.rejected_en.iter().any(|x| x == "seed")));
    assert!(rows.iter().all(|r| !r.preferred.is_empty()));
}

#[test]
fn every_file_uses_the_glossarys_terms() {
    let rows = glossary();
    let preferred: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.preferred.iter().map(String::as_str))
        .collect();
    let mut found = Vec::new();
    for (lang, rejected) in [
        (
            "zh",
            rows.iter().flat_map(|r| &r.rejected_zh).collect::<Vec<_>>(),
        ),
        (
            "en",
            rows.iter().flat_map(|r| &r.rejected_en).collect::<Vec<_>>(),
        ),
    ] {
        let files = text_files(lang);
        assert!(files.len() >= 2, "{lang}: only {} files found", files.len());
        for (name, text) in files {
            for (n, line) in text.lines().enumerate() {
                // In a `key = text` line only the text is shown; a key is a name in the code.
                let line = match line.split_once(" = ") {
                    Some((_, shown)) if !line.starts_with('#') => shown,
                    _ => line,
                };
                for word in &rejected {
                    if !uses(line, word, &preferred).is_empty() {
                        found.push(format!("{name}:{}: {word:?} in {line:?}", n + 1));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "locales/GLOSSARY.md rejects these words; use the term of its first column:\n{}",
        found.join("\n")
    );
}
