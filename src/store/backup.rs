//! What backups need from the database: its tables and their row counts (to tell an
//! empty database and to check a restore), and, for SQLite, a consistent copy taken
//! while the database is in use. PostgreSQL is copied by `pg_dump` (see
//! [`crate::app::backup`]).

use super::{Backend, Store, StoreError};
use std::collections::BTreeMap;
use std::path::Path;

/// The migrations' own bookkeeping table: present in every migrated database.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

impl Store {
    /// Every table of the application's schema with its number of rows.
    pub async fn table_counts(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let list = match self.backend() {
            Backend::Postgres => {
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            }
        };
        let tables: Vec<String> = self.db.query(list).scalars().await?;
        let mut counts = BTreeMap::new();
        for t in tables {
            // Names come from the database's own catalog, quoted as identifiers.
            let quoted = format!("\"{}\"", t.replace('"', "\"\""));
            let n: i64 = self.db.query(format!("SELECT COUNT(*) FROM {quoted}")).scalar().await?;
            counts.insert(t, n);
        }
        Ok(counts)
    }

    /// Whether the database holds no data: no tables, or only empty ones (the
    /// migrations' bookkeeping aside).
    pub async fn holds_no_data(&self) -> Result<bool, StoreError> {
        Ok(self.table_counts().await?.iter().all(|(t, n)| *n == 0 || t == MIGRATIONS_TABLE))
    }

    /// Writes a consistent copy of a SQLite database to `path` (which must not exist),
    /// while others keep using it.
    pub async fn copy_sqlite_to(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Invalid("only a SQLite database is copied this way".into()));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Invalid("the backup path is not UTF-8".into()))?;
        self.db.query("VACUUM INTO $1").bind(target).execute().await.map(drop)
    }

    /// Drops every table of a PostgreSQL database holding no data, so a dump can be
    /// restored into it.
    pub async fn clear_empty_postgres(&self) -> Result<(), StoreError> {
        if self.backend() != Backend::Postgres || !self.holds_no_data().await? {
            return Err(StoreError::Invalid("only an empty PostgreSQL database is cleared".into()));
        }
        self.db.query("DROP SCHEMA public CASCADE").execute().await?;
        self.db.query("CREATE SCHEMA public").execute().await.map(drop)
    }
}
