//! The languages the interface speaks (their catalogs: `i18n`).

/// A language the interface speaks.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag for `<html lang>`: `en` or `zh-CN`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// Parses a tag as stored or as a browser reports it: any `zh*` is Chinese, else English.
    ///
    /// ```
    /// use socklab_core::i18n::Lang;
    /// assert_eq!(Lang::from_tag("zh-TW"), Lang::Zh);
    /// assert_eq!(Lang::from_tag("en-GB"), Lang::En);
    /// ```
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The first supported language in a browser's preference list (`navigator.languages`),
    /// English if none is.
    pub fn from_preferences<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        for tag in tags {
            let t = tag.trim().to_ascii_lowercase();
            if t.starts_with("zh") {
                return Lang::Zh;
            }
            if t.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::En
    }
}
