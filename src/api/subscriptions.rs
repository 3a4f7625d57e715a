//! `/v1/subscriptions/...`: following designers, with auto-purchase limits and how
//! often to hear about their new chips.

use super::pagination::{Listing, amount, path_text};
use super::{ApiJson, AppState, AuthUser, Problem};
use crate::domain::{Handle, Id, Money, NotifyFrequency, Subscription, SubscriptionChange};
use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_subscription, delete_subscription)).routes(routes!(list_subscriptions))
}

/// The whole subscription (PUT replaces it): limits left out are removed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionBody {
    /// Buy the designer's new chips automatically (within the limits).
    #[serde(default)]
    pub auto_purchase: bool,
    /// Highest price to auto-buy, in minor units of the marketplace currency.
    pub max_price_minor: Option<i64>,
    /// Most to auto-spend per month on this designer, in minor units.
    pub monthly_budget_minor: Option<i64>,
    /// How often to be told about new chips (default `immediate`).
    pub notify: Option<NotifyFrequency>,
    /// Also send its notifications (and digests) by e-mail when the server sends
    /// e-mail (default true; unchanged when absent).
    pub email: Option<bool>,
    /// Also push them to the browsers where you turned push on (default true;
    /// unchanged when absent).
    pub push: Option<bool>,
}

/// A subscription with the designer's handle.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    #[schema(value_type = String, format = Uuid)]
    pub id: Id,
    #[schema(value_type = String, format = Uuid)]
    pub designer_id: Id,
    /// `null` if the designer has since lost their profile.
    pub designer_handle: Option<String>,
    pub auto_purchase: bool,
    pub max_price: Option<Money>,
    pub monthly_budget: Option<Money>,
    pub notify: NotifyFrequency,
    pub paused: bool,
    pub email: bool,
    pub push: bool,
}

impl SubscriptionView {
    fn new(s: Subscription, designer_handle: Option<String>) -> Self {
        Self {
            id: s.id,
            designer_id: s.designer_id,
            designer_handle,
            auto_purchase: s.auto_purchase,
            max_price: s.max_price,
            monthly_budget: s.monthly_budget,
            notify: s.notify,
            paused: s.paused,
            email: s.email,
            push: s.push,
        }
    }
}

/// The handle in the path; one that cannot exist is 404.
fn handle(p: Result<Path<String>, PathRejection>) -> Result<Handle, Problem> {
    Handle::parse(&path_text(p, "designer")?).map_err(|_| Problem::not_found("designer not found"))
}

#[utoipa::path(put, path = "/v1/subscriptions/{designer_handle}", tag = "subscriptions", security(("bearer" = [])),
    params(("designer_handle" = String, Path, description = "the designer's handle")), request_body = SubscriptionBody,
    responses((status = 200, body = SubscriptionView, description = "the subscription as it now is"),
        (status = 400, body = Problem, description = "malformed JSON"),
        (status = 404, body = Problem, description = "no such designer"),
        (status = 422, body = Problem, description = "negative or absurd limit, subscribing to yourself, unknown field")))]
async fn put_subscription(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    h: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<SubscriptionBody>,
) -> Result<Json<SubscriptionView>, Problem> {
    let h = handle(h)?;
    let currency = state.market.settings().currency;
    let money = |field: &str, m: Option<i64>| -> Result<Option<Money>, Problem> {
        m.map(|m| amount(field, m).map(|()| Money::new(m, currency))).transpose()
    };
    let change = SubscriptionChange {
        auto_purchase: Some(body.auto_purchase),
        max_price: Some(money("max_price_minor", body.max_price_minor)?),
        monthly_budget: Some(money("monthly_budget_minor", body.monthly_budget_minor)?),
        notify: Some(body.notify.unwrap_or(NotifyFrequency::Immediate)),
        paused: None,
        email: body.email,
        push: body.push,
    };
    let s = state.market.subscriptions().set(&user, h.as_str(), &change).await?;
    Ok(Json(SubscriptionView::new(s, Some(h.to_string()))))
}

#[utoipa::path(delete, path = "/v1/subscriptions/{designer_handle}", tag = "subscriptions", security(("bearer" = [])),
    params(("designer_handle" = String, Path, description = "the designer's handle")),
    responses((status = 204, description = "unsubscribed"),
        (status = 404, body = Problem, description = "no such designer, or not subscribed")))]
async fn delete_subscription(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    h: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let h = handle(h)?;
    state.market.subscriptions().cancel(&user, h.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/subscriptions", tag = "subscriptions", security(("bearer" = [])),
    responses((status = 200, body = Listing<SubscriptionView>, description = "all your subscriptions (one page)"),
        (status = 401, body = Problem)))]
async fn list_subscriptions(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Listing<SubscriptionView>>, Problem> {
    let subs = state.market.subscriptions().list(&user).await?;
    let mut items = Vec::with_capacity(subs.len());
    for s in subs {
        let handle =
            state.market.profiles().designer_of(s.designer_id).await.ok().flatten().map(|d| d.handle.to_string());
        items.push(SubscriptionView::new(s, handle));
    }
    Ok(Json(Listing::all(items)))
}
