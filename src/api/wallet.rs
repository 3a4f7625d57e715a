//! `/v1/wallet`: the caller's balance and deposits through the payment provider.

use super::chips::currency;
use super::pagination::{invalid, query};
use super::{ApiJson, AppState, AuthUser, Problem};
use crate::domain::{Currency, Money, Wallet};
use crate::market::MAX_DEPOSIT_MINOR;
use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_wallet)).routes(routes!(deposit))
}

/// A balance in minor units of one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletView {
    pub balance_minor: i64,
    pub currency: String,
}

impl From<Wallet> for WalletView {
    fn from(w: Wallet) -> Self {
        Self { balance_minor: w.balance.amount_minor, currency: w.balance.currency.to_string() }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WalletQuery {
    /// ISO 4217 code; the marketplace currency when absent.
    currency: Option<String>,
}

fn currency_or_default(state: &AppState, code: Option<&str>) -> Result<Currency, Problem> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => currency("currency", c),
        None => Ok(state.market.settings().currency),
    }
}

#[utoipa::path(get, path = "/v1/wallet", tag = "wallet", security(("bearer" = [])), params(WalletQuery),
    responses((status = 200, body = WalletView),
        (status = 400, body = Problem, description = "bad parameter"),
        (status = 401, body = Problem),
        (status = 422, body = Problem, description = "not an ISO 4217 currency")))]
async fn get_wallet(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<WalletQuery>, QueryRejection>,
) -> Result<Json<WalletView>, Problem> {
    let q = query(q)?;
    let currency = currency_or_default(&state, q.currency.as_deref())?;
    let wallet = state.market.payments().wallet(&user, currency).await?;
    Ok(Json(wallet.into()))
}

/// Money to add to the wallet, charged through the payment provider.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositBody {
    /// Positive, at most 100000000 minor units.
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub amount_minor: i64,
    /// ISO 4217 code; the marketplace currency when absent.
    pub currency: Option<String>,
}

#[utoipa::path(post, path = "/v1/wallet/deposits", tag = "wallet", security(("bearer" = [])), request_body = DepositBody,
    responses((status = 201, body = WalletView, description = "deposited; the new balance"),
        (status = 400, body = Problem, description = "malformed JSON"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`deposits_disabled`: the server takes no deposits (`payments.provider`)"),
        (status = 422, body = Problem, description = "amount not positive or too large, bad currency, unknown field")))]
async fn deposit(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<DepositBody>,
) -> Result<(StatusCode, Json<WalletView>), Problem> {
    if !(1..=MAX_DEPOSIT_MINOR).contains(&body.amount_minor) {
        return Err(invalid(format!("amount_minor must be 1 to {MAX_DEPOSIT_MINOR}")));
    }
    let currency = currency_or_default(&state, body.currency.as_deref())?;
    let amount = Money::new(body.amount_minor, currency);
    let wallet = state.market.payments().deposit_configured(&user, amount).await?;
    Ok((StatusCode::CREATED, Json(wallet.into())))
}
