//! The console evaluator's one [`Host`] in the app: [`LiveHost`] runs each call, lookup and
//! sleep of a line through the page's companion, for the console's panes and for Predict's
//! exercises alike. What differs between them (the console draws a call's waiting, its Cancel
//! and its answer on the board; an exercise draws nothing) is a [`Watch`].
//!
//! There is one host type on purpose: the evaluator is generic over its host, so each host
//! type compiled a whole copy of it into the wasm (about 100 KB before wasm-opt each; issue
//! #15's size budget).

use crate::companion::Companion;
use socklab_core::console::{AddrinfoQuery, Gone, Host};
use socklab_core::deferred::Deferred;
use socklab_core::protocol::call::Call;
use socklab_core::protocol::{
    AddrinfoOutcome, CallOutcome, ClientMessage, ServerMessage, SocketCall,
};
use std::rc::Rc;
use std::time::Duration;
use yew::Callback;

/// What the code running a line sees of its requests. Every method does nothing by default.
pub trait Watch {
    /// Told when the companion says a request waits (a blocking call), if it returns `Some`.
    fn waiting(&self) -> Option<Callback<()>> {
        None
    }
    /// A socket call was sent with this id (what Cancel cancels).
    fn sent(&self, _id: u64) {}
    /// The request's reply came, or the link dropped.
    fn settled(&self) {}
    /// A socket call's answer, as the companion gave it.
    fn answered(&self, _call: &Call, _outcome: &CallOutcome) {}
}

/// A [`Watch`] that watches nothing: Predict's exercises.
pub struct Unwatched;

impl Watch for Unwatched {}

/// The companion as the console evaluator's [`Host`]: each call is one request over the page's
/// WebSocket.
pub struct LiveHost {
    companion: Companion,
    watch: Rc<dyn Watch>,
}

impl LiveHost {
    /// A host for code that runs on `companion`, watched by `watch`.
    pub fn new(companion: Companion, watch: Rc<dyn Watch>) -> LiveHost {
        LiveHost { companion, watch }
    }

    /// Sends a request and waits for its one reply (or the link's loss); `call`: it is a socket
    /// call, which [`Watch::sent`] is told of.
    async fn ask(
        &self,
        make: impl FnOnce(u64) -> ClientMessage,
        call: bool,
    ) -> Result<ServerMessage, Gone> {
        let asked = self.companion.ask(make, self.watch.waiting())?;
        if call {
            self.watch.sent(asked.id);
        }
        let reply = asked.reply().await;
        self.watch.settled();
        reply
    }
}

impl Host for LiveHost {
    async fn call(&self, call: &Call) -> Result<CallOutcome, Gone> {
        let wire = SocketCall::from(call);
        match self
            .ask(|id| ClientMessage::Call { id, call: wire }, true)
            .await?
        {
            ServerMessage::Result { outcome, .. } => {
                self.watch.answered(call, &outcome);
                Ok(outcome)
            }
            _ => Err(Gone::Disconnected),
        }
    }

    async fn getaddrinfo(&self, q: &AddrinfoQuery) -> Result<AddrinfoOutcome, Gone> {
        match self.ask(|id| q.message(id), false).await? {
            ServerMessage::Addrinfo { outcome, .. } => Ok(outcome),
            _ => Err(Gone::Disconnected),
        }
    }

    async fn sleep(&self, d: Duration) {
        let ms = u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    fn now(&self) -> f64 {
        js_sys::Date::now() / 1000.0
    }

    async fn data(&self, file: Deferred) -> Result<(), String> {
        if file.get().is_none() {
            let (tx, rx) = futures_channel::oneshot::channel();
            let tx = std::cell::Cell::new(Some(tx));
            crate::fetching::fetch(
                file,
                &Callback::from(move |()| {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(());
                    }
                }),
            );
            let _ = rx.await;
        }
        if file.get().is_some() {
            return Ok(());
        }
        match crate::fetching::why_failed(file) {
            Some(crate::fetching::Failure::Network(why)) => Err(why),
            Some(crate::fetching::Failure::Stale) => {
                Err("the server has a newer build: reload the page".to_owned())
            }
            None => Err(format!("{} did not arrive", file.file_name())),
        }
    }
}
