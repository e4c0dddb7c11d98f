//! What the app asks of the browser: stored preferences, the URL, the history, the languages.
//!
//! Every call is infallible from the caller's side: a browser that refuses (storage disabled,
//! a sandboxed frame) just means a preference is not remembered.

use wasm_bindgen::JsValue;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// A value from `localStorage`.
pub(crate) fn load(key: &str) -> Option<String> {
    window()?.local_storage().ok()??.get_item(key).ok()?
}

/// Stores a value in `localStorage`; silently does nothing where storage is unavailable.
pub(crate) fn store(key: &str, value: &str) {
    if let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// A value from `sessionStorage` (this tab's, kept across its page loads).
pub(crate) fn load_for_tab(key: &str) -> Option<String> {
    window()?.session_storage().ok()??.get_item(key).ok()?
}

/// Stores a value in `sessionStorage`; silently does nothing where storage is unavailable.
pub(crate) fn store_for_tab(key: &str, value: &str) {
    if let Some(storage) = window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// `location.pathname`.
pub(crate) fn path() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// `location.search`, with its `?`.
pub(crate) fn query() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// `location.href`: the page's whole address.
pub(crate) fn href() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// `location.host`: where the page came from, and so where the companion is.
pub(crate) fn host() -> String {
    window()
        .and_then(|w| w.location().host().ok())
        .unwrap_or_default()
}

/// Replaces the current URL without a reload or a new history entry.
pub(crate) fn replace_url(url: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Loads `url` as a new page (`location.assign`): how the lite build opens a page only the full
/// build has.
pub(crate) fn load_page(url: &str) {
    if let Some(w) = window() {
        let _ = w.location().assign(url);
    }
}

/// Adds a history entry for a new URL (a navigation inside the app).
pub(crate) fn push_url(url: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Scrolls the page back to its top (a new page was opened inside the app).
pub(crate) fn scroll_to_top() {
    if let Some(w) = window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Calls `on_change` whenever the user goes back or forward in the history. The listener
/// lives as long as the returned guard.
pub(crate) fn on_history(on_change: impl Fn() + 'static) -> Option<gloo_events::EventListener> {
    let w = window()?;
    Some(gloo_events::EventListener::new(&w, "popstate", move |_| {
        on_change();
    }))
}

/// `navigator.languages`, most preferred first.
pub(crate) fn languages() -> Vec<String> {
    let Some(nav) = window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let list: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if list.is_empty() {
        nav.language().into_iter().collect()
    } else {
        list
    }
}

/// Does the system prefer a dark color scheme?
pub(crate) fn prefers_dark() -> bool {
    window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Sets (or with `None` removes) an attribute of `<html>`.
pub(crate) fn set_root_attribute(name: &str, value: Option<&str>) {
    if let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = match value {
            Some(v) => root.set_attribute(name, v),
            None => root.remove_attribute(name),
        };
    }
}

/// Sets `document.title`.
pub(crate) fn set_title(title: &str) {
    if let Some(doc) = window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// Calls `on_key(key, modified, in_field)` on every key pressed in the page: the key's name
/// (`ArrowRight`), whether Ctrl, Alt, Meta or Shift was held, and whether focus is in a field
/// that uses such keys itself (a text input, a select, a text area, a radio button, editable
/// text). When `on_key` returns true the key's default action is prevented. The listener
/// lives as long as the returned guard.
pub(crate) fn on_key(
    on_key: impl Fn(&str, bool, bool) -> bool + 'static,
) -> Option<gloo_events::EventListener> {
    use wasm_bindgen::JsCast;
    let doc = window()?.document()?;
    let options = gloo_events::EventListenerOptions::enable_prevent_default();
    Some(gloo_events::EventListener::new_with_options(
        &doc,
        "keydown",
        options,
        move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            let modified = e.ctrl_key() || e.alt_key() || e.meta_key() || e.shift_key();
            let in_field = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                        || el.is_content_editable()
                });
            if on_key(&e.key(), modified, in_field) {
                e.prevent_default();
            }
        },
    ))
}
