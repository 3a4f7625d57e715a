//! The store side of identity: TOTP state and recovery codes, refresh-token
//! families (sessions), and OAuth identities.

use super::rows::{USER_COLUMNS, UserRow};
use super::sql::now;
use super::{Store, StoreError};
use crate::domain::{Id, User, new_id};
use time::OffsetDateTime;

/// A user's two-factor state as stored (the secret is sealed by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    pub secret_sealed: Option<Vec<u8>>,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

/// A login session: one refresh-token family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    pub id: Id,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: it is now used and `new_hash` replaces it.
    Rotated { user_id: Id, family_id: Id },
    /// The token had been used before: the whole family is now revoked.
    Reused { user_id: Id, family_id: Id },
    /// Unknown, expired, or its session was revoked.
    Invalid,
}

impl Store {
    pub async fn totp_state(&self, user_id: Id) -> Result<TotpState, StoreError> {
        let (secret_sealed, enabled, last_step): (Option<Vec<u8>>, bool, Option<i64>) = self
            .db
            .query("SELECT totp_secret_enc, totp_enabled, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one()
            .await?;
        Ok(TotpState { secret_sealed, enabled, last_step })
    }

    /// Stores a pending (not yet confirmed) secret; `Conflict` when 2FA is already on.
    pub async fn set_pending_totp(&self, user_id: Id, secret_sealed: &[u8]) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE users SET totp_secret_enc = $2, updated_at = $3 WHERE id = $1 AND totp_enabled = FALSE")
            .bind(user_id)
            .bind(secret_sealed)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::Conflict("users_totp_enabled".into())) } else { Ok(()) }
    }

    /// Turns 2FA on with the step that proved it and replaces the recovery codes;
    /// `Conflict` when there is no pending enrolment.
    pub async fn enable_totp(&self, user_id: Id, step: i64, recovery_hashes: &[Vec<u8>]) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        let done = tx
            .query(
                "UPDATE users SET totp_enabled = TRUE, totp_last_step = $2, updated_at = $3 \
                 WHERE id = $1 AND totp_enabled = FALSE AND totp_secret_enc IS NOT NULL",
            )
            .bind(user_id)
            .bind(step)
            .bind(now())
            .execute()
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("users_totp_pending".into()));
        }
        tx.query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute().await?;
        for hash in recovery_hashes {
            tx.query("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)")
                .bind(new_id())
                .bind(user_id)
                .bind(hash.as_slice())
                .execute()
                .await?;
        }
        tx.commit().await
    }

    /// Turns 2FA off and forgets the secret and recovery codes.
    pub async fn disable_totp(&self, user_id: Id) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        let done = tx
            .query(
                "UPDATE users SET totp_enabled = FALSE, totp_secret_enc = NULL, totp_last_step = NULL, \
                 updated_at = $2 WHERE id = $1",
            )
            .bind(user_id)
            .bind(now())
            .execute()
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        tx.query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute().await?;
        tx.commit().await
    }

    /// Records `step` as used; `false` when it (or a later step) was used already.
    pub async fn accept_totp_step(&self, user_id: Id, step: i64) -> Result<bool, StoreError> {
        let done = self
            .db
            .query(
                "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_enabled = TRUE \
                 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(user_id)
            .bind(step)
            .execute()
            .await?;
        Ok(done == 1)
    }

    /// Spends a recovery code; `false` when unknown or already spent.
    pub async fn use_recovery_code(&self, user_id: Id, code_hash: &[u8]) -> Result<bool, StoreError> {
        let done = self
            .db
            .query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(code_hash)
            .bind(now())
            .execute()
            .await?;
        Ok(done == 1)
    }

    /// Starts a session with its first refresh token; returns the session id.
    pub async fn create_session(
        &self,
        user_id: Id,
        user_agent: Option<&str>,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<Id, StoreError> {
        let now = now();
        let family = new_id();
        let mut tx = self.db.begin_write().await?;
        tx.query(
            "INSERT INTO refresh_token_families (id, user_id, user_agent, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(family)
        .bind(user_id)
        .bind(user_agent)
        .bind(now)
        .execute()
        .await?;
        tx.query("INSERT INTO refresh_tokens (id, family_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(new_id())
            .bind(family)
            .bind(token_hash)
            .bind(now)
            .bind(expires_at)
            .execute()
            .await?;
        tx.commit().await?;
        Ok(family)
    }

    /// Spends a refresh token and stores its successor, or detects reuse and revokes
    /// the family, in one transaction.
    pub async fn rotate_refresh_token(
        &self,
        token_hash: &[u8],
        new_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<RefreshOutcome, StoreError> {
        let now = now();
        let mut tx = self.db.begin_write().await?;
        // Spending is one conditional UPDATE: of two concurrent uses, one spends the
        // token and the other finds it spent, which is reuse.
        let spent: Option<(Id, OffsetDateTime)> = tx
            .query(
                "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                 RETURNING family_id, expires_at",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional()
            .await?;
        let family: Option<(Id, Id, Option<OffsetDateTime>)> = tx
            .query(
                "SELECT f.id, f.user_id, f.revoked_at FROM refresh_tokens t \
                 JOIN refresh_token_families f ON f.id = t.family_id WHERE t.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional()
            .await?;
        let Some((family_id, user_id, revoked_at)) = family else {
            tx.rollback().await?;
            return Ok(RefreshOutcome::Invalid);
        };
        let Some((_, token_expires)) = spent else {
            if revoked_at.is_none() {
                tx.query(
                    "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = 'refresh_token_reuse' \
                     WHERE id = $1",
                )
                .bind(family_id)
                .bind(now)
                .execute()
                .await?;
            }
            tx.commit().await?;
            return Ok(RefreshOutcome::Reused { user_id, family_id });
        };
        if revoked_at.is_some() || token_expires <= now {
            tx.commit().await?;
            return Ok(RefreshOutcome::Invalid);
        }
        tx.query("INSERT INTO refresh_tokens (id, family_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(new_id())
            .bind(family_id)
            .bind(new_hash)
            .bind(now)
            .bind(expires_at)
            .execute()
            .await?;
        tx.query("UPDATE refresh_token_families SET last_used_at = $2 WHERE id = $1")
            .bind(family_id)
            .bind(now)
            .execute()
            .await?;
        tx.commit().await?;
        Ok(RefreshOutcome::Rotated { user_id, family_id })
    }

    /// The user's sessions that are not revoked, newest first.
    pub async fn list_sessions(&self, user_id: Id) -> Result<Vec<LoginSession>, StoreError> {
        let rows: Vec<(Id, Option<String>, OffsetDateTime, OffsetDateTime)> = self
            .db
            .query(
                "SELECT id, user_agent, created_at, last_used_at FROM refresh_token_families \
                 WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 200",
            )
            .bind(user_id)
            .fetch_all()
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, user_agent, created_at, last_used_at)| LoginSession { id, user_agent, created_at, last_used_at })
            .collect())
    }

    /// Revokes one of the user's sessions; `NotFound` if it is not theirs.
    pub async fn revoke_session(&self, user_id: Id, session_id: Id, reason: &str) -> Result<(), StoreError> {
        let done = self
            .db
            .query(
                "UPDATE refresh_token_families SET revoked_at = $3, revoked_reason = $4 \
                 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            )
            .bind(session_id)
            .bind(user_id)
            .bind(now())
            .bind(reason)
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Revokes every live session of the user; how many there were.
    pub async fn revoke_all_sessions(&self, user_id: Id, reason: &str) -> Result<u64, StoreError> {
        self.db
            .query(
                "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 \
                 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(now())
            .bind(reason)
            .execute()
            .await
    }

    /// Revokes the session a refresh token belongs to; the owner, if any.
    pub async fn revoke_session_by_token(&self, token_hash: &[u8], reason: &str) -> Result<Option<Id>, StoreError> {
        self.db
            .query(
                "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 \
                 WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) \
                 RETURNING user_id",
            )
            .bind(token_hash)
            .bind(now())
            .bind(reason)
            .scalar_optional()
            .await
    }

    /// Whether the session exists, belongs to the user and is not revoked.
    pub async fn session_active(&self, user_id: Id, session_id: Id) -> Result<bool, StoreError> {
        let revoked: Option<Option<OffsetDateTime>> = self
            .db
            .query(
                "SELECT f.revoked_at FROM refresh_token_families f JOIN users u ON u.id = f.user_id \
                 WHERE f.id = $1 AND f.user_id = $2 AND NOT u.disabled",
            )
            .bind(session_id)
            .bind(user_id)
            .scalar_optional()
            .await?;
        Ok(matches!(revoked, Some(None)))
    }

    pub async fn user_by_oauth(&self, provider: &str, subject: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = self
            .db
            .query(format!(
                "SELECT {USER_COLUMNS} FROM users WHERE id = \
                 (SELECT user_id FROM oauth_identities WHERE provider = $1 AND subject = $2)"
            ))
            .bind(provider)
            .bind(subject)
            .fetch_optional()
            .await?;
        row.map(User::try_from).transpose()
    }

    /// Links a provider's subject to the user; `Conflict` when it belongs to another.
    pub async fn link_oauth(
        &self,
        user_id: Id,
        provider: &str,
        subject: &str,
        access_token_sealed: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let done = self
            .db
            .query(
                "INSERT INTO oauth_identities (id, user_id, provider, subject, access_token_enc, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, subject) DO UPDATE \
                 SET access_token_enc = excluded.access_token_enc WHERE oauth_identities.user_id = excluded.user_id",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(provider)
            .bind(subject)
            .bind(access_token_sealed)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::Conflict("oauth_identities_provider_subject_key".into())) } else { Ok(()) }
    }
}
