//! The browser half of core's [`Deferred`] data: [`NeedsData`] holds a page back until the
//! files it needs (the errno lessons on `/errors`, the GBK table on `/text` and in the console)
//! are fetched and installed, showing what it waits for, or why it failed with a way to try
//! again; the language's catalog is fetched by `i18n.rs` the same way ([`fetch`]). Each file is
//! fetched at most once per page life, however many components ask.
//!
//! Only the browser build (feature `deferred`) leaves the data out; elsewhere (native tests,
//! the wasm tests) it is compiled in and `NeedsData` shows its children at once.

use crate::i18n::use_i18n;
use socklab_core::deferred::Deferred;
use std::cell::RefCell;
use std::collections::HashMap;
use yew::prelude::*;

/// Whether fetching `file` failed last time it was tried.
pub(crate) fn failed(file: Deferred) -> bool {
    FETCHES.with(|f| matches!(f.borrow().get(&file), Some(Fetch::Failed(_))))
}

/// Where a file stands.
#[derive(Debug)]
enum Fetch {
    /// On its way; these are told when it lands or fails.
    Running(Vec<Callback<()>>),
    /// It failed: why, in words for the page (`Stale`: another build's file).
    Failed(Failure),
}

/// Why a file could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Failure {
    /// The request failed or was not answered with 200: the server is gone, or offline.
    Network(String),
    /// The bytes are not this build's: the server has a newer build than the page.
    Stale,
}

thread_local! {
    static FETCHES: RefCell<HashMap<Deferred, Fetch>> = RefCell::new(HashMap::new());
}

/// Starts fetching `file` unless it is there or on its way; `done` is told when it lands or
/// fails. A failed file is tried again.
pub(crate) fn fetch(file: Deferred, done: &Callback<()>) {
    if file.get().is_some() {
        return;
    }
    let start = FETCHES.with(|f| {
        let mut fetches = f.borrow_mut();
        match fetches.get_mut(&file) {
            Some(Fetch::Running(waiting)) => {
                waiting.push(done.clone());
                false
            }
            _ => {
                fetches.insert(file, Fetch::Running(vec![done.clone()]));
                true
            }
        }
    });
    if start {
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match download(file).await {
                Ok(bytes) => file.install(bytes).map_err(|_| Failure::Stale),
                Err(why) => Err(Failure::Network(why)),
            };
            let waiting = FETCHES.with(|f| {
                let mut fetches = f.borrow_mut();
                let waiting = match fetches.remove(&file) {
                    Some(Fetch::Running(waiting)) => waiting,
                    _ => Vec::new(),
                };
                if let Err(failure) = outcome {
                    fetches.insert(file, Fetch::Failed(failure));
                }
                waiting
            });
            for w in waiting {
                w.emit(());
            }
        });
    }
}

/// The file's bytes from beside the app (`/lessons-….txt`), or why not.
#[cfg(target_arch = "wasm32")]
async fn download(file: Deferred) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let why = |e: wasm_bindgen::JsValue| {
        e.dyn_ref::<js_sys::Error>()
            .map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
    };
    let response = JsFuture::from(window.fetch_with_str(&format!("/{}", file.file_name())))
        .await
        .map_err(why)?;
    let response: web_sys::Response = response.dyn_into().map_err(why)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(why)?)
        .await
        .map_err(why)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Natively the data is compiled in, so nothing is ever downloaded.
#[cfg(not(target_arch = "wasm32"))]
async fn download(file: Deferred) -> Result<Vec<u8>, String> {
    Err(format!("{} is compiled in", file.file_name()))
}

/// Props of [`NeedsData`].
#[derive(Properties, PartialEq)]
pub struct NeedsDataProps {
    /// The files the children need.
    pub files: Vec<Deferred>,
    /// What to show once they are there.
    pub children: Html,
}

/// Shows its children once every file they need is installed; until then, what it waits for,
/// or why it could not get it and a button to try again.
#[function_component]
pub fn NeedsData(props: &NeedsDataProps) -> Html {
    let i18n = use_i18n();
    let update = use_force_update();
    let landed = Callback::from(move |()| update.force_update());
    {
        let landed = landed.clone();
        use_effect_with(props.files.clone(), move |files| {
            for &file in files {
                // A file that failed before is not fetched again on its own: the page says why
                // and offers to try again.
                let failed =
                    FETCHES.with(|f| matches!(f.borrow().get(&file), Some(Fetch::Failed(_))));
                if !failed {
                    fetch(file, &landed);
                }
            }
        });
    }
    let missing: Vec<Deferred> = props
        .files
        .iter()
        .copied()
        .filter(|f| f.get().is_none())
        .collect();
    if missing.is_empty() {
        return props.children.clone();
    }
    let failures: Vec<Failure> = missing
        .iter()
        .filter_map(|file| {
            FETCHES.with(|f| match f.borrow().get(file) {
                Some(Fetch::Failed(why)) => Some(why.clone()),
                _ => None,
            })
        })
        .collect();
    let what = |file: &Deferred| -> String {
        match file {
            Deferred::Lessons => i18n.t("data.lessons"),
            Deferred::Gbk => i18n.t("data.gbk"),
            Deferred::CatalogEn | Deferred::CatalogZh => i18n.t("data.catalog"),
        }
        .to_owned()
    };
    if failures.is_empty() {
        let names: Vec<String> = missing.iter().map(what).collect();
        return html! {
            <p class="help" role="status" data-testid="data-loading">
                { i18n.f("data.loading", &[("what", &names.join(", "))]) }
            </p>
        };
    }
    let retry = {
        let files = missing.clone();
        Callback::from(move |_: MouseEvent| {
            for &file in &files {
                FETCHES.with(|f| f.borrow_mut().remove(&file));
                fetch(file, &landed);
            }
            landed.emit(());
        })
    };
    let stale = failures.contains(&Failure::Stale);
    let detail = failures
        .iter()
        .find_map(|f| match f {
            Failure::Network(why) => Some(why.clone()),
            Failure::Stale => None,
        })
        .unwrap_or_default();
    let names: Vec<String> = missing.iter().map(what).collect();
    html! {
        <div class="hint warn data-failed" role="alert" data-testid="data-failed">
            <p>
                if stale {
                    { i18n.f("data.stale", &[("what", &names.join(", "))]) }
                } else {
                    { i18n.f("data.failed", &[("what", &names.join(", ")), ("why", &detail)]) }
                }
            </p>
            <button type="button" class="chip no-print" data-testid="data-retry" onclick={retry}>{ i18n.t("data.retry") }</button>
        </div>
    }
}
