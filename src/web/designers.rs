//! Designers: the directory, and a designer's profile with rating, reviews,
//! portfolio, collaborations and groups.

use super::browse::chip_cards;
use super::errors::WebError;
use super::layout::{page, rating, when};
use super::session::Viewer;
use crate::api::AppState;
use crate::domain::{DesignerSort, Handle, PageRequest, decode_cursor};
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// `<sort key>:<id>` as the directory writes it.
fn sort_cursor(c: &str) -> Option<(i64, crate::domain::Id)> {
    let (key, id) = c.split_once(':')?;
    Some((key.parse().ok()?, decode_cursor(id)?))
}

fn average(sum: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| sum.saturating_mul(1000) / count)
}

#[derive(Debug, Deserialize)]
pub struct DirectoryQuery {
    q: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

/// `GET /designers`.
pub async fn directory(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, WebError> {
    let text = q.q.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let sort = match q.sort.as_deref() {
        Some("rating") => DesignerSort::Rating,
        Some("sales") => DesignerSort::Sales,
        _ => DesignerSort::Newest,
    };
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let (page_req, after) = match (cursor, sort, &text) {
        (Some(c), DesignerSort::Newest, None) => (PageRequest { after: decode_cursor(c), limit: 20 }, None),
        (Some(c), _, _) => (PageRequest::first(20), sort_cursor(c)),
        (None, _, _) => (PageRequest::first(20), None),
    };
    let found = state.market.profiles().directory(text.as_deref(), sort, page_req, after).await?;
    let sort_name = q.sort.as_deref().unwrap_or("newest");
    let body = html! {
        h1 { "Designers" }
        form.search method="get" action="/designers" role="search" aria-label="Designers" {
            div.field { label for="f-q" { "Name or skill" } input #f-q type="search" name="q" value=(q.q.as_deref().unwrap_or("")); }
            div.field {
                label for="f-sort" { "Order" }
                select #f-sort name="sort" {
                    @for (value, label) in [("newest", "Newest"), ("rating", "Rating"), ("sales", "Sales")] {
                        option value=(value) selected[sort_name == value] { (label) }
                    }
                }
            }
            button type="submit" { "Search" }
        }
        @if found.items.is_empty() { p { "No designers match." } }
        ul.cards aria-label="Designers" {
            @for d in &found.items {
                li.card {
                    h2.h3 { a href=(format!("/designers/{}", d.handle)) { (d.display_name) } }
                    p.meta { (rating(average(d.rating_sum, d.rating_count), d.rating_count)) " · " (d.sales_count) " sales" }
                    @if !d.skills.is_empty() { p.meta { (d.skills.join(", ")) } }
                }
            }
        }
        @if let Some(c) = &found.next_cursor {
            nav.pager aria-label="Pages" {
                a rel="next" href=(format!("/designers?sort={sort_name}&q={}&cursor={c}", url::form_urlencoded::byte_serialize(q.q.as_deref().unwrap_or("").as_bytes()).collect::<String>())) { "Next page" }
            }
        }
    };
    Ok(page(&v, "Designers", body))
}

/// `GET /designers/{handle}`.
pub async fn profile(
    State(state): State<AppState>,
    v: Viewer,
    Path(handle): Path<String>,
) -> Result<Response, WebError> {
    let handle = Handle::parse(&handle).map_err(|_| WebError::not_found("designer"))?;
    let view = state.market.profiles().designer(handle.as_str()).await?;
    let reviews = state.market.profiles().designer_reviews(handle.as_str(), PageRequest::first(10)).await?;
    let d = &view.profile;
    let mut names = HashMap::new();
    names.insert(d.user_id, (d.display_name.clone(), d.handle.to_string()));
    let own = v.user().is_some_and(|u| u.id == d.user_id);
    let sub = match v.user() {
        Some(u) if !own => state.market.subscriptions().to_designer(u, d.user_id).await?,
        _ => None,
    };
    let groups = state.market.community().groups_of(d.user_id).await?;
    let mut collaborators = HashMap::new();
    for c in &view.collaborations {
        for m in &c.members {
            if let std::collections::hash_map::Entry::Vacant(e) = collaborators.entry(m.designer_id)
                && let Ok(Some(p)) = state.market.profiles().designer_of(m.designer_id).await
            {
                e.insert(p.display_name);
            }
        }
    }
    let body = html! {
        h1 { (d.display_name) }
        p.meta { "@" (d.handle) " · " (rating(view.rating_avg_milli, d.rating_count)) " · " (d.sales_count) " sales" }
        @if !d.bio.is_empty() { p { (d.bio) } }
        @if !d.skills.is_empty() { p { "Skills: " (d.skills.join(", ")) } }
        @if !own {
            p {
                @if v.user().is_none() {
                    a.button href=(format!("/sign-in?next=/following/{}", d.handle)) { "Sign in to follow" }
                } @else if sub.is_some() {
                    a.button href=(format!("/following/{}", d.handle)) { "Change your subscription" }
                } @else {
                    a.button href=(format!("/following/{}", d.handle)) { "Follow " (d.display_name) }
                }
            }
        }
        section aria-labelledby="portfolio-title" {
            h2 #portfolio-title { "Portfolio" }
            (chip_cards(&view.portfolio, &names, "Portfolio"))
        }
        section aria-labelledby="reviews-title" {
            h2 #reviews-title { "Reviews" }
            @if reviews.items.is_empty() { p { "No reviews yet. Buyers can review a chip on its page." } }
            @for r in &reviews.items {
                article.review {
                    h3 { (r.rating) " of 5 stars" }
                    p { (r.body) }
                    p.meta { a href=(format!("/chips/{}", r.chip_id)) { "The chip" } " · " (when(r.created_at)) }
                }
            }
        }
        section aria-labelledby="collab-title" {
            h2 #collab-title { "Collaborations" }
            @if view.collaborations.is_empty() { p { "None yet." } }
            ul.plain {
                @for c in &view.collaborations {
                    li {
                        strong { (c.title) } ": "
                        (c.members.iter().map(|m| format!("{} ({} %)", collaborators.get(&m.designer_id).map_or("a designer", String::as_str), f64::from(m.share_bps) / 100.0)).collect::<Vec<_>>().join(", "))
                    }
                }
            }
        }
        section aria-labelledby="groups-title" {
            h2 #groups-title { "Groups" }
            @if groups.is_empty() { p { "None yet." } }
            ul.plain { @for g in &groups { li { a href=(format!("/community/groups/{}", g.id)) { (g.name) } } } }
        }
    };
    Ok(page(&v, &d.display_name, body))
}
