//! Community and digest types: notification digests, designer groups, forum
//! threads and posts, collaborations, catalog sort orders and profile views.

use super::{Chip, DesignerProfile};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// How often a digest collects a user's notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestPeriod {
    Daily,
    Weekly,
}

impl DigestPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            DigestPeriod::Daily => "daily",
            DigestPeriod::Weekly => "weekly",
        }
    }
}

impl std::str::FromStr for DigestPeriod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "daily" => Ok(DigestPeriod::Daily),
            "weekly" => Ok(DigestPeriod::Weekly),
            other => Err(format!("unknown digest period {other:?}")),
        }
    }
}

/// A user with notifications waiting for a digest of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDigest {
    pub user_id: Uuid,
    /// The user's IANA time zone name as stored.
    pub timezone: String,
    /// When the oldest waiting notification was created.
    pub oldest: OffsetDateTime,
}

/// One user's digest of a period; `notification_ids` are the notifications it carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Digest {
    pub id: Uuid,
    pub user_id: Uuid,
    pub period: DigestPeriod,
    /// The local date (user's time zone) on which the period began.
    pub period_start: Date,
    pub notification_ids: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A member's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    Owner,
    Admin,
    Member,
}

impl GroupRole {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupRole::Owner => "owner",
            GroupRole::Admin => "admin",
            GroupRole::Member => "member",
        }
    }

    /// Whether this role may add members with `role`: owners add admins and
    /// members, admins add members, members add no one; nobody adds an owner.
    pub fn may_add(self, role: GroupRole) -> bool {
        matches!(
            (self, role),
            (GroupRole::Owner, GroupRole::Admin | GroupRole::Member) | (GroupRole::Admin, GroupRole::Member)
        )
    }
}

impl std::str::FromStr for GroupRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "owner" => Ok(GroupRole::Owner),
            "admin" => Ok(GroupRole::Admin),
            "member" => Ok(GroupRole::Member),
            other => Err(format!("unknown group role {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub owner_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupMember {
    pub group_id: Uuid,
    pub user_id: Uuid,
    pub role: GroupRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ForumThread {
    pub id: Uuid,
    /// `None` for a thread in the global forum.
    pub group_id: Option<Uuid>,
    pub author_id: Uuid,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ForumPost {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A designer's share of a collaboration, in basis points of each sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CollaborationMember {
    pub designer_id: Uuid,
    pub share_bps: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Collaboration {
    pub id: Uuid,
    pub title: String,
    pub chip_id: Option<Uuid>,
    pub created_by: Uuid,
    pub members: Vec<CollaborationMember>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Catalog orders. Each is total (ties broken by id), so cursors never skip or repeat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChipSort {
    /// Newest first.
    #[default]
    Newest,
    /// Cheapest first.
    Price,
    /// Best average rating first (unrated chips count as 0).
    Rating,
    /// Most sold first.
    Sales,
    /// Best answer to the search words first, by meaning and matching words (newest
    /// first without search words). The default when there are search words.
    Relevance,
}

/// Designer directory orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignerSort {
    /// Best average rating first.
    Rating,
    /// Most sales first.
    Sales,
    /// Most recently joined first.
    #[default]
    Newest,
}

/// A designer as others see them: profile, published chips and collaborations.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DesignerView {
    pub profile: DesignerProfile,
    /// Average rating in thousandths (4.5 stars = 4500), `None` when unrated.
    pub rating_avg_milli: Option<i64>,
    pub portfolio: Vec<Chip>,
    pub collaborations: Vec<Collaboration>,
}

/// One purchase as seen by the client statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseFact {
    pub price_minor: i64,
    pub currency: String,
    pub category: String,
    pub created_at: OffsetDateTime,
}

/// How a client buys, derived from their completed purchases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClientStats {
    pub purchases: u64,
    /// Median price in minor units (the lower middle for an even count).
    pub typical_spend_minor: Option<i64>,
    pub currency: Option<String>,
    /// Up to three categories, most bought first.
    pub favourite_categories: Vec<String>,
    /// Up to three hours of the day (UTC, 0–23), busiest first.
    pub active_hours_utc: Vec<u8>,
}

impl ClientStats {
    /// Derives the statistics; ties are broken by name (categories) and hour.
    pub fn from_facts(facts: &[PurchaseFact]) -> Self {
        if facts.is_empty() {
            return Self::default();
        }
        let mut prices: Vec<i64> = facts.iter().map(|f| f.price_minor).collect();
        prices.sort_unstable();
        let typical = prices.get((prices.len() - 1) / 2).copied();
        let mut cats: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        let mut hours = [0u64; 24];
        for f in facts {
            *cats.entry(f.category.as_str()).or_default() += 1;
            if let Some(h) = hours.get_mut(usize::from(f.created_at.to_offset(time::UtcOffset::UTC).hour())) {
                *h += 1;
            }
        }
        let mut cats: Vec<(&str, u64)> = cats.into_iter().filter(|(c, _)| !c.is_empty()).collect();
        cats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut busy: Vec<(u8, u64)> = (0u8..24).zip(hours.iter().copied()).filter(|(_, n)| *n > 0).collect();
        busy.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Self {
            purchases: facts.len() as u64,
            typical_spend_minor: typical,
            currency: facts.first().map(|f| f.currency.trim().to_owned()),
            favourite_categories: cats.into_iter().take(3).map(|(c, _)| c.to_owned()).collect(),
            active_hours_utc: busy.into_iter().take(3).map(|(h, _)| h).collect(),
        }
    }
}
