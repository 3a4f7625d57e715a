//! Notifications, and the records that make each auto-purchase happen at most once
//! per (subscription, chip).

use super::rows::NotificationRow;
use super::sql::now;
use super::{Store, StoreError, Tx, page_of};
use crate::domain::{Currency, Id, Notification, NotifyFrequency, Page, PageRequest, new_id};
use sqlx::types::Json;
use time::OffsetDateTime;

impl Tx {
    /// Stores a notification once per (user, kind, chip); `false` when it exists.
    pub async fn insert_notification(
        &mut self,
        user_id: Id,
        kind: &str,
        chip_id: Id,
        payload: &serde_json::Value,
        deliver: NotifyFrequency,
    ) -> Result<bool, StoreError> {
        let inserted = self
            .query(
                "INSERT INTO notifications (id, user_id, kind, chip_id, payload, deliver, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(kind)
            .bind(chip_id)
            .bind(Json(payload))
            .bind(deliver.as_str())
            .bind(now())
            .execute()
            .await?;
        Ok(inserted == 1)
    }

    /// Claims the one auto-purchase of (subscription, chip): `Some(record id)` the
    /// first time, `None` ever after (another run, or another worker, has it).
    pub async fn claim_auto_purchase(&mut self, subscription_id: Id, chip_id: Id) -> Result<Option<Id>, StoreError> {
        let record_id = new_id();
        let claimed = self
            .query(
                "INSERT INTO auto_purchases (id, subscription_id, chip_id, outcome, created_at) \
                 VALUES ($1, $2, $3, 'failed', $4) ON CONFLICT (subscription_id, chip_id) DO NOTHING",
            )
            .bind(record_id)
            .bind(subscription_id)
            .bind(chip_id)
            .bind(now())
            .execute()
            .await?;
        Ok((claimed == 1).then_some(record_id))
    }

    /// What became of a claimed auto-purchase.
    pub async fn record_auto_purchase(
        &mut self,
        record_id: Id,
        outcome: &str,
        purchase_id: Option<Id>,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.query("UPDATE auto_purchases SET outcome = $2, purchase_id = $3, reason = $4 WHERE id = $1")
            .bind(record_id)
            .bind(outcome)
            .bind(purchase_id)
            .bind(reason)
            .execute()
            .await
            .map(drop)
    }

    /// What a subscription's auto-purchases (not refunded) in `currency` cost since `since`.
    pub async fn auto_spent_since(
        &mut self,
        subscription_id: Id,
        currency: Currency,
        since: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        self.query(
            "SELECT CAST(COALESCE(SUM(p.price_minor), 0) AS BIGINT) FROM auto_purchases a \
             JOIN purchases p ON p.id = a.purchase_id \
             WHERE a.subscription_id = $1 AND a.outcome = 'purchased' AND p.status = 'completed' \
             AND p.created_at >= $2 AND p.currency = $3",
        )
        .bind(subscription_id)
        .bind(since)
        .bind(currency.as_str())
        .scalar()
        .await
    }
}

impl Store {
    pub async fn list_notifications(
        &self,
        user_id: Id,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        let rows: Vec<NotificationRow> = self
            .db
            .query(
                "SELECT id, user_id, kind, chip_id, payload, deliver, read_at, created_at FROM notifications \
                 WHERE user_id = $1 AND ($2 IS NULL OR read_at IS NULL) AND ($3 IS NULL OR id < $3) \
                 ORDER BY id DESC LIMIT $4",
            )
            .bind(user_id)
            .bind(unread_only.then_some(true))
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items: Vec<Notification> = rows.into_iter().map(Into::into).collect();
        Ok(page_of(items, page.limit, |n| n.id))
    }

    /// Marks one of the user's notifications read; `NotFound` if it is not theirs.
    pub async fn mark_notification_read(&self, user_id: Id, id: Id) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
