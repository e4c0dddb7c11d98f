//! The console's state, without yew: each pane's script (what the URL keeps), its transcript
//! (what ran and what it printed), and the rules of "Run all". Tested natively.

use socklab_core::console::Note;
use std::collections::VecDeque;

/// At most this many panes.
pub const MAX_PANES: usize = 4;

/// One line of a transcript.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// What was typed.
    pub line: String,
    /// What `python3 -i` printed for it; `None` while it runs.
    pub output: Option<String>,
    /// It raised (or was refused).
    pub raised: bool,
    /// socklab's own line instead of Python's output (the last line of `output`, in English),
    /// which the page shows in the reader's language.
    pub note: Option<Note>,
    /// How long it took, in milliseconds, once done.
    pub took_ms: Option<f64>,
}

impl Entry {
    /// What the line printed before socklab's note (Python's own output, possibly empty), and
    /// the note, if it ended in one: the page shows the note in the reader's language.
    pub fn printed_and_note(&self) -> (&str, Option<&Note>) {
        let out = self.output.as_deref().unwrap_or_default();
        match &self.note {
            Some(note) => {
                let before = out.strip_suffix(note.line().as_str()).unwrap_or_default();
                (before.strip_suffix('\n').unwrap_or(before), Some(note))
            }
            None => (out, None),
        }
    }

    /// The CSS class of its output: socklab's own note, Python's traceback, or its value.
    pub fn output_class(&self) -> &'static str {
        if self.note.is_some() {
            "py-note"
        } else if self.raised {
            "py-err"
        } else {
            "py-out"
        }
    }
}

/// How a pane stands, as `data-state` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaneState {
    /// Nothing ran yet, or lines wait for "Run all".
    Idle,
    /// A line runs.
    Running,
    /// A line waits in a blocking call.
    Waiting,
    /// Every line ran.
    Done,
}

impl PaneState {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            PaneState::Idle => "idle",
            PaneState::Running => "running",
            PaneState::Waiting => "waiting",
            PaneState::Done => "done",
        }
    }
}

/// One pane's lines: those that ran (with their output) and those still to run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transcript {
    /// Lines run or running, in order.
    pub entries: Vec<Entry>,
    /// Lines still to run ("Run all" runs them; a link opens with them here).
    pub pending: VecDeque<String>,
    /// Lines typed while another ran: they run next, by themselves, as a terminal's do.
    pub typed_ahead: VecDeque<String>,
    /// The running line's call waits (the companion said so).
    pub waiting: bool,
}

impl Transcript {
    /// A transcript whose lines all wait to run.
    pub fn with_script(lines: &[String]) -> Transcript {
        Transcript {
            pending: lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .cloned()
                .collect(),
            ..Transcript::default()
        }
    }

    /// A line starts running.
    pub fn start(&mut self, line: String) {
        self.entries.push(Entry {
            line,
            output: None,
            raised: false,
            note: None,
            took_ms: None,
        });
        self.waiting = false;
    }

    /// Whether a line runs now.
    pub fn running(&self) -> bool {
        self.entries.last().is_some_and(|e| e.output.is_none())
    }

    /// The running line ended with `output`.
    pub fn finish(&mut self, output: String, raised: bool, note: Option<Note>, took_ms: f64) {
        if let Some(e) = self.entries.last_mut().filter(|e| e.output.is_none()) {
            e.output = Some(output);
            e.raised = raised;
            e.note = note;
            e.took_ms = Some(took_ms);
        }
        self.waiting = false;
    }

    /// The state `data-state` shows.
    pub fn state(&self) -> PaneState {
        if self.running() || !self.typed_ahead.is_empty() {
            if self.waiting {
                PaneState::Waiting
            } else {
                PaneState::Running
            }
        } else if self.entries.is_empty() || !self.pending.is_empty() {
            PaneState::Idle
        } else {
            PaneState::Done
        }
    }

    /// The transcript as `python3 -i` prints it: `>>> ` and the line, then its output, for
    /// every line that ran (or runs), joined with newlines, without timings.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        for e in &self.entries {
            parts.push(format!(">>> {}", e.line));
            if let Some(out) = e.output.as_ref().filter(|o| !o.is_empty()) {
                parts.push(out.clone());
            }
        }
        parts.join("\n")
    }

    /// The pane's script: the lines that ran, then those still to run (what the URL keeps).
    pub fn script(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| e.line.clone())
            .chain(self.typed_ahead.iter().cloned())
            .chain(self.pending.iter().cloned())
            .collect()
    }
}

