//! Predict, then run: the questions a teacher asks a class ("what will Python print?"), as data
//! (`data/exercises.txt`), run by the console's own evaluator, and how an answer is judged.
//!
//! An exercise's answer is never written by hand. [`Exercise::run`] runs its lines through a fresh
//! console [`Pane`], exactly as the console runs them, so the answer shown is what socklab
//! computes; `tests/exercises.rs` checks every computed one against `python3`, and the
//! companion's `tests/console_live.rs` the live ones, whose sockets only the companion opens.
//!
//! The file holds one exercise per block, opened by `[id]`, with one field per line:
//!
//! - `page = ` the page that asks it (its path);
//! - `live`: the lines need real sockets, so they run through the companion (keep these few);
//! - `setup = ` a line run first and shown above the question (repeatable);
//! - `line = ` the line asked about: what does `python3 -i` print after it?
//! - `choice = ` an option to pick (repeatable, two or more); without choices the learner types.
//!
//! Why Python prints what it prints is in the catalogs, in both languages, as `why.<id>`
//! ([`Exercise::why_key`]): in the texts of its page's build (`locales/<build>/`, see
//! [`crate::builds`]), so that each reader downloads only their own language's, and only on the
//! page's build. The id never changes once
//! published: the browser remembers answered exercises by it. (The file's comments are few:
//! the app carries it.)
//!
//! ```
//! use socklab_core::console::{ready, Alone};
//! use socklab_core::exercise::{exercises, judge};
//! let calcsize = exercises().iter().find(|e| e.line == "struct.calcsize('BHxHH')").unwrap();
//! let answer = ready(calcsize.run(&Alone)).expect("a computed exercise does not wait");
//! assert_eq!(answer.printed, "10");
//! assert!(judge(&answer, " 10 ") && !judge(&answer, "8"));
//! ```

use crate::console::{Host, Pane};
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/exercises.txt");

/// What each computed (not live) exercise prints, as [`Exercise::run`] computes it with no
/// companion, written down for the app built without the console's evaluator (see
/// [`Exercise::answer`]); `tests/exercises.rs` fails when it is not exactly what the evaluator
/// gives, and `SOCKLAB_BLESS=1` rewrites it.
const ANSWERS: &str = include_str!("../data/answers.txt");

/// One question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exercise {
    /// A name that never changes: the browser remembers answered exercises by it.
    pub id: String,
    /// The page that asks it, as its path (`/struct`).
    pub page: String,
    /// Its lines need real sockets, so they run through the companion.
    pub live: bool,
    /// Lines run first, shown above the question (`import struct`).
    pub setup: Vec<String>,
    /// The line asked about: what does `python3 -i` print after it?
    pub line: String,
    /// The options to pick from; empty when the learner types the answer.
    pub choices: Vec<String>,
}

/// What running an exercise gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// What `python3 -i` prints after the asked line (the whole traceback when it raises), or,
    /// when the lines could not run here, socklab's message saying why.
    pub printed: String,
    /// The line raised.
    pub raised: bool,
    /// The lines could not run here (no companion, a refusal): `printed` is socklab's own
    /// message, not Python's answer.
    pub unavailable: bool,
}

impl Answer {
    /// The line an answer is compared with: the last line printed (a traceback's last line is
    /// the exception).
    pub fn last_line(&self) -> &str {
        self.printed.lines().last().unwrap_or("")
    }

    /// The exception's class when the line raised (`OverflowError`, `socket.gaierror`).
    pub fn exception(&self) -> Option<&str> {
        if !self.raised || self.unavailable {
            return None;
        }
        let last = self.last_line();
        Some(last.split_once(':').map_or(last, |(class, _)| class))
    }
}

impl Exercise {
    /// The catalog key of why Python prints what it prints: `why.<id>`.
    pub fn why_key(&self) -> String {
        format!("why.{}", self.id)
    }

    /// Every line, the setup first, the asked line last.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.setup
            .iter()
            .map(String::as_str)
            .chain([self.line.as_str()])
    }

    /// Runs the lines in a fresh console pane and gives what the asked line printed. The
    /// sockets the lines made are closed afterwards, as the learner's own would be.
    pub async fn run<H: Host>(&self, host: &H) -> Answer {
        let mut pane = Pane::new();
        let mut answer = None;
        for line in &self.setup {
            let ran = pane.run(host, line).await;
            if ran.raised || ran.note.is_some() {
                // The question cannot be asked: say why, as the console would.
                answer = Some(Answer {
                    printed: ran.output,
                    raised: ran.raised,
                    unavailable: true,
                });
                break;
            }
        }
        let answer = match answer {
            Some(a) => a,
            None => {
                let ran = pane.run(host, &self.line).await;
                Answer {
                    printed: ran.output,
                    raised: ran.raised,
                    unavailable: ran.note.is_some(),
                }
            }
        };
        let open: Vec<String> = pane
            .sockets()
            .filter(|(_, closed)| !closed)
            .filter_map(|(s, _)| pane.names_of(s.id).first().map(|n| (*n).to_owned()))
            .collect();
        for name in open {
            pane.run(host, &format!("{name}.close()")).await;
        }
        answer
    }
}

