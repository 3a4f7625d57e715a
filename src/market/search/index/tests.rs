//! The index on small hand-made catalogs and on a large one against exact comparison.

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

/// Pseudo-random vectors of unit length, `len / DIM` of them one after the other
/// (`seed` picks which).
fn noise(seed: u64, len: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut v: Vec<f32> = (0..len)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect();
    for view in v.chunks_mut(DIM) {
        let norm = crate::embed::cosine(view, view).sqrt();
        view.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[test]
fn a_large_catalog_is_compared_on_every_core() {
    let mut ix = Index::default();
    let n = PARALLEL_FROM + 5000;
    for k in 0..n {
        let price = if k % 2 == 0 { 1000 } else { 9000 };
        ix.put(doc(k as u128, price), &format!("part{k}"), &noise(k as u64, ROW), 1);
    }
    let query: Vec<f32> = {
        // Close to chip 777's first view, and to chip 4242's second.
        let a = noise(777, ROW);
        let b = noise(4242, ROW);
        let sum: Vec<f32> = a[..DIM].iter().zip(&b[DIM..]).map(|(x, y)| x + y).collect();
        let norm = crate::embed::cosine(&sum, &sum).sqrt();
        sum.into_iter().map(|x| x / norm).collect()
    };
    let f = ChipFilter::default();
    let hits = ix.rank(&f, "part31", Some(&query), 3);
    // The two chips near the query first, then the one sharing its word.
    assert_eq!(hits.iter().map(|h| h.id.as_u128()).collect::<Vec<_>>(), [777, 4242, 31]);
    // Through `rank`, with a filter: only the cheap half, the odd chip 777 left out.
    let cheap = ChipFilter { max_price_minor: Some(1000), ..Default::default() };
    let hits = ix.rank(&cheap, "", Some(&query), 3);
    assert_eq!(hits.first().map(|h| h.id), Some(Id::from_u128(4242)));
    assert!(hits.iter().all(|h| h.id.as_u128() % 2 == 0));
}
