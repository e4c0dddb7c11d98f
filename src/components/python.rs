//! How the app shows Python: an interactive session (`>>> call` then what CPython prints), and
//! an exception as the traceback's last line with an explanation in the user's language.

use crate::i18n::use_i18n;
use socklab_core::pyerror::PyException;
use yew::prelude::*;

/// Props of [`PyCallView`].
#[derive(Properties, PartialEq)]
pub struct PyCallProps {
    /// The expression typed at `>>>`.
    pub code: AttrValue,
    /// What CPython prints for it: the repr, or the exception.
    pub result: Result<String, PyException>,
}

/// `>>> struct.pack('>H', 256)` and, below it, `b'\x01\x00'` (or the exception).
#[function_component]
pub fn PyCallView(props: &PyCallProps) -> Html {
    let i18n = use_i18n();
    let (class, output) = match &props.result {
        Ok(repr) => ("py-out", repr.clone()),
        Err(e) => (
            "py-err",
            socklab_core::pyerror::traceback(&e.traceback_line()),
        ),
    };
    html! {
        <div class="pycall" data-code={props.code.clone()}>
            <pre class="py" aria-label={i18n.t("py.session").to_owned()}>
                <span class="py-prompt" aria-hidden="true">{">>> "}</span>
                <code class="py-in">{ props.code.clone() }</code>{"\n"}
                <code class={class} data-testid="py-result">{ output }</code>
            </pre>
            if let Err(e) = &props.result {
                <Explanation error={e.clone()} />
            }
        </div>
    }
}

/// Props of [`PyErrorView`] and `Explanation`.
#[derive(Properties, PartialEq)]
pub struct PyErrorProps {
    /// The exception.
    pub error: PyException,
}

/// An exception on its own: CPython's line, then what it means.
#[function_component]
pub fn PyErrorView(props: &PyErrorProps) -> Html {
    let i18n = use_i18n();
    html! {
        <div class="pyerror" role="alert">
            <p class="label">{ i18n.t("py.python_says") }</p>
            <pre class="py"><code class="py-err" data-testid="py-error">{ props.error.traceback_line() }</code></pre>
            <Explanation error={props.error.clone()} />
        </div>
    }
}

#[function_component]
fn Explanation(props: &PyErrorProps) -> Html {
    let i18n = use_i18n();
    match &props.error.hint {
        Some(hint) => {
            html! { <p class="hint"><span class="hint-mark" aria-hidden="true">{"→ "}</span>{ i18n.hint(hint) }</p> }
        }
        None => html! {},
    }
}

/// A line of a code snippet and the catalog key of its comment (`""` for none): the code stays
/// code, the comment is in the reader's language.
pub type CodeLine = (&'static str, &'static str);

/// A snippet as text, its comments translated and aligned one column after the longest line
/// that has one (a line of its own when the code is empty).
pub fn snippet_text(i18n: &crate::i18n::I18n, lines: &[CodeLine]) -> String {
    let width = lines
        .iter()
        .filter(|(code, key)| !key.is_empty() && !code.is_empty())
        .map(|(code, _)| code.chars().count())
        .max()
        .unwrap_or(0);
    lines
        .iter()
        .map(|(code, key)| match (*code, *key) {
            (code, "") => code.to_owned(),
            ("", key) => format!("# {}", i18n.t(key)),
            (code, key) => format!("{code:<width$}  # {}", i18n.t(key)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A runnable line: the code and its comment (in the reader's language) after `  # `.
pub fn commented_line(i18n: &crate::i18n::I18n, (code, key): CodeLine) -> String {
    if key.is_empty() {
        code.to_owned()
    } else {
        format!("{code}  # {}", i18n.t(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab_core::i18n::Lang;

    #[test]
    fn comments_are_translated_and_aligned() {
        let lines: [CodeLine; 3] = [
            ("s.setblocking(False)", "sock.c_nonblocking_same"),
            ("s.gettimeout()", ""),
            ("", "sock.c_with_closes"),
        ];
        let en = snippet_text(&crate::i18n::I18n::fixed(Lang::En), &lines);
        assert_eq!(
            en,
            "s.setblocking(False)  # the same as s.settimeout(0.0)\ns.gettimeout()\n# leaving the with block closes s, even after an exception"
        );
        let zh = snippet_text(&crate::i18n::I18n::fixed(Lang::Zh), &lines);
        assert!(zh.starts_with("s.setblocking(False)  # 等同于"), "{zh}");
        // A Windows path in a comment keeps its backslashes.
        let hosts = snippet_text(
            &crate::i18n::I18n::fixed(Lang::En),
            &[("", "host.c_hosts_file")],
        );
        assert!(
            hosts.ends_with("C:\\Windows\\System32\\drivers\\etc\\hosts (Windows)"),
            "{hosts}"
        );
        assert_eq!(
            commented_line(
                &crate::i18n::I18n::fixed(Lang::Zh),
                ("c.shutdown(socket.SHUT_WR)", "sock.c_end_of_stream")
            ),
            "c.shutdown(socket.SHUT_WR)  # 请求的结束就是流的结束"
        );
    }
}
