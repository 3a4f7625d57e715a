//! Community: groups and their members, forum threads and posts (global or in a
//! group).

use super::errors::WebError;
use super::forms::{Errors, Field};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{FormData, Posted, Viewer};
use crate::api::AppState;
use crate::domain::{GroupRole, Handle, Id, PageRequest};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};

async fn name(state: &AppState, id: Id) -> String {
    state.auth.user_by_id(id).await.map(|u| u.display_name).unwrap_or_else(|_| "someone".into())
}

fn thread_form(v: &Viewer, group: Option<Id>, f: &FormData, errors: &Errors) -> Markup {
    html! {
        form method="post" action="/community/threads" novalidate aria-labelledby="new-thread-title" {
            h2 #new-thread-title { "Start a thread" }
            (errors.summary())
            (csrf(v))
            @if let Some(g) = group { input type="hidden" name="group_id" value=(g); }
            (Field::new("title", "Title").value(f.text("title")).required().render(errors))
            (Field::new("body", "First post").kind("textarea").value(f.text("body")).required().render(errors))
            button type="submit" { "Start thread" }
        }
    }
}

fn group_form(v: &Viewer, f: &FormData, errors: &Errors) -> Markup {
    html! {
        form method="post" action="/community/groups" novalidate aria-labelledby="new-group-title" {
            h2 #new-group-title { "Create a group" }
            (errors.summary())
            (csrf(v))
            (Field::new("name", "Group name").value(f.text("name")).required().render(errors))
            (Field::new("description", "What it is about").kind("textarea").value(f.text("description")).render(errors))
            button type="submit" { "Create group" }
        }
    }
}

async fn overview_body(
    state: &AppState,
    v: &Viewer,
    f: &FormData,
    errors: &Errors,
    group_errors: &Errors,
) -> Result<Markup, WebError> {
    let groups = state.market.community().groups(PageRequest::first(50)).await?;
    let threads = state.market.community().threads(None, PageRequest::first(30)).await?;
    Ok(html! {
        h1 { "Community" }
        section aria-labelledby="forum-title" {
            h2 #forum-title { "Forum" }
            @if threads.items.is_empty() { p { "No threads yet." } }
            ul.plain { @for t in &threads.items { li { a href=(format!("/community/threads/{}", t.id)) { (t.title) } " · " (when(t.created_at)) } } }
        }
        section aria-labelledby="groups-title" {
            h2 #groups-title { "Groups" }
            @if groups.items.is_empty() { p { "No groups yet." } }
            ul.plain { @for g in &groups.items { li { a href=(format!("/community/groups/{}", g.id)) { (g.name) } @if !g.description.is_empty() { " — " (g.description) } } } }
        }
        p { a href="/community/collaborations" { "Collaborations" } }
        @if v.user().is_some() {
            (thread_form(v, None, f, errors))
            (group_form(v, f, group_errors))
        }
    })
}

/// `GET /community`.
pub async fn overview(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    v.require()?;
    let body = overview_body(&state, &v, &FormData::default(), &Errors::default(), &Errors::default()).await?;
    Ok(page(&v, "Community", body))
}

/// `POST /community/groups`.
pub async fn create_group(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let (name, description) = (post.form.text("name"), post.form.text("description"));
    let mut errors = Errors::default();
    if name.is_empty() || name.chars().count() > 120 {
        errors.add("name", "Enter a group name of 1 to 120 characters");
    } else {
        match state.market.community().create_group(user.id, name, description).await {
            Ok(g) => return Ok(see_other(&format!("/community/groups/{}?notice=group_created", g.id))),
            Err(e) => {
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add("name", m);
                }
            }
        }
    }
    let body = overview_body(&state, v, &post.form, &Errors::default(), &errors).await?;
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Community", body))
}

