//! The gate in front of the WebSocket: who may open a session.
//!
//! A web page on any site can ask the browser to open `ws://127.0.0.1:8765/ws`, and a DNS
//! rebinding attack can make a foreign name point at 127.0.0.1. So an upgrade is accepted only
//! when all three hold:
//! - the `token` query parameter equals the random token printed at start-up;
//! - the `Host` header names the address this server serves (not some rebinding domain);
//! - the `Origin` header, when a browser sends one, is this server's own origin (or one that
//!   was allowed on purpose, such as trunk's dev server).
//!
//! The Host check guards the app's pages too ([`Gate::host_allowed`]): a rebinding page must
//! not read them either.
//!
//! `localhost` is a name for both 127.0.0.1 and ::1, and a browser may try either. So it counts
//! as this server's name only when the server holds [::1] on its port as well
//! ([`Gate::with_localhost`]); otherwise another local program could take [::1]:PORT and
//! receive what the browser sends to `localhost:PORT`, the token included.
//!
//! In classroom mode (`--lan`) there are two tokens: the students' (in the LAN URLs and the
//! terminal's QR code) and the teacher's (printed on the teacher's terminal only). The token a
//! page holds decides its [`Role`]; the teacher's token opens a session only from this machine
//! (loopback), so a student who sees it on a projected terminal still cannot use it. Both
//! tokens are independent draws from the OS's random source, so neither says anything about
//! the other, and a candidate is compared with both, each in constant time.
//!
//! These are pure functions of the request's parts, so they are tested without a socket.

pub use socklab_core::protocol::Role;
use std::fmt;

/// A random 128-bit token, shown as 32 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A fresh token from the operating system's random source.
    ///
    /// # Errors
    /// If the OS has no random source to give.
    pub fn generate() -> Result<Token, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Token(socklab_core::protocol::hex_encode(&bytes)))
    }

    /// The token in `SOCKLAB_TOKEN`, if set: a restarted companion keeps the one its open pages
    /// hold, so they reconnect by themselves. It must be 32 to 128 hex digits, as hard to guess
    /// as a generated one; anything else is refused with what would be right.
    ///
    /// # Errors
    /// When the variable is set to something that is not such a token.
    pub fn from_env() -> Result<Option<Token>, String> {
        let Ok(value) = std::env::var("SOCKLAB_TOKEN") else {
            return Ok(None);
        };
        Token::checked(&value).map(Some)
    }

    /// `text` as a token, if it is 32 to 128 hex digits.
    ///
    /// # Errors
    /// Otherwise, saying what a token must be.
    pub fn checked(text: &str) -> Result<Token, String> {
        let ok = (32..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Token(text.to_ascii_lowercase()))
        } else {
            Err(format!(
                "SOCKLAB_TOKEN must be 32 to 128 hex digits (it has {} characters); unset it to get a fresh random token",
                text.chars().count()
            ))
        }
    }

    /// A token with a known value, for tests.
    pub fn from_string(s: impl Into<String>) -> Token {
        Token(s.into())
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)") // never in logs
    }
}

/// Why an upgrade was refused. Each becomes a 403 with this text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `token` parameter.
    #[error("missing token: open the URL that `socklab serve` printed (it ends in ?token=...)")]
    TokenMissing,
    /// A `token` that is not this server's.
    #[error("wrong token: socklab makes a new token each time it starts; open the URL it printed this time")]
    TokenWrong,
    /// A `Host` header for another name or port.
    #[error("unexpected Host header: this server answers only to its own address")]
    ForeignHost,
    /// An `Origin` header from another site.
    #[error("foreign Origin: only pages served by this socklab may connect")]
    ForeignOrigin,
    /// The teacher's token, from another machine.
    #[error("the teacher's token works only on the machine that runs socklab: students open the students' link")]
    TeacherElsewhere,
}

