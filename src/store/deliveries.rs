//! Deliveries of notifications and digests by e-mail and Web Push: queued once per
//! channel, notification or digest and browser (unique indexes), claimed for a lease,
//! marked sent, retried or set aside; and the browsers' push subscriptions.

use super::sql::now;
use super::{Backend, Store, StoreError};
use crate::domain::{Id, new_id};
use time::OffsetDateTime;

/// A delivery claimed for sending, with what the message needs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeliveryJob {
    pub id: Id,
    /// `email` or `push`.
    pub channel: String,
    pub user_id: Id,
    pub email: String,
    pub display_name: String,
    /// The unsubscribe link's secret.
    pub token: String,
    /// `daily` or `weekly` for a digest, `None` for one notification.
    pub period: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// For `push`: the browser's push subscription.
    pub push_subscription_id: Option<Id>,
    pub endpoint: Option<String>,
    pub p256dh: Option<String>,
    pub auth: Option<String>,
}

/// A chip a message tells about.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeliveryItem {
    pub chip_id: Id,
    pub title: String,
    pub price_minor: i64,
    pub currency: String,
    pub designer: String,
}

/// How many deliveries wait and how many are dead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub pending: i64,
    pub dead: i64,
}

const JOB_COLUMNS: &str = "d.id, d.channel, d.user_id, u.email, u.display_name, d.token, g.period, d.attempts, \
     d.push_subscription_id, ps.endpoint, ps.p256dh, ps.auth";

/// The channels to queue for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub push: bool,
}

/// One delivery to queue: (user, notification, digest, designer, push subscription).
type Queued = (Id, Option<Id>, Option<Id>, Option<Id>, Option<Id>);

impl Store {
    /// Queues, on each channel of `channels`, every immediate notification since `since`
    /// whose subscription wants that channel, and every digest since `since` of a user
    /// with such a subscription of that period (for push: once per browser the user
    /// subscribed); `new_token` makes each unsubscribe secret. Each is queued once,
    /// however many workers run this.
    pub async fn queue_deliveries(
        &self,
        since: OffsetDateTime,
        channels: Channels,
        new_token: impl Fn() -> String,
    ) -> Result<u64, StoreError> {
        let mut rows: Vec<(&str, Queued)> = Vec::new();
        if channels.email {
            let notes: Vec<(Id, Id, Id)> = self
                .db
                .query(
                    "SELECT n.id, n.user_id, c.designer_id FROM notifications n JOIN chips c ON c.id = n.chip_id \
                     JOIN subscriptions s ON s.subscriber_id = n.user_id AND s.designer_id = c.designer_id \
                     WHERE n.deliver = 'immediate' AND s.email AND n.created_at >= $1 AND NOT EXISTS \
                     (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.channel = 'email') \
                     ORDER BY n.created_at LIMIT 1000",
                )
                .bind(since)
                .fetch_all()
                .await?;
            let digests: Vec<(Id, Id)> = self
                .db
                .query(
                    "SELECT g.id, g.user_id FROM digests g WHERE g.created_at >= $1 AND EXISTS \
                     (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = g.user_id AND s.email AND s.notify = g.period) \
                     AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.digest_id = g.id AND d.channel = 'email') \
                     ORDER BY g.created_at LIMIT 1000",
                )
                .bind(since)
                .fetch_all()
                .await?;
            rows.extend(notes.into_iter().map(|(n, u, d)| ("email", (u, Some(n), None, Some(d), None))));
            rows.extend(digests.into_iter().map(|(g, u)| ("email", (u, None, Some(g), None, None))));
        }
        if channels.push {
            let notes: Vec<(Id, Id, Id, Id)> = self
                .db
                .query(
                    "SELECT n.id, n.user_id, c.designer_id, ps.id FROM notifications n JOIN chips c ON c.id = n.chip_id \
                     JOIN subscriptions s ON s.subscriber_id = n.user_id AND s.designer_id = c.designer_id \
                     JOIN push_subscriptions ps ON ps.user_id = n.user_id \
                     WHERE n.deliver = 'immediate' AND s.push AND n.created_at >= $1 AND NOT EXISTS \
                     (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.channel = 'push' \
                     AND d.push_subscription_id = ps.id) ORDER BY n.created_at LIMIT 1000",
                )
                .bind(since)
                .fetch_all()
                .await?;
            let digests: Vec<(Id, Id, Id)> = self
                .db
                .query(
                    "SELECT g.id, g.user_id, ps.id FROM digests g JOIN push_subscriptions ps ON ps.user_id = g.user_id \
                     WHERE g.created_at >= $1 AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = g.user_id \
                     AND s.push AND s.notify = g.period) AND NOT EXISTS (SELECT 1 FROM deliveries d \
                     WHERE d.digest_id = g.id AND d.channel = 'push' AND d.push_subscription_id = ps.id) \
                     ORDER BY g.created_at LIMIT 1000",
                )
                .bind(since)
                .fetch_all()
                .await?;
            rows.extend(notes.into_iter().map(|(n, u, d, p)| ("push", (u, Some(n), None, Some(d), Some(p)))));
            rows.extend(digests.into_iter().map(|(g, u, p)| ("push", (u, None, Some(g), None, Some(p)))));
        }
        let mut queued = 0;
        for (channel, (user, notification, digest, designer, push)) in rows {
            let at = now();
            queued += self
                .db
                .query(
                    "INSERT INTO deliveries (id, user_id, channel, notification_id, digest_id, designer_id, \
                     push_subscription_id, token, status, attempts, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9) ON CONFLICT DO NOTHING",
                )
                .bind(new_id())
                .bind(user)
                .bind(channel)
                .bind(notification)
                .bind(digest)
                .bind(designer)
                .bind(push)
                .bind(new_token())
                .bind(at)
                .execute()
                .await?;
        }
        Ok(queued)
    }

