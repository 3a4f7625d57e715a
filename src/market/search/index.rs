//! The in-memory search index of one process: every published chip's sentence vector
//! (8-bit, 384 bytes a chip), the fields filters use, and an inverted index of words.
//! A query is ranked against all of it in one pass: 100,000 chips take a few
//! milliseconds on one core.

use std::collections::{BTreeMap, HashMap};

use super::terms;
use crate::domain::{ChipFilter, Id};
use crate::embed::DIM;

/// Vectors per chip: its whole text, and its description alone (a long title and
/// tags can hide what the description means). A chip is as close as its closest view.
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

/// An 8-bit copy of a vector and the factor that undoes it.
fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let k = 127.0 / max;
    // Each value is within ±127 after scaling, so the conversion cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    let q = v.iter().map(|x| (x * k).round() as i8).collect();
    (q, max / 127.0)
}

/// The dot product of two 8-bit vectors, written so the compiler turns it into
/// multiply-adds of 16-bit pairs (`pmaddwd`): each product fits in 16 bits, and
/// two of them in 32.
fn dot(a: &[i8], b: &[i8]) -> i32 {
    let mut sum = 0i32;
    for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
        let pairs = x.chunks_exact(2).zip(y.chunks_exact(2));
        sum += pairs
            .map(|(p, q)| i32::from(i16::from(p[0]) * i16::from(q[0])) + i32::from(i16::from(p[1]) * i16::from(q[1])))
            .sum::<i32>();
    }
    let done = a.len() / 16 * 16;
    sum + a[done..].iter().zip(&b[done..]).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum::<i32>()
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
    /// (0 to 1), for entries with at least one.
    fn keyword_scores(&self, query: &str) -> HashMap<usize, f32> {
        let words = terms::words(query);
        let n = self.entries.len().max(1) as f32;
        let mut total = 0f32;
        let mut scores: HashMap<usize, f32> = HashMap::new();
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
                *scores.entry(h as usize).or_default() += idf;
            }
        }
        if total > 0.0 {
            scores.values_mut().for_each(|s| *s /= total);
        }
        scores
    }

    /// The best `want` of the loaded published chips passing `filter`, ranked by
    /// meaning (`query_vector`, `None` without a model) and words of `query`, best
    /// first. A chip is a result when it shares a word with the query or is close
    /// enough in meaning. The vectors are compared on every core.
    pub fn rank(&self, filter: &ChipFilter, query: &str, query_vector: Option<&[f32]>, want: usize) -> Vec<Hit> {
        let keywords = self.keyword_scores(query);
        let q = query_vector.filter(|v| v.len() == DIM).map(quantize);
        let meanings = self.meanings(filter, q.as_ref());
        let n = meanings.len().max(1) as f32;
        let mean = meanings.iter().map(|s| s.1).sum::<f32>() / n;
        let sd = (meanings.iter().map(|s| (s.1 - mean).powi(2)).sum::<f32>() / n).sqrt();
        let floor = MIN_SIMILARITY.max((mean + MIN_STANDOUT * sd).min(SURE_SIMILARITY));
        let mut hits: Vec<Hit> = meanings
            .into_iter()
            .filter_map(|(i, meaning)| {
                let kw = keywords.get(&i).copied().unwrap_or(0.0);
                let id = self.entries.get(i)?.doc.id;
                (kw > 0.0 || (q.is_some() && meaning >= floor))
                    .then_some(Hit { id, score: meaning + KEYWORD_WEIGHT * kw })
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

    /// (entry, similarity) of every entry passing `filter`, in entry order.
    fn meanings(&self, filter: &ChipFilter, q: Option<&(Vec<i8>, f32)>) -> Vec<(usize, f32)> {
        let score = |range: std::ops::Range<usize>| -> Vec<(usize, f32)> {
            range
                .filter_map(|i| {
                    let e = self.entries.get(i)?;
                    if !passes(&e.doc, filter) {
                        return None;
                    }
                    let meaning = match (q, self.vectors.get(i * ROW..(i + 1) * ROW)) {
                        (Some((qv, qs)), Some(v)) => {
                            v.chunks_exact(DIM).map(|view| dot(qv, view)).max().unwrap_or(0) as f32 * qs * e.scale
                        }
                        _ => 0.0,
                    };
                    Some((i, meaning))
                })
                .collect()
        };
        let n = self.entries.len();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8);
        if n < PARALLEL_FROM || threads < 2 {
            return score(0..n);
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> =
                (0..threads).map(|t| s.spawn(move || score(t * chunk..((t + 1) * chunk).min(n)))).collect();
            parts.into_iter().flat_map(|p| p.join().unwrap_or_default()).collect()
        })
    }
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
mod tests {
    use super::*;

    fn doc(n: u128, price: i64) -> Doc {
        Doc {
            id: Id::from_u128(n),
            designer_id: Id::from_u128(1000),
            category: "dsp".into(),
            process_node: "28nm".into(),
            price_minor: price,
            published: true,
        }
    }

    fn axis(k: usize) -> Vec<f32> {
        let mut v = vec![0.0; ROW];
        v[k] = 1.0;
        v[DIM + k] = 1.0;
        v
    }

    /// A query vector along axis `k`.
    fn toward(k: usize) -> Vec<f32> {
        let mut v = vec![0.0; DIM];
        v[k] = 1.0;
        v
    }

    #[test]
    fn words_and_meaning_rank_together_and_filters_apply() {
        let mut ix = Index::default();
        ix.put(doc(1, 5000), "Falcon DSP. Audio filters", &axis(0), 10);
        ix.put(doc(2, 9000), "Heron SRAM. Memory macro", &axis(1), 11);
        ix.put(doc(3, 4000), "Osprey codec. Sound converter", &axis(0), 12);
        assert_eq!(ix.newest, 12);
        let f = ChipFilter::default();
        // Words only (no model): the prefix finds Falcon.
        let hits = ix.rank(&f, "fal", None, 10);
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [Id::from_u128(1)]);
        // Meaning alone finds both chips near the query; the word "sound" puts Osprey first.
        let hits = ix.rank(&f, "sound thing", Some(&toward(0)), 10);
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [Id::from_u128(3), Id::from_u128(1)]);
        let cheap = ChipFilter { max_price_minor: Some(4500), ..Default::default() };
        assert_eq!(ix.rank(&cheap, "sound thing", Some(&toward(0)), 10).len(), 1);
        ix.retire(Id::from_u128(3));
        assert_eq!(ix.rank(&f, "sound thing", Some(&toward(0)), 10).len(), 1);
    }

    #[test]
    fn replacing_a_chip_forgets_its_old_words() {
        let mut ix = Index::default();
        ix.put(doc(1, 1), "Falcon", &axis(0), 1);
        ix.put(doc(1, 1), "Kestrel", &axis(0), 2);
        assert_eq!(ix.len(), 1);
        assert!(ix.rank(&ChipFilter::default(), "falcon", None, 10).is_empty());
        assert_eq!(ix.rank(&ChipFilter::default(), "kestrel", None, 10).len(), 1);
        assert!(ix.has(Id::from_u128(1), 2) && !ix.has(Id::from_u128(1), 3));
    }
}
