//! Fault injection, for tests only (the `testing` feature, which only the companion's own tests
//! enable): a hook that makes the companion panic at a chosen place, to prove that a failure
//! stays in the session, or the call, where it happened. `socklab serve` is built without it.

use socklab_core::protocol::SocketCall;
use std::sync::Arc;

/// Where a [`Fault`] hook is called: in the session's own task as a call arrives, or in the
/// call's task (inside its panic guard) just before the call runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultSite {
    /// The session task, as it reads a `call` request.
    Session,
    /// The call's task, just before the socket call runs.
    Call,
    /// A scenario's task, before each of its calls.
    Scenario,
}

/// A hook that tests use to make the companion fail inside (panic) at a chosen place, to prove
/// that a failure stays in the session, or the call, where it happened. `socklab serve` never
/// sets one.
#[derive(Clone, Default)]
pub struct Fault(pub Option<FaultHook>);

/// The function a [`Fault`] calls: it panics where the test wants a failure.
pub type FaultHook = Arc<dyn Fn(FaultSite, &SocketCall) + Send + Sync>;

impl Fault {
    /// Runs the hook, if there is one.
    pub(crate) fn at(&self, site: FaultSite, call: &SocketCall) {
        if let Some(hook) = &self.0 {
            hook(site, call);
        }
    }
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Fault(hook)"
        } else {
            "Fault(none)"
        })
    }
}
