//! Buying chips and giving the money back: the service around [`super::sale`].

use super::sale::{SaleRequest, sell};
use super::{Market, MarketError};
use crate::domain::{
    Currency, Earnings, Id, Money, Page, PageRequest, Purchase, PurchaseReceipt, PurchaseSource, Role, SplitParty,
    User, new_id,
};
use crate::store::{LedgerLine, NewEvent};

/// How often a sale is retried when the database reports a conflict between
/// concurrent transactions (serialization failure, deadlock, busy file).
const ATTEMPTS: u32 = 5;

pub struct Purchases<'a> {
    pub(super) market: &'a Market,
}

impl Purchases<'_> {
    /// Buys `chip_id` for `buyer`. With an idempotency key, a retry returns the first
    /// receipt; the same key with another chip is refused. With `max_price`, a chip
    /// that costs more (or in another currency) is refused.
    pub async fn buy(
        &self,
        buyer: &User,
        chip_id: Id,
        source: PurchaseSource,
        max_price: Option<Money>,
        idempotency_key: Option<&str>,
    ) -> Result<PurchaseReceipt, MarketError> {
        if let Some(k) = idempotency_key
            && (k.is_empty() || k.len() > 255)
        {
            return Err(MarketError::Invalid("Idempotency-Key must be 1 to 255 characters".into()));
        }
        let req = SaleRequest {
            buyer_id: buyer.id,
            chip_id,
            source,
            max_price,
            idempotency: idempotency_key.map(|k| (k.to_owned(), format!("purchase:{chip_id}"))),
            platform_fee_bps: self.market.settings.platform_fee_bps,
        };
        let receipt = self.sell_with_retries(&req).await?;
        if let Some(seller) = receipt.purchase.split.iter().find(|l| l.party == SplitParty::Seller) {
            self.market.chip_changed(chip_id, seller.user_id.unwrap_or(buyer.id)).await;
        }
        Ok(receipt)
    }

    async fn sell_with_retries(&self, req: &SaleRequest) -> Result<PurchaseReceipt, MarketError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.market.store.begin().await.map_err(MarketError::Store)?;
            let result = match sell(&mut tx, req).await {
                Ok(r) => {
                    crate::failpoint::hit("purchase.before_commit");
                    let committed = tx.commit().await.map(|()| r).map_err(|e| MarketError::from_store("purchase", e));
                    crate::failpoint::hit("purchase.after_commit");
                    committed
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    Err(e)
                }
            };
            match result {
                Err(MarketError::Store(e)) if e.is_retryable() && attempt < ATTEMPTS => continue,
                // Two first uses of one key raced: the other request holds it now.
                Err(MarketError::Conflict(c)) if c.contains("idempotency") => {
                    return Err(MarketError::IdempotencyInProgress);
                }
                other => return other,
            }
        }
    }

    /// Reverses a purchase (admins only): every ledger line is reversed, the money
    /// goes back to the buyer, the licence is revoked and the unit is for sale again. A purchase is refunded at
    /// most once, however many refunds race.
    pub async fn refund(&self, actor: &User, purchase_id: Id) -> Result<Purchase, MarketError> {
        if actor.role != Role::Admin {
            return Err(MarketError::Forbidden("only administrators can refund purchases".into()));
        }
        let store = &self.market.store;
        let before = store.purchase_by_id(purchase_id).await.map_err(|e| MarketError::from_store("purchase", e))?;
        let mut tx = store.begin().await.map_err(MarketError::Store)?;
        let Some(chip_id) = tx.mark_refunded(purchase_id).await.map_err(|e| MarketError::from_store("purchase", e))?
        else {
            // Refunded before, or by a refund racing this one.
            return Err(MarketError::Invalid("the purchase is already refunded".into()));
        };
        tx.return_unit(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        let lines = tx.purchase_ledger_lines(purchase_id).await.map_err(|e| MarketError::from_store("purchase", e))?;
        let txn_id = new_id();
        for l in &lines {
            let currency: Currency =
                l.currency.parse().map_err(|e| MarketError::Store(crate::store::StoreError::corrupt(e)))?;
            if let Some(w) = l.wallet_id
                && tx
                    .adjust_wallet(w, -l.amount_minor)
                    .await
                    .map_err(|e| MarketError::from_store("wallet", e))?
                    .is_none()
            {
                return Err(MarketError::Invalid(format!(
                    "cannot refund: the {} has already spent the {} this sale paid them",
                    l.party,
                    Money::new(l.amount_minor, currency)
                )));
            }
            let reversal = LedgerLine {
                txn_id,
                purchase_id: Some(purchase_id),
                wallet_id: l.wallet_id,
                user_id: l.user_id,
                party: &l.party,
                account: &l.account,
                amount: Money::new(-l.amount_minor, currency),
            };
            tx.insert_ledger_line(&reversal).await.map_err(|e| MarketError::from_store("purchase", e))?;
        }
        tx.revoke_licences(purchase_id).await.map_err(|e| MarketError::from_store("purchase", e))?;
        let event = NewEvent {
            kind: "purchase.refunded",
            aggregate_id: purchase_id,
            payload: serde_json::json!({ "purchase_id": purchase_id, "chip_id": before.chip_id }),
        };
        tx.insert_event(&event).await.map_err(|e| MarketError::from_store("purchase", e))?;
        crate::failpoint::hit("refund.before_commit");
        tx.commit().await.map_err(|e| MarketError::from_store("purchase", e))?;
        crate::failpoint::hit("refund.after_commit");
        self.get(purchase_id).await
    }

    pub async fn get(&self, id: Id) -> Result<Purchase, MarketError> {
        self.market.store.purchase_by_id(id).await.map_err(|e| MarketError::from_store("purchase", e))
    }

    /// One of the buyer's purchases; someone else's answers `NotFound`.
    pub async fn of_buyer(&self, buyer: &User, id: Id) -> Result<Purchase, MarketError> {
        let p = self.get(id).await?;
        if p.buyer_id != buyer.id {
            return Err(MarketError::NotFound("purchase"));
        }
        Ok(p)
    }

    /// The buyer's purchases, newest first.
    pub async fn list(&self, buyer: &User, page: PageRequest) -> Result<Page<Purchase>, MarketError> {
        self.market.store.list_purchases(buyer.id, page).await.map_err(|e| MarketError::from_store("purchase", e))
    }

    /// A designer's income in `currency`.
    pub async fn earnings(&self, user: &User, currency: Currency) -> Result<Earnings, MarketError> {
        self.market.store.earnings(user.id, currency).await.map_err(|e| MarketError::from_store("user", e))
    }
}
