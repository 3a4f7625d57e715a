//! Row shapes shared by both backends and their conversion into domain types.

use super::StoreError;
use crate::domain::{
    AuditEntry, BasisPoints, Chip, Contribution, Currency, DeadEvent, DesignerProfile, Email, Handle, Id, Money,
    Notification, OutboxEvent, Purchase, Review, SplitLine, Subscription, User, Wallet,
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

pub(super) const USER_COLUMNS: &str = "id, email, display_name, role, timezone, totp_enabled, created_at";

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

pub(super) const DESIGNER_COLUMNS: &str = "d.user_id, d.handle, u.display_name, d.bio, d.skills, d.rating_count, \
     d.rating_sum, d.sales_count";

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

pub(super) const CHIP_COLUMNS: &str = "id, designer_id, vlnv, title, description, category, process_node, tags, \
     price_minor, currency, supply, sold_count, status, royalty_bps, licence, content_sha256, content_size, \
     prev_version_id, created_at, published_at";

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
pub(super) struct DeadEventRow {
    id: Id,
    kind: String,
    aggregate_id: Id,
    payload: Json<serde_json::Value>,
    attempts: i32,
    last_error: Option<String>,
    dead_at: OffsetDateTime,
    created_at: OffsetDateTime,
}

impl From<DeadEventRow> for DeadEvent {
    fn from(r: DeadEventRow) -> Self {
        DeadEvent {
            id: r.id,
            kind: r.kind,
            aggregate_id: r.aggregate_id,
            payload: r.payload.0,
            attempts: r.attempts,
            last_error: r.last_error,
            dead_at: r.dead_at,
            created_at: r.created_at,
        }
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

pub(super) const PURCHASE_COLUMNS: &str =
    "id, chip_id, buyer_id, price_minor, currency, status, source, split, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct PurchaseRow {
    id: Id,
    chip_id: Id,
    buyer_id: Id,
    price_minor: i64,
    currency: String,
    status: String,
    source: String,
    split: Json<Vec<SplitLine>>,
    created_at: OffsetDateTime,
}

impl TryFrom<PurchaseRow> for Purchase {
    type Error = StoreError;
    fn try_from(r: PurchaseRow) -> Result<Self, StoreError> {
        Ok(Purchase {
            id: r.id,
            chip_id: r.chip_id,
            buyer_id: r.buyer_id,
            price: Money::new(r.price_minor, currency(&r.currency)?),
            status: r.status.parse().map_err(StoreError::corrupt)?,
            source: r.source.parse().map_err(StoreError::corrupt)?,
            split: r.split.0,
            created_at: r.created_at,
        })
    }
}

pub(super) const SUBSCRIPTION_COLUMNS: &str = "id, subscriber_id, designer_id, auto_purchase, max_price_minor, monthly_budget_minor, currency, notify, paused, email, push";

#[derive(sqlx::FromRow)]
pub(super) struct SubscriptionRow {
    id: Id,
    subscriber_id: Id,
    designer_id: Id,
    auto_purchase: bool,
    max_price_minor: Option<i64>,
    monthly_budget_minor: Option<i64>,
    currency: String,
    notify: String,
    paused: bool,
    email: bool,
    push: bool,
}

impl TryFrom<SubscriptionRow> for Subscription {
    type Error = StoreError;
    fn try_from(r: SubscriptionRow) -> Result<Self, StoreError> {
        let c = currency(&r.currency)?;
        Ok(Subscription {
            id: r.id,
            subscriber_id: r.subscriber_id,
            designer_id: r.designer_id,
            auto_purchase: r.auto_purchase,
            max_price: r.max_price_minor.map(|m| Money::new(m, c)),
            monthly_budget: r.monthly_budget_minor.map(|m| Money::new(m, c)),
            notify: r.notify.parse().map_err(StoreError::corrupt)?,
            paused: r.paused,
            email: r.email,
            push: r.push,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct NotificationRow {
    id: Id,
    user_id: Id,
    kind: String,
    chip_id: Option<Id>,
    payload: Json<serde_json::Value>,
    deliver: String,
    read_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Notification {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            chip_id: r.chip_id,
            payload: r.payload.0,
            deliver: r.deliver,
            read: r.read_at.is_some(),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ReviewRow {
    id: Id,
    chip_id: Id,
    reviewer_id: Id,
    rating: i16,
    body: String,
    created_at: OffsetDateTime,
}

impl From<ReviewRow> for Review {
    fn from(r: ReviewRow) -> Self {
        Review {
            id: r.id,
            chip_id: r.chip_id,
            reviewer_id: r.reviewer_id,
            rating: r.rating,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

/// A stable 64-bit FNV-1a hash, the same in every process (advisory lock keys).
pub(super) fn stable_hash(parts: &[&[u8]]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}
