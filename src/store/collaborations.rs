//! Collaborations: members with shares, and the draft chip a collaboration produces
//! (its members become the chip's IP-block contributors).

use super::sql::placeholders;
use super::{Store, StoreError, Tx};
use crate::domain::{Collaboration, CollaborationMember, Id, new_id};
use time::OffsetDateTime;

type CollaborationRow = (Id, String, Option<Id>, Id, OffsetDateTime);

/// The chip a collaboration is linked to: its designer is not paid as a
/// contributor (they are the seller), and every contribution carries its VLNV.
#[derive(Debug, Clone)]
pub struct ChipLink {
    pub chip_id: Id,
    pub designer_id: Id,
    pub vlnv: String,
    /// The chip's contributions may add up to at most this many basis points.
    pub max_total_bps: i64,
}

impl Tx {
    /// Links a draft chip to a collaboration: each member other than the chip's
    /// designer becomes a contributor with their share. `Conflict` when another
    /// collaboration has the chip (`collaborations_chip`) or the shares would pass
    /// `max_total_bps` (`chip_contributions_total`).
    async fn link_collaboration_chip(&mut self, collaboration_id: Id, link: &ChipLink) -> Result<(), StoreError> {
        let other: Option<Id> = self
            .query("SELECT id FROM collaborations WHERE chip_id = $1 AND id <> $2")
            .bind(link.chip_id)
            .bind(collaboration_id)
            .scalar_optional()
            .await?;
        if other.is_some() {
            return Err(StoreError::Conflict("collaborations_chip".into()));
        }
        let members: Vec<(Id, i32)> = self
            .query(
                "SELECT designer_id, share_bps FROM collaboration_members WHERE collaboration_id = $1 ORDER BY designer_id",
            )
            .bind(collaboration_id)
            .fetch_all()
            .await?;
        for (member, share) in members.into_iter().filter(|(m, _)| *m != link.designer_id) {
            self.query(
                "INSERT INTO chip_contributions (id, chip_id, contributor_id, vlnv, share_bps) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (chip_id, contributor_id, vlnv) DO UPDATE SET share_bps = excluded.share_bps",
            )
            .bind(new_id())
            .bind(link.chip_id)
            .bind(member)
            .bind(&link.vlnv)
            .bind(share)
            .execute()
            .await?;
        }
        let total: i64 = self
            .query("SELECT CAST(COALESCE(SUM(share_bps), 0) AS BIGINT) FROM chip_contributions WHERE chip_id = $1")
            .bind(link.chip_id)
            .scalar()
            .await?;
        if total > link.max_total_bps {
            return Err(StoreError::Conflict("chip_contributions_total".into()));
        }
        self.query("UPDATE collaborations SET chip_id = $2 WHERE id = $1")
            .bind(collaboration_id)
            .bind(link.chip_id)
            .execute()
            .await
            .map(drop)
    }
}

impl Store {
    /// Stores a collaboration with its members and, with `link`, links its chip, in
    /// one transaction.
    pub async fn create_collaboration(&self, c: &Collaboration, link: Option<&ChipLink>) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        tx.query(
            "INSERT INTO collaborations (id, title, chip_id, created_by, created_at) VALUES ($1, $2, NULL, $3, $4)",
        )
        .bind(c.id)
        .bind(&c.title)
        .bind(c.created_by)
        .bind(c.created_at)
        .execute()
        .await?;
        for m in &c.members {
            tx.query(
                "INSERT INTO collaboration_members (collaboration_id, designer_id, share_bps) VALUES ($1, $2, $3)",
            )
            .bind(c.id)
            .bind(m.designer_id)
            .bind(i32::from(m.share_bps))
            .execute()
            .await?;
        }
        if let Some(link) = link {
            tx.link_collaboration_chip(c.id, link).await?;
        }
        tx.commit().await
    }

    /// Links an existing collaboration to a draft chip (see [`ChipLink`]).
    pub async fn set_collaboration_chip(&self, collaboration_id: Id, link: &ChipLink) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        let exists: Option<Id> =
            tx.query("SELECT id FROM collaborations WHERE id = $1").bind(collaboration_id).scalar_optional().await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        tx.link_collaboration_chip(collaboration_id, link).await?;
        tx.commit().await
    }

    pub async fn collaboration(&self, id: Id) -> Result<Collaboration, StoreError> {
        let row: CollaborationRow = self
            .db
            .query("SELECT id, title, chip_id, created_by, created_at FROM collaborations WHERE id = $1")
            .bind(id)
            .fetch_one()
            .await?;
        self.load_collaborations(vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Collaborations a designer created or belongs to, oldest first.
    pub async fn designer_collaborations(&self, designer_id: Id) -> Result<Vec<Collaboration>, StoreError> {
        let rows: Vec<CollaborationRow> = self
            .db
            .query(
                "SELECT id, title, chip_id, created_by, created_at FROM collaborations WHERE created_by = $1 \
                 OR id IN (SELECT collaboration_id FROM collaboration_members WHERE designer_id = $1) ORDER BY id",
            )
            .bind(designer_id)
            .fetch_all()
            .await?;
        self.load_collaborations(rows).await
    }

    /// Attaches the members of every collaboration (one query), in the order given.
    async fn load_collaborations(&self, rows: Vec<CollaborationRow>) -> Result<Vec<Collaboration>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self.db.query(format!(
            "SELECT collaboration_id, designer_id, share_bps FROM collaboration_members \
             WHERE collaboration_id IN ({}) ORDER BY designer_id",
            placeholders(1, rows.len())
        ));
        for r in &rows {
            q = q.bind(r.0);
        }
        let members: Vec<(Id, Id, i32)> = q.fetch_all().await?;
        rows.into_iter()
            .map(|(id, title, chip_id, created_by, created_at)| {
                let members = members
                    .iter()
                    .filter(|m| m.0 == id)
                    .map(|m| {
                        Ok(CollaborationMember {
                            designer_id: m.1,
                            share_bps: u16::try_from(m.2).map_err(StoreError::corrupt)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(Collaboration { id, title, chip_id, created_by, members, created_at })
            })
            .collect()
    }
}
