//! The marketplace SQL shared by both backends; each backend supplies
//! `try_lock_key` (an in-flight guard for idempotency keys) and `begin_write`.

/// Implements [`super::MarketStore`] for a backend type.
macro_rules! impl_market_store {
    ($ty:ty, $db:ty) => {
        type Conn = <$db as sqlx::Database>::Connection;

        /// How long a stored idempotent response is replayed.
        const IDEMPOTENCY_TTL: time::Duration = time::Duration::hours(24);

        impl $ty {
            /// The purchase itself, inside the caller's transaction.
            async fn purchase_in(conn: &mut Conn, req: &PurchaseRequest) -> Result<PurchaseReceipt, StoreError> {
                let now = now();
                if let Some((key, fingerprint)) = &req.idempotency {
                    if !Self::try_lock_key(conn, req.buyer_id, key).await? {
                        return Err(StoreError::IdempotencyInProgress);
                    }
                    let existing: Option<(String, String, Option<Json<PurchaseReceipt>>, time::OffsetDateTime)> = sqlx::query_as(
                        "SELECT request_hash, state, response_body, expires_at FROM idempotency_keys \
                         WHERE user_id = $1 AND key = $2",
                    )
                    .bind(req.buyer_id)
                    .bind(key)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let Some((hash, state, body, expires_at)) = existing {
                        if expires_at > now {
                            if &hash != fingerprint {
                                return Err(StoreError::IdempotencyKeyReused);
                            }
                            return match (state.as_str(), body) {
                                ("completed", Some(Json(receipt))) => Ok(receipt),
                                _ => Err(StoreError::IdempotencyInProgress),
                            };
                        }
                        sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2")
                            .bind(req.buyer_id)
                            .bind(key)
                            .execute(&mut *conn)
                            .await?;
                    }
                }

                let sold: Option<(Id, i64, String, Option<i64>, i64)> = sqlx::query_as(
                    "UPDATE chips SET sold_count = sold_count + 1 WHERE id = $1 AND status = 'published' \
                     AND (supply IS NULL OR sold_count < supply) \
                     RETURNING designer_id, price_minor, currency, supply, sold_count",
                )
                .bind(req.chip_id)
                .fetch_optional(&mut *conn)
                .await?;
                let Some((seller, price_minor, currency, supply, sold_count)) = sold else {
                    let state: Option<String> = sqlx::query_scalar("SELECT status FROM chips WHERE id = $1")
                        .bind(req.chip_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                    return Err(match state.as_deref() {
                        None => StoreError::NotFound,
                        Some("published") => StoreError::SoldOut,
                        Some(other) => StoreError::NotForSale(format!("the chip is {other}")),
                    });
                };
                if seller == req.buyer_id {
                    return Err(StoreError::Forbidden("designers cannot buy their own chips".into()));
                }
                if let Some(limit) = req.max_price_minor.filter(|l| price_minor > *l) {
                    return Err(StoreError::PriceAboveLimit { price_minor, limit_minor: limit });
                }
                let contributors: Vec<(Id, i32)> = sqlx::query_as(
                    "SELECT contributor_id, share_bps FROM chip_contributions WHERE chip_id = $1 ORDER BY id",
                )
                .bind(req.chip_id)
                .fetch_all(&mut *conn)
                .await?;
                let shares: Vec<(Id, u16)> =
                    contributors.iter().map(|(id, b)| (*id, u16::try_from(*b).unwrap_or(u16::MAX))).collect();
                let split = split_sale(price_minor, seller, &shares, req.platform_fee_bps)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;

                // Debit first: the balance check and the debit are one statement.
                sqlx::query(
                    "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, 0) \
                     ON CONFLICT (user_id, currency) DO NOTHING",
                )
                .bind(new_id())
                .bind(req.buyer_id)
                .bind(&currency)
                .execute(&mut *conn)
                .await?;
                let buyer_wallet: Option<Id> = sqlx::query_scalar(
                    "UPDATE wallets SET balance_minor = balance_minor - $3 \
                     WHERE user_id = $1 AND currency = $2 AND balance_minor >= $3 RETURNING id",
                )
                .bind(req.buyer_id)
                .bind(&currency)
                .bind(price_minor)
                .fetch_optional(&mut *conn)
                .await?;
                let buyer_wallet = buyer_wallet.ok_or(StoreError::InsufficientFunds)?;

                let purchase_id = new_id();
                sqlx::query(
                    "INSERT INTO purchases (id, chip_id, buyer_id, price_minor, currency, status, source, split, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7, $8)",
                )
                .bind(purchase_id)
                .bind(req.chip_id)
                .bind(req.buyer_id)
                .bind(price_minor)
                .bind(&currency)
                .bind(req.source.as_str())
                .bind(Json(&split))
                .bind(now)
                .execute(&mut *conn)
                .await?;

                let txn = new_id();
                Self::ledger_line(conn, txn, purchase_id, Some(buyer_wallet), Some(req.buyer_id), "buyer", -price_minor, &currency)
                    .await?;
                for line in &split {
                    let party = match line.party {
                        SplitParty::Seller => "seller",
                        SplitParty::Contributor => "contributor",
                        SplitParty::Platform => "platform",
                    };
                    let wallet = match line.user_id {
                        Some(uid) => Some(Self::credit(conn, uid, &currency, line.amount_minor).await?),
                        None => None,
                    };
                    Self::ledger_line(conn, txn, purchase_id, wallet, line.user_id, party, line.amount_minor, &currency)
                        .await?;
                }

                let edition = supply.map(|_| sold_count);
                let licence = Licence {
                    id: new_id(),
                    chip_id: req.chip_id,
                    owner_id: req.buyer_id,
                    edition,
                    token: format!("hml_{}", new_id().simple()),
                };
                sqlx::query(
                    "INSERT INTO licences (id, purchase_id, chip_id, owner_id, edition, token, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(licence.id)
                .bind(purchase_id)
                .bind(req.chip_id)
                .bind(req.buyer_id)
                .bind(edition)
                .bind(&licence.token)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                sqlx::query("UPDATE designer_profiles SET sales_count = sales_count + 1 WHERE user_id = $1")
                    .bind(seller)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO outbox_events (id, kind, aggregate_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new_id())
                .bind("purchase.completed")
                .bind(purchase_id)
                .bind(Json(serde_json::json!({ "purchase_id": purchase_id, "chip_id": req.chip_id, "buyer_id": req.buyer_id })))
                .bind(now)
                .execute(&mut *conn)
                .await?;

                let receipt = PurchaseReceipt {
                    purchase: Purchase {
                        id: purchase_id,
                        chip_id: req.chip_id,
                        buyer_id: req.buyer_id,
                        price: Money::new(price_minor, currency.parse().map_err(StoreError::corrupt)?),
                        status: "completed".into(),
                        source: req.source,
                        split,
                        created_at: now,
                    },
                    licence,
                };
                if let Some((key, fingerprint)) = &req.idempotency {
                    sqlx::query(
                        "INSERT INTO idempotency_keys (user_id, key, request_hash, state, response_status, response_body, \
                         created_at, expires_at) VALUES ($1, $2, $3, 'completed', 201, $4, $5, $6)",
                    )
                    .bind(req.buyer_id)
                    .bind(key)
                    .bind(fingerprint)
                    .bind(Json(&receipt))
                    .bind(now)
                    .bind(now + IDEMPOTENCY_TTL)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(receipt)
            }

            async fn credit(conn: &mut Conn, user_id: Id, currency: &str, amount: i64) -> Result<Id, StoreError> {
                let id: Id = sqlx::query_scalar(
                    "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, currency) DO UPDATE SET balance_minor = wallets.balance_minor + excluded.balance_minor \
                     RETURNING id",
                )
                .bind(new_id())
                .bind(user_id)
                .bind(currency)
                .bind(amount)
                .fetch_one(&mut *conn)
                .await?;
                Ok(id)
            }

            #[allow(clippy::too_many_arguments)]
            async fn ledger_line(
                conn: &mut Conn,
                txn: Id,
                purchase_id: Id,
                wallet_id: Option<Id>,
                user_id: Option<Id>,
                party: &str,
                amount: i64,
                currency: &str,
            ) -> Result<(), StoreError> {
                let account = if wallet_id.is_some() { "wallet" } else { "platform" };
                sqlx::query(
                    "INSERT INTO ledger_entries (id, txn_id, purchase_id, account, wallet_id, user_id, party, amount_minor, \
                     currency, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(new_id())
                .bind(txn)
                .bind(purchase_id)
                .bind(account)
                .bind(wallet_id)
                .bind(user_id)
                .bind(party)
                .bind(amount)
                .bind(currency)
                .bind(now())
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// One subscriber's share of a fan-out, in its own transaction.
            async fn fan_out_one(
                &self,
                sub: &Subscription,
                chip: &Chip,
                platform_fee_bps: u16,
                report: &mut FanoutReport,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await?;
                let payload = serde_json::json!({
                    "chip_id": chip.id, "title": chip.title, "designer_id": chip.designer_id,
                    "price": chip.price, "vlnv": chip.vlnv.to_string(),
                });
                if sub.notify != NotifyFrequency::Off {
                    let inserted = sqlx::query(
                        "INSERT INTO notifications (id, user_id, kind, chip_id, payload, deliver, created_at) \
                         VALUES ($1, $2, 'chip.published', $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    )
                    .bind(new_id())
                    .bind(sub.subscriber_id)
                    .bind(chip.id)
                    .bind(Json(&payload))
                    .bind(sub.notify.as_str())
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                    report.notified += u32::try_from(inserted.rows_affected()).unwrap_or(0);
                }
                if sub.auto_purchase {
                    let record_id = new_id();
                    let claimed = sqlx::query(
                        "INSERT INTO auto_purchases (id, subscription_id, chip_id, outcome, created_at) \
                         VALUES ($1, $2, $3, 'failed', $4) ON CONFLICT (subscription_id, chip_id) DO NOTHING",
                    )
                    .bind(record_id)
                    .bind(sub.id)
                    .bind(chip.id)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                    if claimed.rows_affected() == 1 {
                        let (outcome, purchase_id, reason) = self.decide_auto_purchase(&mut tx, sub, chip, platform_fee_bps).await?;
                        sqlx::query("UPDATE auto_purchases SET outcome = $2, purchase_id = $3, reason = $4 WHERE id = $1")
                            .bind(record_id)
                            .bind(outcome)
                            .bind(purchase_id)
                            .bind(&reason)
                            .execute(&mut *tx)
                            .await?;
                        if purchase_id.is_some() {
                            report.purchased += 1;
                        } else {
                            report.skipped.push((sub.subscriber_id, format!("{outcome}: {reason}")));
                        }
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn decide_auto_purchase(
                &self,
                tx: &mut sqlx::Transaction<'static, $db>,
                sub: &Subscription,
                chip: &Chip,
                platform_fee_bps: u16,
            ) -> Result<(&'static str, Option<Id>, String), StoreError> {
                if let Some(max) = sub.max_price {
                    if max.currency != chip.price.currency || chip.price.amount_minor > max.amount_minor {
                        return Ok(("skipped_price", None, format!("price {} is above the limit {}", chip.price, max)));
                    }
                }
                if let Some(budget) = sub.monthly_budget {
                    let t = now();
                    let month_start = t.replace_day(1).map(|d| d.replace_time(time::Time::MIDNIGHT)).unwrap_or(t);
                    let spent: i64 = sqlx::query_scalar(
                        "SELECT CAST(COALESCE(SUM(p.price_minor), 0) AS BIGINT) FROM auto_purchases a \
                         JOIN purchases p ON p.id = a.purchase_id \
                         WHERE a.subscription_id = $1 AND a.outcome = 'purchased' AND p.status = 'completed' AND p.created_at >= $2",
                    )
                    .bind(sub.id)
                    .bind(month_start)
                    .fetch_one(&mut **tx)
                    .await?;
                    if spent.saturating_add(chip.price.amount_minor) > budget.amount_minor {
                        return Ok(("skipped_budget", None, format!("the monthly budget {budget} would be exceeded")));
                    }
                }
                let req = PurchaseRequest {
                    buyer_id: sub.subscriber_id,
                    chip_id: chip.id,
                    source: PurchaseSource::Auto,
                    max_price_minor: sub.max_price.map(|m| m.amount_minor),
                    idempotency: None,
                    platform_fee_bps,
                };
                // A savepoint, so a refused purchase leaves the notification and the record.
                let mut sp = sqlx::Connection::begin(&mut **tx).await?;
                match Self::purchase_in(&mut sp, &req).await {
                    Ok(receipt) => {
                        sp.commit().await?;
                        Ok(("purchased", Some(receipt.purchase.id), String::new()))
                    }
                    Err(e) => {
                        sp.rollback().await?;
                        let outcome = match &e {
                            StoreError::InsufficientFunds => "skipped_funds",
                            StoreError::SoldOut => "skipped_sold_out",
                            StoreError::PriceAboveLimit { .. } => "skipped_price",
                            StoreError::Backend(_) => return Err(e),
                            _ => "failed",
                        };
                        Ok((outcome, None, e.to_string()))
                    }
                }
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::MarketStore for $ty {
            async fn purchase(&self, req: &PurchaseRequest) -> Result<PurchaseReceipt, StoreError> {
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let mut tx = self.begin_write().await?;
                    let result = Self::purchase_in(&mut tx, req).await;
                    let result = match result {
                        Ok(r) => tx.commit().await.map(|()| r).map_err(StoreError::from),
                        Err(e) => {
                            let _ = tx.rollback().await;
                            Err(e)
                        }
                    };
                    match result {
                        Err(e) if e.is_retryable() && attempt < 5 => continue,
                        Err(StoreError::Conflict(c)) if c.contains("idempotency") => {
                            return Err(StoreError::IdempotencyInProgress);
                        }
                        other => return other,
                    }
                }
            }

            async fn purchase_by_id(&self, id: Id) -> Result<Purchase, StoreError> {
                let row: PurchaseRow = sqlx::query_as(concat!("SELECT ", purchase_columns!(), " FROM purchases WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                row.try_into()
            }

            async fn list_purchases(&self, buyer_id: Id, page: PageRequest) -> Result<Page<Purchase>, StoreError> {
                let rows: Vec<PurchaseRow> = sqlx::query_as(concat!(
                    "SELECT ", purchase_columns!(), " FROM purchases WHERE buyer_id = $1 AND ($2 IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3"
                ))
                .bind(buyer_id)
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await?;
                let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<Purchase>, _>>()?;
                Ok(page_of(items, page.limit, |p| p.id))
            }

            async fn refund(&self, purchase_id: Id) -> Result<Purchase, StoreError> {
                let mut tx = self.begin_write().await?;
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM purchases WHERE id = $1")
                    .bind(purchase_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound),
                    Some("completed") => {}
                    Some(other) => return Err(StoreError::Invalid(format!("the purchase is already {other}"))),
                }
                let lines: Vec<(Option<Id>, Option<Id>, String, i64, String)> = sqlx::query_as(
                    "SELECT wallet_id, user_id, party, amount_minor, currency FROM ledger_entries WHERE purchase_id = $1 ORDER BY id",
                )
                .bind(purchase_id)
                .fetch_all(&mut *tx)
                .await?;
                let txn = new_id();
                for (wallet_id, user_id, party, amount, currency) in lines {
                    if let Some(w) = wallet_id {
                        sqlx::query("UPDATE wallets SET balance_minor = balance_minor - $2 WHERE id = $1")
                            .bind(w)
                            .bind(amount)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Self::ledger_line(&mut tx, txn, purchase_id, wallet_id, user_id, &party, -amount, &currency).await?;
                }
                sqlx::query("UPDATE purchases SET status = 'refunded' WHERE id = $1").bind(purchase_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE licences SET revoked_at = $2 WHERE purchase_id = $1")
                    .bind(purchase_id)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                self.purchase_by_id(purchase_id).await
            }

            async fn earnings(&self, user_id: Id, currency: Currency) -> Result<Earnings, StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT party, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries \
                     WHERE user_id = $1 AND currency = $2 AND party IN ('seller', 'contributor') GROUP BY party",
                )
                .bind(user_id)
                .bind(currency.as_str())
                .fetch_all(&self.pool)
                .await?;
                let get = |p: &str| rows.iter().find(|(party, _)| party == p).map_or(0, |(_, v)| *v);
                let (sales, royalties) = (get("seller"), get("contributor"));
                Ok(Earnings {
                    currency: currency.as_str().to_owned(),
                    sales_minor: sales,
                    royalties_minor: royalties,
                    total_minor: sales.saturating_add(royalties),
                })
            }

            async fn subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError> {
                let row: SubscriptionRow = sqlx::query_as(concat!(
                    "SELECT ", subscription_columns!(), " FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2"
                ))
                .bind(subscriber_id)
                .bind(designer_id)
                .fetch_one(&self.pool)
                .await?;
                row.try_into()
            }

            async fn upsert_subscription(
                &self,
                subscriber_id: Id,
                designer_id: Id,
                change: &SubscriptionChange,
                currency: Currency,
            ) -> Result<Subscription, StoreError> {
                let mut tx = self.begin_write().await?;
                let current: Option<SubscriptionRow> = sqlx::query_as(concat!(
                    "SELECT ", subscription_columns!(), " FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2"
                ))
                .bind(subscriber_id)
                .bind(designer_id)
                .fetch_optional(&mut *tx)
                .await?;
                let current: Option<Subscription> = current.map(TryInto::try_into).transpose()?;
                let base = current.clone().unwrap_or(Subscription {
                    id: new_id(),
                    subscriber_id,
                    designer_id,
                    auto_purchase: false,
                    max_price: None,
                    monthly_budget: None,
                    notify: NotifyFrequency::Immediate,
                    paused: false,
                });
                let next = Subscription {
                    auto_purchase: change.auto_purchase.unwrap_or(base.auto_purchase),
                    max_price: change.max_price.unwrap_or(base.max_price),
                    monthly_budget: change.monthly_budget.unwrap_or(base.monthly_budget),
                    notify: change.notify.unwrap_or(base.notify),
                    paused: change.paused.unwrap_or(base.paused),
                    ..base
                };
                let cur = next.max_price.or(next.monthly_budget).map_or(currency, |m| m.currency);
                if next.max_price.is_some_and(|m| m.currency != cur) || next.monthly_budget.is_some_and(|m| m.currency != cur) {
                    return Err(StoreError::Invalid("price limit and budget must use one currency".into()));
                }
                let now = now();
                sqlx::query(
                    "INSERT INTO subscriptions (id, subscriber_id, designer_id, auto_purchase, max_price_minor, \
                     monthly_budget_minor, currency, notify, paused, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                     ON CONFLICT (subscriber_id, designer_id) DO UPDATE SET auto_purchase = excluded.auto_purchase, \
                     max_price_minor = excluded.max_price_minor, monthly_budget_minor = excluded.monthly_budget_minor, \
                     currency = excluded.currency, notify = excluded.notify, paused = excluded.paused, \
                     updated_at = excluded.updated_at",
                )
                .bind(next.id)
                .bind(subscriber_id)
                .bind(designer_id)
                .bind(next.auto_purchase)
                .bind(next.max_price.map(|m| m.amount_minor))
                .bind(next.monthly_budget.map(|m| m.amount_minor))
                .bind(cur.as_str())
                .bind(next.notify.as_str())
                .bind(next.paused)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                self.subscription(subscriber_id, designer_id).await
            }

            async fn delete_subscription(&self, subscriber_id: Id, designer_id: Id) -> Result<Subscription, StoreError> {
                let row: SubscriptionRow = sqlx::query_as(concat!(
                    "DELETE FROM subscriptions WHERE subscriber_id = $1 AND designer_id = $2 RETURNING ",
                    subscription_columns!()
                ))
                .bind(subscriber_id)
                .bind(designer_id)
                .fetch_one(&self.pool)
                .await?;
                row.try_into()
            }

            async fn list_subscriptions(&self, subscriber_id: Id) -> Result<Vec<Subscription>, StoreError> {
                let rows: Vec<SubscriptionRow> = sqlx::query_as(concat!(
                    "SELECT ", subscription_columns!(), " FROM subscriptions WHERE subscriber_id = $1 ORDER BY id"
                ))
                .bind(subscriber_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn fan_out_chip(&self, chip_id: Id, platform_fee_bps: u16) -> Result<FanoutReport, StoreError> {
                let chip = $crate::store::Store::chip_by_id(self, chip_id).await?;
                let mut report = FanoutReport::default();
                if chip.status != ChipStatus::Published {
                    return Ok(report);
                }
                let rows: Vec<SubscriptionRow> = sqlx::query_as(concat!(
                    "SELECT ", subscription_columns!(), " FROM subscriptions WHERE designer_id = $1 AND NOT paused ORDER BY id"
                ))
                .bind(chip.designer_id)
                .fetch_all(&self.pool)
                .await?;
                for row in rows {
                    let sub: Subscription = row.try_into()?;
                    self.fan_out_one(&sub, &chip, platform_fee_bps, &mut report).await?;
                }
                Ok(report)
            }

            async fn list_notifications(
                &self,
                user_id: Id,
                unread_only: bool,
                page: PageRequest,
            ) -> Result<Page<Notification>, StoreError> {
                let rows: Vec<NotificationRow> = sqlx::query_as(
                    "SELECT id, user_id, kind, chip_id, payload, deliver, read_at, created_at FROM notifications \
                     WHERE user_id = $1 AND ($2 IS NULL OR read_at IS NULL) AND ($3 IS NULL OR id < $3) \
                     ORDER BY id DESC LIMIT $4",
                )
                .bind(user_id)
                .bind(unread_only.then_some(true))
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await?;
                let items: Vec<Notification> = rows.into_iter().map(Into::into).collect();
                Ok(page_of(items, page.limit, |n| n.id))
            }

            async fn mark_notification_read(&self, user_id: Id, id: Id) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2")
                    .bind(id)
                    .bind(user_id)
                    .bind(now())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn add_review(&self, reviewer_id: Id, chip_id: Id, rating: i16, body: &str) -> Result<Review, StoreError> {
                if !(1..=5).contains(&rating) {
                    return Err(StoreError::Invalid("rating must be between 1 and 5".into()));
                }
                let mut tx = self.begin_write().await?;
                let purchase: Option<Id> = sqlx::query_scalar(
                    "SELECT id FROM purchases WHERE buyer_id = $1 AND chip_id = $2 AND status = 'completed' ORDER BY id LIMIT 1",
                )
                .bind(reviewer_id)
                .bind(chip_id)
                .fetch_optional(&mut *tx)
                .await?;
                let purchase = purchase.ok_or_else(|| StoreError::Forbidden("only buyers of a chip can review it".into()))?;
                let review = Review { id: new_id(), chip_id, reviewer_id, rating, body: body.to_owned(), created_at: now() };
                sqlx::query(
                    "INSERT INTO reviews (id, chip_id, reviewer_id, purchase_id, rating, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(review.id)
                .bind(chip_id)
                .bind(reviewer_id)
                .bind(purchase)
                .bind(rating)
                .bind(body)
                .bind(review.created_at)
                .execute(&mut *tx)
                .await?;
                let designer: Id = sqlx::query_scalar(
                    "UPDATE chips SET rating_sum = rating_sum + $2, rating_count = rating_count + 1 WHERE id = $1 RETURNING designer_id",
                )
                .bind(chip_id)
                .bind(i64::from(rating))
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("UPDATE designer_profiles SET rating_sum = rating_sum + $2, rating_count = rating_count + 1 WHERE user_id = $1")
                    .bind(designer)
                    .bind(i64::from(rating))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(review)
            }

            async fn list_reviews(&self, chip_id: Id, page: PageRequest) -> Result<Page<Review>, StoreError> {
                let rows: Vec<ReviewRow> = sqlx::query_as(
                    "SELECT id, chip_id, reviewer_id, rating, body, created_at FROM reviews \
                     WHERE chip_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                )
                .bind(chip_id)
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await?;
                let items: Vec<Review> = rows.into_iter().map(Into::into).collect();
                Ok(page_of(items, page.limit, |r| r.id))
            }
        }
    };
}

pub(super) use impl_market_store;
