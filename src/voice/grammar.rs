//! One compiled grammar per process, shared by every user's pipeline, with the
//! marketplace's names (designers, chip titles) filled into its dynamic lists.
//! A single task keeps the names fresh for everyone.

use crate::market::{Market, MarketError};
use crate::nlu::{Engine, ListValue};
use std::sync::{Arc, RwLock, RwLockReadGuard};

pub struct SharedGrammar {
    engine: RwLock<Engine>,
}

impl std::fmt::Debug for SharedGrammar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedGrammar").finish_non_exhaustive()
    }
}

impl SharedGrammar {
    pub fn new(engine: Engine) -> Arc<Self> {
        Arc::new(Self { engine: RwLock::new(engine) })
    }

    /// The compiled grammar, for recognition (many readers at once).
    pub fn read(&self) -> RwLockReadGuard<'_, Engine> {
        self.engine.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reloads every designer (display name → handle) and published chip title into
    /// the lists; the templates are not recompiled. Returns the two counts.
    pub async fn refresh(&self, market: &Market) -> Result<(usize, usize), MarketError> {
        let names = market.catalog().name_lists().await?;
        let designers: Vec<ListValue> =
            names.designers.into_iter().map(|(name, handle)| ListValue::new(name, handle)).collect();
        let chips: Vec<ListValue> = names.chips.into_iter().map(ListValue::plain).collect();
        let counts = (designers.len(), chips.len());
        let mut engine = self.engine.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.set_list("designer", designers);
        engine.set_list("chip", chips);
        Ok(counts)
    }

    /// Keeps the names fresh: reloads them whenever the bus announces a marketplace
    /// event. One task per process, whatever the number of users.
    pub fn spawn_refresher(self: &Arc<Self>, market: Market) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let Ok(mut sub) = market.cache().bus.subscribe(crate::market::chip_topic()).await else { return };
            while sub.recv().await.is_some() {
                if let Err(e) = me.refresh(&market).await {
                    tracing::warn!(error = %e, "could not refresh the name lists");
                }
            }
        })
    }
}
