//! `holomesh backup` / `holomesh restore` on both backends: a backup restored into an
//! empty database brings back every row; a restore never overwrites data and refuses
//! when a key the data needs is not configured. And a process whose field keys are not
//! the ones the database's data was sealed with does not start.

mod support;

use holomesh::app::backup::{backup, restore};
use holomesh::config::{Config, SecretUrl};
use holomesh::crypto::FieldCipher;
use holomesh::domain::{Currency, Money, PageRequest, PurchaseSource, Role, SubscriptionChange};
use holomesh::market::{ChipDraft, Market, MarketSettings};
use holomesh::store::Store;
use std::sync::Arc;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A configuration for `url` with one configured field key `k1`.
fn config(dir: &std::path::Path, url: &str) -> Config {
    let mut c = Config::load(None, Some(dir.to_path_buf())).expect("config");
    c.database.url = SecretUrl::new(url);
    c.security.field_keys.insert("k1".into(), holomesh::config::Secret::new(KEY));
    c.security.active_field_key = "k1".into();
    c
}

/// Some of everything: accounts, a published chip, a deposit, a purchase, a subscription.
async fn fill(store: &Store) -> holomesh::domain::Id {
    let cipher = Arc::new(FieldCipher::from_config(&[("k1".into(), KEY.into())], "k1").expect("cipher"));
    let market = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let bob = support::account(store, "bob", Role::Designer).await;
    let carol = support::account(store, "carol", Role::User).await;
    let draft =
        ChipDraft { supply: Some(3), ..support::chip_draft("bob.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 2500) };
    let chip = market.catalog().create(&bob, draft).await.expect("draft");
    market.catalog().publish(&bob, chip.id).await.expect("publish");
    store.deposit(carol.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    let sub = SubscriptionChange { max_price: Some(Some(Money::new(5000, Currency::USD))), ..Default::default() };
    market.subscriptions().set(&carol, "bob", &sub).await.expect("subscribe");
    let receipt = market.purchases().buy(&carol, chip.id, PurchaseSource::Api, None, Some("k")).await.expect("buy");
    receipt.purchase.id
}

async fn check_round_trip(source: Store, source_url: &str, target_url: &str) {
    let purchase = fill(&source).await;
    let before = source.table_counts().await.expect("counts");
    assert!(before.values().sum::<i64>() > 10, "{before:?}");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("holomesh.backup");
    let manifest = backup(&config(dir.path(), source_url), &file).await.expect("backup");
    assert_eq!(manifest.rows, before);
    assert_eq!(manifest.field_key_ids, vec!["k1".to_owned()]);

    // Not into a database that holds data, and not without the key.
    let refused = restore(&config(dir.path(), source_url), &file).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("already holds data")));
    let mut keyless = config(dir.path(), target_url);
    keyless.security.field_keys.clear();
    keyless.security.active_field_key.clear();
    let refused = restore(&keyless, &file).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("k1")));

    let restored = restore(&config(dir.path(), target_url), &file).await.expect("restore");
    assert_eq!(restored.rows, before);
    let target = Store::open(target_url, 2).await.expect("open restored");
    assert_eq!(target.table_counts().await.expect("counts"), before, "every row is back");
    let p = target.purchase_by_id(purchase).await.expect("the purchase is back");
    assert_eq!(p.price.amount_minor, 2500);
    let buyer = target.list_purchases(p.buyer_id, PageRequest::first(10)).await.expect("list").items;
    assert_eq!(buyer.len(), 1);
    assert_eq!(target.wallet(p.buyer_id, Currency::USD).await.expect("wallet").balance.amount_minor, 7500);
    assert_eq!(target.ledger_sum(Currency::USD).await.expect("sum"), 0);
    target.migrate().await.expect("the restored database is at the current schema");
    target.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_restores_every_row_into_an_empty_database() {
    let (store, dir) = support::sqlite_store().await;
    let source_url = format!("sqlite://{}/test.db", dir.path().display());
    let target_url = format!("sqlite://{}/restored.db", dir.path().display());
    check_round_trip(store, &source_url, &target_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_restores_every_row_into_an_empty_database() {
    let Some(source) = support::pg_store().await else { return };
    let Some(target) = support::pg_store().await else { return };
    target.store.close().await;
    check_round_trip(source.store.clone(), &source.url, &target.url).await;
    source.cleanup().await;
    target.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_with_other_field_keys_is_refused() {
    use holomesh::app::{App, Speech};
    let (store, _db_dir) = support::sqlite_store().await;
    let first = tempfile::tempdir().expect("dir");
    let second = tempfile::tempdir().expect("dir");
    let start = |dir: &std::path::Path| {
        let config = Config::load(None, Some(dir.to_path_buf())).expect("config");
        App::assemble(config, store.clone(), support::memory_cache(), Speech::Off)
    };
    start(first.path()).await.expect("the first instance makes its key");
    start(first.path()).await.expect("and starts again with it");
    // A second instance with its own data directory would make its own key.
    let refused = start(second.path()).await.expect_err("refused").to_string();
    assert!(refused.contains("field.key") && refused.contains("not the key"), "{refused}");
    // Configured keys must include the one the data was sealed with.
    let mut configured = Config::load(None, Some(second.path().to_path_buf())).expect("config");
    configured.security.field_keys.insert("k1".into(), holomesh::config::Secret::new(KEY));
    configured.security.active_field_key = "k1".into();
    let refused = App::assemble(configured, store.clone(), support::memory_cache(), Speech::Off).await;
    assert!(refused.expect_err("refused").to_string().contains("\"local\""));
    start(first.path()).await.expect("the right key still works");
}
