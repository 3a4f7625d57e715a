//! Groups with member roles, the forum, collaborations, and the queries behind
//! profiles and the sorted catalog. Each method is one atomic unit.

use super::StoreError;
use crate::domain::{
    Chip, ChipFilter, ChipSort, Collaboration, CollaborationMember, ForumPost, ForumThread, Group, GroupMember,
    GroupRole, Id, Page, PageRequest, PurchaseFact,
};
use async_trait::async_trait;

#[async_trait]
pub trait CommunityStore: Send + Sync + 'static {
    /// Creates a group with its creator as the owner.
    async fn create_group(&self, owner_id: Id, name: &str, description: &str) -> Result<Group, StoreError>;
    /// `actor_id` adds `user_id` as `role`. Owners add admins and members, admins add
    /// members (`Forbidden` otherwise); a second membership is a `Conflict`.
    async fn add_group_member(
        &self,
        actor_id: Id,
        group_id: Id,
        user_id: Id,
        role: GroupRole,
    ) -> Result<GroupMember, StoreError>;
    async fn group_members(&self, group_id: Id) -> Result<Vec<GroupMember>, StoreError>;
    async fn list_groups(&self, page: PageRequest) -> Result<Page<Group>, StoreError>;

    /// Opens a thread with its first post; in a group only members may (`Forbidden`).
    async fn create_thread(
        &self,
        author_id: Id,
        group_id: Option<Id>,
        title: &str,
        body: &str,
    ) -> Result<ForumThread, StoreError>;
    /// Replies in a thread; in a group thread only members may (`Forbidden`).
    async fn add_post(&self, author_id: Id, thread_id: Id, body: &str) -> Result<ForumPost, StoreError>;
    /// Threads of a group, or of the global forum for `None`, newest first.
    async fn list_threads(&self, group_id: Option<Id>, page: PageRequest) -> Result<Page<ForumThread>, StoreError>;
    /// Posts of a thread, oldest first.
    async fn list_posts(&self, thread_id: Id, page: PageRequest) -> Result<Page<ForumPost>, StoreError>;

    /// Creates a collaboration. Members are designers with shares summing to at
    /// most 10000 bps. With `chip_id`, see [`CommunityStore::set_collaboration_chip`].
    async fn create_collaboration(
        &self,
        created_by: Id,
        title: &str,
        chip_id: Option<Id>,
        members: &[CollaborationMember],
    ) -> Result<Collaboration, StoreError>;
    /// Marks a draft chip of `actor_id` as produced by the collaboration: each member
    /// other than the chip's designer becomes an IP-block contributor with their
    /// share, so sales pay them through the purchase split.
    async fn set_collaboration_chip(
        &self,
        actor_id: Id,
        collaboration_id: Id,
        chip_id: Id,
    ) -> Result<Collaboration, StoreError>;
    async fn collaboration(&self, id: Id) -> Result<Collaboration, StoreError>;
    /// Collaborations a designer created or belongs to, oldest first.
    async fn designer_collaborations(&self, designer_id: Id) -> Result<Vec<Collaboration>, StoreError>;

    /// The catalog in `sort` order; `cursor` is the previous page's `next_cursor`.
    async fn list_chips_sorted(
        &self,
        filter: &ChipFilter,
        sort: ChipSort,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Chip>, StoreError>;
    /// A buyer's completed purchases with the chips' categories.
    async fn purchase_facts(&self, buyer_id: Id) -> Result<Vec<PurchaseFact>, StoreError>;
}

/// Encodes a sorted-catalog cursor: the last item's sort key and id.
pub(crate) fn encode_sort_cursor(key: i64, id: Id) -> String {
    format!("{key}:{}", id.simple())
}

/// Decodes a sorted-catalog cursor; a malformed one is the client's error.
pub(crate) fn decode_sort_cursor(cursor: &str) -> Result<(i64, Id), StoreError> {
    let bad = || StoreError::Invalid("cursor is malformed".into());
    let (key, id) = cursor.split_once(':').ok_or_else(bad)?;
    Ok((key.parse().map_err(|_| bad())?, uuid::Uuid::try_parse(id).map_err(|_| bad())?))
}

/// Checks collaboration shares: at least one member, no repeats, 1–10000 bps each,
/// at most 10000 bps in all.
pub(crate) fn check_shares(members: &[CollaborationMember]) -> Result<(), StoreError> {
    if members.is_empty() {
        return Err(StoreError::Invalid("a collaboration needs at least one member".into()));
    }
    let mut seen = std::collections::HashSet::new();
    let mut total: u32 = 0;
    for m in members {
        if !seen.insert(m.designer_id) {
            return Err(StoreError::Invalid("a designer is listed twice".into()));
        }
        if !(1..=10_000).contains(&m.share_bps) {
            return Err(StoreError::Invalid("each share must be between 1 and 10000 bps".into()));
        }
        total += u32::from(m.share_bps);
    }
    if total > 10_000 {
        return Err(StoreError::Invalid(format!("shares add up to {total} bps; at most 10000 are allowed")));
    }
    Ok(())
}
