//! The identity SQL shared by both backends; each backend supplies `begin_write`.

/// Implements [`super::AuthStore`] for a backend type.
macro_rules! impl_auth_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AuthStore for $ty {
            async fn set_display_name(&self, user_id: Id, display_name: &str) -> Result<User, StoreError> {
                let sql = concat!(
                    "UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1 RETURNING ",
                    user_columns!()
                );
                let row: UserRow =
                    sqlx::query_as(sql).bind(user_id).bind(display_name).bind(now()).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn set_password_hash(&self, user_id: Id, hash: &str) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                    .bind(user_id)
                    .bind(hash)
                    .bind(now())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn list_users(&self, page: PageRequest) -> Result<Page<User>, StoreError> {
                let sql = concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
                );
                let rows: Vec<UserRow> = sqlx::query_as(sql)
                    .bind(page.after)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let users = rows.into_iter().map(User::try_from).collect::<Result<Vec<_>, _>>()?;
                Ok(page_of(users, page.limit, |u| u.id))
            }

            async fn totp_state(&self, user_id: Id) -> Result<$crate::store::TotpState, StoreError> {
                let (secret_sealed, enabled, last_step): (Option<Vec<u8>>, bool, Option<i64>) =
                    sqlx::query_as("SELECT totp_secret_enc, totp_enabled, totp_last_step FROM users WHERE id = $1")
                        .bind(user_id)
                        .fetch_one(&self.pool)
                        .await?;
                Ok($crate::store::TotpState { secret_sealed, enabled, last_step })
            }

            async fn set_pending_totp(&self, user_id: Id, secret_sealed: &[u8]) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE users SET totp_secret_enc = $2, updated_at = $3 WHERE id = $1 AND totp_enabled = FALSE",
                )
                .bind(user_id)
                .bind(secret_sealed)
                .bind(now())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("two-factor authentication is already on".into()));
                }
                Ok(())
            }

            async fn enable_totp(&self, user_id: Id, step: i64, recovery_hashes: &[Vec<u8>]) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_enabled = TRUE, totp_last_step = $2, updated_at = $3 \
                     WHERE id = $1 AND totp_enabled = FALSE AND totp_secret_enc IS NOT NULL",
                )
                .bind(user_id)
                .bind(step)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Err(StoreError::Conflict("there is no pending two-factor enrolment".into()));
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                for hash in recovery_hashes {
                    sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)")
                        .bind(new_id())
                        .bind(user_id)
                        .bind(hash.as_slice())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn disable_totp(&self, user_id: Id) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_enabled = FALSE, totp_secret_enc = NULL, totp_last_step = NULL, \
                     updated_at = $2 WHERE id = $1",
                )
                .bind(user_id)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn accept_totp_step(&self, user_id: Id, step: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_enabled = TRUE \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(user_id)
                .bind(step)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(&self, user_id: Id, code_hash: &[u8]) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                )
                .bind(user_id)
                .bind(code_hash)
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_session(
                &self,
                user_id: Id,
                user_agent: Option<&str>,
                token_hash: &[u8],
                expires_at: time::OffsetDateTime,
            ) -> Result<Id, StoreError> {
                let now = now();
                let family = new_id();
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO refresh_token_families (id, user_id, user_agent, created_at, last_used_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(family)
                .bind(user_id)
                .bind(user_agent)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO refresh_tokens (id, family_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new_id())
                .bind(family)
                .bind(token_hash)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(family)
            }

            async fn rotate_refresh_token(
                &self,
                token_hash: &[u8],
                new_hash: &[u8],
                expires_at: time::OffsetDateTime,
            ) -> Result<$crate::store::RefreshOutcome, StoreError> {
                use $crate::store::RefreshOutcome;
                let now = now();
                let mut tx = self.begin_write().await?;
                // Spending is one conditional UPDATE: of two concurrent uses, one spends
                // the token and the other finds it spent, which is reuse.
                let spent: Option<(Id, time::OffsetDateTime)> = sqlx::query_as(
                    "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                     RETURNING family_id, expires_at",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let family: Option<(Id, Id, Option<time::OffsetDateTime>)> = sqlx::query_as(
                    "SELECT f.id, f.user_id, f.revoked_at FROM refresh_tokens t \
                     JOIN refresh_token_families f ON f.id = t.family_id WHERE t.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((family_id, user_id, revoked_at)) = family else {
                    tx.rollback().await?;
                    return Ok(RefreshOutcome::Invalid);
                };
                let Some((_, token_expires)) = spent else {
                    if revoked_at.is_none() {
                        sqlx::query(
                            "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = 'refresh_token_reuse' \
                             WHERE id = $1",
                        )
                        .bind(family_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    return Ok(RefreshOutcome::Reused { user_id, family_id });
                };
                if revoked_at.is_some() || token_expires <= now {
                    tx.commit().await?;
                    return Ok(RefreshOutcome::Invalid);
                }
                sqlx::query(
                    "INSERT INTO refresh_tokens (id, family_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new_id())
                .bind(family_id)
                .bind(new_hash)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE refresh_token_families SET last_used_at = $2 WHERE id = $1")
                    .bind(family_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(RefreshOutcome::Rotated { user_id, family_id })
            }

            async fn list_sessions(&self, user_id: Id) -> Result<Vec<$crate::store::Session>, StoreError> {
                let rows: Vec<(Id, Option<String>, time::OffsetDateTime, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, user_agent, created_at, last_used_at FROM refresh_token_families \
                     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 200",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, user_agent, created_at, last_used_at)| $crate::store::Session {
                        id,
                        user_agent,
                        created_at,
                        last_used_at,
                    })
                    .collect())
            }

            async fn revoke_session(&self, user_id: Id, session_id: Id, reason: &str) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE refresh_token_families SET revoked_at = $3, revoked_reason = $4 \
                     WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                )
                .bind(session_id)
                .bind(user_id)
                .bind(now())
                .bind(reason)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn revoke_session_by_token(&self, token_hash: &[u8], reason: &str) -> Result<Option<Id>, StoreError> {
                let owner: Option<Id> = sqlx::query_scalar(
                    "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 \
                     WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(now())
                .bind(reason)
                .fetch_optional(&self.pool)
                .await?;
                Ok(owner)
            }

            async fn session_active(&self, user_id: Id, session_id: Id) -> Result<bool, StoreError> {
                let revoked: Option<Option<time::OffsetDateTime>> =
                    sqlx::query_scalar("SELECT revoked_at FROM refresh_token_families WHERE id = $1 AND user_id = $2")
                        .bind(session_id)
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(matches!(revoked, Some(None)))
            }

            async fn user_by_oauth(&self, provider: &str, subject: &str) -> Result<Option<User>, StoreError> {
                let sql = concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE id = (SELECT user_id FROM oauth_identities WHERE provider = $1 AND subject = $2)"
                );
                let row: Option<UserRow> =
                    sqlx::query_as(sql).bind(provider).bind(subject).fetch_optional(&self.pool).await?;
                row.map(User::try_from).transpose()
            }

            async fn link_oauth(
                &self,
                user_id: Id,
                provider: &str,
                subject: &str,
                access_token_sealed: Option<&[u8]>,
            ) -> Result<(), StoreError> {
                let done = sqlx::query(
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
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this sign-in is linked to another account".into()));
                }
                Ok(())
            }
        }
    };
}
pub(super) use impl_auth_store;
