//! One module per topic page, in the seed's order, and what every page shares: its state is a
//! plain struct with a pure `update` (see [`PageState`]), kept in yew by a [`Store`] and
//! mirrored into the URL by [`use_page_store`].

pub mod addresses;
pub mod byteorder;
#[cfg(feature = "console")]
pub mod console;
pub mod errors;
pub mod hostnames;
#[cfg(feature = "live")]
pub mod live;
pub mod structs;
pub mod text;

use crate::present::{Presenting, Step};
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
    /// The action that shows the page's next (or previous) example, for a presenter's arrow
    /// keys; `None` on a page that has no examples to step through.
    fn step(&self, _step: Step) -> Option<Self::Action> {
        None
    }
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
    // A presenter's arrow keys step through the page's examples.
    let presenting = use_context::<Presenting>().unwrap_or_default().0;
    {
        let store = store.clone();
        use_effect_with((presenting, store.0.clone()), move |(presenting, state)| {
            let state = state.clone();
            let listener = presenting.then(|| {
                crate::browser::on_key(move |key, modified, in_field| {
                    let action =
                        Step::from_key(key, modified, in_field).and_then(|s| state.step(s));
                    action.map(|a| store.dispatch(a)).is_some()
                })
            });
            move || drop(listener)
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

#[cfg(test)]
mod tests {
    //! A presenter's arrow keys, page by page: → walks every example once and comes back to
    //! the start, ← undoes →.
    use super::*;
    use crate::present::Step;
    use std::fmt::Debug;

    /// The states → visits from `start` until it is back there (at most 32 steps).
    fn walk<S: PageState + Debug>(start: &S) -> Vec<S> {
        let mut seen = vec![start.clone()];
        loop {
            let here = seen.last().expect("not empty").clone();
            let action = here.step(Step::Next).expect("the page has examples");
            let next = here.clone().update(action);
            let back = next
                .clone()
                .update(next.step(Step::Previous).expect("← too"));
            assert_eq!(back, here, "← undoes →");
            if next == *start {
                return seen;
            }
            assert!(!seen.contains(&next), "{next:?} came twice");
            seen.push(next);
            assert!(seen.len() <= 32, "→ never comes back");
        }
    }

    #[test]
    fn byte_order_steps_through_the_widths() {
        use byteorder::state::{ByteOrderState, WIDTHS};
        let widths: Vec<usize> = walk(&ByteOrderState::default())
            .iter()
            .map(|s| s.width)
            .collect();
        assert_eq!(widths, [2, 4, 8, 16, 1]);
        assert_eq!(WIDTHS.len(), widths.len());
    }

    #[test]
    fn struct_steps_through_the_presets_and_a_typed_state_starts_at_the_first() {
        use structs::state::{Action, Preset, StructState};
        let states = walk(&StructState::default());
        assert_eq!(states.len(), Preset::ALL.len());
        assert_eq!(states[1].format, ">H50s6s");
        let typed = StructState::default().update(Action::SetFormat("<q".to_owned()));
        assert_eq!(typed.step(Step::Next), Some(Action::Preset(Preset::Seed)));
        assert_eq!(
            typed.step(Step::Previous),
            Some(Action::Preset(Preset::Network))
        );
    }

    #[test]
    fn errors_open_the_guides_five_in_turn() {
        use errors::state::{ErrorsState, SEED};
        // Nothing open is no example: → opens the first, ← the last.
        let none = ErrorsState::default();
        let first = none
            .clone()
            .update(none.step(Step::Next).expect("examples"));
        let last = none
            .clone()
            .update(none.step(Step::Previous).expect("examples"));
        assert_eq!(first.open.as_deref(), Some(SEED[0]));
        assert_eq!(last.open.as_deref(), Some(SEED[4]));
        let names: Vec<String> = walk(&first).into_iter().filter_map(|s| s.open).collect();
        assert_eq!(names, SEED);
    }

    #[test]
    fn hostnames_step_through_the_guides_table_row_by_row() {
        use hostnames::state::HostnameState;
        let rows: Vec<usize> = walk(&HostnameState::default())
            .iter()
            .map(|s| s.advice().row)
            .collect();
        assert_eq!(rows, [0, 1, 2, 3]);
    }

    #[test]
    #[cfg(feature = "live")]
    fn live_steps_through_the_blocking_modes() {
        use live::state::{LiveState, Mode};
        let modes: Vec<Mode> = walk(&LiveState::default()).iter().map(|s| s.mode).collect();
        assert_eq!(modes, Mode::ALL);
    }

    #[test]
    fn addresses_step_between_the_families() {
        use addresses::state::AddressState;
        let hosts: Vec<String> = walk(&AddressState::default())
            .into_iter()
            .map(|s| s.host)
            .collect();
        assert_eq!(hosts, ["127.0.0.1", "::1"]);
    }

    #[test]
    fn text_steps_through_the_received_bytes() {
        use text::state::{TextState, GUESS_PRESETS};
        let presets: Vec<Option<usize>> = walk(&TextState::default())
            .iter()
            .map(TextState::guess_preset)
            .collect();
        assert_eq!(
            presets,
            (0..GUESS_PRESETS.len()).map(Some).collect::<Vec<_>>()
        );
    }
}
