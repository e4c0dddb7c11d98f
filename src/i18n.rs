//! The interface language: chosen by the user, remembered, defaulting from the browser.
//!
//! Components read strings through [`I18n::t`] from a context; the strings themselves live in
//! `locales/*.txt` (see `socklab_core::i18n`).

use socklab_core::i18n::{Catalog, Lang};
use socklab_core::pyerror::Hint;
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

/// Props of [`I18nProvider`].
#[derive(Properties, PartialEq)]
pub struct I18nProviderProps {
    /// The app.
    pub children: Html,
}

/// Provides [`I18n`] to the app, and keeps `<html lang>` and the stored choice in step.
#[function_component]
pub fn I18nProvider(props: &I18nProviderProps) -> Html {
    let lang = use_state(initial_lang);
    let catalogs = use_memo((), |_| Lang::ALL.map(|l| Rc::new(Catalog::builtin(l))));
    {
        let lang = *lang;
        use_effect_with(lang, move |lang| {
            crate::browser::set_root_attribute("lang", Some(lang.tag()));
        });
    }
    let set = {
        let lang = lang.clone();
        Callback::from(move |l: Lang| {
            crate::browser::store(STORAGE_KEY, l.tag());
            lang.set(l);
        })
    };
    let index = Lang::ALL.iter().position(|l| *l == *lang).unwrap_or(0);
    let ctx = I18n {
        lang: *lang,
        catalog: Rc::clone(&catalogs[index]),
        set,
    };
    html! { <ContextProvider<I18n> context={ctx}>{ props.children.clone() }</ContextProvider<I18n>> }
}

/// The language context; panics outside [`I18nProvider`], which wraps the whole app.
#[hook]
pub fn use_i18n() -> I18n {
    use_context::<I18n>().expect("components render inside I18nProvider")
}