impl Exercise {
    /// The answer of a computed exercise as `data/answers.txt` has it: what [`Exercise::run`]
    /// gives with no companion, for a program without the evaluator; `None` for a live one.
    ///
    /// ```
    /// use socklab_core::exercise::exercises;
    /// let calcsize = exercises().iter().find(|e| e.line == "struct.calcsize('BHxHH')").unwrap();
    /// assert_eq!(calcsize.answer().unwrap().printed, "10");
    /// ```
    pub fn answer(&self) -> Option<Answer> {
        let head = format!("[{}]\n", self.id);
        let start = ANSWERS.find(&head)? + head.len();
        let block = ANSWERS[start..].split("\n[").next().unwrap_or_default();
        let mut lines = block.lines();
        let raised = lines.next()? == "raised";
        let printed: Vec<&str> = lines.map(|l| l.strip_prefix("| ").unwrap_or(l)).collect();
        Some(Answer {
            printed: printed.join("\n"),
            raised,
            unavailable: false,
        })
    }
}

/// `data/answers.txt` for these answers: a comment, then each exercise's `[id]`, `raised` or
/// `returned`, and what it printed, each line after `| `.
pub fn answers_file(answers: &[(&str, Answer)]) -> String {
    let mut out = String::from(
        "# What each computed exercise prints, as the console's evaluator runs it with no\n\
         # companion (core's Exercise::answer). Written by `SOCKLAB_BLESS=1 cargo test -p\n\
         # socklab-core --test exercises`; that test fails when this is stale.\n",
    );
    for (id, answer) in answers {
        let kind = if answer.raised { "raised" } else { "returned" };
        out.push_str(&format!("[{id}]\n{kind}\n"));
        for line in answer.printed.split('\n') {
            out.push_str(&format!("| {line}\n"));
        }
    }
    out
}

/// Text with the whitespace outside string literals taken out, so `( 1,2 )` reads as `(1, 2)`
/// does, while `b' '` keeps its space.
fn without_spaces(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.trim().chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_whitespace() => {}
            None => out.push(c),
        }
    }
    out
}

/// Whether `typed` is right: what Python prints (spacing aside), or, when the line raises, the
/// exception's class alone or its whole last line.
///
/// ```
/// use socklab_core::exercise::{judge, Answer};
/// let raised = Answer {
///     printed: "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nOverflowError: htons: Python int too large to convert to C 16-bit unsigned integer".into(),
///     raised: true,
///     unavailable: false,
/// };
/// assert!(judge(&raised, "OverflowError"));
/// assert!(judge(&raised, "OverflowError: htons: Python int too large to convert to C 16-bit unsigned integer"));
/// assert!(!judge(&raised, "ValueError"));
/// let bytes = Answer { printed: "b' x'".into(), raised: false, unavailable: false };
/// assert!(judge(&bytes, "  b' x' ") && !judge(&bytes, "b'x'"));
/// ```
pub fn judge(answer: &Answer, typed: &str) -> bool {
    if answer.unavailable {
        return false;
    }
    let typed = without_spaces(typed);
    if typed.is_empty() {
        return false;
    }
    if answer.exception().is_some_and(|class| typed == class) {
        return true;
    }
    let whole = without_spaces(&answer.printed);
    typed == whole || (answer.raised && typed == without_spaces(answer.last_line()))
}

