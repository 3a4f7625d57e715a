//! `/v1/admin/...`: administrators (with 2FA on) list users, change roles, refund
//! purchases and read the audit log. Roles change only here.

use super::pagination::{Listing, PageQuery, path_id, query};
use super::{AdminUser, ApiJson, AppState, Problem};
use crate::domain::{AuditEntry, DeadEvent, Id, Purchase, Role, User};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users))
        .routes(routes!(set_role))
        .routes(routes!(refund))
        .routes(routes!(audit))
        .routes(routes!(dead_events))
        .routes(routes!(retry_dead_event))
}

#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Listing<User>), (status = 403, body = Problem, description = "not an admin with 2FA")))]
async fn users(
    State(state): State<AppState>,
    _admin: AdminUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Listing<User>>, Problem> {
    Ok(Json(state.auth.list_users(query(q)?.page()?).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: Role,
}

#[utoipa::path(put, path = "/v1/admin/users/{id}/role", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = RoleBody,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn set_role(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    id: Result<Path<Id>, PathRejection>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Json<User>, Problem> {
    let id = path_id(id, "user")?;
    if id == admin.id && body.role != Role::Admin {
        return Err(Problem::new(StatusCode::CONFLICT, "conflict", "administrators cannot demote themselves"));
    }
    Ok(Json(state.auth.set_role(&admin, id, body.role).await?))
}

#[utoipa::path(post, path = "/v1/admin/purchases/{id}/refund", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Purchase), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn refund(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Json<Purchase>, Problem> {
    let id = path_id(id, "purchase")?;
    let p = state.market.purchases().refund(&admin, id).await?;
    state.auth.audit(Some(&admin), "refund", Some(id.to_string()), None).await;
    Ok(Json(p))
}

#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Listing<AuditEntry>), (status = 403, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    _admin: AdminUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Listing<AuditEntry>>, Problem> {
    Ok(Json(state.auth.audit_log(query(q)?.page()?).await?.into()))
}

/// Outbox events that failed on every attempt (set aside so the others go on).
#[utoipa::path(get, path = "/v1/admin/outbox/dead", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Listing<DeadEvent>), (status = 403, body = Problem)))]
async fn dead_events(
    State(state): State<AppState>,
    _admin: AdminUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Listing<DeadEvent>>, Problem> {
    Ok(Json(state.market.dead_events(query(q)?.page()?).await?.into()))
}

/// Puts a dead event back in the queue with fresh attempts.
#[utoipa::path(post, path = "/v1/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 204, description = "queued again"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn retry_dead_event(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let id = path_id(id, "dead event")?;
    state.market.retry_dead_event(id).await?;
    state.auth.audit(Some(&admin), "outbox.retry", Some(id.to_string()), None).await;
    Ok(StatusCode::NO_CONTENT)
}
