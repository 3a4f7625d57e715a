//! Signed chip records on both backends: publishing through `Catalog` signs the record
//! with every author's key, the record verifies offline against the design file, keys
//! are stored sealed, and `holomesh verify` agrees.

mod support;

use holomesh::crypto::{FieldCipher, generate_key};
use holomesh::domain::{Currency, Email, Handle, Id, Money, NewUser, Role, User};
use holomesh::market::{ChipDraft, Market, MarketError, MarketSettings};
use holomesh::nft::{self, DesignerKeys, VerifyReport};
use holomesh::store::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

store_conformance!(
    published_record_verifies_with_both_authors_signatures,
    a_changed_byte_fails_content_sha256,
    republishing_is_refused_and_keeps_the_record,
    private_keys_are_stored_sealed,
    keys_are_made_once_even_for_concurrent_publications,
    an_author_without_a_profile_cannot_publish_and_nothing_changes,
);

const DESIGN: &[u8] = b"module uart_soc(input clk, input rst_n, output tx);\n  // ...\nendmodule\n";

fn cipher() -> Arc<FieldCipher> {
    Arc::new(FieldCipher::from_config(&[("test".into(), generate_key())], "test").expect("cipher"))
}

fn market(store: &Store, cipher: &Arc<FieldCipher>) -> Market {
    Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher.clone())
}

async fn account(store: &Store, name: &str, role: Role) -> User {
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

fn draft(vlnv: &str, content: &[u8], ip_blocks: Vec<(&str, &str, i64)>) -> ChipDraft {
    let digest = nft::digest_reader(content).expect("digest");
    ChipDraft {
        vlnv: vlnv.into(),
        title: "UART SoC".into(),
        description: "A small SoC with a UART".into(),
        category: "soc".into(),
        process_node: "28nm".into(),
        tags: vec!["uart".into()],
        price: Money::new(4999, Currency::USD),
        supply: None,
        royalty_bps: 500,
        licence: Some("Apache-2.0".into()),
        content_sha256: digest.sha256,
        content_size: i64::try_from(digest.size).expect("size"),
        prev_version: None,
        ip_blocks: ip_blocks.into_iter().map(|(h, v, s)| (h.to_owned(), v.to_owned(), s)).collect(),
    }
}

/// Alice's chip with one IP block by Bob (2500 bps), published through the catalog.
async fn alice_and_bob(store: &Store, market: &Market) -> (User, User, Id) {
    let alice = account(store, "alice", Role::Designer).await;
    let bob = account(store, "bob", Role::Designer).await;
    let chip = market
        .catalog()
        .create(&alice, draft("acme:soc:uart_soc:1.0", DESIGN, vec![("bob", "bob.dev:io:uart:1.0", 2500)]))
        .await
        .expect("create");
    market.catalog().publish(&alice, chip.id).await.expect("publish");
    (alice, bob, chip.id)
}

fn verify_bytes(record: &Value, content: &[u8]) -> VerifyReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("uart_soc.v");
    std::fs::write(&path, content).expect("write design file");
    nft::verify(record, std::fs::File::open(&path).expect("open design file")).expect("verify")
}

