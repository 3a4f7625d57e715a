//! Search by meaning, on both backends, with the real sentence-embedding model: queries
//! that share no word with the chip they are after find it in the top five; keyword
//! queries, filters, paging and retiring work as before; a chip published by one
//! process is found by another; chips published before the model was there are caught up.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{Chip, ChipFilter, ChipSort, ChipStatus, Role, User};
use holomesh::market::{ChipDraft, Market, MarketSettings};
use holomesh::store::Store;

store_conformance!(meaning_finds_what_words_do_not, words_filters_paging_and_retiring, other_processes_and_late_models);

/// Words that say nothing about a chip, left out when checking that a query shares no
/// word with its chip.
const FILLER: &[&str] = &[
    "a", "an", "and", "at", "for", "from", "in", "is", "my", "of", "off", "on", "the", "to", "up", "while", "with",
    "chip",
];

struct Spec {
    title: String,
    category: String,
    node: String,
    tags: Vec<String>,
    cents: i64,
    description: String,
}

fn lines(file: &str) -> Vec<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/search").join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('|').map(|f| f.trim().to_owned()).collect())
        .collect()
}

fn catalog() -> Vec<Spec> {
    lines("chips.txt")
        .into_iter()
        .map(|f| Spec {
            title: f[0].clone(),
            category: f[1].clone(),
            node: f[2].clone(),
            tags: f[3].split(',').map(|t| t.trim().to_owned()).collect(),
            cents: f[4].parse().expect("price"),
            description: f[5].clone(),
        })
        .collect()
}

/// Lower-case words, a plural's trailing "s" dropped, without filler.
fn word_set(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .map(|w| w.strip_suffix('s').filter(|s| s.len() > 2).unwrap_or(w).to_owned())
        .collect()
}

fn market(store: &Store, embedder: Option<Arc<holomesh::embed::Embedder>>) -> Market {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let m = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    match embedder {
        Some(e) => m.with_embedder(e),
        None => m,
    }
}

async fn publish_all(m: &Market, designer: &User, specs: &[Spec]) -> Vec<Chip> {
    let mut out = Vec::new();
    for s in specs {
        let slug: String =
            s.title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let draft = ChipDraft {
            description: s.description.clone(),
            process_node: s.node.clone(),
            tags: s.tags.clone(),
            ..support::chip_draft(&format!("lab.dev:ip:{slug}:1.0"), &s.title, &s.category, s.cents)
        };
        let chip = m.catalog().create(designer, draft).await.expect("draft");
        out.push(m.catalog().publish(designer, chip.id).await.expect("publish"));
    }
    out
}

fn published(text: &str) -> ChipFilter {
    ChipFilter { status: Some(ChipStatus::Published), text: Some(text.into()), ..Default::default() }
}

async fn titles(m: &Market, filter: &ChipFilter, limit: u32) -> Vec<String> {
    let page = m.profiles().browse(filter, ChipSort::Relevance, None, limit).await.expect("search");
    page.items.into_iter().map(|c| c.title).collect()
}

async fn meaning_finds_what_words_do_not(store: Store) {
    let Some(embedder) = support::embedder("meaning_finds_what_words_do_not") else { return };
    let m = market(&store, Some(embedder));
    let lab = support::account(&store, "lab", Role::Designer).await;
    let specs = catalog();
    assert!(specs.len() >= 50, "the catalog has {} chips", specs.len());
    publish_all(&m, &lab, &specs).await;

    let queries = lines("queries.txt");
    assert!(queries.len() >= 30, "{} queries", queries.len());
    let mut found = 0;
    let mut missed = Vec::new();
    for q in &queries {
        let (query, wanted) = (&q[0], &q[1]);
        let spec = specs.iter().find(|s| s.title == *wanted).unwrap_or_else(|| panic!("no chip {wanted}"));
        let chip_words = word_set(&format!(
            "{} {} {} {} {}",
            spec.title,
            spec.category,
            spec.node,
            spec.tags.join(" "),
            spec.description
        ));
        let shared: Vec<_> = word_set(query).intersection(&chip_words).cloned().collect();
        assert!(shared.is_empty(), "{query:?} shares {shared:?} with {wanted}");
        let top = titles(&m, &published(query), 5).await;
        if top.contains(wanted) {
            found += 1;
        } else {
            missed.push(format!("{query:?} → {top:?} (wanted {wanted})"));
        }
    }
    let share = found * 100 / queries.len();
    println!("search by meaning: {found}/{} in the top 5 ({share} %); missed:\n{}", queries.len(), missed.join("\n"));
    assert!(share >= 90, "{found}/{} in the top 5 (the goal is 90 %)", queries.len());
}

