//! The page's link to the companion: one WebSocket, the hello handshake, reconnection with
//! backoff, a [`Status`] the header shows, and [`use_request`], the one way a component asks
//! the companion something.
//!
//! The token comes from the URL the companion printed (`?token=...`). The page keeps it in
//! localStorage and takes it out of the address bar, so a link a teacher shares does not carry
//! it. The status logic ([`Status`], [`backoff_ms`]) and the sorting of replies
//! ([`sort_reply`]) are pure and tested natively; the `Connection` and the provider below are
//! the browser half.
//!
//! In classroom mode the companion's hello says whether this page is the teacher's or a
//! student's (by its token), and the link provides a [`Class`]: the role, the counts the
//! companion pushes, and whether a student follows the teacher. A link the teacher shows reaches
//! the shell only through [`link_to_open`], which checks it again with core's `check_link`.

use gloo_events::EventListener;
use socklab_core::console::Gone;
use socklab_core::protocol::{
    decode_server, ClientMessage, ErrorCode, Role, ServerMessage, SocketEvent, WireError,
    PROTOCOL_VERSION,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// sessionStorage key of a student's choice to follow the teacher or not ("1" or "0").
const FOLLOW_KEY: &str = "socklab.follow";

/// localStorage key of the companion's token.
const TOKEN_KEY: &str = "socklab.token";

/// How the page stands with the companion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Opening the WebSocket or waiting for the companion's hello.
    Connecting,
    /// Handshake done.
    Connected {
        /// The companion's version.
        version: String,
    },
    /// Not connected; `retry_in_ms` until the next attempt, if there will be one.
    Unavailable {
        /// Why.
        reason: Unavailable,
        /// Time to the next attempt.
        retry_in_ms: Option<u32>,
    },
}

/// Why the companion is not available.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The page was not opened from the URL the companion printed.
    NoToken,
    /// The WebSocket did not open or was closed (server stopped, wrong token, network).
    Unreachable,
    /// The companion answered the hello with an error (e.g. another protocol version).
    Refused(String),
}

/// Where this page stands in a class, as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// Teacher, student, or no class at all (the companion's hello says).
    pub role: Role,
    /// Student sessions open now (the companion's latest `class`).
    pub students: u32,
    /// Of those, how many follow the teacher.
    pub following: u32,
    /// Whether this page follows the teacher (a student's choice; on from the start).
    pub follow: bool,
}

impl Default for Class {
    fn default() -> Class {
        Class {
            role: Role::Solo,
            students: 0,
            following: 0,
            follow: true,
        }
    }
}

/// The link this page opens when the companion says the teacher shows `link`: only a student
/// page that follows opens one, and only a link core's `check_link` accepts (an in-app route
/// with its query: never another site, never a token), whatever the companion sent.
pub fn link_to_open(class: &Class, link: &str) -> Option<String> {
    let checked = socklab_core::protocol::link::check_link(link).ok()?;
    (class.role == Role::Student && class.follow)
        .then(|| format!("{}{}", checked.path, checked.query))
}

/// Milliseconds to wait before reconnection attempt `attempt` (0-based): 0.5 s doubling to 10 s.
///
/// Doubling keeps a stopped companion from being hammered; the cap keeps a restarted one
/// from waiting long to be noticed.
pub fn backoff_ms(attempt: u32) -> u32 {
    500u32.saturating_mul(1 << attempt.min(5)).min(10_000)
}

/// The WebSocket URL for a page served from `host` with `token`.
pub fn ws_url(host: &str, token: &str) -> String {
    format!("ws://{host}/ws?token={token}")
}

