//! A segmented control: a row of buttons, one per option, the current one pressed
//! (`aria-pressed`), like a radio group that looks like buttons.

use yew::prelude::*;

/// One option of a [`Segmented`]: the value it stands for, its label and its test id.
#[derive(Clone, PartialEq)]
pub struct Segment<T> {
    /// What choosing it means.
    pub value: T,
    /// What the button shows.
    pub label: Html,
    /// The button's `data-testid`.
    pub testid: AttrValue,
    /// The label's language (`lang`), when it is not the page's (a language's own name).
    pub lang: Option<AttrValue>,
}

impl<T> Segment<T> {
    /// An option showing `label`.
    pub fn new(value: T, label: impl Into<Html>, testid: impl Into<AttrValue>) -> Segment<T> {
        Segment {
            value,
            label: label.into(),
            testid: testid.into(),
            lang: None,
        }
    }

    /// The same option, its label written in the language `tag`.
    pub fn lang(self, tag: &'static str) -> Segment<T> {
        Segment {
            lang: Some(tag.into()),
            ..self
        }
    }
}

/// Props of [`Segmented`].
#[derive(Properties, PartialEq)]
pub struct SegmentedProps<T: Clone + PartialEq + 'static> {
    /// The options, in order.
    pub options: Vec<Segment<T>>,
    /// The value whose button is pressed.
    pub current: T,
    /// Called with an option's value when its button is pressed (the current one too).
    pub onchange: Callback<T>,
    /// The group's accessible name. Without it the row is no group of its own (the field
    /// around it is).
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// Classes besides `seg`.
    #[prop_or_default]
    pub class: Classes,
}

/// A row of buttons choosing one of `options`.
#[function_component]
pub fn Segmented<T: Clone + PartialEq + 'static>(props: &SegmentedProps<T>) -> Html {
    let buttons = props.options.iter().map(|option| {
        let on = option.value == props.current;
        let onclick = {
            let (onchange, value) = (props.onchange.clone(), option.value.clone());
            Callback::from(move |_| onchange.emit(value.clone()))
        };
        html! {
            <button type="button" class={classes!("seg-btn", on.then_some("on"))} lang={option.lang.clone()}
                aria-pressed={on.to_string()} data-testid={option.testid.clone()} {onclick}>
                { option.label.clone() }
            </button>
        }
    });
    html! {
        <div class={classes!("seg", props.class.clone())} role={props.label.is_some().then_some("group")}
            aria-label={props.label.clone()}>
            { for buttons }
        </div>
    }
}
