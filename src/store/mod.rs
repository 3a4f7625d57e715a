//! Persistence: one [`Store`] over PostgreSQL (production) or SQLite (the embedded
//! default). It keeps data and enforces the database's constraints; the business
//! rules (who may buy, limits, reviews…) live in the services that call it.
//!
//! Each file holds the queries of one aggregate: `users`, `profiles`, `catalog`,
//! `wallets`, `sales` (the steps of a purchase), `subscriptions`, `notifications`,
//! `reviews`, `voice`, `outbox`, `audit`, `sessions`, `groups`, `collaborations`,
//! `digests`. `sql` is the one place that knows there are two dialects.

mod audit;
mod backup;
mod catalog;
mod catalog_sort;
mod collaborations;
mod deliveries;
mod digests;
mod error;
mod groups;
mod key_checks;
mod memberships;
mod notifications;
mod outbox;
mod patterns;
mod profiles;
mod reviews;
mod rows;
mod sales;
mod sealed;
mod sessions;
mod sql;
mod statements;
mod subscriptions;
mod users;
mod vectors;
mod voice;
mod wallets;

pub use audit::NewAuditEntry;
pub use collaborations::ChipLink;
pub use deliveries::{Channels, DeliveryCounts, DeliveryItem, DeliveryJob};
pub use error::StoreError;
pub use outbox::NewEvent;
pub use sales::{Edition, IdempotencyRecord, RefundLine};
pub use sealed::{SealedColumn, SealedValue};
pub use sessions::{LoginSession, RefreshOutcome, TotpState};
pub use sql::{Backend, Savepoint, Tx};
pub use statements::HeldLicence;
pub use vectors::ChipVectorRow;
pub use voice::VoiceCommandRecord;
pub use wallets::LedgerLine;

use crate::config::SecretUrl;
use crate::domain::{Id, Page, encode_cursor};
use sql::Db;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{str::FromStr, time::Duration};

/// The database. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens the database named by `url` (creating a SQLite file and its directory
    /// if needed) and applies pending migrations.
    pub async fn connect(url: &SecretUrl, max_connections: u32) -> Result<Self, StoreError> {
        let store = Self::open(url.expose(), max_connections).await.map_err(|e| match e {
            StoreError::Invalid(_) => StoreError::Invalid(format!("unsupported database URL {url}")),
            other => other,
        })?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database of `url` without migrating it.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections.max(1))
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Self { db: Db::Postgres(pool) })
        } else if url.starts_with("sqlite:") {
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
            Ok(Self { db: Db::Sqlite(pool) })
        } else {
            Err(StoreError::Invalid("unsupported database URL".into()))
        }
    }

    /// Applies the migrations embedded in the binary.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Cheap liveness check for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.query("SELECT 1").execute().await.map(drop)
    }

    /// Starts a write transaction for a unit of work made of several steps.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.db.begin_write().await
    }

    /// Closes every connection (tests drop their databases afterwards).
    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// Cuts the one extra row a page query fetches and turns it into a cursor.
fn page_of<T>(mut items: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Id) -> Page<T> {
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|t| encode_cursor(id_of(t)))
    } else {
        None
    };
    Page { items, next_cursor }
}
