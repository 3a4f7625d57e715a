//! Key checks: a short value sealed with each field key when it is first used, so a
//! process started with another key of the same id (a second instance with its own
//! data directory, a lost volume) is refused instead of sealing new data with a key
//! the old data cannot be opened with.

use super::sql::now;
use super::{Store, StoreError};

impl Store {
    /// Every recorded key check: (key id, sealed value).
    pub async fn key_checks(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let rows: Vec<(String, Vec<u8>)> =
            self.db.query("SELECT key_id, sealed FROM key_checks ORDER BY key_id").fetch_all().await?;
        Ok(rows)
    }

    /// Records the check of a key unless one is recorded already (the first wins).
    pub async fn add_key_check(&self, key_id: &str, sealed: &[u8]) -> Result<(), StoreError> {
        self.db
            .query("INSERT INTO key_checks (key_id, sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING")
            .bind(key_id)
            .bind(sealed)
            .bind(now())
            .execute()
            .await
            .map(drop)
    }

    /// Forgets the check of a key no value is sealed with any more, so the key may
    /// be dropped from the configuration.
    pub async fn remove_key_check(&self, key_id: &str) -> Result<(), StoreError> {
        self.db.query("DELETE FROM key_checks WHERE key_id = $1").bind(key_id).execute().await.map(drop)
    }
}