/// What the gate lets in: the hosts (`127.0.0.1:8765`) and origins it accepts.
#[derive(Clone, Debug)]
pub struct Gate {
    token: Token,
    /// Classroom mode: the teacher's own token. Without it the one token is a solo learner's.
    teacher: Option<Token>,
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl Gate {
    /// A gate for a server on `port` at 127.0.0.1, accepting also `extra_origins` (exact,
    /// like `http://127.0.0.1:8080`). Not `localhost`: see [`Gate::with_localhost`].
    pub fn new(token: Token, port: u16, extra_origins: &[String]) -> Gate {
        let hosts = vec![format!("127.0.0.1:{port}")];
        let mut origins: Vec<String> = hosts.iter().map(|h| format!("http://{h}")).collect();
        origins.extend(
            extra_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_owned()),
        );
        Gate {
            token,
            teacher: None,
            hosts,
            origins,
        }
    }

    /// Classroom mode: `teacher` is the teacher's token, and the gate's own token becomes the
    /// students'. A teacher's token equal to the students' would make every student a teacher:
    /// it is refused.
    ///
    /// # Errors
    /// When the two tokens are the same.
    pub fn with_teacher(mut self, teacher: Token) -> Result<Gate, String> {
        if teacher.matches(self.token.as_str()) {
            return Err("the teacher's token must differ from the students' token".to_owned());
        }
        self.teacher = Some(teacher);
        Ok(self)
    }

    /// Also accepts pages served from these LAN addresses on the same port (classroom mode):
    /// their `Host` and `Origin`, and no others.
    pub fn with_lan(mut self, port: u16, lan: &[std::net::IpAddr]) -> Gate {
        for ip in lan {
            let host = match ip {
                std::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
                std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
            };
            self.origins.push(format!("http://{host}"));
            self.hosts.push(host);
        }
        self
    }

