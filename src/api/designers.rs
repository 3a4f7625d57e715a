//! `/v1/designers/...` (public): the designer directory with search and orders, a
//! designer's page (cached) and the reviews of their chips.

use super::chips::store_error;
use super::hot_cache;
use super::pagination::{Listing, PageQuery, encode_sort_cursor, id_cursor, limit, path_text, query, sort_cursor};
use super::{AppState, Problem};
use crate::domain::{ChipFilter, ChipSort, DesignerProfile, DesignerView, Handle, PageRequest, Review};
use crate::store::decode_cursor;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    response::Response,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// How many designers a search or a non-default order looks through.
const MAX_SCAN: usize = 10_000;
/// How many of a designer's chips their review list gathers from.
const MAX_CHIPS: u32 = 100;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_designers)).routes(routes!(get_designer)).routes(routes!(designer_reviews))
}

/// Directory orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignerSort {
    /// Best average rating first.
    Rating,
    /// Most sales first.
    Sales,
    /// Most recently joined first.
    #[default]
    Newest,
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

fn rating_milli(d: &DesignerProfile) -> i64 {
    if d.rating_count > 0 { d.rating_sum.saturating_mul(1000) / d.rating_count } else { 0 }
}

fn matches(d: &DesignerProfile, q: &str) -> bool {
    d.handle.as_str().contains(q)
        || d.display_name.to_lowercase().contains(q)
        || d.bio.to_lowercase().contains(q)
        || d.skills.iter().any(|s| s.to_lowercase().contains(q))
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
    if text.is_none() && sort == DesignerSort::Newest {
        let after = id_cursor(q.cursor.as_deref())?;
        let p = state.store.list_designers(PageRequest { after, limit }).await.map_err(store_error("designer"))?;
        return Ok(Json(p.into()));
    }
    let after = sort_cursor(q.cursor.as_deref())?;
    let key = |d: &DesignerProfile| match sort {
        DesignerSort::Rating => rating_milli(d),
        DesignerSort::Sales => d.sales_count,
        DesignerSort::Newest => 0,
    };
    let mut all: Vec<(i64, DesignerProfile)> = scan(&state)
        .await?
        .into_iter()
        .filter(|d| text.as_deref().is_none_or(|t| matches(d, t)))
        .map(|d| (key(&d), d))
        .filter(|(k, d)| after.is_none_or(|a| (*k, d.user_id) < a))
        .collect();
    all.sort_by_key(|(k, d)| std::cmp::Reverse((*k, d.user_id)));
    let more = all.len() > limit as usize;
    all.truncate(limit as usize);
    let next_cursor = if more { all.last().map(|(k, d)| encode_sort_cursor(*k, d.user_id)) } else { None };
    Ok(Json(Listing { items: all.into_iter().map(|(_, d)| d).collect(), next_cursor }))
}

/// Every designer, up to [`MAX_SCAN`].
async fn scan(state: &AppState) -> Result<Vec<DesignerProfile>, Problem> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let p = state.store.list_designers(page).await.map_err(store_error("designer"))?;
        all.extend(p.items);
        match p.next_cursor {
            Some(c) if all.len() < MAX_SCAN => page.after = Some(decode_cursor(&c).map_err(store_error("designer"))?),
            _ => return Ok(all),
        }
    }
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
    let cache = state.cache.cache.as_ref();
    let key = hot_cache::designer_key(h.as_str());
    if let Some(bytes) = hot_cache::get(cache, &key).await {
        return Ok(hot_cache::json_bytes(bytes));
    }
    let view = state.market.profiles().designer(h.as_str()).await?;
    let bytes = hot_cache::put(cache, &key, &view).await;
    Ok(match bytes {
        Some(b) => hot_cache::json_bytes(b),
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
    let designer = state.store.designer_by_handle(h.as_str()).await.map_err(store_error("designer"))?;
    let filter = ChipFilter { designer_id: Some(designer.user_id), ..Default::default() };
    let chips = state
        .store
        .list_chips_sorted(&filter, ChipSort::Newest, None, MAX_CHIPS)
        .await
        .map_err(store_error("designer"))?
        .items;
    let mut reviews: Vec<Review> = Vec::new();
    for chip in chips {
        reviews.extend(state.store.list_reviews(chip.id, page).await.map_err(store_error("chip"))?.items);
    }
    reviews.sort_by_key(|r| std::cmp::Reverse(r.id));
    let more = reviews.len() > page.limit as usize;
    reviews.truncate(page.limit as usize);
    let next_cursor = if more { reviews.last().map(|r| crate::store::encode_cursor(r.id)) } else { None };
    Ok(Json(Listing { items: reviews, next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(handle: &str, sum: i64, count: i64) -> DesignerProfile {
        DesignerProfile {
            user_id: crate::domain::new_id(),
            handle: Handle::parse(handle).unwrap_or_else(|_| Handle::from_display_name(handle)),
            display_name: handle.to_uppercase(),
            bio: "FPGA person".into(),
            skills: vec!["Verilog".into()],
            rating_count: count,
            rating_sum: sum,
            sales_count: 0,
        }
    }

    #[test]
    fn ratings_and_search() {
        assert_eq!(rating_milli(&profile("ann", 9, 2)), 4500);
        assert_eq!(rating_milli(&profile("bob", 0, 0)), 0);
        let d = profile("carol", 0, 0);
        assert!(matches(&d, "verilog") && matches(&d, "fpga") && matches(&d, "caro"));
        assert!(!matches(&d, "asic"));
    }
}
