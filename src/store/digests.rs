//! Notification digests: one row per (user, period, start date), stamping the
//! notifications it carries in the same transaction.

use super::sql::now;
use super::{Store, StoreError};
use crate::domain::{Digest, DigestPeriod, Id, PendingDigest, new_id};
use sqlx::types::Json;
use time::{Date, OffsetDateTime};

impl Store {
    /// Users with notifications of `period` not yet in a digest.
    pub async fn pending_digests(&self, period: DigestPeriod) -> Result<Vec<PendingDigest>, StoreError> {
        let rows: Vec<(Id, String, OffsetDateTime)> = self
            .db
            .query(
                "SELECT n.user_id, u.timezone, MIN(n.created_at) FROM notifications n JOIN users u ON u.id = n.user_id \
                 WHERE n.digest_id IS NULL AND n.deliver <> 'immediate' AND n.deliver = $1 \
                 GROUP BY n.user_id, u.timezone ORDER BY n.user_id",
            )
            .bind(period.as_str())
            .fetch_all()
            .await?;
        Ok(rows.into_iter().map(|(user_id, timezone, oldest)| PendingDigest { user_id, timezone, oldest }).collect())
    }

    /// In one transaction, creates the digest of `(user, period, period_start)` and
    /// stamps into it every waiting notification of `period` created before `until`.
    /// `None` when that digest exists already (another run made it) or nothing waits.
    pub async fn create_digest(
        &self,
        user_id: Id,
        period: DigestPeriod,
        period_start: Date,
        until: OffsetDateTime,
    ) -> Result<Option<Digest>, StoreError> {
        let created_at = now();
        let until = until.to_offset(time::UtcOffset::UTC);
        let mut tx = self.db.begin_write().await?;
        // The unique (user, period, period_start) makes a second run wait for the
        // first and then find the row: it makes nothing.
        let id: Option<Id> = tx
            .query(
                "INSERT INTO digests (id, user_id, period, period_start, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, period, period_start) DO NOTHING RETURNING id",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(period.as_str())
            .bind(period_start)
            .bind(Json(serde_json::json!({})))
            .bind(created_at)
            .scalar_optional()
            .await?;
        let Some(id) = id else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut items: Vec<(Id, String, Option<Id>, Json<serde_json::Value>)> = tx
            .query(
                "UPDATE notifications SET digest_id = $1 WHERE user_id = $2 AND deliver = $3 \
                 AND digest_id IS NULL AND created_at < $4 RETURNING id, kind, chip_id, payload",
            )
            .bind(id)
            .bind(user_id)
            .bind(period.as_str())
            .bind(until)
            .fetch_all()
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
        tx.query("UPDATE digests SET body = $2 WHERE id = $1").bind(id).bind(Json(&body)).execute().await?;
        tx.commit().await?;
        Ok(Some(Digest {
            id,
            user_id,
            period,
            period_start,
            notification_ids: items.into_iter().map(|i| i.0).collect(),
            created_at,
        }))
    }

    /// A user's digests, oldest first, each with the notifications it carries.
    pub async fn list_digests(&self, user_id: Id) -> Result<Vec<Digest>, StoreError> {
        let rows: Vec<(Id, String, Date, OffsetDateTime)> = self
            .db
            .query("SELECT id, period, period_start, created_at FROM digests WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all()
            .await?;
        let stamped: Vec<(Id, Id)> = self
            .db
            .query("SELECT id, digest_id FROM notifications WHERE user_id = $1 AND digest_id IS NOT NULL ORDER BY id")
            .bind(user_id)
            .fetch_all()
            .await?;
        rows.into_iter()
            .map(|(id, period, period_start, created_at)| {
                Ok(Digest {
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
