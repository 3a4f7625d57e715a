//! The sentence-embedding model, loaded once per process and shared by understanding
//! (phrasings no template covers) and catalog search.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::Config;
use crate::embed::{Embedder, model_dir};
use crate::nlu::Engine;

/// Models loaded so far, by directory (`None`: not there).
type Loaded = Vec<(PathBuf, Option<Arc<Embedder>>)>;

/// The model of the configured models directory, `None` when it is not there (the
/// reason is logged once).
pub fn embedder(config: &Config) -> Option<Arc<Embedder>> {
    static LOADED: OnceLock<Mutex<Loaded>> = OnceLock::new();
    let dir = model_dir(&config.models_dir());
    let mut loaded = LOADED.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, e)) = loaded.iter().find(|(d, _)| *d == dir) {
        return e.clone();
    }
    let e = match Embedder::load(&dir) {
        Ok(e) => Some(Arc::new(e)),
        Err(e) => {
            tracing::info!(reason = %e, "understanding without comparison by meaning");
            None
        }
    };
    loaded.push((dir, e.clone()));
    e
}

/// Lets `engine` compare sentences by meaning when `nlu.meaning` is on and the model is
/// present; the examples' vectors are cached below the data directory.
pub fn attach(engine: &mut Engine, config: &Config) {
    if !config.nlu.meaning {
        return;
    }
    let Some(embedder) = embedder(config) else { return };
    let cache = config.data_dir().join("cache");
    if let Err(e) = engine.attach_meaning(embedder, Some(&cache)) {
        tracing::warn!(error = %e, "comparison by meaning is off");
    }
}
