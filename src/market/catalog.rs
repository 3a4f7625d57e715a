//! Publishing chips: validation of drafts, publishing and retiring by their designer.

use super::{Market, MarketError};
use crate::domain::{BasisPoints, Chip, Contribution, Id, Money, NewChip, Role, User, Vlnv};

/// What a designer submits for a new chip.
#[derive(Debug, Clone)]
pub struct ChipDraft {
    pub vlnv: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub process_node: String,
    pub tags: Vec<String>,
    pub price: Money,
    pub supply: Option<i64>,
    pub royalty_bps: i64,
    pub licence: Option<String>,
    pub content_sha256: String,
    pub content_size: i64,
    pub prev_version: Option<String>,
    /// `(designer handle, block VLNV, share_bps)` of other designers' IP blocks.
    pub ip_blocks: Vec<(String, String, i64)>,
}

pub struct Catalog<'a> {
    pub(super) market: &'a Market,
}

fn invalid(msg: impl Into<String>) -> MarketError {
    MarketError::Invalid(msg.into())
}

impl Catalog<'_> {
    /// Validates a draft and stores it; only designers (and admins) may publish.
    pub async fn create(&self, actor: &User, d: ChipDraft) -> Result<Chip, MarketError> {
        if !matches!(actor.role, Role::Designer | Role::Admin) {
            return Err(MarketError::Forbidden("only designers can list chips".into()));
        }
        let store = &self.market.store;
        let vlnv = Vlnv::parse(&d.vlnv).map_err(|e| invalid(e.to_string()))?;
        let title = d.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(invalid("title must be 1 to 200 characters"));
        }
        if d.description.chars().count() > 20_000 {
            return Err(invalid("description must be at most 20000 characters"));
        }
        if d.price.amount_minor < 0 {
            return Err(invalid("price must not be negative"));
        }
        if d.supply.is_some_and(|s| s < 1) {
            return Err(invalid("supply must be at least 1 when given"));
        }
        let royalty = BasisPoints::new(d.royalty_bps).map_err(|e| invalid(e.to_string()))?;
        let sha = d.content_sha256.to_ascii_lowercase();
        if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid("content_sha256 must be 64 hexadecimal characters"));
        }
        if d.content_size < 0 {
            return Err(invalid("content_size must not be negative"));
        }
        if d.tags.len() > 20 || d.tags.iter().any(|t| t.is_empty() || t.len() > 40) {
            return Err(invalid("at most 20 tags of 1 to 40 characters"));
        }
        let mut contributions = Vec::with_capacity(d.ip_blocks.len());
        let mut total: i64 = i64::from(self.market.settings.platform_fee_bps);
        for (handle, block, share) in &d.ip_blocks {
            let share = BasisPoints::new(*share).map_err(|e| invalid(e.to_string()))?;
            if share.get() == 0 {
                return Err(invalid("an IP block's share_bps must be at least 1"));
            }
            total += i64::from(share.get());
            let designer = store
                .designer_by_handle(handle)
                .await
                .map_err(|e| MarketError::from_store("contributing designer", e))?;
            let vlnv = Vlnv::parse(block).map_err(|e| invalid(format!("IP block: {e}")))?;
            contributions.push(Contribution { contributor_id: designer.user_id, vlnv, share_bps: share });
        }
        if total > 10_000 {
            return Err(invalid(format!(
                "IP-block shares and the platform fee add up to {total} bps, more than 10000"
            )));
        }
        let prev_version_id = match &d.prev_version {
            Some(v) => Some(self.find_by_vlnv(v).await?.id),
            None => None,
        };
        let chip = NewChip {
            designer_id: actor.id,
            vlnv,
            title: title.to_owned(),
            description: d.description,
            category: d.category.trim().to_lowercase(),
            process_node: d.process_node.trim().to_lowercase(),
            tags: d.tags,
            price: d.price,
            supply: d.supply,
            royalty_bps: royalty,
            licence: d.licence.unwrap_or_else(|| "LicenseRef-HoloMesh-Commercial".into()),
            content_sha256: sha,
            content_size: d.content_size,
            prev_version_id,
            contributions,
        };
        store.create_chip(&chip).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => {
                MarketError::Conflict(format!("VLNV {} is already listed", chip.vlnv))
            }
            other => MarketError::from_store("chip", other),
        })
    }

    async fn find_by_vlnv(&self, vlnv: &str) -> Result<Chip, MarketError> {
        let filter = crate::domain::ChipFilter { text: None, ..Default::default() };
        let mut page = crate::domain::PageRequest::first(100);
        loop {
            let p =
                self.market.store.list_chips(&filter, page).await.map_err(|e| MarketError::from_store("chip", e))?;
            if let Some(c) = p.items.into_iter().find(|c| c.vlnv.to_string() == vlnv) {
                return Ok(c);
            }
            match p.next_cursor.and_then(|c| crate::store::decode_cursor(&c).ok()) {
                Some(after) => page = crate::domain::PageRequest { after: Some(after), limit: 100 },
                None => return Err(MarketError::NotFound("previous version")),
            }
        }
    }

    /// Publishes the actor's own draft (admins may publish any).
    pub async fn publish(&self, actor: &User, chip_id: Id) -> Result<Chip, MarketError> {
        let chip = self.market.store.chip_by_id(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        if chip.designer_id != actor.id && actor.role != Role::Admin {
            return Err(MarketError::NotFound("chip"));
        }
        let chip = self.market.store.publish_chip(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        let _ = self.market.cache.cache.delete(&format!("chip:{chip_id}")).await;
        Ok(chip)
    }
}
