//! One sale, as a unit of work inside a transaction: the rules of buying a chip in
//! the order they apply. Used by direct purchases and by auto-buy.
//!
//! 1. An idempotency key is guarded and, when it was used before, its stored
//!    receipt is replayed (the same key for another request is refused).
//! 2. One edition is taken (published, in stock), atomically.
//! 3. Designers never buy their own chips; a buyer's price limit is respected.
//! 4. The price is split (contributors by share, the platform fee, the seller the
//!    rest; largest remainder), the buyer is debited (never below zero) and every
//!    party credited, with ledger lines that sum to zero.
//! 5. A licence (numbered for limited chips) and the `purchase.completed` event are
//!    written, and the receipt is kept for the idempotency key.

use super::MarketError;
use crate::domain::{
    ChipStatus, Id, Licence, Money, Purchase, PurchaseReceipt, PurchaseSource, PurchaseStatus, SplitParty, new_id,
    split_sale,
};
use crate::store::{LedgerLine, NewEvent, StoreError, Tx};

/// How long a stored idempotent response is replayed.
const IDEMPOTENCY_TTL: time::Duration = time::Duration::hours(24);

/// A request to buy one chip.
#[derive(Debug, Clone)]
pub(super) struct SaleRequest {
    pub buyer_id: Id,
    pub chip_id: Id,
    pub source: PurchaseSource,
    /// Refuse when the chip costs more than this.
    pub max_price: Option<Money>,
    /// `(key, fingerprint of the request)`, scoped to the buyer.
    pub idempotency: Option<(String, String)>,
    pub platform_fee_bps: u16,
}

fn store(what: &'static str) -> impl Fn(StoreError) -> MarketError {
    move |e| MarketError::from_store(what, e)
}

/// Runs the sale inside `tx`; the caller commits (or rolls back on an error).
pub(super) async fn sell(tx: &mut Tx, req: &SaleRequest) -> Result<PurchaseReceipt, MarketError> {
    let now = time::OffsetDateTime::now_utc();
    if let Some((key, fingerprint)) = &req.idempotency {
        if !tx.lock_idempotency_key(req.buyer_id, key).await.map_err(store("purchase"))? {
            return Err(MarketError::IdempotencyInProgress);
        }
        if let Some(done) = tx.idempotency_record(req.buyer_id, key).await.map_err(store("purchase"))? {
            if done.expires_at > now {
                if &done.request_hash != fingerprint {
                    return Err(MarketError::IdempotencyKeyReused);
                }
                let receipt = done.response.ok_or(MarketError::IdempotencyInProgress)?;
                return serde_json::from_value(receipt)
                    .map_err(|e| MarketError::Store(StoreError::corrupt(format!("stored receipt: {e}"))));
            }
            tx.delete_idempotency_key(req.buyer_id, key).await.map_err(store("purchase"))?;
        }
    }

    let Some(edition) = tx.take_edition(req.chip_id).await.map_err(store("chip"))? else {
        return Err(match tx.chip_status(req.chip_id).await.map_err(store("chip"))? {
            None => MarketError::NotFound("chip"),
            Some(ChipStatus::Published) => MarketError::SoldOut,
            Some(other) => MarketError::NotForSale(format!("the chip is {other}")),
        });
    };
    let seller = edition.designer_id;
    if seller == req.buyer_id {
        return Err(MarketError::Forbidden("designers cannot buy their own chips".into()));
    }
    let price = edition.price().map_err(MarketError::Store)?;
    if let Some(limit) = req.max_price
        && (limit.currency != price.currency || price.amount_minor > limit.amount_minor)
    {
        return Err(MarketError::PriceAboveLimit { price, limit });
    }
    let shares = tx.contributions(req.chip_id).await.map_err(store("chip"))?;
    let split = split_sale(price.amount_minor, seller, &shares, req.platform_fee_bps)
        .map_err(|e| MarketError::Invalid(e.to_string()))?;

    let buyer_wallet = tx.debit_wallet(req.buyer_id, price).await.map_err(store("wallet"))?;
    let buyer_wallet = buyer_wallet.ok_or(MarketError::InsufficientFunds)?;
    let purchase = Purchase {
        id: new_id(),
        chip_id: req.chip_id,
        buyer_id: req.buyer_id,
        price,
        status: PurchaseStatus::Completed,
        source: req.source,
        split,
        created_at: crate::domain::now_micros(),
    };
    tx.insert_purchase(&purchase).await.map_err(store("purchase"))?;

    let txn_id = new_id();
    let line = |wallet_id, user_id, party, amount_minor| LedgerLine {
        txn_id,
        purchase_id: Some(purchase.id),
        wallet_id,
        user_id,
        party,
        account: if wallet_id.is_some() { "wallet" } else { "platform" },
        amount: Money::new(amount_minor, price.currency),
    };
    tx.insert_ledger_line(&line(Some(buyer_wallet), Some(req.buyer_id), "buyer", -price.amount_minor))
        .await
        .map_err(store("purchase"))?;
    for part in &purchase.split {
        let party = match part.party {
            SplitParty::Seller => "seller",
            SplitParty::Contributor => "contributor",
            SplitParty::Platform => "platform",
        };
        let wallet = match part.user_id {
            Some(uid) => Some(
                tx.credit_wallet(uid, Money::new(part.amount_minor, price.currency)).await.map_err(store("wallet"))?,
            ),
            None => None,
        };
        tx.insert_ledger_line(&line(wallet, part.user_id, party, part.amount_minor))
            .await
            .map_err(store("purchase"))?;
    }

    let licence = Licence {
        id: new_id(),
        chip_id: req.chip_id,
        owner_id: req.buyer_id,
        edition: edition.supply.map(|_| edition.edition),
        token: format!("hml_{}", new_id().simple()),
    };
    tx.insert_licence(purchase.id, &licence).await.map_err(store("purchase"))?;
    tx.count_designer_sale(seller).await.map_err(store("designer"))?;
    let event = NewEvent {
        kind: "purchase.completed",
        aggregate_id: purchase.id,
        payload: serde_json::json!({ "purchase_id": purchase.id, "chip_id": req.chip_id, "buyer_id": req.buyer_id }),
    };
    tx.insert_event(&event).await.map_err(store("purchase"))?;

    let receipt = PurchaseReceipt { purchase, licence };
    if let Some((key, fingerprint)) = &req.idempotency {
        let body = serde_json::to_value(&receipt)
            .map_err(|e| MarketError::Store(StoreError::corrupt(format!("receipt: {e}"))))?;
        tx.save_idempotent_response(req.buyer_id, key, fingerprint, 201, &body, now + IDEMPOTENCY_TTL).await.map_err(
            |e| match e {
                StoreError::Conflict(_) => MarketError::IdempotencyInProgress,
                other => MarketError::from_store("purchase", other),
            },
        )?;
    }
    Ok(receipt)
}
