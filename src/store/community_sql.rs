//! The groups and forum SQL shared by both backends; each backend
//! supplies `begin_write`. Collaborations live in `collaboration_sql.rs` and sorted
//! catalog queries in `catalog_sort_sql.rs`.

/// Implements [`super::CommunityStore`] for a backend type.
macro_rules! impl_community_store {
    ($ty:ty, $db:ty) => {
        impl $ty {
            async fn member_role(
                conn: &mut <$db as sqlx::Database>::Connection,
                group_id: $crate::domain::Id,
                user_id: $crate::domain::Id,
            ) -> Result<Option<$crate::domain::GroupRole>, StoreError> {
                let role: Option<String> =
                    sqlx::query_scalar("SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2")
                        .bind(group_id)
                        .bind(user_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                role.map(|r| r.parse().map_err(StoreError::corrupt)).transpose()
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::CommunityStore for $ty {
            async fn create_group(
                &self,
                owner_id: $crate::domain::Id,
                name: &str,
                description: &str,
            ) -> Result<$crate::domain::Group, StoreError> {
                let group = $crate::domain::Group {
                    id: $crate::domain::new_id(),
                    name: name.trim().to_owned(),
                    description: description.to_owned(),
                    owner_id,
                    created_at: $crate::store::shared::now(),
                };
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO groups (id, name, description, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(group.id)
                    .bind(&group.name)
                    .bind(&group.description)
                    .bind(owner_id)
                    .bind(group.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)")
                    .bind(group.id)
                    .bind(owner_id)
                    .bind(group.created_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(group)
            }

            async fn add_group_member(
                &self,
                actor_id: $crate::domain::Id,
                group_id: $crate::domain::Id,
                user_id: $crate::domain::Id,
                role: $crate::domain::GroupRole,
            ) -> Result<$crate::domain::GroupMember, StoreError> {
                let mut tx = self.begin_write().await?;
                let exists: Option<$crate::domain::Id> = sqlx::query_scalar("SELECT id FROM groups WHERE id = $1")
                    .bind(group_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                match Self::member_role(&mut tx, group_id, actor_id).await? {
                    Some(actor) if actor.may_add(role) => {}
                    Some(actor) => {
                        return Err(StoreError::Forbidden(format!(
                            "a group {} cannot add a {}",
                            actor.as_str(),
                            role.as_str()
                        )));
                    }
                    None => return Err(StoreError::Forbidden("only group members can add members".into())),
                }
                let inserted = sqlx::query(
                    "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (group_id, user_id) DO NOTHING",
                )
                .bind(group_id)
                .bind(user_id)
                .bind(role.as_str())
                .bind($crate::store::shared::now())
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Err(StoreError::Conflict("group_members_pkey".into()));
                }
                tx.commit().await?;
                Ok($crate::domain::GroupMember { group_id, user_id, role })
            }

            async fn group_members(
                &self,
                group_id: $crate::domain::Id,
            ) -> Result<Vec<$crate::domain::GroupMember>, StoreError> {
                let rows: Vec<($crate::domain::Id, String)> =
                    sqlx::query_as("SELECT user_id, role FROM group_members WHERE group_id = $1 ORDER BY joined_at, user_id")
                        .bind(group_id)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(user_id, role)| {
                        Ok($crate::domain::GroupMember { group_id, user_id, role: role.parse().map_err(StoreError::corrupt)? })
                    })
                    .collect()
            }

            async fn list_groups(
                &self,
                page: $crate::domain::PageRequest,
            ) -> Result<$crate::domain::Page<$crate::domain::Group>, StoreError> {
                let rows: Vec<($crate::domain::Id, String, String, $crate::domain::Id, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, name, description, owner_id, created_at FROM groups WHERE ($1 IS NULL OR id < $1) \
                     ORDER BY id DESC LIMIT $2",
                )
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await?;
                let items = rows
                    .into_iter()
                    .map(|(id, name, description, owner_id, created_at)| $crate::domain::Group {
                        id,
                        name,
                        description,
                        owner_id,
                        created_at,
                    })
                    .collect();
                Ok(page_of(items, page.limit, |g| g.id))
            }

            async fn create_thread(
                &self,
                author_id: $crate::domain::Id,
                group_id: Option<$crate::domain::Id>,
                title: &str,
                body: &str,
            ) -> Result<$crate::domain::ForumThread, StoreError> {
                let mut tx = self.begin_write().await?;
                if let Some(g) = group_id
                    && Self::member_role(&mut tx, g, author_id).await?.is_none()
                {
                    return Err(StoreError::Forbidden("only group members can post in a group".into()));
                }
                let thread = $crate::domain::ForumThread {
                    id: $crate::domain::new_id(),
                    group_id,
                    author_id,
                    title: title.trim().to_owned(),
                    created_at: $crate::store::shared::now(),
                };
                sqlx::query("INSERT INTO forum_threads (id, group_id, author_id, title, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(thread.id)
                    .bind(group_id)
                    .bind(author_id)
                    .bind(&thread.title)
                    .bind(thread.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO forum_posts (id, thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind($crate::domain::new_id())
                    .bind(thread.id)
                    .bind(author_id)
                    .bind(body)
                    .bind(thread.created_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(thread)
            }

            async fn add_post(
                &self,
                author_id: $crate::domain::Id,
                thread_id: $crate::domain::Id,
                body: &str,
            ) -> Result<$crate::domain::ForumPost, StoreError> {
                let mut tx = self.begin_write().await?;
                let group: Option<Option<$crate::domain::Id>> =
                    sqlx::query_scalar("SELECT group_id FROM forum_threads WHERE id = $1")
                        .bind(thread_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let group = group.ok_or(StoreError::NotFound)?;
                if let Some(g) = group
                    && Self::member_role(&mut tx, g, author_id).await?.is_none()
                {
                    return Err(StoreError::Forbidden("only group members can post in a group".into()));
                }
                let post = $crate::domain::ForumPost {
                    id: $crate::domain::new_id(),
                    thread_id,
                    author_id,
                    body: body.to_owned(),
                    created_at: $crate::store::shared::now(),
                };
                sqlx::query("INSERT INTO forum_posts (id, thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(post.id)
                    .bind(thread_id)
                    .bind(author_id)
                    .bind(&post.body)
                    .bind(post.created_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(post)
            }

            async fn list_threads(
                &self,
                group_id: Option<$crate::domain::Id>,
                page: $crate::domain::PageRequest,
            ) -> Result<$crate::domain::Page<$crate::domain::ForumThread>, StoreError> {
                let rows: Vec<($crate::domain::Id, Option<$crate::domain::Id>, $crate::domain::Id, String, time::OffsetDateTime)> =
                    sqlx::query_as(
                        "SELECT id, group_id, author_id, title, created_at FROM forum_threads \
                         WHERE (($1 IS NULL AND group_id IS NULL) OR group_id = $1) AND ($2 IS NULL OR id < $2) \
                         ORDER BY id DESC LIMIT $3",
                    )
                    .bind(group_id)
                    .bind(page.after)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let items = rows
                    .into_iter()
                    .map(|(id, group_id, author_id, title, created_at)| $crate::domain::ForumThread {
                        id,
                        group_id,
                        author_id,
                        title,
                        created_at,
                    })
                    .collect();
                Ok(page_of(items, page.limit, |t| t.id))
            }

            async fn list_posts(
                &self,
                thread_id: $crate::domain::Id,
                page: $crate::domain::PageRequest,
            ) -> Result<$crate::domain::Page<$crate::domain::ForumPost>, StoreError> {
                let rows: Vec<($crate::domain::Id, $crate::domain::Id, $crate::domain::Id, String, time::OffsetDateTime)> =
                    sqlx::query_as(
                        "SELECT id, thread_id, author_id, body, created_at FROM forum_posts \
                         WHERE thread_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
                    )
                    .bind(thread_id)
                    .bind(page.after)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let items = rows
                    .into_iter()
                    .map(|(id, thread_id, author_id, body, created_at)| $crate::domain::ForumPost {
                        id,
                        thread_id,
                        author_id,
                        body,
                        created_at,
                    })
                    .collect();
                Ok(page_of(items, page.limit, |p| p.id))
            }

            async fn create_collaboration(
                &self,
                created_by: $crate::domain::Id,
                title: &str,
                chip_id: Option<$crate::domain::Id>,
                members: &[$crate::domain::CollaborationMember],
            ) -> Result<$crate::domain::Collaboration, StoreError> {
                self.collab_create_collaboration(created_by, title, chip_id, members).await
            }

            async fn set_collaboration_chip(
                &self,
                actor_id: $crate::domain::Id,
                collaboration_id: $crate::domain::Id,
                chip_id: $crate::domain::Id,
            ) -> Result<$crate::domain::Collaboration, StoreError> {
                self.collab_set_collaboration_chip(actor_id, collaboration_id, chip_id).await
            }

            async fn collaboration(&self, id: $crate::domain::Id) -> Result<$crate::domain::Collaboration, StoreError> {
                self.collab_collaboration(id).await
            }

            async fn designer_collaborations(
                &self,
                designer_id: $crate::domain::Id,
            ) -> Result<Vec<$crate::domain::Collaboration>, StoreError> {
                self.collab_designer_collaborations(designer_id).await
            }

            async fn list_chips_sorted(
                &self,
                filter: &$crate::domain::ChipFilter,
                sort: $crate::domain::ChipSort,
                cursor: Option<&str>,
                limit: u32,
            ) -> Result<$crate::domain::Page<$crate::domain::Chip>, StoreError> {
                self.sorted_chips(filter, sort, cursor, limit).await
            }

            async fn purchase_facts(
                &self,
                buyer_id: $crate::domain::Id,
            ) -> Result<Vec<$crate::domain::PurchaseFact>, StoreError> {
                self.buyer_purchase_facts(buyer_id).await
            }
        }
    };
}

pub(super) use impl_community_store;
