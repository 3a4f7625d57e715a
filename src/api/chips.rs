//! `/v1/chips/...`: designers list drafts and publish them; anyone reads published
//! chips, their signed records, verifies a design file, and buyers review.

use super::pagination::{Listing, PageQuery, invalid, path_id, plain, query, sort_cursor, text, text_max};
use super::{ApiJson, AppState, AuthUser, DesignerUser, MaybeUser, Problem, json_bytes};
use crate::domain::{Chip, ChipFilter, ChipSort, ChipStatus, Currency, Handle, Id, Money, Review, User};
use crate::market::{ChipDraft, MarketError, hot_cache};
use axum::{
    Json,
    body::Bytes,
    extract::{
        Path, Query, State,
        rejection::{BytesRejection, PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_chip, list_chips))
        .routes(routes!(get_chip))
        .routes(routes!(publish_chip))
        .routes(routes!(chip_nft))
        .routes(routes!(verify_chip))
        .routes(routes!(review_chip, chip_reviews))
}

/// An amount in minor units of a currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    pub amount_minor: i64,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

/// Another designer's IP block inside the chip, paid `share_bps` of each sale.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpBlockBody {
    pub designer_handle: String,
    pub vlnv: String,
    pub share_bps: i64,
}

/// A new chip listing; the designer is the caller, the status `draft`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChipBody {
    /// IP-XACT `vendor:library:name:version`.
    pub vlnv: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    pub process_node: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub price: MoneyBody,
    /// Editions for sale; unlimited when absent.
    pub supply: Option<i64>,
    pub royalty_bps: i64,
    /// SPDX identifier; the marketplace's commercial licence when absent.
    pub licence: Option<String>,
    /// SHA-256 (hex) of the design file.
    pub content_sha256: String,
    pub content_size: i64,
    /// VLNV of the chip this one is a new version of.
    pub prev_version: Option<String>,
    #[serde(default)]
    pub ip_blocks: Vec<IpBlockBody>,
}

pub(super) fn currency(field: &str, code: &str) -> Result<Currency, Problem> {
    code.parse().map_err(|e| invalid(format!("{field}: {e}")))
}

/// The chip, when `viewer` may see it: drafts only to their designer and admins.
pub(super) async fn visible_chip(state: &AppState, viewer: Option<&User>, id: Id) -> Result<Chip, Problem> {
    Ok(state.market.catalog().visible(viewer, id).await?)
}

#[utoipa::path(post, path = "/v1/chips", tag = "chips", security(("bearer" = [])), request_body = NewChipBody,
    responses((status = 201, body = Chip, description = "the draft"),
        (status = 400, body = Problem, description = "malformed JSON"),
        (status = 403, body = Problem, description = "not a designer"),
        (status = 404, body = Problem, description = "an IP block's designer or the previous version is unknown"),
        (status = 409, body = Problem, description = "the VLNV is already listed"),
        (status = 422, body = Problem, description = "invalid or unknown field")))]
async fn create_chip(
    State(state): State<AppState>,
    DesignerUser(user): DesignerUser,
    ApiJson(body): ApiJson<NewChipBody>,
) -> Result<(StatusCode, Json<Chip>), Problem> {
    text("title", &body.title, 200)?;
    text_max("description", &body.description, 20_000)?;
    text("category", &body.category, 64)?;
    text("process_node", &body.process_node, 32)?;
    text("vlnv", &body.vlnv, 255)?;
    super::pagination::amount("price.amount_minor", body.price.amount_minor)?;
    if body.ip_blocks.len() > 50 {
        return Err(invalid("at most 50 IP blocks"));
    }
    for t in &body.tags {
        plain("tags", t)?;
    }
    for b in &body.ip_blocks {
        Handle::parse(&b.designer_handle)
            .map_err(|_| invalid(format!("no designer has the handle {:?}", b.designer_handle)))?;
    }
    let draft = ChipDraft {
        price: Money::new(body.price.amount_minor, currency("price.currency", &body.price.currency)?),
        vlnv: body.vlnv,
        title: body.title,
        description: body.description,
        category: body.category,
        process_node: body.process_node,
        tags: body.tags,
        supply: body.supply,
        royalty_bps: body.royalty_bps,
        licence: body.licence,
        content_sha256: body.content_sha256,
        content_size: body.content_size,
        prev_version: body.prev_version,
        ip_blocks: body.ip_blocks.into_iter().map(|b| (b.designer_handle, b.vlnv, b.share_bps)).collect(),
    };
    let chip = state.market.catalog().create(&user, draft).await?;
    Ok((StatusCode::CREATED, Json(chip)))
}

