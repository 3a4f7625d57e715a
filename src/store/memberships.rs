//! Group and thread reads by member and by id (a person's groups on their profile,
//! a group's page, a thread's page).

use super::{Store, StoreError};
use crate::domain::{ForumThread, Group, Id};
use time::OffsetDateTime;

type GroupRow = (Id, String, String, Id, OffsetDateTime);

fn group((id, name, description, owner_id, created_at): GroupRow) -> Group {
    Group { id, name, description, owner_id, created_at }
}

impl Store {
    /// The groups a user belongs to, newest first (at most 100).
    pub async fn groups_of_user(&self, user_id: Id) -> Result<Vec<Group>, StoreError> {
        let rows: Vec<GroupRow> = self
            .db
            .query(
                "SELECT g.id, g.name, g.description, g.owner_id, g.created_at FROM groups g \
                 JOIN group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY g.id DESC LIMIT 100",
            )
            .bind(user_id)
            .fetch_all()
            .await?;
        Ok(rows.into_iter().map(group).collect())
    }

    /// One group; `NotFound` when there is none.
    pub async fn group_by_id(&self, group_id: Id) -> Result<Group, StoreError> {
        let row: GroupRow = self
            .db
            .query("SELECT id, name, description, owner_id, created_at FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_one()
            .await?;
        Ok(group(row))
    }

    /// One forum thread; `NotFound` when there is none.
    pub async fn thread_by_id(&self, thread_id: Id) -> Result<ForumThread, StoreError> {
        let (id, group_id, author_id, title, created_at): (Id, Option<Id>, Id, String, OffsetDateTime) = self
            .db
            .query("SELECT id, group_id, author_id, title, created_at FROM forum_threads WHERE id = $1")
            .bind(thread_id)
            .fetch_one()
            .await?;
        Ok(ForumThread { id, group_id, author_id, title, created_at })
    }
}