/// The panes' scripts as the URL keeps them: `p1`, `p2`, … one statement per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleQuery {
    /// Each pane's lines.
    pub panes: Vec<Vec<String>>,
}

impl Default for ConsoleQuery {
    fn default() -> ConsoleQuery {
        ConsoleQuery {
            panes: vec![Vec::new(), Vec::new()],
        }
    }
}

impl ConsoleQuery {
    /// Reads `p1`..`p4`; two empty panes when there are none.
    pub fn from_query(query: &str) -> ConsoleQuery {
        let pairs = crate::route::parse_query(query);
        let mut panes: Vec<Vec<String>> = Vec::new();
        for k in 1..=MAX_PANES {
            match crate::route::get(&pairs, &format!("p{k}")) {
                Some(code) => panes.push(split_lines(code)),
                None => break,
            }
        }
        while panes.len() < 2 {
            panes.push(Vec::new());
        }
        ConsoleQuery { panes }
    }

    /// The example a presenter's arrow key loads: the one after (or before) the example these
    /// panes hold, wrapping around; from panes that hold none, the first (or the last).
    /// `examples` are each example's panes' lines.
    pub fn step_example(&self, examples: &[&[&[&str]]], step: crate::present::Step) -> usize {
        let holds = |example: &[&[&str]]| {
            let count = example.len().max(2);
            self.panes.len() == count
                && self.panes.iter().enumerate().all(|(k, lines)| {
                    let wanted = example.get(k).copied().unwrap_or_default();
                    lines.iter().map(String::as_str).eq(wanted.iter().copied())
                })
        };
        let current = examples.iter().position(|e| holds(e));
        let all: Vec<Option<usize>> = (0..examples.len()).map(Some).collect();
        step.cycle(&all, &current).unwrap_or(0)
    }

    /// The query string for these scripts.
    pub fn to_query(&self) -> String {
        crate::route::console_query(&self.panes)
    }
}

