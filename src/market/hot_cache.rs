//! Read-through caching of hot public reads (a published chip, a designer's page, the
//! first page of catalog listings) as JSON bytes in the shared cache.
//!
//! Writes invalidate what they change; a short TTL bounds anything a race or another
//! process leaves behind. Listings are keyed under a catalog generation that every
//! catalog write replaces, so one write retires every cached listing at once. A cache
//! that fails (Redis down) is logged and skipped: reads fall through to the store.

use crate::cache::Cache;
use crate::domain::Id;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a cached read may live without an invalidation.
pub const TTL: Duration = Duration::from_secs(30);

/// How long a catalog generation lives; longer than any listing entry.
const GENERATION_TTL: Duration = Duration::from_secs(86_400);

const GENERATION_KEY: &str = "catalog:generation";
/// Replaced whenever the names people may say change (a chip published or retired, a
/// designer's profile): whoever holds the names compares it before understanding.
const NAMES_KEY: &str = "names:generation";

/// The key of a chip's page (the one the market services also delete).
pub fn chip_key(id: Id) -> String {
    format!("chip:{id}")
}

/// The key of a designer's page.
pub fn designer_key(handle: &str) -> String {
    format!("designer:{handle}")
}

/// Cached bytes under `key`, or `None` on a miss or a failing cache.
pub async fn get(cache: &dyn Cache, key: &str) -> Option<Vec<u8>> {
    match cache.get(key).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, key, "cache read failed; reading the store");
            None
        }
    }
}

/// Serialises `value` and stores it under `key`; returns the bytes for the answer.
pub async fn put<T: Serialize>(cache: &dyn Cache, key: &str, value: &T) -> Option<Vec<u8>> {
    let bytes = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, key, "cannot serialise a cached read");
            return None;
        }
    };
    if let Err(e) = cache.set(key, &bytes, TTL).await {
        tracing::debug!(error = %e, key, "cache write failed");
    }
    Some(bytes)
}

/// Removes `key`; a failing cache is logged (the TTL bounds the staleness).
pub async fn forget(cache: &dyn Cache, key: &str) {
    if let Err(e) = cache.delete(key).await {
        tracing::warn!(error = %e, key, "cache invalidation failed; the entry expires within its TTL");
    }
}

/// Retires every cached listing by starting a new catalog generation.
pub async fn bump_catalog(cache: &dyn Cache) {
    bump(cache, GENERATION_KEY).await;
}

/// Marks the names people may say as changed.
pub async fn bump_names(cache: &dyn Cache) {
    bump(cache, NAMES_KEY).await;
}

/// The current generation of the names (started on first use), `None` when the cache fails.
pub async fn names_generation(cache: &dyn Cache) -> Option<String> {
    generation_of(cache, NAMES_KEY).await
}

async fn bump(cache: &dyn Cache, key: &str) {
    let fresh = crate::domain::new_id().simple().to_string();
    if let Err(e) = cache.set(key, fresh.as_bytes(), GENERATION_TTL).await {
        tracing::warn!(error = %e, key, "generation not replaced; what it guards expires within its TTL");
    }
}

/// The current catalog generation (started on first use), or `None` when the cache
/// fails: listings are then not cached at all.
async fn generation(cache: &dyn Cache) -> Option<String> {
    generation_of(cache, GENERATION_KEY).await
}

async fn generation_of(cache: &dyn Cache, key: &str) -> Option<String> {
    match cache.get(key).await {
        Ok(Some(g)) => String::from_utf8(g).ok(),
        Ok(None) => {
            let fresh = crate::domain::new_id().simple().to_string();
            cache.set(key, fresh.as_bytes(), GENERATION_TTL).await.ok().map(|()| fresh)
        }
        Err(e) => {
            tracing::warn!(error = %e, key, "cache read failed");
            None
        }
    }
}

/// The key of a first listing page for the normalised query `fingerprint`, under the
/// current catalog generation.
pub async fn listing_key(cache: &dyn Cache, fingerprint: &str) -> Option<String> {
    let generation = generation(cache).await?;
    let digest = Sha256::digest(fingerprint.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    Some(format!("chips:list:{generation}:{hex}"))
}

/// After a write that changes a chip (sold count, rating, status) and so its
/// designer's page and the listings.
pub async fn chip_changed(cache: &dyn Cache, chip_id: Id, designer_handle: Option<&str>) {
    forget(cache, &chip_key(chip_id)).await;
    if let Some(h) = designer_handle {
        forget(cache, &designer_key(h)).await;
    }
    bump_catalog(cache).await;
}
