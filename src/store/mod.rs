//! Persistence: the `Store` trait, its errors, and the two sqlx backends
//! (PostgreSQL for production, SQLite as the embedded default).

mod auth;
mod auth_sql;
mod catalog_sort_sql;
mod collaboration_sql;
mod community;
mod community_sql;
mod digest;
mod digest_sql;
mod error;
mod market;
mod market_rows;
mod market_sql;
mod postgres;
mod rows;
mod shared;
mod sqlite;

pub use auth::{AuthStore, RefreshOutcome, Session, TotpState};
pub use community::CommunityStore;
pub(crate) use community::check_shares as check_collaboration_shares;
pub use digest::DigestStore;
pub use error::StoreError;
pub use market::MarketStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::config::SecretUrl;
use crate::domain::{
    AuditEntry, Chip, ChipFilter, ClientPreferences, Currency, DesignerProfile, Handle, Id, Money, NewChip, NewUser,
    OutboxEvent, Page, PageRequest, Role, StageTimings, User, VoiceSource, VoiceStatus, Wallet,
};
use async_trait::async_trait;
use std::sync::Arc;
use time::OffsetDateTime;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A voice command as stored: the transcript is sealed (encrypted) by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceCommandRecord {
    pub id: Id,
    pub user_id: Option<Id>,
    pub source: VoiceSource,
    pub transcript_sealed: Vec<u8>,
    pub intent: Option<String>,
    pub slots: serde_json::Value,
    pub status: VoiceStatus,
    pub reply_text: String,
    pub result: serde_json::Value,
    pub timings: StageTimings,
    pub confirm_before: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// A security event to record.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    pub actor_id: Option<Id>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

/// Everything HoloMesh keeps. Each method is one atomic unit of work: methods that
/// change several rows run in one transaction inside the implementation.
#[async_trait]
pub trait Store: MarketStore + DigestStore + CommunityStore + AuthStore {
    fn backend(&self) -> Backend;

    /// Cheap liveness check for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    // --- users ---
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError>;
    async fn user_by_id(&self, id: Id) -> Result<User, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<User, StoreError>;
    /// The user and their password hash (`None` for accounts without a password).
    async fn user_credentials(&self, email: &str) -> Result<(User, Option<String>), StoreError>;
    async fn set_user_role(&self, id: Id, role: Role) -> Result<User, StoreError>;

    // --- profiles ---
    async fn upsert_designer_profile(
        &self,
        user_id: Id,
        handle: &Handle,
        bio: &str,
        skills: &[String],
    ) -> Result<DesignerProfile, StoreError>;
    async fn designer_by_handle(&self, handle: &str) -> Result<DesignerProfile, StoreError>;
    async fn designer_by_user(&self, user_id: Id) -> Result<DesignerProfile, StoreError>;
    async fn list_designers(&self, page: PageRequest) -> Result<Page<DesignerProfile>, StoreError>;
    async fn client_preferences(&self, user_id: Id) -> Result<ClientPreferences, StoreError>;
    async fn set_client_preferences(&self, user_id: Id, prefs: &ClientPreferences) -> Result<(), StoreError>;

    // --- catalog ---
    async fn create_chip(&self, chip: &NewChip) -> Result<Chip, StoreError>;
    async fn chip_by_id(&self, id: Id) -> Result<Chip, StoreError>;
    async fn list_chips(&self, filter: &ChipFilter, page: PageRequest) -> Result<Page<Chip>, StoreError>;
    /// Marks a draft published and writes a `chip.published` outbox event, atomically.
    async fn publish_chip(&self, id: Id) -> Result<Chip, StoreError>;
    /// Like [`Store::publish_chip`], and stores the chip's signed record in the same
    /// transaction, so no `chip.published` event exists for a chip without its record.
    async fn publish_chip_with_record(&self, id: Id, record: &serde_json::Value) -> Result<Chip, StoreError>;

    // --- signing keys and signed records ---
    /// Stores a designer's ed25519 public key and their private key sealed by the
    /// caller. Keys are set once: records they signed must stay verifiable, so a
    /// profile that has keys answers `Conflict`; no profile answers `NotFound`.
    async fn set_designer_keys(
        &self,
        user_id: Id,
        public_key: &[u8],
        private_key_sealed: &[u8],
    ) -> Result<(), StoreError>;
    /// `(public key, sealed private key)`, or `None` when the designer has no keys yet;
    /// `NotFound` when the user has no designer profile.
    async fn designer_keys(&self, user_id: Id) -> Result<Option<(Vec<u8>, Vec<u8>)>, StoreError>;
    /// Stores a chip's signed record. A draft's record may be replaced; a published
    /// chip's record, once stored, is not (`Conflict`).
    async fn set_chip_record(&self, chip_id: Id, record: &serde_json::Value) -> Result<(), StoreError>;
    /// The chip's signed record, or `None` when it has none; `NotFound` for no chip.
    async fn chip_record(&self, chip_id: Id) -> Result<Option<serde_json::Value>, StoreError>;

    /// Takes a published chip off sale (existing licences stay valid) and writes a
    /// `chip.retired` outbox event, atomically.
    async fn retire_chip(&self, id: Id) -> Result<Chip, StoreError>;

    // --- wallets ---
    async fn wallet(&self, user_id: Id, currency: Currency) -> Result<Wallet, StoreError>;
    /// Credits a wallet from outside (a payment provider) with balanced ledger lines.
    async fn deposit(&self, user_id: Id, amount: Money) -> Result<Wallet, StoreError>;
    /// Sum of all ledger lines of a currency; zero when the books balance.
    async fn ledger_sum(&self, currency: Currency) -> Result<i64, StoreError>;

    // --- voice ---
    async fn insert_voice_command(&self, cmd: &VoiceCommandRecord) -> Result<(), StoreError>;
    async fn voice_command(&self, id: Id) -> Result<VoiceCommandRecord, StoreError>;
    /// Stores a device token (its SHA-256 only) for `user_id`; returns its id.
    async fn create_device_token(&self, user_id: Id, name: &str, token_hash: &[u8]) -> Result<Id, StoreError>;
    /// The user a live (not revoked) device token belongs to.
    async fn device_token_user(&self, token_hash: &[u8]) -> Result<User, StoreError>;
    /// Revokes one of the user's device tokens.
    async fn revoke_device_token(&self, user_id: Id, token_id: Id) -> Result<(), StoreError>;
    /// Records what became of a command that waited for a confirmation.
    async fn update_voice_command(
        &self,
        id: Id,
        status: VoiceStatus,
        reply_text: &str,
        result: &serde_json::Value,
    ) -> Result<(), StoreError>;
    async fn list_voice_commands(&self, user_id: Id, page: PageRequest)
    -> Result<Page<VoiceCommandRecord>, StoreError>;

    // --- outbox ---
    async fn enqueue_event(&self, kind: &str, aggregate_id: Id, payload: &serde_json::Value) -> Result<Id, StoreError>;
    /// Claims up to `limit` unprocessed events for `lease_secs`; concurrent claimers get disjoint sets.
    async fn claim_events(&self, limit: u32, lease_secs: i64) -> Result<Vec<OutboxEvent>, StoreError>;
    async fn complete_event(&self, id: Id) -> Result<(), StoreError>;
    async fn fail_event(&self, id: Id, error: &str) -> Result<(), StoreError>;

    // --- audit ---
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<Id, StoreError>;
    async fn list_audit(&self, actor_id: Option<Id>, page: PageRequest) -> Result<Page<AuditEntry>, StoreError>;
}

/// Opens the database named by `url` (creating a SQLite file and its directory if
/// needed) and applies pending migrations.
pub async fn connect(url: &SecretUrl, max_connections: u32) -> Result<Arc<dyn Store>, StoreError> {
    let raw = url.expose();
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        let store = PgStore::connect(raw, max_connections).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else if raw.starts_with("sqlite:") {
        let store = SqliteStore::connect(raw, max_connections).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else {
        Err(StoreError::Invalid(format!("unsupported database URL {url}")))
    }
}

/// Encodes a page cursor (the last item's id).
pub fn encode_cursor(id: Id) -> String {
    id.simple().to_string()
}

/// Decodes a page cursor; a malformed cursor is the client's error.
pub fn decode_cursor(cursor: &str) -> Result<Id, StoreError> {
    uuid::Uuid::try_parse(cursor).map_err(|_| StoreError::Invalid("cursor is malformed".into()))
}

pub(crate) fn page_of<T>(mut items: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Id) -> Page<T> {
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|t| encode_cursor(id_of(t)))
    } else {
        None
    };
    Page { items, next_cursor }
}
