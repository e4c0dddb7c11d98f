//! The header's QR button: the page's link as a QR code, opened large in a modal dialog for
//! students' phones to scan from the projector.

use crate::i18n::use_i18n;
use crate::qr::QrSvg;
use yew::prelude::*;

/// The button, and the dialog it opens.
#[function_component]
pub fn LinkQr() -> Html {
    let i18n = use_i18n();
    let dialog = use_node_ref();
    // The link and its code, read from the address bar when the dialog opens.
    let shown = use_state(|| None::<(String, Option<QrSvg>)>);
    let open = {
        let (dialog, shown) = (dialog.clone(), shown.clone());
        Callback::from(move |_| {
            let href = crate::browser::href();
            let link = crate::present::with_flag(&href, false);
            shown.set(Some((link, crate::qr::link_code(&href))));
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_| {
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                d.close();
            }
        })
    };
    let body = match &*shown {
        Some((link, Some(svg))) => {
            let view_box = format!("0 0 {0} {0}", svg.size);
            html! {
                <>
                    <svg class="qr-code" data-testid="qr-code" viewBox={view_box} role="img"
                        aria-label={i18n.f("qr.image", &[("link", link)])} shape-rendering="crispEdges">
                        <rect width="100%" height="100%" fill="#ffffff" />
                        <path d={svg.path.clone()} fill="#000000" />
                    </svg>
                    <p class="qr-link"><code data-testid="qr-link">{ link }</code></p>
                </>
            }
        }
        Some((link, None)) => html! {
            <p class="notice" data-testid="qr-too-long">{ i18n.f("qr.too_long", &[("n", &link.len().to_string())]) }</p>
        },
        None => html! {},
    };
    html! {
        <>
            <button type="button" class="qr-btn" data-testid="qr-open" aria-haspopup="dialog" onclick={open}>
                <span class="qr-glyph" aria-hidden="true">{"▦"}</span>{" "}{ i18n.t("qr.open") }
            </button>
            <dialog ref={dialog} class="qr-dialog" data-testid="qr-dialog" aria-labelledby="qr-title">
                <div class="qr-head">
                    <h2 id="qr-title">{ i18n.t("qr.title") }</h2>
                    <button type="button" class="run-btn" data-testid="qr-close" onclick={close}>{ i18n.t("qr.close") }</button>
                </div>
                { body }
            </dialog>
        </>
    }
}
