//! Community services: designer groups with roles, the forum, and collaborations
//! whose members earn royalties on the chips they produce together.

use super::{Market, MarketError};
use crate::domain::{
    Collaboration, CollaborationMember, ForumPost, ForumThread, Group, GroupMember, GroupRole, Id, Page, PageRequest,
};

pub struct Community<'a> {
    pub(super) market: &'a Market,
}

impl Market {
    pub fn community(&self) -> Community<'_> {
        Community { market: self }
    }
}

fn text(what: &str, value: &str, max: usize) -> Result<(), MarketError> {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        return Err(MarketError::Invalid(format!("{what} must be 1 to {max} characters")));
    }
    Ok(())
}

impl Community<'_> {
    #[tracing::instrument(skip_all)]
    pub async fn create_group(&self, owner_id: Id, name: &str, description: &str) -> Result<Group, MarketError> {
        text("a group name", name, 120)?;
        self.market
            .store
            .create_group(owner_id, name, description)
            .await
            .map_err(|e| MarketError::from_store("user", e))
    }

    /// Owners add admins and members; admins add members.
    #[tracing::instrument(skip_all)]
    pub async fn add_member(
        &self,
        actor_id: Id,
        group_id: Id,
        user_id: Id,
        role: GroupRole,
    ) -> Result<GroupMember, MarketError> {
        self.market
            .store
            .add_group_member(actor_id, group_id, user_id, role)
            .await
            .map_err(|e| MarketError::from_store("group", e))
    }

    pub async fn members(&self, group_id: Id) -> Result<Vec<GroupMember>, MarketError> {
        self.market.store.group_members(group_id).await.map_err(|e| MarketError::from_store("group", e))
    }

    pub async fn groups(&self, page: PageRequest) -> Result<Page<Group>, MarketError> {
        self.market.store.list_groups(page).await.map_err(|e| MarketError::from_store("group", e))
    }

    /// Opens a thread in a group (members only) or in the global forum.
    #[tracing::instrument(skip_all)]
    pub async fn open_thread(
        &self,
        author_id: Id,
        group_id: Option<Id>,
        title: &str,
        body: &str,
    ) -> Result<ForumThread, MarketError> {
        text("a thread title", title, 200)?;
        text("a post", body, 20_000)?;
        self.market
            .store
            .create_thread(author_id, group_id, title, body)
            .await
            .map_err(|e| MarketError::from_store("group", e))
    }

    #[tracing::instrument(skip_all)]
    pub async fn post(&self, author_id: Id, thread_id: Id, body: &str) -> Result<ForumPost, MarketError> {
        text("a post", body, 20_000)?;
        self.market.store.add_post(author_id, thread_id, body).await.map_err(|e| MarketError::from_store("thread", e))
    }

    pub async fn threads(&self, group_id: Option<Id>, page: PageRequest) -> Result<Page<ForumThread>, MarketError> {
        self.market.store.list_threads(group_id, page).await.map_err(|e| MarketError::from_store("group", e))
    }

    pub async fn posts(&self, thread_id: Id, page: PageRequest) -> Result<Page<ForumPost>, MarketError> {
        self.market.store.list_posts(thread_id, page).await.map_err(|e| MarketError::from_store("thread", e))
    }

    /// Starts a collaboration; shares total at most 10000 bps. With `chip_id` (a
    /// draft of `creator_id`), the members other than the creator become the
    /// chip's contributors and are paid their shares on every sale.
    #[tracing::instrument(skip_all)]
    pub async fn collaborate(
        &self,
        creator_id: Id,
        title: &str,
        chip_id: Option<Id>,
        members: &[CollaborationMember],
    ) -> Result<Collaboration, MarketError> {
        text("a collaboration title", title, 200)?;
        crate::store::check_collaboration_shares(members).map_err(|e| MarketError::from_store("designer", e))?;
        self.market
            .store
            .create_collaboration(creator_id, title, chip_id, members)
            .await
            .map_err(|e| MarketError::from_store("chip", e))
    }

    /// Marks a draft chip as produced by a collaboration (see [`Community::collaborate`]).
    pub async fn link_chip(
        &self,
        actor_id: Id,
        collaboration_id: Id,
        chip_id: Id,
    ) -> Result<Collaboration, MarketError> {
        self.market
            .store
            .set_collaboration_chip(actor_id, collaboration_id, chip_id)
            .await
            .map_err(|e| MarketError::from_store("collaboration or chip", e))
    }
}