#[utoipa::path(get, path = "/v1/chips/{id}", tag = "chips",
    params(("id" = String, Path, format = Uuid, description = "chip id")),
    responses((status = 200, body = Chip), (status = 404, body = Problem, description = "no such chip, or a draft of someone else")),
    security((), ("bearer" = [])))]
async fn get_chip(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Response, Problem> {
    let id = path_id(id, "chip")?;
    let cache = state.market.cache().cache.as_ref();
    let key = hot_cache::chip_key(id);
    if let Some(bytes) = hot_cache::get(cache, &key).await {
        return Ok(json_bytes(bytes));
    }
    let chip = visible_chip(&state, viewer.as_ref(), id).await?;
    if chip.status == ChipStatus::Published
        && let Some(bytes) = hot_cache::put(cache, &key, &chip).await
    {
        return Ok(json_bytes(bytes));
    }
    Ok(Json(chip).into_response())
}

#[utoipa::path(post, path = "/v1/chips/{id}/publish", tag = "chips", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "chip id")),
    responses((status = 200, body = Chip, description = "published, with its signed record"),
        (status = 404, body = Problem, description = "no such chip among yours"),
        (status = 422, body = Problem, description = "not a draft, or the record cannot be built")))]
async fn publish_chip(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Json<Chip>, Problem> {
    let id = path_id(id, "chip")?;
    Ok(Json(state.market.catalog().publish(&user, id).await?))
}

#[utoipa::path(get, path = "/v1/chips/{id}/nft", tag = "chips",
    params(("id" = String, Path, format = Uuid, description = "chip id")),
    responses((status = 200, body = serde_json::Value, description = "the signed metadata record"),
        (status = 404, body = Problem, description = "no such chip, or it has no record yet")),
    security((), ("bearer" = [])))]
async fn chip_nft(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Json<serde_json::Value>, Problem> {
    let id = path_id(id, "chip")?;
    visible_chip(&state, viewer.as_ref(), id).await?;
    Ok(Json(state.market.catalog().record(id).await?))
}

/// One named check of a verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// `valid` only when every check passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyAnswer {
    pub valid: bool,
    pub checks: Vec<CheckView>,
}

#[utoipa::path(post, path = "/v1/chips/{id}/verify", tag = "chips",
    params(("id" = String, Path, format = Uuid, description = "chip id")),
    request_body(content(("application/octet-stream")), description = "the design file, any bytes"),
    responses((status = 200, body = VerifyAnswer, description = "the checks; `valid` is false when the file does not match"),
        (status = 404, body = Problem, description = "no such chip, or it has no record yet")),
    security((), ("bearer" = [])))]
async fn verify_chip(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    id: Result<Path<Id>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<VerifyAnswer>, Problem> {
    let id = path_id(id, "chip")?;
    let body = body.map_err(|e| Problem::new(e.status(), "invalid_body", e.body_text()))?;
    visible_chip(&state, viewer.as_ref(), id).await?;
    let record = state.market.catalog().record(id).await?;
    let digest = tokio::task::spawn_blocking(move || crate::nft::digest_reader(body.as_ref()))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "hashing a design file failed");
            Problem::internal()
        })?
        .map_err(|e| invalid(format!("cannot read the design file: {e}")))?;
    let report = crate::nft::verify_digest(&record, &digest);
    Ok(Json(VerifyAnswer {
        valid: report.valid,
        checks: report.checks.into_iter().map(|c| CheckView { name: c.name, ok: c.ok, detail: c.detail }).collect(),
    }))
}

/// A buyer's review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// 1 to 5 stars.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i16,
    /// 1 to 10000 characters.
    pub body: String,
}

#[utoipa::path(post, path = "/v1/chips/{id}/reviews", tag = "chips", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "chip id")), request_body = ReviewBody,
    responses((status = 201, body = Review),
        (status = 403, body = Problem, description = "only buyers of the chip can review it"),
        (status = 404, body = Problem, description = "no such chip"),
        (status = 409, body = Problem, description = "already reviewed"),
        (status = 422, body = Problem, description = "rating not 1 to 5, or body empty or too long")))]
