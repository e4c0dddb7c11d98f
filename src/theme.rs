//! Light and dark themes: follow the system until the user picks one, then remember it.
//!
//! The choice is an attribute on `<html>` (`data-theme="dark"`); without it, the stylesheet
//! follows `prefers-color-scheme`.

/// localStorage key of the chosen theme.
pub(crate) const STORAGE_KEY: &str = "socklab.theme";

/// A theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on light.
    Light,
    /// Light text on dark.
    Dark,
}

impl Theme {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<Theme> {
        match name {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The other one.
    pub fn toggled(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The stored choice, if the user made one.
pub(crate) fn stored() -> Option<Theme> {
    crate::browser::load(STORAGE_KEY)
        .as_deref()
        .and_then(Theme::from_name)
}

/// The theme in effect: the stored choice, else the system's.
pub(crate) fn effective() -> Theme {
    stored().unwrap_or(if crate::browser::prefers_dark() {
        Theme::Dark
    } else {
        Theme::Light
    })
}

/// Makes a choice and remembers it.
pub(crate) fn choose(theme: Theme) {
    crate::browser::store(STORAGE_KEY, theme.name());
    apply(Some(theme));
}

/// Puts the stored choice (or none: follow the system) on `<html>`.
pub(crate) fn apply(theme: Option<Theme>) {
    crate::browser::set_root_attribute("data-theme", theme.map(Theme::name));
}
