//! PostgreSQL backend (production): row locks and `SKIP LOCKED` for concurrent workers.

use super::market_rows::*;
use super::market_sql::impl_market_store;
use super::rows::*;
use super::shared::{impl_store, now};
use super::{NewAuditEntry, StoreError, VoiceCommandRecord, page_of};
use crate::domain::{
    AuditEntry, Chip, ChipFilter, ChipStatus, ClientPreferences, Currency, DesignerProfile, Earnings, FanoutReport,
    Handle, Id, Licence, Money, NewChip, NewUser, Notification, NotifyFrequency, OutboxEvent, Page, PageRequest,
    Purchase, PurchaseReceipt, PurchaseRequest, PurchaseSource, Review, Role, SplitParty, Subscription,
    SubscriptionChange, User, VoiceStatus, Wallet, new_id, split_sale,
};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use std::time::Duration;

/// A `Store` on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

impl_store!(PgStore, sqlx::Postgres, super::Backend::Postgres, {
    async fn claim_events(&self, limit: u32, lease_secs: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        let now = now();
        let until = now + time::Duration::seconds(lease_secs.max(1));
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "UPDATE outbox_events SET claimed_until = $2, attempts = attempts + 1 WHERE id IN ( \
                 SELECT id FROM outbox_events WHERE processed_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < $1) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, kind, aggregate_id, payload, attempts",
        )
        .bind(now)
        .bind(until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut events: Vec<OutboxEvent> = rows.into_iter().map(Into::into).collect();
        events.sort_by_key(|e| e.id);
        Ok(events)
    }
});

impl_market_store!(PgStore, sqlx::Postgres);
super::digest_sql::impl_digest_store!(PgStore);
super::auth_sql::impl_auth_store!(PgStore);
super::community_sql::impl_community_store!(PgStore, sqlx::Postgres);
super::collaboration_sql::impl_collaboration_store!(PgStore, sqlx::Postgres);
super::catalog_sort_sql::impl_catalog_sort!(PgStore);

impl PgStore {
    /// Guards an idempotency key for the rest of the transaction; `false` when
    /// another transaction holds it (a request with the same key is in flight).
    async fn try_lock_key(conn: &mut sqlx::PgConnection, user_id: Id, key: &str) -> Result<bool, StoreError> {
        let lock = stable_hash(&[user_id.as_bytes(), key.as_bytes()]);
        Ok(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(lock).fetch_one(conn).await?)
    }
}