async fn words_filters_paging_and_retiring(store: Store) {
    let Some(embedder) = support::embedder("words_filters_paging_and_retiring") else { return };
    let m = market(&store, Some(embedder));
    let lab = support::account(&store, "lab", Role::Designer).await;
    let chips = publish_all(&m, &lab, &catalog()).await;

    // Keyword queries work as before: a title word, the start of a word, a tag.
    assert_eq!(titles(&m, &published("falcon"), 3).await.first().map(String::as_str), Some("Falcon DSP Core"));
    assert_eq!(titles(&m, &published("kest"), 3).await.first().map(String::as_str), Some("Kestrel RV32"));
    assert_eq!(titles(&m, &published("hevc"), 3).await.first().map(String::as_str), Some("Video Codec H.265"));
    // Filters hold on every result.
    let cheap_analog =
        ChipFilter { category: Some("analog".into()), max_price_minor: Some(3000), ..published("power supply") };
    let page = m.profiles().browse(&cheap_analog, ChipSort::Relevance, None, 50).await.expect("filtered");
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|c| c.category == "analog" && c.price.amount_minor <= 3000), "{:?}", page.items);
    // Results are what stands out, not the whole catalog.
    let found = titles(&m, &published("audio converter"), 100).await;
    assert!(!found.is_empty() && found.len() <= 12, "{found:?}");
    // Pages follow one another without repeats.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let page =
            m.profiles().browse(&published("memory"), ChipSort::Relevance, cursor.as_deref(), 2).await.expect("page");
        seen.extend(page.items.iter().map(|c| c.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let unique: BTreeSet<_> = seen.iter().collect();
    assert!(seen.len() >= 4 && unique.len() == seen.len(), "{seen:?}");
    assert!(m.profiles().browse(&published("memory"), ChipSort::Relevance, Some("x"), 2).await.is_err());
    // A retired chip is no longer found.
    let dac = chips.iter().find(|c| c.title == "Sigma-Delta DAC 24").expect("dac");
    assert!(titles(&m, &published("sigma delta"), 5).await.contains(&dac.title));
    m.catalog().retire(&lab, dac.id).await.expect("retire");
    assert!(!titles(&m, &published("sigma delta"), 5).await.contains(&dac.title));
}

async fn other_processes_and_late_models(store: Store) {
    let Some(embedder) = support::embedder("other_processes_and_late_models") else { return };
    let lab = support::account(&store, "lab", Role::Designer).await;
    let specs = catalog();
    // Published by a process without the model: no vectors, words still match.
    let plain = market(&store, None);
    publish_all(&plain, &lab, &specs[..10]).await;
    assert_eq!(titles(&plain, &published("falcon"), 3).await, ["Falcon DSP Core"]);
    // A process with the model embeds what it finds without a vector.
    let first = market(&store, Some(embedder.clone()));
    assert_eq!(first.search().embed_missing().await.expect("catch up"), 10);
    assert_eq!(first.search().embed_missing().await.expect("nothing left"), 0);
    assert!(titles(&first, &published("audio converter"), 5).await.contains(&specs[0].title));
    // A second process sharing the database finds a chip the first one publishes.
    let second = market(&store, Some(embedder));
    assert!(!titles(&second, &published("sunlight powered"), 5).await.contains(&"Solar Energy Harvester".to_owned()));
    let solar = specs.iter().position(|s| s.title == "Solar Energy Harvester").expect("solar");
    publish_all(&first, &lab, &specs[solar..=solar]).await;
    // The second process loads new vectors beside its searches, at most every SEARCH_REFRESH.
    let mut found = false;
    for _ in 0..40 {
        tokio::time::sleep(holomesh::market::SEARCH_REFRESH / 4).await;
        if titles(&second, &published("sunlight powered"), 5).await.contains(&"Solar Energy Harvester".to_owned()) {
            found = true;
            break;
        }
    }
    assert!(found, "the second process never found the chip the first one published");
}
