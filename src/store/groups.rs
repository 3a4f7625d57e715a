//! Groups with member roles, and the forum's threads and posts.

use super::sql::now;
use super::{Store, StoreError, page_of};
use crate::domain::{ForumPost, ForumThread, Group, GroupMember, GroupRole, Id, Page, PageRequest};
use time::OffsetDateTime;

impl Store {
    /// Creates a group with its creator as the owner.
    pub async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        tx.query("INSERT INTO groups (id, name, description, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(group.id)
            .bind(&group.name)
            .bind(&group.description)
            .bind(group.owner_id)
            .bind(group.created_at)
            .execute()
            .await?;
        tx.query("INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)")
            .bind(group.id)
            .bind(group.owner_id)
            .bind(group.created_at)
            .execute()
            .await?;
        tx.commit().await
    }

    pub async fn group_exists(&self, group_id: Id) -> Result<bool, StoreError> {
        let found: Option<Id> =
            self.db.query("SELECT id FROM groups WHERE id = $1").bind(group_id).scalar_optional().await?;
        Ok(found.is_some())
    }

    /// The user's role in the group, if they are a member.
    pub async fn member_role(&self, group_id: Id, user_id: Id) -> Result<Option<GroupRole>, StoreError> {
        let role: Option<String> = self
            .db
            .query("SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group_id)
            .bind(user_id)
            .scalar_optional()
            .await?;
        role.map(|r| r.parse().map_err(StoreError::corrupt)).transpose()
    }

    /// Adds a member; a second membership is a `Conflict`.
    pub async fn insert_group_member(&self, m: &GroupMember) -> Result<(), StoreError> {
        let inserted = self
            .db
            .query(
                "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (group_id, user_id) DO NOTHING",
            )
            .bind(m.group_id)
            .bind(m.user_id)
            .bind(m.role.as_str())
            .bind(now())
            .execute()
            .await?;
        if inserted == 0 { Err(StoreError::Conflict("group_members_pkey".into())) } else { Ok(()) }
    }

    /// Members in the order they joined.
    pub async fn group_members(&self, group_id: Id) -> Result<Vec<GroupMember>, StoreError> {
        let rows: Vec<(Id, String)> = self
            .db
            .query("SELECT user_id, role FROM group_members WHERE group_id = $1 ORDER BY joined_at, user_id")
            .bind(group_id)
            .fetch_all()
            .await?;
        rows.into_iter()
            .map(|(user_id, role)| {
                Ok(GroupMember { group_id, user_id, role: role.parse().map_err(StoreError::corrupt)? })
            })
            .collect()
    }

    /// Groups, newest first.
    pub async fn list_groups(&self, page: PageRequest) -> Result<Page<Group>, StoreError> {
        let rows: Vec<(Id, String, String, Id, OffsetDateTime)> = self
            .db
            .query(
                "SELECT id, name, description, owner_id, created_at FROM groups WHERE ($1 IS NULL OR id < $1) \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows
            .into_iter()
            .map(|(id, name, description, owner_id, created_at)| Group { id, name, description, owner_id, created_at })
            .collect();
        Ok(page_of(items, page.limit, |g| g.id))
    }

    /// Opens a thread with its first post.
    pub async fn create_thread(&self, thread: &ForumThread, first_post: &ForumPost) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        tx.query("INSERT INTO forum_threads (id, group_id, author_id, title, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(thread.id)
            .bind(thread.group_id)
            .bind(thread.author_id)
            .bind(&thread.title)
            .bind(thread.created_at)
            .execute()
            .await?;
        tx.query("INSERT INTO forum_posts (id, thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(first_post.id)
            .bind(thread.id)
            .bind(first_post.author_id)
            .bind(&first_post.body)
            .bind(first_post.created_at)
            .execute()
            .await?;
        tx.commit().await
    }

    /// The group a thread belongs to (`None` for the global forum); `NotFound` for
    /// no thread.
    pub async fn thread_group(&self, thread_id: Id) -> Result<Option<Id>, StoreError> {
        self.db.query("SELECT group_id FROM forum_threads WHERE id = $1").bind(thread_id).scalar().await
    }

    pub async fn insert_post(&self, post: &ForumPost) -> Result<(), StoreError> {
        self.db
            .query("INSERT INTO forum_posts (id, thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(post.id)
            .bind(post.thread_id)
            .bind(post.author_id)
            .bind(&post.body)
            .bind(post.created_at)
            .execute()
            .await
            .map(drop)
    }

    /// Threads of a group, or of the global forum for `None`, newest first.
    pub async fn list_threads(&self, group_id: Option<Id>, page: PageRequest) -> Result<Page<ForumThread>, StoreError> {
        let rows: Vec<(Id, Option<Id>, Id, String, OffsetDateTime)> = self
            .db
            .query(
                "SELECT id, group_id, author_id, title, created_at FROM forum_threads \
                 WHERE (($1 IS NULL AND group_id IS NULL) OR group_id = $1) AND ($2 IS NULL OR id < $2) \
                 ORDER BY id DESC LIMIT $3",
            )
            .bind(group_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows
            .into_iter()
            .map(|(id, group_id, author_id, title, created_at)| ForumThread {
                id,
                group_id,
                author_id,
                title,
                created_at,
            })
            .collect();
        Ok(page_of(items, page.limit, |t| t.id))
    }

    /// Posts of a thread, oldest first.
    pub async fn list_posts(&self, thread_id: Id, page: PageRequest) -> Result<Page<ForumPost>, StoreError> {
        let rows: Vec<(Id, Id, Id, String, OffsetDateTime)> = self
            .db
            .query(
                "SELECT id, thread_id, author_id, body, created_at FROM forum_posts \
                 WHERE thread_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
            )
            .bind(thread_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows
            .into_iter()
            .map(|(id, thread_id, author_id, body, created_at)| ForumPost {
                id,
                thread_id,
                author_id,
                body,
                created_at,
            })
            .collect();
        Ok(page_of(items, page.limit, |p| p.id))
    }
}
