//! The collaboration SQL shared by both backends: members and shares, and the
//! link from a collaboration to the draft chip it produces.

/// Adds the collaboration queries that [`super::CommunityStore`] delegates to.
macro_rules! impl_collaboration_store {
    ($ty:ty, $db:ty) => {
        impl $ty {
            /// Loads collaborations by id with their members, in the order given.
            async fn load_collaborations(
                &self,
                rows: Vec<($crate::domain::Id, String, Option<$crate::domain::Id>, $crate::domain::Id, time::OffsetDateTime)>,
            ) -> Result<Vec<$crate::domain::Collaboration>, StoreError> {
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT collaboration_id, designer_id, share_bps FROM collaboration_members WHERE collaboration_id IN (",
                );
                let mut list = qb.separated(", ");
                for r in &rows {
                    list.push_bind(r.0);
                }
                qb.push(") ORDER BY designer_id");
                let members: Vec<($crate::domain::Id, $crate::domain::Id, i32)> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, title, chip_id, created_by, created_at)| {
                        let members = members
                            .iter()
                            .filter(|m| m.0 == id)
                            .map(|m| {
                                Ok($crate::domain::CollaborationMember {
                                    designer_id: m.1,
                                    share_bps: u16::try_from(m.2).map_err(StoreError::corrupt)?,
                                })
                            })
                            .collect::<Result<Vec<_>, StoreError>>()?;
                        Ok($crate::domain::Collaboration { id, title, chip_id, created_by, members, created_at })
                    })
                    .collect()
            }

            /// Links a draft chip to a collaboration inside the caller's transaction.
            async fn link_collaboration_chip(
                conn: &mut <$db as sqlx::Database>::Connection,
                actor_id: $crate::domain::Id,
                collaboration_id: $crate::domain::Id,
                chip_id: $crate::domain::Id,
            ) -> Result<(), StoreError> {
                let chip: Option<($crate::domain::Id, String, String)> =
                    sqlx::query_as("SELECT designer_id, status, vlnv FROM chips WHERE id = $1")
                        .bind(chip_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let (designer_id, status, vlnv) = chip.ok_or(StoreError::NotFound)?;
                if designer_id != actor_id {
                    return Err(StoreError::Forbidden("only the chip's designer can link it to a collaboration".into()));
                }
                if status != "draft" {
                    return Err(StoreError::Invalid(format!("the chip is {status}; only drafts can be linked")));
                }
                let other: Option<$crate::domain::Id> =
                    sqlx::query_scalar("SELECT id FROM collaborations WHERE chip_id = $1 AND id <> $2")
                        .bind(chip_id)
                        .bind(collaboration_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                if other.is_some() {
                    return Err(StoreError::Conflict("collaborations_chip".into()));
                }
                let members: Vec<($crate::domain::Id, i32)> = sqlx::query_as(
                    "SELECT designer_id, share_bps FROM collaboration_members WHERE collaboration_id = $1 ORDER BY designer_id",
                )
                .bind(collaboration_id)
                .fetch_all(&mut *conn)
                .await?;
                for (member, share) in members.into_iter().filter(|(m, _)| *m != designer_id) {
                    sqlx::query(
                        "INSERT INTO chip_contributions (id, chip_id, contributor_id, vlnv, share_bps) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (chip_id, contributor_id, vlnv) DO UPDATE SET share_bps = excluded.share_bps",
                    )
                    .bind($crate::domain::new_id())
                    .bind(chip_id)
                    .bind(member)
                    .bind(&vlnv)
                    .bind(share)
                    .execute(&mut *conn)
                    .await?;
                }
                let total: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(share_bps), 0) AS BIGINT) FROM chip_contributions WHERE chip_id = $1",
                )
                .bind(chip_id)
                .fetch_one(&mut *conn)
                .await?;
                if total > 10_000 {
                    return Err(StoreError::Invalid(format!("the chip's contributions would add up to {total} bps")));
                }
                sqlx::query("UPDATE collaborations SET chip_id = $2 WHERE id = $1")
                    .bind(collaboration_id)
                    .bind(chip_id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            async fn collab_create_collaboration(
                &self,
                created_by: $crate::domain::Id,
                title: &str,
                chip_id: Option<$crate::domain::Id>,
                members: &[$crate::domain::CollaborationMember],
            ) -> Result<$crate::domain::Collaboration, StoreError> {
                $crate::store::community::check_shares(members)?;
                let id = $crate::domain::new_id();
                let mut tx = self.begin_write().await?;
                for m in members {
                    let designer: Option<$crate::domain::Id> =
                        sqlx::query_scalar("SELECT user_id FROM designer_profiles WHERE user_id = $1")
                            .bind(m.designer_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if designer.is_none() {
                        return Err(StoreError::Invalid(format!("member {} is not a designer", m.designer_id)));
                    }
                }
                sqlx::query("INSERT INTO collaborations (id, title, chip_id, created_by, created_at) VALUES ($1, $2, NULL, $3, $4)")
                    .bind(id)
                    .bind(title.trim())
                    .bind(created_by)
                    .bind($crate::store::shared::now())
                    .execute(&mut *tx)
                    .await?;
                for m in members {
                    sqlx::query("INSERT INTO collaboration_members (collaboration_id, designer_id, share_bps) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(m.designer_id)
                        .bind(i32::from(m.share_bps))
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(chip) = chip_id {
                    Self::link_collaboration_chip(&mut tx, created_by, id, chip).await?;
                }
                tx.commit().await?;
                self.collab_collaboration(id).await
            }

            async fn collab_set_collaboration_chip(
                &self,
                actor_id: $crate::domain::Id,
                collaboration_id: $crate::domain::Id,
                chip_id: $crate::domain::Id,
            ) -> Result<$crate::domain::Collaboration, StoreError> {
                let mut tx = self.begin_write().await?;
                let exists: Option<$crate::domain::Id> = sqlx::query_scalar("SELECT id FROM collaborations WHERE id = $1")
                    .bind(collaboration_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                Self::link_collaboration_chip(&mut tx, actor_id, collaboration_id, chip_id).await?;
                tx.commit().await?;
                self.collab_collaboration(collaboration_id).await
            }

            async fn collab_collaboration(&self, id: $crate::domain::Id) -> Result<$crate::domain::Collaboration, StoreError> {
                let row: ($crate::domain::Id, String, Option<$crate::domain::Id>, $crate::domain::Id, time::OffsetDateTime) =
                    sqlx::query_as("SELECT id, title, chip_id, created_by, created_at FROM collaborations WHERE id = $1")
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                self.load_collaborations(vec![row]).await?.pop().ok_or(StoreError::NotFound)
            }

            async fn collab_designer_collaborations(
                &self,
                designer_id: $crate::domain::Id,
            ) -> Result<Vec<$crate::domain::Collaboration>, StoreError> {
                let rows = sqlx::query_as(
                    "SELECT id, title, chip_id, created_by, created_at FROM collaborations WHERE created_by = $1 \
                     OR id IN (SELECT collaboration_id FROM collaboration_members WHERE designer_id = $1) ORDER BY id",
                )
                .bind(designer_id)
                .fetch_all(&self.pool)
                .await?;
                self.load_collaborations(rows).await
            }
        }
    };
}

pub(super) use impl_collaboration_store;