fn author_key(record: &Value, id: Id) -> String {
    record["properties"]["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .find(|a| a["id"] == id.to_string())
        .and_then(|a| a["pubkey"].as_str())
        .expect("author listed")
        .to_owned()
}

async fn published_record_verifies_with_both_authors_signatures(store: Store) {
    let market = market(&store, &cipher());
    let (alice, bob, chip) = alice_and_bob(&store, &market).await;

    let record = market.catalog().record(chip).await.expect("record");
    let report = verify_bytes(&record, DESIGN);
    assert!(report.valid, "{report}");
    assert!(report.check("signatures").is_some_and(|c| c.ok && c.detail.starts_with("2 valid")), "{report}");

    let authors = record["properties"]["authors"].as_array().expect("authors");
    let shares: Vec<(String, u64)> = authors
        .iter()
        .map(|a| (a["id"].as_str().unwrap_or("").to_owned(), a["share_bps"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(shares, vec![(alice.id.to_string(), 7500), (bob.id.to_string(), 2500)]);
    assert_eq!(record["signatures"].as_array().map(Vec::len), Some(2));
    assert_eq!(record["name"], "UART SoC");
    assert_eq!(record["external_url"], format!("https://holomesh.dev/chips/{chip}"));
    assert_eq!(record["properties"]["vlnv"], "acme:soc:uart_soc:1.0");
    assert_eq!(record["properties"]["licence"], "Apache-2.0");
    assert_eq!(record["properties"]["royalty_bps"], 500);
    assert_eq!(record["properties"]["content"]["size"], DESIGN.len());
    assert_eq!(record["properties"]["prev_version"], Value::Null);
    let traits: Vec<&str> =
        record["attributes"].as_array().expect("attributes").iter().filter_map(|a| a["value"].as_str()).collect();
    assert_eq!(traits, vec!["acme:soc:uart_soc:1.0", "28nm", "soc"]);

    // The record went out with the publish event, and the chip is published.
    let events = store.claim_events(10, 60).await.expect("claim");
    assert_eq!(events.iter().filter(|e| e.kind == "chip.published" && e.aggregate_id == chip).count(), 1);
    assert_eq!(store.chip_by_id(chip).await.expect("chip").status.as_str(), "published");

    // Version 2 names version 1, reuses Alice's key, and merges Bob's two blocks.
    let mut v2 = draft(
        "acme:soc:uart_soc:2.0",
        b"v2",
        vec![
            ("bob", "bob.dev:io:uart:1.0", 1000),
            ("bob", "bob.dev:io:spi:1.0", 1500),
            ("alice", "acme:io:gpio:1.0", 100),
        ],
    );
    v2.prev_version = Some("acme:soc:uart_soc:1.0".into());
    let v2 = market.catalog().create(&alice, v2).await.expect("create v2");
    market.catalog().publish(&alice, v2.id).await.expect("publish v2");
    let record2 = market.catalog().record(v2.id).await.expect("record v2");
    assert!(verify_bytes(&record2, b"v2").valid);
    assert_eq!(record2["properties"]["prev_version"], "acme:soc:uart_soc:1.0");
    let shares2: Vec<u64> = record2["properties"]["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["share_bps"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(shares2, vec![7400 + 100, 2500], "Alice's own block and Bob's two blocks are merged");
    assert_eq!(author_key(&record2, alice.id), author_key(&record, alice.id));
    assert_eq!(author_key(&record2, bob.id), author_key(&record, bob.id));
}

async fn a_changed_byte_fails_content_sha256(store: Store) {
    let market = market(&store, &cipher());
    let (_, _, chip) = alice_and_bob(&store, &market).await;
    let record = market.catalog().record(chip).await.expect("record");
    let mut changed = DESIGN.to_vec();
    changed[7] ^= 0x01;
    let report = verify_bytes(&record, &changed);
    assert!(!report.valid);
    let failed: Vec<&str> = report.failures().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, vec!["content_sha256"], "{report}");
}

async fn republishing_is_refused_and_keeps_the_record(store: Store) {
    let market = market(&store, &cipher());
    let (alice, _, chip) = alice_and_bob(&store, &market).await;
    let before = market.catalog().record(chip).await.expect("record");
    let again = market.catalog().publish(&alice, chip).await;
    assert!(matches!(&again, Err(MarketError::Invalid(m)) if m.contains("only drafts")), "{again:?}");
    assert_eq!(market.catalog().record(chip).await.expect("record"), before);
    // The store refuses too, and a published chip's record cannot be replaced.
    let event =
        holomesh::store::NewEvent { kind: "chip.published", aggregate_id: chip, payload: serde_json::json!({}) };
    assert!(store.publish_chip(chip, Some(&serde_json::json!({})), &event).await.is_err());
    assert!(store.set_chip_record(chip, &serde_json::json!({})).await.is_err());
    assert_eq!(market.catalog().record(chip).await.expect("record"), before);
    let events = store.claim_events(10, 60).await.expect("claim");
    assert_eq!(events.iter().filter(|e| e.kind == "chip.published").count(), 1);
}

async fn private_keys_are_stored_sealed(store: Store) {
    let cipher = cipher();
    let market = market(&store, &cipher);
    let (alice, bob, chip) = alice_and_bob(&store, &market).await;
    let record = market.catalog().record(chip).await.expect("record");
    for user in [&alice, &bob] {
        let (public, sealed) = store.designer_keys(user.id).await.expect("keys").expect("keys were made");
        let aad = format!("designer_profiles.private_key:{}", user.id);
        let secret = cipher.open(&sealed, aad.as_bytes()).expect("opens with the cipher and the row's AAD");
        assert_eq!(secret.len(), 32);
        assert!(!sealed.windows(32).any(|w| w == secret.as_slice()), "the raw key is not in the column");
        let keys = DesignerKeys::from_secret_bytes(&secret).expect("a key");
        assert_eq!(keys.verifying_key().as_bytes().as_slice(), public.as_slice());
        assert_eq!(keys.public_key_string(), author_key(&record, user.id));
        assert!(cipher.open(&sealed, b"designer_profiles.private_key:someone-else").is_err(), "bound to its row");
        assert!(self::cipher().open(&sealed, aad.as_bytes()).is_err(), "another key cannot open it");
    }
    // Keys are set once.
    assert!(store.set_designer_keys(alice.id, b"public", b"sealed").await.is_err());
}

async fn keys_are_made_once_even_for_concurrent_publications(store: Store) {
    let market = market(&store, &cipher());
    let alice = account(&store, "alice", Role::Designer).await;
    let mut ids = Vec::new();
    for n in 1..=4 {
        let vlnv = format!("acme:soc:chip{n}:1.0");
        ids.push(market.catalog().create(&alice, draft(&vlnv, DESIGN, vec![])).await.expect("create").id);
    }
    let publications = ids.iter().map(|id| {
        let (market, alice) = (market.clone(), alice.clone());
        let id = *id;
        tokio::spawn(async move { market.catalog().publish(&alice, id).await.map(|_| ()) })
    });
    for p in publications.collect::<Vec<_>>() {
        p.await.expect("task").expect("publish");
    }
    let (public, _) = store.designer_keys(alice.id).await.expect("keys").expect("made");
    for id in ids {
        let record = market.catalog().record(id).await.expect("record");
        assert!(verify_bytes(&record, DESIGN).valid);
        let key = nft::parse_public_key(&author_key(&record, alice.id)).expect("key");
        assert_eq!(key.as_bytes().as_slice(), public.as_slice(), "every record uses the one stored key");
    }
}

async fn an_author_without_a_profile_cannot_publish_and_nothing_changes(store: Store) {
    let market = market(&store, &cipher());
    let admin = account(&store, "root", Role::Admin).await;
    let chip = market.catalog().create(&admin, draft("acme:soc:orphan:1.0", DESIGN, vec![])).await.expect("create");
    let refused = market.catalog().publish(&admin, chip.id).await;
    assert!(matches!(&refused, Err(MarketError::Invalid(m)) if m.contains("designer profile")), "{refused:?}");
    assert_eq!(store.chip_by_id(chip.id).await.expect("chip").status.as_str(), "draft");
    assert!(matches!(market.catalog().record(chip.id).await, Err(MarketError::NotFound(_))));
    assert!(store.claim_events(10, 60).await.expect("claim").is_empty());
}

/// Runs `holomesh verify --record R FILE` and returns (exit code, stdout + stderr).
fn run_verify(data_dir: &Path, record: &Path, file: &Path) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_holomesh"))
        .env("HOLOMESH_DATA_DIR", data_dir)
        .arg("verify")
        .arg("--record")
        .arg(record)
        .arg(file)
        .output()
        .expect("run holomesh");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_verifies_a_published_record() {
    let (store, dir) = support::sqlite_store().await;
    let market = market(&store, &cipher());
    let (_, _, chip) = alice_and_bob(&store, &market).await;
    let record = market.catalog().record(chip).await.expect("record");
    let record_path = dir.path().join("R.json");
    std::fs::write(&record_path, serde_json::to_vec_pretty(&record).expect("json")).expect("write record");
    let file: PathBuf = dir.path().join("uart_soc.v");
    std::fs::write(&file, DESIGN).expect("write design");

    let (code, out) = run_verify(dir.path(), &record_path, &file);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK"), "{out}");

    let mut changed = DESIGN.to_vec();
    changed[0] ^= 0x20;
    std::fs::write(&file, &changed).expect("change one byte");
    let (code, out) = run_verify(dir.path(), &record_path, &file);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED content_sha256"), "{out}");

    let (code, out) = run_verify(dir.path(), &record_path, &dir.path().join("missing.v"));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("missing.v"), "{out}");
}
