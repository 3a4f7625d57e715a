//! Reading groups by member and by id, and threads by id.

use super::{Community, MarketError};
use crate::domain::{ForumThread, Group, Id};

impl Community<'_> {
    /// The groups `user_id` belongs to, newest first.
    pub async fn groups_of(&self, user_id: Id) -> Result<Vec<Group>, MarketError> {
        self.market.store.groups_of_user(user_id).await.map_err(|e| MarketError::from_store("group", e))
    }

    /// One group.
    pub async fn group(&self, group_id: Id) -> Result<Group, MarketError> {
        self.market.store.group_by_id(group_id).await.map_err(|e| MarketError::from_store("group", e))
    }

    /// One forum thread.
    pub async fn thread(&self, thread_id: Id) -> Result<ForumThread, MarketError> {
        self.market.store.thread_by_id(thread_id).await.map_err(|e| MarketError::from_store("thread", e))
    }
}
