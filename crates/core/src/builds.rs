//! The app's three builds, and which pages each has (issue #15's transfer budget).
//!
//! Each page's first visit downloads one build of the app, and only that one: the lite build
//! for the calculators and references, the console build for the console, the live build for
//! the live lessons. The console's Python evaluator is most of the weight the last two add, and
//! only they carry it; each also leaves the other's page out. A link to a page of another build
//! is a page load, and index.html's loader (whose table `cargo xtask post-build` writes from
//! [`Build::ALL`]) gives that page its build. Each build also fetches, beside the texts every
//! page may use, only its own pages' texts (`locales/<build>/`).

/// One build of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Build {
    /// Every page but those below: byte order, struct, text, addresses, hostnames and errors.
    /// It has no evaluator: Predict shows the answers written down in core (`data/answers.txt`),
    /// so none of its pages may ask a live exercise.
    Lite,
    /// The console, with the evaluator.
    Console,
    /// The live lessons (blocking calls, closing), with the evaluator, which runs their live
    /// Predict exercises through the companion.
    Live,
}

impl Build {
    /// Every build, the lite one first (the one a page that names no other loads).
    pub const ALL: [Build; 3] = [Build::Lite, Build::Console, Build::Live];

    /// Its name in index.html, in `data-build`, and in the name of its texts' files
    /// (`locales/<name>/`).
    pub fn name(self) -> &'static str {
        match self {
            Build::Lite => "lite",
            Build::Console => "console",
            Build::Live => "live",
        }
    }

    /// The paths of its pages.
    pub fn pages(self) -> &'static [&'static str] {
        match self {
            Build::Lite => &LITE_PAGES,
            Build::Console => &["/console"],
            Build::Live => &["/live"],
        }
    }

    /// Whether it carries the console's evaluator (the lite build does not).
    pub fn evaluates(self) -> bool {
        self != Build::Lite
    }

    /// The build a page belongs to: the one whose [`Build::pages`] has it, else (`/`, a path
    /// the app has no page for, which shows the first topic) the lite one.
    pub fn of(path: &str) -> Build {
        let path = path.trim_end_matches('/');
        Build::ALL
            .into_iter()
            .find(|b| b.pages().contains(&path))
            .unwrap_or(Build::Lite)
    }
}

/// The lite build's pages: all but the console and the live lessons (a test holds the three
/// lists to `APP_PATHS`).
const LITE_PAGES: [&str; 6] = [
    "/errors",
    "/addresses",
    "/hostnames",
    "/byte-order",
    "/struct",
    "/text",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::link::APP_PATHS;

    #[test]
    fn every_page_is_in_exactly_one_build() {
        for path in APP_PATHS {
            let holders: Vec<Build> = Build::ALL
                .into_iter()
                .filter(|b| b.pages().contains(&path))
                .collect();
            assert_eq!(holders.len(), 1, "{path}: {holders:?}");
            assert_eq!(Build::of(path), holders[0]);
        }
        assert_eq!(
            Build::ALL.iter().map(|b| b.pages().len()).sum::<usize>(),
            APP_PATHS.len()
        );
    }

    #[test]
    fn a_path_without_a_page_is_the_lite_builds() {
        assert_eq!(Build::of("/"), Build::Lite);
        assert_eq!(Build::of(""), Build::Lite);
        assert_eq!(Build::of("/nowhere"), Build::Lite);
        assert_eq!(Build::of("/console/"), Build::Console);
        assert_eq!(Build::of("/live"), Build::Live);
        assert_eq!(Build::of("/hostnames"), Build::Lite);
    }
}
