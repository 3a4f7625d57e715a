//! Chips: drafts, publication (with the signed record and its outbox event),
//! retirement, lookups and the id-ordered listing.

use super::outbox::NewEvent;
use super::rows::{CHIP_COLUMNS, ChipRow, ContributionRow, assemble_chips};
use super::sql::{now, placeholders};
use super::{Store, StoreError, page_of};
use crate::domain::{Chip, ChipFilter, Id, NewChip, Page, PageRequest, new_id};
use sqlx::types::Json;

impl Store {
    pub async fn create_chip(&self, c: &NewChip) -> Result<Chip, StoreError> {
        let id = new_id();
        let mut tx = self.db.begin_write().await?;
        tx.query(
            "INSERT INTO chips (id, designer_id, vlnv, title, description, category, process_node, tags, \
             price_minor, currency, supply, status, royalty_bps, licence, content_sha256, content_size, \
             prev_version_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $14, $15, $16, $17)",
        )
        .bind(id)
        .bind(c.designer_id)
        .bind(c.vlnv.to_string())
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.category)
        .bind(&c.process_node)
        .bind(Json(&c.tags))
        .bind(c.price.amount_minor)
        .bind(c.price.currency.as_str())
        .bind(c.supply)
        .bind(i32::from(c.royalty_bps.get()))
        .bind(&c.licence)
        .bind(&c.content_sha256)
        .bind(c.content_size)
        .bind(c.prev_version_id)
        .bind(now())
        .execute()
        .await?;
        for k in &c.contributions {
            tx.query(
                "INSERT INTO chip_contributions (id, chip_id, contributor_id, vlnv, share_bps) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(id)
            .bind(k.contributor_id)
            .bind(k.vlnv.to_string())
            .bind(i32::from(k.share_bps.get()))
            .execute()
            .await?;
        }
        tx.commit().await?;
        self.chip_by_id(id).await
    }

    pub async fn chip_by_id(&self, id: Id) -> Result<Chip, StoreError> {
        let row: ChipRow =
            self.db.query(format!("SELECT {CHIP_COLUMNS} FROM chips WHERE id = $1")).bind(id).fetch_one().await?;
        self.attach_contributions(vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// The chip with this VLNV (`vendor:library:name:version`).
    pub async fn chip_by_vlnv(&self, vlnv: &str) -> Result<Chip, StoreError> {
        let row: ChipRow =
            self.db.query(format!("SELECT {CHIP_COLUMNS} FROM chips WHERE vlnv = $1")).bind(vlnv).fetch_one().await?;
        self.attach_contributions(vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Chips matching `f`, newest first.
    pub async fn list_chips(&self, f: &ChipFilter, page: PageRequest) -> Result<Page<Chip>, StoreError> {
        let pattern = f.text.as_ref().map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_'], "")));
        let rows: Vec<ChipRow> = self
            .db
            .query(format!(
                "SELECT {CHIP_COLUMNS} FROM chips WHERE ($1 IS NULL OR id < $1) \
                 AND ($2 IS NULL OR designer_id = $2) AND ($3 IS NULL OR category = $3) \
                 AND ($4 IS NULL OR process_node = $4) AND ($5 IS NULL OR price_minor <= $5) \
                 AND ($6 IS NULL OR status = $6) \
                 AND ($7 IS NULL OR lower(title || ' ' || description || ' ' || category) LIKE $7) \
                 ORDER BY id DESC LIMIT $8"
            ))
            .bind(page.after)
            .bind(f.designer_id)
            .bind(f.category.as_deref())
            .bind(f.process_node.as_deref())
            .bind(f.max_price_minor)
            .bind(f.status.map(|s| s.as_str()))
            .bind(pattern)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let chips = self.attach_contributions(rows).await?;
        Ok(page_of(chips, page.limit, |c| c.id))
    }

    /// Marks a draft published, stores its signed record and writes `event`, in one
    /// transaction, so no event exists for a chip without its record. A chip that
    /// is not a draft (any more) is a `Conflict`.
    pub async fn publish_chip(
        &self,
        id: Id,
        record: Option<&serde_json::Value>,
        event: &NewEvent,
    ) -> Result<Chip, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let done = tx
            .query(
                "UPDATE chips SET status = 'published', published_at = $2, record = COALESCE($3, record) \
                 WHERE id = $1 AND status = 'draft'",
            )
            .bind(id)
            .bind(now())
            .bind(record.map(Json))
            .execute()
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(self.missing_or(id, "chips_not_draft").await);
        }
        tx.insert_event(event).await?;
        tx.commit().await?;
        self.chip_by_id(id).await
    }

    /// Takes a published chip off sale (licences stay valid) and writes `event`,
    /// atomically. A chip that is not published is a `Conflict`.
    pub async fn retire_chip(&self, id: Id, event: &NewEvent) -> Result<Chip, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let done = tx
            .query("UPDATE chips SET status = 'retired' WHERE id = $1 AND status = 'published'")
            .bind(id)
            .execute()
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(self.missing_or(id, "chips_not_published").await);
        }
        tx.insert_event(event).await?;
        tx.commit().await?;
        self.chip_by_id(id).await
    }

    /// Stores a chip's signed record. A draft's record may be replaced; a published
    /// chip's record, once stored, is not (`Conflict`).
    pub async fn set_chip_record(&self, chip_id: Id, record: &serde_json::Value) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE chips SET record = $2 WHERE id = $1 AND (status = 'draft' OR record IS NULL)")
            .bind(chip_id)
            .bind(Json(record))
            .execute()
            .await?;
        if done == 1 { Ok(()) } else { Err(self.missing_or(chip_id, "chips_record_set_once").await) }
    }

    /// The chip's signed record, or `None` when it has none; `NotFound` for no chip.
    pub async fn chip_record(&self, chip_id: Id) -> Result<Option<serde_json::Value>, StoreError> {
        let row: Option<Option<Json<serde_json::Value>>> =
            self.db.query("SELECT record FROM chips WHERE id = $1").bind(chip_id).scalar_optional().await?;
        row.map(|r| r.map(|j| j.0)).ok_or(StoreError::NotFound)
    }

    /// `NotFound` when the chip does not exist, else a `Conflict` named `constraint`.
    async fn missing_or(&self, id: Id, constraint: &str) -> StoreError {
        match self.db.query("SELECT 1 FROM chips WHERE id = $1").bind(id).scalar_optional::<i32>().await {
            Ok(None) => StoreError::NotFound,
            Ok(Some(_)) => StoreError::Conflict(constraint.into()),
            Err(e) => e,
        }
    }

    /// Loads the contributions of all `rows` in one query.
    pub(super) async fn attach_contributions(&self, rows: Vec<ChipRow>) -> Result<Vec<Chip>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self.db.query(format!(
            "SELECT chip_id, contributor_id, vlnv, share_bps FROM chip_contributions WHERE chip_id IN ({}) ORDER BY id",
            placeholders(1, rows.len())
        ));
        for r in &rows {
            q = q.bind(r.id);
        }
        let contribs: Vec<ContributionRow> = q.fetch_all().await?;
        assemble_chips(rows, contribs)
    }
}
