//! Understanding by meaning, for phrasings no template covers.
//!
//! Every template gives a few example sentences ([`expand`]). When a sentence matches
//! no template, not even approximately, its names are found by sound anywhere in it and
//! replaced by stand-ins ([`spot`]); the result is compared by meaning (sentence
//! embeddings, see [`crate::embed`]) with the examples. The closest examples whose slots
//! can all be filled from what the sentence says become readings; how close, and how
//! far ahead of the next intent, is the confidence ([`confidence`]).
//!
//! Without the embedding model the engine works as before: exact, sound-alike and
//! approximate template matching.

mod attach;
mod cache;
mod examples;
mod expand;
mod fill;
mod read;
mod spot;

use std::sync::Arc;

pub use examples::Examples;
pub use expand::{Example, stand_in};
pub use read::ByMeaning;

use crate::embed::{Embedder, Vector};

/// Similarity lost per unit of weight of a clearly heard value the reading leaves unused.
const UNUSED: f32 = 0.04;
/// How much word-by-word likeness adds to likeness of meaning (sentence embeddings
/// miss negations and opposites such as "subscribe" and "unsubscribe"; words do not).
const WORDS: f32 = 0.3;

/// The examples' sentence vectors and the model that makes them.
pub struct Meaning {
    embedder: Arc<Embedder>,
    vectors: Vec<Vector>,
}

impl std::fmt::Debug for Meaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meaning").field("examples", &self.vectors.len()).finish()
    }
}

/// The confidence of a reading by meaning: its similarity to the closest example and
/// its lead over the closest example of another intent. Calibrated on the project's
/// development set so that about this share of readings is right.
pub fn confidence(similarity: f32, lead: f32, known: f32) -> f32 {
    let base = ((similarity - 0.45) / 0.4).clamp(0.0, 1.0);
    let lead = (lead / 0.08).clamp(0.0, 1.0);
    (base * (0.55 + 0.45 * lead) * (0.4 + 0.6 * known)).clamp(0.0, 1.0)
}
