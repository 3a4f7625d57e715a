//! The columns that hold values sealed with a field key, read and rewritten in
//! batches so every value can be sealed again with a new key (`holomesh keys rotate`).

use super::{Store, StoreError};
use crate::domain::Id;

/// A column of sealed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SealedColumn {
    TotpSecret,
    OauthToken,
    DesignerKey,
    Transcript,
}

impl SealedColumn {
    pub const ALL: [SealedColumn; 4] =
        [SealedColumn::TotpSecret, SealedColumn::OauthToken, SealedColumn::DesignerKey, SealedColumn::Transcript];

    /// `table.column`, as the schema spells it.
    pub fn name(self) -> &'static str {
        match self {
            SealedColumn::TotpSecret => "users.totp_secret_enc",
            SealedColumn::OauthToken => "oauth_identities.access_token_enc",
            SealedColumn::DesignerKey => "designer_profiles.private_key_enc",
            SealedColumn::Transcript => "voice_commands.transcript_enc",
        }
    }

    /// (table, key column, sealed column, what else the associated data names).
    fn parts(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            SealedColumn::TotpSecret => ("users", "id", "totp_secret_enc", "''"),
            SealedColumn::OauthToken => ("oauth_identities", "id", "access_token_enc", "provider || ':' || subject"),
            SealedColumn::DesignerKey => ("designer_profiles", "user_id", "private_key_enc", "''"),
            SealedColumn::Transcript => ("voice_commands", "id", "transcript_enc", "''"),
        }
    }
}

/// One sealed value and the row it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedValue {
    /// The row's key.
    pub row_id: Id,
    /// For OAuth tokens `provider:subject` (what the value is bound to); empty otherwise.
    pub binding: String,
    pub sealed: Vec<u8>,
}

impl Store {
    /// Sealed values of `column` in rows after `after` (by key), at most `limit`.
    pub async fn sealed_values(
        &self,
        column: SealedColumn,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<SealedValue>, StoreError> {
        let (table, key, col, binding) = column.parts();
        let sql = |from: &str, limit: &str| {
            format!(
                "SELECT {key} AS row_id, {binding} AS binding, {col} AS sealed FROM {table} \
                 WHERE {col} IS NOT NULL {from} ORDER BY {key} LIMIT {limit}"
            )
        };
        let limit = i64::from(limit);
        match after {
            Some(id) => self.db.query(sql(&format!("AND {key} > $1"), "$2")).bind(id).bind(limit).fetch_all().await,
            None => self.db.query(sql("", "$1")).bind(limit).fetch_all().await,
        }
    }

    /// Replaces a sealed value, unless it changed since it was read; whether it was replaced.
    pub async fn replace_sealed(
        &self,
        column: SealedColumn,
        row: Id,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let (table, key, col, _) = column.parts();
        let n = self
            .db
            .query(format!("UPDATE {table} SET {col} = $1 WHERE {key} = $2 AND {col} = $3"))
            .bind(new)
            .bind(row)
            .bind(old)
            .execute()
            .await?;
        Ok(n == 1)
    }
}
