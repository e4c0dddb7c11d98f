//! Fetching core's [`Deferred`] files from beside the app: each at most once per page life,
//! however many ask ([`fetch`]), installed into core once its hash checks out, and what went
//! wrong remembered ([`why_failed`]) until the page tries again. `deferred.rs`'s
//! `NeedsData` and `i18n.rs`'s catalogs are built on it.

use socklab_core::deferred::Deferred;
use std::cell::RefCell;
use std::collections::HashMap;
use yew::Callback;

/// Why fetching `file` failed last time it was tried, if it did.
pub(crate) fn why_failed(file: Deferred) -> Option<Failure> {
    FETCHES.with(|f| match f.borrow().get(&file) {
        Some(Fetch::Failed(why)) => Some(why.clone()),
        _ => None,
    })
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
pub(crate) enum Failure {
    /// The request failed or was not answered with 200: the server is gone, or offline.
    Network(String),
    /// The bytes are not this build's: the server has a newer build than the page.
    Stale,
}

impl Failure {
    /// What the page says of it: a catalog key taking `{what}` (and `{why}`), and the why.
    pub(crate) fn message(&self) -> (&'static str, &str) {
        match self {
            Failure::Network(why) => ("data.failed", why),
            Failure::Stale => ("data.stale", ""),
        }
    }
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

/// Whether every one of `files` is here.
pub(crate) fn all_there(files: &[Deferred]) -> bool {
    files.iter().all(|f| f.get().is_some())
}

/// Why one of `files` could not be had, if one could not.
pub(crate) fn failure(files: &[Deferred]) -> Option<Failure> {
    files.iter().find_map(|&f| why_failed(f))
}

/// Fetches those of `files` that are not here; `done` hears of each landing or failing.
pub(crate) fn fetch_missing(files: &[Deferred], done: &Callback<()>) {
    for &file in files {
        fetch(file, done);
    }
}
