//! One compiled grammar per process, shared by every user's pipeline, with the
//! marketplace's names (designers, chip titles) filled into its dynamic lists.
//!
//! The names are kept current on demand: before a command is understood the names'
//! generation (replaced by every publish, retire or profile change, in any process
//! sharing the cache) is compared with the one loaded, and a stale grammar reloads its
//! names first. So a chip is recognisable by the very next command after it is
//! published, and an idle server reloads nothing.

use crate::market::{Market, MarketError};
use crate::nlu::{Engine, ListValue};
use std::sync::{Arc, RwLock, RwLockReadGuard};

pub struct SharedGrammar {
    engine: RwLock<Engine>,
    /// The names' generation loaded (`None`: never loaded, or the cache failed).
    loaded: tokio::sync::Mutex<Option<String>>,
}

impl std::fmt::Debug for SharedGrammar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedGrammar").finish_non_exhaustive()
    }
}

impl SharedGrammar {
    pub fn new(engine: Engine) -> Arc<Self> {
        Arc::new(Self { engine: RwLock::new(engine), loaded: tokio::sync::Mutex::new(None) })
    }

    /// The compiled grammar, for recognition (many readers at once).
    pub fn read(&self) -> RwLockReadGuard<'_, Engine> {
        self.engine.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reloads every designer (display name → handle) and published chip title into
    /// the lists; the templates are not recompiled. Returns the two counts.
    pub async fn refresh(&self, market: &Market) -> Result<(usize, usize), MarketError> {
        let mut loaded = self.loaded.lock().await;
        self.load(market, &mut loaded).await
    }

    /// Reloads the names when they changed since they were loaded (one cache read when
    /// they did not). A failing reload keeps the names there are.
    pub async fn ensure_fresh(&self, market: &Market) {
        let mut loaded = self.loaded.lock().await;
        let current = market.catalog().names_generation().await;
        if current.is_some() && *loaded == current {
            return;
        }
        if let Err(e) = self.load(market, &mut loaded).await {
            tracing::warn!(error = %e, "could not reload the name lists");
        }
    }

    async fn load(&self, market: &Market, loaded: &mut Option<String>) -> Result<(usize, usize), MarketError> {
        let names = market.catalog().name_lists().await?;
        let designers: Vec<ListValue> =
            names.designers.into_iter().map(|(name, handle)| ListValue::new(name, handle)).collect();
        let chips: Vec<ListValue> = names.chips.into_iter().map(ListValue::plain).collect();
        let counts = (designers.len(), chips.len());
        let mut engine = self.engine.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.set_list("designer", designers);
        engine.set_list("chip", chips);
        *loaded = names.generation;
        Ok(counts)
    }
}
