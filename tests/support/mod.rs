//! Test support: a fresh database per test on SQLite (always) and PostgreSQL
//! (when `DATABASE_URL` names a server), and a cache per test on memory and Redis
//! (when `REDIS_URL` is set).
#![allow(dead_code)]

pub mod http;
pub mod oauth_provider;

use holomesh::cache::{CacheBus, MemoryCache, RedisCache};
use holomesh::store::Store;
use std::sync::Arc;

/// An account named `name` (`name@example.org`); designers also get the handle `name`.
pub async fn account(store: &Store, name: &str, role: holomesh::domain::Role) -> holomesh::domain::User {
    use holomesh::domain::{Email, Handle, NewUser, Role};
    let u = store
        .create_user(&NewUser {
            email: Email::parse(&format!("{name}@example.org")).expect("email"),
            display_name: name.to_owned(),
            role,
            password_hash: None,
        })
        .await
        .expect("user");
    if role == Role::Designer {
        store.upsert_designer_profile(u.id, &Handle::parse(name).expect("handle"), "", &[]).await.expect("profile");
    }
    u
}

/// A store on a fresh SQLite file; the directory lives as long as the guard.
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let store = Store::open(&url, 4).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

/// A fresh PostgreSQL database created for one test and dropped by `cleanup`.
pub struct PgTestDb {
    pub store: Store,
    pub url: String,
    admin_url: String,
    name: String,
}

impl PgTestDb {
    pub async fn cleanup(self) {
        self.store.close().await;
        drop(self.store);
        if let Ok(admin) = sqlx::PgPool::connect(&self.admin_url).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

/// The PostgreSQL server for tests, if one is configured.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// A fresh PostgreSQL database, or `None` (with a note) when `DATABASE_URL` is unset.
pub async fn pg_store() -> Option<PgTestDb> {
    let Some(admin_url) = pg_admin_url() else {
        eprintln!("DATABASE_URL is not set: skipping the PostgreSQL run of this test");
        return None;
    };
    let name = format!("holomesh_t_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("DATABASE_URL is set but PostgreSQL is unreachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let mut url = url::Url::parse(&admin_url).expect("DATABASE_URL is a URL");
    url.set_path(&name);
    let url = url.to_string();
    let store = Store::open(&url, 20).await.expect("connect to test database");
    store.migrate().await.expect("migrate postgres");
    Some(PgTestDb { store, url, admin_url, name })
}

/// The in-process cache and bus.
pub fn memory_cache() -> CacheBus {
    let m = Arc::new(MemoryCache::new(10_000));
    CacheBus { cache: m.clone(), bus: m }
}

/// A Redis cache and bus under a prefix of its own, or `None` when `REDIS_URL` is unset.
pub async fn redis_cache() -> Option<CacheBus> {
    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!("REDIS_URL is not set: skipping the Redis run of this test");
        return None;
    };
    let prefix = format!("holomesh-test:{}:", uuid::Uuid::now_v7().simple());
    let r = Arc::new(RedisCache::with_prefix(&url, &prefix).await.expect("REDIS_URL is set but Redis is unreachable"));
    Some(CacheBus { cache: r.clone(), bus: r })
}

/// Runs each listed `async fn name(store: Store)` once on SQLite and once on
/// PostgreSQL, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! store_conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _dir) = $crate::support::sqlite_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::support::pg_store().await else { return };
                    super::$name(db.store.clone()).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

/// Runs each listed `async fn name(cache: CacheBus)` on memory and on Redis.
#[macro_export]
macro_rules! cache_conformance {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::memory_cache()).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(c) = $crate::support::redis_cache().await else { return };
                    super::$name(c).await;
                }
            )*
        }
    };
}

/// Publishes a draft straight through the store (no signed record): what seeding a
/// catalog for a test needs.
pub async fn publish(store: &Store, chip_id: holomesh::domain::Id) -> holomesh::domain::Chip {
    let event = holomesh::store::NewEvent {
        kind: "chip.published",
        aggregate_id: chip_id,
        payload: serde_json::json!({ "chip_id": chip_id }),
    };
    store.publish_chip(chip_id, None, &event).await.expect("publish")
}

/// A new device token and its stored hash.
pub fn device_token() -> (String, Vec<u8>) {
    use holomesh::auth::tokens::{DEVICE_TOKEN_PREFIX, hash_token, random_token};
    let token = random_token(DEVICE_TOKEN_PREFIX);
    let hash = hash_token(&token);
    (token, hash)
}

/// A draft chip with the usual test values: no supply limit, no royalty, no IP blocks.
pub fn chip_draft(vlnv: &str, title: &str, category: &str, cents: i64) -> holomesh::market::ChipDraft {
    holomesh::market::ChipDraft {
        vlnv: vlnv.into(),
        title: title.into(),
        description: format!("{title}, an IP block"),
        category: category.into(),
        process_node: "28nm".into(),
        tags: vec![],
        price: holomesh::domain::Money::new(cents, holomesh::domain::Currency::USD),
        supply: None,
        royalty_bps: 0,
        licence: None,
        content_sha256: "f".repeat(64),
        content_size: 10,
        prev_version: None,
        ip_blocks: vec![],
    }
}

/// Where the fetched models are (`HOLOMESH_MODELS_DIR`, else the default data directory).
pub fn models_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("HOLOMESH_MODELS_DIR") {
        return d.into();
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share"));
    data.join("holomesh/models")
}

/// The sentence-embedding model, loaded once per test binary; `None` (after saying so)
/// when it is not fetched, which fails under `HOLOMESH_REQUIRE_MODELS`.
pub fn embedder(test: &str) -> Option<Arc<holomesh::embed::Embedder>> {
    static E: std::sync::OnceLock<Option<Arc<holomesh::embed::Embedder>>> = std::sync::OnceLock::new();
    let e = E
        .get_or_init(|| holomesh::embed::Embedder::load(&holomesh::embed::model_dir(&models_dir())).ok().map(Arc::new))
        .clone();
    if e.is_none() {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED {test}: no sentence-embedding model (scripts/models/fetch_minilm.sh)");
    }
    e
}
