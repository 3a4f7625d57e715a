//! `/v1/notifications`: the caller's own notifications, and marking one read.

use super::pagination::{Listing, id_cursor, limit, path_id, query};
use super::{AppState, AuthUser, Problem};
use crate::domain::{Id, Notification, PageRequest};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::StatusCode,
    response::Html,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(unsubscribe_page, unsubscribe))
}

/// An unsubscribe link's secret as sent (URL-safe base64); anything else is unknown.
fn unsubscribe_token(p: Result<Path<String>, PathRejection>) -> Result<String, Problem> {
    let not_found = || Problem::not_found("this unsubscribe link is unknown");
    let Path(token) = p.map_err(|_| not_found())?;
    let ok =
        (1..=200).contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then_some(token).ok_or_else(not_found)
}

/// The page an e-mail's unsubscribe link opens: one button (a link alone changes
/// nothing, so mail scanners that follow links do not unsubscribe anyone).
#[utoipa::path(get, path = "/v1/unsubscribe/{token}", tag = "notifications",
    params(("token" = String, Path, description = "the secret of the e-mail's unsubscribe link")),
    responses((status = 200, description = "a page with the unsubscribe button", content_type = "text/html"),
        (status = 404, body = Problem, description = "unknown link")))]
async fn unsubscribe_page(p: Result<Path<String>, PathRejection>) -> Result<Html<String>, Problem> {
    let token = unsubscribe_token(p)?;
    Ok(Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body><main>\
         <h1>Stop these e-mails?</h1><p>You will still see notifications in HoloMesh.</p>\
         <form method=\"post\" action=\"/v1/unsubscribe/{token}\"><button type=\"submit\">Unsubscribe</button></form>\
         </main></body></html>"
    )))
}

/// Turns off the e-mails the link came with (RFC 8058 one-click: mail programs POST
/// `List-Unsubscribe=One-Click`): those about the notification's designer, or all of
/// them for a digest.
#[utoipa::path(post, path = "/v1/unsubscribe/{token}", tag = "notifications",
    params(("token" = String, Path, description = "the secret of the e-mail's unsubscribe link")),
    responses((status = 200, description = "unsubscribed", content_type = "text/html"),
        (status = 404, body = Problem, description = "unknown link")))]
async fn unsubscribe(
    State(state): State<AppState>,
    p: Result<Path<String>, PathRejection>,
) -> Result<Html<&'static str>, Problem> {
    let token = unsubscribe_token(p)?;
    state.market.unsubscribe_email(&token).await?;
    Ok(Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribed</title></head>\
         <body><main><h1>Unsubscribed</h1><p>You will no longer get these e-mails.</p></main></body></html>",
    ))
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