/// Takes the token from the URL's query (storing it, and dropping it from the address bar),
/// or else the stored one.
fn take_token() -> Option<String> {
    let pairs = crate::route::parse_query(&crate::browser::query());
    if let Some(token) = crate::route::get(&pairs, "token").filter(|t| !t.is_empty()) {
        crate::browser::store(TOKEN_KEY, token);
        let rest: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "token")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        crate::browser::replace_url(&format!(
            "{}{}",
            crate::browser::path(),
            crate::route::build_query(&rest)
        ));
        return Some(token.to_owned());
    }
    crate::browser::load(TOKEN_KEY).filter(|t| !t.is_empty())
}

/// The live connection and what must stay alive with it.
///
/// Before the provider starts it (and for good when there is no token), it has no socket, so
/// requests are refused.
#[derive(Default)]
struct Link {
    token: String,
    socket: Option<web_sys::WebSocket>,
    /// The socket's `open`, `message` and `close` listeners; dropping them detaches them.
    handlers: Vec<EventListener>,
    retry: Option<gloo_timers::callback::Timeout>,
    attempt: u32,
    set_status: Callback<Status>,
    closed_for_good: bool,
    /// Set once the companion answered the hello; requests wait for it.
    ready: bool,
    next_id: u64,
    /// Requests sent and not yet answered, by id.
    pending: HashMap<u64, Callback<ServerMessage>>,
    /// Who wants to know that a request's call is waiting (the companion's `waiting`), by id.
    on_waiting: HashMap<u64, Callback<()>>,
    /// Who gets unsolicited events (shared with the [`Companion`] handle).
    listeners: Rc<RefCell<Listeners>>,
    /// The class, as last told to the page.
    class: Class,
    set_class: Callback<Class>,
    /// Who opens the links the teacher shows (the shell), shared with the [`Companion`] handle.
    on_show: Rc<RefCell<Option<Callback<String>>>>,
}

/// An event as the page receives it: milliseconds since the session started, and what happened.
pub type TimedEvent = (u64, SocketEvent);

/// Who listens to the companion's unsolicited events. Plain Rust, tested natively.
///
/// Events are not replies, so they have no pending request to go to: every listener gets
/// every event, and a component stops listening by dropping its [`Subscription`].
#[derive(Default)]
pub struct Listeners {
    next: u64,
    entries: Vec<(u64, Callback<TimedEvent>)>,
}

impl Listeners {
    /// Adds a listener; the number removes it again.
    pub fn add(&mut self, listener: Callback<TimedEvent>) -> u64 {
        self.next += 1;
        self.entries.push((self.next, listener));
        self.next
    }

    /// Removes a listener (nothing happens if it is gone already).
    pub fn remove(&mut self, key: u64) {
        self.entries.retain(|(k, _)| *k != key);
    }

    /// The listeners now, so they are called after the borrow of `self` ends: a listener may
    /// re-render a component that subscribes or unsubscribes.
    pub fn current(&self) -> Vec<Callback<TimedEvent>> {
        self.entries.iter().map(|(_, l)| l.clone()).collect()
    }
}

/// Keeps a listener subscribed while it lives; dropping it unsubscribes.
pub struct Subscription {
    listeners: Rc<RefCell<Listeners>>,
    key: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.listeners.borrow_mut().remove(self.key);
    }
}

/// The page's one link to the companion, shared by every [`Companion`] handle: it owns the
/// [`Link`] (the socket, the pending requests, the retry timer), and its socket's listeners and
/// retry timer hold clones of it, so `shut` is what ends it.
#[derive(Clone, Default)]
struct Connection(Rc<RefCell<Link>>);

impl Connection {
    /// Starts connecting with `token`, reporting through `set_status` from now on.
    fn start(
        &self,
        token: String,
        handle: &Companion,
        set_status: Callback<Status>,
        set_class: Callback<Class>,
    ) {
        {
            let mut link = self.0.borrow_mut();
            link.token = token;
            link.listeners = Rc::clone(&handle.listeners);
            link.on_show = Rc::clone(&handle.on_show);
            link.set_status = set_status;
            link.set_class = set_class;
            // A student who stopped following and then opened a page of the other build (a
            // page load) still does not follow.
            link.class.follow = crate::browser::load_for_tab(FOLLOW_KEY).as_deref() != Some("0");
        }
        self.connect();
    }

