//! `/v1/notifications`: the caller's own notifications and marking one read; e-mail
//! unsubscribe links; the browsers that receive Web Push.

use super::pagination::{Listing, id_cursor, limit, path_id, query};
use super::{ApiJson, AppState, AuthUser, Problem};
use crate::domain::{Id, Notification, PageRequest};
use crate::market::PushTarget;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::StatusCode,
    response::Html,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(unsubscribe_page, unsubscribe))
        .routes(routes!(push_public_key))
        .routes(routes!(add_push_subscription, remove_push_subscription))
}

/// The key a browser subscribes to push with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushKey {
    /// The VAPID public key (`applicationServerKey`), base64url.
    public_key: String,
}

#[utoipa::path(get, path = "/v1/push/public-key", tag = "notifications",
    responses((status = 200, body = PushKey), (status = 404, body = Problem, description = "push is off here")))]
async fn push_public_key(State(state): State<AppState>) -> Result<Json<PushKey>, Problem> {
    let public_key = state.push_public_key.clone().ok_or_else(|| Problem::not_found("push is off on this server"))?;
    Ok(Json(PushKey { public_key }))
}

/// The browser's keys of a push subscription.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushKeys {
    p256dh: String,
    auth: String,
}

/// A browser's `PushSubscription` as its `toJSON()` gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushSubscriptionBody {
    endpoint: String,
    keys: PushKeys,
    #[serde(default)]
    #[allow(dead_code)]
    expiration_time: Option<f64>,
}

/// Which browser to stop pushing to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushEndpoint {
    endpoint: String,
}

/// Pushes notifications and digests to this browser from now on (for subscriptions
/// with `push` on).
#[utoipa::path(post, path = "/v1/me/push-subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body = PushSubscriptionBody,
    responses((status = 201, description = "kept"), (status = 401, body = Problem),
        (status = 422, body = Problem, description = "not an https endpoint, or keys of the wrong size")))]
async fn add_push_subscription(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(b): ApiJson<PushSubscriptionBody>,
) -> Result<StatusCode, Problem> {
    let to = PushTarget { endpoint: b.endpoint, p256dh: b.keys.p256dh, auth: b.keys.auth };
    state.market.add_push_subscription(&user, &to).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(delete, path = "/v1/me/push-subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body = PushEndpoint,
    responses((status = 204, description = "forgotten"), (status = 401, body = Problem),
        (status = 404, body = Problem, description = "no such subscription of yours")))]
async fn remove_push_subscription(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(b): ApiJson<PushEndpoint>,
) -> Result<StatusCode, Problem> {
    state.market.remove_push_subscription(&user, &b.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
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
