//! The example exchange in docs/PROTOCOL.md is checked against the real decoder, so the
//! documentation cannot drift from what the companion answers.

use socklab_core::protocol::{decode_client, encode, ClientMessage, ServerMessage};

const DOC: &str = include_str!("../../../docs/PROTOCOL.md");

fn example_lines() -> Vec<(char, &'static str)> {
    let start = DOC
        .find("## An example exchange")
        .expect("PROTOCOL.md has an example exchange");
    DOC[start..]
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .filter_map(|l| {
            let (arrow, rest) = l.split_at(l.char_indices().nth(1)?.0);
            Some((arrow.chars().next()?, rest.trim()))
        })
        .collect()
}

#[test]
fn every_request_in_the_example_gets_the_documented_answer() {
    let lines = example_lines();
    assert!(lines.len() >= 6, "example exchange too short: {lines:?}");
    let mut checked_errors = 0;
    for pair in lines.windows(2) {
        let [('→', request), ('←', reply)] = pair else {
            continue;
        };
        let documented: serde_json::Value = serde_json::from_str(reply).expect("reply is JSON");
        match decode_client(request) {
            Err(e) => {
                let actual: serde_json::Value =
                    serde_json::from_str(&encode(&ServerMessage::Error(e))).expect("json");
                assert_eq!(actual, documented, "for {request}");
                checked_errors += 1;
            }
            Ok(ClientMessage::Ping { id }) => {
                let actual: serde_json::Value =
                    serde_json::from_str(&encode(&ServerMessage::Pong { id })).expect("json");
                assert_eq!(actual, documented, "for {request}");
            }
            Ok(ClientMessage::Getaddrinfo { id, .. }) => {
                assert_eq!(documented["type"], "addrinfo");
                assert_eq!(documented["id"], id);
            }
            Ok(ClientMessage::Hello { protocol, .. }) => {
                assert_eq!(documented["type"], "hello");
                assert_eq!(documented["protocol"], protocol);
            }
            Ok(other) => {
                // Live calls: the documented answer is a well-formed message for that id.
                assert_eq!(documented["id"], other.id().expect("a request id"));
                serde_json::from_value::<ServerMessage>(documented.clone())
                    .unwrap_or_else(|e| panic!("{reply} is not a server message: {e}"));
                if let ClientMessage::Call { call, .. } = &other {
                    assert_eq!(
                        documented["code"],
                        call.python(),
                        "the documented Python line"
                    );
                }
            }
        }
    }
    assert!(checked_errors >= 2, "the example shows at least two errors");
}
