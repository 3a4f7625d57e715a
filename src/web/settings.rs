//! The account page: name, a designer's public profile, two-factor status and the
//! list of signed-in sessions (each can be signed out).

use super::errors::{WebError, sentence};
use super::forms::{Errors, Field};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{Posted, Viewer};
use crate::api::{AppState, ClientInfo};
use crate::domain::{Handle, Id};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use maud::html;

async fn render(state: &AppState, v: &Viewer, errors: &Errors) -> Result<maud::Markup, WebError> {
    let user = v.require()?;
    let sessions = state.auth.sessions(user).await?;
    let designer = state.market.profiles().designer_of(user.id).await?;
    let this = v.session.as_ref().map(|s| s.session_id);
    Ok(html! {
        h1 { "Account" }
        (errors.summary())
        section aria-labelledby="profile-title" {
            h2 #profile-title { "Profile" }
            p { "Email: " (user.email.as_str()) " · Role: " (user.role.as_str()) }
            form method="post" action="/account/profile" novalidate {
                (csrf(v))
                (Field::new("display_name", "Your name").value(&user.display_name).autocomplete("name").required().render(errors))
                button type="submit" { "Save name" }
            }
        }
        @if let Some(d) = &designer {
            section aria-labelledby="designer-title" {
                h2 #designer-title { "Designer profile" }
                p { "Your public page: " a href=(format!("/designers/{}", d.handle)) { "/designers/" (d.handle) } }
                form method="post" action="/account/designer-profile" novalidate {
                    (csrf(v))
                    (Field::new("handle", "Handle").value(d.handle.as_str()).hint("Lowercase letters, digits and dashes.").required().render(errors))
                    (Field::new("bio", "About you").kind("textarea").value(&d.bio).render(errors))
                    (Field::new("skills", "Skills").value(&d.skills.join(", ")).hint("Separated by commas, e.g. DSP, RISC-V").render(errors))
                    button type="submit" { "Save designer profile" }
                }
            }
        }
        section aria-labelledby="security-title" {
            h2 #security-title { "Two-factor authentication" }
            p { "Status: " strong { @if user.totp_enabled { "on" } @else { "off" } } " · " a href="/account/two-factor" { "Manage two-factor authentication" } }
        }
        section aria-labelledby="sessions-title" {
            h2 #sessions-title { "Signed-in sessions" }
            ul.sessions {
                @for s in &sessions {
                    li {
                        p {
                            strong { (s.user_agent.as_deref().unwrap_or("Unknown device")) }
                            @if Some(s.id) == this { " (this browser)" }
                        }
                        p.meta { "Signed in " (when(s.created_at)) ", last used " (when(s.last_used_at)) }
                        form method="post" action=(format!("/account/sessions/{}/revoke", s.id)) {
                            (csrf(v))
                            button type="submit" .secondary aria-label=(format!("Sign out the session from {}", super::layout::datetime(s.created_at))) { "Sign out this session" }
                        }
                    }
                }
            }
        }
    })
}

/// `GET /account`.
pub async fn show(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let body = render(&state, &v, &Errors::default()).await?;
    Ok(page(&v, "Account", body))
}

/// `POST /account/profile`.
pub async fn profile(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let name = post.form.text("display_name");
    if name.is_empty() || name.chars().count() > 200 {
        let mut errors = Errors::default();
        errors.add("display_name", "Enter a name of 1 to 200 characters");
        let body = render(&state, v, &errors).await?;
        return Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Account", body));
    }
    state.market.profiles().set_display_name(user, name).await?;
    Ok(see_other("/account?notice=profile_saved"))
}

/// `POST /account/designer-profile`.
pub async fn designer_profile(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let f = &post.form;
    let mut errors = Errors::default();
    let skills: Vec<String> =
        f.text("skills").split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).take(30).collect();
    match Handle::parse(f.text("handle")) {
        Ok(h) => match state.market.profiles().set_designer_profile(user, &h, f.text("bio"), &skills).await {
            Ok(_) => return Ok(see_other("/account?notice=profile_saved")),
            Err(e) => {
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add("handle", m);
                }
            }
        },
        Err(e) => errors.add("handle", sentence(&e.to_string())),
    }
    let body = render(&state, v, &errors).await?;
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Account", body))
}

/// `POST /account/sessions/{id}/revoke`: signs a session out (this one too).
pub async fn revoke(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let user = post.viewer.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("session"))?;
    state.auth.revoke_session(user, id, client.address.as_deref()).await?;
    if post.viewer.session.as_ref().is_some_and(|s| s.session_id == id) {
        return Ok(see_other("/?notice=signed_out"));
    }
    Ok(see_other("/account?notice=session_revoked"))
}
