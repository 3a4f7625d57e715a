//! Subscriptions of clients to designers.

use super::rows::{SUBSCRIPTION_COLUMNS, SubscriptionRow};
use super::sql::now;
use super::{Store, StoreError, Tx};
use crate::domain::{Currency, Id, Subscription};

impl Tx {
    /// The subscription, read for a change in this transaction.
    pub async fn subscription(
        &mut self,
        subscriber_id: Id,
        designer_id: Id,
    ) -> Result<Option<Subscription>, StoreError> {
        let lock = if self.backend() == super::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row: Option<SubscriptionRow> = self
            .query(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2{lock}"
            ))
            .bind(subscriber_id)
            .bind(designer_id)
            .fetch_optional()
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Writes the subscription as given (created or replaced); `currency` is the
    /// currency of its limit and budget.
    pub async fn save_subscription(&mut self, s: &Subscription, currency: Currency) -> Result<(), StoreError> {
        let now = now();
        self.query(
            "INSERT INTO subscriptions (id, subscriber_id, designer_id, auto_purchase, max_price_minor, \
             monthly_budget_minor, currency, notify, paused, email, push, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12, $10, $10) \
             ON CONFLICT (subscriber_id, designer_id) DO UPDATE SET auto_purchase = excluded.auto_purchase, \
             max_price_minor = excluded.max_price_minor, monthly_budget_minor = excluded.monthly_budget_minor, \
             currency = excluded.currency, notify = excluded.notify, paused = excluded.paused, \
             email = excluded.email, push = excluded.push, updated_at = excluded.updated_at",
        )
        .bind(s.id)
        .bind(s.subscriber_id)
        .bind(s.designer_id)
        .bind(s.auto_purchase)
        .bind(s.max_price.map(|m| m.amount_minor))
        .bind(s.monthly_budget.map(|m| m.amount_minor))
        .bind(currency.as_str())
        .bind(s.notify.as_str())
        .bind(s.paused)
        .bind(now)
        .bind(s.email)
        .bind(s.push)
        .execute()
        .await
        .map(drop)
    }
}

impl Store {
    pub async fn subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError> {
        let row: SubscriptionRow = self
            .db
            .query(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2"
            ))
            .bind(subscriber_id)
            .bind(designer_id)
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// Removes a subscription and returns what it was.
    pub async fn delete_subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError> {
        let row: SubscriptionRow = self
            .db
            .query(format!(
                "DELETE FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2 RETURNING {SUBSCRIPTION_COLUMNS}"
            ))
            .bind(subscriber_id)
            .bind(designer_id)
            .fetch_one()
            .await?;
        row.try_into()
    }

    pub async fn list_subscriptions(&self, subscriber_id: Id) -> Result<Vec<Subscription>, StoreError> {
        let rows: Vec<SubscriptionRow> = self
            .db
            .query(format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE subscriber_id = $1 ORDER BY id"))
            .bind(subscriber_id)
            .fetch_all()
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// The designer's subscriptions that are not paused, oldest first.
    pub async fn active_subscribers(&self, designer_id: Id) -> Result<Vec<Subscription>, StoreError> {
        let rows: Vec<SubscriptionRow> = self
            .db
            .query(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE designer_id = $1 AND NOT paused ORDER BY id"
            ))
            .bind(designer_id)
            .fetch_all()
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
