//! The learner's side of the catalog: what an error means, why it happens, what to do.
//!
//! The texts live in `crates/core/data/errno/`, one file per language (`en.txt`, `zh-CN.txt`)
//! so a translation is reviewed as a whole, and `examples.txt` holds what no language changes:
//! the socket calls that raise each error and a Python example that triggers it on loopback.
//! The files are compiled in and parsed once; [`check_lessons`] (run by the tests) refuses a
//! lesson that lacks a field in either language.
//!
//! A language file has one `NAME.field = text` per line; `cause` and `fix` repeat (1 to 3 of
//! each). The examples file has a `[NAME]` line, `calls = ...`, `runs = ...`, then the code
//! indented by four spaces.

use crate::lang::Lang;
use std::sync::OnceLock;

use crate::deferred::Deferred;

/// Whether an example, run as it stands on Linux, raises its error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ExampleRuns {
    /// It does, using loopback only.
    Yes,
    /// It does, unless run as root (root may do what it forbids).
    NotAsRoot,
    /// It cannot on loopback (the error needs a real network or a signal at the right
    /// instant); the example shows how code meets and handles it.
    No,
}

/// The learner texts of one error in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LessonText {
    /// One line: the gist.
    pub summary: String,
    /// What the error means, 1 to 3 sentences.
    pub explanation: String,
    /// Typical causes, 1 to 3.
    pub causes: Vec<String>,
    /// What to do, 1 to 3.
    pub fixes: Vec<String>,
    /// How macOS and Windows differ.
    pub platforms: String,
}

/// Everything a learner reads about one error.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Lesson {
    /// The entry's name: `ECONNREFUSED`, `EAI_NONAME`.
    pub name: String,
    /// The socket calls that raise it: `connect()`, `socket.getaddrinfo()` ...
    pub calls: Vec<String>,
    /// A short Python program that triggers it (loopback addresses only).
    pub example: String,
    /// Whether the example really raises it here.
    pub example_runs: ExampleRuns,
    en: LessonText,
    zh: LessonText,
}

