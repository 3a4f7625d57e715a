//! Buying chips: request fingerprints for idempotency, limits, and error mapping.

use super::{Market, MarketError};
use crate::domain::{Id, Purchase, PurchaseReceipt, PurchaseRequest, PurchaseSource, Role, User};

pub struct Purchases<'a> {
    pub(super) market: &'a Market,
}

impl Purchases<'_> {
    /// Buys `chip_id` for `buyer`. With an idempotency key, a retry returns the first
    /// receipt; the same key with another chip is refused.
    pub async fn buy(
        &self,
        buyer: &User,
        chip_id: Id,
        source: PurchaseSource,
        max_price_minor: Option<i64>,
        idempotency_key: Option<&str>,
    ) -> Result<PurchaseReceipt, MarketError> {
        if let Some(k) = idempotency_key
            && (k.is_empty() || k.len() > 255)
        {
            return Err(MarketError::Invalid("Idempotency-Key must be 1 to 255 characters".into()));
        }
        let req = PurchaseRequest {
            buyer_id: buyer.id,
            chip_id,
            source,
            max_price_minor,
            idempotency: idempotency_key.map(|k| (k.to_owned(), format!("purchase:{chip_id}"))),
            platform_fee_bps: self.market.settings.platform_fee_bps,
        };
        let receipt = self.market.store.purchase(&req).await.map_err(|e| MarketError::from_store("chip", e))?;
        let _ = self.market.cache.cache.delete(&format!("chip:{chip_id}")).await;
        Ok(receipt)
    }

    /// Reverses a purchase (admins only): the money goes back and the licence is revoked.
    pub async fn refund(&self, actor: &User, purchase_id: Id) -> Result<Purchase, MarketError> {
        if actor.role != Role::Admin {
            return Err(MarketError::Forbidden("only administrators can refund purchases".into()));
        }
        self.market.store.refund(purchase_id).await.map_err(|e| MarketError::from_store("purchase", e))
    }
}
