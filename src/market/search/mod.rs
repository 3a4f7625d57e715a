//! Search by meaning: chips get a sentence vector when they are published, and a query
//! ranks the catalog by a blend of meaning and matching words. "audio converter" finds
//! a sigma-delta DAC that never says "audio".
//!
//! Vectors are stored in the database (both backends, as bytes) and loaded into an
//! in-memory [`index::Index`] in every process; each search first loads what other
//! processes stored since (at most every [`REFRESH_EVERY`]). Without the model, search
//! matches words in the database as before.

mod codes;
mod glossary;
mod index;
pub mod terms;

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::{Market, MarketError};
use crate::domain::{Chip, ChipFilter, ChipStatus, Id, Page, PageRequest};
use crate::embed::Embedder;
use crate::store::{ChipVectorRow, StoreError};
use index::{Doc, Index, ROW, VIEWS};

/// How often a search looks for vectors other processes stored.
pub const REFRESH_EVERY: Duration = Duration::from_millis(500);
/// Stamps read per query when catching up.
const LOAD_BATCH: u32 = 5000;
/// Whole rows read per query when catching up.
const FETCH_BATCH: usize = 500;
/// Vectors written this long before the newest one loaded are looked at again: a
/// transaction may commit after a later one did.
const COMMIT_SLACK_MICROS: i64 = 5_000_000;
/// Queries whose vectors are kept (a search repeated, or paged through, is not embedded again).
const QUERY_CACHE: usize = 512;
/// Names how a chip's views are made (see `Search::index_chips`).
const VIEW_RECIPE: &str = "label+description";
/// Chips embedded per batch when catching up on chips without a vector.
const EMBED_BATCH: u32 = 64;

/// The model, the loaded index and the queries embedded lately, shared by every
/// clone of the services.
pub(super) struct SearchIndex {
    embedder: Arc<Embedder>,
    /// What the stored vectors are made by: the model and the recipe of the views (a
    /// new recipe makes the chips embedded again, in the background).
    recipe: String,
    index: RwLock<Index>,
    /// When the index last looked for new vectors.
    checked: tokio::sync::Mutex<Option<Instant>>,
    /// Whether the first load is done (searches wait for that one only).
    loaded: std::sync::atomic::AtomicBool,
    first: tokio::sync::Mutex<()>,
    queries: Mutex<Vec<(String, Arc<Vec<f32>>)>>,
}

impl SearchIndex {
    pub(super) fn new(embedder: Arc<Embedder>) -> Self {
        Self {
            recipe: format!("{}/{VIEW_RECIPE}", embedder.fingerprint()),
            embedder,
            index: RwLock::new(Index::default()),
            checked: tokio::sync::Mutex::new(None),
            loaded: std::sync::atomic::AtomicBool::new(false),
            first: tokio::sync::Mutex::new(()),
            queries: Mutex::new(Vec::new()),
        }
    }

    fn model(&self) -> &str {
        &self.recipe
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// Search by meaning and words, and keeping chips' vectors.
pub struct Search<'a> {
    pub(super) market: &'a Market,
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(b: &[u8]) -> Option<Vec<f32>> {
    (b.len() == ROW * 4).then(|| b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

fn doc_of(c: &Chip) -> Doc {
    Doc {
        id: c.id,
        designer_id: c.designer_id,
        category: c.category.clone(),
        process_node: c.process_node.clone(),
        price_minor: c.price.amount_minor,
        published: c.status == ChipStatus::Published,
    }
}

fn store_err(e: StoreError) -> MarketError {
    MarketError::from_store("chip", e)
}

/// Embeds `texts` off the async threads; `None` (logged) when the model fails.
async fn embed(embedder: &Arc<Embedder>, texts: Vec<String>) -> Option<Vec<Vec<f32>>> {
    let e = embedder.clone();
    let out = tokio::task::spawn_blocking(move || e.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())).await;
    match out {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not embed for search");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not embed for search");
            None
        }
    }
}

impl Search<'_> {
    fn index(&self) -> Option<&SearchIndex> {
        self.market.search.as_deref()
    }

