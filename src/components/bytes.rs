//! Bytes as a row of numbered boxes: offset above, hex in the box.

use yew::prelude::*;

/// Props of [`ByteBoxes`].
#[derive(Properties, PartialEq)]
pub struct ByteBoxesProps {
    /// The bytes, in memory/wire order.
    pub bytes: Vec<u8>,
    /// An accessible name for the row ("big-endian bytes").
    pub label: AttrValue,
}

/// `[0] 01  [1] 00`: each byte with its offset.
#[function_component]
pub fn ByteBoxes(props: &ByteBoxesProps) -> Html {
    html! {
        <ol class="bytes" aria-label={props.label.clone()}>
            { for props.bytes.iter().enumerate().map(|(i, b)| html! {
                <li class="byte" title={format!("{b} = 0b{b:08b}")}>
                    <span class="byte-off" aria-hidden="true">{ i }</span>
                    <span class="byte-hex">{ format!("{b:02x}") }</span>
                </li>
            }) }
        </ol>
    }
}