    /// Also accepts `localhost:PORT` and `[::1]:PORT` (Host and Origin) when `held`: when the
    /// server listens on [::1]:PORT too, so that whichever address the browser picks for
    /// `localhost`, it reaches this server.
    pub fn with_localhost(mut self, port: u16, held: bool) -> Gate {
        if held {
            for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
                self.origins.push(format!("http://{host}"));
                self.hosts.push(host);
            }
        }
        self
    }

    /// The token (in classroom mode, the students').
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The teacher's token, in classroom mode.
    pub fn teacher_token(&self) -> Option<&Token> {
        self.teacher.as_ref()
    }

    /// Whether a request's `Host` header names this server (no header: no).
    pub(crate) fn host_allowed(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.hosts.iter().any(|own| own.eq_ignore_ascii_case(h)))
    }

    /// Checks an upgrade request's token, Host and Origin, and says who the session is.
    /// `from_loopback`: whether the connection comes from this machine.
    ///
    /// A request without an Origin header is not from a browser page (browsers always send
    /// one on WebSocket upgrades), so it needs only the token and a good Host.
    pub fn check(
        &self,
        token: Option<&str>,
        host: Option<&str>,
        origin: Option<&str>,
        from_loopback: bool,
    ) -> Result<Role, Refusal> {
        let role = match token {
            None | Some("") => return Err(Refusal::TokenMissing),
            Some(t) => {
                // Both comparisons run whatever the first says.
                let is_teacher = self.teacher.as_ref().is_some_and(|k| k.matches(t));
                let is_ours = self.token.matches(t);
                match (is_teacher, is_ours, self.teacher.is_some()) {
                    (true, _, _) => Role::Teacher,
                    (false, true, true) => Role::Student,
                    (false, true, false) => Role::Solo,
                    (false, false, _) => return Err(Refusal::TokenWrong),
                }
            }
        };
        if !self.host_allowed(host) {
            return Err(Refusal::ForeignHost);
        }
        if let Some(origin) = origin {
            if !self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
                return Err(Refusal::ForeignOrigin);
            }
        }
        if role == Role::Teacher && !from_loopback {
            return Err(Refusal::TeacherElsewhere);
        }
        Ok(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_token_must_be_as_hard_to_guess_as_a_generated_one() {
        let t = Token::checked("00112233445566778899AABBCCDDEEFF").unwrap();
        assert_eq!(t.as_str(), "00112233445566778899aabbccddeeff");
        for bad in [
            "",
            "secret",
            "0011223344556677889",
            &"g".repeat(32),
            &"a".repeat(129),
        ] {
            let e = Token::checked(bad).unwrap_err();
            assert!(
                e.starts_with("SOCKLAB_TOKEN must be 32 to 128 hex digits"),
                "{e}"
            );
        }
        assert_eq!(Token::generate().unwrap().as_str().len(), 32);
    }

    fn gate() -> Gate {
        Gate::new(
            Token::from_string("00112233445566778899aabbccddeeff"),
            8765,
            &["http://127.0.0.1:8080".to_owned()],
        )
    }

    #[track_caller]
    fn check(
        token: Option<&str>,
        host: Option<&str>,
        origin: Option<&str>,
        expect: Result<Role, Refusal>,
    ) {
        assert_eq!(gate().check(token, host, origin, true), expect);
    }

    #[test]
    fn table() {
        let good = Some("00112233445566778899aabbccddeeff");
        let host = Some("127.0.0.1:8765");
        check(good, host, Some("http://127.0.0.1:8765"), Ok(Role::Solo));
        check(good, host, Some("http://127.0.0.1:8080"), Ok(Role::Solo));
        check(None, host, None, Err(Refusal::TokenMissing));
        check(Some(""), host, None, Err(Refusal::TokenMissing));
        check(
            Some("00112233445566778899aabbccddeefe"),
            host,
            None,
            Err(Refusal::TokenWrong),
        );
        check(Some("0011"), host, None, Err(Refusal::TokenWrong));
        check(good, None, None, Err(Refusal::ForeignHost));
        check(
            good,
            Some("evil.example:8765"),
            None,
            Err(Refusal::ForeignHost),
        );
        check(
            good,
            Some("127.0.0.1:9999"),
            None,
            Err(Refusal::ForeignHost),
        );
        check(good, Some("127.0.0.1"), None, Err(Refusal::ForeignHost));
        check(
            good,
            host,
            Some("http://evil.example"),
            Err(Refusal::ForeignOrigin),
        );
        check(
            good,
            host,
            Some("http://127.0.0.1:8765.evil.example"),
            Err(Refusal::ForeignOrigin),
        );
        check(good, host, Some("null"), Err(Refusal::ForeignOrigin));
        check(
            good,
            host,
            Some("https://127.0.0.1:8765"),
            Err(Refusal::ForeignOrigin),
        );
    }

    /// `localhost` reaches whoever holds [::1]:PORT as well as 127.0.0.1:PORT, so a page at
    /// `localhost` is ours only when the server holds [::1]:PORT too.
    #[test]
    fn localhost_only_when_ipv6_loopback_is_ours() {
        let good = Some("00112233445566778899aabbccddeeff");
        let without = gate();
        for host in ["localhost:8765", "LOCALHOST:8765", "[::1]:8765"] {
            assert_eq!(
                without.check(good, Some(host), None, true),
                Err(Refusal::ForeignHost),
                "{host}"
            );
        }
        let host = Some("127.0.0.1:8765");
        for origin in ["http://localhost:8765", "http://[::1]:8765"] {
            assert_eq!(
                without.check(good, host, Some(origin), true),
                Err(Refusal::ForeignOrigin),
                "{origin}"
            );
        }
        assert_eq!(
            gate()
                .with_localhost(8765, false)
                .check(good, Some("localhost:8765"), None, true),
            Err(Refusal::ForeignHost)
        );
        let with = gate().with_localhost(8765, true);
        #[track_caller]
        fn check_with(
            gate: &Gate,
            host: &str,
            origin: Option<&str>,
            expect: Result<Role, Refusal>,
        ) {
            let good = Some("00112233445566778899aabbccddeeff");
            assert_eq!(
                gate.check(good, Some(host), origin, true),
                expect,
                "{host} {origin:?}"
            );
        }
        check_with(
            &with,
            "localhost:8765",
            Some("http://localhost:8765"),
            Ok(Role::Solo),
        );
        check_with(&with, "LOCALHOST:8765", None, Ok(Role::Solo));
        check_with(
            &with,
            "[::1]:8765",
            Some("http://[::1]:8765"),
            Ok(Role::Solo),
        );
        check_with(
            &with,
            "127.0.0.1:8765",
            Some("http://localhost:8765"),
            Ok(Role::Solo),
        );
        check_with(
            &with,
            "127.0.0.1:8765",
            Some("http://127.0.0.1:8765"),
            Ok(Role::Solo),
        );
        check_with(&with, "localhost:9999", None, Err(Refusal::ForeignHost));
        check_with(&with, "localhost", None, Err(Refusal::ForeignHost));
        check_with(&with, "[::1]:9999", None, Err(Refusal::ForeignHost));
        check_with(&with, "[::2]:8765", None, Err(Refusal::ForeignHost));
        check_with(
            &with,
            "localhost.evil.example:8765",
            None,
            Err(Refusal::ForeignHost),
        );
        check_with(
            &with,
            "localhost:8765",
            Some("http://localhost:9999"),
            Err(Refusal::ForeignOrigin),
        );
        check_with(
            &with,
            "localhost:8765",
            Some("https://localhost:8765"),
            Err(Refusal::ForeignOrigin),
        );
    }

    #[test]
    fn pages_need_our_own_host() {
        let ours = gate().with_localhost(8765, true);
        for (host, expect) in [
            (Some("127.0.0.1:8765"), true),
            (Some("LOCALHOST:8765"), true),
            (Some("[::1]:8765"), true),
            (None, false),
            (Some(""), false),
            (Some("evil.example:8765"), false),
            (Some("127.0.0.1:8080"), false),
            (Some("127.0.0.1"), false),
        ] {
            assert_eq!(ours.host_allowed(host), expect, "{host:?}");
        }
        assert!(!gate().host_allowed(Some("localhost:8765")));
    }

    /// Classroom mode: the students' token makes a student, the teacher's a teacher, but only
    /// from this machine; the two may not be one.
    #[test]
    fn the_teachers_token_is_the_teachers_and_works_only_here() {
        let students = "00112233445566778899aabbccddeeff";
        let teacher = "ffeeddccbbaa99887766554433221100";
        let class = gate()
            .with_teacher(Token::from_string(teacher))
            .unwrap()
            .with_lan(8765, &["10.0.0.5".parse().unwrap()]);
        let lan = (Some("10.0.0.5:8765"), Some("http://10.0.0.5:8765"));
        let here = (Some("127.0.0.1:8765"), Some("http://127.0.0.1:8765"));
        let check = |token: &str, (host, origin): (Option<&str>, Option<&str>), loopback| {
            class.check(Some(token), host, origin, loopback)
        };
        assert_eq!(check(students, lan, false), Ok(Role::Student));
        assert_eq!(check(students, here, true), Ok(Role::Student));
        assert_eq!(check(teacher, here, true), Ok(Role::Teacher));
        assert_eq!(check(teacher, lan, false), Err(Refusal::TeacherElsewhere));
        assert_eq!(check(teacher, here, false), Err(Refusal::TeacherElsewhere));
        assert_eq!(
            check("FFEEDDCCBBAA99887766554433221100", here, true),
            Err(Refusal::TokenWrong)
        );
        assert_eq!(
            check("ffeeddccbbaa9988776655443322110", here, true),
            Err(Refusal::TokenWrong)
        );
        assert_eq!(
            check(&format!("{teacher}0"), here, true),
            Err(Refusal::TokenWrong)
        );
        assert_eq!(
            check(&format!("{students}{teacher}"), here, true),
            Err(Refusal::TokenWrong)
        );
        assert_eq!(class.teacher_token().map(Token::as_str), Some(teacher));
        // Without --lan the one token is a solo learner's: there is no teacher to be.
        assert_eq!(
            gate().check(Some(students), here.0, here.1, true),
            Ok(Role::Solo)
        );
        assert_eq!(
            gate().check(Some(teacher), here.0, here.1, true),
            Err(Refusal::TokenWrong)
        );
        assert!(gate().with_teacher(Token::from_string(students)).is_err());
    }

    #[test]
    fn tokens_are_fresh_and_long() {
        let (a, b) = (Token::generate().unwrap(), Token::generate().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32, "128 bits as hex");
        assert_eq!(format!("{a:?}"), "Token(..)");
    }
}
