//! Search by meaning at catalog scale: embedding a chip at publish, loading the index,
//! and ranked searches over N published chips (default 100,000) on SQLite, with
//! queries never seen before (each is embedded). Prints the figures the README quotes.
//!
//! `cargo run --release --example search_bench -- [CHIPS]` (scripts/bench/search.sh).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use holomesh::cache::{CacheBus, MemoryCache};
use holomesh::crypto::FieldCipher;
use holomesh::domain::{
    BasisPoints, ChipFilter, ChipSort, ChipStatus, Currency, Email, Handle, Money, NewChip, NewUser, Role,
};
use holomesh::market::{Market, MarketSettings};
use holomesh::store::{NewEvent, Store};

fn lines(file: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/search").join(file);
    std::fs::read_to_string(path)
        .expect("test data")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('|').map(|f| f.trim().to_owned()).collect())
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

fn new_chip(designer: holomesh::domain::Id, i: usize, spec: &[String]) -> NewChip {
    NewChip {
        designer_id: designer,
        vlnv: format!("bench.dev:ip:chip{i}:1.0").parse().expect("vlnv"),
        title: format!("{} {i}", spec[0]),
        description: spec[5].clone(),
        category: spec[1].clone(),
        process_node: spec[2].clone(),
        tags: spec[3].split(',').map(|t| t.trim().to_owned()).collect(),
        price: Money::new(spec[4].parse().expect("price"), Currency::USD),
        supply: None,
        royalty_bps: BasisPoints::new(0).expect("bps"),
        licence: "MIT".into(),
        content_sha256: "b".repeat(64),
        content_size: 1,
        prev_version_id: None,
        contributions: vec![],
    }
}

async fn publish(store: &Store, id: holomesh::domain::Id) -> holomesh::domain::Chip {
    let event = NewEvent { kind: "chip.published", aggregate_id: id, payload: serde_json::json!({ "chip_id": id }) };
    store.publish_chip(id, None, &event).await.expect("publish")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let models = std::env::var_os("HOLOMESH_MODELS_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share/holomesh/models")
    });
    let embedder = Arc::new(holomesh::embed::Embedder::load(&holomesh::embed::model_dir(&models))?);
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!("sqlite://{}/bench.db", dir.path().display()), 4).await?;
    store.migrate().await?;
    let cipher = Arc::new(FieldCipher::new(vec![("b".into(), [3u8; 32])], "b")?);
    let m = Arc::new(MemoryCache::new(10_000));
    let cache = CacheBus { cache: m.clone(), bus: m };
    let market = Market::new(store.clone(), cache, MarketSettings::default(), cipher).with_embedder(embedder.clone());
    let designer = store
        .create_user(&NewUser {
            email: Email::parse("bench@example.org")?,
            display_name: "Bench".into(),
            role: Role::Designer,
            password_hash: None,
        })
        .await?;
    store.upsert_designer_profile(designer.id, &Handle::parse("bench")?, "", &[]).await?;

    // Embedding at publish: each catalog chip's views, one chip at a time; then each chip
    // again, as when it is changed, for enough samples to read a p99 from.
    let specs = lines("chips.txt");
    let mut embed_times = Vec::new();
    let mut published = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let chip = publish(&store, store.create_chip(&new_chip(designer.id, i, spec)).await?.id).await;
        let t = Instant::now();
        market.search().index_chip(&chip).await?;
        embed_times.push(t.elapsed());
        published.push(chip);
    }
    for _ in 0..2 {
        for chip in &published {
            let t = Instant::now();
            market.search().index_chip(chip).await?;
            embed_times.push(t.elapsed());
        }
    }
    embed_times.sort();
    // The other chips reuse those vectors (ranking time does not depend on what they hold).
    let model = market.search().vectors_made_by().expect("the model is loaded").to_owned();
    let pool = store.chip_vectors_since(&model, i64::MIN, 1000).await?;
    let t = Instant::now();
    for i in specs.len()..n {
        let spec = &specs[i % specs.len()];
        let chip = publish(&store, store.create_chip(&new_chip(designer.id, i, spec)).await?.id).await;
        let v = &pool[i % pool.len()];
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000;
        store.put_chip_vector(chip.id, &model, &v.vector, i64::try_from(now)?).await?;
    }
    let seeded = t.elapsed();

    // A new process: the first search loads every vector.
    let cipher = Arc::new(FieldCipher::new(vec![("b".into(), [3u8; 32])], "b")?);
    let m = Arc::new(MemoryCache::new(10_000));
    let cache = CacheBus { cache: m.clone(), bus: m };
    let fresh = Market::new(store.clone(), cache, MarketSettings::default(), cipher).with_embedder(embedder.clone());
    let before = rss_mb();
    let filter =
        |q: &str| ChipFilter { status: Some(ChipStatus::Published), text: Some(q.into()), ..Default::default() };
    let t = Instant::now();
    fresh.profiles().browse(&filter("warm up"), ChipSort::Relevance, None, 20).await?;
    let load = t.elapsed();
    let after = rss_mb();

    let queries = lines("queries.txt");
    let mut times = Vec::new();
    for round in 0..5 {
        for q in &queries {
            // Never the same text twice: every query is embedded, as a new one would be.
            let text = format!("{} {}", q[0], ["", "please", "now", "today", "for me"][round]);
            let t = Instant::now();
            let page = fresh.profiles().browse(&filter(text.trim()), ChipSort::Relevance, None, 20).await?;
            times.push(t.elapsed());
            assert!(!page.items.is_empty(), "{text}: nothing found");
        }
    }
    times.sort();
    // The query's embedding alone, for the same kind of text.
    let mut embed_only = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let text = format!("{} again {i}", q[0]);
        let t = Instant::now();
        embedder.embed_one(&text)?;
        embed_only.push(t.elapsed());
    }
    embed_only.sort();
    println!("search by meaning over {n} published chips (SQLite, one process, 2 cores)");
    println!(
        "  embedding a chip at publish ({} times): p50 {:.1} ms, p99 {:.1} ms",
        embed_times.len(),
        percentile(&embed_times, 0.5),
        percentile(&embed_times, 0.99)
    );
    println!("  seeding {n} chips: {:.0} s", seeded.as_secs_f64());
    println!("  loading the index: {:.1} s, RSS {before} → {after} MB", load.as_secs_f64());
    println!(
        "  {} new queries: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    println!(
        "  of which embedding the query: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&embed_only, 0.5),
        percentile(&embed_only, 0.99)
    );
    Ok(())
}
