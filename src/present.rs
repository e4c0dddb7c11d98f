//! Presenter mode: a teacher projecting a page. Plain Rust, no yew.
//!
//! It is a flag in the URL (`?present=1`) and nowhere else: no page's state knows it, so a
//! page's own query round trip is unchanged, and the shell adds the flag back to every address
//! it writes while presenting (a navigation, a page's new state). Arrow keys then step through
//! the page's examples ([`PageState::step`](crate::pages::PageState::step)); [`Step::from_key`]
//! decides which keys count.

use crate::route::Route;

/// Whether the app is presenting: the context the shell gives every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Presenting(pub bool);

/// The query key of the flag.
pub const KEY: &str = "present";

/// Is presenter mode on in this query string (`?a=1&present=1`)?
pub fn is_on(query: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|pair| pair == "present=1")
}

/// `href` (a path with or without a query) with the flag set or cleared. The other pairs are
/// kept byte for byte, in their order, so the page reads exactly the query it wrote.
pub fn with_flag(href: &str, on: bool) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(KEY))
        .collect();
    if on {
        pairs.push("present=1");
    }
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// The pages a presenter's navigation shows: this one and its neighbours in the lesson's
/// order (the previous and the next topic), the rest being one click too many on a projector.
pub fn nav_routes(current: Route) -> Vec<Route> {
    let at = Route::ALL.iter().position(|&r| r == current).unwrap_or(0);
    Route::ALL[at.saturating_sub(1)..(at + 2).min(Route::ALL.len())].to_vec()
}

/// One step through a page's examples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The next example (→).
    Next,
    /// The previous example (←).
    Previous,
}

impl Step {
    /// The step a key press asks for: → and ← without modifiers, and only when focus is not
    /// in a field that uses those keys itself (`in_field`: text inputs, selects, text areas,
    /// radio buttons, editable content).
    pub fn from_key(key: &str, modified: bool, in_field: bool) -> Option<Step> {
        if modified || in_field {
            return None;
        }
        match key {
            "ArrowRight" => Some(Step::Next),
            "ArrowLeft" => Some(Step::Previous),
            _ => None,
        }
    }

    /// The choice after (or before) `current` in `all`, wrapping around; from a value that is
    /// not in `all` (a state typed by hand), the first (or the last).
    pub fn cycle<T: PartialEq + Clone>(self, all: &[T], current: &T) -> T {
        let n = all.len();
        let next = match (all.iter().position(|x| x == current), self) {
            (Some(i), Step::Next) => (i + 1) % n,
            (Some(i), Step::Previous) => (i + n - 1) % n,
            (None, Step::Next) => 0,
            (None, Step::Previous) => n - 1,
        };
        all[next].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_read_only_as_present_1() {
        assert!(is_on("?present=1"));
        assert!(is_on("?v=256&present=1"));
        assert!(is_on("present=1&w=4"));
        assert!(!is_on(""));
        assert!(!is_on("?present=0"));
        assert!(!is_on("?v=present=1"));
        assert!(!is_on("?notpresent=1"));
    }

    #[test]
    fn the_flag_is_added_and_removed_leaving_the_rest_as_it_was() {
        assert_eq!(with_flag("/struct", true), "/struct?present=1");
        assert_eq!(
            with_flag("/byte-order?v=0x%C3%A9&w=4", true),
            "/byte-order?v=0x%C3%A9&w=4&present=1"
        );
        assert_eq!(
            with_flag("/byte-order?present=1&v=1", true),
            "/byte-order?v=1&present=1"
        );
        assert_eq!(with_flag("/errors?present=1", false), "/errors");
        assert_eq!(with_flag("/errors?q=x&present=1", false), "/errors?q=x");
        assert_eq!(with_flag("/errors?present=0", true), "/errors?present=1");
        assert_eq!(with_flag("/errors", false), "/errors");
    }

    #[test]
    fn a_page_reads_its_own_query_whether_presenting_or_not() {
        use crate::pages::byteorder::state::{Action, ByteOrderState};
        let s = ByteOrderState::default()
            .update(Action::SetValue("-2 & é".to_owned()))
            .update(Action::SetWidth(4));
        let href = format!("/byte-order{}", crate::route::build_query(&s.to_query()));
        let presenting = with_flag(&href, true);
        let query = presenting.split_once('?').map_or("", |(_, q)| q);
        assert!(is_on(query));
        assert_eq!(ByteOrderState::from_query(query), s);
        assert_eq!(with_flag(&presenting, false), href);
    }

    #[test]
    fn the_navigation_keeps_the_neighbours() {
        assert_eq!(
            nav_routes(Route::Errors),
            vec![Route::Errors, Route::Addresses]
        );
        assert_eq!(
            nav_routes(Route::ByteOrder),
            vec![Route::Live, Route::ByteOrder, Route::Struct]
        );
        assert_eq!(
            nav_routes(Route::Console),
            vec![Route::Text, Route::Console]
        );
    }

    #[test]
    fn only_bare_arrows_outside_fields_step() {
        assert_eq!(Step::from_key("ArrowRight", false, false), Some(Step::Next));
        assert_eq!(
            Step::from_key("ArrowLeft", false, false),
            Some(Step::Previous)
        );
        assert_eq!(Step::from_key("ArrowRight", true, false), None);
        assert_eq!(Step::from_key("ArrowRight", false, true), None);
        assert_eq!(Step::from_key("ArrowUp", false, false), None);
        assert_eq!(Step::from_key("Enter", false, false), None);
    }

    #[test]
    fn cycling_wraps_both_ways() {
        let all = [1, 2, 4];
        assert_eq!(Step::Next.cycle(&all, &1), 2);
        assert_eq!(Step::Next.cycle(&all, &4), 1);
        assert_eq!(Step::Previous.cycle(&all, &1), 4);
        assert_eq!(Step::Previous.cycle(&all, &2), 1);
        assert_eq!(Step::Next.cycle(&all, &3), 1);
        assert_eq!(Step::Previous.cycle(&all, &3), 4);
    }
}