/// What is wrong with the exercises file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("exercises.txt:{line}: {message}")]
pub struct ExerciseError {
    /// The line (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads the exercises file: `[id]` opens an exercise, `field = value` lines follow (see the
/// file's head), and every exercise must have a page, a line and its why in both languages.
///
/// ```
/// use socklab_core::exercise::parse;
/// let ok = parse("[a]\npage = /text\nline = len('ab')\n").unwrap();
/// assert_eq!(ok[0].line, "len('ab')");
/// let err = parse("[a]\npage = /text\n").unwrap_err();
/// assert_eq!(err.to_string(), "exercises.txt:1: a has no line");
/// // Why is in the catalogs, not here.
/// let err = parse("[a]\npage = /text\nline = len('ab')\nen = Two.\n").unwrap_err();
/// assert_eq!(err.to_string(), "exercises.txt:4: unknown field \"en\"");
/// ```
pub fn parse(text: &str) -> Result<Vec<Exercise>, ExerciseError> {
    let mut out: Vec<(usize, Exercise)> = Vec::new();
    let fail = |line, message: String| ExerciseError { line, message };
    for (n, raw) in text.lines().enumerate() {
        let n = n + 1;
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(id) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if out.iter().any(|(_, e)| e.id == id) {
                return Err(fail(n, format!("{id} is there twice")));
            }
            out.push((
                n,
                Exercise {
                    id: id.to_owned(),
                    page: String::new(),
                    live: false,
                    setup: Vec::new(),
                    line: String::new(),
                    choices: Vec::new(),
                },
            ));
            continue;
        }
        let Some((_, e)) = out.last_mut() else {
            return Err(fail(n, "a field before the first [id]".to_owned()));
        };
        if line == "live" {
            e.live = true;
            continue;
        }
        let Some((field, value)) = line.split_once(" = ") else {
            return Err(fail(n, format!("not `field = value`: {line:?}")));
        };
        let value = value.to_owned();
        let single = |slot: &mut String| {
            if slot.is_empty() {
                *slot = value.clone();
                Ok(())
            } else {
                Err(fail(n, format!("{field} is given twice")))
            }
        };
        match field {
            "page" => single(&mut e.page)?,
            "line" => single(&mut e.line)?,
            "setup" => e.setup.push(value),
            "choice" => e.choices.push(value),
            other => return Err(fail(n, format!("unknown field {other:?}"))),
        }
    }
    for (n, e) in &out {
        for (field, value) in [("page", &e.page), ("line", &e.line)] {
            if value.is_empty() {
                return Err(fail(*n, format!("{} has no {field}", e.id)));
            }
        }
        if e.choices.len() == 1 {
            return Err(fail(
                *n,
                format!("{} has one choice: give two or more", e.id),
            ));
        }
    }
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// Every exercise, in the file's order.
pub fn exercises() -> &'static [Exercise] {
    static ALL: OnceLock<Vec<Exercise>> = OnceLock::new();
    ALL.get_or_init(|| parse(DATA).unwrap_or_else(|e| panic!("{e}")))
}

/// The exercises a page asks, in order.
pub fn for_page(page: &str) -> Vec<&'static Exercise> {
    exercises().iter().filter(|e| e.page == page).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(printed: &str, raised: bool) -> Answer {
        Answer {
            printed: printed.to_owned(),
            raised,
            unavailable: false,
        }
    }

    #[test]
    fn spacing_is_ignored_outside_string_literals_only() {
        assert_eq!(without_spaces(" ( 1 , 2 ) "), "(1,2)");
        assert_eq!(without_spaces("b' a '"), "b' a '");
        assert_eq!(without_spaces(r"'it\'s ' x"), r"'it\'s 'x");
        assert_eq!(without_spaces("\"a 'b\" c"), "\"a 'b\"c");
    }

    #[test]
    fn an_answer_is_what_python_prints() {
        let tuple = answer("(1, 2)", false);
        assert!(judge(&tuple, "(1,2)"));
        assert!(!judge(&tuple, "(2, 1)"));
        assert!(!judge(&tuple, ""));
        assert!(!judge(&answer("b''", false), "''"));
        // A class name is right only for an exception.
        let class = answer("<class 'TimeoutError'>", false);
        assert!(!judge(&class, "TimeoutError"));
        assert!(judge(&class, "<class 'TimeoutError'>"));
    }

    #[test]
    fn an_exception_is_its_class_or_its_last_line() {
        let tb = "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nBlockingIOError: [Errno 11] Resource temporarily unavailable";
        let a = answer(tb, true);
        assert_eq!(a.exception(), Some("BlockingIOError"));
        assert!(judge(&a, "BlockingIOError"));
        assert!(judge(
            &a,
            "BlockingIOError: [Errno 11] Resource temporarily unavailable"
        ));
        assert!(judge(&a, tb));
        assert!(!judge(&a, "BlockingIOError: [Errno 11]"));
        assert!(!judge(&a, "OSError"));
    }

    #[test]
    fn nothing_is_right_when_the_lines_could_not_run() {
        let gone = Answer {
            printed: "[socklab] no companion".to_owned(),
            raised: true,
            unavailable: true,
        };
        assert_eq!(gone.exception(), None);
        assert!(!judge(&gone, "[socklab] no companion"));
    }

    #[test]
    fn the_file_reads_and_its_mistakes_are_named() {
        assert!(!exercises().is_empty());
        let bad = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            bad("page = /x\n"),
            "exercises.txt:1: a field before the first [id]"
        );
        assert_eq!(
            bad("[a]\npage = /x\nline = 1\n[a]\n"),
            "exercises.txt:4: a is there twice"
        );
        assert_eq!(
            bad("[a]\npage = /x\npage = /y\n"),
            "exercises.txt:3: page is given twice"
        );
        assert_eq!(
            bad("[a]\ncolour = red\n"),
            "exercises.txt:2: unknown field \"colour\""
        );
        assert_eq!(
            bad("[a]\npage = /x\nline = 1\nchoice = 1\n"),
            "exercises.txt:1: a has one choice: give two or more"
        );
    }
}
