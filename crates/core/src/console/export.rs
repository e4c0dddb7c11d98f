//! "Export": a pane as a `.py` file that, run with `python3`, prints what the console printed.
//!
//! The file holds the pane's lines as plain Python, one statement per line, and replays them
//! through `code.InteractiveConsole` (which compiles each line as `python3 -i` does, so an
//! expression prints its repr and an exception prints its traceback and the run goes on).
//! Tracebacks go to stdout, so the output reads in order when it is piped.

use crate::pyrepr::str_repr;

/// The script for one pane. `name` is its file's stem (`server`), `order` says which terminal
/// it goes in: every pane's file name, in the order to start them.
///
/// ```
/// use socklab_core::console::export::script;
/// let py = script("client", &["server", "client"], &["import socket".to_owned()]);
/// assert!(py.contains("python3 server.py"));
/// assert!(py.contains("    'import socket',\n"));
/// ```
pub fn script(name: &str, order: &[&str], lines: &[String]) -> String {
    let mut out = format!("# {name}.py: the \"{name}\" pane of a socklab console session.\n");
    if order.len() > 1 {
        out.push_str("# Start the panes in this order, each in a terminal of its own:\n");
        for (k, pane) in order.iter().enumerate() {
            let note = if *pane == name { "   <- this file" } else { "" };
            out.push_str(&format!("#   {}. python3 {pane}.py{note}\n", k + 1));
        }
    } else {
        out.push_str(&format!("# Run it with: python3 {name}.py\n"));
    }
    out.push_str(
        "# Each line runs as `python3 -i` runs it: it is printed after \">>> \", then what\n\
         # Python printed for it (a value's repr, or the traceback), and the run goes on.\n\n\
         LINES = [\n",
    );
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        out.push_str(&format!("    {},\n", str_repr(line)));
    }
    out.push_str(
        "]\n\n\
         import code\n\
         import sys\n\n\
         sys.stderr = sys.stdout  # tracebacks in order with the rest\n\
         session = code.InteractiveConsole(filename=\"<stdin>\")\n\
         for line in LINES:\n\
         \x20   print(\">>>\", line, flush=True)\n\
         \x20   session.push(line)\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_python_literals_and_blank_lines_go() {
        let lines = vec![
            "s.sendall(b'it\\'s')".to_owned(),
            String::new(),
            "print(\"中文\")".to_owned(),
        ];
        let py = script("server", &["server", "client"], &lines);
        assert!(
            py.contains("#   1. python3 server.py   <- this file\n"),
            "{py}"
        );
        assert!(py.contains("#   2. python3 client.py\n"), "{py}");
        assert!(py.contains("    \"s.sendall(b'it\\\\'s')\",\n"), "{py}");
        assert!(py.contains("    'print(\"中文\")',\n"), "{py}");
        assert_eq!(
            py.matches("\n    ").count(),
            4,
            "two lines and the loop's two: {py}"
        );
    }
}
