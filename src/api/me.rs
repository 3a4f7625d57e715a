//! `/v1/me`: the caller's account, the fields they may change, and their sessions.

use super::auth::Me;
use super::pagination::Listing;
use super::{ApiJson, AppState, AuthUser, ClientInfo, Problem};
use crate::domain::Id;
use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me, patch_me)).routes(routes!(sessions)).routes(routes!(revoke_session))
}

#[utoipa::path(get, path = "/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn get_me(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Me>, Problem> {
    Ok(Json(Me::of(&state, user).await?))
}

/// The fields an account holder may change. Role, email and ids are not among them:
/// sending them is refused (422), not ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    display_name: Option<String>,
    /// IANA time zone, e.g. `Europe/Paris` (digests follow it).
    timezone: Option<String>,
}

#[utoipa::path(patch, path = "/v1/me", tag = "me", security(("bearer" = [])), request_body = MePatch,
    responses((status = 200, body = Me), (status = 422, body = Problem, description = "invalid or unknown field")))]
async fn patch_me(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(patch): ApiJson<MePatch>,
) -> Result<Json<Me>, Problem> {
    let invalid = |m: &str| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m);
    let name = match patch.display_name.as_deref().map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > 200 => {
            return Err(invalid("display_name must be 1 to 200 characters"));
        }
        other => other.map(str::to_owned),
    };
    if let Some(tz) = patch.timezone.as_deref()
        && (tz.len() > 64 || jiff::tz::TimeZone::get(tz).is_err())
    {
        return Err(invalid("timezone must be an IANA time zone name such as Europe/Paris"));
    }
    // Validate everything first so a bad field changes nothing.
    let mut user = user;
    if let Some(name) = name {
        user = state.market.profiles().set_display_name(&user, &name).await?;
    }
    if let Some(tz) = patch.timezone {
        user = state.market.profiles().set_timezone(&user, &tz).await?;
    }
    Ok(Json(Me::of(&state, user).await?))
}

/// One signed-in session (a refresh-token family).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    #[schema(value_type = String, format = Uuid)]
    id: Id,
    user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    last_used_at: time::OffsetDateTime,
}

#[utoipa::path(get, path = "/v1/me/sessions", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Listing<SessionView>), (status = 401, body = Problem)))]
async fn sessions(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Listing<SessionView>>, Problem> {
    let items = state
        .auth
        .sessions(&user)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            user_agent: s.user_agent,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
        })
        .collect();
    Ok(Json(Listing::all(items)))
}

#[utoipa::path(delete, path = "/v1/me/sessions/{id}", tag = "me", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "session id")),
    responses((status = 204, description = "revoked"), (status = 404, body = Problem, description = "not one of yours")))]
async fn revoke_session(
    State(state): State<AppState>,
    client: ClientInfo,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let Path(id) = id.map_err(|_| Problem::not_found("no such session"))?;
    state.auth.revoke_session(&user, id, client.address.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
