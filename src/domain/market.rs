//! Purchases, licences, splits, subscriptions, notifications and reviews as plain data.

use super::{Id, Money, NotifyFrequency, PurchaseSource, PurchaseStatus, allocate_largest_remainder};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Who receives a part of a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SplitParty {
    Seller,
    Contributor,
    Platform,
}

/// One line of a sale's split; the lines of a sale sum exactly to its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SplitLine {
    pub party: SplitParty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    pub amount_minor: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SplitError {
    #[error("contributor shares and platform fee add up to {0} bps, more than the whole price")]
    Oversubscribed(u32),
}

/// Splits a sale: each contributor gets its `share_bps` of the price, the platform
/// its fee, the seller the rest; largest-remainder rounding keeps the sum exact.
pub fn split_sale(
    price_minor: i64,
    seller: Id,
    contributors: &[(Id, u16)],
    platform_fee_bps: u16,
) -> Result<Vec<SplitLine>, SplitError> {
    let taken: u32 = contributors.iter().map(|(_, b)| u32::from(*b)).sum::<u32>() + u32::from(platform_fee_bps);
    if taken > 10_000 {
        return Err(SplitError::Oversubscribed(taken));
    }
    let mut weights: Vec<u64> = contributors.iter().map(|(_, b)| u64::from(*b)).collect();
    weights.push(u64::from(platform_fee_bps));
    weights.push(u64::from(10_000 - taken));
    let parts = allocate_largest_remainder(price_minor, &weights);
    let mut lines = Vec::with_capacity(parts.len());
    for (i, amount) in parts.iter().enumerate() {
        let (party, user_id) = if i < contributors.len() {
            (SplitParty::Contributor, Some(contributors[i].0))
        } else if i == contributors.len() {
            (SplitParty::Platform, None)
        } else {
            (SplitParty::Seller, Some(seller))
        };
        if *amount != 0 || party == SplitParty::Seller {
            lines.push(SplitLine { party, user_id, amount_minor: *amount });
        }
    }
    Ok(lines)
}

/// A completed (or refunded) sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Purchase {
    pub id: Uuid,
    pub chip_id: Uuid,
    pub buyer_id: Uuid,
    pub price: Money,
    pub status: PurchaseStatus,
    pub source: PurchaseSource,
    pub split: Vec<SplitLine>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The buyer's right to use the design: one per purchase, numbered for limited chips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Licence {
    pub id: Uuid,
    pub chip_id: Uuid,
    pub owner_id: Uuid,
    pub edition: Option<i64>,
    pub token: String,
}

/// What a purchase returns (and what an idempotent retry replays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurchaseReceipt {
    pub purchase: Purchase,
    pub licence: Licence,
}

/// A request to buy one chip.
#[derive(Debug, Clone)]
pub struct PurchaseRequest {
    pub buyer_id: Uuid,
    pub chip_id: Uuid,
    pub source: PurchaseSource,
    /// Refuse when the chip costs more than this (voice and auto purchases).
    pub max_price_minor: Option<i64>,
    /// `(key, fingerprint of the request)`; scoped to the buyer.
    pub idempotency: Option<(String, String)>,
    pub platform_fee_bps: u16,
}

/// Changes to a subscription; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionChange {
    pub auto_purchase: Option<bool>,
    /// `Some(None)` removes the limit.
    pub max_price: Option<Option<Money>>,
    pub monthly_budget: Option<Option<Money>>,
    pub notify: Option<NotifyFrequency>,
    pub paused: Option<bool>,
    pub email: Option<bool>,
    pub push: Option<bool>,
}

/// A message for a user: shown at once or collected into a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub chip_id: Option<Uuid>,
    pub payload: serde_json::Value,
    pub deliver: String,
    pub read: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What the fan-out of one published chip did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FanoutReport {
    pub notified: u32,
    pub purchased: u32,
    pub skipped: Vec<(Uuid, String)>,
}

/// A buyer's review of a chip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub chip_id: Uuid,
    pub reviewer_id: Uuid,
    pub rating: i16,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A designer's income in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Earnings {
    pub currency: String,
    pub sales_minor: i64,
    pub royalties_minor: i64,
    pub total_minor: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::new_id;
    use proptest::prelude::*;

    #[test]
    fn seller_gets_the_rest() {
        let (s, c) = (new_id(), new_id());
        let lines = split_sale(4999, s, &[(c, 1500)], 250).unwrap_or_default();
        assert_eq!(lines.iter().map(|l| l.amount_minor).sum::<i64>(), 4999);
        assert_eq!(lines[0], SplitLine { party: SplitParty::Contributor, user_id: Some(c), amount_minor: 750 });
        assert_eq!(lines[1], SplitLine { party: SplitParty::Platform, user_id: None, amount_minor: 125 });
        assert_eq!(lines[2], SplitLine { party: SplitParty::Seller, user_id: Some(s), amount_minor: 4124 });
        assert_eq!(split_sale(100, s, &[(c, 9000)], 1001), Err(SplitError::Oversubscribed(10_001)));
    }

    proptest! {
        #[test]
        fn split_sums_to_price(price in 0i64..10_000_000_000, shares in proptest::collection::vec(1u16..2000, 0..5), fee in 0u16..1000) {
            let contributors: Vec<(Id, u16)> = shares.iter().map(|b| (new_id(), *b)).collect();
            let lines = split_sale(price, new_id(), &contributors, fee).unwrap_or_default();
            prop_assert_eq!(lines.iter().map(|l| l.amount_minor).sum::<i64>(), price);
            for (line, (_, bps)) in lines.iter().zip(&contributors) {
                let exact = i128::from(price) * i128::from(*bps);
                prop_assert!((i128::from(line.amount_minor) * 10_000 - exact).abs() < 10_000);
            }
        }
    }
}
