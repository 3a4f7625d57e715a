//! Finding chips: the home page (new chips) and search with filters, order and
//! pages.

use super::errors::WebError;
use super::forms::{Errors, Field, parse_amount, select};
use super::layout::{date, page};
use super::session::Viewer;
use crate::api::AppState;
use crate::domain::{Chip, ChipFilter, ChipSort, ChipStatus, Page};
use axum::{
    extract::{Query, State},
    response::Response,
};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

const PAGE_SIZE: u32 = 12;

/// Display names of the designers of `chips`, by user id.
pub async fn designer_names(state: &AppState, chips: &[Chip]) -> HashMap<crate::domain::Id, (String, String)> {
    let mut names = HashMap::new();
    for c in chips {
        if names.contains_key(&c.designer_id) {
            continue;
        }
        if let Ok(Some(d)) = state.market.profiles().designer_of(c.designer_id).await {
            names.insert(c.designer_id, (d.display_name.clone(), d.handle.to_string()));
        }
    }
    names
}

/// A list of chip cards.
pub fn chip_cards(chips: &[Chip], names: &HashMap<crate::domain::Id, (String, String)>, heading: &str) -> Markup {
    html! {
        @if chips.is_empty() {
            p { "No chips match." }
        } @else {
            ul.cards aria-label=(heading) {
                @for c in chips {
                    li.card {
                        h3 { a href=(format!("/chips/{}", c.id)) { (c.title) } }
                        p.price { (c.price) }
                        p.meta {
                            (c.category) " · " (c.process_node)
                            @if let Some((name, handle)) = names.get(&c.designer_id) {
                                " · by " a href=(format!("/designers/{handle}")) { (name) }
                            }
                        }
                        @if let Some(p) = c.published_at { p.meta { "Published " (date(p)) } }
                    }
                }
            }
        }
    }
}

fn search_form(q: &SearchQuery, errors: &Errors) -> Markup {
    let sorts = [
        ("relevance", "Best match"),
        ("newest", "Newest first"),
        ("price", "Price, lowest first"),
        ("rating", "Rating"),
        ("sales", "Sales"),
    ];
    html! {
        form.search method="get" action="/chips" role="search" aria-label="Chips" {
            (errors.summary())
            (Field::new("q", "Words").value(q.q.as_deref().unwrap_or("")).kind("search").render(errors))
            (Field::new("category", "Category").value(q.category.as_deref().unwrap_or("")).hint("e.g. dsp, cpu, interface").render(errors))
            (Field::new("process_node", "Process node").value(q.process_node.as_deref().unwrap_or("")).hint("e.g. 28nm").render(errors))
            (Field::new("max_price", "Highest price").value(q.max_price.as_deref().unwrap_or("")).inputmode("decimal").hint("In dollars, e.g. 50").render(errors))
            (select("sort", "Order", &sorts, q.sort.as_deref().unwrap_or("relevance"), errors))
            button type="submit" { "Search" }
        }
    }
}

/// `GET /`: what is new, and the search box.
pub async fn home(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
    let latest = state.market.profiles().browse(&filter, ChipSort::Newest, None, 8).await?;
    let names = designer_names(&state, &latest.items).await;
    let body = html! {
        h1 { "Chip designs you can trust, by voice or by hand" }
        p.lead { "Buy IP blocks with signed records, follow the designers you like, and let HoloMesh buy their new chips for you under your limits." }
        form.search.quick method="get" action="/chips" role="search" aria-label="Quick search" {
            label for="home-q" { "Search chips" }
            div.inline { input #home-q type="search" name="q"; button type="submit" { "Search" } }
        }
        section aria-labelledby="new-title" {
            h2 #new-title { "New chips" }
            (chip_cards(&latest.items, &names, "New chips"))
            p { a href="/chips" { "All chips" } }
        }
        @if v.user().is_none() {
            section aria-labelledby="start-title" {
                h2 #start-title { "Get started" }
                p { a href="/sign-up" { "Create an account" } " to buy chips, follow designers and use the voice assistant." }
            }
        }
    };
    Ok(page(&v, "Home", body))
}

/// The search form's fields as sent.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    category: Option<String>,
    process_node: Option<String>,
    max_price: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

fn clean(v: Option<&str>, max: usize) -> Option<String> {
    v.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).map(|s| s.chars().take(max).collect())
}

/// `GET /chips`: search with filters and order, a page at a time.
pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let mut errors = Errors::default();
    let exponent = state.market.settings().currency.exponent();
    let max_price_minor = match q.max_price.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => match parse_amount(t, exponent) {
            Some(m) => Some(m),
            None => {
                errors.add("max_price", "Enter the highest price as a number, like 50 or 49.99");
                None
            }
        },
        None => None,
    };
    let sort = match q.sort.as_deref().unwrap_or("relevance") {
        "price" => ChipSort::Price,
        "rating" => ChipSort::Rating,
        "sales" => ChipSort::Sales,
        "newest" => ChipSort::Newest,
        _ => ChipSort::Relevance,
    };
    let filter = ChipFilter {
        category: clean(q.category.as_deref(), 64),
        process_node: clean(q.process_node.as_deref(), 32),
        max_price_minor,
        status: Some(ChipStatus::Published),
        text: clean(q.q.as_deref(), 200),
        ..Default::default()
    };
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty() && c.len() < 200);
    let found = match state.market.profiles().browse(&filter, sort, cursor, PAGE_SIZE).await {
        Ok(p) => p,
        Err(crate::market::MarketError::Invalid(_)) => Page { items: vec![], next_cursor: None },
        Err(e) => return Err(e.into()),
    };
    let names = designer_names(&state, &found.items).await;
    let next = found.next_cursor.as_deref().map(|c| next_link(&q, c));
    let count = found.items.len();
    let body = html! {
        h1 { "Chips" }
        (search_form(&q, &errors))
        section aria-labelledby="results-title" {
            h2 #results-title { "Results" }
            p role="status" { (count) @if count == 1 { " chip" } @else { " chips" } @if cursor.is_some() { " on this page" } " shown." }
            (chip_cards(&found.items, &names, "Results"))
            nav.pager aria-label="Pages" {
                @if cursor.is_some() { a href=(next_link(&q, "")) { "First page" } }
                @if let Some(n) = next { a href=(n) rel="next" { "Next page" } }
            }
        }
    };
    Ok(page(&v, "Chips", body))
}

fn next_link(q: &SearchQuery, cursor: &str) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, val) in [
        ("q", &q.q),
        ("category", &q.category),
        ("process_node", &q.process_node),
        ("max_price", &q.max_price),
        ("sort", &q.sort),
    ] {
        if let Some(val) = val.as_deref().filter(|x| !x.is_empty()) {
            s.append_pair(k, val);
        }
    }
    if !cursor.is_empty() {
        s.append_pair("cursor", cursor);
    }
    format!("/chips?{}", s.finish())
}
