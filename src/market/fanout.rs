//! Fanning a published chip out to its designer's subscribers: a notification for
//! each (unless they turned them off) and, for those with auto-buy, a purchase when
//! the price is under their limit and their monthly budget allows it. Each
//! (subscription, chip) is handled at most once, however often or concurrently the
//! fan-out runs: the claim and the purchase commit together.

use super::sale::{SaleRequest, sell};
use super::subscriptions::check_limits;
use super::{Market, MarketError};
use crate::domain::{Chip, ChipStatus, FanoutReport, Id, NotifyFrequency, PurchaseSource, Subscription};
use crate::store::{Savepoint, StoreError, Tx};

const SALE: Savepoint = Savepoint("auto_buy");

impl Market {
    /// Notifies the subscribers of a published chip's designer and auto-buys for
    /// those whose limits allow it.
    pub async fn fan_out_chip(&self, chip_id: Id) -> Result<FanoutReport, MarketError> {
        let chip = self.store.chip_by_id(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        let mut report = FanoutReport::default();
        if chip.status != ChipStatus::Published {
            return Ok(report);
        }
        let subs = self.store.active_subscribers(chip.designer_id).await.map_err(MarketError::Store)?;
        for sub in subs {
            self.fan_out_one(&sub, &chip, &mut report).await?;
            crate::failpoint::hit("fanout.subscriber");
        }
        if report.purchased > 0 {
            self.chip_changed(chip.id, chip.designer_id).await;
        }
        Ok(report)
    }

    /// One subscriber's share of a fan-out, in its own transaction. The subscription
    /// is read again and locked there: a pause, a cancellation or a lower limit made
    /// since the fan-out began counts, and two workers fanning out two chips to one
    /// subscription take turns, so the second sees what the first spent.
    async fn fan_out_one(
        &self,
        listed: &Subscription,
        chip: &Chip,
        report: &mut FanoutReport,
    ) -> Result<(), MarketError> {
        let mut tx = self.store.begin().await.map_err(MarketError::Store)?;
        let current = tx.subscription(listed.subscriber_id, listed.designer_id).await.map_err(MarketError::Store)?;
        let Some(sub) = current.filter(|s| !s.paused) else {
            return tx.commit().await.map_err(MarketError::Store);
        };
        if sub.notify != NotifyFrequency::Off {
            let payload = serde_json::json!({
                "chip_id": chip.id, "title": chip.title, "designer_id": chip.designer_id,
                "price": chip.price, "vlnv": chip.vlnv.to_string(),
            });
            if tx
                .insert_notification(sub.subscriber_id, "chip.published", chip.id, &payload, sub.notify)
                .await
                .map_err(MarketError::Store)?
            {
                report.notified += 1;
            }
        }
        if sub.auto_purchase
            && let Some(record) = tx.claim_auto_purchase(sub.id, chip.id).await.map_err(MarketError::Store)?
        {
            let (outcome, purchase_id, reason) = self.auto_buy(&mut tx, &sub, chip).await?;
            tx.record_auto_purchase(record, outcome, purchase_id, &reason).await.map_err(MarketError::Store)?;
            match purchase_id {
                Some(_) => report.purchased += 1,
                None => report.skipped.push((sub.subscriber_id, format!("{outcome}: {reason}"))),
            }
        }
        tx.commit().await.map_err(MarketError::Store)
    }

    /// Decides and makes one auto-purchase: `(outcome, purchase, reason)`.
    async fn auto_buy(
        &self,
        tx: &mut Tx,
        sub: &Subscription,
        chip: &Chip,
    ) -> Result<(&'static str, Option<Id>, String), MarketError> {
        if let Err(e) = check_limits(sub) {
            return Ok(("skipped_price", None, e.to_string()));
        }
        // Limits are in the subscription's currency; a chip priced in another is not
        // compared with them (amounts in different currencies are not comparable).
        let currency = sub.max_price.or(sub.monthly_budget).map(|m| m.currency);
        if currency.is_some_and(|c| c != chip.price.currency) {
            return Ok((
                "skipped_price",
                None,
                format!("the chip is priced in {}, your limits are not", chip.price.currency),
            ));
        }
        if let Some(max) = sub.max_price
            && chip.price.amount_minor > max.amount_minor
        {
            return Ok(("skipped_price", None, format!("price {} is above the limit {}", chip.price, max)));
        }
        if let Some(budget) = sub.monthly_budget {
            let t = crate::domain::now_micros();
            let month_start = t.replace_day(1).map(|d| d.replace_time(time::Time::MIDNIGHT)).unwrap_or(t);
            let spent = tx.auto_spent_since(sub.id, budget.currency, month_start).await.map_err(MarketError::Store)?;
            if spent.saturating_add(chip.price.amount_minor) > budget.amount_minor {
                return Ok(("skipped_budget", None, format!("the monthly budget {budget} would be exceeded")));
            }
        }
        let req = SaleRequest {
            buyer_id: sub.subscriber_id,
            chip_id: chip.id,
            source: PurchaseSource::Auto,
            max_price: sub.max_price,
            idempotency: None,
            platform_fee_bps: self.settings.platform_fee_bps,
        };
        // A savepoint, so a refused purchase leaves the notification and the record.
        tx.savepoint(SALE).await.map_err(MarketError::Store)?;
        match sell(tx, &req).await {
            Ok(receipt) => {
                tx.release(SALE).await.map_err(MarketError::Store)?;
                Ok(("purchased", Some(receipt.purchase.id), String::new()))
            }
            Err(e) => {
                tx.rollback_to(SALE).await.map_err(MarketError::Store)?;
                let outcome = match &e {
                    MarketError::InsufficientFunds => "skipped_funds",
                    MarketError::SoldOut => "skipped_sold_out",
                    MarketError::PriceAboveLimit { .. } => "skipped_price",
                    MarketError::Store(StoreError::Backend(_) | StoreError::Busy(_)) => return Err(e),
                    _ => "failed",
                };
                Ok((outcome, None, e.to_string()))
            }
        }
    }
}
