//! The SQL both backends share. Both dialects accept `$n` placeholders, `RETURNING`
//! and `ON CONFLICT`, so one body serves PostgreSQL and SQLite; the parts that
//! differ (write transactions, claiming outbox events) are passed in by each backend.

/// Current time, truncated to microseconds so it round-trips through both databases.
pub(super) fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    let micros = t.microsecond();
    t.replace_microsecond(micros).unwrap_or(t)
}

/// Implements [`super::Store`] for a backend type that has a `pool` field and the
/// inherent methods `begin_write()` (a write transaction) plus the extra trait
/// methods given in the block.
macro_rules! impl_store {
    ($ty:ty, $db:ty, $backend:expr, { $($extra:tt)* }) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $ty {
            fn backend(&self) -> $crate::store::Backend {
                $backend
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            $($extra)*

            async fn create_user(&self, u: &NewUser) -> Result<User, StoreError> {
                let now = now();
                let sql = concat!("INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ", user_columns!(), "");
                let row: UserRow = sqlx::query_as(sql)
                    .bind(new_id())
                    .bind(u.email.as_str())
                    .bind(&u.display_name)
                    .bind(u.role.as_str())
                    .bind(u.password_hash.as_deref())
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await?;
                row.try_into()
            }

            async fn user_by_id(&self, id: Id) -> Result<User, StoreError> {
                let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
                let row: UserRow = sqlx::query_as(sql).bind(id).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn user_by_email(&self, email: &str) -> Result<User, StoreError> {
                let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1");
                let row: UserRow = sqlx::query_as(sql)
                    .bind(email.trim().to_lowercase())
                    .fetch_one(&self.pool)
                    .await?;
                row.try_into()
            }

            async fn user_credentials(&self, email: &str) -> Result<(User, Option<String>), StoreError> {
                let user = self.user_by_email(email).await?;
                let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(user.id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok((user, hash))
            }

            async fn set_user_role(&self, id: Id, role: Role) -> Result<User, StoreError> {
                let sql = concat!("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1 RETURNING ", user_columns!(), "");
                let row: UserRow = sqlx::query_as(sql)
                    .bind(id)
                    .bind(role.as_str())
                    .bind(now())
                    .fetch_one(&self.pool)
                    .await?;
                row.try_into()
            }

            async fn upsert_designer_profile(
                &self,
                user_id: Id,
                handle: &Handle,
                bio: &str,
                skills: &[String],
            ) -> Result<DesignerProfile, StoreError> {
                sqlx::query(
                    "INSERT INTO designer_profiles (user_id, handle, bio, skills, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id) DO UPDATE SET handle = excluded.handle, bio = excluded.bio, \
                     skills = excluded.skills",
                )
                .bind(user_id)
                .bind(handle.as_str())
                .bind(bio)
                .bind(Json(skills))
                .bind(now())
                .execute(&self.pool)
                .await?;
                self.designer_by_user(user_id).await
            }

            async fn designer_by_handle(&self, handle: &str) -> Result<DesignerProfile, StoreError> {
                let sql = concat!("SELECT ", designer_columns!(), " FROM designer_profiles d JOIN users u ON u.id = d.user_id WHERE d.handle = $1");
                let row: DesignerRow = sqlx::query_as(sql).bind(handle).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn designer_by_user(&self, user_id: Id) -> Result<DesignerProfile, StoreError> {
                let sql = concat!("SELECT ", designer_columns!(), " FROM designer_profiles d JOIN users u ON u.id = d.user_id WHERE d.user_id = $1");
                let row: DesignerRow = sqlx::query_as(sql).bind(user_id).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn list_designers(&self, page: PageRequest) -> Result<Page<DesignerProfile>, StoreError> {
                let sql = concat!("SELECT ", designer_columns!(), " FROM designer_profiles d JOIN users u ON u.id = d.user_id \
                     WHERE ($1 IS NULL OR d.user_id < $1) ORDER BY d.user_id DESC LIMIT $2");
                let rows: Vec<DesignerRow> = sqlx::query_as(sql)
                    .bind(page.after)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<DesignerProfile>, _>>()?;
                Ok(page_of(items, page.limit, |d| d.user_id))
            }

            async fn client_preferences(&self, user_id: Id) -> Result<ClientPreferences, StoreError> {
                let row: Option<Json<ClientPreferences>> =
                    sqlx::query_scalar("SELECT preferences FROM client_profiles WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|j| j.0).unwrap_or_default())
            }

            async fn set_client_preferences(&self, user_id: Id, prefs: &ClientPreferences) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO client_profiles (user_id, preferences, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences, updated_at = excluded.updated_at",
                )
                .bind(user_id)
                .bind(Json(prefs))
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn create_chip(&self, c: &NewChip) -> Result<Chip, StoreError> {
                let id = new_id();
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO chips (id, designer_id, vlnv, title, description, category, process_node, tags, \
                     price_minor, currency, supply, status, royalty_bps, licence, content_sha256, content_size, \
                     prev_version_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $14, $15, $16, $17)",
                )
                .bind(id)
                .bind(c.designer_id)
                .bind(c.vlnv.to_string())
                .bind(&c.title)
                .bind(&c.description)
                .bind(&c.category)
                .bind(&c.process_node)
                .bind(Json(&c.tags))
                .bind(c.price.amount_minor)
                .bind(c.price.currency.as_str())
                .bind(c.supply)
                .bind(i32::from(c.royalty_bps.get()))
                .bind(&c.licence)
                .bind(&c.content_sha256)
                .bind(c.content_size)
                .bind(c.prev_version_id)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                for k in &c.contributions {
                    sqlx::query(
                        "INSERT INTO chip_contributions (id, chip_id, contributor_id, vlnv, share_bps) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(new_id())
                    .bind(id)
                    .bind(k.contributor_id)
                    .bind(k.vlnv.to_string())
                    .bind(i32::from(k.share_bps.get()))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                self.chip_by_id(id).await
            }

            async fn chip_by_id(&self, id: Id) -> Result<Chip, StoreError> {
                let sql = concat!("SELECT ", chip_columns!(), " FROM chips WHERE id = $1");
                let row: ChipRow = sqlx::query_as(sql).bind(id).fetch_one(&self.pool).await?;
                let mut chips = self.attach_contributions(vec![row]).await?;
                chips.pop().ok_or(StoreError::NotFound)
            }

            async fn list_chips(&self, f: &ChipFilter, page: PageRequest) -> Result<Page<Chip>, StoreError> {
                let sql = concat!("SELECT ", chip_columns!(), " FROM chips WHERE ($1 IS NULL OR id < $1) \
                     AND ($2 IS NULL OR designer_id = $2) AND ($3 IS NULL OR category = $3) \
                     AND ($4 IS NULL OR process_node = $4) AND ($5 IS NULL OR price_minor <= $5) \
                     AND ($6 IS NULL OR status = $6) \
                     AND ($7 IS NULL OR lower(title || ' ' || description || ' ' || category) LIKE $7) \
                     ORDER BY id DESC LIMIT $8");
                let pattern = f.text.as_ref().map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_'], "")));
                let rows: Vec<ChipRow> = sqlx::query_as(sql)
                    .bind(page.after)
                    .bind(f.designer_id)
                    .bind(f.category.as_deref())
                    .bind(f.process_node.as_deref())
                    .bind(f.max_price_minor)
                    .bind(f.status.map(|s| s.as_str()))
                    .bind(pattern)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let chips = self.attach_contributions(rows).await?;
                Ok(page_of(chips, page.limit, |c| c.id))
            }

            async fn publish_chip(&self, id: Id) -> Result<Chip, StoreError> {
                self.publish_draft(id, None).await
            }

            async fn publish_chip_with_record(&self, id: Id, record: &serde_json::Value) -> Result<Chip, StoreError> {
                self.publish_draft(id, Some(record)).await
            }

            async fn set_designer_keys(
                &self,
                user_id: Id,
                public_key: &[u8],
                private_key_sealed: &[u8],
            ) -> Result<(), StoreError> {
                if public_key.is_empty() || private_key_sealed.is_empty() {
                    return Err(StoreError::Invalid("designer keys must not be empty".into()));
                }
                let done = sqlx::query(concat!(
                    "UPDATE designer_profiles SET public_key = $2, private_key_enc = $3 ",
                    "WHERE user_id = $1 AND public_key IS NULL AND private_key_enc IS NULL"
                ))
                .bind(user_id)
                .bind(public_key)
                .bind(private_key_sealed)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    return Ok(());
                }
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM designer_profiles WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await?;
                match exists {
                    None => Err(StoreError::NotFound),
                    Some(_) => Err(StoreError::Conflict("designer_profiles_keys_set_once".into())),
                }
            }

            async fn designer_keys(&self, user_id: Id) -> Result<Option<(Vec<u8>, Vec<u8>)>, StoreError> {
                let row: Option<(Option<Vec<u8>>, Option<Vec<u8>>)> = sqlx::query_as(
                    "SELECT public_key, private_key_enc FROM designer_profiles WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    None => Err(StoreError::NotFound),
                    Some((Some(public), Some(sealed))) => Ok(Some((public, sealed))),
                    Some((None, None)) => Ok(None),
                    Some(_) => Err(StoreError::corrupt(format!("designer {user_id} has half a key pair"))),
                }
            }

            async fn set_chip_record(&self, chip_id: Id, record: &serde_json::Value) -> Result<(), StoreError> {
                let done = sqlx::query(concat!(
                    "UPDATE chips SET record = $2 ",
                    "WHERE id = $1 AND (status = 'draft' OR record IS NULL)"
                ))
                .bind(chip_id)
                .bind(Json(record))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    return Ok(());
                }
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM chips WHERE id = $1")
                    .bind(chip_id)
                    .fetch_optional(&self.pool)
                    .await?;
                match exists {
                    None => Err(StoreError::NotFound),
                    Some(_) => Err(StoreError::Conflict("chips_record_set_once".into())),
                }
            }

            async fn chip_record(&self, chip_id: Id) -> Result<Option<serde_json::Value>, StoreError> {
                let row: Option<Option<Json<serde_json::Value>>> =
                    sqlx::query_scalar("SELECT record FROM chips WHERE id = $1")
                        .bind(chip_id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|r| r.map(|j| j.0)).ok_or(StoreError::NotFound)
            }

            async fn retire_chip(&self, id: Id) -> Result<Chip, StoreError> {
                let mut tx = self.begin_write().await?;
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM chips WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound),
                    Some("published") => {}
                    Some(other) => return Err(StoreError::Invalid(format!("chip is {other}; only published chips can be retired"))),
                }
                sqlx::query("UPDATE chips SET status = 'retired' WHERE id = $1").bind(id).execute(&mut *tx).await?;
                insert_event(&mut tx, "chip.retired", id, &serde_json::json!({ "chip_id": id })).await?;
                tx.commit().await?;
                $crate::store::Store::chip_by_id(self, id).await
            }

            async fn wallet(&self, user_id: Id, currency: Currency) -> Result<Wallet, StoreError> {
                sqlx::query(
                    "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, 0) \
                     ON CONFLICT (user_id, currency) DO NOTHING",
                )
                .bind(new_id())
                .bind(user_id)
                .bind(currency.as_str())
                .execute(&self.pool)
                .await?;
                let row: WalletRow = sqlx::query_as(
                    "SELECT id, user_id, currency, balance_minor FROM wallets WHERE user_id = $1 AND currency = $2",
                )
                .bind(user_id)
                .bind(currency.as_str())
                .fetch_one(&self.pool)
                .await?;
                row.try_into()
            }

            async fn deposit(&self, user_id: Id, amount: Money) -> Result<Wallet, StoreError> {
                if amount.amount_minor <= 0 {
                    return Err(StoreError::Invalid("a deposit must be a positive amount".into()));
                }
                let mut tx = self.begin_write().await?;
                let row: WalletRow = sqlx::query_as(
                    "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, currency) DO UPDATE SET balance_minor = wallets.balance_minor + excluded.balance_minor \
                     RETURNING id, user_id, currency, balance_minor",
                )
                .bind(new_id())
                .bind(user_id)
                .bind(amount.currency.as_str())
                .bind(amount.amount_minor)
                .fetch_one(&mut *tx)
                .await?;
                let wallet: Wallet = row.try_into()?;
                let txn = new_id();
                let at = now();
                for (account, wallet_id, uid, amt) in [
                    ("wallet", Some(wallet.id), Some(user_id), amount.amount_minor),
                    ("external", None, None, -amount.amount_minor),
                ] {
                    sqlx::query(
                        "INSERT INTO ledger_entries (id, txn_id, account, wallet_id, user_id, party, amount_minor, currency, created_at) \
                         VALUES ($1, $2, $3, $4, $5, 'deposit', $6, $7, $8)",
                    )
                    .bind(new_id())
                    .bind(txn)
                    .bind(account)
                    .bind(wallet_id)
                    .bind(uid)
                    .bind(amt)
                    .bind(amount.currency.as_str())
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(wallet)
            }

            async fn ledger_sum(&self, currency: Currency) -> Result<i64, StoreError> {
                let sum: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ledger_entries WHERE currency = $1",
                )
                .bind(currency.as_str())
                .fetch_one(&self.pool)
                .await?;
                Ok(sum)
            }

            async fn insert_voice_command(&self, c: &VoiceCommandRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO voice_commands (id, user_id, source, transcript_enc, intent, slots, status, reply_text, \
                     result, audio_ms, asr_ms, nlu_ms, exec_ms, confirm_before, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(c.id)
                .bind(c.user_id)
                .bind(c.source.as_str())
                .bind(&c.transcript_sealed)
                .bind(c.intent.as_deref())
                .bind(Json(&c.slots))
                .bind(c.status.as_str())
                .bind(&c.reply_text)
                .bind(Json(&c.result))
                .bind(c.timings.audio)
                .bind(c.timings.asr)
                .bind(c.timings.nlu)
                .bind(c.timings.exec)
                .bind(c.confirm_before)
                .bind(c.created_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn voice_command(&self, id: Id) -> Result<VoiceCommandRecord, StoreError> {
                let sql = concat!("SELECT ", voice_columns!(), " FROM voice_commands WHERE id = $1");
                let row: VoiceRow = sqlx::query_as(sql).bind(id).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn create_device_token(&self, user_id: Id, name: &str, token_hash: &[u8]) -> Result<Id, StoreError> {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO device_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(user_id)
                .bind(name)
                .bind(token_hash)
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(id)
            }

            async fn device_token_user(&self, token_hash: &[u8]) -> Result<User, StoreError> {
                let row: UserRow = sqlx::query_as(concat!(
                    "SELECT ", user_columns!(), " FROM users WHERE NOT disabled AND id = \
                     (SELECT user_id FROM device_tokens WHERE token_hash = $1 AND revoked_at IS NULL)"
                ))
                .bind(token_hash)
                .fetch_one(&self.pool)
                .await?;
                row.try_into()
            }

            async fn revoke_device_token(&self, user_id: Id, token_id: Id) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE device_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                )
                .bind(token_id)
                .bind(user_id)
                .bind(now())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn update_voice_command(
                &self,
                id: Id,
                status: VoiceStatus,
                reply_text: &str,
                result: &serde_json::Value,
            ) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE voice_commands SET status = $2, reply_text = $3, result = $4, confirm_before = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(status.as_str())
                .bind(reply_text)
                .bind(Json(result))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn list_voice_commands(
                &self,
                user_id: Id,
                page: PageRequest,
            ) -> Result<Page<VoiceCommandRecord>, StoreError> {
                let sql = concat!("SELECT ", voice_columns!(), " FROM voice_commands WHERE user_id = $1 AND ($2 IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3");
                let rows: Vec<VoiceRow> = sqlx::query_as(sql)
                    .bind(user_id)
                    .bind(page.after)
                    .bind(i64::from(page.limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<VoiceCommandRecord>, _>>()?;
                Ok(page_of(items, page.limit, |c| c.id))
            }

            async fn enqueue_event(&self, kind: &str, aggregate_id: Id, payload: &serde_json::Value) -> Result<Id, StoreError> {
                let mut tx = self.begin_write().await?;
                let id = insert_event(&mut tx, kind, aggregate_id, payload).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn complete_event(&self, id: Id) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE outbox_events SET processed_at = $2, claimed_until = NULL WHERE id = $1")
                    .bind(id)
                    .bind(now())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn fail_event(&self, id: Id, error: &str) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbox_events SET last_error = $2, claimed_until = NULL WHERE id = $1")
                    .bind(id)
                    .bind(error)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn append_audit(&self, e: &NewAuditEntry) -> Result<Id, StoreError> {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO audit_log (id, actor_id, action, target, ip, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(e.actor_id)
                .bind(&e.action)
                .bind(e.target.as_deref())
                .bind(e.ip.as_deref())
                .bind(Json(&e.detail))
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(id)
            }

            async fn list_audit(&self, actor_id: Option<Id>, page: PageRequest) -> Result<Page<AuditEntry>, StoreError> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT id, actor_id, action, target, ip, detail, created_at FROM audit_log \
                     WHERE ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                )
                .bind(actor_id)
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await?;
                let items: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
                Ok(page_of(items, page.limit, |a| a.id))
            }
        }

        impl $ty {
            /// Publishes a draft and writes its outbox event in one transaction; with
            /// `record`, stores the signed record in the same transaction.
            async fn publish_draft(&self, id: Id, record: Option<&serde_json::Value>) -> Result<Chip, StoreError> {
                let mut tx = self.begin_write().await?;
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM chips WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound),
                    Some("draft") => {}
                    Some(other) => return Err(StoreError::Invalid(format!("chip is {other}; only drafts can be published"))),
                }
                sqlx::query(concat!(
                    "UPDATE chips SET status = 'published', published_at = $2, ",
                    "record = COALESCE($3, record) WHERE id = $1"
                ))
                .bind(id)
                .bind(now())
                .bind(record.map(Json))
                .execute(&mut *tx)
                .await?;
                insert_event(&mut tx, "chip.published", id, &serde_json::json!({ "chip_id": id })).await?;
                tx.commit().await?;
                <Self as $crate::store::Store>::chip_by_id(self, id).await
            }

            /// Loads the contributions of all `rows` in one query.
            async fn attach_contributions(&self, rows: Vec<ChipRow>) -> Result<Vec<Chip>, StoreError> {
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT chip_id, contributor_id, vlnv, share_bps FROM chip_contributions WHERE chip_id IN (",
                );
                let mut list = qb.separated(", ");
                for r in &rows {
                    list.push_bind(r.id);
                }
                qb.push(") ORDER BY id");
                let contribs: Vec<ContributionRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                assemble_chips(rows, contribs)
            }
        }

        /// Writes an outbox event inside the caller's transaction.
        async fn insert_event(
            tx: &mut sqlx::Transaction<'static, $db>,
            kind: &str,
            aggregate_id: Id,
            payload: &serde_json::Value,
        ) -> Result<Id, StoreError> {
            let id = new_id();
            sqlx::query(
                "INSERT INTO outbox_events (id, kind, aggregate_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(kind)
            .bind(aggregate_id)
            .bind(Json(payload))
            .bind(now())
            .execute(&mut **tx)
            .await?;
            Ok(id)
        }
    };
}

pub(super) use impl_store;
