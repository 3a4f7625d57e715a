//! Subscribing to designers: limits, budgets and notification frequency.

use super::{Market, MarketError};
use crate::domain::{Subscription, SubscriptionChange, User};

pub struct Subscriptions<'a> {
    pub(super) market: &'a Market,
}

impl Subscriptions<'_> {
    /// Creates or changes the subscriber's subscription to the designer with `handle`.
    pub async fn set(
        &self,
        subscriber: &User,
        handle: &str,
        change: &SubscriptionChange,
    ) -> Result<Subscription, MarketError> {
        for m in [change.max_price, change.monthly_budget].into_iter().flatten().flatten() {
            if m.amount_minor < 0 {
                return Err(MarketError::Invalid("limits must not be negative".into()));
            }
        }
        let store = &self.market.store;
        let designer = store.designer_by_handle(handle).await.map_err(|e| MarketError::from_store("designer", e))?;
        if designer.user_id == subscriber.id {
            return Err(MarketError::Invalid("you cannot subscribe to yourself".into()));
        }
        store
            .upsert_subscription(subscriber.id, designer.user_id, change, self.market.settings.currency)
            .await
            .map_err(|e| MarketError::from_store("subscription", e))
    }

    /// Ends the subscription and returns what it was (so it can be undone).
    pub async fn cancel(&self, subscriber: &User, handle: &str) -> Result<Subscription, MarketError> {
        let store = &self.market.store;
        let designer = store.designer_by_handle(handle).await.map_err(|e| MarketError::from_store("designer", e))?;
        store
            .delete_subscription(subscriber.id, designer.user_id)
            .await
            .map_err(|e| MarketError::from_store("subscription", e))
    }
}
