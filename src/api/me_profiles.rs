//! `/v1/me/...` profiles and income: a designer's public profile, a client's buying
//! preferences, and a designer's earnings.

use super::chips::currency;
use super::pagination::{amount, invalid, plain, query, text_max};
use super::{ApiJson, AppState, AuthUser, DesignerUser, Problem};
use crate::domain::{Audience, ClientPreferences, ClientStats, DesignerProfile, Earnings, Handle, Money, WorkPatterns};
use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_designer_profile))
        .routes(routes!(get_client_profile, put_client_profile))
        .routes(routes!(patterns))
        .routes(routes!(audience))
        .routes(routes!(earnings))
        .routes(routes!(recommendations))
}

/// The public profile of the calling designer (PUT replaces it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignerProfileBody {
    /// 2 to 32 of a-z, 0-9 and single dashes, starting with a letter; unique.
    pub handle: String,
    /// At most 2000 characters.
    #[serde(default)]
    pub bio: String,
    /// At most 20 skills of 1 to 40 characters.
    #[serde(default)]
    pub skills: Vec<String>,
}

fn check_list(field: &str, items: &[String], max_items: usize, max_len: usize) -> Result<Vec<String>, Problem> {
    for s in items {
        plain(field, s)?;
    }
    let items: Vec<String> = items.iter().map(|s| s.trim().to_owned()).collect();
    if items.len() > max_items || items.iter().any(|s| s.is_empty() || s.chars().count() > max_len) {
        return Err(invalid(format!("{field}: at most {max_items} entries of 1 to {max_len} characters")));
    }
    Ok(items)
}

#[utoipa::path(put, path = "/v1/me/designer-profile", tag = "me", security(("bearer" = [])),
    request_body = DesignerProfileBody,
    responses((status = 200, body = DesignerProfile),
        (status = 403, body = Problem, description = "not a designer"),
        (status = 409, body = Problem, description = "`handle_taken`"),
        (status = 422, body = Problem, description = "bad handle, bio or skills, unknown field")))]
async fn put_designer_profile(
    State(state): State<AppState>,
    DesignerUser(user): DesignerUser,
    ApiJson(b): ApiJson<DesignerProfileBody>,
) -> Result<Json<DesignerProfile>, Problem> {
    let handle = Handle::parse(&b.handle).map_err(|e| invalid(format!("handle: {e}")))?;
    text_max("bio", &b.bio, 2_000)?;
    let skills = check_list("skills", &b.skills, 20, 40)?;
    let profile = state.market.profiles().set_designer_profile(&user, &handle, b.bio.trim(), &skills).await?;
    Ok(Json(profile))
}

/// What the calling client likes (PUT replaces it); used for suggestions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientProfileBody {
    /// What you like in your own words ("low-power RISC-V designs under fifty
    /// dollars", at most 500 characters): read into the fields below; a field given
    /// explicitly wins over what the text says.
    pub text: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub process_nodes: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// In minor units of the marketplace currency.
    pub min_price_minor: Option<i64>,
    /// In minor units of the marketplace currency.
    pub max_price_minor: Option<i64>,
}

/// The client's stated preferences and how they actually buy.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientProfile {
    pub preferences: ClientPreferences,
    pub stats: ClientStats,
}

#[utoipa::path(get, path = "/v1/me/client-profile", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = ClientProfile), (status = 401, body = Problem)))]
async fn get_client_profile(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<ClientProfile>, Problem> {
    let preferences = state.market.profiles().client_preferences(&user).await?;
    let stats = state.market.profiles().client_stats(user.id).await?;
    Ok(Json(ClientProfile { preferences, stats }))
}

#[utoipa::path(put, path = "/v1/me/client-profile", tag = "me", security(("bearer" = [])),
    request_body = ClientProfileBody,
    responses((status = 200, body = ClientProfile),
        (status = 422, body = Problem, description = "lists too long, prices negative or min above max, unknown field")))]
