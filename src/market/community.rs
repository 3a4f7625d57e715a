//! Community services: designer groups with roles, the forum, and collaborations
//! whose members earn royalties on the chips they produce together.

use super::{Market, MarketError, hot_cache};
use crate::domain::{
    ChipStatus, Collaboration, CollaborationMember, ForumPost, ForumThread, Group, GroupMember, GroupRole, Id, Page,
    PageRequest, new_id, now_micros,
};
use crate::store::{ChipLink, StoreError};
use std::collections::HashSet;

pub struct Community<'a> {
    pub(super) market: &'a Market,
}

fn text(what: &str, value: &str, max: usize) -> Result<(), MarketError> {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        return Err(MarketError::Invalid(format!("{what} must be 1 to {max} characters")));
    }
    Ok(())
}

fn store(what: &'static str) -> impl Fn(StoreError) -> MarketError {
    move |e| MarketError::from_store(what, e)
}

/// Collaboration shares: at least one member, no repeats, 1–10000 bps each, at
/// most 10000 bps in all.
fn check_shares(members: &[CollaborationMember]) -> Result<(), MarketError> {
    let invalid = |m: String| Err(MarketError::Invalid(m));
    if members.is_empty() {
        return invalid("a collaboration needs at least one member".into());
    }
    let mut seen = HashSet::new();
    let mut total: u32 = 0;
    for m in members {
        if !seen.insert(m.designer_id) {
            return invalid("a designer is listed twice".into());
        }
        if !(1..=10_000).contains(&m.share_bps) {
            return invalid("each share must be between 1 and 10000 bps".into());
        }
        total += u32::from(m.share_bps);
    }
    if total > 10_000 {
        return invalid(format!("shares add up to {total} bps; at most 10000 are allowed"));
    }
    Ok(())
}