/// A pane's code as lines: split at newlines, trailing spaces and empty lines dropped.
pub fn split_lines(code: &str) -> Vec<String> {
    code.lines()
        .map(|l| l.trim_end().to_owned())
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The default name of pane `k` (0-based): the catalog key and the export's file stem.
pub fn pane_name(k: usize) -> (&'static str, String) {
    match k {
        0 => ("con.pane_server", "server".to_owned()),
        1 => ("con.pane_client", "client".to_owned()),
        _ => ("con.pane_other", format!("pane{}", k + 1)),
    }
}

/// "Run all": which panes may take their next pending line now.
///
/// Pane 1 runs first; pane k+1 starts once pane k has finished its lines or waits in a call
/// that blocks (a server in `accept()`), and from then on each pane goes on by itself.
/// `open` is how many panes have been let go so far; the new value is returned with the panes
/// to step.
pub fn run_all_step(panes: &[(PaneState, bool)], mut open: usize) -> (usize, Vec<usize>) {
    // (state, has pending lines)
    while let Some(&(state, pending)) = panes.get(open.saturating_sub(1)) {
        let let_next_go = open == 0
            || state == PaneState::Waiting
            || (!pending && matches!(state, PaneState::Done | PaneState::Idle));
        if let_next_go && open < panes.len() {
            open += 1;
        } else {
            break;
        }
    }
    let open = open.max(1).min(panes.len());
    let step = (0..open)
        .filter(|&k| {
            let (state, pending) = panes[k];
            pending && !matches!(state, PaneState::Running | PaneState::Waiting)
        })
        .collect();
    (open, step)
}

/// A duration as the pane shows it beside a line: `0.4 ms`, `12 ms`, `1.25 s`.
pub fn took_text(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn transcript_text_and_states() {
        let mut t = Transcript::with_script(&lines(&["import socket", "", "s = socket.socket()"]));
        assert_eq!(t.state(), PaneState::Idle);
        assert_eq!(t.script(), lines(&["import socket", "s = socket.socket()"]));
        let first = t.pending.pop_front().unwrap();
        t.start(first);
        assert_eq!(t.state(), PaneState::Running);
        t.waiting = true;
        assert_eq!(t.state(), PaneState::Waiting);
        t.finish(String::new(), false, None, 0.2);
        assert_eq!(t.state(), PaneState::Idle, "a line still waits to run");
        let next = t.pending.pop_front().unwrap();
        t.start(next);
        t.finish("x".to_owned(), false, None, 1.0);
        t.start("1/0".to_owned());
        t.finish(
            "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nZeroDivisionError: division by zero".to_owned(),
            true,
            None,
            0.1,
        );
        assert_eq!(t.state(), PaneState::Done);
        assert_eq!(
            t.text(),
            ">>> import socket\n>>> s = socket.socket()\nx\n>>> 1/0\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nZeroDivisionError: division by zero"
        );
        assert_eq!(t.script().len(), 3);
        // A line typed while another runs waits its turn, and counts as running.
        t.start("s.accept()".to_owned());
        t.typed_ahead.push_back("s.close()".to_owned());
        t.finish(String::new(), false, None, 1.0);
        assert_eq!(t.state(), PaneState::Running);
        assert_eq!(t.script().last().map(String::as_str), Some("s.close()"));
    }

    #[test]
    fn query_round_trip() {
        let q = ConsoleQuery {
            panes: vec![
                lines(&[
                    "import socket",
                    "srv = socket.create_server(('127.0.0.1', 0))",
                ]),
                lines(&["c = socket.socket()"]),
                Vec::new(),
            ],
        };
        let text = q.to_query();
        assert!(text.starts_with("?p1=import%20socket%0Asrv"), "{text}");
        assert_eq!(ConsoleQuery::from_query(&text), q);
        assert_eq!(ConsoleQuery::from_query(""), ConsoleQuery::default());
        assert_eq!(
            ConsoleQuery::from_query("?p1=a%0A%0A%20%0Ab").panes[0],
            lines(&["a", "b"])
        );
        // More than four panes: the rest are not read.
        let many = "?p1=a&p2=b&p3=c&p4=d&p5=e";
        assert_eq!(ConsoleQuery::from_query(many).panes.len(), 4);
    }

    #[test]
    fn run_all_goes_pane_by_pane() {
        use PaneState::*;
        // Both have lines: only pane 1 goes.
        assert_eq!(run_all_step(&[(Idle, true), (Idle, true)], 0), (1, vec![0]));
        // Pane 1 runs a line: pane 2 still waits its turn.
        assert_eq!(
            run_all_step(&[(Running, true), (Idle, true)], 1),
            (1, vec![])
        );
        // Pane 1 waits in accept(): pane 2 starts.
        assert_eq!(
            run_all_step(&[(Waiting, true), (Idle, true)], 1),
            (2, vec![1])
        );
        // Pane 1's call returned: it goes on by itself, beside pane 2.
        assert_eq!(
            run_all_step(&[(Idle, true), (Running, true)], 2),
            (2, vec![0])
        );
        // Pane 1 finished all its lines: pane 2 and then pane 3 go.
        assert_eq!(
            run_all_step(&[(Done, false), (Idle, true), (Idle, true)], 1),
            (2, vec![1])
        );
        // An empty pane 2 lets pane 3 go at once.
        assert_eq!(
            run_all_step(&[(Done, false), (Idle, false), (Idle, true)], 1),
            (3, vec![2])
        );
    }

    #[test]
    fn durations() {
        assert_eq!(took_text(0.42), "0.4 ms");
        assert_eq!(took_text(12.3), "12 ms");
        assert_eq!(took_text(1250.0), "1.25 s");
    }

    #[test]
    fn a_presenters_arrows_step_through_the_examples() {
        use crate::present::Step;
        let examples: [&[&[&str]]; 3] = [
            &[&["a = 1"], &["b = 2"]],
            &[&["c = 3"]],
            &[&["d"], &["e"], &["f"]],
        ];
        let panes = |p: &[&[&str]]| ConsoleQuery {
            panes: p
                .iter()
                .map(|l| l.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        };
        // Empty panes, or typed code, hold no example: → the first, ← the last.
        assert_eq!(
            ConsoleQuery::default().step_example(&examples, Step::Next),
            0
        );
        assert_eq!(
            ConsoleQuery::default().step_example(&examples, Step::Previous),
            2
        );
        let typed = panes(&[&["a = 1", "print(a)"], &["b = 2"]]);
        assert_eq!(typed.step_example(&examples, Step::Next), 0);
        // Each example, as loaded (a one-pane example keeps an empty second pane).
        assert_eq!(
            panes(&[&["a = 1"], &["b = 2"]]).step_example(&examples, Step::Next),
            1
        );
        assert_eq!(
            panes(&[&["c = 3"], &[]]).step_example(&examples, Step::Next),
            2
        );
        assert_eq!(
            panes(&[&["c = 3"], &[]]).step_example(&examples, Step::Previous),
            0
        );
        assert_eq!(
            panes(&[&["d"], &["e"], &["f"]]).step_example(&examples, Step::Next),
            0
        );
    }
}
