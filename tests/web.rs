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

/// Replays a golden file through socklab-core compiled to wasm.
fn replay(text: &str, at_least: usize) {
    let all: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    assert!(all.len() > at_least, "the golden file looks truncated");
    let wrong: Vec<String> = all
        .iter()
        .filter(|case| cases::socklab(case) != cases::expected(case))
        .map(|case| format!("{case} -> {}", cases::socklab(case)))
        .take(5)
        .collect();
    assert!(wrong.is_empty(), "wasm differs from CPython: {wrong:#?}");
}

#[wasm_bindgen_test]
fn golden_vectors_hold_in_wasm() {
    replay(include_str!("../crates/core/vectors/byteorder.json"), 5000);
}

#[wasm_bindgen_test]
fn struct_golden_vectors_hold_in_wasm() {
    replay(include_str!("../crates/core/vectors/struct.json"), 3000);
}

#[wasm_bindgen_test]
fn struct_page_logic_in_wasm() {
    use socklab_app::pages::structs::state::{Action, Mode, Preset, Role, StructState};
    use socklab_core::pystruct::Abi;
    let s = StructState::default()
        .update(Action::Preset(Preset::Aligned))
        .update(Action::SetAbi(Abi::LinuxI386))
        .update(Action::SetFormat("@cq".to_owned()))
        .update(Action::SetArgs("b'x', -1".to_owned()));
    let v = s.view();
    // 32-bit x86 aligns long long to 4, not 8.
    assert_eq!(v.total_bytes, 12);
    assert_eq!(v.cells[1].role, Role::Align { field: 1 });
    assert_eq!(
        v.result,
        Ok(r"b'x\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff'".to_owned())
    );
    let s = s.update(Action::UnpackThese);
    assert_eq!(s.mode, Mode::Unpack);
    assert_eq!(s.view().result, Ok("(b'x', -1)".to_owned()));
    let back = StructState::from_query(&socklab_app::route::build_query(&s.to_query()));
    assert_eq!(back, s);
}

#[function_component]
fn StructHarness() -> Html {
    use socklab_app::pages::structs::{state::StructState, StructPage};
    html! { <I18nProvider><StructPage initial={StructState::default()} /></I18nProvider> }
}

#[wasm_bindgen_test]
async fn struct_page_renders_and_follows_typing() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<StructHarness>::with_root(root.clone()).render();
    settle().await;
    assert_eq!(call_result(&root, "struct.pack('>H', 256)"), r"b'\x01\x00'");
    type_into(&root, "st-format", "<hx?");
    type_into(&root, "st-args", "-2, 'yes'");
    settle().await;
    assert_eq!(
        call_result(&root, "struct.pack('<hx?', -2, 'yes')"),
        r"b'\xfe\xff\x00\x01'"
    );
    let kinds: Vec<String> = (0..4)
        .map(|i| {
            let cell = root
                .query_selector(&format!("[data-testid=st-hex] li:nth-child({})", i + 1))
                .unwrap()
                .unwrap();
            cell.get_attribute("data-kind").unwrap()
        })
        .collect();
    assert_eq!(kinds, ["value", "value", "pad", "value"]);
    root.remove();
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
