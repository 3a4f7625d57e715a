//! Marketplace services: every business rule of the marketplace lives here, once.
//! Adapters (HTTP, voice, Wyoming, CLI) call these services and never the store.
//!
//! | service | rules it owns |
//! |---|---|
//! | [`Catalog`] | drafts, publishing with a signed record, retiring, who sees a draft |
//! | [`Purchases`] | who may buy, price limits, idempotency, the split, licences, refunds |
//! | [`Subscriptions`] | limits, budgets, notification frequency, no self-subscription |
//! | [`Reviews`] | ratings 1–5, buyers only, once per purchase |
//! | [`Payments`] | deposits through a payment provider, wallet reads |
//! | [`Profiles`] | designer pages, client preferences and statistics, the catalog's orders |
//! | [`Search`] | ranking the catalog by meaning and words, chips' vectors |
//! | [`Community`] | group roles, who posts where, collaboration shares |
//! | [`VoiceLog`] | the stored record of every voice command |
//! | `fanout`, [`OutboxWorker`] | notifying subscribers and auto-buying, at most once |
//! | [`DeliveryWorker`] | e-mail and Web Push of notifications and digests once, retries, unsubscribing |
//! | [`hot_cache`] | which cached reads a write makes stale |

mod catalog;
mod community;
mod delivery;
mod digests;
mod directory;
mod error;
mod fanout;
pub mod hot_cache;
mod memberships;
mod notifications;
mod payments;
mod preferences;
mod profiles;
mod purchases;
mod recommend;
mod records;
mod reviews;
mod sale;
mod search;
mod statements;
mod subscriptions;
mod voice_log;
mod worker;

pub use catalog::{Catalog, ChipDraft, NameLists};
pub use community::Community;
pub use delivery::{
    DeliveryWorker, EmailMessage, Mailer, PushMessage, PushTarget, Pusher, SendError, compose as compose_email,
    compose_push,
};
pub use digests::{DigestReport, last_period};
pub use error::MarketError;
pub use notifications::Notifications;
pub use payments::{DevelopmentProvider, MAX_DEPOSIT_MINOR, PaymentProvider, PaymentReceipt, Payments};
pub use preferences::parse_preferences;
pub use profiles::Profiles;
pub use purchases::Purchases;
pub use recommend::Recommendation;
pub use reviews::{MAX_REVIEW_CHARS, Reviews};
pub use search::{REFRESH_EVERY as SEARCH_REFRESH, Search};
pub use statements::MAX_INCOME_DAYS;
pub use subscriptions::{Subscriptions, check_change as check_subscription_change};
pub use voice_log::VoiceLog;
pub use worker::{OutboxWorker, RetryPolicy, chip_topic};

/// Store types the adapters see through the services.
pub use crate::store::{HeldLicence, StoreError, VoiceCommandRecord};

use crate::{cache::CacheBus, crypto::FieldCipher, domain::Currency, store::Store};
use std::sync::Arc;

/// The settings the services need.
#[derive(Debug, Clone, Copy)]
pub struct MarketSettings {
    pub currency: Currency,
    pub platform_fee_bps: u16,
}

impl Default for MarketSettings {
    fn default() -> Self {
        Self { currency: Currency::USD, platform_fee_bps: 0 }
    }
}

/// All marketplace services, sharing one store and cache.
#[derive(Clone)]
pub struct Market {
    store: Store,
    cache: CacheBus,
    settings: MarketSettings,
    /// Seals the designers' signing keys at rest (see [`Catalog::publish`]).
    cipher: Arc<FieldCipher>,
    /// Takes the money for deposits; none: deposits are refused.
    provider: Option<Arc<dyn PaymentProvider>>,
    /// Ranks the catalog by meaning; none: by words only.
    search: Option<Arc<search::SearchIndex>>,
}

impl Market {
    /// The services, with deposits turned off until [`Market::with_payments`].
    pub fn new(store: Store, cache: CacheBus, settings: MarketSettings, cipher: Arc<FieldCipher>) -> Self {
        Self { store, cache, settings, cipher, provider: None, search: None }
    }

    /// The same services, searching the catalog by meaning with `embedder`.
    pub fn with_embedder(self, embedder: Arc<crate::embed::Embedder>) -> Self {
        Self { search: Some(Arc::new(search::SearchIndex::new(embedder))), ..self }
    }

    /// The same services, taking deposits through `provider`.
    pub fn with_payments(self, provider: Arc<dyn PaymentProvider>) -> Self {
        Self { provider: Some(provider), ..self }
    }

    pub fn settings(&self) -> &MarketSettings {
        &self.settings
    }

    /// The cache and bus the services share (the bus announces marketplace events).
    pub fn cache(&self) -> &CacheBus {
        &self.cache
    }

    pub fn catalog(&self) -> Catalog<'_> {
        Catalog { market: self }
    }

    pub fn community(&self) -> Community<'_> {
        Community { market: self }
    }

    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { market: self }
    }

    pub fn payments(&self) -> Payments<'_> {
        Payments { market: self }
    }

    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { market: self }
    }

    pub fn purchases(&self) -> Purchases<'_> {
        Purchases { market: self }
    }

    pub fn reviews(&self) -> Reviews<'_> {
        Reviews { market: self }
    }

    pub fn search(&self) -> Search<'_> {
        Search { market: self }
    }

    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions { market: self }
    }

    pub fn voice_log(&self) -> VoiceLog<'_> {
        VoiceLog { market: self }
    }

    /// Whether the database answers (for readiness checks).
    pub async fn ping(&self) -> Result<(), MarketError> {
        self.store.ping().await.map_err(MarketError::Store)
    }

    /// Makes the notification digests that are due at `now` (see [`digests`]).
    pub async fn run_digests(&self, now: time::OffsetDateTime) -> Result<DigestReport, MarketError> {
        digests::run_digests(&self.store, now).await.map_err(MarketError::Store)
    }

    /// After any write that changes a chip (stock, rating, status, contributors):
    /// its page, its designer's page and every cached listing are stale.
    async fn chip_changed(&self, chip_id: crate::domain::Id, designer_id: crate::domain::Id) {
        let handle = self.store.designer_by_user(designer_id).await.ok().map(|d| d.handle.to_string());
        hot_cache::chip_changed(self.cache.cache.as_ref(), chip_id, handle.as_deref()).await;
    }
}
