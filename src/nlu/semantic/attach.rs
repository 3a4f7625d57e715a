//! Turning comparison by meaning on for an engine.

use std::path::Path;
use std::sync::Arc;

use super::{Meaning, cache};
use crate::embed::{EmbedError, Embedder};
use crate::nlu::engine::Engine;

impl Engine {
    /// Compares sentences by meaning from now on (vectors of the examples are cached in
    /// `cache_dir` when given, so later starts skip computing them).
    pub fn attach_meaning(&mut self, embedder: Arc<Embedder>, cache_dir: Option<&Path>) -> Result<(), EmbedError> {
        let texts = self.examples.texts();
        let vectors = cache::vectors(&embedder, &texts, cache_dir)?;
        self.meaning = Some(Arc::new(Meaning { embedder, vectors }));
        Ok(())
    }

    /// Whether sentences are compared by meaning.
    pub fn has_meaning(&self) -> bool {
        self.meaning.is_some()
    }
}
