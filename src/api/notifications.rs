//! `/v1/notifications`: the caller's own notifications, and marking one read.

use super::pagination::{Listing, id_cursor, limit, path_id, query};
use super::{AppState, AuthUser, Problem};
use crate::domain::{Id, Notification, PageRequest};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notifications)).routes(routes!(mark_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only notifications not yet read.
    unread: Option<bool>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = Listing<Notification>, description = "your notifications, newest first"),
        (status = 400, body = Problem, description = "bad cursor, limit or parameter"),
        (status = 401, body = Problem)))]
async fn list_notifications(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<NotificationQuery>, QueryRejection>,
) -> Result<Json<Listing<Notification>>, Problem> {
    let q = query(q)?;
    let page = PageRequest { after: id_cursor(q.cursor.as_deref())?, limit: limit(q.limit)? };
    let p = state.market.notifications().list(&user, q.unread.unwrap_or(false), page).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "notification id")),
    responses((status = 204, description = "marked read (again is fine)"),
        (status = 404, body = Problem, description = "not one of your notifications")))]
async fn mark_read(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let id = path_id(id, "notification")?;
    state.market.notifications().mark_read(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
