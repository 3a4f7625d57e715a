//! A user's notifications: listing them and marking them read.

use super::{Market, MarketError};
use crate::domain::{Id, Notification, Page, PageRequest, User};

pub struct Notifications<'a> {
    pub(super) market: &'a Market,
}

impl Notifications<'_> {
    /// The user's notifications, newest first (only unread ones with `unread_only`).
    pub async fn list(
        &self,
        user: &User,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, MarketError> {
        self.market
            .store
            .list_notifications(user.id, unread_only, page)
            .await
            .map_err(|e| MarketError::from_store("notification", e))
    }

    /// Marks one of the user's notifications read; someone else's is not found.
    pub async fn mark_read(&self, user: &User, id: Id) -> Result<(), MarketError> {
        self.market
            .store
            .mark_notification_read(user.id, id)
            .await
            .map_err(|e| MarketError::from_store("notification", e))
    }

    /// The user's digests, oldest first.
    pub async fn digests(&self, user: &User) -> Result<Vec<crate::domain::Digest>, MarketError> {
        self.market.store.list_digests(user.id).await.map_err(|e| MarketError::from_store("digest", e))
    }
}
