//! The interface language: chosen by the user, remembered, defaulting from the browser.
//!
//! Components read strings through [`I18n::t`] from a context; the strings themselves live in
//! `locales/*.txt` (see `socklab_core::i18n`).

use crate::fetching::{all_there, failure, fetch_missing, Failure};
use socklab_core::builds::Build;
use socklab_core::deferred::Deferred;
use socklab_core::i18n::{Catalog, Lang};
use socklab_core::pyerror::Hint;
use std::collections::HashMap;
use std::rc::Rc;
use yew::prelude::*;

/// localStorage key of the chosen language.
pub(crate) const STORAGE_KEY: &str = "socklab.lang";

/// The language context: the current language, its catalog, and a way to change it.
#[derive(Clone)]
pub struct I18n {
    /// The current language.
    pub lang: Lang,
    catalog: Rc<Catalog>,
    set: Callback<Lang>,
}

impl PartialEq for I18n {
    fn eq(&self, other: &I18n) -> bool {
        self.lang == other.lang
    }
}

impl I18n {
    /// The text of a key.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.catalog.get(key)
    }

    /// The text of a key with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.catalog.format(key, args)
    }

    /// The built-in catalog of `lang`, with nowhere to switch to (for native tests).
    pub fn fixed(lang: Lang) -> I18n {
        I18n {
            lang,
            catalog: Rc::new(Catalog::builtin(lang)),
            set: Callback::noop(),
        }
    }

    /// A core error's hint in this language.
    pub fn hint(&self, hint: &Hint) -> String {
        self.catalog.hint(hint)
    }

    /// Switches the language (and remembers the choice).
    pub fn set(&self, lang: Lang) {
        self.set.emit(lang);
    }
}

/// The language to start in: the stored choice, else the browser's preference.
pub(crate) fn initial_lang() -> Lang {
    match crate::browser::load(STORAGE_KEY) {
        Some(tag) => Lang::from_tag(&tag),
        None => Lang::from_preferences(crate::browser::languages().iter().map(String::as_str)),
    }
}

/// This build's catalog files for `lang`: the texts every page may use, and those only its own
/// pages use (the natively built app, which has every page, has every file compiled in).
fn catalog_files(lang: Lang) -> Vec<Deferred> {
    let mut files = vec![lang.catalog_file(None)];
    files.extend(
        Build::ALL
            .into_iter()
            .filter(|&b| crate::route::this_build_has(b))
            .map(|b| lang.catalog_file(Some(b))),
    );
    files
}

/// Props of [`I18nProvider`].
#[derive(Properties, PartialEq)]
pub struct I18nProviderProps {
    /// The app.
    pub children: Html,
}

/// Provides [`I18n`] to the app, and keeps `<html lang>` and the stored choice in step.
///
/// The browser build carries no catalog: the reader's one is fetched beside the wasm (index.html
/// preloads its two files: the shared texts and its build's) and the app renders once they are there;
/// switching to the other language fetches that one first, and the page changes language when
/// it has arrived.
#[function_component]
pub fn I18nProvider(props: &I18nProviderProps) -> Html {
    let lang = use_state(initial_lang);
    let catalogs = use_mut_ref(HashMap::<Lang, Rc<Catalog>>::new);
    let update = use_force_update();
    let landed = Callback::from(move |()| update.force_update());
    {
        let lang = *lang;
        use_effect_with(lang, move |lang| {
            crate::browser::set_root_attribute("lang", Some(lang.tag()));
        });
    }
    // The language asked for whose texts could not be fetched, if any: said above the page.
    let switch_failed = use_state(|| None::<(Lang, Failure)>);
    let set = {
        let lang = lang.clone();
        let switch_failed = switch_failed.clone();
        Callback::from(move |l: Lang| {
            let (lang, switch_failed) = (lang.clone(), switch_failed.clone());
            let files = catalog_files(l);
            let switch = {
                let files = files.clone();
                Callback::from(move |()| {
                    if all_there(&files) {
                        crate::browser::store(STORAGE_KEY, l.tag());
                        switch_failed.set(None);
                        lang.set(l);
                    } else if let Some(why) = failure(&files) {
                        switch_failed.set(Some((l, why)));
                    }
                    // Otherwise another file is on its way, and tells this again when it lands.
                })
            };
            if all_there(&files) {
                switch.emit(());
            } else {
                // The other language's texts first; the page stays in this one until they are
                // here, and says so if they cannot be had.
                fetch_missing(&files, &switch);
            }
        })
    };
    let catalog = {
        let mut known = catalogs.borrow_mut();
        match known.get(&*lang) {
            Some(c) => Some(Rc::clone(c)),
            // `None` until every file of it is here.
            None => Catalog::available(&catalog_files(*lang)).map(|c| {
                let c = Rc::new(c);
                known.insert(*lang, Rc::clone(&c));
                c
            }),
        }
    };
    {
        let landed = landed.clone();
        use_effect_with((*lang, catalog.is_some()), move |&(lang, there)| {
            let files = catalog_files(lang);
            if !there && failure(&files).is_none() {
                fetch_missing(&files, &landed);
            }
        });
    }
    let Some(catalog) = catalog else {
        return boot_view(*lang, &landed);
    };
    let ctx = I18n {
        lang: *lang,
        catalog,
        set,
    };
    let notice = (*switch_failed).clone().map(|(l, failure)| {
        let retry = ctx.set.reform(move |_: MouseEvent| l);
        let (key, why) = failure.message();
        html! {
            <div class="hint warn data-failed lang-failed" role="alert" data-testid="lang-failed">
                <p>{ ctx.f(key, &[("what", ctx.t("data.catalog")), ("why", why)]) }</p>
                <button type="button" class="chip no-print" data-testid="lang-retry" onclick={retry}>{ ctx.t("data.retry") }</button>
            </div>
        }
    });
    html! {
        <ContextProvider<I18n> context={ctx.clone()}>
            { for notice }
            { props.children.clone() }
        </ContextProvider<I18n>>
    }
}

/// What shows while the reader's catalog is on its way (nothing: it comes with the wasm), or,
/// if it cannot be had, why, in both languages: there are no texts yet to say it in one. (Like
/// index.html's `<noscript>`, the one place the app's words are not in the catalogs.)
fn boot_view(lang: Lang, landed: &Callback<()>) -> Html {
    let files = catalog_files(lang);
    if failure(&files).is_none() {
        return html! { <p role="status" aria-busy="true"></p> };
    }
    let retry = {
        let landed = landed.clone();
        Callback::from(move |_: MouseEvent| {
            fetch_missing(&files, &landed);
            landed.emit(());
        })
    };
    html! {
        <div class="boot hint warn" role="alert" data-testid="boot-failed">
            <p lang="en">{ "Could not load socklab's texts. Check that socklab is still running, then try again." }</p>
            <p lang="zh-CN">{ "无法加载 socklab 的界面文字。请确认 socklab 仍在运行，然后重试。" }</p>
            <button type="button" class="chip" data-testid="boot-retry" onclick={retry}>{ "Try again / 重试" }</button>
        </div>
    }
}

/// The language context; panics outside [`I18nProvider`], which wraps the whole app.
#[hook]
pub fn use_i18n() -> I18n {
    use_context::<I18n>().expect("components render inside I18nProvider")
}