    fn connect(&self) {
        let mut link = self.0.borrow_mut();
        if link.closed_for_good {
            return;
        }
        link.set_status.emit(Status::Connecting);
        let Ok(socket) = web_sys::WebSocket::new(&ws_url(&crate::browser::host(), &link.token))
        else {
            drop(link);
            self.retry_later(Unavailable::Unreachable);
            return;
        };
        let on_open = {
            let sender = socket.clone();
            EventListener::new(&socket, "open", move |_| {
                let hello = ClientMessage::Hello {
                    protocol: PROTOCOL_VERSION,
                    client: format!("socklab-app {}", env!("CARGO_PKG_VERSION")),
                };
                let _ = sender.send_with_str(&hello.to_json());
            })
        };
        let on_message = {
            let this = self.clone();
            EventListener::new(&socket, "message", move |event| {
                let Some(text) = event
                    .dyn_ref::<web_sys::MessageEvent>()
                    .and_then(|e| e.data().as_string())
                else {
                    return;
                };
                this.receive(&text);
            })
        };
        let on_close = {
            let this = self.clone();
            EventListener::new(&socket, "close", move |_| {
                this.retry_later(Unavailable::Unreachable);
            })
        };
        link.handlers = vec![on_open, on_message, on_close];
        link.socket = Some(socket);
    }

    /// One text frame from the companion: a reply goes to the request waiting for it, an
    /// event to every listener; the hello (or its refusal) sets the status.
    fn receive(&self, text: &str) {
        let message = decode_server(text);
        if let Ok(ServerMessage::Waiting { id }) = message {
            let told = self.0.borrow().on_waiting.get(&id).cloned();
            if let Some(told) = told {
                told.emit(());
            }
            return;
        }
        if let Some(id) = message.as_ref().ok().and_then(ServerMessage::reply_id) {
            self.0.borrow_mut().on_waiting.remove(&id);
            let waiting = self.0.borrow_mut().pending.remove(&id);
            if let (Some(callback), Ok(message)) = (waiting, message) {
                callback.emit(message);
            }
            return;
        }
        match message {
            Ok(ServerMessage::Hello(info)) => {
                let resend_unfollow = {
                    let mut link = self.0.borrow_mut();
                    link.attempt = 0;
                    link.ready = true;
                    link.set_status.emit(Status::Connected {
                        version: info.server_version,
                    });
                    link.class.role = info.role;
                    link.set_class.emit(link.class.clone());
                    info.role == Role::Student && !link.class.follow
                };
                // A new session follows from the start: a student who stopped says so again.
                if resend_unfollow {
                    self.send(
                        |id| ClientMessage::Follow { id, follow: false },
                        Callback::noop(),
                        None,
                    );
                }
            }
            Ok(ServerMessage::Class {
                students,
                following,
            }) => {
                let mut link = self.0.borrow_mut();
                link.class.students = students;
                link.class.following = following;
                link.set_class.emit(link.class.clone());
            }
            Ok(ServerMessage::Show { link: shown }) => {
                let (open, on_show) = {
                    let link = self.0.borrow();
                    let on_show = link.on_show.borrow().clone();
                    (link_to_open(&link.class, &shown), on_show)
                };
                if let (Some(open), Some(on_show)) = (open, on_show) {
                    on_show.emit(open);
                }
            }
            Ok(ServerMessage::Event { at_ms, event }) => {
                let listeners = self.0.borrow().listeners.borrow().current();
                for listener in listeners {
                    listener.emit((at_ms, event.clone()));
                }
            }
            Ok(ServerMessage::Error(e)) if e.id.is_none() => {
                self.0.borrow().set_status.emit(Status::Unavailable {
                    reason: Unavailable::Refused(e.message),
                    retry_in_ms: None,
                });
            }
            _ => {}
        }
    }

