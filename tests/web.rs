//! The app in a real browser (headless Chromium, through wasm-bindgen-test): socklab-core
//! compiled to wasm against CPython's golden vectors, and the byte-order page rendered and typed into.
#![cfg(target_arch = "wasm32")]

#[path = "../crates/core/tests/common/cases.rs"]
mod cases;

use socklab_app::i18n::I18nProvider;
use socklab_app::pages::byteorder::state::ByteOrderState;
use socklab_app::pages::byteorder::ByteOrderPage;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, EventInit, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_vectors_hold_in_wasm() {
    let all: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../crates/core/vectors/byteorder.json")).unwrap();
    assert!(all.len() > 5000);
    let wrong: Vec<String> = all
        .iter()
        .filter(|case| cases::socklab(case) != cases::expected(case))
        .map(|case| format!("{case} -> {}", cases::socklab(case)))
        .take(5)
        .collect();
    assert!(wrong.is_empty(), "wasm differs from CPython: {wrong:#?}");
}

#[function_component]
fn Harness() -> Html {
    html! { <I18nProvider><ByteOrderPage initial={ByteOrderState::default()} /></I18nProvider> }
}

async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(50)).await;
}

fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Harness>::with_root(root.clone()).render();
    root
}

fn call_result(root: &Element, code: &str) -> String {
    // Backslashes are escapes inside a CSS string, and the calls are full of `\x..`.
    let selector = format!(
        "[data-code=\"{}\"] [data-testid=py-result]",
        code.replace('\\', "\\\\")
    );
    root.query_selector(&selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no call {code}"))
        .text_content()
        .unwrap()
}

fn type_into(root: &Element, testid: &str, text: &str) {
    let input: HtmlInputElement = root
        .query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn byte_order_page_renders_and_follows_typing() {
    let root = mount();
    settle().await;
    assert_eq!(call_result(&root, "struct.pack('>H', 256)"), r"b'\x01\x00'");
    assert_eq!(
        call_result(&root, "(256).to_bytes(2, 'little')"),
        r"b'\x00\x01'"
    );

    type_into(&root, "bo-value", "0x1234");
    settle().await;
    assert_eq!(call_result(&root, "struct.pack('>H', 0x1234)"), r"b'\x124'");
    let htons = root
        .query_selector("[data-testid=swap-htons] .py-out")
        .unwrap()
        .unwrap();
    assert_eq!(
        htons.text_content().unwrap(),
        "13330",
        "htons(0x1234) = 0x3412"
    );

    type_into(&root, "bo-value", "65536");
    settle().await;
    assert_eq!(call_result(&root, "struct.pack('>H', 65536)"), "Traceback (most recent call last):\n  ...\nstruct.error: 'H' format requires 0 <= number <= 65535");
    let hint = root
        .query_selector(".pycall .hint")
        .unwrap()
        .expect("an explanation under the error");
    assert!(
        hint.text_content().unwrap().contains("'H'"),
        "{:?}",
        hint.text_content()
    );

    type_into(&root, "bo-bytes", "ff fe");
    settle().await;
    assert_eq!(
        call_result(&root, r"int.from_bytes(b'\xff\xfe', 'little')"),
        "65279"
    );
    root.remove();
}
