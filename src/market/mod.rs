//! Marketplace services over the `Store`: catalog, purchases, subscriptions and the
//! outbox worker that fans new chips out to subscribers. Adapters (HTTP, voice) are
//! thin layers over these.

mod catalog;
mod community;
mod digests;
mod error;
mod payments;
mod profiles;
mod purchases;
mod subscriptions;
mod worker;

pub use catalog::{Catalog, ChipDraft};
pub use community::Community;
pub use digests::{DigestReport, last_period, run_digests, set_timezone};
pub use error::MarketError;
pub use payments::{DevelopmentProvider, MAX_DEPOSIT_MINOR, PaymentProvider, PaymentReceipt, Payments};
pub use profiles::Profiles;
pub use purchases::Purchases;
pub use subscriptions::Subscriptions;
pub use worker::{OutboxWorker, chip_topic};

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
    pub store: Arc<dyn Store>,
    pub cache: CacheBus,
    pub settings: MarketSettings,
    /// Seals the designers' signing keys at rest (see [`Catalog::publish`]).
    pub cipher: Arc<FieldCipher>,
}

impl Market {
    pub fn new(store: Arc<dyn Store>, cache: CacheBus, settings: MarketSettings, cipher: Arc<FieldCipher>) -> Self {
        Self { store, cache, settings, cipher }
    }

    pub fn catalog(&self) -> Catalog<'_> {
        Catalog { market: self }
    }

    pub fn payments(&self) -> Payments<'_> {
        Payments { market: self }
    }

    pub fn purchases(&self) -> Purchases<'_> {
        Purchases { market: self }
    }

    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions { market: self }
    }
}
