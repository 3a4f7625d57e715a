//! Publishing chips: validation of drafts, publishing with a signed record, and
//! custody of the designers' signing keys.

use super::{Market, MarketError, hot_cache};
use crate::domain::{
    BasisPoints, Chip, ChipFilter, ChipStatus, Contribution, DesignerProfile, Id, Money, NewChip, Page, PageRequest,
    Role, User, Vlnv,
};
use crate::nft;
use crate::store::{NewEvent, StoreError};

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
        if u64::try_from(d.content_size).is_ok_and(|n| n > nft::rules::MAX_CONTENT_SIZE) {
            return Err(invalid("content_size must be at most 2^53 bytes"));
        }
        if d.tags.len() > 20 || d.tags.iter().any(|t| t.is_empty() || t.len() > 40) {
            return Err(invalid("at most 20 tags of 1 to 40 characters"));
        }
        if let Some(licence) = &d.licence {
            nft::rules::check_licence(licence).map_err(invalid)?;
        }
        let mut contributions = Vec::with_capacity(d.ip_blocks.len());
        let mut total: i64 = i64::from(self.market.settings.platform_fee_bps);
        let mut others: i64 = 0;
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
            if designer.user_id != actor.id {
                others += i64::from(share.get());
            }
            let vlnv = Vlnv::parse(block).map_err(|e| invalid(format!("IP block: {e}")))?;
            contributions.push(Contribution { contributor_id: designer.user_id, vlnv, share_bps: share });
        }
        if total > 10_000 {
            return Err(invalid(format!(
                "IP-block shares and the platform fee add up to {total} bps, more than 10000"
            )));
        }
        if others >= 10_000 {
            return Err(invalid("other designers' IP-block shares must leave you at least 1 bps as an author"));
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
            StoreError::Conflict(_) => MarketError::Conflict(format!("VLNV {} is already listed", chip.vlnv)),
            other => MarketError::from_store("chip", other),
        })
    }

    async fn find_by_vlnv(&self, vlnv: &str) -> Result<Chip, MarketError> {
        let vlnv = Vlnv::parse(vlnv).map_err(|e| invalid(format!("previous version: {e}")))?;
        self.market
            .store
            .chip_by_vlnv(&vlnv.to_string())
            .await
            .map_err(|e| MarketError::from_store("previous version", e))
    }

    /// Publishes the actor's own draft (admins may publish any) with a signed record.
    ///
    /// The record (ERC-721 metadata plus `properties`, see [`crate::nft`]) names as
    /// authors the chip's designer, with 10000 bps less the IP blocks' shares, and each
    /// IP-block contributor with their `share_bps` (a designer listed twice is merged).
    /// Every author signs it with their ed25519 key.
    ///
    /// The marketplace holds these keys on the designers' behalf: a designer's key pair
    /// is generated the first time a record needs it, the private half is stored sealed
    /// with the field cipher (AAD `designer_profiles.private_key:<user id>`), and it is
    /// opened only here, to sign records of chips that designer is an author of. The
    /// record is stored in the same transaction that publishes the chip and writes the
    /// `chip.published` outbox event.
    #[tracing::instrument(skip_all, fields(chip_id = %chip_id))]
    pub async fn publish(&self, actor: &User, chip_id: Id) -> Result<Chip, MarketError> {
        let store = &self.market.store;
        let chip = store.chip_by_id(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        if chip.designer_id != actor.id && actor.role != Role::Admin {
            return Err(MarketError::NotFound("chip"));
        }
        if chip.status != ChipStatus::Draft {
            return Err(invalid(format!("chip is {}; only drafts can be published", chip.status)));
        }
        let record = self.signed_record(&chip).await?;
        let event = NewEvent {
            kind: "chip.published",
            aggregate_id: chip_id,
            payload: serde_json::json!({ "chip_id": chip_id }),
        };
        let chip = store.publish_chip(chip_id, Some(&record), &event).await.map_err(|e| match e {
            StoreError::Conflict(_) => invalid("the chip was published meanwhile; only drafts can be published"),
            other => MarketError::from_store("chip", other),
        })?;
        self.market.chip_changed(chip.id, chip.designer_id).await;
        hot_cache::bump_names(self.market.cache.cache.as_ref()).await;
        if let Err(e) = self.market.search().index_chip(&chip).await {
            // Published all the same; the vector is made when search catches up.
            tracing::warn!(error = %e, chip = %chip.id, "could not store the chip's vector");
        }
        Ok(chip)
    }

    /// The signed record of a published chip.
    pub async fn record(&self, chip_id: Id) -> Result<serde_json::Value, MarketError> {
        self.market
            .store
            .chip_record(chip_id)
            .await
            .map_err(|e| MarketError::from_store("chip", e))?
            .ok_or(MarketError::NotFound("chip record"))
    }

    /// Takes the actor's own published chip off sale (admins may retire any).
    /// Buyers keep their licences.
    pub async fn retire(&self, actor: &User, chip_id: Id) -> Result<Chip, MarketError> {
        let chip = self.market.store.chip_by_id(chip_id).await.map_err(|e| MarketError::from_store("chip", e))?;
        if chip.designer_id != actor.id && actor.role != Role::Admin {
            return Err(MarketError::NotFound("chip"));
        }
        if chip.status != ChipStatus::Published {
            return Err(invalid(format!("chip is {}; only published chips can be retired", chip.status)));
        }
        let event = NewEvent {
            kind: "chip.retired",
            aggregate_id: chip_id,
            payload: serde_json::json!({ "chip_id": chip_id }),
        };
        let chip = self.market.store.retire_chip(chip_id, &event).await.map_err(|e| match e {
            StoreError::Conflict(_) => invalid("the chip is no longer published"),
            other => MarketError::from_store("chip", other),
        })?;
        self.market.search().forget(chip.id);
        self.market.chip_changed(chip.id, chip.designer_id).await;
        hot_cache::bump_names(self.market.cache.cache.as_ref()).await;
        Ok(chip)
    }

    /// Any chip, drafts included (for the services' own checks).
    pub async fn chip(&self, id: Id) -> Result<Chip, MarketError> {
        self.market.store.chip_by_id(id).await.map_err(|e| MarketError::from_store("chip", e))
    }

    /// The chip, when `viewer` may see it: drafts only to their designer and admins;
    /// to anyone else a draft does not exist.
    pub async fn visible(&self, viewer: Option<&User>, id: Id) -> Result<Chip, MarketError> {
        let chip = self.chip(id).await?;
        let privileged = viewer.is_some_and(|u| u.id == chip.designer_id || u.role == Role::Admin);
        if chip.status == ChipStatus::Draft && !privileged {
            return Err(MarketError::NotFound("chip"));
        }
        Ok(chip)
    }

    /// Chips matching `filter`, newest first.
    pub async fn list(&self, filter: &ChipFilter, page: PageRequest) -> Result<Page<Chip>, MarketError> {
        self.market.store.list_chips(filter, page).await.map_err(|e| MarketError::from_store("chip", e))
    }

    /// A published chip by its (spoken) title: an exact title first, else the
    /// newest chip whose text contains it.
    pub async fn published_by_title(&self, title: &str) -> Result<Option<Chip>, MarketError> {
        let filter =
            ChipFilter { status: Some(ChipStatus::Published), text: Some(title.to_owned()), ..Default::default() };
        let mut items = self.list(&filter, PageRequest::first(20)).await?.items;
        let wanted = title.to_lowercase();
        Ok(match items.iter().position(|c| c.title.to_lowercase() == wanted) {
            Some(i) => Some(items.swap_remove(i)),
            None => items.into_iter().next(),
        })
    }

    /// The newest published chip of a designer.
    pub async fn latest_of(&self, designer: &DesignerProfile) -> Result<Option<Chip>, MarketError> {
        let filter = ChipFilter {
            designer_id: Some(designer.user_id),
            status: Some(ChipStatus::Published),
            ..Default::default()
        };
        Ok(self.list(&filter, PageRequest::first(1)).await?.items.into_iter().next())
    }

    /// Changes whenever a chip is published or retired or a designer's profile changes,
    /// in every process sharing the cache; `None` when the cache fails.
    pub async fn names_generation(&self) -> Option<String> {
        hot_cache::names_generation(self.market.cache.cache.as_ref()).await
    }

    /// Every designer (display name, handle) and published chip title: the names
    /// people may say, with the generation they belong to (read first, so a change
    /// while they are read makes them stale at once).
    pub async fn name_lists(&self) -> Result<NameLists, MarketError> {
        let store = &self.market.store;
        let fail = |e| MarketError::from_store("designer", e);
        let mut lists = NameLists { generation: self.names_generation().await, ..NameLists::default() };
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let p = store.list_designers(page).await.map_err(fail)?;
            lists.designers.extend(p.items.into_iter().map(|d| (d.display_name, d.handle.as_str().to_owned())));
            match p.next_cursor {
                Some(c) => match PageRequest::after_cursor(&c, PageRequest::MAX_LIMIT) {
                    Some(next) => page = next,
                    None => break,
                },
                None => break,
            }
        }
        let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let p = store.list_chips(&filter, page).await.map_err(fail)?;
            lists.chips.extend(p.items.into_iter().map(|c| c.title));
            match p.next_cursor {
                Some(c) => match PageRequest::after_cursor(&c, PageRequest::MAX_LIMIT) {
                    Some(next) => page = next,
                    None => break,
                },
                None => break,
            }
        }
        Ok(lists)
    }
}

/// The names people may say: designers (display name, handle) and chip titles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameLists {
    pub designers: Vec<(String, String)>,
    pub chips: Vec<String>,
    /// Which change of the names these are (see [`Catalog::names_generation`]).
    pub generation: Option<String>,
}
