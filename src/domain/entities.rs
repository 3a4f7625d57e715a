//! The marketplace's entities as plain data, shared by services, store and adapters.

use super::{BasisPoints, Currency, Email, Handle, Money, Role, Vlnv};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Declares a string-backed enum with `as_str`, `FromStr` and serde in snake_case.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        concat!("unknown ", stringify!($name), " {:?}; expected one of: {}"),
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Lifecycle of a chip listing.
    ChipStatus { Draft = "draft", Published = "published", Retired = "retired" }
);
string_enum!(
    /// How often a subscriber hears about a designer's new chips.
    NotifyFrequency { Immediate = "immediate", Daily = "daily", Weekly = "weekly", Off = "off" }
);
string_enum!(
    /// Where a voice command came from.
    VoiceSource { Mic = "mic", Upload = "upload", Transcript = "transcript", Wyoming = "wyoming" }
);
string_enum!(
    /// What became of a voice command.
    VoiceStatus {
        Executed = "executed",
        NeedsConfirmation = "needs_confirmation",
        Cancelled = "cancelled",
        Rejected = "rejected",
        NotUnderstood = "not_understood",
        Failed = "failed",
    }
);
string_enum!(
    /// How a purchase was made.
    PurchaseSource { Api = "api", Voice = "voice", Auto = "auto" }
);
string_enum!(
    /// Where a purchase stands: paid, or its money given back.
    PurchaseStatus { Completed = "completed", Refunded = "refunded" }
);

/// An account. Secrets (password hash, TOTP secret) are not part of this view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub timezone: String,
    pub totp_enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Data for creating an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    /// PHC string from the password hasher; `None` for OAuth-only accounts.
    pub password_hash: Option<String>,
}

/// A designer's public profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DesignerProfile {
    pub user_id: Uuid,
    pub handle: Handle,
    pub display_name: String,
    pub bio: String,
    pub skills: Vec<String>,
    pub rating_count: i64,
    pub rating_sum: i64,
    pub sales_count: i64,
}

/// A client's stated preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientPreferences {
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub process_nodes: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What the client said or typed, as said ("low-power RISC-V designs under fifty
    /// dollars"): recommendations look for chips that mean the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<String>,
    pub max_price: Option<Money>,
    pub min_price: Option<Money>,
}

/// Another designer's IP block inside a chip, earning `share_bps` of each sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contribution {
    pub contributor_id: Uuid,
    pub vlnv: Vlnv,
    pub share_bps: BasisPoints,
}

/// A chip design listed in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chip {
    pub id: Uuid,
    pub designer_id: Uuid,
    pub vlnv: Vlnv,
    pub title: String,
    pub description: String,
    pub category: String,
    pub process_node: String,
    pub tags: Vec<String>,
    pub price: Money,
    pub supply: Option<i64>,
    pub sold_count: i64,
    pub status: ChipStatus,
    pub royalty_bps: BasisPoints,
    pub licence: String,
    pub content_sha256: String,
    pub content_size: i64,
    pub prev_version_id: Option<Uuid>,
    pub contributions: Vec<Contribution>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

/// Data for creating a draft chip.
#[derive(Debug, Clone)]
pub struct NewChip {
    pub designer_id: Uuid,
    pub vlnv: Vlnv,
    pub title: String,
    pub description: String,
    pub category: String,
    pub process_node: String,
    pub tags: Vec<String>,
    pub price: Money,
    pub supply: Option<i64>,
    pub royalty_bps: BasisPoints,
    pub licence: String,
    pub content_sha256: String,
    pub content_size: i64,
    pub prev_version_id: Option<Uuid>,
    pub contributions: Vec<Contribution>,
}

/// Catalog filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct ChipFilter {
    pub designer_id: Option<Uuid>,
    pub category: Option<String>,
    pub process_node: Option<String>,
    pub max_price_minor: Option<i64>,
    pub status: Option<ChipStatus>,
    pub text: Option<String>,
}

/// A user's balance in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Wallet {
    pub id: Uuid,
    pub user_id: Uuid,
    pub balance: Money,
}

/// A subscription of a client to a designer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    pub subscriber_id: Uuid,
    pub designer_id: Uuid,
    pub auto_purchase: bool,
    pub max_price: Option<Money>,
    pub monthly_budget: Option<Money>,
    pub notify: NotifyFrequency,
    pub paused: bool,
    /// Whether its notifications (and digests) also go out by e-mail.
    pub email: bool,
    /// … and by Web Push to the browsers where the user turned push on.
    pub push: bool,
}

/// Per-stage timings of a voice command, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageTimings {
    pub audio: Option<i64>,
    pub asr: Option<i64>,
    pub nlu: Option<i64>,
    pub exec: Option<i64>,
}

/// One spoken (or forwarded) attempt and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoiceCommand {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub source: VoiceSource,
    pub transcript: String,
    pub intent: Option<String>,
    pub slots: serde_json::Value,
    pub status: VoiceStatus,
    pub reply_text: String,
    pub result: serde_json::Value,
    pub timings: StageTimings,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An event written in the same transaction as the change it announces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxEvent {
    pub id: Uuid,
    pub kind: String,
    pub aggregate_id: Uuid,
    pub payload: serde_json::Value,
    pub attempts: i32,
}

/// An outbox event that failed on every attempt and was set aside for an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadEvent {
    pub id: Uuid,
    pub kind: String,
    pub aggregate_id: Uuid,
    pub payload: serde_json::Value,
    pub attempts: i32,
    /// What the last attempt failed with.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub dead_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// How much the outbox holds: events waiting (or being retried) and dead ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxCounts {
    pub pending: i64,
    pub dead: i64,
}

/// A security-relevant event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A page of a list: items and the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Where a list starts and how long it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items strictly after this id (ids are time-ordered).
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// Encodes a page cursor: the last item's id.
pub fn encode_cursor(id: Uuid) -> String {
    id.simple().to_string()
}

/// Decodes a page cursor; `None` when it is malformed (the client's error).
pub fn decode_cursor(cursor: &str) -> Option<Uuid> {
    Uuid::try_parse(cursor).ok()
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 100;

    /// The page after `cursor` (a previous page's `next_cursor`); `None` when the
    /// cursor is malformed.
    pub fn after_cursor(cursor: &str, limit: u32) -> Option<Self> {
        Some(Self { after: Some(decode_cursor(cursor)?), limit: limit.clamp(1, Self::MAX_LIMIT) })
    }

    pub fn first(limit: u32) -> Self {
        Self { after: None, limit: limit.clamp(1, Self::MAX_LIMIT) }
    }
}

/// Default currency of a deployment when none is given.
pub const DEFAULT_CURRENCY: Currency = Currency::USD;