    /// Sends `make(id)` with a fresh id, `reply` waiting for its answer. False, sending
    /// nothing, when there is no connection or the hello is not done.
    fn send(
        &self,
        make: impl FnOnce(u64) -> ClientMessage,
        reply: Callback<ServerMessage>,
        waiting: Option<Callback<()>>,
    ) -> Option<u64> {
        let mut link = self.0.borrow_mut();
        let socket = link.socket.clone().filter(|_| link.ready)?;
        link.next_id += 1;
        let id = link.next_id;
        socket.send_with_str(&make(id).to_json()).ok()?;
        link.pending.insert(id, reply);
        if let Some(waiting) = waiting {
            link.on_waiting.insert(id, waiting);
        }
        Some(id)
    }

    fn retry_later(&self, reason: Unavailable) {
        let mut link = self.0.borrow_mut();
        link.fail_pending();
        if link.closed_for_good {
            return;
        }
        let delay = backoff_ms(link.attempt);
        link.attempt = link.attempt.saturating_add(1);
        link.set_status.emit(Status::Unavailable {
            reason,
            retry_in_ms: Some(delay),
        });
        let again = self.clone();
        link.retry = Some(gloo_timers::callback::Timeout::new(delay, move || {
            again.connect();
        }));
    }

    /// Closes the link for good (the provider is gone): no reconnection, pending requests
    /// answered with `ConnectionLost`.
    fn shut(&self) {
        let mut link = self.0.borrow_mut();
        link.fail_pending();
        link.closed_for_good = true;
        link.retry = None;
        // Detach the listeners first, so closing does not schedule a reconnection.
        link.handlers.clear();
        if let Some(socket) = link.socket.take() {
            let _ = socket.close();
        }
    }
}

impl Link {
    /// Answers every pending request with `ConnectionLost`.
    fn fail_pending(&mut self) {
        self.ready = false;
        self.on_waiting.clear();
        for (id, callback) in self.pending.drain() {
            callback.emit(ServerMessage::Error(WireError {
                id: Some(id),
                code: ErrorCode::ConnectionLost,
                message: "the connection to the companion closed before it answered".to_owned(),
            }));
        }
    }
}

/// What pages use to ask the companion something: cheap to clone, compared by identity.
///
/// Components ask through [`use_request`], which sends and keeps the one reply; this handle is
/// what it sends with, and how a component listens to events.
#[derive(Clone, Default)]
pub struct Companion {
    connection: Connection,
    /// Kept here rather than in the link: components subscribe before the link starts.
    listeners: Rc<RefCell<Listeners>>,
    /// Who opens the links the teacher shows (the shell sets it).
    on_show: Rc<RefCell<Option<Callback<String>>>>,
}

impl PartialEq for Companion {
    fn eq(&self, other: &Companion) -> bool {
        Rc::ptr_eq(&self.connection.0, &other.connection.0)
    }
}

impl Companion {
    /// Sends a request built around a fresh id; `reply` gets the answer (or a
    /// `ConnectionLost` error), exactly once. Returns false, sending nothing, when there is no
    /// connection.
    pub fn request(
        &self,
        make: impl FnOnce(u64) -> ClientMessage,
        reply: Callback<ServerMessage>,
    ) -> bool {
        self.connection.send(make, reply, None).is_some()
    }

