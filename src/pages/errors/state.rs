//! The errors page's state: the seed's table grown into a searchable catalog. Plain Rust.

use socklab_core::errno::{all_entries, search, CatalogEntry, OsErrorClass, System};

use crate::route::{get, parse_query};

/// The seed's five rows, in its order.
pub const SEED: [&str; 5] = [
    "EWOULDBLOCK",
    "EADDRINUSE",
    "ECONNRESET",
    "ETIMEDOUT",
    "ECONNREFUSED",
];

/// Everything the learner has typed or chosen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ErrorsState {
    /// Search text: a name, a number (any system's), a class, or words in either language.
    pub query: String,
    /// Show every errno, not only the socket-related ones.
    pub all: bool,
    /// The entry opened, by name.
    pub open: Option<String>,
}

/// What the learner can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Typed in the search box.
    SetQuery(String),
    /// Ticked "every errno".
    SetAll(bool),
    /// Opened an entry (or closed it with `None`).
    Open(Option<String>),
}

/// Where a wrong argument type raises an ordinary exception (TypeError) before any system
/// call, as the guide says ordinary exceptions are raised too: (link, message key of its label).
pub const ORDINARY_DEMOS: [(&str, &str); 2] = [
    ("/addresses?port=%278080%27", "err.demo_port"),
    ("/byte-order?v=1.5", "err.demo_float"),
];

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The entry.
    pub entry: CatalogEntry,
    /// The name the row shows: the guide's own for its five (`EWOULDBLOCK`), else the entry's.
    pub name: &'static str,
    /// The entry's other names for the same number (`EAGAIN` beside `EWOULDBLOCK`).
    pub also: Vec<&'static str>,
    /// One of the seed's five.
    pub from_seed: bool,
    /// Its name on macOS and Windows (name, number), where it has one.
    pub macos: Option<(&'static str, i32)>,
    /// Its Windows name and number.
    pub windows: Option<(&'static str, i32)>,
}

fn is_seed(entry: CatalogEntry) -> bool {
    match entry {
        CatalogEntry::Errno(e) => e.names().any(|n| SEED.contains(&n)),
        _ => false,
    }
}

fn row(entry: CatalogEntry) -> Row {
    named(entry, entry.name())
}

/// A row that shows `entry` under `name`, one of its names.
fn named(entry: CatalogEntry, name: &'static str) -> Row {
    let foreign = |system| match entry {
        CatalogEntry::Errno(e) => e.codes_on(system).first().map(|c| (c.name, c.number)),
        _ => None,
    };
    Row {
        name,
        also: match entry {
            CatalogEntry::Errno(e) => e.other_names(name),
            _ => Vec::new(),
        },
        from_seed: is_seed(entry),
        macos: foreign(System::MacOs),
        windows: foreign(System::Windows),
        entry,
    }
}

impl crate::pages::PageState for ErrorsState {
    type Action = Action;

    fn update(mut self, action: Action) -> ErrorsState {
        match action {
            Action::SetQuery(q) => self.query = q,
            Action::SetAll(a) => self.all = a,
            Action::Open(o) => self.open = o,
        }
        self
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if !self.query.is_empty() {
            q.push(("q", self.query.clone()));
        }
        if self.all {
            q.push(("all", "1".to_owned()));
        }
        if let Some(open) = &self.open {
            q.push(("e", open.clone()));
        }
        q
    }

    /// The examples are the guide's five errors, each opened in turn.
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        let current = self.opened_name().unwrap_or_default();
        Some(Action::Open(Some(step.cycle(&SEED, &current).to_owned())))
    }
}

impl ErrorsState {
    /// The state a query string describes.
    pub fn from_query(query: &str) -> ErrorsState {
        let pairs = parse_query(query);
        ErrorsState {
            query: get(&pairs, "q").unwrap_or_default().to_owned(),
            all: get(&pairs, "all") == Some("1"),
            open: get(&pairs, "e")
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        }
    }

