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