    /// Sends a request for code that awaits its answer (the console evaluator's [`LiveHost`]): the
    /// [`Asked`] holds its id (to `cancel` it) and the reply to come. `waiting`, if given, is
    /// told when the companion says the call waits. `Gone::NotConnected`, sending nothing,
    /// when there is no connection.
    ///
    /// [`LiveHost`]: crate::host::LiveHost
    pub fn ask(
        &self,
        make: impl FnOnce(u64) -> ClientMessage,
        waiting: Option<Callback<()>>,
    ) -> Result<Asked, Gone> {
        let (tx, rx) = futures_channel::oneshot::channel();
        let tx = RefCell::new(Some(tx));
        let reply = Callback::from(move |m: ServerMessage| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(m);
            }
        });
        let id = self
            .connection
            .send(make, reply, waiting)
            .ok_or(Gone::NotConnected)?;
        Ok(Asked { id, rx })
    }

    /// Classroom mode, a student: follow the teacher (open the links shown) or not. The choice
    /// is kept for the tab's life (sessionStorage: a page load keeps it) and said again to a new
    /// session.
    pub fn set_follow(&self, follow: bool) {
        crate::browser::store_for_tab(FOLLOW_KEY, if follow { "1" } else { "0" });
        {
            let mut link = self.connection.0.borrow_mut();
            link.class.follow = follow;
            link.set_class.emit(link.class.clone());
        }
        self.connection.send(
            |id| ClientMessage::Follow { id, follow },
            Callback::noop(),
            None,
        );
    }

    /// Who opens the links the teacher shows: the shell, with its in-app navigation.
    pub fn set_on_show(&self, open: Option<Callback<String>>) {
        *self.on_show.borrow_mut() = open;
    }

    /// Calls `listener` with every event the companion sends, until the subscription is dropped.
    pub fn subscribe(&self, listener: Callback<TimedEvent>) -> Subscription {
        let key = self.listeners.borrow_mut().add(listener);
        Subscription {
            listeners: Rc::clone(&self.listeners),
            key,
        }
    }
}

/// A request sent with [`Companion::ask`]: its id, and its one reply to await.
pub struct Asked {
    /// The request's id.
    pub id: u64,
    rx: futures_channel::oneshot::Receiver<ServerMessage>,
}

impl Asked {
    /// The reply: the companion's answer, `Gone::Disconnected` when the link dropped first, or
    /// `Gone::Refused` with the companion's message when it refused the request itself.
    pub async fn reply(self) -> Result<ServerMessage, Gone> {
        match self.rx.await.map_err(|_| Gone::Disconnected)? {
            ServerMessage::Error(e) if e.code == ErrorCode::ConnectionLost => {
                Err(Gone::Disconnected)
            }
            ServerMessage::Error(e) => Err(Gone::Refused(e.message)),
            other => Ok(other),
        }
    }
}

/// The companion handle, for components that send requests.
#[hook]
pub fn use_companion() -> Companion {
    use_context::<Companion>().unwrap_or_default()
}

/// Why a request got no reply of the kind it asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyError {
    /// The companion answered with an error, or the connection closed first
    /// (`ErrorCode::ConnectionLost`).
    Companion(WireError),
    /// The companion answered with another kind of reply (a bug on one side).
    Unexpected(Box<ServerMessage>),
}

impl ReplyError {
    /// The line the page shows instead of the answer.
    pub fn line(&self) -> String {
        match self {
            ReplyError::Companion(e) => format!("socklab: {}", e.message),
            ReplyError::Unexpected(other) => format!("socklab: unexpected reply {other:?}"),
        }
    }
}

/// Sorts what came back for a request: an error reply is a [`ReplyError::Companion`];
/// anything else goes to `pick`, which takes the kind of reply the request asked for or hands
/// the message back (a [`ReplyError::Unexpected`]).
pub fn sort_reply<T>(
    message: ServerMessage,
    pick: impl FnOnce(ServerMessage) -> Result<T, Box<ServerMessage>>,
) -> Result<T, ReplyError> {
    match message {
        ServerMessage::Error(e) => Err(ReplyError::Companion(e)),
        other => pick(other).map_err(ReplyError::Unexpected),
    }
}

