//! Row shapes shared by both backends and their conversion into domain types.

use super::{StoreError, VoiceCommandRecord};
use crate::domain::{
    AuditEntry, BasisPoints, Chip, Contribution, Currency, DesignerProfile, Email, Handle, Id, Money, OutboxEvent,
    StageTimings, User, Wallet,
};
use sqlx::types::Json;
use time::OffsetDateTime;

fn parse<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.parse::<T>().map_err(|e| StoreError::corrupt(format!("{what} {raw:?}: {e}")))
}

fn currency(raw: &str) -> Result<Currency, StoreError> {
    parse("currency", raw.trim())
}

macro_rules! user_columns {
    () => {
        "id, email, display_name, role, timezone, totp_enabled, created_at"
    };
}
pub(super) use user_columns;

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: Id,
    email: String,
    display_name: String,
    role: String,
    timezone: String,
    totp_enabled: bool,
    created_at: OffsetDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id,
            email: Email::parse(&r.email).map_err(StoreError::corrupt)?,
            display_name: r.display_name,
            role: parse("role", &r.role)?,
            timezone: r.timezone,
            totp_enabled: r.totp_enabled,
            created_at: r.created_at,
        })
    }
}

macro_rules! designer_columns {
    () => {
        "d.user_id, d.handle, u.display_name, d.bio, d.skills, d.rating_count, \
     d.rating_sum, d.sales_count"
    };
}
pub(super) use designer_columns;

#[derive(sqlx::FromRow)]
pub(super) struct DesignerRow {
    user_id: Id,
    handle: String,
    display_name: String,
    bio: String,
    skills: Json<Vec<String>>,
    rating_count: i64,
    rating_sum: i64,
    sales_count: i64,
}

impl TryFrom<DesignerRow> for DesignerProfile {
    type Error = StoreError;
    fn try_from(r: DesignerRow) -> Result<Self, StoreError> {
        Ok(DesignerProfile {
            user_id: r.user_id,
            handle: Handle::parse(&r.handle).map_err(StoreError::corrupt)?,
            display_name: r.display_name,
            bio: r.bio,
            skills: r.skills.0,
            rating_count: r.rating_count,
            rating_sum: r.rating_sum,
            sales_count: r.sales_count,
        })
    }
}

macro_rules! chip_columns {
    () => {
        "id, designer_id, vlnv, title, description, category, process_node, tags, \
     price_minor, currency, supply, sold_count, status, royalty_bps, licence, content_sha256, content_size, \
     prev_version_id, created_at, published_at"
    };
}
pub(super) use chip_columns;

