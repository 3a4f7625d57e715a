//! Administration (administrators with 2FA on, as in the API): users and roles,
//! refunds and the audit log.

use super::errors::WebError;
use super::forms::{Errors, Field};
use super::layout::{csrf, page, see_other, when};
use super::session::{Posted, Viewer};
use crate::api::{AppState, ClientInfo};
use crate::domain::{Id, PageRequest, Role, decode_cursor};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use maud::html;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct AdminQuery {
    users: Option<String>,
}

/// `GET /admin`.
pub async fn overview(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<AdminQuery>,
) -> Result<Response, WebError> {
    let admin = v.require_role(Role::Admin)?;
    let after = q.users.as_deref().and_then(decode_cursor);
    let users = state.auth.list_users(PageRequest { after, limit: 50 }).await?;
    let audit = state.auth.audit_log(PageRequest::first(50)).await?;
    let body = html! {
        h1 { "Administration" }
        section aria-labelledby="users-title" {
            h2 #users-title { "Users and roles" }
            table {
                caption.visually-hidden { "Users, newest first" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "2FA" } th scope="col" { "Role" } } }
                tbody {
                    @for u in &users.items {
                        tr {
                            td { (u.display_name) }
                            td { (u.email.as_str()) }
                            td { @if u.totp_enabled { "on" } @else { "off" } }
                            td {
                                @if u.id == admin.id { (u.role.as_str()) " (you)" } @else {
                                    form.inline method="post" action=(format!("/admin/users/{}/role", u.id)) {
                                        (csrf(&v))
                                        label.visually-hidden for=(format!("role-{}", u.id)) { "Role of " (u.display_name) }
                                        select id=(format!("role-{}", u.id)) name="role" {
                                            @for r in [Role::User, Role::Designer, Role::Admin] {
                                                option value=(r.as_str()) selected[r == u.role] { (r.as_str()) }
                                            }
                                        }
                                        button type="submit" .small aria-label=(format!("Change the role of {}", u.display_name)) { "Change" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(c) = &users.next_cursor { nav.pager aria-label="User pages" { a rel="next" href=(format!("/admin?users={c}")) { "More users" } } }
        }
        section aria-labelledby="refund-title" {
            h2 #refund-title { "Refund a purchase" }
            form method="post" action="/admin/refunds" novalidate {
                (csrf(&v))
                (Field::new("purchase_id", "Purchase id").hint("From the buyer's receipt; the money goes back and the licence is revoked.").required().render(&Errors::default()))
                button type="submit" .danger { "Refund" }
            }
        }
        section aria-labelledby="audit-title" {
            h2 #audit-title { "Audit log" }
            table {
                caption.visually-hidden { "Security events, newest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Event" } th scope="col" { "Target" } th scope="col" { "Address" } } }
                tbody {
                    @for e in &audit.items {
                        tr { td { (when(e.created_at)) } td { (e.action) } td { (e.target.as_deref().unwrap_or("")) } td { (e.ip.as_deref().unwrap_or("")) } }
                    }
                }
            }
        }
    };
    Ok(page(&v, "Administration", body))
}

/// `POST /admin/users/{id}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let admin = post.viewer.require_role(Role::Admin)?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("user"))?;
    let role: Role =
        post.form.text("role").parse().map_err(|_| {
            WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, "Choose user, designer or admin.".into())
        })?;
    if id == admin.id && role != Role::Admin {
        return Err(WebError::Status(StatusCode::CONFLICT, "Administrators cannot demote themselves.".into()));
    }
    state.auth.set_role(admin, id, role).await?;
    Ok(see_other("/admin?notice=role_changed"))
}

/// `POST /admin/refunds`.
pub async fn refund(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let admin = post.viewer.require_role(Role::Admin)?;
    let id: Id = post.form.text("purchase_id").parse().map_err(|_| WebError::not_found("purchase"))?;
    state.market.purchases().refund(admin, id).await?;
    state.auth.audit(Some(admin), "refund", Some(id.to_string()), client.address.as_deref()).await;
    Ok(see_other("/admin?notice=refunded"))
}
