//! Redis cache, counters and pub/sub; the connection manager reconnects by itself and
//! subscriptions re-subscribe after a lost connection.

use super::{Bus, BusMessage, BusSubscription, Cache, CacheError};
use async_trait::async_trait;
use futures::StreamExt;
use redis::{AsyncCommands, aio::ConnectionManager};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// After Redis fails to answer, calls fail at once for this long (callers fall back to
/// the database and in-process counters) instead of each waiting out a timeout; then
/// the next call tries Redis again.
const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Cache and bus on a Redis server.
pub struct RedisCache {
    client: redis::Client,
    conn: ConnectionManager,
    prefix: String,
    /// When this cache was made, and until when (ms after it) Redis is not asked.
    born: Instant,
    paused_until_ms: AtomicU64,
}

impl RedisCache {
    pub async fn connect(url: &str) -> Result<Self, CacheError> {
        Self::with_prefix(url, "holomesh:").await
    }

    /// Keys and channels are namespaced by `prefix`, so several deployments (or test
    /// runs) can share one server.
    pub async fn with_prefix(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        // Short timeouts: when Redis is down, requests fall back to the database
        // after a moment instead of hanging.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_millis(750)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let conn =
            tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new_with_config(client.clone(), config))
                .await
                .map_err(|_| CacheError::Unavailable("timed out connecting to Redis".into()))??;
        Ok(Self { client, conn, prefix: prefix.to_owned(), born: Instant::now(), paused_until_ms: AtomicU64::new(0) })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A connection to use, unless Redis failed to answer a moment ago.
    fn conn(&self) -> Result<ConnectionManager, CacheError> {
        if self.now_ms() < self.paused_until_ms.load(Ordering::Relaxed) {
            return Err(CacheError::Unavailable("Redis did not answer a moment ago".into()));
        }
        Ok(self.conn.clone())
    }

    /// `result`, noting a Redis that does not answer.
    fn noted<T>(&self, result: Result<T, redis::RedisError>) -> Result<T, CacheError> {
        if let Err(e) = &result
            && (e.is_timeout() || e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal())
        {
            let until = self.now_ms().saturating_add(u64::try_from(PAUSE_AFTER_FAILURE.as_millis()).unwrap_or(1000));
            self.paused_until_ms.store(until, Ordering::Relaxed);
        }
        result.map_err(CacheError::from)
    }
}

#[async_trait]
impl Cache for RedisCache {
    fn backend_name(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> Result<(), CacheError> {
        // Always asked: readiness reports what Redis says now.
        let mut c = self.conn.clone();
        let _: String = self.noted(redis::cmd("PING").query_async(&mut c).await)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut c = self.conn()?;
        self.noted(c.get(self.key(key)).await)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let mut c = self.conn()?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.noted(c.pset_ex(self.key(key), value, ms).await)
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let mut c = self.conn()?;
        let _: usize = self.noted(c.del(self.key(key)).await)?;
        Ok(())
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut c = self.conn()?;
        // GETDEL (Redis 6.2+) reads and deletes atomically on the server.
        self.noted(redis::cmd("GETDEL").arg(self.key(key)).query_async(&mut c).await)
    }

    async fn incr_window(&self, key: &str, window: Duration) -> Result<u64, CacheError> {
        let mut c = self.conn()?;
        let k = self.key(key);
        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        // SET NX PX starts the window only once; INCR then counts within it.
        let counted: Result<(u64,), _> = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&k)
            .arg(0)
            .arg("PX")
            .arg(ms)
            .arg("NX")
            .ignore()
            .incr(&k, 1)
            .query_async(&mut c)
            .await;
        Ok(self.noted(counted)?.0)
    }
}

#[async_trait]
impl Bus for RedisCache {
    async fn publish(&self, topic: &str, payload: &str) -> Result<(), CacheError> {
        let mut c = self.conn()?;
        let _: i64 = self.noted(c.publish(self.key(topic), payload).await)?;
        Ok(())
    }

    async fn subscribe(&self, topic: &str) -> Result<BusSubscription, CacheError> {
        let channel = self.key(topic);
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(&channel).await?;
        let (tx, rx) = mpsc::channel(256);
        let client = self.client.clone();
        let topic = topic.to_owned();
        tokio::spawn(async move {
            loop {
                let mut stream = pubsub.into_on_message();
                while let Some(msg) = stream.next().await {
                    let payload: String = msg.get_payload().unwrap_or_default();
                    if tx.send(BusMessage { topic: topic.clone(), payload }).await.is_err() {
                        return;
                    }
                }
                // The connection dropped: re-subscribe with backoff until the receiver goes away.
                let mut delay = Duration::from_millis(100);
                pubsub = loop {
                    if tx.is_closed() {
                        return;
                    }
                    tokio::time::sleep(delay).await;
                    if let Ok(mut p) = client.get_async_pubsub().await
                        && p.subscribe(&channel).await.is_ok()
                    {
                        break p;
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                };
                tracing::info!(topic = %topic, "bus subscription restored");
            }
        });
        Ok(BusSubscription::new(rx))
    }
}
