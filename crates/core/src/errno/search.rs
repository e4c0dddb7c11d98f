//! Finding entries by what a learner remembers: a word from the message, in either language,
//! or a name spelt almost right.

use super::{all_entries, CatalogEntry, System};
use crate::lang::Lang;

/// How well an entry matches: lower is better.
fn rank(entry: &CatalogEntry, word: &str) -> Option<u8> {
    let contains = |text: &str| text.to_ascii_lowercase().contains(word);
    let names: Vec<&str> = match entry {
        CatalogEntry::Errno(e) => e
            .names()
            .chain(
                System::ALL
                    .iter()
                    .flat_map(|&s| e.codes_on(s))
                    .map(|c| c.name),
            )
            .collect(),
        _ => vec![entry.name()],
    };
    if names.iter().any(|n| n.eq_ignore_ascii_case(word)) {
        return Some(0);
    }
    if names.iter().any(|n| contains(n)) {
        return Some(1);
    }
    if contains(entry.strerror()) || contains(entry.class().name()) {
        return Some(2);
    }
    let lesson = entry.lesson()?;
    let texts = Lang::ALL.map(|lang| lesson.text(lang));
    if texts.iter().any(|t| contains(&t.summary)) {
        return Some(3);
    }
    if texts.iter().any(|t| contains(&t.explanation)) {
        return Some(4);
    }
    if texts
        .iter()
        .flat_map(|t| t.causes.iter().chain(&t.fixes))
        .any(|t| contains(t))
    {
        return Some(5);
    }
    None
}

/// Entries whose name, message, class or lesson (English or Chinese) contains the query,
/// best matches first: names, then messages, then lesson summaries, explanations, causes and fixes. A query of several words matches
/// an entry that contains each of them somewhere.
///
/// ```
/// use socklab_core::errno::search;
/// assert_eq!(search("拒绝")[0].name(), "ECONNREFUSED");
/// assert_eq!(search("connection refused")[0].name(), "ECONNREFUSED");
/// assert_eq!(search("name or service")[0].name(), "EAI_NONAME");
/// ```
pub fn search(query: &str) -> Vec<CatalogEntry> {
    let query = query.trim().to_ascii_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut hits: Vec<(u8, usize, CatalogEntry)> = all_entries()
        .enumerate()
        .filter_map(|(order, entry)| {
            let whole = rank(&entry, &query);
            let each = || {
                words
                    .iter()
                    .map(|w| rank(&entry, w))
                    .collect::<Option<Vec<u8>>>()
                    .map(|ranks| ranks.into_iter().max().unwrap_or(5) + 1)
            };
            whole.or_else(each).map(|r| (r, order, entry))
        })
        .collect();
    hits.sort_by_key(|&(r, order, _)| (r, order));
    hits.into_iter().map(|(_, _, entry)| entry).collect()
}

/// Levenshtein distance, counted in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Up to `max` catalog names spelt most like `query` (ignoring case), closest first; only
/// names a typo or two away.
///
/// ```
/// use socklab_core::errno::closest_names;
/// assert_eq!(closest_names("ECONREFUSED", 1), ["ECONNREFUSED"]);
/// assert_eq!(closest_names("EAI_NONAM", 1), ["EAI_NONAME"]);
/// ```
pub fn closest_names(query: &str, max: usize) -> Vec<&'static str> {
    let query = query.trim().to_ascii_uppercase();
    let limit = (query.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &'static str)> = all_entries()
        .flat_map(|entry| match entry {
            CatalogEntry::Errno(e) => e.names().collect::<Vec<_>>(),
            other => vec![other.name()],
        })
        .map(|name| (distance(&query, name), name))
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort_by_key(|&(d, _)| d);
    scored.into_iter().take(max).map(|(_, name)| name).collect()
}