async fn put_client_profile(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(b): ApiJson<ClientProfileBody>,
) -> Result<Json<ClientProfile>, Problem> {
    let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
    let categories = lower(check_list("categories", &b.categories, 20, 64)?);
    let process_nodes = lower(check_list("process_nodes", &b.process_nodes, 20, 32)?);
    let keywords = check_list("keywords", &b.keywords, 50, 64)?;
    let currency = state.market.settings().currency;
    for (field, v) in [("min_price_minor", b.min_price_minor), ("max_price_minor", b.max_price_minor)] {
        if let Some(v) = v {
            amount(field, v)?;
        }
    }
    if let (Some(lo), Some(hi)) = (b.min_price_minor, b.max_price_minor)
        && lo > hi
    {
        return Err(invalid("min_price_minor must not be above max_price_minor"));
    }
    let said = match b.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            text_max("text", t, 500)?;
            crate::market::parse_preferences(t, &ClientPreferences::default(), currency)
        }
        None => ClientPreferences::default(),
    };
    let or_said = |given: Vec<String>, said: Vec<String>| if given.is_empty() { said } else { given };
    let preferences = ClientPreferences {
        categories: or_said(categories, said.categories),
        process_nodes: or_said(process_nodes, said.process_nodes),
        keywords: or_said(keywords, said.keywords),
        stated: said.stated,
        max_price: b.max_price_minor.map(|m| Money::new(m, currency)).or(said.max_price),
        min_price: b.min_price_minor.map(|m| Money::new(m, currency)).or(said.min_price),
    };
    if let (Some(lo), Some(hi)) = (preferences.min_price, preferences.max_price)
        && lo.amount_minor > hi.amount_minor
    {
        return Err(invalid("the lowest price must not be above the highest"));
    }
    state.market.profiles().set_client_preferences(&user, &preferences).await?;
    let stats = state.market.profiles().client_stats(user.id).await?;
    Ok(Json(ClientProfile { preferences, stats }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EarningsQuery {
    /// ISO 4217 code; the marketplace currency when absent.
    currency: Option<String>,
}

#[utoipa::path(get, path = "/v1/me/earnings", tag = "me", security(("bearer" = [])), params(EarningsQuery),
    responses((status = 200, body = Earnings, description = "income from your sales and from royalties"),
        (status = 400, body = Problem, description = "bad parameter"),
        (status = 422, body = Problem, description = "not an ISO 4217 currency")))]
async fn earnings(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<EarningsQuery>, QueryRejection>,
) -> Result<Json<Earnings>, Problem> {
    let q = query(q)?;
    let currency = match q.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => currency("currency", c)?,
        None => state.market.settings().currency,
    };
    Ok(Json(state.market.purchases().earnings(&user, currency).await?))
}

/// What the caller buys, from whom, at what prices and times, how auto-buy serves
/// them, and what they search for and say.
#[utoipa::path(get, path = "/v1/me/patterns", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = WorkPatterns), (status = 401, body = Problem)))]
async fn patterns(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<WorkPatterns>, Problem> {
    Ok(Json(state.market.profiles().patterns(&user).await?))
}

/// How the calling designer's buyers buy, in aggregate: no buyer is named.
#[utoipa::path(get, path = "/v1/me/audience", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Audience), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "not a designer")))]
async fn audience(State(state): State<AppState>, DesignerUser(user): DesignerUser) -> Result<Json<Audience>, Problem> {
    Ok(Json(state.market.profiles().audience(&user).await?))
}

/// `?max_price_minor=&limit=` of the recommendations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RecommendQuery {
    /// Only chips at or under this price, in minor units of the marketplace currency.
    max_price_minor: Option<i64>,
    /// How many (1–50, default 10).
    limit: Option<usize>,
}

/// The recommendations, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendations {
    items: Vec<crate::market::Recommendation>,
}

/// Chips the caller has not bought, ranked by what they follow, prefer and bought
/// before, each with its reason.
#[utoipa::path(get, path = "/v1/me/recommendations", tag = "me", security(("bearer" = [])), params(RecommendQuery),
    responses((status = 200, body = Recommendations), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn recommendations(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<RecommendQuery>, QueryRejection>,
) -> Result<Json<Recommendations>, Problem> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(invalid("limit must be 1 to 50"));
    }
    let max = match q.max_price_minor {
        Some(m) => {
            amount("max_price_minor", m)?;
            Some(Money::new(m, state.market.settings().currency))
        }
        None => None,
    };
    Ok(Json(Recommendations { items: state.market.recommendations(&user, max, limit).await? }))
}
