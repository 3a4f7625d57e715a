//! Shared cache, rate-limit counters and event bus: Redis in production, an
//! in-process implementation (moka + broadcast) as the zero-setup default.

mod memory;
mod redis;

pub use self::memory::MemoryCache;
pub use self::redis::RedisCache;

use crate::config::SecretUrl;
use async_trait::async_trait;
use std::{sync::Arc, time::Duration};
use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache backend unavailable: {0}")]
    Unavailable(String),
}

impl From<::redis::RedisError> for CacheError {
    fn from(err: ::redis::RedisError) -> Self {
        CacheError::Unavailable(err.to_string())
    }
}

/// Key/value cache with expiry plus fixed-window counters.
#[async_trait]
pub trait Cache: Send + Sync + 'static {
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> Result<(), CacheError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &str) -> Result<(), CacheError>;
    /// Returns the value of `key` and deletes it in one step: of two concurrent
    /// callers at most one gets the value (single-use secrets such as OAuth states).
    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Increments the counter `key` and returns its new value; the counter starts at
    /// zero and disappears `window` after its first increment (rate limiting).
    async fn incr_window(&self, key: &str, window: Duration) -> Result<u64, CacheError>;
}

/// A message received from the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusMessage {
    pub topic: String,
    pub payload: String,
}

/// Receives the messages of one topic, in order, until dropped.
#[derive(Debug)]
pub struct BusSubscription {
    rx: mpsc::Receiver<BusMessage>,
}

impl BusSubscription {
    pub(crate) fn new(rx: mpsc::Receiver<BusMessage>) -> Self {
        Self { rx }
    }

    /// The next message; `None` when the bus has shut down.
    pub async fn recv(&mut self) -> Option<BusMessage> {
        self.rx.recv().await
    }
}

/// Publish/subscribe of marketplace events to live clients and other processes.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    async fn publish(&self, topic: &str, payload: &str) -> Result<(), CacheError>;
    /// Subscribes to `topic`; messages published after this returns are delivered.
    async fn subscribe(&self, topic: &str) -> Result<BusSubscription, CacheError>;
}

/// Both halves, as one value the services hold.
#[derive(Clone)]
pub struct CacheBus {
    pub cache: Arc<dyn Cache>,
    pub bus: Arc<dyn Bus>,
}

impl std::fmt::Debug for CacheBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CacheBus({})", self.cache.backend_name())
    }
}

/// Connects to Redis at `url`, or builds the in-process cache and bus when `None`.
pub async fn connect(url: Option<&SecretUrl>) -> Result<CacheBus, CacheError> {
    match url {
        Some(u) => {
            let r = Arc::new(RedisCache::connect(u.expose()).await?);
            Ok(CacheBus { cache: r.clone(), bus: r })
        }
        None => {
            let m = Arc::new(MemoryCache::new(100_000));
            Ok(CacheBus { cache: m.clone(), bus: m })
        }
    }
}
