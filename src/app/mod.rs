//! The composition root: the one place that turns a [`Config`] into a running
//! application. It opens the store and the cache, reads the keys, compiles the
//! grammar, loads the speech model and builds the services; `serve`, `listen`,
//! `demo`, `say` and the tests all start from here.

pub mod backup;
pub mod keys;
pub mod meaning;
pub mod rotate;
mod speech;

pub use speech::{Speech, load_recognizer};

use crate::asr::TranscribeOptions;
use crate::auth::{Auth, AuthError};
use crate::cache::{self, CacheBus};
use crate::config::{Config, ConfigError, PaymentsProvider};
use crate::crypto::FieldCipher;
use crate::domain::User;
use crate::market::{DevelopmentProvider, Market, MarketSettings, OutboxWorker};
use crate::nlu::{Engine, EngineOptions, Grammar};
use crate::store::Store;
use crate::voice::{SharedGrammar, VoiceHub};
use std::sync::Arc;
use std::time::Duration;

/// How long a spending command waits for its "yes".
const CONFIRM_WINDOW: Duration = Duration::from_secs(60);

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open database {url}: {source}")]
    Database { url: String, source: crate::store::StoreError },
    #[error("cannot connect to cache {url}: {source}")]
    Cache { url: String, source: crate::cache::CacheError },
    #[error("cannot load the grammars: {0}")]
    Grammar(#[from] crate::nlu::NluError),
    #[error("cannot load the speech model: {0}")]
    Speech(String),
    #[error("{0}")]
    User(String),
}

/// E-mail of the local default user when `voice.user` is empty.
pub const LOCAL_USER: &str = "me@holomesh.local";

/// Everything a process runs on, built once.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub market: Market,
    pub auth: Arc<Auth>,
    pub voice: Arc<VoiceHub>,
    pub grammar: Arc<SharedGrammar>,
    pub cipher: Arc<FieldCipher>,
    /// Sends Web Push (`notify.web_push`), with the server's VAPID key.
    pub pusher: Option<Arc<crate::notify::WebPusher>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("config", &self.config).finish_non_exhaustive()
    }
}

impl App {
    /// Opens the configured database (applying migrations) and cache, then
    /// assembles the application.
    pub async fn build(config: &Config, speech: Speech) -> Result<App, AppError> {
        let url = config.database_url();
        let store = Store::connect(&url, config.database.max_connections)
            .await
            .map_err(|source| AppError::Database { url: url.to_string(), source })?;
        let cache_url = config.cache_url();
        let cache = cache::connect(cache_url.as_ref()).await.map_err(|source| AppError::Cache {
            url: cache_url.as_ref().map(|u| u.redacted()).unwrap_or_default(),
            source,
        })?;
        App::assemble(config.clone(), store, cache, speech).await
    }

    /// Assembles the application over an already opened store and cache (tests
    /// bring their own). The grammar's names are loaded from the store.
    pub async fn assemble(config: Config, store: Store, cache: CacheBus, speech: Speech) -> Result<App, AppError> {
        let keys = keys::load(&config)?;
        keys::check_field_keys(&store, &keys.field, &config).await?;
        if store.backend() == crate::store::Backend::Postgres && config.security.field_keys.is_empty() {
            tracing::warn!(
                dir = %config.data_dir().display(),
                "the field and JWT keys are kept in the data directory; every instance sharing this PostgreSQL \
                 database needs the same keys: set security.field_keys and auth.jwt_keys"
            );
        }
        let cipher = Arc::new(keys.field);
        let settings =
            MarketSettings { currency: config.market.currency, platform_fee_bps: config.market.platform_fee_bps };
        let mut market = Market::new(store.clone(), cache.clone(), settings, cipher.clone());
        if config.market.search_by_meaning
            && let Some(embedder) = meaning::embedder(&config)
        {
            market = market.with_embedder(embedder);
        }
        if config.payments.provider == PaymentsProvider::Development {
            tracing::warn!(
                "payments.provider is \"development\": deposits are play money, credited without any charge"
            );
            market = market.with_payments(Arc::new(DevelopmentProvider));
        }
        let auth = Arc::new(Auth::new(&config, &keys.jwt, store, cache, cipher.clone())?);
        let grammar = SharedGrammar::new(engine(&config)?);
        if let Err(e) = grammar.refresh(&market).await {
            tracing::warn!(error = %e, "could not load designer and chip names into the grammar");
        }
        let recognizer = speech.recognizer(&config)?;
        let voice = Arc::new(VoiceHub::new(
            market.clone(),
            grammar.clone(),
            recognizer,
            asr_options(&config),
            cipher.clone(),
            CONFIRM_WINDOW,
        ));
        let pusher = keys::vapid_key(&config)?
            .map(|k| crate::notify::WebPusher::new(k).map(Arc::new))
            .transpose()
            .map_err(|e| AppError::User(e.to_string()))?;
        Ok(App { config: Arc::new(config), market, auth, voice, grammar, cipher, pusher })
    }

