//! The live sockets page's state: which blocking mode and which way of closing is shown.
//! Plain Rust, no yew.

use crate::route::{get, parse_query};

/// Python's three blocking modes (the socket documentation's "notes on socket timeouts").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `setblocking(True)`, the same as `settimeout(None)`: calls wait until they can finish.
    Blocking,
    /// `settimeout(t)`: calls wait at most `t` seconds, then raise `TimeoutError`.
    Timeout,
    /// `setblocking(False)`, the same as `settimeout(0.0)`: calls never wait.
    NonBlocking,
}

impl Mode {
    /// Every mode, in the order the page lists them.
    pub const ALL: [Mode; 3] = [Mode::Blocking, Mode::Timeout, Mode::NonBlocking];

    /// The name in the URL.
    pub fn query_name(self) -> &'static str {
        match self {
            Mode::Blocking => "blocking",
            Mode::Timeout => "timeout",
            Mode::NonBlocking => "nonblocking",
        }
    }
}

/// Two ways a TCP connection ends that the page contrasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// `shutdown(SHUT_WR)`: this side stops sending and can still receive.
    HalfClose,
    /// An abort (RST): both directions end at once, with an error.
    Reset,
}

impl Closing {
    /// The name in the URL.
    pub fn query_name(self) -> &'static str {
        match self {
            Closing::HalfClose => "half",
            Closing::Reset => "reset",
        }
    }
}

/// What the learner has chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveState {
    /// The blocking mode shown.
    pub mode: Mode,
    /// The way of closing shown.
    pub closing: Closing,
}

impl Default for LiveState {
    fn default() -> LiveState {
        LiveState {
            mode: Mode::Blocking,
            closing: Closing::HalfClose,
        }
    }
}

/// What the learner can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Chose a blocking mode.
    SetMode(Mode),
    /// Chose a way of closing.
    SetClosing(Closing),
}

impl crate::pages::PageState for LiveState {
    type Action = Action;
    fn update(self, action: Action) -> LiveState {
        LiveState::update(self, action)
    }
    fn to_query(&self) -> Vec<(&'static str, String)> {
        LiveState::to_query(self)
    }
    /// The examples are the three blocking modes, in the page's order.
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        Some(Action::SetMode(step.cycle(&Mode::ALL, &self.mode)))
    }
}

impl LiveState {
    /// The state after an action.
    pub fn update(mut self, action: Action) -> LiveState {
        match action {
            Action::SetMode(m) => self.mode = m,
            Action::SetClosing(c) => self.closing = c,
        }
        self
    }

    /// The state from a query string; unknown values fall back to the defaults.
    pub fn from_query(query: &str) -> LiveState {
        let pairs = parse_query(query);
        let d = LiveState::default();
        LiveState {
            mode: Mode::ALL
                .into_iter()
                .find(|m| get(&pairs, "mode") == Some(m.query_name()))
                .unwrap_or(d.mode),
            closing: [Closing::HalfClose, Closing::Reset]
                .into_iter()
                .find(|c| get(&pairs, "close") == Some(c.query_name()))
                .unwrap_or(d.closing),
        }
    }

    /// The state as query pairs (defaults left out, so the plain page has a plain URL).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = LiveState::default();
        let mut q = Vec::new();
        if self.mode != d.mode {
            q.push(("mode", self.mode.query_name().to_owned()));
        }
        if self.closing != d.closing {
            q.push(("close", self.closing.query_name().to_owned()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::build_query;

    #[track_caller]
    fn check(query: &str, want: LiveState) {
        let got = LiveState::from_query(query);
        assert_eq!(got, want, "{query}");
        assert_eq!(LiveState::from_query(&build_query(&got.to_query())), got);
    }

    #[test]
    fn url_round_trip() {
        let d = LiveState::default();
        check("", d);
        check("?mode=nope&close=1", d);
        check(
            "?mode=timeout",
            LiveState {
                mode: Mode::Timeout,
                ..d
            },
        );
        check(
            "?mode=nonblocking&close=reset",
            LiveState {
                mode: Mode::NonBlocking,
                closing: Closing::Reset,
            },
        );
        assert_eq!(build_query(&d.to_query()), "");
    }

    #[test]
    fn actions() {
        let s = LiveState::default()
            .update(Action::SetMode(Mode::Timeout))
            .update(Action::SetClosing(Closing::Reset));
        assert_eq!(
            s.to_query(),
            vec![
                ("mode", "timeout".to_owned()),
                ("close", "reset".to_owned())
            ]
        );
    }
}
