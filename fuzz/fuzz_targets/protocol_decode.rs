//! Fuzzes the page-to-companion decoder with arbitrary text: `decode_client` may refuse but
//! never panic, and whatever it accepts must survive `encode` and a second `decode_client`
//! unchanged. The accessors the companion calls on a decoded message (`id`, and a call's
//! `python` line and `sock`) run on every accepted message.
//!
//! Run: `cargo +nightly fuzz run protocol_decode -- -max_total_time=600`
#![no_main]

use libfuzzer_sys::fuzz_target;
use socklab_core::protocol::{self, ClientMessage};

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let Ok(message) = protocol::decode_client(&text) else {
        return;
    };
    exercise(&message);
    let wire = protocol::encode(&message);
    let again = protocol::decode_client(&wire)
        .unwrap_or_else(|e| panic!("{message:?} encoded as {wire:?} does not decode: {e}"));
    assert_eq!(again, message, "round trip through {wire:?} changed the message");
    exercise(&again);
});

fn exercise(message: &ClientMessage) {
    let id = message.id();
    assert_eq!(id.is_none(), matches!(message, ClientMessage::Hello { .. }));
    if let ClientMessage::Call { call, .. } = message {
        let line = call.python();
        let name = call.name();
        assert!(line.contains(name), "{line:?} does not name {name:?}");
        if let Some(sock) = call.sock() {
            let var = protocol::socket::sock_var(sock);
            assert!(line.starts_with(&format!("{var}.")), "{line:?} is not a call on {var}");
        }
    }
}
