//! The browser half of core's [`Deferred`] data: [`NeedsData`] holds a page back until the
//! files it needs (the errno lessons on `/errors`, the GBK table on `/text` and in the console)
//! are fetched and installed, showing what it waits for, or why it failed with a way to try
//! again. The fetching itself (once per file, however many ask) is `fetching.rs`, which
//! `i18n.rs` uses for the catalogs.
//!
//! Only the browser build (feature `deferred`) leaves the data out; elsewhere (native tests,
//! the wasm tests) it is compiled in and `NeedsData` shows its children at once.

use crate::fetching::{fetch, fetch_missing, why_failed, Failure};
use crate::i18n::use_i18n;
use socklab_core::deferred::Deferred;
use yew::prelude::*;

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
                if why_failed(file).is_none() {
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
        .filter_map(|&file| why_failed(file))
        .collect();
    let what = |file: &Deferred| -> String {
        match file {
            Deferred::Lessons => i18n.t("data.lessons"),
            Deferred::Gbk => i18n.t("data.gbk"),
            Deferred::Catalog(..) => i18n.t("data.catalog"),
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
            fetch_missing(&files, &landed);
            landed.emit(());
        })
    };
    // Another build's file says the most (reload); else the network's reason.
    let failure = failures
        .iter()
        .find(|f| **f == Failure::Stale)
        .unwrap_or(&failures[0]);
    let (key, why) = failure.message();
    let names: Vec<String> = missing.iter().map(what).collect();
    html! {
        <div class="hint warn data-failed" role="alert" data-testid="data-failed">
            <p>{ i18n.f(key, &[("what", &names.join(", ")), ("why", why)]) }</p>
            <button type="button" class="chip no-print" data-testid="data-retry" onclick={retry}>{ i18n.t("data.retry") }</button>
        </div>
    }
}
