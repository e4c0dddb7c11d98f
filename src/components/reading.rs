//! A page's further reading: the guide's references about its topic, opening in a new tab.

use crate::i18n::use_i18n;
use crate::route::Route;
use yew::prelude::*;

/// Props of [`FurtherReading`].
#[derive(Properties, PartialEq)]
pub struct FurtherReadingProps {
    /// The page shown.
    pub route: Route,
}

/// The list of outside links at the end of a page.
#[function_component]
pub fn FurtherReading(props: &FurtherReadingProps) -> Html {
    let i18n = use_i18n();
    let links = crate::reading::for_route(props.route).iter().map(|l| {
        html! {
            <li><a href={l.url(i18n.lang)} target="_blank" rel="noopener">{ i18n.t(l.key) }</a></li>
        }
    });
    html! {
        <aside class="card further" data-testid="further-reading" aria-labelledby="further-reading">
            <h2 id="further-reading">{ i18n.t("read.title") }</h2>
            <ul>{ for links }</ul>
        </aside>
    }
}
