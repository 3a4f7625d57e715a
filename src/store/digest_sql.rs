//! The digest SQL shared by both backends; each backend supplies `begin_write`.

/// Implements [`super::DigestStore`] for a backend type.
macro_rules! impl_digest_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::DigestStore for $ty {
            async fn set_user_timezone(&self, user_id: $crate::domain::Id, timezone: &str) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE users SET timezone = $2, updated_at = $3 WHERE id = $1")
                    .bind(user_id)
                    .bind(timezone)
                    .bind($crate::store::shared::now())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn user_timezone(&self, user_id: $crate::domain::Id) -> Result<String, StoreError> {
                Ok(sqlx::query_scalar("SELECT timezone FROM users WHERE id = $1").bind(user_id).fetch_one(&self.pool).await?)
            }

            async fn pending_digests(
                &self,
                period: $crate::domain::DigestPeriod,
            ) -> Result<Vec<$crate::domain::PendingDigest>, StoreError> {
                let rows: Vec<($crate::domain::Id, String, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT n.user_id, u.timezone, MIN(n.created_at) FROM notifications n JOIN users u ON u.id = n.user_id \
                     WHERE n.digest_id IS NULL AND n.deliver <> 'immediate' AND n.deliver = $1 GROUP BY n.user_id, u.timezone ORDER BY n.user_id",
                )
                .bind(period.as_str())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user_id, timezone, oldest)| $crate::domain::PendingDigest { user_id, timezone, oldest })
                    .collect())
            }

            async fn create_digest(
                &self,
                user_id: $crate::domain::Id,
                period: $crate::domain::DigestPeriod,
                period_start: time::Date,
                until: time::OffsetDateTime,
            ) -> Result<Option<$crate::domain::Digest>, StoreError> {
                let created_at = $crate::store::shared::now();
                let until = until.to_offset(time::UtcOffset::UTC);
                let mut tx = self.begin_write().await?;
                // The unique (user, period, period_start) makes a second run wait for the
                // first and then find the row: it makes nothing.
                let id: Option<$crate::domain::Id> = sqlx::query_scalar(
                    "INSERT INTO digests (id, user_id, period, period_start, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, period, period_start) DO NOTHING RETURNING id",
                )
                .bind($crate::domain::new_id())
                .bind(user_id)
                .bind(period.as_str())
                .bind(period_start)
                .bind(sqlx::types::Json(serde_json::json!({})))
                .bind(created_at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let mut items: Vec<($crate::domain::Id, String, Option<$crate::domain::Id>, sqlx::types::Json<serde_json::Value>)> =
                    sqlx::query_as(
                        "UPDATE notifications SET digest_id = $1 WHERE user_id = $2 AND deliver = $3 \
                         AND digest_id IS NULL AND created_at < $4 RETURNING id, kind, chip_id, payload",
                    )
                    .bind(id)
                    .bind(user_id)
                    .bind(period.as_str())
                    .bind(until)
                    .fetch_all(&mut *tx)
                    .await?;
                if items.is_empty() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                items.sort_by_key(|i| i.0);
                let body = serde_json::json!({
                    "period": period.as_str(),
                    "period_start": period_start.to_string(),
                    "count": items.len(),
                    "items": items.iter().map(|(nid, kind, chip_id, payload)| serde_json::json!({
                        "id": nid, "kind": kind, "chip_id": chip_id, "payload": payload.0,
                    })).collect::<Vec<_>>(),
                });
                sqlx::query("UPDATE digests SET body = $2 WHERE id = $1")
                    .bind(id)
                    .bind(sqlx::types::Json(&body))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some($crate::domain::Digest {
                    id,
                    user_id,
                    period,
                    period_start,
                    notification_ids: items.into_iter().map(|i| i.0).collect(),
                    created_at,
                }))
            }

            async fn list_digests(&self, user_id: $crate::domain::Id) -> Result<Vec<$crate::domain::Digest>, StoreError> {
                let rows: Vec<($crate::domain::Id, String, time::Date, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, period, period_start, created_at FROM digests WHERE user_id = $1 ORDER BY id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                let stamped: Vec<($crate::domain::Id, $crate::domain::Id)> = sqlx::query_as(
                    "SELECT id, digest_id FROM notifications WHERE user_id = $1 AND digest_id IS NOT NULL ORDER BY id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, period, period_start, created_at)| {
                        Ok($crate::domain::Digest {
                            id,
                            user_id,
                            period: period.parse().map_err(StoreError::corrupt)?,
                            period_start,
                            notification_ids: stamped.iter().filter(|(_, d)| *d == id).map(|(n, _)| *n).collect(),
                            created_at,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(super) use impl_digest_store;
