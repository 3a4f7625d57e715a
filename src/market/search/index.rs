//! The in-memory search index of one process: every published chip's sentence vector
//! (8-bit, 384 bytes a chip), the fields filters use, and an inverted index of words.
//! A query is ranked against all of it in one pass: 100,000 chips take a few
//! milliseconds on one core.

use std::collections::{BTreeMap, HashMap};

use super::codes::{dot, quantize};
use super::terms;
use crate::domain::{ChipFilter, Id};
use crate::embed::DIM;

/// Vectors per chip: its label (title, category, process node, tags) and its
/// description, each embedded on its own (together, a long label can hide what the
/// description means). A chip is as close as its closest view.
pub const VIEWS: usize = 2;
/// Numbers per chip.
pub const ROW: usize = VIEWS * DIM;

/// How much matching words count beside meaning (meaning is a cosine, at most 1).
const KEYWORD_WEIGHT: f32 = 0.3;
/// A chip sharing no word with the query is a result when its similarity stands out
/// from the catalog's: at least this many standard deviations above the mean (a query
/// that means nothing here is about as close to every chip) …
const MIN_STANDOUT: f32 = 1.5;
/// … and at least this similarity. At this similarity or more a chip is a result
/// however many others are as close (a small catalog has no spread to stand out from).
const MIN_SIMILARITY: f32 = 0.15;
const SURE_SIMILARITY: f32 = 0.5;
/// Catalogs at least this large are compared on several threads.
const PARALLEL_FROM: usize = 20_000;
/// Query words at least this long also match words they begin ("fal" → "falcon").
const PREFIX_MIN: usize = 3;

/// What a chip is filtered and matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub id: Id,
    pub designer_id: Id,
    pub category: String,
    pub process_node: String,
    pub price_minor: i64,
    pub published: bool,
}

struct Entry {
    doc: Doc,
    stamp: i64,
    scale: f32,
    terms: Box<[u32]>,
}

/// A ranked chip: its id and how well it answers the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub id: Id,
    pub score: f32,
}

/// Vectors, fields and words of the chips loaded so far.
#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// `ROW` bytes per entry, in entry order.
    vectors: Vec<i8>,
    by_id: HashMap<Id, usize>,
    vocabulary: BTreeMap<String, u32>,
    /// Entries holding each word, by word number.
    postings: Vec<Vec<u32>>,
    /// The newest stamp loaded.
    pub newest: i64,
}

impl Index {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the chip is loaded with a vector written at `stamp` or later.
    pub fn has(&self, id: Id, stamp: i64) -> bool {
        self.by_id.get(&id).is_some_and(|&i| self.entries.get(i).is_some_and(|e| e.stamp >= stamp))
    }

    /// Adds a chip or replaces what was loaded for it: `text` is its
    /// [`terms::chip_text`], `vector` its `ROW` values (one vector per view).
    pub fn put(&mut self, doc: Doc, text: &str, vector: &[f32], stamp: i64) {
        if vector.len() != ROW {
            return;
        }
        let (q, scale) = quantize(vector);
        let mut ids: Vec<u32> = terms::words(text).into_iter().map(|w| self.term(w)).collect();
        ids.sort_unstable();
        ids.dedup();
        self.newest = self.newest.max(stamp);
        match self.by_id.get(&doc.id).copied() {
            Some(i) => {
                for t in self.entries.get(i).map(|e| e.terms.to_vec()).unwrap_or_default() {
                    if let Some(list) = self.postings.get_mut(t as usize) {
                        list.retain(|&e| e as usize != i);
                    }
                }
                self.index_terms(i, &ids);
                if let Some(slot) = self.vectors.get_mut(i * ROW..(i + 1) * ROW) {
                    slot.copy_from_slice(&q);
                }
                if let Some(e) = self.entries.get_mut(i) {
                    *e = Entry { doc, stamp, scale, terms: ids.into() };
                }
            }
            None => {
                let i = self.entries.len();
                self.index_terms(i, &ids);
                self.vectors.extend_from_slice(&q);
                self.by_id.insert(doc.id, i);
                self.entries.push(Entry { doc, stamp, scale, terms: ids.into() });
            }
        }
    }

    /// Marks a chip as no longer on sale (it stays loaded, filtered out).
    pub fn retire(&mut self, id: Id) {
        if let Some(e) = self.by_id.get(&id).and_then(|&i| self.entries.get_mut(i)) {
            e.doc.published = false;
        }
    }

    fn term(&mut self, word: String) -> u32 {
        if let Some(&t) = self.vocabulary.get(&word) {
            return t;
        }
        let t = u32::try_from(self.postings.len()).unwrap_or(u32::MAX);
        self.vocabulary.insert(word, t);
        self.postings.push(Vec::new());
        t
    }

    fn index_terms(&mut self, entry: usize, terms: &[u32]) {
        let e = u32::try_from(entry).unwrap_or(u32::MAX);
        for &t in terms {
            if let Some(list) = self.postings.get_mut(t as usize) {
                list.push(e);
            }
        }
    }

    /// Word numbers matching a query word: the word itself, or, for a word without an
    /// exact match, the words it begins.
    fn matching_terms(&self, word: &str) -> Vec<u32> {
        if let Some(&t) = self.vocabulary.get(word) {
            return vec![t];
        }
        if word.chars().count() < PREFIX_MIN {
            return Vec::new();
        }
        self.vocabulary.range(word.to_owned()..).take_while(|(w, _)| w.starts_with(word)).map(|(_, &t)| t).collect()
    }

