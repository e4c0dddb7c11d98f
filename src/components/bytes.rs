//! Bytes as a row of numbered boxes: offset above, hex in the box; and the same bytes in bits.
//! A screen reader announces each byte with its offset and the field it belongs to.

use yew::prelude::*;

/// Props of [`ByteBoxes`] and [`ByteBits`].
#[derive(Properties, PartialEq)]
pub struct ByteBoxesProps {
    /// The bytes, in memory/wire order.
    pub bytes: Vec<u8>,
    /// An accessible name for the row ("big-endian bytes").
    pub label: AttrValue,
    /// What each byte is, for its accessible name ("bits 15–8"); the row's label where empty.
    #[prop_or_default]
    pub fields: Vec<String>,
}

/// The accessible name of byte `i`: its offset, its value and its field.
fn byte_name(i18n: &crate::i18n::I18n, props: &ByteBoxesProps, i: usize, value: &str) -> String {
    let field = props
        .fields
        .get(i)
        .map_or(props.label.as_str(), String::as_str);
    i18n.f(
        "a11y.byte",
        &[
            ("offset", &i.to_string()),
            ("value", value),
            ("field", field),
        ],
    )
}

/// `[0] 01  [1] 00`: each byte with its offset.
#[function_component]
pub fn ByteBoxes(props: &ByteBoxesProps) -> Html {
    let i18n = crate::i18n::use_i18n();
    html! {
        <ol class="bytes" aria-label={props.label.clone()}>
            { for props.bytes.iter().enumerate().map(|(i, b)| html! {
                <li class="byte" title={format!("{b} = 0b{b:08b}")} aria-label={byte_name(&i18n, props, i, &format!("{b:02x}"))}>
                    <span class="byte-off" aria-hidden="true">{ i }</span>
                    <span class="byte-hex" aria-hidden="true">{ format!("{b:02x}") }</span>
                </li>
            }) }
        </ol>
    }
}

/// `00000001 00000000`: each byte's bits, named like [`ByteBoxes`]'s boxes.
#[function_component]
pub fn ByteBits(props: &ByteBoxesProps) -> Html {
    let i18n = crate::i18n::use_i18n();
    html! {
        <ol class="bitrow" aria-label={props.label.clone()}>
            { for props.bytes.iter().enumerate().map(|(i, b)| html! {
                <li aria-label={byte_name(&i18n, props, i, &format!("{b:08b}"))}>
                    <code aria-hidden="true">{ format!("{b:08b}") }</code>
                </li>
            }) }
        </ol>
    }
}