async fn review_chip(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<(StatusCode, Json<Review>), Problem> {
    let id = path_id(id, "chip")?;
    text("body", &body.body, crate::market::MAX_REVIEW_CHARS)?;
    let chip = visible_chip(&state, Some(&user), id).await?;
    let review = state.market.reviews().add(&user, &chip, body.rating, &body.body).await?;
    Ok((StatusCode::CREATED, Json(review)))
}

#[utoipa::path(get, path = "/v1/chips/{id}/reviews", tag = "chips",
    params(("id" = String, Path, format = Uuid, description = "chip id"), PageQuery),
    responses((status = 200, body = Listing<Review>),
        (status = 400, body = Problem, description = "bad cursor or limit"),
        (status = 404, body = Problem, description = "no such chip")),
    security((), ("bearer" = [])))]
async fn chip_reviews(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    id: Result<Path<Id>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Listing<Review>>, Problem> {
    let id = path_id(id, "chip")?;
    let page = query(q)?.page()?;
    visible_chip(&state, viewer.as_ref(), id).await?;
    let p = state.market.reviews().of_chip(id, page).await?;
    Ok(Json(p.into()))
}

/// Catalog filters, order and page. Only published chips are listed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChipQuery {
    /// What to look for: words of the title, description, category or tags, or what is
    /// meant ("audio converter" finds a sigma-delta DAC).
    q: Option<String>,
    /// A designer's handle.
    designer: Option<String>,
    category: Option<String>,
    process_node: Option<String>,
    /// Price at most this, in minor units.
    max_price_minor: Option<i64>,
    /// `newest` (the default without `q`), `price` (cheapest first), `rating`, `sales` or
    /// `relevance` (the default with `q`: by meaning and matching words).
    sort: Option<ChipSort>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<u32>,
}

fn filter_value(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>, Problem> {
    let v = v.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    if let Some(s) = &v {
        text_max(field, s, max)?;
    }
    Ok(v)
}

#[utoipa::path(get, path = "/v1/chips", tag = "chips", params(ChipQuery),
    responses((status = 200, body = Listing<Chip>),
        (status = 400, body = Problem, description = "bad cursor, limit or parameter"),
        (status = 422, body = Problem, description = "a filter out of range")),
    security((), ("bearer" = [])))]
async fn list_chips(
    State(state): State<AppState>,
    q: Result<Query<ChipQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let q = query(q)?;
    let text = filter_value("q", q.q.as_deref(), 200)?;
    let designer = filter_value("designer", q.designer.as_deref(), 64)?;
    let category = filter_value("category", q.category.as_deref(), 64)?;
    let process_node = filter_value("process_node", q.process_node.as_deref(), 32)?;
    if let Some(m) = q.max_price_minor {
        super::pagination::amount("max_price_minor", m)?;
    }
    let sort = q.sort.unwrap_or(if text.is_some() { ChipSort::Relevance } else { ChipSort::Newest });
    let limit = super::pagination::limit(q.limit)?;
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    sort_cursor(cursor)?;
    let cache = state.market.cache().cache.as_ref();
    let key = match cursor {
        None => {
            let fingerprint =
                serde_json::json!([text, designer, category, process_node, q.max_price_minor, sort, limit]);
            hot_cache::listing_key(cache, &fingerprint.to_string()).await
        }
        Some(_) => None,
    };
    if let Some(key) = &key
        && let Some(bytes) = hot_cache::get(cache, key).await
    {
        return Ok(json_bytes(bytes));
    }
    let designer_id = match designer.as_deref() {
        Some(h) if Handle::parse(h).is_err() => return Ok(Json(Listing::<Chip>::all(vec![])).into_response()),
        Some(h) => match state.market.profiles().designer_profile(h).await {
            Ok(d) => Some(d.user_id),
            Err(MarketError::NotFound(_)) => return Ok(Json(Listing::<Chip>::all(vec![])).into_response()),
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let filter = ChipFilter {
        designer_id,
        category,
        process_node,
        max_price_minor: q.max_price_minor,
        status: Some(ChipStatus::Published),
        text,
    };
    let page: Listing<Chip> = state.market.profiles().browse(&filter, sort, cursor, limit).await?.into();
    if let Some(key) = &key
        && let Some(bytes) = hot_cache::put(cache, key, &page).await
    {
        return Ok(json_bytes(bytes));
    }
    Ok(Json(page).into_response())
}