    /// How much of the query's words each entry has, weighted by how rare each word is
    /// (0 to 1), by entry.
    fn keyword_scores(&self, query: &str) -> Vec<f32> {
        let words = terms::words(query);
        let n = self.entries.len().max(1) as f32;
        let mut total = 0f32;
        let mut scores = vec![0f32; self.entries.len()];
        for w in &words {
            let mut holders: Vec<u32> = self
                .matching_terms(w)
                .iter()
                .filter_map(|&t| self.postings.get(t as usize))
                .flatten()
                .copied()
                .collect();
            holders.sort_unstable();
            holders.dedup();
            let idf = (1.0 + n / (1.0 + holders.len() as f32)).ln();
            total += idf;
            for h in holders {
                if let Some(s) = scores.get_mut(h as usize) {
                    *s += idf;
                }
            }
        }
        if total > 0.0 {
            scores.iter_mut().for_each(|s| *s /= total);
        }
        scores
    }

    /// The best `want` of the loaded published chips passing `filter`, ranked by
    /// meaning (`query_vector`, `None` without a model) and words of `query`, best
    /// first. A chip is a result when it shares a word with the query or is close
    /// enough in meaning.
    pub fn rank(&self, filter: &ChipFilter, query: &str, query_vector: Option<&[f32]>, want: usize) -> Vec<Hit> {
        let keywords = self.keyword_scores(query);
        let kw = |i: usize| keywords.get(i).copied().unwrap_or(0.0);
        let q = query_vector.filter(|v| v.len() == DIM).map(quantize);
        let found = self.compare(filter, q.as_ref(), &keywords);
        let floor = MIN_SIMILARITY.max((found.mean + MIN_STANDOUT * found.sd).min(SURE_SIMILARITY));
        let mut hits: Vec<Hit> = found
            .scored
            .into_iter()
            .filter_map(|(i, meaning)| {
                let id = self.entries.get(i)?.doc.id;
                (kw(i) > 0.0 || (q.is_some() && meaning >= floor))
                    .then_some(Hit { id, score: meaning + KEYWORD_WEIGHT * kw(i) })
            })
            .collect();
        let order = |a: &Hit, b: &Hit| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id));
        if want < hits.len() {
            hits.select_nth_unstable_by(want, order);
            hits.truncate(want);
        }
        hits.sort_by(order);
        hits
    }

    /// The similarity of entry `i` to the query: its closest view's.
    fn similarity(&self, i: usize, (qv, qs): &(Vec<i8>, f32)) -> f32 {
        match (self.vectors.get(i * ROW..(i + 1) * ROW), self.entries.get(i)) {
            (Some(v), Some(e)) => {
                v.chunks_exact(DIM).map(|view| dot(qv, view)).max().unwrap_or(0) as f32 * qs * e.scale
            }
            _ => 0.0,
        }
    }

    /// Every entry passing `filter` with its similarity to the query (`q`; without
    /// one, only entries sharing a word with it), on every core for a large catalog.
    fn compare(&self, filter: &ChipFilter, q: Option<&(Vec<i8>, f32)>, keywords: &[f32]) -> Found {
        let score = |range: std::ops::Range<usize>| -> Scored {
            range
                .filter(|&i| self.entries.get(i).is_some_and(|e| passes(&e.doc, filter)))
                .filter(|&i| q.is_some() || keywords.get(i).is_some_and(|k| *k > 0.0))
                .map(|i| (i, q.map_or(0.0, |q| self.similarity(i, q))))
                .collect()
        };
        let n = self.entries.len();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8);
        let scored = if n < PARALLEL_FROM || threads < 2 {
            score(0..n)
        } else {
            let chunk = n.div_ceil(threads);
            std::thread::scope(|s| {
                let parts: Vec<_> =
                    (0..threads).map(|t| s.spawn(move || score(t * chunk..((t + 1) * chunk).min(n)))).collect();
                parts.into_iter().flat_map(|p| p.join().unwrap_or_default()).collect()
            })
        };
        let (mean, sd) = spread(scored.iter().map(|s| s.1));
        Found { scored, mean, sd }
    }
}

/// Entries (by number) with a score.
type Scored = Vec<(usize, f32)>;

/// Entries worth ranking, with their similarity, and the similarity's mean and
/// standard deviation over the catalog passing the filters.
struct Found {
    scored: Scored,
    mean: f32,
    sd: f32,
}

/// Mean and standard deviation.
fn spread(values: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let n = values.clone().count().max(1) as f32;
    let mean = values.clone().sum::<f32>() / n;
    let sd = (values.map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
    (mean, sd)
}

/// Whether a chip passes the filters search applies (status: published only).
pub fn passes(d: &Doc, f: &ChipFilter) -> bool {
    d.published
        && f.designer_id.is_none_or(|id| id == d.designer_id)
        && f.category.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(&d.category))
        && f.process_node.as_deref().is_none_or(|p| p.eq_ignore_ascii_case(&d.process_node))
        && f.max_price_minor.is_none_or(|m| d.price_minor <= m)
}

#[cfg(test)]
mod tests;