#[derive(sqlx::FromRow)]
pub(super) struct ChipRow {
    pub id: Id,
    designer_id: Id,
    vlnv: String,
    title: String,
    description: String,
    category: String,
    process_node: String,
    tags: Json<Vec<String>>,
    price_minor: i64,
    currency: String,
    supply: Option<i64>,
    sold_count: i64,
    status: String,
    royalty_bps: i32,
    licence: String,
    content_sha256: String,
    content_size: i64,
    prev_version_id: Option<Id>,
    created_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
pub(super) struct ContributionRow {
    pub chip_id: Id,
    contributor_id: Id,
    vlnv: String,
    share_bps: i32,
}

impl TryFrom<ContributionRow> for Contribution {
    type Error = StoreError;
    fn try_from(r: ContributionRow) -> Result<Self, StoreError> {
        Ok(Contribution {
            contributor_id: r.contributor_id,
            vlnv: parse("vlnv", &r.vlnv)?,
            share_bps: BasisPoints::new(i64::from(r.share_bps)).map_err(StoreError::corrupt)?,
        })
    }
}

impl ChipRow {
    pub(super) fn into_chip(self, contributions: Vec<Contribution>) -> Result<Chip, StoreError> {
        Ok(Chip {
            id: self.id,
            designer_id: self.designer_id,
            vlnv: parse("vlnv", &self.vlnv)?,
            title: self.title,
            description: self.description,
            category: self.category,
            process_node: self.process_node,
            tags: self.tags.0,
            price: Money::new(self.price_minor, currency(&self.currency)?),
            supply: self.supply,
            sold_count: self.sold_count,
            status: parse("chip status", &self.status)?,
            royalty_bps: BasisPoints::new(i64::from(self.royalty_bps)).map_err(StoreError::corrupt)?,
            licence: self.licence,
            content_sha256: self.content_sha256,
            content_size: self.content_size,
            prev_version_id: self.prev_version_id,
            contributions,
            created_at: self.created_at,
            published_at: self.published_at,
        })
    }
}

/// Attaches each chip's contributions (fetched in one query) to the chip rows.
pub(super) fn assemble_chips(rows: Vec<ChipRow>, contribs: Vec<ContributionRow>) -> Result<Vec<Chip>, StoreError> {
    let mut by_chip: std::collections::HashMap<Id, Vec<Contribution>> = std::collections::HashMap::new();
    for c in contribs {
        let chip_id = c.chip_id;
        by_chip.entry(chip_id).or_default().push(c.try_into()?);
    }
    rows.into_iter()
        .map(|r| {
            let cs = by_chip.remove(&r.id).unwrap_or_default();
            r.into_chip(cs)
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct WalletRow {
    id: Id,
    user_id: Id,
    currency: String,
    balance_minor: i64,
}

impl TryFrom<WalletRow> for Wallet {
    type Error = StoreError;
    fn try_from(r: WalletRow) -> Result<Self, StoreError> {
        Ok(Wallet { id: r.id, user_id: r.user_id, balance: Money::new(r.balance_minor, currency(&r.currency)?) })
    }
}

macro_rules! voice_columns {
    () => {
        "id, user_id, source, transcript_enc, intent, slots, status, reply_text, \
     result, audio_ms, asr_ms, nlu_ms, exec_ms, confirm_before, created_at"
    };
}
pub(super) use voice_columns;

#[derive(sqlx::FromRow)]
pub(super) struct VoiceRow {
    id: Id,
    user_id: Option<Id>,
    source: String,
    transcript_enc: Vec<u8>,
    intent: Option<String>,
    slots: Json<serde_json::Value>,
    status: String,
    reply_text: String,
    result: Json<serde_json::Value>,
    audio_ms: Option<i64>,
    asr_ms: Option<i64>,
    nlu_ms: Option<i64>,
    exec_ms: Option<i64>,
    confirm_before: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<VoiceRow> for VoiceCommandRecord {
    type Error = StoreError;
    fn try_from(r: VoiceRow) -> Result<Self, StoreError> {
        Ok(VoiceCommandRecord {
            id: r.id,
            user_id: r.user_id,
            source: parse("voice source", &r.source)?,
            transcript_sealed: r.transcript_enc,
            intent: r.intent,
            slots: r.slots.0,
            status: parse("voice status", &r.status)?,
            reply_text: r.reply_text,
            result: r.result.0,
            timings: StageTimings { audio: r.audio_ms, asr: r.asr_ms, nlu: r.nlu_ms, exec: r.exec_ms },
            confirm_before: r.confirm_before,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: Id,
    kind: String,
    aggregate_id: Id,
    payload: Json<serde_json::Value>,
    attempts: i32,
}

impl From<OutboxRow> for OutboxEvent {
    fn from(r: OutboxRow) -> Self {
        OutboxEvent { id: r.id, kind: r.kind, aggregate_id: r.aggregate_id, payload: r.payload.0, attempts: r.attempts }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    id: Id,
    actor_id: Option<Id>,
    action: String,
    target: Option<String>,
    ip: Option<String>,
    detail: Json<serde_json::Value>,
    created_at: OffsetDateTime,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            action: r.action,
            target: r.target,
            ip: r.ip,
            detail: r.detail.0,
            created_at: r.created_at,
        }
    }
}