    /// What stored vectors are made by here (the model and the views' recipe), `None`
    /// without a model.
    pub fn vectors_made_by(&self) -> Option<&str> {
        self.index().map(SearchIndex::model)
    }

    /// Whether search ranks by meaning here (the model is loaded).
    pub fn by_meaning(&self) -> bool {
        self.index().is_some()
    }

    /// Published chips passing `filter` that answer `query`, best first, `limit` from
    /// `offset`; `None` when there is no model (the caller matches words instead).
    pub async fn ranked(
        &self,
        query: &str,
        filter: &ChipFilter,
        offset: usize,
        limit: u32,
    ) -> Result<Option<Page<Chip>>, MarketError> {
        let Some(ix) = self.index() else { return Ok(None) };
        self.catch_up(ix).await?;
        // A query the model fails on is still matched by its words.
        let vector = self.query_vector(ix, query).await;
        let limit = limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let hits = ix.read().rank(filter, query, vector.as_deref().map(Vec::as_slice), offset + limit + 1);
        let wanted: Vec<Id> = hits.iter().skip(offset).take(limit + 1).map(|h| h.id).collect();
        let mut chips = self.market.store.chips_by_ids(&wanted).await.map_err(store_err)?;
        chips.retain(|c| c.status == ChipStatus::Published && index::passes(&doc_of(c), filter));
        chips.sort_by_key(|c| wanted.iter().position(|id| *id == c.id));
        let more = chips.len() > limit;
        chips.truncate(limit);
        let next_cursor = more.then(|| chips.last().map(|c| format!("{}:{}", offset + limit, c.id.simple()))).flatten();
        Ok(Some(Page { items: chips, next_cursor }))
    }

