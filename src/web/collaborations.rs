//! Collaborations: designers working together on a chip, each paid a share of
//! its sales.

use super::errors::WebError;
use super::forms::{Errors, Field, parse_amount};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{FormData, Posted, Viewer};
use crate::api::AppState;
use crate::domain::{ChipFilter, ChipStatus, CollaborationMember, Handle, Id, PageRequest, Role};
use axum::{extract::State, http::StatusCode, response::Response};
use maud::{Markup, html};

const ROWS: [(&str, &str); 3] = [("handle_1", "share_1"), ("handle_2", "share_2"), ("handle_3", "share_3")];

async fn body(state: &AppState, v: &Viewer, f: &FormData, errors: &Errors) -> Result<Markup, WebError> {
    let user = v.require()?;
    let mine = state.market.community().of_designer(user.id).await?;
    let drafts = if v.has_role(Role::Designer) {
        let filter = ChipFilter { designer_id: Some(user.id), status: Some(ChipStatus::Draft), ..Default::default() };
        state.market.catalog().list(&filter, PageRequest::first(50)).await?.items
    } else {
        vec![]
    };
    let mut names = std::collections::HashMap::new();
    for c in &mine {
        for m in &c.members {
            if let Ok(Some(d)) = state.market.profiles().designer_of(m.designer_id).await {
                names.insert(m.designer_id, d.display_name);
            }
        }
    }
    let member_names = |members: &[CollaborationMember]| {
        members
            .iter()
            .map(|m| {
                format!(
                    "{} {} %",
                    names.get(&m.designer_id).map_or("a designer", String::as_str),
                    f64::from(m.share_bps) / 100.0
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(html! {
        h1 { "Collaborations" }
        @if mine.is_empty() { p { "You are in no collaborations yet." } }
        ul.plain { @for c in &mine { li { strong { (c.title) } ": " (member_names(&c.members)) " · " (when(c.created_at)) } } }
        @if v.has_role(Role::Designer) {
            form method="post" action="/community/collaborations" novalidate aria-labelledby="new-collab-title" {
                h2 #new-collab-title { "Start a collaboration" }
                (errors.summary())
                (csrf(v))
                (Field::new("title", "Title").value(f.text("title")).required().render(errors))
                div.field {
                    label for="f-chip" { "Draft it produces (optional)" }
                    select #f-chip name="chip_id" {
                        option value="" { "None" }
                        @for c in &drafts { option value=(c.id) selected[f.text("chip_id") == c.id.to_string()] { (c.title) } }
                    }
                }
                @for (i, (h, s)) in ROWS.iter().enumerate() {
                    fieldset.member {
                        legend { "Member " (i + 1) @if i > 0 { " (optional)" } }
                        (Field::new(h, "Designer's handle").value(f.text(h)).render(errors))
                        (Field::new(s, "Share of each sale, percent").value(f.text(s)).inputmode("decimal").render(errors))
                    }
                }
                button type="submit" { "Record collaboration" }
            }
        }
    })
}

/// `GET /community/collaborations`.
pub async fn list(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let b = body(&state, &v, &FormData::default(), &Errors::default()).await?;
    Ok(page(&v, "Collaborations", b))
}

/// `POST /community/collaborations`.
pub async fn create(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require_role(Role::Designer)?;
    let f = &post.form;
    let mut errors = Errors::default();
    if f.text("title").is_empty() {
        errors.add("title", "Enter a title");
    }
    let mut members = vec![];
    for (h, s) in ROWS {
        if f.text(h).is_empty() {
            continue;
        }
        let share = parse_amount(f.text(s), 2).and_then(|b| u16::try_from(b).ok()).filter(|b| (1..=10_000).contains(b));
        let Some(share_bps) = share else {
            errors.add(s, "Enter a share from 0.01 to 100 percent");
            continue;
        };
        let profile = match Handle::parse(f.text(h)) {
            Ok(handle) => state.market.profiles().designer_profile(handle.as_str()).await.ok(),
            Err(_) => None,
        };
        match profile {
            Some(p) => members.push(CollaborationMember { designer_id: p.user_id, share_bps }),
            None => errors.add(h, format!("No designer has the handle {}", f.text(h))),
        }
    }
    if members.is_empty() && errors.is_empty() {
        errors.add("handle_1", "Name at least one designer");
    }
    if errors.is_empty() {
        let chip: Option<Id> = f.text("chip_id").parse().ok();
        match state.market.community().collaborate(user.id, f.text("title"), chip, &members).await {
            Ok(_) => return Ok(see_other("/community/collaborations?notice=collaboration_created")),
            Err(e) => {
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add("title", m);
                }
            }
        }
    }
    let b = body(&state, v, f, &errors).await?;
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Collaborations", b))
}