    /// The rows to show: the seed's five first, then the rest; or the search's hits.
    pub fn rows(&self) -> Vec<Row> {
        let q = self.query.trim();
        if !q.is_empty() {
            let mut hits = search(q);
            // A number matches on every system: 10061 is WSAECONNREFUSED, 61 ECONNREFUSED on macOS.
            if let Ok(n) = q.parse::<i64>() {
                for reading in socklab_core::errno::decode(n) {
                    if !hits.contains(&reading.entry) {
                        hits.push(reading.entry);
                    }
                }
            }
            // A class name lists what `except Class:` catches.
            if let Some(class) = OsErrorClass::from_name(q) {
                for e in socklab_core::errno::caught_by(class) {
                    if !hits.contains(&e) {
                        hits.push(e);
                    }
                }
            }
            return hits.into_iter().map(row).collect();
        }
        let mut rows: Vec<Row> = SEED
            .iter()
            .filter_map(|name| {
                socklab_core::errno::by_name(name).map(|e| named(CatalogEntry::Errno(e), name))
            })
            .collect();
        rows.extend(
            all_entries()
                .filter(|e| !is_seed(*e))
                .filter(|e| self.all || e.lesson().is_some())
                .map(row),
        );
        rows
    }

    /// The name the opened entry is shown under: the one the learner opened it by.
    pub fn opened_name(&self) -> Option<&'static str> {
        let name = self.open.as_deref()?;
        match self.opened()? {
            CatalogEntry::Errno(e) => e.names().find(|n| *n == name),
            other => Some(other.name()),
        }
    }

    /// The opened entry, if its name is one.
    pub fn opened(&self) -> Option<CatalogEntry> {
        let name = self.open.as_deref()?;
        all_entries().find(|e| {
            e.name() == name || matches!(e, CatalogEntry::Errno(x) if x.aliases().contains(&name))
        })
    }
}

