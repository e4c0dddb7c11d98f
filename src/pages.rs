//! One module per topic page, in the seed's order, and what every page shares: its state is a
//! plain struct with a pure `update` (see [`PageState`]), kept in yew by a [`Store`] and
//! mirrored into the URL by [`use_page_store`].

pub mod addresses;
pub mod byteorder;
pub mod console;
pub mod errors;
pub mod hostnames;
pub mod live;
pub mod structs;
pub mod text;

use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A page's state: plain Rust, updated by actions, written to and read from the URL.
pub trait PageState: Clone + PartialEq + 'static {
    /// What the learner can do on the page.
    type Action;
    /// The state after an action.
    fn update(self, action: Self::Action) -> Self;
    /// The state as query pairs.
    fn to_query(&self) -> Vec<(&'static str, String)>;
}

/// A page state inside yew: a thin [`Reducible`] wrapper around the plain state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Store<S>(pub S);

impl<S: PageState> Reducible for Store<S> {
    type Action = S::Action;
    fn reduce(self: Rc<Self>, action: S::Action) -> Rc<Store<S>> {
        Rc::new(Store(self.0.clone().update(action)))
    }
}

/// Props of every page.
#[derive(Properties, PartialEq)]
pub struct PageProps<S: PartialEq> {
    /// The state to start from (read from the URL by the shell).
    pub initial: S,
    /// Called with the state's query string whenever it changes.
    #[prop_or_default]
    pub on_query: Callback<String>,
}

/// The page's store, starting from `props.initial`, reporting every new state's query.
#[hook]
pub fn use_page_store<S: PageState>(props: &PageProps<S>) -> UseReducerHandle<Store<S>> {
    let store = {
        let initial = props.initial.clone();
        use_reducer(move || Store(initial))
    };
    {
        let on_query = props.on_query.clone();
        use_effect_with(store.0.clone(), move |s| {
            on_query.emit(crate::route::build_query(&s.to_query()));
        });
    }
    store
}

/// A callback that dispatches `action(value)` to a page's store, for controls that emit the
/// value chosen (a [`Segmented`](crate::components::segmented::Segmented)).
pub fn dispatch_to<S: PageState, T: 'static>(
    store: &UseReducerHandle<Store<S>>,
    action: fn(T) -> S::Action,
) -> Callback<T> {
    let store = store.clone();
    Callback::from(move |value| store.dispatch(action(value)))
}

/// The text of the input an event came from.
pub fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}