/// A component's request to the companion, from [`use_request`]: whether one is in flight,
/// and what its latest reply became (kept until the next reply arrives).
pub struct Request<T: 'static> {
    companion: Companion,
    in_flight: UseStateHandle<bool>,
    reply: UseStateHandle<Option<Rc<T>>>,
}

impl<T: 'static> Clone for Request<T> {
    fn clone(&self) -> Self {
        Request {
            companion: self.companion.clone(),
            in_flight: self.in_flight.clone(),
            reply: self.reply.clone(),
        }
    }
}

impl<T: 'static> Request<T> {
    /// Whether a request was sent and its reply has not come back yet.
    pub fn in_flight(&self) -> bool {
        *self.in_flight
    }

    /// The latest reply, as `read` made it.
    pub fn reply(&self) -> Option<&T> {
        self.reply.as_deref()
    }

    /// Sends `message(id)` with a fresh id. Its one reply, or the `connection_lost` error if
    /// the link drops first, goes through `read` (usually with [`sort_reply`]) and is kept as
    /// [`Request::reply`]. Returns false, sending nothing, when the companion is not connected.
    pub fn send(
        &self,
        message: impl FnOnce(u64) -> ClientMessage,
        read: impl FnOnce(ServerMessage) -> T + 'static,
    ) -> bool {
        self.send_then(message, read, || ())
    }

    /// [`Request::send`], and `then()` once the reply is kept.
    pub fn send_then(
        &self,
        message: impl FnOnce(u64) -> ClientMessage,
        read: impl FnOnce(ServerMessage) -> T + 'static,
        then: impl FnOnce() + 'static,
    ) -> bool {
        let (in_flight, reply) = (self.in_flight.clone(), self.reply.clone());
        // A `Callback` is `Fn`; the connection calls it once, so the `FnOnce`s wait in a cell.
        let once = RefCell::new(Some((read, then)));
        let on_reply = Callback::from(move |message: ServerMessage| {
            let Some((read, then)) = once.borrow_mut().take() else {
                return;
            };
            reply.set(Some(Rc::new(read(message))));
            in_flight.set(false);
            then();
        });
        let sent = self.companion.request(message, on_reply);
        self.in_flight.set(sent);
        sent
    }
}

/// One request to the companion at a time, for a component: "send, get exactly one reply or
/// `connection_lost`" in one call, with the in-flight state kept here.
#[hook]
pub fn use_request<T: 'static>() -> Request<T> {
    Request {
        companion: use_companion(),
        in_flight: use_state(|| false),
        reply: use_state(|| None),
    }
}

/// Props of [`CompanionProvider`].
#[derive(Properties, PartialEq)]
pub struct CompanionProviderProps {
    /// The app.
    pub children: Html,
}

