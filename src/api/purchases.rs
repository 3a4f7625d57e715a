//! `/v1/purchases`: buying a chip under a required `Idempotency-Key`, and the caller's
//! own purchase history.

use super::chips::visible_chip;
use super::pagination::{Listing, PageQuery, path_id, query};
use super::{ApiJson, AppState, AuthUser, Problem};
use crate::domain::{Id, Purchase, PurchaseReceipt, PurchaseSource};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(buy, list_purchases)).routes(routes!(get_purchase))
}

/// What to buy; the buyer is the caller and the price is the chip's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseBody {
    #[schema(value_type = String, format = Uuid)]
    pub chip_id: Id,
}

/// The `Idempotency-Key` header: required, visible ASCII.
fn idempotency_key(headers: &HeaderMap) -> Result<String, Problem> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "send an Idempotency-Key header (a unique value per purchase, reused only to retry it)",
        ));
    };
    let key = raw.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

#[utoipa::path(post, path = "/v1/purchases", tag = "purchases", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "unique per purchase; a retry with the same key replays the first answer")),
    request_body = PurchaseBody,
    responses((status = 201, body = PurchaseReceipt, description = "the purchase (its split sums to the price) and the licence"),
        (status = 400, body = Problem, description = "`idempotency_key_required`, or malformed JSON"),
        (status = 402, body = Problem, description = "`insufficient_funds`"),
        (status = 403, body = Problem, description = "designers cannot buy their own chips"),
        (status = 404, body = Problem, description = "no such chip"),
        (status = 409, body = Problem, description = "`sold_out`, `not_for_sale` or `idempotency_in_progress`"),
        (status = 422, body = Problem, description = "`idempotency_key_reused` (same key, another chip), or invalid body")))]
async fn buy(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PurchaseBody>,
) -> Result<(StatusCode, Json<PurchaseReceipt>), Problem> {
    let key = idempotency_key(&headers)?;
    let chip = visible_chip(&state, Some(&user), body.chip_id).await?;
    let receipt = state.market.purchases().buy(&user, chip.id, PurchaseSource::Api, None, Some(&key)).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[utoipa::path(get, path = "/v1/purchases", tag = "purchases", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Listing<Purchase>, description = "your purchases, newest first"),
        (status = 400, body = Problem, description = "bad cursor or limit"),
        (status = 401, body = Problem)))]
async fn list_purchases(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Listing<Purchase>>, Problem> {
    let page = query(q)?.page()?;
    let p = state.market.purchases().list(&user, page).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(get, path = "/v1/purchases/{id}", tag = "purchases", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "purchase id")),
    responses((status = 200, body = Purchase), (status = 404, body = Problem, description = "not one of your purchases")))]
async fn get_purchase(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Json<Purchase>, Problem> {
    let id = path_id(id, "purchase")?;
    Ok(Json(state.market.purchases().of_buyer(&user, id).await?))
}
