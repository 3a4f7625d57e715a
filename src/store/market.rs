//! The marketplace's transactional operations: purchases, subscriptions, fan-out,
//! notifications, reviews and earnings. Each method is one atomic unit.

use super::StoreError;
use crate::domain::{
    Currency, Earnings, FanoutReport, Id, Notification, Page, PageRequest, Purchase, PurchaseReceipt, PurchaseRequest,
    Review, Subscription, SubscriptionChange,
};
use async_trait::async_trait;

#[async_trait]
pub trait MarketStore: Send + Sync + 'static {
    /// Buys a chip in one transaction: idempotency check, stock, funds, split, ledger,
    /// licence and outbox event. A replayed idempotency key returns the first receipt.
    async fn purchase(&self, req: &PurchaseRequest) -> Result<PurchaseReceipt, StoreError>;
    async fn purchase_by_id(&self, id: Id) -> Result<Purchase, StoreError>;
    async fn list_purchases(&self, buyer_id: Id, page: PageRequest) -> Result<Page<Purchase>, StoreError>;
    /// Reverses a purchase's ledger lines and wallet movements (admin).
    async fn refund(&self, purchase_id: Id) -> Result<Purchase, StoreError>;
    async fn earnings(&self, user_id: Id, currency: Currency) -> Result<Earnings, StoreError>;

    async fn subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError>;
    /// Creates the subscription or applies `change` to it.
    async fn upsert_subscription(
        &self,
        subscriber_id: Id,
        designer_id: Id,
        change: &SubscriptionChange,
        currency: Currency,
    ) -> Result<Subscription, StoreError>;
    /// Removes a subscription and returns what it was.
    async fn delete_subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError>;
    async fn list_subscriptions(&self, subscriber_id: Id) -> Result<Vec<Subscription>, StoreError>;

    /// Notifies the subscribers of a published chip's designer and auto-buys for
    /// those whose limits allow it: at most once per subscription and chip, however
    /// often or concurrently it runs.
    async fn fan_out_chip(&self, chip_id: Id, platform_fee_bps: u16) -> Result<FanoutReport, StoreError>;
    async fn list_notifications(
        &self,
        user_id: Id,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError>;
    async fn mark_notification_read(&self, user_id: Id, id: Id) -> Result<(), StoreError>;

    /// A verified buyer's review; keeps the chip's and designer's rating aggregates.
    async fn add_review(&self, reviewer_id: Id, chip_id: Id, rating: i16, body: &str) -> Result<Review, StoreError>;
    async fn list_reviews(&self, chip_id: Id, page: PageRequest) -> Result<Page<Review>, StoreError>;
}
