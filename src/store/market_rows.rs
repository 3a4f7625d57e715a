//! Row shapes of the marketplace tables and their conversion into domain types.

use super::StoreError;
use crate::domain::{Currency, Id, Money, Notification, Purchase, Review, SplitLine, Subscription};
use sqlx::types::Json;
use time::OffsetDateTime;

fn currency(raw: &str) -> Result<Currency, StoreError> {
    raw.trim().parse().map_err(StoreError::corrupt)
}

macro_rules! purchase_columns {
    () => {
        "id, chip_id, buyer_id, price_minor, currency, status, source, split, created_at"
    };
}
pub(super) use purchase_columns;

#[derive(sqlx::FromRow)]
pub(super) struct PurchaseRow {
    id: Id,
    chip_id: Id,
    buyer_id: Id,
    price_minor: i64,
    currency: String,
    status: String,
    source: String,
    split: Json<Vec<SplitLine>>,
    created_at: OffsetDateTime,
}

impl TryFrom<PurchaseRow> for Purchase {
    type Error = StoreError;
    fn try_from(r: PurchaseRow) -> Result<Self, StoreError> {
        Ok(Purchase {
            id: r.id,
            chip_id: r.chip_id,
            buyer_id: r.buyer_id,
            price: Money::new(r.price_minor, currency(&r.currency)?),
            status: r.status,
            source: r.source.parse().map_err(StoreError::corrupt)?,
            split: r.split.0,
            created_at: r.created_at,
        })
    }
}

macro_rules! subscription_columns {
    () => {
        "id, subscriber_id, designer_id, auto_purchase, max_price_minor, monthly_budget_minor, currency, notify, paused"
    };
}
pub(super) use subscription_columns;

#[derive(sqlx::FromRow)]
pub(super) struct SubscriptionRow {
    id: Id,
    subscriber_id: Id,
    designer_id: Id,
    auto_purchase: bool,
    max_price_minor: Option<i64>,
    monthly_budget_minor: Option<i64>,
    currency: String,
    notify: String,
    paused: bool,
}

impl TryFrom<SubscriptionRow> for Subscription {
    type Error = StoreError;
    fn try_from(r: SubscriptionRow) -> Result<Self, StoreError> {
        let c = currency(&r.currency)?;
        Ok(Subscription {
            id: r.id,
            subscriber_id: r.subscriber_id,
            designer_id: r.designer_id,
            auto_purchase: r.auto_purchase,
            max_price: r.max_price_minor.map(|m| Money::new(m, c)),
            monthly_budget: r.monthly_budget_minor.map(|m| Money::new(m, c)),
            notify: r.notify.parse().map_err(StoreError::corrupt)?,
            paused: r.paused,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct NotificationRow {
    id: Id,
    user_id: Id,
    kind: String,
    chip_id: Option<Id>,
    payload: Json<serde_json::Value>,
    deliver: String,
    read_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Notification {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            chip_id: r.chip_id,
            payload: r.payload.0,
            deliver: r.deliver,
            read: r.read_at.is_some(),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ReviewRow {
    id: Id,
    chip_id: Id,
    reviewer_id: Id,
    rating: i16,
    body: String,
    created_at: OffsetDateTime,
}

impl From<ReviewRow> for Review {
    fn from(r: ReviewRow) -> Self {
        Review {
            id: r.id,
            chip_id: r.chip_id,
            reviewer_id: r.reviewer_id,
            rating: r.rating,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

/// A stable 64-bit FNV-1a hash, the same in every process (advisory lock keys).
pub(super) fn stable_hash(parts: &[&[u8]]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}