/// Connects to the companion and provides its [`Status`] to the app.
#[function_component]
pub fn CompanionProvider(props: &CompanionProviderProps) -> Html {
    let status = use_state(|| Status::Connecting);
    let class = use_state(Class::default);
    let handle = use_memo((), |_| Companion::default());
    // Read the token during the first render: children's effects run before this component's,
    // and the page's first effect rewrites the URL (without the token).
    let token = use_memo((), |_| take_token());
    {
        let setter = status.setter();
        let class_setter = class.setter();
        let token = (*token).clone();
        let handle = (*handle).clone();
        use_effect_with((), move |_| {
            let connection = handle.connection.clone();
            match token {
                Some(token) => connection.start(
                    token,
                    &handle,
                    Callback::from(move |status| setter.set(status)),
                    Callback::from(move |class| class_setter.set(class)),
                ),
                None => setter.set(Status::Unavailable {
                    reason: Unavailable::NoToken,
                    retry_in_ms: None,
                }),
            }
            move || connection.shut()
        });
    }
    html! {
        <ContextProvider<Companion> context={(*handle).clone()}>
            <ContextProvider<Status> context={(*status).clone()}>
                <ContextProvider<Class> context={(*class).clone()}>{ props.children.clone() }</ContextProvider<Class>>
            </ContextProvider<Status>>
        </ContextProvider<Companion>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        let delays: Vec<u32> = (0..8).map(backoff_ms).collect();
        assert_eq!(
            delays,
            vec![500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
        assert_eq!(backoff_ms(u32::MAX), 10_000);
    }

    #[test]
    fn events_are_not_replies() {
        let event = ServerMessage::Event {
            at_ms: 5,
            event: SocketEvent::PeerClosed { sock: 1 },
        };
        assert_eq!(event.reply_id(), None);
        assert_eq!(ServerMessage::Waiting { id: 3 }.reply_id(), None);
        let transcript = ServerMessage::Transcript {
            id: 9,
            scenario: socklab_core::protocol::Scenario::Epipe,
            steps: Vec::new(),
        };
        assert_eq!(transcript.reply_id(), Some(9));
    }

    #[test]
    fn listeners_come_and_go() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let listener = |tag: &'static str| {
            let seen = Rc::clone(&seen);
            Callback::from(move |(at, _): TimedEvent| seen.borrow_mut().push((tag, at)))
        };
        let companion = Companion::default();
        let a = companion.subscribe(listener("a"));
        let b = companion.subscribe(listener("b"));
        let emit = |at| {
            for l in companion.listeners.borrow().current() {
                l.emit((at, SocketEvent::Reset { sock: 1 }));
            }
        };
        emit(1);
        drop(a);
        emit(2);
        drop(b);
        emit(3);
        assert_eq!(*seen.borrow(), vec![("a", 1), ("b", 1), ("b", 2)]);
        assert!(companion.listeners.borrow().current().is_empty());
    }

    #[test]
    fn replies_are_sorted_once() {
        let pick = |m: ServerMessage| match m {
            ServerMessage::Pong { id } => Ok(id),
            other => Err(Box::new(other)),
        };
        assert_eq!(sort_reply(ServerMessage::Pong { id: 3 }, pick), Ok(3));
        let lost = WireError {
            id: Some(3),
            code: ErrorCode::ConnectionLost,
            message: "gone".to_owned(),
        };
        let err = sort_reply(ServerMessage::Error(lost.clone()), pick).unwrap_err();
        assert_eq!(err, ReplyError::Companion(lost));
        assert_eq!(err.line(), "socklab: gone");
        let event = ServerMessage::Event {
            at_ms: 1,
            event: SocketEvent::Reset { sock: 1 },
        };
        let err = sort_reply(event.clone(), pick).unwrap_err();
        assert_eq!(err, ReplyError::Unexpected(Box::new(event)));
        assert!(err.line().starts_with("socklab: unexpected reply Event"));
    }

    /// A student page opens what the teacher shows only while it follows, and only a link
    /// of the app, whatever the companion sent.
    #[test]
    fn a_student_opens_only_in_app_links_and_only_when_following() {
        let student = Class {
            role: Role::Student,
            ..Class::default()
        };
        assert_eq!(
            link_to_open(&student, "/struct?f=%3EH"),
            Some("/struct?f=%3EH".to_owned())
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/struct",
            "javascript:alert(1)",
            "/\\evil.example",
            "/nope",
            "/struct?token=00ff",
            "/struct\n",
        ] {
            assert_eq!(link_to_open(&student, bad), None, "{bad}");
        }
        let exploring = Class {
            follow: false,
            ..student.clone()
        };
        assert_eq!(link_to_open(&exploring, "/struct"), None);
        for role in [Role::Teacher, Role::Solo] {
            let class = Class {
                role,
                ..student.clone()
            };
            assert_eq!(link_to_open(&class, "/struct"), None, "{role:?}");
        }
    }

    #[test]
    fn url() {
        assert_eq!(
            ws_url("127.0.0.1:8765", "ab"),
            "ws://127.0.0.1:8765/ws?token=ab"
        );
    }
}
