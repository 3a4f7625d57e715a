//! The outbox: events written in the same transaction as the change they announce,
//! claimed by workers with a lease. Claiming is where the dialects differ most:
//! PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`); SQLite has
//! one writer at a time, so select-then-update inside `BEGIN IMMEDIATE` is atomic.

use super::rows::{DeadEventRow, OutboxRow};
use super::sql::now;
use super::{Store, StoreError, Tx, page_of};
use crate::domain::{DeadEvent, Id, OutboxCounts, OutboxEvent, Page, PageRequest, new_id};
use sqlx::types::Json;
use time::OffsetDateTime;

/// An event to write: what happened, to which aggregate, with what details.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: &'static str,
    pub aggregate_id: Id,
    pub payload: serde_json::Value,
}

impl Tx {
    /// Writes an outbox event inside this transaction.
    pub async fn insert_event(&mut self, e: &NewEvent) -> Result<Id, StoreError> {
        let id = new_id();
        self.query(
            "INSERT INTO outbox_events (id, kind, aggregate_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(e.kind)
        .bind(e.aggregate_id)
        .bind(Json(&e.payload))
        .bind(now())
        .execute()
        .await?;
        Ok(id)
    }
}

impl Store {
    pub async fn enqueue_event(&self, e: &NewEvent) -> Result<Id, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let id = tx.insert_event(e).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` unprocessed events for `lease_secs`; concurrent claimers
    /// get disjoint sets. Events come back in creation order.
    pub async fn claim_events(&self, limit: u32, lease_secs: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        let now = now();
        let until = now + time::Duration::seconds(lease_secs.max(1));
        let mut tx = self.db.begin_write().await?;
        let rows: Vec<OutboxRow> = match tx.backend() {
            super::Backend::Postgres => {
                tx.query(
                    "UPDATE outbox_events SET claimed_until = $2, attempts = attempts + 1 WHERE id IN ( \
                         SELECT id FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL \
                         AND (claimed_until IS NULL OR claimed_until < $1) \
                         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                     RETURNING id, kind, aggregate_id, payload, attempts",
                )
                .bind(now)
                .bind(until)
                .bind(i64::from(limit))
                .fetch_all()
                .await?
            }
            super::Backend::Sqlite => {
                let ids: Vec<Id> = tx
                    .query(
                        "SELECT id FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL \
                         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT $2",
                    )
                    .bind(now)
                    .bind(i64::from(limit))
                    .scalars()
                    .await?;
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    rows.push(
                        tx.query(
                            "UPDATE outbox_events SET claimed_until = $2, attempts = attempts + 1 WHERE id = $1 \
                             RETURNING id, kind, aggregate_id, payload, attempts",
                        )
                        .bind(id)
                        .bind(until)
                        .fetch_one()
                        .await?,
                    );
                }
                rows
            }
        };
        tx.commit().await?;
        let mut events: Vec<OutboxEvent> = rows.into_iter().map(Into::into).collect();
        events.sort_by_key(|e| e.id);
        Ok(events)
    }

    pub async fn complete_event(&self, id: Id) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE outbox_events SET processed_at = $2, claimed_until = NULL WHERE id = $1")
            .bind(id)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Records a failed attempt: the event is tried again after `retry_at`, or, with
    /// `None` (its attempts are used up), set aside as dead.
    pub async fn fail_event(&self, id: Id, error: &str, retry_at: Option<OffsetDateTime>) -> Result<(), StoreError> {
        let q = match retry_at {
            Some(at) => self
                .db
                .query("UPDATE outbox_events SET last_error = $2, claimed_until = $3 WHERE id = $1")
                .bind(id)
                .bind(error)
                .bind(at),
            None => self
                .db
                .query("UPDATE outbox_events SET last_error = $2, claimed_until = NULL, dead_at = $3 WHERE id = $1")
                .bind(id)
                .bind(error)
                .bind(now()),
        };
        if q.execute().await? == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Dead events, oldest first.
    pub async fn dead_events(&self, page: PageRequest) -> Result<Page<DeadEvent>, StoreError> {
        let rows: Vec<DeadEventRow> = self
            .db
            .query(
                "SELECT id, kind, aggregate_id, payload, attempts, last_error, dead_at, created_at FROM outbox_events \
                 WHERE dead_at IS NOT NULL AND ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2",
            )
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items: Vec<DeadEvent> = rows.into_iter().map(Into::into).collect();
        Ok(page_of(items, page.limit, |e| e.id))
    }

    /// Puts a dead event back in the queue with its attempts reset; `NotFound` when
    /// there is no such dead event.
    pub async fn revive_event(&self, id: Id) -> Result<(), StoreError> {
        let done = self
            .db
            .query(
                "UPDATE outbox_events SET dead_at = NULL, attempts = 0, claimed_until = NULL \
                 WHERE id = $1 AND dead_at IS NOT NULL",
            )
            .bind(id)
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Events waiting to be handled (including those between retries) and dead ones.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let pending: i64 = self
            .db
            .query("SELECT COUNT(*) FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL")
            .scalar()
            .await?;
        let dead: i64 = self.db.query("SELECT COUNT(*) FROM outbox_events WHERE dead_at IS NOT NULL").scalar().await?;
        Ok(OutboxCounts { pending, dead })
    }
}
