//! Service-level errors, each with a stable code that adapters map to answers.

use crate::domain::Money;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not enough money in the wallet")]
    InsufficientFunds,
    #[error("this chip is sold out")]
    SoldOut,
    #[error("{0}")]
    NotForSale(String),
    #[error("the price {price} is above your limit {limit}")]
    PriceAboveLimit { price: Money, limit: Money },
    #[error("you have already reviewed this chip")]
    AlreadyReviewed,
    #[error("the handle {0} is taken")]
    HandleTaken(String),
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInProgress,
    #[error("this idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    #[error("deposits are turned off on this server (payments.provider is \"none\")")]
    DepositsDisabled,
    #[error(transparent)]
    Store(StoreError),
}

impl MarketError {
    /// Stable machine-readable code (problem+json `code`).
    pub fn code(&self) -> &'static str {
        match self {
            MarketError::NotFound(_) => "not_found",
            MarketError::Invalid(_) => "invalid",
            MarketError::Forbidden(_) => "forbidden",
            MarketError::Conflict(_) => "conflict",
            MarketError::InsufficientFunds => "insufficient_funds",
            MarketError::SoldOut => "sold_out",
            MarketError::NotForSale(_) => "not_for_sale",
            MarketError::PriceAboveLimit { .. } => "price_above_limit",
            MarketError::AlreadyReviewed => "already_reviewed",
            MarketError::HandleTaken(_) => "handle_taken",
            MarketError::IdempotencyInProgress => "idempotency_in_progress",
            MarketError::IdempotencyKeyReused => "idempotency_key_reused",
            MarketError::DepositsDisabled => "deposits_disabled",
            MarketError::Store(_) => "internal",
        }
    }

    /// Maps a store error, naming what was not found.
    pub fn from_store(what: &'static str, e: StoreError) -> Self {
        match e {
            StoreError::NotFound => MarketError::NotFound(what),
            StoreError::Conflict(c) => MarketError::Conflict(c),
            StoreError::Invalid(m) => MarketError::Invalid(m),
            other => MarketError::Store(other),
        }
    }
}