/// The lessons an entry comes up in: (link, message key of its title). The links open the
/// lesson in the state that shows the error (the live page's mode or way of closing).
pub fn lesson_links(name: &str) -> Vec<(&'static str, &'static str)> {
    const NON_BLOCKING: (&str, &str) = ("/live?mode=nonblocking", "err.lesson_nonblocking");
    const TIMEOUT: (&str, &str) = ("/live?mode=timeout", "err.lesson_timeout");
    const HALF_CLOSE: (&str, &str) = ("/live", "err.lesson_half_close");
    const RESET: (&str, &str) = ("/live?close=reset", "err.lesson_reset");
    const ADDRESSES: (&str, &str) = ("/addresses", "nav.addresses");
    const HOSTNAMES: (&str, &str) = ("/hostnames", "nav.hostnames");
    match name {
        "EAGAIN" | "EINPROGRESS" | "EALREADY" => vec![NON_BLOCKING],
        "ETIMEDOUT" => vec![TIMEOUT],
        "ECONNRESET" | "EPIPE" | "ECONNABORTED" => vec![RESET],
        "ENOTCONN" | "ESHUTDOWN" => vec![HALF_CLOSE],
        "EADDRNOTAVAIL" => vec![ADDRESSES, HOSTNAMES],
        "EAFNOSUPPORT" | "EINVAL" => vec![ADDRESSES],
        n if n.starts_with("EAI_") => vec![HOSTNAMES],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::PageState;

    #[test]
    #[cfg(feature = "live")]
    fn lesson_links_open_the_lesson_where_the_error_happens() {
        use crate::pages::live::state::{Closing, LiveState, Mode};
        use crate::route::Route;
        let names: Vec<&str> = all_entries().map(|e| e.name()).collect();
        let mut linked = 0;
        for name in &names {
            for (href, key) in lesson_links(name) {
                linked += 1;
                let (path, query) = href.split_once('?').unwrap_or((href, ""));
                let route = Route::from_path(path);
                assert_eq!(route.path(), path, "{name}: {href} is a page");
                if route != Route::Live {
                    assert_eq!(key, route.title_key(), "{name}: {href}");
                } else {
                    let state = LiveState::from_query(query);
                    let want = match key {
                        "err.lesson_nonblocking" => (Mode::NonBlocking, Closing::HalfClose),
                        "err.lesson_timeout" => (Mode::Timeout, Closing::HalfClose),
                        "err.lesson_half_close" => (Mode::Blocking, Closing::HalfClose),
                        "err.lesson_reset" => (Mode::Blocking, Closing::Reset),
                        other => panic!("{other} is not a live lesson"),
                    };
                    assert_eq!((state.mode, state.closing), want, "{name}: {href}");
                }
            }
        }
        for name in [
            "EAGAIN",
            "ETIMEDOUT",
            "ECONNRESET",
            "EPIPE",
            "ENOTCONN",
            "EADDRNOTAVAIL",
            "EAI_NONAME",
        ] {
            assert!(names.contains(&name), "{name} is in the catalog");
            assert!(!lesson_links(name).is_empty(), "{name} links to its lesson");
        }
        assert!(linked > 20, "{linked} links");
    }

    #[test]
    fn the_ordinary_exception_demos_raise_type_error() {
        use crate::pages::addresses::state::AddressState;
        use crate::pages::byteorder::state::ByteOrderState;
        use crate::route::Route;
        let mut seen = Vec::new();
        for (href, _) in ORDINARY_DEMOS {
            let (path, query) = href.split_once('?').unwrap_or((href, ""));
            let error = match Route::from_path(path) {
                Route::Addresses => AddressState::from_query(query).view().checked.err(),
                Route::ByteOrder => ByteOrderState::from_query(query).view().encodings.err(),
                other => panic!("{href}: no TypeError demo on {other:?}"),
            };
            let line = error.map(|e| e.traceback_line()).unwrap_or_default();
            assert!(line.starts_with("TypeError: "), "{href}: {line:?}");
            seen.push(path);
        }
        assert_eq!(seen, ["/addresses", "/byte-order"]);
    }

    #[test]
    fn the_seed_comes_first_and_search_finds_across_systems() {
        let s = ErrorsState::default();
        let rows = s.rows();
        let first: Vec<&str> = rows.iter().take(5).map(|r| r.entry.name()).collect();
        assert_eq!(
            first,
            [
                "EAGAIN",
                "EADDRINUSE",
                "ECONNRESET",
                "ETIMEDOUT",
                "ECONNREFUSED"
            ]
        );
        assert!(rows[4].from_seed && rows[4].windows == Some(("WSAECONNREFUSED", 10061)));
        let shown: Vec<&str> = rows.iter().take(5).map(|r| r.name).collect();
        assert_eq!(shown, SEED, "the rows show the guide's names");
        assert_eq!(rows[0].also, ["EAGAIN"]);
        assert_eq!(rows[0].entry.number(), 11);
        assert!(rows[1..].iter().all(|r| r.name == r.entry.name()));
        let s = s.update(Action::SetQuery("10061".into()));
        assert!(s.rows().iter().any(|r| r.entry.name() == "ECONNREFUSED"));
        let s = s.update(Action::SetQuery("拒绝".into()));
        assert!(s.rows().iter().any(|r| r.entry.name() == "ECONNREFUSED"));
        let s = s.update(Action::SetQuery("ConnectionError".into()));
        assert!(s.rows().iter().any(|r| r.entry.name() == "EPIPE"));
        let s = s.update(Action::Open(Some("EWOULDBLOCK".into())));
        assert_eq!(s.opened().map(|e| e.name()), Some("EAGAIN"));
        assert_eq!(s.opened_name(), Some("EWOULDBLOCK"));
        let s = s.update(Action::Open(Some("EAGAIN".into())));
        assert_eq!(s.opened_name(), Some("EAGAIN"));
        let s = s.update(Action::Open(Some("EWOULDBLOCK".into())));
        assert_eq!(
            ErrorsState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
    }
}