    /// Claims up to `limit` deliveries that are due (waiting, or claimed by a worker
    /// whose lease ran out) until `lease_until`; concurrent claimers get disjoint sets.
    pub async fn claim_deliveries(
        &self,
        limit: u32,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<DeliveryJob>, StoreError> {
        let at = now();
        let mut tx = self.db.begin_write().await?;
        let due = "status IN ('pending', 'sending') AND next_attempt_at <= $1";
        let ids: Vec<Id> = match tx.backend() {
            Backend::Postgres => {
                tx.query(format!(
                    "SELECT id FROM deliveries WHERE {due} ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED"
                ))
                .bind(at)
                .bind(i64::from(limit))
                .scalars()
                .await?
            }
            Backend::Sqlite => {
                tx.query(format!("SELECT id FROM deliveries WHERE {due} ORDER BY next_attempt_at LIMIT $2"))
                    .bind(at)
                    .bind(i64::from(limit))
                    .scalars()
                    .await?
            }
        };
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            tx.query(
                "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(lease_until)
            .execute()
            .await?;
            let job: DeliveryJob = tx
                .query(format!(
                    "SELECT {JOB_COLUMNS} FROM deliveries d JOIN users u ON u.id = d.user_id \
                     LEFT JOIN digests g ON g.id = d.digest_id \
                     LEFT JOIN push_subscriptions ps ON ps.id = d.push_subscription_id WHERE d.id = $1"
                ))
                .bind(id)
                .fetch_one()
                .await?;
            jobs.push(job);
        }
        tx.commit().await?;
        Ok(jobs)
    }

    /// The chips a delivery tells about: its notification's chip, or every chip of
    /// its digest, oldest first.
    pub async fn delivery_items(&self, id: Id) -> Result<Vec<DeliveryItem>, StoreError> {
        self.db
            .query(
                "SELECT c.id AS chip_id, c.title, c.price_minor, CAST(c.currency AS TEXT) AS currency, \
                 u.display_name AS designer FROM deliveries d \
                 JOIN notifications n ON n.id = d.notification_id OR (d.digest_id IS NOT NULL AND n.digest_id = d.digest_id) \
                 JOIN chips c ON c.id = n.chip_id JOIN users u ON u.id = c.designer_id \
                 WHERE d.id = $1 ORDER BY n.created_at, n.id",
            )
            .bind(id)
            .fetch_all()
            .await
    }

    /// Records that a claimed delivery went out.
    pub async fn delivery_sent(&self, id: Id) -> Result<(), StoreError> {
        let at = now();
        self.db
            .query("UPDATE deliveries SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1 AND status = 'sending'")
            .bind(id)
            .bind(at)
            .execute()
            .await
            .map(drop)
    }

    /// Records a failed attempt: tried again at `retry_at`, or dead without one.
    pub async fn delivery_failed(
        &self,
        id: Id,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let (status, at) = match retry_at {
            Some(t) => ("pending", t),
            None => ("dead", now()),
        };
        self.db
            .query(
                "UPDATE deliveries SET status = $2, next_attempt_at = $3, last_error = $4 \
                 WHERE id = $1 AND status = 'sending'",
            )
            .bind(id)
            .bind(status)
            .bind(at)
            .bind(error.chars().take(500).collect::<String>())
            .execute()
            .await
            .map(drop)
    }

    /// Turns e-mail off for what the delivery with `token` was about: the designer of
    /// its notification, or every subscription for a digest. `NotFound` for an
    /// unknown token.
    pub async fn unsubscribe_email(&self, token: &str) -> Result<(Id, Option<Id>), StoreError> {
        let rows: Vec<(Id, Option<Id>)> = self
            .db
            .query("SELECT user_id, designer_id FROM deliveries WHERE token = $1")
            .bind(token)
            .fetch_all()
            .await?;
        let (user, designer) = rows.into_iter().next().ok_or(StoreError::NotFound)?;
        self.db
            .query(
                "UPDATE subscriptions SET email = FALSE, updated_at = $3 WHERE subscriber_id = $1 \
                 AND ($2 IS NULL OR designer_id = $2)",
            )
            .bind(user)
            .bind(designer)
            .bind(now())
            .execute()
            .await?;
        Ok((user, designer))
    }

    /// Keeps a browser's push subscription for `user_id` (an endpoint seen before is
    /// moved to this user with its new keys).
    pub async fn add_push_subscription(
        &self,
        user_id: Id,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<(), StoreError> {
        self.db
            .query(
                "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
                 p256dh = excluded.p256dh, auth = excluded.auth",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(endpoint)
            .bind(p256dh)
            .bind(auth)
            .bind(now())
            .execute()
            .await
            .map(drop)
    }

    /// Forgets a user's push subscription by endpoint; whether there was one.
    pub async fn remove_push_subscription(&self, user_id: Id, endpoint: &str) -> Result<bool, StoreError> {
        let n = self
            .db
            .query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
            .bind(user_id)
            .bind(endpoint)
            .execute()
            .await?;
        Ok(n > 0)
    }

    /// Forgets a push subscription the push service says is gone (its deliveries go too).
    pub async fn drop_push_subscription(&self, id: Id) -> Result<(), StoreError> {
        self.db.query("DELETE FROM push_subscriptions WHERE id = $1").bind(id).execute().await.map(drop)
    }

    /// How many browsers a user receives push messages in.
    pub async fn push_subscription_count(&self, user_id: Id) -> Result<i64, StoreError> {
        self.db.query("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1").bind(user_id).scalar().await
    }

    /// Deliveries waiting (or being sent) and dead ones.
    pub async fn delivery_counts(&self) -> Result<DeliveryCounts, StoreError> {
        let (pending, dead): (i64, i64) = self
            .db
            .query(
                "SELECT COALESCE(SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) FROM deliveries",
            )
            .fetch_one()
            .await?;
        Ok(DeliveryCounts { pending, dead })
    }

    /// The status and attempts of a delivery (tests and administrators).
    pub async fn delivery_state(&self, id: Id) -> Result<(String, i32), StoreError> {
        self.db.query("SELECT status, attempts FROM deliveries WHERE id = $1").bind(id).fetch_one().await
    }
}