/// `GET /community/groups/{id}`.
pub async fn group(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let user = v.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("group"))?;
    let g = state.market.community().group(id).await?;
    let members = state.market.community().members(id).await?;
    let threads = state.market.community().threads(Some(id), PageRequest::first(30)).await?;
    let mut names = vec![];
    for m in &members {
        names.push(name(&state, m.user_id).await);
    }
    let role = members.iter().find(|m| m.user_id == user.id).map(|m| m.role);
    let body = html! {
        h1 { (g.name) }
        @if !g.description.is_empty() { p { (g.description) } }
        section aria-labelledby="members-title" {
            h2 #members-title { "Members" }
            ul.plain { @for (m, n) in members.iter().zip(&names) { li { (n) " (" (format!("{:?}", m.role).to_lowercase()) ")" } } }
            @if matches!(role, Some(GroupRole::Owner | GroupRole::Admin)) {
                form method="post" action=(format!("/community/groups/{id}/members")) novalidate {
                    (csrf(&v))
                    (Field::new("handle", "Add a designer by handle").required().render(&Errors::default()))
                    button type="submit" { "Add member" }
                }
            }
        }
        section aria-labelledby="threads-title" {
            h2 #threads-title { "Threads" }
            @if threads.items.is_empty() { p { "No threads yet." } }
            ul.plain { @for t in &threads.items { li { a href=(format!("/community/threads/{}", t.id)) { (t.title) } " · " (when(t.created_at)) } } }
        }
        @if role.is_some() { (thread_form(&v, Some(id), &FormData::default(), &Errors::default())) }
    };
    Ok(page(&v, &g.name, body))
}

/// `POST /community/groups/{id}/members`.
pub async fn add_member(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let user = post.viewer.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("group"))?;
    let h = Handle::parse(post.form.text("handle")).map_err(|_| WebError::not_found("designer"))?;
    let member = state.market.profiles().designer_profile(h.as_str()).await?;
    state.market.community().add_member(user.id, id, member.user_id, GroupRole::Member).await?;
    Ok(see_other(&format!("/community/groups/{id}?notice=member_added")))
}

/// `POST /community/threads`.
pub async fn open_thread(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let f = &post.form;
    let group = f.text("group_id").parse::<Id>().ok();
    let mut errors = Errors::default();
    if f.text("title").is_empty() {
        errors.add("title", "Enter a title");
    }
    if f.text("body").is_empty() {
        errors.add("body", "Write the first post");
    }
    if errors.is_empty() {
        let t = state.market.community().open_thread(user.id, group, f.text("title"), f.text("body")).await?;
        return Ok(see_other(&format!("/community/threads/{}?notice=thread_created", t.id)));
    }
    let body = overview_body(&state, v, f, &errors, &Errors::default()).await?;
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Community", body))
}

/// `GET /community/threads/{id}`.
pub async fn thread(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    v.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("thread"))?;
    let t = state.market.community().thread(id).await?;
    let posts = state.market.community().posts(id, PageRequest::first(100)).await?;
    let mut authors = vec![];
    for p in &posts.items {
        authors.push(name(&state, p.author_id).await);
    }
    let body = html! {
        h1 { (t.title) }
        @if let Some(g) = t.group_id { p { a href=(format!("/community/groups/{g}")) { "Back to the group" } } }
        ol.posts {
            @for (p, a) in posts.items.iter().zip(&authors) {
                li { article { h2.h3 { (a) } p.meta { (when(p.created_at)) } p { (p.body) } } }
            }
        }
        form method="post" action=(format!("/community/threads/{id}/posts")) novalidate aria-labelledby="reply-title" {
            h2 #reply-title { "Reply" }
            (csrf(&v))
            (Field::new("body", "Your reply").kind("textarea").required().render(&Errors::default()))
            button type="submit" { "Post reply" }
        }
    };
    Ok(page(&v, &t.title, body))
}

/// `POST /community/threads/{id}/posts`.
pub async fn reply(State(state): State<AppState>, Path(id): Path<String>, post: Posted) -> Result<Response, WebError> {
    let user = post.viewer.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("thread"))?;
    let text = post.form.text("body");
    if text.is_empty() {
        return Err(WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, "Write something before posting.".into()));
    }
    state.market.community().post(user.id, id, text).await?;
    Ok(see_other(&format!("/community/threads/{id}?notice=posted")))
}
