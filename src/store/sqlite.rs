//! SQLite backend (embedded default): WAL, foreign keys on, one writer at a time
//! (`BEGIN IMMEDIATE`) so read-then-write transactions never deadlock.

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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;
use std::{str::FromStr, time::Duration};
use time::OffsetDateTime;

/// A `Store` on a SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and creates, with its directory) the database file of `url`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        if let Some(parent) = opts.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", parent.display())))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.clamp(1, 8))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl_store!(SqliteStore, sqlx::Sqlite, super::Backend::Sqlite, {
    async fn claim_events(&self, limit: u32, lease_secs: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        // One writer at a time: the immediate transaction makes select-then-update atomic.
        let now = now();
        let until = now + time::Duration::seconds(lease_secs.max(1));
        let mut tx = self.begin_write().await?;
        let candidates: Vec<(Id, Option<OffsetDateTime>)> = sqlx::query_as(
            "SELECT id, claimed_until FROM outbox_events WHERE processed_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit) * 4 + 16)
        .fetch_all(&mut *tx)
        .await?;
        let mut events = Vec::new();
        for (id, claimed) in candidates {
            if events.len() >= limit as usize {
                break;
            }
            if claimed.is_some_and(|c| c >= now) {
                continue;
            }
            let row: OutboxRow = sqlx::query_as(
                "UPDATE outbox_events SET claimed_until = $2, attempts = attempts + 1 WHERE id = $1 \
                 RETURNING id, kind, aggregate_id, payload, attempts",
            )
            .bind(id)
            .bind(until)
            .fetch_one(&mut *tx)
            .await?;
            events.push(row.into());
        }
        tx.commit().await?;
        Ok(events)
    }
});

impl_market_store!(SqliteStore, sqlx::Sqlite);
super::digest_sql::impl_digest_store!(SqliteStore);
super::auth_sql::impl_auth_store!(SqliteStore);
super::community_sql::impl_community_store!(SqliteStore, sqlx::Sqlite);
super::collaboration_sql::impl_collaboration_store!(SqliteStore, sqlx::Sqlite);
super::catalog_sort_sql::impl_catalog_sort!(SqliteStore);

impl SqliteStore {
    /// SQLite runs one writer at a time (`BEGIN IMMEDIATE`), so a request with the
    /// same key has always finished before this one starts.
    async fn try_lock_key(_conn: &mut sqlx::SqliteConnection, _user_id: Id, _key: &str) -> Result<bool, StoreError> {
        Ok(true)
    }
}
