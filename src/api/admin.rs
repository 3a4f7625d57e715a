//! `/v1/admin/...`: administrators (with 2FA on) list users, change roles, refund
//! purchases and read the audit log. Roles change only here.

use super::{AdminUser, ApiJson, AppState, Problem};
use crate::domain::{AuditEntry, Id, PageRequest, Purchase, Role, User};
use crate::store::decode_cursor;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(users)).routes(routes!(set_role)).routes(routes!(refund)).routes(routes!(audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

fn page(q: &PageQuery) -> Result<PageRequest, Problem> {
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "invalid_cursor", "the cursor is not valid"))?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(20);
    if !(1..=PageRequest::MAX_LIMIT).contains(&limit) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_limit", "limit must be 1 to 100"));
    }
    Ok(PageRequest { after, limit })
}

fn query<T>(q: Result<Query<T>, axum::extract::rejection::QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(v)| v).map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))
}

fn path_id(p: Result<Path<Id>, PathRejection>, what: &str) -> Result<Id, Problem> {
    p.map(|Path(id)| id).map_err(|_| Problem::not_found(format!("no such {what}")))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    items: Vec<User>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = UserPage), (status = 403, body = Problem, description = "not an admin with 2FA")))]
async fn users(
    State(state): State<AppState>,
    _admin: AdminUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<UserPage>, Problem> {
    let p = state.store.list_users(page(&query(q)?)?).await?;
    Ok(Json(UserPage { items: p.items, next_cursor: p.next_cursor }))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntry>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    _admin: AdminUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, Problem> {
    let p = state.store.list_audit(None, page(&query(q)?)?).await?;
    Ok(Json(AuditPage { items: p.items, next_cursor: p.next_cursor }))
}