impl Lesson {
    /// The texts in a language.
    pub fn text(&self, lang: Lang) -> &LessonText {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// A problem in the lesson files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LessonError {
    /// A line that does not parse.
    #[error("{file}:{line}: {message}")]
    Line {
        /// `examples.txt`, `en.txt` or `zh-CN.txt`.
        file: &'static str,
        /// 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An entry that is incomplete or unknown.
    #[error("{name}: {message}")]
    Entry {
        /// The entry's name.
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn line_error(file: &'static str, line: usize, message: impl Into<String>) -> LessonError {
    LessonError::Line {
        file,
        line,
        message: message.into(),
    }
}

fn entry_error(name: &str, message: impl Into<String>) -> LessonError {
    LessonError::Entry {
        name: name.to_owned(),
        message: message.into(),
    }
}

/// Parses the three lesson files and checks that every lesson is complete in both languages.
///
/// ```
/// use socklab_core::errno::parse_lessons;
/// let examples = "[EPIPE]\ncalls = send()\nruns = yes\n    import socket\n";
/// let en = "EPIPE.summary = s\nEPIPE.explanation = e\nEPIPE.cause = c\nEPIPE.fix = f\nEPIPE.platforms = p\n";
/// let zh = "EPIPE.summary = 概\nEPIPE.explanation = 释\nEPIPE.cause = 因\nEPIPE.fix = 修\n";
/// let err = parse_lessons(examples, en, zh).unwrap_err();
/// assert_eq!(err.to_string(), "EPIPE: zh-CN.txt has no EPIPE.platforms");
/// ```
pub fn parse_lessons(examples: &str, en: &str, zh: &str) -> Result<Vec<Lesson>, LessonError> {
    let mut lessons = parse_examples(examples)?;
    for (lang, source) in [(Lang::En, en), (Lang::Zh, zh)] {
        let file = if lang == Lang::En {
            "en.txt"
        } else {
            "zh-CN.txt"
        };
        for (line, name, field, text) in text_lines(file, source)? {
            let Some(lesson) = lessons.iter_mut().find(|l| l.name == name) else {
                return Err(line_error(
                    file,
                    line,
                    format!("{name} has no entry in examples.txt"),
                ));
            };
            let target = match lang {
                Lang::En => &mut lesson.en,
                Lang::Zh => &mut lesson.zh,
            };
            let single = match field {
                "summary" => &mut target.summary,
                "explanation" => &mut target.explanation,
                "platforms" => &mut target.platforms,
                "cause" => {
                    target.causes.push(text.to_owned());
                    continue;
                }
                "fix" => {
                    target.fixes.push(text.to_owned());
                    continue;
                }
                other => {
                    return Err(line_error(
                        file,
                        line,
                        format!("unknown field {other:?}; use summary, explanation, cause, fix or platforms"),
                    ))
                }
            };
            if !single.is_empty() {
                return Err(line_error(
                    file,
                    line,
                    format!("{name}.{field} given twice"),
                ));
            }
            *single = text.to_owned();
        }
        for lesson in &lessons {
            check_text(&lesson.name, file, lesson.text(lang))?;
        }
    }
    for lesson in &lessons {
        for (what, en, zh) in [
            ("cause", lesson.en.causes.len(), lesson.zh.causes.len()),
            ("fix", lesson.en.fixes.len(), lesson.zh.fixes.len()),
        ] {
            if en != zh {
                return Err(entry_error(
                    &lesson.name,
                    format!("{en} {what} lines in en.txt but {zh} in zh-CN.txt"),
                ));
            }
        }
    }
    Ok(lessons)
}

fn check_text(name: &str, file: &str, text: &LessonText) -> Result<(), LessonError> {
    for (field, value) in [
        ("summary", &text.summary),
        ("explanation", &text.explanation),
        ("platforms", &text.platforms),
    ] {
        if value.is_empty() {
            return Err(entry_error(name, format!("{file} has no {name}.{field}")));
        }
    }
    for (field, items) in [("cause", &text.causes), ("fix", &text.fixes)] {
        if !(1..=3).contains(&items.len()) {
            return Err(entry_error(
                name,
                format!(
                    "{file} has {} {name}.{field} lines; give 1 to 3",
                    items.len()
                ),
            ));
        }
    }
    Ok(())
}

/// `(line, name, field, text)` for each `NAME.field = text` line.
fn text_lines<'a>(
    file: &'static str,
    source: &'a str,
) -> Result<Vec<(usize, &'a str, &'a str, &'a str)>, LessonError> {
    let mut out = Vec::new();
    for (i, raw) in source.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, text)) = line.split_once(" = ") else {
            return Err(line_error(file, i + 1, "expected `NAME.field = text`"));
        };
        let Some((name, field)) = key.trim().split_once('.') else {
            return Err(line_error(
                file,
                i + 1,
                format!("{key:?} is not NAME.field"),
            ));
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(line_error(file, i + 1, "empty text"));
        }
        out.push((i + 1, name, field, text));
    }
    Ok(out)
}

