//! What a person holds and earned, over time: licences with their chips' titles,
//! and the income lines of a designer (for a chart by day).

use super::{Store, StoreError};
use crate::domain::{Currency, Id, Licence};
use time::OffsetDateTime;

/// A licence its owner holds, with what it is for.
#[derive(Debug, Clone)]
pub struct HeldLicence {
    pub licence: Licence,
    pub purchase_id: Id,
    pub chip_title: String,
    pub revoked: bool,
    pub created_at: OffsetDateTime,
}

type LicenceRow = (Id, Id, Id, Id, Option<i64>, String, Option<OffsetDateTime>, OffsetDateTime, String);

impl Store {
    /// The owner's licences, newest first (at most 200).
    pub async fn licences_of(&self, owner_id: Id) -> Result<Vec<HeldLicence>, StoreError> {
        let rows: Vec<LicenceRow> = self
            .db
            .query(
                "SELECT l.id, l.purchase_id, l.chip_id, l.owner_id, l.edition, l.token, l.revoked_at, l.created_at, \
                 c.title FROM licences l JOIN chips c ON c.id = l.chip_id WHERE l.owner_id = $1 \
                 ORDER BY l.id DESC LIMIT 200",
            )
            .bind(owner_id)
            .fetch_all()
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, purchase_id, chip_id, owner_id, edition, token, revoked_at, created_at, chip_title)| {
                HeldLicence {
                    licence: Licence { id, chip_id, owner_id, edition, token },
                    purchase_id,
                    chip_title,
                    revoked: revoked_at.is_some(),
                    created_at,
                }
            })
            .collect())
    }

    /// A designer's income lines (sales and royalties) in `currency` since `since`,
    /// oldest first: (when, amount in minor units).
    pub async fn income_lines(
        &self,
        user_id: Id,
        currency: Currency,
        since: OffsetDateTime,
    ) -> Result<Vec<(OffsetDateTime, i64)>, StoreError> {
        self.db
            .query(
                "SELECT created_at, amount_minor FROM ledger_entries WHERE user_id = $1 AND currency = $2 \
                 AND party IN ('seller', 'contributor') AND created_at >= $3 ORDER BY created_at LIMIT 100000",
            )
            .bind(user_id)
            .bind(currency.as_str())
            .bind(since)
            .fetch_all()
            .await
    }
}