impl Community<'_> {
    #[tracing::instrument(skip_all)]
    pub async fn create_group(&self, owner_id: Id, name: &str, description: &str) -> Result<Group, MarketError> {
        text("a group name", name, 120)?;
        let group = Group {
            id: new_id(),
            name: name.trim().to_owned(),
            description: description.to_owned(),
            owner_id,
            created_at: now_micros(),
        };
        self.market.store.create_group(&group).await.map_err(store("user"))?;
        Ok(group)
    }

    /// Owners add admins and members; admins add members; a second membership is a
    /// conflict.
    #[tracing::instrument(skip_all)]
    pub async fn add_member(
        &self,
        actor_id: Id,
        group_id: Id,
        user_id: Id,
        role: GroupRole,
    ) -> Result<GroupMember, MarketError> {
        let db = &self.market.store;
        if !db.group_exists(group_id).await.map_err(store("group"))? {
            return Err(MarketError::NotFound("group"));
        }
        match db.member_role(group_id, actor_id).await.map_err(store("group"))? {
            Some(actor) if actor.may_add(role) => {}
            Some(actor) => {
                return Err(MarketError::Forbidden(format!(
                    "a group {} cannot add a {}",
                    actor.as_str(),
                    role.as_str()
                )));
            }
            None => return Err(MarketError::Forbidden("only group members can add members".into())),
        }
        let member = GroupMember { group_id, user_id, role };
        db.insert_group_member(&member).await.map_err(store("group"))?;
        Ok(member)
    }

    pub async fn members(&self, group_id: Id) -> Result<Vec<GroupMember>, MarketError> {
        self.market.store.group_members(group_id).await.map_err(store("group"))
    }

    pub async fn groups(&self, page: PageRequest) -> Result<Page<Group>, MarketError> {
        self.market.store.list_groups(page).await.map_err(store("group"))
    }

    /// Only a group's members write in its threads.
    async fn check_member(&self, group_id: Option<Id>, author_id: Id) -> Result<(), MarketError> {
        if let Some(g) = group_id
            && self.market.store.member_role(g, author_id).await.map_err(store("group"))?.is_none()
        {
            return Err(MarketError::Forbidden("only group members can post in a group".into()));
        }
        Ok(())
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
        self.check_member(group_id, author_id).await?;
        let created_at = now_micros();
        let thread = ForumThread { id: new_id(), group_id, author_id, title: title.trim().to_owned(), created_at };
        let post = ForumPost { id: new_id(), thread_id: thread.id, author_id, body: body.to_owned(), created_at };
        self.market.store.create_thread(&thread, &post).await.map_err(store("group"))?;
        Ok(thread)
    }

    #[tracing::instrument(skip_all)]
    pub async fn post(&self, author_id: Id, thread_id: Id, body: &str) -> Result<ForumPost, MarketError> {
        text("a post", body, 20_000)?;
        let group = self.market.store.thread_group(thread_id).await.map_err(store("thread"))?;
        self.check_member(group, author_id).await?;
        let post = ForumPost { id: new_id(), thread_id, author_id, body: body.to_owned(), created_at: now_micros() };
        self.market.store.insert_post(&post).await.map_err(store("thread"))?;
        Ok(post)
    }

    pub async fn threads(&self, group_id: Option<Id>, page: PageRequest) -> Result<Page<ForumThread>, MarketError> {
        self.market.store.list_threads(group_id, page).await.map_err(store("group"))
    }

    pub async fn posts(&self, thread_id: Id, page: PageRequest) -> Result<Page<ForumPost>, MarketError> {
        self.market.store.list_posts(thread_id, page).await.map_err(store("thread"))
    }

    /// Starts a collaboration of designers; shares total at most 10000 bps. With
    /// `chip_id` (a draft of `creator_id`), the members other than the creator become
    /// the chip's contributors and are paid their shares on every sale.
    #[tracing::instrument(skip_all)]
    pub async fn collaborate(
        &self,
        creator_id: Id,
        title: &str,
        chip_id: Option<Id>,
        members: &[CollaborationMember],
    ) -> Result<Collaboration, MarketError> {
        text("a collaboration title", title, 200)?;
        check_shares(members)?;
        for m in members {
            match self.market.store.designer_by_user(m.designer_id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(MarketError::Invalid(format!("member {} is not a designer", m.designer_id)));
                }
                Err(e) => return Err(MarketError::from_store("designer", e)),
            }
        }
        let link = match chip_id {
            Some(chip) => Some(self.chip_link(creator_id, chip).await?),
            None => None,
        };
        let collaboration = Collaboration {
            id: new_id(),
            title: title.trim().to_owned(),
            chip_id: None,
            created_by: creator_id,
            members: members.to_vec(),
            created_at: now_micros(),
        };
        self.market.store.create_collaboration(&collaboration, link.as_ref()).await.map_err(link_error)?;
        self.linked(collaboration.id, link.as_ref()).await
    }

    /// Marks a draft chip as produced by a collaboration (see [`Community::collaborate`]).
    pub async fn link_chip(
        &self,
        actor_id: Id,
        collaboration_id: Id,
        chip_id: Id,
    ) -> Result<Collaboration, MarketError> {
        let link = self.chip_link(actor_id, chip_id).await?;
        self.market.store.set_collaboration_chip(collaboration_id, &link).await.map_err(|e| match e {
            StoreError::NotFound => MarketError::NotFound("collaboration"),
            other => link_error(other),
        })?;
        self.linked(collaboration_id, Some(&link)).await
    }

    /// Only the chip's designer links it, and only while it is a draft.
    async fn chip_link(&self, actor_id: Id, chip_id: Id) -> Result<ChipLink, MarketError> {
        let chip = self.market.store.chip_by_id(chip_id).await.map_err(store("chip"))?;
        if chip.designer_id != actor_id {
            return Err(MarketError::Forbidden("only the chip's designer can link it to a collaboration".into()));
        }
        if chip.status != ChipStatus::Draft {
            return Err(MarketError::Invalid(format!("the chip is {}; only drafts can be linked", chip.status)));
        }
        Ok(ChipLink { chip_id, designer_id: chip.designer_id, vlnv: chip.vlnv.to_string(), max_total_bps: 10_000 })
    }

    /// The collaboration as stored. Its members' pages (which list their
    /// collaborations) and a linked chip's pages go stale.
    async fn linked(&self, id: Id, link: Option<&ChipLink>) -> Result<Collaboration, MarketError> {
        if let Some(l) = link {
            self.market.chip_changed(l.chip_id, l.designer_id).await;
        }
        let c = self.market.store.collaboration(id).await.map_err(store("collaboration"))?;
        let cache = self.market.cache.cache.as_ref();
        for designer in c.members.iter().map(|m| m.designer_id).chain([c.created_by]) {
            if let Ok(d) = self.market.store.designer_by_user(designer).await {
                hot_cache::forget(cache, &hot_cache::designer_key(d.handle.as_str())).await;
            }
        }
        Ok(c)
    }

    /// Collaborations a designer created or belongs to, oldest first.
    pub async fn of_designer(&self, designer_id: Id) -> Result<Vec<Collaboration>, MarketError> {
        self.market.store.designer_collaborations(designer_id).await.map_err(store("collaboration"))
    }
}

fn link_error(e: StoreError) -> MarketError {
    match e {
        StoreError::Conflict(c) if c == "chip_contributions_total" => {
            MarketError::Invalid("the chip's contributions would add up to more than 10000 bps".into())
        }
        StoreError::Conflict(c) if c == "collaborations_chip" => {
            MarketError::Conflict("another collaboration already produces this chip".into())
        }
        other => MarketError::from_store("chip", other),
    }
}