fn parse_examples(source: &str) -> Result<Vec<Lesson>, LessonError> {
    const FILE: &str = "examples.txt";
    let mut lessons: Vec<Lesson> = Vec::new();
    let mut runs_given = false;
    for (i, raw) in source.lines().enumerate() {
        let line = i + 1;
        if let Some(code) = raw.strip_prefix("    ") {
            let Some(lesson) = lessons.last_mut() else {
                return Err(line_error(FILE, line, "code before the first [NAME]"));
            };
            lesson.example.push_str(code);
            lesson.example.push('\n');
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            if let Some(lesson) = lessons.last_mut() {
                if !lesson.example.is_empty() {
                    lesson.example.push('\n');
                }
            }
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            if let Some(previous) = lessons.last() {
                finish_example(previous, runs_given)?;
            }
            if !is_catalog_name(name) {
                return Err(line_error(
                    FILE,
                    line,
                    format!("{name} is not an errno or EAI_ name as the catalog spells it"),
                ));
            }
            if lessons.iter().any(|l| l.name == name) {
                return Err(line_error(FILE, line, format!("[{name}] given twice")));
            }
            lessons.push(Lesson {
                name: name.to_owned(),
                calls: Vec::new(),
                example: String::new(),
                example_runs: ExampleRuns::No,
                en: LessonText::default(),
                zh: LessonText::default(),
            });
            runs_given = false;
            continue;
        }
        let Some(lesson) = lessons.last_mut() else {
            return Err(line_error(FILE, line, "expected [NAME]"));
        };
        match trimmed.split_once(" = ") {
            Some(("calls", calls)) => {
                lesson.calls = calls.split(", ").map(str::to_owned).collect();
            }
            Some(("runs", runs)) => {
                lesson.example_runs = match runs {
                    "yes" => ExampleRuns::Yes,
                    "not-as-root" => ExampleRuns::NotAsRoot,
                    "no" => ExampleRuns::No,
                    other => {
                        return Err(line_error(
                            FILE,
                            line,
                            format!("runs = {other:?}; use yes, not-as-root or no"),
                        ))
                    }
                };
                runs_given = true;
            }
            _ => {
                return Err(line_error(
                    FILE,
                    line,
                    "expected `calls = ...`, `runs = ...` or code indented by 4 spaces",
                ))
            }
        }
    }
    if let Some(last) = lessons.last() {
        finish_example(last, runs_given)?;
    }
    for lesson in &mut lessons {
        let trimmed = lesson.example.trim_end().len();
        lesson.example.truncate(trimmed);
        lesson.example.push('\n');
    }
    Ok(lessons)
}

fn finish_example(lesson: &Lesson, runs_given: bool) -> Result<(), LessonError> {
    if lesson.calls.is_empty() || lesson.calls.iter().any(String::is_empty) {
        return Err(entry_error(&lesson.name, "examples.txt has no calls"));
    }
    if !runs_given {
        return Err(entry_error(&lesson.name, "examples.txt has no runs"));
    }
    if lesson.example.trim().is_empty() {
        return Err(entry_error(
            &lesson.name,
            "examples.txt has no example code",
        ));
    }
    Ok(())
}

/// A canonical name: the errno's own name (not an alias) or an `EAI_` name.
fn is_catalog_name(name: &str) -> bool {
    super::by_name(name).is_some_and(|e| e.name() == name)
        || super::gai_by_name(name).is_some_and(|g| g.name == name)
}

/// Parses the lesson files ([`Deferred::Lessons`]), reporting the first problem; `None` in
/// the app's browser build until the page has fetched them.
pub fn check_lessons() -> Option<Result<Vec<Lesson>, LessonError>> {
    let joined = std::str::from_utf8(Deferred::Lessons.get()?).ok()?;
    let mut files = joined.split('\0');
    let (examples, en, zh) = (files.next()?, files.next()?, files.next()?);
    Some(parse_lessons(examples, en, zh))
}

/// Every lesson, parsed once: empty in the app's browser build until the page has fetched
/// them (`/errors` waits for them). The files are checked by the tests, so a problem here is a
/// build that skipped them; it panics with the problem.
pub fn lessons() -> &'static [Lesson] {
    static LESSONS: OnceLock<Vec<Lesson>> = OnceLock::new();
    if let Some(lessons) = LESSONS.get() {
        return lessons;
    }
    match check_lessons() {
        Some(Ok(lessons)) => LESSONS.get_or_init(|| lessons),
        Some(Err(e)) => panic!("crates/core/data/errno: {e}"),
        None => &[],
    }
}

pub(super) fn lesson(name: &str) -> Option<&'static Lesson> {
    lessons().iter().find(|l| l.name == name)
}