    /// The vector of a query, embedded once per process for recent queries.
    async fn query_vector(&self, ix: &SearchIndex, query: &str) -> Option<Arc<Vec<f32>>> {
        let key = query.trim().to_lowercase();
        if let Some((_, v)) = ix.queries.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(q, _)| *q == key) {
            return Some(v.clone());
        }
        let v = Arc::new(embed(&ix.embedder, vec![key.clone()]).await?.pop()?);
        let mut cache = ix.queries.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= QUERY_CACHE {
            cache.remove(0);
        }
        cache.push((key, v.clone()));
        Some(v)
    }

    /// Loads the vectors stored since the last look (by any process), at most every
    /// [`REFRESH_EVERY`]. Only the first load is waited for; later ones run beside the
    /// searches, which use what is loaded meanwhile.
    async fn catch_up(&self, ix: &SearchIndex) -> Result<(), MarketError> {
        if !ix.loaded.load(std::sync::atomic::Ordering::Acquire) {
            let _first = ix.first.lock().await;
            if !ix.loaded.load(std::sync::atomic::Ordering::Acquire) {
                self.load_new(ix).await?;
                ix.loaded.store(true, std::sync::atomic::Ordering::Release);
            }
            return Ok(());
        }
        let stale = ix.checked.try_lock().is_ok_and(|c| c.is_none_or(|t| t.elapsed() >= REFRESH_EVERY));
        if stale {
            let market = self.market.clone();
            tokio::spawn(async move {
                if let Some(ix) = market.search.as_deref()
                    && let Err(e) = market.search().load_new(ix).await
                {
                    tracing::warn!(error = %e, "could not load new chip vectors");
                }
            });
        }
        Ok(())
    }

    async fn load_new(&self, ix: &SearchIndex) -> Result<(), MarketError> {
        let mut checked = ix.checked.lock().await;
        if checked.is_some_and(|t| t.elapsed() < REFRESH_EVERY) {
            return Ok(());
        }
        // Stamps first (a few bytes a row), then the whole rows of what is not loaded:
        // the slack window is looked at again every time, and is usually all loaded.
        let store = &self.market.store;
        let mut since = ix.read().newest.saturating_sub(COMMIT_SLACK_MICROS);
        loop {
            let stamps = store.chip_vector_stamps_since(ix.model(), since, LOAD_BATCH).await.map_err(store_err)?;
            let n = stamps.len();
            since = stamps.last().map_or(since, |r| r.1);
            let missing: Vec<_> = {
                let index = ix.read();
                stamps.into_iter().filter(|(id, stamp)| !index.has(*id, *stamp)).map(|(id, _)| id).collect()
            };
            for ids in missing.chunks(FETCH_BATCH) {
                let rows = store.chip_vectors_of(ix.model(), ids).await.map_err(store_err)?;
                let mut index = ix.write();
                for r in rows {
                    load_row(&mut index, r);
                }
            }
            if n < LOAD_BATCH as usize {
                break;
            }
        }
        *checked = Some(Instant::now());
        Ok(())
    }

    /// Embeds a chip just published, stores its vector and loads it here (other
    /// processes load it on their next search). Without the model: nothing to do; when
    /// the model fails, [`Search::embed_missing`] catches up later.
    pub async fn index_chip(&self, chip: &Chip) -> Result<(), MarketError> {
        let Some(ix) = self.index() else { return Ok(()) };
        self.index_chips(ix, std::slice::from_ref(chip)).await.map(drop)
    }

    /// Embeds and stores `chips`; whether the model answered.
    async fn index_chips(&self, ix: &SearchIndex, chips: &[Chip]) -> Result<bool, MarketError> {
        let texts: Vec<String> = chips.iter().map(terms::of_chip).collect();
        // The views of each chip, one after the other (see `index::VIEWS`): what it is
        // called and labelled, and what its description says.
        let views: Vec<String> = chips
            .iter()
            .flat_map(|c| {
                let label = terms::chip_text(&c.title, &c.category, &c.process_node, &c.tags, "");
                [glossary::explain(&label), glossary::explain(&c.description)]
            })
            .collect();
        let Some(flat) = embed(&ix.embedder, views).await else { return Ok(false) };
        let vectors: Vec<Vec<f32>> = flat.chunks(VIEWS).map(|v| v.concat()).collect();
        for ((chip, text), v) in chips.iter().zip(&texts).zip(vectors) {
            let stamp = crate::domain::now_micros().unix_timestamp_nanos() / 1000;
            let stamp = i64::try_from(stamp).unwrap_or(i64::MAX);
            self.market.store.put_chip_vector(chip.id, ix.model(), &to_bytes(&v), stamp).await.map_err(store_err)?;
            ix.write().put(doc_of(chip), text, &v, stamp);
        }
        Ok(true)
    }

    /// A chip taken off sale leaves this process's results at once.
    pub fn forget(&self, chip_id: Id) {
        if let Some(ix) = self.index() {
            ix.write().retire(chip_id);
        }
    }

    /// Embeds every published chip that has no vector from this model yet (published
    /// before the model was installed, or with another one); the number embedded.
    pub async fn embed_missing(&self) -> Result<usize, MarketError> {
        let Some(ix) = self.index() else { return Ok(0) };
        let mut done = 0;
        loop {
            let chips = self.market.store.chips_without_vector(ix.model(), EMBED_BATCH).await.map_err(store_err)?;
            if chips.is_empty() {
                return Ok(done);
            }
            if !self.index_chips(ix, &chips).await? {
                return Ok(done);
            }
            done += chips.len();
        }
    }
}

fn load_row(index: &mut Index, r: ChipVectorRow) {
    if index.has(r.chip_id, r.stamp) {
        return;
    }
    let Some(v) = from_bytes(&r.vector) else { return };
    let tags: Vec<String> = serde_json::from_str(&r.tags).unwrap_or_default();
    let text = terms::chip_text(&r.title, &r.category, &r.process_node, &tags, &r.description);
    let doc = Doc {
        id: r.chip_id,
        designer_id: r.designer_id,
        category: r.category,
        process_node: r.process_node,
        price_minor: r.price_minor,
        published: r.status == "published",
    };
    index.put(doc, &text, &v, r.stamp);
}