    /// The worker that e-mails (when `notify.smtp_url` is set) and pushes (when
    /// `notify.web_push` is on) notifications and digests; `None` when neither is.
    pub fn delivery_worker(&self) -> Result<Option<crate::market::DeliveryWorker>, AppError> {
        let base = match self.config.notify.base_url.trim() {
            "" => format!("http://{}", self.config.server.bind),
            b => b.to_owned(),
        };
        let mut worker = crate::market::DeliveryWorker::new(self.market.clone(), &base);
        let url = self.config.notify.smtp_url.expose().trim();
        if !url.is_empty() {
            let mailer = crate::notify::SmtpMailer::new(url, &self.config.notify.from)
                .map_err(|e| AppError::User(e.to_string()))?;
            worker = worker.with_mailer(Arc::new(mailer));
        }
        if let Some(p) = &self.pusher {
            worker = worker.with_pusher(p.clone());
        }
        Ok((!url.is_empty() || self.pusher.is_some()).then_some(worker))
    }

    /// The outbox worker (fan-out, auto-buy, digests).
    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker::new(self.market.clone()).with_lease(self.config.market.event_lease_secs)
    }

    /// The account the voice daemon acts as: the owner of `voice.token` when one is
    /// set (a revoked token stops the daemon), else `voice.user`, else the local
    /// default user (created once).
    pub async fn voice_user(&self) -> Result<User, AppError> {
        let token = self.config.voice.token.expose().trim();
        if !token.is_empty() {
            return self.auth.device_token_user(token).await.map_err(|e| match e {
                AuthError::Unauthenticated(_) => {
                    AppError::User("voice.token is unknown or revoked; create one with `holomesh token create`".into())
                }
                e => AppError::User(e.to_string()),
            });
        }
        let email = self.config.voice.user.trim();
        if email.is_empty() {
            return self.auth.local_user(LOCAL_USER, "You").await.map_err(|e| AppError::User(e.to_string()));
        }
        self.auth.user_by_email(email).await.map_err(|e| match e {
            AuthError::NotFound(_) => AppError::User(format!("voice.user {email} has no account; create it first")),
            e => AppError::User(e.to_string()),
        })
    }

    /// What the HTTP adapter's handlers reach.
    pub fn http_state(&self) -> crate::api::AppState {
        crate::api::AppState {
            config: self.config.clone(),
            market: self.market.clone(),
            auth: self.auth.clone(),
            voice: self.voice.clone(),
            push_public_key: self.pusher.as_ref().map(|p| p.public_key()),
        }
    }
}

/// Applies the migrations to the configured database.
pub async fn migrate(config: &Config) -> Result<(), AppError> {
    let url = config.database_url();
    Store::connect(&url, 1).await.map(drop).map_err(|source| AppError::Database { url: url.to_string(), source })
}

/// Options for speech recognition from the configuration.
pub fn asr_options(config: &Config) -> TranscribeOptions {
    TranscribeOptions {
        threads: config.asr_threads(),
        // Vosk has no beam to widen: a second hearing would hear the same.
        second_beam: if config.asr.engine == crate::config::AsrEngine::Whisper { config.asr.second_beam } else { 0 },
        ..TranscribeOptions::default()
    }
}

/// The intent engine: the configured grammars (`nlu.grammars`) or the bundled ones.
pub fn engine(config: &Config) -> Result<Engine, crate::nlu::NluError> {
    let options = EngineOptions { default_currency: config.market.currency, ..EngineOptions::default() };
    let grammar = Grammar::from_dir_or_bundled(config.grammars_dir().as_deref())?;
    let mut engine = Engine::new(&grammar, options)?;
    meaning::attach(&mut engine, config);
    Ok(engine)
}
