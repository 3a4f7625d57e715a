//! In-process cache (moka, per-entry expiry) and bus (tokio broadcast) for one process.

use super::{Bus, BusMessage, BusSubscription, Cache, CacheError};
use async_trait::async_trait;
use moka::Expiry;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use tokio::sync::{broadcast, mpsc};

#[derive(Clone)]
struct Entry {
    value: Vec<u8>,
    ttl: Duration,
    /// `remove` hands back entries that expired but were not yet evicted.
    expires_at: Instant,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, value: &Entry, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }
    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        _now: Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The zero-setup cache and bus.
pub struct MemoryCache {
    entries: moka::future::Cache<String, Entry>,
    counters: Mutex<HashMap<String, (u64, Instant)>>,
    topics: Mutex<HashMap<String, broadcast::Sender<String>>>,
}

impl MemoryCache {
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: moka::future::Cache::builder().max_capacity(capacity).expire_after(PerEntryTtl).build(),
            counters: Mutex::new(HashMap::new()),
            topics: Mutex::new(HashMap::new()),
        }
    }

    fn sender(&self, topic: &str) -> broadcast::Sender<String> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.retain(|_, tx| tx.receiver_count() > 0 || !tx.is_empty());
        topics.entry(topic.to_owned()).or_insert_with(|| broadcast::channel(1024).0).clone()
    }
}

#[async_trait]
impl Cache for MemoryCache {
    fn backend_name(&self) -> &'static str {
        "memory"
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.entries.get(key).await.map(|e| e.value))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let expires_at = now.checked_add(ttl).unwrap_or(now + Duration::from_secs(86_400 * 365));
        self.entries.insert(key.to_owned(), Entry { value: value.to_vec(), ttl, expires_at }).await;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.entries.invalidate(key).await;
        Ok(())
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let entry = self.entries.remove(key).await;
        Ok(entry.filter(|e| e.expires_at > Instant::now()).map(|e| e.value))
    }

    async fn incr_window(&self, key: &str, window: Duration) -> Result<u64, CacheError> {
        let now = Instant::now();
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if counters.len() > 10_000 {
            counters.retain(|_, (_, until)| *until > now);
        }
        let slot = counters.entry(key.to_owned()).or_insert((0, now + window));
        if slot.1 <= now {
            *slot = (0, now + window);
        }
        slot.0 += 1;
        Ok(slot.0)
    }
}

#[async_trait]
impl Bus for MemoryCache {
    async fn publish(&self, topic: &str, payload: &str) -> Result<(), CacheError> {
        // No subscribers is not an error: the event simply has no live listener.
        let _ = self.sender(topic).send(payload.to_owned());
        Ok(())
    }

    async fn subscribe(&self, topic: &str) -> Result<BusSubscription, CacheError> {
        let mut rx = self.sender(topic).subscribe();
        let (tx, out) = mpsc::channel(256);
        let topic = topic.to_owned();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(payload) => {
                        if tx.send(BusMessage { topic: topic.clone(), payload }).await.is_err() {
                            break;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(topic = %topic, skipped = n, "bus subscriber lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(BusSubscription::new(out))
    }
}
