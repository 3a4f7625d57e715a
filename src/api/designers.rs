//! `/v1/designers/...` (public): the designer directory with search and orders, a
//! designer's page (cached) and the reviews of their chips.

use super::pagination::{Listing, PageQuery, id_cursor, limit, path_text, query, sort_cursor};
use super::{AppState, Problem, json_bytes};
use crate::domain::{DesignerProfile, DesignerSort, DesignerView, Handle, PageRequest, Review};
use crate::market::hot_cache;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    response::Response,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_designers)).routes(routes!(get_designer)).routes(routes!(designer_reviews))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DesignerQuery {
    /// Words in the handle, name, bio or skills.
    q: Option<String>,
    sort: Option<DesignerSort>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/designers", tag = "designers", params(DesignerQuery),
    responses((status = 200, body = Listing<DesignerProfile>),
        (status = 400, body = Problem, description = "bad cursor, limit or parameter"),
        (status = 422, body = Problem, description = "search text too long")))]
async fn list_designers(
    State(state): State<AppState>,
    q: Result<Query<DesignerQuery>, QueryRejection>,
) -> Result<Json<Listing<DesignerProfile>>, Problem> {
    let q = query(q)?;
    let limit = limit(q.limit)?;
    let text = q.q.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    if let Some(t) = &text {
        super::pagination::text_max("q", t, 200)?;
    }
    let sort = q.sort.unwrap_or_default();
    let (page, after) = if text.is_none() && sort == DesignerSort::Newest {
        (PageRequest { after: id_cursor(q.cursor.as_deref())?, limit }, None)
    } else {
        (PageRequest::first(limit), sort_cursor(q.cursor.as_deref())?)
    };
    Ok(Json(state.market.profiles().directory(text.as_deref(), sort, page, after).await?.into()))
}

/// The handle in a path, or 404 when it cannot be one.
fn handle(p: Result<Path<String>, PathRejection>) -> Result<Handle, Problem> {
    Handle::parse(&path_text(p, "designer")?).map_err(|_| Problem::not_found("designer not found"))
}

#[utoipa::path(get, path = "/v1/designers/{handle}", tag = "designers",
    params(("handle" = String, Path, description = "the designer's handle")),
    responses((status = 200, body = DesignerView, description = "profile, rating, published chips, collaborations"),
        (status = 404, body = Problem, description = "no such designer")))]
async fn get_designer(
    State(state): State<AppState>,
    h: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let h = handle(h)?;
    let cache = state.market.cache().cache.as_ref();
    let key = hot_cache::designer_key(h.as_str());
    if let Some(bytes) = hot_cache::get(cache, &key).await {
        return Ok(json_bytes(bytes));
    }
    let view = state.market.profiles().designer(h.as_str()).await?;
    let bytes = hot_cache::put(cache, &key, &view).await;
    Ok(match bytes {
        Some(b) => json_bytes(b),
        None => axum::response::IntoResponse::into_response(Json(view)),
    })
}

#[utoipa::path(get, path = "/v1/designers/{handle}/reviews", tag = "designers",
    params(("handle" = String, Path, description = "the designer's handle"), PageQuery),
    responses((status = 200, body = Listing<Review>, description = "reviews of the designer's chips, newest first"),
        (status = 400, body = Problem, description = "bad cursor or limit"),
        (status = 404, body = Problem, description = "no such designer")))]
async fn designer_reviews(
    State(state): State<AppState>,
    h: Result<Path<String>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Listing<Review>>, Problem> {
    let h = handle(h)?;
    let page = query(q)?.page()?;
    Ok(Json(state.market.profiles().designer_reviews(h.as_str(), page).await?.into()))
}
